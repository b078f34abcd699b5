"""Who may do what on the local Kafka when it runs with authentication (``SUBSHIFT_STACK_KAFKA_AUTH=scram``).

Each process has its own principal, authenticated with SASL/SCRAM-SHA-512, and the broker's
StandardAuthorizer refuses whatever no ACL allows (``allow.everyone.if.no.acl.found=false``):

| principal | may |
|---|---|
| ``admin`` | everything (super user): the brokers themselves, ``subshift topics``, the stack's checks, tests |
| ``relay`` | write ``user-offers`` |
| ``consumer`` | read ``user-offers`` in its group, write the dead-letter topic |
| ``replay`` | read the dead-letter topic in the ``dlq list``/``replay`` groups, write ``user-offers`` back |

Nobody else writes. Passwords are random, made once per Kafka data directory and kept beside it
(``principals.json``, readable by the owner only): SCRAM credentials live in the cluster's metadata,
which is written when the data directory is formatted.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from subshift.errors import InfrastructureError

__all__ = [
    "ADMIN",
    "MECHANISM",
    "PRINCIPALS",
    "PROTOCOL",
    "AclRule",
    "Operation",
    "PatternType",
    "ResourceType",
    "acl_rules",
    "client_variables",
    "load_passwords",
    "passwords_for",
]

MECHANISM = "SCRAM-SHA-512"
PROTOCOL = "SASL_PLAINTEXT"  # loopback only; a cluster on a network takes SASL_SSL
ADMIN = "admin"
PRINCIPALS = (ADMIN, "relay", "consumer", "replay")
_FILE = "principals.json"


class ResourceType(StrEnum):
    TOPIC = "topic"
    GROUP = "group"


class PatternType(StrEnum):
    LITERAL = "literal"
    PREFIXED = "prefixed"


class Operation(StrEnum):
    READ = "read"
    WRITE = "write"
    DESCRIBE = "describe"


@dataclass(frozen=True)
class AclRule:
    """One ALLOW rule: ``principal`` may ``operation`` on the resource (from any host)."""

    principal: str
    resource: ResourceType
    name: str
    pattern: PatternType
    operation: Operation


def acl_rules(*, topic: str, dead_letter_topic: str, consumer_group: str) -> list[AclRule]:
    """The rules of the table above for the topic names and consumer group this stack's clients use."""
    topic_, group, literal, prefixed = ResourceType.TOPIC, ResourceType.GROUP, PatternType.LITERAL, PatternType.PREFIXED
    read, write = Operation.READ, Operation.WRITE
    # Kafka's READ and WRITE imply DESCRIBE, which metadata and offset look-ups need.
    return [
        AclRule("relay", topic_, topic, literal, write),
        AclRule("consumer", topic_, topic, literal, read),
        AclRule("consumer", group, consumer_group, literal, read),
        AclRule("consumer", topic_, dead_letter_topic, literal, write),
        AclRule("replay", topic_, dead_letter_topic, literal, read),
        # `dlq list` and `dlq replay` name their groups after the consumer's (``messaging.dlq``).
        AclRule("replay", group, f"{consumer_group}-dlq-", prefixed, read),
        AclRule("replay", topic_, topic, literal, write),
    ]


def load_passwords(kafka_dir: Path) -> dict[str, str] | None:
    """The principals' passwords kept for the cluster in ``kafka_dir``, or None when it has none yet.

    Raises:
        InfrastructureError: the file is there but unreadable or incomplete.
    """
    path = kafka_dir / _FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise InfrastructureError(f"cannot read the Kafka principals in {path}: {error}", retryable=False) from error
    if not isinstance(data, dict) or any(not isinstance(data.get(name), str) for name in PRINCIPALS):
        raise InfrastructureError(
            f"{path} does not hold a password for each of {', '.join(PRINCIPALS)}; stop Kafka and remove "
            f"{kafka_dir} to start the cluster afresh", retryable=False)
    return {name: str(data[name]) for name in PRINCIPALS}


def passwords_for(kafka_dir: Path, *, formatted: bool) -> dict[str, str]:
    """The principals' passwords, made (and kept, owner-only) the first time.

    Raises:
        InfrastructureError: the cluster was formatted (``formatted``) without them, so the brokers do not
            know these principals: it was started without authentication.
    """
    existing = load_passwords(kafka_dir)
    if existing is not None:
        return existing
    if formatted:
        raise InfrastructureError(
            f"the Kafka data in {kafka_dir} was formatted without authentication, so it has no SCRAM "
            f"principals; stop Kafka (`subshift stack down kafka`) and remove {kafka_dir}, or use another "
            "SUBSHIFT_STATE_DIR", retryable=False)
    passwords = {name: secrets.token_urlsafe(24) for name in PRINCIPALS}
    kafka_dir.mkdir(parents=True, exist_ok=True)
    path = kafka_dir / _FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(passwords, handle)
    return passwords


def client_variables(principal: str, password: str) -> dict[str, str]:
    """The ``SUBSHIFT_KAFKA_*`` variables that make a process authenticate as ``principal``."""
    return {
        "SUBSHIFT_KAFKA_SECURITY_PROTOCOL": PROTOCOL,
        "SUBSHIFT_KAFKA_SASL_MECHANISM": MECHANISM,
        "SUBSHIFT_KAFKA_SASL_USERNAME": principal,
        "SUBSHIFT_KAFKA_SASL_PASSWORD": password,
    }
