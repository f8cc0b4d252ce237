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
