"""The expansion kernel against resolve_route, its twin."""

from __future__ import annotations

import numpy as np
import pytest

from fpp.convert.airspace import uk_airspace
from fpp.convert.batch import BatchConverter
from fpp.kernels.adexp import scan_messages, split_messages
from fpp.kernels.expand import expand_routes, expand_routes_python
from fpp.kernels.scratch import make_scratch


def _expand(converter: BatchConverter, messages: list[str]):
    data = "\n\n".join(messages).encode("ascii")
    buffer = np.frombuffer(data, dtype=np.uint8)
    starts = np.zeros(len(buffer) // 2 + 1, dtype=np.int64)
    ends = np.zeros_like(starts)
    count = split_messages(buffer, starts, ends)
    scratch = make_scratch(int((ends[:count] - starts[:count]).max()))
    status = np.zeros(count, dtype=np.int64)
    header = np.full((count, 9, 2), -1, dtype=np.int64)
    assert scan_messages(buffer, starts[:count], ends[:count], converter.keywords, scratch, status, header) == count

    route_status = np.zeros(count, dtype=np.int8)
    offsets = np.zeros(count + 1, dtype=np.int64)
    points = np.zeros(200 * count, dtype=np.int64)
    lat, lon = np.zeros(200 * count), np.zeros(200 * count)
    done = expand_routes(buffer, header[:, 8, 0], header[:, 8, 1], header[:, 6], header[:, 7], converter.nav_tables,
                         scratch, route_status, offsets, points, lat, lon)
    assert done == count
    found = [None if route_status[r] != 0 else
             [(int(points[k]), float(lat[k]), float(lon[k])) for k in range(offsets[r], offsets[r + 1])] for r in range(count)]
    routes = [tuple(data[s:e].decode("ascii") if s >= 0 else None for s, e in header[r, [8, 6, 7]]) for r in range(count)]
    return found, routes


def test_expand_equals_twin_on_generated_traffic(batch_converter, default_nav, generated_messages):
    found, routes = _expand(batch_converter, generated_messages)
    assert found == expand_routes_python(default_nav, routes)
    assert all(points is not None for points in found)


@pytest.mark.shared
def test_expand_equals_twin_on_recorded_traffic(shared_nav, recorded_messages):
    converter = BatchConverter(shared_nav, uk_airspace(shared_nav))
    found, routes = _expand(converter, recorded_messages)
    expected = expand_routes_python(shared_nav, routes)
    expanded = [(f, e) for f, e in zip(found, expected) if f is not None]
    assert [f for f, _ in expanded] == [e for _, e in expanded]
    assert len(expanded) >= 0.95 * len(found)
