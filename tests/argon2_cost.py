"""Cheaper argon2id for the test suite, outside the production package.

The server hashes with argon2id at OWASP's parameters (time cost 2, 19 MiB, 1 lane: about
20 ms of CPU per hash or check here), on purpose. The suite logs in, seeds demo customers and
checks demo passwords well over a thousand times: tens of seconds of CPU at that cost (and most
of the suite's CPU at the library defaults the server used before, 0.18 s each). The tests and the servers they start (``python -m tests.argon2_cost ...`` instead of
``python -m ebok_server ...``, see ``tests/server_proc.py``) hash with :data:`TEST_HASHER` instead:
the same algorithm and code paths, cheaper parameters.

Production cannot get these parameters by accident: nothing in ``ebok_server`` reads a setting or
an environment variable for them; only this module (never installed: ``tests/`` is not in the
wheel) swaps the hasher. ``tests/server/test_units.py::test_production_argon2_parameters`` proves
a plain ``python -m ebok_server`` process still hashes with the production parameters, and the
demo/terminal end-to-end tests start the real ``ebok_server`` (through the client's demo launcher).
"""

from __future__ import annotations

import sys

from argon2 import PasswordHasher

from ebok_server import security

#: argon2id, 1 pass over 1 MiB in one lane: still a real argon2id hash, ~1 ms.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def use_test_hasher() -> None:
    """Hash and check passwords with :data:`TEST_HASHER` in this process (checks of hashes made
    with other parameters still work: argon2 reads them from the hash)."""
    security._hasher = TEST_HASHER
    security._dummy_hash.cache_clear()


if __name__ == "__main__":
    # `python -m tests.argon2_cost serve ...`: `python -m ebok_server serve ...` with TEST_HASHER
    use_test_hasher()
    from ebok_server.__main__ import main

    sys.exit(main())
