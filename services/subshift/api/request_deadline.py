"""Every call must send its request messages in time, or it is dropped.

gRPC's synchronous server reads a unary call's request in the worker thread before any handler
code runs, so a caller that sends headers and never a message held a thread (and, before
authentication could run, did so anonymously). Here every method is served in its
request-streaming form (the same bytes on the wire): the call is authenticated and admitted
first, then its request message is read under a deadline kept by one watchdog thread, which
cancels calls whose message is late.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any, NoReturn

import grpc

from subshift.observability.logs import get_logger

__all__ = ["RequestLate", "RequestWatchdog", "StreamCutOff", "confirm_open", "request_streaming"]

_log = get_logger(__name__)


class RequestLate(grpc.RpcError):
    """A request message did not arrive within its deadline; the call was cancelled.

    An ``RpcError``, as for a call the client cancelled: the servicer rolls back and audits it so.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request message did not arrive within {seconds:g}s; the call was dropped")


class StreamCutOff(grpc.RpcError):
    """The request stream ended because the call did (its deadline, a reset), not because the client closed it."""

    def __init__(self) -> None:
        super().__init__("the call ended before the client closed its request stream; nothing was kept")


def confirm_open(context: grpc.ServicerContext) -> None:
    """Raise ``StreamCutOff`` if the call has ended.

    grpc's synchronous server ends a request iterator the same way for a client that closed its side
    and for a call torn down by its deadline or a reset, when the teardown's events arrive in that
    order; only the call's state, a moment later, tells the two apart. So a handler that keeps what a
    stream sent asks here just before it commits.
    """
    if not context.is_active() or context.time_remaining() <= 0:
        raise StreamCutOff()


class RequestWatchdog:
    """Cancels calls whose awaited request message is late; one daemon thread for every call."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int]] = []
        # Reads still in progress. Only these hold their call: a call object kept alive keeps its
        # HTTP/2 stream open in the transport, counted against the connection's stream limit.
        self._waiting: dict[int, grpc.ServicerContext] = {}
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="subshift-api-request-watchdog", daemon=True)
        self._thread.start()

    def read(self, messages: Iterator[Any], context: grpc.ServicerContext, seconds: float) -> Any:
        """The next message from ``messages``; the call is cancelled if it takes ``seconds``.

        Raises:
            StopIteration: the client closed its side without another message.
            RequestLate: the message did not arrive in time (the call is cancelled; never mistake this
                for the end of the stream, which would take a cut-off upload as complete).
            grpc.RpcError: the call ended while waiting.
        """
        with self._changed:
            ticket = next(self._order)
            heapq.heappush(self._due, (time.monotonic() + seconds, ticket))
            self._waiting[ticket] = context
            self._changed.notify()
        try:
            message = next(messages)
        except StopIteration:
            if self._late(ticket):
                raise RequestLate(seconds) from None
            raise
        except BaseException:
            self._late(ticket)
            raise
        if self._late(ticket):
            raise RequestLate(seconds)
        return message

    def _late(self, ticket: int) -> bool:
        """Stop watching ``ticket``; True if the watchdog had already cancelled its call."""
        with self._changed:
            return self._waiting.pop(ticket, None) is None

    def close(self) -> None:
        """Stop the watchdog thread (calls still waiting are no longer cancelled)."""
        with self._changed:
            self._closed = True
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._due and not self._closed:
                    self._changed.wait()
                if self._closed:
                    return
                due, ticket = self._due[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                heapq.heappop(self._due)
                context = self._waiting.pop(ticket, None)
                if context is None:
                    continue
            _log.warning("request_message_late", peer=context.peer())
            context.cancel()  # the reader wakes with the call ended; the thread is free again


def _refuse(context: grpc.ServicerContext, problem: str) -> NoReturn:
    context.abort(grpc.StatusCode.INVALID_ARGUMENT, problem)
    raise AssertionError("abort returns only by raising")  # pragma: no cover


def _read(watchdog: RequestWatchdog, messages: Iterator[Any], context: grpc.ServicerContext, seconds: float) -> Any:
    try:
        return watchdog.read(messages, context, seconds)
    except RequestLate:
        # The call is cancelled already, so no status reaches the client; marking it aborted keeps grpc
        # from logging the RequestLate that ends the handler as an application error with a traceback.
        with contextlib.suppress(Exception):  # abort always raises: that is how it marks the call
            context.abort(grpc.StatusCode.CANCELLED, "the request message did not arrive in time")
        raise


def request_streaming(handler: grpc.RpcMethodHandler[Any, Any], watchdog: RequestWatchdog, *,
                      first_seconds: float, next_seconds: float) -> grpc.RpcMethodHandler[Any, Any]:
    """``handler`` served in its request-streaming form, each request message read under a deadline.

    A unary-request method gets its one message (``first_seconds``); a client-streaming one gets an
    iterator whose first message has ``first_seconds`` and each later one ``next_seconds``.
    """
    def paced(messages: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
        seconds = first_seconds
        while True:
            try:
                message = _read(watchdog, messages, context, seconds)
            except StopIteration:
                return
            seconds = next_seconds
            yield message

    def one(messages: Iterator[Any], context: grpc.ServicerContext) -> Any:
        # A unary client sends its message and closes its side at once. Reading that close too matters:
        # a stream whose close is never read stays open in the transport and counts against the
        # connection's concurrent streams until the connection dies.
        try:
            message = _read(watchdog, messages, context, first_seconds)
        except StopIteration:
            _refuse(context, "the call ended without its request message")
        try:
            _read(watchdog, messages, context, first_seconds)
        except StopIteration:
            return message
        _refuse(context, "this method takes one request message; the call sent more")

    # The stubs type a handler's behaviours as optional; the handler's kind says which one is set.
    if handler.request_streaming:
        inner: Any = handler.stream_stream if handler.response_streaming else handler.stream_unary

        def behavior(messages: Iterator[Any], context: grpc.ServicerContext) -> Any:
            return inner(paced(messages, context), context)
    elif handler.response_streaming:
        unary_stream: Any = handler.unary_stream

        def behavior(messages: Iterator[Any], context: grpc.ServicerContext) -> Any:
            yield from unary_stream(one(messages, context), context)
    else:
        unary_unary: Any = handler.unary_unary

        def behavior(messages: Iterator[Any], context: grpc.ServicerContext) -> Any:
            return unary_unary(one(messages, context), context)
    factory = grpc.stream_stream_rpc_method_handler if handler.response_streaming else (
        grpc.stream_unary_rpc_method_handler)
    wrapped: grpc.RpcMethodHandler[Any, Any] = factory(
        behavior, request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer)
    return wrapped
