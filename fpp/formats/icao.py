"""ICAO Doc 4444 ATS messages: the filed flight plan (FPL) in full, CHG/CNL/DLA/ARR/DEP as fields.

A message is ``(`` field 3 ``-`` field 7 ``-`` ... ``)``, optionally inside an AFTN envelope
(:mod:`fpp.formats.aftn`). Line breaks may stand wherever a space may. The character set is the
ICAO one: letters, digits, space, line breaks and ``( ) - ? : . , ' = / +``. A no-break space is
read as a space and lower case is converted to upper case, both with a warning; any other
character raises ``SYN101``.

Splitting into fields
---------------------
The hyphen separates fields, but free text in Item 18 (``RMK/`` and others) may contain hyphens.
An FPL has eight fixed fields (3, 7, 8, 9, 10, 13, 15, 16), and none of them can contain a
hyphen. So the first eight hyphen-separated parts are those fields, and the rest is Item 18
followed by an optional Item 19. Item 19 starts at the first hyphen that is directly followed by an Item 19
indicator (``E/ P/ R/ S/ J/ D/ A/ N/ C/``): Item 18 indicators have three letters or more, so
this cannot be an Item 18 indicator.

Item 18 is ``0`` or indicator groups. An indicator is one of the names in
:data:`ITEM18_INDICATORS` followed by ``/``, at the start of the field or after whitespace. Its
value runs to the next such indicator, so look-alike text such as ``N3911/ANAC/DG`` or
``SUR-1721/A-20`` inside ``RMK/`` stays in the value.

Other message types (CHG, CNL, DLA, ARR, DEP) keep every hyphen-separated field in
:attr:`IcaoMessage.raw_fields`; only fields 3, 7 and 13 are interpreted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from fpp.errors import FormatError
from fpp.formats._text import normalise_characters, upper_case
from fpp.formats.aftn import AftnEnvelope, emit_envelope, parse_heading
from fpp.formats.item15 import Item15, emit_item15, parse_item15

__all__ = [
    "AFTN_LINE_LENGTH",
    "ITEM18_INDICATORS",
    "IcaoMessage",
    "emit_icao",
    "parse_icao",
]

#: Indicators of Item 18: the ICAO list (2012 amendment) in its order, then the IFPS ones.
ITEM18_INDICATORS: tuple[str, ...] = (
    "STS", "PBN", "NAV", "COM", "DAT", "SUR", "DEP", "DEST", "DOF", "REG", "EET", "SEL", "TYP",
    "CODE", "DLE", "OPR", "ORGN", "PER", "ALTN", "RALT", "TALT", "RIF", "RMK",
    "IFP", "RVR", "RFP", "AWR", "EUR", "SRC",
    "STAYINFO1", "STAYINFO2", "STAYINFO3", "STAYINFO4", "STAYINFO5", "STAYINFO6", "STAYINFO7",
    "STAYINFO8", "STAYINFO9",
)  # fmt: skip

#: Maximum AFTN line length [characters], used by :func:`emit_icao` when it wraps.
AFTN_LINE_LENGTH = 69

_FULL_TYPES = frozenset({"FPL"})
_FIELD_LIST_TYPES = frozenset({"CHG", "CNL", "DLA", "ARR", "DEP"})
_FPL_FIELDS = ("3", "7", "8", "9", "10", "13", "15", "16")

_INVALID_CHARACTER = re.compile(r"[^A-Za-z0-9 \t\r\n()\-?:.,'=/+]")
_FIELD3 = re.compile(r"([A-Z]{3})([A-Z]{1,4}/[A-Z]{1,4}\d{3})?([A-Z]{1,4}/[A-Z]{1,4}\d{3})?")
_FIELD7 = re.compile(r"([A-Z0-9]{2,7})(?:/A([0-7]{4}))?")
_FIELD8 = re.compile(r"([IVYZ])([SNGMX])")
_FIELD9 = re.compile(r"(\d{1,2})?([A-Z][A-Z0-9]{1,3})/([LMHJ])")
_EQUIPMENT = re.compile(r"N|(?:S|A|B|C|D|E[123]|F|G|H|I|J[1-7]|K|L|M[123]|O|P[1-9]|R|T|U|V|W|X|Y|Z)+")
_SURVEILLANCE = re.compile(r"N|(?:A|C|E|H|I|L|P|S|X|B[12]|U[12]|V[12]|D1|G1)+")
_AERODROME_TIME = re.compile(r"([A-Z]{4})(\d\d)(\d\d)")
_AERODROME = re.compile(r"[A-Z]{4}")
_INDICATOR = re.compile(
    r"(?:^|(?<=\s))(" + "|".join(sorted(ITEM18_INDICATORS, key=len, reverse=True)) + r")/"
)
_ITEM19_START = re.compile(r"-(?=[EPRSJDANC]/)")
_DOF = re.compile(r"(\d\d)(\d\d)(\d\d)")


@dataclass(frozen=True)
class IcaoMessage:
    """An ICAO ATS message.

    For an FPL every field is set, and ``item19`` when the message has one. For CHG, CNL, DLA,
    ARR and DEP only ``msg_type``, the field 3 numbers, ``aircraft_id``, ``ssr_code``, ``adep``,
    ``eobt`` and ``raw_fields`` are set. Their other fields are ``None`` or empty.

    Attributes
    ----------
    msg_type
        Field 3a, e.g. ``"FPL"``.
    aircraft_id, ssr_code
        Field 7: the aircraft identification and the SSR mode and code (``"A1234"``) or ``None``.
    flight_rules, flight_type
        Field 8: ``I V Y Z`` and ``S N G M X``.
    number, aircraft_type, wake
        Field 9: the number of aircraft when written (else ``None``), the type designator (or
        ``ZZZZ``) and the wake turbulence category ``L M H J``.
    equipment, surveillance
        Field 10a and 10b as written.
    adep, eobt
        Field 13: departure aerodrome (or ``ZZZZ``, ``AFIL``) and EOBT ``"HHMM"``.
    route, route_text
        Field 15 parsed, and its text as written (without surrounding whitespace). Element
        offsets are relative to ``route_text``; add :attr:`route_offset` for the whole message.
    ades, total_eet, alternates
        Field 16: destination, total EET ``"HHMM"`` and up to two alternates.
    item18
        Field 18 indicators in order, value whitespace collapsed; empty for ``0``.
    item19
        Field 19 as written (whitespace collapsed), or ``None``.
    raw_fields
        The text of every field, from field 3 on, stripped.
    message_number, reference_data
        Field 3b and 3c, e.g. ``"AWE/KZDC004"``, or ``None``.
    route_offset
        Offset of ``route_text`` in the message text.
    envelope
        The AFTN envelope, or ``None``.
    warnings
        Notes on accepted oddities (case conversion, no-break spaces, repeated indicators, and
        the Item 15 warnings prefixed with ``Item 15:``).
    """

    msg_type: str
    aircraft_id: str
    ssr_code: str | None
    flight_rules: str | None
    flight_type: str | None
    number: int | None
    aircraft_type: str | None
    wake: str | None
    equipment: str | None
    surveillance: str | None
    adep: str | None
    eobt: str | None
    route: Item15 | None
    route_text: str | None
    ades: str | None
    total_eet: str | None
    alternates: tuple[str, ...]
    item18: dict[str, str] = field(hash=False)
    item19: str | None
    raw_fields: tuple[str, ...]
    message_number: str | None = None
    reference_data: str | None = None
    route_offset: int | None = None
    envelope: AftnEnvelope | None = None
    warnings: tuple[str, ...] = ()

    @property
    def dof(self) -> dt.date | None:
        """Date of flight from ``DOF/`` (YYMMDD, read as 20YY), or ``None`` without one."""
        value = self.item18.get("DOF")
        if value is None:
            return None
        match = _DOF.fullmatch(value)
        if match is None:
            return None
        year, month, day = (int(part) for part in match.groups())
        return dt.date(2000 + year, month, day)


@dataclass
class _Field:
    """One field of the ATS text: its number, its stripped text and that text's offset."""

    number: str
    text: str
    offset: int


def _invalid(number: str, value: str, offset: int, detail: str) -> FormatError:
    return FormatError("SYN110", value, offset, field=number, detail=detail)


def _missing(number: str, offset: int, msg_type: str) -> FormatError:
    return FormatError(
        "SYN111", "", offset, field=number, detail=f"field {number} is missing from the {msg_type} message"
    )


def _split_fields(body: str, body_offset: int, limit: int = -1) -> list[tuple[str, int]]:
    """Split at hyphens (at most ``limit`` times) into (stripped text, offset of that text)."""
    parts = body.split("-", limit) if limit >= 0 else body.split("-")
    fields = []
    position = body_offset
    for part in parts:
        stripped = part.strip()
        leading = len(part) - len(part.lstrip()) if stripped else 0
        fields.append((stripped, position + leading))
        position += len(part) + 1
    return fields


def parse_icao(text: str) -> IcaoMessage:
    """Parse an ICAO ATS message, with or without its AFTN envelope.

    Parameters
    ----------
    text
        The message, e.g. ``"(FPL-BAW123-IS-B738/M-SDFGRWY/LB1-EGLL1200-N0450F350 DCT ABCDE
        DCT-LFPG0100-0)"``, possibly with ``ZCZC``, heading lines and ``NNNN`` around it.

    Returns
    -------
    IcaoMessage

    Raises
    ------
    FormatError
        ``SYN100`` for an empty message, ``SYN101`` for an invalid character, ``SYN110`` for an
        invalid field (naming the field number and value) and ``SYN111`` for a missing field.
        An Item 15 error is raised with its offset in the message. Its ``__cause__`` is the
        same error with the offset in Item 15.
    """
    if not text.strip(" \t\r\n"):
        raise FormatError("SYN100", "", 0, detail="the message is empty")
    work, warnings = normalise_characters(text, _INVALID_CHARACTER, None, "an ICAO message")
    work, case_warning = upper_case(work)
    if case_warning is not None:
        warnings.append(case_warning)

    open_index = work.find("(")
    close_index = work.rfind(")")
    if open_index < 0:
        raise FormatError(
            "SYN111",
            work.strip()[:20],
            0,
            field="3",
            detail="the ATS text must start with '(' and the message type",
        )
    if close_index < open_index:
        raise FormatError("SYN110", "(", open_index, field="3", detail="the ATS text has no closing ')'")
    envelope = _parse_envelope(work, open_index, close_index)

    body_offset = open_index + 1
    body = work[body_offset:close_index]
    field3_text, field3_offset = _split_fields(body, body_offset, 1)[0]
    msg_type, message_number, reference_data = _parse_field3(field3_text, field3_offset)

    if msg_type in _FULL_TYPES:
        return _parse_fpl(body, body_offset, msg_type, message_number, reference_data, envelope, warnings)
    return _parse_field_list(body, body_offset, msg_type, message_number, reference_data, envelope, warnings)


def _parse_envelope(work: str, open_index: int, close_index: int) -> AftnEnvelope | None:
    trailer = work[close_index + 1 :]
    trailer_text = trailer.strip(" \t\r\n")
    if trailer_text not in ("", "NNNN"):
        offset = close_index + 1 + len(trailer) - len(trailer.lstrip(" \t\r\n"))
        raise FormatError(
            "SYN110", trailer_text[:20], offset, field="AFTN", detail="only NNNN may follow the closing ')'"
        )
    return parse_heading(work[:open_index], trailer_text == "NNNN", "SYN110", "AFTN")


def _parse_field3(value: str, offset: int) -> tuple[str, str | None, str | None]:
    match = _FIELD3.fullmatch(value)
    if match is None:
        raise _invalid(
            "3",
            value,
            offset,
            "expected the message type (FPL, CHG, CNL, DLA, ARR, DEP) and optional message numbers",
        )
    msg_type, message_number, reference_data = match.groups()
    if msg_type not in _FULL_TYPES and msg_type not in _FIELD_LIST_TYPES:
        raise _invalid(
            "3",
            value,
            offset,
            f"message type {msg_type} is not supported; fpp reads FPL, CHG, CNL, DLA, ARR and DEP",
        )
    return msg_type, message_number, reference_data


def _parse_field7(value: str, offset: int) -> tuple[str, str | None]:
    match = _FIELD7.fullmatch(value)
    if match is None:
        raise _invalid(
            "7",
            value,
            offset,
            "expected 2 to 7 letters or digits, optionally /A and a 4-digit octal SSR code",
        )
    aircraft_id, code = match.groups()
    return aircraft_id, None if code is None else "A" + code


def _parse_time(number: str, value: str, offset: int, hours: str, minutes: str, max_hours: int) -> str:
    if int(hours) > max_hours or int(minutes) >= 60:
        raise _invalid(number, value, offset, f"{hours}{minutes} is not a valid time HHMM")
    return hours + minutes


def _parse_field13(value: str, offset: int) -> tuple[str, str]:
    match = _AERODROME_TIME.fullmatch(value)
    if match is None:
        raise _invalid(
            "13", value, offset, "expected a 4-letter departure aerodrome (or ZZZZ, AFIL) and EOBT HHMM"
        )
    aerodrome, hours, minutes = match.groups()
    return aerodrome, _parse_time("13", value, offset, hours, minutes, 23)


def _parse_fpl(
    body: str,
    body_offset: int,
    msg_type: str,
    message_number: str | None,
    reference_data: str | None,
    envelope: AftnEnvelope | None,
    warnings: list[str],
) -> IcaoMessage:
    parts = _split_fields(body, body_offset, len(_FPL_FIELDS))
    for index, number in enumerate(_FPL_FIELDS):
        if index >= len(parts):
            raise _missing(number, body_offset + len(body), msg_type)
        if not parts[index][0]:
            raise _missing(number, parts[index][1], msg_type)
    if len(parts) <= len(_FPL_FIELDS):
        raise _missing("18", body_offset + len(body), msg_type)
    fields = {number: _Field(number, *parts[index]) for index, number in enumerate(_FPL_FIELDS)}

    aircraft_id, ssr_code = _parse_field7(fields["7"].text, fields["7"].offset)
    flight_rules, flight_type = _parse_field8(fields["8"])
    number, aircraft_type, wake = _parse_field9(fields["9"])
    equipment, surveillance = _parse_field10(fields["10"])
    adep, eobt = _parse_field13(fields["13"].text, fields["13"].offset)
    route = _parse_field15(fields["15"], warnings)
    ades, total_eet, alternates = _parse_field16(fields["16"])

    rest_text = body.split("-", len(_FPL_FIELDS))[-1]
    rest_offset = body_offset + len(body) - len(rest_text)
    item18_text, item18_offset, item19 = _split_item19(rest_text, rest_offset)
    item18 = _parse_item18(item18_text, item18_offset, warnings)

    raw_fields = [fields[number].text for number in _FPL_FIELDS] + [item18_text]
    if item19 is not None:
        raw_fields.append(item19)
    return IcaoMessage(
        msg_type=msg_type,
        aircraft_id=aircraft_id,
        ssr_code=ssr_code,
        flight_rules=flight_rules,
        flight_type=flight_type,
        number=number,
        aircraft_type=aircraft_type,
        wake=wake,
        equipment=equipment,
        surveillance=surveillance,
        adep=adep,
        eobt=eobt,
        route=route,
        route_text=fields["15"].text,
        ades=ades,
        total_eet=total_eet,
        alternates=alternates,
        item18=item18,
        item19=item19,
        raw_fields=tuple(raw_fields),
        message_number=message_number,
        reference_data=reference_data,
        route_offset=fields["15"].offset,
        envelope=envelope,
        warnings=tuple(warnings),
    )


def _parse_field8(item: _Field) -> tuple[str, str]:
    match = _FIELD8.fullmatch(item.text)
    if match is None:
        raise _invalid(
            "8",
            item.text,
            item.offset,
            "expected flight rules I, V, Y or Z and type of flight S, N, G, M or X",
        )
    rules, flight_type = match.groups()
    return rules, flight_type


def _parse_field9(item: _Field) -> tuple[int | None, str, str]:
    match = _FIELD9.fullmatch(item.text)
    if match is None:
        raise _invalid(
            "9",
            item.text,
            item.offset,
            "expected [number] aircraft type (2 to 4 characters or ZZZZ) / wake category L, M, H or J",
        )
    number_text, aircraft_type, wake = match.groups()
    number = None if number_text is None else int(number_text)
    if number == 0:
        raise _invalid("9", item.text, item.offset, "the number of aircraft is zero")
    return number, aircraft_type, wake


def _parse_field10(item: _Field) -> tuple[str, str]:
    equipment, slash, surveillance = item.text.partition("/")
    if not slash or _EQUIPMENT.fullmatch(equipment) is None:
        raise _invalid(
            "10",
            item.text,
            item.offset,
            "expected equipment codes (N, or S and/or codes such as E1 J3 P2) then / and surveillance codes",
        )
    if _SURVEILLANCE.fullmatch(surveillance) is None:
        raise _invalid(
            "10",
            item.text,
            item.offset,
            f"surveillance codes {surveillance!r} are invalid; expected N or codes such as "
            "A C E H L S B1 U2 V1 D1 G1",
        )
    return equipment, surveillance


def _parse_field15(item: _Field, warnings: list[str]) -> Item15:
    try:
        route = parse_item15(item.text)
    except FormatError as error:
        offset = None if error.offset is None else item.offset + error.offset
        detail = f"{error.detail} (offset {error.offset} in Item 15)"
        raise FormatError(
            error.code, error.token, offset, field="15", detail=detail, hint=error.hint
        ) from error
    warnings.extend(f"Item 15: {warning}" for warning in route.warnings)
    return route


def _parse_field16(item: _Field) -> tuple[str, str, tuple[str, ...]]:
    words = item.text.split()
    match = _AERODROME_TIME.fullmatch(words[0]) if words else None
    if match is None:
        raise _invalid(
            "16",
            item.text,
            item.offset,
            "expected a 4-letter destination (or ZZZZ), total EET HHMM and up to 2 alternates",
        )
    aerodrome, hours, minutes = match.groups()
    total_eet = _parse_time("16", item.text, item.offset, hours, minutes, 99)

    alternates = tuple(words[1:])
    if len(alternates) > 2 or any(_AERODROME.fullmatch(alternate) is None for alternate in alternates):
        raise _invalid("16", item.text, item.offset, "expected at most 2 alternates of 4 letters each")
    return aerodrome, total_eet, alternates


def _split_item19(rest: str, rest_offset: int) -> tuple[str, int, str | None]:
    """Split the text after field 16 into Item 18 (text and offset) and Item 19."""
    # NOTE: Item 18 free text with a hyphen directly followed by a one-letter Item 19 indicator
    # and "/" (such as "RMK/A-E/B") is split there. No rule tells it from a real Item 19.
    match = _ITEM19_START.search(rest)
    item18_raw = rest if match is None else rest[: match.start()]
    item19 = None if match is None else " ".join(rest[match.end() :].split())
    stripped = item18_raw.strip()
    leading = len(item18_raw) - len(item18_raw.lstrip()) if stripped else 0
    return stripped, rest_offset + leading, item19


def _parse_item18(text: str, offset: int, warnings: list[str]) -> dict[str, str]:
    """Parse Item 18 into indicator groups, checking DOF/."""
    if text == "0":
        return {}
    if not text:
        raise _invalid("18", text, offset, "Item 18 is empty; write 0 when there is no other information")

    matches = list(_INDICATOR.finditer(text))
    if not matches or matches[0].start() != 0:
        stray = text if not matches else text[: matches[0].start()].strip()
        raise _invalid(
            "18",
            stray,
            offset,
            "text before the first known indicator; Item 18 is 0 or indicator/value groups such as "
            "DOF/240101",
        )

    item18: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        indicator = match.group(1)
        value = " ".join(text[match.end() : end].split())
        if indicator in item18:
            warnings.append(f"Item 18 indicator {indicator}/ repeated; the values are joined with a space")
            value = f"{item18[indicator]} {value}".strip()
        item18[indicator] = value

    dof = item18.get("DOF")
    if dof is not None:
        _check_dof(dof, offset + text.index("DOF/"))
    return item18


def _check_dof(value: str, offset: int) -> None:
    match = _DOF.fullmatch(value)
    valid = match is not None
    if match is not None:
        year, month, day = (int(part) for part in match.groups())
        try:
            dt.date(2000 + year, month, day)
        except ValueError:
            valid = False
    if not valid:
        raise _invalid("18", f"DOF/{value}", offset, "the date of flight must be a valid date YYMMDD")


def _parse_field_list(
    body: str,
    body_offset: int,
    msg_type: str,
    message_number: str | None,
    reference_data: str | None,
    envelope: AftnEnvelope | None,
    warnings: list[str],
) -> IcaoMessage:
    parts = _split_fields(body, body_offset)
    if len(parts) < 2:
        raise _missing("7", body_offset + len(body), msg_type)
    aircraft_id, ssr_code = _parse_field7(*parts[1])
    if len(parts) < 3:
        raise _missing("13", body_offset + len(body), msg_type)
    adep, eobt = _parse_field13(*parts[2])

    return IcaoMessage(
        msg_type=msg_type,
        aircraft_id=aircraft_id,
        ssr_code=ssr_code,
        flight_rules=None,
        flight_type=None,
        number=None,
        aircraft_type=None,
        wake=None,
        equipment=None,
        surveillance=None,
        adep=adep,
        eobt=eobt,
        route=None,
        route_text=None,
        ades=None,
        total_eet=None,
        alternates=(),
        item18={},
        item19=None,
        raw_fields=tuple(text for text, _ in parts),
        message_number=message_number,
        reference_data=reference_data,
        envelope=envelope,
        warnings=tuple(warnings),
    )


def _wrap(words: list[str], first_prefix: str, line_length: int | None) -> list[str]:
    """Join words with spaces into lines of at most ``line_length`` characters where possible."""
    if line_length is None:
        return [first_prefix + " ".join(words)]
    lines: list[str] = []
    current = first_prefix
    for word in words:
        if current in ("", first_prefix):
            current += word
        elif len(current) + 1 + len(word) <= line_length:
            current += " " + word
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


def emit_icao(message: IcaoMessage, *, line_length: int | None = AFTN_LINE_LENGTH) -> str:
    """Write an ICAO message in the usual layout, inside its AFTN envelope when it has one.

    An FPL is written from its parsed fields: fields 3 to 8 on the first line, 9 and 10 on the
    next, then 13, 15, 16, 18 and 19 each on a new line. Other message types are written from
    :attr:`IcaoMessage.raw_fields`.

    Parameters
    ----------
    message
        The message.
    line_length
        Maximum line length. Item 15, 18 and 19 are wrapped at spaces to stay within it where a
        space allows, and ``None`` writes each field on one line.

    Returns
    -------
    str
        The message text. ``parse_icao`` of it gives the same fields apart from offsets and
        from whitespace in ``route_text``.
    """
    if message.msg_type not in _FULL_TYPES:
        body = "(" + "-".join(message.raw_fields) + ")"
        return body if message.envelope is None else emit_envelope(message.envelope, body)

    field3 = message.msg_type + (message.message_number or "") + (message.reference_data or "")
    field7 = message.aircraft_id if message.ssr_code is None else f"{message.aircraft_id}/{message.ssr_code}"
    number = "" if message.number is None else str(message.number)
    lines = [
        f"({field3}-{field7}-{message.flight_rules}{message.flight_type}",
        f"-{number}{message.aircraft_type}/{message.wake}-{message.equipment}/{message.surveillance}",
        f"-{message.adep}{message.eobt}",
    ]
    route_text = emit_item15(message.route) if message.route is not None else ""
    lines.extend(_wrap(route_text.split(), "-", line_length))
    lines.append("-" + " ".join([f"{message.ades}{message.total_eet}", *message.alternates]))

    item18_words = [f"{indicator}/{value}".strip() for indicator, value in message.item18.items()]
    lines.extend(_wrap(" ".join(item18_words).split() or ["0"], "-", line_length))
    if message.item19 is not None:
        lines.extend(_wrap(message.item19.split(), "-", line_length))
    lines[-1] += ")"

    body = "\n".join(lines)
    return body if message.envelope is None else emit_envelope(message.envelope, body)
