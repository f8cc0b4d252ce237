"""Regression tests for the defects the fuzzers found in the hardened logic and the channel pair.

Each test builds the smallest navigation data that shows the defect. The fuzzer's own reproducer
on the default data follows it where the geometry is hard to build by hand.
"""

from datetime import datetime, timedelta

import numpy as np
import pytest

from fpp.convert.airspace import AirspaceVolume, inside_stretches, uk_airspace
from fpp.convert.hardened import HardenedConverter
from fpp.errors import ConversionError
from fpp.formats.adexp import emit_adexp, parse_adexp
from fpp.formats.icao import parse_icao
from fpp.geo import Polygon, distance_nm
from fpp.navdata.store import Airspace, NavData, PointKind
from fpp.route.ifpl import build_ifpl
from fpp.route.resolve import resolve_route
from fpp.system.channel import Channel, ChannelPair, ChannelState, ChannelTiming, Outcome

SQUARE = ([50.0, 50.0, 55.0, 55.0], [0.0, 10.0, 10.0, 0.0])


def build_nav(points, airways=(), airports=()):
    """A store with named points (a repeated name is a duplicate), airways by point index, and the square FIR XXFIR."""
    nav = NavData("regression")
    indices = [nav.add_point(name, lat, lon, PointKind.FIX) for name, lat, lon in points]
    for name, lat, lon in airports:
        nav.add_point(name, lat, lon, PointKind.AIRPORT)
    for airway, members in airways:
        nav.add_airway(airway, [indices[k] for k in members])
    nav.add_airspace(Airspace("XXFIR", [(np.array(SQUARE[0]), np.array(SQUARE[1]))]))
    return nav


def convert(nav, route, adep, ades):
    """Build the IFPL of a route as fpp's IFPS model does and convert it with the hardened logic."""
    fpl = parse_icao(f"(FPL-REG1-IS\n-A320/M-SDFGRWY/LB1\n-{adep}0800\n-{route}\n-{ades}0900\n-DOF/230828)")
    message = parse_adexp(emit_adexp(build_ifpl(fpl, resolve_route(fpl.route, nav, fpl.adep, fpl.ades))))
    return HardenedConverter(nav, uk_airspace(nav, 2.0, ("XXFIR",))).convert(message)


# -- clipping ------------------------------------------------------------------------------------------


def test_point_beyond_tolerance_not_extracted():
    # The leg crosses the east edge 2.3 NM before its end point, which lies 2.3 NM outside: the
    # crossing is too far from the point to snap onto it, and the stretch after it is outside.
    volume = AirspaceVolume("SQ", [Polygon(np.array(SQUARE[0]), np.array(SQUARE[1]))], 2.0)
    outside_lon = 10.0 + 2.3 / (60.0 * np.cos(np.radians(52.0)))
    stretches = inside_stretches(volume, [52.0, 52.0, 53.0], [5.0, outside_lon, 15.0])
    assert len(stretches) == 1
    assert not stretches[0].exit.at_point
    assert stretches[0].exit.position < 1.0
    assert stretches[0].exit.lon_deg == pytest.approx(10.0, abs=1e-6)


def test_stretch_along_the_edge_within_tolerance_stays_inside():
    # The documented rule is kept: a leg that runs 1 NM outside the edge is on the boundary.
    volume = AirspaceVolume("SQ", [Polygon(np.array(SQUARE[0]), np.array(SQUARE[1]))], 2.0)
    east = 10.0 + 1.0 / (60.0 * np.cos(np.radians(52.0)))
    stretches = inside_stretches(volume, [52.0, 52.0, 53.0], [5.0, east, east])
    assert [(s.entry.position, s.exit.position) for s in stretches] == [(0.0, 2.0)]


def test_fuzzer_plan_through_evrin_keeps_every_invariant():
    from fpp.fuzzing.properties import check_hardened_case
    from fpp.fuzzing.routes import PlanSpec, build_case
    from fpp.fuzzing.world import default_world

    world = default_world()
    case = build_case(PlanSpec("N0480F370", ("STU30", "UL607", "EVRIN"), "EGFE", "EIWF"), world)
    record = check_hardened_case(case, world)
    assert [p.name for p in record.portions[0].points] == ["EGFE", "STU30"]


# -- placing and reconciling RTEPTS ----------------------------------------------------------------------


def test_two_close_places_of_one_designator_reconcile():
    # TWINA is on Q1 at 6.0E and again 3.7 NM west of it, where the DCT-only placement of RTEPTS
    # prefers it because the destination lies beyond. Both are one place for the conversion.
    nav = build_nav(
        [("WESTA", 52.0, 2.0), ("TWINA", 52.0, 6.0), ("TWINA", 52.0, 5.9)],
        airways=[("Q1", [0, 1])],
        airports=[("ZZAA", 52.0, -3.0), ("ZZBB", 52.0, 5.85)],
    )
    record = convert(nav, "N0480F370 WESTA Q1 TWINA", "ZZAA", "ZZBB")
    assert record.portions[0].route_text == "WESTA Q1 TWINA"
    twin = next(p for p in record.portions[0].points if p.name == "TWINA")
    assert (twin.lat_deg, twin.lon_deg) == (52.0, 6.0)


def test_bearing_distance_point_placed_from_ref():
    nav = build_nav([("WESTA", 52.0, 2.0), ("MIDAA", 53.0, 6.0)], airports=[("ZZAA", 52.0, -3.0), ("ZZBB", 53.0, 12.0)])
    record = convert(nav, "N0480F370 WESTA DCT WESTA090060 DCT MIDAA", "ZZAA", "ZZBB")
    assert record.portions[0].route_text == "WESTA DCT WESTA090060 DCT MIDAA"
    assert any(p.name == "REF01" for p in record.portions[0].points)


def test_latlon_point_near_aerodrome_reconciles():
    # The last lat/long point lies 1 NM from the destination: matched by place alone it would
    # match the aerodrome too, and the reconciliation would not be unique (CONV202).
    nav = build_nav([("WESTA", 52.0, 2.0)], airports=[("ZZAA", 52.0, -3.0), ("ZZBB", 52.5, 5.0)])
    record = convert(nav, "N0480F370 WESTA DCT 5231N00500E", "ZZAA", "ZZBB")
    assert record.portions[0].route_text == "WESTA DCT 5231N00500E"


def test_namesake_near_the_great_circle_is_not_chosen():
    # LNDXX names a point on Q9 inside the FIR and a point in Asia near the great circle from
    # FARPT: by distance alone the Asian one makes a shorter route, but Q9 settles it.
    nav = build_nav(
        [("FARPT", 31.4, 73.0), ("LNDXX", 45.0, 45.0), ("LNDXX", 52.0, 1.0), ("EASTB", 52.5, 4.0)],
        airways=[("Q9", [2, 3])],
        airports=[("ZZAA", 31.5, 73.1), ("ZZBB", 52.6, 4.2)],
    )
    record = convert(nav, "N0480F370 FARPT DCT LNDXX Q9 EASTB", "ZZAA", "ZZBB")
    placed = next(p for p in record.portions[0].points if p.name == "LNDXX")
    assert distance_nm(placed.lat_deg, placed.lon_deg, 52.0, 1.0) < 0.01


def test_repeated_designator_takes_its_place_in_sequence():
    # TWINC is visited near ALPHA and then, as a different place, joined to Q5 far south. By
    # distance alone the near TWINC makes the shorter route for the second visit too.
    nav = build_nav(
        [("ALPHA", 52.0, 2.0), ("TWINC", 52.5, 3.0), ("TWINC", 30.0, 3.0), ("SOUTH", 30.0, 6.0)],
        airways=[("Q5", [2, 3])],
        airports=[("ZZAA", 52.6, 3.1), ("ZZBB", 29.9, 6.1)],
    )
    record = convert(nav, "N0480F370 TWINC DCT ALPHA DCT TWINC Q5 SOUTH", "ZZAA", "ZZBB")
    assert len(record.portions) == 1
    assert record.portions[0].exit.lat_deg < 50.1


def test_fuzzer_plans_with_close_namesakes_convert():
    from fpp.fuzzing.properties import check_hardened_case
    from fpp.fuzzing.routes import PlanSpec, build_case
    from fpp.fuzzing.world import default_world

    world = default_world()
    plans = [
        PlanSpec("N0480F370", ("DODEN", "DCT", "5044N01217E", "DCT", "5104N01218E", "DCT", "VATUP", "TL8", "HOZ"), "EDGB", "ETSH"),
        PlanSpec("N0480F370", ("CLR", "TG21", "LXI"), "EHVB", "LFSX"),
        PlanSpec("N0480F370", ("FA", "DCT", "LND", "UN18", "PEMOB"), "OPFA", "EGFE"),
        PlanSpec("N0480F370", ("OSB", "DCT", "OSB076044", "DCT", "NAY"), "CYQX", "LFSO"),
        PlanSpec("N0480F370", ("CV", "AB", "CV", "UG853F", "TERBA"), "ESNU", "LIMG"),
    ]
    for spec in plans:
        result = check_hardened_case(build_case(spec, world), world)
        assert not isinstance(result, ConversionError) or result.code == "CONV200", f"{spec.route}: {result}"


# -- the channel pair -------------------------------------------------------------------------------------


class _Converter:
    logic = "test"

    def convert(self, message):
        from fpp.convert.record import NasRecord

        return NasRecord(message.get("ARCID") or "", None, None, None, None, None, None, None, [])


def _pair():
    converter = _Converter()
    return ChannelPair(Channel("primary", converter), Channel("backup", converter), ChannelTiming(1.0, 5.0, 8.0))


START = datetime(2023, 8, 28, 8, 0)


def test_stopped_channel_processes_nothing():
    pair = _pair()
    pair.primary.stop()
    result = pair.deliver("M1", "-TITLE IFPL -ARCID M1", START)
    assert pair.primary.processed == 0
    assert result.channel == "backup"
    assert result.outcome is Outcome.CONVERTED


def test_restarted_channel_takes_the_flow_back():
    pair = _pair()
    pair.primary.stop()
    pair.backup.stop()
    assert pair.deliver("M1", "-TITLE IFPL -ARCID M1", START).outcome is Outcome.PENDING
    pair.backup.begin_restart()
    pair.backup.complete_restart()
    result = pair.deliver("M2", "-TITLE IFPL -ARCID M2", START + timedelta(minutes=1))
    assert result.outcome is Outcome.CONVERTED
    assert result.channel == "backup"
    assert pair.states() == {"primary": ChannelState.MAINTENANCE.value, "backup": ChannelState.RUNNING.value}
