"""The contract manifest, as the product's tools use it (the model lives in ``subshift_contracts_core.manifest``).

``load_manifest()`` without a folder reads the manifest of the repository of the current
directory, never a tree beside the installed package. Running services do not read it at all:
they use the copy the generator bakes into the client package (``subshift_client.topics``).
"""

from __future__ import annotations

from pathlib import Path

from subshift_contracts_core.manifest import (
    CompatibilityModeName,
    KeySpec,
    Manifest,
    TopicSpec,
    ValueSpec,
)
from subshift_contracts_core.manifest import load_manifest as _load_folder
from subshift_contracts_core.repository import open_manifest

__all__ = [
    "CompatibilityModeName",
    "KeySpec",
    "Manifest",
    "TopicSpec",
    "ValueSpec",
    "load_manifest",
]


def load_manifest(root: Path | None = None) -> Manifest:
    """The manifest in folder ``root``, or (``None``) the one of the current directory's repository.

    Raises:
        ContractError: no repository or manifest there, or the manifest breaks its rules.
    """
    return _load_folder(root) if root is not None else open_manifest()[1]
