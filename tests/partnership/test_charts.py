"""The pure chart builders: figure, table and summary say the same thing; bad input is refused."""

from __future__ import annotations

import json

import pytest
from django.template.loader import render_to_string

from partnership.charts import NO_DATA, Series, bar_chart, level_heatmap, line_chart, percent

LEVELS = ["Beginning", "Developing", "Embedding", "Leading"]


def test_bar_chart_figure_table_and_summary_agree():
    chart = bar_chart(
        key="cats",
        title="Schools by category",
        categories=["A", "B", "C"],
        series=[Series("Schools", [3, 10, None])],
        category_label="Category",
        value_label="Schools",
    )
    trace = chart.figure["data"][0]
    assert trace["type"] == "bar" and trace["x"] == ["A", "B", "C"] and trace["y"] == [3, 10, None]
    assert chart.table.head == ["Category", "Schools"]
    assert chart.table.rows == [["A", "3"], ["B", "10"], ["C", NO_DATA]]
    assert chart.summary == "Highest: B (10); lowest: A (3)."
    json.dumps(chart.figure)  # JSON-ready, no Python-only values


def test_horizontal_stacked_bars_and_percent_format():
    chart = bar_chart(
        key="share",
        title="Share",
        categories=["X"],
        series=[Series("Done", [62.5]), Series("Late", [37.5])],
        category_label="Cluster",
        value_label="%",
        stacked=True,
        horizontal=True,
        fmt=percent,
        summary="Most actions done.",
    )
    assert chart.figure["layout"]["barmode"] == "stack"
    assert chart.figure["data"][0]["orientation"] == "h"
    assert chart.table.rows == [["X", "62.5%", "37.5%"]]
    assert chart.summary == "Most actions done."


def test_line_chart_summary_gives_direction():
    chart = line_chart(
        key="trend",
        title="Trend",
        x=["2024", "2025", "2026"],
        series=[Series("Vision", [1, None, 3]), Series("Trust", [2, 2, 1]), Series("Empty", [None, None, None])],
        x_label="Year",
        value_label="Level",
    )
    assert chart.summary == "Vision: 1 (2024) to 3 (2026), up; Trust: 2 (2024) to 1 (2026), down; Empty: no data."
    assert chart.figure["data"][0]["connectgaps"] is False


def test_level_heatmap_text_in_cells_and_movement_summary():
    chart = level_heatmap(
        key="grid",
        title="Levels",
        rows=["Vision", "Trust", "Links"],
        columns=["2025", "2026"],
        levels=LEVELS,
        values=[[0, 1], [3, 2], [None, 2]],
        row_label="Strand",
    )
    trace = chart.figure["data"][0]
    assert trace["showscale"] is False  # colour bars set style attributes the CSP refuses
    assert trace["text"] == [["Beginning", "Developing"], ["Leading", "Embedding"], [NO_DATA, "Embedding"]]
    assert chart.table.rows[2] == ["Links", NO_DATA, "Embedding"]
    assert chart.summary == "2026: 1 developing, 2 embedding. Since 2025: 1 up, 1 down, 0 the same."


@pytest.mark.parametrize(
    "kwargs",
    [
        {"values": [[0, 4]]},  # outside the scale
        {"values": [[0]]},  # too few cells
    ],
)
def test_level_heatmap_refuses_bad_grids(kwargs):
    with pytest.raises(ValueError):
        level_heatmap(key="g", title="t", rows=["r"], columns=["a", "b"], levels=LEVELS, row_label="S", **kwargs)


def test_lengths_and_keys_are_checked():
    with pytest.raises(ValueError, match="2 values for 3"):
        bar_chart(
            key="k",
            title="t",
            categories=["a", "b", "c"],
            series=[Series("s", [1, 2])],
            category_label="c",
            value_label="v",
        )
    with pytest.raises(ValueError, match="chart key"):
        bar_chart(
            key="Bad key", title="t", categories=["a"], series=[Series("s", [1])], category_label="c", value_label="v"
        )


def test_include_renders_figure_as_json_data_and_table():
    chart = bar_chart(
        key="inc",
        title="Quotes <b>",
        categories=["A"],
        series=[Series("S", [1])],
        category_label="Cat",
        value_label="Val",
    )
    html = render_to_string("includes/chart.html", {"chart": chart})
    assert '<script id="chart-inc-figure" type="application/json">' in html
    assert 'data-app-chart="chart-inc-figure"' in html
    assert "Quotes &lt;b&gt;" in html and "<b>" not in html.split("application/json")[0]
    assert 'type="module" src="/static/build/charts.js"' in html
    assert '<th scope="row" class="govuk-table__header">A</th>' in html
    assert "style=" not in html  # nothing the CSP would refuse
