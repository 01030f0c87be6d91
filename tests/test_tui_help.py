"""F1 / ``?``: key help for the current screen; and Textual's own texts (command palette, its
"no matches" line, its key descriptions) in the app's language: every text the palette and the
help show is a catalogue text, in Polish and in English."""

from __future__ import annotations

import functools
import re

import pytest
from textual.command import CommandList
from textual.widgets import Input

from ebok_tui.core.i18n import load_catalog
from ebok_tui.ui.palette import EbokCommandPalette
from ebok_tui.ui.screens.help import HelpScreen
from tests.tui_support import logged_in, make_app, press_settled, started, wait_until

LANGS = ["pl", "en"]


@functools.cache
def catalogue_patterns(lang: str) -> tuple[re.Pattern[str], ...]:
    """Each catalogue text as a pattern, its ``{fields}`` matching any value."""
    return tuple(
        re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(value)), re.S) for value in load_catalog(lang).values()
    )


def from_catalogue(text: str, lang: str) -> bool:
    """``text`` is one of the ``lang`` catalogue's texts (any values in its fields)."""
    return any(p.fullmatch(text) for p in catalogue_patterns(lang))


@pytest.mark.parametrize("lang", LANGS)
async def test_key_help_for_the_current_screen(server, lang):
    app = make_app(server, lang=lang)
    async with logged_in(app, "10001") as pilot:
        t = app.i18n.t
        await press_settled(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        texts = [text for _, text in app.screen.rows]
        # the screen's own keys, the section keys (hidden in the footer), the app's
        for key in ("bind.reload", "balance.bind_copy", "balance.bind_qr", "nav.invoices", "nav.account", "bind.quit"):
            assert t(key) in texts, (key, texts)
        assert ("f1, ?", t("help.open")) in app.screen.rows
        assert all(from_catalogue(text, lang) for text in texts), texts
        assert from_catalogue(app.screen.query_one("#help-dialog").border_title, lang)
        await press_settled(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)
        await press_settled(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await press_settled(pilot, "question_mark")  # ? closes it again
        assert not isinstance(app.screen, HelpScreen)


async def test_question_mark_in_a_field_is_typed_not_help(server):
    app = make_app(server)
    async with started(app) as pilot:
        await pilot.press("tab")  # the password field
        field = app.focused
        assert isinstance(field, Input) and field.password
        await press_settled(pilot, "question_mark")
        assert field.value == "?" and not isinstance(app.screen, HelpScreen)
        await press_settled(pilot, "f1")  # F1 works from a field
        assert isinstance(app.screen, HelpScreen)
        texts = [text for _, text in app.screen.rows]
        assert app.i18n.t("login.bind_register") in texts or any("Rejestracja" in x for x in texts), texts


@pytest.mark.parametrize("lang", LANGS)
async def test_command_palette_speaks_the_app_language(server, lang):
    app = make_app(server, lang=lang)
    async with logged_in(app, "10001") as pilot:
        t = app.i18n.t
        palette = await press_settled(pilot, "ctrl+p")
        assert isinstance(palette, EbokCommandPalette)
        search = palette.query_one(Input)
        assert search.placeholder == t("textual.palette_placeholder")
        commands = palette.query_one(CommandList)
        shown = [commands.get_option_at_index(i).prompt.plain for i in range(commands.option_count)]
        assert len(shown) > 5
        for prompt in shown:
            for line in prompt.splitlines():
                assert from_catalogue(line, lang), line
        # what the footer shows (the hidden bindings of the search field are Textual's and not shown)
        descriptions = [e.binding.description for e in palette.active_bindings.values() if e.binding.show]
        assert t("textual.exit_palette") in descriptions
        assert all(from_catalogue(d, lang) for d in descriptions if d), descriptions

        await pilot.press(*"zzqq")
        await wait_until(pilot, lambda: _has(commands, palette._NO_MATCHES))
        assert str(commands.get_option(palette._NO_MATCHES).prompt.renderable) == t("textual.no_matches")
        if lang == "pl":
            screen_text = "\n".join("".join(s.text for s in strip) for strip in palette._compositor.render_strips())
            for english in ("Search for commands", "No matches found", "Exit the command palette"):
                assert english not in screen_text


def _has(option_list, option_id: str) -> bool:
    try:
        option_list.get_option(option_id)
    except Exception:
        return False
    return True
