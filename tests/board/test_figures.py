"""The board's figures are pure functions of selector output: what a suppressed round draws (and does not)."""

from __future__ import annotations

from django.template.loader import render_to_string

from partnership.board.figures import SUPPRESSED, movement_sankey


def test_a_movement_with_every_flow_suppressed_draws_no_picture_but_keeps_its_table():
    chart = movement_sankey(key="m", title="Movement", movement=[(1, 1, None), (2, 3, None)], before="A", after="B")
    assert chart.figure == {}  # plotly fails on an empty Sankey ("Invalid array length")
    assert [row[2] for row in chart.table.rows] == [SUPPRESSED, SUPPRESSED]
    html = render_to_string("includes/chart.html", {"chart": chart})
    assert "data-app-chart" not in html and "application/json" not in html
    assert "no picture" in html and "<table" in html


def test_a_movement_with_shown_flows_draws_them():
    chart = movement_sankey(
        key="m", title="Movement", movement=[(1, 1, 5), (2, 3, None), (3, 2, 4)], before="A", after="B"
    )
    link = chart.figure["data"][0]["link"]
    assert link["value"] == [5, 4]
    html = render_to_string("includes/chart.html", {"chart": chart})
    assert "data-app-chart" in html and "application/json" in html
