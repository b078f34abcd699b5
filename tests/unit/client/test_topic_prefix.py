"""A deployment's topic prefix applies to the manifest's topics, never twice to a topic the caller named."""

from __future__ import annotations

import dataclasses

import pytest

from subshift_client.topics import TOPIC_PREFIX_ENV, USER_OFFERS, deployed_topic


def test_a_manifest_topic_gets_the_prefix_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOPIC_PREFIX_ENV, "staging.")
    topic = deployed_topic(USER_OFFERS)
    assert topic.name == "staging." + USER_OFFERS.name
    assert topic.dead_letter_topic == f"staging.{USER_OFFERS.dead_letter_topic}"
    assert topic.value_subject == USER_OFFERS.value_subject


def test_an_explicit_prefix_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOPIC_PREFIX_ENV, "staging.")
    assert deployed_topic(USER_OFFERS, "mine.").name == "mine." + USER_OFFERS.name
    assert deployed_topic(USER_OFFERS, "") is USER_OFFERS


def test_a_topic_the_caller_named_is_used_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOPIC_PREFIX_ENV, "staging.")
    already = dataclasses.replace(USER_OFFERS, name="staging." + USER_OFFERS.name)
    assert deployed_topic(already) is already


def test_no_prefix_leaves_the_manifest_topic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOPIC_PREFIX_ENV, raising=False)
    assert deployed_topic(USER_OFFERS) is USER_OFFERS
