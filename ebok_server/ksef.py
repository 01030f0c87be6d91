"""KSeF (Krajowy System e-Faktur): invoices to businesses and housing communities go through the
national e-invoicing system; invoices to natural persons stay outside it.

This module holds the domain rules: the NIP checksum, which invoices KSeF takes."""

from __future__ import annotations

NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
CUSTOMER_TYPES = ("person", "business", "community")


def nip_is_valid(nip: str) -> bool:
    """A Polish NIP: 10 digits, the last one the weighted sum of the first nine modulo 11 (a sum
    giving 10 makes no valid NIP). The one place the checksum is checked."""
    if len(nip) != 10 or not nip.isascii() or not nip.isdigit():
        return False
    check = sum(int(d) * w for d, w in zip(nip, NIP_WEIGHTS, strict=False)) % 11
    return check != 10 and check == int(nip[9])


def in_ksef(customer_type: str) -> bool:
    """Whether a customer's invoices go through KSeF: a business's or a community's, never a person's."""
    return customer_type != "person"
