"""The registry side of the differential test: register, configure, ask for verdicts, clean up."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

__all__ = ["RegistryPeer"]

_HEADERS = {"Content-Type": "application/vnd.schemaregistry.v1+json"}


class RegistryPeer:
    """A Confluent-compatible registry reached over its REST API; every call raises on an unexpected answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(base_url=url.rstrip("/"), headers=_HEADERS, timeout=60.0,
                                   limits=httpx.Limits(max_connections=8))

    def close(self) -> None:
        self.client.close()

    def reachable(self) -> str | None:
        """None when the registry answers, else why not."""
        try:
            self.client.get("/subjects").raise_for_status()
        except httpx.HTTPError as error:
            return f"{type(error).__name__}: {error}"
        return None

    def set_mode(self, subject: str, mode: str) -> None:
        self._ok(self.client.put(f"/config/{quote(subject, safe='')}", json={"compatibility": mode}))

    def register(self, subject: str, schema: dict[str, Any]) -> int:
        """Register ``schema``; returns the registry's id (an equal schema gets the id already stored)."""
        path = f"/subjects/{quote(subject, safe='')}/versions"
        return int(self._ok(self.client.post(path, json={"schema": json.dumps(schema)}))["id"])

    def compatible(self, subject: str, schema: dict[str, Any], version: str | None = None) -> bool:
        """The registry's verdict: against every version (``version`` None) or against one version."""
        path = f"/compatibility/subjects/{quote(subject, safe='')}/versions" + (f"/{version}" if version else "")
        response = self.client.post(path, params={"verbose": "true"}, json={"schema": json.dumps(schema)})
        return bool(self._ok(response)["is_compatible"])

    def versions(self, subject: str) -> list[int]:
        return [int(v) for v in self._ok(self.client.get(f"/subjects/{quote(subject, safe='')}/versions"))]

    def delete(self, subject: str) -> None:
        for params in ({}, {"permanent": "true"}):
            self.client.delete(f"/subjects/{quote(subject, safe='')}", params=params)

    @staticmethod
    def _ok(response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise AssertionError(f"registry {response.request.method} {response.request.url} answered "
                                 f"{response.status_code}: {response.text[:500]}")
        return response.json()
