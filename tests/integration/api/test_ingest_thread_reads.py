"""The API's per-thread read connections: a connection the server dropped is replaced, not reported."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from subshift.api.db import ThreadConnections


def test_a_read_on_a_connection_the_server_closed_runs_again_on_a_new_one(engine: Engine, db: Any) -> None:
    reads = ThreadConnections(engine)
    try:
        first = reads.fetch_one("SELECT pg_backend_pid()", ())
        assert first is not None
        with db.cursor() as cur:  # as a database restart would, from the server's side
            cur.execute("SELECT pg_terminate_backend(%s)", (first[0],))

        again = reads.fetch_one("SELECT pg_backend_pid()", ())

        assert again is not None and again[0] != first[0]
        assert reads.fetch_one("SELECT pg_backend_pid()", ()) == again  # and the new one is kept
    finally:
        reads.close()
