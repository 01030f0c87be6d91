"""``ebok-tui [--server URL] [--demo] [--staff] [--lang pl|en]``"""

from __future__ import annotations

import argparse
import os
import sys

from ebok_tui.core.i18n import DEFAULT_LANGUAGE, LANGUAGES

DEFAULT_SERVER = "http://127.0.0.1:8000"


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

    # Imported after parsing, so --help and argument errors answer without loading httpx, pydantic
    # or Textual (start-up speed); the demo server launcher only with --demo.
    from ebok_tui.core.api import EbokClient
    from ebok_tui.core.credentials import CredentialStore
    from ebok_tui.core.drafts import DraftStore
    from ebok_tui.core.i18n import I18n

    i18n = I18n(args.lang)

    demo_server = None
    server_url = args.server
    if args.demo:
        from ebok_tui.core.demo import DemoServerError, start_demo_server

        print(i18n.t("demo.starting"), file=sys.stderr)
        try:
            demo_server = start_demo_server()
        except DemoServerError as error:
            # the resident's sentence, then the technical reason (English, with the server's stderr)
            print(f"ebok-tui: {i18n.t(f'demo.{error.code}')}\n{error}", file=sys.stderr)
            return 2
        server_url = demo_server.url

    from ebok_tui.ui.app import EbokApp
    from ebok_tui.ui.terminal import detect

    try:
        api = EbokClient(server_url, lang=args.lang)
        app = EbokApp(
            api,
            lang=args.lang,
            credentials=CredentialStore(server_url=server_url),
            # where drafts live; the session binds it to the server + customer at login
            drafts=DraftStore(),
            demo=args.demo,
            staff=args.staff,
            terminal=detect(stdout_encoding=getattr(sys.__stdout__, "encoding", None)),
        )
        app.run()
    finally:
        if demo_server is not None:
            demo_server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
