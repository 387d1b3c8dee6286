"""Display values for the risk pages: tag colours, category names, counts as rows."""

from __future__ import annotations

import json
from dataclasses import dataclass

from schools.risk.models import RiskRun, RuleSetVersion

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
    labels = {}
    for category in categories:
        number = int(category.get("number", 0))
        labels[number] = CategoryLabel(
            number, str(category.get("name", f"Category {number}")), COLOUR_TAGS.get(category.get("colour"), "")
        )
    return labels


def run_count_rows(run: RiskRun) -> list[tuple[str, int, str]]:
    """The run's counts as (label, count, tag class) rows: categories first, in order, then the rest."""
    labels = category_labels(run.ruleset_version)
    rows = []
    for key, value in sorted(run.counts.items(), key=lambda item: (not item[0].startswith("category_"), item[0])):
        if key.startswith("category_"):
            number = int(key.removeprefix("category_"))
            label = labels.get(number, CategoryLabel(number, "", ""))
            rows.append((f"{number} {label.name}".strip() if label.name else f"Category {number}", value, label.tag))
        else:
            rows.append((COUNT_LABELS.get(key, key.replace("_", " ").capitalize()), value, ""))
    return rows


def ruleset_json(version: RuleSetVersion | None, default: dict) -> str:
    """A version's configuration (or the default) as indented JSON for reading and editing."""
    return json.dumps(version.config if version else default, indent=2, ensure_ascii=False)
