"""The last three years are the three latest years, whatever order other schools' years come in.

A year with school results but no national figure (2020/21: no KS2 national figures were published) has no gap to
national. The engine used to lose track of the years' order then, and could read a school's oldest year as its
latest (a "three-year decline" that was really a rise).
"""

from __future__ import annotations

from tests.schools.risk.builders import NATIONAL, averages, indicator, ks2, measures, run, school, schools

# National 2021 is missing on purpose (no KS2 national figures for 2020/21).
KS2_NATIONAL = {2022: 59.0, 2023: 60.0, 2024: 61.0, 2025: 62.0}


def _run():
    national = {**NATIONAL, "ks2_rwm_exp": KS2_NATIONAL}
    return run(
        schools(school(1), school(2), school(3)),
        measures(
            ks2(1, {2023: 60.0, 2024: 61.0, 2025: 62.0}),  # the first school has neither 2021 nor 2022
            ks2(2, {2021: 40.0, 2023: 60.0, 2024: 61.0, 2025: 62.0}),  # a 2021 result with no national figure
            # Gaps to national: 2022 -10, 2023 0, 2024 +20, 2025 +10. The last three years (2023-2025) are never
            # below national and not a decline; 2022, 2025, 2024 would read as below once and declining.
            ks2(3, {2022: 49.0, 2023: 60.0, 2024: 81.0, 2025: 72.0}),
        ),
        averages_frame=averages(national),
    )


def test_the_last_three_years_are_the_latest_three() -> None:
    row = indicator(_run(), 3, "S2")
    assert row["sentence"].endswith("and below national in 0 of the last 3 years")


def test_an_older_year_is_not_read_as_the_latest_so_a_rise_is_not_a_decline() -> None:
    result = _run()
    assert result.schools.loc[3, "S9_value"] == 0
    assert "declining" not in result.schools.loc[3, "S9_sentence"]
