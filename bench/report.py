"""Figures (samples with their median, min and max), ratios against targets, the table."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Figure:
    """One measured quantity: every sample of it taken in this run."""

    key: str
    label: str
    unit: str  # "s", "MiB" or "B" (bytes written to the terminal)
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def cell(self, value: float) -> str:
        if self.unit == "s":
            return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
        if self.unit == "B":
            return f"{value:,.0f} B"
        return f"{value:.1f} {self.unit}"


@dataclass(frozen=True)
class Ratio:
    number: str
    label: str
    numerator: str
    denominator: str | None  # None: the numerator's median itself, against the target
    target: float | None  # None: shown for information, no target


@dataclass(frozen=True)
class RatioResult:
    ratio: Ratio
    value: float | None  # None when a figure is missing

    @property
    def met(self) -> bool:
        if self.ratio.target is None:
            return True
        return self.value is not None and self.value <= self.ratio.target


def compute(ratios: list[Ratio], figures: dict[str, Figure]) -> list[RatioResult]:
    out = []
    for ratio in ratios:
        top = figures.get(ratio.numerator)
        if ratio.denominator is None:
            out.append(RatioResult(ratio, top.median if top and top.samples else None))
            continue
        bottom = figures.get(ratio.denominator)
        value = top.median / bottom.median if top and bottom and top.samples \
            and bottom.samples else None
        out.append(RatioResult(ratio, value))
    return out


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))) \
            + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2))
                          for i, w in enumerate(widths)) + "|"
    return [line(header), rule, *(line(row) for row in rows)]


def figures_table(figures: list[Figure]) -> list[str]:
    rows = [[f.label, f.cell(f.median), f.cell(min(f.samples)), f.cell(max(f.samples)),
             str(len(f.samples))] for f in figures if f.samples]
    return _table(["figure", "median", "min", "max", "runs"], rows, {1, 2, 3, 4})


def ratios_table(results: list[RatioResult], figures: dict[str, Figure]) -> list[str]:
    rows = []
    for result in results:
        ratio = result.ratio
        absolute = ratio.denominator is None  # bytes (or MiB), not a ratio
        figure = figures.get(ratio.numerator)
        unit = "MiB" if figure is not None and figure.unit == "MiB" else "B"
        shape = ",.1f" if unit == "MiB" else ",.0f"
        value = "missing" if result.value is None else \
            f"{result.value:{shape}} {unit}" if absolute else f"{result.value:.2f}"
        if ratio.target is None:
            rows.append([ratio.number, ratio.label, value, "none", "for information"])
            continue
        target = f"<= {ratio.target:{shape}} {unit}" if absolute else f"<= {ratio.target:g}"
        rows.append([ratio.number, ratio.label, value, target,
                     "met" if result.met else "MISSED"])
    return _table(["#", "ratio (median / median)", "value", "target", ""], rows, {2, 3})
