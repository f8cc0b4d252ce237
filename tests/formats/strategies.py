"""Hypothesis strategies that draw valid message text for the round-trip tests."""

from __future__ import annotations

import datetime

from hypothesis import strategies as st

KEYWORDS = frozenset({"DCT", "VFR", "IFR", "OAT", "GAT", "IFPSTOP", "IFPSTART", "T", "C"})

designators = st.from_regex(r"\A[A-Z]{2,5}\Z").filter(lambda designator: designator not in KEYWORDS)
route_designators = st.from_regex(r"\A[A-Z]{1,2}[1-9][0-9]{0,2}\Z")
speeds = st.one_of(
    st.integers(1, 999).map(lambda value: f"N{value:04d}"),
    st.integers(1, 2000).map(lambda value: f"K{value:04d}"),
    st.integers(1, 300).map(lambda value: f"M{value:03d}"),
)
levels = st.one_of(
    st.integers(1, 999).map(lambda value: f"F{value:03d}"),
    st.integers(1, 999).map(lambda value: f"A{value:03d}"),
    st.integers(1, 9999).map(lambda value: f"S{value:04d}"),
    st.integers(1, 9999).map(lambda value: f"M{value:04d}"),
)
lat_long = st.one_of(
    st.tuples(st.integers(0, 89), st.sampled_from("NS"), st.integers(0, 179), st.sampled_from("EW")).map(lambda p: f"{p[0]:02d}{p[1]}{p[2]:03d}{p[3]}"),
    st.tuples(st.integers(0, 89), st.integers(0, 59), st.sampled_from("NS"), st.integers(0, 179), st.integers(0, 59), st.sampled_from("EW")).map(
        lambda p: f"{p[0]:02d}{p[1]:02d}{p[2]}{p[3]:03d}{p[4]:02d}{p[5]}"
    ),
)
bearing_distance = st.tuples(st.one_of(designators, lat_long), st.integers(0, 360), st.integers(0, 999)).map(lambda p: f"{p[0]}{p[1]:03d}{p[2]:03d}")
points = st.one_of(designators, lat_long, bearing_distance)
change_points = st.tuples(points, speeds, st.one_of(levels, st.just("VFR"))).map(lambda p: f"{p[0]}/{p[1]}{p[2]}")
cruise_climbs = st.tuples(points, speeds, st.integers(10, 400), st.one_of(st.integers(1, 99), st.none())).map(
    lambda p: f"C/{p[0]}/{p[1]}F{p[2]:03d}" + ("PLUS" if p[3] is None else f"F{p[2] + p[3]:03d}")
)
stays = st.tuples(st.integers(1, 9), st.integers(0, 23), st.integers(0, 59)).map(lambda p: f"STAY{p[0]}/{p[1]:02d}{p[2]:02d}")


@st.composite
def item15_texts(draw: st.DrawFn) -> str:
    """Draw a valid Item 15 in canonical form: points joined by connectors, with rule tokens."""
    tokens = [draw(speeds) + draw(st.one_of(levels, st.just("VFR")))]
    open_oat = False
    rule = None
    for _ in range(draw(st.integers(0, 12))):
        tokens.append(draw(st.sampled_from(["DCT", "ROUTE", "NONE"])))
        if tokens[-1] == "ROUTE":
            tokens[-1] = draw(route_designators)
        elif tokens[-1] == "NONE":
            tokens.pop()
        tokens.append(draw(st.one_of(points, change_points, cruise_climbs)))
        extra = draw(st.sampled_from(["", "STAY", "RULE", "OAT"]))
        if extra == "STAY":
            tokens.append(draw(stays))
        elif extra == "RULE":
            rule = "IFR" if rule == "VFR" else "VFR"
            tokens.append(rule)
        elif extra == "OAT":
            tokens.append("GAT" if open_oat else "OAT")
            open_oat = not open_oat
    if len(tokens) > 1 and draw(st.booleans()):
        tokens.append("T")
    elif draw(st.booleans()):
        tokens.append("DCT")
    return " ".join(tokens)


aircraft_ids = st.from_regex(r"\A[A-Z]{3}[0-9]{1,4}\Z")
aerodromes = st.from_regex(r"\A[A-Z]{4}\Z")
times = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda p: f"{p[0]:02d}{p[1]:02d}")
elapsed_times = st.tuples(st.integers(0, 99), st.integers(0, 59)).map(lambda p: f"{p[0]:02d}{p[1]:02d}")
words = st.one_of(
    st.from_regex(r"\A[A-Z0-9]{1,8}\Z"),
    st.sampled_from(["SUR-1721/A-20", "N3911/ANAC/DG", "(TEST)", "A-B", "X:Y", "1.5", "'Q'", "A=B+C", "WHY?"]),
)
free_text = st.lists(words, min_size=1, max_size=6).map(" ".join)
dates = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31))

ITEM18_ORDER = ["STS", "PBN", "NAV", "COM", "DAT", "SUR", "DOF", "REG", "EET", "SEL", "CODE", "OPR", "ORGN", "PER", "RALT", "RMK"]


@st.composite
def item18_groups(draw: st.DrawFn) -> dict[str, str]:
    """Draw Item 18 indicators in ICAO order with plausible values; RMK may contain hyphens."""
    chosen = draw(st.lists(st.sampled_from(ITEM18_ORDER), unique=True, max_size=8))
    groups: dict[str, str] = {}
    for indicator in sorted(chosen, key=ITEM18_ORDER.index):
        if indicator == "DOF":
            groups[indicator] = draw(dates).strftime("%y%m%d")
        elif indicator == "RMK":
            groups[indicator] = draw(free_text)
        else:
            groups[indicator] = draw(st.from_regex(r"\A[A-Z0-9]{1,10}( [A-Z0-9]{1,10}){0,2}\Z"))
    return groups


@st.composite
def fpl_parts(draw: st.DrawFn) -> dict[str, object]:
    """Draw the parts of a valid FPL, to be joined into message text by the test."""
    return {
        "aircraft_id": draw(aircraft_ids),
        "ssr_code": draw(st.one_of(st.none(), st.from_regex(r"\AA[0-7]{4}\Z"))),
        "flight_rules": draw(st.sampled_from("IVYZ")),
        "flight_type": draw(st.sampled_from("SNGMX")),
        "number": draw(st.one_of(st.none(), st.integers(2, 99))),
        "aircraft_type": draw(st.from_regex(r"\A[A-Z][A-Z0-9]{1,3}\Z")),
        "wake": draw(st.sampled_from("LMHJ")),
        "equipment": draw(st.sampled_from(["N", "S", "SDE1FGHIJ3J5M1RWXY", "SDFGRWY", "E2E3P2Z"])),
        "surveillance": draw(st.sampled_from(["N", "C", "LB1D1", "SB2U1V2G1"])),
        "adep": draw(aerodromes),
        "eobt": draw(times),
        "route": draw(item15_texts()),
        "ades": draw(aerodromes),
        "total_eet": draw(elapsed_times),
        "alternates": tuple(draw(st.lists(aerodromes, max_size=2))),
        "item18": draw(item18_groups()),
        "item19": draw(st.one_of(st.none(), st.sampled_from(["E/0745 P/TBN", "E/1235", "R/UV S/M J/L"]))),
    }
