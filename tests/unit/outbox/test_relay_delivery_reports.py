"""The relay's delivery reports: which items a batch may count as published after some records failed."""

from __future__ import annotations

import datetime
import uuid

from confluent_kafka import KafkaError, Message
from prometheus_client import CollectorRegistry, Histogram

from subshift.outbox.claim import ActiveMigration, Claim
from subshift.outbox.relay import _DeliveryReports


def _claim(users: list[str]) -> Claim:
    migration = ActiveMigration(uuid.uuid4(), 0, datetime.datetime.now(datetime.UTC), "operator")
    return Claim(migration, 0, [(n, user, "basic", "plus", str(uuid.uuid4()), None)
                                for n, user in enumerate(users, start=1)])


def _reports() -> tuple[_DeliveryReports, Histogram]:
    latency = Histogram("latency", "test", registry=CollectorRegistry())
    return _DeliveryReports(latency), latency


def test_a_batch_without_failures_counts_every_item_and_samples_one_latency_in_16() -> None:
    reports, latency = _reports()
    for n in range(32):
        reports.report(None, Message(key=f"u{n}".encode(), value=b"v", topic="t"))
    assert reports.first_failed([_claim([f"u{n}" for n in range(32)])]) == {}
    assert not reports.failures
    count = next(s.value for s in latency.collect()[0].samples if s.name == "latency_count")
    assert count == 2  # 2 of 32 observed


def test_a_failed_record_stops_its_migration_at_the_first_item_of_that_user() -> None:
    reports, _ = _reports()
    first, second = _claim(["a", "b", "c", "b"]), _claim(["x", "y"])
    reports.report(None, Message(key=b"a", value=b"v", topic="t"))
    reports.report(KafkaError(KafkaError._MSG_TIMED_OUT), Message(key=b"b", value=b"v", topic="t"))
    # "b" has two items in the first migration: the cursor stops before the earlier one
    assert reports.first_failed([first, second]) == {first.migration.id: 1}
    assert reports.failures == {"_MSG_TIMED_OUT": 1}


def test_a_record_refused_as_too_large_makes_its_migration_a_suspect_and_other_errors_do_not() -> None:
    reports, _ = _reports()
    big, slow = _claim(["a", "b"]), _claim(["x", "y"])
    reports.report(None, Message(key=b"a", value=b"v", topic="t"))
    reports.report(KafkaError(KafkaError.MSG_SIZE_TOO_LARGE), Message(key=b"b", value=b"v", topic="t"))
    reports.report(KafkaError(KafkaError._MSG_TIMED_OUT), Message(key=b"x", value=b"v", topic="t"))
    first_failed = reports.first_failed([big, slow])
    assert first_failed == {big.migration.id: 1, slow.migration.id: 0}
    assert reports.too_large([big, slow], first_failed) == {big.migration.id: "MSG_SIZE_TOO_LARGE"}
