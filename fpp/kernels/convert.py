"""The fused conversion kernel: a batch of ADEXP messages to outcomes and portions.

:func:`convert_messages` runs, message by message, the steps of
:meth:`fpp.convert.hardened.HardenedConverter.convert` in its order: scan the message, check
ROUTE and RTEPTS, tokenize and resolve Item 15, place RTEPTS, check the geography, reconcile,
place the Item 15 points where resolving gave them, clip, and extract the portions. It writes one status per message and, for each converted
message, the portions in the :class:`ConvertOutput` arrays. A message whose status is
:data:`~fpp.kernels.scratch.FALLBACK` is left to the reference converter.

Per portion the kernel keeps the entry and exit crossings, the span of the Item 15 text that
the portion covers, and the RTEPTS points from the point before the entry to the point after the
exit (designator, level, time, position). That is everything
:class:`fpp.convert.batch.BatchResult` needs to build the NAS record, and it takes about
100 bytes per message on average traffic.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from fpp.kernels._jit import kernel
from fpp.kernels.adexp import COUNT_GEO, COUNT_POINTS, COUNT_REFS, COUNT_ROUTE, KeywordTables, scan_adexp
from fpp.kernels.clip import clip_route
from fpp.kernels.geometry import VolumeTables
from fpp.kernels.item15 import tokenize_item15
from fpp.kernels.portion import convert_plan, portion_text, reconcile, text_span
from fpp.kernels.route import COUNT_FILED, _anchor, check_geography, place_rtepts, resolve_elements
from fpp.kernels.scratch import CONVERTED, FALLBACK, Scratch
from fpp.kernels.tables import NavTables

__all__ = ["ConvertOutput", "Limits", "convert_messages", "make_output"]

_CONV206, _CONV207 = 7, 8


class Limits(NamedTuple):
    """The bounds of :class:`fpp.convert.hardened.HardenedLimits` as plain numbers."""

    max_points: int
    max_ground_speed_kt: float
    match_tolerance_nm: float


class ConvertOutput(NamedTuple):
    """Outcomes of a batch and the portions of its converted messages.

    Attributes
    ----------
    status
        Per message: 0 converted, a status number of
        :data:`~fpp.kernels.scratch.STATUS_CODES`, or :data:`~fpp.kernels.scratch.FALLBACK`.
    record_message
        Message index of each converted message, in order.
    record_portions
        CSR offsets of each converted message's portions (length records + 1).
    record_header
        Spans of the :data:`~fpp.kernels.scratch.HEADER_FIELDS` values, relative to the
        message start, shape (records, 9, 2); -1 when absent.
    portion_crossing
        Entry position, lat, lon, then exit position, lat, lon, shape (portions, 6).
    portion_text
        Span of the portion in the collapsed ROUTE text, shape (portions, 2).
    portion_points
        First RTEPTS index stored, first and end row in the point arrays, shape (portions, 3).
    point_position
        Latitude and longitude of the stored RTEPTS points [deg], shape (points, 2).
    point_span
        Designator and level spans relative to the message start, shape (points, 4); -1 absent.
    point_eto_s
        ETO in seconds since 1970 UTC, or :data:`NO_ETO` when the point has none.
    point_geo
        1 for a point placed by a ``-GEO`` field, which the record names by its position.
    counts
        Rows used: records, portions, points.
    """

    status: np.ndarray
    record_message: np.ndarray
    record_portions: np.ndarray
    record_header: np.ndarray
    portion_crossing: np.ndarray
    portion_text: np.ndarray
    portion_points: np.ndarray
    point_position: np.ndarray
    point_span: np.ndarray
    point_eto_s: np.ndarray
    point_geo: np.ndarray
    counts: np.ndarray


#: ETO value of a point without an ETO.
NO_ETO = np.iinfo(np.int64).min


def make_output(messages: int, records: int, portions: int, points: int) -> ConvertOutput:
    """Allocate output arrays with room for the given numbers of rows."""
    return ConvertOutput(
        status=np.zeros(messages, np.int8),
        record_message=np.zeros(records, np.int64),
        record_portions=np.zeros(records + 1, np.int64),
        record_header=np.zeros((records, 9, 2), np.int32),
        portion_crossing=np.zeros((portions, 6), np.float64),
        portion_text=np.zeros((portions, 2), np.int32),
        portion_points=np.zeros((portions, 3), np.int32),
        point_position=np.zeros((points, 2), np.float64),
        point_span=np.zeros((points, 4), np.int32),
        point_eto_s=np.zeros(points, np.int64),
        point_geo=np.zeros(points, np.int8),
        counts=np.zeros(3, np.int64),
    )


@kernel
def _convert_one(buffer: np.ndarray, start: int, end: int, kw: KeywordTables, nav: NavTables, vol: VolumeTables,
                 limits: Limits, sc: Scratch, stretches: np.ndarray) -> tuple[int, int]:
    """Convert one message up to its stretches; return ``(status, number of stretches)``."""
    if scan_adexp(buffer, start, end, kw, sc) != 0:
        return FALLBACK, 0
    n_points = sc.counts[COUNT_POINTS]
    if sc.counts[COUNT_ROUTE] == 0 or n_points == 0:
        return _CONV207, 0
    if n_points > limits.max_points:
        return _CONV206, 0
    if tokenize_item15(sc.route, sc.counts[COUNT_ROUTE], nav.names, sc) != 0:
        return FALLBACK, 0
    adep = _anchor(nav, buffer, sc.header_start[6], sc.header_end[6])
    ades = _anchor(nav, buffer, sc.header_start[7], sc.header_end[7])
    if resolve_elements(sc, nav, adep, ades) != 0:
        return FALLBACK, 0
    status = place_rtepts(sc, nav, buffer, n_points, sc.counts[COUNT_GEO], sc.counts[COUNT_REFS])
    if status != 0:
        return status, 0
    status = check_geography(sc, n_points, limits.max_ground_speed_kt, limits.match_tolerance_nm)
    if status != 0:
        return status, 0
    status, found = convert_plan(sc.filed_lat_deg, sc.filed_lon_deg, sc.filed_xyz, sc.filed_kind, sc.filed_name_id,
                                 sc.counts[COUNT_FILED], sc.point_lat_deg, sc.point_lon_deg, sc.point_xyz,
                                 sc.point_ident_id, sc.point_label, sc.counts[COUNT_GEO] + sc.counts[COUNT_REFS] > 0,
                                 n_points, limits.match_tolerance_nm, vol, sc.alignment, sc.latest, sc.fractions, stretches)
    if status != 0:
        return status, 0
    return CONVERTED, found


@kernel
def convert_messages(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray, first: int, kw: KeywordTables,
                     nav: NavTables, vol: VolumeTables, limits: Limits, sc: Scratch, stretches: np.ndarray,
                     out: ConvertOutput) -> int:
    """Convert messages ``first`` onwards; return the index of the first message not written.

    That index is ``len(starts)`` when the batch is done, or the message whose record did not
    fit in ``out``; the caller enlarges ``out`` and calls again from there.
    """
    records = out.counts[0]
    portions = out.counts[1]
    points = out.counts[2]
    for i in range(first, len(starts)):
        start = starts[i]
        status, found = _convert_one(buffer, start, ends[i], kw, nav, vol, limits, sc, stretches)
        if status != CONVERTED:
            out.status[i] = status
            continue

        # Room for the record: its portions and the points each portion spans.
        n_points = sc.counts[COUNT_POINTS]
        needed_points = 0
        for s in range(found):
            low = int(math.floor(stretches[s, 0]))
            high = min(int(math.ceil(stretches[s, 3])), n_points - 1)
            needed_points += high - low + 1
        if (records >= len(out.record_message) or portions + found > len(out.portion_text)
                or points + needed_points > len(out.point_eto_s)):
            out.counts[0], out.counts[1], out.counts[2] = records, portions, points
            return i

        out.status[i] = CONVERTED
        out.record_message[records] = i
        for h in range(9):
            if sc.header_start[h] < 0:
                out.record_header[records, h, 0] = -1
                out.record_header[records, h, 1] = -1
            else:
                out.record_header[records, h, 0] = sc.header_start[h] - start
                out.record_header[records, h, 1] = sc.header_end[h] - start
        n_filed = sc.counts[COUNT_FILED]
        first_start, last_end = text_span(sc)
        for s in range(found):
            for f in range(6):
                out.portion_crossing[portions, f] = stretches[s, f]
            text_start, text_end = portion_text(sc.alignment, sc.filed_text, n_filed, first_start, last_end,
                                                stretches[s, 0], stretches[s, 3])
            out.portion_text[portions, 0] = text_start
            out.portion_text[portions, 1] = text_end
            low = int(math.floor(stretches[s, 0]))
            high = min(int(math.ceil(stretches[s, 3])), n_points - 1)
            out.portion_points[portions, 0] = low
            out.portion_points[portions, 1] = points
            for k in range(low, high + 1):
                out.point_position[points, 0] = sc.point_lat_deg[k]
                out.point_position[points, 1] = sc.point_lon_deg[k]
                ident_start = sc.point_ident_start[k]
                fl_start = sc.point_fl_start[k]
                out.point_span[points, 0] = ident_start - start if ident_start >= 0 else -1
                out.point_span[points, 1] = sc.point_ident_end[k] - start if ident_start >= 0 else -1
                out.point_span[points, 2] = fl_start - start if fl_start >= 0 else -1
                out.point_span[points, 3] = sc.point_fl_end[k] - start if fl_start >= 0 else -1
                out.point_eto_s[points] = sc.point_eto_s[k] if sc.point_has_eto[k] else NO_ETO
                out.point_geo[points] = 1 if sc.point_geo[k] else 0
                points += 1
            out.portion_points[portions, 2] = points
            portions += 1
        records += 1
        out.record_portions[records] = portions
    out.counts[0], out.counts[1], out.counts[2] = records, portions, points
    return len(starts)


#: Stages of :func:`run_stages`, in pipeline order.
STAGES = ("scan", "tokenize", "resolve", "place", "geography", "reconcile", "clip")


@kernel
def run_stages(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray, kw: KeywordTables, nav: NavTables,
               vol: VolumeTables, limits: Limits, sc: Scratch, stretches: np.ndarray, last_stage: int) -> int:
    """Run the pipeline of :func:`convert_messages` up to stage ``last_stage`` (an index of
    :data:`STAGES`) for every message; return how many messages reached that stage.

    Timing runs with increasing ``last_stage`` shows where the conversion spends its time.
    """
    reached = 0
    for i in range(len(starts)):
        if scan_adexp(buffer, starts[i], ends[i], kw, sc) != 0:
            continue
        n_points = sc.counts[COUNT_POINTS]
        if last_stage == 0 or sc.counts[COUNT_ROUTE] == 0 or n_points == 0 or n_points > limits.max_points:
            reached += 1 if last_stage == 0 else 0
            continue
        if tokenize_item15(sc.route, sc.counts[COUNT_ROUTE], nav.names, sc) != 0:
            continue
        if last_stage == 1:
            reached += 1
            continue
        adep = _anchor(nav, buffer, sc.header_start[6], sc.header_end[6])
        ades = _anchor(nav, buffer, sc.header_start[7], sc.header_end[7])
        if resolve_elements(sc, nav, adep, ades) != 0:
            continue
        if last_stage == 2:
            reached += 1
            continue
        if place_rtepts(sc, nav, buffer, n_points, sc.counts[COUNT_GEO], sc.counts[COUNT_REFS]) != 0:
            continue
        if last_stage == 3:
            reached += 1
            continue
        if check_geography(sc, n_points, limits.max_ground_speed_kt, limits.match_tolerance_nm) != 0:
            continue
        if last_stage == 4:
            reached += 1
            continue
        if reconcile(sc.filed_xyz, sc.filed_kind, sc.filed_name_id, sc.counts[COUNT_FILED], sc.point_xyz, sc.point_ident_id,
                     sc.point_label, sc.counts[COUNT_GEO] + sc.counts[COUNT_REFS] > 0, n_points,
                     limits.match_tolerance_nm, sc.alignment, sc.latest) != 0:
            continue
        if last_stage == 5:
            reached += 1
            continue
        if clip_route(vol, sc.point_lat_deg, sc.point_lon_deg, sc.point_xyz, n_points, sc.fractions, stretches) >= 0:
            reached += 1
    return reached
