"""80x24 snapshots of several service points (issue 12, feature 1) in Polish and English: the
housing community 10005's balance with its three points, the point dialog over its invoices, the
contract of its first point (every point chosen: a contract is one point's) and its year per point;
and the yearly export's period dialog (issue 12, feature 8).

The real server in-process on this module's own demo database (``--today 2026-11-15``)."""

from __future__ import annotations

import pytest

from tests.tui_support import opener, snapshot

#: snapshot name -> (customer, section, keys)
CASES = {
    "balance_points": ("10005", "balance", ()),
    "point_picker": ("10005", "invoices", ("k",)),
    "contract_of_the_first_point": ("10005", "contract", ()),
    "csv_export_dialog": ("10001", "balance", ("w", "e")),
    "year_per_point": ("10005", "balance", ("w",)),
}


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize("case", list(CASES))
def test_points(snap_compare, server, case, lang):
    customer, section, keys = CASES[case]
    assert snapshot(snap_compare, server, lang, opener(customer, section, *keys))
