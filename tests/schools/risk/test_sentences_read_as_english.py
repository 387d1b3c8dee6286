"""#14.9: trace sentences read as English when free text (an intelligence summary) ends with a full stop."""

from __future__ import annotations

import pandas as pd

from schools.risk.engine.indicators.common import clause
from schools.risk.presenters import sentence_text, sentences_text
from tests.schools.risk.builders import indicator, intel, run


def test_a_summary_ending_with_a_full_stop_makes_no_stop_before_the_colon() -> None:
    result = run(intelligence=[intel(1, "safeguarding", "red", summary="DSL has acted.")])
    overrides = result.schools.loc[1, "overrides"]
    assert overrides == [
        "Safeguarding concern recorded 1 November 2025: DSL has acted: at least category 3 "
        "(an officer may raise it to 4)"
    ]
    assert not any(".:" in s for s in [*overrides, *result.schools.loc[1, "reasons"]])


def test_intelligence_indicator_sentences_drop_the_summary_s_own_full_stop() -> None:
    result = run(intelligence=[intel(1, "finance", "red", summary="Deficit recovery plan agreed.")])
    sentence = indicator(result, 1, "C4")["sentence"]
    assert "Deficit recovery plan agreed" in sentence and "agreed." not in sentence


def test_clause_trims_only_the_end() -> None:
    assert list(clause(pd.Series(["Acted. Then more.", "None;", None, "ok"]))) == ["Acted. Then more", "None", "", "ok"]


def test_stored_sentences_are_shown_as_english() -> None:
    """Runs stored before the engine trimmed its clauses are shown right (the fix is where text is rendered)."""
    assert sentence_text("Safeguarding concern recorded 1 May 2025: DSL has acted.: at least category 3") == (
        "Safeguarding concern recorded 1 May 2025: DSL has acted: at least category 3"
    )
    assert sentences_text(["Plan agreed. ; overrides raise it to 3", "Wait...: x"]) == [
        "Plan agreed; overrides raise it to 3",
        "Wait...: x",
    ]
