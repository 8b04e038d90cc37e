"""The one way user text reaches the screen: literally, never as markup or escapes."""

from __future__ import annotations

from rich.text import Text

from tui_crm.core.text import printable


def safe(value: object, *, style: str = "", single_line: bool = True) -> Text:
    """User text as a Rich ``Text``: markup shown as typed, control characters removed.

    Pass the result to ``Static``, ``Label``, table cells and the like; never pass
    user text to a widget as a plain ``str`` (it would be parsed as markup).
    """
    return Text(printable(value, single_line=single_line), style=style)
