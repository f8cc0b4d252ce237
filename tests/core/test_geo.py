"""Spherical geometry: distances, arcs, and polygons that enclose a pole or touch an edge."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fpp import geo

latitudes = st.floats(-89.0, 89.0)
longitudes = st.floats(-179.0, 179.0)


def test_distance_devils_lake_to_deauville():
    # Great-circle distance between the two VORs named DVL, from their published positions.
    d = geo.distance_nm(48.1152, -98.9125, 49.3108, 0.3127)
    assert 3600 < d < 3650


def test_distance_one_degree_of_latitude_is_sixty_nm():
    assert geo.distance_nm(50.0, 0.0, 51.0, 0.0) == pytest.approx(60.04, abs=0.05)


@pytest.mark.parametrize(
    ("lat", "lon", "bearing", "expected"),
    [
        (0.0, 0.0, 90.0, (0.0, 1.0)),
        (0.0, 0.0, 0.0, (1.0, 0.0)),
        (89.5, 0.0, 0.0, (89.5, 180.0)),  # over the pole
    ],
)
def test_destination_cases(lat, lon, bearing, expected):
    got = geo.destination(lat, lon, bearing, geo.EARTH_RADIUS_NM * math.radians(1.0))
    assert got[0] == pytest.approx(expected[0], abs=1e-6)
    assert abs((got[1] - expected[1] + 180) % 360 - 180) == pytest.approx(0.0, abs=1e-6)


@given(latitudes, longitudes, latitudes, longitudes)
def test_destination_inverts_bearing_and_distance(lat1, lon1, lat2, lon2):
    d = geo.distance_nm(lat1, lon1, lat2, lon2)
    if d < 1.0 or d > 10000:
        return
    b = geo.initial_bearing_deg(lat1, lon1, lat2, lon2)
    lat, lon = geo.destination(lat1, lon1, b, d)
    assert geo.distance_nm(lat, lon, lat2, lon2) < 1e-3


@given(latitudes, longitudes, latitudes, longitudes, st.floats(0.0, 1.0))
def test_interpolate_lies_on_the_arc(lat1, lon1, lat2, lon2, fraction):
    d = geo.distance_nm(lat1, lon1, lat2, lon2)
    if d > 10000:
        return
    lat, lon = geo.interpolate(lat1, lon1, lat2, lon2, fraction)
    assert geo.distance_nm(lat1, lon1, lat, lon) == pytest.approx(fraction * d, abs=1e-6 * max(d, 1.0) + 1e-6)


def test_arc_intersection_of_meridian_and_equator_leg():
    found = geo.arc_intersections(-10, 5, 10, 5, 0, 0, 0, 10)
    assert len(found) == 1
    fraction, lat, lon = found[0]
    assert fraction == pytest.approx(0.5)
    assert lat == pytest.approx(0.0, abs=1e-9)
    assert lon == pytest.approx(5.0)


def test_arc_intersection_missing_when_arcs_do_not_reach():
    assert geo.arc_intersections(1, 5, 10, 5, 0, 0, 0, 10) == []


def test_arc_intersection_across_antimeridian():
    found = geo.arc_intersections(0, 179, 0, -179, -5, 180, 5, 180)
    assert len(found) == 1
    assert abs(found[0][2]) == pytest.approx(180.0)


def test_point_arc_distance_to_middle_and_to_end():
    assert geo.point_arc_distance_nm(1, 5, 0, 0, 0, 10) == pytest.approx(60.04, abs=0.1)
    assert geo.point_arc_distance_nm(0, 12, 0, 0, 0, 10) == pytest.approx(120.1, abs=0.2)


SQUARE = geo.Polygon(np.array([50.0, 50.0, 55.0, 55.0]), np.array([0.0, 10.0, 10.0, 0.0]))


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [(52.0, 5.0, True), (52.0, -5.0, False), (56.0, 5.0, False), (49.0, 5.0, False), (54.9, 9.9, True)],
)
def test_square_fir_contains(lat, lon, inside):
    assert SQUARE.contains(lat, lon) is inside


def test_polygon_vertex_order_does_not_matter():
    reverse = geo.Polygon(SQUARE.lat_deg[::-1], SQUARE.lon_deg[::-1])
    for lat, lon in [(52.0, 5.0), (52.0, -5.0), (50.05, 5.0), (49.95, 5.0)]:
        assert reverse.contains(lat, lon) == SQUARE.contains(lat, lon)


def test_great_circle_edge_bulges_north_of_the_parallel():
    # The edge 50N 0E - 50N 10E is a great circle, about 50.11N at 5E: 50.05N 5E is outside.
    assert SQUARE.contains(50.05, 5.0) is False
    assert SQUARE.contains(50.15, 5.0) is True


def test_polygon_enclosing_the_pole():
    ring_lon = np.arange(-180.0, 180.0, 30.0)
    cap = geo.Polygon(np.full(len(ring_lon), 80.0), ring_lon)
    assert cap.contains(90.0, 0.0)
    assert cap.contains(85.0, 123.0)
    assert not cap.contains(75.0, 10.0)


def test_polygon_crossings_of_a_leg_through_it():
    found = SQUARE.crossings(52.0, -5.0, 52.0, 15.0)
    assert len(found) == 2
    assert found[0][2] == pytest.approx(0.0, abs=1e-6)
    assert found[1][2] == pytest.approx(10.0, abs=1e-6)


def test_polygon_rejects_a_closing_vertex_and_too_few_vertices():
    closed = geo.Polygon(np.array([50.0, 50.0, 55.0, 50.0]), np.array([0.0, 10.0, 10.0, 0.0]))
    assert len(closed.lat_deg) == 3
    with pytest.raises(ValueError):
        geo.Polygon(np.array([50.0, 51.0]), np.array([0.0, 1.0]))
