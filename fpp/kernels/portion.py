"""The conversion kernel proper: reconcile, clip and extract portions of resolved plans.

Once a message is scanned, its Item 15 resolved and its RTEPTS placed, what remains of the
hardened conversion is geometry over flat arrays. :func:`convert_plan` does it for one plan:

1. align the Item 15 points with RTEPTS (:func:`reconcile`: by designator and position, the
   earliest and the latest greedy alignment must agree);
2. move each aligned Item 15 point's RTEPTS point to the place that resolving Item 15 gave it;
3. clip the route against the airspace (:func:`~fpp.kernels.clip.clip_route`) and check that
   the stretches run forward;
4. take the span of the Item 15 text that each portion covers (:func:`portion_text`).

:func:`convert_resolved` runs it over a :class:`ResolvedBatch`, the flat form of many resolved
plans that :func:`extract_resolved` writes; :func:`convert_resolved_python` is its twin, built
on :func:`fpp.convert.airspace.inside_stretches` and :func:`~fpp.kernels.route.reconcile_python`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from fpp.convert.airspace import AirspaceVolume, inside_stretches
from fpp.geo import EARTH_RADIUS_NM
from fpp.kernels._jit import kernel
from fpp.kernels.adexp import COUNT_GEO, COUNT_POINTS, COUNT_REFS, COUNT_ROUTE, KeywordTables, scan_adexp
from fpp.kernels.clip import clip_route
from fpp.kernels.geometry import VolumeTables, angle
from fpp.kernels.item15 import COUNT_ELEMENTS, ELEMENT_TRUNCATION, tokenize_item15
from fpp.kernels.route import (
    COUNT_FILED,
    SLOT_POINT,
    _anchor,
    check_geography,
    place_rtepts,
    reconcile_python,
    resolve_elements,
)
from fpp.kernels.scratch import FALLBACK, Scratch
from fpp.kernels.tables import NavTables
from fpp.route.resolve import SAME_PLACE_NM

__all__ = [
    "ResolvedBatch",
    "convert_plan",
    "convert_resolved",
    "convert_resolved_python",
    "extract_resolved",
    "make_resolved_batch",
    "portion_text",
    "reconcile",
]

_CONV200, _CONV201, _CONV202, _CONV203 = 1, 2, 3, 4


class ResolvedBatch(NamedTuple):
    """Plans ready for the conversion kernel, in CSR form.

    Attributes
    ----------
    status
        Per plan: 0 when it reached the conversion kernel, else the status the earlier steps gave.
    point_offsets
        CSR offsets of each plan's RTEPTS points.
    point_lat_deg, point_lon_deg, point_xyz, point_ident, point_label
        Place, unit vector, designator id of each RTEPTS point, and whether a ``-GEO`` or ``-REF``
        field defines its name.
    any_labels
        Per plan: whether its message has ``-GEO`` or ``-REF`` fields.
    filed_offsets
        CSR offsets of each plan's Item 15 points.
    filed_lat_deg, filed_lon_deg, filed_xyz, filed_kind, filed_name
        Place, unit vector, slot kind and designator id of each Item 15 point.
    filed_text
        Span of each Item 15 point's element in the route text, shape (filed, 2).
    text_span
        Per plan: start of the first element and end of the last element that is not ``T``.
    counts
        Rows used: plans, points, Item 15 points.
    """

    status: np.ndarray
    point_offsets: np.ndarray
    point_lat_deg: np.ndarray
    point_lon_deg: np.ndarray
    point_xyz: np.ndarray
    point_ident: np.ndarray
    point_label: np.ndarray
    any_labels: np.ndarray
    filed_offsets: np.ndarray
    filed_lat_deg: np.ndarray
    filed_lon_deg: np.ndarray
    filed_xyz: np.ndarray
    filed_kind: np.ndarray
    filed_name: np.ndarray
    filed_text: np.ndarray
    text_span: np.ndarray
    counts: np.ndarray


def make_resolved_batch(plans: int, points: int, filed: int) -> ResolvedBatch:
    """Allocate a :class:`ResolvedBatch` with room for the given numbers of rows."""
    return ResolvedBatch(
        status=np.zeros(plans, np.int8),
        point_offsets=np.zeros(plans + 1, np.int64),
        point_lat_deg=np.zeros(points),
        point_lon_deg=np.zeros(points),
        point_xyz=np.zeros((points, 3)),
        point_ident=np.zeros(points, np.int64),
        point_label=np.zeros(points, np.bool_),
        any_labels=np.zeros(plans, np.bool_),
        filed_offsets=np.zeros(plans + 1, np.int64),
        filed_lat_deg=np.zeros(filed),
        filed_lon_deg=np.zeros(filed),
        filed_xyz=np.zeros((filed, 3)),
        filed_kind=np.zeros(filed, np.int64),
        filed_name=np.zeros(filed, np.int64),
        filed_text=np.zeros((filed, 2), np.int64),
        text_span=np.zeros((plans, 2), np.int64),
        counts=np.zeros(3, np.int64),
    )


@kernel
def _distance_nm(a: np.ndarray, i: int, b: np.ndarray, j: int) -> float:
    return EARTH_RADIUS_NM * angle(a[i, 0], a[i, 1], a[i, 2], b[j, 0], b[j, 1], b[j, 2])


@kernel
def _matches(filed_xyz: np.ndarray, filed_kind: np.ndarray, filed_name: np.ndarray, i: int, point_xyz: np.ndarray,
             point_ident: np.ndarray, point_label: np.ndarray, any_labels: bool, r: int, tolerance_nm: float) -> bool:
    if filed_kind[i] != SLOT_POINT:
        # A lat/long or bearing/distance point matches only the names that -GEO and -REF fields
        # define, when the message defines any.
        if any_labels and not point_label[r]:
            return False
        return _distance_nm(filed_xyz, i, point_xyz, r) <= tolerance_nm
    # The designators are compared first, which saves the distance for most pairs. Places of one
    # designator closer than SAME_PLACE_NM are one place for the conversion.
    if filed_name[i] < 0 or filed_name[i] != point_ident[r]:
        return False
    return _distance_nm(filed_xyz, i, point_xyz, r) <= max(tolerance_nm, SAME_PLACE_NM)


@kernel
def reconcile(filed_xyz: np.ndarray, filed_kind: np.ndarray, filed_name: np.ndarray, n_filed: int,
              point_xyz: np.ndarray, point_ident: np.ndarray, point_label: np.ndarray, any_labels: bool, n_points: int,
              tolerance_nm: float, alignment: np.ndarray, latest: np.ndarray) -> int:
    """Align the Item 15 points with RTEPTS into ``alignment``, as ``HardenedConverter._reconcile``.

    Returns 0, 1 when an Item 15 point has no match in order (``CONV201``) or 2 when the
    earliest and the latest alignments differ (``CONV202``).
    """
    r = 0
    for i in range(n_filed):
        while r < n_points and not _matches(filed_xyz, filed_kind, filed_name, i, point_xyz, point_ident, point_label,
                                            any_labels, r, tolerance_nm):
            r += 1
        if r == n_points:
            return 1
        alignment[i] = r
        r += 1
    r = n_points - 1
    for i in range(n_filed - 1, -1, -1):
        while r >= 0 and not _matches(filed_xyz, filed_kind, filed_name, i, point_xyz, point_ident, point_label,
                                      any_labels, r, tolerance_nm):
            r -= 1
        latest[i] = r
        r -= 1
    for i in range(n_filed):
        if alignment[i] != latest[i]:
            return 2
    return 0


@kernel
def portion_text(alignment: np.ndarray, filed_text: np.ndarray, n_filed: int, first_start: int, last_end: int,
                 entry: float, exit_: float) -> tuple[int, int]:
    """Span of the Item 15 text from the last Item 15 point at or before the entry to the first at
    or after the exit, as ``HardenedConverter._portion_text``.

    ``first_start`` is the start of the first element (0 without elements), ``last_end`` the
    end of the last element that is not ``T`` (the text length without one).
    """
    before = -1
    after = -1
    for k in range(n_filed):
        r = alignment[k]
        if r <= entry:
            before = k
        if r >= exit_ and after < 0:
            after = k
    start = filed_text[before, 0] if before >= 0 else first_start
    end = filed_text[after, 1] if after >= 0 else last_end
    return start, end


@kernel
def convert_plan(filed_lat: np.ndarray, filed_lon: np.ndarray, filed_xyz: np.ndarray, filed_kind: np.ndarray,
                 filed_name: np.ndarray, n_filed: int, point_lat: np.ndarray, point_lon: np.ndarray,
                 point_xyz: np.ndarray, point_ident: np.ndarray, point_label: np.ndarray, any_labels: bool,
                 n_points: int, tolerance_nm: float, vol: VolumeTables, alignment: np.ndarray, latest: np.ndarray,
                 fractions: np.ndarray, stretches: np.ndarray) -> tuple[int, int]:
    """Reconcile, place, clip and check one plan; return ``(status, number of stretches)``.

    The RTEPTS arrays are changed in place (step 2 of the module docstring). Status is 0, a
    ``CONV`` status (200, 201, 202 or 203) or :data:`~fpp.kernels.scratch.FALLBACK`.
    """
    status = reconcile(filed_xyz, filed_kind, filed_name, n_filed, point_xyz, point_ident, point_label, any_labels,
                       n_points, tolerance_nm, alignment, latest)
    if status == 1:
        return _CONV201, 0
    if status == 2:
        return _CONV202, 0
    for i in range(n_filed):
        if filed_kind[i] == SLOT_POINT:
            r = alignment[i]
            point_lat[r] = filed_lat[i]
            point_lon[r] = filed_lon[i]
            for axis in range(3):
                point_xyz[r, axis] = filed_xyz[i, axis]
    found = clip_route(vol, point_lat, point_lon, point_xyz, n_points, fractions, stretches)
    if found < 0:
        return FALLBACK, 0
    if found == 0:
        return _CONV200, 0
    previous_exit = -1.0
    for s in range(found):
        if not (previous_exit <= stretches[s, 0] < stretches[s, 3]):
            return _CONV203, 0
        previous_exit = stretches[s, 3]
    return 0, found


@kernel
def text_span(sc: Scratch) -> tuple[int, int]:
    """Start of the first Item 15 element and end of the last one that is not ``T``."""
    n_elements = sc.counts[COUNT_ELEMENTS]
    first_start = sc.element_start[0] if n_elements > 0 else 0
    last_end = sc.counts[COUNT_ROUTE]
    for e in range(n_elements - 1, -1, -1):
        if sc.element_kind[e] != ELEMENT_TRUNCATION:
            last_end = sc.element_end[e]
            break
    return first_start, last_end


@kernel
def extract_resolved(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray, kw: KeywordTables, nav: NavTables,
                     max_points: int, max_ground_speed_kt: float, tolerance_nm: float, sc: Scratch,
                     out: ResolvedBatch) -> int:
    """Run the steps before the conversion kernel on every message and write the plans to ``out``.

    Returns the number of messages done, fewer than given when ``out`` is full.
    """
    plans, points, filed = out.counts[0], out.counts[1], out.counts[2]
    for i in range(len(starts)):
        out.point_offsets[plans] = points
        out.filed_offsets[plans] = filed
        status = FALLBACK
        if scan_adexp(buffer, starts[i], ends[i], kw, sc) == 0:
            n_points = sc.counts[COUNT_POINTS]
            if sc.counts[COUNT_ROUTE] == 0 or n_points == 0:
                status = 8
            elif n_points > max_points:
                status = 7
            elif tokenize_item15(sc.route, sc.counts[COUNT_ROUTE], nav.names, sc) == 0:
                adep = _anchor(nav, buffer, sc.header_start[6], sc.header_end[6])
                ades = _anchor(nav, buffer, sc.header_start[7], sc.header_end[7])
                if resolve_elements(sc, nav, adep, ades) == 0:
                    status = place_rtepts(sc, nav, buffer, n_points, sc.counts[COUNT_GEO], sc.counts[COUNT_REFS])
                    if status == 0:
                        status = check_geography(sc, n_points, max_ground_speed_kt, tolerance_nm)
        n_filed = sc.counts[COUNT_FILED] if status == 0 else 0
        n_points = sc.counts[COUNT_POINTS] if status == 0 else 0
        if plans >= len(out.status) or points + n_points > len(out.point_ident) or filed + n_filed > len(out.filed_kind):
            out.counts[0], out.counts[1], out.counts[2] = plans, points, filed
            return i
        out.status[plans] = status
        for k in range(n_points):
            out.point_lat_deg[points] = sc.point_lat_deg[k]
            out.point_lon_deg[points] = sc.point_lon_deg[k]
            for axis in range(3):
                out.point_xyz[points, axis] = sc.point_xyz[k, axis]
            out.point_ident[points] = sc.point_ident_id[k]
            out.point_label[points] = sc.point_label[k]
            points += 1
        for k in range(n_filed):
            out.filed_lat_deg[filed] = sc.filed_lat_deg[k]
            out.filed_lon_deg[filed] = sc.filed_lon_deg[k]
            for axis in range(3):
                out.filed_xyz[filed, axis] = sc.filed_xyz[k, axis]
            out.filed_kind[filed] = sc.filed_kind[k]
            out.filed_name[filed] = sc.filed_name_id[k]
            out.filed_text[filed, 0] = sc.filed_text[k, 0]
            out.filed_text[filed, 1] = sc.filed_text[k, 1]
            filed += 1
        if status == 0:
            out.text_span[plans, 0], out.text_span[plans, 1] = text_span(sc)
            out.any_labels[plans] = sc.counts[COUNT_GEO] + sc.counts[COUNT_REFS] > 0
        plans += 1
        out.point_offsets[plans] = points
        out.filed_offsets[plans] = filed
    out.counts[0], out.counts[1], out.counts[2] = plans, points, filed
    return len(starts)


@kernel
def convert_resolved(batch: ResolvedBatch, vol: VolumeTables, tolerance_nm: float, work_lat: np.ndarray,
                     work_lon: np.ndarray, work_xyz: np.ndarray, alignment: np.ndarray, latest: np.ndarray,
                     fractions: np.ndarray, stretches: np.ndarray, status: np.ndarray, portions: np.ndarray,
                     rows: np.ndarray) -> int:
    """Run :func:`convert_plan` on every plan of ``batch``; return the number of portions written.

    Writes each plan's status, its first row and number of portions (``portions``, shape
    (plans, 2)) and per portion a row of ``rows``: entry position, lat, lon, exit position,
    lat, lon, then the start and end of its Item 15 text. The batch is not changed: each plan's
    RTEPTS places are copied into the ``work_*`` arrays first. Returns -1 when a work array or
    ``rows`` is too small.
    """
    total = 0
    for p in range(batch.counts[0]):
        portions[p, 0] = total
        portions[p, 1] = 0
        if batch.status[p] != 0:
            status[p] = batch.status[p]
            continue
        p0, p1 = batch.point_offsets[p], batch.point_offsets[p + 1]
        f0, f1 = batch.filed_offsets[p], batch.filed_offsets[p + 1]
        n_points = p1 - p0
        if n_points > len(work_lat):
            return -1
        for k in range(n_points):
            work_lat[k] = batch.point_lat_deg[p0 + k]
            work_lon[k] = batch.point_lon_deg[p0 + k]
            for axis in range(3):
                work_xyz[k, axis] = batch.point_xyz[p0 + k, axis]
        code, found = convert_plan(batch.filed_lat_deg[f0:f1], batch.filed_lon_deg[f0:f1], batch.filed_xyz[f0:f1],
                                   batch.filed_kind[f0:f1], batch.filed_name[f0:f1], f1 - f0, work_lat, work_lon,
                                   work_xyz, batch.point_ident[p0:p1], batch.point_label[p0:p1], batch.any_labels[p],
                                   n_points, tolerance_nm, vol, alignment, latest, fractions, stretches)
        status[p] = code
        if code == 0:
            if total + found > len(rows):
                return -1
            portions[p, 1] = found
            for s in range(found):
                for f in range(6):
                    rows[total + s, f] = stretches[s, f]
                rows[total + s, 6], rows[total + s, 7] = portion_text(
                    alignment, batch.filed_text[f0:f1], f1 - f0, batch.text_span[p, 0], batch.text_span[p, 1],
                    stretches[s, 0], stretches[s, 3])
            total += found
    return total


def convert_resolved_python(batch: ResolvedBatch, volume: AirspaceVolume, tolerance_nm: float) -> list[tuple[int, list[tuple[float, ...]]]]:
    """Convert resolved plans with the Python code: the twin of :func:`convert_resolved`.

    Returns per plan its status and its stretches.

    Uses :func:`~fpp.kernels.route.reconcile_python` and
    :func:`fpp.convert.airspace.inside_stretches` on plain lists.
    """
    result: list[tuple[int, list[tuple[float, ...]]]] = []
    for p in range(int(batch.counts[0])):
        if batch.status[p] != 0:
            result.append((int(batch.status[p]), []))
            continue
        p0, p1 = int(batch.point_offsets[p]), int(batch.point_offsets[p + 1])
        f0, f1 = int(batch.filed_offsets[p]), int(batch.filed_offsets[p + 1])
        names = {int(v) for v in batch.point_ident[p0:p1]} | {int(v) for v in batch.filed_name[f0:f1]}
        label = {v: f"#{v}" if v >= 0 else "" for v in names}
        points = [(float(batch.point_lat_deg[k]), float(batch.point_lon_deg[k]), label[int(batch.point_ident[k])],
                   bool(batch.point_label[k])) for k in range(p0, p1)]
        filed = [(float(batch.filed_lat_deg[k]), float(batch.filed_lon_deg[k]), int(batch.filed_kind[k]) != SLOT_POINT,
                  label[int(batch.filed_name[k])]) for k in range(f0, f1)]
        code, alignment = reconcile_python(filed, points, tolerance_nm, bool(batch.any_labels[p]))
        if code != 0:
            result.append((code + 1, []))
            continue
        lat = [q[0] for q in points]
        lon = [q[1] for q in points]
        for (f_lat, f_lon, by_place, _), r in zip(filed, alignment):
            if not by_place:
                lat[r], lon[r] = f_lat, f_lon
        stretches = inside_stretches(volume, lat, lon)
        rows = [(s.entry.position, s.entry.lat_deg, s.entry.lon_deg, s.exit.position, s.exit.lat_deg, s.exit.lon_deg)
                for s in stretches]
        if not rows:
            result.append((_CONV200, []))
            continue
        previous_exit = -1.0
        code = 0
        for row in rows:
            if not (previous_exit <= row[0] < row[3]):
                code = _CONV203
                break
            previous_exit = row[3]
        result.append((code, rows if code == 0 else []))
    return result

