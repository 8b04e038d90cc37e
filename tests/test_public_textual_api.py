"""Nothing in tui_crm/ or tests/ reads or writes an underscore-named attribute of
Textual: any Textual release may change those without a word.

Textual's private names are read from the installed Textual itself (every
``def _name`` and ``self._name`` in its source), so a new one is caught too; names
our own code defines (``self._pages`` of our list) are ours to use.
"""

from __future__ import annotations

import re
from pathlib import Path

import textual

ROOT = Path(__file__).resolve().parent.parent
DEFINED = re.compile(r"(?:\bdef\s+|\bself\.|^\s+)(_[a-z]\w*)\s*(?:\(|:|=[^=])", re.MULTILINE)
USED = re.compile(r"\.(_[a-z]\w*)\b")
# Textual's own names known to have been reached into here before: always private.
KNOWN = {"_screen_stacks", "_mounted_event", "_bindings", "_compositor", "_notifications",
         "_parse_rules", "_rules_map", "_require_parse", "_invalid_css", "_variables",
         "_timers"}
# Peewee's documented model metadata, which Textual happens to name alike.
PEEWEE = {"_meta"}


def _names(paths, pattern: re.Pattern) -> set[str]:
    return {name for path in paths for name in pattern.findall(path.read_text())}


def _ours() -> list[Path]:
    return sorted(p for folder in ("tui_crm", "tests") for p in (ROOT / folder).rglob("*.py")
                  if p != Path(__file__).resolve())  # this file names them on purpose


def textual_private_names() -> set[str]:
    textual_src = list(Path(textual.__file__).parent.rglob("*.py"))
    return (_names(textual_src, DEFINED) | KNOWN) - (_names(_ours(), DEFINED) - KNOWN) - PEEWEE


def private_uses() -> list[str]:
    private = textual_private_names()
    found = []
    for path in _ours():
        relative = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for name in USED.findall(line):
                if name in private:
                    found.append(f"{relative}:{number}: {name}")
    return found


def test_the_private_names_of_textual_are_known():
    names = textual_private_names()
    assert {"_compositor", "_screen_stacks", "_bindings", "_nodes", "_driver"} <= names
    assert "_live_token" not in names, "our own names are not Textual's"


def test_no_underscore_named_attribute_of_textual_is_used():
    assert private_uses() == []


def test_the_check_sees_a_private_read():
    private = "_compositor"  # a line that reads it, built here so no grep takes it for one
    assert USED.findall(f"text = app.screen.{private}.render_strips()") == [private]
    assert "_compositor" in textual_private_names()
