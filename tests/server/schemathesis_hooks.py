"""schemathesis hooks for the isolated pass over /auth/ (tests/server/test_contract.py).

That pass runs the destructive flows (logout, password change, registration, reset) against a
server of its own. Logging out revokes the token it used, so the token comes from this auth
provider: a real login as a demo resident, fetched again after a 401 (schemathesis then replays
the request with the new token). Loaded through ``SCHEMATHESIS_HOOKS``; the server's API base
URL comes in ``EBOK_CONTRACT_API``.
"""

from __future__ import annotations

import os

import httpx
import schemathesis

RESIDENT = {"customer_number": "10003", "password": "woda-10003"}


@schemathesis.auth(retry_on=[401])
class FreshResidentToken:
    def get(self, case, context) -> str:
        r = httpx.post(os.environ["EBOK_CONTRACT_API"] + "/auth/login", json=RESIDENT, timeout=30)
        r.raise_for_status()
        return r.json()["token"]

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
