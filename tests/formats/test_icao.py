"""Tests of ICAO Doc 4444 messages: envelope, fields 3 to 19, errors and round trips."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fpp.errors import FormatError, FppError
from fpp.formats.aftn import AftnEnvelope
from fpp.formats.icao import IcaoMessage, emit_icao, parse_icao
from fpp.formats.item15 import ElementKind, SpeedLevel

from .strategies import fpl_parts

# A composed FPL: AFTN envelope, message numbers, a route wrapped over lines, Item 18 with a
# hyphenated RMK and look-alike indicators, and Item 19.
FPL = """ZCZC QXA123
FF EGZYIFPS EGTTZQZX
   LFFFZQZX
281402 KZZZABCD
(FPLAWE/KZDC004-TST731/A2731-IS
-B77W/H-SDE1E2E3FGHIJ3J5M1P2RWXY/LB1D1
-KJFK2200
-N0488F370 DCT GREKI DCT 5800N07000W 6200N05000W 6200N04000W DCT
 GWC UN859 LGL/N0480F390 UN859 BOBSA
-EGLL0654 EGKK LFPG
-PBN/A1B1C1D1L1O1S1 DOF/230828 REG/N123AB EET/CZQX0230 EGGX0400
RMK/TCAS SUR-1721/A-20 N3911/ANAC/DG
-E/0745 P/TBN)
NNNN"""


def content(message: IcaoMessage) -> IcaoMessage:
    """Return the message with offsets and the whitespace of its texts normalised."""
    route = message.route
    if route is not None:
        elements = tuple(dataclasses.replace(element, offset=0) for element in route.elements)
        route = dataclasses.replace(route, text="", elements=elements)
    return dataclasses.replace(
        message,
        route=route,
        route_text=None if message.route_text is None else " ".join(message.route_text.split()),
        route_offset=0,
        raw_fields=tuple(" ".join(text.split()) for text in message.raw_fields),
    )


def parse_error(text: str) -> FormatError:
    with pytest.raises(FormatError) as caught:
        parse_icao(text)
    return caught.value


def test_fpl_fields() -> None:
    message = parse_icao(FPL)
    assert message.msg_type == "FPL"
    assert message.message_number == "AWE/KZDC004"
    assert message.reference_data is None
    assert message.aircraft_id == "TST731"
    assert message.ssr_code == "A2731"
    assert message.flight_rules == "I"
    assert message.flight_type == "S"
    assert message.number is None
    assert message.aircraft_type == "B77W"
    assert message.wake == "H"
    assert message.equipment == "SDE1E2E3FGHIJ3J5M1P2RWXY"
    assert message.surveillance == "LB1D1"
    assert message.adep == "KJFK"
    assert message.eobt == "2200"
    assert message.ades == "EGLL"
    assert message.total_eet == "0654"
    assert message.alternates == ("EGKK", "LFPG")
    assert message.item19 == "E/0745 P/TBN"
    assert message.warnings == ()


def test_fpl_envelope() -> None:
    envelope = parse_icao(FPL).envelope
    assert envelope == AftnEnvelope(
        start=True,
        transmission_id="QXA123",
        priority="FF",
        addressees=("EGZYIFPS", "EGTTZQZX", "LFFFZQZX"),
        filing_time="281402",
        originator="KZZZABCD",
        end=True,
    )


def test_fpl_item18_keeps_free_text() -> None:
    message = parse_icao(FPL)
    assert list(message.item18) == ["PBN", "DOF", "REG", "EET", "RMK"]
    assert message.item18["EET"] == "CZQX0230 EGGX0400"
    assert message.item18["RMK"] == "TCAS SUR-1721/A-20 N3911/ANAC/DG"
    assert message.dof == dt.date(2023, 8, 28)


def test_fpl_route_offsets() -> None:
    message = parse_icao(FPL)
    route = message.route
    assert route is not None
    assert message.route_offset == FPL.index("N0488F370")
    assert message.route_text == FPL[message.route_offset : FPL.index("\n-EGLL")]
    assert [element.text for element in route.elements][:4] == ["DCT", "GREKI", "DCT", "5800N07000W"]
    assert message.route_offset is not None
    for element in route.elements:
        start = message.route_offset + element.offset
        assert FPL[start : start + len(element.text)] == element.text
        assert message.route_text[element.offset : element.offset + len(element.text)] == element.text
    lgl = route.elements[9]
    assert lgl.text == "LGL/N0480F390"
    assert lgl.change == SpeedLevel("N", 480, "F", 390)


def test_fpl_without_envelope() -> None:
    message = parse_icao("(FPL-ABC12-VG-2F15/M-N/N-ZZZZ0800-N0100VFR DCT 4620N07805W-EDDF0117 EDFH-TYP/F15 DEP/FIELD)")
    assert message.envelope is None
    assert message.number == 2
    assert message.aircraft_type == "F15"
    assert message.adep == "ZZZZ"
    assert message.item18 == {"TYP": "F15", "DEP": "FIELD"}
    assert message.dof is None
    assert message.route is not None
    assert message.route.speed_level == SpeedLevel("N", 100, "VFR", None)


def test_fpl_item18_zero() -> None:
    message = parse_icao("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)")
    assert message.item18 == {}
    assert message.item19 is None
    assert message.raw_fields[-1] == "0"


def test_line_breaks_anywhere_a_space_may_be() -> None:
    compact = parse_icao("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 AAAAA DCT BBBBB-LFPG0100 LFPO-DOF/240101 RMK/A B)")
    broken = parse_icao("(FPL-ABC12-IS\r\n-B738/M-S/C\n-EGLL1200\n-N0450F350\nAAAAA\n DCT   BBBBB\n-LFPG0100\nLFPO\n-DOF/240101\nRMK/A\n\nB)")
    assert content(broken) == content(compact)


def test_repeated_indicator_joined_with_warning() -> None:
    message = parse_icao("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-RMK/ONE RMK/TWO)")
    assert message.item18 == {"RMK": "ONE TWO"}
    assert message.warnings == ("Item 18 indicator RMK/ repeated; the values are joined with a space",)


def test_item18_unknown_indicator_stays_in_value() -> None:
    message = parse_icao("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-RMK/XYZ/ABC FOO/BAR DOF/240101)")
    assert message.item18 == {"RMK": "XYZ/ABC FOO/BAR", "DOF": "240101"}


def test_lower_case_converted_with_warning() -> None:
    message = parse_icao("(fpl-abc12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)")
    assert message.msg_type == "FPL"
    assert message.aircraft_id == "ABC12"
    assert message.warnings == ("lower-case token '(fpl-abc12-IS-B738/M-S/C-EGLL1200-N0450F350' at offset 0 converted to upper case",)


def test_no_break_space_in_message() -> None:
    message = parse_icao("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350\u00a0DCT AAAAA-LFPG0100-0)")
    assert message.route is not None
    assert [element.text for element in message.route.elements] == ["DCT", "AAAAA"]
    assert message.warnings[0] == "no-break space (U+00A0) at offset 43 read as a space"


def test_item15_error_offsets() -> None:
    text = "(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT 4675N01000E-LFPG0100-0)"
    error = parse_error(text)
    assert error.code == "SYN103"
    assert error.field == "15"
    assert error.token == "4675N01000E"
    assert error.offset == text.index("4675N")
    assert isinstance(error.__cause__, FormatError)
    assert error.__cause__.offset == len("N0450F350 DCT ")
    assert "offset 14 in Item 15" in error.detail


FIELD_ERRORS = [
    # message, code, field, token, offset
    ("(XYZ-ABC12)", "SYN110", "3", "XYZ", 1),
    ("(FP-ABC12)", "SYN110", "3", "FP", 1),
    ("(FPLA/B12-ABC12)", "SYN110", "3", "FPLA/B12", 1),
    ("(FPL-A-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "7", "A", 5),
    ("(FPL-ABCDEFGH-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "7", "ABCDEFGH", 5),
    ("(FPL-ABC12/A1238-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "7", "ABC12/A1238", 5),
    ("(FPL-ABC12-IQ-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "8", "IQ", 11),
    ("(FPL-ABC12-I-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "8", "I", 11),
    ("(FPL-ABC12-IS-B738/Q-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "9", "B738/Q", 14),
    ("(FPL-ABC12-IS-B738-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "9", "B738", 14),
    ("(FPL-ABC12-IS-0B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "9", "0B738/M", 14),
    ("(FPL-ABC12-IS-B738/M-SQ/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "10", "SQ/C", 21),
    ("(FPL-ABC12-IS-B738/M-SDFG-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "10", "SDFG", 21),
    ("(FPL-ABC12-IS-B738/M-S/Q-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "10", "S/Q", 21),
    ("(FPL-ABC12-IS-B738/M-S/C-EGL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "13", "EGL1200", 25),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL2400-N0450F350 DCT-LFPG0100-0)", "SYN110", "13", "EGLL2400", 25),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1260-N0450F350 DCT-LFPG0100-0)", "SYN110", "13", "EGLL1260", 25),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG010-0)", "SYN110", "16", "LFPG010", 48),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0160-0)", "SYN110", "16", "LFPG0160", 48),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100 LFPO EGLL EGKK-0)", "SYN110", "16", "LFPG0100 LFPO EGLL EGKK", 48),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100 LFP-0)", "SYN110", "16", "LFPG0100 LFP", 48),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-HELLO DOF/240101)", "SYN110", "18", "HELLO", 57),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-DOF/240230)", "SYN110", "18", "DOF/240230", 57),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-REG/ABC DOF/24023)", "SYN110", "18", "DOF/24023", 65),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-  )", "SYN110", "18", "", 57),
    ("HELLO\n(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "AFTN", "HELLO", 0),
    ("ZCZC\nFF EGZY\n(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN110", "AFTN", "FF EGZY", 5),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)\nEXTRA", "SYN110", "AFTN", "EXTRA", 60),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100-0", "SYN110", "3", "(", 0),
    ("FPL-ABC12-IS", "SYN111", "3", "FPL-ABC12-IS", 0),
    ("(FPL-ABC12-IS)", "SYN111", "9", "", 13),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT-LFPG0100)", "SYN111", "18", "", 56),
    ("(FPL-ABC12-IS--S/C-EGLL1200-N0450F350 DCT-LFPG0100-0)", "SYN111", "9", "", 14),
    ("(CNL)", "SYN111", "7", "", 4),
    ("(DLA-ABC12)", "SYN111", "13", "", 10),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT\u00c5-LFPG0100-0)", "SYN101", None, "\u00c5", 47),
    ("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT;-LFPG0100-0)", "SYN101", None, ";", 47),
    ("   \n", "SYN100", None, "", 0),
]


@pytest.mark.parametrize(("text", "code", "field", "token", "offset"), FIELD_ERRORS, ids=[f"{case[1]}-f{case[2]}-{case[3][:12] or 'empty'}" for case in FIELD_ERRORS])
def test_field_errors(text: str, code: str, field: str | None, token: str, offset: int) -> None:
    error = parse_error(text)
    assert error.code == code
    assert error.field == field
    assert error.token == token
    assert error.offset == offset


def test_invalid_character_names_code_point() -> None:
    error = parse_error("(FPL-ABC12-IS-B738/M-S/C-EGLL1200-N0450F350 DCT\x0b-LFPG0100-0)")
    assert error.code == "SYN101"
    assert "U+000B" in error.detail
    assert error.offset == 47


FIELD_LIST_MESSAGES = [
    ("(CNL-WMT912-EDJA2010-LIRF-DOF/240228)", "CNL", "WMT912", ("CNL", "WMT912", "EDJA2010", "LIRF", "DOF/240228")),
    ("(DLA-ABC12-EGLL1230-LFPG-0)", "DLA", "ABC12", ("DLA", "ABC12", "EGLL1230", "LFPG", "0")),
    ("(DEP-ABC12/A1234-EGLL1232-LFPG-DOF/240101)", "DEP", "ABC12", ("DEP", "ABC12/A1234", "EGLL1232", "LFPG", "DOF/240101")),
    ("(ARR-ABC12-EGLL1200-LFPG1315)", "ARR", "ABC12", ("ARR", "ABC12", "EGLL1200", "LFPG1315")),
    ("(CHG-ABC12-EGLL1200-LFPG-DOF/240101-8/IN)", "CHG", "ABC12", ("CHG", "ABC12", "EGLL1200", "LFPG", "DOF/240101", "8/IN")),
]


@pytest.mark.parametrize(("text", "msg_type", "aircraft_id", "raw_fields"), FIELD_LIST_MESSAGES, ids=[case[1] for case in FIELD_LIST_MESSAGES])
def test_field_list_messages(text: str, msg_type: str, aircraft_id: str, raw_fields: tuple[str, ...]) -> None:
    message = parse_icao(text)
    assert message.msg_type == msg_type
    assert message.aircraft_id == aircraft_id
    assert message.raw_fields == raw_fields
    assert message.route is None
    assert message.adep == raw_fields[2][:4]
    assert message.eobt == raw_fields[2][4:]
    assert emit_icao(message) == text


def test_emit_fpl_layout() -> None:
    message = parse_icao(FPL)
    expected = """ZCZC QXA123
FF EGZYIFPS EGTTZQZX LFFFZQZX
281402 KZZZABCD
(FPLAWE/KZDC004-TST731/A2731-IS
-B77W/H-SDE1E2E3FGHIJ3J5M1P2RWXY/LB1D1
-KJFK2200
-N0488F370 DCT GREKI DCT 5800N07000W 6200N05000W 6200N04000W DCT GWC
UN859 LGL/N0480F390 UN859 BOBSA
-EGLL0654 EGKK LFPG
-PBN/A1B1C1D1L1O1S1 DOF/230828 REG/N123AB EET/CZQX0230 EGGX0400
RMK/TCAS SUR-1721/A-20 N3911/ANAC/DG
-E/0745 P/TBN)
NNNN"""
    assert emit_icao(message) == expected
    assert all(len(line) <= 69 for line in expected.splitlines())


def test_emit_fpl_single_lines() -> None:
    message = parse_icao("(FPL-ABC12-IS-2B738/M-S/C-EGLL1200-N0450F350 DCT AAAAA-LFPG0100-0)")
    assert emit_icao(message, line_length=None) == "(FPL-ABC12-IS\n-2B738/M-S/C\n-EGLL1200\n-N0450F350 DCT AAAAA\n-LFPG0100\n-0)"


def test_emit_parse_composed_message() -> None:
    message = parse_icao(FPL)
    again = parse_icao(emit_icao(message))
    assert content(again) == content(message)


def compose(parts: dict[str, object]) -> str:
    field7 = str(parts["aircraft_id"]) + ("" if parts["ssr_code"] is None else f"/{parts['ssr_code']}")
    number = "" if parts["number"] is None else str(parts["number"])
    item18 = " ".join(f"{key}/{value}" for key, value in parts["item18"].items()) or "0"  # type: ignore[attr-defined]
    field16 = " ".join([f"{parts['ades']}{parts['total_eet']}", *parts["alternates"]])  # type: ignore[misc]
    text = (
        f"(FPL-{field7}-{parts['flight_rules']}{parts['flight_type']}-{number}{parts['aircraft_type']}/{parts['wake']}"
        f"-{parts['equipment']}/{parts['surveillance']}-{parts['adep']}{parts['eobt']}-{parts['route']}-{field16}-{item18}"
    )
    if parts["item19"] is not None:
        text += f"-{parts['item19']}"
    return text + ")"


@given(fpl_parts())
@settings(max_examples=200)
def test_parse_composed_fpl(parts: dict[str, object]) -> None:
    message = parse_icao(compose(parts))
    for name in ("aircraft_id", "ssr_code", "flight_rules", "flight_type", "number", "aircraft_type", "wake"):
        assert getattr(message, name) == parts[name], name
    for name in ("equipment", "surveillance", "adep", "eobt", "ades", "total_eet", "alternates", "item18", "item19"):
        assert getattr(message, name) == parts[name], name
    assert message.route_text == parts["route"]


@given(fpl_parts(), st.sampled_from([None, 20, 69]), st.booleans())
@settings(max_examples=200)
def test_emit_parse_round_trip(parts: dict[str, object], line_length: int | None, envelope: bool) -> None:
    text = compose(parts)
    if envelope:
        text = f"ZCZC\nFF EGZYIFPS\n010203 EGZYABCD\n{text}\nNNNN"
    message = parse_icao(text)
    emitted = emit_icao(message, line_length=line_length)
    again = parse_icao(emitted)
    assert content(again) == content(message)
    assert emit_icao(again, line_length=line_length) == emitted


@given(st.text(max_size=120))
def test_arbitrary_text_raises_only_fpp_errors(text: str) -> None:
    try:
        parse_icao(text)
    except FppError:
        pass


@given(st.text(alphabet="()-FPLCNDAIS/ABZ0123456789 \nEGNT", max_size=120))
def test_message_alphabet_raises_only_fpp_errors(text: str) -> None:
    try:
        parse_icao("(FPL-" + text)
    except FppError:
        pass


@given(st.lists(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/ ", max_size=15), min_size=0, max_size=10))
def test_hyphen_split_fields_raise_only_fpp_errors(fields: list[str]) -> None:
    try:
        parse_icao("(" + "-".join(["FPL", *fields]) + ")")
    except FppError:
        pass


def test_route_elements_have_kinds() -> None:
    route = parse_icao(FPL).route
    assert route is not None
    kinds = [element.kind for element in route.elements]
    assert kinds.count(ElementKind.LATLON) == 3
    assert kinds.count(ElementKind.DCT) == 3
