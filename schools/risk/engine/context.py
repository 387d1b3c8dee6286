"""``RiskContext``: the normalised inputs plus the lookups every indicator shares, computed once and cached.

All lookups are vectorised: a per-school year (a Series indexed by ``school_id``) goes in, a per-school value
comes out. No lookup loops over schools.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from .frames import (
    MeasureTable,
    RiskInputs,
    averages_normalise,
    inspections_normalise,
    intelligence_normalise,
    schools_normalise,
)
from .ruleset import Ruleset

STAGES = ("ks2", "ks4", "abs", "exc", "ey", "census")
GRADED_FRAMEWORKS = ("report_card", "oeif")
NOT_THIS_URN = ("false", "no", "0", "n")  # Ofsted MI "relates to the URN of the current school?"
PROVISIONS = ("special", "ap")  # schools with their own national comparators (#14: compare like with like)
PROVISION_WORDS = {"special": "special schools", "ap": "alternative provision"}

MISSING_CODES = {
    "SUPP": "suppressed (small numbers)",
    "NE": "no entries",
    "NP": "not published",
    "NA": "not available",
    "LOWCOV": "low coverage",
    "NEW": "new school",
    "DNS": "did not submit",
    "X": "not published",
    "..": "not published",
    "BLANK": "blank in the source",
}


class RiskContext:
    """Normalised inputs and shared per-school lookups for one engine run."""

    def __init__(self, inputs: RiskInputs, ruleset: Ruleset) -> None:
        self.rules = ruleset
        self.as_at = int(inputs.as_at)
        self.today = pd.Timestamp(inputs.today).normalize()
        self.schools = schools_normalise(inputs.schools)
        self.index: pd.Index = self.schools.index
        self.table = MeasureTable(inputs.measures, self.index)
        self.averages = averages_normalise(inputs.averages)
        self.inspections = inspections_normalise(inputs.inspections, self.index)
        self.intelligence = intelligence_normalise(inputs.intelligence, self.index)

    # ------------------------------------------------------------------------------------------ measures

    @cached_property
    def measures(self) -> pd.DataFrame:
        """The measures as a long frame (``school_id``, ``year``, ``code``, ``value``, ``missing``, ``stage``)."""
        return self.table.frame()

    @property
    def years(self) -> np.ndarray:
        """The years of measures loaded, ascending: the columns of ``grid``."""
        return self.table.years

    def grid(self, code: str) -> np.ndarray:
        """All years of one measure: schools (in ``index`` order) x ``years``, NaN where none (a fresh array)."""
        return self.table.grid(code)

    def series(self, code: str) -> pd.Series:
        """All years of one measure, indexed by (school_id, year) (empty when the code never occurs)."""
        grid = self.table.grid(code)
        school, year = np.nonzero(~np.isnan(grid))
        keys = pd.MultiIndex.from_arrays([self.index[school], self.years[year]], names=["school_id", "year"])
        return pd.Series(grid[school, year], index=keys, name=code).sort_index()

    def at(self, code: str, year: pd.Series) -> pd.Series:
        """Each school's value of ``code`` in its own ``year`` (NaN when absent)."""
        return pd.Series(self.table.value_at(code, self.table.year_positions(year)), index=self.index)

    def marker_at(self, code: str, year: pd.Series) -> pd.Series:
        """Each school's missing marker for ``code`` in ``year`` as a readable phrase ("" when none)."""
        marker = self.table.marker_at(code, self.table.year_positions(year))
        phrases = [MISSING_CODES.get(str(m).upper(), str(m)) for m in self.table.markers]
        return pd.Series(np.append(np.asarray(phrases, dtype=object), "")[marker], index=self.index, dtype=object)

    def stage_year(self, stage: str) -> pd.Series:
        """Each school's latest year with any row of the stage, from ``as_at - max_age_years`` to ``as_at``."""
        return self._stage_years[stage]

    @cached_property
    def _stage_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Which schools have a row of each of ``STAGES``: (stage x school x year, stage x school) booleans."""
        t = self.table
        stage = pd.Index(STAGES).get_indexer(t.stages)[t.code]
        rows = stage >= 0
        by_year = np.zeros((len(STAGES), len(self.index), len(t.years)), dtype=bool)
        by_year[stage[rows], t.school[rows], t.year[rows]] = True
        return by_year, np.asarray(by_year.any(axis=2))

    @cached_property
    def _stage_years(self) -> dict[str, pd.Series]:
        by_year, _ = self._stage_rows
        years = self.years
        window = (years <= self.as_at) & (years >= self.as_at - self.rules.data.max_age_years)
        out = {}
        for number, stage in enumerate(STAGES):
            present = by_year[number] & window
            found = present.any(axis=1)
            latest = np.full(len(self.index), np.nan)
            if found.any():
                latest[found] = years[len(years) - 1 - np.argmax(present[found, ::-1], axis=1)]
            out[stage] = pd.Series(latest, index=self.index)
        return out

    # ------------------------------------------------------------------------------------------ averages

    def national(self, code: str, year: pd.Series, *, phase_specific: bool = False) -> pd.Series:
        """The national average of ``code`` in each school's ``year``.

        With ``phase_specific``, an average for the school's phase group (area ``england/primary`` or
        ``england/secondary``) is used where loaded, else the all-school national figure.
        """
        area = self.rules.data.national_area
        overall = self._average(code, area, year)
        own = self.provision != ""
        if not phase_specific:  # special schools and AP are never compared with the mainstream figure (#14)
            return overall.where(~own)
        group = self.phase_group
        primary = self._average(code, f"{area}/primary", year)
        secondary = self._average(code, f"{area}/secondary", year)
        specific = pd.Series(np.where(group == "secondary", secondary, primary), index=self.index)
        mainstream = specific.where(specific.notna(), overall)
        for provision in PROVISIONS:
            mine = (self.provision == provision).to_numpy()
            if mine.any():
                mainstream = mainstream.mask(mine, self._average(code, f"{area}/{provision}", year))
        return mainstream

    def national_grid(self, code: str, *, phase_specific: bool = False) -> np.ndarray:
        """Schools x years (``grid``): the national figure each school is compared with in each year."""
        area = self.rules.data.national_area
        rows = np.tile(self.national_by_year(code).reindex(self.years).to_numpy(dtype="float64"), (len(self.index), 1))
        for provision in PROVISIONS:
            mine = (self.provision == provision).to_numpy()
            if mine.any():
                own = self.averages
                table = own.loc[(own["code"] == code) & (own["area"] == f"{area}/{provision}")].set_index("year")
                values = table["value"].reindex(self.years).to_numpy(dtype="float64")
                rows[mine] = values if phase_specific else np.nan
        return rows

    @cached_property
    def provision(self) -> pd.Series:
        """'special', 'ap' or '' (mainstream): which schools have only their own national comparators."""
        value = self.schools["provision"].fillna("").astype(str).str.strip().str.lower()
        return value.where(value.isin(PROVISIONS), "")

    def _average(self, code: str, area: str, year: pd.Series) -> pd.Series:
        av = self.averages
        table = av.loc[(av["code"] == code) & (av["area"] == area)].set_index("year")["value"]
        return pd.Series(table.reindex(year.reindex(self.index).to_numpy()).to_numpy(dtype="float64"), index=self.index)

    def national_by_year(self, code: str) -> pd.Series:
        """The national series of ``code`` indexed by year."""
        av = self.averages
        return av.loc[(av["code"] == code) & (av["area"] == self.rules.data.national_area)].set_index("year")["value"]

    # ------------------------------------------------------------------------------------------ phases

    def _has_stage_rows(self, stage: str) -> pd.Series:
        _, any_year = self._stage_rows
        return pd.Series(any_year[STAGES.index(stage)], index=self.index)

    @cached_property
    def ks2(self) -> pd.Series:
        """Schools with a key stage 2 cohort: a KS2 phase (and not an infant school), or KS2 results on file."""
        phase = self.schools["phase"].isin(self.rules.data.ks2_phases)
        high = self.schools["statutory_high_age"]
        return (phase & ~(high < 11)) | self._has_stage_rows("ks2")

    @cached_property
    def ks4(self) -> pd.Series:
        """Schools with a key stage 4 cohort: a KS4 phase (and not ending before 16), or KS4 results on file."""
        phase = self.schools["phase"].isin(self.rules.data.ks4_phases)
        high = self.schools["statutory_high_age"]
        return (phase & ~(high < 16)) | self._has_stage_rows("ks4")

    @cached_property
    def early_years(self) -> pd.Series:
        """Schools with a reception class and year 1 (phonics): an early-years phase, or such results on file."""
        return self.schools["phase"].isin(self.rules.data.early_years_phases) | self._has_stage_rows("ey")

    @cached_property
    def phase_group(self) -> pd.Series:
        """'secondary' or 'primary': which phase-specific national average applies."""
        secondary = self.schools["phase"].isin(self.rules.data.secondary_phases) | self.ks4
        return pd.Series(np.where(secondary, "secondary", "primary"), index=self.index)

    # ------------------------------------------------------------------------------------------ inspections

    @cached_property
    def graded(self) -> pd.DataFrame:
        """The school's own graded inspections (report card or legacy OEIF) up to today, newest first within each
        school. A predecessor's inspection (Ofsted MI: "relates to current URN" false) is not the school's: it is
        context only (``predecessor_latest``), never an override or half of "stuck" (#14)."""
        return self._graded_all[~self._graded_all["predecessor"]]

    @cached_property
    def predecessor_latest(self) -> pd.DataFrame:
        """Each school's latest graded inspection of a predecessor school (all-NaN row when none)."""
        rows = self._graded_all[self._graded_all["predecessor"]]
        return rows.drop_duplicates("school_id", keep="first").set_index("school_id").reindex(self.index)

    @cached_property
    def _graded_all(self) -> pd.DataFrame:
        ins = self.inspections
        ins = ins[ins["framework"].isin(GRADED_FRAMEWORKS) & ~(ins["start_date"] > self.today)]
        ins = ins.assign(predecessor=ins["relates_to_current_urn"].isin(NOT_THIS_URN))
        ins = ins.sort_values(
            ["school_id", "start_date", "publication_date", "inspection_number"],
            ascending=[True, False, False, False],
            na_position="last",
        )
        own = ins[~ins["predecessor"]]
        position = own.groupby("school_id").cumcount().reindex(ins.index)
        return ins.assign(position=position)

    @cached_property
    def latest(self) -> pd.DataFrame:
        """Each school's latest graded inspection (all-NaN row when none), indexed by school_id."""
        return self._nth_graded(0)

    @cached_property
    def previous(self) -> pd.DataFrame:
        """Each school's graded inspection before the latest (all-NaN row when none)."""
        return self._nth_graded(1)

    def _nth_graded(self, n: int) -> pd.DataFrame:
        rows = self.graded[self.graded["position"] == n].set_index("school_id")
        return rows.reindex(self.index)

    # ------------------------------------------------------------------------------------------ intelligence

    @cached_property
    def _intelligence_sorted(self) -> pd.DataFrame:
        """Entries up to today, newest first per school; on the same day the worse rating first."""
        intel = self.intelligence
        rows = intel.loc[intel["recorded_on"] <= self.today]
        rows = rows.assign(severity=rows["rating"].map({"green": 0, "amber": 1, "red": 2}).fillna(-1))
        return rows.sort_values(
            ["school_id", "recorded_on", "severity", "summary", "kind"], ascending=[True, False, False, True, True]
        )

    def intelligence_latest(self, kinds: tuple[str, ...], *, window_days: int | None) -> pd.DataFrame:
        """Each school's latest entry of ``kinds`` (within ``window_days`` of today when given).

        Columns ``rating`` (green/amber/red), ``recorded_on``, ``summary``, ``kind``; NaN rows when none. Entries
        on the same day: the worse rating wins, so the answer never depends on row order.
        """
        intel = self._intelligence_sorted
        mask = intel["kind"].isin(kinds)
        if window_days is not None:
            mask &= intel["recorded_on"] > self.today - pd.Timedelta(days=window_days)
        rows = intel.loc[mask].drop_duplicates("school_id", keep="first").set_index("school_id")
        return rows[["kind", "rating", "recorded_on", "summary"]].reindex(self.index)
