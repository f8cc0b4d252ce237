"""Tests of ADEXP: field shapes, the free-text rule, envelope, errors, builders and round trips."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fpp.errors import FormatError, FppError
from fpp.formats.adexp import (
    FREE_TEXT_KEYWORDS,
    PRIMARY_KEYWORDS,
    AdexpField,
    AdexpMessage,
    RoutePoint,
    basic,
    emit_adexp,
    format_eto,
    listfield,
    parse_adexp,
    parse_eto,
    point_field,
    structured,
)

UTC = dt.timezone.utc

# A composed IFPS IFPL: envelope, ADDR, repeated EETFIR, EQCST, GEO, a MSGTXT with hyphens,
# nested REFDATA, an unknown keyword, and RTEPTS with PT, AD and VEC on indented lines.
IFPL = """ZCZC
-TITLE IFPL
-BEGIN ADDR
   -FAC EGZYTTTE
   -FAC EGZYPXFO
-END ADDR
-ADEP KJFK -ADES EGLL
-ARCID TST731 -ARCTYP B77W -SSRCODE A2731
-IFPLID AA12345678
-ROUTE N0488F370 DCT GREKI DCT 5800N07000W
  6200N05000W DCT GWC UN859 LGL
-EETFIR CZQX 0230
-EETFIR EGGX 0400
-EETFIR EGTT 0610
-BEGIN EQCST -EQPT W/EQ -EQPT Y/NO -END EQCST
-GEO -GEOID GEO01 -LATTD 580000N -LONGTD 0700000W
-GEO -GEOID GEO02 -LATTD 620000N -LONGTD 0500000W
-XPRIVATE SOMETHING
-MSGTXT (FPL-TST731-IS -B77W/H -SDFG/C -KJFK2200 -18/PBN/B1 RMK/A-B -BEL20B)
-REFDATA -SENDER -FAC EBBUZXZQ -RECVR -FAC EBSZZXZQ -SEQNUM 006
-BEGIN RTEPTS
\t-PT -PTID KJFK -ETO 230828220000
\t-PT -PTID GREKI -FL F370 -ETO 230828224100 -TO 2241
\t-PT -PTID GEO01 -FL F370
\t\t-ETO 230829013000 -ISPASS Y
  -AD -ADID EGLL -ETO 20230829065400 -PTRTE DCT
  -VEC -RELDIST 01 -FL F010 -ETO 230829070000
-END RTEPTS NNNN"""


def parse_error(text: str) -> FormatError:
    with pytest.raises(FormatError) as caught:
        parse_adexp(text)
    return caught.value


def test_ifpl_top_level_fields() -> None:
    message = parse_adexp(IFPL)
    keywords = [field.keyword for field in message.fields]
    assert keywords == [
        "TITLE", "ADDR", "ADEP", "ADES", "ARCID", "ARCTYP", "SSRCODE", "IFPLID", "ROUTE", "EETFIR", "EETFIR",
        "EETFIR", "EQCST", "GEO", "GEO", "XPRIVATE", "MSGTXT", "REFDATA", "RTEPTS",
    ]  # fmt: skip
    assert message.envelope is True
    assert message.title == "IFPL"
    assert message.get("ADEP") == "KJFK"
    assert message.get("XPRIVATE") == "SOMETHING"
    assert message.get("MISSING") is None
    assert message.route == "N0488F370 DCT GREKI DCT 5800N07000W 6200N05000W DCT GWC UN859 LGL"
    assert message.get_all("EETFIR") == ["CZQX 0230", "EGGX 0400", "EGTT 0610"]


def test_ifpl_lists_and_structures() -> None:
    message = parse_adexp(IFPL)
    addr = message.find_all("ADDR")[0]
    assert addr.is_list
    assert addr.children == (AdexpField("FAC", "EGZYTTTE", offset=IFPL.index("-FAC EGZYT")), AdexpField("FAC", "EGZYPXFO", offset=IFPL.index("-FAC EGZYP")))
    eqcst = message.find_all("EQCST")[0]
    assert [(child.keyword, child.value) for child in eqcst.children] == [("EQPT", "W/EQ"), ("EQPT", "Y/NO")]

    refdata = message.find_all("REFDATA")[0].without_offsets()
    assert refdata == structured(
        "REFDATA",
        [structured("SENDER", [basic("FAC", "EBBUZXZQ")]), structured("RECVR", [basic("FAC", "EBSZZXZQ")]), basic("SEQNUM", "006")],
    )


def test_ifpl_free_text_keeps_hyphens() -> None:
    message = parse_adexp(IFPL)
    assert message.get("MSGTXT") == "(FPL-TST731-IS -B77W/H -SDFG/C -KJFK2200 -18/PBN/B1 RMK/A-B -BEL20B)"


def test_ifpl_geo_points() -> None:
    assert parse_adexp(IFPL).geo_points() == {"GEO01": (58.0, -70.0), "GEO02": (62.0, -50.0)}


def test_ifpl_rtepts() -> None:
    points = parse_adexp(IFPL).rtepts()
    assert [(point.kind, point.ident, point.fl) for point in points] == [
        ("PT", "KJFK", None),
        ("PT", "GREKI", "F370"),
        ("PT", "GEO01", "F370"),
        ("AD", "EGLL", None),
        ("VEC", None, "F010"),
    ]
    assert [point.eto for point in points] == [
        dt.datetime(2023, 8, 28, 22, 0, tzinfo=UTC),
        dt.datetime(2023, 8, 28, 22, 41, tzinfo=UTC),
        dt.datetime(2023, 8, 29, 1, 30, tzinfo=UTC),
        dt.datetime(2023, 8, 29, 6, 54, tzinfo=UTC),
        dt.datetime(2023, 8, 29, 7, 0, tzinfo=UTC),
    ]
    assert points[1].subfields == {"PTID": "GREKI", "FL": "F370", "ETO": "230828224100", "TO": "2241"}
    assert points[2].subfields["ISPASS"] == "Y"
    assert points[3].subfields["PTRTE"] == "DCT"
    assert points[4].subfields["RELDIST"] == "01"
    assert points[0].offset == IFPL.index("-PT -PTID KJFK")


def test_ifpl_offsets_point_at_fields() -> None:
    message = parse_adexp(IFPL)
    for field in message.fields:
        expected_start = "-BEGIN" if field.is_list else f"-{field.keyword}"
        assert IFPL.startswith(expected_start, field.offset), field.keyword


SHAPES = [
    ("-TITLE IFPL", (basic("TITLE", "IFPL"),)),
    ("-XFL", (AdexpField("XFL"),)),
    ("-ROUTE N0450F350\n   DCT\t\tABCDE", (basic("ROUTE", "N0450F350 DCT ABCDE"),)),
    ("-CFL -FL F350", (structured("CFL", [basic("FL", "F350")]),)),
    ("-CFL F350", (basic("CFL", "F350"),)),
    ("-ORIGIN -NETWORKTYPE SITA -FAC FRAOXLH", (structured("ORIGIN", [basic("NETWORKTYPE", "SITA"), basic("FAC", "FRAOXLH")]),)),
    ("-ESTDATA -PTID XETBO -ETO 170302032300 -FL F390", (structured("ESTDATA", [basic("PTID", "XETBO"), basic("ETO", "170302032300"), basic("FL", "F390")]),)),
    ("-ESTDATA -PTID XETBO -ADEP EDDF", (structured("ESTDATA", [basic("PTID", "XETBO")]), basic("ADEP", "EDDF"))),
    ("-REF -REFID REF01 -PTID DUB -BRNG 180 -DISTNC 40", (structured("REF", [basic("REFID", "REF01"), basic("PTID", "DUB"), basic("BRNG", "180"), basic("DISTNC", "40")]),)),
    ("-BEGIN ASPLIST -ASP -AIRSPDES EDYYAOI -ETI 130404091206 -XTI 130404095840 -END ASPLIST", (listfield("ASPLIST", [structured("ASP", [basic("AIRSPDES", "EDYYAOI"), basic("ETI", "130404091206"), basic("XTI", "130404095840")])]),)),
    ("-BEGIN XLIST -ITEM 1 -ITEM 2 -END XLIST -ADEP EDDF", (listfield("XLIST", [basic("ITEM", "1"), basic("ITEM", "2")]), basic("ADEP", "EDDF"))),
    ("-BEGIN XLIST -PT -PTID ABC -OTHER 1 -END XLIST", (listfield("XLIST", [structured("PT", [basic("PTID", "ABC")]), basic("OTHER", "1")]),)),
    ("-BEGIN RTEPTS -PT -PTID ABC -OTHER 1 -END RTEPTS", (listfield("RTEPTS", [AdexpField("PT", None, (basic("PTID", "ABC"), basic("OTHER", "1")))]),)),
    ("-BEGIN RTEPTS -END RTEPTS", (listfield("RTEPTS", []),)),
    ("-BEGIN A -BEGIN B -X 1 -END B -END A", (listfield("A", [listfield("B", [basic("X", "1")])]),)),
    ("-GEO -GEOID GEO01 -BEGIN RTEPTS -PT -PTID GEO01 -END RTEPTS", (structured("GEO", [basic("GEOID", "GEO01")]), listfield("RTEPTS", [point_field("GEO01")]))),
    ("-PT -PTID ABC -PTCRSCLIMB -PTSPEED N0450 -CRFL1 F290 -CRFL2 PLUS -ETO 230101000000", (structured("PT", [basic("PTID", "ABC"), structured("PTCRSCLIMB", [basic("PTSPEED", "N0450"), basic("CRFL1", "F290"), basic("CRFL2", "PLUS")]), basic("ETO", "230101000000")]),)),
    ("-TITLE A -TITLE B", (basic("TITLE", "A"), basic("TITLE", "B"))),
    ("-A1 x-y -B2 - -C3 -18", (basic("A1", "x-y"), basic("B2", "-"), basic("C3", "-18"))),
]


@pytest.mark.parametrize(("text", "fields"), SHAPES, ids=[case[0][:30] for case in SHAPES])
def test_field_shapes(text: str, fields: tuple[AdexpField, ...]) -> None:
    message = parse_adexp(text)
    assert message.without_offsets().fields == fields
    assert message.envelope is False


FREE_TEXT = [
    ("-MSGTXT (ACH-BEL20B-LFPG1200 -18/PBN/B1 -ZZZ) -ADEP EDDF", "(ACH-BEL20B-LFPG1200 -18/PBN/B1 -ZZZ)", ["MSGTXT", "ADEP"]),
    ("-COMMENT SEE -FOO AND -BAR\n-ARCID ABC", "SEE -FOO AND -BAR", ["COMMENT", "ARCID"]),
    ("-RMK TEXT -END RTEPTS", None, None),
    ("-IFPDLONG A -B -C -TITLE IFPL", "A -B -C", ["IFPDLONG", "TITLE"]),
    ("-BEGIN RTEPTS -PT -PTID A -COMMENT X -Y -PT -PTID B -END RTEPTS", None, ["RTEPTS"]),
]


@pytest.mark.parametrize(("text", "value", "keywords"), FREE_TEXT, ids=["msgtxt", "comment", "rmk-end", "ifpdlong", "in-point"])
def test_free_text_rule(text: str, value: str | None, keywords: list[str] | None) -> None:
    if keywords is None:
        error = parse_error(text)
        assert error.code == "SYN112"
        return
    message = parse_adexp(text)
    assert [field.keyword for field in message.fields] == keywords
    if value is not None:
        assert message.fields[0].value == value


def test_free_text_inside_point_ends_at_next_point() -> None:
    points = parse_adexp("-BEGIN RTEPTS -PT -PTID A -COMMENT X -Y -PT -PTID B -END RTEPTS").rtepts()
    assert [point.ident for point in points] == ["A", "B"]
    assert points[0].subfields["COMMENT"] == "X -Y"


def test_single_line_message() -> None:
    text = "-TITLE IFPL -ARCID ABC -BEGIN RTEPTS -PT -PTID UPALA -ETO 181023080332 -FL F140 -END RTEPTS -ADES EDDF"
    message = parse_adexp(text)
    assert [field.keyword for field in message.fields] == ["TITLE", "ARCID", "RTEPTS", "ADES"]
    assert message.rtepts()[0].fl == "F140"
    assert message.get("ADES") == "EDDF"


def test_subfield_on_next_line() -> None:
    message = parse_adexp("-BEGIN RTEPTS\n-PT\n-PTID ABCDE\n-FL F350\n-END RTEPTS")
    assert message.rtepts()[0].ident == "ABCDE"
    assert message.rtepts()[0].fl == "F350"


def test_envelope_variants() -> None:
    assert parse_adexp("ZCZC -TITLE IFPL -END RTEPTS NNNN".replace("-END RTEPTS ", "")).envelope
    assert parse_adexp("-TITLE IFPL\nNNNN\n").envelope
    assert parse_adexp("ZCZC ABC001\nFF EGZYIFPS\n010203 EGZYABCD\n-TITLE IFPL").envelope
    assert not parse_adexp("-TITLE IFPL").envelope
    assert parse_adexp("-TITLE IFPL NNNN").get("TITLE") == "IFPL"


ETOS = [
    ("170729073000", dt.datetime(2017, 7, 29, 7, 30, tzinfo=UTC)),
    ("230828083200", dt.datetime(2023, 8, 28, 8, 32, tzinfo=UTC)),
    ("20181123074800", dt.datetime(2018, 11, 23, 7, 48, tzinfo=UTC)),
]


@pytest.mark.parametrize(("text", "moment"), ETOS, ids=[case[0] for case in ETOS])
def test_eto_forms(text: str, moment: dt.datetime) -> None:
    assert parse_eto(text) == moment
    assert format_eto(moment) == moment.strftime("%y%m%d%H%M%S")


def test_format_eto_converts_to_utc() -> None:
    local = dt.datetime(2023, 8, 28, 10, 32, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert format_eto(local) == "230828083200"
    with pytest.raises(ValueError):
        format_eto(dt.datetime(1999, 12, 31))


ERRORS = [
    # text, code, token, offset, field
    ("", "SYN100", "", 0, None),
    ("HELLO -TITLE IFPL", "SYN112", "HELLO", 0, None),
    ("TITLE IFPL", "SYN112", "TITLE IFPL", 0, None),
    ("-title ifpl", "SYN112", "-title ifpl", 0, None),
    ("-TITLE IFPL -BEGIN RTEPTS -PT -PTID ABC", "SYN112", "-BEGIN RTEPTS", 12, None),
    ("-TITLE IFPL -END RTEPTS", "SYN112", "-END RTEPTS", 12, None),
    ("-BEGIN ADDR -FAC X -END RTEPTS", "SYN112", "-END RTEPTS", 19, None),
    ("-BEGIN", "SYN112", "-BEGIN", 0, None),
    ("-BEGIN RTEPTS EXTRA -END RTEPTS", "SYN112", "-BEGIN RTEPTS EXTRA", 0, None),
    ("-BEGIN RTEPTS -END RTEPTS TRAILING", "SYN112", "-END RTEPTS TRAILING", 14, None),
    ("-BEGIN rtepts -END rtepts", "SYN112", "-BEGIN rtepts", 0, None),
    ("-PT -PTID ABC -ETO 2308280832", "SYN113", "2308280832", 19, "ETO"),
    ("-PT -PTID ABC -ETO 231328083200", "SYN113", "231328083200", 19, "ETO"),
    ("-PT -PTID ABC -ETO 230828246000", "SYN113", "230828246000", 19, "ETO"),
    ("-PT -PTID ABC -ETO", "SYN113", "", 18, "ETO"),
    ("-GEO -GEOID GEO01 -LATTD 4900N -LONGTD 0500000W", "SYN113", "4900N", 25, "LATTD"),
    ("-GEO -GEOID GEO01 -LATTD 496000N", "SYN113", "496000N", 25, "LATTD"),
    ("-GEO -GEOID GEO01 -LATTD 490000N -LONGTD 1810000W", "SYN113", "1810000W", 41, "LONGTD"),
    ("-PT -PTID ABC -FL 350", "SYN113", "350", 18, "FL"),
    ("-PT -PTID ABC -FL F35", "SYN113", "F35", 18, "FL"),
    ("-CFL -FL FL350", "SYN113", "FL350", 9, "FL"),
    ("-PT -PTID ABCDEF", "SYN113", "ABCDEF", 10, "PTID"),
    ("-PT -PTID AB-CD", "SYN113", "AB-CD", 10, "PTID"),
    ("-ESTDATA -PTID GEO1234", "SYN113", "GEO1234", 15, "PTID"),
    ("-TITLE IFPL\x0b", "SYN101", "\x0b", 11, None),
    ("-TITLE \u00c5", "SYN101", "\u00c5", 7, None),
]


@pytest.mark.parametrize(("text", "code", "token", "offset", "field"), ERRORS, ids=[f"{case[1]}-{case[2][:14] or 'empty'}" for case in ERRORS])
def test_adexp_errors(text: str, code: str, token: str, offset: int, field: str | None) -> None:
    error = parse_error(text)
    assert error.code == code
    assert error.token == token
    assert error.offset == offset
    assert error.field == field


def test_valid_point_identifiers() -> None:
    text = "-BEGIN RTEPTS -PT -PTID DM066 -PT -PTID GEO01 -PT -PTID GEO123 -PT -PTID REF01 -PT -PTID *1ROL -PT -PTID A -END RTEPTS"
    assert [point.ident for point in parse_adexp(text).rtepts()] == ["DM066", "GEO01", "GEO123", "REF01", "*1ROL", "A"]


def test_no_break_space_read_as_space() -> None:
    assert parse_adexp("-TITLE\u00a0IFPL").get("TITLE") == "IFPL"


def test_e26_thousand_points() -> None:
    lines = ["-TITLE IFPL", "-BEGIN RTEPTS"]
    start = dt.datetime(2023, 8, 28, 8, 0, tzinfo=UTC)
    for index in range(1000):
        lines.append(f"  -PT -PTID P{index:04d} -FL F350 -ETO {format_eto(start + dt.timedelta(minutes=index))}")
    lines.append("-END RTEPTS")
    points = parse_adexp("\n".join(lines)).rtepts()
    assert len(points) == 1000
    assert points[0].ident == "P0000"
    assert points[-1].ident == "P0999"
    assert points[-1].eto == start + dt.timedelta(minutes=999)


# -- builders and emitting --------------------------------------------------------------------


def build_ifpl() -> AdexpMessage:
    return AdexpMessage(
        (
            basic("TITLE", "IFPL"),
            listfield("ADDR", [basic("FAC", "EGZYTTTE"), basic("FAC", "EGZYPXFO")]),
            basic("ARCID", "TST731"),
            basic("ROUTE", "N0450F350  DCT\nABCDE"),
            basic("EETFIR", "EGTT 0010"),
            basic("EETFIR", "EGPX 0040"),
            structured("GEO", [basic("GEOID", "GEO01"), basic("LATTD", "490000N"), basic("LONGTD", "0500000W")]),
            basic("MSGTXT", "(FPL-TST731-IS -18/PBN/B1)"),
            listfield(
                "RTEPTS",
                [
                    point_field("EGLL", eto=dt.datetime(2023, 8, 28, 8, 0, tzinfo=UTC)),
                    point_field("ABCDE", fl="F350", eto="230828083000", extra={"TO": "0830"}),
                    structured("AD", [basic("ADID", "LFPG"), basic("PTRTE", "DCT")]),
                ],
            ),
        ),
        envelope=True,
    )


def test_emit_layout() -> None:
    expected = """ZCZC
-TITLE IFPL
-BEGIN ADDR
  -FAC EGZYTTTE
  -FAC EGZYPXFO
-END ADDR
-ARCID TST731
-ROUTE N0450F350 DCT ABCDE
-EETFIR EGTT 0010
-EETFIR EGPX 0040
-GEO -GEOID GEO01 -LATTD 490000N -LONGTD 0500000W
-MSGTXT (FPL-TST731-IS -18/PBN/B1)
-BEGIN RTEPTS
  -PT -PTID EGLL -ETO 230828080000
  -PT -PTID ABCDE -FL F350 -ETO 230828083000 -TO 0830
  -AD -ADID LFPG -PTRTE DCT
-END RTEPTS
NNNN"""
    assert emit_adexp(build_ifpl()) == expected


def test_emit_wrap() -> None:
    message = AdexpMessage((basic("ROUTE", " ".join(["ABCDE"] * 30)), basic("TITLE", "IFPL")))
    text = emit_adexp(message, wrap=40)
    assert all(len(line) <= 40 for line in text.splitlines())
    assert text.splitlines()[1].startswith("  ABCDE")
    assert parse_adexp(text).without_offsets() == message


def test_emit_parse_built_message() -> None:
    message = build_ifpl()
    assert parse_adexp(emit_adexp(message)).without_offsets() == message
    assert parse_adexp(emit_adexp(message, wrap=30)).without_offsets() == message


def test_point_field_subfields() -> None:
    point = point_field("ABCDE", "F350", dt.datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC), [("PTRTE", "DCT"), ("TO", "0304")])
    assert point == AdexpField(
        "PT",
        None,
        (basic("PTID", "ABCDE"), basic("FL", "F350"), basic("ETO", "230102030405"), basic("PTRTE", "DCT"), basic("TO", "0304")),
    )
    route_point = AdexpMessage((listfield("RTEPTS", [point]),)).rtepts()[0]
    assert route_point == RoutePoint("PT", "ABCDE", "F350", dt.datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC), {"PTID": "ABCDE", "FL": "F350", "ETO": "230102030405", "PTRTE": "DCT", "TO": "0304"}, 0)


UNWRITABLE = [
    (AdexpMessage((basic("ROUTE", "N0450F350 -ADEP X"),)), "would be read as a new field"),
    (AdexpMessage((basic("MSGTXT", "TEXT -ADEP X"),)), "would be read as a new field"),
    (AdexpMessage((basic("RMK", "INJECTED) -EGLL0200 -DOF/230828"),)), "would take for a new field"),
    (AdexpMessage((basic("MSGTXT", "-BEL20B"),)), "would take for a new field"),
    (AdexpMessage((basic("TITLE", "\u00c5"),)), "printable ASCII"),
    (AdexpMessage((structured("ESTDATA", [basic("PTID", "ABC")]), basic("FL", "F350"))), "would be read as a subfield"),
    (AdexpMessage((basic("CFL", None), basic("FL", "F350"))), "would be read as a subfield"),
    (AdexpMessage((AdexpField("GEO", None, (basic("ADEP", "EDDF"),)),)), "would not be read as a subfield"),
    (AdexpMessage((AdexpField("FOO", None, (basic("A", "1"),)),)), "not in STRUCTURED_SUBFIELDS"),
    (AdexpMessage((AdexpField("GEO", "X", (basic("GEOID", "GEO01"),)),)), "both a value and subfields"),
    (AdexpMessage((AdexpField("title", "X"),)), "invalid ADEXP keyword"),
    (AdexpMessage((listfield("RTEPTS", [point_field("A"), basic("OTHER", "1")]),)), "would be read as a subfield"),
    (AdexpMessage((basic("RMK", "END NNNN"),)), "NNNN"),
    (AdexpMessage((basic("MSGTXT", "TEXT"), basic("XUNKNOWN", "1"))), "part of that text"),
    (AdexpMessage((listfield("RTEPTS", [AdexpField("PT", None, (basic("PTID", "A"), basic("COMMENT", "X"), basic("ISPASS", "Y")))]),)), "part of that text"),
]


@pytest.mark.parametrize(("message", "reason"), UNWRITABLE, ids=["value-field", "free-text-known", "free-text-unknown", "free-text-start", "non-ascii", "estdata-fl", "empty-cfl", "not-subfield", "unknown-compound", "value-and-children", "lower-case", "after-point", "nnnn", "after-free-text", "free-text-in-point"])
def test_emit_rejects_unreadable_messages(message: AdexpMessage, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        emit_adexp(message)


def test_builders_reject_invalid_keywords() -> None:
    with pytest.raises(ValueError):
        basic("BEGIN", "X")
    with pytest.raises(ValueError):
        basic("1ABC", "X")
    with pytest.raises(ValueError):
        structured("NOTCOMPOUND", [])
    with pytest.raises(ValueError):
        listfield("bad name", [])


def test_basic_collapses_whitespace() -> None:
    assert basic("ROUTE", " A \n B\t") == AdexpField("ROUTE", "A B")
    assert basic("XFL", "  ") == AdexpField("XFL", None)


# -- round trips ------------------------------------------------------------------------------

TOP_KEYWORDS = ["ARCID", "ADEP", "ADES", "EOBT", "ROUTE", "EETFIR", "SRC", "ORGNID", "IFPLID", "XKEY1", "ZUNKNOWN"]
plain_words = st.from_regex(r"\A[A-Z0-9/().,:'=+?]{1,8}\Z").filter(lambda word: word != "NNNN")
plain_values = st.one_of(st.none(), st.lists(plain_words, min_size=1, max_size=5).map(" ".join))
# The writer rejects a word of hyphen and letter (-BEL20B) in any value, because other readers start a field there.
free_words = st.one_of(plain_words, st.sampled_from(["(FPL-ABC-IS", "-18/PBN/B1", "A-B", "-", "--", "-9"]))
free_values = st.lists(free_words, min_size=1, max_size=8).map(" ".join)
lattd = st.tuples(st.integers(0, 89), st.integers(0, 59), st.integers(0, 59), st.sampled_from("NS")).map(lambda p: f"{p[0]:02d}{p[1]:02d}{p[2]:02d}{p[3]}")
longtd = st.tuples(st.integers(0, 179), st.integers(0, 59), st.integers(0, 59), st.sampled_from("EW")).map(lambda p: f"{p[0]:03d}{p[1]:02d}{p[2]:02d}{p[3]}")
flight_levels = st.integers(0, 999).map(lambda value: f"F{value:03d}")
etos = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(lambda moment: moment.replace(microsecond=0, tzinfo=UTC))
point_ids = st.one_of(st.from_regex(r"\A[A-Z0-9]{1,5}\Z"), st.from_regex(r"\AGEO[0-9]{2,3}\Z"), st.from_regex(r"\A\*[A-Z0-9]{1,5}\Z"))

route_points = st.one_of(
    st.builds(
        point_field,
        point_ids,
        st.one_of(st.none(), flight_levels),
        st.one_of(st.none(), etos),
        st.one_of(st.none(), st.dictionaries(st.sampled_from(["TO", "PTRTE", "ISPASS", "SFL"]), plain_words, max_size=2)),
    ),
    st.builds(lambda ident, eto: structured("AD", [basic("ADID", ident), basic("ETO", format_eto(eto))]), st.from_regex(r"\A[A-Z]{4}\Z"), etos),
    st.builds(lambda fl: structured("VEC", [basic("RELDIST", "01"), basic("FL", fl)]), flight_levels),
)
top_fields = st.one_of(
    st.builds(basic, st.sampled_from(TOP_KEYWORDS), plain_values),
    st.builds(basic, st.sampled_from(["MSGTXT", "COMMENT", "RMK"]), free_values),
    st.builds(lambda ident, lat, lon: structured("GEO", [basic("GEOID", ident), basic("LATTD", lat), basic("LONGTD", lon)]), st.from_regex(r"\AGEO[0-9]{2}\Z"), lattd, longtd),
    st.builds(lambda ident, eto, fl: structured("ESTDATA", [basic("PTID", ident), basic("ETO", format_eto(eto)), basic("FL", fl)]), point_ids, etos, flight_levels),
    st.builds(lambda network, fac: structured("ORIGIN", [basic("NETWORKTYPE", network), basic("FAC", fac)]), st.sampled_from(["SITA", "AFTN"]), plain_words),
    st.builds(lambda a, b: structured("REFDATA", [structured("SENDER", [basic("FAC", a)]), structured("RECVR", [basic("FAC", b)]), basic("SEQNUM", "001")]), plain_words, plain_words),
    st.builds(listfield, st.just("RTEPTS"), st.lists(route_points, max_size=6)),
    st.builds(listfield, st.just("ADDR"), st.lists(st.builds(basic, st.just("FAC"), plain_words), max_size=4)),
    st.builds(listfield, st.just("EQCST"), st.lists(st.builds(basic, st.just("EQPT"), st.sampled_from(["W/EQ", "Y/NO", "R/UN"])), max_size=3)),
    st.builds(listfield, st.just("XLIST"), st.lists(st.builds(basic, st.sampled_from(["ITEM", "XVAL"]), plain_values), max_size=3)),
)


@st.composite
def messages(draw: st.DrawFn) -> AdexpMessage:
    """Draw a message that ADEXP can express: no unknown keyword directly after free text."""
    fields = [basic("TITLE", "IFPL")]
    for _ in range(draw(st.integers(0, 10))):
        item = draw(top_fields)
        after_free_text = fields[-1].keyword in FREE_TEXT_KEYWORDS
        if after_free_text and not item.is_list and item.keyword not in PRIMARY_KEYWORDS:
            continue
        fields.append(item)
    return AdexpMessage(tuple(fields), draw(st.booleans()))


@given(messages(), st.sampled_from([None, 25, 69]))
@settings(max_examples=300)
def test_emit_parse_round_trip(message: AdexpMessage, wrap: int | None) -> None:
    text = emit_adexp(message, wrap=wrap)
    assert parse_adexp(text).without_offsets() == message


@given(messages())
def test_parsed_offsets_point_at_fields(message: AdexpMessage) -> None:
    text = emit_adexp(message)
    for field in parse_adexp(text).fields:
        expected_start = "-BEGIN" if field.is_list else f"-{field.keyword}"
        assert text.startswith(expected_start, field.offset)


@given(st.text(max_size=120))
def test_arbitrary_text_raises_only_fpp_errors(text: str) -> None:
    try:
        message = parse_adexp(text)
    except FppError:
        return
    message.rtepts()
    message.geo_points()


@given(st.lists(st.sampled_from(["-BEGIN", "-END", "RTEPTS", "-PT", "-PTID", "-ETO", "-FL", "-GEO", "-LATTD", "-LONGTD", "-MSGTXT", "ABC", "F350", "231328083200", "490000N", "ZCZC", "NNNN", "-", "\n", "\t"]), max_size=30))
def test_keyword_soup_raises_only_fpp_errors(tokens: list[str]) -> None:
    try:
        message = parse_adexp(" ".join(tokens))
    except FppError:
        return
    message.rtepts()
    message.geo_points()
    try:
        emit_adexp(message.without_offsets())
    except ValueError as error:
        # fpp's parser keeps an unknown -WORD inside free text, but the writer refuses it,
        # because other ADEXP readers would start a field there.
        assert "new field" in str(error)
