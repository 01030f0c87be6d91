"""Alembic environment of the eBOK server (docs/migrations.md).

The server and ``ebok-server migrate`` run the revisions through :mod:`ebok_server.schema` (no
``alembic.ini``, no env.py); this file serves ``alembic.command`` calls given an open connection in
``config.attributes["connection"]`` (the tests), and the ``alembic`` command line for writing a
revision: ``alembic -c ebok_server/migrations/alembic.ini -x db=SYNC_URL ...`` (docs/migrations.md).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from ebok_server.schema import configure

config = context.config
connection = config.attributes.get("connection")
if connection is not None:  # alembic.command with a connection (tests)
    configure(context, connection)
    with context.begin_transaction():
        context.run_migrations()
else:  # the alembic command line (writing a revision): a plain synchronous URL from -x db=...
    url = context.get_x_argument(as_dictionary=True).get("db") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as conn:
        configure(context, conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
