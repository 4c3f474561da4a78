"""Distances between places: great-circle times a road factor, or an OSRM server's table when configured."""

from __future__ import annotations

import json
import math
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class Place:
    """A point on the map: ``Place(55.7558, 37.6173)`` (latitude, longitude in degrees)."""

    lat: float
    lon: float


def haversine_m(a: Place, b: Place) -> float:
    """Great-circle metres: ``haversine_m(Place(55.7558, 37.6173), Place(59.9386, 30.3141)) // 1000 == 634``."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def road_matrices(
    places: Sequence[Place], *, road_factor: float = 1.3, speed_kmh: float = 35.0
) -> tuple[list[list[int]], list[list[int]]]:
    """Metres and seconds between all places from coordinates: ``road_matrices([depot, *stops])``.

    Road distance is the straight line times ``road_factor`` (about 1.3 in towns); time assumes ``speed_kmh``.
    """
    metres = [[math.ceil(haversine_m(a, b) * road_factor) for b in places] for a in places]
    seconds = [[math.ceil(m * 3.6 / speed_kmh) for m in row] for row in metres]
    return metres, seconds


def osrm_matrices(
    places: Sequence[Place], base_url: str, *, timeout: float = 30.0
) -> tuple[list[list[int]], list[list[int]]]:
    """Metres and seconds from an OSRM server's table service: ``osrm_matrices(places, "http://osrm:5000")``."""
    coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in places)
    url = f"{base_url.rstrip('/')}/table/v1/driving/{coords}?annotations=distance,duration"
    if not url.startswith(("http://", "https://")):
        raise ValueError("the OSRM address must be an http(s) URL")
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - scheme checked above
        body = json.load(response)
    if body.get("code") != "Ok":
        raise RuntimeError(f"OSRM answered {body.get('code')}: {body.get('message', '')}")
    metres = [[math.ceil(v if v is not None else 1e9) for v in row] for row in body["distances"]]
    seconds = [[math.ceil(v if v is not None else 1e9) for v in row] for row in body["durations"]]
    return metres, seconds
