"""Airspace crossing kernel: the stretches of a route inside an airspace volume.

:func:`clip_route` computes what :func:`fpp.convert.airspace.inside_stretches` computes, with
the same boundary rule and the same floating-point operations: the crossings of each leg with
every polygon edge (great-circle arc intersections), crossings snapped onto a route point within
the tolerance, and for each piece between two breaks a point-in-polygon test (gnomonic
projection) at its middle, or samples along it within the tolerance of the boundary. A leg that
:func:`~fpp.kernels.geometry.leg_outside_cap` proves far from the volume skips the edge loop and
the inside test, and the edge loop skips edges that lie on one side of the leg's great circle.
Neither skip can change the result.

The twin, :func:`clip_routes_python`, calls :func:`~fpp.convert.airspace.inside_stretches` on
each route of a batch.
"""

from __future__ import annotations

import math

import numpy as np

from fpp.convert.airspace import (
    _BOUNDARY_SAMPLES_PER_TOLERANCE,
    _MAX_BOUNDARY_SAMPLES,
    AirspaceVolume,
    inside_stretches,
)
from fpp.geo import EARTH_RADIUS_NM
from fpp.kernels._jit import kernel
from fpp.kernels.geometry import (
    CAP_MARGIN_RAD,
    SIDE_MARGIN,
    VolumeTables,
    _cross,
    _dot,
    _norm,
    angle,
    crossing_fractions,
    distance_nm,
    interpolate,
    leg_outside_cap,
    to_xyz,
    volume_contains_strictly,
    volume_on_boundary,
)

__all__ = ["clip_route", "clip_routes", "clip_routes_python"]


@kernel
def _sort(values: np.ndarray, count: int) -> None:
    for i in range(1, count):
        value = values[i]
        j = i - 1
        while j >= 0 and values[j] > value:
            values[j + 1] = values[j]
            j -= 1
        values[j + 1] = value


@kernel
def _pair_inside(vol: VolumeTables, lat: np.ndarray, lon: np.ndarray, n: int, a_pos: float, b_pos: float,
                 leg: int, skip: bool) -> bool:
    """Whether the piece between two breaks counts as inside, as ``fpp.convert.airspace._piece_inside``:
    its middle is inside a polygon, or every sample along it lies on the boundary."""
    i = int(math.floor(a_pos))
    if skip and i == leg:
        return False
    j = min(i + 1, n - 1)
    la1, lo1, la2, lo2 = lat[i], lon[i], lat[j], lon[j]
    start = a_pos - i
    end = b_pos - i
    la, lo = interpolate(la1, lo1, la2, lo2, (start + end) / 2)
    if volume_contains_strictly(vol, la, lo):
        return True
    if not volume_on_boundary(vol, la, lo):
        return False
    length = distance_nm(la1, lo1, la2, lo2) * (end - start)
    count = min(_MAX_BOUNDARY_SAMPLES, max(2, math.ceil(length * _BOUNDARY_SAMPLES_PER_TOLERANCE / vol.tolerance_nm)))
    for k in range(count + 1):
        sample_lat, sample_lon = interpolate(la1, lo1, la2, lo2, start + (end - start) * k / count)
        if not volume_on_boundary(vol, sample_lat, sample_lon):
            return False
    return True


#: Largest ratio of the chord of half an arc to the chord of the arc, for arcs up to 180 degrees.
_HALF_ARC_CHORD = 1.0 / math.sqrt(2.0)


@kernel
def _chord(ax: float, ay: float, az: float, bx: float, by: float, bz: float) -> float:
    dx, dy, dz = ax - bx, ay - by, az - bz
    return math.sqrt(dx * dx + dy * dy + dz * dz)


@kernel
def _leg_crossings(vol: VolumeTables, ax: float, ay: float, az: float, bx: float, by: float, bz: float,
                   length_rad: float, fractions: np.ndarray) -> int:
    """Write the fractions where the leg a-b crosses an edge to ``fractions``, in edge order, as
    :func:`~fpp.kernels.geometry.arc_fractions` on every edge would; return their number, or -1
    when ``fractions`` is full.

    An edge whose two vertices lie on one side of the leg's great circle, by more than
    ``SIDE_MARGIN`` times the norm of the leg's normal, is skipped because it cannot yield a
    crossing. For an edge of ``edge_side_test``, the arc tests of ``crossing_fractions`` accept
    only points within about 1e-9 rad of the edge. The intersection they test lies within about
    1e-9 rad of the leg's great circle. Both distances are far below the margin of 1e-6.
    """
    xyz = vol.vertex_xyz
    n1x, n1y, n1z = _cross(ax, ay, az, bx, by, bz)
    norm1 = _norm(n1x, n1y, n1z)
    margin = SIDE_MARGIN * norm1
    found = 0
    for polygon in range(len(vol.poly_offsets) - 1):
        start = vol.poly_offsets[polygon]
        size = vol.poly_offsets[polygon + 1] - start
        for e in range(size):
            c = start + e
            d = start + (e + 1) % size
            cx, cy, cz = xyz[c, 0], xyz[c, 1], xyz[c, 2]
            dx, dy, dz = xyz[d, 0], xyz[d, 1], xyz[d, 2]
            if vol.edge_side_test[c]:
                side_c = _dot(cx, cy, cz, n1x, n1y, n1z)
                side_d = _dot(dx, dy, dz, n1x, n1y, n1z)
                if (side_c > margin and side_d > margin) or (side_c < -margin and side_d < -margin):
                    continue
            n2 = vol.edge_normal[c]
            found = crossing_fractions(ax, ay, az, bx, by, bz, n1x, n1y, n1z, norm1, length_rad, cx, cy, cz, dx, dy, dz,
                                       n2[0], n2[1], n2[2], vol.edge_normal_norm[c], fractions, found)
            if found < 0:
                return -1
    return found


@kernel
def clip_route(vol: VolumeTables, lat: np.ndarray, lon: np.ndarray, points_xyz: np.ndarray, n: int,
               fractions: np.ndarray, out: np.ndarray) -> int:
    """Write the stretches of the route ``lat[:n]``, ``lon[:n]`` inside ``vol`` to ``out``.

    ``points_xyz`` holds the unit vectors of the points (:func:`~fpp.kernels.geometry.to_xyz`
    of their positions). Each row of ``out`` is ``(entry position, entry lat, entry lon, exit
    position, exit lat, exit lon)``; a position is the point index plus the fraction of the
    following leg. Returns the number of stretches, or -1 when ``out`` or the ``fractions``
    work array is too small.

    A leg is skipped without computing an angle when chords prove it far from the cap around
    the volume. Every point X of the arc A-B lies within the chord |A-B| of A and of B, and
    within half the arc of one of them, a chord of at most |A-B|/sqrt(2); so for the cap centre
    C, |C-X| >= max(|C-A|, |C-B|) - |A-B| and |C-X| >= min(|C-A|, |C-B|) - |A-B|/sqrt(2). When
    either bound exceeds the chord of the cap's reach, :func:`leg_outside_cap` would skip the
    leg too.
    """
    if n == 0:
        return 0
    tolerance = vol.tolerance_nm
    use_cap = math.isfinite(vol.cap_radius_rad)
    cx, cy, cz = vol.cap_centre[0], vol.cap_centre[1], vol.cap_centre[2]
    reach_rad = vol.cap_radius_rad + tolerance / EARTH_RADIUS_NM + CAP_MARGIN_RAD
    reach_chord = 2.0 * math.sin(min(reach_rad, math.pi) / 2.0) if use_cap else 0.0

    count = 0
    previous_pos, previous_lat, previous_lon = 0.0, lat[0], lon[0]
    entry_open = False
    entry_pos = entry_lat = entry_lon = 0.0
    ax, ay, az = points_xyz[0, 0], points_xyz[0, 1], points_xyz[0, 2]
    chord_a = _chord(ax, ay, az, cx, cy, cz)
    for i in range(n - 1):
        la1, lo1, la2, lo2 = lat[i], lon[i], lat[i + 1], lon[i + 1]
        bx, by, bz = points_xyz[i + 1, 0], points_xyz[i + 1, 1], points_xyz[i + 1, 2]
        chord_b = _chord(bx, by, bz, cx, cy, cz)
        chord_ab = _chord(ax, ay, az, bx, by, bz)
        bound = max(max(chord_a, chord_b) - chord_ab, min(chord_a, chord_b) - _HALF_ARC_CHORD * chord_ab)
        skip = use_cap and reach_rad < math.pi and bound > reach_chord * (1.0 + 1e-9)
        length_rad = 0.0
        if not skip:
            length_rad = angle(ax, ay, az, bx, by, bz)
            if use_cap:
                angle_a = angle(ax, ay, az, cx, cy, cz)
                angle_b = angle(bx, by, bz, cx, cy, cz)
                skip = leg_outside_cap(vol, angle_a, angle_b, length_rad)

        found = 0
        if not skip:
            found = _leg_crossings(vol, ax, ay, az, bx, by, bz, length_rad, fractions)
            if found < 0:
                return -1
            _sort(fractions, found)
        length = EARTH_RADIUS_NM * length_rad

        # Breaks of this leg: the kept crossings, then the leg's end point.
        for k in range(found + 1):
            if k < found:
                fraction = fractions[k]
                if length * fraction <= tolerance or length * (1 - fraction) <= tolerance:
                    continue
                b_lat, b_lon = interpolate(la1, lo1, la2, lo2, fraction)
                b_pos = i + fraction
            else:
                b_pos, b_lat, b_lon = float(i + 1), la2, lo2
            if b_pos > previous_pos:
                inside = _pair_inside(vol, lat, lon, n, previous_pos, b_pos, i, skip)
                if inside and not entry_open:
                    entry_open = True
                    entry_pos, entry_lat, entry_lon = previous_pos, previous_lat, previous_lon
                elif not inside and entry_open:
                    if count >= len(out):
                        return -1
                    out[count, 0], out[count, 1], out[count, 2] = entry_pos, entry_lat, entry_lon
                    out[count, 3], out[count, 4], out[count, 5] = previous_pos, previous_lat, previous_lon
                    count += 1
                    entry_open = False
            previous_pos, previous_lat, previous_lon = b_pos, b_lat, b_lon
        ax, ay, az = bx, by, bz
        chord_a = chord_b
    if entry_open:
        if count >= len(out):
            return -1
        out[count, 0], out[count, 1], out[count, 2] = entry_pos, entry_lat, entry_lon
        out[count, 3], out[count, 4], out[count, 5] = previous_pos, previous_lat, previous_lon
        count += 1
    return count


def clip_routes(vol: VolumeTables, offsets: np.ndarray, lat: np.ndarray, lon: np.ndarray,
                fractions: np.ndarray, work: np.ndarray, counts: np.ndarray, out: np.ndarray) -> int:
    """Clip a batch of routes, given as CSR ``offsets`` into ``lat`` and ``lon``.

    Writes the number of stretches of route ``r`` to ``counts[r]`` (-1 when ``work`` or
    ``fractions`` is too small for it) and the stretches one after another into ``out``.
    Returns the number of rows of ``out`` used, or -1 when ``out`` is full.
    """
    return _clip_routes(vol, offsets, lat, lon, np.empty((len(lat), 3)), fractions, work, counts, out)


@kernel
def _clip_routes(vol: VolumeTables, offsets: np.ndarray, lat: np.ndarray, lon: np.ndarray, points_xyz: np.ndarray,
                 fractions: np.ndarray, work: np.ndarray, counts: np.ndarray, out: np.ndarray) -> int:
    used = 0
    for k in range(len(lat)):
        points_xyz[k, 0], points_xyz[k, 1], points_xyz[k, 2] = to_xyz(lat[k], lon[k])
    for r in range(len(offsets) - 1):
        start, stop = offsets[r], offsets[r + 1]
        found = clip_route(vol, lat[start:stop], lon[start:stop], points_xyz[start:stop], stop - start, fractions, work)
        counts[r] = found
        if found < 0:
            continue
        if used + found > len(out):
            return -1
        for k in range(found):
            for f in range(6):
                out[used + k, f] = work[k, f]
        used += found
    return used


def clip_routes_python(volume: AirspaceVolume, offsets: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> list[list[tuple[float, ...]]]:
    """The twin of :func:`clip_routes`: :func:`inside_stretches` on each route.

    Returns, per route, its stretches as ``(entry position, entry lat, entry lon, exit
    position, exit lat, exit lon)`` tuples.
    """
    result = []
    for r in range(len(offsets) - 1):
        start, stop = int(offsets[r]), int(offsets[r + 1])
        stretches = inside_stretches(volume, [float(v) for v in lat[start:stop]], [float(v) for v in lon[start:stop]])
        result.append([
            (s.entry.position, s.entry.lat_deg, s.entry.lon_deg, s.exit.position, s.exit.lat_deg, s.exit.lon_deg)
            for s in stretches
        ])
    return result
