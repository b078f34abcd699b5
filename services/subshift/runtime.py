"""Interpreter settings of Subshift's long-running service processes (API, relay, consumer)."""

from __future__ import annotations

import gc
import sys
import threading

__all__ = ["tune_interpreter", "wait_for_stop"]

# How often a main thread with nothing else to do wakes to run Python signal handlers.
_SIGNAL_CHECK_SECONDS = 0.5

# How long a thread may hold the GIL while another waits for it (Python's default is 5 ms). A call
# spends most of its time in the database and in gRPC's C core; each return from either waits for
# the GIL, so a shorter interval cuts queueing behind busy threads. The consumer's apply thread waits
# the same way behind its main thread (docs/performance/consumer-gil-switch-interval.md).
_SWITCH_INTERVAL_SECONDS = 0.0005

# The garbage collector's thresholds in a batch worker (Python's default is (700, 10, 10): a young
# collection every 700 allocations). A batch of 5,000 records makes tens of thousands of objects
# that live until the batch is applied; at the default, many young collections traverse them and
# promote them while they are still in use. With a young collection every 50,000 allocations most
# die before their first one (docs/performance/consumer-gc-thresholds.md).
_BATCH_GC_THRESHOLDS = (50_000, 20, 100)


def tune_interpreter(*, batch_worker: bool = False) -> None:
    """A short GIL switch interval, and everything loaded at start-up (modules, descriptors, the
    ORM's mappings) moved out of the garbage collector's reach, so that full collections stay short
    while the service works. ``batch_worker``: also collect young objects less often (see above).
    Call once start-up is done."""
    sys.setswitchinterval(_SWITCH_INTERVAL_SECONDS)
    if batch_worker:
        gc.set_threshold(*_BATCH_GC_THRESHOLDS)
    gc.collect()
    gc.freeze()


def wait_for_stop(stop: threading.Event) -> None:
    """Block the main thread until ``stop`` is set, waking regularly.

    The kernel may hand SIGTERM to any thread of the process (gRPC's, for one); Python then runs its
    handler only once the main thread executes again, which an untimed wait can put off indefinitely
    (seen once in the faults tier: an API that began its drain a minute after SIGTERM).
    """
    while not stop.wait(_SIGNAL_CHECK_SECONDS):
        pass
