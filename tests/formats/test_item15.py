"""Tests of the Item 15 grammar: tokens, elements, placement rules, errors and round trips."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fpp.errors import FormatError, FppError
from fpp.formats import item15 as item15_module
from fpp.formats.item15 import (
    MAX_ELEMENTS,
    Element,
    ElementKind,
    Item15,
    SpeedLevel,
    emit_item15,
    parse_item15,
    parse_speed_level,
)

from .strategies import item15_texts

D = ElementKind.DESIGNATOR
L = ElementKind.LATLON
B = ElementKind.BEARING_DISTANCE
DCT = ElementKind.DCT
R = ElementKind.RULE
S = ElementKind.STAY
C = ElementKind.CRUISE_CLIMB
T = ElementKind.TRUNCATION

FBU_ROUTE = (
    "N0488F370 ORCKA5 LAS Q70 BLIPP Q842 WINEN MLF J107 OCS CZI DIK DVL VBI VESRU YXL ELVEL PIGLA "
    "5800N07000W MIBNO MAXAR 6200N05000W 6200N04000W 6000N03000W 5800N02000W SUNOT KESIX APSOV SOSIM "
    "L15 KEPAD L151 KIDLI UN859 GWC UN859 LGL A34 BOBSA"
)


def kinds_and_texts(route: Item15) -> list[tuple[ElementKind, str]]:
    return [(element.kind, element.text) for element in route.elements]


def without_offsets(route: Item15) -> tuple[SpeedLevel | None, tuple[Element, ...], bool]:
    return route.speed_level, tuple(dataclasses.replace(element, offset=0) for element in route.elements), route.truncated


def parse_error(text: str, **options: int) -> FormatError:
    with pytest.raises(FormatError) as caught:
        parse_item15(text, **options)
    return caught.value


# -- the real route ---------------------------------------------------------------------------


def test_real_route_elements() -> None:
    route = parse_item15(FBU_ROUTE)
    expected = [
        (D, "ORCKA5"), (D, "LAS"), (D, "Q70"), (D, "BLIPP"), (D, "Q842"), (D, "WINEN"), (D, "MLF"),
        (D, "J107"), (D, "OCS"), (D, "CZI"), (D, "DIK"), (D, "DVL"), (D, "VBI"), (D, "VESRU"),
        (D, "YXL"), (D, "ELVEL"), (D, "PIGLA"), (L, "5800N07000W"), (D, "MIBNO"), (D, "MAXAR"),
        (L, "6200N05000W"), (L, "6200N04000W"), (L, "6000N03000W"), (L, "5800N02000W"),
        (D, "SUNOT"), (D, "KESIX"), (D, "APSOV"), (D, "SOSIM"), (D, "L15"), (D, "KEPAD"),
        (D, "L151"), (D, "KIDLI"), (D, "UN859"), (D, "GWC"), (D, "UN859"), (D, "LGL"), (D, "A34"),
        (D, "BOBSA"),
    ]  # fmt: skip
    assert kinds_and_texts(route) == expected
    assert route.speed_level == SpeedLevel("N", 488, "F", 370)
    assert route.truncated is False
    assert route.warnings == ()


def test_real_route_offsets_and_positions() -> None:
    route = parse_item15(FBU_ROUTE)
    assert route.elements[0].offset == 10
    assert route.elements[1].offset == 17
    for element in route.elements:
        assert FBU_ROUTE[element.offset : element.offset + len(element.text)] == element.text

    first_track_point = route.elements[17]
    assert (first_track_point.lat_deg, first_track_point.lon_deg) == (58.0, -70.0)
    dvl_positions = [index for index, element in enumerate(route.elements) if element.text == "DVL"]
    assert dvl_positions == [11]


def test_real_route_shape_hints() -> None:
    elements = {element.text: element for element in parse_item15(FBU_ROUTE).elements}
    assert elements["ORCKA5"].could_be_procedure
    assert not elements["ORCKA5"].could_be_route or elements["ORCKA5"].could_be_procedure
    for route_name in ("Q70", "Q842", "J107", "L15", "L151", "UN859", "A34"):
        assert elements[route_name].could_be_route, route_name
    for point_name in ("LAS", "BLIPP", "DVL", "BOBSA"):
        assert not elements[point_name].could_be_route, point_name
        assert elements[point_name].could_be_point, point_name
        assert not elements[point_name].is_point_form, point_name
    assert elements["5800N07000W"].is_point_form


# -- speed and level --------------------------------------------------------------------------

FT_PER_M = 1 / 0.3048
SPEED_LEVELS = [
    ("N0450F350", SpeedLevel("N", 450, "F", 350), 450.0, 35000.0),
    ("M082F370", SpeedLevel("M", 82, "F", 370), 0.82 * 573.6, 37000.0),
    ("K0830S1130", SpeedLevel("K", 830, "S", 1130), 830 / 1.852, 11300 * FT_PER_M),
    ("N0150A045", SpeedLevel("N", 150, "A", 45), 150.0, 4500.0),
    ("N0120VFR", SpeedLevel("N", 120, "VFR", None), 120.0, None),
    ("N0450M0840", SpeedLevel("N", 450, "M", 840), 450.0, 8400 * FT_PER_M),
    ("N0400A600", SpeedLevel("N", 400, "A", 600), 400.0, 60000.0),
    ("M220F580", SpeedLevel("M", 220, "F", 580), 2.2 * 573.6, 58000.0),
]


@pytest.mark.parametrize(("text", "group", "speed_kt", "level_ft"), SPEED_LEVELS, ids=[case[0] for case in SPEED_LEVELS])
def test_speed_level_groups(text: str, group: SpeedLevel, speed_kt: float, level_ft: float | None) -> None:
    route = parse_item15(text)
    assert route.speed_level == group
    assert route.elements == ()
    assert route.speed_level is not None
    assert route.speed_level.speed_kt == pytest.approx(speed_kt)
    if level_ft is None:
        assert route.speed_level.level_ft is None
    else:
        assert route.speed_level.level_ft == pytest.approx(level_ft)
    assert route.speed_level.text == text


SPEED_LEVEL_ERRORS = [
    ("DCT", "DCT", 0, "must start with a speed/level"),
    ("AAAAA N0450F350", "AAAAA", 0, "must start with a speed/level"),
    ("N450F350", "N450F350", 0, "must start"),
    ("N0450F35", "N0450F35", 0, "must start"),
    ("N0450", "N0450", 0, "must start"),
    ("M0820F350", "M0820F350", 0, "must start"),
    ("N0450S113", "N0450S113", 0, "must start"),
    ("X0450F350", "X0450F350", 0, "must start"),
    ("  N0000F350 DCT", "N0000F350", 2, "speed is zero"),
    ("N0450F000", "N0450F000", 0, "level is zero"),
    ("K9999F350", "K9999F350", 0, "plausibility bound"),
    ("M600F600", "M600F600", 0, "plausibility bound"),
]


@pytest.mark.parametrize(("text", "token", "offset", "detail"), SPEED_LEVEL_ERRORS, ids=[case[0].strip() for case in SPEED_LEVEL_ERRORS])
def test_speed_level_errors(text: str, token: str, offset: int, detail: str) -> None:
    error = parse_error(text)
    assert error.code == "SYN102"
    assert error.token == token
    assert error.offset == offset
    assert error.field == "15"
    assert detail in error.detail


def test_odd_flight_level_warns() -> None:
    route = parse_item15("N0450F353 AAAAA BBBBB/N0450F347")
    assert len(route.warnings) == 2
    assert "F353" in route.warnings[0]
    assert "offset 0" in route.warnings[0]
    assert "F347" in route.warnings[1]
    assert "offset 16" in route.warnings[1]


def test_flight_level_ending_in_5_no_warning() -> None:
    assert parse_item15("N0450F355 AAAAA BBBBB/N0450A047").warnings == ()


def test_parse_speed_level_direct() -> None:
    assert parse_speed_level("M082F370") == SpeedLevel("M", 82, "F", 370)
    with pytest.raises(FormatError) as caught:
        parse_speed_level("F370", 9)
    assert caught.value.code == "SYN102"
    assert caught.value.offset == 9


# -- elements ---------------------------------------------------------------------------------

# (token, kind, expected attributes other than kind, text and offset)
ELEMENTS = [
    ("DCT", DCT, {}),
    ("LN", D, {"designator": "LN"}),
    ("MAY", D, {"designator": "MAY"}),
    ("HADDY", D, {"designator": "HADDY"}),
    ("DM066", D, {"designator": "DM066"}),
    ("KD36Q", D, {"designator": "KD36Q"}),
    ("AB123", D, {"designator": "AB123"}),
    ("EGLL", D, {"designator": "EGLL"}),
    ("UN859", D, {"designator": "UN859"}),
    ("N622E", D, {"designator": "N622E"}),
    ("NATB", D, {"designator": "NATB"}),
    ("KODAP2A", D, {"designator": "KODAP2A"}),
    ("46N078W", L, {"lat_deg": 46.0, "lon_deg": -78.0}),
    ("4620N07805W", L, {"lat_deg": 46 + 20 / 60, "lon_deg": -(78 + 5 / 60)}),
    ("462013N0780503W", L, {"lat_deg": 46 + 20 / 60 + 13 / 3600, "lon_deg": -(78 + 5 / 60 + 3 / 3600)}),
    ("DUB180040", B, {"designator": "DUB", "bearing_deg": 180, "distance_nm": 40}),
    ("DM066360999", B, {"designator": "DM066", "bearing_deg": 360, "distance_nm": 999}),
    ("02S001W180060", B, {"lat_deg": -2.0, "lon_deg": -1.0, "bearing_deg": 180, "distance_nm": 60}),
    ("4620N07805W000005", B, {"lat_deg": 46 + 20 / 60, "lon_deg": -(78 + 5 / 60), "bearing_deg": 0, "distance_nm": 5}),
    ("LN/N0284A045", D, {"designator": "LN", "change": SpeedLevel("N", 284, "A", 45)}),
    ("HADDY/N0420F330", D, {"designator": "HADDY", "change": SpeedLevel("N", 420, "F", 330)}),
    ("4602N07805W/N0500F350", L, {"lat_deg": 46 + 2 / 60, "lon_deg": -(78 + 5 / 60), "change": SpeedLevel("N", 500, "F", 350)}),
    ("46N078W/M082F330", L, {"lat_deg": 46.0, "lon_deg": -78.0, "change": SpeedLevel("M", 82, "F", 330)}),
    ("DUB180040/N0350M0840", B, {"designator": "DUB", "bearing_deg": 180, "distance_nm": 40, "change": SpeedLevel("N", 350, "M", 840)}),
    ("AAAAA/N0100VFR", D, {"designator": "AAAAA", "change": SpeedLevel("N", 100, "VFR", None)}),
    ("STAYA/N0450F350", D, {"designator": "STAYA", "change": SpeedLevel("N", 450, "F", 350)}),
    ("STAY", D, {"designator": "STAY"}),
]


@pytest.mark.parametrize(("token", "kind", "attributes"), ELEMENTS, ids=[case[0] for case in ELEMENTS])
def test_single_element(token: str, kind: ElementKind, attributes: dict[str, object]) -> None:
    route = parse_item15(f"N0450F350 {token}")
    assert len(route.elements) == 1
    element = route.elements[0]
    assert element.kind is kind
    assert element.text == token
    assert element.offset == 10
    expected = {
        "designator": None, "lat_deg": None, "lon_deg": None, "bearing_deg": None, "distance_nm": None,
        "change": None, "cruise_climb_upper": None, "rule": None, "stay_index": None, "stay_minutes": None,
    }  # fmt: skip
    expected.update(attributes)
    for name, value in expected.items():
        actual = getattr(element, name)
        if isinstance(value, float):
            assert actual == pytest.approx(value, abs=1e-12), name
        else:
            assert actual == value, name


CONTEXT_ELEMENTS = [
    ("N0120VFR AAAAA/N0190F160 IFR Q1 BBBBB", 1, R, {"rule": "IFR"}),
    ("N0450F350 AAAAA VFR DCT BBBBB", 1, R, {"rule": "VFR"}),
    ("N0450F350 AAAAA OAT BBBBB GAT CCCCC", 1, R, {"rule": "OAT"}),
    ("N0450F350 AAAAA OAT BBBBB GAT CCCCC", 3, R, {"rule": "GAT"}),
    ("N0450F350 MOKOR IFPSTOP UN741 VMP UN741 ANG/N0445F300 IFPSTART", 1, R, {"rule": "IFPSTOP"}),
    ("N0450F350 MOKOR IFPSTOP UN741 VMP UN741 ANG/N0445F300 IFPSTART", 6, R, {"rule": "IFPSTART"}),
    ("N0450F350 FFFFF STAY1/0030 DCT GGGGG", 1, S, {"stay_index": 1, "stay_minutes": 30}),
    ("N0450F350 46N078W STAY9/0145", 1, S, {"stay_index": 9, "stay_minutes": 105}),
    ("M082F350 DDDDD C/48N050W/M082F350F390 DCT EEEEE", 1, C, {"lat_deg": 48.0, "lon_deg": -50.0, "change": SpeedLevel("M", 82, "F", 350), "cruise_climb_upper": SpeedLevel("M", 82, "F", 390)}),
    ("M082F350 DDDDD C/48N050W/M082F350PLUS DCT EEEEE", 1, C, {"lat_deg": 48.0, "lon_deg": -50.0, "change": SpeedLevel("M", 82, "F", 350), "cruise_climb_upper": "PLUS"}),
    ("M220F580 C/52N050W/M220F580F620", 0, C, {"lat_deg": 52.0, "lon_deg": -50.0, "change": SpeedLevel("M", 220, "F", 580), "cruise_climb_upper": SpeedLevel("M", 220, "F", 620)}),
    ("N0450F350 C/HADDY/N0450S1130S1250", 0, C, {"designator": "HADDY", "change": SpeedLevel("N", 450, "S", 1130), "cruise_climb_upper": SpeedLevel("N", 450, "S", 1250)}),
    ("N0450F350 AAAAA DCT BBBBB T", 3, T, {}),
]


@pytest.mark.parametrize(("text", "index", "kind", "attributes"), CONTEXT_ELEMENTS, ids=[f"{case[0].split()[-1]}-{case[1]}" for case in CONTEXT_ELEMENTS])
def test_grammar_elements_in_context(text: str, index: int, kind: ElementKind, attributes: dict[str, object]) -> None:
    element = parse_item15(text).elements[index]
    assert element.kind is kind
    assert text[element.offset : element.offset + len(element.text)] == element.text
    for name, value in attributes.items():
        assert getattr(element, name) == value, name


def test_truncation_sets_truncated() -> None:
    route = parse_item15("N0450F350 T")
    assert route.truncated
    assert kinds_and_texts(route) == [(T, "T")]
    assert not parse_item15("N0450F350 AAAAA").truncated


SHAPE_HINTS = [
    # token, is_point_form, could_be_point, could_be_route, could_be_procedure
    ("ABCDE", False, True, False, False),
    ("UN859", False, True, True, False),
    ("Q70", False, True, True, False),
    ("N622E", False, True, True, False),
    ("NATB", False, True, True, False),
    ("NATAB", False, True, False, False),
    ("PTS3", False, True, True, True),
    ("ORCKA5", False, False, True, True),
    ("ANEKI8L", False, False, True, True),
    ("LNZ1A", False, True, True, True),
    ("DM066", False, True, True, False),
    ("ABCDE/N0450F350", True, True, False, False),
    ("46N078W", True, True, False, False),
    ("DUB180040", True, True, False, False),
    ("C/46N078W/N0450F350PLUS", True, True, False, False),
    ("DCT", False, False, False, False),
]


@pytest.mark.parametrize(("token", "point_form", "point", "route", "procedure"), SHAPE_HINTS, ids=[case[0] for case in SHAPE_HINTS])
def test_element_shape_hints(token: str, point_form: bool, point: bool, route: bool, procedure: bool) -> None:
    element = parse_item15(f"N0450F350 AAAAA {token}").elements[1]
    assert element.is_point_form is point_form
    assert element.could_be_point is point
    assert element.could_be_route is route
    assert element.could_be_procedure is procedure


# -- errors -----------------------------------------------------------------------------------

ERRORS = [
    # text, code, token, offset, detail fragment
    ("", "SYN100", "", 0, "empty"),
    ("   \n\t", "SYN100", "", 0, "only whitespace"),
    ("N0450F350 AAAAA DCT BBBBB\x0bDCT CCCCC", "SYN101", "\x0b", 25, "U+000B"),
    ("N0450F350 ÅAAAA DCT BBBBB", "SYN101", "Å", 10, "U+00C5"),
    ("N0450F350 \uff24\uff23\uff34", "SYN101", "\uff24", 10, "U+FF24"),
    ("N0450F350 AAAAA-BBBBB", "SYN101", "-", 15, "U+002D"),
    ("N0450F350 AAAAA\x00", "SYN101", "\x00", 15, "U+0000"),
    ("N0450F350 4675N01000E", "SYN103", "4675N01000E", 10, "minutes 75"),
    ("N0450F350 DCT 9100N00000E", "SYN103", "9100N00000E", 14, "latitude exceeds 90"),
    ("N0450F350 DCT 00N181E", "SYN103", "00N181E", 14, "longitude exceeds 180"),
    ("N0450F350 DCT N5030W03000", "SYN103", "N5030W03000", 14, "hemisphere letter"),
    ("N0450F350 DCT 4N40W", "SYN103", "4N40W", 14, "short form"),
    ("N0450F350 DCT 5720N", "SYN103", "5720N", 14, "ARINC 424"),
    ("N0450F350 DCT 57N20", "SYN103", "57N20", 14, "ARINC 424"),
    ("N0450F350 DCT H5030", "SYN103", "H5030", 14, "ARINC 424 letter-first"),
    ("N0450F350 DCT 5800N/07000W", "SYN103", "5800N/07000W", 14, "separated by a slash"),
    ("N0450F350 DCT 4620N078W", "SYN103", "4620N078W", 14, "different precision"),
    ("N0450F350 DCT 4620N07805W/N0450F350 DCT 462N0780W", "SYN103", "462N0780W", 40, "short form"),
    ("N0450F350 DUB400040", "SYN104", "DUB400040", 10, "bearing 400"),
    ("N0450F350 DUB18004", "SYN104", "DUB18004", 10, "3 digits"),
    ("N0450F350 4620N07805W18004", "SYN104", "4620N07805W18004", 10, "3 digits"),
    ("N0450F350 02S001W361060", "SYN104", "02S001W361060", 10, "bearing 361"),
    ("N0450F350 AAAAA ABCDEFGH", "SYN105", "ABCDEFGH", 16, "not a point"),
    ("N0450F350 AAAAA 123", "SYN105", "123", 16, "not a point"),
    ("N0450F350 AAAAA N0460F360", "SYN105", "N0460F360", 16, "attached to a point"),
    ("N0450F350 AAAAA /N0460F360", "SYN105", "/N0460F360", 16, "change group"),
    ("N0450F350 ABCDEF/N0460F360", "SYN105", "ABCDEF/N0460F360", 10, "2 to 5 characters"),
    ("N0450F350 AAAAA/N0460F36", "SYN102", "N0460F36", 16, "expected a speed"),
    ("N0450F350 AAAAA/F360", "SYN102", "F360", 16, "expected a speed"),
    ("N0450F350 AAAAA/N0000F360", "SYN102", "N0000F360", 16, "speed is zero"),
    ("N0450F350 VFR AAAAA", "SYN106", "VFR", 10, "start of the route"),
    ("N0450F350 DCT IFR AAAAA", "SYN106", "IFR", 14, "after 'DCT'"),
    ("N0450F350 AAAAA VFR VFR", "SYN106", "VFR", 20, "repeats"),
    ("N0450F350 AAAAA T BBBBB", "SYN106", "T", 16, "'BBBBB' follows at offset 18"),
    ("N0450F350 T DCT", "SYN106", "T", 10, "'DCT' follows"),
    ("N0450F350 DCT DCT AAAAA", "SYN106", "DCT", 14, "another DCT"),
    ("N0450F350 OAT AAAAA GAT", "SYN106", "OAT", 10, "start of the route"),
    ("N0450F350 AAAAA C/48N050W/M082F350", "SYN107", "C/48N050W/M082F350", 16, "expected C/POINT"),
    ("N0450F350 AAAAA C/48N050W/M082F350F330", "SYN107", "C/48N050W/M082F350F330", 16, "not above the lower level"),
    ("N0450F350 AAAAA C/ABCDEFG/M082F350PLUS", "SYN107", "C/ABCDEFG/M082F350PLUS", 16, "is not a point"),
    ("N0450F350 AAAAA C/48N050W/M082VFRPLUS", "SYN107", "C/48N050W/M082VFRPLUS", 16, "expected C/POINT"),
    ("N0450F350 AAAAA C", "SYN107", "C", 16, "cruise climb"),
    ("N0450F350 GAT", "SYN108", "GAT", 10, "without an earlier OAT"),
    ("N0450F350 AAAAA IFPSTART", "SYN108", "IFPSTART", 16, "without an earlier IFPSTOP"),
    ("N0450F350 AAAAA OAT BBBBB OAT", "SYN108", "OAT", 26, "OAT at offset 16 is not yet closed"),
    ("N0450F350 AAAAA IFPSTOP B1 IFPSTOP", "SYN108", "IFPSTOP", 27, "not yet closed"),
    ("N0450F350 AAAAA OAT BBBBB GAT CCCCC GAT", "SYN108", "GAT", 36, "without an earlier OAT"),
    ("N0450F350 STAY1/0030 AAAAA", "SYN109", "STAY1/0030", 10, "must follow the point"),
    ("N0450F350 AAAAA DCT STAY1/0030", "SYN109", "STAY1/0030", 20, "must follow the point"),
    ("N0450F350 AAAAA STAY0/0030", "SYN109", "STAY0/0030", 16, "1 to 9"),
    ("N0450F350 AAAAA STAY1/0060", "SYN109", "STAY1/0060", 16, "minutes 60"),
    ("N0450F350 AAAAA STAY1/030", "SYN109", "STAY1/030", 16, "STAYn/hhmm"),
    ("N0450F350 AAAAA STAY10/0030", "SYN109", "STAY10/0030", 16, "STAYn/hhmm"),
    ("N0450F350 AAAAA STAY1", "SYN109", "STAY1", 16, "needs its time"),
]


@pytest.mark.parametrize(("text", "code", "token", "offset", "detail"), ERRORS, ids=[f"{case[1]}-{case[2] or 'empty'}-{case[3]}" for case in ERRORS])
def test_item15_errors(text: str, code: str, token: str, offset: int, detail: str) -> None:
    error = parse_error(text)
    assert error.code == code
    assert error.token == token
    assert error.offset == offset
    assert error.field == "15"
    assert detail in error.detail
    assert code in str(error)


def test_route_too_long_raises_syn114() -> None:
    error = parse_error("N0450F350 AAAAA DCT BBBBB DCT", max_elements=3)
    assert error.code == "SYN114"
    assert error.token == "DCT"
    assert error.offset == 26
    assert "limit is 3" in error.detail


def test_route_at_default_limit_parses() -> None:
    assert MAX_ELEMENTS == 2000
    tokens = ["DCT", "AAAAA"] * (MAX_ELEMENTS // 2)
    route = parse_item15("N0450F350 " + " ".join(tokens))
    assert len(route.elements) == MAX_ELEMENTS
    error = parse_error("N0450F350 " + " ".join(tokens) + " DCT")
    assert error.code == "SYN114"
    assert error.offset == len("N0450F350 " + " ".join(tokens)) + 1


# -- edge cases -------------------------------------------------------------------------------


def test_e13_coordinate_forms() -> None:
    route = parse_item15("N0480F350 DCT 46N078W DCT 4620N07805W DCT 462013N0780503W DCT 5530N02000W")
    points = [(round(e.lat_deg, 4), round(e.lon_deg, 4)) for e in route.elements if e.kind is L]  # type: ignore[arg-type]
    assert points == [(46.0, -78.0), (46.3333, -78.0833), (46.3369, -78.0842), (55.5, -20.0)]


def test_e14_minutes_not_decimal() -> None:
    route = parse_item15("N0450F350 DCT 4630N01045E DCT 4659N01059E")
    first, second = route.elements[1], route.elements[3]
    assert (first.lat_deg, first.lon_deg) == (46.5, 10.75)
    assert round(second.lat_deg, 4) == 46.9833  # type: ignore[arg-type]
    assert round(second.lon_deg, 4) == 10.9833  # type: ignore[arg-type]


def test_e14_minutes_60_rejected() -> None:
    error = parse_error("N0450F350 DCT 4675N01000E")
    assert error.code == "SYN103"
    assert error.offset == 14


def test_e16_lookalike_designators() -> None:
    route = parse_item15("N0480F350 AAAAA N622E CCCCC DCT AB123 DCT DDDDD")
    assert [e.kind for e in route.elements] == [D, D, D, DCT, D, DCT, D]
    n622e, ab123 = route.elements[1], route.elements[4]
    assert n622e.lat_deg is None
    assert n622e.could_be_route
    assert ab123.lat_deg is None
    assert ab123.could_be_point


def test_e17_nat_track_is_designator() -> None:
    route = parse_item15("M082F360 XXXXX NATB YYYYY DCT ZZZZZ")
    natb = route.elements[1]
    assert natb.kind is D
    assert natb.designator == "NATB"
    assert natb.could_be_route
    assert [e.text for e in route.elements] == ["XXXXX", "NATB", "YYYYY", "DCT", "ZZZZZ"]


def test_e18_whitespace_runs_are_one_separator() -> None:
    spaced = parse_item15("N0450F350 AAAAA DCT BBBBB Q1 CCCCC DCT DDDDD")
    messy = parse_item15("N0450F350 AAAAA\nDCT BBBBB\r\nQ1  CCCCC\tDCT DDDDD")
    assert without_offsets(messy) == without_offsets(spaced)
    assert [e.offset for e in messy.elements] == [10, 16, 20, 27, 31, 37, 41]


def test_e18_route_wrapped_at_69_columns() -> None:
    tokens = ["N0450F350"] + [f"P{index:04d}" if index % 2 else "DCT" for index in range(40)]
    single_line = " ".join(tokens)
    lines: list[str] = []
    current = ""
    for token in tokens:
        if current and len(current) + 1 + len(token) > 69:
            lines.append(current)
            current = token
        else:
            current = f"{current} {token}" if current else token
    lines.append(current)
    wrapped = "\r\n".join(lines)
    assert len(lines) > 2
    assert without_offsets(parse_item15(wrapped)) == without_offsets(parse_item15(single_line))


@pytest.mark.parametrize("separator", ["/\n", "/\r\n", "/  \n  ", "/\n\t"], ids=["lf", "crlf", "spaces", "tab"])
def test_e18_break_after_slash_joined(separator: str) -> None:
    text = f"N0450F350 AAAAA DCT BBBBB{separator}N0460F370 DCT CCCCC"
    route = parse_item15(text)
    assert kinds_and_texts(route) == [(D, "AAAAA"), (DCT, "DCT"), (D, "BBBBB/N0460F370"), (DCT, "DCT"), (D, "CCCCC")]
    assert route.elements[2].offset == 20
    assert route.elements[2].change == SpeedLevel("N", 460, "F", 370)
    assert route.elements[3].offset == text.index("DCT CCCCC")


def test_e18_break_after_slash_in_cruise_climb() -> None:
    route = parse_item15("M082F350 DDDDD C/\n48N050W/\nM082F350PLUS")
    assert route.elements[1].text == "C/48N050W/M082F350PLUS"
    assert route.elements[1].offset == 15


def test_e18_break_before_slash_rejected() -> None:
    error = parse_error("N0450F350 BBBBB\n/N0450F350")
    assert error.code == "SYN105"
    assert error.token == "/N0450F350"
    assert error.offset == 16


def test_e18_space_after_slash_rejected() -> None:
    error = parse_error("N0450F350 BBBBB/ N0450F350")
    assert error.code == "SYN105"
    assert error.token == "BBBBB/"


def test_e19_lower_case_converted_with_warning() -> None:
    route = parse_item15("n0450f350 aaaaa dct bbbbb q1 ccccc abcd1a")
    assert kinds_and_texts(route) == [(D, "AAAAA"), (DCT, "DCT"), (D, "BBBBB"), (D, "Q1"), (D, "CCCCC"), (D, "ABCD1A")]
    assert route.speed_level == SpeedLevel("N", 450, "F", 350)
    assert route.warnings == ("lower-case token 'n0450f350' at offset 0 converted to upper case",)
    assert route.text == "n0450f350 aaaaa dct bbbbb q1 ccccc abcd1a"


def test_e19_mixed_case_keyword() -> None:
    route = parse_item15("N0450F350 AAAAA Dct BBBBB")
    assert route.elements[1].kind is DCT
    assert route.elements[1].text == "DCT"
    assert route.warnings == ("lower-case token 'Dct' at offset 16 converted to upper case",)


def test_e20_no_break_space_is_space() -> None:
    route = parse_item15("N0450F350 AAAAA\u00a0DCT BBBBB")
    assert kinds_and_texts(route) == [(D, "AAAAA"), (DCT, "DCT"), (D, "BBBBB")]
    assert route.elements[1].offset == 16
    assert route.warnings == ("no-break space (U+00A0) at offset 15 read as a space",)


E21_CASES = [
    ("N0450F350", [], False),
    ("N0450F350 DCT", [(DCT, "DCT")], False),
    ("N0450F350 AAAAA", [(D, "AAAAA")], False),
    ("N0450VFR", [], False),
    ("N0450F350 T", [(T, "T")], True),
]


@pytest.mark.parametrize(("text", "elements", "truncated"), E21_CASES, ids=[case[0] for case in E21_CASES])
def test_e21_degenerate_routes(text: str, elements: list[tuple[ElementKind, str]], truncated: bool) -> None:
    route = parse_item15(text)
    assert kinds_and_texts(route) == elements
    assert route.truncated is truncated


def test_e21_vfr_level_has_no_feet() -> None:
    route = parse_item15("N0450VFR")
    assert route.speed_level == SpeedLevel("N", 450, "VFR", None)
    assert route.speed_level is not None and route.speed_level.level_ft is None


def test_e22_grammar_tokens() -> None:
    route = parse_item15("N0120VFR AAAAA/N0190F160 IFR Q1 BBBBB DCT CCCCC T")
    assert [e.kind for e in route.elements] == [D, R, D, D, DCT, D, T]
    assert route.truncated
    assert route.elements[1].rule == "IFR"
    assert route.elements[0].change == SpeedLevel("N", 190, "F", 160)


def test_e26_long_route_parses_fully() -> None:
    tokens = ["N0450F350"]
    for index in range(300):
        lat = 30 + index // 60
        lon = index % 60
        tokens += ["DCT", f"{lat:02d}00N{lon:03d}00W"]
    text = "\n".join(" ".join(tokens[start : start + 6]) for start in range(0, len(tokens), 6))
    assert len(text) > 3600

    route = parse_item15(text)
    assert len(route.elements) == 600
    latlons = [e for e in route.elements if e.kind is L]
    assert len(latlons) == 300
    assert (latlons[-1].lat_deg, latlons[-1].lon_deg) == (34.0, -59.0)
    assert emit_item15(route) == " ".join(tokens)


@pytest.mark.parametrize("count", [50, 150, 300])
def test_e26_work_is_linear(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    # Count the coordinate conversions with an empty token cache: exactly one per point.
    calls = []
    original = item15_module.parse_latlon

    def counting_parse_latlon(text: str, offset: int = 0, *, field: str | None = None) -> tuple[float, float]:
        calls.append(text)
        return original(text, offset, field=field)

    monkeypatch.setattr(item15_module, "parse_latlon", counting_parse_latlon)
    monkeypatch.setattr(item15_module, "_token_cache", {})
    tokens = ["N0450F350"]
    for index in range(count):
        tokens += ["DCT", f"{10 + index // 60:02d}{index % 60:02d}N02000W"]
    route = parse_item15(" ".join(tokens))
    assert len(route.elements) == 2 * count
    assert len(calls) == count


# -- round trips ------------------------------------------------------------------------------

@given(item15_texts())
@settings(max_examples=300)
def test_emit_parse_round_trip(text: str) -> None:
    route = parse_item15(text)
    assert emit_item15(route) == text
    again = parse_item15(emit_item15(route))
    assert without_offsets(again) == without_offsets(route)
    assert again == route


@given(item15_texts(), st.lists(st.sampled_from([" ", "  ", "\n", "\r\n", "\t", " \n "]), min_size=1))
def test_whitespace_does_not_change_route(text: str, separators: list[str]) -> None:
    tokens = text.split(" ")
    messy = tokens[0]
    for index, token in enumerate(tokens[1:]):
        messy += separators[index % len(separators)] + token
    messy_route = parse_item15(messy)
    assert without_offsets(messy_route) == without_offsets(parse_item15(text))
    assert emit_item15(messy_route) == text
    for element in messy_route.elements:
        assert messy[element.offset : element.offset + len(element.text)] == element.text


@given(st.text(max_size=60))
def test_arbitrary_text_raises_only_fpp_errors(text: str) -> None:
    try:
        parse_item15(text)
    except FppError:
        pass


@given(st.text(alphabet="NKMFASVRDCTIOGPLUSEWHXY0123456789/ \n\t\u00a0", max_size=60))
def test_grammar_alphabet_raises_only_fpp_errors(text: str) -> None:
    try:
        route = parse_item15("N0450F350 " + text)
    except FppError:
        return
    assert emit_item15(route).startswith("N0450F350")


@given(st.binary(max_size=60))
def test_decoded_bytes_raise_only_fpp_errors(data: bytes) -> None:
    try:
        parse_item15(data.decode("latin-1"))
    except FppError:
        pass
