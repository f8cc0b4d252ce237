"""Spherical geometry kernels: the functions of :mod:`fpp.geo` for Numba, bit for bit.

Each function performs the floating-point operations of its :mod:`fpp.geo` twin in the same
order, so that the two give identical results, not merely close ones. That is what lets the
batch converter return records equal to those of the hardened converter. The twins are the
functions of :mod:`fpp.geo` themselves; ``tests/kernels/test_geometry.py`` compares them.

Degrees are converted with the constants CPython's :func:`math.radians` and
:func:`math.degrees` use (``pi / 180`` and ``180 / pi``). Vectors are passed as three floats
and returned as tuples, which Numba keeps in registers.

Volumes (:class:`VolumeTables`) hold the polygons of an
:class:`~fpp.convert.airspace.AirspaceVolume` as flat arrays, with the gnomonic projection of
each polygon taken from the :class:`~fpp.geo.Polygon` itself, and one cap around all polygons.
A leg that stays outside that cap, by more than the boundary tolerance, cannot cross the
boundary nor have a point inside or on it; :func:`leg_outside_cap` tests this so that the clip
skips most legs of a route far from the airspace without changing its result.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from fpp.convert.airspace import AirspaceVolume
from fpp.geo import EARTH_RADIUS_NM, MAX_POLYGON_RADIUS_DEG
from fpp.kernels._jit import kernel

__all__ = [
    "CAP_MARGIN_RAD",
    "VolumeTables",
    "angle",
    "arc_fractions",
    "build_volume_tables",
    "crossing_fractions",
    "destination",
    "distance_nm",
    "interpolate",
    "leg_outside_cap",
    "point_arc_distance_nm",
    "polygon_contains",
    "to_latlon",
    "to_xyz",
    "volume_contains",
    "volume_contains_strictly",
    "volume_on_boundary",
]

_DEG_TO_RAD = math.pi / 180.0
_RAD_TO_DEG = 180.0 / math.pi
_EPS = 1e-12
#: Slack added to the cap test of :func:`leg_outside_cap`, far above rounding errors [rad].
CAP_MARGIN_RAD = 1e-6
#: Minimum norm of an edge's normal (the sine of its length) for the side test of the clip.
#: Below it, the arc test of :func:`crossing_fractions` accepts points too far beyond the edge's
#: ends for the margin :data:`SIDE_MARGIN` to cover.
SIDE_TEST_MIN_NORM = 1e-3
#: Margin of the side test, as a fraction of the norm of the leg's normal.
SIDE_MARGIN = 1e-6


class VolumeTables(NamedTuple):
    """The polygons of an airspace volume as flat arrays.

    Attributes
    ----------
    poly_offsets
        CSR offsets of each polygon's vertices into the vertex arrays.
    vertex_lat_deg, vertex_lon_deg
        Vertices [deg], without the closing vertex.
    vertex_xyz
        Unit vectors of the vertices, shape (V, 3).
    projected_xy
        Gnomonic coordinates of the vertices in their polygon's projection, shape (V, 2).
    poly_centre, poly_e1, poly_e2
        Centre and projection basis of each polygon, shape (P, 3).
    poly_radius_rad
        Angular radius of each polygon's cap around its centre [rad].
    cap_centre
        Unit vector of the centre of the cap around every polygon, shape (3,).
    cap_radius_rad
        Angular radius of that cap [rad]; ``inf`` disables the cap test.
    tolerance_nm
        Boundary tolerance of the volume [NM].
    edge_normal, edge_normal_norm
        Cross product of the two vertices of the edge that starts at each vertex, shape (V, 3),
        and its norm, as :func:`arc_fractions` computes them.
    edge_side_test
        Per edge: whether the clip may skip the edge when both its vertices lie on one side of
        a leg's great circle (the edge is at least :data:`SIDE_TEST_MIN_NORM` long).
    edge_centre, edge_reach_cos
        Unit vector of the middle of each edge, shape (V, 3), and the cosine of the angle from it
        beyond which a point is farther than the tolerance from the edge, with
        :data:`CAP_MARGIN_RAD` to spare; -2 where no angle is.
    """

    poly_offsets: np.ndarray
    vertex_lat_deg: np.ndarray
    vertex_lon_deg: np.ndarray
    vertex_xyz: np.ndarray
    projected_xy: np.ndarray
    poly_centre: np.ndarray
    poly_e1: np.ndarray
    poly_e2: np.ndarray
    poly_radius_rad: np.ndarray
    cap_centre: np.ndarray
    cap_radius_rad: float
    tolerance_nm: float
    edge_normal: np.ndarray
    edge_normal_norm: np.ndarray
    edge_side_test: np.ndarray
    edge_centre: np.ndarray
    edge_reach_cos: np.ndarray


def build_volume_tables(volume: AirspaceVolume) -> VolumeTables:
    """Pack the polygons of ``volume`` into :class:`VolumeTables`.

    The projection of each polygon (centre, basis, projected vertices) is read from the
    :class:`~fpp.geo.Polygon` so that the kernel tests points with the very same numbers.
    """
    sizes = [len(polygon.lat_deg) for polygon in volume.polygons]
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    lat = np.concatenate([polygon.lat_deg for polygon in volume.polygons]).astype(np.float64)
    lon = np.concatenate([polygon.lon_deg for polygon in volume.polygons]).astype(np.float64)
    xyz = np.array([to_xyz(float(a), float(b)) for a, b in zip(lat, lon)], dtype=np.float64).reshape(-1, 3)
    xy = np.concatenate([np.asarray(polygon._xy, dtype=np.float64) for polygon in volume.polygons]).reshape(-1, 2)
    centre = np.array([polygon._centre for polygon in volume.polygons], dtype=np.float64).reshape(-1, 3)
    e1 = np.array([polygon._basis[0] for polygon in volume.polygons], dtype=np.float64).reshape(-1, 3)
    e2 = np.array([polygon._basis[1] for polygon in volume.polygons], dtype=np.float64).reshape(-1, 3)
    radius = np.array([polygon._radius for polygon in volume.polygons], dtype=np.float64)

    cap_centre = np.zeros(3)
    cap_radius = math.inf
    if len(xyz):
        total = xyz.sum(axis=0)
        norm = float(np.linalg.norm(total))
        if norm > _EPS:
            cap_centre = total / norm
            radius_rad = max(math.atan2(float(np.linalg.norm(np.cross(cap_centre, v))), float(np.dot(cap_centre, v)))
                             for v in xyz)
            # The cap must be convex (below 90 degrees) for the arcs between vertices to stay inside.
            if math.degrees(radius_rad) < MAX_POLYGON_RADIUS_DEG:
                cap_radius = radius_rad
    tolerance_nm = float(volume.boundary_tolerance_nm)
    normal = np.zeros((len(xyz), 3))
    normal_norm = np.zeros(len(xyz))
    edge_centre = np.zeros((len(xyz), 3))
    reach_cos = np.full(len(xyz), -2.0)
    _edge_tables(xyz, offsets, tolerance_nm / EARTH_RADIUS_NM + CAP_MARGIN_RAD, normal, normal_norm, edge_centre, reach_cos)
    return VolumeTables(offsets, lat, lon, xyz, xy, centre, e1, e2, radius, cap_centre, cap_radius, tolerance_nm,
                        normal, normal_norm, normal_norm >= SIDE_TEST_MIN_NORM, edge_centre, reach_cos)


@kernel
def _edge_tables(xyz: np.ndarray, offsets: np.ndarray, slack_rad: float, normal: np.ndarray, normal_norm: np.ndarray,
                 centre: np.ndarray, reach_cos: np.ndarray) -> None:
    """Fill the edge arrays of :class:`VolumeTables`, with ``slack_rad`` the tolerance plus the margin.

    This is a kernel so that the normals are the very numbers that :func:`arc_fractions` computes.
    """
    for polygon in range(len(offsets) - 1):
        start = offsets[polygon]
        size = offsets[polygon + 1] - start
        for e in range(size):
            c = start + e
            d = start + (e + 1) % size
            cx, cy, cz = xyz[c, 0], xyz[c, 1], xyz[c, 2]
            dx, dy, dz = xyz[d, 0], xyz[d, 1], xyz[d, 2]
            nx, ny, nz = _cross(cx, cy, cz, dx, dy, dz)
            normal[c, 0], normal[c, 1], normal[c, 2] = nx, ny, nz
            normal_norm[c] = _norm(nx, ny, nz)
            # Every point of the arc lies within half its length of its middle.
            mx, my, mz = cx + dx, cy + dy, cz + dz
            m = _norm(mx, my, mz)
            if m < 1e-6:
                continue  # (nearly) antipodal vertices: no middle, no reach
            mx, my, mz = mx / m, my / m, mz / m
            centre[c, 0], centre[c, 1], centre[c, 2] = mx, my, mz
            reach = max(angle(mx, my, mz, cx, cy, cz), angle(mx, my, mz, dx, dy, dz)) + slack_rad
            if reach < math.pi:
                reach_cos[c] = math.cos(reach)


@kernel
def to_xyz(lat_deg: float, lon_deg: float) -> tuple[float, float, float]:
    """Unit vector of a position, as :func:`fpp.geo.to_xyz`."""
    lat = lat_deg * _DEG_TO_RAD
    lon = lon_deg * _DEG_TO_RAD
    c = math.cos(lat)
    return c * math.cos(lon), c * math.sin(lon), math.sin(lat)


@kernel
def to_latlon(x: float, y: float, z: float) -> tuple[float, float]:
    """Position of a vector, as :func:`fpp.geo.to_latlon`."""
    norm = math.sqrt(x * x + y * y + z * z)
    x, y, z = x / norm, y / norm, z / norm
    lat = math.asin(max(-1.0, min(1.0, z))) * _RAD_TO_DEG
    if abs(x) < _EPS and abs(y) < _EPS:
        return lat, 0.0
    return lat, math.atan2(y, x) * _RAD_TO_DEG


@kernel
def _dot(ax: float, ay: float, az: float, bx: float, by: float, bz: float) -> float:
    return ax * bx + ay * by + az * bz


@kernel
def _cross(ax: float, ay: float, az: float, bx: float, by: float, bz: float) -> tuple[float, float, float]:
    return ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx


@kernel
def _norm(ax: float, ay: float, az: float) -> float:
    return math.sqrt(_dot(ax, ay, az, ax, ay, az))


@kernel
def angle(ax: float, ay: float, az: float, bx: float, by: float, bz: float) -> float:
    """Angle between two unit vectors [rad], as ``fpp.geo._angle``."""
    cx, cy, cz = _cross(ax, ay, az, bx, by, bz)
    return math.atan2(_norm(cx, cy, cz), _dot(ax, ay, az, bx, by, bz))


@kernel
def distance_nm(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Great-circle distance [NM], as :func:`fpp.geo.distance_nm`."""
    ax, ay, az = to_xyz(lat1_deg, lon1_deg)
    bx, by, bz = to_xyz(lat2_deg, lon2_deg)
    return EARTH_RADIUS_NM * angle(ax, ay, az, bx, by, bz)


@kernel
def destination(lat_deg: float, lon_deg: float, bearing_deg: float, distance: float) -> tuple[float, float]:
    """Position along a true bearing over a distance [NM], as :func:`fpp.geo.destination`."""
    delta = distance / EARTH_RADIUS_NM
    theta = bearing_deg * _DEG_TO_RAD
    p1 = lat_deg * _DEG_TO_RAD
    l1 = lon_deg * _DEG_TO_RAD
    sin_p2 = math.sin(p1) * math.cos(delta) + math.cos(p1) * math.sin(delta) * math.cos(theta)
    p2 = math.asin(max(-1.0, min(1.0, sin_p2)))
    y = math.sin(theta) * math.sin(delta) * math.cos(p1)
    x = math.cos(delta) - math.sin(p1) * sin_p2
    l2 = l1 + math.atan2(y, x)
    lon = (l2 * _RAD_TO_DEG + 540.0) % 360.0 - 180.0
    if abs(abs(p2 * _RAD_TO_DEG) - 90.0) < 1e-9:
        lon = 0.0
    return p2 * _RAD_TO_DEG, lon


@kernel
def interpolate(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float, fraction: float) -> tuple[float, float]:
    """Position at ``fraction`` of the arc between two positions, as :func:`fpp.geo.interpolate`."""
    ax, ay, az = to_xyz(lat1_deg, lon1_deg)
    bx, by, bz = to_xyz(lat2_deg, lon2_deg)
    omega = angle(ax, ay, az, bx, by, bz)
    if omega < _EPS:
        return lat1_deg, lon1_deg
    s = math.sin(omega)
    wa = math.sin((1 - fraction) * omega) / s
    wb = math.sin(fraction * omega) / s
    return to_latlon(wa * ax + wb * bx, wa * ay + wb * by, wa * az + wb * bz)


@kernel
def _on_arc(ax: float, ay: float, az: float, bx: float, by: float, bz: float,
            nx: float, ny: float, nz: float, xx: float, xy: float, xz: float) -> bool:
    c1x, c1y, c1z = _cross(ax, ay, az, xx, xy, xz)
    c2x, c2y, c2z = _cross(xx, xy, xz, bx, by, bz)
    return _dot(c1x, c1y, c1z, nx, ny, nz) >= -1e-15 and _dot(c2x, c2y, c2z, nx, ny, nz) >= -1e-15


@kernel
def arc_fractions(ax: float, ay: float, az: float, bx: float, by: float, bz: float,
                  cx: float, cy: float, cz: float, dx: float, dy: float, dz: float,
                  out: np.ndarray, count: int) -> int:
    """Append to ``out`` the fractions along arc a-b where it crosses arc c-d.

    The fractions are those of :func:`fpp.geo.arc_intersections`, in its order. Returns the new
    count, or -1 when ``out`` is full.
    """
    n1x, n1y, n1z = _cross(ax, ay, az, bx, by, bz)
    n2x, n2y, n2z = _cross(cx, cy, cz, dx, dy, dz)
    return crossing_fractions(ax, ay, az, bx, by, bz, n1x, n1y, n1z, _norm(n1x, n1y, n1z), angle(ax, ay, az, bx, by, bz),
                              cx, cy, cz, dx, dy, dz, n2x, n2y, n2z, _norm(n2x, n2y, n2z), out, count)


@kernel
def crossing_fractions(ax: float, ay: float, az: float, bx: float, by: float, bz: float,
                       n1x: float, n1y: float, n1z: float, norm1: float, total: float,
                       cx: float, cy: float, cz: float, dx: float, dy: float, dz: float,
                       n2x: float, n2y: float, n2z: float, norm2: float, out: np.ndarray, count: int) -> int:
    """:func:`arc_fractions` with the values that depend on one arc alone computed by the caller.

    ``n1`` is ``a x b`` with norm ``norm1``, ``total`` is the angle between a and b, and ``n2``
    is ``c x d`` with norm ``norm2``. The clip computes the first three once per leg and reads
    the others from :class:`VolumeTables`.
    """
    if norm1 < _EPS or norm2 < _EPS:
        return count
    lx, ly, lz = _cross(n1x, n1y, n1z, n2x, n2y, n2z)
    length = _norm(lx, ly, lz)
    if length < 1e-14:
        return count
    for k in range(2):
        sign = 1.0 if k == 0 else -1.0
        xx = sign * lx / length
        xy = sign * ly / length
        xz = sign * lz / length
        if _on_arc(ax, ay, az, bx, by, bz, n1x, n1y, n1z, xx, xy, xz) and _on_arc(
            cx, cy, cz, dx, dy, dz, n2x, n2y, n2z, xx, xy, xz
        ):
            if count >= len(out):
                return -1
            out[count] = angle(ax, ay, az, xx, xy, xz) / total if total > _EPS else 0.0
            count += 1
    return count


@kernel
def point_arc_distance_nm(px: float, py: float, pz: float, ax: float, ay: float, az: float,
                          bx: float, by: float, bz: float) -> float:
    """Distance from a position to the arc a-b [NM], as :func:`fpp.geo.point_arc_distance_nm`.

    Takes unit vectors where the twin takes degrees; :func:`to_xyz` gives them.
    """
    nx, ny, nz = _cross(ax, ay, az, bx, by, bz)
    nn = _norm(nx, ny, nz)
    ends = min(angle(px, py, pz, ax, ay, az), angle(px, py, pz, bx, by, bz))
    if nn < _EPS:
        return EARTH_RADIUS_NM * ends
    nx, ny, nz = nx / nn, ny / nn, nz / nn
    s = _dot(px, py, pz, nx, ny, nz)
    qx, qy, qz = px - s * nx, py - s * ny, pz - s * nz
    if _norm(qx, qy, qz) < _EPS or not _on_arc(ax, ay, az, bx, by, bz, nx, ny, nz, qx, qy, qz):
        return EARTH_RADIUS_NM * ends
    return EARTH_RADIUS_NM * abs(math.asin(max(-1.0, min(1.0, s))))


@kernel
def polygon_contains(vol: VolumeTables, polygon: int, lat_deg: float, lon_deg: float) -> bool:
    """Whether a position is strictly inside one polygon, as :meth:`fpp.geo.Polygon.contains`."""
    vx, vy, vz = to_xyz(lat_deg, lon_deg)
    c = vol.poly_centre[polygon]
    if angle(vx, vy, vz, c[0], c[1], c[2]) > vol.poly_radius_rad[polygon] + 1e-9:
        return False
    w = _dot(vx, vy, vz, c[0], c[1], c[2])
    e1 = vol.poly_e1[polygon]
    e2 = vol.poly_e2[polygon]
    px = _dot(vx, vy, vz, e1[0], e1[1], e1[2]) / w
    py = _dot(vx, vy, vz, e2[0], e2[1], e2[2]) / w
    start = vol.poly_offsets[polygon]
    n = vol.poly_offsets[polygon + 1] - start
    xy = vol.projected_xy
    inside = False
    j = n - 1
    for i in range(n):
        yi = xy[start + i, 1]
        yj = xy[start + j, 1]
        if (yi > py) != (yj > py):
            xi = xy[start + i, 0]
            x_cross = xi + (py - yi) * (xy[start + j, 0] - xi) / (yj - yi)
            if px < x_cross:
                inside = not inside
        j = i
    return inside


@kernel
def volume_contains_strictly(vol: VolumeTables, lat_deg: float, lon_deg: float) -> bool:
    """Whether a position is inside one of the polygons, as
    :meth:`fpp.convert.airspace.AirspaceVolume.contains_strictly`."""
    for polygon in range(len(vol.poly_offsets) - 1):
        if polygon_contains(vol, polygon, lat_deg, lon_deg):
            return True
    return False


@kernel
def volume_on_boundary(vol: VolumeTables, lat_deg: float, lon_deg: float) -> bool:
    """Whether a position lies within the tolerance of an edge, as
    :meth:`fpp.convert.airspace.AirspaceVolume.on_boundary`.

    An edge whose middle is farther from the position than ``edge_reach_cos`` allows is skipped
    without computing the distance. Every point of the edge lies within half its length of its
    middle, so the distance of such an edge exceeds the tolerance by more than
    :data:`CAP_MARGIN_RAD`, which is far above the rounding errors of :func:`point_arc_distance_nm`.
    """
    px, py, pz = to_xyz(lat_deg, lon_deg)
    xyz = vol.vertex_xyz
    centre = vol.edge_centre
    for polygon in range(len(vol.poly_offsets) - 1):
        start = vol.poly_offsets[polygon]
        n = vol.poly_offsets[polygon + 1] - start
        for i in range(n):
            a = start + i
            if _dot(px, py, pz, centre[a, 0], centre[a, 1], centre[a, 2]) < vol.edge_reach_cos[a]:
                continue
            b = start + (i + 1) % n
            d = point_arc_distance_nm(px, py, pz, xyz[a, 0], xyz[a, 1], xyz[a, 2], xyz[b, 0], xyz[b, 1], xyz[b, 2])
            if d <= vol.tolerance_nm:
                return True
    return False


@kernel
def volume_contains(vol: VolumeTables, lat_deg: float, lon_deg: float) -> bool:
    """Whether a position is inside the volume or on its boundary, as
    :meth:`fpp.convert.airspace.AirspaceVolume.contains`."""
    return volume_contains_strictly(vol, lat_deg, lon_deg) or volume_on_boundary(vol, lat_deg, lon_deg)


@kernel
def leg_outside_cap(vol: VolumeTables, angle_a_rad: float, angle_b_rad: float, length_rad: float) -> bool:
    """Whether a leg certainly stays away from the volume and its boundary tolerance.

    ``angle_a_rad`` and ``angle_b_rad`` are the angles from the cap centre to the leg's ends,
    ``length_rad`` the leg length. Every point of the arc lies within half its length of one end,
    so it is at least ``min(angle_a, angle_b) - length / 2`` from the centre. When that exceeds
    the cap radius plus the tolerance, no edge crosses the leg, and no point of the leg is inside
    the volume or within the tolerance of its boundary.
    """
    reach = vol.cap_radius_rad + vol.tolerance_nm / EARTH_RADIUS_NM + CAP_MARGIN_RAD
    return min(angle_a_rad, angle_b_rad) - 0.5 * length_rad > reach
