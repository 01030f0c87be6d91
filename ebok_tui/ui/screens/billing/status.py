"""Invoice status colours, shared by the invoice list and the invoice detail."""

from __future__ import annotations

STATUS_STYLES = {
    "overdue": "bold red",
    "unpaid": "yellow",
    "partially_paid": "yellow",
    "paid": "dim green",
}
