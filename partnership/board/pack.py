"""The meeting pack: numbers frozen as they are on the day (``pack_content``, JSON kept on the pack), then a PDF
with its charts drawn by reportlab.graphics from the same numbers (no browser) and an XLSX of the tables.

The pack is for the board, so the categorisation summary is suppressed exactly as board members see it.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

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
        {
            "kind": "KPI",
            "title": k["title"],
            "rag": k["rag"],
            "reason": k["override_reason"] or f"{k['value']} against {k['target']}",
        }
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
                    {
                        "title": d.title,
                        "owner": d.owner,
                        "due": f"{d.due_on:%-d %b %Y}",
                        "status": d.status,
                        "reason": d.status_reason,
                    }
                    for d in p.deliverables
                ],
                "kpis": [k["title"] for k in scorecard if k["priority"] == p.priority.title],
            }
        )
    from partnership.board import others
    from partnership.models import Membership, Role

    board_view = Membership(partnership=meeting.partnership, roles=[Role.BOARD_MEMBER])  # what members see; unsaved
    return {
        "meeting": {"title": meeting.title, "date": f"{meeting.meets_on:%-d %B %Y}", "location": meeting.location},
        "built_at": timezone.localtime().strftime("%-d %B %Y %H:%M"),
        "strategy": (
            {
                "title": plan.strategy.title,
                "period": f"{plan.strategy.starts_on:%Y}–{plan.strategy.ends_on:%Y}",
                "vision": plan.strategy.vision,
            }
            if plan.strategy
            else None
        ),
        "priorities": priorities,
        "scorecard": scorecard,
        "exceptions": exceptions,
        "categorisation": _aggregate_json(aggregate),
        "cluster_health": others.health_pack_rows(membership=board_view),
        "brokerage": others.brokerage_pack_rows(partnership_id=pid),
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
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    kit = _Kit()
    buffer = io.BytesIO()
    pages = {"n": 0}

    def footer(canvas, doc) -> None:
        pages["n"] = max(pages["n"], canvas.getPageNumber())
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(15 * mm, 10 * mm, f"{content['meeting']['title']}: pack built {content['built_at']}")
        canvas.drawRightString(195 * mm, 10 * mm, f"Page {canvas.getPageNumber()}")
        canvas.restoreState()

    story: list[Any] = [
        Paragraph(_t(content["meeting"]["title"]), kit.h1),
        Paragraph(_t(f"{content['meeting']['date']} {content['meeting']['location']}"), kit.body),
        Paragraph(f"Numbers as at {content['built_at']}. {SMALL_NOTE}", kit.small),
        Spacer(1, 6 * mm),
        Paragraph("1. Plan on a page", kit.h2),
        *_plan_section(content, kit),
        PageBreak(),
        Paragraph("2. Scorecard", kit.h2),
        *_scorecard_section(content, kit),
        PageBreak(),
        Paragraph("3. Exceptions (red and amber)", kit.h2),
        *_exceptions_section(content, kit),
        PageBreak(),
        Paragraph("4. Categorisation summary", kit.h2),
        *_categorisation_section(content["categorisation"], kit),
        Paragraph("5. Cluster health", kit.h2),
        _rows_or_none(content["cluster_health"], kit, "No cluster health checks yet."),
        Paragraph("6. Brokerage and value for money", kit.h2),
        _rows_or_none(content["brokerage"], kit, "No brokerage records yet."),
        Paragraph("7. Declarations of interest", kit.h2),
        *_declarations_section(content, kit),
    ]
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=content["meeting"]["title"],
        author="School improvement partnership",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), pages["n"]


SMALL_NOTE = "Small counts of schools (1 or 2) are shown as “fewer than 3”."


class _Kit:
    """Styles and a table builder shared by the PDF's sections."""

    def __init__(self) -> None:
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.lib.units import mm

        styles = getSampleStyleSheet()
        self.h1, self.h2, self.body = styles["Title"], styles["Heading2"], styles["BodyText"]
        self.small = styles["BodyText"].clone("small", fontSize=8, leading=10)
        self.mm = mm

    def table(self, rows: list[list[Any]], widths: list[float] | None = None, rag_col: int | None = None):
        """A grid with a shaded header row; the RAG column's cells coloured."""
        from reportlab.lib import colors
        from reportlab.platypus import Paragraph, Table, TableStyle

        data = [[Paragraph(_t(c), self.small) for c in r] for r in rows]
        t = Table(data, colWidths=widths, repeatRows=1)
        style: list[tuple] = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        for i, r in enumerate(rows[1:], start=1):
            colour = RAG_COLOURS.get(str(r[rag_col]).split(" ")[0].lower()) if rag_col is not None else None
            if colour:
                style.append(("BACKGROUND", (rag_col, i), (rag_col, i), colors.HexColor(colour)))
        t.setStyle(TableStyle(style))
        return t


def _plan_section(content: dict[str, Any], kit: _Kit) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    strategy = content["strategy"]
    if not strategy:
        return [Paragraph("No strategy has been entered yet.", kit.body)]
    mm = kit.mm
    out: list[Any] = [
        Paragraph(f"<b>{_t(strategy['title'])}</b> ({_t(strategy['period'])})", kit.body),
        Paragraph(f"Vision: {_t(strategy['vision'])}", kit.body),
    ]
    for p in content["priorities"]:
        out.append(Paragraph(f"<b>Priority {p['number']}: {_t(p['title'])}</b> (lead: {_t(p['lead'])})", kit.body))
        out.append(Paragraph(_t(p["rationale"]), kit.small))
        if p["deliverables"]:
            rows = [
                [d["title"], d["owner"], d["due"], d["status"].capitalize(), d["reason"]] for d in p["deliverables"]
            ]
            head = ["Deliverable", "Owner", "Due", "Status", "Reason"]
            out.append(kit.table([head, *rows], [60 * mm, 30 * mm, 22 * mm, 18 * mm, 50 * mm], rag_col=3))
        if p["kpis"]:
            out.append(Paragraph(_t("KPIs: " + "; ".join(p["kpis"])), kit.small))
        out.append(Spacer(1, 3 * mm))
    return out


def _scorecard_section(content: dict[str, Any], kit: _Kit) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    if not content["scorecard"]:
        return [Paragraph("No KPIs yet.", kit.body)]
    mm = kit.mm
    head = ["KPI", "Latest", "Year", "Target", "Comparator", "RAG", "Travel", "Source"]
    rows = [
        [
            k["title"],
            k["value"],
            k["period"],
            k["target"],
            k["comparator"],
            k["rag"].capitalize() + (" (override)" if k["overridden"] else ""),
            k["direction"],
            k["source"],
        ]
        for k in content["scorecard"]
    ]
    widths = [38 * mm, 18 * mm, 14 * mm, 26 * mm, 18 * mm, 18 * mm, 16 * mm, 32 * mm]
    out: list[Any] = [kit.table([head, *rows], widths, rag_col=5)]
    for k in content["scorecard"]:
        if len(k["trend"]) >= 2:
            out += [
                Spacer(1, 3 * mm),
                Paragraph(_t(f"{k['title']}: trend against target"), kit.small),
                _line_drawing(k),
            ]
    return out


def _exceptions_section(content: dict[str, Any], kit: _Kit) -> list[Any]:
    from reportlab.platypus import Paragraph

    if not content["exceptions"]:
        return [Paragraph("Nothing is red or amber.", kit.body)]
    mm = kit.mm
    rows = [[e["kind"], e["title"], e["rag"].capitalize(), e["reason"]] for e in content["exceptions"]]
    return [kit.table([["Kind", "Title", "RAG", "Reason"], *rows], [22 * mm, 62 * mm, 18 * mm, 78 * mm], rag_col=2)]


def _categorisation_section(cat: dict[str, Any] | None, kit: _Kit) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    if not cat:
        return [Paragraph("No categorisation round yet.", kit.body)]
    mm = kit.mm
    concern = _cell(cat["academies_of_concern"])
    schools = "(total not shown)" if cat["total"] is None else cat["total"]
    out: list[Any] = [
        Paragraph(
            _t(f"{cat['round']} ({cat['state']}): {schools} schools. Academies of concern: {concern}."),
            kit.body,
        ),
        *[Paragraph(_t(note), kit.small) for note in cat["notes"]],
        kit.table(
            [["Category", "Schools"]] + [[f"Category {c}", _cell(n)] for c, n in cat["by_category"]], [40 * mm, 30 * mm]
        ),
        Spacer(1, 3 * mm),
        _bar_drawing(cat),
    ]
    for label, key in (("District", "by_district"), ("Phase", "by_phase")):
        head = [label, *[f"Cat {c}" for c in cat["categories"]], "Total"]
        out += [kit.table([head] + [[n, *[_cell(x) for x in v], _cell(t)] for n, v, t in cat[key]]), Spacer(1, 3 * mm)]
    if cat["movement"]:
        moves = [[f"Category {a}", f"Category {b}", _cell(n)] for a, b, n in cat["movement"]]
        out += [
            Paragraph(_t(f"Movement since {cat['previous']}"), kit.body),
            kit.table([["From", "To", "Schools"], *moves]),
        ]
    return out


def _declarations_section(content: dict[str, Any], kit: _Kit) -> list[Any]:
    from reportlab.platypus import Paragraph

    if not content["declarations"]:
        return [Paragraph("No interests declared.", kit.body)]
    mm = kit.mm
    rows = [[d["member"], d["kind"], d["interest"], d["in"], d["declared"]] for d in content["declarations"]]
    head = ["Member", "Kind", "Interest", "In", "Declared"]
    return [kit.table([head, *rows], [32 * mm, 30 * mm, 60 * mm, 38 * mm, 20 * mm])]


def _rows_or_none(rows: list[list[Any]] | None, kit: _Kit, empty: str):
    from reportlab.platypus import Paragraph

    if not rows:
        return Paragraph(empty, kit.body)
    return kit.table([[str(c) for c in r] for r in rows])


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


SCORECARD_COLUMNS = [
    ("KPI", "title"), ("Priority", "priority"), ("Unit", "unit"), ("Latest", "value"), ("Year", "period"),
    ("Target", "target"), ("Comparator", "comparator"), ("RAG", "rag"), ("Overridden", "overridden"),
    ("Reason", "override_reason"), ("Direction", "direction"), ("Source", "source"),
]  # fmt: skip


def _t(value: Any) -> str:
    """Text for a reportlab Paragraph: its markup characters escaped, so "<b>" typed by a person stays text."""
    return escape(str(value))


def _append(sheet: Any, row: list[Any]) -> None:
    """Append a row with every text cell stored as text: a value typed as "=HYPERLINK(...)" never becomes a formula."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def pack_xlsx(content: dict[str, Any]) -> bytes:
    """The pack's tables as a workbook: one sheet each."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Plan"
    for row in _plan_rows(content):
        _append(ws, row)
    sheets: dict[str, list[list[Any]]] = {
        "Scorecard": [[h for h, _ in SCORECARD_COLUMNS]]
        + [[k[f] for _, f in SCORECARD_COLUMNS] for k in content["scorecard"]],
        "Exceptions": [["Kind", "Title", "RAG", "Reason"]]
        + [[e["kind"], e["title"], e["rag"], e["reason"]] for e in content["exceptions"]],
        "Categorisation": _categorisation_rows(content["categorisation"]),
        "Cluster health": [[str(c) for c in r] for r in content["cluster_health"] or [["No data yet"]]],
        "Brokerage": [[str(c) for c in r] for r in content["brokerage"] or [["No data yet"]]],
        "Declarations": [["Member", "Kind", "Interest", "In", "Declared"]]
        + [[d["member"], d["kind"], d["interest"], d["in"], d["declared"]] for d in content["declarations"]],
    }
    for title, rows in sheets.items():
        sheet = wb.create_sheet(title)
        for row in rows:
            _append(sheet, row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _plan_rows(content: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["Meeting", content["meeting"]["title"], content["meeting"]["date"]],
        ["Built", content["built_at"]],
    ]
    if content["strategy"]:
        rows += [
            ["Strategy", content["strategy"]["title"], content["strategy"]["period"]],
            ["Vision", content["strategy"]["vision"]],
        ]
    rows += [[], ["Priority", "Deliverable", "Owner", "Due", "Status", "Reason"]]
    blank = {"title": "", "owner": "", "due": "", "status": "", "reason": ""}
    for p in content["priorities"]:
        for d in p["deliverables"] or [blank]:
            rows.append([p["title"], d["title"], d["owner"], d["due"], d["status"], d["reason"]])
    return rows


def _categorisation_rows(cat: dict[str, Any] | None) -> list[list[Any]]:
    if not cat:
        return [["No categorisation round yet"]]
    concern = _cell(cat["academies_of_concern"])
    rows: list[list[Any]] = [
        [
            "Round",
            cat["round"],
            cat["state"],
            "Schools",
            "not shown" if cat["total"] is None else cat["total"],
            "Academies of concern",
            concern,
        ]
    ]
    for label, key in (("District", "by_district"), ("Phase", "by_phase")):
        rows.append([label, *[f"Category {c}" for c in cat["categories"]], "Total"])
        rows += [[n, *[_cell(x) for x in v], _cell(t)] for n, v, t in cat[key]]
        rows.append([])
    rows.append(["From category", "To category", "Schools"])
    rows += [[a, b, _cell(n)] for a, b, n in cat["movement"]]
    return rows
