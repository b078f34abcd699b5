"""Against a release baseline, report only the breaks that are new since that release.

A break the released version already had against some older version was accepted then
(reviewed, waived, published); repeating it in every later run would bury the new ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from subshift_contracts.avro_check import AvroVersion, check_avro
from subshift_contracts.findings import Finding
from subshift_contracts.modes import Mode

__all__ = ["new_since_baseline"]


def new_since_baseline(findings: Sequence[Finding], history: Sequence[AvroVersion], mode: Mode,
                       *, subject: str) -> list[Finding]:
    """``findings`` (of the new schema against ``history``) minus those the baseline already had.

    The baseline is the last version in ``history``; its own findings against the versions
    before it are computed the same way, so an unchanged break yields an equal finding.
    """
    if len(history) < 2:
        return list(findings)
    released = set(check_avro(history[-1].schema, history[:-1], mode, subject=subject))
    return [finding for finding in findings if finding not in released]
