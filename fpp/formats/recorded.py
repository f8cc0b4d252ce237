"""Recorded filed plans: rows of a CSV of filed routes turned into ICAO FPL messages.

Two row layouts are read:

VATSIM filed plans
    Columns ``callsign``, ``flight_rules``, ``aircraft`` (items 9 and 10 as
    ``A346/H-SDE2E3FGHIJ3J4J5M1RWXY/LB1D1``, or an FAA-style ``H/B744/L``), ``departure``,
    ``arrival``, ``alternate``, ``cruise_tas`` [kt], ``altitude`` and ``route``: Item 15, usually
    without its initial speed/level group. Recorded altitudes are feet (``35000``) or flight
    levels (``350``, ``FL350``, ``F350``); a value of 1,000 or more is feet, rounded to the
    nearest flight level.
FAA preferred routes
    Columns ``Orig``, ``Route String``, ``Dest``, ``Type`` and ``Altitude``: a published route
    between two FAA location identifiers, not a flight plan. :func:`plan_from_faa_route` wraps it
    in a plan with placeholder callsign, aircraft, speed and level, and states this in ``RMK/``.

Recorded rows are written by people and by tools that do not follow ICAO Doc 4444. Each
known deviation is either normalised, with a warning in :attr:`RecordedPlan.warnings`, or left
for the parsers to reject with the code and token at fault. A normalisation never moves a
route point: it removes text that is not a route element, splits joined tokens, or rewrites a
non-ICAO notation into the ICAO one for the same point.

Normalised, with a warning
--------------------------
* A leading ``+`` (VATSIM's mark of an amended route) is removed.
* ``SID.TRANSITION`` and ``TRANSITION.STAR`` (FAA dot notation, also written with a middle dot
  U+00B7) are split into two tokens in the written order; a trailing dot is removed.
* A runway after one of the first two or last two tokens (``DEENA7/16R``, ``LIMC/17R``) is
  removed: the runway is no Item 15 element.
* The departure aerodrome as one of the first two tokens and the destination as one of the
  last two are removed: an aerodrome is no Item 15 element, and kept it would name the
  aerodrome twice in the expanded route, which makes the reconciliation of Item 15 with
  RTEPTS ambiguous.
* A rule token (``IFR``, ``VFR``) at the start of the route that repeats the flight rules is
  removed.
* A speed/level group as the first route token, or alone directly after a first token of SID
  shape, is the initial speed/level group of Item 15; ``cruise_tas`` and ``altitude`` are then
  not used.
* A zero or missing ``cruise_tas`` or ``altitude`` is taken from the first change group of the
  route (``BASUM/N0429F330``). A zero or missing speed that no change group gives is a
  placeholder, :data:`PLACEHOLDER_SPEED`, and the plan carries ``RMK/SPEED ESTIMATED``: the
  speed only sets the estimated times over the points, never a position.
* A missing or unknown (``?``) wake turbulence category is estimated from the aircraft type
  (:func:`estimate_wake`) and the plan carries ``RMK/WAKE CATEGORY ESTIMATED``. An FAA-style
  aircraft (``B738/L``: the letter after the type is an FAA equipment suffix, not a wake
  category) gets its wake category from the FAA prefix (``H/`` or ``B/`` heavy, ``J/`` super)
  or the estimate, and the equipment ``S/C``.
* An aerodrome that is not four letters is written ``ZZZZ`` with ``DEP/`` or ``DEST/``, as
  Doc 4444 prescribes for aerodromes without an ICAO indicator. An alternate that is not four
  letters is dropped.

Of the list above, FAA route strings get the dot split and the ``ZZZZ`` aerodromes (the
origin and destination identifiers at the ends of the route are removed as
:func:`plan_from_faa_route` describes). They additionally get: ``PDZ270/016`` (radial and
distance) written as the ICAO bearing/distance point ``PDZ270016``; ``FIX-STAR`` (the STAR that
starts at FIX) written as ``FIX``; a radial ``VTU044`` followed by a point written as
``VTU DCT`` (the route flies from the navaid straight to that point).

Rejected before the message is built
------------------------------------
* ``SYN111`` for a row without a departure or destination aerodrome (``departure``,
  ``arrival``, ``Orig``, ``Dest``): no plan is invented from an empty row.
* ``SYN101`` for a ``(``, ``)`` or ``-`` in a column that is written into the ICAO message (the
  aircraft column may hold the one ``-`` between items 9 and 10, an FAA route the ``-STAR`` of a
  STAR entry), because these characters delimit ICAO fields: ``DCT -LFPO0100`` in a route would
  become field 16 and replace the destination. A ``/`` in an aerodrome column is rejected too:
  it would start a new Item 18 indicator in ``DEP/`` or ``DEST/``.
* ``SYN114`` for a route longer than :data:`MAX_ROUTE_CHARS` characters.

Everything else, such as a mid-route runway, a standalone speed/level group in the middle of the
route, ARINC 424 coordinates or a radial that joins an airway, is rejected by the parsers or by
the route resolution with the code and the token at fault.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from dataclasses import dataclass

from fpp.errors import FormatError

__all__ = [
    "HEAVY_TYPES",
    "LIGHT_TYPES",
    "MAX_ROUTE_CHARS",
    "PLACEHOLDER_SPEED",
    "SUPER_TYPES",
    "RecordedPlan",
    "estimate_wake",
    "faa_aerodrome",
    "fpl_from_recorded",
    "normalise_route",
    "plan_from_faa_route",
    "plan_from_recorded",
    "recorded_level",
]

_LEVEL = re.compile(r"(?:FL|F)?(\d{1,6})")
_SPEED_LEVEL = re.compile(r"(?:[NK]\d{4}|M\d{3})(?:[FA]\d{3}|[SM]\d{4}|VFR)")
_CHANGE_GROUP = re.compile(r"/((?:[NK]\d{4}|M\d{3}))((?:[FA]\d{3}|[SM]\d{4}|VFR))(?=\s|$)")
_RUNWAY_SUFFIX = re.compile(r"([A-Z0-9]+)/(?:0[1-9]|[12]\d|3[0-6])[LRC]?")
_PROCEDURE = re.compile(r"[A-Z]{2,5}\d[A-Z]?")
_FAA_AIRCRAFT = re.compile(r"(?:([A-Z])/)?([A-Z][A-Z0-9]{1,3})(?:/([A-Z]))?")
_ICAO_AIRCRAFT = re.compile(r"(\d{1,2})?([A-Z][A-Z0-9]{1,3})/([LMHJ?])?")
_AERODROME = re.compile(r"[A-Z]{4}")
_FAA_RADIAL_DISTANCE = re.compile(r"([A-Z]{2,3})(\d{3})/(\d{3})")
_FAA_RADIAL = re.compile(r"([A-Z]{2,3})(\d{3})")
_FAA_STAR_ENTRY = re.compile(r"([A-Z0-9]+)-STAR")
_ROUTE_SHAPE = re.compile(r"[A-Z]{1,2}\d{1,4}[A-Z]?")

#: Types of wake turbulence category J (super), by ICAO Doc 4444 the Airbus A380.
SUPER_TYPES = frozenset({"A388"})
#: Types of category H: maximum certified take-off mass of 136,000 kg or more.
HEAVY_TYPES = frozenset(
    {
        "A306", "A30B", "A310", "A332", "A333", "A337", "A338", "A339", "A342", "A343", "A345",
        "A346", "A359", "A35K", "A400", "A124", "B703", "B741", "B742", "B743", "B744", "B748",
        "B74D", "B74R", "B74S", "B762", "B763", "B764", "B772", "B773", "B778", "B779", "B77L",
        "B77W", "B788", "B789", "B78X", "C17", "CONC", "DC10", "DC85", "DC86", "DC87", "IL62",
        "IL76", "IL86", "IL96", "K35R", "KC10", "L101", "MD11", "T144", "VC10",
    }
)  # fmt: skip
#: Types of category L: maximum certified take-off mass of 7,000 kg or less.
LIGHT_TYPES = frozenset(
    {
        "B350", "BE20", "BE33", "BE35", "BE36", "BE55", "BE58", "BE76", "BE9L", "C150", "C152",
        "C162", "C170", "C172", "C177", "C182", "C206", "C208", "C210", "C310", "C340", "C402",
        "C414", "C421", "C510", "C525", "DA20", "DA40", "DA42", "DA62", "DHC2", "DHC6", "E50P",
        "EPIC", "F260", "K100", "M20P", "M20T", "P28A", "P28R", "P28T", "PA18", "PA28", "PA31",
        "PA32", "PA34", "PA44", "PA46", "PC12", "PC6", "R22", "R44", "SF50", "SR20", "SR22",
        "TBM7", "TBM8", "TBM9", "B407", "EC35", "EC30", "BN2P",
    }
)  # fmt: skip

#: Longest recorded route read [characters]. It lies far above the longest Item 15 that
#: :data:`fpp.formats.item15.MAX_ELEMENTS` elements make, so it only stops a runaway field
#: before it is parsed.
MAX_ROUTE_CHARS = 32_000

#: Speed written for a recorded plan whose speed is zero or missing and not given by the route.
PLACEHOLDER_SPEED = "N0450"

_WAKE_BY_FAA_PREFIX = {"H": "H", "B": "H", "J": "J"}
_WAKE_REMARK = "WAKE CATEGORY ESTIMATED"
_SPEED_REMARK = "SPEED ESTIMATED"
_FAA_REMARK = "FAA PREFERRED ROUTE WITH PLACEHOLDER AIRCRAFT SPEED AND LEVEL"


@dataclass(frozen=True)
class RecordedPlan:
    """An ICAO FPL built from a recorded row.

    Attributes
    ----------
    text
        The ICAO FPL message.
    warnings
        One line per normalisation applied to the row, in the order applied: the kind of
        normalisation, a colon and what was done (``runway: runway removed from ...``).
    """

    text: str
    warnings: tuple[str, ...]


def estimate_wake(aircraft_type: str) -> str:
    """Estimate the wake turbulence category of an aircraft type designator.

    Returns ``J``, ``H`` or ``L`` for the types in :data:`SUPER_TYPES`, :data:`HEAVY_TYPES` and
    :data:`LIGHT_TYPES`, and ``M`` for every other type.

    NOTE: the three lists sort common types by their published maximum take-off mass. They are
    no copy of ICAO Doc 8643, so a rare light or heavy type that is not listed is taken as medium.
    """
    if aircraft_type in SUPER_TYPES:
        return "J"
    if aircraft_type in HEAVY_TYPES:
        return "H"
    if aircraft_type in LIGHT_TYPES:
        return "L"
    return "M"


def recorded_level(altitude: str) -> int:
    """Flight level of a recorded altitude (feet, or a flight level with or without ``FL``).

    Raises
    ------
    FormatError
        ``SYN102`` for an empty, unreadable or out-of-range value.
    """
    match = _LEVEL.fullmatch(altitude.strip().upper())
    if match is None:
        raise FormatError("SYN102", altitude, None, field="altitude", detail="expected feet, a flight level or FLnnn")
    value = int(match.group(1))
    level = round(value / 100) if value >= 1000 else value
    if not 1 <= level <= 999:
        raise FormatError("SYN102", altitude, None, field="altitude", detail=f"flight level {level} is out of range 1..999")
    return level


def _split_dots(tokens: list[str], warnings: list[str]) -> list[str]:
    result = []
    for token in tokens:
        if "." not in token:
            result.append(token)
            continue
        parts = [part for part in token.split(".") if part]
        warnings.append(f"dot notation: route token {token!r} split at its dots into {' '.join(parts) or 'nothing'}")
        result.extend(parts)
    return result


def _strip_runway(tokens: list[str], index: int, warnings: list[str]) -> None:
    match = _RUNWAY_SUFFIX.fullmatch(tokens[index])
    if match is not None:
        warnings.append(f"runway: runway removed from route token {tokens[index]!r}")
        tokens[index] = match.group(1)


def normalise_route(
    route: str, departure: str = "", arrival: str = "", flight_rules: str = ""
) -> tuple[list[str], str | None, list[str]]:
    """Apply the route normalisations of the module docstring to a recorded route.

    Parameters
    ----------
    route
        The recorded route: Item 15 with or without its initial speed/level group.
    departure, arrival
        The recorded departure and destination aerodromes.
    flight_rules
        The recorded flight rules (``I`` or ``V``).

    Returns
    -------
    tokens, initial_group, warnings
        The route tokens without the initial group, the initial speed/level group when the
        route carried one (``N0450F350``), and one warning per normalisation applied.
    """
    warnings: list[str] = []
    text = route.strip().upper()
    if "\u00b7" in text:
        warnings.append("middle dot: middle dot in the route read as a dot")
        text = text.replace("\u00b7", ".")
    if text.startswith("+"):
        warnings.append("amended mark: leading '+' (amended route mark) removed")
        text = text.lstrip("+ ")
    tokens = _split_dots(text.split(), warnings)

    for index in (0, 1, -2, -1):
        if len(tokens) > abs(index) - (index < 0):
            _strip_runway(tokens, index, warnings)
    for index in (1, 0):
        if departure and len(tokens) > index and tokens[index] == departure:
            warnings.append(f"aerodrome in route: departure aerodrome {departure} removed from the start of the route")
            tokens.pop(index)
    for index in (-2, -1):
        if arrival and len(tokens) >= -index and tokens[index] == arrival:
            warnings.append(f"aerodrome in route: destination aerodrome {arrival} removed from the end of the route")
            tokens.pop(index)
    rule_word = {"I": "IFR", "V": "VFR"}.get(flight_rules)
    if tokens and tokens[0] == rule_word:
        warnings.append(f"rule token: {rule_word} at the start of the route removed: it repeats the flight rules")
        tokens.pop(0)

    initial_group = None
    if tokens and _SPEED_LEVEL.fullmatch(tokens[0]):
        initial_group = tokens.pop(0)
    elif len(tokens) >= 2 and _PROCEDURE.fullmatch(tokens[0]) and _SPEED_LEVEL.fullmatch(tokens[1]):
        initial_group = tokens.pop(1)
        warnings.append(f"initial group: speed/level group {initial_group} after the SID {tokens[0]} taken as the initial group")
    return tokens, initial_group, warnings


def _speed_and_level(row: Mapping[str, str], route: str, warnings: list[str], remarks: list[str]) -> str:
    """Build the initial speed/level group from ``cruise_tas`` and ``altitude``, or from the first change group."""
    change = _CHANGE_GROUP.search(route)
    speed_text = (row.get("cruise_tas") or "").strip()
    if speed_text.isdigit() and 1 <= int(speed_text) <= 9999:
        speed = f"N{int(speed_text):04d}"
    elif change is not None and speed_text.strip("0") == "":
        speed = change.group(1)
        warnings.append(f"speed from change group: cruise_tas {speed_text or 'missing'}: speed {speed} taken from the first change group")
    elif speed_text.strip("0") == "":
        speed = PLACEHOLDER_SPEED
        remarks.append(_SPEED_REMARK)
        warnings.append(f"placeholder speed: cruise_tas {speed_text or 'missing'}: placeholder speed {speed} written")
    else:
        raise FormatError("SYN102", speed_text, None, field="cruise_tas", detail="expected a true airspeed in knots")

    altitude = row.get("altitude") or ""
    try:
        level = f"F{recorded_level(altitude):03d}"
    except FormatError:
        if change is None or altitude.strip().strip("0") != "":
            raise
        level = change.group(2)
        warnings.append(f"level from change group: altitude {altitude.strip() or 'missing'}: level {level} taken from the first change group")
    return speed + level


def _items_9_10(aircraft: str, warnings: list[str], remarks: list[str]) -> str:
    """Items 9 and 10 of a recorded aircraft column, ICAO or FAA style."""
    aircraft = aircraft.strip().upper()
    if "-" in aircraft:
        item9, _, item10 = aircraft.partition("-")
        match = _ICAO_AIRCRAFT.fullmatch(item9)
        if match is not None and match.group(3) in (None, "?"):
            wake = estimate_wake(match.group(2))
            warnings.append(f"wake estimated: wake category of {match.group(2)} missing: {wake} estimated from the type")
            remarks.append(_WAKE_REMARK)
            item9 = f"{match.group(1) or ''}{match.group(2)}/{wake}"
        if not item10:
            warnings.append("equipment assumed: equipment missing: S/C assumed")
            item10 = "S/C"
        return f"{item9}-{item10}"

    match = _FAA_AIRCRAFT.fullmatch(aircraft)
    if match is None:
        # Left for the parser, which rejects it naming the field.
        return f"{aircraft}-S/C"
    prefix, aircraft_type, _ = match.groups()
    wake = _WAKE_BY_FAA_PREFIX.get(prefix or "")
    if wake is None:
        wake = estimate_wake(aircraft_type)
        remarks.append(_WAKE_REMARK)
        warnings.append(f"FAA aircraft: FAA-style aircraft {aircraft}: wake category {wake} estimated from the type, equipment S/C assumed")
    else:
        warnings.append(f"FAA aircraft: FAA-style aircraft {aircraft}: wake category {wake} from the prefix, equipment S/C assumed")
    return f"{aircraft_type}/{wake}-S/C"


def _check_delimiters(row: Mapping[str, str], columns: tuple[str, ...], allowed_hyphens: Mapping[str, int]) -> None:
    """Raise SYN101 for a ``(``, ``)`` or ``-`` that would change the fields of the ICAO message.

    ``allowed_hyphens`` gives the number of hyphens a column may hold (the aircraft column contains
    the one between items 9 and 10).
    """
    for column in columns:
        value = row.get(column) or ""
        for character in "()-":
            count = value.count(character)
            if count > (allowed_hyphens.get(column, 0) if character == "-" else 0):
                raise FormatError(
                    "SYN101", character, None, field=column,
                    detail=f"{character!r} in column {column} ({_excerpt(value)}) delimits ICAO fields and would change "
                           "the structure of the message built from the row",
                    hint=f"Remove the {character!r} from the {column} column.",
                )


def _excerpt(value: str, limit: int = 40) -> str:
    value = " ".join(value.split())
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _check_route_length(route: str, column: str) -> None:
    if len(route) > MAX_ROUTE_CHARS:
        raise FormatError(
            "SYN114", route[:20] + "...", None, field=column,
            detail=f"the {column} column holds {len(route):,} characters; the limit is {MAX_ROUTE_CHARS:,}",
        )


def _aerodrome_text(row: Mapping[str, str], column: str, role: str) -> str:
    """Return the aerodrome of a column in upper case; raise SYN111 when it is empty, SYN101 for a ``/``.

    A ``/`` would start a new Item 18 indicator inside the ``DEP/`` or ``DEST/`` written for it.
    """
    value = (row.get(column) or "").strip().upper()
    if not value:
        raise FormatError("SYN111", "", None, field=column, detail=f"the row has no {role} aerodrome",
                          hint=f"Fill in the {column} column; a plan needs its {role} aerodrome.")
    if "/" in value:
        raise FormatError("SYN101", "/", None, field=column,
                          detail=f"'/' in column {column} ({_excerpt(value)}) would start an Item 18 indicator",
                          hint=f"Remove the '/' from the {column} column.")
    return value


def _aerodrome(value: str, role: str, warnings: list[str], item18: list[str]) -> str:
    value = value.strip().upper()
    if _AERODROME.fullmatch(value):
        return value
    indicator = "DEP" if role == "departure" else "DEST"
    warnings.append(f"ZZZZ aerodrome: {role} aerodrome {value!r} is not an ICAO indicator: ZZZZ with {indicator}/{value}")
    item18.append(f"{indicator}/{value}")
    return "ZZZZ"


def _alternates(value: str, warnings: list[str]) -> str:
    kept = []
    for alternate in value.upper().split():
        if _AERODROME.fullmatch(alternate) and len(kept) < 2:
            kept.append(alternate)
        else:
            warnings.append(f"alternate dropped: alternate {alternate!r} dropped: not a four-letter ICAO indicator")
    return "".join(" " + alternate for alternate in kept)


def _item18(dof: str | None, extra: list[str], remarks: list[str]) -> str:
    groups = list(extra)
    if dof:
        groups.append(f"DOF/{dof}")
    if remarks:
        groups.append("RMK/" + " ".join(dict.fromkeys(remarks)))
    return " ".join(groups) if groups else "0"


def plan_from_recorded(row: Mapping[str, str], eobt: str = "1200", dof: str | None = None) -> RecordedPlan:
    """Build the ICAO FPL of one recorded VATSIM row, applying the normalisations of this module.

    Parameters
    ----------
    row
        The CSV row.
    eobt
        Off-block time to write in field 13 (recorded rows carry none).
    dof
        ``YYMMDD`` date of flight for ``DOF/``; omitted when ``None``.

    Raises
    ------
    FormatError
        ``SYN111`` for an empty ``departure`` or ``arrival``, ``SYN101`` for a character that
        delimits ICAO fields or Item 18 indicators, ``SYN114`` for a route over :data:`MAX_ROUTE_CHARS` characters,
        ``SYN102`` for a speed or altitude that is unreadable and not given by the route either.
        The message itself is checked when it is parsed.
    """
    warnings: list[str] = []
    remarks: list[str] = []
    item18_extra: list[str] = []
    _check_route_length(row.get("route") or "", "route")
    _check_delimiters(row, ("callsign", "flight_rules", "aircraft", "departure", "arrival", "route"), {"aircraft": 1})
    departure_text = _aerodrome_text(row, "departure", "departure")
    arrival_text = _aerodrome_text(row, "arrival", "destination")
    tokens, initial_group, route_warnings = normalise_route(
        row.get("route") or "", departure_text, arrival_text, (row.get("flight_rules") or "").strip().upper()
    )
    warnings.extend(route_warnings)
    route_text = " ".join(tokens) if tokens else "DCT"
    if not tokens:
        warnings.append("empty route: empty route written as DCT")
    if initial_group is None:
        initial_group = _speed_and_level(row, route_text, warnings, remarks)

    items_9_10 = _items_9_10(row.get("aircraft") or "", warnings, remarks)
    departure = _aerodrome(departure_text, "departure", warnings, item18_extra)
    arrival = _aerodrome(arrival_text, "destination", warnings, item18_extra)
    alternates = _alternates(row.get("alternate") or "", warnings)
    text = (
        f"(FPL-{row.get('callsign', '')}-{row.get('flight_rules', '')}S\n-{items_9_10}\n-{departure}{eobt}\n"
        f"-{initial_group} {route_text}\n-{arrival}0200{alternates}\n-{_item18(dof, item18_extra, remarks)})"
    )
    return RecordedPlan(text, tuple(warnings))


def fpl_from_recorded(row: Mapping[str, str], eobt: str = "1200", dof: str | None = None) -> str:
    """ICAO FPL text of one recorded row: the text of :func:`plan_from_recorded`."""
    return plan_from_recorded(row, eobt, dof).text


def faa_aerodrome(identifier: str, aerodromes: Container[str]) -> str | None:
    """ICAO indicator of an FAA location identifier, or ``None`` when none is known.

    A four-letter identifier is taken as it is. A three-letter one is tried with the prefixes
    ``K`` (contiguous United States), ``P`` (Alaska, Hawaii, Pacific) and ``C`` (Canada), in that
    order; the first indicator in ``aerodromes`` wins.
    """
    identifier = identifier.strip().upper()
    if len(identifier) == 4 and identifier in aerodromes:
        return identifier
    if len(identifier) == 3:
        for prefix in ("K", "P", "C"):
            if prefix + identifier in aerodromes:
                return prefix + identifier
    return None


def _faa_tokens(tokens: list[str], warnings: list[str]) -> list[str]:
    """Rewrite the FAA notations of the module docstring into ICAO Item 15 tokens."""
    result: list[str] = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        radial_distance = _FAA_RADIAL_DISTANCE.fullmatch(token)
        star_entry = _FAA_STAR_ENTRY.fullmatch(token)
        radial = _FAA_RADIAL.fullmatch(token)
        if radial_distance is not None:
            navaid, radial_deg, distance = radial_distance.groups()
            result.append(f"{navaid}{radial_deg}{distance}")
            warnings.append(f"FAA radial/distance: FAA radial/distance fix {token} written as {result[-1]}")
        elif star_entry is not None:
            result.append(star_entry.group(1))
            warnings.append(f"FAA STAR entry: FAA STAR entry {token} written as {result[-1]}")
        elif radial is not None and following is not None and _ROUTE_SHAPE.fullmatch(following) is None:
            navaid = radial.group(1)
            if not result or result[-1] != navaid:
                result.append(navaid)
            result.append("DCT")
            warnings.append(f"FAA radial: FAA radial {token} to {following} flown as DCT from {navaid}")
        else:
            result.append(token)
    return result


def _next_is_airway(tokens: list[str], index: int) -> bool:
    return -len(tokens) <= index < len(tokens) and _ROUTE_SHAPE.fullmatch(tokens[index]) is not None


def plan_from_faa_route(
    row: Mapping[str, str],
    number: int,
    aerodromes: Container[str],
    eobt: str = "1200",
    dof: str | None = None,
) -> RecordedPlan:
    """Build an ICAO FPL around one FAA preferred route.

    The route string starts with the origin and ends with the destination identifier. An
    identifier of 3 or 4 characters names an aerodrome and is removed, unless an airway follows
    or precedes it: then it also names the navaid that joins the airway. An origin or
    destination without a known ICAO indicator is written ``ZZZZ`` with ``DEP/`` or ``DEST/``. The plan gets the callsign ``PR`` and ``number`` in 5
    digits. High-altitude routes (types ``H``, ``SHD``, ``HSD``, ``NAR``) get a B738 at N0450;
    the others a C208 at N0180. A numeric ``Altitude`` in feet is the level, otherwise F350 for
    high-altitude routes and A080 for the others. These placeholders only set the estimated
    times, and ``RMK/`` states that they are placeholders.

    Parameters
    ----------
    row
        The CSV row.
    number
        Sequence number of the row, for the callsign (0 to 99,999).
    aerodromes
        ICAO indicators known to the navigation data, for :func:`faa_aerodrome`.
    eobt, dof
        Off-block time and ``YYMMDD`` date of flight.

    Raises
    ------
    FormatError
        ``SYN111`` for an empty ``Orig`` or ``Dest``, ``SYN101`` for a character that delimits
        ICAO fields or Item 18 indicators, ``SYN114`` for a route over :data:`MAX_ROUTE_CHARS` characters.
    """
    warnings: list[str] = []
    item18_extra: list[str] = []
    route = row.get("Route String") or ""
    _check_route_length(route, "Route String")
    # The hyphen of a STAR entry (FIX-STAR) is rewritten away below, so it is allowed here.
    unstarred = " ".join(token for token in route.upper().split() if _FAA_STAR_ENTRY.fullmatch(token) is None)
    _check_delimiters({**row, "Route String": unstarred}, ("Orig", "Dest", "Route String"), {})
    origin = _aerodrome_text(row, "Orig", "departure")
    destination = _aerodrome_text(row, "Dest", "destination")
    route = route.upper().replace("\u00b7", ".")
    tokens = _split_dots(route.split(), warnings)
    departure = faa_aerodrome(origin, aerodromes)
    arrival = faa_aerodrome(destination, aerodromes)
    # An identifier of 3 or 4 characters is an aerodrome, one of 5 letters a fix where the route
    # starts or ends. An aerodrome identifier next to an airway also names the navaid that joins
    # the airway there, so it stays as a route point.
    if len(origin) <= 4 and tokens and tokens[0] == origin and not _next_is_airway(tokens, 1):
        tokens.pop(0)
    if len(destination) <= 4 and tokens and tokens[-1] == destination and not _next_is_airway(tokens, -2):
        tokens.pop()
    tokens = _faa_tokens(tokens, warnings)
    if departure is None:
        departure = _aerodrome(origin, "departure", warnings, item18_extra)
    if arrival is None:
        arrival = _aerodrome(destination, "destination", warnings, item18_extra)

    high = (row.get("Type") or "").strip().upper() in ("H", "SHD", "HSD", "NAR")
    altitude = (row.get("Altitude") or "").strip()
    if altitude.isdigit() and 1000 <= int(altitude) <= 99000:
        level = f"F{round(int(altitude) / 100):03d}" if int(altitude) >= 18000 else f"A{round(int(altitude) / 100):03d}"
    else:
        level = "F350" if high else "A080"
    speed, aircraft = ("N0450", "B738/M-SDGRW/C") if high else ("N0180", "C208/L-SDG/C")
    route_text = " ".join(tokens) if tokens else "DCT"
    text = (
        f"(FPL-PR{number:05d}-IS\n-{aircraft}\n-{departure}{eobt}\n-{speed}{level} {route_text}\n"
        f"-{arrival}0200\n-{_item18(dof, item18_extra, [_FAA_REMARK])})"
    )
    return RecordedPlan(text, tuple(warnings))
