"""Working arrays of the conversion kernels, and the status codes they return.

One :class:`Scratch` serves every plan of a batch in turn: its arrays are sized for the longest
message and overwritten plan by plan, so the memory it takes does not grow with the batch.
A kernel that finds a plan larger than its arrays returns :data:`FALLBACK`, and the caller
converts that plan with the reference Python code.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "CONVERTED",
    "FALLBACK",
    "HEADER_FIELDS",
    "STATUS_CODES",
    "Scratch",
    "make_scratch",
    "status_of_code",
]

#: Status of a plan that the kernels converted.
CONVERTED = 0
#: Status of a plan the kernels leave to the reference Python code: a syntax or route error,
#: a form the kernels do not handle, or a plan larger than the working arrays.
FALLBACK = -1
#: Error codes the kernels return, by status number (1-based: status ``k`` is ``STATUS_CODES[k - 1]``).
STATUS_CODES = ("CONV200", "CONV201", "CONV202", "CONV203", "CONV204", "CONV205", "CONV206", "CONV207", "CONV208")

#: Top-level ADEXP fields whose values the NAS record carries, in this order.
HEADER_FIELDS = ("ARCID", "SSRCODE", "ARCTYP", "WKTRC", "FLTRUL", "FLTTYP", "ADEP", "ADES", "ROUTE")


def status_of_code(code: str) -> int:
    """Status number of an error code of :data:`STATUS_CODES`."""
    return STATUS_CODES.index(code) + 1


class Scratch(NamedTuple):
    """Per-plan working arrays; see :func:`make_scratch` for their sizes.

    Unit vectors (``*_xyz``) of RTEPTS points, candidates and Item 15 points are kept beside
    their positions, so that distances take one arc computation each. Field starts of the ADEXP
    message (``field_*``), header value spans (``header_*``, relative
    to the message start, -1 when absent), the collapsed ROUTE text (``route``), RTEPTS points
    (``point_*``), GEO points (``geo_*``), bearing/distance definitions of ``-REF`` fields
    (``ref_*``), the chosen point and the connector of each resolved slot
    (``route_point``, ``route_connector``) and the points of the expanded route
    (``expanded_point``), Item 15 elements (``element_*``), resolved slots and
    their candidates (``slot_*``, ``cand_*``), Viterbi arrays (``forward``, ``backward``,
    ``back``, ``cost``), the points Item 15 names once resolved (``filed_*``), the alignment of
    those with RTEPTS (``alignment``, ``latest``) and the clip's crossing fractions
    (``fractions``). ``counts`` holds the
    number of entries in use, indexed by the ``COUNT_*`` constants of :mod:`fpp.kernels.adexp`.
    """

    field_position: np.ndarray
    field_keyword_end: np.ndarray
    field_keyword: np.ndarray
    header_start: np.ndarray
    header_end: np.ndarray
    route: np.ndarray
    point_kind: np.ndarray
    point_ident_start: np.ndarray
    point_ident_end: np.ndarray
    point_ident_id: np.ndarray
    point_fl_start: np.ndarray
    point_fl_end: np.ndarray
    point_eto_s: np.ndarray
    point_has_eto: np.ndarray
    point_lat_deg: np.ndarray
    point_lon_deg: np.ndarray
    point_xyz: np.ndarray
    point_geo: np.ndarray
    geo_id_start: np.ndarray
    geo_id_end: np.ndarray
    geo_lat_deg: np.ndarray
    geo_lon_deg: np.ndarray
    ref_id_start: np.ndarray
    ref_id_end: np.ndarray
    ref_base_start: np.ndarray
    ref_base_end: np.ndarray
    ref_bearing_deg: np.ndarray
    ref_distance_nm: np.ndarray
    point_label: np.ndarray
    expanded_point: np.ndarray
    route_point: np.ndarray
    route_connector: np.ndarray
    element_kind: np.ndarray
    element_start: np.ndarray
    element_end: np.ndarray
    element_name_start: np.ndarray
    element_name_end: np.ndarray
    element_name_id: np.ndarray
    element_lat_deg: np.ndarray
    element_lon_deg: np.ndarray
    element_bearing_deg: np.ndarray
    element_distance_nm: np.ndarray
    element_change: np.ndarray
    element_procedure: np.ndarray
    slot_element: np.ndarray
    slot_kind: np.ndarray
    slot_connector: np.ndarray
    slot_name_id: np.ndarray
    slot_cand_start: np.ndarray
    slot_cand_end: np.ndarray
    slot_choice: np.ndarray
    slot_speed_kt: np.ndarray
    slot_level: np.ndarray
    cand_lat_deg: np.ndarray
    cand_lon_deg: np.ndarray
    cand_point: np.ndarray
    cand_xyz: np.ndarray
    forward: np.ndarray
    backward: np.ndarray
    back: np.ndarray
    cost: np.ndarray
    cost_offset: np.ndarray
    filed_element: np.ndarray
    filed_kind: np.ndarray
    filed_name_id: np.ndarray
    filed_point: np.ndarray
    filed_lat_deg: np.ndarray
    filed_lon_deg: np.ndarray
    filed_xyz: np.ndarray
    filed_text: np.ndarray
    alignment: np.ndarray
    latest: np.ndarray
    fractions: np.ndarray
    counts: np.ndarray


def make_scratch(max_message_bytes: int, max_candidates: int = 1 << 14, max_costs: int = 1 << 16) -> Scratch:
    """Allocate working arrays for messages of up to ``max_message_bytes`` bytes.

    A field start takes at least 2 bytes, an RTEPTS point at least 10 (``-PT -PTID A``), an
    Item 15 element at least 2 (a letter and a space), so these bounds hold for any message.
    Candidates and Viterbi costs have fixed capacities; a plan that needs more falls back.
    """
    size = max(int(max_message_bytes), 16)
    fields = size // 2 + 2
    points = size // 10 + 2
    elements = size // 2 + 2
    return Scratch(
        field_position=np.zeros(fields, np.int64),
        field_keyword_end=np.zeros(fields, np.int64),
        field_keyword=np.zeros(fields, np.int64),
        header_start=np.zeros(9, np.int64),
        header_end=np.zeros(9, np.int64),
        route=np.zeros(size, np.uint8),
        point_kind=np.zeros(points, np.int64),
        point_ident_start=np.zeros(points, np.int64),
        point_ident_end=np.zeros(points, np.int64),
        point_ident_id=np.zeros(points, np.int64),
        point_fl_start=np.zeros(points, np.int64),
        point_fl_end=np.zeros(points, np.int64),
        point_eto_s=np.zeros(points, np.int64),
        point_has_eto=np.zeros(points, np.bool_),
        point_lat_deg=np.zeros(points, np.float64),
        point_lon_deg=np.zeros(points, np.float64),
        point_xyz=np.zeros((points, 3), np.float64),
        point_geo=np.zeros(points, np.bool_),
        geo_id_start=np.zeros(points, np.int64),
        geo_id_end=np.zeros(points, np.int64),
        geo_lat_deg=np.zeros(points, np.float64),
        geo_lon_deg=np.zeros(points, np.float64),
        ref_id_start=np.zeros(points, np.int64),
        ref_id_end=np.zeros(points, np.int64),
        ref_base_start=np.zeros(points, np.int64),
        ref_base_end=np.zeros(points, np.int64),
        ref_bearing_deg=np.zeros(points, np.float64),
        ref_distance_nm=np.zeros(points, np.float64),
        point_label=np.zeros(points, np.bool_),
        expanded_point=np.zeros(4 * max(elements, points) + 64, np.int64),
        route_point=np.zeros(max(elements, points), np.int64),
        route_connector=np.zeros(max(elements, points), np.int64),
        element_kind=np.zeros(elements, np.int64),
        element_start=np.zeros(elements, np.int64),
        element_end=np.zeros(elements, np.int64),
        element_name_start=np.zeros(elements, np.int64),
        element_name_end=np.zeros(elements, np.int64),
        element_name_id=np.zeros(elements, np.int64),
        element_lat_deg=np.zeros(elements, np.float64),
        element_lon_deg=np.zeros(elements, np.float64),
        element_bearing_deg=np.zeros(elements, np.int64),
        element_distance_nm=np.zeros(elements, np.int64),
        element_change=np.zeros((elements, 4), np.int64),
        element_procedure=np.zeros(elements, np.bool_),
        slot_element=np.zeros(max(elements, points), np.int64),
        slot_kind=np.zeros(max(elements, points), np.int64),
        slot_connector=np.zeros(max(elements, points), np.int64),
        slot_name_id=np.zeros(max(elements, points), np.int64),
        slot_cand_start=np.zeros(max(elements, points), np.int64),
        slot_cand_end=np.zeros(max(elements, points), np.int64),
        slot_choice=np.zeros(max(elements, points), np.int64),
        slot_speed_kt=np.zeros(max(elements, points), np.float64),
        slot_level=np.zeros((max(elements, points), 2), np.int64),
        cand_lat_deg=np.zeros(max_candidates, np.float64),
        cand_lon_deg=np.zeros(max_candidates, np.float64),
        cand_point=np.zeros(max_candidates, np.int64),
        cand_xyz=np.zeros((max_candidates, 3), np.float64),
        forward=np.zeros(max_candidates, np.float64),
        backward=np.zeros(max_candidates, np.float64),
        back=np.zeros(max_candidates, np.int64),
        cost=np.zeros(max_costs, np.float64),
        cost_offset=np.zeros(max(elements, points) + 1, np.int64),
        filed_element=np.zeros(max(elements, points), np.int64),
        filed_kind=np.zeros(max(elements, points), np.int64),
        filed_name_id=np.zeros(max(elements, points), np.int64),
        filed_point=np.zeros(max(elements, points), np.int64),
        filed_lat_deg=np.zeros(max(elements, points), np.float64),
        filed_lon_deg=np.zeros(max(elements, points), np.float64),
        filed_xyz=np.zeros((max(elements, points), 3), np.float64),
        filed_text=np.zeros((max(elements, points), 2), np.int64),
        alignment=np.zeros(max(elements, points), np.int64),
        latest=np.zeros(max(elements, points), np.int64),
        fractions=np.zeros(256, np.float64),
        counts=np.zeros(16, np.int64),
    )
