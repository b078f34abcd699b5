"""The contract generator: ``contracts/`` → ``clients/python/src/subshift_client/_generated/``.

Its versions are pinned in ``codegen/versions.toml``; ``subshift contracts generate`` runs it.
"""

from __future__ import annotations

from subshift_tooling.codegen.generator import CodegenPaths, GenerationReport, build, generate, stale_files

__all__ = ["CodegenPaths", "GenerationReport", "build", "generate", "stale_files"]
