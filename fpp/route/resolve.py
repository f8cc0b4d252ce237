"""Resolve an Item 15 route over navigation data and expand it into its list of points.

Resolution has three steps:

1. **Classify** each designator by its position and the data. A token between two points that
   names an airway is an ATS route, and a token that names a point is a significant point. A
   procedure-shaped token, first or last, that is neither is a SID or STAR. The default data has
   no procedures, so the aerodrome is joined directly and a warning is recorded.
2. **Choose** one candidate position for every point with the whole route as context: a Viterbi
   pass over the candidates minimises the total length of the route from the departure to the
   destination aerodrome, where an airway leg costs its length along the airway and is
   impossible between points that are not both on it. The nearest candidate to the previous
   point alone is never used. When another candidate far from the chosen one gives a route
   almost as short, context cannot settle the choice and ``ROUTE900`` is raised.
3. **Expand** airway legs (in either direction) into their intermediate points.

Policies (each tested):

- Two points with no connector between them are joined by an implied DCT.
- Two ATS routes with no point between them (not ICAO) are joined at their unique common point,
  with a warning; no common point, or several, raises ``ROUTE171``.
- A North Atlantic track designator (``NATA``..``NATZ``) is flown as a DCT between the points on
  either side, with a warning, because fpp has no daily track message.
- A bearing/distance point takes the bearing as true. NOTE: ICAO gives magnetic bearings outside
  high latitudes; at 10 deg of variation and 100 NM the position is about 17 NM off.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from fpp.errors import RouteError
from fpp.formats.item15 import Element, ElementKind, Item15, SpeedLevel
from fpp.geo import EARTH_RADIUS_NM, destination, distance_nm
from fpp.navdata.store import NavData

__all__ = [
    "AMBIGUITY_MARGIN",
    "AirwayIndex",
    "Choice",
    "choose_candidates",
    "ExpandedRoute",
    "Leg",
    "ResolvedPoint",
    "resolve_route",
]

#: Another candidate is a real alternative when the best route through it is at most this much
#: longer than the best route overall, relative and absolute [-, NM].
AMBIGUITY_MARGIN = (0.01, 5.0)
#: Candidates closer than this to the chosen one are the same place for the conversion [NM].
SAME_PLACE_NM = 10.0

_NAT = re.compile(r"NAT[A-Z]")


@dataclass
class ResolvedPoint:
    """One point of the expanded route.

    Attributes
    ----------
    name
        Designator (an aerodrome's ICAO indicator, or the token text for a lat/long point).
    lat_deg, lon_deg
        Position [deg].
    nav_index
        Index in the :class:`~fpp.navdata.store.NavData` store, or ``None`` for lat/long and
        bearing/distance points.
    element_index
        Index of the Item 15 element that names this point, or ``None`` for airway intermediate
        points and aerodromes.
    via
        How the route reaches this point: ``"DCT"``, an airway name, ``"SID"``, ``"STAR"``, or
        ``""`` for the first point.
    speed_level
        Speed and level in force from this point on.
    kind
        ``"AD"`` (aerodrome), ``"PT"`` (named point), ``"GEO"`` (lat/long) or ``"REF"``
        (bearing/distance).
    """

    name: str
    lat_deg: float
    lon_deg: float
    nav_index: int | None
    element_index: int | None
    via: str
    speed_level: SpeedLevel | None
    kind: str = "PT"


@dataclass
class Leg:
    """A leg of Item 15 between two of its points: ``connector`` is ``"DCT"`` or an airway."""

    connector: str
    start: int  # index into ExpandedRoute.points
    end: int


@dataclass
class ExpandedRoute:
    """An Item 15 route resolved and expanded from the departure to the destination."""

    item15: Item15
    points: list[ResolvedPoint]
    legs: list[Leg] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    truncated: bool = False

    def length_nm(self) -> float:
        """Total great-circle length of the expanded route [NM]."""
        return sum(
            distance_nm(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg) for a, b in zip(self.points[:-1], self.points[1:])
        )


# Step 1: classification -----------------------------------------------------------------------


@dataclass
class _Slot:
    element_index: int
    element: Element
    connector_in: str = "DCT"  # the connector that leads to this point
    connector_element: Element | None = None
    candidates: list[tuple[float, float, int | None]] = field(default_factory=list)
    kind: str = "PT"
    speed_level: SpeedLevel | None = None


def _is_point_token(element: Element, nav: NavData) -> bool:
    if element.kind in (ElementKind.LATLON, ElementKind.BEARING_DISTANCE):
        return True
    return element.kind == ElementKind.DESIGNATOR and (element.change is not None or nav.is_point(element.designator or ""))


def _classify(item15: Item15, nav: NavData, warnings: list[str]) -> tuple[list[_Slot], bool]:
    """Turn the elements into point slots, each with the connector that leads to it."""
    elements = item15.elements
    slots: list[_Slot] = []
    pending: str | None = None  # connector seen since the last point
    pending_element: Element | None = None
    speed_level = item15.speed_level
    truncated = False
    last = len(elements) - 1

    for i, element in enumerate(elements):
        kind = element.kind
        if kind == ElementKind.TRUNCATION:
            truncated = True
            break
        if kind == ElementKind.DCT:
            pending, pending_element = "DCT", element
            continue
        if kind in (ElementKind.RULE, ElementKind.STAY):
            continue
        if kind == ElementKind.CRUISE_CLIMB:
            # C/POINT/... names a point where the cruise climb starts.
            if element.change is not None:
                speed_level = element.change
            slots.append(_point_slot(i, element, pending, pending_element, speed_level, nav, not slots))
            pending, pending_element = None, None
            continue
        if kind != ElementKind.DESIGNATOR:
            if element.change is not None:
                speed_level = element.change
            slots.append(_point_slot(i, element, pending, pending_element, speed_level, nav, not slots))
            pending, pending_element = None, None
            continue

        name = element.designator or element.text
        known_point = nav.is_point(name)
        known_airway = nav.is_airway(name)
        after_point = bool(slots) and pending is None
        if element.change is not None:
            speed_level = element.change
            slots.append(_point_slot(i, element, pending, pending_element, speed_level, nav, not slots))
            pending, pending_element = None, None
        elif known_airway and (not known_point or (after_point and _airway_has_name(nav, name, slots[-1]))):
            if pending is not None and pending != "DCT" and not _NAT.fullmatch(pending):
                # Two ATS routes in a row: join them at their common point.
                junction = _junction(nav, pending, name, pending_element)
                warnings.append(f"ROUTE171 no point between {pending} and {name}: joined at {nav.point_name(junction)}")
                slot = _Slot(i, element, pending, pending_element, [(*nav.position(junction), junction)], "PT", speed_level)
                slot.element = Element(ElementKind.DESIGNATOR, nav.point_name(junction), element.offset, nav.point_name(junction))
                slot.element_index = -1
                slots.append(slot)
            pending, pending_element = name, element
        elif known_point:
            slots.append(_point_slot(i, element, pending, pending_element, speed_level, nav, not slots))
            pending, pending_element = None, None
        elif _NAT.fullmatch(name):
            warnings.append(f"ROUTE901 track {name} has no track data: flown as DCT")
            pending, pending_element = name, element
        elif element.could_be_procedure and i == 0:
            warnings.append(f"ROUTE903 SID {name} not in the data: the first point is joined directly")
            pending, pending_element = "SID", element
        elif element.could_be_procedure and i == last:
            warnings.append(f"ROUTE903 STAR {name} not in the data: the aerodrome is joined directly")
            pending, pending_element = "STAR", element
        else:
            raise RouteError("ROUTE130", element.text, element.offset, field="15",
                             detail="neither a significant point nor an ATS route in the navigation data")

    if pending is not None and pending not in ("DCT", "STAR") and not _NAT.fullmatch(pending):
        token = pending_element.text if pending_element is not None else pending
        raise RouteError("ROUTE140", token, pending_element.offset if pending_element else None, field="15",
                         detail=f"{token} is not followed by a point to leave it")
    return slots, truncated


def _airway_has_name(nav: NavData, airway: str, slot: _Slot) -> bool:
    names = {nav.point_name(int(i)) for piece in nav.airway_pieces(airway) for i in piece}
    return (slot.element.designator or slot.element.text) in names


def _junction(nav: NavData, first: str, second: str, element: Element | None) -> int:
    a = {int(i) for piece in nav.airway_pieces(first) for i in piece}
    b = {int(i) for piece in nav.airway_pieces(second) for i in piece}
    common = sorted(a & b)
    if len(common) != 1:
        raise RouteError("ROUTE171", f"{first} {second}", element.offset if element else None, field="15",
                         detail=f"{len(common)} common points between {first} and {second}")
    return common[0]


def _point_slot(i: int, element: Element, connector: str | None, connector_element: Element | None,
                speed_level: SpeedLevel | None, nav: NavData, first: bool = False) -> _Slot:
    if first and connector not in (None, "DCT", "SID"):
        token = connector_element.text if connector_element is not None else connector
        raise RouteError("ROUTE139", token, connector_element.offset if connector_element else None, field="15",
                         detail=f"the route starts with {token}; start with a point of it, or with DCT to one")
    slot = _Slot(i, element, connector or "DCT", connector_element, speed_level=speed_level)
    if element.kind == ElementKind.LATLON or (element.kind == ElementKind.CRUISE_CLIMB and element.lat_deg is not None):
        slot.candidates = [(element.lat_deg, element.lon_deg, None)]
        slot.kind = "GEO"
        return slot
    if element.kind == ElementKind.BEARING_DISTANCE:
        slot.kind = "REF"
        if element.designator is None:
            base = [(element.lat_deg, element.lon_deg)]
        else:
            base = [nav.position(int(c)) for c in nav.candidates(element.designator)]
            if not base:
                raise RouteError("ROUTE130", element.designator, element.offset, field="15",
                                 detail="reference point of a bearing/distance point not found")
        slot.candidates = [(*destination(la, lo, float(element.bearing_deg), float(element.distance_nm)), None) for la, lo in base]
        return slot
    name = element.designator or element.text
    found = nav.candidates(name)
    if len(found) == 0:
        raise RouteError("ROUTE130", name, element.offset, field="15", detail="significant point not found")
    slot.candidates = [(*nav.position(int(c)), int(c)) for c in found]
    return slot


# Step 2: choice of candidates -----------------------------------------------------------------


class AirwayIndex:
    """Along-airway positions of points, per airway name, for leg costs and expansion."""

    def __init__(self, nav: NavData) -> None:
        self.nav = nav
        self._cache: dict[str, list[tuple[dict[int, int], np.ndarray, np.ndarray]]] = {}

    def pieces(self, name: str) -> list[tuple[dict[int, int], np.ndarray, np.ndarray]]:
        if name not in self._cache:
            entries = []
            for piece in self.nav.airway_pieces(name):
                lat, lon = self.nav.lat_deg[piece], self.nav.lon_deg[piece]
                steps = [distance_nm(lat[k], lon[k], lat[k + 1], lon[k + 1]) for k in range(len(piece) - 1)]
                cumulative = np.concatenate(([0.0], np.cumsum(steps)))
                entries.append(({int(p): k for k, p in enumerate(piece)}, cumulative, piece))
            self._cache[name] = entries
        return self._cache[name]

    def leg(self, name: str, a: int | None, b: int | None) -> tuple[float, list[int]]:
        """Length of the airway leg a..b and its points after a up to b; ``inf`` if impossible."""
        best: tuple[float, list[int]] = (math.inf, [])
        if a is None or b is None or a == b:
            return best
        for where, cumulative, piece in self.pieces(name):
            i, j = where.get(a), where.get(b)
            if i is None or j is None:
                continue
            length = abs(float(cumulative[j] - cumulative[i]))
            if length < best[0]:
                path = piece[i + 1 : j + 1] if j > i else piece[j:i][::-1]
                best = (length, [int(p) for p in path])
        return best


def _direct_costs(prev: list[tuple[float, float, int | None]], cur: list[tuple[float, float, int | None]]) -> np.ndarray:
    """Great-circle distances between every pair of candidates [NM], as a matrix."""
    lat1 = np.radians([p[0] for p in prev])[:, None]
    lon1 = np.radians([p[1] for p in prev])[:, None]
    lat2 = np.radians([c[0] for c in cur])[None, :]
    lon2 = np.radians([c[1] for c in cur])[None, :]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_NM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _is_direct(connector: str) -> bool:
    return connector in ("DCT", "SID", "STAR") or bool(_NAT.fullmatch(connector))


def _leg_cost(index: AirwayIndex, connector: str, a: tuple[float, float, int | None], b: tuple[float, float, int | None]) -> float:
    if connector in ("DCT", "SID", "STAR") or _NAT.fullmatch(connector):
        return distance_nm(a[0], a[1], b[0], b[1])
    return index.leg(connector, a[2], b[2])[0]


@dataclass
class Choice:
    """Result of :func:`choose_candidates`."""

    chosen: list[int]
    ambiguous: list[int]  # slots where a far candidate gives a route almost as short
    broken_at: int | None = None  # first slot that no candidate can reach through its connector
    total_nm: float = math.inf


def choose_candidates(
    candidates: list[list[tuple[float, float, int | None]]],
    connectors: list[str],
    index: AirwayIndex,
    start: tuple[float, float] | None = None,
    end: tuple[float, float] | None = None,
) -> Choice:
    """Choose one candidate per slot so that the whole route is shortest (a Viterbi pass).

    Parameters
    ----------
    candidates
        For each slot, its ``(lat_deg, lon_deg, nav_index)`` candidates.
    connectors
        For each slot, the connector from the previous slot: ``"DCT"`` or an airway name (the
        first entry is ignored).
    index
        Airway lookup for airway leg lengths.
    start, end
        Positions of the aerodromes that anchor the route, when known.
    """
    n = len(candidates)
    forward: list[np.ndarray] = []
    back: list[np.ndarray] = []
    first = candidates[0]
    forward.append(np.array([distance_nm(start[0], start[1], c[0], c[1]) if start else 0.0 for c in first]))
    back.append(np.zeros(len(first), dtype=np.int64))
    costs_between: list[np.ndarray] = []
    for k in range(1, n):
        prev, cur = candidates[k - 1], candidates[k]
        if _is_direct(connectors[k]):
            matrix = _direct_costs(prev, cur)
        else:
            matrix = np.array([[_leg_cost(index, connectors[k], p, c) for c in cur] for p in prev])
        costs_between.append(matrix)
        total = forward[-1][:, None] + matrix
        best_prev = np.argmin(total, axis=0)
        forward.append(total[best_prev, np.arange(len(cur))])
        back.append(best_prev)
        if not np.isfinite(forward[-1]).any():
            return Choice([0] * n, [], broken_at=k)
    last = candidates[-1]
    closing = np.array([distance_nm(c[0], c[1], end[0], end[1]) if end else 0.0 for c in last])
    final = forward[-1] + closing
    chosen = [0] * n
    chosen[-1] = int(np.argmin(final))
    for k in range(n - 1, 0, -1):
        chosen[k - 1] = int(back[k][chosen[k]])

    # Backward pass: the best total through each candidate, to detect ambiguity.
    backward = [np.zeros(0)] * n
    backward[-1] = closing
    for k in range(n - 2, -1, -1):
        backward[k] = np.min(costs_between[k] + backward[k + 1][None, :], axis=1)
    best_total = float(final.min())
    rel, absolute = AMBIGUITY_MARGIN
    ambiguous = []
    for k, slot in enumerate(candidates):
        if len(slot) < 2:
            continue
        through = forward[k] + backward[k]
        picked = slot[chosen[k]]
        for k_other, (c, cost) in enumerate(zip(slot, through)):
            if k_other == chosen[k] or not np.isfinite(cost):
                continue
            far = distance_nm(c[0], c[1], picked[0], picked[1]) > SAME_PLACE_NM
            if far and cost <= best_total * (1 + rel) + absolute:
                ambiguous.append(k)
                break
    return Choice(chosen, ambiguous, None, best_total)


def _choose(slots: list[_Slot], index: AirwayIndex, start: tuple[float, float] | None,
            end: tuple[float, float] | None) -> list[int]:
    result = choose_candidates([s.candidates for s in slots], [s.connector_in for s in slots], index, start, end)
    if result.broken_at is not None:
        _raise_airway_mismatch(slots, result.broken_at, index)
    if result.ambiguous:
        slot = slots[result.ambiguous[0]]
        raise RouteError("ROUTE900", slot.element.text, slot.element.offset, field="15",
                         detail=f"{len(slot.candidates)} places share the designator and the route does not settle which")
    return result.chosen


def _raise_airway_mismatch(slots: list[_Slot], k: int, index: AirwayIndex) -> None:
    airway = slots[k].connector_in
    element = slots[k].connector_element
    offset = element.offset if element else None
    on_airway = {p for _, _, piece in index.pieces(airway) for p in piece.tolist()}
    if not any(c[2] in on_airway for c in slots[k - 1].candidates):
        raise RouteError("ROUTE139", airway, offset, field="15",
                         detail=f"{slots[k - 1].element.text} is not a point of {airway}")
    raise RouteError("ROUTE140", airway, offset, field="15",
                     detail=f"{slots[k].element.text} is not a point of {airway}")


# Step 3: expansion ----------------------------------------------------------------------------


def resolve_route(
    item15: Item15,
    nav: NavData,
    adep: str | None = None,
    ades: str | None = None,
    airway_index: AirwayIndex | None = None,
) -> ExpandedRoute:
    """Resolve and expand an Item 15 route.

    Parameters
    ----------
    item15
        The parsed route.
    nav
        Navigation data.
    adep, ades
        ICAO indicators of the departure and destination aerodromes. Their positions anchor
        the choice among duplicate designators; an aerodrome missing from the data only adds
        a warning.
    airway_index
        A shared :class:`AirwayIndex` over ``nav``, to reuse its cache across many routes.

    Returns
    -------
    ExpandedRoute
        Points from ADEP to ADES, with the Item 15 legs.

    Raises
    ------
    RouteError
        ``ROUTE130`` unknown designator, ``ROUTE139``/``ROUTE140`` point not on the airway,
        ``ROUTE171`` airways without a junction, ``ROUTE900`` ambiguous designator.
    """
    warnings: list[str] = []
    slots, truncated = _classify(item15, nav, warnings)
    anchors = []
    for icao in (adep, ades):
        found = nav.airport(icao) if icao and icao not in ("ZZZZ", "AFIL") else None
        if icao and icao not in ("ZZZZ", "AFIL") and found is None:
            warnings.append(f"ROUTE902 aerodrome {icao} not in the navigation data")
        anchors.append(found)
    start = nav.position(anchors[0]) if anchors[0] is not None else None
    end = nav.position(anchors[1]) if anchors[1] is not None else None

    index = airway_index if airway_index is not None else AirwayIndex(nav)
    points: list[ResolvedPoint] = []
    legs: list[Leg] = []
    if anchors[0] is not None:
        points.append(ResolvedPoint(adep or "", *start, anchors[0], None, "", item15.speed_level, "AD"))
    if slots:
        choice = _choose(slots, index, start, end)
        previous: tuple[float, float, int | None] | None = None
        for slot, chosen in zip(slots, choice):
            candidate = slot.candidates[chosen]
            connector = slot.connector_in
            leg_start = len(points) - 1
            if previous is not None and connector not in ("DCT", "SID", "STAR") and not _NAT.fullmatch(connector):
                _, path = index.leg(connector, previous[2], candidate[2])
                for p in path[:-1]:
                    points.append(ResolvedPoint(nav.point_name(p), *nav.position(p), p, None, connector,
                                                points[-1].speed_level if points else slot.speed_level))
            name = slot.element.designator or slot.element.text
            if slot.kind == "GEO":
                name = slot.element.text.split("/")[0]
            elif slot.kind == "REF":
                name = slot.element.text.split("/")[0]
            points.append(ResolvedPoint(name, candidate[0], candidate[1], candidate[2],
                                        slot.element_index if slot.element_index >= 0 else None,
                                        connector if previous is not None or connector != "DCT" else "DCT",
                                        slot.speed_level, slot.kind))
            if leg_start >= 0:
                legs.append(Leg("DCT" if _NAT.fullmatch(connector) else connector, leg_start, len(points) - 1))
            previous = candidate
    places: dict[str, tuple[float, float]] = {}
    for point in points:
        if point.element_index is None or point.kind != "PT":
            continue
        seen = places.setdefault(point.name, (point.lat_deg, point.lon_deg))
        if distance_nm(*seen, point.lat_deg, point.lon_deg) > SAME_PLACE_NM:
            warnings.append(f"ROUTE900 {point.name} names two places in this route, "
                            f"{distance_nm(*seen, point.lat_deg, point.lon_deg):.0f} NM apart: check which one is meant")
    if anchors[1] is not None:
        points.append(ResolvedPoint(ades or "", *end, anchors[1], None, "DCT",
                                    points[-1].speed_level if points else item15.speed_level, "AD"))
        if len(points) >= 2:
            legs.append(Leg("DCT", len(points) - 2, len(points) - 1))
    return ExpandedRoute(item15, points, legs, warnings, truncated)
