"""The airspace crossing kernel against inside_stretches, its twin."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fpp.kernels.clip import clip_routes, clip_routes_python

# Routes that start, end or pass near the London and Scottish FIRs, and some far away.
near = st.tuples(st.floats(46.0, 63.0), st.floats(-16.0, 8.0))
anywhere = st.tuples(st.floats(-60.0, 75.0), st.floats(-179.0, 179.0))
routes = st.lists(st.lists(st.one_of(near, near, anywhere), min_size=0, max_size=9), min_size=1, max_size=6)


def _clip(tables, routes_):
    offsets = np.concatenate(([0], np.cumsum([len(r) for r in routes_]))).astype(np.int64)
    lat = np.array([p[0] for r in routes_ for p in r], dtype=np.float64)
    lon = np.array([p[1] for r in routes_ for p in r], dtype=np.float64)
    counts = np.zeros(len(routes_), dtype=np.int64)
    out = np.zeros((64, 6))
    used = clip_routes(tables, offsets, lat, lon, np.zeros(256), np.zeros((32, 6)), counts, out)
    found, row = [], 0
    for count in counts:
        found.append([tuple(out[row + k].tolist()) for k in range(count)])
        row += count
    assert used == row
    return found, offsets, lat, lon


@given(routes)
def test_clip_equals_twin(uk_volume_tables, routes_):
    volume, tables = uk_volume_tables
    found, offsets, lat, lon = _clip(tables, routes_)
    assert found == clip_routes_python(volume, offsets, lat, lon)


@given(st.data())
def test_clip_equals_twin_along_boundary(uk_volume_tables, data):
    # The side test skips edges on one side of a leg, so it could go wrong on legs that start or
    # end on or beside an edge and on legs that graze a vertex.
    from tests.kernels.test_geometry import near_boundary

    volume, tables = uk_volume_tables
    points = data.draw(st.lists(st.one_of(near_boundary(tables), near), min_size=2, max_size=6))
    found, offsets, lat, lon = _clip(tables, [points])
    assert found == clip_routes_python(volume, offsets, lat, lon)


def test_clip_on_routes_through_the_uk(uk_volume_tables):
    volume, tables = uk_volume_tables
    crossing = [[(48.0, -4.0), (52.0, -1.0), (56.0, -3.0), (60.0, 2.0)], [(40.0, -74.0), (51.5, -0.5)], [(10.0, 10.0), (11.0, 11.0)]]
    found, offsets, lat, lon = _clip(tables, crossing)
    assert found == clip_routes_python(volume, offsets, lat, lon)
    assert len(found[0]) >= 1
    assert found[2] == []
