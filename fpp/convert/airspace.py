"""Airspace volumes and where a route lies inside them.

An :class:`AirspaceVolume` is the union of FIR polygons (by default the London and Scottish FIRs
that make up UK airspace). Only the lateral extent counts: the FIR polygons of the default data
carry no vertical limits, and a flight plan crossing the UK is in UK airspace at any level.

Boundary rule, used by both converters and by the tests:

- A position within ``boundary_tolerance_nm`` of the boundary is *on* the boundary, and the
  boundary counts as inside.
- A route that only touches the boundary (no stretch of positive length inside) has no portion.
- A crossing of a leg with the boundary within the tolerance of a route point is snapped to that
  point, so a named boundary point becomes the entry or exit itself and no sliver portion
  appears.

The default tolerance, :data:`DEFAULT_BOUNDARY_TOLERANCE_NM`, is 2 NM because the FIR polygons
of the default data (X-Plane cycle 2013.10) are simplified. Published boundary points lie up to
about 1.2 NM from them: SITET (50.1N 0.0E) is on the London FIR boundary with France.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from fpp.geo import Polygon, distance_nm, interpolate
from fpp.navdata.store import NavData

__all__ = [
    "DEFAULT_BOUNDARY_TOLERANCE_NM",
    "UK_FIRS",
    "AirspaceVolume",
    "Crossing",
    "Stretch",
    "inside_stretches",
    "uk_airspace",
]

DEFAULT_BOUNDARY_TOLERANCE_NM = 2.0
#: London and Scottish FIRs: the airspace whose portion FPRSA-R extracts.
UK_FIRS = ("EGTT", "EGPX")


@dataclass
class AirspaceVolume:
    """The union of polygons, with the boundary rule of this module."""

    name: str
    polygons: list[Polygon]
    boundary_tolerance_nm: float = DEFAULT_BOUNDARY_TOLERANCE_NM

    def boundary_distance_nm(self, lat_deg: float, lon_deg: float) -> float:
        """Distance to the nearest polygon edge [NM] (edges shared by two FIRs included)."""
        return min(p.boundary_distance_nm(lat_deg, lon_deg) for p in self.polygons)

    def on_boundary(self, lat_deg: float, lon_deg: float) -> bool:
        """Test whether a position lies within the tolerance of an edge."""
        return self.boundary_distance_nm(lat_deg, lon_deg) <= self.boundary_tolerance_nm

    def contains(self, lat_deg: float, lon_deg: float) -> bool:
        """Test whether a position is inside the volume or on its boundary."""
        if any(p.contains(lat_deg, lon_deg) for p in self.polygons):
            return True
        return self.on_boundary(lat_deg, lon_deg)

    def contains_strictly(self, lat_deg: float, lon_deg: float) -> bool:
        """Test whether a position lies inside one of the polygons, the boundary tolerance not counted."""
        return any(p.contains(lat_deg, lon_deg) for p in self.polygons)

    def crossings(self, lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> list[float]:
        """Fractions along a leg where it crosses any polygon edge, sorted."""
        found = []
        for polygon in self.polygons:
            found.extend(c[0] for c in polygon.crossings(lat1_deg, lon1_deg, lat2_deg, lon2_deg))
        return sorted(found)


def uk_airspace(nav: NavData, tolerance_nm: float = DEFAULT_BOUNDARY_TOLERANCE_NM, idents: Sequence[str] = UK_FIRS) -> AirspaceVolume:
    """Build the UK volume from the FIR polygons of ``nav``.

    Raises
    ------
    KeyError
        When the data has no polygon for one of ``idents``.
    """
    polygons = []
    for ident in idents:
        if ident not in nav.airspaces:
            raise KeyError(f"airspace {ident} not in the navigation data ({', '.join(sorted(nav.airspaces)) or 'none'})")
        for lat, lon in nav.airspaces[ident].rings:
            polygons.append(Polygon(lat, lon))
    return AirspaceVolume("+".join(idents), polygons, tolerance_nm)


@dataclass(frozen=True)
class Crossing:
    """A position along a route: ``position`` is the point index plus the fraction of the next leg."""

    position: float
    lat_deg: float
    lon_deg: float

    @property
    def at_point(self) -> bool:
        """Whether the crossing is a route point itself."""
        return self.position == math.floor(self.position)


@dataclass(frozen=True)
class Stretch:
    """A maximal stretch of the route inside the volume, from ``entry`` to ``exit``."""

    entry: Crossing
    exit: Crossing


#: Samples per boundary tolerance along a stretch outside the polygons, to test whether all of it lies
#: on the boundary. The distance to the boundary changes by at most the distance moved, so between
#: two samples it exceeds the larger sampled value by at most half a spacing: a sixteenth of the
#: tolerance at 8 samples per tolerance.
_BOUNDARY_SAMPLES_PER_TOLERANCE = 8
#: Most samples taken along one piece.
_MAX_BOUNDARY_SAMPLES = 2000


def _piece_inside(volume: AirspaceVolume, la1: float, lo1: float, la2: float, lo2: float, start: float, end: float) -> bool:
    """Test whether the piece of a leg between two fractions counts as inside the volume.

    A piece between two breaks contains no crossing except near its ends, so it lies inside or
    outside the polygons as a whole. It counts as inside when its midpoint is inside a polygon,
    or when all of it lies on the boundary (within the tolerance), as a stretch that runs along
    an edge does. Testing the midpoint alone against the tolerance would take in a piece that
    leaves the boundary: up to twice the tolerance outside at its far end.
    """
    la, lo = interpolate(la1, lo1, la2, lo2, (start + end) / 2)
    if volume.contains_strictly(la, lo):
        return True
    if not volume.on_boundary(la, lo):
        return False
    length = distance_nm(la1, lo1, la2, lo2) * (end - start)
    # NOTE: the cap loosens the sixteenth-of-a-tolerance bound for pieces longer than 250 tolerances.
    count = min(_MAX_BOUNDARY_SAMPLES, max(2, math.ceil(length * _BOUNDARY_SAMPLES_PER_TOLERANCE / volume.boundary_tolerance_nm)))
    return all(
        volume.on_boundary(*interpolate(la1, lo1, la2, lo2, start + (end - start) * k / count)) for k in range(count + 1)
    )


def inside_stretches(volume: AirspaceVolume, lat_deg: Sequence[float], lon_deg: Sequence[float]) -> list[Stretch]:
    """Clip a polyline of great-circle legs against the volume.

    Parameters
    ----------
    volume
        The airspace.
    lat_deg, lon_deg
        Route points in order.

    Returns
    -------
    list of Stretch
        Stretches in route order, each of positive length; empty when the route stays outside
        or only touches the boundary.
    """
    n = len(lat_deg)
    if n == 0:
        return []
    tol = volume.boundary_tolerance_nm
    breaks: list[Crossing] = [Crossing(0.0, lat_deg[0], lon_deg[0])]
    for i in range(n - 1):
        la1, lo1, la2, lo2 = lat_deg[i], lon_deg[i], lat_deg[i + 1], lon_deg[i + 1]
        length = distance_nm(la1, lo1, la2, lo2)
        for fraction in volume.crossings(la1, lo1, la2, lo2):
            # Snap crossings near a route point onto it.
            if length * fraction <= tol or length * (1 - fraction) <= tol:
                continue
            la, lo = interpolate(la1, lo1, la2, lo2, fraction)
            breaks.append(Crossing(i + fraction, la, lo))
        breaks.append(Crossing(float(i + 1), la2, lo2))

    stretches: list[Stretch] = []
    entry: Crossing | None = None
    for a, b in zip(breaks[:-1], breaks[1:]):
        if b.position <= a.position:
            continue
        i = int(math.floor(a.position))
        la1, lo1, la2, lo2 = lat_deg[i], lon_deg[i], lat_deg[min(i + 1, n - 1)], lon_deg[min(i + 1, n - 1)]
        inside = _piece_inside(volume, la1, lo1, la2, lo2, a.position - i, b.position - i)
        if inside and entry is None:
            entry = a
        elif not inside and entry is not None:
            stretches.append(Stretch(entry, a))
            entry = None
    if entry is not None:
        stretches.append(Stretch(entry, breaks[-1]))
    return stretches
