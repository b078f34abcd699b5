"""The client's version: the one place it is written (the distribution's metadata reads it from here).

It follows the contracts (semantic versioning, see CHANGELOG.md): a compatible contract change is a minor
release, a breaking one a major; fixes of the hand-written client are patch releases.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.2.0"
