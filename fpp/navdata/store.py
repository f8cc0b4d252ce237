"""The NavData store: significant points, airways and airspaces in compact arrays.

Designators are interned to integer ids. Points are rows of numpy arrays (latitude, longitude,
kind, designator id). Airways are stored as pieces: an ordered sequence of point indices, kept as
CSR arrays (``airway_offsets`` into ``airway_points``). One airway name may own several pieces
when the name is reused in distant regions. A networkx view of the airway network is built on
demand for graph algorithms.

Coordinates are WGS 84 degrees, north and east positive.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["ARRAYS_FORMAT", "Airspace", "NavData", "PointKind", "DUPLICATE_MERGE_NM"]

EARTH_RADIUS_NM = 3440.065  # mean Earth radius [NM]

#: Layout version of :meth:`NavData.to_arrays`; raise it when the arrays change meaning.
ARRAYS_FORMAT = 1

#: Two rows with the same designator closer than this are one point (a VOR and its DME, or a fix
#: listed at a navaid's position) [NM].
DUPLICATE_MERGE_NM = 1.0


class PointKind(enum.IntEnum):
    """Kind of a significant point; lower values win when duplicate rows are merged."""

    AIRPORT = 1
    VOR = 2
    TACAN = 3
    DME = 4
    NDB = 5
    FIX = 6
    LATLON = 7


@dataclass
class Airspace:
    """An airspace volume: one or more polygons with vertical limits.

    Parameters
    ----------
    ident
        ICAO designator such as ``EGTT``.
    rings
        Outer rings as ``(lat_deg, lon_deg)`` array pairs, without a closing vertex. Edges are
        great-circle arcs between consecutive vertices.
    lower_fl, upper_fl
        Vertical limits as flight levels (hundreds of feet); ``upper_fl`` of 999 means unlimited.
    name
        Readable name.
    """

    ident: str
    rings: list[tuple[np.ndarray, np.ndarray]]
    lower_fl: int = 0
    upper_fl: int = 999
    name: str = ""


#: Length of one degree of latitude on the mean sphere [NM]. Two points whose latitudes differ by
#: ``d`` degrees are at least ``d * NM_PER_DEG_LAT`` apart, which lets the duplicate scans skip
#: the haversine for most rows.
NM_PER_DEG_LAT = math.radians(1.0) * EARTH_RADIUS_NM


def _offsets(sizes: Sequence[int]) -> np.ndarray:
    """CSR offsets for consecutive groups of the given sizes."""
    return np.concatenate(([0], np.cumsum(np.asarray(sizes, dtype=np.int64)))).astype(np.int64)


def _pack_strings(arrays: dict[str, np.ndarray], key: str, values: Sequence[str]) -> None:
    """Store ``values`` as newline-joined UTF-8 bytes under ``key`` and their count under ``key_count``."""
    for value in values:
        if "\n" in value:
            raise ValueError(f"cannot pack {key} value {value!r}: it contains a newline")
    arrays[key] = np.frombuffer("\n".join(values).encode("utf-8"), dtype=np.uint8)
    arrays[f"{key}_count"] = np.array([len(values)], dtype=np.int64)


def _unpack_strings(arrays: Mapping[str, np.ndarray], key: str) -> list[str]:
    count = int(np.asarray(arrays[f"{key}_count"])[0])
    if count == 0:
        return []
    values = np.asarray(arrays[key], dtype=np.uint8).tobytes().decode("utf-8").split("\n")
    if len(values) != count:
        raise ValueError(f"packed strings {key} contain {len(values)} values, expected {count}")
    return values


def _distance_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat = p2 - p1
    dlon = math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_NM * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class _Builder:
    names: list[str] = field(default_factory=list)
    name_ids: dict[str, int] = field(default_factory=dict)
    point_name: list[int] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)
    label: list[str] = field(default_factory=list)
    by_name: dict[int, list[int]] = field(default_factory=dict)


class NavData:
    """Significant points, airways and airspaces.

    Build a store with :meth:`add_point`, :meth:`add_airway` and :meth:`add_airspace`; the query
    methods work at any time (the arrays are rebuilt lazily after a change).

    Examples
    --------
    >>> nav = NavData()
    >>> a = nav.add_point("ALPHA", 50.0, 0.0, PointKind.FIX)
    >>> b = nav.add_point("BRAVO", 51.0, 0.0, PointKind.FIX)
    >>> nav.add_airway("Q1", [a, b])
    >>> [nav.point_name(i) for i in nav.airway_pieces("Q1")[0]]
    ['ALPHA', 'BRAVO']
    """

    def __init__(self, source: str = "") -> None:
        self.source = source
        self._b = _Builder()
        self._airways: dict[str, list[np.ndarray]] = {}
        self.airspaces: dict[str, Airspace] = {}
        self.airports: dict[str, int] = {}
        self._arrays_valid = False
        self._graph = None

    # Building -----------------------------------------------------------------------------

    def intern(self, designator: str) -> int:
        """Return the integer id of ``designator``, adding it if new."""
        ids = self._b.name_ids
        found = ids.get(designator)
        if found is None:
            found = len(self._b.names)
            ids[designator] = found
            self._b.names.append(designator)
        return found

    def add_point(
        self,
        designator: str,
        lat_deg: float,
        lon_deg: float,
        kind: PointKind = PointKind.FIX,
        label: str = "",
        merge_nm: float = DUPLICATE_MERGE_NM,
    ) -> int:
        """Add a point and return its index.

        A row with the same designator within ``merge_nm`` of an existing point is merged into
        it (the kind with the lower :class:`PointKind` value wins) and the existing index is
        returned.
        """
        if not (-90.0 <= lat_deg <= 90.0 and -180.0 <= lon_deg <= 180.0):
            raise ValueError(f"position {lat_deg}, {lon_deg} of {designator} is out of range")
        name_id = self.intern(designator)
        same_name = self._b.by_name.setdefault(name_id, [])
        for index in same_name:
            if abs(self._b.lat[index] - lat_deg) * NM_PER_DEG_LAT > merge_nm:
                continue
            if _distance_nm(self._b.lat[index], self._b.lon[index], lat_deg, lon_deg) <= merge_nm:
                if int(kind) < self._b.kind[index]:
                    self._b.kind[index] = int(kind)
                    self._b.label[index] = label or self._b.label[index]
                    self._arrays_valid = False
                if kind == PointKind.AIRPORT:
                    self.airports.setdefault(designator, index)
                return index
        index = len(self._b.lat)
        self._b.point_name.append(name_id)
        self._b.lat.append(float(lat_deg))
        self._b.lon.append(float(lon_deg))
        self._b.kind.append(int(kind))
        self._b.label.append(label)
        same_name.append(index)
        if kind == PointKind.AIRPORT:
            self.airports.setdefault(designator, index)
        self._arrays_valid = False
        self._graph = None
        return index

    def find_point(self, designator: str, lat_deg: float, lon_deg: float, within_nm: float = DUPLICATE_MERGE_NM) -> int | None:
        """Return the index of the point ``designator`` nearest to a position, if within range."""
        name_id = self._b.name_ids.get(designator)
        if name_id is None:
            return None
        best, best_nm = None, within_nm
        for index in self._b.by_name.get(name_id, ()):
            if abs(self._b.lat[index] - lat_deg) * NM_PER_DEG_LAT > best_nm:
                continue
            d = _distance_nm(self._b.lat[index], self._b.lon[index], lat_deg, lon_deg)
            if d <= best_nm:
                best, best_nm = index, d
        return best

    def add_airway(self, name: str, points: Sequence[int]) -> None:
        """Add one piece of airway ``name``: point indices in the stored order."""
        if len(points) < 2:
            raise ValueError(f"airway piece {name} needs at least two points")
        self.intern(name)
        self._airways.setdefault(name, []).append(np.asarray(points, dtype=np.int64))
        self._arrays_valid = False
        self._graph = None

    def replace_airway_near(self, name: str, points: Sequence[int], within_nm: float = 300.0) -> int:
        """Add an airway piece, removing pieces of the same name that come within ``within_nm``.

        This is how a newer version of an airway (from a scenario file) replaces the one in the
        base data in its own region, while same-named pieces elsewhere stay. Returns the number
        of pieces removed.
        """
        lat, lon = self.lat_deg, self.lon_deg
        new = np.asarray(points, dtype=np.int64)
        kept, removed = [], 0
        for piece in self._airways.get(name, []):
            near = any(
                _distance_nm(lat[i], lon[i], lat[j], lon[j]) <= within_nm for i in piece for j in new
            )
            if near:
                removed += 1
            else:
                kept.append(piece)
        self._airways[name] = kept
        self.add_airway(name, new)
        return removed

    def add_airspace(self, airspace: Airspace) -> None:
        """Add or replace an airspace under its ident."""
        self.airspaces[airspace.ident] = airspace

    # Serialisation ------------------------------------------------------------------------

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Return the whole store as plain numpy arrays, ready for :func:`numpy.savez`.

        Strings are packed as UTF-8 bytes joined by newlines, so the arrays load with
        ``allow_pickle=False``. :meth:`from_arrays` rebuilds an equal store, with the same point
        indices, designator ids, airway piece order and airspaces.

        Raises
        ------
        ValueError
            When a designator, label or airspace name contains a newline.
        """
        b = self._b
        piece_names: list[int] = []
        pieces: list[np.ndarray] = []
        for name, named_pieces in self._airways.items():
            name_id = self.intern(name)
            for piece in named_pieces:
                piece_names.append(name_id)
                pieces.append(piece)

        airspaces = list(self.airspaces.values())
        rings = [ring for airspace in airspaces for ring in airspace.rings]
        ring_lat = np.concatenate([r[0] for r in rings]).astype(np.float64) if rings else np.zeros(0)
        ring_lon = np.concatenate([r[1] for r in rings]).astype(np.float64) if rings else np.zeros(0)
        ring_counts = [len(airspace.rings) for airspace in airspaces]
        vertex_counts = [len(lat) for lat, _ in rings]

        no_points = np.zeros(0, dtype=np.int64)
        arrays = {
            "format": np.array([ARRAYS_FORMAT], dtype=np.int64),
            "point_name_id": np.asarray(b.point_name, dtype=np.int32),
            "point_lat_deg": np.asarray(b.lat, dtype=np.float64),
            "point_lon_deg": np.asarray(b.lon, dtype=np.float64),
            "point_kind": np.asarray(b.kind, dtype=np.int8),
            "airport_points": np.asarray(list(self.airports.values()), dtype=np.int64),
            "airway_name_id": np.asarray(piece_names, dtype=np.int32),
            "airway_offsets": _offsets([len(piece) for piece in pieces]),
            "airway_points": np.concatenate(pieces).astype(np.int64) if pieces else no_points,
            "airspace_lower_fl": np.asarray([a.lower_fl for a in airspaces], dtype=np.int32),
            "airspace_upper_fl": np.asarray([a.upper_fl for a in airspaces], dtype=np.int32),
            "airspace_ring_offsets": _offsets(ring_counts),
            "ring_vertex_offsets": _offsets(vertex_counts),
            "ring_lat_deg": ring_lat,
            "ring_lon_deg": ring_lon,
        }
        _pack_strings(arrays, "source", [self.source])
        _pack_strings(arrays, "names", b.names)
        _pack_strings(arrays, "point_label", b.label)
        _pack_strings(arrays, "airspace_ident", [a.ident for a in airspaces])
        _pack_strings(arrays, "airspace_name", [a.name for a in airspaces])
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> NavData:
        """Rebuild a store from the output of :meth:`to_arrays`.

        Raises
        ------
        ValueError
            When the arrays were written in another layout (see :data:`ARRAYS_FORMAT`).
        KeyError
            When an array is missing.
        """
        found = int(np.asarray(arrays["format"])[0])
        if found != ARRAYS_FORMAT:
            raise ValueError(f"NavData arrays have layout {found}, expected {ARRAYS_FORMAT}")

        nav = cls(source=_unpack_strings(arrays, "source")[0])
        b = nav._b
        b.names = _unpack_strings(arrays, "names")
        b.name_ids = {name: i for i, name in enumerate(b.names)}
        b.point_name = np.asarray(arrays["point_name_id"]).tolist()
        b.lat = np.asarray(arrays["point_lat_deg"]).tolist()
        b.lon = np.asarray(arrays["point_lon_deg"]).tolist()
        b.kind = np.asarray(arrays["point_kind"]).tolist()
        b.label = _unpack_strings(arrays, "point_label")
        by_name = b.by_name
        for index, name_id in enumerate(b.point_name):
            same_name = by_name.get(name_id)
            if same_name is None:
                by_name[name_id] = [index]
            else:
                same_name.append(index)

        for index in np.asarray(arrays["airport_points"]).tolist():
            nav.airports[b.names[b.point_name[index]]] = index

        offsets = np.asarray(arrays["airway_offsets"])
        points = np.asarray(arrays["airway_points"], dtype=np.int64)
        for k, name_id in enumerate(np.asarray(arrays["airway_name_id"]).tolist()):
            nav._airways.setdefault(b.names[name_id], []).append(points[offsets[k] : offsets[k + 1]])

        ring_offsets = np.asarray(arrays["airspace_ring_offsets"])
        vertex_offsets = np.asarray(arrays["ring_vertex_offsets"])
        ring_lat, ring_lon = np.asarray(arrays["ring_lat_deg"]), np.asarray(arrays["ring_lon_deg"])
        names = _unpack_strings(arrays, "airspace_name")
        lower, upper = np.asarray(arrays["airspace_lower_fl"]), np.asarray(arrays["airspace_upper_fl"])
        for k, ident in enumerate(_unpack_strings(arrays, "airspace_ident")):
            rings = []
            for r in range(int(ring_offsets[k]), int(ring_offsets[k + 1])):
                start, stop = int(vertex_offsets[r]), int(vertex_offsets[r + 1])
                rings.append((ring_lat[start:stop].copy(), ring_lon[start:stop].copy()))
            nav.airspaces[ident] = Airspace(ident, rings, int(lower[k]), int(upper[k]), names[k])

        return nav

    # Arrays -------------------------------------------------------------------------------

    def _build_arrays(self) -> None:
        b = self._b
        self._lat = np.asarray(b.lat, dtype=np.float64)
        self._lon = np.asarray(b.lon, dtype=np.float64)
        self._kind = np.asarray(b.kind, dtype=np.int8)
        self._name_id = np.asarray(b.point_name, dtype=np.int32)
        order = np.argsort(self._name_id, kind="stable")
        counts = np.bincount(self._name_id, minlength=len(b.names))
        self._name_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self._name_points = order.astype(np.int64)
        names = sorted(self._airways)
        pieces = [p for n in names for p in self._airways[n]]
        self._airway_names = [n for n in names for _ in self._airways[n]]
        sizes = np.array([len(p) for p in pieces], dtype=np.int64)
        self._airway_offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        self._airway_points = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
        self._arrays_valid = True

    def _arrays(self) -> None:
        if not self._arrays_valid:
            self._build_arrays()

    @property
    def lat_deg(self) -> np.ndarray:
        """Latitude of each point [deg]."""
        self._arrays()
        return self._lat

    @property
    def lon_deg(self) -> np.ndarray:
        """Longitude of each point [deg]."""
        self._arrays()
        return self._lon

    @property
    def kind(self) -> np.ndarray:
        """:class:`PointKind` value of each point."""
        self._arrays()
        return self._kind

    @property
    def name_id(self) -> np.ndarray:
        """Designator id of each point."""
        self._arrays()
        return self._name_id

    @property
    def names(self) -> list[str]:
        """Designators by id (points and airways share the table)."""
        return self._b.names

    @property
    def airway_offsets(self) -> np.ndarray:
        """CSR offsets of the airway pieces into :attr:`airway_points`."""
        self._arrays()
        return self._airway_offsets

    @property
    def airway_points(self) -> np.ndarray:
        """Point indices of all airway pieces, concatenated."""
        self._arrays()
        return self._airway_points

    @property
    def airway_piece_names(self) -> list[str]:
        """Airway name of each piece, in CSR order."""
        self._arrays()
        return self._airway_names

    def __len__(self) -> int:
        return len(self._b.lat)

    # Queries ------------------------------------------------------------------------------

    def point_name(self, index: int) -> str:
        """Designator of point ``index``."""
        return self._b.names[self._b.point_name[index]]

    def point_label(self, index: int) -> str:
        """Readable name of point ``index`` (navaid name), possibly empty."""
        return self._b.label[index]

    def position(self, index: int) -> tuple[float, float]:
        """``(lat_deg, lon_deg)`` of point ``index``."""
        return self._b.lat[index], self._b.lon[index]

    def candidates(self, designator: str) -> np.ndarray:
        """Indices of every point named ``designator`` (empty if unknown)."""
        name_id = self._b.name_ids.get(designator)
        if name_id is None:
            return np.zeros(0, dtype=np.int64)
        self._arrays()
        if name_id >= len(self._name_offsets) - 1:
            return np.zeros(0, dtype=np.int64)
        return self._name_points[self._name_offsets[name_id] : self._name_offsets[name_id + 1]]

    def is_point(self, designator: str) -> bool:
        """Whether any point is named ``designator``."""
        return len(self.candidates(designator)) > 0

    def is_airway(self, designator: str) -> bool:
        """Whether an airway is named ``designator``."""
        return designator in self._airways

    def airway_pieces(self, name: str) -> list[np.ndarray]:
        """The pieces of airway ``name``, each an array of point indices in stored order."""
        return list(self._airways.get(name, []))

    def airway_names(self) -> Iterable[str]:
        """Names of all airways."""
        return self._airways.keys()

    def airport(self, icao: str) -> int | None:
        """Index of the aerodrome ``icao``, or ``None``."""
        return self.airports.get(icao)

    def graph(self):
        """Return the airway network as a :class:`networkx.MultiGraph`.

        Nodes are point indices with ``name``, ``lat`` and ``lon`` attributes; each edge is one
        airway segment with ``airway`` and ``distance_nm`` attributes. Built once, then cached.
        """
        if self._graph is None:
            import networkx as nx

            graph = nx.MultiGraph()
            lat, lon = self.lat_deg, self.lon_deg
            for name, pieces in self._airways.items():
                for piece in pieces:
                    for a, b in zip(piece[:-1], piece[1:]):
                        a, b = int(a), int(b)
                        for node in (a, b):
                            if node not in graph:
                                graph.add_node(node, name=self.point_name(node), lat=lat[node], lon=lon[node])
                        graph.add_edge(a, b, airway=name, distance_nm=_distance_nm(lat[a], lon[a], lat[b], lon[b]))
            self._graph = graph
        return self._graph
