"""Clusters and alliances drawn from geography: pure calculations on small literal frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusters.geography import FAR_AWAY, NO_LOCATION, TOO_FEW, districts_in_alliances, schools_clustered


def _schools(district: str, points: list[tuple[float, float]], first_urn: int = 100) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "urn": range(first_urn, first_urn + len(points)),
            "district": district,
            "easting": [p[0] for p in points],
            "northing": [p[1] for p in points],
        }
    )


@pytest.mark.parametrize("count", [3, 8, 9, 11, 17, 24, 37, 58, 65])
def test_every_cluster_holds_three_to_ten_schools_of_one_district(count):
    rng = np.random.default_rng(count)
    points = [tuple(p) for p in rng.uniform(0, 4000, size=(count, 2))]  # dense: nobody is far away
    result = schools_clustered(_schools("Woking", points))
    sizes = result.groupby("cluster").size()
    assert (result["alone"] == "").all()
    assert sizes.between(3, 10).all() and sizes.sum() == count
    assert all(name.startswith("Woking ") and name.endswith(" Cluster") for name in sizes.index)


def test_clusters_follow_location():
    west = [(1000 + i * 100, 5000 + i * 50) for i in range(6)]
    east = [(20000 + i * 100, 5000 + i * 50) for i in range(6)]
    result = schools_clustered(_schools("Runnymede", west + east), isolation_m=50_000)
    assert result["cluster"].iloc[:6].nunique() == 1 and result["cluster"].iloc[6:].nunique() == 1
    assert result["cluster"].iloc[0] == "Runnymede West Cluster"
    assert result["cluster"].iloc[6] == "Runnymede East Cluster"


def test_far_unlocated_and_lonely_schools_are_left_alone_with_a_reason():
    near = _schools("Tandridge", [(0, 0), (500, 0), (0, 500), (500, 500), (90_000, 0)])
    unlocated = _schools("Tandridge", [(np.nan, np.nan)], first_urn=200)
    lonely = _schools("Sutton", [(300, 300), (600, 600)], first_urn=300)
    result = schools_clustered(pd.concat([near, unlocated, lonely], ignore_index=True)).set_index("urn")
    assert result.loc[104, "alone"] == FAR_AWAY and result.loc[104, "cluster"] == ""
    assert result.loc[200, "alone"] == NO_LOCATION
    assert (result.loc[[300, 301], "alone"] == TOO_FEW).all()
    assert (result.loc[[100, 101, 102, 103], "cluster"] == "Tandridge Cluster").all()


def test_same_input_same_clusters():
    rng = np.random.default_rng(7)
    schools = _schools("Guildford", [tuple(p) for p in rng.uniform(0, 9000, size=(40, 2))])
    first = schools_clustered(schools)
    again = schools_clustered(schools.sample(frac=1, random_state=3)).sort_values("urn")
    assert first["cluster"].tolist() == again["cluster"].tolist()
    assert first["cluster"].nunique() == 5


def test_alliances_are_contiguous_groups_of_whole_districts_named_by_bearing():
    districts = {
        "North": (0, 10_000),
        "North East": (7000, 7000),
        "South East": (7000, -7000),
        "South": (0, -10_000),
        "South West": (-7000, -7000),
        "North West": (-7000, 7000),
    }
    frames = [
        _schools(name, [(x + dx, y + dy) for dx, dy in [(0, 0), (300, 0), (0, 300)]], first_urn=100 * (i + 1))
        for i, (name, (x, y)) in enumerate(districts.items())
    ]
    alliance_of = districts_in_alliances(schools_clustered(pd.concat(frames, ignore_index=True)), area="Test")
    assert set(alliance_of) == set(districts)
    groups = pd.Series(alliance_of).groupby(pd.Series(alliance_of)).apply(lambda s: sorted(s.index)).to_dict()
    assert len(groups) == 3 and all(len(members) == 2 for members in groups.values())
    assert all(name.endswith(" Test Alliance") for name in groups)
    for members in groups.values():  # neighbours on the ring, never opposite sides
        angles = [np.degrees(np.arctan2(*reversed(districts[m]))) for m in members]
        assert abs((angles[0] - angles[1] + 180) % 360 - 180) <= 90
