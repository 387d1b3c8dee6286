"""Pure chart builders: plain numbers from a selector in, a plotly figure with its table and summary out.

No Django and no database here: every function takes already-read values and returns a ``Chart`` (a plotly
figure as a JSON-ready dict, a ``Table`` of exactly the same numbers and a one-line text summary). Pages
render it with ``{% include "includes/chart.html" with chart=... %}``, which writes the figure with
``json_script`` and lets ``static/src/js/charts.js`` draw it with our own plotly.js (no CDN, no inline
script; ``docs/adr/0014-charts-under-csp.md``). The table and the summary are what screen-reader and
no-JavaScript users get, so they must say everything the picture says.

Missing values are ``None``: a gap in the chart, "No data" in the table, left out of the summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Number = float | int

# GOV.UK Design System colours (govuk-frontend 6), in the order series take them. Each has at least 3:1
# contrast with white, so bars and lines are distinguishable from the background (WCAG 1.4.11).
SERIES_COLOURS = ["#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#505a5f", "#912b88", "#28a197"]
# Ordinal levels, light to dark (blue tints), for heat maps of levels such as beginning → leading.
LEVEL_COLOURS = ["#d2e2f1", "#8eb8dc", "#2b73b3", "#003078", "#001d4a", "#000f26"]
NO_DATA = "No data"
FONT = {"family": "Helvetica, Arial, sans-serif", "size": 16, "color": "#0b0c0c"}


@dataclass(frozen=True)
class Series:
    """One named line or set of bars: a value per category (``None`` where there is none)."""

    name: str
    values: Sequence[Number | None]


@dataclass(frozen=True)
class Table:
    """The chart's numbers as a GOV.UK table: header cells, then one row of display strings per category."""

    caption: str
    head: list[str]
    rows: list[list[str]]
    numeric: bool = True  # every column after the first is a number (right-aligned)


@dataclass(frozen=True)
class Chart:
    """A figure ready for ``includes/chart.html``: ``key`` must be unique on its page."""

    key: str
    title: str
    summary: str
    figure: dict[str, Any]
    table: Table
    notes: list[str] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        """The id of the chart's ``<figure>``."""
        return f"chart-{self.key}"

    @property
    def data_id(self) -> str:
        """The id of the ``<script type="application/json">`` holding the figure."""
        return f"chart-{self.key}-figure"


def number(value: Number | None) -> str:
    """A value as the tables show it: thousands separated, whole numbers without decimals, others to 1 dp."""
    if value is None:
        return NO_DATA
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def percent(value: Number | None) -> str:
    """A percentage value (already 0–100) to 1 dp with a per cent sign."""
    return NO_DATA if value is None else f"{value:,.1f}%"


def _key(key: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
        raise ValueError(f"chart key {key!r}: use lower-case letters, digits and hyphens")
    return key


def _layout(title: str, *, height: int, **extra: Any) -> dict[str, Any]:
    # The title is the include's <figcaption>, not drawn in the SVG (it would be read twice).
    layout: dict[str, Any] = {
        "font": FONT,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "showlegend": True,
        # Above the plot, so it never sits on the x-axis title.
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"},
        "meta": {"title": title},
    }
    layout.update(extra)
    return layout


def _check_lengths(categories: Sequence[str], series: Sequence[Series]) -> None:
    if not series:
        raise ValueError("a chart needs at least one series")
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(categories)} categories")


def _extremes_summary(categories: Sequence[str], s: Series, fmt: Callable[[Number | None], str]) -> str:
    present = [(v, c) for c, v in zip(categories, s.values, strict=True) if v is not None]
    if not present:
        return "No data yet."
    if len(present) == 1:
        return f"{present[0][1]}: {fmt(present[0][0])}."
    high = max(present, key=lambda p: p[0])
    low = min(present, key=lambda p: p[0])
    if high[0] == low[0]:
        return f"All {len(present)} are {fmt(high[0])}."
    return f"Highest: {high[1]} ({fmt(high[0])}); lowest: {low[1]} ({fmt(low[0])})."


def _table(
    caption: str, first: str, categories: Sequence[str], series: Sequence[Series], fmt: Callable[[Number | None], str]
) -> Table:
    rows = [[c, *(fmt(s.values[i]) for s in series)] for i, c in enumerate(categories)]
    return Table(caption=caption, head=[first, *(s.name for s in series)], rows=rows)


def bar_chart(
    *,
    key: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    category_label: str,
    value_label: str,
    summary: str | None = None,
    stacked: bool = False,
    horizontal: bool = False,
    fmt: Callable[[Number | None], str] = number,
    value_range: tuple[Number, Number] | None = None,
) -> Chart:
    """Bars per category, one colour per series (grouped, or stacked); the summary names highest and lowest.

    The default summary describes the first series; pass ``summary`` when several series matter.
    """
    _check_lengths(categories, series)
    traces = []
    for i, s in enumerate(series):
        values = list(s.values)
        trace: dict[str, Any] = {
            "type": "bar",
            "name": s.name,
            "marker": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)]},
            "text": [fmt(v) if v is not None else "" for v in values],
            "hovertemplate": "%{text}<extra>" + s.name + "</extra>",
        }
        if horizontal:
            trace.update(x=values, y=list(categories), orientation="h")
        else:
            trace.update(x=list(categories), y=values)
        traces.append(trace)
    value_axis: dict[str, Any] = {"title": {"text": value_label}, "gridcolor": "#b1b4b6", "zeroline": True}
    if value_range is not None:
        value_axis["range"] = list(value_range)
    category_axis: dict[str, Any] = {"title": {"text": category_label}, "automargin": True, "type": "category"}
    if horizontal:
        category_axis["autorange"] = "reversed"  # first category at the top, as in the table
    height = max(320, 40 * len(categories) * (1 if stacked else max(1, len(series))) + 120) if horizontal else 400
    layout = _layout(
        title,
        height=height,
        barmode="stack" if stacked else "group",
        showlegend=len(series) > 1,
        xaxis=value_axis if horizontal else category_axis,
        yaxis=category_axis if horizontal else value_axis,
    )
    return Chart(
        key=_key(key),
        title=title,
        summary=summary or _extremes_summary(categories, series[0], fmt),
        figure={"data": traces, "layout": layout},
        table=_table(title, category_label, categories, series, fmt),
    )


def line_chart(
    *,
    key: str,
    title: str,
    x: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    value_label: str,
    summary: str | None = None,
    fmt: Callable[[Number | None], str] = number,
    value_range: tuple[Number, Number] | None = None,
) -> Chart:
    """Lines over ordered points (years, terms); the summary gives each series' first and latest value."""
    _check_lengths(x, series)
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": s.name,
            "x": list(x),
            "y": list(s.values),
            "line": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "width": 3},
            "marker": {"size": 8, "symbol": ["circle", "square", "diamond", "triangle-up"][i % 4]},
            "connectgaps": False,
            "text": [fmt(v) if v is not None else "" for v in s.values],
            "hovertemplate": "%{x}: %{text}<extra>" + s.name + "</extra>",
        }
        for i, s in enumerate(series)
    ]
    value_axis: dict[str, Any] = {"title": {"text": value_label}, "gridcolor": "#b1b4b6"}
    if value_range is not None:
        value_axis["range"] = list(value_range)
    layout = _layout(
        title,
        height=400,
        showlegend=len(series) > 1,
        xaxis={"title": {"text": x_label}, "type": "category", "automargin": True},
        yaxis=value_axis,
    )
    return Chart(
        key=_key(key),
        title=title,
        summary=summary or _trend_summary(x, series, fmt),
        figure={"data": traces, "layout": layout},
        table=_table(title, x_label, x, series, fmt),
    )


def _trend_summary(x: Sequence[str], series: Sequence[Series], fmt: Callable[[Number | None], str]) -> str:
    parts = []
    for s in series[:4]:
        present = [(p, v) for p, v in zip(x, s.values, strict=True) if v is not None]
        if not present:
            parts.append(f"{s.name}: no data")
        elif len(present) == 1:
            parts.append(f"{s.name}: {fmt(present[0][1])} ({present[0][0]})")
        else:
            (p0, v0), (p1, v1) = present[0], present[-1]
            direction = "up" if v1 > v0 else "down" if v1 < v0 else "unchanged"
            parts.append(f"{s.name}: {fmt(v0)} ({p0}) to {fmt(v1)} ({p1}), {direction}")
    more = f"; and {len(series) - 4} more in the table" if len(series) > 4 else ""
    return "; ".join(parts) + more + "."


def level_heatmap(
    *,
    key: str,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    levels: Sequence[str],
    values: Sequence[Sequence[int | None]],
    row_label: str,
    summary: str | None = None,
) -> Chart:
    """A grid of ordinal levels (``values[row][column]`` is an index into ``levels``, or ``None``).

    Cells show the level's name as text as well as its colour, so colour is never the only signal.
    """
    if len(values) != len(rows) or any(len(r) != len(columns) for r in values):
        raise ValueError("values must have one row per row label and one cell per column")
    if not levels:
        raise ValueError("a level heat map needs its scale")
    top = len(levels) - 1
    for r in values:
        for v in r:
            if v is not None and not 0 <= v <= top:
                raise ValueError(f"level {v} is outside the scale 0..{top}")
    colours = LEVEL_COLOURS[: len(levels)] if len(levels) <= len(LEVEL_COLOURS) else LEVEL_COLOURS
    # A stepped colour scale: each level gets one flat band, whatever the number of levels.
    scale: list[list[Any]] = []
    for i in range(len(levels)):
        colour = colours[min(i, len(colours) - 1)]
        scale.append([i / len(levels), colour])
        scale.append([(i + 1) / len(levels), colour])
    text = [[levels[v] if v is not None else NO_DATA for v in r] for r in values]
    trace = {
        "type": "heatmap",
        "x": list(columns),
        "y": list(rows),
        "z": [list(r) for r in values],
        "zmin": -0.5,
        "zmax": top + 0.5,
        "colorscale": scale,
        "showscale": False,  # the colour bar sets style attributes, refused by the CSP; the cells carry text
        "text": text,
        "texttemplate": "%{text}",
        "hovertemplate": "%{y}, %{x}: %{text}<extra></extra>",
        "xgap": 2,
        "ygap": 2,
    }
    layout = _layout(
        title,
        height=max(240, 44 * len(rows) + 120),
        showlegend=False,
        margin={"l": 20, "r": 20, "t": 40, "b": 20},
        xaxis={"side": "top", "type": "category", "automargin": True},
        yaxis={"autorange": "reversed", "type": "category", "automargin": True},
    )
    table = Table(
        caption=title,
        head=[row_label, *columns],
        rows=[[row, *cells] for row, cells in zip(rows, text, strict=True)],
        numeric=False,
    )
    return Chart(
        key=_key(key),
        title=title,
        summary=summary or _level_summary(columns, levels, values),
        figure={"data": [trace], "layout": layout},
        table=table,
    )


def _level_summary(columns: Sequence[str], levels: Sequence[str], values: Sequence[Sequence[int | None]]) -> str:
    if not columns:
        return "No data yet."
    last = len(columns) - 1
    rated = [r[last] for r in values if r[last] is not None]
    if not rated:
        return f"{columns[last]}: nothing rated yet."
    counts = [sum(1 for v in rated if v == i) for i in range(len(levels))]
    spread = ", ".join(f"{n} {levels[i].lower()}" for i, n in enumerate(counts) if n)
    text = f"{columns[last]}: {spread}."
    if last >= 1:
        pairs: list[tuple[int, int]] = []
        for r in values:
            now, before = r[last], r[last - 1]
            if now is not None and before is not None:
                pairs.append((now, before))
        up = sum(1 for a, b in pairs if a > b)
        down = sum(1 for a, b in pairs if a < b)
        text += f" Since {columns[last - 1]}: {up} up, {down} down, {len(pairs) - up - down} the same."
    return text
