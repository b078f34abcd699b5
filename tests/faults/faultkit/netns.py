"""A network namespace joined to the host by a veth pair, so one process can be cut off from one server.

Inside the namespace, connections to ``127.0.0.1`` are sent over the veth to the host, where they are
delivered to the host's loopback (DNAT) with a loopback source (SNAT), so the stack's servers, which
listen on loopback only and trust only loopback clients, see an ordinary local client. Nothing leaves
the machine. ``cut(port)`` drops the namespace's packets to one server port (a partition: no reset,
no error, just silence) and ``heal(port)`` lets them through again. Needs root.
"""

from __future__ import annotations

import contextlib
import random
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Namespace", "namespace"]


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, text=True)


@dataclass(frozen=True)
class Namespace:
    name: str
    inside: str  # the namespace's address

    @property
    def prefix(self) -> list[str]:
        """Run a command inside: ``[*prefix, argv...]``."""
        return ["ip", "netns", "exec", self.name]

    def cut(self, port: int) -> None:
        _run(*self.prefix, "iptables", "-I", "OUTPUT", "-p", "tcp", "--dport", str(port), "-j", "DROP")

    def heal(self, port: int) -> None:
        _run(*self.prefix, "iptables", "-D", "OUTPUT", "-p", "tcp", "--dport", str(port), "-j", "DROP")


@contextlib.contextmanager
def namespace() -> Iterator[Namespace]:
    """Create the namespace and its veth pair; everything is removed afterwards, also on failure.

    Raises:
        subprocess.CalledProcessError: ``ip``/``iptables`` refused (not root, no netfilter).
    """
    tag = uuid.uuid4().hex[:6]
    name, host_if, ns_if = f"ssf-{tag}", f"ssfh{tag}", f"ssfn{tag}"
    subnet = random.randrange(1, 250)
    host_ip, ns_ip = f"10.203.{subnet}.1", f"10.203.{subnet}.2"
    host_rules = [
        ["-t", "nat", "PREROUTING", "-i", host_if, "-p", "tcp", "-d", host_ip, "-j", "DNAT",
         "--to-destination", "127.0.0.1"],
        ["-t", "nat", "INPUT", "-s", ns_ip, "-d", "127.0.0.1", "-p", "tcp", "-j", "SNAT", "--to-source", "127.0.0.1"],
    ]
    added: list[list[str]] = []
    try:
        _run("ip", "netns", "add", name)
        _run("ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        _run("ip", "link", "set", ns_if, "netns", name)
        _run("ip", "addr", "add", f"{host_ip}/30", "dev", host_if)
        _run("ip", "link", "set", host_if, "up")
        inside = ["ip", "netns", "exec", name]
        _run(*inside, "ip", "addr", "add", f"{ns_ip}/30", "dev", ns_if)
        _run(*inside, "ip", "link", "set", ns_if, "up")
        _run(*inside, "ip", "link", "set", "lo", "up")
        _run("sysctl", "-qw", f"net.ipv4.conf.{host_if}.route_localnet=1")
        _run(*inside, "sysctl", "-qw", "net.ipv4.conf.all.route_localnet=1")
        _run(*inside, "iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-d", "127.0.0.1", "-j", "DNAT",
             "--to-destination", host_ip)
        _run(*inside, "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", ns_if, "-j", "SNAT", "--to-source", ns_ip)
        for rule in host_rules:
            _run("iptables", rule[0], rule[1], "-A", *rule[2:])
            added.append(rule)
        yield Namespace(name, ns_ip)
    finally:
        for rule in added:
            with contextlib.suppress(subprocess.CalledProcessError):
                _run("iptables", rule[0], rule[1], "-D", *rule[2:])
        with contextlib.suppress(subprocess.CalledProcessError):
            _run("ip", "netns", "del", name)  # takes the veth pair with it
