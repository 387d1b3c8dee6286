"""The meeting pack: numbers frozen as they are on the day (``pack_content``, JSON kept on the pack), then a PDF
with its charts drawn by reportlab.graphics from the same numbers (no browser) and an XLSX of the tables.

The pack is for the board, so the categorisation summary is suppressed exactly as board members see it.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone

from partnership.board import presenters, selectors, sources
from partnership.board.models import Meeting

RAG_COLOURS = {"red": "#d4351c", "amber": "#f47738", "green": "#00703c", "white": "#b1b4b6"}


def pack_content(*, meeting: Meeting) -> dict[str, Any]:
    """Everything the pack shows, as plain JSON-ready values (the numbers as they were when it was built)."""
    pid = meeting.partnership_id
    plan = selectors.plan_on_a_page(partnership_id=pid)
    rows = selectors.scorecard(partnership_id=pid)
    lines = presenters.scorecard_lines(rows)
    latest = sources.latest_agreed_round(partnership_id=pid)
    draft = selectors.rounds_for_agreement(partnership_id=pid).select_related("run__ruleset_version").first()
    shown_round = draft or latest
    aggregate = sources.round_aggregate(round_=shown_round, suppressed=True) if shown_round else None
    current, _ended = _declarations(pid)

    def kpi_json(row: selectors.KpiRow, line: presenters.ScorecardLine) -> dict[str, Any]:
        return {
            "title": row.kpi.title,
            "priority": row.kpi.priority.title if row.kpi.priority else "",
            "unit": row.kpi.get_unit_display(),
            "value": line.value,
            "period": line.period,
            "target": line.target,
            "target_value": row.kpi.target,
            "comparator": line.comparator,
            "rag": line.rag,
            "overridden": line.overridden,
            "override_reason": row.latest.override_reason if row.latest else "",
            "direction": line.direction,
            "source": line.source,
            "trend": [[v.period_label, v.value] for v in row.values],
        }

    scorecard = [kpi_json(r, line) for r, line in zip(rows, lines, strict=True)]
    exceptions = [
        {"kind": "KPI", "title": k["title"], "rag": k["rag"], "reason": k["override_reason"] or f"{k['value']} against {k['target']}"}
        for k in scorecard
        if k["rag"] in ("red", "amber")
    ]
    priorities = []
    for p in plan.priorities:
        for d in p.deliverables:
            if d.status in ("red", "amber"):
                exceptions.append({"kind": "Deliverable", "title": d.title, "rag": d.status, "reason": d.status_reason})
        priorities.append(
            {
                "number": p.priority.number,
                "title": p.priority.title,
                "rationale": p.priority.rationale,
                "lead": p.priority.lead,
                "deliverables": [
                    {"title": d.title, "owner": d.owner, "due": f"{d.due_on:%-d %b %Y}", "status": d.status, "reason": d.status_reason}
                    for d in p.deliverables
                ],
                "kpis": [k["title"] for k in scorecard if k["priority"] == p.priority.title],
            }
        )
    health = sources.optional_selector("clusters.selectors", "health_pack_rows")
    brokerage = sources.optional_selector("brokerage.selectors", "brokerage_pack_rows")
    return {
        "meeting": {"title": meeting.title, "date": f"{meeting.meets_on:%-d %B %Y}", "location": meeting.location},
        "built_at": timezone.localtime().strftime("%-d %B %Y %H:%M"),
        "strategy": (
            {"title": plan.strategy.title, "period": f"{plan.strategy.starts_on:%Y}–{plan.strategy.ends_on:%Y}", "vision": plan.strategy.vision}
            if plan.strategy
            else None
        ),
        "priorities": priorities,
        "scorecard": scorecard,
        "exceptions": exceptions,
        "categorisation": _aggregate_json(aggregate),
        "cluster_health": health(partnership_id=pid) if health else None,
        "brokerage": brokerage(partnership_id=pid) if brokerage else None,
        "declarations": current,
    }


def _declarations(partnership_id: int) -> tuple[list[dict[str, str]], list]:
    from partnership.board.models import Declaration

    rows = (
        Declaration.objects.filter(member__partnership_id=partnership_id, ended_on__isnull=True)
        .select_related("member", "school")
        .order_by("member__name", "-declared_on")
    )
    return [
        {
            "member": d.member.name,
            "kind": d.get_kind_display(),
            "interest": d.interest,
            "in": d.school.name if d.school else d.organisation,
            "declared": f"{d.declared_on:%-d %b %Y}",
        }
        for d in rows
    ], []


def _aggregate_json(a: sources.RoundAggregate | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "round": a.round.name,
        "state": a.round.get_state_display(),
        "previous": a.previous.name if a.previous else "",
        "total": a.total,
        "categories": a.categories,
        "by_category": [[c, a.by_category[c]] for c in a.categories],
        "by_district": [[n, list(v), t] for n, v, t in a.by_district],
        "by_phase": [[n, list(v), t] for n, v, t in a.by_phase],
        "movement": [list(m) for m in a.movement],
        "academies_of_concern": a.academies_of_concern,
        "notes": a.notes,
    }


def _cell(v: Any) -> str:
    return "fewer than 3" if v is None else str(v)


# ------------------------------------------------------------------------------------------------------------- PDF


def pack_pdf(content: dict[str, Any]) -> tuple[bytes, int]:
    """The pack as an A4 PDF with its charts; (bytes, page count)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    h1, h2, body = styles["Title"], styles["Heading2"], styles["BodyText"]
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buffer = io.BytesIO()
    pages = {"n": 0}

    def footer(canvas, doc) -> None:
        pages["n"] = max(pages["n"], canvas.getPageNumber())
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(15 * mm, 10 * mm, f"{content['meeting']['title']}: pack built {content['built_at']}")
        canvas.drawRightString(195 * mm, 10 * mm, f"Page {canvas.getPageNumber()}")
        canvas.restoreState()

    def table(rows: list[list[Any]], widths: list[float] | None = None, rag_col: int | None = None) -> Table:
        data = [[Paragraph(str(c), small) for c in r] for r in rows]
        t = Table(data, colWidths=widths, repeatRows=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if rag_col is not None:
            for i, r in enumerate(rows[1:], start=1):
                colour = RAG_COLOURS.get(str(r[rag_col]).lower())
                if colour:
                    style.append(("BACKGROUND", (rag_col, i), (rag_col, i), colors.HexColor(colour)))
        t.setStyle(TableStyle(style))
        return t

    story: list[Any] = [
        Paragraph(f"{content['meeting']['title']}", h1),
        Paragraph(f"{content['meeting']['date']} {content['meeting']['location']}", body),
        Paragraph(f"Numbers as at {content['built_at']}. Small counts of schools (1 or 2) are shown as “fewer than 3”.", small),
        Spacer(1, 6 * mm),
        Paragraph("1. Plan on a page", h2),
    ]
    strategy = content["strategy"]
    if strategy:
        story += [Paragraph(f"<b>{strategy['title']}</b> ({strategy['period']})", body), Paragraph(f"Vision: {strategy['vision']}", body)]
        for p in content["priorities"]:
            story.append(Paragraph(f"<b>Priority {p['number']}: {p['title']}</b> (lead: {p['lead']})", body))
            story.append(Paragraph(p["rationale"], small))
            if p["deliverables"]:
                story.append(
                    table(
                        [["Deliverable", "Owner", "Due", "Status", "Reason"]]
                        + [[d["title"], d["owner"], d["due"], d["status"].capitalize(), d["reason"]] for d in p["deliverables"]],
                        [60 * mm, 30 * mm, 22 * mm, 18 * mm, 50 * mm],
                        rag_col=3,
                    )
                )
            if p["kpis"]:
                story.append(Paragraph("KPIs: " + "; ".join(p["kpis"]), small))
            story.append(Spacer(1, 3 * mm))
    else:
        story.append(Paragraph("No strategy has been entered yet.", body))
    story += [PageBreak(), Paragraph("2. Scorecard", h2)]
    if content["scorecard"]:
        story.append(
            table(
                [["KPI", "Latest", "Year", "Target", "Comparator", "RAG", "Travel", "Source"]]
                + [
                    [k["title"], k["value"], k["period"], k["target"], k["comparator"], k["rag"].capitalize() + (" (override)" if k["overridden"] else ""), k["direction"], k["source"]]
                    for k in content["scorecard"]
                ],
                [38 * mm, 18 * mm, 14 * mm, 26 * mm, 18 * mm, 18 * mm, 16 * mm, 32 * mm],
                rag_col=5,
            )
        )
        for k in content["scorecard"]:
            if len(k["trend"]) >= 2:
                story.append(Spacer(1, 3 * mm))
                story.append(Paragraph(f"{k['title']}: trend against target", small))
                story.append(_line_drawing(k))
    else:
        story.append(Paragraph("No KPIs yet.", body))
    story += [PageBreak(), Paragraph("3. Exceptions (red and amber)", h2)]
    if content["exceptions"]:
        story.append(
            table(
                [["Kind", "Title", "RAG", "Reason"]] + [[e["kind"], e["title"], e["rag"].capitalize(), e["reason"]] for e in content["exceptions"]],
                [22 * mm, 62 * mm, 18 * mm, 78 * mm],
                rag_col=2,
            )
        )
    else:
        story.append(Paragraph("Nothing is red or amber.", body))
    story += [PageBreak(), Paragraph("4. Categorisation summary", h2)]
    cat = content["categorisation"]
    if cat:
        story.append(Paragraph(f"{cat['round']} ({cat['state']}): {cat['total']} schools. Academies of concern: {_cell(cat['academies_of_concern'])}.", body))
        for note in cat["notes"]:
            story.append(Paragraph(note, small))
        story.append(table([["Category", "Schools"]] + [[f"Category {c}", _cell(n)] for c, n in cat["by_category"]], [40 * mm, 30 * mm]))
        story.append(Spacer(1, 3 * mm))
        story.append(_bar_drawing(cat))
        head = ["District", *[f"Cat {c}" for c in cat["categories"]], "Total"]
        story.append(table([head] + [[n, *[_cell(x) for x in v], _cell(t)] for n, v, t in cat["by_district"]]))
        story.append(Spacer(1, 3 * mm))
        head[0] = "Phase"
        story.append(table([head] + [[n, *[_cell(x) for x in v], _cell(t)] for n, v, t in cat["by_phase"]]))
        if cat["movement"]:
            story.append(Spacer(1, 3 * mm))
            story.append(Paragraph(f"Movement since {cat['previous']}", body))
            story.append(table([["From", "To", "Schools"]] + [[f"Category {a}", f"Category {b}", _cell(n)] for a, b, n in cat["movement"]]))
    else:
        story.append(Paragraph("No categorisation round yet.", body))
    story += [Paragraph("5. Cluster health", h2)]
    story.append(_rows_or_none(content["cluster_health"], table, body, "No cluster health checks yet."))
    story += [Paragraph("6. Brokerage and value for money", h2)]
    story.append(_rows_or_none(content["brokerage"], table, body, "No brokerage records yet."))
    story += [Paragraph("7. Declarations of interest", h2)]
    if content["declarations"]:
        story.append(
            table(
                [["Member", "Kind", "Interest", "In", "Declared"]]
                + [[d["member"], d["kind"], d["interest"], d["in"], d["declared"]] for d in content["declarations"]],
                [32 * mm, 30 * mm, 60 * mm, 38 * mm, 20 * mm],
            )
        )
    else:
        story.append(Paragraph("No interests declared.", body))
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=content["meeting"]["title"], author="School improvement partnership",
                            leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=18 * mm)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), pages["n"]


def _rows_or_none(rows: list[list[Any]] | None, table, body, empty: str):
    from reportlab.platypus import Paragraph

    if not rows:
        return Paragraph(empty, body)
    return table([[str(c) for c in r] for r in rows])


def _line_drawing(k: dict[str, Any]):
    """A KPI's values against its target as a reportlab line chart."""
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(400, 130)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 20, 340, 95
    values = [v for _, v in k["trend"]]
    chart.data = [values, [k["target_value"]] * len(values)]
    chart.categoryAxis.categoryNames = [p for p, _ in k["trend"]]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    low, high = min([*values, k["target_value"]]), max([*values, k["target_value"]])
    pad = max(1.0, (high - low) * 0.2)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = low - pad, high + pad
    chart.lines[0].strokeColor, chart.lines[0].strokeWidth = colors.HexColor("#1d70b8"), 2
    chart.lines[1].strokeColor, chart.lines[1].strokeDashArray = colors.HexColor("#f47738"), (4, 2)
    drawing.add(chart)
    return drawing


def _bar_drawing(cat: dict[str, Any]):
    """Schools per category (suppressed cells drawn as 0) as a reportlab bar chart."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(400, 140)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 20, 300, 110
    chart.data = [[n or 0 for _, n in cat["by_category"]]]
    chart.categoryAxis.categoryNames = [f"Category {c}" for c, _ in cat["by_category"]]
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#1d70b8")
    drawing.add(chart)
    return drawing


# ------------------------------------------------------------------------------------------------------------ XLSX


def pack_xlsx(content: dict[str, Any]) -> bytes:
    """The pack's tables as a workbook: one sheet each."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws.append(["Meeting", content["meeting"]["title"], content["meeting"]["date"]])
    ws.append(["Built", content["built_at"]])
    if content["strategy"]:
        ws.append(["Strategy", content["strategy"]["title"], content["strategy"]["period"]])
        ws.append(["Vision", content["strategy"]["vision"]])
    ws.append([])
    ws.append(["Priority", "Deliverable", "Owner", "Due", "Status", "Reason"])
    for p in content["priorities"]:
        for d in p["deliverables"] or [{"title": "", "owner": "", "due": "", "status": "", "reason": ""}]:
            ws.append([p["title"], d["title"], d["owner"], d["due"], d["status"], d["reason"]])
    sc = wb.create_sheet("Scorecard")
    sc.append(["KPI", "Priority", "Unit", "Latest", "Year", "Target", "Comparator", "RAG", "Overridden", "Reason", "Direction", "Source"])
    for k in content["scorecard"]:
        sc.append([k["title"], k["priority"], k["unit"], k["value"], k["period"], k["target"], k["comparator"], k["rag"], k["overridden"], k["override_reason"], k["direction"], k["source"]])
    ex = wb.create_sheet("Exceptions")
    ex.append(["Kind", "Title", "RAG", "Reason"])
    for e in content["exceptions"]:
        ex.append([e["kind"], e["title"], e["rag"], e["reason"]])
    ca = wb.create_sheet("Categorisation")
    cat = content["categorisation"]
    if cat:
        ca.append(["Round", cat["round"], cat["state"], "Schools", cat["total"], "Academies of concern", _cell(cat["academies_of_concern"])])
        ca.append(["District", *[f"Category {c}" for c in cat["categories"]], "Total"])
        for n, v, t in cat["by_district"]:
            ca.append([n, *[_cell(x) for x in v], _cell(t)])
        ca.append([])
        ca.append(["Phase", *[f"Category {c}" for c in cat["categories"]], "Total"])
        for n, v, t in cat["by_phase"]:
            ca.append([n, *[_cell(x) for x in v], _cell(t)])
        ca.append([])
        ca.append(["From category", "To category", "Schools"])
        for a, b, n in cat["movement"]:
            ca.append([a, b, _cell(n)])
    for title, rows in (("Cluster health", content["cluster_health"]), ("Brokerage", content["brokerage"])):
        sheet = wb.create_sheet(title)
        for r in rows or [["No data yet"]]:
            sheet.append([str(c) for c in r])
    de = wb.create_sheet("Declarations")
    de.append(["Member", "Kind", "Interest", "In", "Declared"])
    for d in content["declarations"]:
        de.append([d["member"], d["kind"], d["interest"], d["in"], d["declared"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
