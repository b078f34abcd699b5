"""A new cluster's id: Kafka's Uuid text form, never one the storage tool would take for an option."""

from __future__ import annotations

import base64
import uuid

import pytest

from subshift_tooling.stack import kafka

_DASHED = uuid.UUID(bytes=b"\xf8" + bytes(15))  # its text form starts with "-"
_PLAIN = uuid.UUID(bytes=bytes(range(16)))
_URL_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_an_id_starting_with_a_dash_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter([_DASHED, _PLAIN])
    monkeypatch.setattr(kafka.uuid, "uuid4", lambda: next(draws))
    assert base64.urlsafe_b64encode(_DASHED.bytes).decode().startswith("-")
    assert kafka._new_cluster_id() == "AAECAwQFBgcICQoLDA0ODw"


def test_ids_are_22_characters_of_url_safe_base64() -> None:
    ids = {kafka._new_cluster_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(len(i) == 22 and not i.startswith("-") and set(i) <= _URL_SAFE for i in ids)
