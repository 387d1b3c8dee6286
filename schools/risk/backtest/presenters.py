"""Display values of a stored backtest for its page and for the command (templates hold no logic)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from schools.risk.engine.backtest import BASELINES, year_label
from schools.risk.models import RiskBacktest

STAGE_NAMES = {"ks2": "Key stage 2", "ks4": "Key stage 4"}


def auc_text(auc: dict) -> str:
    """ "0.47 (0.38 to 0.57)", or why there is no AUC."""
    if auc.get("value") is None:
        return f"Not computable: {auc.get('reason') or 'no figure'}"
    return f"{auc['value']:.2f} ({auc['low']:.2f} to {auc['high']:.2f})"


def share_text(count: int, total: int, share: float | None) -> str:
    """ "5 of 39 (13%)", or "none of 0" when there is nothing to share."""
    if not total or share is None:
        return f"{count} of {total} (no share: nothing to divide by)"
    return f"{count:,} of {total:,} ({share:.0%})"


def rate_text(rate: float | None) -> str:
    return "not computable (no school)" if rate is None else f"{rate:.0%}"


@dataclass(frozen=True)
class PredictorRow:
    """One measure's ranking of one outcome: schools, positives, AUC, and the score on the same schools."""

    label: str
    schools: int
    positives: int
    auc: str
    same_schools: str
    few: bool


@dataclass(frozen=True)
class OutcomeView:
    """One outcome of one as-at year."""

    key: str
    label: str
    event: str
    measured: int
    positives: int
    headline: str
    rows: list[PredictorRow]
    capture: list[tuple[str, str]]
    stages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class YearView:
    """One as-at year of a backtest."""

    as_at: int
    label: str
    outcome_label: str
    as_at_date: str
    inspections_until: str
    schools: int
    categories: list[tuple[str, int]]
    outcomes: list[OutcomeView]
    coverage: list[dict]
    notes: list[str]


def _date(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%-d %B %Y")


def backtest_years(backtest: RiskBacktest) -> list[YearView]:
    """The report of ``backtest`` as one view per as-at year."""
    concern = backtest.report.get("definition", {}).get("concern_categories") or [3, 4]
    return [_year_view(year, concern) for year in backtest.report.get("years", [])]


def _categories_text(numbers: list[int]) -> str:
    """[3, 4] → "categories 3 and 4"."""
    words = [str(n) for n in numbers]
    joined = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f"categor{'y' if len(words) == 1 else 'ies'} {joined}"


def _year_view(year: dict, concern: list[int]) -> YearView:
    return YearView(
        as_at=year["as_at"],
        label=year_label(year["as_at"]),
        outcome_label=year_label(year["outcome_year"]),
        as_at_date=_date(year["as_at_date"]),
        inspections_until=_date(year["inspections_until"]),
        schools=year["schools"],
        categories=[
            ("Insufficient evidence" if int(number) == 0 else f"Category {number}", count)
            for number, count in sorted(year["categories"].items(), key=lambda item: int(item[0]))
        ],
        outcomes=[_outcome_view(outcome, concern) for outcome in year["outcomes"]],
        coverage=year["coverage"],
        notes=year["notes"],
    )


def _outcome_view(outcome: dict, concern_numbers: list[int]) -> OutcomeView:
    rows = [
        PredictorRow(
            label=p["label"],
            schools=p["n"],
            positives=p["positives"],
            auc=auc_text(p),
            same_schools=auc_text(p["score_same_schools"])
            if p["key"] in BASELINES and "score_same_schools" in p
            else "Not applicable",
            few=bool(p.get("few")),
        )
        for p in outcome["predictors"]
    ]
    c = outcome["capture"]
    concern = _categories_text(concern_numbers)
    others = _categories_text([n for n in range(1, 5) if n not in concern_numbers])
    capture = [
        (
            f"Schools that {outcome['event']} and were in {concern}",
            share_text(c["positives_flagged"], c["positives"], c["share_of_positives_flagged"]),
        ),
        (f"All schools measured that were in {concern}", share_text(c["flagged"], c["schools"], c["share_flagged"])),
        (f"Share that {outcome['event']}, in {concern}", rate_text(c["rate_flagged"])),
        (f"Share that {outcome['event']}, in {others}", rate_text(c["rate_not_flagged"])),
    ]
    stages = [
        f"{STAGE_NAMES.get(stage, stage)}: {counts['declines']:,} of {counts['measured']:,} schools measured declined"
        for stage, counts in outcome.get("by_stage", {}).items()
    ]
    measured, positives = outcome["measured"], outcome["positives"]
    return OutcomeView(
        key=outcome["key"],
        label=outcome["label"],
        event=outcome["event"],
        measured=measured,
        positives=positives,
        headline=(
            f"Of the {measured:,} schools with a known outcome, {positives:,} ({positives / measured:.0%}) "
            f"{outcome['event']}."
            if measured
            else "No school has a known outcome, so nothing could be measured."
        ),
        rows=rows,
        capture=capture,
        stages=stages,
    )


def backtest_summary_text(backtest: RiskBacktest) -> list[str]:
    """Per as-at year, one line for the list page: the decline AUCs of the score and of the category."""
    lines = []
    for as_at, figures in sorted(backtest.summary.items()):
        score = figures.get("score_auc")
        category = figures.get("category_auc")
        line = (
            f"As at {year_label(int(as_at))}: {figures.get('declines', 0)} of {figures.get('schools', 0)} declined; "
            f"score {'not computable' if score is None else f'{score:.2f}'}, "
            f"category {'not computable' if category is None else f'{category:.2f}'}"
        )
        banded, best = figures.get("banded_score_auc"), figures.get("banded_best_baseline_auc")
        if "banded" in figures:
            line += (
                f"; KS2 progress banded below average next year: {figures['banded']} of "
                f"{figures['banded_schools']}, score {'not computable' if banded is None else f'{banded:.2f}'}, "
                f"best single indicator {'not computable' if best is None else f'{best:.2f}'}"
            )
        lines.append(line)
    return lines


def backtest_lines(backtest: RiskBacktest) -> list[str]:
    """The whole report as plain text lines (what ``risk_backtest`` prints)."""
    lines = []
    for year in backtest_years(backtest):
        categories = ", ".join(f"{label.lower()}: {count:,}" for label, count in year.categories)
        lines += [
            "",
            f"As at {year.label} (data known on {year.as_at_date}), outcomes in {year.outcome_label}:",
            f"  {year.schools:,} schools categorised ({categories or 'none'})",
        ]
        for outcome in year.outcomes:
            lines.append(f"  {outcome.label}: {outcome.headline}")
            lines += [f"    {stage}" for stage in outcome.stages]
            for row in outcome.rows:
                few = " [very uncertain: few schools]" if row.few else ""
                same = (
                    f"; the score on the same schools: {row.same_schools}"
                    if row.same_schools != "Not applicable"
                    else ""
                )
                on = f" on {row.schools:,} schools ({row.positives:,} with the outcome)" if row.schools else ""
                lines.append(f"    AUC of {row.label.lower()}: {row.auc}{on}{few}{same}")
            lines += [f"    {label}: {value}" for label, value in outcome.capture]
        lines += [f"  Note: {note}" for note in year.notes]
    return lines
