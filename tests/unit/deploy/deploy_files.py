"""Paths and loaders shared by the deployment-artefact tests (all offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from subshift.config import Settings

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    """Every non-empty YAML document of ``path``."""
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def load_kustomization() -> dict[str, Any]:
    documents = load_yaml_documents(K8S / "kustomization.yaml")
    assert len(documents) == 1
    return documents[0]


def render_kustomization(kustomization: dict[str, Any]) -> list[dict[str, Any]]:
    """What ``kubectl kustomize deploy/k8s`` would emit for the parts we use.

    The listed resources in order, with the kustomization's namespace set on namespaced
    objects and its image override applied to every container.
    """
    images = {image["name"]: image for image in kustomization.get("images", [])}
    out: list[dict[str, Any]] = []
    for name in kustomization["resources"]:
        for doc in load_yaml_documents(K8S / name):
            if doc["kind"] != "Namespace" and "namespace" in kustomization:
                doc["metadata"].setdefault("namespace", kustomization["namespace"])
            for container in _containers(doc):
                override = images.get(container["image"])
                if override:
                    container["image"] = f"{override.get('newName', container['image'])}:{override['newTag']}"
            out.append(doc)
    return out


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    workload = doc.get("spec", {})
    if doc.get("kind") == "CronJob":
        workload = workload.get("jobTemplate", {}).get("spec", {})
    spec = workload.get("template", {}).get("spec", {})
    containers: list[dict[str, Any]] = [*spec.get("initContainers", []), *spec.get("containers", [])]
    return containers


def find(rendered: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [doc for doc in rendered if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def containers_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return _containers(doc)


def setting_env_names() -> set[str]:
    """Every SUBSHIFT_* variable the settings read: top-level fields and each section's."""
    names = set()
    for field, info in Settings.model_fields.items():
        section = info.annotation
        if isinstance(section, type) and hasattr(section, "model_fields"):
            names |= {f"SUBSHIFT_{field.upper()}_{sub.upper()}" for sub in section.model_fields}
        else:
            names.add(f"SUBSHIFT_{field.upper()}")
    return names
