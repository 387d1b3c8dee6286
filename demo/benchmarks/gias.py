"""An England-sized GIAS "all establishment data" file, generated deterministically, and the import benchmark.

The generated values are invented but shaped like the real extract: real DfE LA codes and names, real type,
phase and status vocabularies, trusts shared by many schools (a few large, most small), dioceses for
church schools, federations in pairs, Windows-1252 apostrophes, postcodes and British National Grid
coordinates inside England. Nothing in it describes a real school or person.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection, transaction

from partnership.models import Partnership
from schools.importers.service import gias_import

ENGLAND_ESTABLISHMENTS = 50_000
SEED = 20241115

EDUBASE_HEADINGS: tuple[str, ...] = (
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)",
    "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)",
    "ReasonEstablishmentOpened (name)",
    "OpenDate",
    "ReasonEstablishmentClosed (code)",
    "ReasonEstablishmentClosed (name)",
    "CloseDate",
    "PhaseOfEducation (code)",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "Boarders (code)",
    "Boarders (name)",
    "NurseryProvision (name)",
    "OfficialSixthForm (code)",
    "OfficialSixthForm (name)",
    "Gender (code)",
    "Gender (name)",
    "ReligiousCharacter (code)",
    "ReligiousCharacter (name)",
    "ReligiousEthos (name)",
    "Diocese (code)",
    "Diocese (name)",
    "AdmissionsPolicy (code)",
    "AdmissionsPolicy (name)",
    "SchoolCapacity",
    "SpecialClasses (code)",
    "SpecialClasses (name)",
    "CensusDate",
    "NumberOfPupils",
    "NumberOfBoys",
    "NumberOfGirls",
    "PercentageFSM",
    "TrustSchoolFlag (code)",
    "TrustSchoolFlag (name)",
    "Trusts (code)",
    "Trusts (name)",
    "SchoolSponsorFlag (name)",
    "SchoolSponsors (name)",
    "FederationFlag (name)",
    "Federations (code)",
    "Federations (name)",
    "UKPRN",
    "FEHEIdentifier",
    "FurtherEducationType (name)",
    "LastChangedDate",
    "Street",
    "Locality",
    "Address3",
    "Town",
    "County (name)",
    "Postcode",
    "SchoolWebsite",
    "TelephoneNum",
    "HeadTitle (name)",
    "HeadFirstName",
    "HeadLastName",
    "HeadPreferredJobTitle",
    "BSOInspectorateName (name)",
    "InspectorateReport",
    "DateOfLastInspectionVisit",
    "NextInspectionVisit",
    "TeenMoth (name)",
    "TeenMothPlaces",
    "CCF (name)",
    "SENPRU (name)",
    "EBD (name)",
    "PlacesPRU",
    "FTProv (name)",
    "EdByOther (name)",
    "Section41Approved (name)",
    "SEN1 (name)",
    "SEN2 (name)",
    "SEN3 (name)",
    "SEN4 (name)",
    "SEN5 (name)",
    "SEN6 (name)",
    "SEN7 (name)",
    "SEN8 (name)",
    "SEN9 (name)",
    "SEN10 (name)",
    "SEN11 (name)",
    "SEN12 (name)",
    "SEN13 (name)",
    "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll",
    "ResourcedProvisionCapacity",
    "SenUnitOnRoll",
    "SenUnitCapacity",
    "GOR (code)",
    "GOR (name)",
    "DistrictAdministrative (code)",
    "DistrictAdministrative (name)",
    "AdministrativeWard (code)",
    "AdministrativeWard (name)",
    "ParliamentaryConstituency (code)",
    "ParliamentaryConstituency (name)",
    "UrbanRural (code)",
    "UrbanRural (name)",
    "GSSLACode (name)",
    "Easting",
    "Northing",
    "MSOA (name)",
    "LSOA (name)",
    "InspectorateName (name)",
    "SENStat",
    "SENNoStat",
    "BoardingEstablishment (name)",
    "PropsName",
    "PreviousLA (code)",
    "PreviousLA (name)",
    "PreviousEstablishmentNumber",
    "Country (name)",
    "UPRN",
    "SiteName",
    "QABName (code)",
    "QABName (name)",
    "EstablishmentAccredited (code)",
    "EstablishmentAccredited (name)",
    "QABReport",
    "CHNumber",
    "MSOA (code)",
    "LSOA (code)",
    "FSM",
    "AccreditationExpiryDate",
)

LOCAL_AUTHORITIES: tuple[tuple[str, str, int], ...] = (
    ("201", "City of London", 1),
    ("202", "Camden", 3),
    ("203", "Greenwich", 3),
    ("204", "Hackney", 3),
    ("205", "Hammersmith and Fulham", 2),
    ("206", "Islington", 3),
    ("207", "Kensington and Chelsea", 2),
    ("208", "Lambeth", 3),
    ("209", "Lewisham", 3),
    ("210", "Southwark", 3),
    ("211", "Tower Hamlets", 3),
    ("212", "Wandsworth", 3),
    ("213", "Westminster", 2),
    ("301", "Barking and Dagenham", 2),
    ("302", "Barnet", 5),
    ("303", "Bexley", 3),
    ("304", "Brent", 4),
    ("305", "Bromley", 4),
    ("306", "Croydon", 5),
    ("307", "Ealing", 4),
    ("308", "Enfield", 4),
    ("309", "Haringey", 3),
    ("310", "Harrow", 3),
    ("311", "Havering", 3),
    ("312", "Hillingdon", 4),
    ("313", "Hounslow", 3),
    ("314", "Kingston upon Thames", 2),
    ("315", "Merton", 2),
    ("316", "Newham", 4),
    ("317", "Redbridge", 3),
    ("318", "Richmond upon Thames", 3),
    ("319", "Sutton", 2),
    ("320", "Waltham Forest", 3),
    ("330", "Birmingham", 20),
    ("331", "Coventry", 6),
    ("332", "Dudley", 5),
    ("333", "Sandwell", 5),
    ("334", "Solihull", 4),
    ("335", "Walsall", 5),
    ("336", "Wolverhampton", 5),
    ("340", "Knowsley", 3),
    ("341", "Liverpool", 9),
    ("342", "St. Helens", 3),
    ("343", "Sefton", 5),
    ("344", "Wirral", 6),
    ("350", "Bolton", 6),
    ("351", "Bury", 4),
    ("352", "Manchester", 9),
    ("353", "Oldham", 5),
    ("354", "Rochdale", 4),
    ("355", "Salford", 5),
    ("356", "Stockport", 5),
    ("357", "Tameside", 5),
    ("358", "Trafford", 4),
    ("359", "Wigan", 6),
    ("370", "Barnsley", 4),
    ("371", "Doncaster", 6),
    ("372", "Rotherham", 6),
    ("373", "Sheffield", 9),
    ("380", "Bradford", 10),
    ("381", "Calderdale", 5),
    ("382", "Kirklees", 9),
    ("383", "Leeds", 14),
    ("384", "Wakefield", 7),
    ("390", "Gateshead", 4),
    ("391", "Newcastle upon Tyne", 5),
    ("392", "North Tyneside", 4),
    ("393", "South Tyneside", 3),
    ("394", "Sunderland", 6),
    ("800", "Bath and North East Somerset", 4),
    ("801", "Bristol, City of", 8),
    ("802", "North Somerset", 4),
    ("803", "South Gloucestershire", 5),
    ("821", "Luton", 4),
    ("825", "Buckinghamshire", 11),
    ("826", "Milton Keynes", 5),
    ("830", "Derbyshire", 17),
    ("831", "Derby", 5),
    ("850", "Hampshire", 28),
    ("851", "Portsmouth", 4),
    ("852", "Southampton", 4),
    ("855", "Leicestershire", 13),
    ("856", "Leicester", 6),
    ("873", "Cambridgeshire", 13),
    ("874", "Peterborough", 4),
    ("878", "Devon", 17),
    ("879", "Plymouth", 5),
    ("881", "Essex", 28),
    ("886", "Kent", 30),
    ("887", "Medway", 5),
    ("888", "Lancashire", 28),
    ("891", "Nottinghamshire", 16),
    ("892", "Nottingham", 6),
    ("919", "Hertfordshire", 26),
    ("925", "Lincolnshire", 19),
    ("926", "Norfolk", 20),
    ("935", "Suffolk", 16),
    ("936", "Surrey", 21),
    ("937", "Warwickshire", 12),
    ("938", "West Sussex", 15),
)
# (type code, type name, group code, group name, weight, trust-run?)
ESTABLISHMENT_TYPES: tuple[tuple[str, str, str, str, int, bool], ...] = (
    ("01", "Community school", "4", "Local authority maintained schools", 20, False),
    ("02", "Voluntary aided school", "4", "Local authority maintained schools", 7, False),
    ("03", "Voluntary controlled school", "4", "Local authority maintained schools", 5, False),
    ("05", "Foundation school", "4", "Local authority maintained schools", 3, False),
    ("28", "Academy sponsor led", "10", "Academies", 5, True),
    ("34", "Academy converter", "10", "Academies", 13, True),
    ("35", "Free schools", "11", "Free Schools", 2, True),
    ("07", "Community special school", "5", "Special schools", 2, False),
    ("33", "Academy special sponsor led", "10", "Academies", 1, True),
    ("36", "Academy special converter", "10", "Academies", 1, True),
    ("11", "Other independent school", "3", "Independent schools", 9, False),
    ("10", "Other independent special school", "3", "Independent schools", 3, False),
    ("15", "Local authority nursery school", "4", "Local authority maintained schools", 1, False),
    ("18", "Further education", "1", "Colleges", 2, False),
    ("26", "Service children's education", "6", "Other types", 1, False),
    ("56", "Institution funded by other government department", "6", "Other types", 1, False),
    ("37", "Pupil referral unit", "5", "Special schools", 1, False),
)
PHASES: tuple[tuple[str, str, str, int, int, int], ...] = (  # code, name, suffix, low age, high age, weight
    ("2", "Primary", "Primary School", 4, 11, 50),
    ("4", "Secondary", "High School", 11, 16, 10),
    ("0", "Not applicable", "School", 5, 18, 22),
    ("1", "Nursery", "Nursery School", 2, 5, 3),
    ("6", "16 plus", "Sixth Form College", 16, 19, 4),
    ("7", "All-through", "All-Through School", 4, 18, 2),
    ("3", "Middle deemed primary", "Middle School", 8, 12, 1),
    ("5", "Middle deemed secondary", "Middle School", 9, 13, 1),
)
STATUSES: tuple[tuple[str, str, int], ...] = (
    ("1", "Open", 770),
    ("2", "Closed", 200),
    ("3", "Open, but proposed to close", 20),
    ("4", "Proposed to open", 10),
)
DIOCESES: tuple[tuple[str, str, str], ...] = tuple(
    [
        ("CE", f"CE{i:02d}", f"Diocese of {name}")
        for i, name in enumerate(
            (
                "London",
                "Guildford",
                "Southwark",
                "Rochester",
                "Canterbury",
                "Chichester",
                "Oxford",
                "Winchester",
                "Bath and Wells",
                "Exeter",
                "Truro",
                "Salisbury",
                "Bristol",
                "Gloucester",
                "Worcester",
                "Hereford",
                "Lichfield",
                "Birmingham",
                "Coventry",
                "Leicester",
                "Peterborough",
                "Ely",
                "Norwich",
                "St Edmundsbury and Ipswich",
                "Chelmsford",
                "St Albans",
                "Lincoln",
                "Southwell and Nottingham",
                "Derby",
                "Sheffield",
                "Leeds",
                "York",
                "Durham",
                "Newcastle",
                "Carlisle",
                "Blackburn",
                "Manchester",
                "Liverpool",
                "Chester",
            ),
            start=1,
        )
    ]
    + [
        ("RC", f"RC{i:02d}", f"{name} (RC)")
        for i, name in enumerate(
            (
                "Archdiocese of Westminster",
                "Diocese of Brentwood",
                "Archdiocese of Southwark",
                "Diocese of Arundel and Brighton",
                "Diocese of Portsmouth",
                "Diocese of Plymouth",
                "Diocese of Clifton",
                "Archdiocese of Birmingham",
                "Diocese of Northampton",
                "Diocese of East Anglia",
                "Diocese of Nottingham",
                "Diocese of Hallam",
                "Diocese of Leeds",
                "Diocese of Middlesbrough",
                "Diocese of Hexham and Newcastle",
                "Diocese of Lancaster",
                "Archdiocese of Liverpool",
                "Diocese of Salford",
                "Diocese of Shrewsbury",
            ),
            start=1,
        )
    ]
)
PLACES = (
    "Oakwood",
    "Ashford",
    "Hillside",
    "Riverside",
    "Meadowbank",
    "Elmhurst",
    "Brookfield",
    "Kingsway",
    "Northgate",
    "Southfields",
    "Westcliffe",
    "Eastbrook",
    "Larkrise",
    "Fairfield",
    "Greenacre",
    "Highfield",
    "Longmead",
    "Millbrook",
    "Newlands",
    "Orchard",
    "Parkside",
    "Queensmead",
    "Redhill",
    "Stonebridge",
    "Thornbury",
    "Underwood",
    "Valley",
    "Woodlands",
    "Yewtree",
    "Ashgrove",
    "Beechwood",
    "Cedar",
    "Chestnut",
    "Hazelwood",
    "Hawthorn",
    "Hollybush",
    "Juniper",
    "Linden",
    "Maple",
    "Rowan",
    "Willow",
    "Alder",
    "Birchwood",
    "Foxhill",
    "Badgers",
    "Kestrel",
    "Heron",
    "Otter",
)
SAINTS = (
    "St Mary\u2019s",
    "St John\u2019s",
    "St Peter\u2019s",
    "St Paul\u2019s",
    "Holy Trinity",
    "Christ Church",
    "St Joseph\u2019s",
    "Our Lady\u2019s",
    "St Andrew\u2019s",
    "All Saints\u2019",
)
FIRST_NAMES = (
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Pat",
    "Robin",
    "Jamie",
    "Morgan",
    "Taylor",
    "Jordan",
    "Casey",
    "Riley",
    "Avery",
    "Quinn",
    "Rowan",
    "Sasha",
    "Kim",
    "Lee",
    "Drew",
    "Frankie",
    "Charlie",
    "Hayden",
    "Emerson",
    "Reese",
    "Skyler",
    "Dakota",
    "Harper",
    "Sage",
)
LAST_NAMES = (
    "Example",
    "Sample",
    "Testwell",
    "Placeholder",
    "Fictional",
    "Madeup",
    "Notreal",
    "Dummy",
    "Specimen",
    "Mockford",
    "Pretendly",
    "Inventon",
    "Demoworth",
    "Trialsby",
    "Fakeham",
    "Modelton",
    "Prototype",
    "Draftley",
    "Sketchley",
    "Outlineby",
)
STREET_KINDS = ("Road", "Lane", "Avenue", "Street", "Close", "Way", "Drive", "Hill", "Green", "Grove")
POSTCODE_AREAS = (
    "B",
    "BS",
    "CB",
    "CM",
    "CT",
    "DE",
    "DN",
    "EX",
    "GU",
    "HP",
    "KT",
    "LE",
    "LS",
    "M",
    "ME",
    "NE",
    "NG",
    "NR",
    "OX",
    "PE",
    "PL",
    "PO",
    "RG",
    "RH",
    "S",
    "SE",
    "SO",
    "SS",
    "ST",
    "TN",
    "WD",
    "WS",
    "YO",
)
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr")
TRUSTS = 2_500
FEDERATIONS = 450
TRUST_WORDS = (
    "Learning",
    "Academy",
    "Education",
    "Schools",
    "Multi Academy",
    "Community",
    "Partnership",
    "Collaborative",
    "Diocesan",
    "Co-operative",
)
CONSTANTS: dict[str, str] = {
    "ReasonEstablishmentOpened (code)": "00",
    "ReasonEstablishmentOpened (name)": "Not applicable",
    "ReasonEstablishmentClosed (code)": "00",
    "ReasonEstablishmentClosed (name)": "Not applicable",
    "Boarders (code)": "1",
    "Boarders (name)": "No boarders",
    "NurseryProvision (name)": "No Nursery Classes",
    "OfficialSixthForm (code)": "2",
    "OfficialSixthForm (name)": "Does not have a sixth form",
    "Gender (code)": "3",
    "Gender (name)": "Mixed",
    "ReligiousEthos (name)": "Does not apply",
    "AdmissionsPolicy (code)": "0",
    "AdmissionsPolicy (name)": "Not applicable",
    "SpecialClasses (code)": "2",
    "SpecialClasses (name)": "No Special Classes",
    "CensusDate": "18-01-2024",
    "SchoolSponsorFlag (name)": "Not applicable",
    "FurtherEducationType (name)": "Not applicable",
    "BSOInspectorateName (name)": "Not applicable",
    "TeenMoth (name)": "Not applicable",
    "CCF (name)": "Not applicable",
    "SENPRU (name)": "Not applicable",
    "EBD (name)": "Not applicable",
    "FTProv (name)": "Not applicable",
    "EdByOther (name)": "Not applicable",
    "Section41Approved (name)": "Not applicable",
    "TypeOfResourcedProvision (name)": "Not applicable",
    "UrbanRural (code)": "C1",
    "UrbanRural (name)": "(England/Wales) Urban city and town",
    "QABName (code)": "0",
    "QABName (name)": "Not applicable",
    "EstablishmentAccredited (code)": "0",
    "EstablishmentAccredited (name)": "Not applicable",
    "Country (name)": "",
}


def gias_bench_file(path: Path, *, rows: int = ENGLAND_ESTABLISHMENTS, seed: int = SEED) -> Path:
    """Write the generated extract to ``path`` (cp1252, CRLF) unless it is already there; same seed, same bytes."""
    if path.exists():
        return path
    frame = gias_bench_frame(rows=rows, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    frame.to_csv(partial, index=False, encoding="cp1252", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    partial.replace(path)
    return path


def gias_bench_frame(*, rows: int, seed: int = SEED) -> pd.DataFrame:
    """``rows`` generated establishments in the 135-column layout, every value a string."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({heading: np.full(rows, "", dtype=object) for heading in EDUBASE_HEADINGS})
    for heading, value in CONSTANTS.items():
        frame[heading] = value
    for fill in (_identity, _kind_and_name, _status_and_dates, _head, _trusts, _federations, _address, _numbers):
        fill(frame, rng)
    return frame


def _pick(rng: np.random.Generator, weights: list[int], size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _column(values: tuple, index: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=object)[index]


def _digits(rng: np.random.Generator, low: int, high: int, size: int) -> np.ndarray:
    return rng.integers(low, high, size).astype(str).astype(object)


def _dates(rng: np.random.Generator, start: str, end: str, size: int) -> np.ndarray:
    first, last = np.datetime64(start), np.datetime64(end)
    days = first + rng.integers(0, int((last - first).astype(int)), size)
    return pd.to_datetime(days).strftime("%d-%m-%Y").to_numpy(dtype=object)


def _identity(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    n = len(frame)
    frame["URN"] = np.sort(rng.choice(np.arange(100000, 100000 + n * 3), n, replace=False)).astype(str)
    la = _pick(rng, [w for *_, w in LOCAL_AUTHORITIES], n)
    frame["LA (code)"] = _column(tuple(code for code, _, _ in LOCAL_AUTHORITIES), la)
    frame["LA (name)"] = _column(tuple(name for _, name, _ in LOCAL_AUTHORITIES), la)
    frame["EstablishmentNumber"] = _digits(rng, 1000, 8000, n)
    frame["UKPRN"] = _digits(rng, 10000000, 10099999, n)
    frame["UPRN"] = _digits(rng, 100000000000, 200000000000, n)


def _kind_and_name(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    n = len(frame)
    kind = _pick(rng, [t[4] for t in ESTABLISHMENT_TYPES], n)
    for position, heading in enumerate(
        (
            "TypeOfEstablishment (code)",
            "TypeOfEstablishment (name)",
            "EstablishmentTypeGroup (code)",
            "EstablishmentTypeGroup (name)",
        )
    ):
        frame[heading] = _column(tuple(t[position] for t in ESTABLISHMENT_TYPES), kind)
    phase = _pick(rng, [p[5] for p in PHASES], n)
    frame["PhaseOfEducation (code)"] = _column(tuple(p[0] for p in PHASES), phase)
    frame["PhaseOfEducation (name)"] = _column(tuple(p[1] for p in PHASES), phase)
    frame["StatutoryLowAge"] = _column(tuple(str(p[3]) for p in PHASES), phase)
    frame["StatutoryHighAge"] = _column(tuple(str(p[4]) for p in PHASES), phase)
    faith = _faith(frame, rng)
    place = pd.Series(_column(PLACES, rng.integers(0, len(PLACES), n)))
    saint = pd.Series(_column(SAINTS, rng.integers(0, len(SAINTS), n)))
    church = pd.Series(np.where(faith == 1, " Church of England ", np.where(faith == 2, " Catholic ", " ")))
    suffix = pd.Series(_column(tuple(p[2] for p in PHASES), phase))
    frame["EstablishmentName"] = np.where(faith > 0, saint + church + suffix, place + " " + suffix)
    frame["trust_run"] = _column(tuple(t[5] for t in ESTABLISHMENT_TYPES), kind)


def _faith(frame: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    n = len(frame)
    faith = _pick(rng, [80, 13, 7], n)  # none, Church of England, Roman Catholic
    frame["ReligiousCharacter (code)"] = np.array(["00", "02", "03"], dtype=object)[faith]
    frame["ReligiousCharacter (name)"] = np.array(
        ["Does not apply", "Church of England", "Roman Catholic"], dtype=object
    )[faith]
    ce = [d for d in DIOCESES if d[0] == "CE"]
    rc = [d for d in DIOCESES if d[0] == "RC"]
    which_ce, which_rc = rng.integers(0, len(ce), n), rng.integers(0, len(rc), n)
    code = np.where(faith == 1, _column(tuple(d[1] for d in ce), which_ce), "0000")
    code = np.where(faith == 2, _column(tuple(d[1] for d in rc), which_rc), code)
    name = np.where(faith == 1, _column(tuple(d[2] for d in ce), which_ce), "Not applicable")
    name = np.where(faith == 2, _column(tuple(d[2] for d in rc), which_rc), name)
    frame["Diocese (code)"], frame["Diocese (name)"] = code.astype(object), name.astype(object)
    return faith


def _status_and_dates(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    n = len(frame)
    status = _pick(rng, [s[2] for s in STATUSES], n)
    frame["EstablishmentStatus (code)"] = _column(tuple(s[0] for s in STATUSES), status)
    frame["EstablishmentStatus (name)"] = _column(tuple(s[1] for s in STATUSES), status)
    opened = _dates(rng, "1950-01-01", "2024-09-01", n)
    frame["OpenDate"] = np.where(rng.random(n) < 0.4, opened, "").astype(object)
    closed = _dates(rng, "2000-01-01", "2024-08-31", n)
    frame["CloseDate"] = np.where(status == 1, closed, "").astype(object)
    frame["LastChangedDate"] = _dates(rng, "2018-01-01", "2024-11-15", n)


def _head(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    n = len(frame)
    frame["HeadTitle (name)"] = _column(TITLES, rng.integers(0, len(TITLES), n))
    frame["HeadFirstName"] = _column(tuple(FIRST_NAMES), rng.integers(0, len(FIRST_NAMES), n))
    frame["HeadLastName"] = _column(tuple(LAST_NAMES), rng.integers(0, len(LAST_NAMES), n))
    frame["HeadPreferredJobTitle"] = np.where(rng.random(n) < 0.8, "Headteacher", "Principal").astype(object)


def _trusts(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    n = len(frame)
    in_trust = frame.pop("trust_run").to_numpy(dtype=bool)
    trust = np.floor(TRUSTS * rng.random(n) ** 2.2).astype(int)  # a few large trusts, many small ones
    place_a = pd.Series(_column(PLACES, trust % len(PLACES)))
    place_b = pd.Series(_column(PLACES, (trust // len(PLACES)) % len(PLACES)))
    word = pd.Series(_column(TRUST_WORDS, trust % len(TRUST_WORDS)))
    name = "The " + place_a + " and " + place_b + " " + word + " Trust"
    frame["Trusts (code)"] = np.where(in_trust, (10000 + trust).astype(str), "").astype(object)
    frame["Trusts (name)"] = np.where(in_trust, name, "").astype(object)
    frame["TrustSchoolFlag (code)"] = np.where(in_trust, "5", "0").astype(object)
    frame["TrustSchoolFlag (name)"] = np.where(in_trust, "Supported by a multi-academy trust", "Not applicable")


def _federations(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    n = len(frame)
    federated = (frame["EstablishmentTypeGroup (code)"].to_numpy() == "4") & (rng.random(n) < 0.05)
    federation = rng.integers(0, FEDERATIONS, n)
    name = (
        "The "
        + pd.Series(_column(PLACES, federation % len(PLACES)))
        + " Federation "
        + (1 + federation // len(PLACES)).astype(str)
    )
    frame["Federations (code)"] = np.where(federated, (20000 + federation).astype(str), "").astype(object)
    frame["Federations (name)"] = np.where(federated, name, "").astype(object)
    frame["FederationFlag (name)"] = np.where(federated, "Supported by a federation", "Not under a federation")


def _address(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    n = len(frame)
    number = pd.Series(rng.integers(1, 300, n).astype(str))
    street = pd.Series(_column(PLACES, rng.integers(0, len(PLACES), n)))
    kind = pd.Series(_column(STREET_KINDS, rng.integers(0, len(STREET_KINDS), n)))
    frame["Street"] = (number + " " + street + " " + kind).to_numpy(dtype=object)
    frame["Town"] = frame["LA (name)"]
    area = pd.Series(_column(tuple(POSTCODE_AREAS), rng.integers(0, len(POSTCODE_AREAS), n)))
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"), dtype=object)
    inward = (
        pd.Series(rng.integers(1, 10, n).astype(str))
        + letters[rng.integers(0, 20, n)]
        + letters[rng.integers(0, 20, n)]
    )
    frame["Postcode"] = (area + pd.Series(rng.integers(1, 30, n).astype(str)) + " " + inward).to_numpy(dtype=object)
    frame["SchoolWebsite"] = ("www." + street.str.lower() + "-" + number + ".example.sch.uk").to_numpy(dtype=object)
    frame["TelephoneNum"] = ("01" + pd.Series(rng.integers(100000000, 999999999, n).astype(str))).to_numpy(object)
    frame["Easting"] = _digits(rng, 135000, 655000, n)
    frame["Northing"] = _digits(rng, 10000, 657000, n)
    frame["GOR (name)"] = "South East"


def _numbers(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    n = len(frame)
    capacity = rng.integers(60, 2000, n)
    pupils = (capacity * rng.uniform(0.6, 1.05, n)).astype(int)
    boys = (pupils * rng.uniform(0.45, 0.55, n)).astype(int)
    independent = frame["EstablishmentTypeGroup (code)"].to_numpy() == "3"
    frame["SchoolCapacity"] = capacity.astype(str).astype(object)
    frame["NumberOfPupils"] = pupils.astype(str).astype(object)
    frame["NumberOfBoys"] = boys.astype(str).astype(object)
    frame["NumberOfGirls"] = (pupils - boys).astype(str).astype(object)
    fsm = np.round(rng.uniform(0, 60, n), 1).astype(str)
    fsm = np.where(rng.random(n) < 0.02, "SUPP", fsm)
    frame["PercentageFSM"] = np.where(independent, "", fsm).astype(object)
    frame["FSM"] = np.where(independent, "", (pupils * 0.2).astype(int).astype(str)).astype(object)


# --- Timing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """One benchmark figure against its baseline."""

    name: str
    seconds: float
    baseline: float

    def line(self) -> str:
        """``BENCH <name> <s>s baseline=<s>s ratio=<x>``."""
        ratio = self.seconds / self.baseline if self.baseline else float("inf")
        return f"BENCH {self.name} {self.seconds:.2f}s baseline={self.baseline:.2f}s ratio={ratio:.2f}"


def timed(action: Callable[[], object]) -> tuple[float, object]:
    """Seconds ``action`` took (wall clock) and what it returned."""
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def pandas_read_baseline(path: Path, *, repeats: int = 3) -> float:
    """The fastest of ``repeats`` bare pandas reads of the file: the floor any importer stands on."""
    return min(
        timed(lambda: pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp1252"))[0] for _ in range(repeats)
    )


BENCH_SLUG_PREFIX = "bench-gias-"


def gias_import_benchmark(*, out_dir: Path, rows: int = ENGLAND_ESTABLISHMENTS, repeats: int = 3) -> list[Timing]:
    """Time a full import of a generated England-sized extract into a fresh partnership, then a re-import.

    Each figure is the best of ``repeats`` runs (as is the baseline): on a shared machine the minimum is the
    least noisy estimate. Every full import starts from a fresh, empty partnership.
    """

    path = gias_bench_file(out_dir / f"gias_edubasealldata_{rows}_{SEED}.csv", rows=rows)
    baseline = pandas_read_baseline(path, repeats=repeats)
    imports, reimports = [], []
    try:
        for _ in range(repeats):
            bench_partnerships_delete()
            partnership = Partnership.objects.create(
                slug=f"{BENCH_SLUG_PREFIX}{time.time_ns()}", name="GIAS benchmark (deleted after the run)"
            )
            run = partial(gias_import, partnership=partnership, path=path)
            seconds, result = timed(run)
            _expect(result, "created", rows)
            imports.append(seconds)
            seconds, result = timed(run)
            _expect(result, "unchanged", rows)
            reimports.append(seconds)
    finally:
        bench_partnerships_delete()
    return [Timing("gias_import", min(imports), baseline), Timing("gias_reimport", min(reimports), baseline)]


def _expect(result, key: str, rows: int) -> None:
    if not result.ok or result.counts.get(key) != rows:
        raise RuntimeError(f"benchmark import did not do what it should: {result.summary()}")


BENCH_TABLES = (
    "schools_schoolchange",
    "schools_networkmembership",
    "schools_schoollink",
    "schools_school",
    "schools_network",
    "schools_importjob",
)


GIAS_DELETES = (
    "DELETE FROM schools_schoolchange WHERE school_id IN "
    "(SELECT id FROM schools_school WHERE partnership_id = ANY(%s))",
    "DELETE FROM schools_networkmembership WHERE school_id IN "
    "(SELECT id FROM schools_school WHERE partnership_id = ANY(%s))",
    "DELETE FROM schools_schoollink WHERE partnership_id = ANY(%s)",
    "DELETE FROM schools_school WHERE partnership_id = ANY(%s)",
    "DELETE FROM schools_network WHERE partnership_id = ANY(%s)",
    "DELETE FROM schools_importjob WHERE partnership_id = ANY(%s)",
)


def bench_partnerships_delete() -> None:
    """Remove benchmark partnerships and everything imported into them, then vacuum so runs start alike."""
    bench_rows_delete(prefix=BENCH_SLUG_PREFIX, statements=GIAS_DELETES, vacuum=BENCH_TABLES)


def bench_rows_delete(*, prefix: str, statements: tuple[str, ...], vacuum: tuple[str, ...]) -> None:
    """Delete the partnerships whose slug starts with ``prefix`` after ``statements`` (plain SQL taking their ids as
    ``%s``: the ORM's cascade would load every school into memory), then VACUUM ANALYZE the ``vacuum`` tables."""
    ids = list(Partnership.objects.filter(slug__startswith=prefix).values_list("id", flat=True))
    if not ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [ids])
        Partnership.objects.filter(id__in=ids).delete()
    with connection.cursor() as cursor:
        for table in vacuum:
            cursor.execute(f"VACUUM ANALYZE {table}")
