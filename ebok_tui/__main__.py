"""``ebok-tui [--server URL] [--demo] [--staff] [--lang pl|en]``"""

from __future__ import annotations

import argparse
import gc
import os
import sys

from ebok_tui.core.i18n import DEFAULT_LANGUAGE, LANGUAGES

DEFAULT_SERVER = "http://127.0.0.1:8000"

#: Optional modules that libraries load only when they are installed, and that this program never
#: uses: httpx's command-line tool (``httpx._main``: click, pygments and rich.syntax, ~3 MB) and
#: trio, which httpcore imports whenever it is installed although this app runs on asyncio (~5 MB,
#: some 50 modules). An entry of None in ``sys.modules`` makes their import fail as "not installed",
#: which both libraries expect. Only the program does this, never the importable ``ebok_tui``.
NOT_USED = ("httpx._main", "trio")


def skip_unused_optional_imports() -> None:
    for name in NOT_USED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ebok-tui",
        description="eBOK — Internetowe Biuro Obsługi Klienta MPWiK w terminalu / "
        "the water utility's customer self-service office in your terminal.",
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("EBOK_SERVER", DEFAULT_SERVER),
        help=f"eBOK API address (env EBOK_SERVER; default {DEFAULT_SERVER})",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the embedded reference server with demo data on 127.0.0.1 and use it",
    )
    parser.add_argument(
        "--staff",
        action="store_true",
        help="open the staff login (counter clerks, helpdesk, supervisors) instead of the resident's",
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=os.environ.get("EBOK_LANG", DEFAULT_LANGUAGE)
        if os.environ.get("EBOK_LANG") in LANGUAGES
        else DEFAULT_LANGUAGE,
        help="interface language (env EBOK_LANG; default pl)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    skip_unused_optional_imports()  # idle memory (issue 11)
    # Start-up speed (issue 11): no cyclic garbage collection until the login screen is on the
    # terminal. Importing Textual and mounting the first screen make some hundred thousand objects,
    # nearly all of them alive for good; the collector would scan them again and again (with one
    # full collection among the scans), which cost the first frame as much as all our imports.
    # The app turns it back on after that frame (``EbokApp.on_ready``).
    gc.disable()

    # Imported after parsing, so --help and argument errors answer without loading Textual
    # (start-up speed; httpx and pydantic come with the first request); the demo launcher only
    # with --demo.
    from ebok_tui.core.api import EbokClient
    from ebok_tui.core.credentials import CredentialStore
    from ebok_tui.core.drafts import DraftStore

    launcher = None
    if args.demo:
        # The login screen comes at once; the embedded server starts meanwhile (the app fills in
        # the demo panel and lets the resident log in once it is up).
        from ebok_tui.core.demo import DemoLauncher

        launcher = DemoLauncher()
        api = EbokClient.awaiting_address(lang=args.lang)
        # no saved login in a demo: its server is new every run, a saved one would never be read
        credentials = None
    else:
        api = EbokClient(args.server, lang=args.lang)
        credentials = CredentialStore(server_url=args.server)

    from ebok_tui.ui.app import EbokApp
    from ebok_tui.ui.terminal import detect

    try:
        app = EbokApp(
            api,
            lang=args.lang,
            credentials=credentials,
            # where drafts live; the session binds it to the server + customer at login
            drafts=DraftStore(),
            demo=args.demo,
            staff=args.staff,
            terminal=detect(stdout_encoding=getattr(sys.__stdout__, "encoding", None)),
            server_start=launcher.start if launcher is not None else None,
        )
        # What the imports made (modules, classes, Textual's tables) lives as long as the program:
        # frozen, no collection ever scans it again; what the app makes from here on is collected.
        gc.freeze()
        app.run()
    finally:
        if launcher is not None:
            launcher.stop()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
