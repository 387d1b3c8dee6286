"""Display values for health-check pages: indicator rows, and the charts (built with partnership.charts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clusters.health.models import HealthCheck
from partnership.charts import Chart, Series, bar_chart, level_heatmap, line_chart


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator as shown: what, the cluster's figure, the comparison, and a note (or why there is none)."""

    label: str
    value: str
    comparison: str
    note: str = ""


def _num(value: float | None, suffix: str = "") -> str:
    if value is None:
        return "Not available"
    return f"{value:,.1f}{suffix}" if not float(value).is_integer() else f"{int(value):,}{suffix}"


def indicator_rows(indicators: dict[str, Any] | None, *, show_names: bool) -> list[IndicatorRow]:
    """Every frozen indicator as a row; risk names and isolated schools' names only when ``show_names``."""
    if not indicators:
        return []
    rows = [_outcome_row(key, item) for key, item in indicators.get("outcomes", {}).items()]
    rows.append(_risk_row(indicators.get("risk", {}), show_names))
    for key, label in (("peer_review", "Peer review"), ("support", "Support days (brokerage ledger)")):
        item = indicators.get(key, {})
        if "none" in item:
            rows.append(IndicatorRow(label, "No data yet", "", item["none"]))
        else:
            rows.extend(
                IndicatorRow(sub["label"], sub["value"], sub.get("comparison", ""), sub.get("note", ""))
                for sub in item.get("rows", [])
            )
    rows.append(_engagement_row(indicators.get("engagement", {})))
    rows.append(_isolated_row(indicators.get("isolated", {}), show_names))
    return rows


def _outcome_row(key: str, item: dict[str, Any]) -> IndicatorRow:
    suffix = "%" if key in {"ks2_rwm", "abs_persistent"} else ""
    if "none" in item:
        return IndicatorRow(item["label"], "No data", "", item["none"])
    england = item.get("england")
    if england is None:
        comparison = "England: not imported"
    else:
        diff = item["cluster"] - england
        better = (diff > 0) == item["higher_is_better"]
        word = "the same as" if abs(diff) < 0.05 else ("better than" if better else "worse than")
        comparison = f"England {_num(england, suffix)}: {word} England"
    note = f"{item['year']}, {item['schools']} schools, weighted by {item['pupils']:,} pupils. {item.get('note', '')}"
    return IndicatorRow(item["label"], _num(item["cluster"], suffix), comparison, note.strip())


def _risk_row(risk: dict[str, Any], show_names: bool) -> IndicatorRow:
    label = "Agreed risk categories"
    if "none" in risk:
        return IndicatorRow(label, "No data", "", risk["none"])
    counts = ", ".join(f"category {c}: {n}" for c, n in risk["counts"].items())
    movement = (
        f"Since {risk['previous_round']}: {risk['improved']} improved, {risk['declined']} declined, "
        f"{risk['same']} the same"
        if risk.get("previous_round")
        else "No earlier agreed round to compare with"
    )
    note = f"From {risk['round']}."
    if show_names:
        named = "; ".join(
            f"{s['name']}: {s['category']}"
            + (f" (was {s['previous']})" if s.get("previous") not in (None, s["category"]) else "")
            for s in risk["schools"]
        )
        note += f" {named}."
    return IndicatorRow(label, counts or "None categorised", movement, note)


def _engagement_row(engagement: dict[str, Any]) -> IndicatorRow:
    label = "Engagement: attendance at cluster meetings"
    if "none" in engagement:
        return IndicatorRow(label, "No data", "", engagement["none"])
    return IndicatorRow(
        label,
        _num(engagement["attendance_pct"], "%"),
        f"{engagement['meetings']} meetings in the 12 months before the check",
        "Share of member places filled across the meetings.",
    )


def _isolated_row(iso: dict[str, Any], show_names: bool) -> IndicatorRow:
    if "none" in iso:
        return IndicatorRow("Isolated members", "No data", "", iso["none"])
    note = "Members at no cluster meeting in the 12 months before the check."
    if show_names and iso["schools"]:
        note += " " + ", ".join(iso["schools"]) + "."
    return IndicatorRow("Isolated members", str(iso["count"]), "", note)


def strand_key(dimension: str, strand: str) -> str:
    """How a strand is matched across checks and versions: by dimension and strand name."""
    return f"{dimension} / {strand}"


def heatmap_this_and_last(
    *, key: str, this: HealthCheck, last: HealthCheck | None, strands: list[tuple[str, str]], levels: dict
) -> Chart:
    """Consensus levels by strand for this check and the last (matched by names), as a heat map."""
    checks = [c for c in (last, this) if c is not None]
    columns = [f"{c.term} ({c.held_on:%b %Y})" for c in checks]
    values = [[levels.get((c.pk, d, s)) for c in checks] for d, s in strands]
    return level_heatmap(
        key=key,
        title=f"Consensus level by strand: {this.term}" + (f" and {last.term}" if last else ""),
        rows=[s for _, s in strands],
        columns=columns,
        levels=list(this.version.levels),
        values=values,
        row_label="Strand",
    )


def dimension_trend(
    *, key: str, checks: list[HealthCheck], dimensions: list[tuple[str, list[str]]], levels: dict
) -> Chart:
    """Average consensus level (1 = lowest) per dimension across the cluster's checks, oldest first."""
    x = [f"{c.term} ({c.held_on:%b %Y})" for c in checks]
    series = []
    for dimension, strand_names in dimensions:
        values: list[float | None] = []
        for check in checks:
            found = [levels[(check.pk, dimension, s)] + 1 for s in strand_names if (check.pk, dimension, s) in levels]
            values.append(round(sum(found) / len(found), 1) if found else None)
        series.append(Series(dimension, values))
    scale = len(checks[-1].version.levels) if checks else 4
    return line_chart(
        key=key,
        title="Average consensus level by dimension over time",
        x=x,
        series=series,
        x_label="Check",
        value_label=f"Average level (1 to {scale})",
        value_range=(0.5, scale + 0.5),
    )


def portfolio_heatmap(
    *, key: str, clusters: list[str], strands: list[tuple[str, str]], grid: list[list[int | None]], levels: list[str]
) -> Chart:
    """Each cluster's latest consensus level per strand (clusters as columns)."""
    return level_heatmap(
        key=key,
        title="Latest consensus level by strand and cluster",
        rows=[s for _, s in strands],
        columns=clusters,
        levels=levels,
        values=grid,
        row_label="Strand",
    )


def portfolio_distribution(
    *, key: str, strands: list[tuple[str, str]], grid: list[list[int | None]], levels: list[str]
) -> Chart:
    """How many clusters are at each level, per strand (the aggregate the board sees)."""
    series = [Series(level, [sum(1 for v in row if v == i) for row in grid]) for i, level in enumerate(levels)]
    rated = sum(1 for row in grid[:1] for v in row if v is not None)
    return bar_chart(
        key=key,
        title="Clusters at each level, by strand",
        categories=[s for _, s in strands],
        series=series,
        category_label="Strand",
        value_label="Clusters",
        stacked=True,
        horizontal=True,
        summary=f"Latest checks of {rated} clusters; the table gives the count at each level for every strand.",
    )
