"""The streaming CSV reader: cases as data, every chunk boundary, and any bytes at all."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subshift.api.csv_reader import CsvLimits, open_csv
from subshift.errors import DataError

LIMITS = CsvLimits(max_rows=5, max_line_chars=80, max_field_chars=64)
HEADER = b"user_id,current_offer,target_offer\n"


@dataclass(frozen=True)
class Case:
    id: str
    data: bytes
    rows: list[tuple[int, list[str]]] | None = None  # expected records, or None when an error is expected
    error_row: int | None = None
    rule: str | None = None


CASES = [
    Case("plain_lf", HEADER + b"u1,a,b\nu2,c,d\n", [(2, ["u1", "a", "b"]), (3, ["u2", "c", "d"])]),
    Case("crlf", b"user_id,current_offer,target_offer\r\nu1,a,b\r\n", [(2, ["u1", "a", "b"])]),
    Case("bom", b"\xef\xbb\xbf" + HEADER + b"u1,a,b\n", [(2, ["u1", "a", "b"])]),
    Case("no_final_newline", HEADER + b"u1,a,b", [(2, ["u1", "a", "b"])]),
    Case("quoted_newline", HEADER + b'u1,"a\nb",c\nu2,d,e\n', [(2, ["u1", "a\nb", "c"]), (3, ["u2", "d", "e"])]),
    Case("quoted_crlf_newline", HEADER + b'u1,"a\r\nb",c\r\n', [(2, ["u1", "a\r\nb", "c"])]),
    Case("doubled_quotes", HEADER + b'u1,"say ""hi""",c\n', [(2, ["u1", 'say "hi"', "c"])]),
    Case("quoted_comma", HEADER + b'u1,"a,b",c\n', [(2, ["u1", "a,b", "c"])]),
    Case("blank_lines_skipped_but_counted", HEADER + b"\nu1,a,b\n\n", [(3, ["u1", "a", "b"])]),
    Case("header_only", HEADER, []),
    Case("columns_any_order", b"target_offer,user_id,current_offer\nb,u1,a\n", [(2, ["b", "u1", "a"])]),
    Case("utf8_multibyte", HEADER + "ü1,ä,ö\n".encode(), [(2, ["ü1", "ä", "ö"])]),
    Case("form_feed_is_data", HEADER + b"u\x0c1,a,b\n", [(2, ["u\x0c1", "a", "b"])]),
    Case("extra_field_kept_for_validation", HEADER + b"u1,a,b,c\n", [(2, ["u1", "a", "b", "c"])]),
    Case("empty_file", b"", error_row=1, rule="header"),
    Case("bom_only", b"\xef\xbb\xbf", error_row=1, rule="header"),
    Case("unknown_column", b"user_id,current_offer,target_offer,note\n", error_row=1, rule="header"),
    Case("missing_column", b"user_id,current_offer\n", error_row=1, rule="header"),
    Case("duplicate_column", b"user_id,user_id,current_offer,target_offer\n", error_row=1, rule="header"),
    Case("header_case_matters", b"User_Id,current_offer,target_offer\n", error_row=1, rule="header"),
    Case("invalid_utf8", HEADER + b"u1,a,b\nu\xff2,a,b\n", error_row=3, rule="encoding"),
    Case("truncated_utf8_at_eof", HEADER + b"u1,a,\xc3", error_row=2, rule="encoding"),
    Case("latin1_header", b"user_id,current_offer,target_offer\nj\xe9r\xf4me,a,b\n", error_row=2, rule="encoding"),
    Case("nul_byte", HEADER + b"u1,a,b\nu2,a\x00,b\n", error_row=3, rule="nul_byte"),
    Case("unterminated_quote", HEADER + b'u1,"a,b\n', error_row=2, rule="unterminated_quote"),
    Case("garbage_after_quote", HEADER + b'u1,"a"x,b\n', error_row=2, rule="bad_quote"),
    Case("bare_cr_in_field", HEADER + b"u1,a\rb,c\n", error_row=2, rule="bad_line_end"),
    Case("line_too_long", HEADER + b"u1,a," + b"b" * 100 + b"\n", error_row=2, rule="line_too_long"),
    Case("unended_line_too_long", HEADER + b"u" * 200, error_row=2, rule="line_too_long"),
    Case("field_too_long_across_lines", HEADER + b'u1,"' + b"a\n" * 40 + b'",b\n', error_row=2,
         rule="field_too_long"),
    Case("too_many_rows", HEADER + b"u,a,b\n" * 6, error_row=7, rule="too_many_rows"),
    Case("blank_first_line", b"\n" + HEADER, error_row=1, rule="header"),
]


def _read(chunks: list[bytes], limits: CsvLimits = LIMITS) -> list[tuple[int, list[str]]]:
    return list(open_csv(iter(chunks), limits))


def _check(case: Case, chunks: list[bytes]) -> None:
    if case.rows is not None:
        assert _read(chunks) == case.rows
        return
    with pytest.raises(DataError) as raised:
        _read(chunks)
    assert (raised.value.row, raised.value.rule) == (case.error_row, case.rule)
    assert str(raised.value).startswith(f"row {case.error_row}") or case.error_row == 1


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_whole_file_in_one_chunk(case: Case) -> None:
    _check(case, [case.data])


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_two_chunk_split_reads_the_same(case: Case) -> None:
    for cut in range(len(case.data) + 1):
        _check(case, [case.data[:cut], case.data[cut:]])


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_one_byte_chunks_read_the_same(case: Case) -> None:
    _check(case, [bytes([byte]) for byte in case.data])


def test_header_error_names_every_bad_column() -> None:
    with pytest.raises(DataError) as raised:
        _read([b"user_id,current,note,user_id\n"])
    message = str(raised.value)
    for part in ("unknown columns 'current', 'note'", "missing columns 'current_offer', 'target_offer'",
                 "duplicate column 'user_id'"):
        assert part in message


@settings(max_examples=400, deadline=None)
@given(body=st.binary(max_size=300), cut=st.integers(min_value=0, max_value=300))
def test_any_bytes_give_records_or_a_data_error_never_a_crash(body: bytes, cut: int) -> None:
    data = HEADER + body
    try:
        whole = _read([data])
    except DataError as error:
        assert error.row is not None and error.row >= 1 and error.rule
        with pytest.raises(DataError) as again:
            _read([data[:cut], data[cut:]])
        assert (again.value.row, again.value.rule) == (error.row, error.rule)
        return
    assert _read([data[:cut], data[cut:]]) == whole
    assert all(row >= 2 and fields for row, fields in whole)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.tuples(*[st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                                      blacklist_characters="\x00\r"),
                                             min_size=1, max_size=12)] * 3), max_size=5))
def test_rows_written_by_the_csv_module_read_back_unchanged(values: list[tuple[str, str, str]]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["user_id", "current_offer", "target_offer"])
    writer.writerows(values)
    data = buffer.getvalue().encode()
    read = _read([data[i:i + 5] for i in range(0, len(data), 5)], CsvLimits(10, 1000, 1000))
    assert [tuple(fields) for _, fields in read] == values
