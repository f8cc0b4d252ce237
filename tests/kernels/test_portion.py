"""The conversion kernel (reconcile, clip, portions) against its twins."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fpp.kernels.adexp import split_messages
from fpp.kernels.geometry import to_xyz
from fpp.kernels.portion import (
    convert_resolved,
    convert_resolved_python,
    extract_resolved,
    make_resolved_batch,
    reconcile,
)
from fpp.kernels.route import SLOT_GEO, SLOT_POINT, reconcile_python
from fpp.kernels.scratch import make_scratch

# Points on a small grid, so that equal designators and close places occur often.
places = st.tuples(st.sampled_from([50.0, 50.01, 50.5, 51.0]), st.sampled_from([0.0, 0.02, 1.0]))
rtepts = st.lists(st.tuples(places, st.integers(0, 3), st.booleans()), min_size=1, max_size=8)
filed_points = st.lists(st.tuples(places, st.integers(-1, 3), st.booleans()), max_size=5)


def _xyz(points):
    return np.array([to_xyz(lat, lon) for lat, lon in points], dtype=np.float64).reshape(-1, 3)


@given(rtepts, filed_points, st.booleans())
def test_reconcile_equals_twin(points, filed, any_labels):
    point_xyz = _xyz([p for p, _, _ in points])
    point_ident = np.array([name for _, name, _ in points], dtype=np.int64)
    point_label = np.array([labelled for _, _, labelled in points], dtype=np.bool_)
    filed_xyz = _xyz([p for p, _, _ in filed])
    kind = np.array([SLOT_GEO if by_place else SLOT_POINT for _, _, by_place in filed], dtype=np.int64)
    names = np.array([name for _, name, _ in filed], dtype=np.int64)
    alignment = np.zeros(len(filed) + 1, dtype=np.int64)
    latest = np.zeros(len(filed) + 1, dtype=np.int64)
    status = reconcile(filed_xyz, kind, names, len(filed), point_xyz, point_ident, point_label, any_labels, len(points), 2.0,
                       alignment, latest)

    label = {-1: ""} | {k: f"P{k}" for k in range(4)}
    expected_status, expected = reconcile_python([(p[0], p[1], by_place, label[name]) for p, name, by_place in filed],
                                                 [(p[0], p[1], label[name], labelled) for p, name, labelled in points], 2.0,
                                                 any_labels)
    assert status == expected_status
    if status == 0:
        assert alignment[: len(filed)].tolist() == expected


def _resolved(batch_converter, messages):
    data = "\n\n".join(messages).encode("ascii")
    buffer = np.frombuffer(data, dtype=np.uint8)
    starts = np.zeros(len(buffer) // 2 + 1, dtype=np.int64)
    ends = np.zeros_like(starts)
    count = split_messages(buffer, starts, ends)
    scratch = make_scratch(int((ends[:count] - starts[:count]).max()))
    resolved = make_resolved_batch(count, 200 * count, 100 * count)
    limits = batch_converter.limits
    done = extract_resolved(buffer, starts[:count], ends[:count], batch_converter.keywords, batch_converter.nav_tables,
                            limits.max_points, limits.max_ground_speed_kt, limits.match_tolerance_nm, scratch, resolved)
    assert done == count
    return resolved, scratch


def _convert(batch_converter, resolved, scratch):
    plans = int(resolved.counts[0])
    longest = int(np.diff(resolved.point_offsets[: plans + 1]).max()) + 1
    status = np.zeros(plans, dtype=np.int64)
    portions = np.zeros((plans, 2), dtype=np.int64)
    rows = np.zeros((plans + 8, 8))
    total = convert_resolved(resolved, batch_converter.volume_tables, batch_converter.limits.match_tolerance_nm,
                             np.zeros(longest), np.zeros(longest), np.zeros((longest, 3)), scratch.alignment, scratch.latest,
                             scratch.fractions, np.zeros((64, 6)), status, portions, rows)
    found = []
    for p in range(plans):
        first, count = portions[p]
        found.append((int(status[p]), [tuple(rows[first + k, :6].tolist()) for k in range(count)]))
    return total, found


def test_convert_resolved_equals_twin_on_generated_traffic(batch_converter, uk_volume, generated_messages):
    resolved, scratch = _resolved(batch_converter, generated_messages)
    total, found = _convert(batch_converter, resolved, scratch)
    assert found == convert_resolved_python(resolved, uk_volume, batch_converter.limits.match_tolerance_nm)
    assert total > 0
