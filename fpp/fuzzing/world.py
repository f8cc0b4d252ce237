"""The fuzzing world: navigation data, UK airspace, both converters and the indexes the strategies walk.

A :class:`FuzzWorld` is built once per process (building it takes one to three seconds on the
default data) and shared by every strategy and property. It holds:

- the navigation data and the UK volume (London and Scottish FIRs) with the documented
  boundary rule;
- a legacy and a hardened converter over them;
- the *duplicate set*: every designator that names two or more places at least
  :data:`FAR_APART_NM` apart, the hazard of 28 August 2023, found in the data rather than
  listed by hand;
- the airway network around the UK as per-point links, so that a strategy can walk along real
  airways;
- the aerodromes, for the nearest departure and destination of a generated route.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fpp.convert.airspace import DEFAULT_BOUNDARY_TOLERANCE_NM, UK_FIRS, AirspaceVolume, uk_airspace
from fpp.convert.hardened import HardenedConverter
from fpp.convert.legacy import LegacyConverter, uk_point_table
from fpp.navdata.store import Airspace, NavData

__all__ = [
    "FAR_APART_NM",
    "FAR_START_NM",
    "NEAR_VOLUME_NM",
    "REGION_BOX",
    "AirwayLink",
    "FuzzWorld",
    "build_world",
    "default_world",
    "is_point_name",
    "world_from_supplement",
]

#: Two places with the same designator at least this far apart are a duplicate hazard: far enough
#: that a match by name picks the wrong one with a large error [NM].
FAR_APART_NM = 300.0

#: Airway points inside the volume or within this distance of its boundary are where most route
#: walks start, so that most drawn routes cross the airspace [NM].
NEAR_VOLUME_NM = 150.0

#: Farthest start of a route from the volume: long legs stay well under the 10,000 NM beyond which
#: the hardened converter quarantines a leg as too close to the antipode [NM].
FAR_START_NM = 6000.0

#: Latitude and longitude box of the airway points that route walks start from and move through:
#: the UK and its neighbours out to about 600 NM (south, north, west, east) [deg].
REGION_BOX = (44.0, 64.0, -20.0, 14.0)

_EARTH_RADIUS_NM = 3440.065

#: Designators that Item 15 reads as a significant point: 2 to 5 characters, a letter first.
_POINT_NAME = re.compile(r"[A-Z][A-Z0-9]{1,4}")
#: Item 15 keywords that a point designator must not be.
_KEYWORDS = frozenset({"DCT", "VFR", "IFR", "OAT", "GAT", "IFPSTOP", "IFPSTART", "T", "C"})


@dataclass(frozen=True)
class AirwayLink:
    """One airway piece through a point: the airway name, the piece number and the point's place in it."""

    airway: str
    piece: int
    position: int


@dataclass
class FuzzWorld:
    """Everything the strategies and properties share; build it with :func:`build_world`.

    Attributes
    ----------
    nav
        Navigation data.
    volume
        The airspace whose portions are extracted.
    legacy, hardened
        The two converters over ``nav`` and ``volume``.
    uk_points
        The legacy converter's table of UK designators.
    duplicates
        Designators with two or more places at least :data:`FAR_APART_NM` apart, sorted.
    region_points
        Indices of the airway points inside :data:`REGION_BOX` whose designator Item 15 can name,
        sorted.
    airway_points
        Indices of every airway point of the data whose designator Item 15 can name, sorted
        (far starts of long routes).
    links
        Airway pieces through each airway point.
    region_xyz
        Unit vectors of ``region_points``, one row each, for nearest-point queries.
    near_points
        The region points inside the volume or within :data:`NEAR_VOLUME_NM` of it, sorted.
    inside_points
        The region points inside the volume, sorted.
    far_points
        The airway points within :data:`FAR_START_NM` of the volume's first vertex, sorted, where
        routes with a far start begin.
    """

    nav: NavData
    volume: AirspaceVolume
    legacy: LegacyConverter
    hardened: HardenedConverter
    uk_points: dict[str, tuple[float, float]]
    duplicates: tuple[str, ...]
    region_points: np.ndarray
    airway_points: np.ndarray
    links: dict[int, list[AirwayLink]]
    region_xyz: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 3)))
    near_points: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=np.int64))
    inside_points: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=np.int64))
    far_points: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=np.int64))
    _airport_names: list[str] = field(repr=False, default_factory=list)
    _airport_xyz: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 3)))
    _airport_inside: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=bool))
    _duplicate_set: frozenset[str] = field(repr=False, default=frozenset())

    def is_duplicate(self, designator: str) -> bool:
        """Test whether ``designator`` names places at least :data:`FAR_APART_NM` apart."""
        return designator in self._duplicate_set

    def far_twins(self, designator: str, lat_deg: float, lon_deg: float) -> list[int]:
        """Indices of the points named ``designator`` at least :data:`FAR_APART_NM` from a position."""
        found = []
        for index in self.nav.candidates(designator).tolist():
            if _distance_nm(lat_deg, lon_deg, *self.nav.position(index)) >= FAR_APART_NM:
                found.append(index)
        return found

    def nearest_airport(self, lat_deg: float, lon_deg: float, exclude: str | None = None) -> str:
        """ICAO indicator of the aerodrome nearest to a position, other than ``exclude``.

        The aerodrome lies on the same side of the volume's boundary as the position, so that a
        route that ends outside the airspace does not gain a last leg into it.
        """
        target = np.asarray(_xyz(lat_deg, lon_deg))
        inside = self.volume.contains(lat_deg, lon_deg)
        order = np.argsort(-(self._airport_xyz @ target))
        for k in order[:50].tolist():
            if self._airport_names[k] != exclude and bool(self._airport_inside[k]) == inside:
                return self._airport_names[k]
        return self._airport_names[int(order[0])]

    def within_reach(self, lat_deg: float, lon_deg: float) -> bool:
        """Test whether a position lies within :data:`FAR_START_NM` of the volume, where far starts may lie."""
        polygon = self.volume.polygons[0]
        return _distance_nm(lat_deg, lon_deg, float(polygon.lat_deg[0]), float(polygon.lon_deg[0])) <= FAR_START_NM

    def nearest_region_point(self, lat_deg: float, lon_deg: float) -> int:
        """Index of the region airway point nearest to a position."""
        target = np.asarray(_xyz(lat_deg, lon_deg))
        return int(self.region_points[int(np.argmax(self.region_xyz @ target))])

    def airway_piece(self, link: AirwayLink) -> np.ndarray:
        """Point indices of the airway piece that ``link`` names."""
        return self.nav.airway_pieces(link.airway)[link.piece]


def _xyz(lat_deg: float, lon_deg: float) -> tuple[float, float, float]:
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def _distance_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    a, b = _xyz(lat1, lon1), _xyz(lat2, lon2)
    dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
    return _EARTH_RADIUS_NM * math.acos(max(-1.0, min(1.0, dot)))


def is_point_name(designator: str) -> bool:
    """Test whether Item 15 reads ``designator`` as a significant point rather than a keyword."""
    return _POINT_NAME.fullmatch(designator) is not None and designator not in _KEYWORDS


def _duplicate_designators(nav: NavData) -> tuple[str, ...]:
    """Designators of points whose places lie at least :data:`FAR_APART_NM` apart."""
    if len(nav) == 0:
        return ()
    lat, lon = np.radians(nav.lat_deg), np.radians(nav.lon_deg)
    xyz = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
    name_id = nav.name_id
    order = np.argsort(name_id, kind="stable")
    counts = np.bincount(name_id)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    limit = math.cos(FAR_APART_NM / _EARTH_RADIUS_NM)
    found = []
    for name in np.nonzero(counts > 1)[0].tolist():
        vectors = xyz[order[offsets[name] : offsets[name + 1]]]
        if float((vectors @ vectors.T).min()) <= limit:
            found.append(nav.names[name])
    return tuple(sorted(found))


def _airway_links(nav: NavData) -> dict[int, list[AirwayLink]]:
    links: dict[int, list[AirwayLink]] = {}
    for airway in sorted(nav.airway_names()):
        for number, piece in enumerate(nav.airway_pieces(airway)):
            for position, point in enumerate(piece.tolist()):
                links.setdefault(point, []).append(AirwayLink(airway, number, position))
    return links


def _inside_box(volume: AirspaceVolume, lat_deg: float, lon_deg: float) -> bool:
    """Test whether a position lies in the latitude/longitude box of the volume, with a margin."""
    return any(
        polygon.lat_deg.min() - 1.0 <= lat_deg <= polygon.lat_deg.max() + 1.0
        and polygon.lon_deg.min() - 2.0 <= lon_deg <= polygon.lon_deg.max() + 2.0
        for polygon in volume.polygons
    )


def build_world(nav: NavData, firs: tuple[str, ...] = UK_FIRS,
                tolerance_nm: float = DEFAULT_BOUNDARY_TOLERANCE_NM) -> FuzzWorld:
    """Build the fuzzing world over ``nav`` and the airspace made of ``firs``.

    Raises
    ------
    KeyError
        When ``nav`` has no polygon for one of ``firs``.
    """
    volume = uk_airspace(nav, tolerance_nm, firs)
    uk_points = uk_point_table(nav, volume)
    links = _airway_links(nav)
    airway_points = np.array([p for p in sorted(links) if is_point_name(nav.point_name(p))], dtype=np.int64)
    south, north, west, east = REGION_BOX
    lat, lon = nav.lat_deg[airway_points], nav.lon_deg[airway_points]
    in_box = (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
    region_points = airway_points[in_box]
    inside = [p for p in region_points.tolist() if volume.contains(*nav.position(p))]
    anchor = (float(volume.polygons[0].lat_deg[0]), float(volume.polygons[0].lon_deg[0]))
    near = set(inside) | {p for p in region_points.tolist() if volume.boundary_distance_nm(*nav.position(p)) <= NEAR_VOLUME_NM}
    names = sorted(name for name in nav.airports if len(name) == 4 and name.isalpha())
    positions = [nav.position(nav.airports[name]) for name in names]
    airport_inside = np.array([_inside_box(volume, la, lo) and volume.contains(la, lo) for la, lo in positions], dtype=bool)
    duplicates = _duplicate_designators(nav)
    return FuzzWorld(
        nav=nav,
        volume=volume,
        legacy=LegacyConverter(uk_points, volume),
        hardened=HardenedConverter(nav, volume),
        uk_points=uk_points,
        duplicates=duplicates,
        region_points=region_points,
        airway_points=airway_points,
        links=links,
        region_xyz=np.array([_xyz(*nav.position(int(p))) for p in region_points]).reshape(-1, 3),
        near_points=np.array(sorted(near), dtype=np.int64),
        inside_points=np.array(inside, dtype=np.int64),
        far_points=np.array([p for p in airway_points.tolist() if _distance_nm(*nav.position(p), *anchor) <= FAR_START_NM],
                            dtype=np.int64),
        _airport_names=names,
        _airport_xyz=np.array([_xyz(la, lo) for la, lo in positions]).reshape(-1, 3),
        _airport_inside=airport_inside,
        _duplicate_set=frozenset(duplicates),
    )


@functools.cache
def default_world() -> FuzzWorld:
    """Return the world over the default navigation data, built once per process."""
    from fpp.navdata import load_default

    return build_world(load_default())


def world_from_supplement(path: str | Path, base: NavData | None = None, firs: tuple[str, ...] = UK_FIRS) -> FuzzWorld:
    """Build a small world from a supplement file and the FIR polygons of ``base``.

    A reproducer carries the points and airways it needs as a supplement file. This world contains
    only those and the airspace polygons, taken from ``base`` (by default the default data).
    """
    from fpp.navdata import load_default
    from fpp.navdata.supplement import load_supplement

    base = base if base is not None else load_default()
    nav = NavData(f"supplement {Path(path).name}")
    load_supplement(nav, path)
    for ident in firs:
        airspace = base.airspaces[ident]
        nav.add_airspace(Airspace(airspace.ident, [(lat.copy(), lon.copy()) for lat, lon in airspace.rings],
                                  airspace.lower_fl, airspace.upper_fl, airspace.name))
    return build_world(nav, firs)

