"""Seeded generator of ordinary flight plans over UK airways.

Each plan follows a stretch of one real airway with at least one point in UK airspace, between
the aerodromes nearest to its ends. Callsigns, types and levels are drawn from short lists of
common European values. The same seed gives the same plans.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from fpp.convert.airspace import AirspaceVolume
from fpp.errors import PlanError
from fpp.formats.adexp import emit_adexp
from fpp.formats.icao import parse_icao
from fpp.geo import distance_nm
from fpp.navdata.store import NavData
from fpp.route.ifpl import build_ifpl
from fpp.route.resolve import AirwayIndex, resolve_route

__all__ = ["TrafficPlan", "generate_uk_traffic"]

_OPERATORS = ("BAW", "EZY", "RYR", "DLH", "AFR", "KLM", "VIR", "EIN", "SAS", "IBE", "TOM", "EXS", "LOG", "SHT", "BEE")
_TYPES = (("A320", "M"), ("A20N", "M"), ("B738", "M"), ("A319", "M"), ("E190", "M"), ("A321", "M"), ("B77W", "H"), ("A333", "H"), ("DH8D", "M"))
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
