"""The grpc edge's pure parts: status mapping, detail budget, export neutralising, page tokens."""

from __future__ import annotations

import pytest
from google.rpc import code_pb2, error_details_pb2

from subshift.api.errors import IdempotencyConflict, StateConflict, UploadRejected
from subshift.api.export import neutralise
from subshift.api.paging import decode_token, encode_token, page_size
from subshift.api.status import DETAILS_BUDGET_BYTES, status_for
from subshift.api.validation import RowViolation, ValidationReport
from subshift.errors import ContractError, DataError, InfrastructureError, NotFoundError
from subshift_client import migration_v1 as pb


@pytest.mark.parametrize(("error", "code"), [
    (DataError("bad", row=3, column="user_id", rule="x"), code_pb2.INVALID_ARGUMENT),
    (NotFoundError("gone"), code_pb2.NOT_FOUND),
    (IdempotencyConflict("again"), code_pb2.ALREADY_EXISTS),
    (StateConflict("finished"), code_pb2.FAILED_PRECONDITION),
    (InfrastructureError("db down", retryable=True), code_pb2.UNAVAILABLE),
    (InfrastructureError("db says no", retryable=False), code_pb2.INTERNAL),
    (ContractError("bad config"), code_pb2.INTERNAL),
])
def test_error_kinds_map_to_status_codes(error: Exception, code: int) -> None:
    assert status_for(error).code == code  # type: ignore[arg-type]


@pytest.mark.parametrize("retryable", [False, True], ids=["internal", "unavailable"])
def test_infrastructure_errors_reveal_nothing(retryable: bool) -> None:
    status = status_for(InfrastructureError("db at 10.0.0.7:5432 said password=hunter2", retryable=retryable))
    assert "hunter2" not in status.message and "10.0.0.7" not in status.message


def test_rejected_upload_details_fit_the_trailer_budget_and_give_the_total() -> None:
    violations = [RowViolation(row, "user_id", "user_id_format", "user_id 'x' is not a valid user id " + "." * 60)
                  for row in range(2, 502)]
    report = ValidationReport(rows_valid=0, rows_rejected=500, violations=violations[:100], violations_total=500)
    status = status_for(UploadRejected("500 of 500 rows broke a rule", report=report, migration_id=None))
    request = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(request)
    assert 0 < len(request.field_violations) <= 100
    assert request.ByteSize() <= DETAILS_BUDGET_BYTES
    assert request.field_violations[0].field == "rows[2].user_id"
    assert request.field_violations[0].reason == "USER_ID_FORMAT"
    assert "500 violations in 500 rows" in status.message
    totals = pb.ValidationReport()
    assert status.details[1].Unpack(totals) and totals.violations_total == 500


@pytest.mark.parametrize(("cell", "exported"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("user1", "user1"), ("", ""),
])
def test_formula_cells_are_neutralised(cell: str, exported: str) -> None:
    assert neutralise(cell) == exported


def test_page_token_round_trips_and_refuses_another_filter() -> None:
    token = encode_token({"m": "a", "o": "", "r": 42})
    assert decode_token(token, expect={"m": "a", "o": ""})["r"] == 42
    with pytest.raises(DataError, match="another query"):
        decode_token(token, expect={"m": "a", "o": "applied"})
    with pytest.raises(DataError, match="not a token"):
        decode_token("%%%", expect={})


def test_page_size_defaults_and_caps() -> None:
    assert page_size(0, default=50, maximum=1000) == 50
    assert page_size(5000, default=50, maximum=1000) == 1000
    with pytest.raises(DataError):
        page_size(-1, default=50, maximum=1000)
