"""Wrap a gRPC method handler with code that runs around every call, whatever the call's kind.

Interceptors see a call before a worker thread runs it; work that needs the worker thread
(a context variable, a JWKS fetch, a latency clock) goes into the handler's behaviour instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import grpc

__all__ = ["Around", "wrap_handler"]

State = TypeVar("State")


class Around:
    """``before`` runs first (it may abort); ``after`` always runs once the call ends."""

    def before(self, context: grpc.ServicerContext) -> Any:
        return None

    def after(self, context: grpc.ServicerContext, state: Any, error: BaseException | None) -> None:
        return None


_FACTORIES = {
    (False, False): (grpc.unary_unary_rpc_method_handler, "unary_unary"),
    (True, False): (grpc.stream_unary_rpc_method_handler, "stream_unary"),
    (False, True): (grpc.unary_stream_rpc_method_handler, "unary_stream"),
    (True, True): (grpc.stream_stream_rpc_method_handler, "stream_stream"),
}


def wrap_handler(handler: grpc.RpcMethodHandler[Any, Any], around: Around) -> grpc.RpcMethodHandler[Any, Any]:
    """``handler`` with ``around`` applied to every call."""
    factory, attribute = _FACTORIES[(handler.request_streaming, handler.response_streaming)]
    behavior: Callable[[Any, grpc.ServicerContext], Any] = getattr(handler, attribute)

    def unary(request: Any, context: grpc.ServicerContext) -> Any:
        state = around.before(context)
        error: BaseException | None = None
        try:
            return behavior(request, context)
        except BaseException as raised:
            error = raised
            raise
        finally:
            around.after(context, state, error)

    def streaming(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        state = around.before(context)
        error: BaseException | None = None
        try:
            yield from behavior(request, context)
        except BaseException as raised:
            error = raised
            raise
        finally:
            around.after(context, state, error)

    wrapped: grpc.RpcMethodHandler[Any, Any] = factory(
        streaming if handler.response_streaming else unary,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )
    return wrapped
