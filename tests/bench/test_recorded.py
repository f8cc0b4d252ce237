"""The recorded-row adapter: each normalisation and each rejection, one table row per class."""

from __future__ import annotations

import pytest

from fpp.errors import FormatError
from fpp.formats.icao import parse_icao
from fpp.formats.recorded import (
    PLACEHOLDER_SPEED,
    estimate_wake,
    faa_aerodrome,
    normalise_route,
    plan_from_faa_route,
    plan_from_recorded,
)


def _row(**fields: str) -> dict[str, str]:
    row = {"callsign": "TST1", "flight_rules": "I", "aircraft": "A320/M-SDFGRWY/LB1", "departure": "EGLL", "arrival": "LFPG",
           "alternate": "", "cruise_tas": "450", "altitude": "35000", "route": "DCT ABCDE"}
    row.update(fields)
    return row


ROUTES = [
    # (recorded route, expected tokens, expected initial group, kind of the warning)
    ("+DVR UL9 KONAN", ["DVR", "UL9", "KONAN"], None, "amended mark"),
    ("DEENA7/16R WOL H65 RAZZI", ["DEENA7", "WOL", "H65", "RAZZI"], None, "runway"),
    ("WOL H65 STV STV1C/05L", ["WOL", "H65", "STV", "STV1C"], None, "runway"),
    ("SKORR5.YNKEE BDR", ["SKORR5", "YNKEE", "BDR"], None, "dot notation"),
    ("DEDKI4\u00b7OLABA/23 OLABA Q951 PUXOP", ["DEDKI4", "OLABA", "OLABA", "Q951", "PUXOP"], None, "middle dot"),
    ("EGLL DVR UL9 KONAN LFPG", ["DVR", "UL9", "KONAN"], None, "aerodrome in route"),
    ("N0450F350 DVR UL9 KONAN", ["DVR", "UL9", "KONAN"], "N0450F350", None),
    ("TOBAK7M/25C N0448F390 TOBAK N858", ["TOBAK7M", "TOBAK", "N858"], "N0448F390", "initial group"),
    ("IFR DVR UL9 KONAN", ["DVR", "UL9", "KONAN"], None, "rule token"),
    ("DVR UL9 KONAN", ["DVR", "UL9", "KONAN"], None, None),
]


@pytest.mark.parametrize(("route", "tokens", "group", "kind"), ROUTES)
def test_normalise_route(route, tokens, group, kind):
    found_tokens, found_group, warnings = normalise_route(route, "EGLL", "LFPG", "I")
    assert found_tokens == tokens
    assert found_group == group
    kinds = {warning.split(":")[0] for warning in warnings}
    if kind is None:
        assert kinds <= {"aerodrome in route"} if group else kinds == set()
    else:
        assert kind in kinds


def test_mid_route_runway_is_kept_for_rejection():
    tokens, _, _ = normalise_route("ABCDE UL9 KONAN/23 UL9 DVR XYZAB", "EGLL", "LFPG", "I")
    assert "KONAN/23" in tokens


@pytest.mark.parametrize(("aircraft", "item9"), [
    ("B738/L", "B738/M"),          # FAA equipment suffix L, not wake category L
    ("H/B744/L", "B744/H"),        # FAA heavy prefix
    ("B77W", "B77W/H"),            # bare type: estimated heavy
    ("C172/G", "C172/L"),
    ("A388", "A388/J"),
    ("B738/?-SDFG/C", "B738/M"),   # unknown wake in ICAO form
    ("A320/M-SDFGRWY/LB1", "A320/M"),
])
def test_aircraft_forms(aircraft, item9):
    message = parse_icao(plan_from_recorded(_row(aircraft=aircraft)).text)
    assert f"{message.aircraft_type}/{message.wake}" == item9


def test_estimated_wake_is_marked_in_the_plan():
    plan = plan_from_recorded(_row(aircraft="B738"))
    assert parse_icao(plan.text).item18["RMK"] == "WAKE CATEGORY ESTIMATED"
    assert any(w.startswith("FAA aircraft") for w in plan.warnings)


def test_zero_speed_takes_change_group_or_placeholder():
    with_change = parse_icao(plan_from_recorded(_row(cruise_tas="0", route="ABCDE/N0430F330 UL9 DVR")).text)
    assert with_change.route.speed_level.speed_value == 430
    placeholder = plan_from_recorded(_row(cruise_tas="0"))
    message = parse_icao(placeholder.text)
    assert message.route.speed_level.text.startswith(PLACEHOLDER_SPEED)
    assert "SPEED ESTIMATED" in message.item18["RMK"]


def test_unreadable_speed_is_rejected():
    with pytest.raises(FormatError) as error:
        plan_from_recorded(_row(cruise_tas="FAST"))
    assert error.value.code == "SYN102"
    assert error.value.token == "FAST"


def test_non_icao_aerodrome_becomes_zzzz():
    message = parse_icao(plan_from_recorded(_row(departure="3B9")).text)
    assert message.adep == "ZZZZ"
    assert message.item18["DEP"] == "3B9"


def test_invalid_alternate_is_dropped():
    message = parse_icao(plan_from_recorded(_row(alternate="NA")).text)
    assert message.alternates == ()


@pytest.mark.parametrize(("route", "code", "token"), [
    ("DVR 5720N KONAN", "SYN103", "5720N"),          # ARINC 424 code, never read as a position
    ("DVR N0450F350 KONAN UL9 ABC", "SYN105", "N0450F350"),  # standalone speed group mid-route
    ("DVR UL9 KONAN/23 UL9 ABC XYZAB", "SYN102", "23"),  # runway in the middle of the route
])
def test_rejections_name_the_token(route, code, token):
    with pytest.raises(FormatError) as error:
        parse_icao(plan_from_recorded(_row(route=route)).text)
    assert error.value.code == code
    assert error.value.token == token


def test_estimate_wake_defaults_to_medium():
    assert estimate_wake("ZZZZ") == "M"


def test_faa_route_forms():
    aerodromes = {"KBOS", "KLAX", "CYUL"}
    assert faa_aerodrome("BOS", aerodromes) == "KBOS"
    assert faa_aerodrome("YUL", aerodromes) == "CYUL"
    assert faa_aerodrome("SMO", aerodromes) is None
    plan = plan_from_faa_route({"Orig": "BOS", "Route String": "BOS PDZ270/016 VTU044 GINNA CARTER-STAR LAX", "Dest": "LAX",
                                "Type": "H", "Altitude": ""}, 7, {"KBOS", "KLAX"})
    message = parse_icao(plan.text)
    assert [e.text for e in message.route.elements] == ["PDZ270016", "VTU", "DCT", "GINNA", "CARTER"]
    assert (message.adep, message.ades, message.aircraft_id) == ("KBOS", "KLAX", "PR00007")
    assert "PLACEHOLDER" in message.item18["RMK"]


def test_faa_radial_onto_an_airway_is_left_for_rejection():
    plan = plan_from_faa_route({"Orig": "SMO", "Route String": "SMO SMO SMO125 V64 SLI", "Dest": "SLI", "Type": "TEC",
                                "Altitude": "5000"}, 1, set())
    message = parse_icao(plan.text)
    assert "SMO125" in [e.text for e in message.route.elements]
    assert message.route.speed_level.level_text == "A050"
