"""The client's version: the one place it is written (the distribution's metadata reads it from here).

It follows the contracts (semantic versioning, see CHANGELOG.md): a compatible contract change is a minor
release, a breaking one a major; fixes of the hand-written client are patch releases.
"""

from __future__ import annotations

__all__ = ["GENERATED_FINGERPRINT", "__version__"]

__version__ = "0.3.0"
# The SHA-256 of the generated code this version was released with (tests/unit/client/test_versioning.py
# computes it): when the contracts or the generator change the generated code, that test asks for a new
# version, a CHANGELOG entry, and this value.
GENERATED_FINGERPRINT = "e8f522d2b4f63fce8045e1b2aa93efd02a5ab5db8b3450e868a88c5a0f7f4651"
