"""Bars of block characters: lengths in eighths of a cell, the light rest, the labels."""

from __future__ import annotations

from decimal import Decimal

from tui_crm.ui.widgets.forecast_charts import Bar, BarChart, bar_cells


def test_a_bar_is_as_long_as_its_share_of_the_scale():
    assert bar_cells(Decimal(100), Decimal(100), Decimal(100), 10) == ("█" * 10, "")
    assert bar_cells(Decimal(50), Decimal(50), Decimal(100), 10) == ("█" * 5, "")
    # 0.55 of 10 cells is 44 eighths: five full cells and a half.
    assert bar_cells(Decimal(55), Decimal(55), Decimal(100), 10) == ("█" * 5 + "▌", "")


def test_small_values_still_show_and_zero_shows_nothing():
    assert bar_cells(Decimal("0.01"), Decimal("0.01"), Decimal(10_000), 40) == ("▏", "")
    assert bar_cells(Decimal(0), Decimal(0), Decimal(100), 10) == ("", "")
    assert bar_cells(Decimal(0), Decimal(0), Decimal(0), 10) == ("", "")


def test_the_light_part_runs_from_the_strong_part_to_the_total():
    strong, light = bar_cells(Decimal(10), Decimal(40), Decimal(40), 20)
    assert (strong, light) == ("█" * 5, "░" * 15)
    # A total just above the weighted part keeps one light cell, so it reads as more.
    assert bar_cells(Decimal(10), Decimal("10.1"), Decimal(40), 20) == ("█" * 5, "░")


def test_chart_lines_have_labels_values_and_never_pass_the_width():
    chart = BarChart()
    chart.bars = [Bar("Acme [/] Corp [bold]", Decimal(5), Decimal(10), "5 of 10"),
                  Bar("B", Decimal(0), Decimal(0), "0")]
    for width in (30, 50, 80):
        lines = chart.chart_text(width).plain.splitlines()
        assert all(len(line) <= width for line in lines)
        assert lines[0].endswith("5 of 10") and lines[1].endswith(" 0")
    assert chart.chart_text(80).plain.startswith("Acme [/] Corp [bold]")
