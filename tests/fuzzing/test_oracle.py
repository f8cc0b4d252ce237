"""The geometric oracle on shapes with known results, including the poles and the 180th meridian."""

import numpy as np
import pytest

from fpp.convert.airspace import AirspaceVolume, inside_stretches
from fpp.fuzzing.oracle import OracleVolume, merge_intervals
from fpp.geo import Polygon, arc_intersections, interpolate, point_arc_distance_nm

SQUARE = (np.array([50.0, 50.0, 55.0, 55.0]), np.array([0.0, 10.0, 10.0, 0.0]))


def test_crossings_of_a_leg_through_a_square():
    oracle = OracleVolume([SQUARE])
    crossings = oracle.crossings([52.0, 52.0], [-10.0, 30.0])
    west = arc_intersections(52.0, -10.0, 52.0, 30.0, 55.0, 0.0, 50.0, 0.0)
    assert len(crossings) == 2
    assert crossings[0] == pytest.approx(west[0][0], abs=1e-9)
    # The leg is symmetric about 10E, so it crosses the east edge half way.
    assert crossings[1] == pytest.approx(0.5, abs=1e-9)


def test_intervals_match_converter_crossing():
    oracle = OracleVolume([SQUARE])
    lat, lon = [52.0, 52.0, 52.0], [-10.0, 5.0, 30.0]
    exact = oracle.intervals(lat, lon)
    stretches = inside_stretches(AirspaceVolume("SQ", [Polygon(*SQUARE)], 0.01), lat, lon)
    assert len(exact) == 1
    assert exact[0][0] == pytest.approx(stretches[0].entry.position, abs=1e-9)
    assert exact[0][1] == pytest.approx(stretches[0].exit.position, abs=1e-9)


def test_grown_and_shrunk_regions_bracket_the_airspace():
    oracle = OracleVolume([SQUARE])
    lat, lon = [52.0, 52.0], [-10.0, 30.0]
    exact = oracle.intervals(lat, lon)[0]
    grown = oracle.intervals(lat, lon, oracle.grown(2.0))[0]
    shrunk = oracle.intervals(lat, lon, oracle.shrunk(2.0))[0]
    assert grown[0] < exact[0] < shrunk[0]
    assert shrunk[1] < exact[1] < grown[1]
    edge_distance = point_arc_distance_nm(*interpolate(52.0, -10.0, 52.0, 30.0, grown[0]), 55.0, 0.0, 50.0, 0.0)
    assert 2.0 <= edge_distance <= 2.0 * oracle.max_scale


def test_polar_cap_holds_the_pole():
    lats = np.full(12, 80.0)
    lons = np.arange(-180.0, 180.0, 30.0)
    oracle = OracleVolume([(lats, lons)])
    assert oracle.contains(90.0, 0.0)
    assert oracle.contains(89.99, 123.0)
    assert not oracle.contains(70.0, 0.0)
    intervals = oracle.intervals([85.0, 90.0, 85.0], [30.0, 0.0, -150.0])
    assert intervals == [(pytest.approx(0.0, abs=1e-9), pytest.approx(2.0))]


def test_polygon_across_the_antimeridian():
    oracle = OracleVolume([(np.array([-10.0, -10.0, 10.0, 10.0]), np.array([175.0, -175.0, -175.0, 175.0]))])
    assert oracle.contains(0.0, 180.0)
    assert oracle.contains(0.0, -179.0)
    assert not oracle.contains(0.0, 170.0)
    intervals = oracle.intervals([0.0, 0.0], [170.0, -170.0])
    assert len(intervals) == 1
    assert intervals[0][0] == pytest.approx(0.25, abs=1e-6)
    assert intervals[0][1] == pytest.approx(0.75, abs=1e-6)


def test_edge_distance_bounds_contain_the_true_distance():
    oracle = OracleVolume([SQUARE])
    lower, upper = oracle.edge_distance_bounds_nm(52.0, 5.0 + 0.0)
    # 52N 5E is 2 degrees of latitude (120 NM) from the 50N edge's bulge-free ends and 3 from 55N.
    assert lower <= upper
    assert 90.0 < lower < 125.0


def test_merge_intervals_joins_touching_ones():
    assert merge_intervals([(2.0, 3.0), (0.0, 1.0), (1.0, 1.5)]) == [(0.0, 1.5), (2.0, 3.0)]


def test_oracle_rejects_a_ring_that_spreads_too_far():
    with pytest.raises(ValueError):
        OracleVolume([(np.array([0.0, 0.0, 60.0]), np.array([0.0, 120.0, 60.0]))])


def test_zero_length_leg_inside_keeps_the_interval():
    oracle = OracleVolume([SQUARE])
    intervals = oracle.intervals([51.0, 52.0, 52.0, 53.0], [1.0, 2.0, 2.0, 3.0])
    assert intervals == [(pytest.approx(0.0, abs=1e-9), pytest.approx(3.0))]
