"""Display values for the board's pages: RAG tags, KPI values in their unit, and the dashboard's charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from partnership.board import figures, sources
from partnership.board.models import Kpi, KpiValue, Rag
from partnership.board.selectors import KpiRow
from partnership.charts import Chart

RAG_TAGS: dict[str, str] = {
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--orange",
    Rag.GREEN: "govuk-tag--green",
    Rag.WHITE: "govuk-tag--grey",
}
RAG_WORDS: dict[str, str] = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green", Rag.WHITE: "White"}
DIRECTION_WORDS = {"improved": "Improved", "same": "No change", "worse": "Worse", "none": "First value"}
UNIT_LABELS = {"percent": "%", "points": " points", "score": "", "count": "", "days": " days"}


def rag_tag(rag: str) -> str:
    """The GOV.UK tag class of a RAG rating."""
    return RAG_TAGS.get(rag, "govuk-tag--grey")


def kpi_value_text(kpi: Kpi, value: float | None) -> str:
    """A value in the KPI's unit ("64.2%", "-1.3 points", "12")."""
    if value is None:
        return "No data yet"
    shown = (
        f"{value:,.0f}"
        if kpi.unit == Kpi.Unit.COUNT
        else f"{value:,.2f}"
        if kpi.unit == Kpi.Unit.SCORE and abs(value) < 1
        else f"{value:,.1f}"
    )
    return f"{shown}{UNIT_LABELS.get(kpi.unit, '')}"


@dataclass(frozen=True)
class ScorecardLine:
    """One scorecard row, ready to show."""

    kpi: Kpi
    latest: KpiValue | None
    value: str
    period: str
    target: str
    comparator: str
    rag: str
    rag_text: str
    rag_tag: str
    overridden: bool
    direction: str
    source: str


def scorecard_lines(rows: list[KpiRow]) -> list[ScorecardLine]:
    """The scorecard's rows: value, target, comparator, RAG (automatic or overridden) and direction of travel."""
    lines = []
    for row in rows:
        kpi, latest = row.kpi, row.latest
        rag = latest.rag if latest else Rag.WHITE
        lines.append(
            ScorecardLine(
                kpi=kpi,
                latest=latest,
                value=kpi_value_text(kpi, latest.value if latest else None),
                period=latest.period_label if latest else "",
                target=f"{kpi_value_text(kpi, kpi.target)} by {kpi.target_on:%B %Y}",
                comparator=kpi_value_text(kpi, latest.comparator_value)
                if latest and latest.comparator_value is not None
                else "",
                rag=rag,
                rag_text=RAG_WORDS.get(rag, rag),
                rag_tag=rag_tag(rag),
                overridden=bool(latest and latest.rag_override),
                direction=DIRECTION_WORDS.get(latest.direction, "") if latest else "",
                source=(latest.source_detail or latest.get_source_display()) if latest else "No data yet",
            )
        )
    return lines


def kpi_chart(row: KpiRow, key: str) -> Chart:
    """A KPI's trend against its target (and comparator)."""
    kpi = row.kpi
    return figures.kpi_trend(
        key=key,
        title=kpi.title,
        periods=[v.period_label for v in row.values],
        values=[v.value for v in row.values],
        target=kpi.target,
        comparator=[v.comparator_value for v in row.values],
        comparator_name="England" if kpi.comparator == Kpi.Comparator.NATIONAL else "Comparator",
        unit=kpi.get_unit_display(),
    )


@dataclass
class Dashboard:
    """The dashboard's charts for one membership, and what it may see."""

    round: Any
    charts: list[tuple[str, list[Chart]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    no_data: list[str] = field(default_factory=list)
    own_category: int | None = None
    own_school: Any = None
    suppressed: bool = True


def dashboard_charts(
    *, aggregate: sources.RoundAggregate | None, kpi_rows: list[KpiRow], points: list | None, health: Any, support: Any
) -> list[tuple[str, list[Chart]]]:
    """Charts by section from selector output (pure)."""
    sections: list[tuple[str, list[Chart]]] = []
    if aggregate is not None:
        name = aggregate.round.name
        charts = [
            figures.categories_by_group(
                key="categories-district",
                title=f"{name}: schools by district and category",
                group_label="District",
                groups=aggregate.by_district,
                categories=aggregate.categories,
            ),
            figures.categories_by_group(
                key="categories-phase",
                title=f"{name}: schools by phase and category",
                group_label="Phase",
                groups=aggregate.by_phase,
                categories=aggregate.categories,
            ),
        ]
        if aggregate.previous is not None:
            charts.append(
                figures.movement_sankey(
                    key="movement",
                    title=f"Movement between categories since {aggregate.previous.name}",
                    movement=aggregate.movement,
                    before=aggregate.previous.name,
                    after=name,
                )
            )
        sections.append(("Categorisation", charts))
    trends = [kpi_chart(r, f"kpi-{r.kpi.pk}") for r in kpi_rows if r.values]
    if trends:
        sections.append(("KPI trends against targets", trends))
    if health is not None:
        sections.append(("Cluster health", [health]))
    if support is not None:
        sections.append(("Support needed and delivered", [support]))
    if points:
        sections.append(
            (
                "Map of schools by category",
                [figures.school_map(key="school-map", title="Open schools by agreed category", points=points)],
            )
        )
    return sections
