"""The keys file: who may come in, and as which CRM user.

The file is in OpenSSH's authorized_keys format, one key a line; the last word of a
line (its comment) is the CRM user that key signs in as. It is read again whenever
it changes, so a removed line refuses that key's next connection.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from tui_crm.core.text import printable

KEY_TYPES = ("ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-")


def default_keys_path() -> Path:
    """``keys`` in tui-crm's configuration directory."""
    from platformdirs import user_config_path

    return user_config_path("tui-crm", appauthor=False) / "keys"


@dataclass(frozen=True)
class KeyUser:
    """A key allowed in, and the CRM user it signs in as."""

    user: str
    fingerprint: str


def parse_keys(text: str) -> tuple[dict[bytes, KeyUser], list[str]]:
    """The keys of an authorized_keys text, by public key, and a sentence per bad line.

    A line with options before its key (``from=...``, ``command=...``) is refused
    rather than served without them: those options are not supported.
    """
    keys: dict[bytes, KeyUser] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if not words[0].startswith(KEY_TYPES):
            problems.append(f"line {number}: options before the key are not supported")
            continue
        if len(words) < 3:
            problems.append(f"line {number}: no user name after the key (the last word "
                            "of the line is the CRM user)")
            continue
        user = printable(words[-1], single_line=True)
        if not user or user != words[-1]:
            problems.append(f"line {number}: the user name holds control characters")
            continue
        try:
            key = asyncssh.import_public_key(" ".join(words[:2]))
        except (asyncssh.KeyImportError, ValueError) as exc:
            problems.append(f"line {number}: not a public key ({exc})")
            continue
        keys[key.public_data] = KeyUser(user, key.get_fingerprint("sha256"))
    return keys, problems


class KeysFile:
    """The keys file, read again when it changes (checked at each authentication)."""

    def __init__(self, path: Path, report: Callable[[str], None]):
        self.path = path
        self.report = report
        self.stamp: tuple[int, int, int] | None = None
        self.keys: dict[bytes, KeyUser] = {}
        self.refresh()

    def refresh(self) -> None:
        try:
            info = os.stat(self.path)
        except OSError:
            if self.stamp != (0, 0, 0):
                self.report(f"keys: no file at {self.path}: every key is refused")
            self.stamp, self.keys = (0, 0, 0), {}
            return
        stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
        if stamp == self.stamp:
            return
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            self.report(f"keys: cannot read {self.path} ({exc.strerror}): every key is "
                        "refused")
            self.stamp, self.keys = stamp, {}
            return
        self.stamp = stamp
        self.keys, problems = parse_keys(text)
        for problem in problems:
            self.report(f"keys: {self.path}: {problem} (skipped)")
        users = sorted({entry.user for entry in self.keys.values()})
        self.report(f"keys: {len(self.keys)} keys for {len(users)} users from {self.path}")

    def user_of(self, key: asyncssh.SSHKey) -> KeyUser | None:
        """The CRM user a public key signs in as, or None when the key is not listed."""
        self.refresh()
        return self.keys.get(key.public_data)
