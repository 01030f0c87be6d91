"""Non-UI client layer of the eBOK API v1. Must never import textual.

    from ebok_tui.core.api import EbokClient, ApiError, Unauthorized, Balance

Every public name of the submodules (their ``__all__``) is available here, but **lazily**
(PEP 562 module ``__getattr__``): importing this package imports none of them, and a name imports
the submodules up to the one that defines it (cheapest first), on first use. ``from ebok_tui.core.api import ApiError`` loads
``errors`` alone (no pydantic, no httpx); ``EbokClient`` loads ``client``, which itself imports
httpx only with its first request and pydantic and the models with its first reply read into a
model. This keeps the TUI's start-up (the
login screen needs the client and the errors, not the reply models of other screens) as quick as
Textual's own.

Adding a name: put it in its module's ``__all__``. Adding a module: list it in :data:`_MODULES`
where its imports put it (cheapest first). ``tests/test_api_lazy.py`` checks that every public
name is found in its own module, and that importing the package and the client stays free of
httpx and pydantic.
A module with its own heavy imports (a PDF or chart library) stays lazy as long as only the
screens that need it import those names.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: The submodules, cheapest first. A name is looked up in their ``__all__`` in this order, each
#: imported only when the ones before it do not have the name: a name of ``client`` loads
#: ``errors`` and ``client`` (no pydantic); only a reply model or a staff name loads the models.
_MODULES = ("errors", "client", "models", "staff")

if TYPE_CHECKING:  # for type checkers and editors: every name, as if imported eagerly
    from .client import *  # noqa: F403
    from .errors import *  # noqa: F403
    from .models import *  # noqa: F403
    from .staff import *  # noqa: F403


def __getattr__(name: str) -> Any:
    if not name.startswith("__"):
        for module_name in _MODULES:
            module = importlib.import_module(f"{__name__}.{module_name}")
            if name in module.__all__:
                value = getattr(module, name)
                globals()[name] = value  # the next lookup is a plain module attribute
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    names = {n for m in _MODULES for n in importlib.import_module(f"{__name__}.{m}").__all__}
    return sorted({*globals(), *names})
