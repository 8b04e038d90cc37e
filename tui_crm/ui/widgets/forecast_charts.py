"""Horizontal bar charts drawn with block characters, labelled, readable without colour.

A bar is made of segments: ``█`` for the part that counts most (weighted pipeline,
won revenue) and ``░`` for the rest (the unweighted remainder), so the picture
reads the same in 16 colours, with NO_COLOR, or on a monochrome terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from tui_crm.ui.text import safe

FULL = "█"
LIGHT = "░"
# Left-aligned eighths of a cell: a bar ends within an eighth of its true length.
EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")


@dataclass(frozen=True)
class Bar:
    """One line of a chart: a label, the bar's (strong, total) values and their text."""

    label: str
    strong: Decimal
    total: Decimal
    value_text: str


def bar_cells(strong: Decimal, total: Decimal, scale: Decimal, width: int) -> tuple[str, str]:
    """The strong part (``█`` with an eighth-cell tip) and the light rest (``░``).

    ``scale`` is the value of a full-width bar. A value above zero always shows at
    least an eighth, so a small deal never looks like no deal.
    """
    if scale <= 0 or width <= 0:
        return "", ""
    eighths = int((strong / scale * width * 8).to_integral_value())
    if strong > 0:
        eighths = max(eighths, 1)
    full, tip = divmod(min(eighths, width * 8), 8)
    strong_text = FULL * full + EIGHTHS[tip]
    total_cells = int((total / scale * width).to_integral_value())
    if total > strong:
        total_cells = max(total_cells, len(strong_text) + 1)
    light_text = LIGHT * max(0, min(total_cells, width) - len(strong_text))
    return strong_text, light_text


class BarChart(Widget):
    """Bars of block characters with their labels and values; fits any width."""

    COMPONENT_CLASSES = {"bar-chart--strong", "bar-chart--light", "bar-chart--label",
                         "bar-chart--value"}
    DEFAULT_CSS = """
    BarChart { height: auto; }
    BarChart > .bar-chart--strong { color: $primary; }
    BarChart > .bar-chart--light { color: $text-muted; }
    BarChart > .bar-chart--value { text-style: bold; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.bars: list[Bar] = []
        self.empty_text = "Nothing to show."

    def show(self, bars: Sequence[Bar], empty_text: str = "Nothing to show.") -> None:
        self.bars = list(bars)
        self.empty_text = empty_text
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.bars))

    def render(self) -> Text:
        return self.chart_text(self.content_size.width)

    def chart_text(self, width: int) -> Text:
        """The whole chart at ``width`` columns, one bar per line."""
        if not self.bars:
            return Text(self.empty_text)
        label_width = min(max(len(bar.label) for bar in self.bars), max(8, width // 3))
        value_width = max(len(bar.value_text) for bar in self.bars)
        bar_width = max(4, width - label_width - value_width - 3)
        scale = max(bar.total for bar in self.bars)
        styles = {name: (self.get_component_rich_style(name, partial=True)
                         if self.is_mounted else Style())
                  for name in self.COMPONENT_CLASSES}
        lines = [self._line(bar, label_width, bar_width, value_width, scale, styles)
                 for bar in self.bars]
        return Text("\n").join(lines)

    @staticmethod
    def _line(bar: Bar, label_width: int, bar_width: int, value_width: int,
              scale: Decimal, styles: dict[str, Style]) -> Text:
        label = safe(bar.label)
        label.truncate(label_width, overflow="ellipsis", pad=True)
        label.stylize(styles["bar-chart--label"])
        strong, light = bar_cells(bar.strong, bar.total, scale, bar_width)
        line = Text.assemble(label, " ", (strong, styles["bar-chart--strong"]),
                             (light, styles["bar-chart--light"]))
        line.pad_right(label_width + 1 + bar_width + 1 - line.cell_len)
        line.append(bar.value_text.rjust(value_width), styles["bar-chart--value"])
        return line
