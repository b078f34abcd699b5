"""The demo offers catalog: ``OFFER-001`` … ``OFFER-K``, a few of them inactive."""

from __future__ import annotations

from dataclasses import dataclass

from subshift.errors import DataError

__all__ = ["OFFER_CODE_PREFIX", "DemoCatalog", "DemoOffer", "build_catalog"]

# Every demo offer code starts with this; reseeding only ever touches offers that do.
OFFER_CODE_PREFIX = "OFFER-"

_TIERS = ("Basic", "Plus", "Family", "Premium", "Student", "Sport", "Cinema", "Kids", "Travel", "Business")


@dataclass(frozen=True, slots=True)
class DemoOffer:
    code: str
    name: str
    active: bool


@dataclass(frozen=True, slots=True)
class DemoCatalog:
    """The offers, in code order; subscribers are only ever placed on active ones."""

    offers: tuple[DemoOffer, ...]

    @property
    def active(self) -> tuple[DemoOffer, ...]:
        return tuple(offer for offer in self.offers if offer.active)

    @property
    def inactive(self) -> tuple[DemoOffer, ...]:
        return tuple(offer for offer in self.offers if not offer.active)


def _inactive_count(offers: int) -> int:
    # One in five is retired, at least one as soon as two active offers remain, so a
    # migration file can always show the "inactive target" rule.
    if offers < 3:
        return 0
    return max(1, offers // 5)


def build_catalog(offers: int) -> DemoCatalog:
    """The catalog of ``offers`` demo offers; the last fifth of them are inactive.

    Raises:
        DataError: fewer than 2 or more than 999 offers were asked for.
    """
    if not 2 <= offers <= 999:
        raise DataError(f"--offers must be between 2 and 999, not {offers}", column="offers", rule="range")
    first_inactive = offers - _inactive_count(offers) + 1
    return DemoCatalog(
        offers=tuple(
            DemoOffer(
                code=f"{OFFER_CODE_PREFIX}{number:03d}",
                name=f"{_TIERS[(number - 1) % len(_TIERS)]} {number:03d}",
                active=number < first_inactive,
            )
            for number in range(1, offers + 1)
        )
    )
