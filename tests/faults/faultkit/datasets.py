"""Seeded datasets: an offers catalog, subscribers, and migration CSVs whose every row has a known fate.

A CSV mixes, by row index: 70 % users that move (on the current offer), 10 % already on the target
(skipped), 10 % on a third offer (conflict) and 10 % with no subscription (not found). The seed is
copied, by plain SQL, into ``oracle_seed`` before anything runs: the oracle's reference run starts
from that copy.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from subshift.db.connect import PgConnection

__all__ = ["ACTIVE_OFFERS", "INACTIVE_OFFER", "Dataset", "Row", "csv_bytes", "mixed_rows", "seed"]

ACTIVE_OFFERS = ("basic", "plus", "premium", "family")
INACTIVE_OFFER = "legacy"

Row = tuple[str, str, str]  # user_id, current_offer, target_offer


@dataclass(frozen=True)
class Dataset:
    """The seeded subscribers (user → offer) and a generator for fresh, distinct users."""

    subscribers: dict[str, str]
    rng: random.Random

    def users(self) -> list[str]:
        return sorted(self.subscribers)


def seed(conn: PgConnection, subscribers: int, *, seed_value: int = 8) -> Dataset:
    """Offers, ``subscribers`` subscriptions (``s000001``…), and the ``oracle_seed`` copy of them."""
    rng = random.Random(seed_value)
    placed = {f"s{n:06d}": rng.choice(ACTIVE_OFFERS) for n in range(1, subscribers + 1)}
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO offers (code, name, active) VALUES (%s, %s, %s)",
                        [(o, o.title(), True) for o in ACTIVE_OFFERS] + [(INACTIVE_OFFER, "Legacy", False)])
        cur.copy_expert("COPY subscriptions (user_id, offer_code) FROM STDIN",
                        io.StringIO("".join(f"{u}\t{o}\n" for u, o in placed.items())))
        cur.execute("CREATE TABLE oracle_seed AS SELECT user_id, offer_code, version FROM subscriptions")
    conn.commit()
    return Dataset(placed, rng)


def mixed_rows(data: Dataset, count: int, *, users: list[str] | None = None) -> list[Row]:
    """``count`` rows over distinct users, each with a fate decided by its index (see the module docstring)."""
    pool = users if users is not None else data.rng.sample(data.users(), k=count)
    rows: list[Row] = []
    for index, user in enumerate(pool[:count]):
        kind = index % 10
        offer = data.subscribers[user]
        others = [o for o in ACTIVE_OFFERS if o != offer]
        if kind < 7:
            rows.append((user, offer, data.rng.choice(others)))
        elif kind == 7:
            rows.append((user, data.rng.choice(others), offer))
        elif kind == 8:
            current, target = data.rng.sample(others, 2)
            rows.append((user, current, target))
        else:
            current, target = data.rng.sample(ACTIVE_OFFERS, 2)
            rows.append((f"nobody{index:06d}-{user}", current, target))
    return rows


def csv_bytes(rows: list[Row], *, header: str = "user_id,current_offer,target_offer") -> bytes:
    return ("\n".join([header, *(",".join(r) for r in rows)]) + "\n").encode()
