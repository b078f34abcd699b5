"""API memory while a very large CSV streams in: a dry run (``validate_only``) of generated rows.

The rows are made on the fly (no file on disk; well-formed ids, offers from the catalog), so the
test reaches any size. A dry run reads, checks and copies every row into a temporary table, and
checks for duplicates, so the server does the whole upload path except the final commit; its RSS
is sampled from outside all along.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from subshift_client.client import SubshiftClient
from subshift_tooling.bench.context import BenchContext, Services
from subshift_tooling.bench.rss import RssSampler
from subshift_tooling.bench.services import free_port

__all__ = ["MemoryRun", "streaming_memory"]

_ROWS_PER_CHUNK = 8192  # about 230 KB: the size of the client library's chunks


@dataclass(frozen=True)
class MemoryRun:
    rows: int
    rows_valid: int
    seconds: float
    peak_rss_mb: float
    rss_first_last_mb: tuple[float, float]

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def _generated(rows: int, offers: tuple[str, ...]) -> Iterator[bytes]:
    yield b"user_id,current_offer,target_offer\n"
    count = len(offers)
    for start in range(1, rows + 1, _ROWS_PER_CHUNK):
        stop = min(start + _ROWS_PER_CHUNK, rows + 1)
        yield "".join(f"u{n:07d},{offers[n % count]},{offers[(n + 1) % count]}\n"
                      for n in range(start, stop)).encode()


def streaming_memory(context: BenchContext, sampler: RssSampler, *, rows: int) -> MemoryRun:
    """Stream ``rows`` generated rows as a dry run to a fresh API process; its peak RSS is the result."""
    addr = f"127.0.0.1:{free_port()}"
    settings = context.settings.model_copy(update={
        "api": context.settings.api.model_copy(update={"addr": addr}),
        "ingest": context.settings.ingest.model_copy(update={"max_rows": max(rows, context.settings.ingest.max_rows)}),
    })
    services = Services(context, settings, sampler, "memory")
    offers = tuple(offer.code for offer in context.catalog.active)
    with services.session():
        api = services.start("api", "api-memory")
        services.wait_api(addr)
        started = time.perf_counter()
        with SubshiftClient(addr, token=context.token, timeout=60.0) as client:
            response = client.create_migration(_generated(rows, offers), dry_run=True, timeout=3600.0)
        seconds = time.perf_counter() - started
        series = sampler.series.get(api.name)
        first_last = series.first_last_mb() if series else (0.0, 0.0)
    return MemoryRun(rows=rows, rows_valid=response.report.rows_valid, seconds=seconds,
                     peak_rss_mb=sampler.peak_mb(api.name), rss_first_last_mb=first_last)
