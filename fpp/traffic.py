"""Seeded generators of ordinary flight plans over real aerodromes and airways.

:func:`generate_uk_traffic` draws plans that follow a stretch of one real airway with at least
one point in UK airspace, between the aerodromes nearest to its ends.

:func:`generate_day` draws a day of traffic between busy European aerodromes, most of them to or
from the UK: each route is the shortest path over the airway network from a point near the
departure to a point near the destination, written as Item 15 (point, airway, point, ...). Off-
block times follow :data:`DAILY_PROFILE`. It is the benchmark corpus on a machine without
recorded traffic.

Callsigns, types and levels are drawn from short lists of common European values. The same seed
gives the same plans.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from fpp.convert.airspace import AirspaceVolume
from fpp.errors import PlanError
from fpp.formats.adexp import emit_adexp
from fpp.formats.icao import parse_icao
from fpp.geo import distance_nm
from fpp.navdata.store import NavData
from fpp.route.ifpl import build_ifpl
from fpp.route.resolve import AirwayIndex, resolve_route

__all__ = ["CALLSIGN_COUNT", "DAILY_PROFILE", "DAY_AERODROMES", "TrafficPlan", "airway_route", "generate_day", "generate_uk_traffic"]

_OPERATORS = ("BAW", "EZY", "RYR", "DLH", "AFR", "KLM", "VIR", "EIN", "SAS", "IBE", "TOM", "EXS", "LOG", "SHT", "BEE")
_TYPES = (("A320", "M"), ("A20N", "M"), ("B738", "M"), ("A319", "M"), ("E190", "M"), ("A321", "M"), ("B77W", "H"), ("A333", "H"), ("DH8D", "M"))
_FLIGHT_NUMBERS = range(10, 9999)
#: Number of distinct callsigns the generators draw from: the operators times the flight numbers.
CALLSIGN_COUNT = len(_OPERATORS) * len(_FLIGHT_NUMBERS)
_LEVELS = (250, 290, 310, 330, 350, 370, 390)
_SPEEDS = (420, 440, 450, 460, 470, 480)


@dataclass(frozen=True)
class TrafficPlan:
    """One generated plan: its ICAO text, its ADEXP IFPL text and when the IFPL arrives."""

    message_id: str
    fpl_text: str
    adexp_text: str
    arrival: datetime


def _uk_pieces(nav: NavData, volume: AirspaceVolume) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Airway pieces with at least two points inside the volume, and which points those are."""
    found = []
    lat, lon = nav.lat_deg, nav.lon_deg
    cache: dict[int, bool] = {}
    for name in sorted(nav.airway_names()):
        for piece in nav.airway_pieces(name):
            if not ((lat[piece] > 48.0) & (lat[piece] < 62.0) & (lon[piece] > -12.0) & (lon[piece] < 4.0)).any():
                continue
            inside = np.array([cache.setdefault(int(p), volume.contains(float(lat[p]), float(lon[p]))) for p in piece])
            if inside.sum() >= 2:
                found.append((name, piece, inside))
    return found


def generate_uk_traffic(
    nav: NavData,
    volume: AirspaceVolume,
    count: int,
    seed: int,
    first_arrival: datetime,
    rate_per_hour: float,
    accept: Callable[[str], bool] | None = None,
    max_attempts_per_plan: int = 50,
) -> list[TrafficPlan]:
    """Generate ``count`` ordinary plans arriving evenly at ``rate_per_hour`` from ``first_arrival``.

    Parameters
    ----------
    accept
        Optional filter on the ADEXP text; a plan it returns ``False`` for is drawn again.

    Raises
    ------
    RuntimeError
        When the data yields no plan after ``max_attempts_per_plan`` draws.
    """
    rng = random.Random(seed)
    pieces = _uk_pieces(nav, volume)
    if not pieces:
        raise RuntimeError("no airway crosses the airspace in this navigation data")
    airports = sorted((icao, i) for icao, i in nav.airports.items() if len(icao) == 4 and icao[0] in "EL" and icao.isalpha())
    airport_lat = nav.lat_deg[[i for _, i in airports]]
    airport_lon = nav.lon_deg[[i for _, i in airports]]
    index = AirwayIndex(nav)
    spacing = timedelta(hours=1.0 / rate_per_hour)
    plans: list[TrafficPlan] = []
    used: set[str] = set()

    def nearest_airport(point: int, exclude: str | None) -> str | None:
        d = (airport_lat - nav.lat_deg[point]) ** 2 + ((airport_lon - nav.lon_deg[point]) * np.cos(np.radians(nav.lat_deg[point]))) ** 2
        for k in np.argsort(d)[:5]:
            if airports[k][0] != exclude:
                return airports[k][0]
        return None

    for number in range(count):
        arrival = first_arrival + spacing * number
        for _ in range(max_attempts_per_plan):
            name, piece, inside = pieces[rng.randrange(len(pieces))]
            uk = int(rng.choice(np.nonzero(inside)[0].tolist()))
            i, j = rng.randrange(0, uk + 1), rng.randrange(uk, len(piece))
            if j - i < 2:
                continue
            if rng.random() < 0.5:
                i, j = j, i
            a, b = int(piece[i]), int(piece[j])
            route = f"{nav.point_name(a)} {name} {nav.point_name(b)}"
            adep = nearest_airport(a, None)
            ades = nearest_airport(b, adep)
            if adep is None or ades is None:
                continue
            operator = rng.choice(_OPERATORS)
            callsign = f"{operator}{rng.randrange(10, 9999)}"
            if callsign in used:
                continue
            aircraft, wake = rng.choice(_TYPES)
            eobt = arrival + timedelta(minutes=rng.randrange(30, 180))
            speed = rng.choice(_SPEEDS)
            a_index, b_index = nav.airports[adep], nav.airports[ades]
            # Total EET: the direct distance at the cruising speed plus 20 minutes for climb and descent.
            eet_min = 20 + round(60 * distance_nm(*nav.position(a_index), *nav.position(b_index)) / speed)
            fpl_text = (
                f"(FPL-{callsign}-IS\n-{aircraft}/{wake}-SDE2E3FGIJ1RWY/LB1\n-{adep}{eobt:%H%M}\n"
                f"-N0{speed}F{rng.choice(_LEVELS)} {route}\n-{ades}{eet_min // 60:02d}{eet_min % 60:02d}\n"
                f"-PBN/A1B1D1 DOF/{eobt:%y%m%d})"
            )
            try:
                fpl = parse_icao(fpl_text)
                expanded = resolve_route(fpl.route, nav, fpl.adep, fpl.ades, index)
                adexp = emit_adexp(build_ifpl(fpl, expanded, filing_time=arrival - timedelta(minutes=1)))
            except PlanError:
                continue
            if accept is not None and not accept(adexp):
                continue
            used.add(callsign)
            plans.append(TrafficPlan(callsign, fpl_text, adexp, arrival))
            break
        else:
            raise RuntimeError(f"no plan found for slot {number} after {max_attempts_per_plan} draws")
    return plans


#: Share of a day's departures in each UTC hour, a two-peak profile of a European hub day (few
#: flights at night, a morning and an evening wave). Relative weights; they need not sum to 1.
DAILY_PROFILE = (1, 1, 1, 1, 2, 5, 8, 9, 9, 8, 7, 7, 7, 7, 7, 8, 8, 9, 8, 7, 6, 4, 2, 1)

#: Aerodromes of :func:`generate_day` with their weights: UK aerodromes weigh more because the
#: converter extracts the UK portion, and one end of most plans is in the UK.
DAY_AERODROMES = (
    ("EGLL", 12), ("EGKK", 7), ("EGSS", 4), ("EGGW", 3), ("EGCC", 5), ("EGPH", 3), ("EGPF", 2), ("EGBB", 2),
    ("EGNX", 1), ("EGGD", 1), ("EGPD", 1), ("EGNT", 1), ("EGAA", 1), ("EGLC", 2), ("EIDW", 4), ("EHAM", 4),
    ("EDDF", 3), ("EDDM", 2), ("EDDL", 1), ("EDDH", 1), ("EBBR", 2), ("LFPG", 4), ("LFPO", 1), ("LFMN", 1),
    ("LEMD", 2), ("LEBL", 2), ("LPPT", 1), ("LIRF", 1), ("LIMC", 1), ("LSZH", 2), ("LSGG", 1), ("LOWW", 1),
    ("EKCH", 2), ("ENGM", 1), ("ESSA", 1), ("EFHK", 1), ("EPWA", 1), ("LKPR", 1), ("BIKF", 1),
)  # fmt: skip

#: Region of the airway network searched by :func:`generate_day` [deg]: Europe and the eastern
#: North Atlantic.
_REGION_LAT_DEG = (34.0, 68.0)
_REGION_LON_DEG = (-30.0, 32.0)
#: Farthest airway point joined from an aerodrome [NM].
_JOIN_NM = 60.0


def _region_graph(nav: NavData) -> dict[int, list[tuple[int, float, str]]]:
    """Airway segments inside the region, as adjacency lists of (point, length [NM], airway)."""
    lat, lon = nav.lat_deg, nav.lon_deg
    graph: dict[int, list[tuple[int, float, str]]] = {}
    for name in sorted(nav.airway_names()):
        for piece in nav.airway_pieces(name):
            for a, b in zip(piece[:-1].tolist(), piece[1:].tolist()):
                inside = all(_REGION_LAT_DEG[0] <= lat[p] <= _REGION_LAT_DEG[1] and _REGION_LON_DEG[0] <= lon[p] <= _REGION_LON_DEG[1]
                             for p in (a, b))
                if not inside or a == b:
                    continue
                length = distance_nm(lat[a], lon[a], lat[b], lon[b])
                graph.setdefault(a, []).append((b, length, name))
                graph.setdefault(b, []).append((a, length, name))
    return graph


def _nearest_nodes(nav: NavData, nodes: np.ndarray, airport: int, count: int = 3) -> list[int]:
    """Up to ``count`` airway points nearest to an aerodrome, within :data:`_JOIN_NM`."""
    a_lat, a_lon = nav.position(airport)
    d_lat = nav.lat_deg[nodes] - a_lat
    d_lon = (nav.lon_deg[nodes] - a_lon) * math.cos(math.radians(a_lat))
    order = np.argsort(d_lat * d_lat + d_lon * d_lon)[:count]
    return [int(nodes[k]) for k in order if distance_nm(a_lat, a_lon, *nav.position(int(nodes[k]))) <= _JOIN_NM]


def _shortest_path(graph: dict[int, list[tuple[int, float, str]]], start: int, goal: int) -> tuple[list[int], list[str]] | None:
    """Dijkstra over the airway graph: the points of the path and the airway of each segment."""
    best = {start: 0.0}
    previous: dict[int, tuple[int, str]] = {}
    queue = [(0.0, start)]
    while queue:
        cost, node = heapq.heappop(queue)
        if node == goal:
            break
        if cost > best.get(node, math.inf):
            continue
        for neighbour, length, airway in graph.get(node, ()):
            total = cost + length
            if total < best.get(neighbour, math.inf):
                best[neighbour] = total
                previous[neighbour] = (node, airway)
                heapq.heappush(queue, (total, neighbour))
    if goal not in best:
        return None
    points, airways = [goal], []
    while points[-1] != start:
        node, airway = previous[points[-1]]
        points.append(node)
        airways.append(airway)
    return points[::-1], airways[::-1]


def airway_route(nav: NavData, points: list[int], airways: list[str]) -> str:
    """Write a path over airways as Item 15 route elements: ``A UL9 B UN57 C``.

    ``airways[k]`` is the airway of the segment from ``points[k]`` to ``points[k + 1]``; a run of
    segments on one airway becomes one airway element between its first and last point.
    """
    tokens = [nav.point_name(points[0])]
    for k, airway in enumerate(airways):
        if k + 1 == len(airways) or airways[k + 1] != airway:
            tokens += [airway, nav.point_name(points[k + 1])]
    return " ".join(tokens)


def generate_day(
    nav: NavData,
    count: int,
    seed: int,
    day: date,
    route_pool: int = 400,
    progress: Callable[[int, int], None] | None = None,
) -> list[TrafficPlan]:
    """Generate a day of ``count`` plans between the aerodromes of :data:`DAY_AERODROMES`.

    Parameters
    ----------
    nav
        Navigation data with the aerodromes and airways.
    count
        Number of plans.
    seed
        Seed of the random draws; the same seed gives the same plans.
    day
        Date of flight (``DOF/``) of every plan.
    route_pool
        Number of aerodrome pairs drawn; each plan takes one of their routes, as a day repeats
        its city pairs.
    progress
        Called as ``progress(done, count)`` after each plan.

    Returns
    -------
    list of TrafficPlan
        Plans in order of off-block time; ``arrival`` is when the IFPL is sent, 1 to 3 hours
        before off-block. An off-block slot whose 20 draws give no plan that has a free callsign
        and can be written as ADEXP is left out, so the list is shorter than ``count`` when the
        count approaches :data:`CALLSIGN_COUNT`, or on 2099-12-31 for flights that would reach
        2100.

    Raises
    ------
    RuntimeError
        When no route can be built over the data (no airways near the aerodromes).
    """
    rng = random.Random(seed)
    graph = _region_graph(nav)
    nodes = np.array(sorted(graph), dtype=np.int64)
    aerodromes = [(icao, weight) for icao, weight in DAY_AERODROMES if nav.airport(icao) is not None]
    names = [icao for icao, _ in aerodromes]
    weights = [weight for _, weight in aerodromes]
    joins = {icao: _nearest_nodes(nav, nodes, nav.airports[icao]) for icao in names}
    index = AirwayIndex(nav)

    routes: list[tuple[str, str, str]] = []
    for _ in range(route_pool * 3):
        if len(routes) >= route_pool:
            break
        adep, ades = rng.choices(names, weights, k=2)
        if adep == ades or not joins[adep] or not joins[ades]:
            continue
        path = _shortest_path(graph, rng.choice(joins[adep]), rng.choice(joins[ades]))
        if path is None or len(path[0]) < 2:
            continue
        route = airway_route(nav, *path)
        try:
            resolve_route(parse_icao(_fpl("TEST1", "A320", "M", adep, "1200", 450, 350, route, ades, 60, day)).route,
                          nav, adep, ades, index)
        except PlanError:
            continue
        routes.append((adep, ades, route))
    if not routes:
        raise RuntimeError("no route between the aerodromes of DAY_AERODROMES over this navigation data")

    hours = rng.choices(range(24), DAILY_PROFILE, k=count)
    off_blocks = sorted(datetime(day.year, day.month, day.day, hour, rng.randrange(60)) for hour in hours)
    plans: list[TrafficPlan] = []
    used: set[str] = set()
    for number, eobt in enumerate(off_blocks):
        for _ in range(20):
            adep, ades, route = rng.choice(routes)
            callsign = f"{rng.choice(_OPERATORS)}{rng.randrange(_FLIGHT_NUMBERS.start, _FLIGHT_NUMBERS.stop)}"
            if callsign in used:
                continue
            aircraft, wake = rng.choice(_TYPES)
            speed = rng.choice(_SPEEDS)
            eet_min = 20 + round(60 * distance_nm(*nav.position(nav.airports[adep]), *nav.position(nav.airports[ades])) / speed)
            fpl_text = _fpl(callsign, aircraft, wake, adep, f"{eobt:%H%M}", speed, rng.choice(_LEVELS), route, ades, eet_min, day)
            arrival = eobt - timedelta(minutes=rng.randrange(60, 180))
            try:
                fpl = parse_icao(fpl_text)
                expanded = resolve_route(fpl.route, nav, fpl.adep, fpl.ades, index)
                adexp = emit_adexp(build_ifpl(fpl, expanded, filing_time=arrival))
            except (PlanError, ValueError):
                # ValueError: the IFPL cannot be written, such as an ETO after 2099 on 2099-12-31.
                continue
            used.add(callsign)
            plans.append(TrafficPlan(callsign, fpl_text, adexp, arrival))
            break
        if progress is not None:
            progress(number + 1, count)
    return plans


def _fpl(callsign: str, aircraft: str, wake: str, adep: str, eobt: str, speed_kt: int, level_fl: int, route: str,
         ades: str, eet_min: int, day: date) -> str:
    return (
        f"(FPL-{callsign}-IS\n-{aircraft}/{wake}-SDE2E3FGIJ1RWY/LB1\n-{adep}{eobt}\n"
        f"-N0{speed_kt}F{level_fl} {route}\n-{ades}{eet_min // 60:02d}{eet_min % 60:02d}\n"
        f"-PBN/A1B1D1 DOF/{day:%y%m%d})"
    )
