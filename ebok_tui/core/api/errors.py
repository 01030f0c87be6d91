"""One exception hierarchy for everything that can go wrong talking to the eBOK server.

Every exception raised by :class:`ebok_tui.core.api.client.EbokClient` is an :class:`ApiError`
(httpx and pydantic exceptions never leak; the original is kept as ``__cause__`` for logs).

``err.message(lang)`` gives a plain message for residents, in Polish (``"pl"``, default) or
English (``"en"``), saying what happened and what to do. ``str(err)`` is a short English
technical description for logs (never contains tokens or passwords).

Which class to catch::

    ConnectionFailed     could not connect: server down / refused / DNS / bad address
      ConnectionLost     (a ConnectionFailed) connected, but the connection broke before the
                         whole reply arrived; code ``connection_lost_unconfirmed`` when a change
                         was sent and could not be safely resent, so it may or may not be saved
    RequestTimeout       the server did not send its whole reply in time (per-phase timeout or
                         the client's overall deadline)
    Unauthorized         401 on an authenticated call: session expired  -> go back to login
    InvalidCredentials   login refused (wrong number or password; same for unknown account)
    RateLimited          429 too many attempts, or 503 server_busy (``retry_after``: seconds to wait)
    NotFound             404
    ValidationFailed     422 (``.code`` tells which rule; ``.fields`` per-field messages)
    Conflict             409 (idempotency key reused with a different body)
    ServerError          5xx
    ProtocolError        reply not JSON / not the expected shape / not a PDF / too large
    ApiError             anything else (400, 413, 415, unknown 4xx)

Transport errors raised by the client carry ``server`` (the server's address, without any
user:password part); their messages name it, because the server may be on this computer or in the
office, not somewhere "on the internet". A ``{where}`` in a message is replaced by " (address)"
or, without a known server, by nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "ApiError",
    "ConnectionFailed",
    "ConnectionLost",
    "RequestTimeout",
    "Unauthorized",
    "InvalidCredentials",
    "RateLimited",
    "NotFound",
    "ValidationFailed",
    "Conflict",
    "ServerError",
    "ProtocolError",
    "MESSAGES",
    "FIELD_MESSAGES",
    "error_message",
    "field_message",
]

#: code -> (Polish, English). Covers every code in docs/API.md plus client-side cases.
MESSAGES: dict[str, tuple[str, str]] = {
    # --- transport / client side ---
    "connection_failed": (
        "Nie udało się połączyć z serwerem eBOK{where}. Sprawdź adres serwera i połączenie z siecią "
        "albo spróbuj ponownie później.",
        "Could not connect to the eBOK server{where}. Check the server address and your network connection, "
        "or try again later.",
    ),
    "connection_lost": (
        "Połączenie z serwerem eBOK{where} zostało przerwane, zanim nadeszła cała odpowiedź. "
        "Spróbuj ponownie za chwilę.",
        "The connection to the eBOK server{where} was lost before the whole reply arrived. "
        "Try again in a moment.",
    ),
    "connection_lost_unconfirmed": (
        "Połączenie z serwerem eBOK{where} zostało przerwane, zanim nadeszła odpowiedź, więc nie wiadomo, "
        "czy zmiana została zapisana. Odśwież dane i sprawdź to, zanim spróbujesz ponownie.",
        "The connection to the eBOK server{where} was lost before its reply arrived, so it is not known "
        "whether your change was saved. Refresh and check before you try again.",
    ),
    "timeout": (
        "Serwer eBOK{where} nie odpowiedział na czas. Spróbuj ponownie za chwilę.",
        "The eBOK server{where} did not answer in time. Try again in a moment.",
    ),
    "protocol_error": (
        "Serwer przesłał nieoczekiwaną odpowiedź. Spróbuj ponownie później. Jeśli problem się powtarza, "
        "zaktualizuj program lub skontaktuj się z Biurem Obsługi Klienta.",
        "The server sent an unexpected reply. Try again later. If it keeps happening, update the program "
        "or contact customer service.",
    ),
    "response_too_large": (
        "Plik przesłany przez serwer jest zbyt duży, aby go pobrać. Skontaktuj się z Biurem Obsługi Klienta.",
        "The file sent by the server is too large to download. Please contact customer service.",
    ),
    "reply_too_large": (
        "Serwer eBOK{where} przesłał zbyt dużą odpowiedź, więc została odrzucona. Spróbuj ponownie później. "
        "Jeśli problem się powtarza, skontaktuj się z Biurem Obsługi Klienta.",
        "The eBOK server{where} sent a reply that is too large, so it was refused. Try again later. "
        "If it keeps happening, contact customer service.",
    ),
    "not_logged_in": (
        "Nie jesteś zalogowany. Zaloguj się, aby kontynuować.",
        "You are not logged in. Please log in to continue.",
    ),
    # --- server codes (docs/API.md) ---
    "bad_request": (
        "Serwer nie zrozumiał żądania. Spróbuj ponownie. Jeśli problem się powtarza, zaktualizuj program.",
        "The server could not understand the request. Try again. If it keeps happening, update the program.",
    ),
    "forbidden": (
        "Nie masz dostępu do tej pozycji.",
        "You do not have access to this item.",
    ),
    "invalid_credentials": (
        "Nieprawidłowy numer klienta lub hasło. Sprawdź dane i spróbuj ponownie.",
        "Incorrect customer number or password. Check them and try again.",
    ),
    "unauthorized": (
        "Twoja sesja wygasła. Zaloguj się ponownie.",
        "Your session has expired. Please log in again.",
    ),
    "not_found": (
        "Nie znaleziono tej pozycji. Odśwież listę i spróbuj ponownie.",
        "This item could not be found. Refresh the list and try again.",
    ),
    "idempotency_conflict": (
        "Ta wiadomość została już wcześniej wysłana z inną treścią. Utwórz nową wiadomość.",
        "This message was already sent earlier with different content. Please create a new message.",
    ),
    "payload_too_large": (
        "Wysyłana treść jest zbyt długa. Skróć ją i spróbuj ponownie.",
        "What you are sending is too long. Shorten it and try again.",
    ),
    "unsupported_media_type": (
        "Serwer nie przyjął danych w tym formacie. Zaktualizuj program.",
        "The server did not accept data in this format. Please update the program.",
    ),
    "validation_error": (
        "Niektóre pola są wypełnione niepoprawnie. Popraw je i spróbuj ponownie.",
        "Some fields are not filled in correctly. Correct them and try again.",
    ),
    "wrong_password": (
        "Obecne hasło jest nieprawidłowe. Wpisz je ponownie.",
        "The current password is incorrect. Please type it again.",
    ),
    "weak_password": (
        "To hasło jest zbyt łatwe do odgadnięcia. Wybierz inne: co najmniej 8 znaków, nie popularne hasło, "
        "bez numeru klienta i inne niż obecne. Najlepsze jest kilka zwykłych słów, np. zdanie.",
        "This password is too easy to guess. Choose another: at least 8 characters, not a common password, "
        "without your customer number and not the current one. A few ordinary words, like a sentence, work best.",
    ),
    "invalid_code": (
        "Kod jest nieprawidłowy, wygasł albo został już użyty. Sprawdź go albo poproś o nowy.",
        "The code is wrong, has expired or has already been used. Check it or ask for a new one.",
    ),
    "reading_below_last": (
        "Podany stan licznika jest niższy od ostatniego odczytu. Sprawdź cyfry na wodomierzu i wpisz stan ponownie.",
        "The reading you entered is lower than the last reading. Check the digits on the meter and enter it again.",
    ),
    "reading_implausible": (
        "Podany stan oznacza nietypowo duże zużycie wody. Sprawdź cyfry na wodomierzu. Jeśli stan jest prawidłowy, "
        "skontaktuj się z Biurem Obsługi Klienta.",
        "The reading you entered means unusually high water use. Check the digits on the meter. If the reading is "
        "correct, please contact customer service.",
    ),
    "reading_already_submitted": (
        "Stan tego wodomierza został już podany w tym okresie rozliczeniowym. Kolejny możesz podać w następnym miesiącu.",
        "A reading for this meter has already been submitted in this billing period. You can submit the next one "
        "next month.",
    ),
    "reading_window_closed": (
        "Tego odczytu nie można już poprawić: okres rozliczeniowy jest zamknięty (wystawiono fakturę) albo odczyt "
        "nie jest Twoim odczytem z bieżącego okresu.",
        "This reading can no longer be corrected: the billing period is closed (the invoice was issued) or it is "
        "not your self-reading of the current period.",
    ),
    "unknown_meter": (
        "Ten wodomierz nie jest przypisany do Twojej umowy. Wybierz wodomierz z listy.",
        "This meter is not on your contract. Please choose a meter from the list.",
    ),
    "efaktura_not_active": (
        "Usługa e-FAKTURA nie jest aktywna.",
        "The e-FAKTURA service is not active.",
    ),
    "idempotency_key_required": (
        "Nie udało się wysłać wiadomości z powodu błędu programu. Spróbuj ponownie lub zaktualizuj program.",
        "The message could not be sent because of a program error. Try again or update the program.",
    ),
    "thread_closed": (
        "Ta sprawa została zamknięta. Aby kontynuować, napisz nową wiadomość.",
        "This case has been closed. To continue, please write a new message.",
    ),
    "rate_limited": (
        "Zbyt wiele prób. Odczekaj chwilę i spróbuj ponownie.",
        "Too many attempts. Wait a moment and try again.",
    ),
    "server_busy": (
        "Serwer eBOK jest teraz bardzo obciążony. Spróbuj ponownie za chwilę.",
        "The eBOK server is very busy right now. Try again in a moment.",
    ),
    "internal_error": (
        "Wystąpił błąd po stronie serwera eBOK. Spróbuj ponownie później.",
        "Something went wrong on the eBOK server. Please try again later.",
    ),
    "server_error": (
        "Serwer eBOK jest chwilowo niedostępny. Spróbuj ponownie później.",
        "The eBOK server is temporarily unavailable. Please try again later.",
    ),
    "unknown_error": (
        "Wystąpił nieoczekiwany błąd. Spróbuj ponownie później.",
        "An unexpected error occurred. Please try again later.",
    ),
}

#: Per-field messages for ``validation_error`` (field name -> (pl, en)).
FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "customer_number": ("Numer klienta składa się z 5 cyfr.", "The customer number has 5 digits."),
    "password": ("Wpisz hasło.", "Enter your password."),
    "current_password": ("Wpisz obecne hasło.", "Enter your current password."),
    "new_password": (
        "Nowe hasło musi mieć co najmniej 8 znaków.",
        "The new password must have at least 8 characters.",
    ),
    "email": (
        "Podaj poprawny adres e-mail, np. jan.kowalski@example.pl.",
        "Enter a valid e-mail address, e.g. jan.kowalski@example.pl.",
    ),
    "full_name": ("Wpisz imię i nazwisko.", "Enter your full name."),
    "contract_number": (
        "Wpisz numer umowy tak, jak na umowie lub fakturze.",
        "Enter the contract number as shown on your contract or invoice.",
    ),
    "meter_number": (
        "Wpisz numer wodomierza tak, jak na tarczy wodomierza lub fakturze.",
        "Enter the meter number as shown on the meter or your invoice.",
    ),
    "invoice_gross": (
        "Wpisz kwotę brutto jednej z trzech ostatnich faktur, np. 123,45.",
        "Enter the gross amount of one of your last three invoices, e.g. 123.45.",
    ),
    "code": ("Wpisz kod z wiadomości e-mail lub listu.", "Enter the code from the e-mail or letter."),
    "value": (
        "Wpisz stan wodomierza jako liczbę, np. 123,456 (najwyżej 3 cyfry po przecinku).",
        "Enter the meter reading as a number, e.g. 123.456 (at most 3 decimal places).",
    ),
    "kind": ("Wybierz rodzaj sprawy.", "Choose the kind of matter."),
    "subject": ("Temat musi mieć od 1 do 200 znaków.", "The subject must be 1 to 200 characters long."),
    "body": (
        "Wpisz treść wiadomości (najwyżej 10 000 znaków).",
        "Enter the message text (at most 10,000 characters).",
    ),
    "contact_phone": ("Podaj poprawny numer telefonu.", "Enter a valid phone number."),
    "location": ("Sprawdź opis miejsca.", "Check the location description."),
    "months": ("Nieprawidłowy zakres miesięcy.", "Invalid number of months."),
    "year": ("Nieprawidłowy rok.", "Invalid year."),
    "status": ("Nieprawidłowy status.", "Invalid status."),
    "offset": ("Nieprawidłowy numer strony.", "Invalid page."),
    "limit": ("Nieprawidłowy rozmiar strony.", "Invalid page size."),
}

#: For codes that concern one field, that field (the code's message is used for it).
_CODE_FIELD: dict[str, str] = {
    "wrong_password": "current_password",
    "weak_password": "new_password",
    "invalid_code": "code",
    "reading_below_last": "value",
    "reading_implausible": "value",
    "reading_already_submitted": "meter_number",
    "unknown_meter": "meter_number",
}

_STATUS_DEFAULT_CODE: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "idempotency_conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if (lang or "pl").lower().startswith("en") else pair[0]


def error_message(code: str, lang: str = "pl", server: str | None = None) -> str:
    """Human message for an error code (falls back to a generic message). ``server`` (an address)
    fills the ``{where}`` of transport messages; without it they speak of "the eBOK server"."""
    text = _pick(MESSAGES.get(code, MESSAGES["unknown_error"]), lang)
    return text.replace("{where}", f" ({server})" if server else "")


def _field_key(name: str) -> str:
    # server may report "body.value" / "value" / "query.months" -> "value" / "months"
    return name.rsplit(".", 1)[-1]


def field_message(field: str, lang: str = "pl") -> str | None:
    """Translated generic message for a field of a ``validation_error``, or ``None``."""
    pair = FIELD_MESSAGES.get(_field_key(field))
    return _pick(pair, lang) if pair else None


class ApiError(Exception):
    """Base class. ``code`` is the API error code (or a client-side code such as
    ``connection_failed``), ``status`` the HTTP status (``None`` for transport errors),
    ``fields`` per-field server messages (English), ``server_message`` the server's English text,
    ``server`` the server's address (set on transport errors; named in their messages)."""

    default_code = "unknown_error"

    def __init__(
        self,
        code: str | None = None,
        *,
        status: int | None = None,
        fields: Mapping[str, str] | None = None,
        server_message: str | None = None,
        detail: str | None = None,
        server: str | None = None,
    ) -> None:
        self.code: str = code or self.default_code
        self.status: int | None = status
        self.fields: dict[str, str] = dict(fields or {})
        self.server_message: str | None = server_message
        self.detail: str | None = detail
        self.server: str | None = server
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [self.code]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        text = self.server_message or self.detail or error_message(self.code, "en", self.server)
        return f"{' / '.join(parts)}: {text}"

    def message(self, lang: str = "pl") -> str:
        """Plain message for residents, in Polish (``"pl"``) or English (``"en"``)."""
        if self.code in MESSAGES:
            return error_message(self.code, lang, self.server)
        if self.status is not None and self.status in _STATUS_DEFAULT_CODE:
            return error_message(_STATUS_DEFAULT_CODE[self.status], lang)
        return error_message(self.default_code, lang)

    def field_messages(self, lang: str = "pl") -> dict[str, str]:
        """Per-field translated messages (field name -> message).

        For a code that concerns one field (``weak_password`` -> ``new_password``, reading
        rejections -> ``value``...) the code's message is given for that field; for
        ``validation_error`` each reported field gets a known translation, else the server's text.
        Keys are the plain field names (``"value"``, not ``"body.value"``)."""
        out: dict[str, str] = {}
        own_field = _CODE_FIELD.get(self.code)
        for name, text in self.fields.items():
            key = _field_key(name)
            if own_field == key:
                out[key] = self.message(lang)
            else:
                out[key] = field_message(key, lang) or text
        if own_field and own_field not in out:
            out[own_field] = self.message(lang)
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, fields={self.fields!r})"


class ConnectionFailed(ApiError):
    """Could not connect: server down, connection refused, DNS failure, invalid address.
    Catching it also catches :class:`ConnectionLost`."""

    default_code = "connection_failed"


class ConnectionLost(ConnectionFailed):
    """Connected and sent the request, but the connection broke (closed or reset by the peer or
    the network) before the whole reply arrived. ``code`` is ``connection_lost``, or
    ``connection_lost_unconfirmed`` when a change was sent that the client may not resend (it may
    or may not have been saved)."""

    default_code = "connection_lost"


class RequestTimeout(ApiError):
    """The server did not send its whole reply in time: an httpx per-phase timeout, or the
    client's overall deadline for the call (which also bounds a server that drips its reply)."""

    default_code = "timeout"


class Unauthorized(ApiError):
    """401 on an authenticated call (or no token at all): the UI should return to login."""

    default_code = "unauthorized"


class InvalidCredentials(ApiError):
    """Login refused. Identical for an unknown account and a wrong password."""

    default_code = "invalid_credentials"


class RateLimited(ApiError):
    """429 (``rate_limited``) or 503 ``server_busy``: try again later. ``retry_after`` seconds when
    the server sent a Retry-After header; :meth:`message` then says how long to wait."""

    default_code = "rate_limited"

    def __init__(self, code: str | None = None, *, retry_after: int | None = None, **kw) -> None:
        self.retry_after = retry_after
        super().__init__(code, **kw)

    def message(self, lang: str = "pl") -> str:
        text = super().message(lang)
        if not self.retry_after:
            return text
        return f"{text} {wait_text(self.retry_after, lang)}"


def wait_text(seconds: int, lang: str = "pl") -> str:
    """``Spróbuj ponownie za 2 min.`` / ``Try again in 45 s.``"""
    amount = f"{seconds} s" if seconds < 90 else f"{(seconds + 59) // 60} min"
    return _pick((f"Możesz spróbować ponownie za {amount}.", f"You can try again in {amount}."), lang)


class NotFound(ApiError):
    default_code = "not_found"


class ValidationFailed(ApiError):
    """422: the request broke a rule; ``code`` says which (``validation_error``, ``weak_password``,
    ``reading_below_last``...), ``field_messages(lang)`` gives per-field messages."""

    default_code = "validation_error"


class Conflict(ApiError):
    default_code = "idempotency_conflict"


class ServerError(ApiError):
    """5xx."""

    default_code = "server_error"

    def message(self, lang: str = "pl") -> str:
        if self.code == "internal_error":
            return error_message("internal_error", lang)
        return error_message("server_error", lang)


class ProtocolError(ApiError):
    """The reply was not what the contract promises (not JSON, wrong shape, not a PDF...), or was
    larger than the client accepts (code ``reply_too_large`` for data, ``response_too_large`` for
    a PDF file)."""

    default_code = "protocol_error"
