"""Reading a dead-letter partition's watermarks asks again through a leader election, and only then."""

from __future__ import annotations

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from subshift.deadletter.reader import _watermarks
from subshift.errors import InfrastructureError


class ScriptedWatermarks:
    """Answers ``get_watermark_offsets`` from a script: an exception to raise or the offsets to return."""

    def __init__(self, *answers: tuple[int, int] | KafkaError) -> None:
        self.answers = list(answers)
        self.calls = 0

    def get_watermark_offsets(self, partition: TopicPartition, timeout: float) -> tuple[int, int]:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, KafkaError):
            raise KafkaException(answer)
        return answer


def test_not_leader_for_a_moment_is_asked_again_until_the_offsets_come() -> None:
    source = ScriptedWatermarks(KafkaError(KafkaError.NOT_LEADER_FOR_PARTITION),
                                KafkaError(KafkaError.LEADER_NOT_AVAILABLE), (3, 7))
    assert _watermarks(source, TopicPartition("t.DLT", 2), timeout=5) == (3, 7)  # type: ignore[arg-type]
    assert source.calls == 3


def test_an_error_no_election_cures_fails_at_once_with_the_partition_named() -> None:
    source = ScriptedWatermarks(KafkaError(KafkaError.UNKNOWN_TOPIC_OR_PART), (0, 1))
    with pytest.raises(InfrastructureError, match=r"reading t\.DLT partition 4: .*UNKNOWN_TOPIC_OR_PART"):
        _watermarks(source, TopicPartition("t.DLT", 4), timeout=5)  # type: ignore[arg-type]
    assert source.calls == 1


def test_a_leader_that_never_comes_back_fails_after_the_timeout() -> None:
    source = ScriptedWatermarks(*[KafkaError(KafkaError.NOT_LEADER_FOR_PARTITION)] * 10)
    with pytest.raises(InfrastructureError, match="NOT_LEADER_FOR_PARTITION"):
        _watermarks(source, TopicPartition("t.DLT", 0), timeout=0.5)  # type: ignore[arg-type]
    assert 2 <= source.calls < 10
