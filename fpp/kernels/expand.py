"""Route expansion kernel: Item 15 texts to their expanded point lists, many at once.

:func:`expand_routes` tokenizes each Item 15 text (:func:`~fpp.kernels.item15.tokenize_item15`),
resolves it (:func:`~fpp.kernels.route.resolve_elements`) and expands its airway legs into their
intermediate points, as :func:`fpp.route.resolve.resolve_route` does: the departure aerodrome,
every point of the route with the airway points between them, the destination aerodrome.

Its twin is :func:`expand_routes_python`, built on :func:`fpp.route.resolve.resolve_route`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fpp.errors import PlanError
from fpp.formats.item15 import parse_item15
from fpp.kernels._jit import kernel
from fpp.kernels.item15 import tokenize_item15
from fpp.kernels.route import COUNT_SLOTS, _anchor, resolve_elements
from fpp.kernels.scratch import FALLBACK, Scratch
from fpp.kernels.tables import NavTables, airway_leg
from fpp.navdata.store import NavData
from fpp.route.resolve import AirwayIndex, resolve_route

__all__ = ["expand_routes", "expand_routes_python"]


@kernel
def _collapse(buffer: np.ndarray, start: int, end: int, sc: Scratch) -> int:
    """Copy ``buffer[start:end]`` into ``sc.route`` with whitespace runs made one space."""
    length = 0
    pending = False
    for k in range(start, end):
        c = buffer[k]
        if c == 32 or c == 9 or c == 10 or c == 13:
            pending = True
            continue
        if pending and length > 0:
            sc.route[length] = 32
            length += 1
        pending = False
        sc.route[length] = c
        length += 1
    return length


@kernel
def _append(out_point: np.ndarray, out_lat: np.ndarray, out_lon: np.ndarray, used: int,
            point: int, lat: float, lon: float) -> int:
    if used >= len(out_point):
        return -1
    out_point[used] = point
    out_lat[used] = lat
    out_lon[used] = lon
    return used + 1


@kernel
def expand_routes(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray, adep: np.ndarray, ades: np.ndarray,
                  nav: NavTables, sc: Scratch, status: np.ndarray, offsets: np.ndarray,
                  out_point: np.ndarray, out_lat: np.ndarray, out_lon: np.ndarray) -> int:
    """Expand the Item 15 texts ``buffer[starts[r]:ends[r]]``.

    ``adep`` and ``ades`` hold the spans (start, end) of the aerodrome indicators in
    ``buffer``, shape (routes, 2), -1 when absent. Writes per route a status (0, or
    :data:`~fpp.kernels.scratch.FALLBACK`) and the CSR ``offsets`` of its points in
    ``out_point`` (point index, -1 for lat/long and bearing/distance points), ``out_lat`` and
    ``out_lon``. Returns the number of routes done, less than the number given when the output
    arrays are full.
    """
    used = offsets[0]
    for r in range(len(starts)):
        offsets[r + 1] = used
        status[r] = FALLBACK
        length = _collapse(buffer, starts[r], ends[r], sc)
        if tokenize_item15(sc.route, length, nav.names, sc) != 0:
            continue
        start_point = _anchor(nav, buffer, adep[r, 0], adep[r, 1])
        end_point = _anchor(nav, buffer, ades[r, 0], ades[r, 1])
        if resolve_elements(sc, nav, start_point, end_point) != 0:
            continue
        mark = used
        if start_point >= 0:
            used = _append(out_point, out_lat, out_lon, used, start_point, nav.lat_deg[start_point], nav.lon_deg[start_point])
        previous = -2  # point index of the previous slot's candidate; -2 before the first slot
        for s in range(sc.counts[COUNT_SLOTS]):
            if used < 0:
                break
            c = sc.slot_cand_start[s] + sc.slot_choice[s]
            point = sc.cand_point[c]
            connector = sc.slot_connector[s]
            if previous != -2 and connector >= 0:
                piece, i, j, _ = airway_leg(nav, connector, previous, point)
                if piece >= 0:
                    if j > i:
                        for k in range(i + 1, j):
                            q = nav.piece_points[k]
                            used = _append(out_point, out_lat, out_lon, used, q, nav.lat_deg[q], nav.lon_deg[q])
                            if used < 0:
                                break
                    else:
                        for k in range(i - 1, j, -1):
                            q = nav.piece_points[k]
                            used = _append(out_point, out_lat, out_lon, used, q, nav.lat_deg[q], nav.lon_deg[q])
                            if used < 0:
                                break
            if used < 0:
                break
            used = _append(out_point, out_lat, out_lon, used, point, sc.cand_lat_deg[c], sc.cand_lon_deg[c])
            previous = point
        if used >= 0 and end_point >= 0:
            used = _append(out_point, out_lat, out_lon, used, end_point, nav.lat_deg[end_point], nav.lon_deg[end_point])
        if used < 0:
            offsets[r + 1] = mark
            return r
        status[r] = 0
        offsets[r + 1] = used
    return len(starts)


def expand_routes_python(nav: NavData, routes: Sequence[tuple[str, str | None, str | None]],
                         index: AirwayIndex | None = None) -> list[list[tuple[int, float, float]] | None]:
    """The twin of :func:`expand_routes`: :func:`resolve_route` on each ``(item15, adep, ades)``.

    Returns per route its points as ``(point index or -1, lat_deg, lon_deg)``, or ``None`` when
    the reference code raises a plan-level error.
    """
    index = index or AirwayIndex(nav)
    result: list[list[tuple[int, float, float]] | None] = []
    for text, adep, ades in routes:
        try:
            expanded = resolve_route(parse_item15(text), nav, adep, ades, index)
        except PlanError:
            result.append(None)
            continue
        result.append([(-1 if p.nav_index is None else int(p.nav_index), float(p.lat_deg), float(p.lon_deg)) for p in expanded.points])
    return result
