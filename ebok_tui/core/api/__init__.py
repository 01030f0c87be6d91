"""Non-UI client layer of the eBOK API v1. Must never import textual.

    from ebok_tui.core.api import EbokClient, ApiError, Unauthorized, Balance

Every public name of the submodules (their ``__all__``) is available here, but **lazily**
(PEP 562 module ``__getattr__``): importing this package imports none of them, and a name imports
only the submodule that defines it, on first use. ``from ebok_tui.core.api import ApiError`` loads
``errors`` alone (no pydantic, no httpx); ``EbokClient`` loads ``client``, which itself imports
httpx only with its first request and pydantic and the models with its first reply read into a
model. This keeps the TUI's start-up (the
login screen needs the client and the errors, not the reply models of other screens) as quick as
Textual's own.

Adding a name or a module (e.g. ``staff``): list its public names in :data:`_EXPORTS` below under
its module, in the same commit as its ``__all__``. ``tests/test_api_lazy.py`` fails while the two
disagree, and checks that importing the package and the client stays free of httpx and pydantic.
A module with its own heavy imports (a PDF or chart library) stays lazy as long as only the
screens that need it import those names.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Public names per submodule (each equals that module's ``__all__``; a test checks it).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "errors": (
        "ApiError",
        "ConnectionFailed",
        "ConnectionLost",
        "RequestTimeout",
        "Unauthorized",
        "InvalidCredentials",
        "Forbidden",
        "RateLimited",
        "NotFound",
        "ValidationFailed",
        "Conflict",
        "ServerError",
        "ProtocolError",
        "CODES",
        "LOGIN_REFUSALS",
    ),
    "client": (
        "ApiClient",
        "EbokClient",
        "DEFAULT_TIMEOUT",
        "DEFAULT_CONNECT_TIMEOUT",
        "DEFAULT_DEADLINE",
        "PDF_DEADLINE",
        "API_PREFIX",
        "REPLY_MAX_BYTES",
        "PDF_MAX_BYTES",
    ),
    "models": (
        "ApiModel",
        "ObjectId",
        "Health",
        "DemoCustomer",
        "DemoInfo",
        "DemoStaff",
        "DemoMail",
        "DemoMailbox",
        "LoginResult",
        "Accepted",
        "Me",
        "Balance",
        "Page",
        "InvoiceSummary",
        "InvoicePage",
        "InvoiceLine",
        "InvoiceDetail",
        "Payment",
        "PaymentPage",
        "Reading",
        "ReadingMeter",
        "BillingPeriod",
        "ReadingsInfo",
        "Meter",
        "Contract",
        "EFaktura",
        "Thread",
        "ThreadPage",
        "Message",
        "ThreadDetail",
        "DataAccessItem",
        "DataAccess",
        "DATA_ACCESS_PURPOSES",
        "INVOICE_STATUSES",
        "INVOICE_FILTERS",
        "THREAD_KINDS",
    ),
    "staff": (
        "StaffClient",
        "ActingClient",
        "StaffMe",
        "StaffLoginResult",
        "CustomerHit",
        "CustomerSearchPage",
        "Verification",
        "AccessCustomer",
        "Access",
        "Consent",
        "ACCESS_REASONS",
        "CONSENT_FORMS",
        "STAFF_ROLES",
        "QueueItem",
        "QueuePage",
        "QueueThread",
        "AuditItem",
        "AuditPage",
        "StaffAccount",
        "StaffAccountCreated",
        "BillingRun",
        "REPLY_STATUSES",
        "AUDIT_EXPORT_MAX_BYTES",
    ),
}

_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = list(_MODULE_OF)

if TYPE_CHECKING:  # for type checkers and editors: every name, as if imported eagerly
    from .client import *  # noqa: F403
    from .errors import *  # noqa: F403
    from .models import *  # noqa: F403
    from .staff import *  # noqa: F403


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the next lookup is a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
