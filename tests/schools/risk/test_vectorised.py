"""The engine is vectorised: it categorises an England-sized input (24,000 schools, three years) whole, and its
source has no row-by-row iteration. How fast is measured by ``make bench`` (``BENCH risk_run``), never asserted
here: machines are shared and noisy."""

from __future__ import annotations

import re
from pathlib import Path

from schools.risk import risk_compute
from tests.schools.risk.builders import generated_inputs

ENGINE = Path(__file__).resolve().parents[3] / "schools" / "risk" / "engine"
ROW_LOOPS = re.compile(r"\.iterrows\(|\.itertuples\(|\.apply\([^)]*axis\s*=\s*(1|\"columns\"|'columns')")


def test_24000_schools_three_years_are_categorised_whole() -> None:
    inputs = generated_inputs(24_000)
    assert inputs.measures["year"].nunique() == 3
    result = risk_compute(inputs)
    assert len(result.schools) == 24_000
    assert len(result.indicators) == 24_000 * 18
    assert result.schools["proposed_category"].between(1, 4).all()
    assert result.schools["proposed_category"].nunique() == 4


# The engine's own modules (every one in schools/risk/engine/): pure pandas, importing nothing from Django. The
# import contract in pyproject.toml ("make lint") checks the imports too, including indirect ones.
ENGINE_FILES = sorted(str(path.relative_to(ENGINE)) for path in ENGINE.rglob("*.py"))


def test_engine_source_has_no_row_iteration() -> None:
    offenders = []
    for name in ENGINE_FILES:
        path = ENGINE / name
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ROW_LOOPS.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, "Vectorise instead of iterating rows:\n" + "\n".join(offenders)


def test_engine_imports_nothing_from_django() -> None:
    assert {"compute.py", "escalation.py", "confidential.py", "assessment_text.py", "backtest.py"} <= set(ENGINE_FILES)
    for name in ENGINE_FILES:
        text = (ENGINE / name).read_text()
        assert not re.search(r"^\s*(from|import) django", text, re.M), name
        assert not re.search(r"^\s*from \S*models\b|^\s*import \S*models\b", text, re.M), name


def test_the_row_loop_pattern_catches_what_it_forbids() -> None:
    assert ROW_LOOPS.search("for _, row in frame.iterrows():")
    assert ROW_LOOPS.search("frame.itertuples(index=False)")
    assert ROW_LOOPS.search("frame.apply(lambda r: r.a + r.b, axis=1)")
    assert ROW_LOOPS.search('frame.apply(f, axis="columns")')
    assert not ROW_LOOPS.search("frame.groupby('school_id').max()")
