"""What a gRPC target names: its scheme, the hosts behind it, and whether calls should spread over them.

gRPC keeps one long-lived HTTP/2 connection per channel and, with its default policy (``pick_first``),
sends every call over it: behind one virtual address (a Kubernetes ClusterIP Service) a client stays on
one replica. A target that names every replica, ``dns:///host:port`` (all the A records of a headless
Service) or a list of addresses (``ipv4:10.0.0.1:50051,10.0.0.2:50051``), is balanced: the channel
connects to each and sends its calls to them in turn (``round_robin``). A plain ``host:port`` keeps one
connection, as a proxy or a mesh in front of the API expects.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

__all__ = ["Target"]

# The schemes gRPC resolves itself; any other prefix is part of a plain ``host:port`` (gRPC's rule too).
_LOCAL_SCHEMES = frozenset({"unix", "unix-abstract"})
_ADDRESS_LIST_SCHEMES = frozenset({"ipv4", "ipv6"})
_SCHEMES = frozenset({"dns", *_LOCAL_SCHEMES, *_ADDRESS_LIST_SCHEMES})


def _host(address: str) -> str:
    """The host of ``host:port``, ``[v6]:port``, a bare IPv6 address or a bare host."""
    if address.startswith("["):
        return address[1 : address.find("]")]
    return address.rsplit(":", 1)[0] if address.count(":") == 1 else address


def _path(rest: str) -> str:
    """``rest`` without a URI authority (``//authority/``), which names a DNS server, not the API."""
    return rest[2:].partition("/")[2] if rest.startswith("//") else rest


@dataclass(frozen=True, slots=True)
class Target:
    """A gRPC target as the client reads it (``scheme`` is None for a plain ``host:port``)."""

    scheme: str | None
    hosts: tuple[str, ...]

    @classmethod
    def parse(cls, addr: str) -> Target:
        scheme, colon, rest = addr.partition(":")
        if not colon or scheme not in _SCHEMES:
            return cls(None, (_host(addr),))
        if scheme in _LOCAL_SCHEMES:
            return cls(scheme, ())
        if scheme == "dns":
            return cls(scheme, (_host(_path(rest)),))
        return cls(scheme, tuple(_host(address) for address in _path(rest).split(",") if address))

    @property
    def balanced(self) -> bool:
        """Whether the target may name several replicas, so the channel should spread calls over them."""
        return self.scheme == "dns" or (self.scheme in _ADDRESS_LIST_SCHEMES and len(self.hosts) > 1)

    @property
    def loopback(self) -> bool:
        """Whether every host the target names is on this machine."""
        if self.scheme in _LOCAL_SCHEMES:
            return True
        return bool(self.hosts) and all(_is_loopback_host(host) for host in self.hosts)


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
