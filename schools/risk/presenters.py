"""Display values for the risk pages: tag colours, category names, counts as rows."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from schools.presenters import csv_safe
from schools.risk.engine.compute import INSUFFICIENT, INSUFFICIENT_NAME, score_decimals
from schools.risk.engine.indicators import CODES, INDICATORS
from schools.risk.engine.ruleset import Points, ScoreRule
from schools.risk.models import RiskRun, RuleSetVersion
from schools.risk.selectors import REGISTER_CSV_COLUMNS

RATING_TAGS = {"green": "govuk-tag--green", "amber": "govuk-tag--orange", "red": "govuk-tag--red"}
COLOUR_TAGS = {
    "green": "govuk-tag--green",
    "yellow": "govuk-tag--yellow",
    "amber": "govuk-tag--orange",
    "orange": "govuk-tag--orange",
    "red": "govuk-tag--red",
}
COUNT_LABELS = {
    "schools": "Schools categorised",
    "leading": "Leading schools",
    "academies_of_concern": "Academies of concern",
    "missing_inputs": "Schools with missing inputs",
    "insufficient_evidence": "Insufficient evidence: officer to categorise",
}


@dataclass(frozen=True)
class CategoryLabel:
    """One category as shown: number, name and GOV.UK tag class."""

    number: int
    name: str
    tag: str


def category_labels(version: RuleSetVersion | None) -> dict[int, CategoryLabel]:
    """Category number → label, from the rule-set version's own names and colours."""
    categories = (version.config or {}).get("categories", []) if version else []
    labels = {INSUFFICIENT: CategoryLabel(INSUFFICIENT, INSUFFICIENT_NAME, "govuk-tag--grey")}
    for category in categories:
        number = int(category.get("number", 0))
        labels[number] = CategoryLabel(
            number, str(category.get("name", f"Category {number}")), COLOUR_TAGS.get(category.get("colour"), "")
        )
    return labels


def category_text(number: int, label: CategoryLabel | None) -> str:
    """A category in words: "3 Targeted"; "Insufficient evidence: officer to categorise" has no number."""
    if number == INSUFFICIENT:
        return INSUFFICIENT_NAME
    return f"{number} {label.name}".strip() if label and label.name else f"Category {number}"


def run_count_rows(run: RiskRun) -> list[tuple[str, int, str]]:
    """The run's counts as (label, count, tag class) rows: categories first, in order, then the rest."""
    labels = category_labels(run.ruleset_version)
    rows = []
    for key, value in sorted(run.counts.items(), key=lambda item: (not item[0].startswith("category_"), item[0])):
        if key.startswith("category_"):
            number = int(key.removeprefix("category_"))
            label = labels.get(number, CategoryLabel(number, "", ""))
            rows.append((category_text(number, label), value, label.tag))
        else:
            rows.append((COUNT_LABELS.get(key, key.replace("_", " ").capitalize()), value, ""))
    return rows


def ruleset_json(version: RuleSetVersion | None, default: dict) -> str:
    """A version's configuration (or the default) as indented JSON for reading and editing."""
    return json.dumps(version.config if version else default, indent=2, ensure_ascii=False)


RATING_LETTER_TAGS = {
    "G": ("Green", "govuk-tag--green"),
    "A": ("Amber", "govuk-tag--orange"),
    "R": ("Red", "govuk-tag--red"),
}


@dataclass(frozen=True)
class ScoreShown:
    """How a rule-set version's scores are shown (#14 item 7): ``method`` "points" (versions saved before
    ``default-2``: the integer sum of points) or "evidence" (stored in 1/``scale`` units, shown as a decimal)."""

    method: str
    scale: int
    evidence_weight: float
    points_weight: float

    def text(self, score: int | None) -> str:
        """The score as people read it: "4" (points), "2.3" or "-0.7" (evidence, stored as 23 and -7)."""
        if score is None:
            return ""
        if self.method != "evidence":
            return str(score)
        return f"{score / self.scale + 0.0:.{score_decimals(self.scale)}f}"

    def meaning(self, points: Points | None = None, trend_points: int = 1) -> str:
        """One sentence under a table of scores saying what they are."""
        if self.method != "evidence":
            p = points or Points()
            return f"Score: the indicator points (amber {p.amber}, red {p.red}, and the S9 trend {trend_points})."
        weight = "" if self.evidence_weight == 1 else f"{self.evidence_weight:g} × "
        return (
            f"Score: {weight}how many standard errors the school's latest results lie below national (the worse of"
            " KS2 reading and maths progress and Progress 8; KS2 reading, writing and maths attainment where no"
            f" progress is published), plus {self.points_weight:g} × its indicator points; below 0 is above"
            " national. Each school's page says how its score was made."
        )

    @property
    def header(self) -> str:
        """What the score is, for the CSV's column header."""
        if self.method != "evidence":
            return "score (indicator points)"
        weight = "" if self.evidence_weight == 1 else f"{self.evidence_weight:g} × "
        return f"score ({weight}standard errors below national + {self.points_weight:g} × points)"


def score_shown(version: RuleSetVersion | None) -> ScoreShown:
    """How ``version`` writes its scores. A version without a ``score`` section scores by points (as
    ``ruleset_version_ruleset`` reads it); a section without a key takes the engine's default (``ScoreRule``)."""
    config = (version.config or {}) if version is not None else {}
    section = config.get("score")
    if not isinstance(section, dict):
        return ScoreShown("points", 1, 1.0, 0.0)
    default = ScoreRule()
    return ScoreShown(
        str(section.get("method", default.method)),
        int(section.get("scale", default.scale)),
        float(section.get("evidence_weight", default.evidence_weight)),
        float(section.get("points_weight", default.points_weight)),
    )


def score_meaning(version: RuleSetVersion | None) -> str:
    """What ``version``'s scores are, in a sentence for under a table of them."""
    config = (version.config or {}) if version is not None else {}
    p, trend = config.get("points"), config.get("trend")
    points = Points(**p) if isinstance(p, dict) and set(p) <= {"green", "amber", "red"} else None
    trend_points = int(trend.get("points", 1)) if isinstance(trend, dict) else 1
    return score_shown(version).meaning(points, trend_points)


def score_text(score: int | None, version: RuleSetVersion | None) -> str:
    """A stored score as ``version`` means it ("2.3" for 23 under the evidence score, "4" under points)."""
    return score_shown(version).text(score)


def risk_register_csv(frame: pd.DataFrame, *, version: RuleSetVersion | None = None) -> str:
    """The register frame as CSV text (byte-order mark, CRLF), every cell formula-safe as in the schools export.

    With the run's rule-set ``version``, the score is written as people read it (``score_text``) under a header
    that says what it is ("score (standard errors below national + 0.25 × points)", "score (indicator points)").
    """
    safe = frame.map(csv_safe)
    if version is not None and "score" in frame.columns:
        # a number we write, not text anyone typed: "-0.7" stays a number (no quote prefix)
        shown = score_shown(version)
        safe["score"] = frame["score"].map(lambda s: shown.text(None if pd.isna(s) else int(s)))
        safe = safe.rename(columns={"score": shown.header})
    return "\ufeff" + safe.to_csv(index=False, lineterminator="\r\n")


def csv_field(text: str) -> str:
    """``text`` as the csv module writes a field (its default dialect, minimal quoting): quoted, with its quotes
    doubled, when it holds a comma, a quote or a line break. The csv writer reads a field a character at a time; a
    register's long reasons made that most of the download's time. (Four ``in`` tests, not ``any`` over a
    generator: this runs for each of a region's 70,000 cells.)"""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def risk_register_csv_text(rows: Iterable[tuple], *, version: RuleSetVersion | None = None) -> str:
    """``risk_register_csv`` of the same register from ``selectors.risk_register_csv_rows`` (its letters and compact
    lists already read in SQL): the same text, byte for byte (tested), with one line of Python per school."""
    shown = score_shown(version) if version is not None else None
    header = [*REGISTER_CSV_COLUMNS]
    if shown is not None:
        header[header.index("score")] = shown.header
    lines = ["\ufeff" + ",".join(csv_field(column) for column in header)]
    ratings = len(CODES)
    for urn, name, proposed, agreed, standards, capacity, leading, score, *rest in rows:
        missing, reasons, missing_full, reasons_full = rest[ratings:]
        if missing_full is not None:  # a list stored in full (older runs) wins, as in ``risk_register_frame``
            missing = " | ".join([str(item) for item in missing_full])
        if reasons_full is not None:
            reasons = " | ".join([str(item) for item in reasons_full])
        lines.append(
            ",".join(
                (
                    csv_field(csv_safe(urn)),
                    csv_field(csv_safe(name)),
                    csv_field(csv_safe(proposed)),
                    "" if agreed is None else csv_field(csv_safe(agreed)),
                    csv_field(csv_safe(standards)),
                    csv_field(csv_safe(capacity)),
                    "yes" if leading else "no",
                    csv_field(csv_safe(score) if shown is None else shown.text(score)),
                    *rest[:ratings],  # "", "G", "A" or "R"
                    csv_field(csv_safe(missing)),
                    csv_field(csv_safe(reasons)),
                )
            )
        )
    lines.append("")
    return "\r\n".join(lines)


@dataclass(frozen=True)
class CountTable:
    """Counts of schools by category (columns) and one school field (rows), with totals."""

    caption: str
    row_label: str
    categories: list[CategoryLabel]
    rows: list[tuple[str, list[int], int]]
    totals: list[int]
    total: int

    def rows_html(self) -> SafeString:
        """The body's rows as HTML, written here rather than by a template loop per cell: a region's register
        has tables of hundreds of trusts and clusters, thousands of cells a view (#15: most of the page's time)."""
        parts = []
        for value, cells, total in self.rows:
            parts.append(_ROW_HEADER.format(conditional_escape(value)))
            parts.extend(_NUMERIC_CELL.format(int(n)) for n in (*cells, total))
            parts.append("</tr>")
        return mark_safe("".join(parts))  # noqa: S308 - the label is escaped, the rest are whole numbers


_ROW_HEADER = '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>'
_NUMERIC_CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'


def count_table(
    counts: dict[tuple[str, int], int], *, caption: str, row_label: str, labels: dict[int, CategoryLabel]
) -> CountTable:
    """A category × field table from ``risk_register_facets`` counts: every category with a name or a count."""
    numbers = sorted({*(n for n in labels if n != INSUFFICIENT), *(category for _, category in counts)})
    categories = [labels.get(n, CategoryLabel(n, "", "")) for n in numbers]
    values = sorted({value for value, _ in counts}, key=lambda v: (v == "", v))
    rows = []
    for value in values:
        cells = [counts.get((value, n), 0) for n in numbers]
        rows.append((value or "Not recorded", cells, sum(cells)))
    totals = [sum(counts.get((value, n), 0) for value in values) for n in numbers]
    return CountTable(caption, row_label, categories, rows, totals, sum(totals))


def category_tag_html(number: int | None, label: CategoryLabel | None) -> SafeString:
    """A category as a GOV.UK tag: the markup of ``risk/includes/category_tag.html`` with one ``label``, for rows
    written in Python (a test keeps the two the same)."""
    name = label.name if label is not None else ""
    text = f"{conditional_escape(str(number))}{' ' if name else ''}" if number != 0 else ""
    tag = conditional_escape(label.tag) if label is not None else ""
    return mark_safe(f'<strong class="govuk-tag {tag}">{text}{conditional_escape(name)}</strong>')  # noqa: S308


_REGISTER_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{url}">{name}</a>{leading}'
    '<br><span class="govuk-body-s">URN {urn}{trust}</span></td>'
    '<td class="govuk-table__cell">{phase}</td>'
    '<td class="govuk-table__cell">{district}</td>'
    '<td class="govuk-table__cell">{tag}{academy}</td>'
    '<td class="govuk-table__cell">{agreed}</td>'
    '<td class="govuk-table__cell">{movement}{was}</td>'
    '<td class="govuk-table__cell">{standards}</td>'
    '<td class="govuk-table__cell">{capacity}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{score}</td>'
    "</tr>"
)
_LEADING = ' <strong class="govuk-tag govuk-tag--blue">Leading</strong>'


def register_rows_html(
    assessments: Iterable,
    *,
    categories: dict[int, CategoryLabel],
    movements: dict[str, str],
    version: RuleSetVersion | None,
    school_url: Callable[[int], str],
) -> SafeString:
    """The risk register's rows (assessments from ``risk_register_list``) as HTML, every value escaped: written here
    rather than by a template loop, which was about two fifths of the register page's CPU time at regional size
    (#15). ``school_url``: a school's risk page from its URN. The same markup as the template loop it replaced (a
    test renders both)."""
    esc = conditional_escape
    shown = score_shown(version)
    parts = []
    for a in assessments:
        school = a.school
        previous = a.previous_category
        parts.append(
            _REGISTER_ROW.format(
                url=esc(school_url(school.urn)),
                name=esc(school.name),
                leading=_LEADING if a.leading else "",
                urn=esc(school.urn),
                trust=f", {esc(school.trust_name)}" if school.trust_name else "",
                phase=esc(school.phase),
                district=esc(school.district),
                tag=category_tag_html(a.proposed_category, categories.get(a.proposed_category)),
                academy=f'<br><span class="govuk-body-s">Academy: {esc(a.academy_view)}</span>'
                if a.academy_view
                else "",
                agreed="" if a.agreed_category is None else esc(a.agreed_category),
                movement=esc(str(movements.get(a.movement))),  # as the template did: "None" if unknown
                was=f'<br><span class="govuk-body-s">was {esc(previous)}</span>'
                if previous and a.movement != "same"
                else "",
                standards=esc(a.standards_band),
                capacity=esc(a.capacity_band),
                score=esc(shown.text(a.score)),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


_STOP_BEFORE_MARK = re.compile(r"(?<!\.)\.\s*(?=[:;,])")


def sentence_text(sentence: str) -> str:
    """A trace sentence as it is shown: a full stop that free text brought just before the ":" or ";" the engine
    adds is dropped ("DSL has acted.: at least category 3" reads "DSL has acted: at least category 3"). Runs stored
    before the engine trimmed its clauses are shown right too; an ellipsis ("...") is left alone."""
    return _STOP_BEFORE_MARK.sub("", sentence)


def sentences_text(sentences, register_note: str = "") -> list[str]:
    """``sentence_text`` for each of a stored list of sentences (reasons, overrides, missing inputs), with
    ``register_inspection_note`` where the engine found no inspection."""
    return [with_register_inspection(sentence_text(str(s)), register_note) for s in sentences or []]


NO_INSPECTION = "No graded inspection on record"


def register_inspection_note(school) -> str:
    """What the register (GIAS) says about the school's last inspection when it says anything: the engine reads
    only Ofsted's management information, so a school with a GIAS rating and no imported Ofsted row would
    otherwise read "no inspection" in its trace beside "Good" on its school page (#14.9)."""
    rating = (getattr(school, "ofsted_rating", "") or "").strip()
    if not rating:
        return ""
    last = school.ofsted_last_inspection
    on = f", last inspection {last.day} {last:%B %Y}" if last else ""
    return f'the register (GIAS) shows Ofsted rating "{rating}"{on}, which the engine does not read'


def with_register_inspection(sentence: str, note: str) -> str:
    """ "No graded inspection on record: S1 not scored" says where it looked, and what the register shows."""
    if not note or not sentence.startswith(NO_INSPECTION):
        return sentence
    return sentence.replace(
        NO_INSPECTION, f"No graded inspection in the Ofsted management information imported ({note})", 1
    )


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator on a school's risk page."""

    code: str
    label: str
    rating: str
    tag: str
    value: str
    sentence: str


# What each indicator's stored value measures, so the risk page shows it with its unit (#14.9): gaps to national in
# percentage points, ratios to national as "× national", progress scores signed; counts and the rest as numbers.
PERCENTAGE_POINT_GAPS = frozenset({"S2", "S5", "S8"})
RATIOS_TO_NATIONAL = frozenset({"S6", "S7"})
SIGNED_SCORES = frozenset({"S3"})


def value_text(code: str, value) -> str:
    """An indicator's value as people read it: "-2.0 percentage points", "2.00 × national", "-1.25"."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    if not isinstance(value, int | float):
        return str(value)
    if code in PERCENTAGE_POINT_GAPS:
        return f"{value:+.1f} percentage points"
    if code in RATIOS_TO_NATIONAL:
        return f"{value:.2f} × national"
    if code in SIGNED_SCORES:
        return f"{value:+.2f}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def indicator_rows(indicators: dict, register_note: str = "") -> list[IndicatorRow]:
    """Every indicator S1…S9, C1…C9 in order, whether or not the assessment holds it (blank when missing)."""
    rows = []
    for indicator in INDICATORS:
        found = indicators.get(indicator.code) or {}
        rating, tag = RATING_LETTER_TAGS.get(found.get("rating") or "", ("Not rated", ""))
        shown = value_text(indicator.code, found.get("value"))
        rows.append(
            IndicatorRow(
                indicator.code,
                indicator.label,
                rating,
                tag,
                shown,
                with_register_inspection(sentence_text(found.get("sentence") or ""), register_note),
            )
        )
    return rows


@dataclass(frozen=True)
class HistoryRow:
    """One finished run's category for a school, named by that run's own rule set."""

    run: RiskRun
    category: int
    label: CategoryLabel
    standards_band: str
    capacity_band: str
    score: int
    leading: bool
    score_text: str = ""


def history_rows(assessments: list) -> list[HistoryRow]:
    """A school's assessments (newest first, runs and rule sets selected) as history rows."""
    rows = []
    for assessment in assessments:
        number = assessment.proposed_category
        label = category_labels(assessment.run.ruleset_version).get(number, CategoryLabel(number, "", ""))
        rows.append(
            HistoryRow(
                assessment.run,
                number,
                label,
                assessment.standards_band,
                assessment.capacity_band,
                assessment.score,
                assessment.leading,
                score_text(assessment.score, assessment.run.ruleset_version),
            )
        )
    return rows
