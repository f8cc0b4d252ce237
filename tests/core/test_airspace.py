"""Clipping routes against an airspace: edge case E28 and leaving and re-entering."""

import numpy as np
import pytest

from fpp.convert.airspace import AirspaceVolume, inside_stretches
from fpp.geo import Polygon

SQFIR = Polygon(np.array([50.0, 50.0, 55.0, 55.0]), np.array([0.0, 10.0, 10.0, 0.0]))


@pytest.fixture(params=[0.01, 2.0], ids=["tol-0.01nm", "tol-2nm"])
def volume(request):
    return AirspaceVolume("SQFIR", [SQFIR], request.param)


def clip(volume, points):
    return inside_stretches(volume, [p[0] for p in points], [p[1] for p in points])


def test_touch_and_return_has_no_portion(volume):
    assert clip(volume, [(52, -5), (52, 0), (53, -5)]) == []


def test_waypoint_on_east_edge_is_the_exit(volume):
    stretches = clip(volume, [(52, 5), (52, 10), (53, 15)])
    assert len(stretches) == 1
    assert stretches[0].entry.position == 0.0
    assert stretches[0].exit.position == 1.0
    assert stretches[0].exit.at_point


def test_route_through_a_corner_enters_once(volume):
    stretches = clip(volume, [(49, -1), (50, 0), (51, 1)])
    assert len(stretches) == 1
    assert stretches[0].entry.position == 1.0
    assert stretches[0].exit.position == 2.0


def test_route_along_southern_edge_stays_outside_with_great_circle_edges(volume):
    # The edge 50N 0E - 50N 10E bulges to about 50.11N; the route ends are about 4 NM south of it.
    assert clip(volume, [(50, 2), (50, 8)]) == []


def test_leave_and_reenter_gives_two_portions(volume):
    stretches = clip(volume, [(52, -2), (52, 3), (56, 5), (52, 7), (52, 12)])
    assert len(stretches) == 2
    first, second = stretches
    assert 0 < first.entry.position < 1
    assert 1 < first.exit.position < 2
    assert 2 < second.entry.position < 3
    assert 3 < second.exit.position < 4
    assert first.exit.lat_deg == pytest.approx(55.0, abs=0.2)
    assert second.exit.lon_deg == pytest.approx(10.0, abs=1e-6)


def test_exit_inside_a_leg_is_computed():
    volume = AirspaceVolume("SQFIR", [SQFIR], 2.0)
    stretches = clip(volume, [(52, -10), (52, 5), (52, 30)])
    assert len(stretches) == 1
    assert stretches[0].entry.lon_deg == pytest.approx(0.0, abs=1e-6)
    assert stretches[0].exit.lon_deg == pytest.approx(10.0, abs=1e-6)
    assert not stretches[0].exit.at_point


def test_route_entirely_inside_is_one_portion(volume):
    stretches = clip(volume, [(51, 1), (52, 2), (53, 3)])
    assert [(s.entry.position, s.exit.position) for s in stretches] == [(0.0, 2.0)]


def test_single_point_has_no_portion(volume):
    assert clip(volume, [(52, 5)]) == []


def test_crossing_near_a_point_snaps_onto_it():
    # 50.1N 0.0E lies about 1.2 NM outside the edge 51.0833N 2E - 50N 0.25W, like SITET.
    edge = Polygon(np.array([51.0 + 5 / 60, 50.0, 49.0, 52.0]), np.array([2.0, -0.25, -3.0, -3.0]))
    volume = AirspaceVolume("EDGE", [edge], 2.0)
    stretches = clip(volume, [(50.855, -0.757), (50.1, 0.0), (49.68, 0.16)])
    assert len(stretches) == 1
    assert stretches[0].exit.position == 1.0
