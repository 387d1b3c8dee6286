"""British National Grid (OSGB36, EPSG:27700) eastings/northings → WGS84 latitude/longitude, vectorised."""

from __future__ import annotations

from functools import cache

import numpy as np
from pyproj import Transformer


@cache
def _transformer() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def grid_to_lat_long(eastings: np.ndarray, northings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes (6 decimals) for arrays of grid references; NaN where either input is NaN."""
    east = np.asarray(eastings, dtype=float)
    north = np.asarray(northings, dtype=float)
    longitude, latitude = _transformer().transform(east, north)
    missing = np.isnan(east) | np.isnan(north)
    latitude = np.where(missing | ~np.isfinite(latitude), np.nan, np.round(latitude, 6))
    longitude = np.where(missing | ~np.isfinite(longitude), np.nan, np.round(longitude, 6))
    return latitude, longitude
