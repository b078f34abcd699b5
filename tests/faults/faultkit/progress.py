"""Reading a scenario's progress from its database while services run (tolerating outages)."""

from __future__ import annotations

import psycopg2

from faultkit.oracle import Upload, judge
from faultkit.world import World, wait_until

__all__ = ["column", "dead_letter_count", "finish", "terminal"]


def column(world: World, migration_id: str, name: str, *, strict: bool = False) -> int:
    """One counter of a migration; while polling, 0 when the database is unreachable (``strict``: raise)."""
    try:
        conn = world.connect(retry_seconds=10 if strict else 0)
    except psycopg2.OperationalError:
        if strict:
            raise
        return 0
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT applied, skipped, conflicts, not_found, published, dead_lettered, staged "
                        "FROM migrations WHERE id = %s", (migration_id,))
            row = cur.fetchone()
        if row is None:
            return 0
        values = dict(zip(("applied", "skipped", "conflicts", "not_found", "published", "dead_lettered", "staged"),
                          row, strict=True))
        if name == "outcomes":
            return int(sum(values[k] for k in ("applied", "skipped", "conflicts", "not_found", "dead_lettered")))
        return int(values[name])
    except psycopg2.Error:
        if strict:
            raise
        return 0
    finally:
        conn.close()


def terminal(world: World, *migration_ids: str) -> bool:
    try:
        conn = world.connect(retry_seconds=0)
    except psycopg2.OperationalError:
        return False
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM migrations WHERE id = ANY(%s::uuid[]) "
                        "AND state IN ('succeeded', 'succeeded_with_errors', 'failed', 'cancelled')",
                        (list(migration_ids),))
            done = cur.fetchone()
        return bool(done and done[0] == len(migration_ids))
    except psycopg2.Error:
        return False
    finally:
        conn.close()


def dead_letter_count(world: World) -> int:
    """Records on the scenario's dead-letter topic."""
    return len(world.pipeline.read_all(world.pipeline.dead_letter_topic, expected=0, timeout=1))


def finish(world: World, uploads: list[Upload], *, timeout: float = 180, poison: int = 0,
           order: str = "uploads") -> str:
    """Wait until every migration is terminal, then judge; returns the verdict's summary.

    Raises:
        AssertionError: a migration did not finish in time, or the oracle found a problem.
    """
    wait_until(lambda: terminal(world, *(u.migration_id for u in uploads)), timeout=timeout,
               what="every migration is terminal")
    conn = world.connect()
    try:
        verdict = judge(conn, uploads, dead_letter_records=dead_letter_count(world) - poison, order=order)
    finally:
        conn.close()
    assert verdict.ok, verdict.explain()
    return verdict.observed
