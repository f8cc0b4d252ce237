"""An independent geometric oracle for airspace clipping: shapely in a gnomonic projection.

The hardened converter clips routes with fpp's own spherical code (:mod:`fpp.geo`: arc
intersections from cross products, a test per stretch between crossings). This oracle computes the same
results by another method, so that a fault in one is unlikely to be repeated in the other:

- Positions become unit vectors, written here with numpy, not with :mod:`fpp.geo`.
- They are projected with the gnomonic projection centred on the airspace. The gnomonic
  projection maps every great circle to a straight line, so great-circle legs and great-circle
  FIR edges (fpp's edge model) become straight segments and polygon edges, and planar clipping
  with shapely (GEOS) is exact up to floating-point rounding.
- Legs longer than :data:`SUBARC_DEG` are cut into sub-arcs, and sub-arcs that cannot come near
  the airspace are dropped, because the projection only covers the hemisphere around its centre.

Distances in the plane are not true distances. On the unit sphere, the gnomonic scale at an
angle ``c`` from the centre is between ``sec c`` and ``sec**2 c``, never below 1. So a plane
distance ``d`` means a true distance between ``d / sec**2 c_max`` and ``d`` (in Earth radii).
:class:`OracleVolume` uses these bounds to give conservative answers: a *grown* region that
surely contains every position within a tolerance of the airspace, and a *shrunk* region whose
positions surely lie deeper inside than the tolerance.

Route positions are given like the converters give them: the index of the leg's first point plus
the fraction of the leg's great-circle length.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.ops import unary_union

__all__ = ["EARTH_RADIUS_NM", "SUBARC_DEG", "Interval", "OracleVolume", "merge_intervals"]

EARTH_RADIUS_NM = 3440.065  # mean Earth radius, the same sphere as fpp's [NM]
#: Maximum length of a great-circle piece projected at once [deg]; longer legs are cut into pieces.
SUBARC_DEG = 10.0

Interval = tuple[float, float]


def _unit(lat_deg: float, lon_deg: float) -> np.ndarray:
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    return np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    """Angle between two unit vectors [rad], stable for small and large angles."""
    return math.atan2(float(np.linalg.norm(np.cross(a, b))), float(np.dot(a, b)))


def _slerp(a: np.ndarray, b: np.ndarray, fraction: float) -> np.ndarray:
    omega = _angle(a, b)
    if omega < 1e-15:
        return a.copy()
    return (math.sin((1 - fraction) * omega) * a + math.sin(fraction * omega) * b) / math.sin(omega)


def merge_intervals(intervals: Sequence[Interval], gap: float = 1e-7) -> list[Interval]:
    """Sort intervals and join those that overlap or lie within ``gap`` of each other."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + gap:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@dataclass
class _Projected:
    """A sub-arc of a leg in the plane, with the leg it belongs to."""

    leg: int
    line: LineString


class OracleVolume:
    """The union of spherical polygons with great-circle edges, clipped in a gnomonic plane.

    Parameters
    ----------
    rings
        Outer rings as ``(lat_deg, lon_deg)`` sequences, without a closing vertex; the union is
        the airspace.
    """

    def __init__(self, rings: Sequence[tuple[Sequence[float], Sequence[float]]]) -> None:
        vectors = [np.array([_unit(la, lo) for la, lo in zip(lat, lon)]) for lat, lon in rings]
        total = sum(v.sum(axis=0) for v in vectors)
        self.centre = total / np.linalg.norm(total)
        self.radius_rad = max(_angle(self.centre, v) for ring in vectors for v in ring)
        if self.radius_rad >= math.radians(60.0):
            raise ValueError(f"the rings spread {math.degrees(self.radius_rad):.0f} deg from their centre; the oracle needs less than 60")
        helper = np.array([0.0, 0.0, 1.0]) if abs(self.centre[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
        east = np.cross(helper, self.centre)
        self.east = east / np.linalg.norm(east)
        self.north = np.cross(self.centre, self.east)
        # The largest scale inside the cap that contains the rings and a margin for the tolerance.
        self.max_scale = 1.0 / math.cos(self.radius_rad + math.radians(1.0)) ** 2
        self.polygons = [Polygon([self._project(v) for v in ring]) for ring in vectors]
        for polygon in self.polygons:
            if not polygon.is_valid or polygon.area <= 0.0:
                raise ValueError(f"a ring is not a simple polygon with an area: {shapely.is_valid_reason(polygon)}")
        self.region = unary_union(self.polygons)
        self.edges = unary_union([polygon.exterior for polygon in self.polygons])
        self._grown: dict[float, object] = {}
        self._shrunk: dict[float, object] = {}

    # -- projection --------------------------------------------------------------------------

    def _project(self, v: np.ndarray) -> tuple[float, float]:
        w = float(np.dot(v, self.centre))
        if w <= 1e-6:
            raise ValueError("a position at 90 deg or more from the centre has no gnomonic image")
        return float(np.dot(v, self.east)) / w, float(np.dot(v, self.north)) / w

    def _unproject(self, x: float, y: float) -> np.ndarray:
        v = self.centre + x * self.east + y * self.north
        return v / np.linalg.norm(v)

    def position(self, lat_deg: float, lon_deg: float) -> Point:
        """Project a position near the airspace onto the gnomonic plane."""
        return Point(self._project(_unit(lat_deg, lon_deg)))

    # -- regions -----------------------------------------------------------------------------

    def grown(self, tolerance_nm: float):
        """Return a region that contains every position within ``tolerance_nm`` of the airspace."""
        if tolerance_nm not in self._grown:
            self._grown[tolerance_nm] = self.region.buffer(tolerance_nm / EARTH_RADIUS_NM * self.max_scale, quad_segs=32)
        return self._grown[tolerance_nm]

    def shrunk(self, tolerance_nm: float):
        """Return a region whose positions lie inside the airspace, more than ``tolerance_nm`` from its boundary."""
        if tolerance_nm not in self._shrunk:
            self._shrunk[tolerance_nm] = self.region.buffer(-tolerance_nm / EARTH_RADIUS_NM * self.max_scale, quad_segs=32)
        return self._shrunk[tolerance_nm]

    def contains(self, lat_deg: float, lon_deg: float) -> bool:
        """Test whether a position lies in the airspace (boundary included)."""
        v = _unit(lat_deg, lon_deg)
        if _angle(v, self.centre) > self.radius_rad + 1e-9:
            return False
        return bool(self.region.covers(Point(self._project(v))))

    def edge_distance_bounds_nm(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        """Lower and upper bounds of the distance from a position to the nearest polygon edge [NM].

        Edges shared by two polygons count, as they do for fpp's boundary rule.
        """
        v = _unit(lat_deg, lon_deg)
        if _angle(v, self.centre) > self.radius_rad + math.radians(1.0):
            lower = (_angle(v, self.centre) - self.radius_rad) * EARTH_RADIUS_NM
            return lower, math.inf
        plane = float(self.edges.distance(Point(self._project(v)))) * EARTH_RADIUS_NM
        return plane / self.max_scale, plane

    # -- routes ------------------------------------------------------------------------------

    def _pieces(self, lat_deg: Sequence[float], lon_deg: Sequence[float]) -> tuple[list[np.ndarray], list[_Projected]]:
        """Unit vectors of the route points, and the projected sub-arcs that may meet the airspace."""
        points = [_unit(la, lo) for la, lo in zip(lat_deg, lon_deg)]
        reach = self.radius_rad + math.radians(SUBARC_DEG) + math.radians(1.0)
        projected: list[_Projected] = []
        for leg in range(len(points) - 1):
            a, b = points[leg], points[leg + 1]
            length = _angle(a, b)
            if length < 1e-12:
                continue
            count = max(1, math.ceil(math.degrees(length) / SUBARC_DEG))
            for k in range(count):
                start, end = _slerp(a, b, k / count), _slerp(a, b, (k + 1) / count)
                if min(_angle(start, self.centre), _angle(end, self.centre)) > reach:
                    continue
                projected.append(_Projected(leg, LineString([self._project(start), self._project(end)])))
        return points, projected

    def _route_position(self, points: list[np.ndarray], leg: int, x: float, y: float) -> float:
        a, b = points[leg], points[leg + 1]
        fraction = _angle(a, self._unproject(x, y)) / _angle(a, b)
        return leg + min(1.0, max(0.0, fraction))

    def intervals(self, lat_deg: Sequence[float], lon_deg: Sequence[float], region=None) -> list[Interval]:
        """Route positions where the route lies in ``region`` (default: the airspace), merged.

        Parameters
        ----------
        lat_deg, lon_deg
            Route points in order.
        region
            A shapely region in this oracle's plane, such as :meth:`grown` or :meth:`shrunk`.
        """
        region = self.region if region is None else region
        points, projected = self._pieces(lat_deg, lon_deg)
        found: list[Interval] = []
        for piece in projected:
            clipped = piece.line.intersection(region)
            for part in _lines(clipped):
                coords = list(part.coords)
                ends = [self._route_position(points, piece.leg, *coords[0]),
                        self._route_position(points, piece.leg, *coords[-1])]
                found.append((min(ends), max(ends)))
        for leg in range(len(points) - 1):
            # A leg between two equal points has no line to clip; it lies where its point lies.
            if _angle(points[leg], points[leg + 1]) < 1e-12 and self._covers(region, points[leg]):
                found.append((float(leg), float(leg + 1)))
        if len(points) == 1 and self._covers(region, points[0]):
            found.append((0.0, 0.0))
        return merge_intervals(found)

    def _covers(self, region, v: np.ndarray) -> bool:
        if _angle(v, self.centre) > self.radius_rad + math.radians(SUBARC_DEG):
            return False
        return bool(region.covers(Point(self._project(v))))

    def crossings(self, lat_deg: Sequence[float], lon_deg: Sequence[float]) -> list[float]:
        """Route positions where the route meets the airspace boundary, sorted."""
        points, projected = self._pieces(lat_deg, lon_deg)
        boundary = self.region.boundary
        found = []
        for piece in projected:
            met = piece.line.intersection(boundary)
            for geometry in getattr(met, "geoms", [met]):
                if geometry.is_empty:
                    continue
                for x, y in geometry.coords:
                    found.append(self._route_position(points, piece.leg, x, y))
        return sorted(found)


def _lines(geometry) -> list[LineString]:
    """Return the line parts of a clipping result, without isolated touching points."""
    if geometry.is_empty:
        return []
    if isinstance(geometry, LineString):
        return [geometry]
    if isinstance(geometry, (MultiPolygon, Polygon, Point)):
        return []
    return [part for sub in getattr(geometry, "geoms", []) for part in _lines(sub)]
