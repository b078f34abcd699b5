"""Where the local PostgreSQL keeps its cluster: in the state directory, when its server user can reach it.

Running as root, PostgreSQL runs as the ``postgres`` system user, which must be able to enter every folder
above its cluster. A state directory below a folder closed to it (a checkout under ``/root``, or a ``mktemp -d``
folder, both mode 700) would make initdb fail with a bare "Permission denied". The cluster then lives in a
folder of its own under ``/var/tmp``, named for the state directory, so every ``subshift stack`` command of
that checkout finds the same one; the stack's log folder links to its server log.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import stat
from pathlib import Path

from subshift.errors import InfrastructureError

__all__ = ["RELOCATED_ROOT", "SERVICE_USER", "blocking_folder", "ensure_relocated_root", "postgres_home"]

SERVICE_USER = "postgres"
# A fixed name in a shared folder: ``ensure_relocated_root`` refuses one that is not root's own.
RELOCATED_ROOT = Path("/var/tmp/subshift-postgres")  # noqa: S108


def blocking_folder(path: Path, uid: int, gids: set[int]) -> Path | None:
    """The first existing folder above ``path`` that the user ``uid`` (in groups ``gids``) may not enter."""
    for folder in reversed(path.resolve().parents):
        try:
            info = folder.stat()
        except FileNotFoundError:
            continue  # made later by root with the usual umask: enterable
        if info.st_uid == uid:
            needed = stat.S_IXUSR
        elif info.st_gid in gids:
            needed = stat.S_IXGRP
        else:
            needed = stat.S_IXOTH
        if uid != 0 and not info.st_mode & needed:
            return folder
    return None


def postgres_home(state_dir: Path) -> Path:
    """The folder of the cluster (data, socket, server log) for the stack whose state is in ``state_dir``."""
    wanted = state_dir / "postgres"
    if os.geteuid() != 0:
        return wanted  # the server runs as the caller, who can reach the caller's own state
    try:
        account = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        return wanted  # starting the server says that the user is missing
    groups = {account.pw_gid, *os.getgrouplist(SERVICE_USER, account.pw_gid)}
    if blocking_folder(wanted, account.pw_uid, groups) is None:
        return wanted
    return RELOCATED_ROOT / hashlib.sha256(str(state_dir).encode()).hexdigest()[:16]


def ensure_relocated_root() -> None:
    """Make ``RELOCATED_ROOT`` (root's own, mode 755) for clusters kept apart from their state.

    Raises:
        InfrastructureError: it exists but is a link, someone else's, or writable by others (``/var/tmp`` is
            shared: such a folder could hand the cluster to another user).
    """
    RELOCATED_ROOT.mkdir(mode=0o755, exist_ok=True)
    info = RELOCATED_ROOT.lstat()
    if stat.S_ISLNK(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
        raise InfrastructureError(
            f"{RELOCATED_ROOT} is not root's own folder of mode 755; remove it, or set SUBSHIFT_STATE_DIR to a "
            f"folder the `{SERVICE_USER}` user can enter",
            retryable=False,
        )
