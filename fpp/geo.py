"""Spherical geometry: distances, bearings, great-circle arcs and airspace polygons.

The Earth is a sphere of radius :data:`EARTH_RADIUS_NM`. Route legs and airspace edges are
great-circle arcs (the edge model: an FIR edge between two vertices is the shorter great-circle
arc, not a parallel of latitude or a rhumb line). Coordinates are degrees, north and east
positive. Every function here is pure and works on floats.

Point-in-polygon uses the gnomonic projection centred on the polygon: it maps great circles to
straight lines, so the planar crossing test is exact for great-circle edges, and polygons that
enclose a pole work without special cases. Polygons must fit in a spherical cap of radius below
:data:`MAX_POLYGON_RADIUS_DEG` around their vertex centroid, which holds for every FIR.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "EARTH_RADIUS_NM",
    "MAX_POLYGON_RADIUS_DEG",
    "Polygon",
    "arc_intersections",
    "destination",
    "distance_nm",
    "initial_bearing_deg",
    "interpolate",
    "point_arc_distance_nm",
    "to_latlon",
    "to_xyz",
]

EARTH_RADIUS_NM = 3440.065  # mean Earth radius [NM]
MAX_POLYGON_RADIUS_DEG = 80.0  # largest cap around a polygon that the gnomonic test supports [deg]
_EPS = 1e-12


def to_xyz(lat_deg: float, lon_deg: float) -> tuple[float, float, float]:
    """Return the unit vector of a position (x towards 0N 0E, z towards the North Pole)."""
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    c = math.cos(lat)
    return (c * math.cos(lon), c * math.sin(lon), math.sin(lat))


def to_latlon(v: Sequence[float]) -> tuple[float, float]:
    """Return ``(lat_deg, lon_deg)`` of a vector (normalised first); longitude is 0 at the poles."""
    x, y, z = v
    norm = math.sqrt(x * x + y * y + z * z)
    x, y, z = x / norm, y / norm, z / norm
    lat = math.degrees(math.asin(max(-1.0, min(1.0, z))))
    if abs(x) < _EPS and abs(y) < _EPS:
        return lat, 0.0
    return lat, math.degrees(math.atan2(y, x))


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _norm(a: Sequence[float]) -> float:
    return math.sqrt(_dot(a, a))


def _angle(a: Sequence[float], b: Sequence[float]) -> float:
    """Angle between two unit vectors [rad], accurate for small and large angles."""
    return math.atan2(_norm(_cross(a, b)), _dot(a, b))


def distance_nm(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Great-circle distance [NM].

    >>> round(distance_nm(48.1152, -98.9125, 49.3108, 0.3127))
    3623
    """
    return EARTH_RADIUS_NM * _angle(to_xyz(lat1_deg, lon1_deg), to_xyz(lat2_deg, lon2_deg))


def initial_bearing_deg(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """True bearing from the first position towards the second, in [0, 360) [deg]."""
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dlon = math.radians(lon2_deg - lon1_deg)
    y = math.sin(dlon) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dlon)
    return math.degrees(math.atan2(y, x)) % 360.0


def destination(lat_deg: float, lon_deg: float, bearing_deg: float, distance_nm_: float) -> tuple[float, float]:
    """Position reached from a start along a true bearing over a great-circle distance."""
    delta = distance_nm_ / EARTH_RADIUS_NM
    theta = math.radians(bearing_deg)
    p1, l1 = math.radians(lat_deg), math.radians(lon_deg)
    sin_p2 = math.sin(p1) * math.cos(delta) + math.cos(p1) * math.sin(delta) * math.cos(theta)
    p2 = math.asin(max(-1.0, min(1.0, sin_p2)))
    y = math.sin(theta) * math.sin(delta) * math.cos(p1)
    x = math.cos(delta) - math.sin(p1) * sin_p2
    l2 = l1 + math.atan2(y, x)
    lon = (math.degrees(l2) + 540.0) % 360.0 - 180.0
    if abs(abs(math.degrees(p2)) - 90.0) < 1e-9:
        lon = 0.0
    return math.degrees(p2), lon


def interpolate(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float, fraction: float) -> tuple[float, float]:
    """Position at ``fraction`` (0 to 1) of the great-circle arc between two positions."""
    a, b = to_xyz(lat1_deg, lon1_deg), to_xyz(lat2_deg, lon2_deg)
    omega = _angle(a, b)
    if omega < _EPS:
        return lat1_deg, lon1_deg
    s = math.sin(omega)
    wa, wb = math.sin((1 - fraction) * omega) / s, math.sin(fraction * omega) / s
    return to_latlon((wa * a[0] + wb * b[0], wa * a[1] + wb * b[1], wa * a[2] + wb * b[2]))


def _on_arc(a: Sequence[float], b: Sequence[float], n: Sequence[float], x: Sequence[float]) -> bool:
    """Test whether ``x``, on the great circle of a and b with normal n, lies on the shorter arc a..b."""
    return _dot(_cross(a, x), n) >= -1e-15 and _dot(_cross(x, b), n) >= -1e-15


def arc_intersections(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float,
    lat3_deg: float, lon3_deg: float, lat4_deg: float, lon4_deg: float,
) -> list[tuple[float, float, float]]:
    """Crossings of the arc 1-2 with the arc 3-4.

    Returns a list of ``(fraction along 1-2, lat_deg, lon_deg)``; empty when the arcs do not
    cross or lie on the same great circle (overlap is not a crossing).
    """
    a, b = to_xyz(lat1_deg, lon1_deg), to_xyz(lat2_deg, lon2_deg)
    c, d = to_xyz(lat3_deg, lon3_deg), to_xyz(lat4_deg, lon4_deg)
    n1, n2 = _cross(a, b), _cross(c, d)
    if _norm(n1) < _EPS or _norm(n2) < _EPS:
        return []
    line = _cross(n1, n2)
    length = _norm(line)
    if length < 1e-14:
        return []
    found = []
    total = _angle(a, b)
    for sign in (1.0, -1.0):
        x = (sign * line[0] / length, sign * line[1] / length, sign * line[2] / length)
        if _on_arc(a, b, n1, x) and _on_arc(c, d, n2, x):
            lat, lon = to_latlon(x)
            found.append((_angle(a, x) / total if total > _EPS else 0.0, lat, lon))
    return found


def point_arc_distance_nm(lat_deg: float, lon_deg: float, lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Shortest distance from a position to the great-circle arc 1-2 [NM]."""
    p = to_xyz(lat_deg, lon_deg)
    a, b = to_xyz(lat1_deg, lon1_deg), to_xyz(lat2_deg, lon2_deg)
    n = _cross(a, b)
    nn = _norm(n)
    ends = min(_angle(p, a), _angle(p, b))
    if nn < _EPS:
        return EARTH_RADIUS_NM * ends
    n = (n[0] / nn, n[1] / nn, n[2] / nn)
    s = _dot(p, n)
    q = (p[0] - s * n[0], p[1] - s * n[1], p[2] - s * n[2])
    if _norm(q) < _EPS or not _on_arc(a, b, n, q):
        return EARTH_RADIUS_NM * ends
    return EARTH_RADIUS_NM * abs(math.asin(max(-1.0, min(1.0, s))))


@dataclass
class Polygon:
    """A spherical polygon with great-circle edges.

    Parameters
    ----------
    lat_deg, lon_deg
        Vertices in either order, without a repeated closing vertex.
    """

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    _centre: tuple[float, float, float] = field(init=False, repr=False)
    _radius: float = field(init=False, repr=False)
    _basis: tuple[tuple[float, float, float], tuple[float, float, float]] = field(init=False, repr=False)
    _xy: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.lat_deg = np.asarray(self.lat_deg, dtype=np.float64)
        self.lon_deg = np.asarray(self.lon_deg, dtype=np.float64)
        if len(self.lat_deg) >= 2 and self.lat_deg[0] == self.lat_deg[-1] and self.lon_deg[0] == self.lon_deg[-1]:
            self.lat_deg, self.lon_deg = self.lat_deg[:-1], self.lon_deg[:-1]
        if len(self.lat_deg) < 3:
            raise ValueError("a polygon needs at least three distinct vertices")
        vectors = [to_xyz(la, lo) for la, lo in zip(self.lat_deg, self.lon_deg)]
        sx = sum(v[0] for v in vectors)
        sy = sum(v[1] for v in vectors)
        sz = sum(v[2] for v in vectors)
        norm = math.sqrt(sx * sx + sy * sy + sz * sz)
        if norm < _EPS:
            raise ValueError("polygon vertices are spread over the whole sphere")
        centre = (sx / norm, sy / norm, sz / norm)
        radius = max(_angle(centre, v) for v in vectors)
        if math.degrees(radius) >= MAX_POLYGON_RADIUS_DEG:
            raise ValueError(f"polygon spans {math.degrees(radius):.1f} deg from its centre; the limit is {MAX_POLYGON_RADIUS_DEG}")
        helper = (0.0, 0.0, 1.0) if abs(centre[2]) < 0.9 else (1.0, 0.0, 0.0)
        e1 = _cross(helper, centre)
        n1 = _norm(e1)
        e1 = (e1[0] / n1, e1[1] / n1, e1[2] / n1)
        e2 = _cross(centre, e1)
        self._centre, self._radius, self._basis = centre, radius, (e1, e2)
        self._xy = np.array([self._project(v) for v in vectors])

    def _project(self, v: Sequence[float]) -> tuple[float, float]:
        w = _dot(v, self._centre)
        e1, e2 = self._basis
        return _dot(v, e1) / w, _dot(v, e2) / w

    def edges(self) -> list[tuple[float, float, float, float]]:
        """Edges as ``(lat1, lon1, lat2, lon2)`` tuples, closing edge included."""
        n = len(self.lat_deg)
        return [
            (float(self.lat_deg[i]), float(self.lon_deg[i]), float(self.lat_deg[(i + 1) % n]), float(self.lon_deg[(i + 1) % n]))
            for i in range(n)
        ]

    def boundary_distance_nm(self, lat_deg: float, lon_deg: float) -> float:
        """Distance from a position to the nearest edge [NM]."""
        return min(point_arc_distance_nm(lat_deg, lon_deg, *edge) for edge in self.edges())

    def contains(self, lat_deg: float, lon_deg: float) -> bool:
        """Test whether a position lies strictly inside; the caller decides about the boundary."""
        v = to_xyz(lat_deg, lon_deg)
        if _angle(v, self._centre) > self._radius + 1e-9:
            return False
        px, py = self._project(v)
        xs, ys = self._xy[:, 0], self._xy[:, 1]
        inside = False
        n = len(xs)
        j = n - 1
        for i in range(n):
            if (ys[i] > py) != (ys[j] > py):
                x_cross = xs[i] + (py - ys[i]) * (xs[j] - xs[i]) / (ys[j] - ys[i])
                if px < x_cross:
                    inside = not inside
            j = i
        return inside

    def crossings(self, lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> list[tuple[float, float, float]]:
        """Crossings of the leg 1-2 with the boundary, as sorted ``(fraction, lat, lon)``."""
        found = []
        for edge in self.edges():
            found.extend(arc_intersections(lat1_deg, lon1_deg, lat2_deg, lon2_deg, *edge))
        found.sort()
        return found
