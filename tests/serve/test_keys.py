"""The keys file's lines, and durations as `serve` takes them."""

from __future__ import annotations

import asyncssh
import pytest

from tui_crm.serve.keys import KeysFile, parse_keys
from tui_crm.serve.server import parse_duration


def public_line(comment: str = "") -> tuple[asyncssh.SSHKey, str]:
    key = asyncssh.generate_private_key("ssh-ed25519").convert_to_public()
    return key, f"{key.export_public_key().decode().split()[0]} " \
                f"{key.export_public_key().decode().split()[1]} {comment}".rstrip()


def test_the_last_word_of_a_line_is_its_user_and_bad_lines_are_named():
    alice, alice_line = public_line("Alice Martin alice")
    _, no_user = public_line()
    _, optioned = public_line("bob")
    text = "\n".join([
        "# the team", "", alice_line, no_user, f'from="10.0.0.1" {optioned}',
        "ssh-ed25519 AAAAnotakey carol", "ssh-ed25519 AAAA dave\x1b]0;x\x07"])
    keys, problems = parse_keys(text)
    assert [(entry.user, entry.fingerprint) for entry in keys.values()] == \
        [("alice", alice.get_fingerprint("sha256"))]
    assert [p.split(":")[0] for p in problems] == ["line 4", "line 5", "line 6", "line 7"]
    assert "no user name" in problems[0] and "options" in problems[1]
    assert "not a public key" in problems[2] and "control characters" in problems[3]


def test_the_file_is_read_again_when_it_changes(tmp_path):
    alice, alice_line = public_line("alice")
    bob, bob_line = public_line("bob")
    path = tmp_path / "keys"
    path.write_text(alice_line + "\n")
    said: list[str] = []
    keys = KeysFile(path, said.append)
    assert keys.user_of(alice).user == "alice" and keys.user_of(bob) is None
    path.write_text(bob_line + "\n")
    assert keys.user_of(alice) is None and keys.user_of(bob).user == "bob"
    path.unlink()
    assert keys.user_of(bob) is None
    assert said[-1].startswith("keys: no file at")


@pytest.mark.parametrize("text, seconds", [
    ("90s", 90), ("30m", 1800), ("2h", 7200), ("45", 2700), ("1.5m", 90)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "m", "ten minutes", "-5m", "3d"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)
