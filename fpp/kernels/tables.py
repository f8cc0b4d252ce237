"""The navigation data as flat arrays for the route kernels.

:func:`build_nav_tables` packs a :class:`~fpp.navdata.store.NavData` into a
:class:`NavTables`: a hash table of designators, the candidate points of each designator in the
order of :meth:`NavData.candidates`, the aerodrome of each ICAO indicator, and the pieces of each
airway with the cumulative along-airway distance of their points, computed as
:class:`fpp.route.resolve.AirwayIndex` computes it. The tables are built once per store and
cached on it.
"""

from __future__ import annotations

import weakref
from typing import NamedTuple

import numpy as np

from fpp.geo import distance_nm
from fpp.kernels._jit import kernel
from fpp.kernels.geometry import to_xyz
from fpp.kernels.strings import PackedTable, build_packed_table
from fpp.navdata.store import NavData

__all__ = ["NavTables", "airway_leg", "build_nav_tables"]


class NavTables(NamedTuple):
    """Designators, points, aerodromes and airways of a NavData store.

    Attributes
    ----------
    names
        Hash table of the designators; the index is the designator id of the store.
    lat_deg, lon_deg
        Position of each point [deg].
    xyz
        Unit vector of each point (:func:`~fpp.kernels.geometry.to_xyz`), shape (points, 3).
    point_name_id
        Designator id of each point.
    candidate_offsets, candidate_points
        CSR list of the points named by each designator id, in :meth:`NavData.candidates` order.
    airport_point
        Point index of the aerodrome named by each designator id, or -1.
    airway_offsets, airway_pieces
        CSR list of the piece ids of each airway, by designator id, in
        :meth:`NavData.airway_pieces` order.
    piece_offsets, piece_points, piece_cumulative_nm
        CSR list of the points of each piece and the distance along the piece to each [NM].
    """

    names: PackedTable
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    xyz: np.ndarray
    point_name_id: np.ndarray
    candidate_offsets: np.ndarray
    candidate_points: np.ndarray
    airport_point: np.ndarray
    airway_offsets: np.ndarray
    airway_pieces: np.ndarray
    piece_offsets: np.ndarray
    piece_points: np.ndarray
    piece_cumulative_nm: np.ndarray


_CACHE: weakref.WeakKeyDictionary[NavData, tuple[int, NavTables]] = weakref.WeakKeyDictionary()


def _ascii_names(names: list[str]) -> list[str]:
    # A name that is not ASCII can never equal an Item 15 or ADEXP token, so it is replaced by
    # a string that no token can spell.
    return [name if name.isascii() else f"\x00{index}" for index, name in enumerate(names)]


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    out = np.empty((len(lat), 3))
    _fill_unit_vectors(lat, lon, out)
    return out


@kernel
def _fill_unit_vectors(lat: np.ndarray, lon: np.ndarray, out: np.ndarray) -> None:
    for i in range(len(lat)):
        out[i, 0], out[i, 1], out[i, 2] = to_xyz(lat[i], lon[i])


def build_nav_tables(nav: NavData) -> NavTables:
    """Pack ``nav`` into :class:`NavTables`, reusing the tables built for the same store.

    NOTE: the cache is keyed by the store and its number of points and designators; a store
    changed in place without adding any (an airway replaced) needs ``_CACHE.pop(nav)``.
    """
    key = len(nav) * 1_000_003 + len(nav.names)
    cached = _CACHE.get(nav)
    if cached is not None and cached[0] == key:
        return cached[1]

    names = list(nav.names)
    count = len(names)
    lat = np.asarray(nav.lat_deg, dtype=np.float64)
    lon = np.asarray(nav.lon_deg, dtype=np.float64)
    name_id = np.asarray(nav.name_id, dtype=np.int64)
    order = np.argsort(name_id, kind="stable").astype(np.int64)
    counts = np.bincount(name_id, minlength=count)
    candidate_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)

    airport_point = np.full(count, -1, dtype=np.int64)
    ids = {name: i for i, name in enumerate(names)}
    for icao, index in nav.airports.items():
        if icao in ids:
            airport_point[ids[icao]] = index

    airway_offsets = np.zeros(count + 1, dtype=np.int64)
    piece_ids: list[int] = []
    piece_sizes: list[int] = []
    piece_points: list[np.ndarray] = []
    cumulative: list[np.ndarray] = []
    per_name = np.zeros(count, dtype=np.int64)
    pieces_by_name: dict[int, list[int]] = {}
    for airway in nav.airway_names():
        entries = []
        for piece in nav.airway_pieces(airway):
            steps = [distance_nm(lat[piece[k]], lon[piece[k]], lat[piece[k + 1]], lon[piece[k + 1]]) for k in range(len(piece) - 1)]
            entries.append(len(piece_sizes))
            piece_sizes.append(len(piece))
            piece_points.append(np.asarray(piece, dtype=np.int64))
            cumulative.append(np.concatenate(([0.0], np.cumsum(steps))))
        pieces_by_name[ids[airway]] = entries
        per_name[ids[airway]] = len(entries)
    airway_offsets[1:] = np.cumsum(per_name)
    for name_index in range(count):
        piece_ids.extend(pieces_by_name.get(name_index, ()))

    tables = NavTables(
        names=build_packed_table(_ascii_names(names)),
        lat_deg=lat,
        lon_deg=lon,
        xyz=_unit_vectors(lat, lon),
        point_name_id=name_id,
        candidate_offsets=candidate_offsets,
        candidate_points=order,
        airport_point=airport_point,
        airway_offsets=airway_offsets,
        airway_pieces=np.asarray(piece_ids, dtype=np.int64),
        piece_offsets=np.concatenate(([0], np.cumsum(piece_sizes))).astype(np.int64),
        piece_points=np.concatenate(piece_points) if piece_points else np.zeros(0, dtype=np.int64),
        piece_cumulative_nm=np.concatenate(cumulative) if cumulative else np.zeros(0),
    )
    _CACHE[nav] = (key, tables)
    return tables


@kernel
def airway_leg(nav: NavTables, airway: int, point1: int, point2: int) -> tuple[int, int, int, float]:
    """Find the shortest leg of the airway with designator id ``airway`` between two points.

    Returns ``(piece, i, j, length_nm)``, with ``piece_points[i]`` the last place of ``point1``
    and ``piece_points[j]`` the last place of ``point2`` in that piece, as ``AirwayIndex.leg``
    chooses it: the first piece with the smallest length. The piece is -1, and the length
    ``inf``, when no piece contains both points.
    """
    best = np.inf
    best_piece = -1
    best_i = best_j = 0
    for p in range(nav.airway_offsets[airway], nav.airway_offsets[airway + 1]):
        piece = nav.airway_pieces[p]
        i = -1
        j = -1
        for k in range(nav.piece_offsets[piece], nav.piece_offsets[piece + 1]):
            if nav.piece_points[k] == point1:
                i = k
            if nav.piece_points[k] == point2:
                j = k
        if i < 0 or j < 0:
            continue
        length = abs(nav.piece_cumulative_nm[j] - nav.piece_cumulative_nm[i])
        if length < best:
            best = length
            best_piece, best_i, best_j = piece, i, j
    return best_piece, best_i, best_j, best
