"""Readers for X-Plane style navigation data (fixes, navaids, airways) and BlueSky airport lists.

Every reader adds rows to a :class:`~fpp.navdata.store.NavData` store. Files are read as latin-1
because the X-Plane copyright header contains bytes that are not UTF-8, and with universal
newlines, so LF and CRLF files read the same.

Two airway layouts are accepted, distinguished by the first data row:

segment style (X-Plane 640, as in the ``bluesky-navdata`` package)
    ``FROM lat lon TO lat lon type base top NAMES``. ``NAMES`` is every character after the
    ninth column; it joins several airway names with ``-``, and a name may contain a space
    (``M871-MT E-MT W-N4``). Pieces are rebuilt from the undirected segments of each name.
one point per line
    ``AIRWAY SEQ NAME lat lon``. A new piece starts where the airway name changes, where the
    sequence number does not increase, or where consecutive points are more than
    :data:`AIRWAY_JUMP_KM` apart.

Airway points are bound to stored points by designator and coordinates, never by designator
alone: two NDBs ``BM`` in one region stay apart and the airway uses the one at its own
coordinates.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from fpp.errors import NavDataError
from fpp.navdata.store import NavData, PointKind

__all__ = [
    "AIRWAY_BIND_NM",
    "AIRWAY_JUMP_KM",
    "chain_segments",
    "load_airports_csv",
    "load_awy",
    "load_directory",
    "load_fix",
    "load_nav",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

#: Consecutive points of one airway in the one-point-per-line layout that are farther apart than
#: this belong to different pieces [km]. That layout lists same-named airways of distant regions
#: under one name: 1,815 airways of the 2023 reference file jump farther than this.
#: NOTE: real remote legs come close to the limit (the same file has many of 1,400 to 1,500 km),
#: and a longer real leg is cut. N833A, whose only leg is 1,505 km long, loads no piece.
AIRWAY_JUMP_KM = 1500.0

#: An airway row binds to the nearest stored point of the same designator within this distance.
#: Beyond it, the airway point is added as a new fix [NM]. Airway and fix files of one cycle
#: disagree by more than 1 NM for some points: 169 airway points of the 2013.10 data lie 1 to
#: 5 NM from their fix, and a tighter limit would add near-duplicate designators. Because the
#: nearest candidate wins, an NDB and a VOR of one ident 2 NM apart still bind correctly.
AIRWAY_BIND_NM = 5.0

_EARTH_RADIUS_KM = 6371.0  # mean Earth radius [km]

#: X-Plane 810 navaid row types that are significant points, with their kind. Types 4 to 9 (ILS,
#: localiser, glide slope, marker beacons) and later X-Plane approach types are skipped.
_NAV_KINDS: dict[int, PointKind] = {2: PointKind.NDB, 3: PointKind.VOR, 12: PointKind.DME, 13: PointKind.DME}

#: Minimum columns of a navaid row: type, lat, lon, elevation, frequency, range, variation, ident.
_NAV_MIN_COLUMNS = 8

#: Columns before the airway names in a segment-style airway row.
_SEGMENT_COLUMNS = 9

#: Columns of a one-point-per-line airway row.
_SEQUENCE_COLUMNS = 5

_FILE_NAMES: dict[str, tuple[str, ...]] = {
    "nav": ("earth_nav.dat", "nav.dat"),
    "fix": ("earth_fix.dat", "fix.dat"),
    "awy": ("earth_awy.dat", "awy.dat"),
}


# Line handling -------------------------------------------------------------------------------


def _data_lines(path: PathLike) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for each data row of an X-Plane style file.

    Blank lines are skipped. Before the first data row, the origin marker (``I`` or ``A``) and
    the version line (``600 Version - ...``) are skipped too. A line ``99`` ends the data.
    """
    in_header = True
    with open(path, encoding="latin-1") as stream:
        for line_number, line in enumerate(stream, start=1):
            text = line.strip()
            if not text:
                continue
            if text == "99":
                return
            if in_header:
                if text in ("I", "A"):
                    continue
                words = text.split(maxsplit=2)
                if len(words) >= 2 and words[1] == "Version":
                    continue
                in_header = False
            yield line_number, text


def _parse_lat_lon(lat_text: str, lon_text: str) -> tuple[float, float]:
    """Parse decimal degrees, raising ``ValueError`` for text that is not a valid position."""
    try:
        lat_deg = float(lat_text)
        lon_deg = float(lon_text)
    except ValueError:
        raise ValueError(f"invalid coordinates {lat_text!r} {lon_text!r}: expected decimal degrees") from None
    if not -90.0 <= lat_deg <= 90.0:
        raise ValueError(f"latitude {lat_text} is outside -90..90")
    if not -180.0 <= lon_deg <= 180.0:
        raise ValueError(f"longitude {lon_text} is outside -180..180")
    return lat_deg, lon_deg


class _RowErrors:
    """Raise or count invalid rows of one file, depending on ``strict``."""

    def __init__(self, path: PathLike, strict: bool) -> None:
        self.path = str(path)
        self.strict = strict
        self.count = 0

    def reject(self, line_number: int, message: str) -> None:
        if self.strict:
            raise NavDataError(message, self.path, line_number)
        self.count += 1
        logger.debug("%s:%d: skipped: %s", self.path, line_number, message)

    def finish(self) -> int:
        if self.count:
            logger.warning("%s: skipped %d invalid rows", self.path, self.count)
        return self.count


# Fixes, navaids and airports -----------------------------------------------------------------


def load_fix(nav: NavData, path: PathLike, *, strict: bool = True) -> int:
    """Add the fixes of an X-Plane ``fix.dat`` file (rows ``lat lon NAME``) to ``nav``.

    Parameters
    ----------
    nav
        The store to fill.
    path
        The file. Columns after the name (region codes of later X-Plane versions) are ignored.
    strict
        Raise on an invalid row when true; otherwise skip and count it.

    Returns
    -------
    int
        The number of invalid rows skipped (always 0 when ``strict``).

    Raises
    ------
    NavDataError
        With the path and line number of the first invalid row, when ``strict``.
    """
    errors = _RowErrors(path, strict)
    add_point = nav.add_point

    for line_number, text in _data_lines(path):
        fields = text.split()
        if len(fields) < 3:
            errors.reject(line_number, f"invalid fix row {text!r}: expected 'lat lon NAME'")
            continue
        try:
            lat_deg, lon_deg = _parse_lat_lon(fields[0], fields[1])
        except ValueError as exc:
            errors.reject(line_number, f"invalid fix row: {exc}")
            continue
        add_point(fields[2], lat_deg, lon_deg, PointKind.FIX)

    return errors.finish()


def _navaid_kind(row_type: int, label: str) -> PointKind:
    kind = _NAV_KINDS[row_type]
    if kind == PointKind.DME and label.upper().endswith("TACAN"):
        return PointKind.TACAN
    return kind


def load_nav(nav: NavData, path: PathLike, *, strict: bool = True) -> int:
    """Add the NDBs, VORs and DMEs of an X-Plane 810 ``nav.dat`` file to ``nav``.

    Rows are ``type lat lon elevation frequency range variation IDENT NAME...``. Types 2 (NDB),
    3 (VOR, VOR-DME, VORTAC), 12 (DME of a VOR) and 13 (stand-alone DME or TACAN) are loaded.
    A type-13 row whose name ends in ``TACAN`` becomes a :attr:`PointKind.TACAN`. A DME at the
    place of its VOR merges into the VOR by :meth:`NavData.add_point`. Landing aids are
    skipped: types 4 to 9 (ILS, localisers, glide slopes, markers) and DMEs whose name ends in
    ``DME-ILS``, because they are not en-route points and their idents repeat navaid idents.

    Parameters
    ----------
    nav
        The store to fill.
    path
        The file.
    strict
        Raise on an invalid row when true; otherwise skip and count it.

    Returns
    -------
    int
        The number of invalid rows skipped (always 0 when ``strict``).

    Raises
    ------
    NavDataError
        With the path and line number of the first invalid row, when ``strict``.
    """
    errors = _RowErrors(path, strict)
    add_point = nav.add_point

    for line_number, text in _data_lines(path):
        head = text.split(maxsplit=1)[0]
        try:
            row_type = int(head)
        except ValueError:
            errors.reject(line_number, f"invalid navaid row {text!r}: the first column must be the row type")
            continue
        if row_type not in _NAV_KINDS:
            continue

        fields = text.split(maxsplit=_NAV_MIN_COLUMNS)
        if len(fields) < _NAV_MIN_COLUMNS:
            errors.reject(
                line_number,
                f"invalid navaid row {text!r}: expected "
                "'type lat lon elevation frequency range variation IDENT NAME'",
            )
            continue
        try:
            lat_deg, lon_deg = _parse_lat_lon(fields[1], fields[2])
        except ValueError as exc:
            errors.reject(line_number, f"invalid navaid row: {exc}")
            continue

        label = fields[8] if len(fields) > _NAV_MIN_COLUMNS else ""
        if label.upper().endswith("DME-ILS"):
            continue
        add_point(fields[7], lat_deg, lon_deg, _navaid_kind(row_type, label), label)

    return errors.finish()


def load_airports_csv(nav: NavData, path: PathLike, *, strict: bool = True) -> int:
    """Add the aerodromes of a BlueSky ``airports.dat`` file to ``nav``.

    Rows are ``code,name,lat,lon,class,maxrunway,country,elevation``; lines starting with ``#``
    are comments. A name that contains commas is kept whole: the last six columns are taken
    from the end of the row.

    Parameters
    ----------
    nav
        The store to fill.
    path
        The file.
    strict
        Raise on an invalid row when true; otherwise skip and count it.

    Returns
    -------
    int
        The number of invalid rows skipped (always 0 when ``strict``).

    Raises
    ------
    NavDataError
        With the path and line number of the first invalid row, when ``strict``.
    """
    errors = _RowErrors(path, strict)

    with open(path, encoding="latin-1") as stream:
        for line_number, line in enumerate(stream, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            raw_fields = text.split(",")
            fields = [field.strip() for field in raw_fields]
            if len(fields) < 8 or not fields[0]:
                expected = "'code,name,lat,lon,class,maxrunway,country,elevation'"
                errors.reject(line_number, f"invalid airport row {text!r}: expected {expected}")
                continue
            code = fields[0]
            name = ",".join(raw_fields[1:-6]).strip()
            try:
                lat_deg, lon_deg = _parse_lat_lon(fields[-6], fields[-5])
            except ValueError as exc:
                errors.reject(line_number, f"invalid airport row: {exc}")
                continue
            nav.add_point(code, lat_deg, lon_deg, PointKind.AIRPORT, name)

    return errors.finish()


# Airways -------------------------------------------------------------------------------------


def _distance_km(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    lat1, lat2 = math.radians(lat1_deg), math.radians(lat2_deg)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = math.radians(lon2_deg - lon1_deg) / 2
    a = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlon) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class _PointBinder:
    """Bind airway points to stored points by designator and position, adding missing ones."""

    def __init__(self, nav: NavData) -> None:
        self.nav = nav
        self.bound: dict[tuple[str, float, float], int] = {}
        self.added = 0

    def bind(self, designator: str, lat_deg: float, lon_deg: float) -> int:
        key = (designator, lat_deg, lon_deg)
        index = self.bound.get(key)
        if index is None:
            index = self.nav.find_point(designator, lat_deg, lon_deg, within_nm=AIRWAY_BIND_NM)
            if index is None:
                size_before = len(self.nav)
                index = self.nav.add_point(designator, lat_deg, lon_deg, PointKind.FIX)
                self.added += len(self.nav) - size_before
            self.bound[key] = index
        return index


def load_awy(nav: NavData, path: PathLike, *, strict: bool = True) -> int:
    """Add the airways of an X-Plane airway file, in either layout, to ``nav``.

    The layout is detected from the first data row: ten or more columns is segment style, five
    columns is one point per line (see the module documentation). Each airway point is bound
    to the stored point with the same designator within :data:`AIRWAY_BIND_NM` of the row's
    coordinates, or added as a :attr:`PointKind.FIX` when there is none. Load fixes and navaids
    first.

    Parameters
    ----------
    nav
        The store to fill.
    path
        The file.
    strict
        Raise on an invalid row when true; otherwise skip and count it.

    Returns
    -------
    int
        The number of invalid rows skipped (always 0 when ``strict``).

    Raises
    ------
    NavDataError
        When the layout is not recognised, or with the path and line number of the first
        invalid row when ``strict``.
    """
    lines = _data_lines(path)
    first = next(lines, None)
    if first is None:
        return 0
    columns = len(first[1].split())

    if columns >= _SEGMENT_COLUMNS + 1:
        return _load_segment_airways(nav, path, _chain(first, lines), strict)
    if columns == _SEQUENCE_COLUMNS:
        return _load_sequence_airways(nav, path, _chain(first, lines), strict)
    raise NavDataError(
        f"unrecognised airway row {first[1]!r}: expected 'FROM lat lon TO lat lon type base top NAMES' "
        "or 'AIRWAY SEQ NAME lat lon'",
        str(path),
        first[0],
    )


def _chain(first: tuple[int, str], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest


def _airway_names(text: str) -> list[str]:
    """Split the names column of a segment row on ``-``; a name keeps an inner space."""
    names = []
    for part in text.split("-"):
        name = " ".join(part.split())
        if name:
            names.append(name)
    return names


def _load_segment_airways(
    nav: NavData, path: PathLike, lines: Iterable[tuple[int, str]], strict: bool
) -> int:
    errors = _RowErrors(path, strict)
    binder = _PointBinder(nav)
    # Airway name -> undirected segments as (lower index, higher index), in file order.
    segments: dict[str, dict[tuple[int, int], None]] = {}

    for line_number, text in lines:
        fields = text.split(maxsplit=_SEGMENT_COLUMNS)
        names = _airway_names(fields[_SEGMENT_COLUMNS]) if len(fields) > _SEGMENT_COLUMNS else []
        if not names:
            expected = "'FROM lat lon TO lat lon type base top NAMES'"
            errors.reject(line_number, f"invalid airway segment {text!r}: expected {expected}")
            continue
        try:
            from_lat, from_lon = _parse_lat_lon(fields[1], fields[2])
            to_lat, to_lon = _parse_lat_lon(fields[4], fields[5])
        except ValueError as exc:
            errors.reject(line_number, f"invalid airway segment: {exc}")
            continue

        a = binder.bind(fields[0], from_lat, from_lon)
        b = binder.bind(fields[3], to_lat, to_lon)
        if a == b:
            continue
        segment = (a, b) if a < b else (b, a)
        for name in names:
            segments.setdefault(name, {})[segment] = None

    for name, named_segments in segments.items():
        for piece in chain_segments(named_segments):
            nav.add_airway(name, piece)

    if binder.added:
        logger.debug("%s: added %d airway points missing from the fix and navaid data", path, binder.added)
    return errors.finish()


def chain_segments(segments: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Order the undirected segments of one airway into pieces.

    Each connected component becomes one piece, ordered as a path from one end. A component
    that branches (a point with three or more segments) is split at its branch points into
    maximal simple paths, so each branch point ends several pieces. A closed loop becomes one
    piece that starts and ends at the same point.

    Parameters
    ----------
    segments
        Pairs of point indices; duplicates and either direction are allowed.

    Returns
    -------
    list of list of int
        Point indices of each piece. A path starts at its end with the lower point index.
        Segment data carries no direction, so the order of a piece means nothing on its own.

    Examples
    --------
    >>> chain_segments([(2, 3), (1, 2)])
    [[1, 2, 3]]
    >>> chain_segments([(0, 1), (1, 2), (1, 3)])
    [[0, 1], [1, 2], [1, 3]]
    """
    neighbours: dict[int, list[int]] = {}
    for a, b in dict.fromkeys((min(a, b), max(a, b)) for a, b in segments if a != b):
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)

    used: set[tuple[int, int]] = set()
    pieces: list[list[int]] = []

    def walk(start: int, first_step: int) -> list[int]:
        # Follow points with exactly two segments until an end, a branch point or the start.
        piece = [start, first_step]
        used.add((min(start, first_step), max(start, first_step)))
        previous, current = start, first_step
        while current != start and len(neighbours[current]) == 2:
            a, b = neighbours[current]
            following = b if a == previous else a
            segment = (min(current, following), max(current, following))
            if segment in used:
                break
            used.add(segment)
            piece.append(following)
            previous, current = current, following
        return piece

    ends = sorted(point for point, linked in neighbours.items() if len(linked) != 2)
    for start in ends:
        for step in sorted(neighbours[start]):
            if (min(start, step), max(start, step)) not in used:
                pieces.append(walk(start, step))

    # What is left are closed loops in which every point has exactly two segments.
    for start in sorted(neighbours):
        for step in sorted(neighbours[start]):
            if (min(start, step), max(start, step)) not in used:
                pieces.append(walk(start, step))

    return pieces


def _load_sequence_airways(
    nav: NavData, path: PathLike, lines: Iterable[tuple[int, str]], strict: bool
) -> int:
    errors = _RowErrors(path, strict)
    binder = _PointBinder(nav)
    dropped_single = 0

    piece: list[int] = []
    piece_name = ""
    last_sequence = 0
    last_lat_deg = last_lon_deg = 0.0

    def flush() -> None:
        nonlocal dropped_single
        if len(piece) >= 2:
            nav.add_airway(piece_name, piece)
        elif piece:
            dropped_single += 1
        piece.clear()

    for line_number, text in lines:
        fields = text.split()
        if len(fields) != _SEQUENCE_COLUMNS:
            errors.reject(line_number, f"invalid airway row {text!r}: expected 'AIRWAY SEQ NAME lat lon'")
            continue
        name, sequence_text, designator = fields[0], fields[1], fields[2]
        try:
            sequence = int(sequence_text)
        except ValueError:
            message = f"invalid airway row {text!r}: sequence number {sequence_text!r} is not an integer"
            errors.reject(line_number, message)
            continue
        try:
            lat_deg, lon_deg = _parse_lat_lon(fields[3], fields[4])
        except ValueError as exc:
            errors.reject(line_number, f"invalid airway row: {exc}")
            continue

        new_piece = (
            name != piece_name
            or sequence <= last_sequence
            or _distance_km(last_lat_deg, last_lon_deg, lat_deg, lon_deg) > AIRWAY_JUMP_KM
        )
        if new_piece:
            flush()
            piece_name = name

        index = binder.bind(designator, lat_deg, lon_deg)
        if not piece or piece[-1] != index:
            piece.append(index)
        last_sequence = sequence
        last_lat_deg, last_lon_deg = lat_deg, lon_deg

    flush()

    if dropped_single:
        logger.debug("%s: dropped %d airway pieces of a single point", path, dropped_single)
    if binder.added:
        logger.debug("%s: added %d airway points missing from the fix and navaid data", path, binder.added)
    return errors.finish()


# Directories ---------------------------------------------------------------------------------


def _find_file(directory: Path, kind: str) -> Path | None:
    for name in _FILE_NAMES[kind]:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def load_directory(path: PathLike, *, strict: bool = True) -> NavData:
    """Load the fixes, navaids, airways and, when present, aerodromes of one data folder.

    Both naming schemes are accepted: ``earth_nav.dat``, ``earth_fix.dat``, ``earth_awy.dat``
    (used when both are present) or ``nav.dat``, ``fix.dat``, ``awy.dat``. ``airports.dat`` in
    BlueSky CSV form is optional. Navaids load first, so a fix row at a navaid's place merges
    into the navaid, and airways last, so their points bind to loaded points.

    Parameters
    ----------
    path
        The folder.
    strict
        Raise on an invalid row when true; otherwise skip, count and log invalid rows.

    Returns
    -------
    NavData
        The store, with ``source`` set to the folder.

    Raises
    ------
    NavDataError
        When the folder or one of the three required files is missing, or a file is invalid.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise NavDataError("navigation data folder not found", str(directory))

    files: dict[str, Path] = {}
    for kind in ("nav", "fix", "awy"):
        found = _find_file(directory, kind)
        if found is None:
            expected = " or ".join(_FILE_NAMES[kind])
            raise NavDataError(f"missing {expected} in the navigation data folder", str(directory))
        files[kind] = found

    nav = NavData(source=str(directory))
    load_nav(nav, files["nav"], strict=strict)
    load_fix(nav, files["fix"], strict=strict)
    airports = directory / "airports.dat"
    if airports.is_file():
        load_airports_csv(nav, airports, strict=strict)
    load_awy(nav, files["awy"], strict=strict)
    return nav
