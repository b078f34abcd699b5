"""The demo catalog, population and migration CSV are deterministic and break exactly the rules they say."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from subshift.errors import DataError
from subshift_tooling.seeding import BadRowKind, build_catalog, build_population, user_id, write_migration_csv
from subshift_tooling.seeding.csvfile import HEADER, UNKNOWN_OFFER_CODE


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_catalog_codes_are_numbered_and_the_last_fifth_is_inactive() -> None:
    catalog = build_catalog(10)
    assert [offer.code for offer in catalog.offers][:2] == ["OFFER-001", "OFFER-002"]
    assert [offer.code for offer in catalog.inactive] == ["OFFER-009", "OFFER-010"]
    assert len(catalog.active) == 8


@pytest.mark.parametrize(("offers", "inactive"), [(2, 0), (3, 1), (5, 1), (12, 2), (999, 199)])
def test_catalog_keeps_two_active_offers_and_retires_one_in_five(offers: int, inactive: int) -> None:
    catalog = build_catalog(offers)
    assert len(catalog.inactive) == inactive
    assert len(catalog.active) >= 2


@pytest.mark.parametrize("offers", [0, 1, 1000])
def test_catalog_refuses_sizes_it_cannot_name(offers: int) -> None:
    with pytest.raises(DataError):
        build_catalog(offers)


def test_population_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    catalog = build_catalog(10)
    first = build_population(catalog, subscribers=5000, seed=7)
    again = build_population(catalog, subscribers=5000, seed=7)
    other = build_population(catalog, subscribers=5000, seed=8)
    assert first.offer_index == again.offer_index
    assert first.offer_index != other.offer_index


def test_population_uses_only_active_offers_and_spreads_over_all_of_them() -> None:
    catalog = build_catalog(10)
    population = build_population(catalog, subscribers=80_000, seed=1)
    counts = population.counts()
    assert sum(counts.values()) == 80_000
    assert set(counts) == {offer.code for offer in catalog.active}
    assert min(counts.values()) > 80_000 / 8 * 0.9


def test_user_ids_are_zero_padded() -> None:
    assert user_id(1) == "u0000001"
    assert user_id(12_345_678) == "u12345678"


def test_good_rows_name_real_subscribers_once_with_their_seeded_offer_and_another_active_target(
    tmp_path: Path,
) -> None:
    catalog = build_catalog(10)
    population = build_population(catalog, subscribers=3000, seed=3)
    summary = write_migration_csv(
        tmp_path / "m.csv", catalog=catalog, population=population, rows=2000, bad_rows=0, seed=3
    )
    rows = _read(tmp_path / "m.csv")
    assert tuple(rows[0]) == HEADER
    assert len(rows) == 2001 and summary.good_rows == 2000 and summary.bad_rows == {}
    active = {offer.code for offer in catalog.active}
    users = [row[0] for row in rows[1:]]
    assert len(set(users)) == len(users)
    for user, current, target in rows[1:]:
        assert current == population.offer_of(int(user[1:]))
        assert target in active and target != current
    assert summary.bytes_written == (tmp_path / "m.csv").stat().st_size


def test_bad_rows_are_spread_out_and_cycle_through_every_kind(tmp_path: Path) -> None:
    catalog = build_catalog(10)
    population = build_population(catalog, subscribers=1000, seed=5)
    summary = write_migration_csv(
        tmp_path / "m.csv", catalog=catalog, population=population, rows=1000, bad_rows=10, seed=5
    )
    rows = _read(tmp_path / "m.csv")
    assert summary.bad_rows == dict.fromkeys(BadRowKind, 2)
    assert summary.good_rows == 990
    assert len(summary.bad_row_numbers) == 10
    assert min(b - a for a, b in zip(summary.bad_row_numbers, summary.bad_row_numbers[1:], strict=False)) > 50
    bad = {number: rows[number - 1] for number in summary.bad_row_numbers}  # row 1 is the header
    inactive = {offer.code for offer in catalog.inactive}
    seen_before = Counter(row[0] for row in rows[1:])
    kinds = Counter()
    for user, current, target in bad.values():
        if target == UNKNOWN_OFFER_CODE:
            kinds[BadRowKind.UNKNOWN_OFFER] += 1
        elif current == target:
            kinds[BadRowKind.SAME_OFFER] += 1
        elif " " in user:
            kinds[BadRowKind.BAD_USER_ID] += 1
        elif target in inactive:
            kinds[BadRowKind.INACTIVE_TARGET] += 1
        elif seen_before[user] == 2:
            kinds[BadRowKind.DUPLICATE_USER] += 1
    assert kinds == Counter(summary.bad_rows)


def test_the_same_arguments_write_the_same_file(tmp_path: Path) -> None:
    catalog = build_catalog(6)
    population = build_population(catalog, subscribers=500, seed=9)
    for name in ("a.csv", "b.csv"):
        write_migration_csv(tmp_path / name, catalog=catalog, population=population, rows=400, bad_rows=4, seed=9)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_without_inactive_offers_the_inactive_kind_is_left_out(tmp_path: Path) -> None:
    catalog = build_catalog(2)
    population = build_population(catalog, subscribers=100, seed=1)
    summary = write_migration_csv(
        tmp_path / "m.csv", catalog=catalog, population=population, rows=50, bad_rows=8, seed=1
    )
    assert BadRowKind.INACTIVE_TARGET not in summary.bad_rows
    assert sum(summary.bad_rows.values()) == 8


@pytest.mark.parametrize(("rows", "bad_rows"), [(200, 0), (10, 11)])
def test_counts_that_do_not_fit_the_population_are_refused(tmp_path: Path, rows: int, bad_rows: int) -> None:
    catalog = build_catalog(4)
    population = build_population(catalog, subscribers=100, seed=1)
    with pytest.raises(DataError):
        write_migration_csv(
            tmp_path / "m.csv", catalog=catalog, population=population, rows=rows, bad_rows=bad_rows, seed=1
        )
