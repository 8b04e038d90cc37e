"""The server's host key: made on first start, kept private, its fingerprint shown."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import asyncssh

from tui_crm.core.errors import CrmError

FILE_NAME = "ssh_host_ed25519_key"


def default_host_key_path() -> Path:
    """The host key's file in tui-crm's data directory."""
    from platformdirs import user_data_path

    return user_data_path("tui-crm", appauthor=False) / FILE_NAME


def load_or_create_host_key(path: Path) -> tuple[asyncssh.SSHKey, bool]:
    """The host key at ``path``, made (ed25519, mode 0600) when there is none yet;
    and whether it was just made."""
    created = False
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519", comment="tui-crm serve")
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key.export_private_key())
        except FileExistsError:
            pass  # another server made it meanwhile: use theirs
        except OSError as exc:
            raise CrmError(f"Cannot write the host key {path}: {exc.strerror}.") from exc
        else:
            created = True
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise CrmError(f"The host key {path} may be read by others (mode {mode:o}): "
                           f"run chmod 600 {path}.")
        return asyncssh.read_private_key(path), created
    except OSError as exc:
        raise CrmError(f"Cannot read the host key {path}: {exc.strerror}.") from exc
    except asyncssh.KeyImportError as exc:
        raise CrmError(f"The host key {path} is not a private key ({exc}).") from exc
