"""The geometry kernels against their twins in fpp.geo: equal results, bit for bit."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fpp import geo
from fpp.kernels import geometry as kernels

latitudes = st.floats(-89.9, 89.9, allow_nan=False)
longitudes = st.floats(-180.0, 180.0, allow_nan=False)
uk_latitudes = st.floats(47.0, 63.0, allow_nan=False)
uk_longitudes = st.floats(-14.0, 6.0, allow_nan=False)


@given(latitudes, longitudes, latitudes, longitudes)
def test_distance_equals_twin(lat1, lon1, lat2, lon2):
    assert kernels.distance_nm(lat1, lon1, lat2, lon2) == geo.distance_nm(lat1, lon1, lat2, lon2)


@given(latitudes, longitudes, latitudes, longitudes, st.floats(0.0, 1.0))
def test_interpolate_equals_twin(lat1, lon1, lat2, lon2, fraction):
    assert kernels.interpolate(lat1, lon1, lat2, lon2, fraction) == geo.interpolate(lat1, lon1, lat2, lon2, fraction)


@given(latitudes, longitudes, st.floats(0.0, 360.0), st.floats(0.0, 999.0))
def test_destination_equals_twin(lat, lon, bearing, distance):
    assert kernels.destination(lat, lon, bearing, distance) == geo.destination(lat, lon, bearing, distance)


@given(uk_latitudes, uk_longitudes, uk_latitudes, uk_longitudes, uk_latitudes, uk_longitudes, uk_latitudes, uk_longitudes)
def test_arc_fractions_equal_twin(lat1, lon1, lat2, lon2, lat3, lon3, lat4, lon4):
    out = np.zeros(4)
    count = kernels.arc_fractions(*kernels.to_xyz(lat1, lon1), *kernels.to_xyz(lat2, lon2),
                                  *kernels.to_xyz(lat3, lon3), *kernels.to_xyz(lat4, lon4), out, 0)
    expected = [c[0] for c in geo.arc_intersections(lat1, lon1, lat2, lon2, lat3, lon3, lat4, lon4)]
    assert out[:count].tolist() == expected


def test_arc_fractions_report_full_output():
    out = np.zeros(0)
    count = kernels.arc_fractions(*kernels.to_xyz(50.0, -5.0), *kernels.to_xyz(50.0, 5.0),
                                  *kernels.to_xyz(45.0, 0.0), *kernels.to_xyz(55.0, 0.0), out, 0)
    assert count == -1


@given(uk_latitudes, uk_longitudes, uk_latitudes, uk_longitudes, uk_latitudes, uk_longitudes)
def test_point_arc_distance_equals_twin(lat, lon, lat1, lon1, lat2, lon2):
    found = kernels.point_arc_distance_nm(*kernels.to_xyz(lat, lon), *kernels.to_xyz(lat1, lon1), *kernels.to_xyz(lat2, lon2))
    assert found == geo.point_arc_distance_nm(lat, lon, lat1, lon1, lat2, lon2)


@given(uk_latitudes, uk_longitudes)
def test_volume_tests_equal_twin(uk_volume_tables, lat, lon):
    volume, tables = uk_volume_tables
    assert kernels.volume_contains(tables, lat, lon) == volume.contains(lat, lon)
    assert kernels.volume_contains_strictly(tables, lat, lon) == volume.contains_strictly(lat, lon)
    assert kernels.volume_on_boundary(tables, lat, lon) == volume.on_boundary(lat, lon)


#: Offsets around a boundary point [deg]: from a few times the boundary tolerance down to zero.
offsets = st.one_of(st.just(0.0), st.floats(-1e-6, 1e-6), st.floats(-0.05, 0.05))


@st.composite
def near_boundary(draw, tables):
    """A position on or near an edge of the volume: a point of an edge, moved by a small offset."""
    vertex = draw(st.integers(0, len(tables.vertex_lat_deg) - 1))
    polygon = int(np.searchsorted(tables.poly_offsets, vertex, side="right")) - 1
    start, end = tables.poly_offsets[polygon], tables.poly_offsets[polygon + 1]
    following = start + (vertex + 1 - start) % (end - start)
    lat, lon = geo.interpolate(tables.vertex_lat_deg[vertex], tables.vertex_lon_deg[vertex],
                               tables.vertex_lat_deg[following], tables.vertex_lon_deg[following],
                               draw(st.one_of(st.just(0.0), st.just(1.0), st.floats(0.0, 1.0))))
    return lat + draw(offsets), lon + draw(offsets)


@given(st.data())
def test_volume_tests_equal_twin_near_boundary(uk_volume_tables, data):
    # The boundary test skips edges far from the position, so near an edge it must still agree.
    volume, tables = uk_volume_tables
    lat, lon = data.draw(near_boundary(tables))
    assert kernels.volume_contains(tables, lat, lon) == volume.contains(lat, lon)
    assert kernels.volume_on_boundary(tables, lat, lon) == volume.on_boundary(lat, lon)


def test_boundary_test_finds_a_vertex(uk_volume_tables):
    volume, tables = uk_volume_tables
    lat, lon = tables.vertex_lat_deg[0], tables.vertex_lon_deg[0]
    assert kernels.volume_on_boundary(tables, lat, lon)
    assert volume.on_boundary(lat, lon)
    assert not kernels.volume_on_boundary(tables, 0.0, 0.0)
    assert not volume.on_boundary(0.0, 0.0)


@given(latitudes, longitudes, latitudes, longitudes, st.floats(0.0, 1.0))
def test_cap_test_only_skips_far_legs(uk_volume_tables, lat1, lon1, lat2, lon2, fraction):
    volume, tables = uk_volume_tables
    a, b, c = kernels.to_xyz(lat1, lon1), kernels.to_xyz(lat2, lon2), tables.cap_centre
    skip = kernels.leg_outside_cap(tables, kernels.angle(*a, *c), kernels.angle(*b, *c), kernels.angle(*a, *b))
    if skip:
        assert volume.crossings(lat1, lon1, lat2, lon2) == []
        assert not volume.contains(*geo.interpolate(lat1, lon1, lat2, lon2, fraction))


def test_cap_test_skips_a_far_leg(uk_volume_tables):
    _, tables = uk_volume_tables
    a, b, c = kernels.to_xyz(40.0, -74.0), kernels.to_xyz(34.0, -118.0), tables.cap_centre
    assert kernels.leg_outside_cap(tables, kernels.angle(*a, *c), kernels.angle(*b, *c), kernels.angle(*a, *b))


def test_volume_cap_encloses_every_vertex(uk_volume_tables):
    _, tables = uk_volume_tables
    angles = [kernels.angle(*v, *tables.cap_centre) for v in tables.vertex_xyz]
    assert max(angles) <= tables.cap_radius_rad
    assert math.isfinite(tables.cap_radius_rad)
