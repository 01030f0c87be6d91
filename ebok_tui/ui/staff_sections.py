"""Staff navigation: the sections of the staff shell, each with the permission it needs (the app
shows a member of staff only those their role has, docs/API.md "Staff API" roles), and the other
staff screens and dialogs — all named by import path ("module:Class"), imported on first use, as
in :mod:`ebok_tui.ui.sections`.

Adding a section: one :class:`StaffSection` line here (id, key, permission, target) and
``nav.staff_<id>`` in both languages' catalogues.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from ebok_tui.ui.sections import Opens, ScreenTable

_STAFF = "ebok_tui.ui.screens.staff"


class _StaffSectionFields(NamedTuple):
    id: str
    key: str  # the key that opens it in the staff shell
    permission: str  # what the role needs (``GET /staff/me`` permissions)
    target: str  # "module:Class"


class StaffSection(_StaffSectionFields, Opens):
    """A staff section: immutable fields, the behaviour of :class:`Opens` (as ``Section``)."""

    __slots__ = ()
    LABEL_PREFIX: ClassVar[str] = "nav.staff_"


STAFF_SECTIONS: tuple[StaffSection, ...] = (
    StaffSection("search", "1", "search", f"{_STAFF}.search:StaffSearchScreen"),
    StaffSection("queue", "2", "reply", f"{_STAFF}.queue:StaffQueueScreen"),
    StaffSection("audit", "3", "audit", f"{_STAFF}.audit:StaffAuditScreen"),
    StaffSection("accounts", "4", "staff_admin", f"{_STAFF}.accounts:StaffAccountsScreen"),
    StaffSection("notices", "5", "notices", f"{_STAFF}.notices:StaffNoticesScreen"),
)

STAFF_BY_ID = {s.id: s for s in STAFF_SECTIONS}

#: Staff screens and dialogs opened from another screen (not from the navigation bar).
STAFF_SCREENS = ScreenTable(
    {
        "staff_login": f"{_STAFF}.login:StaffLoginScreen",
        "open_customer": f"{_STAFF}.open_customer:OpenCustomerModal",
        "consent": f"{_STAFF}.consent:ConsentModal",
        "contact_change": f"{_STAFF}.contact_change:ContactChangeScreen",
        "customer_type": f"{_STAFF}.customer_type:CustomerTypeScreen",
    }
)

#: The staff screen class named ``name`` in :data:`STAFF_SCREENS`, imported on first use.
load_staff_screen = STAFF_SCREENS.load
