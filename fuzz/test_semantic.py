"""Semantic fuzzers: plans walked over the real navigation graph, against the hardened converter and the oracle."""

import itertools
from collections import Counter

import numpy as np
from hypothesis import assume, given, seed
from hypothesis import strategies as st

from fpp.convert.airspace import AirspaceVolume, inside_stretches
from fpp.fuzzing.compare import CLASSES, classify
from fpp.fuzzing.oracle import OracleVolume
from fpp.fuzzing.profiles import fuzz_seed, fuzz_settings
from fpp.fuzzing.properties import (
    check_channel_containment,
    check_hardened_case,
    check_presentation,
)
from fpp.fuzzing.routes import build_case, plan_cases
from fpp.fuzzing.targets import TARGETS, run_check
from fpp.fuzzing.world import default_world
from fpp.geo import Polygon, destination, distance_nm

WORLD = default_world()
CLASS_COUNTS: Counter[str] = Counter()


@seed(fuzz_seed())
@fuzz_settings(weight=2)
@given(plan_cases(WORLD))
def test_hardened_plans_keep_every_invariant(case):
    check_channel_containment(case.adexp_text, WORLD.hardened, stop_on_unexpected=False)
    check_hardened_case(case, WORLD)
    check_presentation(case, WORLD)


@seed(fuzz_seed())
@fuzz_settings(weight=2)
@given(TARGETS["hardened-messages"].strategy(WORLD))
def test_loose_ifpl_messages_raise_only_plan_errors(text):
    run_check(TARGETS["hardened-messages"], text, WORLD)


@seed(fuzz_seed())
@fuzz_settings(weight=1)
@given(plan_cases(WORLD))
def test_kernels_equal_hardened_on_plans(case):
    run_check(TARGETS["kernel-plans"], case.spec, WORLD)


@seed(fuzz_seed())
@fuzz_settings(weight=1)
@given(TARGETS["kernel-messages"].strategy(WORLD))
def test_kernels_equal_hardened_on_loose_messages(text):
    run_check(TARGETS["kernel-messages"], text, WORLD)


@seed(fuzz_seed())
@fuzz_settings(weight=1)
@given(plan_cases(WORLD))
def test_every_disagreement_has_a_class(case):
    found = classify(case, WORLD)
    CLASS_COUNTS[found] += 1
    assert found in CLASSES
    assert found not in ("unclassified", "legacy-crash"), f"{found}: {case.spec!r}"


def test_disagreement_classes_are_counted():
    # Runs after the property above in file order; a run of it alone counts nothing.
    if not CLASS_COUNTS:
        for spec in (TARGETS["legacy-plans"].strategy(WORLD).example() for _ in range(5)):
            CLASS_COUNTS[classify(build_case(spec, WORLD), WORLD)] += 1
    print("legacy against hardened:", dict(sorted(CLASS_COUNTS.items())))
    assert sum(CLASS_COUNTS.values()) > 0
    assert set(CLASS_COUNTS) <= set(CLASSES)


@st.composite
def star_polygons(draw):
    """A simple polygon around a centre anywhere on Earth, the poles and the 180th meridian included."""
    lat = draw(st.one_of(st.floats(-89.0, 89.0), st.sampled_from([90.0, -90.0, 89.99, 0.0])))
    lon = draw(st.one_of(st.floats(-180.0, 180.0), st.sampled_from([180.0, -180.0, 179.99, -179.99])))
    radius_nm = draw(st.floats(60.0, 900.0))
    count = draw(st.integers(3, 10))
    bearings = sorted(draw(st.lists(st.floats(0.0, 359.0), min_size=count, max_size=count, unique=True)))
    if any(b - a < 2.0 for a, b in zip(bearings, bearings[1:] + [bearings[0] + 360.0])):
        bearings = [k * 360.0 / count for k in range(count)]
    scales = [draw(st.floats(0.5, 1.0)) for _ in bearings]
    if abs(lat) > 89.0:
        # Bearings from a pole are undefined: place the vertices by longitude around it.
        sign = 1.0 if lat > 0 else -1.0
        vertices = [(sign * (90.0 - radius_nm * s / 60.0), (b + 180.0) % 360.0 - 180.0) for b, s in zip(bearings, scales)]
        lat, lon = sign * 90.0, 0.0
    else:
        vertices = [destination(lat, lon, b, radius_nm * s) for b, s in zip(bearings, scales)]
    return (lat, lon, radius_nm), np.array([v[0] for v in vertices]), np.array([v[1] for v in vertices])


@st.composite
def clip_cases(draw):
    (lat, lon, radius_nm), lats, lons = draw(star_polygons())
    count = draw(st.integers(2, 7))
    route = [destination(lat, lon, draw(st.floats(0.0, 360.0)), radius_nm * draw(st.floats(0.0, 2.5))) for _ in range(count)]
    return lats, lons, route


@seed(fuzz_seed())
@fuzz_settings(weight=4)
@given(clip_cases(), st.sampled_from([0.01, 2.0]))
def test_clipping_matches_the_oracle_anywhere(case, tolerance_nm):
    lats, lons, route = case
    try:
        oracle = OracleVolume([(lats, lons)])
    except ValueError:
        assume(False)  # a degenerate ring: no area, or self-intersecting after rounding
    volume = AirspaceVolume("FUZZ", [Polygon(lats, lons)], tolerance_nm)
    lat = [p[0] for p in route]
    lon = [p[1] for p in route]
    # Route positions on a leg of a few nanometres are rounding noise; equal points are fine.
    legs = [distance_nm(lat[k], lon[k], lat[k + 1], lon[k + 1]) for k in range(len(lat) - 1)]
    assume(all(leg == 0.0 or leg >= 0.01 for leg in legs))
    stretches = inside_stretches(volume, lat, lon)
    margin = tolerance_nm + 0.15
    near = oracle.intervals(lat, lon, oracle.grown(margin))
    deep = oracle.intervals(lat, lon, oracle.shrunk(margin))
    portions = [(s.entry.position, s.exit.position) for s in stretches]
    for start, end in portions:
        assert start < end
        assert any(a - 1e-6 <= start and end <= b + 1e-6 for a, b in near), f"stretch {start}-{end} leaves {near}"
    for start, end in deep:
        assert any(a - 1e-6 <= start and end <= b + 1e-6 for a, b in portions), f"deep {start}-{end} not in {portions}"
    for a, b in itertools.pairwise(portions):
        assert a[1] <= b[0]
