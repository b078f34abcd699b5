"""Event ids made a batch at a time are UUIDv4s, distinct, in the text form ``COPY`` gives PostgreSQL."""

from __future__ import annotations

import re
import uuid

from subshift.api.event_ids import random_event_ids


def test_each_id_is_a_version_4_rfc_uuid_in_32_hex_digits() -> None:
    ids = random_event_ids(2000)
    assert len(ids) == 2000
    assert all(re.fullmatch("[0-9a-f]{32}", event_id) for event_id in ids)
    parsed = [uuid.UUID(event_id) for event_id in ids]
    assert {(u.version, u.variant) for u in parsed} == {(4, uuid.RFC_4122)}


def test_ids_differ_within_and_across_batches() -> None:
    first, second = random_event_ids(5000), random_event_ids(5000)
    assert len(set(first) | set(second)) == 10_000


def test_the_random_bits_vary_everywhere_but_the_version_and_variant() -> None:
    # Every hex digit outside the fixed version digit takes several values across a batch.
    ids = random_event_ids(500)
    for position in range(32):
        seen = {event_id[position] for event_id in ids}
        if position == 12:
            assert seen == {"4"}
        elif position == 16:
            assert seen == {"8", "9", "a", "b"}
        else:
            assert len(seen) > 8, position


def test_no_ids_for_an_empty_batch() -> None:
    assert random_event_ids(0) == []
