"""Readers for FIR and UIR boundaries: BlueSky FIR text files, GeoJSON and BlueSky ``POLYALT`` scenarios.

Every reader turns its polygons into :class:`~fpp.navdata.store.Airspace` objects and adds them
to a :class:`~fpp.navdata.store.NavData` store. Rings are normalised so that the stored result
does not depend on how the source wrote them:

- consecutive duplicate vertices and a closing vertex equal to the first are dropped;
- each ring runs counter-clockwise, seen from above with longitude east and latitude north.
  A ring that winds around a pole runs east in the northern hemisphere, west in the southern;
- each ring starts at its vertex with the smallest ``(lat_deg, lon_deg)``.

So a ring written in reverse order, or from another start vertex, gives identical arrays.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from fpp.errors import NavDataError
from fpp.navdata.store import Airspace, NavData

__all__ = [
    "FEET_PER_METRE",
    "UNLIMITED_FL",
    "load_bluesky_fir",
    "load_bluesky_fir_dir",
    "load_geojson",
    "load_polyalt_scn",
    "normalise_ring",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

#: Upper limit that means "no upper limit", as a flight level.
UNLIMITED_FL = 999

FEET_PER_METRE = 1.0 / 0.3048  # international foot [ft/m]

#: Vertices closer than this in both coordinates are the same vertex [deg] (about 1 cm).
_SAME_VERTEX_DEG = 1e-7

#: Coordinate of a BlueSky FIR file: hemisphere letter, then degrees.minutes.seconds.milliseconds.
_DMS = re.compile(r"^([NSEW])(\d{1,3})\.(\d{1,2})\.(\d{1,2})(?:\.(\d+))?$")

#: Optional ``HH:MM:SS.ss>`` time stamp in front of a scenario command.
_SCN_TIME = re.compile(r"^\s*\d+:\d{2}:\d{2}(?:\.\d+)?\s*>")


# Rings ---------------------------------------------------------------------------------------


def _wrap_deg(delta_deg: np.ndarray) -> np.ndarray:
    """Wrap longitude differences into [-180, 180)."""
    return (delta_deg + 180.0) % 360.0 - 180.0


def normalise_ring(lat_deg: Sequence[float], lon_deg: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Return a ring without duplicate vertices, counter-clockwise, from its smallest vertex.

    Parameters
    ----------
    lat_deg, lon_deg
        Vertices [deg], with or without a closing vertex equal to the first.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lat_deg, lon_deg)`` as float64 arrays, in the order described in the module
        documentation.

    Raises
    ------
    ValueError
        When fewer than three distinct vertices remain.

    Examples
    --------
    >>> lat, lon = normalise_ring([50, 55, 55, 50, 50], [0, 0, 10, 10, 0])
    >>> lat.tolist(), lon.tolist()
    ([50.0, 50.0, 55.0, 55.0], [0.0, 10.0, 10.0, 0.0])
    """
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    if lat.shape != lon.shape or lat.ndim != 1:
        raise ValueError("latitudes and longitudes must be 1-D sequences of the same length")

    # Drop consecutive duplicates, then closing vertices equal to the first.
    if len(lat):
        keep = np.ones(len(lat), dtype=bool)
        lat_moves = np.abs(np.diff(lat)) > _SAME_VERTEX_DEG
        lon_moves = np.abs(_wrap_deg(np.diff(lon))) > _SAME_VERTEX_DEG
        keep[1:] = lat_moves | lon_moves
        lat, lon = lat[keep], lon[keep]
    while len(lat) > 1 and _same_vertex(lat[-1], lon[-1], lat[0], lon[0]):
        lat, lon = lat[:-1], lon[:-1]
    if len(lat) < 3:
        raise ValueError(f"a ring needs at least three distinct vertices, found {len(lat)}")

    if not _is_counter_clockwise(lat, lon):
        lat, lon = lat[::-1], lon[::-1]

    start = int(np.lexsort((lon, lat))[0])
    return np.roll(lat, -start).copy(), np.roll(lon, -start).copy()


def _same_vertex(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> bool:
    same_lat = abs(lat1_deg - lat2_deg) <= _SAME_VERTEX_DEG
    return same_lat and abs(float(_wrap_deg(np.float64(lon1_deg - lon2_deg)))) <= _SAME_VERTEX_DEG


def _is_counter_clockwise(lat: np.ndarray, lon: np.ndarray) -> bool:
    steps = _wrap_deg(np.diff(np.append(lon, lon[0])))
    winding_deg = float(steps.sum())
    if abs(winding_deg) > 180.0:
        # The ring goes round a pole: east is counter-clockwise seen from above the north pole.
        return (winding_deg > 0) == (float(lat.mean()) >= 0)
    # Shoelace formula on longitudes unwrapped from the first vertex (safe across 180 deg).
    x = lon[0] + np.concatenate(([0.0], np.cumsum(steps[:-1])))
    twice_area = float(np.dot(x, np.roll(lat, -1)) - np.dot(np.roll(x, -1), lat))
    return twice_area > 0


# BlueSky FIR text files ----------------------------------------------------------------------


def _parse_dms(text: str) -> float:
    match = _DMS.match(text)
    if match is None:
        raise ValueError(f"invalid coordinate {text!r}: expected e.g. N051.05.00.000")
    hemisphere, degrees, minutes, seconds, fraction = match.groups()
    if int(minutes) >= 60 or int(seconds) >= 60:
        raise ValueError(f"invalid coordinate {text!r}: minutes and seconds must be below 60")
    value = int(degrees) + int(minutes) / 60.0 + (int(seconds) + float(f"0.{fraction or 0}")) / 3600.0
    limit = 90.0 if hemisphere in "NS" else 180.0
    if value > limit:
        raise ValueError(f"invalid coordinate {text!r}: beyond {limit:g} degrees")
    return -value if hemisphere in "SW" else value


def load_bluesky_fir(path: PathLike) -> Airspace:
    """Read one BlueSky FIR boundary file such as ``fir/EGTT.txt``.

    Each line contains one or two vertices written ``N051.05.00.000 E002.00.00.000``
    (degrees.minutes.seconds.milliseconds). The files list the boundary as segments, so most
    vertices appear twice in a row; consecutive duplicates are dropped. The file name without
    its suffix is the ident. The files carry no vertical limits, so the airspace spans
    FL 0 to :data:`UNLIMITED_FL`.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    Airspace
        One ring, normalised by :func:`normalise_ring`.

    Raises
    ------
    NavDataError
        With the line number of an invalid coordinate, or when the boundary has fewer than three
        distinct vertices.
    """
    path = Path(path)
    lat_deg: list[float] = []
    lon_deg: list[float] = []

    with open(path, encoding="latin-1") as stream:
        for line_number, line in enumerate(stream, start=1):
            words = line.split()
            if not words:
                continue
            if len(words) % 2:
                message = f"invalid FIR boundary line {line.strip()!r}: expected latitude-longitude pairs"
                raise NavDataError(message, str(path), line_number)
            for lat_text, lon_text in zip(words[0::2], words[1::2]):
                if lat_text[:1] not in ("N", "S") or lon_text[:1] not in ("E", "W"):
                    message = (
                        f"invalid vertex {lat_text} {lon_text}: expected latitude (N/S), then longitude (E/W)"
                    )
                    raise NavDataError(message, str(path), line_number)
                try:
                    lat_deg.append(_parse_dms(lat_text))
                    lon_deg.append(_parse_dms(lon_text))
                except ValueError as exc:
                    raise NavDataError(str(exc), str(path), line_number) from None

    try:
        ring = normalise_ring(lat_deg, lon_deg)
    except ValueError as exc:
        raise NavDataError(f"invalid FIR boundary: {exc}", str(path)) from None
    return Airspace(ident=path.stem.upper(), rings=[ring], lower_fl=0, upper_fl=UNLIMITED_FL)


def load_bluesky_fir_dir(directory: PathLike, nav: NavData) -> list[str]:
    """Add every ``*.txt`` FIR boundary of a folder to ``nav``; return the idents, sorted.

    Raises
    ------
    NavDataError
        When the folder does not exist or a file is invalid.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise NavDataError("FIR boundary folder not found", str(directory))
    idents = []
    for path in sorted(directory.glob("*.txt")):
        airspace = load_bluesky_fir(path)
        nav.add_airspace(airspace)
        idents.append(airspace.ident)
    return idents


# GeoJSON -------------------------------------------------------------------------------------


def _limit_to_fl(value: Any, unit: Any, what: str) -> int:
    """Convert a GeoJSON vertical limit (``FL``, ``FT`` or ``M``) to a flight level."""
    text = str(value).strip().upper()
    if text in ("GND", "SFC"):
        return 0
    if text in ("UNL", "UNLTD"):
        return UNLIMITED_FL
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"invalid {what} {value!r}: expected a number, GND, SFC or UNL") from None
    unit_text = str(unit or "FL").strip().upper()
    if unit_text == "FL":
        return int(round(number))
    if unit_text == "FT":
        return int(round(number / 100.0))
    if unit_text == "M":
        return int(round(number * FEET_PER_METRE / 100.0))
    raise ValueError(f"invalid unit {unit!r} of the {what}: expected FL, FT or M")


def _geojson_rings(geometry: dict[str, Any]) -> list[tuple[np.ndarray, np.ndarray]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry.get("coordinates") or []]
    elif kind == "MultiPolygon":
        polygons = geometry.get("coordinates") or []
    else:
        raise ValueError(f"unsupported geometry type {kind!r}: expected Polygon or MultiPolygon")

    rings = []
    for polygon in polygons:
        if not polygon:
            continue
        if len(polygon) > 1:
            raise ValueError("polygon holes are not supported because an Airspace has outer rings only")
        outer = polygon[0]
        lon_deg = [float(vertex[0]) for vertex in outer]
        lat_deg = [float(vertex[1]) for vertex in outer]
        rings.append(normalise_ring(lat_deg, lon_deg))
    if not rings:
        raise ValueError("the geometry has no polygon")
    return rings


def load_geojson(path: PathLike, nav: NavData, idents: Iterable[str] | None = None) -> list[str]:
    """Add the FIR polygons of a GeoJSON feature collection to ``nav``.

    Each feature needs the designator in its ``IDENT`` property and a Polygon or MultiPolygon
    geometry without holes. ``NAME`` becomes the readable name. The vertical limits come from
    ``LOWERLIMIT``/``LOWERUNIT`` and ``UPPERLIMIT``/``UPPERUNIT`` (units ``FL``, ``FT`` or ``M``,
    rounded to the nearest flight level). A missing limit means FL 0 or :data:`UNLIMITED_FL`.
    Features that share an ident are merged into one airspace with the limits of the first.

    Parameters
    ----------
    path
        The GeoJSON file.
    nav
        The store to fill.
    idents
        Load only these idents; ``None`` loads all.

    Returns
    -------
    list of str
        The idents added, in file order.

    Raises
    ------
    NavDataError
        When the file is not a GeoJSON feature collection or a selected feature is invalid.
    """
    path_text = str(path)
    try:
        with open(path, encoding="utf-8") as stream:
            document = json.load(stream)
    except json.JSONDecodeError as exc:
        raise NavDataError(f"invalid JSON: {exc.msg}", path_text, exc.lineno) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise NavDataError("invalid GeoJSON: expected a FeatureCollection", path_text)

    selected = None if idents is None else set(idents)
    loaded: dict[str, Airspace] = {}

    for number, feature in enumerate(document.get("features") or []):
        properties = feature.get("properties") or {}
        ident = str(properties.get("IDENT") or "").strip()
        if not ident:
            raise NavDataError(f"feature {number} has no IDENT property", path_text)
        if selected is not None and ident not in selected:
            continue

        try:
            rings = _geojson_rings(feature.get("geometry") or {})
            lower_fl = _limit_to_fl(
                properties.get("LOWERLIMIT", 0), properties.get("LOWERUNIT"), "lower limit"
            )
            upper_fl = _limit_to_fl(
                properties.get("UPPERLIMIT", UNLIMITED_FL), properties.get("UPPERUNIT"), "upper limit"
            )
        except (ValueError, TypeError, IndexError) as exc:
            raise NavDataError(f"invalid feature {number} ({ident}): {exc}", path_text) from None

        if ident in loaded:
            existing = loaded[ident]
            if (existing.lower_fl, existing.upper_fl) != (lower_fl, upper_fl):
                logger.warning(
                    "%s: feature %d of %s has limits FL%d-FL%d; keeping FL%d-FL%d of the first feature",
                    path_text, number, ident, lower_fl, upper_fl, existing.lower_fl, existing.upper_fl,
                )
            existing.rings.extend(rings)
            continue
        name = str(properties.get("NAME") or "")
        loaded[ident] = Airspace(ident=ident, rings=rings, lower_fl=lower_fl, upper_fl=upper_fl, name=name)

    for airspace in loaded.values():
        nav.add_airspace(airspace)
    if selected is not None and selected - loaded.keys():
        logger.warning("%s: airspaces not found: %s", path_text, ", ".join(sorted(selected - loaded.keys())))
    return list(loaded)


# BlueSky scenarios ---------------------------------------------------------------------------


def _parse_level(text: str) -> float:
    upper = text.upper()
    return float(upper[2:]) if upper.startswith("FL") else float(upper)


def load_polyalt_scn(path: PathLike, nav: NavData) -> list[str]:
    """Add the ``POLYALT`` polygons of a BlueSky scenario file to ``nav``.

    A line is ``[HH:MM:SS.ss>]POLYALT name,limit,limit,lat,lon,lat,lon,...`` with commas or
    spaces between the arguments; other commands and ``#`` comments are ignored. BlueSky's help
    text names the two limits ``top,bottom``, but ``FIR_1803.scn`` (BlueSky repository) writes
    the lower limit first (``EGTTFIR,0,245,...`` and ``EGTTUIR,245,999,...``). The smaller of the
    two is taken as the lower limit, so either order reads the same. The limits are flight
    levels, written as ``245`` or ``FL245``.

    Parameters
    ----------
    path
        The scenario file.
    nav
        The store to fill.

    Returns
    -------
    list of str
        The idents added, in file order; a later polygon of the same name replaces the earlier.

    Raises
    ------
    NavDataError
        With the line number of a ``POLYALT`` command that is invalid.
    """
    path_text = str(path)
    idents: list[str] = []

    with open(path, encoding="latin-1") as stream:
        for line_number, line in enumerate(stream, start=1):
            text = _SCN_TIME.sub("", line, count=1).strip()
            if not text or text.startswith("#"):
                continue
            words = [word for word in re.split(r"[\s,]+", text) if word]
            if words[0].upper() != "POLYALT":
                continue
            airspace = _polyalt_airspace(words[1:], path_text, line_number)
            nav.add_airspace(airspace)
            if airspace.ident not in idents:
                idents.append(airspace.ident)

    return idents


def _polyalt_airspace(arguments: list[str], path: str, line_number: int) -> Airspace:
    if len(arguments) < 9 or (len(arguments) - 3) % 2:
        raise NavDataError(
            "invalid POLYALT command: expected a name, two limits and at least three "
            "latitude-longitude pairs",
            path,
            line_number,
        )
    name = arguments[0].upper()
    try:
        first, second = _parse_level(arguments[1]), _parse_level(arguments[2])
        values = [float(word) for word in arguments[3:]]
        lat_deg, lon_deg = values[0::2], values[1::2]
        if any(abs(v) > 90.0 for v in lat_deg) or any(abs(v) > 180.0 for v in lon_deg):
            raise ValueError("a coordinate is out of range")
        ring = normalise_ring(lat_deg, lon_deg)
    except ValueError as exc:
        raise NavDataError(f"invalid POLYALT command for {name}: {exc}", path, line_number) from None
    return Airspace(
        ident=name,
        rings=[ring],
        lower_fl=int(round(min(first, second))),
        upper_fl=int(round(max(first, second))),
        name=name,
    )
