"""ADEXP tokenizer kernels: split a stream into messages and read what the conversion needs.

:func:`split_messages` finds the messages of a stream the way :func:`fpp.cli.split_messages`
does: a message starts at a ``ZCZC``, ``(`` or ``-TITLE`` line and ends at a line with only
``NNNN`` or where the next one starts.

:func:`scan_adexp` reads one message into a :class:`~fpp.kernels.scratch.Scratch`: the header
values of the NAS record, the ROUTE text with its whitespace runs collapsed as
:func:`fpp.formats.adexp.parse_adexp` collapses them, the RTEPTS points (kind, designator,
level, time) and the ``-GEO`` points. It follows the parser's rules for which field a keyword
belongs to and checks the values the parser checks (ETO, LATTD, LONGTD, FL, PTID). It handles
the message shapes that IFPS and :func:`fpp.route.ifpl.build_ifpl` write: top-level fields,
``-GEO`` and ``-REF`` fields and one RTEPTS list of ``-PT``, ``-AD`` and ``-VEC`` elements with
basic subfields, with or without a final ``NNNN``. For anything else (an AFTN heading, another
list, nested structured fields,
free text inside a structured field, characters outside printable ASCII) and for every syntax
error it returns :data:`~fpp.kernels.scratch.FALLBACK`; the reference parser then reads the
message and reports the error.

The twin of :func:`scan_adexp` is :func:`scan_adexp_python`, which fills the same arrays from
:func:`fpp.formats.adexp.parse_adexp`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from fpp.formats.adexp import (
    FREE_TEXT_KEYWORDS,
    LIST_ELEMENTS,
    PRIMARY_KEYWORDS,
    STRUCTURED_SUBFIELDS,
    parse_adexp,
)
from fpp.kernels._jit import kernel
from fpp.kernels.scratch import FALLBACK, HEADER_FIELDS, Scratch
from fpp.kernels.strings import PackedTable, build_packed_table, find, pack
from fpp.kernels.strings import all_digits as _all_digits
from fpp.kernels.strings import read_digits as _digits
from fpp.kernels.strings import is_digit as _is_digit
from fpp.kernels.strings import is_upper as _is_upper

__all__ = [
    "COUNT_GEO",
    "COUNT_POINTS",
    "COUNT_REFS",
    "COUNT_ROUTE",
    "KeywordTables",
    "build_keyword_tables",
    "scan_adexp",
    "scan_adexp_python",
    "scan_messages",
    "scanned_to_python",
    "split_messages",
]

#: Indices into ``Scratch.counts``.
COUNT_POINTS = 0
COUNT_GEO = 1
COUNT_ROUTE = 2
COUNT_REFS = 10

_FLAG_TOP_LEVEL = 1
_FLAG_STRUCTURED = 2
_FLAG_FREE_TEXT = 4
_FLAG_GEO = 8
_FLAG_REF = 16
_FLAG_POINT_ELEMENT = 32

# Positions in KeywordTables.ids of the keywords the scanner tests by identity.
_BEGIN, _END, _RTEPTS, _PT, _AD, _VEC, _GEO, _REF = 0, 1, 2, 3, 4, 5, 6, 7
_GEOID, _LATTD, _LONGTD, _PTID, _ADID, _FL, _ETO = 8, 9, 10, 11, 12, 13, 14
_REFID, _BRNG, _DISTNC = 15, 16, 17
_HEADER = 18  # the HEADER_FIELDS follow in order
_SPECIAL = ("BEGIN", "END", "RTEPTS", "PT", "AD", "VEC", "GEO", "REF", "GEOID", "LATTD", "LONGTD", "PTID", "ADID", "FL", "ETO",
            "REFID", "BRNG", "DISTNC")

_NNNN = np.frombuffer(b"NNNN", dtype=np.uint8)
_UNIX_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class KeywordTables(NamedTuple):
    """ADEXP keywords known to the scanner.

    Attributes
    ----------
    table
        Hash table of the keywords.
    flags
        Bit flags per keyword: top level (ends a top-level free text), structured, free text,
        subfield of ``-GEO``, subfield of ``-REF``, element of RTEPTS.
    ids
        Keyword index of each keyword the scanner tests by identity, in ``_SPECIAL`` order
        followed by :data:`~fpp.kernels.scratch.HEADER_FIELDS`.
    frequent_keys, frequent_ids
        Packed keys (:func:`~fpp.kernels.strings.pack`) and indices of the keywords of RTEPTS
        points, which make most fields of a message; the scanner compares these before it
        looks up the table.
    """

    table: PackedTable
    flags: np.ndarray
    ids: np.ndarray
    frequent_keys: np.ndarray
    frequent_ids: np.ndarray


@lru_cache(maxsize=1)
def build_keyword_tables() -> KeywordTables:
    """Build the keyword tables from the keyword sets of :mod:`fpp.formats.adexp`."""
    names: set[str] = set(PRIMARY_KEYWORDS) | {"BEGIN", "END"} | set(FREE_TEXT_KEYWORDS) | set(_SPECIAL) | set(HEADER_FIELDS)
    for keyword, subfields in STRUCTURED_SUBFIELDS.items():
        names.add(keyword)
        names.update(subfields)
    for elements in LIST_ELEMENTS.values():
        names.update(elements)
    ordered = sorted(names)
    flags = np.zeros(len(ordered), dtype=np.int64)
    for index, name in enumerate(ordered):
        if name in PRIMARY_KEYWORDS or name in ("BEGIN", "END"):
            flags[index] |= _FLAG_TOP_LEVEL
        if name in STRUCTURED_SUBFIELDS:
            flags[index] |= _FLAG_STRUCTURED
        if name in FREE_TEXT_KEYWORDS:
            flags[index] |= _FLAG_FREE_TEXT
        if name in STRUCTURED_SUBFIELDS["GEO"]:
            flags[index] |= _FLAG_GEO
        if name in STRUCTURED_SUBFIELDS["REF"]:
            flags[index] |= _FLAG_REF
        if name in LIST_ELEMENTS["RTEPTS"]:
            flags[index] |= _FLAG_POINT_ELEMENT
    ids = np.array([ordered.index(name) for name in (*_SPECIAL, *HEADER_FIELDS)], dtype=np.int64)
    frequent = ("PT", "PTID", "FL", "ETO")
    keys = np.array([pack(np.frombuffer(name.encode("ascii"), dtype=np.uint8), 0, len(name)) for name in frequent], dtype=np.int64)
    return KeywordTables(build_packed_table(ordered), flags, ids, keys, np.array([ordered.index(name) for name in frequent], dtype=np.int64))


# -- stream splitting ---------------------------------------------------------------------------


@kernel
def _is_space(c: int) -> bool:
    return c == 32 or c == 9 or c == 10 or c == 13


@kernel
def _starts_with(buffer: np.ndarray, start: int, end: int, word: tuple[int, ...]) -> bool:
    if end - start < len(word):
        return False
    for k in range(len(word)):
        if buffer[start + k] != word[k]:
            return False
    return True


_ZCZC = tuple(b"ZCZC")
_TITLE = tuple(b"-TITLE")


@kernel
def split_messages(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> int:
    """Find the messages of a stream; write their byte spans and return how many there are.

    The rules are those of :func:`fpp.cli.split_messages`: a message starts at a line that
    begins (after blanks) with ``ZCZC``, ``(`` or ``-TITLE`` once the lines before it hold
    message text, and ends at a line with only ``NNNN``. Empty lines at either end of a message
    are not part of it. Lines end with LF, CR LF or CR. Returns the number of messages; the
    spans of the first ``len(starts)`` are written, so a call with empty arrays counts them.

    Returns -1 as soon as a byte is not printable ASCII, a tab, CR or LF. Python's
    ``str.splitlines`` ends lines at more characters than LF and CR, so the caller splits such a
    stream as text instead.
    """
    n = len(buffer)
    count = 0
    first_line = -1  # start of the first non-empty line of the open message
    last_line = -1  # end of its last non-empty line
    nonblank = False  # a line with more than whitespace
    body = False  # a line with "(" or one that starts with "-"
    position = 0
    while position < n:
        line_start = position
        paren = False  # whether the line contains "("
        while position < n:
            c = buffer[position]
            if c == 10 or c == 13:
                break
            if c > 126 or (c < 32 and c != 9):
                return -1
            if c == 40:
                paren = True
            position += 1
        line_end = position
        if position < n and buffer[position] == 13 and position + 1 < n and buffer[position + 1] == 10:
            position += 2
        else:
            position += 1
        first = line_start
        while first < line_end and _is_space(buffer[first]):
            first += 1
        last = line_end
        while last > first and _is_space(buffer[last - 1]):
            last -= 1
        opens = (_starts_with(buffer, first, line_end, _ZCZC) or (first < line_end and buffer[first] == 40)
                 or _starts_with(buffer, first, line_end, _TITLE))
        if opens and body:
            if nonblank:
                if count < len(starts):
                    starts[count] = first_line
                    ends[count] = last_line
                count += 1
            first_line = last_line = -1
            nonblank = body = False
        if line_end > line_start:
            if first_line < 0:
                first_line = line_start
            last_line = line_end
        if last > first:
            nonblank = True
        if paren or (first < line_end and buffer[first] == 45):
            body = True
        if last - first == 4 and buffer[first] == 78 and buffer[first + 1] == 78 and buffer[first + 2] == 78 and buffer[first + 3] == 78:
            if nonblank:
                if count < len(starts):
                    starts[count] = first_line
                    ends[count] = last_line
                count += 1
            first_line = last_line = -1
            nonblank = body = False
    if nonblank:
        if count < len(starts):
            starts[count] = first_line
            ends[count] = last_line
        count += 1
    return count


# -- values -------------------------------------------------------------------------------------


@kernel
def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    y = year - 1 if month <= 2 else year
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    mp = month - 3 if month > 2 else month + 9
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@kernel
def _month_days(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    if month == 4 or month == 6 or month == 9 or month == 11:
        return 30
    return 31


@kernel
def parse_eto_s(buffer: np.ndarray, start: int, end: int) -> tuple[bool, int]:
    """Parse an ETO (YYMMDDHHMMSS or YYYYMMDDHHMMSS) into seconds since 1970 UTC.

    Returns ``(valid, seconds)``; invalid is what :func:`fpp.formats.adexp.parse_eto` rejects.
    """
    length = end - start
    if (length != 12 and length != 14) or not _all_digits(buffer, start, end):
        return False, 0
    if length == 12:
        year = 2000 + _digits(buffer, start, 2)
        rest = start + 2
    else:
        year = _digits(buffer, start, 4)
        rest = start + 4
    month = _digits(buffer, rest, 2)
    day = _digits(buffer, rest + 2, 2)
    hour = _digits(buffer, rest + 4, 2)
    minute = _digits(buffer, rest + 6, 2)
    second = _digits(buffer, rest + 8, 2)
    if year < 1 or month < 1 or month > 12 or day < 1 or day > _month_days(year, month):
        return False, 0
    if hour > 23 or minute > 59 or second > 59:
        return False, 0
    return True, _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second


@kernel
def _sexagesimal(buffer: np.ndarray, start: int, degree_digits: int, limit_deg: int) -> tuple[bool, float]:
    degrees = _digits(buffer, start, degree_digits)
    minutes = _digits(buffer, start + degree_digits, 2)
    seconds = _digits(buffer, start + degree_digits + 2, 2)
    if minutes >= 60 or seconds >= 60:
        return False, 0.0
    value = degrees + minutes / 60.0 + seconds / 3600.0
    if value > limit_deg:
        return False, 0.0
    return True, value


@kernel
def parse_adexp_latitude(buffer: np.ndarray, start: int, end: int) -> tuple[bool, float]:
    """Parse ``-LATTD`` (DDMMSS and N or S) as :func:`fpp.formats.latlon.parse_adexp_lat`."""
    if end - start != 7 or not _all_digits(buffer, start, start + 6):
        return False, 0.0
    hemisphere = buffer[start + 6]
    if hemisphere != 78 and hemisphere != 83:
        return False, 0.0
    valid, value = _sexagesimal(buffer, start, 2, 90)
    if hemisphere == 83:
        value = -value
    return valid, value + 0.0


@kernel
def parse_adexp_longitude(buffer: np.ndarray, start: int, end: int) -> tuple[bool, float]:
    """Parse ``-LONGTD`` (DDDMMSS and E or W) as :func:`fpp.formats.latlon.parse_adexp_lon`."""
    if end - start != 8 or not _all_digits(buffer, start, start + 7):
        return False, 0.0
    hemisphere = buffer[start + 7]
    if hemisphere != 69 and hemisphere != 87:
        return False, 0.0
    valid, value = _sexagesimal(buffer, start, 3, 180)
    if hemisphere == 87:
        value = -value
    if value == 0.0:
        value = 0.0
    elif value == -180.0:
        value = 180.0
    return valid, value


@kernel
def _valid_level(buffer: np.ndarray, start: int, end: int) -> bool:
    length = end - start
    if length < 1:
        return False
    first = buffer[start]
    if first == 70 or first == 65:  # F, A
        return length == 4 and _all_digits(buffer, start + 1, end)
    if first == 83 or first == 77:  # S, M
        return length == 5 and _all_digits(buffer, start + 1, end)
    return False


@kernel
def _valid_point_id(buffer: np.ndarray, start: int, end: int) -> bool:
    length = end - start
    if 1 <= length <= 5:
        plain = True
        for k in range(start, end):
            if not (_is_upper(buffer[k]) or _is_digit(buffer[k])):
                plain = False
        if plain:
            return True
    if (length == 5 or length == 6) and buffer[start] == 71 and buffer[start + 1] == 69 and buffer[start + 2] == 79:
        if _all_digits(buffer, start + 3, end):
            return True
    if 2 <= length <= 7 and buffer[start] == 42:
        for k in range(start + 1, end):
            if not (_is_upper(buffer[k]) or _is_digit(buffer[k])):
                return False
        return True
    return False


@kernel
def _has_space(buffer: np.ndarray, start: int, end: int) -> bool:
    for k in range(start, end):
        if _is_space(buffer[k]):
            return True
    return False


# -- message scan -------------------------------------------------------------------------------


@kernel
def _keyword(kw: KeywordTables, buffer: np.ndarray, start: int, end: int) -> int:
    """Index of the keyword ``buffer[start:end]``, or -1; the frequent keywords are tried first."""
    if end - start <= 7:
        key = pack(buffer, start, end)
        for k in range(len(kw.frequent_keys)):
            if kw.frequent_keys[k] == key:
                return kw.frequent_ids[k]
    return find(kw.table, buffer, start, end)


@kernel
def _close_geo(sc: Scratch, id_start: int, id_end: int, lat: float, lon: float, complete: bool) -> None:
    if complete:
        g = sc.counts[COUNT_GEO]
        sc.geo_id_start[g] = id_start
        sc.geo_id_end[g] = id_end
        sc.geo_lat_deg[g] = lat
        sc.geo_lon_deg[g] = lon
        sc.counts[COUNT_GEO] = g + 1


@kernel
def _digits_value(buffer: np.ndarray, start: int, end: int) -> float:
    """Value of a non-empty run of ASCII digits as a float, or -1.0 when it is something else."""
    if end <= start:
        return -1.0
    value = 0.0
    for k in range(start, end):
        if not _is_digit(buffer[k]):
            return -1.0
        value = value * 10.0 + (int(buffer[k]) - 48)
    return value


@kernel
def _close_ref(buffer: np.ndarray, sc: Scratch, id_start: int, id_end: int, base_start: int, base_end: int,
               bearing: float, distance: float) -> None:
    """Keep a ``-REF`` definition that ``HardenedConverter._ref_places`` would use.

    It needs a REFID, a reference point and a bearing and a distance of digits only. A reference
    that starts with a digit must be a lat/long of 7, 11 or 15 characters, which a valid PTID of
    at most 5 characters never is, so such a definition is left out.
    """
    if id_start < 0 or id_end == id_start or base_start < 0 or base_end == base_start or bearing < 0 or distance < 0:
        return
    if _is_digit(buffer[base_start]):
        return
    r = sc.counts[COUNT_REFS]
    sc.ref_id_start[r] = id_start
    sc.ref_id_end[r] = id_end
    sc.ref_base_start[r] = base_start
    sc.ref_base_end[r] = base_end
    sc.ref_bearing_deg[r] = bearing
    sc.ref_distance_nm[r] = distance
    sc.counts[COUNT_REFS] = r + 1


@kernel
def scan_adexp(buffer: np.ndarray, start: int, end: int, kw: KeywordTables, sc: Scratch) -> int:
    """Read one ADEXP message ``buffer[start:end]`` into ``sc``.

    Spans in ``sc`` (header values, point designators and levels, GEO ids) are absolute offsets
    into ``buffer``; the ROUTE value is copied, collapsed, into ``sc.route``. Returns 0, or
    :data:`~fpp.kernels.scratch.FALLBACK` for a message the kernel leaves to the parser.
    """
    ids = kw.ids
    last = end
    while last > start and _is_space(buffer[last - 1]):
        last -= 1
    if last == start:
        return FALLBACK
    if last - start >= 4 and buffer[last - 4] == 78 and buffer[last - 3] == 78 and buffer[last - 2] == 78 and buffer[last - 1] == 78:
        if last - 4 == start or _is_space(buffer[last - 5]):
            end = last - 4  # the AFTN end of message is no part of the last value

    # Field starts: "-" at the start or after whitespace, an upper-case keyword, then whitespace or the end.
    # The same pass checks that every byte is printable ASCII, a tab or a line break: the loop
    # skips only keyword letters and digits, and what follows the new end is "NNNN" and white space.
    fields = 0
    position = start
    while position < end:
        c = buffer[position]
        if not (32 <= c <= 126 or c == 9 or c == 10 or c == 13):
            return FALLBACK
        if c == 45 and (position == start or _is_space(buffer[position - 1])):
            if position + 1 < end and _is_upper(buffer[position + 1]):
                stop = position + 2
                while stop < end and (_is_upper(buffer[stop]) or _is_digit(buffer[stop])):
                    stop += 1
                if stop == end or _is_space(buffer[stop]):
                    if fields >= len(sc.field_position):
                        return FALLBACK
                    sc.field_position[fields] = position
                    sc.field_keyword_end[fields] = stop
                    sc.field_keyword[fields] = _keyword(kw, buffer, position + 1, stop)
                    fields += 1
                    position = stop
                    continue
        position += 1
    if fields == 0:
        return FALLBACK
    for k in range(start, sc.field_position[0]):
        if not _is_space(buffer[k]):
            return FALLBACK

    for h in range(9):
        sc.header_start[h] = -1
        sc.header_end[h] = -1
    sc.counts[COUNT_POINTS] = 0
    sc.counts[COUNT_GEO] = 0
    sc.counts[COUNT_ROUTE] = 0
    points = 0
    routes = 0  # top-level ROUTE fields with a value
    route_lists = 0  # top-level fields named RTEPTS, lists included
    in_list = False
    list_done = False
    element_open = False
    frame = 0  # 0 none, 1 GEO, 2 REF: a structured field open at the top level
    geo_id_start = geo_id_end = -1
    geo_lat = geo_lon = geo_value = 0.0
    geo_has_id = geo_has_lat = geo_has_lon = False
    ref_id_start = ref_id_end = ref_base_start = ref_base_end = -1
    ref_bearing = ref_distance = -1.0
    ref_has_id = ref_has_base = ref_has_bearing = ref_has_distance = False
    sc.counts[COUNT_REFS] = 0

    index = 0
    while index < fields:
        keyword = sc.field_keyword[index]
        flags = kw.flags[keyword] if keyword >= 0 else 0
        is_begin = keyword == ids[_BEGIN]
        is_end = keyword == ids[_END]
        following = index + 1

        if not is_begin and not is_end:
            if element_open and (flags & _FLAG_POINT_ELEMENT) != 0:
                element_open = False
                points += 1
            if frame == 1 and (flags & _FLAG_GEO) == 0:
                _close_geo(sc, geo_id_start, geo_id_end, geo_lat, geo_lon, geo_id_start >= 0 and geo_has_lat and geo_has_lon)
                frame = 0
            elif frame == 2 and (flags & _FLAG_REF) == 0:
                _close_ref(buffer, sc, ref_id_start, ref_id_end, ref_base_start, ref_base_end, ref_bearing, ref_distance)
                frame = 0
        if (flags & _FLAG_FREE_TEXT) != 0:
            if element_open or frame != 0 or in_list:
                return FALLBACK
            while following < fields:
                next_keyword = sc.field_keyword[following]
                if next_keyword >= 0 and (kw.flags[next_keyword] & _FLAG_TOP_LEVEL) != 0:
                    break
                following += 1

        value_start = sc.field_keyword_end[index]
        value_end = sc.field_position[following] if following < fields else end
        while value_start < value_end and _is_space(buffer[value_start]):
            value_start += 1
        while value_end > value_start and _is_space(buffer[value_end - 1]):
            value_end -= 1
        has_value = value_end > value_start

        if is_begin:
            if not has_value or in_list or list_done or find(kw.table, buffer, value_start, value_end) != ids[_RTEPTS]:
                return FALLBACK
            if frame == 1:
                _close_geo(sc, geo_id_start, geo_id_end, geo_lat, geo_lon, geo_id_start >= 0 and geo_has_lat and geo_has_lon)
            elif frame == 2:
                _close_ref(buffer, sc, ref_id_start, ref_id_end, ref_base_start, ref_base_end, ref_bearing, ref_distance)
            frame = 0
            in_list = True
            route_lists += 1
        elif is_end:
            if not in_list or not has_value or find(kw.table, buffer, value_start, value_end) != ids[_RTEPTS]:
                return FALLBACK
            if element_open:
                element_open = False
                points += 1
            in_list = False
            list_done = True
        else:
            # Values the parser validates wherever they stand.
            eto_s = 0
            geo_value = 0.0
            if keyword == ids[_ETO]:
                valid, eto_s = parse_eto_s(buffer, value_start, value_end)
                if not valid:
                    return FALLBACK
            elif keyword == ids[_LATTD]:
                valid, geo_value = parse_adexp_latitude(buffer, value_start, value_end)
                if not valid:
                    return FALLBACK
            elif keyword == ids[_LONGTD]:
                valid, geo_value = parse_adexp_longitude(buffer, value_start, value_end)
                if not valid:
                    return FALLBACK
            elif keyword == ids[_FL]:
                if not _valid_level(buffer, value_start, value_end):
                    return FALLBACK
            elif keyword == ids[_PTID]:
                if not _valid_point_id(buffer, value_start, value_end):
                    return FALLBACK
            opens_frame = (flags & _FLAG_STRUCTURED) != 0 and not has_value

            if element_open:
                if opens_frame:
                    return FALLBACK
                kind = sc.point_kind[points]
                if (keyword == ids[_ADID] and kind == 1) or (keyword == ids[_PTID] and kind != 1):
                    if keyword == ids[_ADID] and _has_space(buffer, value_start, value_end):
                        return FALLBACK
                    sc.point_ident_start[points] = value_start
                    sc.point_ident_end[points] = value_end
                elif keyword == ids[_FL]:
                    sc.point_fl_start[points] = value_start
                    sc.point_fl_end[points] = value_end
                elif keyword == ids[_ETO]:
                    sc.point_eto_s[points] = eto_s
                    sc.point_has_eto[points] = True
            elif in_list:
                if not opens_frame or (flags & _FLAG_POINT_ELEMENT) == 0:
                    return FALLBACK
                if points >= len(sc.point_kind):
                    return FALLBACK
                element_open = True
                if keyword == ids[_PT]:
                    sc.point_kind[points] = 0
                elif keyword == ids[_AD]:
                    sc.point_kind[points] = 1
                else:
                    sc.point_kind[points] = 2
                sc.point_ident_start[points] = -1
                sc.point_ident_end[points] = -1
                sc.point_fl_start[points] = -1
                sc.point_fl_end[points] = -1
                sc.point_has_eto[points] = False
            elif frame != 0:
                if opens_frame:
                    return FALLBACK
                if frame == 1:
                    if keyword == ids[_GEOID] and not geo_has_id:
                        # A GEOID without a value leaves the point out, as geo_points() does.
                        geo_has_id = True
                        if has_value:
                            if _has_space(buffer, value_start, value_end):
                                return FALLBACK
                            geo_id_start, geo_id_end = value_start, value_end
                    elif keyword == ids[_LATTD] and not geo_has_lat:
                        geo_lat, geo_has_lat = geo_value, True
                    elif keyword == ids[_LONGTD] and not geo_has_lon:
                        geo_lon, geo_has_lon = geo_value, True
                else:
                    # The first REFID, PTID, BRNG and DISTNC of the field count, as AdexpField.get gives them.
                    if keyword == ids[_REFID] and not ref_has_id:
                        ref_has_id = True
                        ref_id_start, ref_id_end = value_start, value_end
                        if _has_space(buffer, value_start, value_end):
                            return FALLBACK
                    elif keyword == ids[_PTID] and not ref_has_base:
                        ref_has_base = True
                        ref_base_start, ref_base_end = value_start, value_end
                    elif keyword == ids[_BRNG] and not ref_has_bearing:
                        ref_has_bearing = True
                        ref_bearing = _digits_value(buffer, value_start, value_end)
                    elif keyword == ids[_DISTNC] and not ref_has_distance:
                        ref_has_distance = True
                        ref_distance = _digits_value(buffer, value_start, value_end)
            else:
                if opens_frame:
                    if keyword == ids[_GEO]:
                        frame = 1
                        if sc.counts[COUNT_GEO] >= len(sc.geo_id_start):
                            return FALLBACK
                        geo_id_start = geo_id_end = -1
                        geo_has_id = geo_has_lat = geo_has_lon = False
                    elif keyword == ids[_REF]:
                        frame = 2
                        if sc.counts[COUNT_REFS] >= len(sc.ref_id_start):
                            return FALLBACK
                        ref_id_start = ref_id_end = ref_base_start = ref_base_end = -1
                        ref_bearing = ref_distance = -1.0
                        ref_has_id = ref_has_base = ref_has_bearing = ref_has_distance = False
                    else:
                        return FALLBACK
                else:
                    if keyword == ids[_HEADER + 8] and has_value:
                        routes += 1
                    if keyword == ids[_RTEPTS]:
                        route_lists += 1
                    for h in range(9):
                        if keyword == ids[_HEADER + h] and sc.header_start[h] == -1:
                            sc.header_start[h] = value_start
                            sc.header_end[h] = value_end
        index = following

    if in_list or routes > 1 or route_lists > 1:
        return FALLBACK  # the converter rejects a repeated ROUTE or RTEPTS (SYN113)
    if frame == 1:
        _close_geo(sc, geo_id_start, geo_id_end, geo_lat, geo_lon, geo_id_start >= 0 and geo_has_lat and geo_has_lon)
    elif frame == 2:
        _close_ref(buffer, sc, ref_id_start, ref_id_end, ref_base_start, ref_base_end, ref_bearing, ref_distance)
    sc.counts[COUNT_POINTS] = points

    # ROUTE, collapsed: runs of whitespace become one space.
    length = 0
    if sc.header_start[8] >= 0:
        pending_space = False
        for k in range(sc.header_start[8], sc.header_end[8]):
            c = buffer[k]
            if _is_space(c):
                pending_space = True
                continue
            if pending_space and length > 0:
                sc.route[length] = 32
                length += 1
            pending_space = False
            sc.route[length] = c
            length += 1
    sc.counts[COUNT_ROUTE] = length
    return 0


# -- twin ---------------------------------------------------------------------------------------


def scan_adexp_python(text: str) -> dict[str, object]:
    """Read a message with :func:`parse_adexp`: the twin of :func:`scan_adexp`.

    Returns a mapping with ``header`` (value or ``None`` per :data:`HEADER_FIELDS`, whitespace
    collapsed), ``route``, ``points`` (kind, designator, level, ETO in seconds since 1970 or
    ``None``) and ``geo`` (``GEOID`` to ``(lat_deg, lon_deg)``), in the form
    :func:`scanned_to_python` gives for the kernel.

    Raises
    ------
    FormatError
        Where :func:`parse_adexp` raises.
    """
    message = parse_adexp(text)
    points = []
    for point in message.rtepts():
        eto = None if point.eto is None else int((point.eto - _UNIX_EPOCH).total_seconds())
        points.append((point.kind, point.ident or "", point.fl, eto))
    return {
        "header": tuple(message.get(name) for name in HEADER_FIELDS),
        "route": message.route or "",
        "points": points,
        "geo": message.geo_points(),
    }


def scanned_to_python(buffer: np.ndarray, sc: Scratch) -> dict[str, object]:
    """Convert what :func:`scan_adexp` left in ``sc`` to the form of :func:`scan_adexp_python`."""
    data = bytes(buffer)

    def text(start: int, end: int) -> str | None:
        if start < 0:
            return None
        value = " ".join(data[start:end].decode("ascii").split())
        return value or None

    kinds = ("PT", "AD", "VEC")
    points = []
    for k in range(int(sc.counts[COUNT_POINTS])):
        ident = text(int(sc.point_ident_start[k]), int(sc.point_ident_end[k])) or ""
        level = text(int(sc.point_fl_start[k]), int(sc.point_fl_end[k]))
        eto = int(sc.point_eto_s[k]) if sc.point_has_eto[k] else None
        points.append((kinds[int(sc.point_kind[k])], ident, level, eto))
    geo: dict[str, tuple[float, float]] = {}
    for g in range(int(sc.counts[COUNT_GEO])):
        geo[text(int(sc.geo_id_start[g]), int(sc.geo_id_end[g])) or ""] = (float(sc.geo_lat_deg[g]), float(sc.geo_lon_deg[g]))
    return {
        "header": tuple(text(int(sc.header_start[h]), int(sc.header_end[h])) for h in range(9)),
        "route": bytes(sc.route[: int(sc.counts[COUNT_ROUTE])]).decode("ascii"),
        "points": points,
        "geo": geo,
    }


@kernel
def scan_messages(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray, kw: KeywordTables, sc: Scratch,
                  status: np.ndarray, header: np.ndarray) -> int:
    """Scan every message; write its status and its header value spans (absolute, shape (n, 9, 2)).

    Returns the number of messages the kernel read (status 0).
    """
    read = 0
    for i in range(len(starts)):
        status[i] = scan_adexp(buffer, starts[i], ends[i], kw, sc)
        if status[i] != 0:
            continue
        read += 1
        for h in range(9):
            header[i, h, 0] = sc.header_start[h]
            header[i, h, 1] = sc.header_end[h]
    return read
