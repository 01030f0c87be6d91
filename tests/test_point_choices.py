"""The remembered service point choices (ebok_tui.core.points): owner-only file beside the drafts,
written atomically; an unreadable or corrupt file means "never chose" and never raises."""

from __future__ import annotations

import json
import stat

from ebok_tui.core.points import ALL_POINTS, PointChoices, choices_next_to


def test_choices_round_trip_owner_only(tmp_path):
    choices = choices_next_to(tmp_path / "data" / "drafts")
    assert choices.path == tmp_path / "data" / "service-points.json"
    assert choices.load("10005") is None
    choices.remember("10005", "PP-10005-02")
    choices.remember("10007", ALL_POINTS)
    choices.write()
    assert stat.S_IMODE(choices.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(choices.path.parent.stat().st_mode) == 0o700
    again = PointChoices(choices.path)
    assert (again.load("10005"), again.load("10007"), again.load("10001")) == ("PP-10005-02", ALL_POINTS, None)
    assert [p.name for p in choices.path.parent.iterdir()] == ["service-points.json"]  # no temp file left


def test_a_corrupt_file_is_never_chose_and_is_rewritten(tmp_path):
    path = tmp_path / "service-points.json"
    for junk in ("{not json", '["a list"]', '{"choices": {"10005": 7}}'):
        path.write_text(junk)
        choices = PointChoices(path)
        assert choices.load("10005") is None
    choices.remember("10005", "PP-10005-03")
    choices.write()
    assert json.loads(path.read_text())["choices"] == {"10005": "PP-10005-03"}


def test_without_a_file_the_choice_holds_for_the_run(tmp_path):
    choices = choices_next_to(None)
    choices.remember("10005", "PP-10005-01")
    choices.write()  # nothing to write
    assert choices.load("10005") == "PP-10005-01"
    assert list(tmp_path.iterdir()) == []
