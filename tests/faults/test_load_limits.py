"""Slow and huge clients against ``subshift serve api``: memory stays bounded, limits answer with a clear status."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from faultkit.datasets import ACTIVE_OFFERS
from faultkit.report import Record
from faultkit.uploads import upload
from faultkit.world import Service, World

from subshift.api.auth import Role
from subshift_client import migration_v1 as pb
from tests.integration.api.uploads import bad_request


def _rss_mb(service: Service, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{service.process.pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} for pid {service.process.pid}")


def _ten_million_rows(sent: list[int]) -> Iterator[pb.CreateMigrationRequest]:
    yield pb.CreateMigrationRequest(header=pb.MigrationHeader(request_id="ten-million"))
    yield pb.CreateMigrationRequest(csv_chunk=b"user_id,current_offer,target_offer\n")
    offers = [o.encode() for o in ACTIVE_OFFERS]
    for start in range(0, 10_000_000, 5000):
        chunk = b"".join(b"u%08d,%s,%s\n" % (n, offers[n % 4], offers[(n + 1) % 4]) for n in range(start, start + 5000))
        sent[0] = start + 5000
        yield pb.CreateMigrationRequest(csv_chunk=chunk)


def test_a_ten_million_row_upload_is_refused_at_the_row_limit_with_bounded_memory(
        world: World, record: Record) -> None:
    world.seed(100)
    limit = 300_000
    api = world.spawn("api", SUBSHIFT_INGEST_MAX_ROWS=str(limit))
    before = _rss_mb(api)
    sent = [0]
    started = time.monotonic()
    with grpc.insecure_channel(world.api_target) as channel, pytest.raises(grpc.RpcError) as raised:
        pb.MigrationServiceStub(channel).CreateMigration(_ten_million_rows(sent), metadata=world.token(),
                                                         timeout=600)
    seconds = time.monotonic() - started
    peak = _rss_mb(api, "VmHWM")
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [(v.field, v.reason) for v in bad_request(raised.value)] == [(f"rows[{limit + 2}]", "TOO_MANY_ROWS")]
    assert sent[0] < 1_000_000, f"the client could send {sent[0]} rows before the refusal"
    conn = world.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM migration_items")
        items = cur.fetchone()[0]
    conn.close()
    assert items == 0
    # 300,000 rows are ~9 MB of CSV and ~60 MB as Python objects; a server holding them would show it.
    assert peak - before < 150, f"RSS grew from {before:.0f} MB to a peak of {peak:.0f} MB"
    record("10M-row upload", "refused at the row limit with a clear status; memory bounded; nothing staged",
           f"INVALID_ARGUMENT TOO_MANY_ROWS at row {limit + 2} after {seconds:.0f}s ({sent[0]:,} of 10M rows sent); "
           f"API RSS {before:.0f} MB -> peak {peak:.0f} MB; 0 items")


def test_slow_trickling_clients_do_not_block_others(world: World, record: Record) -> None:
    data = world.seed(200)
    # Three uploads of one caller at once: above the default per-caller cap, which is not what this tests.
    api = world.spawn("api", SUBSHIFT_API_MAX_UPLOADS_PER_CALLER="3")
    users = data.users()[:40]
    results: list[object] = []

    def trickle(index: int) -> None:
        body = [b"user_id,current_offer,target_offer\n"] + [
            f"{u},{data.subscribers[u]},{next(o for o in ACTIVE_OFFERS if o != data.subscribers[u])}\n".encode()
            for u in users[index * 10:(index + 1) * 10]]

        def pace(_: int) -> None:
            time.sleep(0.7)
        try:
            results.append(upload(world, b"".join(body), chunk=16, before_chunk=pace,
                                  request_id=f"trickle-{index}", timeout=300))
        except grpc.RpcError as error:
            results.append(error.code())

    threads = [threading.Thread(target=trickle, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    latencies = []
    with grpc.insecure_channel(world.api_target) as channel:
        stub = pb.MigrationServiceStub(channel)
        for _ in range(5):
            began = time.monotonic()
            with pytest.raises(grpc.RpcError) as raised:
                stub.GetMigration(pb.GetMigrationRequest(migration_id=str(uuid.uuid4())),
                                  metadata=world.token(Role.VIEWER), timeout=10)
            assert raised.value.code() == grpc.StatusCode.NOT_FOUND
            latencies.append(time.monotonic() - began)
    for thread in threads:
        thread.join(300)
    assert all(isinstance(r, pb.Migration) for r in results), results
    record("slow trickling clients", "uploads at ~20 B/s complete; other calls still served",
           f"3 uploads trickled over ~{len(users) * 30 // 3 // 16 * 0.7:.0f}s each and staged; 5 GetMigration "
           f"meanwhile, slowest {max(latencies) * 1000:.0f} ms; API RSS {_rss_mb(api):.0f} MB")


def test_uploads_beyond_the_cap_get_a_clear_status_at_once_and_other_calls_are_served(
        world: World, record: Record) -> None:
    world.seed(10)
    world.spawn("api", SUBSHIFT_API_MAX_UPLOADS="2", SUBSHIFT_API_MAX_UPLOADS_PER_CALLER="2")
    stop = threading.Event()
    codes: list[str] = []
    refusals: list[str] = []

    def hold_open(index: int) -> None:
        def wait(_: int) -> None:
            stop.wait(10)  # within the API's upload idle limit: held open, not abandoned
        try:
            upload(world, b"user_id,current_offer,target_offer\ns000001,basic,plus\n", chunk=8, before_chunk=wait,
                   request_id=f"hold-{index}", timeout=120)
            codes.append("OK")
        except grpc.RpcError as error:
            codes.append(error.code().name)
            refusals.append(f"{error.code().name}: {error.details()}")

    threads = [threading.Thread(target=hold_open, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    began = time.monotonic()
    with grpc.insecure_channel(world.api_target) as channel, pytest.raises(grpc.RpcError) as raised:
        pb.MigrationServiceStub(channel).GetMigration(pb.GetMigrationRequest(migration_id=str(uuid.uuid4())),
                                                      metadata=world.token(Role.VIEWER), timeout=5)
    waited = time.monotonic() - began
    stop.set()
    for thread in threads:
        thread.join(120)
    code = raised.value.code()
    record("uploads held open > the upload cap", "the one beyond the cap is refused at once; other calls served",
           f"held uploads: {sorted(codes)}; refusal: {refusals}; GetMigration meanwhile: {code.name} after "
           f"{waited:.1f}s")
    assert sorted(codes) == ["OK", "OK", "RESOURCE_EXHAUSTED"], refusals
    assert "max_uploads" in refusals[0], refusals
    assert code == grpc.StatusCode.NOT_FOUND, code


def test_a_client_that_never_reads_an_export_does_not_make_the_server_buffer_it(
        world: World, record: Record) -> None:
    world.seed(10)
    api = world.spawn("api")
    rows = 300_000
    csv = b"user_id,current_offer,target_offer\n" + b"".join(
        b"x%07d,basic,plus\n" % n for n in range(rows))
    migration = upload(world, csv, chunk=1024 * 1024, request_id="export-never-read", timeout=600)
    before = _rss_mb(api)
    with grpc.insecure_channel(world.api_target) as channel:
        stream = pb.MigrationServiceStub(channel).ExportMigrationResults(
            pb.ExportMigrationResultsRequest(migration_id=migration.migration_id),
            metadata=world.token(Role.VIEWER), timeout=300)
        first = next(stream)
        time.sleep(8)  # the client stops reading; flow control must stop the server too
        held = _rss_mb(api)
        stream.cancel()
    size = rows * 110 // (1024 * 1024)  # each exported row is ~110 bytes
    assert first.csv_chunk.startswith(b"row_number,")
    assert held - before < size / 2, f"RSS grew {held - before:.0f} MB while the client read nothing"
    record("client never reads a server stream", "flow control: the server does not buffer the export",
           f"export of {rows:,} rows (~{size} MB): after 8s unread the API grew {held - before:+.0f} MB "
           f"({before:.0f} -> {held:.0f} MB)")
