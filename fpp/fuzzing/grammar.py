"""Grammar-level and byte-level strategies: message text of every shape the parsers must read.

Grammar level
    :func:`item15_texts` draws valid Item 15 text with every element type. These are speed/level
    groups in every unit, DCT, points, ATS routes, SID and STAR shapes, and lat/long points in the
    7, 11 and 15 character forms, the poles and the 180th meridian included. Bearing/distance
    points, change groups, cruise climbs, VFR/IFR, OAT/GAT and IFPSTOP/IFPSTART pairs, STAY and
    the truncation ``T`` complete the list. :func:`layouts` writes the same route with other whitespace, line breaks, case and
    no-break spaces. :func:`adexp_messages` draws ADEXP messages with basic, structured, nested
    and list fields (RTEPTS with PT, AD and VEC elements, GEO, REF, ADDR, EQCST, ASPLIST, free
    text with hyphens, unknown keywords, AFTN envelopes). :func:`icao_texts` draws ICAO FPL
    messages.

Byte level
    :func:`hostile_texts` draws arbitrary bytes decoded as Latin-1, arbitrary Unicode text, and
    valid messages with characters inserted, deleted or replaced.
"""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import strategies as st

from fpp.formats.adexp import (
    FREE_TEXT_KEYWORDS,
    PRIMARY_KEYWORDS,
    AdexpField,
    AdexpMessage,
    basic,
    format_eto,
    listfield,
    structured,
)
from fpp.formats.latlon import format_adexp_lat, format_adexp_lon

__all__ = [
    "adexp_messages",
    "designators",
    "hostile_texts",
    "icao_texts",
    "ifpl_messages",
    "item15_texts",
    "lat_longs",
    "layouts",
    "speed_levels",
]

_KEYWORDS = frozenset({"DCT", "VFR", "IFR", "OAT", "GAT", "IFPSTOP", "IFPSTART", "T", "C"})
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: Point designators: 2 to 5 characters, a letter first (``ABC``, ``ABCDE``, ``DM066``).
#: Letter-first ARINC 424 codes such as ``E0000`` or ``H5030``, which the parser rejects by policy.
_ARINC_LETTER_FIRST = re.compile(r"[NSEWH]\d{4}")
designators = st.from_regex(r"\A[A-Z][A-Z0-9]{1,4}\Z").filter(
    lambda d: d not in _KEYWORDS and not d.startswith("STAY") and not _ARINC_LETTER_FIRST.fullmatch(d)
)
#: ATS route designators with a digit (``UN859``, ``L15``) and NAT tracks.
route_designators = st.one_of(st.from_regex(r"\A[A-Z]{1,2}[0-9]{1,3}[A-Z]?\Z"), st.sampled_from([f"NAT{c}" for c in "ABCDEFG"]))
#: SID and STAR shaped designators (``ORCKA5``, ``ANEKI8L``).
procedures = st.from_regex(r"\A[A-Z]{2,5}[0-9][A-Z]?\Z")

#: Speeds from 1 to the parser's plausibility bound of 3000 kt (5556 km/h, Mach 5.23).
speeds = st.one_of(
    st.integers(1, 3000).map(lambda v: f"N{v:04d}"),
    st.integers(1, 5556).map(lambda v: f"K{v:04d}"),
    st.integers(1, 523).map(lambda v: f"M{v:03d}"),
)
#: Levels above zero in every unit.
levels = st.one_of(
    st.integers(1, 999).map(lambda v: f"F{v:03d}"),
    st.integers(1, 999).map(lambda v: f"A{v:03d}"),
    st.integers(1, 9999).map(lambda v: f"S{v:04d}"),
    st.integers(1, 9999).map(lambda v: f"M{v:04d}"),
)
#: Speed/level groups in every unit, VFR included.
speed_levels = st.tuples(speeds, st.one_of(levels, st.just("VFR"))).map("".join)


@st.composite
def lat_longs(draw: st.DrawFn) -> str:
    """Draw a lat/long point in the 7, 11 or 15 character form, the poles and 180 degrees included."""
    form = draw(st.sampled_from((7, 11, 15)))
    lat_deg = draw(st.one_of(st.integers(0, 90), st.sampled_from([0, 89, 90])))
    lon_deg = draw(st.one_of(st.integers(0, 180), st.sampled_from([0, 179, 180])))
    minute = st.integers(0, 59)
    lat_min = 0 if lat_deg == 90 or form == 7 else draw(minute)
    lon_min = 0 if lon_deg == 180 or form == 7 else draw(minute)
    lat_sec = 0 if lat_deg == 90 or form != 15 else draw(minute)
    lon_sec = 0 if lon_deg == 180 or form != 15 else draw(minute)
    ns, ew = draw(st.sampled_from("NS")), draw(st.sampled_from("EW"))
    if form == 7:
        return f"{lat_deg:02d}{ns}{lon_deg:03d}{ew}"
    if form == 11:
        return f"{lat_deg:02d}{lat_min:02d}{ns}{lon_deg:03d}{lon_min:02d}{ew}"
    return f"{lat_deg:02d}{lat_min:02d}{lat_sec:02d}{ns}{lon_deg:03d}{lon_min:02d}{lon_sec:02d}{ew}"


bearing_distances = st.tuples(st.one_of(designators, lat_longs()), st.integers(0, 360), st.integers(0, 999)).map(
    lambda p: f"{p[0]}{p[1]:03d}{p[2]:03d}"
)
points = st.one_of(designators, lat_longs(), bearing_distances)
change_groups = st.tuples(points, speed_levels).map(lambda p: f"{p[0]}/{p[1]}")


@st.composite
def _climb_levels(draw: st.DrawFn) -> str:
    """Draw a cruise climb's lower level and a higher upper level in the same unit, or PLUS."""
    unit, width, top = draw(st.sampled_from((("F", 3, 999), ("A", 3, 999), ("S", 4, 9999), ("M", 4, 9999))))
    lower = draw(st.integers(1, top - 1))
    upper = "PLUS" if draw(st.booleans()) else f"{unit}{draw(st.integers(lower + 1, top)):0{width}d}"
    return f"{unit}{lower:0{width}d}{upper}"


cruise_climbs = st.tuples(points, speeds, _climb_levels()).map(lambda p: f"C/{p[0]}/{p[1]}{p[2]}")
stays = st.tuples(st.integers(1, 9), st.integers(0, 99), st.integers(0, 59)).map(lambda p: f"STAY{p[0]}/{p[1]:02d}{p[2]:02d}")


@st.composite
def item15_texts(draw: st.DrawFn, max_groups: int = 12) -> str:
    """Draw a valid Item 15 in canonical form (one space between tokens).

    The route is a speed/level group, an optional SID, point groups joined by DCT, an ATS route
    or nothing, rule tokens and STAY after points, an optional STAR, and an optional ``T`` or
    final ``DCT``. OAT/GAT and IFPSTOP/IFPSTART are paired as the grammar requires.
    """
    tokens = [draw(speed_levels)]
    if draw(st.booleans()):
        tokens.append(draw(procedures))
    open_pairs: set[str] = set()
    rule = None
    for _ in range(draw(st.integers(0, max_groups))):
        connector = draw(st.sampled_from(("DCT", "ROUTE", "")))
        if connector == "DCT":
            tokens.append("DCT")
        elif connector == "ROUTE" and len(tokens) > 1:
            tokens.append(draw(route_designators))
        tokens.append(draw(st.one_of(points, change_groups, cruise_climbs)))
        extra = draw(st.sampled_from(("", "", "STAY", "RULE", "PAIR", "STOP")))
        if extra == "STAY":
            tokens.append(draw(stays))
        elif extra == "RULE":
            rule = "IFR" if rule == "VFR" else "VFR"
            tokens.append(rule)
        elif extra in ("PAIR", "STOP"):
            opening, closing = ("OAT", "GAT") if extra == "PAIR" else ("IFPSTOP", "IFPSTART")
            tokens.append(closing if opening in open_pairs else opening)
            open_pairs.symmetric_difference_update({opening})
    ending = draw(st.sampled_from(("", "STAR", "T", "DCT")))
    if ending == "STAR" and len(tokens) > 1:
        tokens.append(draw(procedures))
    elif ending == "T" and len(tokens) > 1:
        tokens.append("T")
    elif ending == "DCT" and tokens[-1] != "DCT":
        tokens.append("DCT")
    return " ".join(tokens)


@st.composite
def layouts(draw: st.DrawFn, canonical: str) -> str:
    """Write a canonical Item 15 with other separators, line breaks after ``/``, lower case and no-break spaces."""
    separators = st.sampled_from([" ", "  ", "\n", "\r\n", "\t", " \n ", "\u00a0"])
    out = []
    for k, token in enumerate(canonical.split(" ")):
        if "/" in token and draw(st.booleans()):
            token = token.replace("/", "/" + draw(st.sampled_from(["\n", "\r\n", " \n", "\n  "])), 1)
        if draw(st.integers(0, 4)) == 0:
            token = token.lower()
        out.append(token if k == 0 else draw(separators) + token)
    return draw(st.sampled_from(["", " ", "\n"])) + "".join(out) + draw(st.sampled_from(["", " ", "\n"]))


# -- ADEXP ---------------------------------------------------------------------------------------

_word = st.text(alphabet=_LETTERS + "0123456789", min_size=1, max_size=8)
_free_text = st.lists(
    st.one_of(_word, st.sampled_from(["(FPL-ABC123-IS", "-18/PBN/B1", "A-B", "X:Y", "'Q'", "1.5", "A=B+C", "WHY?", "-", "-RMK"])),
    min_size=1, max_size=6,
).map(" ".join)
point_ids = st.one_of(designators, st.integers(1, 99).map(lambda n: f"GEO{n:02d}"), st.from_regex(r"\A\*[A-Z0-9]{1,6}\Z"))
# From the second day of 2000, so that times a few hours earlier still have a 12-digit ETO.
etos = st.datetimes(min_value=dt.datetime(2000, 1, 2), max_value=dt.datetime(2099, 12, 30)).map(lambda t: t.replace(microsecond=0))
flight_levels = st.one_of(st.integers(0, 999).map(lambda v: f"F{v:03d}"), st.integers(0, 9999).map(lambda v: f"S{v:04d}"))
coordinates = st.tuples(st.floats(-90, 90), st.floats(-180, 180))


@st.composite
def rtepts_elements(draw: st.DrawFn) -> AdexpField:
    """Draw one RTEPTS element: a PT with optional subfields in any order, an AD or a VEC."""
    kind = draw(st.sampled_from(("PT", "PT", "PT", "AD", "VEC")))
    children = []
    if kind == "PT":
        children.append(basic("PTID", draw(point_ids)))
    elif kind == "AD":
        children.append(basic("ADID", draw(st.from_regex(r"\A[A-Z]{4}\Z"))))
    else:
        children.append(basic("RELDIST", f"{draw(st.integers(0, 99)):02d}"))
    optional = [
        basic("FL", draw(flight_levels)),
        basic("ETO", draw(etos.map(format_eto))),
        basic("TO", f"{draw(st.integers(0, 23)):02d}{draw(st.integers(0, 59)):02d}"),
        basic("PTRTE", draw(st.sampled_from(["DCT", "UN859"]))),
    ]
    chosen = draw(st.lists(st.sampled_from(range(len(optional))), unique=True, max_size=len(optional)))
    children.extend(optional[k] for k in chosen)
    return AdexpField(kind, None, tuple(children))


def _geo(ident: str, position: tuple[float, float]) -> AdexpField:
    return structured("GEO", [basic("GEOID", ident), basic("LATTD", format_adexp_lat(position[0])),
                              basic("LONGTD", format_adexp_lon(position[1]))])


_top_fields = st.one_of(
    st.builds(basic, st.sampled_from(["ARCID", "ADEP", "ADES", "EOBT", "EOBD", "FLTRUL", "ARCTYP", "IFPLID", "FILTIM"]), _word),
    st.builds(basic, st.sampled_from(["ROUTE"]), item15_texts(max_groups=4)),
    st.builds(basic, st.sampled_from(sorted(FREE_TEXT_KEYWORDS)), _free_text),
    st.builds(basic, st.sampled_from(["EETFIR", "ATSRT", "DCT"]), st.lists(_word, min_size=1, max_size=3).map(" ".join)),
    st.builds(basic, st.from_regex(r"\A[A-Z][A-Z0-9]{2,8}\Z").filter(lambda k: k not in ("BEGIN", "END")), _word),
    st.builds(_geo, st.integers(1, 99).map(lambda n: f"GEO{n:02d}"), coordinates),
    st.builds(lambda ident, ptid, brg, dist: structured("REF", [basic("REFID", ident), basic("PTID", ptid),
                                                                basic("BRNG", f"{brg:03d}"), basic("DISTNC", f"{dist:03d}")]),
              st.integers(1, 99).map(lambda n: f"REF{n:02d}"), designators, st.integers(0, 360), st.integers(0, 999)),
    st.builds(lambda ptid, eto, fl: structured("ESTDATA", [basic("PTID", ptid), basic("ETO", format_eto(eto)), basic("FL", fl)]),
              designators, etos, flight_levels),
    st.builds(lambda network, fac: structured("ORIGIN", [basic("NETWORKTYPE", network), basic("FAC", fac)]),
              st.sampled_from(["SITA", "AFTN"]), _word),
    st.builds(lambda a, b, n: structured("REFDATA", [structured("SENDER", [basic("FAC", a)]), structured("RECVR", [basic("FAC", b)]),
                                                    basic("SEQNUM", f"{n:03d}")]), _word, _word, st.integers(0, 999)),
    st.builds(lambda fl: structured("CFL", [basic("FL", fl)]), flight_levels),
    st.builds(listfield, st.just("RTEPTS"), st.lists(rtepts_elements(), max_size=8)),
    st.builds(listfield, st.just("ADDR"), st.lists(st.builds(basic, st.just("FAC"), _word), max_size=4)),
    st.builds(listfield, st.just("EQCST"), st.lists(st.builds(basic, st.just("EQPT"), st.sampled_from(["W/EQ", "Y/NO", "R/UN"])), max_size=3)),
    st.builds(listfield, st.just("ASPLIST"), st.lists(
        st.builds(lambda des, eti, xti: structured("ASP", [basic("AIRSPDES", des), basic("ETI", format_eto(eti)), basic("XTI", format_eto(xti))]),
                  _word, etos, etos), max_size=3)),
)


@st.composite
def adexp_messages(draw: st.DrawFn) -> AdexpMessage:
    """Draw an ADEXP message with fields of every shape; fields ADEXP cannot express after free text are skipped."""
    fields = [basic("TITLE", draw(st.sampled_from(["IFPL", "ICHG", "ACK", "EFD"])))]
    for _ in range(draw(st.integers(0, 12))):
        item = draw(_top_fields)
        if fields[-1].keyword in FREE_TEXT_KEYWORDS and not item.is_list and item.keyword not in PRIMARY_KEYWORDS:
            continue
        fields.append(item)
    return AdexpMessage(tuple(fields), draw(st.booleans()))


@st.composite
def ifpl_messages(
    draw: st.DrawFn,
    known_points: st.SearchStrategy[str] | None = None,
    known_aerodromes: st.SearchStrategy[str] | None = None,
) -> AdexpMessage:
    """Draw an IFPL-shaped message: a ROUTE, an RTEPTS list naming points of it, GEO definitions and times.

    The parts fit together only loosely (times may run backwards, points may be unknown), which is
    what a converter must survive. ``known_points`` and ``known_aerodromes`` draw designators
    that the navigation data contains, so that conversion gets past the lookup.
    """
    names = known_points if known_points is not None else designators
    aerodromes = known_aerodromes if known_aerodromes is not None else st.from_regex(r"\A[A-Z]{4}\Z")
    route_points = draw(st.lists(st.one_of(names, lat_longs()), min_size=1, max_size=8))
    connectors = [draw(st.sampled_from(["DCT", "", "DCT", "UN859"])) for _ in route_points]
    tokens = [draw(speed_levels)]
    for connector, point in zip(connectors, route_points):
        if connector and len(tokens) > 1:
            tokens.append(connector)
        tokens.append(point)
    start = draw(etos)
    rtepts: list[AdexpField] = []
    geos: list[AdexpField] = []
    elapsed = dt.timedelta()
    for point in [draw(aerodromes), *route_points, draw(aerodromes)]:
        ident = point
        if point[0].isdigit():
            ident = f"GEO{len(geos) + 1:02d}"
            geos.append(_geo(ident, draw(coordinates)))
        elapsed += dt.timedelta(minutes=draw(st.integers(-5, 90)))
        children = [basic("PTID", ident)]
        if draw(st.booleans()):
            children.append(basic("ETO", format_eto(start + elapsed)))
        if draw(st.booleans()):
            children.append(basic("FL", draw(flight_levels)))
        rtepts.append(AdexpField("PT", None, tuple(children)))
    fields = [basic("TITLE", "IFPL"), basic("ARCID", "FUZ1"), basic("ADEP", rtepts[0].get("PTID")),
              basic("ADES", rtepts[-1].get("PTID")), basic("ROUTE", " ".join(tokens)), *geos, listfield("RTEPTS", rtepts)]
    return AdexpMessage(tuple(fields), False)


# -- ICAO ----------------------------------------------------------------------------------------


@st.composite
def icao_texts(draw: st.DrawFn) -> str:
    """Draw a valid ICAO FPL message, one field per line or all on one line."""
    aerodrome = st.from_regex(r"\A[A-Z]{4}\Z")
    aircraft_type = draw(st.from_regex(r"\A[A-Z][A-Z0-9]{1,3}\Z"))
    callsign = draw(st.from_regex(r"\A[A-Z]{3}[0-9]{1,4}\Z"))
    ssr = draw(st.one_of(st.just(""), st.from_regex(r"\A[0-7]{4}\Z").map(lambda c: f"/A{c}")))
    number = draw(st.one_of(st.just(""), st.integers(2, 99).map(str)))
    item18 = draw(st.lists(st.sampled_from(["PBN/A1B1", "DOF/230828", "REG/GABCD", "RMK/TCAS EQUIPPED", "OPR/FUZ", "EET/EGTT0030"]),
                           unique=True, max_size=4))
    parts = [
        f"(FPL-{callsign}{ssr}-{draw(st.sampled_from('IVYZ'))}{draw(st.sampled_from('SNGMX'))}",
        f"-{number}{aircraft_type}/{draw(st.sampled_from('LMHJ'))}-SDFGRWY/LB1",
        f"-{draw(aerodrome)}{draw(st.integers(0, 23)):02d}{draw(st.integers(0, 59)):02d}",
        f"-{draw(item15_texts(max_groups=6))}",
        f"-{draw(aerodrome)}{draw(st.integers(0, 99)):02d}{draw(st.integers(0, 59)):02d}",
        "-" + (" ".join(sorted(item18)) or "0") + ")",
    ]
    return draw(st.sampled_from(["\n", ""])).join(parts)


# -- bytes -----------------------------------------------------------------------------------------


@st.composite
def _mutated(draw: st.DrawFn, valid: st.SearchStrategy[str]) -> str:
    """Draw a valid text and insert, delete or replace a few characters."""
    text = draw(valid)
    alphabet = st.sampled_from(list("-/ \n\t()NSEWF0123456789ABZ") + ["\u00a0", "\x00", "\x0b", "é", "Ｄ"])
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(("insert", "delete", "replace")))
        if action == "insert":
            text = text[:where] + draw(alphabet) + text[where:]
        elif action == "delete":
            text = text[:where] + text[where + 1 :]
        else:
            text = text[:where] + draw(alphabet) + text[where + 1 :]
    return text


def hostile_texts() -> st.SearchStrategy[str]:
    """Strategy of hostile input: bytes read as Latin-1, any Unicode, and slightly broken valid messages."""
    from fpp.formats.adexp import emit_adexp

    def written(message: AdexpMessage) -> str:
        try:
            return emit_adexp(message)
        except ValueError:
            return "-TITLE IFPL"

    return st.one_of(
        st.binary(max_size=200).map(lambda data: data.decode("latin-1")),
        st.text(max_size=200),
        _mutated(item15_texts(max_groups=5)),
        _mutated(icao_texts()),
        _mutated(adexp_messages().map(written)),
        _mutated(lat_longs()),
    )
