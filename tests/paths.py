"""Where the shared real DfE data lives, resolved from this file (the repository sits beside ``shared``)."""

from __future__ import annotations

from pathlib import Path

SHARED_DATA = (Path(__file__).resolve().parent.parent / ".." / "shared" / "data").resolve()
GIAS = SHARED_DATA / "gias"
GIAS_2021 = GIAS / "gias_search_results_936_2021.csv"
GIAS_2022 = GIAS / "gias_search_results_936_20220420.csv"
GIAS_OFSTED_2021 = GIAS / "gias_search_results_936_20210507_ofsted.csv"
GIAS_FULL_SAMPLE = GIAS / "edubasealldata_format_sample_1row_2024-11.csv"
GIAS_LINKS = GIAS / "links_edubasealldata20250422.csv"
