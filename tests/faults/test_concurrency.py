"""Uploads and migrations that race: the same file twice at once, two migrations of the same users."""

from __future__ import annotations

import threading

from faultkit.datasets import ACTIVE_OFFERS, csv_bytes, mixed_rows
from faultkit.oracle import Upload
from faultkit.progress import finish
from faultkit.report import Record
from faultkit.uploads import upload
from faultkit.world import World

from subshift_client import migration_v1 as pb


def _race(world: World, csv: bytes, keys: list[str]) -> list[pb.Migration]:
    results: list[pb.Migration] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(keys))

    def one(key: str) -> None:
        try:
            start.wait()
            results.append(upload(world, csv, chunk=8192, request_id=key))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == [], errors
    return results


def test_the_same_csv_uploaded_twice_at_once(world: World, record: Record) -> None:
    data = world.seed(3000)
    rows = mixed_rows(data, 2000)
    csv = csv_bytes(rows)
    world.spawn("api")
    same_key = _race(world, csv, ["same-key", "same-key"])
    assert len({m.migration_id for m in same_key}) == 1, "one key raced into two migrations"
    other_keys = _race(world, csv, ["client-a", "client-b"])
    assert len({m.migration_id for m in other_keys}) == 2
    world.spawn("relay")
    world.spawn("consumer")
    uploads = [Upload(same_key[0].migration_id, rows)] + [Upload(m.migration_id, rows) for m in other_keys]
    observed = finish(world, uploads, order="log")
    record("same CSV uploaded twice at once", "one key -> one migration; three copies apply each user once",
           f"same key: 1 migration; other keys: 2 more; {observed}")


def test_two_migrations_moving_the_same_users_apart(world: World, record: Record) -> None:
    data = world.seed(1500)
    users = data.users()[:1000]
    first = [(u, data.subscribers[u], next(o for o in ACTIVE_OFFERS if o != data.subscribers[u])) for u in users]
    second = [(u, data.subscribers[u], next(o for o in reversed(ACTIVE_OFFERS) if o != data.subscribers[u]))
              for u in users]
    world.spawn("api")
    a = upload(world, csv_bytes(first), request_id="move-a")
    b = upload(world, csv_bytes(second), request_id="move-b")
    world.spawn("relay")
    world.spawn("consumer")
    uploads = [Upload(a.migration_id, first), Upload(b.migration_id, second)]
    observed = finish(world, uploads, order="log")
    conn = world.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT user_id, count(*) FILTER (WHERE outcome = 'applied'), count(*) FILTER "
                    "(WHERE outcome = 'conflict'), string_agg(reason, '') FILTER (WHERE outcome = 'conflict') "
                    "FROM migration_items WHERE migration_id = ANY(%s::uuid[]) GROUP BY user_id",
                    ([a.migration_id, b.migration_id],))
        per_user = cur.fetchall()
    conn.close()
    assert len(per_user) == len(users)
    assert all(applied == 1 and conflicts == 1 for _, applied, conflicts, _ in per_user)
    assert all(reason.startswith("user is on offer ") for *_, reason in per_user)
    record("two migrations, same users", "one applies, the other records a conflict with its reason",
           f"{len(users)} users: 1 applied + 1 conflict each (e.g. {per_user[0][3]!r}); {observed}")
