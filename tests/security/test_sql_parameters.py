"""SQL values travel only as bound parameters: no statement text is built from run-time values.

``sql_scan`` reports every expression spliced into SQL text in ``services/subshift``, ``tooling/src`` and the
client library, except module constants (identifiers and enum values written in our code). What
remains must be listed below with the reason it cannot carry user data; anything new fails this
test until someone has looked at it.
"""

from __future__ import annotations

from pathlib import Path

from tests.security.sql_scan import scan

REPO = Path(__file__).resolve().parents[2]

REVIEWED = {
    ("tooling/src/subshift_tooling/bench/baseline_postgres.py", "', '.join(options)"):
        "storage parameters read from the catalog's reloptions of subscriptions",
    ("tooling/src/subshift_tooling/bench/dbclock.py", "name"): "a column name looked up in the module's _COLUMNS table",
    ("tooling/src/subshift_tooling/bench/workspace.py", "name"): "the benchmark's own database name (uuid hex), quoted",
    ("services/subshift/api/copy_source.py", "sql"): "callers pass their constant COPY … FROM STDIN statement",
    ("services/subshift/api/db.py", "sql"): "ThreadConnections.fetch_one: callers pass a constant statement",
    ("services/subshift/api/duplicates.py", "table"): "callers pass a constant table name",
    ("services/subshift/api/duplicates.py", "where"): "callers pass a constant clause; values are %(named)s",
    ("tooling/src/subshift_tooling/seeding/load.py", "name"):
        "constraint/index names read from the catalog, double-quoted",
    ("tooling/src/subshift_tooling/seeding/load.py", "statement"): "DDL re-created from the catalog's own definitions",
    ('services/subshift/api/lifecycle.py', 'items_table(new_id)'):
        "a migration's items partition: items_table() spells a uuid.UUID's hex (migration_items_ + 32 hex digits)",
    ('services/subshift/api/staging.py', 'table'):
        "a migration's items partition: items_table() spells a uuid.UUID's hex (migration_items_ + 32 hex digits)",
    ('services/subshift/api/statistics.py', 'table'):
        "a migration's items partition: items_table() spells a uuid.UUID's hex (migration_items_ + 32 hex digits)",
    ('services/subshift/db/migrations/versions/0009_items_partitioned_by_migration.py', 'migration_id.hex'):
        'a uuid.UUID parsed from the migrations table: hex digits only',
    ('services/subshift/db/migrations/versions/0009_items_partitioned_by_migration.py', 'migration_id'):
        'a uuid.UUID parsed from the migrations table, in its canonical form',
    ('services/subshift/db/migrations/versions/0009_items_partitioned_by_migration.py', 'name'):
        "migration_items_ + a parsed uuid.UUID's hex",
    ('services/subshift/lifecycle/storage.py', 'name'):
        "a migration's items partition: items_table() spells a uuid.UUID's hex (migration_items_ + 32 hex digits)",
    ('services/subshift/lifecycle/storage.py', 'outcome_index(migration_id)'):
        "the partition's name (uuid hex) + _outcome",
    ('tooling/src/subshift_tooling/bench/apply_cost.py', 'table'):
        "a migration's items partition: items_table() spells a uuid.UUID's hex (migration_items_ + 32 hex digits)",
    ('tooling/src/subshift_tooling/bench/apply_floor.py', 'items_table(migration_id)'):
        "a migration's items partition: items_table() spells a uuid.UUID's hex (migration_items_ + 32 hex digits)",
    ('tooling/src/subshift_tooling/bench/apply_floor.py', 'statement'):
        "the tool's own statements (_CAS, _ITEM named for the partition); the migration id is bound",
    ('tooling/src/subshift_tooling/bench/apply_cost.py', 'int(items_fillfactor)'):
        "an int in the command line's 10-100 range",
    ('tooling/src/subshift_tooling/bench/history_seed.py', 'items_table(mid)'):
        "a migration's items partition: items_table() spells a uuid.UUID's hex (migration_items_ + 32 hex digits)",
    ('tooling/src/subshift_tooling/bench/items_layout_cost.py', 'items_table(migration_id)'):
        "a migration's items partition: items_table() spells a uuid.UUID's hex (migration_items_ + 32 hex digits)",
    ('tooling/src/subshift_tooling/bench/items_layout_cost.py', 'statement'):
        "_admin: callers pass DDL naming the tool's own database",
}


def test_no_run_time_value_is_spliced_into_sql_text() -> None:
    found = (scan(REPO / "services" / "subshift", REPO) + scan(REPO / "tooling" / "src", REPO)
             + scan(REPO / "clients" / "python" / "src", REPO))
    unreviewed = [f"{s.path}:{s.line}: {s.expression}" for s in found if (s.path, s.expression) not in REVIEWED]
    assert unreviewed == [], "SQL text built from run-time values (bind them as parameters):\n" + "\n".join(unreviewed)


def test_the_scanner_catches_each_way_of_splicing_a_value(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        "_TABLE = 'offers'\n"
        "def f(cur, user, offer):\n"
        "    cur.execute(f\"SELECT * FROM {_TABLE} WHERE user_id = '{user}'\")\n"
        "    cur.execute(\"DELETE FROM offers WHERE code = '%s'\" % offer)\n"
        "    cur.execute(\"UPDATE offers SET name = '\" + offer + \"'\")\n"
        "    cur.execute(\"SELECT {c}\".format(c=user))\n"
        "    query = f\"SELECT {offer}\"\n"
        "    cur.execute(query)\n"
        "    cur.execute('SELECT * FROM offers WHERE code = %s', (offer,))\n"
    )
    assert [(s.line, s.expression) for s in scan(tmp_path, tmp_path)] == [
        (3, "user"), (4, "offer"), (5, "offer"), (6, "user"), (8, "query")]
