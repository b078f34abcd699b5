"""Hostile and malformed CSV through the real CreateMigration stream: the precise error, and nothing changes.

The migration API's own tests cover a few unreadable files (empty body, header only, an unterminated
quote, invalid UTF-8, the row limit); these are the rest of the catalogue. Every refused upload must
leave the database as it was: no item staged, no migration other than the REJECTED record of the
attempt, no subscription touched. Files that are valid in a surprising way (BOM, CRLF, quoted
header, blank lines) are checked with dry runs, which stage nothing by construction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import grpc
import pytest

from subshift.api.auth import Role
from subshift_client import migration_v1 as pb
from tests.integration.api.uploads import Token, bad_request, requests

H = b"user_id,current_offer,target_offer\n"


@dataclass(frozen=True)
class Refused:
    body: bytes
    violations: list[tuple[str, str]]  # (field, reason) in the BadRequest details
    max_rejected_rows: int | None = None


def _snapshot(db: Any) -> tuple[int, int, str]:
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM migration_items")
        items = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM migrations WHERE state <> 'rejected'")
        live = cur.fetchone()[0]
        cur.execute("SELECT md5(string_agg(user_id || offer_code || version, ',' ORDER BY user_id)) FROM subscriptions")
        subscriptions = cur.fetchone()[0]
    db.rollback()
    return int(items), int(live), str(subscriptions)


REFUSED = {
    "missing_column": Refused(b"user_id,current_offer\nuser0000,basic\n", [("rows[1]", "HEADER")]),
    "duplicate_column": Refused(b"user_id,user_id,current_offer,target_offer\nuser0000,user0000,basic,gold\n",
                                [("rows[1]", "HEADER")]),
    "unknown_column": Refused(b"user_id,current_offer,target_offer,note\nuser0000,basic,gold,x\n",
                              [("rows[1]", "HEADER")]),
    "empty_header_column": Refused(b"user_id,,current_offer,target_offer\nuser0000,,basic,gold\n",
                                   [("rows[1]", "HEADER")]),
    "header_in_upper_case": Refused(b"USER_ID,CURRENT_OFFER,TARGET_OFFER\nuser0000,basic,gold\n",
                                    [("rows[1]", "HEADER")]),
    "spaces_in_header": Refused(b"user_id, current_offer, target_offer\nuser0000,basic,gold\n",
                                [("rows[1]", "HEADER")]),
    "semicolon_delimiter": Refused(b"user_id;current_offer;target_offer\nuser0000;basic;gold\n",
                                   [("rows[1]", "HEADER")]),
    "only_a_bom": Refused(b"\xef\xbb\xbf", [("rows[1]", "HEADER")]),
    "nul_byte": Refused(H + b"user0000,ba\x00sic,gold\n", [("rows[2]", "NUL_BYTE")]),
    "invalid_utf8_in_header": Refused(b"user_id,current_offer,target_\xc3\x28offer\n", [("rows[1]", "ENCODING")]),
    "latin1_row": Refused(H + "usér,basic,gold\n".encode("latin-1"), [("rows[2]", "ENCODING")]),
    "utf16_file": Refused("user_id,current_offer,target_offer\n".encode("utf-16"), [("rows[1]", "ENCODING")]),
    "bare_carriage_returns": Refused(b"user_id,current_offer,target_offer\ruser0000,basic,gold\r",
                                     [("rows[1]", "BAD_LINE_END")]),
    "unterminated_quote_at_end": Refused(H + b'user0000,basic,"gold\n', [("rows[2]", "UNTERMINATED_QUOTE")]),
    "ten_megabyte_line": Refused(H + b"user0000,basic," + b"g" * (10 * 1024 * 1024) + b"\n",
                                 [("rows[2]", "LINE_TOO_LONG")]),
    "long_quoted_multiline_field": Refused(H + b'user0000,basic,"' + (b"g" * 1000 + b"\n") * 6 + b'"\n',
                                           [("rows[2]", "FIELD_TOO_LONG")]),
    "quoted_newline_in_user_id": Refused(H + b'"user\n0000",basic,gold\n', [("rows[2].user_id", "USER_ID_FORMAT")]),
    "very_long_user_id": Refused(H + b"u" * 65 + b",basic,gold\n", [("rows[2].user_id", "USER_ID_FORMAT")]),
    "whitespace_around_values": Refused(H + b" user0000 , basic ,gold\n",
                                        [("rows[2].user_id", "WHITESPACE"), ("rows[2].current_offer", "WHITESPACE")]),
    "unknown_offer": Refused(H + b"user0000,basic,platinum\n", [("rows[2].target_offer", "UNKNOWN_OFFER")]),
    "inactive_target_offer": Refused(H + b"user0000,basic,retired\n", [("rows[2].target_offer", "INACTIVE_OFFER")]),
    "current_equals_target": Refused(H + b"user0000,gold,gold\n", [("rows[2].target_offer", "SAME_OFFER")]),
    "duplicate_user": Refused(H + b"user0000,basic,gold\nuser0002,basic,gold\nuser0000,basic,premium\n",
                              [("rows[4].user_id", "DUPLICATE_USER")]),
    "empty_user_id": Refused(H + b",basic,gold\n", [("rows[2].user_id", "EMPTY")]),
    "too_few_fields": Refused(H + b"user0000,basic\n", [("rows[2]", "FIELD_COUNT")]),
    "too_many_fields": Refused(H + b"user0000,basic,gold,extra\n", [("rows[2]", "FIELD_COUNT")]),
    "doubled_quote_in_user_id": Refused(H + b'"us""er",basic,gold\n', [("rows[2].user_id", "USER_ID_FORMAT")]),
    "bare_quote_in_user_id": Refused(H + b'us"er,basic,gold\n', [("rows[2].user_id", "USER_ID_FORMAT")]),
    "formula_as_user_id": Refused(H + b"=HYPERLINK(\"http://x\"),basic,gold\n",
                                  [("rows[2].user_id", "USER_ID_FORMAT")]),
    "one_bad_row_more_than_tolerated": Refused(H + b"user0000,basic,gold\nuser0002,basic,nope\nuser0004,x,gold\n",
                                               [("rows[3].target_offer", "UNKNOWN_OFFER"),
                                                ("rows[4].current_offer", "UNKNOWN_OFFER")], max_rejected_rows=1),
    "over_the_row_limit_by_one": Refused(H + b"".join(b"u%d,basic,gold\n" % n for n in range(1001)),
                                         [("rows[1002]", "TOO_MANY_ROWS")]),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_a_bad_file_is_refused_with_its_precise_violations_and_changes_nothing(
        stub: Any, token: Token, db: Any, case: Refused) -> None:
    before = _snapshot(db)
    header: dict[str, Any] = {"request_id": ""}
    if case.max_rejected_rows is not None:
        header["max_rejected_rows"] = case.max_rejected_rows
    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateMigration(requests(case.body, chunk=64 * 1024, **header), metadata=token(Role.OPERATOR))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [(v.field, v.reason) for v in bad_request(raised.value)] == case.violations
    assert _snapshot(db) == before


ACCEPTED = {  # valid files in a less common shape: (body, rows valid)
    "utf8_bom": (b"\xef\xbb\xbf" + H + b"user0000,basic,gold\n", 1),
    "crlf_line_ends": (H.replace(b"\n", b"\r\n") + b"user0000,basic,gold\r\nuser0002,basic,gold\r\n", 2),
    "columns_in_another_order": (b"target_offer,user_id,current_offer\ngold,user0000,basic\n", 1),
    "quoted_header_and_values": (b'"user_id","current_offer","target_offer"\n"user0000","basic","gold"\n', 1),
    "blank_lines_between_rows": (H + b"\nuser0000,basic,gold\n\n\nuser0002,basic,gold\n", 2),
    "no_newline_at_the_end": (H + b"user0000,basic,gold", 1),
    "inactive_current_offer": (H + b"user0000,retired,gold\n", 1),
}


@pytest.mark.parametrize(("body", "valid"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_an_unusual_but_valid_file_parses(stub: Any, token: Token, db: Any, body: bytes, valid: int) -> None:
    before = _snapshot(db)
    response = stub.CreateMigration(requests(body, chunk=5, validate_only=True), metadata=token(Role.OPERATOR))
    assert (response.report.rows_valid, response.report.rows_rejected) == (valid, 0)
    assert _snapshot(db) == before


FORMULAS = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "=1+1"]


def test_export_neutralises_every_formula_looking_cell(stub: Any, token: Token) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([("user0000", "basic", "gold"),
                                                   *((cell, "basic", "gold") for cell in FORMULAS)])
    body = H + out.getvalue().encode()
    created = stub.CreateMigration(requests(body, max_rejected_rows=len(FORMULAS)), metadata=token(Role.OPERATOR))
    assert created.report.rows_rejected == len(FORMULAS)
    chunks = stub.ExportMigrationResults(pb.ExportMigrationResultsRequest(
        migration_id=created.migration.migration_id), metadata=token(Role.VIEWER))
    text = b"".join(chunk.csv_chunk for chunk in chunks).decode()
    table = list(csv.reader(io.StringIO(text)))
    exported_users = [row[1] for row in table[1:]]
    assert exported_users == ["user0000", *("'" + cell for cell in FORMULAS)]
    dangerous = [cell for row in table for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []
