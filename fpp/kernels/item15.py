"""Item 15 tokenizer kernel: the route elements of a collapsed Item 15 text.

:func:`tokenize_item15` reads the text that :func:`~fpp.kernels.adexp.scan_adexp` left in
``Scratch.route`` (upper case, tokens separated by single spaces) and fills the ``element_*``
arrays with what :func:`fpp.formats.item15.parse_item15` would give: the initial speed/level
group, then per element its kind, token span, designator and its id in the navigation data,
lat/long, bearing and distance, and change group.

It handles the elements of filed routes: ``DCT``, designators (with or without a change
group), lat/long points in the three ICAO lengths, bearing/distance points, ``VFR`` and ``IFR``,
and a final ``T``. OAT/GAT, IFPSTOP/IFPSTART, STAY, cruise climbs, lower case and every syntax
error give
:data:`~fpp.kernels.scratch.FALLBACK`, and the reference parser reads the route.

Its twin is :func:`tokenize_item15_python`, built on :func:`fpp.formats.item15.parse_item15`.
"""

from __future__ import annotations

import numpy as np

from fpp.formats.item15 import KMH_PER_KT, KT_PER_MACH, MAX_ELEMENTS, MAX_SPEED_KT, ElementKind, parse_item15
from fpp.kernels._jit import kernel
from fpp.kernels.scratch import FALLBACK, Scratch
from fpp.kernels.strings import PackedTable, find
from fpp.kernels.strings import all_digits as _all_digits
from fpp.kernels.strings import read_digits as _digits
from fpp.kernels.strings import is_digit as _is_digit
from fpp.kernels.strings import is_upper as _is_upper

__all__ = [
    "COUNT_ELEMENTS",
    "COUNT_SPEED",
    "ELEMENT_BEARING_DISTANCE",
    "ELEMENT_DCT",
    "ELEMENT_DESIGNATOR",
    "ELEMENT_LATLON",
    "ELEMENT_RULE",
    "ELEMENT_TRUNCATION",
    "parse_latlon_span",
    "parse_speed_level_span",
    "speed_kt",
    "tokenize_item15",
    "tokenize_item15_python",
    "tokenized_to_python",
]

ELEMENT_DCT = 1
ELEMENT_DESIGNATOR = 2
ELEMENT_LATLON = 3
ELEMENT_BEARING_DISTANCE = 4
ELEMENT_TRUNCATION = 5
ELEMENT_RULE = 6

#: Index into ``Scratch.counts`` of the number of elements.
COUNT_ELEMENTS = 3
#: First of four entries of ``Scratch.counts`` holding the initial speed/level group.
COUNT_SPEED = 4

# Speed units 1 N, 2 K, 3 M; level units 1 F, 2 A, 3 S, 4 M, 5 VFR (no value).
_SPEED_UNITS = ("", "N", "K", "M")
_LEVEL_UNITS = ("", "F", "A", "S", "M", "VFR")
_KINDS = {
    ELEMENT_DCT: ElementKind.DCT,
    ELEMENT_DESIGNATOR: ElementKind.DESIGNATOR,
    ELEMENT_LATLON: ElementKind.LATLON,
    ELEMENT_BEARING_DISTANCE: ElementKind.BEARING_DISTANCE,
    ELEMENT_TRUNCATION: ElementKind.TRUNCATION,
    ELEMENT_RULE: ElementKind.RULE,
}


@kernel
def _alnum(buffer: np.ndarray, start: int, end: int) -> bool:
    for k in range(start, end):
        if not (_is_upper(buffer[k]) or _is_digit(buffer[k])):
            return False
    return True


@kernel
def speed_kt(unit: int, value: int) -> float:
    """True airspeed [kt] of a speed group, as :attr:`fpp.formats.item15.SpeedLevel.speed_kt`."""
    if unit == 1:
        return float(value)
    if unit == 2:
        return value / KMH_PER_KT
    return value / 100.0 * KT_PER_MACH


@kernel
def parse_speed_level_span(buffer: np.ndarray, start: int, end: int) -> tuple[bool, int, int, int, int]:
    """Parse a speed/level group; ``(valid, speed unit, speed value, level unit, level value)``.

    Valid means what :func:`fpp.formats.item15.parse_speed_level` accepts without error: a
    zero speed, a speed above :data:`~fpp.formats.item15.MAX_SPEED_KT` and a zero level are
    invalid. The level value of VFR is -1.
    """
    if end - start < 1:
        return False, 0, 0, 0, 0
    first = buffer[start]
    if (first == 78 or first == 75) and end - start >= 5 and _all_digits(buffer, start + 1, start + 5):
        speed_unit = 1 if first == 78 else 2
        speed_value = _digits(buffer, start + 1, 4)
        position = start + 5
    elif first == 77 and end - start >= 4 and _all_digits(buffer, start + 1, start + 4):
        speed_unit = 3
        speed_value = _digits(buffer, start + 1, 3)
        position = start + 4
    else:
        return False, 0, 0, 0, 0
    rest = end - position
    if rest < 3:
        return False, 0, 0, 0, 0
    unit = buffer[position]
    if (unit == 70 or unit == 65) and rest == 4 and _all_digits(buffer, position + 1, end):
        level_unit = 1 if unit == 70 else 2
        level_value = _digits(buffer, position + 1, 3)
    elif (unit == 83 or unit == 77) and rest == 5 and _all_digits(buffer, position + 1, end):
        level_unit = 3 if unit == 83 else 4
        level_value = _digits(buffer, position + 1, 4)
    elif rest == 3 and unit == 86 and buffer[position + 1] == 70 and buffer[position + 2] == 82:
        level_unit = 5
        level_value = -1
    else:
        return False, 0, 0, 0, 0
    if speed_value == 0 or speed_kt(speed_unit, speed_value) > MAX_SPEED_KT or level_value == 0:
        return False, 0, 0, 0, 0
    return True, speed_unit, speed_value, level_unit, level_value


@kernel
def _to_degrees(buffer: np.ndarray, start: int, degree_digits: int, parts: int, limit_deg: int) -> tuple[bool, float]:
    degrees = _digits(buffer, start, degree_digits)
    minutes = _digits(buffer, start + degree_digits, 2) if parts >= 2 else 0
    seconds = _digits(buffer, start + degree_digits + 2, 2) if parts >= 3 else 0
    if minutes >= 60 or seconds >= 60:
        return False, 0.0
    value = degrees + minutes / 60.0 + seconds / 3600.0
    if value > limit_deg:
        return False, 0.0
    return True, value


@kernel
def parse_latlon_span(buffer: np.ndarray, start: int, end: int) -> tuple[bool, float, float]:
    """Parse an Item 15 lat/long of 7, 11 or 15 characters, as :func:`fpp.formats.latlon.parse_latlon`."""
    length = end - start
    if length == 7:
        parts = 1
    elif length == 11:
        parts = 2
    elif length == 15:
        parts = 3
    else:
        return False, 0.0, 0.0
    lat_digits = 2 * parts
    ns = buffer[start + lat_digits]
    ew = buffer[end - 1]
    if not _all_digits(buffer, start, start + lat_digits) or not _all_digits(buffer, start + lat_digits + 1, end - 1):
        return False, 0.0, 0.0
    if (ns != 78 and ns != 83) or (ew != 69 and ew != 87):
        return False, 0.0, 0.0
    valid_lat, lat = _to_degrees(buffer, start, 2, parts, 90)
    valid_lon, lon = _to_degrees(buffer, start + lat_digits + 1, 3, parts, 180)
    if not (valid_lat and valid_lon):
        return False, 0.0, 0.0
    if ns == 83:
        lat = -lat
    if ew == 87:
        lon = -lon
    if abs(lat) == 90.0 or lon == 0.0:
        lon = 0.0
    elif lon == -180.0:
        lon = 180.0
    if lat == 0.0:
        lat = 0.0
    return True, lat, lon


@kernel
def _point_part(buffer: np.ndarray, start: int, end: int, sc: Scratch, i: int) -> bool:
    """Classify the point of a change group (or a bare digit-first token) into element ``i``."""
    length = end - start
    if 2 <= length <= 5 and _is_upper(buffer[start]) and _alnum(buffer, start + 1, end):
        sc.element_kind[i] = 2
        sc.element_name_start[i] = start
        sc.element_name_end[i] = end
        return True
    if _is_digit(buffer[start]):
        if length == 7 or length == 11 or length == 15:
            valid, lat, lon = parse_latlon_span(buffer, start, end)
            if not valid:
                return False
            sc.element_kind[i] = 3
            sc.element_lat_deg[i] = lat
            sc.element_lon_deg[i] = lon
            return True
        # Lat/long and a bearing and distance of three digits each.
        base = length - 6
        if base == 7 or base == 11 or base == 15:
            valid, lat, lon = parse_latlon_span(buffer, start, start + base)
            if not valid or not _all_digits(buffer, start + base, end):
                return False
            bearing = _digits(buffer, start + base, 3)
            if bearing > 360:
                return False
            sc.element_kind[i] = 4
            sc.element_lat_deg[i] = lat
            sc.element_lon_deg[i] = lon
            sc.element_bearing_deg[i] = bearing
            sc.element_distance_nm[i] = _digits(buffer, start + base + 3, 3)
            return True
        return False
    # A designator of 2 to 5 characters and a bearing and distance.
    base = length - 6
    if 2 <= base <= 5 and _is_upper(buffer[start]) and _alnum(buffer, start + 1, start + base) and _all_digits(buffer, start + base, end):
        bearing = _digits(buffer, start + base, 3)
        if bearing > 360:
            return False
        sc.element_kind[i] = 4
        sc.element_name_start[i] = start
        sc.element_name_end[i] = start + base
        sc.element_bearing_deg[i] = bearing
        sc.element_distance_nm[i] = _digits(buffer, start + base + 3, 3)
        return True
    return False


@kernel
def _procedure_shape(buffer: np.ndarray, start: int, end: int) -> bool:
    """Test whether the text is 2 to 5 letters, one digit and an optional letter (a SID or STAR)."""
    letters = 0
    k = start
    while k < end and _is_upper(buffer[k]):
        letters += 1
        k += 1
    if letters < 2 or k >= end or not _is_digit(buffer[k]):
        return False
    if letters > 5:
        return False
    k += 1
    if k == end:
        return True
    return k + 1 == end and _is_upper(buffer[k])


def _codes(word: str) -> tuple[int, ...]:
    return tuple(word.encode("ascii"))


_DCT_WORD = _codes("DCT")
_T_WORD = _codes("T")
_STAY_WORD = _codes("STAY")
_RULE_WORDS = (_codes("VFR"), _codes("IFR"), _codes("OAT"), _codes("GAT"), _codes("C"))
_IFPSTOP_WORD = _codes("IFPSTOP")
_IFPSTART_WORD = _codes("IFPSTART")


@kernel
def _is_word(buffer: np.ndarray, start: int, end: int, word: tuple[int, ...]) -> bool:
    if end - start != len(word):
        return False
    for k in range(len(word)):
        if buffer[start + k] != word[k]:
            return False
    return True


@kernel
def tokenize_item15(route: np.ndarray, length: int, names: PackedTable, sc: Scratch) -> int:
    """Split ``route[:length]`` into elements; return 0 or :data:`~fpp.kernels.scratch.FALLBACK`."""
    for k in range(length):
        c = route[k]
        if not (_is_upper(c) or _is_digit(c) or c == 47 or c == 32):
            return FALLBACK
    if length == 0:
        return FALLBACK

    first_end = 0
    while first_end < length and route[first_end] != 32:
        first_end += 1
    valid, speed_unit, speed_value, level_unit, level_value = parse_speed_level_span(route, 0, first_end)
    if not valid:
        return FALLBACK
    sc.counts[COUNT_SPEED] = speed_unit
    sc.counts[COUNT_SPEED + 1] = speed_value
    sc.counts[COUNT_SPEED + 2] = level_unit
    sc.counts[COUNT_SPEED + 3] = level_value

    count = 0
    position = first_end + 1
    previous_kind = 0
    previous_rule = 0
    while position < length:
        start = position
        while position < length and route[position] != 32:
            position += 1
        end = position
        position += 1
        if count >= MAX_ELEMENTS or count >= len(sc.element_kind):
            return FALLBACK
        if previous_kind == ELEMENT_TRUNCATION:
            return FALLBACK
        i = count
        sc.element_start[i] = start
        sc.element_end[i] = end
        sc.element_name_start[i] = -1
        sc.element_name_end[i] = -1
        sc.element_name_id[i] = -1
        sc.element_change[i, 0] = 0
        sc.element_procedure[i] = False

        slash = -1
        for k in range(start, end):
            if route[k] == 47:
                slash = k
                break
        if _is_word(route, start, end, _DCT_WORD):
            if previous_kind == ELEMENT_DCT:
                return FALLBACK
            sc.element_kind[i] = ELEMENT_DCT
        elif _is_word(route, start, end, _T_WORD):
            sc.element_kind[i] = ELEMENT_TRUNCATION
        elif _is_word(route, start, end, _RULE_WORDS[0]) or _is_word(route, start, end, _RULE_WORDS[1]):
            # VFR or IFR: a change of flight rules after a point, not repeating the rule just before.
            rule = route[start]
            if previous_kind == 0 or previous_kind == ELEMENT_DCT or previous_kind == ELEMENT_TRUNCATION:
                return FALLBACK
            if previous_kind == ELEMENT_RULE and previous_rule == rule:
                return FALLBACK
            sc.element_kind[i] = ELEMENT_RULE
            previous_rule = rule
        elif (_is_word(route, start, end, _RULE_WORDS[2]) or _is_word(route, start, end, _RULE_WORDS[3])
              or _is_word(route, start, end, _RULE_WORDS[4]) or _is_word(route, start, end, _IFPSTOP_WORD)
              or _is_word(route, start, end, _IFPSTART_WORD)):
            return FALLBACK
        elif slash >= 0:
            if end - start >= 2 and route[start] == 67 and route[start + 1] == 47:
                return FALLBACK
            if end - start >= 5 and _is_word(route, start, start + 4, _STAY_WORD) and _is_digit(route[start + 4]):
                return FALLBACK
            if slash == start or not _point_part(route, start, slash, sc, i):
                return FALLBACK
            valid, su, sv, lu, lv = parse_speed_level_span(route, slash + 1, end)
            if not valid:
                return FALLBACK
            sc.element_change[i, 0] = su
            sc.element_change[i, 1] = sv
            sc.element_change[i, 2] = lu
            sc.element_change[i, 3] = lv
        elif _is_digit(route[start]):
            if not _point_part(route, start, end, sc, i):
                return FALLBACK
        elif 2 <= end - start <= 7 and _is_upper(route[start]) and _alnum(route, start + 1, end):
            letter = route[start]
            if end - start == 5 and (letter == 78 or letter == 83 or letter == 69 or letter == 87 or letter == 72) and _all_digits(route, start + 1, end):
                return FALLBACK  # ARINC 424 letter-first code
            if end - start == 5 and _is_word(route, start, start + 4, _STAY_WORD) and _is_digit(route[start + 4]):
                return FALLBACK
            sc.element_kind[i] = ELEMENT_DESIGNATOR
            sc.element_name_start[i] = start
            sc.element_name_end[i] = end
            sc.element_procedure[i] = _procedure_shape(route, start, end)
        elif end - start >= 8 and _is_upper(route[start]):
            if not _point_part(route, start, end, sc, i) or sc.element_kind[i] != ELEMENT_BEARING_DISTANCE:
                return FALLBACK
        else:
            return FALLBACK
        if sc.element_name_start[i] >= 0:
            sc.element_name_id[i] = find(names, route, sc.element_name_start[i], sc.element_name_end[i])
        previous_kind = sc.element_kind[i]
        count += 1
    sc.counts[COUNT_ELEMENTS] = count
    return 0


def tokenize_item15_python(text: str) -> tuple[tuple[str, int, str, int | None], list[tuple]]:
    """Tokenize with :func:`fpp.formats.item15.parse_item15`: the twin of :func:`tokenize_item15`.

    Returns the initial group as ``(speed unit, speed value, level unit, level value)`` and one
    tuple per element: kind, offset, text, designator, lat, lon, bearing, distance, change (as
    the same 4-tuple or ``None``), and whether it has the shape of a procedure.

    Raises
    ------
    FormatError
        Where :func:`parse_item15` raises.
    """
    item15 = parse_item15(text)
    group = item15.speed_level
    initial = (group.speed_unit, group.speed_value, group.level_unit, group.level_value)
    elements = []
    for element in item15.elements:
        change = None
        if element.change is not None:
            change = (element.change.speed_unit, element.change.speed_value, element.change.level_unit, element.change.level_value)
        elements.append((element.kind, element.offset, element.text, element.designator, element.lat_deg, element.lon_deg,
                         element.bearing_deg, element.distance_nm, change, element.could_be_procedure))
    return initial, elements


def tokenized_to_python(sc: Scratch) -> tuple[tuple[str, int, str, int | None], list[tuple]]:
    """Convert what :func:`tokenize_item15` left in ``sc`` to the form of :func:`tokenize_item15_python`."""
    route = bytes(sc.route)

    def group(unit: int, value: int, level_unit: int, level_value: int) -> tuple[str, int, str, int | None]:
        return (_SPEED_UNITS[unit], value, _LEVEL_UNITS[level_unit], None if level_unit == 5 else level_value)

    counts = sc.counts
    initial = group(*(int(v) for v in counts[COUNT_SPEED : COUNT_SPEED + 4]))
    elements = []
    for i in range(int(counts[COUNT_ELEMENTS])):
        kind = int(sc.element_kind[i])
        start, end = int(sc.element_start[i]), int(sc.element_end[i])
        name_start = int(sc.element_name_start[i])
        designator = route[name_start : int(sc.element_name_end[i])].decode("ascii") if name_start >= 0 else None
        located = kind == ELEMENT_LATLON or (kind == ELEMENT_BEARING_DISTANCE and designator is None)
        lat = float(sc.element_lat_deg[i]) if located else None
        lon = float(sc.element_lon_deg[i]) if located else None
        bearing = int(sc.element_bearing_deg[i]) if kind == ELEMENT_BEARING_DISTANCE else None
        distance = int(sc.element_distance_nm[i]) if kind == ELEMENT_BEARING_DISTANCE else None
        change = None
        if sc.element_change[i, 0] != 0:
            change = group(*(int(v) for v in sc.element_change[i]))
        elements.append((_KINDS[kind], start, route[start:end].decode("ascii"), designator, lat, lon, bearing, distance,
                         change, bool(sc.element_procedure[i])))
    return initial, elements
