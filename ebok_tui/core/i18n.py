"""Message catalogues and locale-aware formatting.

Catalogues are TOML files a translator can edit: ``ebok_tui/locale/<lang>/<area>.toml``. A key
``title`` in table ``[login]`` of any file is looked up as ``t("login.title")``; the file name is
just for tidiness (one per screen). Values use ``str.format`` fields: ``"Klient {number}"``.

Polish is the default and the fallback: a key missing in English shows the Polish text, a key
missing everywhere shows the key itself (and the catalogue test fails).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import zlib
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs

LANGUAGES = ("pl", "en")
DEFAULT_LANGUAGE = "pl"

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


#: Bumped when the cached form of a catalogue changes.
_CACHE_FORMAT = 2


def _catalog_cache_dir() -> Path:
    return platformdirs.user_cache_path("ebok-tui") / "catalogues"


@cache
def load_catalog(lang: str) -> dict[str, str]:
    """All messages of one language, flattened to dotted keys.

    Parsing the TOML files costs 20-50 ms at every start (tomllib is pure Python), so the flattened
    result is kept as JSON in the user's cache folder under a checksum of the files' names, sizes
    and bytes: any edit of a catalogue makes a new checksum, hence a new parse. The checksum is
    CRC-32 (zlib, loaded anyway): it tells an edited file from the one cached, which is all it is
    for (the cache is the user's own, nothing to defend against), and unlike hashlib's SHA-256 it
    does not load OpenSSL before the first frame. A cache that cannot be read or written (read-only
    home, damaged file) only costs that parse again.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    folder = resources.files("ebok_tui") / "locale" / lang
    sources = sorted(
        ((entry.name, entry.read_bytes()) for entry in folder.iterdir() if entry.name.endswith(".toml")),
        key=lambda source: source[0],
    )
    checksum = zlib.crc32(str(_CACHE_FORMAT).encode())
    for name, data in sources:
        checksum = zlib.crc32(b"\0%s\0%d\0%s" % (name.encode(), len(data), data), checksum)
    cached = _catalog_cache_dir() / f"{lang}-{checksum:08x}.json"
    try:
        loaded = json.loads(cached.read_bytes())
        if isinstance(loaded, dict) and all(isinstance(v, str) for v in loaded.values()):
            return loaded
    except (OSError, ValueError):
        pass
    import tomllib  # only when the cache misses (start-up)

    out: dict[str, str] = {}
    for _name, data in sources:
        _flatten("", tomllib.loads(data.decode("utf-8")), out)
    _store(cached, out)
    return out


def _store(path: Path, messages: dict[str, str]) -> None:
    """Write ``path`` whole or not at all (a reader never sees half a file); drop the language's
    older digests."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(messages, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
        lang = path.name.split("-", 1)[0]
        for old in path.parent.glob(f"{lang}-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def _group(digits: str, sep: str) -> str:
    parts: list[str] = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return sep.join(parts)


class I18n:
    """The messages of one language (``lang``), Polish behind them as the fallback."""

    __slots__ = ("_fallback", "_messages", "lang")

    def __init__(self, lang: str = DEFAULT_LANGUAGE) -> None:
        self.lang = lang
        self._messages = load_catalog(lang)
        self._fallback = load_catalog(DEFAULT_LANGUAGE)

    def __repr__(self) -> str:
        return f"I18n({self.lang!r})"

    def t(self, key: str, **values: Any) -> str:
        text = self._messages.get(key) or self._fallback.get(key)
        if text is None:
            return key
        if values:
            try:
                return text.format(**values)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def has(self, key: str) -> bool:
        return key in self._messages or key in self._fallback

    def label(self, key: str, fallback: str) -> str:
        """The text for ``key``, or ``fallback`` (e.g. a server code newer than the catalogue)."""
        return self.t(key) if self.has(key) else fallback

    # --- numbers -----------------------------------------------------------------------------
    def money(self, grosze: int) -> str:
        """``123456`` → ``1 234,56 zł`` (pl) or ``PLN 1,234.56`` (en)."""
        sign = "-" if grosze < 0 else ""
        zl, gr = divmod(abs(int(grosze)), 100)
        if self.lang == "pl":
            return f"{sign}{_group(str(zl), ' ')},{gr:02d} zł"
        return f"{sign}PLN {_group(str(zl), ',')}.{gr:02d}"

    def decimal(self, value: Decimal | float | int | str, places: int = 3) -> str:
        q = Decimal(str(value)).quantize(Decimal(1).scaleb(-places)) if places else Decimal(str(value))
        sign = "-" if q < 0 else ""
        whole, _, frac = f"{abs(q):f}".partition(".")
        if self.lang == "pl":
            return f"{sign}{_group(whole, ' ')}" + (f",{frac}" if frac else "")
        return f"{sign}{_group(whole, ',')}" + (f".{frac}" if frac else "")

    def volume(self, value: Decimal | float | int | str | None) -> str:
        """Cubic metres with three decimals: ``12,345 m³``; ``—`` for None."""
        if value is None:
            return "—"
        return f"{self.decimal(value, 3)} m³"

    def parse_decimal(self, text: str) -> Decimal | None:
        """Parse what a person types: ``1 234,5`` or ``1234.5`` (either separator). None if not a number."""
        cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("m³", "").replace("m3", "")
        if cleaned.count(",") + cleaned.count(".") > 1:
            return None
        cleaned = cleaned.replace(",", ".")
        if not cleaned:
            return None
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            return None
        return value if value.is_finite() else None

    # --- dates ---------------------------------------------------------------------------------
    def date(self, value: _dt.date | None) -> str:
        """``15.11.2026`` (pl) or ``15 Nov 2026`` (en); ``—`` for None."""
        if value is None:
            return "—"
        if self.lang == "pl":
            return f"{value.day:02d}.{value.month:02d}.{value.year}"
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"

    def datetime(self, value: _dt.datetime | None) -> str:
        """Local time, to the minute."""
        if value is None:
            return "—"
        local = value.astimezone() if value.tzinfo else value
        return f"{self.date(local.date())} {local:%H:%M}"

    def month(self, value: _dt.date) -> str:
        """A billing period label: ``11.2026`` (pl) / ``Nov 2026`` (en)."""
        if self.lang == "pl":
            return f"{value.month:02d}.{value.year}"
        return f"{_MONTHS_EN[value.month - 1]} {value.year}"
