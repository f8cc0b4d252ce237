"""Small navigation data sets built in code for route and conversion tests."""

import numpy as np
import pytest

from fpp.navdata.store import Airspace, NavData, PointKind


def build_nav(points, airways=(), airports=(), firs=()):
    """Build a NavData from ``(name, lat, lon)`` points, ``(airway, [names])`` and more.

    Airway point names resolve to the first point of that name; use unique names in fixtures
    unless a test is about duplicates.
    """
    nav = NavData("fixture")
    first = {}
    for name, lat, lon, *kind in points:
        index = nav.add_point(name, lat, lon, kind[0] if kind else PointKind.FIX)
        first.setdefault(name, index)
    for name, lat, lon in airports:
        nav.add_point(name, lat, lon, PointKind.AIRPORT)
    for airway, names in airways:
        nav.add_airway(airway, [first[n] if isinstance(n, str) else n for n in names])
    for ident, lats, lons in firs:
        nav.add_airspace(Airspace(ident, [(np.array(lats, dtype=float), np.array(lons, dtype=float))]))
    return nav


@pytest.fixture
def dup_nav():
    """The E01 fixture: DUPAA twice, far apart, and a square FIR XXFIR."""
    return build_nav(
        points=[("DUPAA", 40.0, -60.0), ("DUPAA", 52.0, 30.0), ("WESTA", 52.0, -10.0), ("MIDAA", 52.0, 5.0)],
        airways=[("QX1", ["WESTA", "MIDAA"])],
        airports=[("ZZAA", 39.0, -65.0), ("ZZBB", 52.0, 35.0)],
        firs=[("XXFIR", [50.0, 50.0, 55.0, 55.0], [0.0, 10.0, 10.0, 0.0])],
    )


def make_fpl(route, adep="ZZAA", ades="ZZBB", callsign="TEST1", eobt="0800", dof="230828"):
    """ICAO FPL text for a route, with plausible fields around it."""
    return f"(FPL-{callsign}-IS\n-A320/M-SDFGRWY/LB1\n-{adep}{eobt}\n-{route}\n-{ades}0900\n-PBN/A1B1 DOF/{dof})"


def make_ifpl(nav, route, adep="ZZAA", ades="ZZBB", **kwargs):
    """The ADEXP IFPL that fpp's expansion builds for a route over ``nav``."""
    from fpp.formats.adexp import emit_adexp, parse_adexp
    from fpp.formats.icao import parse_icao
    from fpp.route.ifpl import build_ifpl
    from fpp.route.resolve import resolve_route

    fpl = parse_icao(make_fpl(route, adep, ades, **kwargs))
    expanded = resolve_route(fpl.route, nav, fpl.adep, fpl.ades)
    return parse_adexp(emit_adexp(build_ifpl(fpl, expanded)))


@pytest.fixture
def trap_nav():
    """The August 2023 pattern in miniature.

    Item 15 names DUPAA (the western one) early. The airway QX2 leaves the square FIR XXFIR
    after EXITP and passes OUTSD and the eastern DUPAA. Neither the exit nor OUTSD is in Item
    15, and the point after them shares its designator with an Item 15 point.
    """
    return build_nav(
        points=[
            ("DUPAA", 40.0, -60.0), ("WESTA", 52.0, -10.0), ("MIDAA", 52.0, 5.0), ("EXITP", 52.0, 9.95),
            ("OUTSD", 52.0, 14.0), ("DUPAA", 52.0, 20.0), ("LASTP", 52.0, 30.0), ("NORTH", 57.0, 7.0),
        ],
        airways=[("QX1", ["WESTA", "MIDAA"]), ("QX2", [2, 3, 4, 5, 6])],
        airports=[("ZZAA", 39.0, -65.0), ("ZZBB", 52.0, 35.0)],
        firs=[("XXFIR", [50.0, 50.0, 55.0, 55.0], [0.0, 10.0, 10.0, 0.0])],
    )
