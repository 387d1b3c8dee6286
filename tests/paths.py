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

PERFORMANCE = SHARED_DATA / "performance"
KS2_2017 = PERFORMANCE / "ks2" / "2016-2017_936_ks2final.csv"
KS2_2018 = PERFORMANCE / "ks2" / "2017-2018_936_ks2final.csv"
KS2_2019 = PERFORMANCE / "ks2" / "2018-2019_936_ks2final.csv"
KS2_2025_HERTS = PERFORMANCE / "ks2" / "2024-2025_919_ks2final_extract_first50rows.csv"
KS4_2017 = PERFORMANCE / "ks4" / "2016-2017_936_ks4final.csv"
KS4_2018 = PERFORMANCE / "ks4" / "2017-2018_936_ks4final.csv"
KS4_2019 = PERFORMANCE / "ks4" / "2018-2019_936_ks4final.csv"
KS4_2025_CAMDEN = PERFORMANCE / "ks4" / "2024-2025_england_ks4final_extract_LA201-202.csv"
ABSENCE_2019 = SHARED_DATA / "attendance" / "2018-2019_england_abs.csv"
ABSENCE_2024 = SHARED_DATA / "attendance" / "2023-2024_england_abs.csv"
CENSUS_2019 = SHARED_DATA / "census" / "2018-2019_england_census.csv"
OFSTED_MI = SHARED_DATA / "ofsted" / "ofsted_mi_sample.csv"
