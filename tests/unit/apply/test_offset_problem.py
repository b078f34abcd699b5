"""Which stored offsets the consumer may trust for the partition it was just assigned."""

from __future__ import annotations

import pytest

from subshift.apply.offsets import OffsetProblem, StoredOffset, offset_problem
from subshift.messaging.topic_identity import TopicIdentity

HERE = TopicIdentity(cluster_id="cluster-a", topic_id="topic-1")

CASES = [
    pytest.param(StoredOffset(40, HERE), HERE, 100, None, id="same_topic_within_the_partition_is_trusted"),
    pytest.param(StoredOffset(100, HERE), HERE, 100, None, id="an_offset_at_the_end_is_trusted"),
    pytest.param(StoredOffset(40, TopicIdentity("cluster-a", "topic-0")), HERE, 100, OffsetProblem.TOPIC_CHANGED,
                 id="a_recreated_topic_is_a_topic_change"),
    pytest.param(StoredOffset(40, TopicIdentity("cluster-b", "topic-1")), HERE, 100, OffsetProblem.CLUSTER_CHANGED,
                 id="another_cluster_is_a_cluster_change"),
    pytest.param(StoredOffset(101, HERE), HERE, 100, OffsetProblem.BEYOND_END, id="beyond_the_end_is_not_trusted"),
    pytest.param(StoredOffset(500, None), HERE, 3, OffsetProblem.BEYOND_END,
                 id="a_row_without_identity_is_still_checked_against_the_end"),
    pytest.param(StoredOffset(40, None), HERE, 100, None, id="a_row_without_identity_within_the_partition_is_trusted"),
    pytest.param(StoredOffset(40, HERE), None, 100, None, id="an_unknown_current_identity_is_no_mismatch"),
    pytest.param(StoredOffset(400, HERE), HERE, -1, None, id="an_unknown_end_is_no_mismatch"),
]


@pytest.mark.parametrize(("stored", "current", "high", "expected"), CASES)
def test_offset_problem(stored: StoredOffset, current: TopicIdentity | None, high: int,
                        expected: OffsetProblem | None) -> None:
    assert offset_problem(stored, current, high) is expected
