"""Several service points (issue 12, feature 1) in the client against the real demo server
(business date 2026-11-15): the housing community 10005 has three points (buildings A and B, the
garden); 10001 has one and sees no trace of points."""

from __future__ import annotations

from textual.widgets import Static

from ebok_tui.ui.screens.billing.balance import BalanceScreen
from tests.tui_support import SIZE, login_as, make_app, settle, text_of


async def test_balance_total_and_each_point(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await login_as(app, "10005")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BalanceScreen) and screen.balance is not None
        points = screen.balance.points
        assert [p.label for p in points] == ["Budynek A", "Budynek B", "Ogród"]
        assert sum(p.to_pay for p in points) == screen.balance.to_pay
        assert sum(p.overdue for p in points) == screen.balance.overdue
        summary = text_of(screen.query_one("#balance-summary", Static))
        assert "Punkt (zł)" in summary and "Zaległe" in summary
        for p in points:
            line = next(line for line in summary.splitlines() if line.startswith(p.label))
            assert app.i18n.decimal(p.to_pay / 100, places=2) in line
            assert app.i18n.decimal(p.overdue / 100, places=2) in line


async def test_one_point_balance_has_no_point_table(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await login_as(app, "10001")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BalanceScreen) and screen.balance is not None
        assert len(screen.balance.points) == 1
        assert "Punkt (zł)" not in text_of(screen.query_one("#balance-summary", Static))
