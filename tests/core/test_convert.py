"""The legacy and hardened converters on the August 2023 pattern and on every error path."""

import dataclasses
from datetime import timedelta

import pytest

from fpp.convert.airspace import uk_airspace
from fpp.convert.hardened import HardenedConverter, HardenedLimits
from fpp.convert.legacy import LegacyConverter, LegacyTrace, uk_point_table
from fpp.errors import ConversionError, CriticalException, PlanError
from fpp.formats.adexp import AdexpMessage, basic, listfield, point_field

from .conftest import make_ifpl

TRAP_ROUTE = "N0480F370 DUPAA DCT WESTA QX1 MIDAA QX2 LASTP"


@pytest.fixture
def volume(trap_nav):
    return uk_airspace(trap_nav, 2.0, ("XXFIR",))


@pytest.fixture
def legacy(trap_nav, volume):
    return LegacyConverter(uk_point_table(trap_nav, volume), volume)


@pytest.fixture
def hardened(trap_nav, volume):
    return HardenedConverter(trap_nav, volume)


def test_uk_point_table_holds_points_inside(trap_nav, volume):
    table = uk_point_table(trap_nav, volume)
    assert set(table) == {"MIDAA", "EXITP"}


def test_legacy_matches_the_wrong_duplicate_and_stops(trap_nav, legacy):
    message = make_ifpl(trap_nav, TRAP_ROUTE)
    trace = LegacyTrace()
    with pytest.raises(CriticalException) as caught:
        legacy.convert(message, trace)
    assert caught.value.cause.code == "CONV203"
    assert caught.value.cause.token == "DUPAA"
    assert "exit DUPAA (Item 15 token 1) lies before entry MIDAA (Item 15 token 5)" in str(caught.value)
    assert trace.steps[1] == "search Item 15 forward for MIDAA: found at token 5"
    assert trace.steps[2] == "search Item 15 backward for exit EXITP: not found"
    assert trace.steps[3] == "search Item 15 backward for next RTEPTS point OUTSD: not found"
    assert trace.steps[4] == "search Item 15 backward for next RTEPTS point DUPAA: found at token 1"


def test_hardened_extracts_the_portion_of_the_same_plan(trap_nav, hardened):
    record = hardened.convert(make_ifpl(trap_nav, TRAP_ROUTE))
    assert len(record.portions) == 1
    portion = record.portions[0]
    assert portion.route_text == "WESTA QX1 MIDAA QX2 LASTP"
    assert portion.entry.lon_deg == pytest.approx(0.0, abs=1e-6)
    assert portion.entry.name == "5213N00000E"  # the great circle from 52N 10W to 52N 5E bulges north
    assert portion.exit.name == "EXITP"  # 9.95E is within 2 NM of the 10E edge
    assert [p.name for p in portion.points] == ["MIDAA", "EXITP"]
    assert portion.entry.eto < portion.points[0].eto < portion.exit.eto


def test_legacy_converts_an_ordinary_plan(trap_nav, legacy):
    record = legacy.convert(make_ifpl(trap_nav, "N0480F370 WESTA QX1 MIDAA DCT NORTH", ades="ZZBB"))
    assert record.portions[0].route_text == "MIDAA"
    assert record.portions[0].entry.name == "MIDAA"


def test_legacy_and_hardened_agree_on_an_ordinary_plan(trap_nav, legacy, hardened):
    message = make_ifpl(trap_nav, "N0480F370 MIDAA QX2 OUTSD", adep="ZZBB")
    assert legacy.convert(message).portions[0].route_text == "MIDAA QX2 OUTSD"
    assert hardened.convert(message).portions[0].route_text == "MIDAA QX2 OUTSD"


def test_leave_and_reenter_gives_two_portions(trap_nav, hardened):
    record = hardened.convert(make_ifpl(trap_nav, "N0480F370 WESTA DCT MIDAA DCT NORTH DCT EXITP DCT LASTP"))
    assert len(record.portions) == 2
    first, second = record.portions
    assert first.route_text == "WESTA DCT MIDAA DCT NORTH"
    assert second.route_text == "NORTH DCT EXITP"
    assert first.exit.route_position < second.entry.route_position


def test_route_outside_the_airspace_is_conv200(trap_nav, hardened, legacy):
    message = make_ifpl(trap_nav, "N0480F370 DUPAA DCT WESTA", ades="ZZAA")
    for converter in (hardened, legacy):
        with pytest.raises(ConversionError) as caught:
            converter.convert(message)
        assert caught.value.code == "CONV200"


def _replace_rtepts(message: AdexpMessage, idents, etos=None) -> AdexpMessage:
    base = message.rtepts()[0].eto
    points = [point_field(i, fl="F370", eto=(etos[k] if etos else base + timedelta(hours=4 * k))) for k, i in enumerate(idents)]
    fields = tuple(f for f in message.fields if f.keyword not in ("RTEPTS",)) + (listfield("RTEPTS", points),)
    return dataclasses.replace(message, fields=fields)


def test_rtepts_not_from_this_route_is_conv201(trap_nav, hardened):
    message = _replace_rtepts(make_ifpl(trap_nav, "N0480F370 WESTA QX1 MIDAA"), ["ZZAA", "WESTA", "NORTH", "ZZBB"])
    with pytest.raises(ConversionError) as caught:
        hardened.convert(message)
    assert caught.value.code == "CONV201"
    assert caught.value.token == "MIDAA"


def test_two_reconciliations_are_conv202(trap_nav, hardened):
    nav = trap_nav
    message = make_ifpl(nav, "N0480F370 MIDAA DCT EXITP", adep="ZZBB", ades="ZZBB")
    message = _replace_rtepts(message, ["ZZBB", "MIDAA", "EXITP", "MIDAA", "EXITP", "ZZBB"])
    with pytest.raises(ConversionError) as caught:
        hardened.convert(message)
    assert caught.value.code == "CONV202"


def test_impossible_ground_speed_is_conv205(trap_nav, hardened):
    message = make_ifpl(trap_nav, "N0480F370 WESTA QX1 MIDAA")
    start = message.rtepts()[0].eto
    etos = [start, start + timedelta(hours=10), start + timedelta(hours=10, minutes=1), start + timedelta(hours=11)]
    with pytest.raises(ConversionError) as caught:
        hardened.convert(_replace_rtepts(message, ["ZZAA", "WESTA", "MIDAA", "ZZBB"], etos))
    assert caught.value.code == "CONV205"
    assert caught.value.token == "MIDAA"


def test_unknown_rtepts_point_is_conv204(trap_nav, hardened):
    message = _replace_rtepts(make_ifpl(trap_nav, "N0480F370 WESTA QX1 MIDAA"), ["ZZAA", "WESTA", "NOWHR", "MIDAA", "ZZBB"])
    with pytest.raises(ConversionError) as caught:
        hardened.convert(message)
    assert caught.value.code == "CONV204"
    assert caught.value.token == "NOWHR"


def test_too_many_points_is_conv206(trap_nav, volume):
    converter = HardenedConverter(trap_nav, volume, HardenedLimits(max_points=3))
    with pytest.raises(ConversionError) as caught:
        converter.convert(make_ifpl(trap_nav, "N0480F370 WESTA QX1 MIDAA"))
    assert caught.value.code == "CONV206"


def test_missing_route_is_conv207(hardened, legacy):
    message = AdexpMessage((basic("TITLE", "IFPL"), basic("ARCID", "NOROUTE")))
    for converter in (hardened, legacy):
        with pytest.raises(ConversionError) as caught:
            converter.convert(message)
        assert caught.value.code == "CONV207"


def test_hardened_raises_only_plan_errors_on_a_bad_route(trap_nav, hardened):
    message = make_ifpl(trap_nav, "N0480F370 WESTA QX1 MIDAA")
    fields = tuple(basic("ROUTE", "N0480F370 WESTA QX1 NOSUCH") if f.keyword == "ROUTE" else f for f in message.fields)
    with pytest.raises(PlanError) as caught:
        hardened.convert(dataclasses.replace(message, fields=fields))
    assert caught.value.code == "ROUTE130"
    assert caught.value.offset == 20


def test_geo_points_reconcile_by_position(trap_nav, hardened):
    record = hardened.convert(make_ifpl(trap_nav, "N0480F370 WESTA DCT 5200N00500E DCT 5300N01500E"))
    assert record.portions[0].route_text == "WESTA DCT 5200N00500E DCT 5300N01500E"


def test_record_text_and_dict_agree(trap_nav, hardened):
    record = hardened.convert(make_ifpl(trap_nav, TRAP_ROUTE))
    text = record.to_text().splitlines()
    data = record.to_dict()
    assert text[0] == "NAS TEST1 - A320/M IS ZZAA ZZBB"
    assert text[3] == f"P1 ROUTE {data['portions'][0]['route']}"
    assert text[-1] == "END"
