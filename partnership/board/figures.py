"""The board's charts: pure functions of selector output (plain numbers in, ``partnership.charts.Chart`` out),
drawn by the shared chart include. No Django, no database. Suppressed cells (None) are gaps in the picture and
"fewer than 3" in the table; the summary never names a suppressed number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from partnership.charts import SERIES_COLOURS, Chart, Series, Table, _key, _layout, bar_chart, line_chart, number

CATEGORY_COLOURS = {1: "#00703c", 2: "#1d70b8", 3: "#f47738", 4: "#d4351c"}
SUPPRESSED = "fewer than 3"


def count_text(value: float | int | None) -> str:
    """A count as the tables show it; None is a suppressed small cell."""
    return SUPPRESSED if value is None else number(value)


def categories_by_group(
    *,
    key: str,
    title: str,
    group_label: str,
    groups: Sequence[tuple[str, Sequence[int | None], int | None]],
    categories: Sequence[int],
) -> Chart:
    """Stacked bars of schools per category for each group (district or phase)."""
    names = [g[0] for g in groups]
    series = [Series(f"Category {c}", [g[1][i] for g in groups]) for i, c in enumerate(categories)]
    if not groups:
        summary = "No agreed categorisation round yet."
    else:
        concern = [(g[0], sum(v for v in g[1][2:] if v) if len(g[1]) > 2 else 0) for g in groups]
        top = max(concern, key=lambda p: p[1])
        summary = (
            f"{len(groups)} {group_label.lower()}s; the most schools in categories 3–4 (shown counts): "
            f"{top[0]} ({top[1]})."
            if top[1]
            else f"{len(groups)} {group_label.lower()}s; no school in categories 3–4 is shown."
        )
    chart = bar_chart(
        key=key,
        title=title,
        categories=names or ["No data"],
        series=[Series(s.name, list(s.values) or [None]) for s in series],
        category_label=group_label,
        value_label="Schools",
        stacked=True,
        horizontal=True,
        fmt=count_text,
        summary=summary,
    )
    for i, trace in enumerate(chart.figure["data"]):
        trace["marker"]["color"] = CATEGORY_COLOURS.get(categories[i], SERIES_COLOURS[i % len(SERIES_COLOURS)])
    return chart


def movement_sankey(
    *, key: str, title: str, movement: Sequence[tuple[int, int, int | None]], before: str, after: str
) -> Chart:
    """Flows from each category in the earlier round to each in the later one (suppressed flows left out)."""
    shown = [(a, b, n) for a, b, n in movement if n]
    sources = sorted({a for a, _, _ in shown})
    targets = sorted({b for _, b, _ in shown})
    labels = [f"{before}: category {c}" for c in sources] + [f"{after}: category {c}" for c in targets]
    link = {
        "source": [sources.index(a) for a, _, _ in shown],
        "target": [len(sources) + targets.index(b) for _, b, _ in shown],
        "value": [n for _, _, n in shown],
        "color": [
            "rgba(29,112,184,0.35)" if a == b else ("rgba(212,53,28,0.45)" if b > a else "rgba(0,112,60,0.45)")
            for a, b, _ in shown
        ],
    }
    figure: dict[str, Any] = {
        "data": [
            {
                "type": "sankey",
                "arrangement": "fixed",
                "node": {
                    "label": labels,
                    "color": [CATEGORY_COLOURS.get(c, "#505a5f") for c in [*sources, *targets]],
                    "pad": 18,
                    "thickness": 18,
                },
                "link": link,
            }
        ],
        "layout": _layout(title, height=420, showlegend=False),
    }
    up = sum(n or 0 for a, b, n in movement if b > a)
    down = sum(n or 0 for a, b, n in movement if b < a)
    same = sum(n or 0 for a, b, n in movement if b == a)
    summary = (
        f"Since {before}: {same} schools kept their category, {up} moved to a higher (worse) category and "
        f"{down} to a lower one (shown counts)."
        if movement
        else "No earlier agreed round to compare with."
    )
    table = Table(
        caption=title,
        head=[f"Category in {before}", f"Category in {after}", "Schools"],
        rows=[[f"Category {a}", f"Category {b}", count_text(n)] for a, b, n in movement],
    )
    if not shown:  # every flow suppressed (or none): plotly cannot draw an empty Sankey, and nothing may be shown
        note = "No flow is large enough to show without identifying schools, so there is no picture."
        return Chart(key=_key(key), title=title, summary=summary, figure={}, table=table, notes=[note])
    return Chart(key=_key(key), title=title, summary=summary, figure=figure, table=table)


def kpi_trend(
    *,
    key: str,
    title: str,
    periods: Sequence[str],
    values: Sequence[float | None],
    target: float,
    comparator: Sequence[float | None] | None,
    comparator_name: str,
    unit: str,
) -> Chart:
    """A KPI's values over periods with its target (and comparator, where it has one) as lines."""
    series = [Series("Value", list(values)), Series("Target", [target] * len(periods))]
    if comparator is not None and any(v is not None for v in comparator):
        series.append(Series(comparator_name, list(comparator)))
    return line_chart(
        key=key,
        title=title,
        x=list(periods) or ["No data"],
        series=[Series(s.name, list(s.values) or [None]) for s in series],
        x_label="Academic year",
        value_label=unit,
    )


def school_map(*, key: str, title: str, points: Sequence[tuple[int, str, int, int, int | None]]) -> Chart:
    """Schools placed by OS easting and northing (no map tiles), coloured by agreed category."""
    groups: dict[int | None, list[tuple[int, str, int, int, int | None]]] = {}
    for p in points:
        groups.setdefault(p[4], []).append(p)
    traces = []
    for category in sorted(groups, key=lambda c: (c is None, c or 0)):
        rows = groups[category]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"Category {category}" if category else "Not categorised",
                "x": [r[2] for r in rows],
                "y": [r[3] for r in rows],
                "text": [f"{r[1]} ({r[0]})" for r in rows],
                "hovertemplate": "%{text}<extra></extra>",
                "marker": {
                    "size": 9 if category else 6,
                    "color": CATEGORY_COLOURS.get(category or 0, "#b1b4b6"),
                    "symbol": ["circle", "square", "diamond", "triangle-up", "x"][(category or 5) - 1],
                },
            }
        )
    layout = _layout(
        title,
        height=560,
        xaxis={"title": {"text": "Easting (m)"}, "showgrid": False, "zeroline": False},
        yaxis={"title": {"text": "Northing (m)"}, "showgrid": False, "zeroline": False, "scaleanchor": "x"},
    )
    counts = {c: len(v) for c, v in groups.items()}
    summary = (
        f"{len(points)} open schools with a location: "
        + ", ".join(f"{n} in category {c}" for c, n in sorted((c, n) for c, n in counts.items() if c))
        + (f", {counts[None]} not categorised" if None in counts else "")
        + "."
        if points
        else "No school has a location yet."
    )
    table = Table(
        caption=title,
        head=["School", "URN", "Category", "Easting", "Northing"],
        rows=[
            [name, str(urn), str(cat) if cat else "Not categorised", str(e), str(n)] for urn, name, e, n, cat in points
        ],
        numeric=False,
    )
    return Chart(key=_key(key), title=title, summary=summary, figure={"data": traces, "layout": layout}, table=table)


def needed_delivered(*, key: str, title: str, rows: Sequence[tuple[str, float, float]]) -> Chart:
    """Support days needed against delivered per group (brokerage's numbers)."""
    return bar_chart(
        key=key,
        title=title,
        categories=[r[0] for r in rows],
        series=[Series("Needed", [r[1] for r in rows]), Series("Delivered", [r[2] for r in rows])],
        category_label="Group",
        value_label="Days",
    )
