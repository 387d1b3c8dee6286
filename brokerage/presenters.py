"""Display values and exports of the brokerage pages: tags, CSV/XLSX rows (every cell formula-safe)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from brokerage.models import Deployment, SupportRequest
from brokerage.selectors import LedgerRow
from schools.presenters import csv_safe

REQUEST_TAGS = {
    "draft": "govuk-tag--grey",
    "new": "govuk-tag--blue",
    "triaged": "govuk-tag--light-blue",
    "shortlisted": "govuk-tag--purple",
    "chosen": "govuk-tag--turquoise",
    "agreed": "govuk-tag--green",
    "declined": "govuk-tag--red",
    "withdrawn": "govuk-tag--grey",
}
DEPLOYMENT_TAGS = {
    "draft": "govuk-tag--grey",
    "signed": "govuk-tag--blue",
    "active": "govuk-tag--green",
    "paused": "govuk-tag--yellow",
    "completed": "govuk-tag--turquoise",
    "evaluated": "govuk-tag--purple",
    "closed": "govuk-tag--grey",
    "terminated": "govuk-tag--red",
}
URGENCY_TAGS = {
    "urgent": "govuk-tag--red",
    "high": "govuk-tag--orange",
    "medium": "govuk-tag--yellow",
    "low": "govuk-tag--grey",
}


def year_label(year: int) -> str:
    """2027 → "2026/27"."""
    return f"{year - 1}/{str(year)[-2:]}"


def days_text(value: Decimal | None) -> str:
    if value is None:
        return "0"
    return f"{Decimal(value).normalize():f}"


def request_rows(requests: Iterable[SupportRequest]) -> tuple[list[str], list[list[object]]]:
    header = [
        "Reference",
        "URN",
        "School",
        "Origin",
        "State",
        "Urgency",
        "Focus",
        "Days wanted",
        "Chosen provider",
        "Raised on",
        "First contact",
    ]
    rows = [
        [
            r.pk,
            r.school.urn,
            r.school.name,
            r.get_origin_display(),
            r.get_state_display(),
            r.get_urgency_display(),
            r.focus.name if r.focus else "",
            r.days_wanted,
            r.chosen_provider.name if r.chosen_provider else "",
            r.created_at.date().isoformat(),
            r.first_contact_on.isoformat() if r.first_contact_on else "",
        ]
        for r in requests
    ]
    return header, rows


def deployment_rows(deployments: Iterable[Deployment]) -> tuple[list[str], list[list[object]]]:
    header = [
        "Reference",
        "Provider",
        "URN",
        "School",
        "State",
        "Start",
        "End",
        "Year",
        "Days",
        "Day rate (£)",
        "Fee (%)",
        "Cost (£)",
        "Fund",
    ]
    rows = [
        [
            d.pk,
            d.provider.name,
            d.school.urn,
            d.school.name,
            d.get_state_display(),
            d.start_on.isoformat(),
            d.end_on.isoformat(),
            year_label(d.year),
            d.days,
            d.day_rate,
            d.fee_percent,
            d.cost,
            str(d.fund) if d.fund else "",
        ]
        for d in deployments
    ]
    return header, rows


def ledger_rows(rows: Sequence[LedgerRow], what: str) -> tuple[list[str], list[list[object]]]:
    header = [what, "Days given", "Days received", "Balance", "Only takes"]
    return header, [[r.name, r.given, r.received, r.balance, "yes" if r.only_takes else "no"] for r in rows]


def as_csv(header: list[str], rows: list[list[object]]) -> str:
    """CSV text (UTF-8 BOM for spreadsheets), every cell formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def as_xlsx(header: list[str], rows: list[list[object]], title: str) -> bytes:
    """An XLSX workbook: numbers stay numbers; text cells formula-safe and stored as text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([cell if isinstance(cell, int | float | Decimal) else csv_safe(cell) for cell in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, even when it starts with "="
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
