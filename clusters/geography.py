"""Drawing clusters and alliances from geography: pure calculations on frames, no database.

Used by the demo (``demo.builder``) and ready for a future "suggest clusters" page. Everything is
deterministic: the same schools always give the same clusters and names.

- ``schools_clustered`` groups the schools of each district into clusters of ``min_size``–``max_size`` by
  location, by recursive proportional splitting along the wider axis (a k-d split): a district of ``n``
  schools is cut into ``ceil(n / max_size)`` parts of near-equal size, so every part holds at least
  ``max_size / 2`` schools whenever the district has more than ``max_size``. Schools with no location, far
  from every other school of their district, or in a district with fewer than ``min_size`` schools are left
  out, with the reason.
- ``districts_in_alliances`` cuts the districts, ordered by bearing around the middle of the area, into a few
  contiguous arcs of similar size.
- Names come from compass bearings: "Elmbridge North East Cluster", "North West Surrey Alliance".
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pandas as pd

COMPASS = ("East", "North East", "North", "North West", "West", "South West", "South", "South East")
CENTRAL = "Central"
NO_LOCATION = "no location in GIAS"
FAR_AWAY = "far from the other schools in its district"
TOO_FEW = "too few schools in its district for a cluster"


def schools_clustered(
    schools: pd.DataFrame, *, max_size: int = 8, min_size: int = 3, isolation_m: float = 4500.0
) -> pd.DataFrame:
    """``schools`` (urn, district, easting, northing) with ``cluster`` (a name, "" if none) and ``alone`` (why not).

    Each cluster lies within one district and holds ``min_size``–``max_size`` schools.
    """
    if max_size < 2 * min_size - 1:
        raise ValueError("max_size must be at least 2 * min_size - 1 so that splitting keeps clusters large enough")
    out = schools.copy()
    out["cluster"] = ""
    out["alone"] = ""
    located = out["easting"].notna() & out["northing"].notna()
    out.loc[~located, "alone"] = NO_LOCATION
    for district, rows in out[located].groupby("district", sort=True):
        points = rows[["easting", "northing"]].to_numpy(dtype=float)
        nearest = _nearest_neighbour_m(points)
        far = np.isfinite(nearest) & (nearest > isolation_m)
        out.loc[rows.index[far], "alone"] = FAR_AWAY
        kept = rows.index[~far]
        if len(kept) < min_size:
            out.loc[kept, "alone"] = TOO_FEW
            continue
        kept_points = points[~far]
        parts = _split(kept_points, out.loc[kept, "urn"].to_numpy(), np.arange(len(kept)), max_size)
        names = _compass_names([kept_points[p].mean(axis=0) - kept_points.mean(axis=0) for p in parts], central_from=3)
        for part, name in zip(parts, names, strict=True):
            out.loc[kept[part], "cluster"] = " ".join(w for w in (str(district), name, "Cluster") if w)
    return out


def _nearest_neighbour_m(points: np.ndarray) -> np.ndarray:
    """Distance from each point to its nearest other point (infinite for a lone point)."""
    gaps = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1))
    np.fill_diagonal(gaps, np.inf)
    return gaps.min(axis=1)


def _split(points: np.ndarray, urns: np.ndarray, index: np.ndarray, max_size: int) -> list[np.ndarray]:
    """Cut ``index`` into ceil(n / max_size) near-equal parts, halving along the wider axis each time."""
    n = len(index)
    if n <= max_size:
        return [index]
    parts = math.ceil(n / max_size)
    first_parts = parts // 2
    first = round(n * first_parts / parts)
    spread = np.ptp(points[index], axis=0)
    axis = 0 if spread[0] >= spread[1] else 1
    order = index[np.lexsort((urns[index], points[index, axis]))]
    return _split(points, urns, order[:first], max_size) + _split(points, urns, order[first:], max_size)


def _compass_names(offsets: list[np.ndarray], *, central_from: int | None) -> list[str]:
    """A distinct bearing name for each offset from the middle: far ones choose first, the nearest may be Central.

    One offset gets "" (nothing to tell apart); past nine, names fall back to ordinals.
    """
    count = len(offsets)
    if count == 1:
        return [""]
    if count > len(COMPASS) + 1:
        return [str(i) for i in range(1, count + 1)]
    distance = np.array([math.hypot(*o) for o in offsets])
    names: dict[int, str] = {}
    if central_from is not None and count >= central_from:
        names[int(np.argmin(distance))] = CENTRAL
    free = list(range(len(COMPASS)))
    for i in np.argsort(-distance, kind="stable"):
        if int(i) in names:
            continue
        bearing = math.degrees(math.atan2(offsets[i][1], offsets[i][0]))
        best = min(free, key=lambda j: (_angle_between(bearing, j * 45.0), j))
        free.remove(best)
        names[int(i)] = COMPASS[best]
    return [names[i] for i in range(count)]


def _angle_between(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def districts_in_alliances(clustered: pd.DataFrame, *, count: int = 3, area: str = "") -> dict[str, str]:
    """Map each district that has clusters to an alliance name, in ``count`` contiguous arcs of similar size.

    ``clustered`` is ``schools_clustered``'s output; the size of a district is its number of clustered schools.
    """
    members = clustered[clustered["cluster"] != ""]
    if members.empty:
        return {}
    districts = members.groupby("district", sort=True).agg(
        easting=("easting", "mean"), northing=("northing", "mean"), schools=("urn", "size")
    )
    middle = members[["easting", "northing"]].to_numpy(dtype=float).mean(axis=0)
    bearing = np.degrees(np.arctan2(districts["northing"] - middle[1], districts["easting"] - middle[0]))
    districts = districts.assign(bearing=bearing.to_numpy()).sort_values(["bearing", "schools"], kind="stable")
    arcs = _balanced_arcs(districts["schools"].to_numpy(), min(count, len(districts)))
    centres = []
    for arc in arcs:
        rows = districts.iloc[arc]
        weights = rows["schools"].to_numpy(dtype=float)
        centre = np.array([np.average(rows["easting"], weights=weights), np.average(rows["northing"], weights=weights)])
        centres.append(centre - middle)
    names = _compass_names(centres, central_from=None)
    result: dict[str, str] = {}
    for arc, name in zip(arcs, names, strict=True):
        label = " ".join(w for w in (name, area, "Alliance") if w)
        result |= dict.fromkeys(districts.index[arc], label)
    return result


def _balanced_arcs(sizes: np.ndarray, count: int) -> list[np.ndarray]:
    """Cut a circular sequence into ``count`` contiguous runs whose totals are as even as possible."""
    n = len(sizes)
    best: tuple[float, list[np.ndarray]] | None = None
    for start in range(n):
        order = np.roll(np.arange(n), -start)
        for cuts in combinations(range(1, n), count - 1):
            runs = np.split(order, list(cuts))
            totals = [int(sizes[r].sum()) for r in runs]
            score = float(max(totals) - min(totals))
            if best is None or score < best[0]:
                best = (score, runs)
    assert best is not None
    return best[1]
