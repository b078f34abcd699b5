"""The real registry the wire-fixture tests read with, and throwaway subjects in it.

The registry comes from settings (``SUBSHIFT_REGISTRY_URL``); when it cannot be reached the tests
fail with the reason: start the stack with ``.venv/bin/subshift stack up``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from subshift.config import load_settings


@pytest.fixture(scope="session")
def registry() -> SchemaRegistryClient:
    settings = load_settings()
    client = SchemaRegistryClient(settings.registry.as_client_conf())
    try:
        client.get_subjects()
    except Exception as error:  # any failure here means the stack is not usable
        pytest.fail(f"registry at {settings.registry.url} unreachable ({error}); run `.venv/bin/subshift stack up`",
                    pytrace=False)
    return client


@pytest.fixture
def throwaway_topic(registry: SchemaRegistryClient) -> Iterator[str]:
    """A topic name nobody uses; its ``-value`` subject is deleted afterwards."""
    topic = f"compat-fixtures-{uuid.uuid4().hex[:8]}"
    yield topic
    for permanent in (False, True):
        try:
            registry.delete_subject(f"{topic}-value", permanent=permanent)
        except SchemaRegistryError as error:
            if error.http_status_code != 404:
                raise
