"""Which active offer each demo subscriber is on, as a compact array.

Subscriber ``i`` (1-based) has user id ``u{i:07d}``. The offer of every subscriber is drawn
from a ``random.Random`` seeded with the seed alone, so the loader and the CSV writer agree
without reading the database back.
"""

from __future__ import annotations

import random
from array import array
from collections import Counter
from dataclasses import dataclass

from subshift.errors import DataError
from subshift_tooling.seeding.catalog import DemoCatalog

__all__ = ["Population", "build_population", "user_id"]

_CHUNK = 65_536


def user_id(index: int) -> str:
    """The user id of subscriber ``index`` (1-based): ``u0000001``."""
    return f"u{index:07d}"


@dataclass(frozen=True, slots=True)
class Population:
    """Subscriber ``i`` is on ``codes[offer_index[i - 1]]``; two bytes per subscriber."""

    codes: tuple[str, ...]
    offer_index: array[int]

    @property
    def size(self) -> int:
        return len(self.offer_index)

    def offer_of(self, index: int) -> str:
        """The offer code subscriber ``index`` (1-based) is seeded on."""
        return self.codes[self.offer_index[index - 1]]

    def counts(self) -> dict[str, int]:
        """Subscribers per offer code, in code order."""
        tally = Counter(self.offer_index)
        return {code: tally.get(position, 0) for position, code in enumerate(self.codes)}


def build_population(catalog: DemoCatalog, *, subscribers: int, seed: int) -> Population:
    """Place ``subscribers`` subscribers uniformly at random on the catalog's active offers.

    Raises:
        DataError: a negative subscriber count, or a catalog without an active offer.
    """
    if subscribers < 0:
        raise DataError(f"--subscribers must not be negative, not {subscribers}", column="subscribers", rule="range")
    codes = tuple(offer.code for offer in catalog.active)
    if not codes:
        raise DataError("the catalog has no active offer to place subscribers on", rule="no_active_offer")
    rng = random.Random(seed)  # noqa: S311 -- demo data must be reproducible, not secret
    choices = range(len(codes))
    offer_index = array("H")
    remaining = subscribers
    while remaining:
        step = min(remaining, _CHUNK)
        offer_index.extend(rng.choices(choices, k=step))
        remaining -= step
    return Population(codes=codes, offer_index=offer_index)
