"""`tui-crm serve` refuses to start, in one sentence, without what it needs."""

from __future__ import annotations

import os
import subprocess
import sys


def serve(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    return subprocess.run([sys.executable, "-m", "tui_crm", "serve", "--port", "0",
                           "--db", str(tmp_path / "crm.db"), *args],
                          capture_output=True, text=True, env=env, timeout=60,
                          stdin=subprocess.DEVNULL)


def test_no_keys_file_is_one_sentence_saying_what_to_write(tmp_path):
    result = serve(tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    default = tmp_path / "config" / "tui-crm" / "keys"
    assert result.stderr.splitlines()[-1] == (  # (after the line saying the database is new)
        f"tui-crm: There is no keys file at {default}: write one line per user, an OpenSSH "
        "public key followed by the user's name (ssh-ed25519 AAAA... alice), or name one "
        "with --keys.")


def test_a_host_key_others_may_read_is_refused(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("")
    host_key = tmp_path / "host_key"
    host_key.write_text("not read")
    host_key.chmod(0o644)
    result = serve(tmp_path, "--keys", str(keys), "--host-key", str(host_key))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"tui-crm: The host key {host_key} may be read by others (mode 644): run chmod 600 "
        f"{host_key}.")


def test_bad_limits_are_usage_errors(tmp_path):
    for args, said in ((("--idle-timeout", "5x"), "not a duration: '5x'"),
                       (("--max-sessions", "0"), "must be 1 or more"),
                       (("--max-per-user", "two"), "not a whole number: 'two'")):
        result = serve(tmp_path, *args)
        assert result.returncode == 2 and said in result.stderr
        assert len(result.stderr.splitlines()) == 1
