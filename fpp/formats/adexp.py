"""ADEXP (EUROCONTROL ATS Data Exchange Presentation) messages: parse, build and emit.

A message is a sequence of fields. Each field starts with ``-`` and an upper-case keyword. There
are three shapes:

basic
    ``-KEYWORD value``. The value runs to the next start of field and may span lines; runs of
    whitespace in it become one space. An empty value is ``None``.
structured
    ``-KEYWORD`` with no value, followed by subfields: ``-GEO -GEOID GEO01 -LATTD 490000N
    -LONGTD 0500000W``. Subfields may nest (``-REFDATA -SENDER -FAC ...``).
list
    ``-BEGIN NAME`` ... ``-END NAME`` (``RTEPTS``, ``ADDR``, ``EQCST``, ``ASPLIST`` and any other
    name).

Which keyword starts a field
----------------------------
A start of field is a ``-`` at the start of the text or after whitespace, followed by
``[A-Z][A-Z0-9]*`` and then whitespace or the end of the text. Free-text fields
(:data:`FREE_TEXT_KEYWORDS`, such as ``MSGTXT``) are the exception. In their value such a hyphen
starts a field only when its keyword is known in that place. Known keywords are those of
:data:`PRIMARY_KEYWORDS`, ``BEGIN``, ``END``, and the subfields and list elements of enclosing
fields. So ``-MSGTXT (ACH-BEL20B-...-18/PBN/B1 ...)`` stays one value. Everywhere else any
keyword starts a field, and unknown keywords are kept as basic fields.

Which field a subfield belongs to
---------------------------------
A compound keyword of :data:`STRUCTURED_SUBFIELDS` with no value opens a structured field. A
following field becomes its child when its keyword is one of the listed subfields. An element of
a known list (a ``-PT`` inside ``RTEPTS``) also keeps every other field up to the next element of
the list or the next ``-BEGIN`` or ``-END``. So extra subfields such as ``-ISPASS`` stay with
their point. Any other field closes the structured field and is read at the enclosing level. A
``-BEGIN`` closes the open structured fields, so a list sits at the top level or inside another
list.

Envelope and errors
-------------------
A leading ``ZCZC`` (with the AFTN heading lines of :mod:`fpp.formats.aftn`) and a final ``NNNN``
are removed and recorded in :attr:`AdexpMessage.envelope`. ``SYN112`` is raised for text before
the first field that is no envelope, a ``-BEGIN`` without its ``-END``, an ``-END`` without its
``-BEGIN`` and text after the list name of either. ``SYN113`` is raised for invalid values of
``ETO`` (YYMMDDHHMMSS or YYYYMMDDHHMMSS), ``LATTD``, ``LONGTD``, ``FL`` and ``PTID``. Every error
names the keyword or token and its offset in the input.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from fpp.errors import FormatError
from fpp.formats._text import normalise_characters
from fpp.formats.aftn import AftnEnvelope, emit_envelope, parse_heading, strip_end_of_message
from fpp.formats.latlon import parse_adexp_lat, parse_adexp_lon

__all__ = [
    "FREE_TEXT_KEYWORDS",
    "LIST_ELEMENTS",
    "PRIMARY_KEYWORDS",
    "STRUCTURED_SUBFIELDS",
    "AdexpField",
    "AdexpMessage",
    "RoutePoint",
    "basic",
    "emit_adexp",
    "format_eto",
    "listfield",
    "parse_adexp",
    "parse_eto",
    "point_field",
    "structured",
]

_POINT_SUBFIELDS = frozenset(
    {
        "PTID", "FL", "FLBLOCK", "SFL", "ETO", "TO", "CTO", "STO", "PTRTE", "PTSTAY", "PTRFL",
        "PTRULCHG", "PTSPEED", "PTMACH", "PTCRSCLIMB", "PTDLE",
    }
)  # fmt: skip

#: Compound keywords read as structured fields, with the keywords of their subfields.
STRUCTURED_SUBFIELDS: Mapping[str, frozenset[str]] = {
    "PT": _POINT_SUBFIELDS,
    "AD": (_POINT_SUBFIELDS - {"PTID", "SFL", "PTCRSCLIMB", "PTDLE"}) | {"ADID"},
    "VEC": frozenset({"RELDIST", "FL", "ETO", "TO", "PTRTE"}),
    "PTCRSCLIMB": frozenset({"PTSPEED", "PTMACH", "CRFL1", "CRFL2"}),
    "GEO": frozenset({"GEOID", "LATTD", "LONGTD"}),
    "REF": frozenset({"REFID", "PTID", "BRNG", "DISTNC"}),
    "ESTDATA": frozenset({"PTID", "ETO", "FL", "SFL"}),
    "ORIGIN": frozenset({"NETWORKTYPE", "FAC"}),
    "REFDATA": frozenset({"SENDER", "RECVR", "SEQNUM"}),
    "SENDER": frozenset({"FAC"}),
    "RECVR": frozenset({"FAC"}),
    "CFL": frozenset({"FL", "SFL"}),
    "ASP": frozenset({"AIRSPDES", "ETI", "XTI"}),
}

#: Known lists and the keywords of their elements.
LIST_ELEMENTS: Mapping[str, frozenset[str]] = {
    "RTEPTS": frozenset({"PT", "AD", "VEC"}),
    "ADDR": frozenset({"FAC"}),
    "EQCST": frozenset({"EQPT"}),
    "ASPLIST": frozenset({"ASP"}),
}

#: Basic fields whose value is free text that may contain hyphens.
FREE_TEXT_KEYWORDS = frozenset({"MSGTXT", "COMMENT", "IFPDLONG", "RMK"})

#: Primary (top-level) keywords known to fpp. Unknown keywords are still read; this list only
#: decides which hyphens inside a free-text value start a new field.
PRIMARY_KEYWORDS = frozenset(
    {
        "TITLE", "ADDR", "ARCID", "SSRCODE", "FLTRUL", "FLTTYP", "NBARC", "ARCTYP", "WKTRC",
        "CEQPT", "SEQPT", "EQCST", "ADEP", "EOBT", "EOBD", "ROUTE", "SPEED", "RFL", "ADES",
        "TTLEET", "ALTRNT1", "ALTRNT2", "ALTNZ", "DEPZ", "DESTZ", "TYPZ", "EETFIR", "EETPT",
        "PBN", "REG", "SEL", "OPR", "RMK", "DOF", "PER", "DAT", "NAV", "COM", "SUR", "STS", "RVR",
        "CODE", "ARCADDR", "DLE", "RALT", "TALT", "RIF", "IFP", "RFP", "AWR", "EUR", "IFPLID",
        "FILTIM", "ORIGIN", "ORGNID", "SRC", "AOARCID", "AOOPR", "RTEPTS", "SID", "STAR",
        "ATSRT", "DCT", "GEO", "REF", "ESTDATA", "MSGTXT", "COMMENT", "IFPDLONG", "REFDATA",
        "MSGREF", "CFL", "SECTOR", "PREVSSRCODE", "NEXTSSRCODE", "AHEAD", "ASPEED", "RATE",
        "RELEASE", "ASPLIST", "FLTSTATE", "CTOT", "REGUL", "TAXITIME", "ERRFIELD",
    }
)  # fmt: skip

_FIELD_START = re.compile(r"(?:^|(?<=\s))-([A-Z][A-Z0-9]*)(?=\s|\Z)")
_KEYWORD = re.compile(r"[A-Z][A-Z0-9]*")
_INVALID_CHARACTER = re.compile(r"[^\x20-\x7e\t\r\n]")
_ETO = re.compile(r"(\d\d|\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)")
_FLIGHT_LEVEL = re.compile(r"[FA]\d{3}|[SM]\d{4}")
_POINT_ID = re.compile(r"[A-Z0-9]{1,5}|GEO\d{2,3}|\*[A-Z0-9]{1,6}")


@dataclass(frozen=True)
class AdexpField:
    """One ADEXP field: basic (``value``), structured (``children``) or a list (``is_list``).

    Attributes
    ----------
    keyword
        The keyword without the hyphen; for a list, the list name (``RTEPTS``).
    value
        The value of a basic field with whitespace runs collapsed, or ``None``.
    children
        Subfields of a structured field, or the elements of a list.
    is_list
        Whether the field is a ``-BEGIN``/``-END`` list.
    offset
        Offset of the field's ``-`` (of ``-BEGIN`` for a list) in the parsed text; 0 for built
        fields.
    """

    keyword: str
    value: str | None = None
    children: tuple[AdexpField, ...] = ()
    is_list: bool = False
    offset: int = 0

    def get(self, keyword: str) -> str | None:
        """Return the value of the first child with ``keyword``, or ``None``."""
        for child in self.children:
            if child.keyword == keyword and not child.is_list:
                return child.value
        return None

    def without_offsets(self) -> AdexpField:
        """Return a copy with every offset set to 0, for comparing content."""
        return replace(self, offset=0, children=tuple(child.without_offsets() for child in self.children))


@dataclass(frozen=True)
class RoutePoint:
    """One element of ``RTEPTS``.

    Attributes
    ----------
    kind
        ``"PT"``, ``"AD"`` or ``"VEC"``.
    ident
        ``PTID`` of a point or ``ADID`` of an aerodrome; ``None`` for a vector point.
    fl
        The ``FL`` subfield (``"F350"``), or ``None``.
    eto
        The ``ETO`` subfield as a UTC datetime, or ``None``.
    subfields
        Every subfield by keyword, including ``PTID``, ``FL``, ``ETO`` and ``TO``; a nested
        structured subfield is given as its ADEXP text. A repeated keyword keeps its last value.
    offset
        Offset of the element in the parsed text.
    """

    kind: str
    ident: str | None
    fl: str | None
    eto: dt.datetime | None
    subfields: dict[str, str] = field(hash=False)
    offset: int = 0


@dataclass(frozen=True)
class AdexpMessage:
    """An ADEXP message: its fields in order, repeated fields kept.

    Attributes
    ----------
    fields
        Top-level fields in order.
    envelope
        Whether the message came inside ``ZCZC`` ... ``NNNN`` (or should be written so).
    """

    fields: tuple[AdexpField, ...]
    envelope: bool = False

    @property
    def title(self) -> str | None:
        """The ``TITLE`` value, such as ``IFPL``."""
        return self.get("TITLE")

    @property
    def route(self) -> str | None:
        """The ``ROUTE`` value: the Item 15 text including the speed/level group."""
        return self.get("ROUTE")

    def get(self, keyword: str) -> str | None:
        """Return the value of the first top-level basic field with ``keyword``, or ``None``."""
        for item in self.fields:
            if item.keyword == keyword and not item.is_list and not item.children:
                return item.value
        return None

    def get_all(self, keyword: str) -> list[str]:
        """Return the values of every top-level basic field with ``keyword``, in order (e.g. ``EETFIR``)."""
        return [
            item.value
            for item in self.fields
            if item.keyword == keyword and not item.is_list and not item.children and item.value is not None
        ]

    def find_all(self, keyword: str) -> list[AdexpField]:
        """Return every top-level field with ``keyword`` (a list by its name), in order."""
        return [item for item in self.fields if item.keyword == keyword]

    def rtepts(self) -> list[RoutePoint]:
        """Return the elements of the first ``RTEPTS`` list in order; empty without one.

        Raises
        ------
        FormatError
            ``SYN113`` for an invalid ``ETO`` in a message that was built rather than parsed.
        """
        for item in self.fields:
            if item.is_list and item.keyword == "RTEPTS":
                elements = [element for element in item.children if element.keyword in ("PT", "AD", "VEC")]
                return [_route_point(element) for element in elements]
        return []

    def geo_points(self) -> dict[str, tuple[float, float]]:
        """Return the ``-GEO`` points by ``GEOID`` as ``(lat_deg, lon_deg)``.

        A ``-GEO`` without ``GEOID``, ``LATTD`` or ``LONGTD`` is left out.
        """
        points: dict[str, tuple[float, float]] = {}
        for item in self.fields:
            if item.keyword != "GEO":
                continue
            ident = item.get("GEOID")
            lat_text = item.get("LATTD")
            lon_text = item.get("LONGTD")
            if ident is None or lat_text is None or lon_text is None:
                continue
            points[ident] = (_parse_lat(lat_text, item.offset), _parse_lon(lon_text, item.offset))
        return points

    def without_offsets(self) -> AdexpMessage:
        """Return a copy with every offset set to 0, for comparing content."""
        return AdexpMessage(tuple(item.without_offsets() for item in self.fields), self.envelope)


def _route_point(element: AdexpField) -> RoutePoint:
    subfields: dict[str, str] = {}
    for child in element.children:
        if child.children or child.is_list:
            subfields[child.keyword] = " ".join(_inline(grandchild) for grandchild in child.children)
        else:
            subfields[child.keyword] = child.value or ""
    ident = subfields.get("ADID" if element.keyword == "AD" else "PTID")
    eto_text = subfields.get("ETO")
    eto = None if eto_text is None else parse_eto(eto_text, element.offset)
    return RoutePoint(element.keyword, ident, subfields.get("FL"), eto, subfields, element.offset)


# -- values ------------------------------------------------------------------------------------


def parse_eto(text: str, offset: int = 0) -> dt.datetime:
    """Parse an ADEXP ``ETO``: YYMMDDHHMMSS (years 2000-2099) or YYYYMMDDHHMMSS, as UTC.

    Raises
    ------
    FormatError
        ``SYN113`` for another length or an invalid date or time.
    """
    match = _ETO.fullmatch(text)
    if match is not None:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        if len(match.group(1)) == 2:
            year += 2000
        try:
            return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.timezone.utc)
        except ValueError:
            pass
    raise FormatError(
        "SYN113",
        text,
        offset,
        field="ETO",
        detail="ETO must be a valid date and time YYMMDDHHMMSS or YYYYMMDDHHMMSS",
    )


def format_eto(moment: dt.datetime) -> str:
    """Write a datetime as the 12-digit ADEXP ``ETO`` YYMMDDHHMMSS.

    An aware datetime is converted to UTC; a naive one is taken to be UTC already.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    if not 2000 <= moment.year <= 2099:
        raise ValueError(f"a 12-digit ETO is limited to the years 2000 to 2099, not {moment.year}")
    return moment.strftime("%y%m%d%H%M%S")


def _parse_lat(text: str, offset: int) -> float:
    try:
        return parse_adexp_lat(text, offset)
    except FormatError as error:
        raise FormatError("SYN113", text, offset, field="LATTD", detail=error.detail) from None


def _parse_lon(text: str, offset: int) -> float:
    try:
        return parse_adexp_lon(text, offset)
    except FormatError as error:
        raise FormatError("SYN113", text, offset, field="LONGTD", detail=error.detail) from None


def _validate(keyword: str, value: str | None, offset: int) -> None:
    """Check the value of a field whose syntax fpp validates (ETO, LATTD, LONGTD, FL, PTID)."""
    text = value or ""
    if keyword == "ETO":
        parse_eto(text, offset)
    elif keyword == "LATTD":
        _parse_lat(text, offset)
    elif keyword == "LONGTD":
        _parse_lon(text, offset)
    elif keyword == "FL":
        if _FLIGHT_LEVEL.fullmatch(text) is None:
            raise FormatError(
                "SYN113",
                text,
                offset,
                field="FL",
                detail="a flight level is F or A and 3 digits, or S or M and 4 digits",
            )
    elif keyword == "PTID":
        if _POINT_ID.fullmatch(text) is None:
            raise FormatError(
                "SYN113",
                text,
                offset,
                field="PTID",
                detail="a point is 1 to 5 letters or digits, GEO and 2 or 3 digits, or * and an IFPS name",
            )


_VALIDATED = frozenset({"ETO", "LATTD", "LONGTD", "FL", "PTID"})


# -- parsing -----------------------------------------------------------------------------------


@dataclass
class _Frame:
    """An open list or structured field while parsing."""

    keyword: str
    offset: int
    is_list: bool
    subfields: frozenset[str]
    list_elements: frozenset[str] | None  # elements of the enclosing known list, if an element
    children: list[AdexpField] = field(default_factory=list)


def _close(stack: list[_Frame]) -> None:
    frame = stack.pop()
    stack[-1].children.append(
        AdexpField(frame.keyword, None, tuple(frame.children), frame.is_list, frame.offset)
    )


_TOP_LEVEL_KEYWORDS = PRIMARY_KEYWORDS | {"BEGIN", "END"}


def _context_keywords(stack: list[_Frame]) -> frozenset[str]:
    """Return the keywords that end a free-text value placed in the innermost open frame."""
    known = set(_TOP_LEVEL_KEYWORDS)
    for frame in stack[1:]:
        known.update(frame.subfields)
    return frozenset(known)


def _list_name(keyword: str, value: str | None, offset: int) -> str:
    words = value.split() if value else []
    if not words:
        raise FormatError("SYN112", f"-{keyword}", offset, detail=f"-{keyword} needs a list name")
    if len(words) > 1:
        raise FormatError(
            "SYN112",
            f"-{keyword} {value}",
            offset,
            detail=f"text after the list name in -{keyword} {words[0]}",
        )
    if _KEYWORD.fullmatch(words[0]) is None:
        raise FormatError(
            "SYN112", f"-{keyword} {value}", offset, detail="a list name is an upper-case keyword"
        )
    return words[0]


#: Deepest nesting of lists and structured fields accepted. Real messages nest three or four
#: levels (a -PT inside RTEPTS); the limit keeps a hostile message from exhausting the stack.
MAX_NESTING = 32


def _begin(stack: list[_Frame], value: str | None, offset: int) -> None:
    name = _list_name("BEGIN", value, offset)
    while not stack[-1].is_list and len(stack) > 1:
        _close(stack)
    if len(stack) > MAX_NESTING:
        raise FormatError("SYN112", f"-BEGIN {name}", offset,
                          detail=f"lists nested more than {MAX_NESTING} deep")
    stack.append(_Frame(name, offset, True, LIST_ELEMENTS.get(name, frozenset()), None))


def _end(stack: list[_Frame], value: str | None, offset: int) -> None:
    name = _list_name("END", value, offset)
    while len(stack) > 1 and not stack[-1].is_list:
        _close(stack)
    if len(stack) == 1:
        raise FormatError(
            "SYN112", f"-END {name}", offset, detail=f"-END {name} without a matching -BEGIN {name}"
        )
    if stack[-1].keyword != name:
        opened = stack[-1]
        raise FormatError(
            "SYN112",
            f"-END {name}",
            offset,
            detail=f"-END {name} does not match -BEGIN {opened.keyword} at offset {opened.offset}",
        )
    _close(stack)


def _accepts(frame: _Frame, keyword: str) -> bool:
    """Return whether an open structured frame takes a field with ``keyword`` as its child."""
    if keyword in frame.subfields:
        return True
    return frame.list_elements is not None and keyword not in frame.list_elements


def _place(stack: list[_Frame], keyword: str) -> None:
    """Close the open structured fields that do not take a field with ``keyword``."""
    while len(stack) > 1 and not stack[-1].is_list and not _accepts(stack[-1], keyword):
        _close(stack)


def _add_field(stack: list[_Frame], keyword: str, value: str | None, value_offset: int, offset: int) -> None:
    """Validate a placed field and add it, opening a frame for a structured field."""
    if keyword in _VALIDATED:
        _validate(keyword, value, value_offset)
    subfields = STRUCTURED_SUBFIELDS.get(keyword)
    if subfields is not None and value is None:
        parent = stack[-1]
        known_elements = LIST_ELEMENTS.get(parent.keyword) if parent.is_list else None
        list_elements = known_elements if known_elements is not None and keyword in known_elements else None
        stack.append(_Frame(keyword, offset, False, subfields, list_elements))
    else:
        stack[-1].children.append(AdexpField(keyword, value, (), False, offset))


def parse_adexp(text: str) -> AdexpMessage:
    """Parse an ADEXP message, with or without its ``ZCZC``/``NNNN`` envelope.

    Parameters
    ----------
    text
        The message, e.g. ``"-TITLE IFPL -ARCID ABC123 -BEGIN RTEPTS -PT -PTID ABCDE -END RTEPTS"``.

    Returns
    -------
    AdexpMessage
        The fields as a tree; offsets are positions in ``text``.

    Raises
    ------
    FormatError
        ``SYN100`` empty text, ``SYN101`` invalid character, ``SYN112`` structure, ``SYN113``
        invalid value, each naming the keyword or token and its offset.
    """
    if not text.strip(" \t\r\n"):
        raise FormatError("SYN100", "", 0, detail="the ADEXP message is empty")
    work, _ = normalise_characters(text, _INVALID_CHARACTER, None, "an ADEXP message")
    body, has_end = strip_end_of_message(work)

    starts = list(_FIELD_START.finditer(body))
    if not starts:
        token = body.strip()[:20]
        raise FormatError(
            "SYN112", token, len(body) - len(body.lstrip()), detail="no field starts with -KEYWORD"
        )
    envelope = parse_heading(body[: starts[0].start()], has_end, "SYN112", None)

    stack = [_Frame("", 0, True, frozenset(), None)]
    index = 0
    while index < len(starts):
        match = starts[index]
        keyword = match.group(1)
        if keyword != "BEGIN" and keyword != "END":
            _place(stack, keyword)
        following = index + 1
        if keyword in FREE_TEXT_KEYWORDS:
            ending = _context_keywords(stack)
            while following < len(starts) and starts[following].group(1) not in ending:
                following += 1
        value_end = starts[following].start() if following < len(starts) else len(body)
        raw_value = body[match.end() : value_end]
        value = " ".join(raw_value.split()) or None
        value_offset = match.end() + len(raw_value) - len(raw_value.lstrip()) if value else match.end()

        if keyword == "BEGIN":
            _begin(stack, value, match.start())
        elif keyword == "END":
            _end(stack, value, match.start())
        else:
            _add_field(stack, keyword, value, value_offset, match.start())
        index = following

    while len(stack) > 1 and not stack[-1].is_list:
        _close(stack)
    if len(stack) > 1:
        unclosed = stack[-1]
        raise FormatError(
            "SYN112",
            f"-BEGIN {unclosed.keyword}",
            unclosed.offset,
            detail=f"-BEGIN {unclosed.keyword} has no -END {unclosed.keyword}",
        )
    return AdexpMessage(tuple(stack[0].children), envelope is not None)


# -- building ----------------------------------------------------------------------------------


def _check_keyword(keyword: str) -> None:
    if _KEYWORD.fullmatch(keyword) is None or keyword in ("BEGIN", "END"):
        raise ValueError(
            f"invalid ADEXP keyword {keyword!r}: use upper-case letters and digits, starting with a "
            "letter, other than BEGIN and END",
        )


def basic(keyword: str, value: str | None) -> AdexpField:
    """Build a basic field ``-KEYWORD value``; whitespace runs in the value become one space.

    Raises
    ------
    ValueError
        For an invalid keyword.
    """
    _check_keyword(keyword)
    text = None if value is None else " ".join(value.split()) or None
    return AdexpField(keyword, text)


def structured(keyword: str, fields: Iterable[AdexpField]) -> AdexpField:
    """Build a structured field such as ``-GEO -GEOID GEO01 -LATTD ... -LONGTD ...``.

    Raises
    ------
    ValueError
        When ``keyword`` is not in :data:`STRUCTURED_SUBFIELDS`, because the parser could not read
        it back as one field.
    """
    _check_keyword(keyword)
    if keyword not in STRUCTURED_SUBFIELDS:
        raise ValueError(
            f"{keyword} is not a known compound keyword; add it to STRUCTURED_SUBFIELDS or use basic fields"
        )
    return AdexpField(keyword, None, tuple(fields))


def listfield(name: str, fields: Iterable[AdexpField]) -> AdexpField:
    """Build a list ``-BEGIN NAME ... -END NAME``."""
    _check_keyword(name)
    return AdexpField(name, None, tuple(fields), True)


def point_field(
    ident: str,
    fl: str | None = None,
    eto: dt.datetime | str | None = None,
    extra: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
) -> AdexpField:
    """Build an RTEPTS point ``-PT -PTID ident [-FL fl] [-ETO eto] [extra subfields]``.

    Parameters
    ----------
    ident
        The point designator (``PTID``).
    fl
        Flight level such as ``F350``.
    eto
        Estimated time over the point, as a datetime (written YYMMDDHHMMSS in UTC) or as text.
    extra
        Further subfields in order, e.g. ``{"TO": "1030"}`` or ``[("PTRTE", "DCT")]``.
    """
    children = [basic("PTID", ident)]
    if fl is not None:
        children.append(basic("FL", fl))
    if eto is not None:
        children.append(basic("ETO", eto if isinstance(eto, str) else format_eto(eto)))
    items = extra.items() if isinstance(extra, Mapping) else (extra or ())
    children.extend(basic(keyword, value) for keyword, value in items)
    return AdexpField("PT", None, tuple(children))


# -- emitting ----------------------------------------------------------------------------------


def _opens_frame(item: AdexpField) -> bool:
    return not item.is_list and item.value is None and item.keyword in STRUCTURED_SUBFIELDS


#: A hyphen and a letter at the start of a value or after whitespace: ADEXP readers take it for
#: the start of a field, whether or not they know the keyword.
_HYPHEN_WORD = re.compile(r"(?:^|(?<=\s))-[A-Za-z][^\s]*")


def _check_value(item: AdexpField, context: frozenset[str]) -> None:
    """Raise ValueError when an ADEXP reader could end the value early or reject a character.

    ``context`` is the set of keywords that end a free-text value at the item's place. A hyphen
    and a letter at the start of a word is refused in every value, free text included: fpp's
    parser reads an unknown keyword in free text as part of the text, but other readers start a
    field there.
    """
    value = item.value
    if value is None:
        return
    if _INVALID_CHARACTER.search(value):
        raise ValueError(f"value of -{item.keyword} contains a character outside printable ASCII")
    for match in _FIELD_START.finditer(value):
        if item.keyword not in FREE_TEXT_KEYWORDS or match.group(1) in context:
            raise ValueError(
                f"value of -{item.keyword} contains {match.group()!r}, which would be read as a new field"
            )
    match = _HYPHEN_WORD.search(value)
    if match is not None:
        raise ValueError(
            f"value of -{item.keyword} contains {match.group()!r}, which an ADEXP reader would take for a new field"
        )


def _field_starts(
    fields: Sequence[AdexpField], context: frozenset[str], starts: list[tuple[str, str, frozenset[str]]]
) -> None:
    """Append (keyword written, field keyword, context) for each start of field, in text order."""
    for item in fields:
        if item.is_list:
            starts.append(("BEGIN", item.keyword, context))
            _field_starts(item.children, context | LIST_ELEMENTS.get(item.keyword, frozenset()), starts)
            starts.append(("END", item.keyword, context))
        else:
            starts.append((item.keyword, item.keyword, context))
            _field_starts(
                item.children, context | STRUCTURED_SUBFIELDS.get(item.keyword, frozenset()), starts
            )


def _check_free_text_ends(fields: Sequence[AdexpField]) -> None:
    """Raise ValueError when the field after a free-text value would not end that value."""
    starts: list[tuple[str, str, frozenset[str]]] = []
    _field_starts(fields, _TOP_LEVEL_KEYWORDS, starts)
    for (written, keyword, context), (next_written, _, _) in itertools.pairwise(starts):
        if keyword in FREE_TEXT_KEYWORDS and written == keyword and next_written not in context:
            raise ValueError(
                f"-{next_written} after the free text of -{keyword} would be read as part of that text"
            )


def _open_chain(
    item: AdexpField, elements: frozenset[str] | None
) -> list[tuple[AdexpField, frozenset[str] | None]]:
    """Return the structured fields left open after writing ``item``: it and its last descendants."""
    chain = [(item, elements)]
    current = item
    while current.children and _opens_frame(current.children[-1]):
        current = current.children[-1]
        chain.append((current, None))
    return chain


def _inline(item: AdexpField) -> str:
    if item.is_list:
        inner = " ".join(_inline(child) for child in item.children)
        if not inner:
            return f"-BEGIN {item.keyword} -END {item.keyword}"
        return f"-BEGIN {item.keyword} {inner} -END {item.keyword}"
    if item.children:
        return f"-{item.keyword} " + " ".join(_inline(child) for child in item.children)
    return f"-{item.keyword}" if item.value is None else f"-{item.keyword} {item.value}"


def _lines(item: AdexpField, indent: str) -> list[str]:
    if not item.is_list:
        return [indent + _inline(item)]
    lines = [f"{indent}-BEGIN {item.keyword}"]
    for child in item.children:
        lines.extend(_lines(child, indent + "  "))
    lines.append(f"{indent}-END {item.keyword}")
    return lines


def emit_adexp(message: AdexpMessage, wrap: int | None = None) -> str:
    """Write a message: one field per line, one list element per line, inside ZCZC/NNNN if asked.

    Parameters
    ----------
    message
        The message.
    wrap
        Maximum line length; longer lines are broken at spaces and continued with an indent.
        ``None`` writes every field on one line.

    Returns
    -------
    str
        The text. ``parse_adexp`` of it equals ``message`` apart from offsets, for values whose
        whitespace is already collapsed (the builders collapse it).

    Raises
    ------
    ValueError
        When the parser would read the text back differently: a value that contains a start of
        field or a character outside printable ASCII, or fields that would be taken as subfields
        of a structured field before them. Also for any value, free text included, with a hyphen
        and a letter at the start of a word (``-RMK A -EGLL0200``), which other ADEXP readers
        take for a new field.
    """
    _check_fields(message.fields, None, None, _TOP_LEVEL_KEYWORDS)
    _check_free_text_ends(message.fields)
    lines: list[str] = []
    for item in message.fields:
        lines.extend(_lines(item, ""))
    if wrap is not None:
        wrapped: list[str] = []
        for line in lines:
            indent = line[: len(line) - len(line.lstrip())]
            wrapped.extend(
                textwrap.wrap(
                    line,
                    width=wrap,
                    subsequent_indent=indent + "  ",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
                or [line]
            )
        lines = wrapped

    text = "\n".join(lines)
    if message.envelope:
        return emit_envelope(AftnEnvelope(), text)
    if strip_end_of_message(text)[1]:
        raise ValueError("the last value ends with NNNN, which would be read as the end of an AFTN envelope")
    return text


def _check_fields(
    fields: Sequence[AdexpField],
    parent: AdexpField | None,
    parent_elements: frozenset[str] | None,
    context: frozenset[str],
) -> None:
    """Raise ValueError when the parser would not read ``fields`` back under ``parent``.

    The parser attaches a field to the innermost open structured field that accepts it, so each
    field is checked against the structured fields that the field before it leaves open.
    ``parent_elements`` is set when ``parent`` is an element of a known list. ``context`` is the
    set of keywords that end a free-text value at this level.
    """
    list_elements = LIST_ELEMENTS.get(parent.keyword) if parent is not None and parent.is_list else None
    open_frames: list[tuple[AdexpField, frozenset[str] | None]] = []
    for item in fields:
        _check_keyword(item.keyword)
        _check_value(item, context)
        for frame, elements in reversed(open_frames):
            if item.is_list:
                break  # -BEGIN closes every open structured field
            subfields = STRUCTURED_SUBFIELDS[frame.keyword]
            if item.keyword in subfields or (elements is not None and item.keyword not in elements):
                raise ValueError(
                    f"-{item.keyword} after -{frame.keyword} would be read as a subfield of -{frame.keyword}"
                )

        if parent is not None and not parent.is_list:
            if item.is_list:
                raise ValueError(f"list {item.keyword} inside -{parent.keyword}: a list cannot be a subfield")
            accepted = item.keyword in STRUCTURED_SUBFIELDS.get(parent.keyword, frozenset()) or (
                parent_elements is not None and item.keyword not in parent_elements
            )
            if not accepted:
                raise ValueError(f"-{item.keyword} would not be read as a subfield of -{parent.keyword}")
        if item.children and not item.is_list and item.keyword not in STRUCTURED_SUBFIELDS:
            raise ValueError(f"-{item.keyword} has subfields but is not in STRUCTURED_SUBFIELDS")
        if item.children and item.value is not None:
            raise ValueError(f"-{item.keyword} has both a value and subfields")

        elements_here = list_elements if list_elements is not None and item.keyword in list_elements else None
        if item.is_list:
            child_context = context | LIST_ELEMENTS.get(item.keyword, frozenset())
        else:
            child_context = context | STRUCTURED_SUBFIELDS.get(item.keyword, frozenset())
        _check_fields(item.children, item, elements_here, child_context)
        open_frames = _open_chain(item, elements_here) if _opens_frame(item) else []
