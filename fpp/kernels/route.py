"""Route kernels: resolve Item 15, place RTEPTS, check geography, reconcile the two.

Each kernel mirrors one step of :mod:`fpp.route.resolve` or :mod:`fpp.convert.hardened`:

* :func:`resolve_elements` classifies the Item 15 elements into point slots with the
  connector that leads to each, as ``fpp.route.resolve._classify`` does (two airways without a
  point between them join at their one common point), and chooses one
  candidate per slot with :func:`choose_candidates`, the Viterbi pass of
  :func:`fpp.route.resolve.choose_candidates` (same costs, same ties, same ambiguity test).
* :func:`place_rtepts` places every RTEPTS point as ``HardenedConverter._place_rtepts`` does.
* :func:`check_geography` applies the leg-length and ground-speed tests of ``_check_geography``.

Route errors (unknown designator, point not on its airway, ambiguous designator) and the forms
the kernels leave out return
:data:`~fpp.kernels.scratch.FALLBACK`; the reference code then raises the error with its
details. Conversion errors return their status number (``CONV204`` and so on).

:func:`reconcile_python` is the twin of :func:`fpp.kernels.portion.reconcile`; the kernels of
this module are compared with the reference code through the batch converter
(``tests/kernels``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from fpp.convert.hardened import MAX_LEG_NM
from fpp.geo import EARTH_RADIUS_NM
from fpp.kernels._jit import kernel
from fpp.kernels.geometry import angle, destination, to_xyz
from fpp.kernels.item15 import (
    COUNT_ELEMENTS,
    ELEMENT_BEARING_DISTANCE,
    ELEMENT_DCT,
    ELEMENT_DESIGNATOR,
    ELEMENT_LATLON,
    ELEMENT_RULE,
    ELEMENT_TRUNCATION,
)
from fpp.kernels.scratch import FALLBACK, Scratch
from fpp.kernels.strings import find
from fpp.kernels.tables import NavTables, airway_leg
from fpp.route.resolve import AMBIGUITY_MARGIN, SAME_PLACE_NM

__all__ = [
    "COUNT_EXPANDED",
    "COUNT_FILED",
    "COUNT_SLOTS",
    "SLOT_GEO",
    "SLOT_POINT",
    "SLOT_REF",
    "check_geography",
    "choose_candidates",
    "leg_cost_nm",
    "place_rtepts",
    "reconcile_python",
    "resolve_elements",
]

SLOT_POINT = 0
SLOT_GEO = 1
SLOT_REF = 2
#: Index into ``Scratch.counts`` of the number of Item 15 points (``filed_*``).
COUNT_FILED = 8
#: Index into ``Scratch.counts`` of the number of resolved slots, junctions of airways included.
COUNT_SLOTS = 9
#: Index into ``Scratch.counts`` of the number of data points of the expanded route, -1 before
#: the expansion is made.
COUNT_EXPANDED = 11
_ADEP, _ADES = 12, 13  # Scratch.counts entries: the aerodromes' point indices
_RELATIVE_MARGIN, _ABSOLUTE_MARGIN_NM = AMBIGUITY_MARGIN
_DEG_TO_RAD = math.pi / 180.0

# Pending connector kinds while classifying.
_NONE, _DCT, _SID, _STAR, _NAT, _AIRWAY = 0, 1, 2, 3, 4, 5

_CONV204, _CONV205, _CONV208 = 5, 6, 9


@kernel
def direct_cost_nm(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Haversine distance [NM] with the operations of ``fpp.route.resolve._direct_costs``.

    NOTE: the reference evaluates this with numpy's ``sin``, ``cos`` and ``arcsin``, which equal
    the C library's on CPUs without AVX-512 (checked on the development machine). Where numpy
    uses its own AVX-512 versions, the two may differ in the last bit, which changes a choice
    only when two candidate routes tie to within that.
    """
    lat1 = lat1_deg * _DEG_TO_RAD
    lon1 = lon1_deg * _DEG_TO_RAD
    lat2 = lat2_deg * _DEG_TO_RAD
    lon2 = lon2_deg * _DEG_TO_RAD
    s_lat = math.sin((lat2 - lat1) / 2)
    s_lon = math.sin((lon2 - lon1) / 2)
    h = s_lat * s_lat + math.cos(lat1) * math.cos(lat2) * (s_lon * s_lon)
    h = min(max(h, 0.0), 1.0)
    return 2 * EARTH_RADIUS_NM * math.asin(math.sqrt(h))


@kernel
def leg_cost_nm(nav: NavTables, connector: int, lat1: float, lon1: float, point1: int,
                lat2: float, lon2: float, point2: int) -> float:
    """Cost of a leg, as ``fpp.route.resolve.choose_candidates`` takes it: the haversine
    distance for a direct connector (-1), the length along the airway with designator id
    ``connector`` otherwise (``inf`` when the two points are not both on one piece of it, or
    are the same point)."""
    if connector < 0:
        return direct_cost_nm(lat1, lon1, lat2, lon2)
    if point1 < 0 or point2 < 0 or point1 == point2:
        return math.inf
    return airway_leg(nav, connector, point1, point2)[3]


@kernel
def choose_candidates(sc: Scratch, nav: NavTables, n: int, start_point: int, end_point: int) -> tuple[int, int]:
    """Choose one candidate per slot so that the route is shortest; write ``sc.slot_choice``.

    Slots ``0..n-1`` hold their candidates in ``sc.cand_*`` and their connector in
    ``sc.slot_connector``; ``start_point`` and ``end_point`` are the anchoring aerodromes' point
    indices, or -1. Returns ``(status, slot)``: status 0 with slot -1, 1 when ``slot`` cannot
    be reached through its connector, 2 when the choice at ``slot`` is ambiguous, and
    :data:`FALLBACK` when the cost arrays are too small.
    """
    single = True
    for k in range(n):
        if sc.slot_cand_end[k] - sc.slot_cand_start[k] != 1:
            single = False
            break
    if single:
        # With one candidate each, the choice is made and cannot be ambiguous. Only an airway leg
        # can be impossible, because a direct leg between finite positions has a finite cost.
        for k in range(n):
            sc.slot_choice[k] = 0
        for k in range(1, n):
            connector = sc.slot_connector[k]
            if connector >= 0:
                p = sc.slot_cand_start[k - 1]
                c = sc.slot_cand_start[k]
                if not math.isfinite(leg_cost_nm(nav, connector, 0.0, 0.0, sc.cand_point[p], 0.0, 0.0, sc.cand_point[c])):
                    return 1, k
        return 0, -1

    has_start = start_point >= 0
    has_end = end_point >= 0
    forward = sc.forward
    backward = sc.backward
    back = sc.back
    cost = sc.cost
    first = sc.slot_cand_start[0]
    for c in range(first, sc.slot_cand_end[0]):
        forward[c] = _distance_nm(nav.xyz, start_point, sc.cand_xyz, c) if has_start else 0.0
        back[c] = 0
    used = 0
    sc.cost_offset[0] = 0
    for k in range(1, n):
        p0, p1 = sc.slot_cand_start[k - 1], sc.slot_cand_end[k - 1]
        c0, c1 = sc.slot_cand_start[k], sc.slot_cand_end[k]
        width = c1 - c0
        if used + (p1 - p0) * width > len(cost):
            return FALLBACK, -1
        sc.cost_offset[k] = used
        connector = sc.slot_connector[k]
        for p in range(p0, p1):
            for c in range(c0, c1):
                cost[used + (p - p0) * width + (c - c0)] = leg_cost_nm(
                    nav, connector, sc.cand_lat_deg[p], sc.cand_lon_deg[p], sc.cand_point[p],
                    sc.cand_lat_deg[c], sc.cand_lon_deg[c], sc.cand_point[c])
        finite = False
        for c in range(c0, c1):
            best = forward[p0] + cost[used + (c - c0)]
            best_p = 0
            for p in range(p0 + 1, p1):
                total = forward[p] + cost[used + (p - p0) * width + (c - c0)]
                if total < best:
                    best = total
                    best_p = p - p0
            forward[c] = best
            back[c] = best_p
            if math.isfinite(best):
                finite = True
        used += (p1 - p0) * width
        if not finite:
            return 1, k

    # Closing leg to the destination, then the choice backwards.
    l0, l1 = sc.slot_cand_start[n - 1], sc.slot_cand_end[n - 1]
    best_total = math.inf
    chosen = 0
    for c in range(l0, l1):
        closing = _distance_nm(sc.cand_xyz, c, nav.xyz, end_point) if has_end else 0.0
        backward[c] = closing
        total = forward[c] + closing
        if c == l0 or total < best_total:
            best_total = total
            chosen = c - l0
    sc.slot_choice[n - 1] = chosen
    for k in range(n - 1, 0, -1):
        sc.slot_choice[k - 1] = back[sc.slot_cand_start[k] + sc.slot_choice[k]]

    # Best total through every candidate, to find a far candidate almost as good as the choice.
    for k in range(n - 2, -1, -1):
        p0, p1 = sc.slot_cand_start[k], sc.slot_cand_end[k]
        c0, c1 = sc.slot_cand_start[k + 1], sc.slot_cand_end[k + 1]
        width = c1 - c0
        offset = sc.cost_offset[k + 1]
        for p in range(p0, p1):
            smallest = math.inf
            for c in range(c0, c1):
                value = cost[offset + (p - p0) * width + (c - c0)] + backward[c]
                if value < smallest:
                    smallest = value
            backward[p] = smallest
    for k in range(n):
        c0, c1 = sc.slot_cand_start[k], sc.slot_cand_end[k]
        if c1 - c0 < 2:
            continue
        picked = c0 + sc.slot_choice[k]
        for c in range(c0, c1):
            if c == picked:
                continue
            through = forward[c] + backward[c]
            if not math.isfinite(through):
                continue
            far = _distance_nm(sc.cand_xyz, c, sc.cand_xyz, picked) > SAME_PLACE_NM
            if far and through <= best_total * (1 + _RELATIVE_MARGIN) + _ABSOLUTE_MARGIN_NM:
                return 2, k
    return 0, -1


@kernel
def _is_nat(route: np.ndarray, start: int, end: int) -> bool:
    return (end - start == 4 and route[start] == 78 and route[start + 1] == 65 and route[start + 2] == 84
            and 65 <= route[start + 3] <= 90)


@kernel
def _airway_has_name(nav: NavTables, airway: int, name_id: int) -> bool:
    if name_id < 0:
        return False
    for p in range(nav.airway_offsets[airway], nav.airway_offsets[airway + 1]):
        piece = nav.airway_pieces[p]
        for k in range(nav.piece_offsets[piece], nav.piece_offsets[piece + 1]):
            if nav.point_name_id[nav.piece_points[k]] == name_id:
                return True
    return False


@kernel
def _junction(nav: NavTables, first: int, second: int) -> int:
    """Find the one point common to two airways (all pieces); -1 when there are none or several."""
    common = -1
    for p in range(nav.airway_offsets[second], nav.airway_offsets[second + 1]):
        piece = nav.airway_pieces[p]
        for k in range(nav.piece_offsets[piece], nav.piece_offsets[piece + 1]):
            point = nav.piece_points[k]
            if point == common or not _on_airway(nav, first, point):
                continue
            if common >= 0:
                return -1
            common = point
    return common


@kernel
def _on_airway(nav: NavTables, airway: int, point: int) -> bool:
    for p in range(nav.airway_offsets[airway], nav.airway_offsets[airway + 1]):
        piece = nav.airway_pieces[p]
        for k in range(nav.piece_offsets[piece], nav.piece_offsets[piece + 1]):
            if nav.piece_points[k] == point:
                return True
    return False


@kernel
def _add_candidate(sc: Scratch, used: int, lat: float, lon: float, point: int, x: float, y: float, z: float) -> int:
    if used >= len(sc.cand_point):
        return -1
    sc.cand_lat_deg[used] = lat
    sc.cand_lon_deg[used] = lon
    sc.cand_point[used] = point
    sc.cand_xyz[used, 0] = x
    sc.cand_xyz[used, 1] = y
    sc.cand_xyz[used, 2] = z
    return used + 1


@kernel
def _add_place(sc: Scratch, used: int, lat: float, lon: float) -> int:
    """Add a candidate that is no point of the data (a lat/long or bearing/distance place)."""
    x, y, z = to_xyz(lat, lon)
    return _add_candidate(sc, used, lat, lon, -1, x, y, z)


@kernel
def _add_point(sc: Scratch, nav: NavTables, used: int, point: int) -> int:
    """Add point ``point`` of the data as a candidate."""
    return _add_candidate(sc, used, nav.lat_deg[point], nav.lon_deg[point], point,
                          nav.xyz[point, 0], nav.xyz[point, 1], nav.xyz[point, 2])


@kernel
def _distance_nm(a: np.ndarray, i: int, b: np.ndarray, j: int) -> float:
    """Distance between the unit vectors ``a[i]`` and ``b[j]`` [NM]; equal to
    :func:`~fpp.kernels.geometry.distance_nm` of the positions whose vectors they are."""
    return EARTH_RADIUS_NM * angle(a[i, 0], a[i, 1], a[i, 2], b[j, 0], b[j, 1], b[j, 2])


@kernel
def _point_slot(sc: Scratch, nav: NavTables, i: int, slot: int, used: int, connector: int) -> int:
    """Fill slot ``slot`` for element ``i``; return the new candidate count, or -1 to fall back."""
    kind = sc.element_kind[i]
    sc.slot_element[slot] = i
    sc.slot_connector[slot] = connector
    sc.slot_cand_start[slot] = used
    name_id = sc.element_name_id[i]
    if kind == ELEMENT_LATLON:
        sc.slot_kind[slot] = SLOT_GEO
        sc.slot_name_id[slot] = find(nav.names, sc.route, sc.element_start[i], sc.element_end[i])
        used = _add_place(sc, used, sc.element_lat_deg[i], sc.element_lon_deg[i])
    elif kind == ELEMENT_BEARING_DISTANCE:
        sc.slot_kind[slot] = SLOT_REF
        bearing = float(sc.element_bearing_deg[i])
        distance = float(sc.element_distance_nm[i])
        if sc.element_name_start[i] < 0:
            sc.slot_name_id[slot] = find(nav.names, sc.route, sc.element_start[i], sc.element_end[i])
            lat, lon = destination(sc.element_lat_deg[i], sc.element_lon_deg[i], bearing, distance)
            used = _add_place(sc, used, lat, lon)
        else:
            sc.slot_name_id[slot] = name_id
            if name_id < 0 or nav.candidate_offsets[name_id + 1] == nav.candidate_offsets[name_id]:
                return -1
            for c in range(nav.candidate_offsets[name_id], nav.candidate_offsets[name_id + 1]):
                point = nav.candidate_points[c]
                lat, lon = destination(nav.lat_deg[point], nav.lon_deg[point], bearing, distance)
                used = _add_place(sc, used, lat, lon)
                if used < 0:
                    return -1
    else:
        sc.slot_kind[slot] = SLOT_POINT
        sc.slot_name_id[slot] = name_id
        if name_id < 0 or nav.candidate_offsets[name_id + 1] == nav.candidate_offsets[name_id]:
            return -1
        for c in range(nav.candidate_offsets[name_id], nav.candidate_offsets[name_id + 1]):
            point = nav.candidate_points[c]
            used = _add_point(sc, nav, used, point)
            if used < 0:
                return -1
    sc.slot_cand_end[slot] = used
    return used


@kernel
def _anchor(nav: NavTables, buffer: np.ndarray, start: int, end: int) -> int:
    """Point index of the aerodrome named by ``buffer[start:end]``, or -1 (also for ZZZZ and AFIL)."""
    if start < 0:
        return -1
    if end - start == 4:
        b0, b1, b2, b3 = buffer[start], buffer[start + 1], buffer[start + 2], buffer[start + 3]
        if b0 == 90 and b1 == 90 and b2 == 90 and b3 == 90:
            return -1
        if b0 == 65 and b1 == 70 and b2 == 73 and b3 == 76:
            return -1
    name_id = find(nav.names, buffer, start, end)
    return nav.airport_point[name_id] if name_id >= 0 else -1


@kernel
def resolve_elements(sc: Scratch, nav: NavTables, adep_point: int, ades_point: int) -> int:
    """Resolve the Item 15 elements into ``sc.filed_*``; return 0 or :data:`FALLBACK`.

    ``adep_point`` and ``ades_point`` are the aerodromes' point indices, or -1 when unknown.
    """
    n_elements = sc.counts[COUNT_ELEMENTS]
    last = n_elements - 1
    slots = 0
    used = 0
    pending = _NONE
    pending_id = -1
    for i in range(n_elements):
        kind = sc.element_kind[i]
        if kind == ELEMENT_TRUNCATION:
            break
        if kind == ELEMENT_DCT:
            pending = _DCT
            continue
        if kind == ELEMENT_RULE:
            continue
        connector = pending_id if pending == _AIRWAY else -1
        # The reference rejects a route whose first point is reached through an airway (ROUTE139).
        bad_start = slots == 0 and (pending == _AIRWAY or pending == _NAT or pending == _STAR)
        if kind != ELEMENT_DESIGNATOR:
            if bad_start:
                return FALLBACK
            used = _point_slot(sc, nav, i, slots, used, connector)
            if used < 0:
                return FALLBACK
            slots += 1
            pending = _NONE
            continue
        name_id = sc.element_name_id[i]
        known_point = name_id >= 0 and nav.candidate_offsets[name_id + 1] > nav.candidate_offsets[name_id]
        known_airway = name_id >= 0 and nav.airway_offsets[name_id + 1] > nav.airway_offsets[name_id]
        after_point = slots > 0 and pending == _NONE
        nat = _is_nat(sc.route, sc.element_name_start[i], sc.element_name_end[i])
        if sc.element_change[i, 0] != 0:
            if bad_start:
                return FALLBACK
            used = _point_slot(sc, nav, i, slots, used, connector)
            if used < 0:
                return FALLBACK
            slots += 1
            pending = _NONE
        elif known_airway and (not known_point or (after_point and _airway_has_name(nav, name_id, sc.slot_name_id[slots - 1]))):
            if pending == _SID or pending == _STAR:
                return FALLBACK  # no airway to join: the reference code raises ROUTE171
            if pending == _AIRWAY:
                # Two ATS routes with no point between them join at their one common point.
                junction = _junction(nav, pending_id, name_id)
                if junction < 0:
                    return FALLBACK
                sc.slot_element[slots] = -1
                sc.slot_kind[slots] = SLOT_POINT
                sc.slot_connector[slots] = pending_id
                sc.slot_name_id[slots] = nav.point_name_id[junction]
                sc.slot_cand_start[slots] = used
                used = _add_point(sc, nav, used, junction)
                if used < 0:
                    return FALLBACK
                sc.slot_cand_end[slots] = used
                slots += 1
            pending = _NAT if nat else _AIRWAY
            pending_id = name_id
        elif known_point:
            if bad_start:
                return FALLBACK
            used = _point_slot(sc, nav, i, slots, used, connector)
            if used < 0:
                return FALLBACK
            slots += 1
            pending = _NONE
        elif nat:
            pending = _NAT
        elif sc.element_procedure[i] and i == 0:
            pending = _SID
        elif sc.element_procedure[i] and i == last:
            pending = _STAR
        else:
            return FALLBACK  # unknown designator
    if pending == _SID or pending == _AIRWAY:
        return FALLBACK  # a route left without a point

    if slots > 0:
        status, _ = choose_candidates(sc, nav, slots, adep_point, ades_point)
        if status != 0:
            return FALLBACK
    filed = 0
    for s in range(slots):
        if sc.slot_element[s] < 0:
            continue  # a junction of two airways is no point of Item 15
        c = sc.slot_cand_start[s] + sc.slot_choice[s]
        sc.filed_element[filed] = sc.slot_element[s]
        sc.filed_text[filed, 0] = sc.element_start[sc.slot_element[s]]
        sc.filed_text[filed, 1] = sc.element_end[sc.slot_element[s]]
        sc.filed_kind[filed] = sc.slot_kind[s]
        sc.filed_name_id[filed] = sc.slot_name_id[s]
        sc.filed_point[filed] = sc.cand_point[c]
        sc.filed_lat_deg[filed] = sc.cand_lat_deg[c]
        sc.filed_lon_deg[filed] = sc.cand_lon_deg[c]
        sc.filed_xyz[filed, 0] = sc.cand_xyz[c, 0]
        sc.filed_xyz[filed, 1] = sc.cand_xyz[c, 1]
        sc.filed_xyz[filed, 2] = sc.cand_xyz[c, 2]
        filed += 1
    sc.counts[COUNT_FILED] = filed
    sc.counts[COUNT_SLOTS] = slots
    # Kept for the expansion, which place_rtepts needs only for a designator with several places.
    for s in range(slots):
        sc.route_point[s] = sc.cand_point[sc.slot_cand_start[s] + sc.slot_choice[s]]
        sc.route_connector[s] = sc.slot_connector[s]
    sc.counts[COUNT_EXPANDED] = -1
    sc.counts[_ADEP] = adep_point
    sc.counts[_ADES] = ades_point
    return 0


@kernel
def _same_bytes(buffer: np.ndarray, a0: int, a1: int, b0: int, b1: int) -> bool:
    if a1 - a0 != b1 - b0:
        return False
    for k in range(a1 - a0):
        if buffer[a0 + k] != buffer[b0 + k]:
            return False
    return True


@kernel
def place_rtepts(sc: Scratch, nav: NavTables, buffer: np.ndarray, n_points: int, n_geo: int, n_refs: int) -> int:
    """Place the RTEPTS points into ``sc.point_lat_deg``/``point_lon_deg``.

    A point is placed by its ``-GEO`` field, else by its ``-REF`` field (a bearing and distance
    from each place of the reference designator), else as an aerodrome (first, last or ``-AD``
    points), else at the places of its designator. Of several places, those that resolving
    Item 15 took (``sc.expanded_point``) are kept, else those within SAME_PLACE_NM of them.
    Returns 0, the status of ``CONV204`` (a point not in the data) or ``CONV208`` (ambiguous
    point), or :data:`FALLBACK`.
    """
    used = 0
    all_single = True
    last = n_points - 1
    for k in range(n_points):
        sc.slot_cand_start[k] = used
        sc.slot_connector[k] = -1
        ident_start = sc.point_ident_start[k]
        ident_end = sc.point_ident_end[k]
        if ident_start < 0 or ident_end == ident_start:
            return _CONV204
        placed = False
        for g in range(n_geo - 1, -1, -1):
            if _same_bytes(buffer, ident_start, ident_end, sc.geo_id_start[g], sc.geo_id_end[g]):
                used = _add_place(sc, used, sc.geo_lat_deg[g], sc.geo_lon_deg[g])
                placed = True
                break
        sc.point_geo[k] = placed
        ref = -1
        for r in range(n_refs - 1, -1, -1):
            if _same_bytes(buffer, ident_start, ident_end, sc.ref_id_start[r], sc.ref_id_end[r]):
                ref = r
                break
        # The names that -GEO and -REF fields define; reconcile() matches lat/long points only to them.
        sc.point_label[k] = placed or ref >= 0
        if not placed and ref >= 0:
            base = find(nav.names, buffer, sc.ref_base_start[ref], sc.ref_base_end[ref])
            if base >= 0:
                for c in range(nav.candidate_offsets[base], nav.candidate_offsets[base + 1]):
                    point = nav.candidate_points[c]
                    lat, lon = destination(nav.lat_deg[point], nav.lon_deg[point], sc.ref_bearing_deg[ref], sc.ref_distance_nm[ref])
                    used = _add_place(sc, used, lat, lon)
                    if used < 0:
                        return FALLBACK
                    placed = True
        ident_id = find(nav.names, buffer, ident_start, ident_end)
        sc.point_ident_id[k] = ident_id
        if not placed and (k == 0 or k == last or sc.point_kind[k] == 1) and ident_id >= 0 and nav.airport_point[ident_id] >= 0:
            airport = nav.airport_point[ident_id]
            used = _add_point(sc, nav, used, airport)
            placed = True
        if not placed:
            if ident_id < 0 or nav.candidate_offsets[ident_id + 1] == nav.candidate_offsets[ident_id]:
                return _CONV204
            first = nav.candidate_offsets[ident_id]
            stop = nav.candidate_offsets[ident_id + 1]
            keep = 0  # 0 every place, 1 the places resolving Item 15 took, 2 those near them
            if stop - first > 1:
                keep = _resolved_filter(sc, nav, ident_id, first, stop)
                if keep < 0:
                    return FALLBACK
            for c in range(first, stop):
                point = nav.candidate_points[c]
                if keep == 1 and not _in_expansion(sc, point):
                    continue
                if keep == 2 and not _near_expansion(sc, nav, ident_id, point):
                    continue
                used = _add_point(sc, nav, used, point)
                if used < 0:
                    return FALLBACK
        if used < 0:
            return FALLBACK
        sc.slot_cand_end[k] = used
        if used - sc.slot_cand_start[k] > 1:
            all_single = False
    if all_single:
        for k in range(n_points):
            sc.slot_choice[k] = 0
    else:
        status, _ = choose_candidates(sc, nav, n_points, -1, -1)
        if status == 2:
            return _CONV208
        if status != 0:
            return FALLBACK
    for k in range(n_points):
        c = sc.slot_cand_start[k] + sc.slot_choice[k]
        sc.point_lat_deg[k] = sc.cand_lat_deg[c]
        sc.point_lon_deg[k] = sc.cand_lon_deg[c]
        sc.point_xyz[k, 0] = sc.cand_xyz[c, 0]
        sc.point_xyz[k, 1] = sc.cand_xyz[c, 1]
        sc.point_xyz[k, 2] = sc.cand_xyz[c, 2]
    return 0


@kernel
def _in_expansion(sc: Scratch, point: int) -> bool:
    for k in range(sc.counts[COUNT_EXPANDED]):
        if sc.expanded_point[k] == point:
            return True
    return False


@kernel
def _near_expansion(sc: Scratch, nav: NavTables, name_id: int, point: int) -> bool:
    """Test whether a point lies within SAME_PLACE_NM of an expanded point of the same designator."""
    for k in range(sc.counts[COUNT_EXPANDED]):
        q = sc.expanded_point[k]
        if nav.point_name_id[q] == name_id and _distance_nm(nav.xyz, point, nav.xyz, q) <= SAME_PLACE_NM:
            return True
    return False


@kernel
def _resolved_filter(sc: Scratch, nav: NavTables, name_id: int, first: int, stop: int) -> int:
    """Decide which places of a designator to keep, as ``HardenedConverter._place_rtepts`` does.

    0 keeps every place (the expansion has no point of that designator), 1 the places that are
    expanded points, 2 the places near an expanded point of the designator, when no place is
    itself expanded and some is near. -1 means the expansion did not fit its array, or that it
    visits two places of the designator, which the Python converter settles.
    """
    if sc.counts[COUNT_EXPANDED] < 0:
        expanded = _expand_points(sc, nav)
        if expanded < 0:
            return -1
        sc.counts[COUNT_EXPANDED] = expanded
    named = False
    for k in range(sc.counts[COUNT_EXPANDED]):
        if nav.point_name_id[sc.expanded_point[k]] == name_id:
            named = True
            break
    if not named:
        return 0
    taken = 0
    for c in range(first, stop):
        if _in_expansion(sc, nav.candidate_points[c]):
            taken += 1
    if taken > 1:
        # The expansion visits two places of this designator: the hardened converter pairs each
        # RTEPTS point with its counterpart in sequence, which this kernel leaves to Python.
        return -1
    if taken == 1:
        return 1
    for c in range(first, stop):
        if _near_expansion(sc, nav, name_id, nav.candidate_points[c]):
            return 2
    return 0


@kernel
def _expand_points(sc: Scratch, nav: NavTables) -> int:
    """Write the data points of the expanded route into ``sc.expanded_point``; return how many.

    The points come in the order of resolve_route: the departure, each slot with the airway
    points before it, the destination. Lat/long and bearing/distance points have no data point
    and are left out. Returns -1 when the array is full.
    """
    adep_point = sc.counts[_ADEP]
    ades_point = sc.counts[_ADES]
    slots = sc.counts[COUNT_SLOTS]
    count = 0
    capacity = len(sc.expanded_point)
    if adep_point >= 0:
        sc.expanded_point[count] = adep_point
        count += 1
    previous = -2
    for s in range(slots):
        point = sc.route_point[s]
        connector = sc.route_connector[s]
        if previous != -2 and connector >= 0 and previous >= 0 and point >= 0 and previous != point:
            best_piece, best_i, best_j, _ = airway_leg(nav, connector, previous, point)
            if best_piece >= 0:
                step = 1 if best_j > best_i else -1
                for k in range(best_i + step, best_j, step):
                    if count >= capacity:
                        return -1
                    sc.expanded_point[count] = nav.piece_points[k]
                    count += 1
        if point >= 0:
            if count >= capacity:
                return -1
            sc.expanded_point[count] = point
            count += 1
        previous = point
    if ades_point >= 0:
        if count >= capacity:
            return -1
        sc.expanded_point[count] = ades_point
        count += 1
    return count


@kernel
def check_geography(sc: Scratch, n_points: int, max_ground_speed_kt: float, tolerance_nm: float) -> int:
    """Return the status of ``CONV205`` for a leg longer than ``MAX_LEG_NM`` or for two timed
    points, across untimed ones, too far apart for the time between them; else 0."""
    last_timed = -1
    since_nm = 0.0
    for k in range(n_points):
        if k > 0:
            leg_nm = _distance_nm(sc.point_xyz, k - 1, sc.point_xyz, k)
            if leg_nm > MAX_LEG_NM:
                return _CONV205
            since_nm += leg_nm
        if not sc.point_has_eto[k]:
            continue
        if last_timed >= 0:
            hours = float(sc.point_eto_s[k] - sc.point_eto_s[last_timed]) / 3600.0
            if hours < 0 or (hours == 0 and since_nm > tolerance_nm) or (hours > 0 and since_nm / hours > max_ground_speed_kt):
                return _CONV205
        last_timed = k
        since_nm = 0.0
    return 0


def reconcile_python(
    filed: Sequence[tuple[float, float, bool, str]],
    points: Sequence[tuple[float, float, str, bool]],
    tolerance_nm: float,
    any_labels: bool = False,
) -> tuple[int, list[int]]:
    """Align Item 15 points with RTEPTS on plain lists: the twin of :func:`fpp.kernels.portion.reconcile`.

    Parameters
    ----------
    filed
        Item 15 points as ``(lat_deg, lon_deg, matched_by_place_alone, designator)``. A point
        matched by place (lat/long, bearing/distance) matches within ``tolerance_nm``; a named
        one needs the same designator within the larger of ``tolerance_nm`` and
        :data:`~fpp.route.resolve.SAME_PLACE_NM`.
    points
        RTEPTS points as ``(lat_deg, lon_deg, designator, named_by_geo_or_ref)``.
    tolerance_nm
        Largest distance of a match [NM].
    any_labels
        Whether the message has ``-GEO`` or ``-REF`` fields; a point matched by place then
        matches only RTEPTS points that such a field names.

    Returns
    -------
    status, alignment
        Status 0, 1 or 2 as :func:`fpp.kernels.portion.reconcile` returns it, and the earliest
        alignment found.
    """
    from fpp.geo import distance_nm as geo_distance_nm

    def matches(i: int, r: int) -> bool:
        lat, lon, by_place, name = filed[i]
        gap_nm = geo_distance_nm(lat, lon, points[r][0], points[r][1])
        if by_place:
            return gap_nm <= tolerance_nm and (not any_labels or points[r][3])
        return name != "" and name == points[r][2] and gap_nm <= max(tolerance_nm, SAME_PLACE_NM)

    earliest: list[int] = []
    r = 0
    for i in range(len(filed)):
        while r < len(points) and not matches(i, r):
            r += 1
        if r == len(points):
            return 1, earliest
        earliest.append(r)
        r += 1
    latest: list[int] = []
    r = len(points) - 1
    for i in range(len(filed) - 1, -1, -1):
        while r >= 0 and not matches(i, r):
            r -= 1
        latest.append(r)
        r -= 1
    latest.reverse()
    return (0 if earliest == latest else 2), earliest
