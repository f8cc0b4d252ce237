"""Latitude/longitude text forms of ICAO Item 15 and ADEXP, parsed to and written from degrees.

Degrees are decimal WGS 84 degrees, north and east positive. Minutes and seconds are sexagesimal:
``4630N`` is 46.5 degrees, never 46.30.

Accepted forms
--------------
``46N078W``
    ICAO Item 15, degrees only (7 characters).
``4620N07805W``
    ICAO Item 15, degrees and minutes (11 characters).
``462013N0780503W``
    Degrees, minutes and seconds (15 characters). This is not in ICAO Doc 4444; EUROCONTROL
    IFPS accepts it, and fpp accepts it as a documented extension.
``462000N`` / ``0780500W``
    ADEXP ``-LATTD`` (DDMMSS + hemisphere) and ``-LONGTD`` (DDDMMSS + hemisphere), through
    :func:`parse_adexp_lat` and :func:`parse_adexp_lon`.

Latitude and longitude in one Item 15 token must have the same precision. Minutes or seconds of
60 or more, a latitude above 90 degrees and a longitude above 180 degrees raise ``SYN103``.

Rejected forms
--------------
These forms occur in the wild but are not ICAO. Each raises ``SYN103`` with a message that names
the form, so that it is never read as a wrong position:

* hemisphere letter first, e.g. ``N5030W03000``;
* short forms with too few digits, e.g. ``4N40W``;
* ARINC 424 five-character codes, e.g. ``5720N``, ``57N20`` and letter-first codes such as
  ``H5030``;
* latitude and longitude separated by a slash, e.g. ``5800N/07000W``;
* latitude and longitude of different precision, e.g. ``4620N078W``.

Normalisation
-------------
At the poles every longitude is the same point, so a latitude of exactly 90 N or 90 S gives a
longitude of 0.0 (``90N120W`` equals ``90N000E``). A longitude of 180 W is returned as 180.0
(the same meridian as 180 E), and ``-0.0`` is returned as ``0.0``.
"""

from __future__ import annotations

import re
from typing import Literal

from fpp.errors import FormatError

__all__ = [
    "LatLonStyle",
    "describe_non_icao_form",
    "format_adexp_lat",
    "format_adexp_lon",
    "format_latlon",
    "parse_adexp_lat",
    "parse_adexp_lon",
    "parse_latlon",
]

LatLonStyle = Literal["icao7", "icao11", "icao15", "adexp"]

# One pattern per accepted Item 15 length; the groups are degrees, minutes, seconds, hemisphere.
_ICAO7 = re.compile(r"(\d\d)()()([NS])(\d\d\d)()()([EW])")
_ICAO11 = re.compile(r"(\d\d)(\d\d)()([NS])(\d\d\d)(\d\d)()([EW])")
_ICAO15 = re.compile(r"(\d\d)(\d\d)(\d\d)([NS])(\d\d\d)(\d\d)(\d\d)([EW])")
_BY_LENGTH = {7: _ICAO7, 11: _ICAO11, 15: _ICAO15}

_ADEXP_LAT = re.compile(r"(\d\d)(\d\d)(\d\d)([NS])")
_ADEXP_LON = re.compile(r"(\d\d\d)(\d\d)(\d\d)([EW])")

# Non-ICAO forms, tested in this order once the accepted forms have failed.
_NON_ICAO_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\d{2,6}[NS]/\d{3,7}[EW]"), "latitude and longitude separated by a slash"),
    (re.compile(r"[NS]\d{1,6}[EW]\d{1,7}"), "hemisphere letter before the digits"),
    (re.compile(r"\d{4}[NSEW]|\d\d[NSEW]\d\d"), "ARINC 424 five-character code"),
    (re.compile(r"[NSEWH]\d{4}"), "ARINC 424 letter-first five-character code"),
    (
        re.compile(r"(\d\d|\d{4}|\d{6})[NS](\d{3}|\d{5}|\d{7})[EW]"),
        "latitude and longitude of different precision",
    ),
    (re.compile(r"\d+[NS]\d+[EW]"), "short form with too few or too many digits"),
)


def describe_non_icao_form(text: str) -> str | None:
    """Name the known non-ICAO coordinate form that ``text`` is written in, if any.

    Parameters
    ----------
    text
        One upper-case token.

    Returns
    -------
    str or None
        A short description such as ``"ARINC 424 five-character code"``, or ``None`` when the
        text is not one of the rejected forms listed in the module docstring.
    """
    for pattern, description in _NON_ICAO_FORMS:
        if pattern.fullmatch(text):
            return description
    return None


def _reject(text: str, offset: int, detail: str, field: str | None = None) -> FormatError:
    return FormatError("SYN103", text, offset, field=field, detail=detail)


def _to_degrees(
    text: str,
    offset: int,
    degrees: str,
    minutes: str,
    seconds: str,
    limit_deg: int,
    field: str | None = None,
) -> float:
    """Convert sexagesimal digit strings to degrees, checking minutes, seconds and the range."""
    minutes_value = int(minutes) if minutes else 0
    seconds_value = int(seconds) if seconds else 0
    if minutes_value >= 60:
        raise _reject(text, offset, f"minutes {minutes} are 60 or more", field)
    if seconds_value >= 60:
        raise _reject(text, offset, f"seconds {seconds} are 60 or more", field)

    value_deg = int(degrees) + minutes_value / 60.0 + seconds_value / 3600.0
    if value_deg > limit_deg:
        quantity = "latitude" if limit_deg == 90 else "longitude"
        raise _reject(text, offset, f"{quantity} exceeds {limit_deg} degrees", field)
    return value_deg


def _normalise(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    """Apply the pole, 180 W and negative-zero rules of the module docstring."""
    if abs(lat_deg) == 90.0 or lon_deg == 0.0:
        lon_deg = 0.0
    elif lon_deg == -180.0:
        lon_deg = 180.0
    if lat_deg == 0.0:
        lat_deg = 0.0
    return lat_deg, lon_deg


def parse_latlon(text: str, offset: int = 0, *, field: str | None = None) -> tuple[float, float]:
    """Parse an Item 15 lat/long point into ``(lat_deg, lon_deg)``.

    Parameters
    ----------
    text
        ``46N078W``, ``4620N07805W`` or ``462013N0780503W`` (upper case, no spaces).
    offset
        Offset of ``text`` in the enclosing message, used in errors.
    field
        The message field the text belongs to, used in errors.

    Returns
    -------
    tuple of float
        Latitude and longitude in degrees, north and east positive, normalised as the module
        docstring describes.

    Raises
    ------
    FormatError
        ``SYN103`` for a malformed or out-of-range point, naming the non-ICAO form when the text
        is one of the rejected forms.

    Examples
    --------
    >>> parse_latlon("4630N01045E")
    (46.5, 10.75)
    >>> parse_latlon("90N120W")
    (90.0, 0.0)
    """
    pattern = _BY_LENGTH.get(len(text))
    match = pattern.fullmatch(text) if pattern is not None else None
    if match is None:
        form = describe_non_icao_form(text)
        if form is not None:
            raise _reject(text, offset, f"{form} is not an ICAO lat/long form", field)
        raise _reject(text, offset, "not a lat/long point", field)

    lat_d, lat_m, lat_s, ns, lon_d, lon_m, lon_s, ew = match.groups()
    lat_deg = _to_degrees(text, offset, lat_d, lat_m, lat_s, 90, field)
    lon_deg = _to_degrees(text, offset, lon_d, lon_m, lon_s, 180, field)
    if ns == "S":
        lat_deg = -lat_deg
    if ew == "W":
        lon_deg = -lon_deg
    return _normalise(lat_deg, lon_deg)


def parse_adexp_lat(text: str, offset: int = 0) -> float:
    """Parse an ADEXP ``-LATTD`` value such as ``462000N`` into degrees (north positive).

    Raises
    ------
    FormatError
        ``SYN103`` when the value is not DDMMSS + N/S or is out of range.
    """
    match = _ADEXP_LAT.fullmatch(text)
    if match is None:
        raise _reject(text, offset, "an ADEXP latitude is DDMMSS followed by N or S")
    degrees, minutes, seconds, hemisphere = match.groups()
    lat_deg = _to_degrees(text, offset, degrees, minutes, seconds, 90)
    if hemisphere == "S":
        lat_deg = -lat_deg
    return lat_deg + 0.0  # turns -0.0 into 0.0


def parse_adexp_lon(text: str, offset: int = 0) -> float:
    """Parse an ADEXP ``-LONGTD`` value such as ``0780500W`` into degrees (east positive).

    A pole is not known from the longitude alone, so only the 180 W and negative-zero rules of
    the module docstring apply here.

    Raises
    ------
    FormatError
        ``SYN103`` when the value is not DDDMMSS + E/W or is out of range.
    """
    match = _ADEXP_LON.fullmatch(text)
    if match is None:
        raise _reject(text, offset, "an ADEXP longitude is DDDMMSS followed by E or W")
    degrees, minutes, seconds, hemisphere = match.groups()
    lon_deg = _to_degrees(text, offset, degrees, minutes, seconds, 180)
    if hemisphere == "W":
        lon_deg = -lon_deg
    return _normalise(1.0, lon_deg)[1]


def _split(value_deg: float, units_per_degree: int) -> tuple[int, int, int, bool]:
    """Round ``|value_deg|`` to the unit and return (degrees, minutes, seconds, negative)."""
    total = round(abs(value_deg) * units_per_degree)
    negative = value_deg < 0 and total != 0
    if units_per_degree == 1:
        return total, 0, 0, negative
    if units_per_degree == 60:
        return total // 60, total % 60, 0, negative
    return total // 3600, total // 60 % 60, total % 60, negative


def _check_range(lat_deg: float, lon_deg: float) -> None:
    if not -90.0 <= lat_deg <= 90.0:
        raise ValueError(f"latitude {lat_deg!r} is outside -90..90 degrees")
    if not -180.0 <= lon_deg <= 180.0:
        raise ValueError(f"longitude {lon_deg!r} is outside -180..180 degrees")


def format_adexp_lat(lat_deg: float) -> str:
    """Write a latitude as the ADEXP ``-LATTD`` value DDMMSS + N/S, rounded to the second.

    >>> format_adexp_lat(46.3333333)
    '462000N'
    """
    _check_range(lat_deg, 0.0)
    degrees, minutes, seconds, negative = _split(lat_deg, 3600)
    return f"{degrees:02d}{minutes:02d}{seconds:02d}{'S' if negative else 'N'}"


def format_adexp_lon(lon_deg: float) -> str:
    """Write a longitude as the ADEXP ``-LONGTD`` value DDDMMSS + E/W, rounded to the second.

    >>> format_adexp_lon(-78.0833333)
    '0780500W'
    """
    _check_range(0.0, lon_deg)
    degrees, minutes, seconds, negative = _split(lon_deg, 3600)
    return f"{degrees:03d}{minutes:02d}{seconds:02d}{'W' if negative else 'E'}"


def format_latlon(lat_deg: float, lon_deg: float, style: LatLonStyle = "icao11") -> str:
    """Write a point in one of the accepted text forms, rounded to the resolution of the form.

    Parameters
    ----------
    lat_deg, lon_deg
        Degrees, north and east positive; latitude in -90..90, longitude in -180..180.
    style
        ``"icao7"`` (``46N078W``), ``"icao11"`` (``4620N07805W``), ``"icao15"``
        (``462013N0780503W``) or ``"adexp"`` (``-LATTD 462000N -LONGTD 0780500W``, the two ADEXP
        subfields of ``-GEO``).

    Returns
    -------
    str
        The point as text. Parsing it back gives the input rounded to the nearest degree, minute
        or second of the form.

    Raises
    ------
    ValueError
        For a coordinate out of range or an unknown style.

    Examples
    --------
    >>> format_latlon(46.3333333, -78.0833333)
    '4620N07805W'
    >>> format_latlon(46.0, -78.0, "icao7")
    '46N078W'
    """
    _check_range(lat_deg, lon_deg)
    if style == "adexp":
        return f"-LATTD {format_adexp_lat(lat_deg)} -LONGTD {format_adexp_lon(lon_deg)}"

    units = {"icao7": 1, "icao11": 60, "icao15": 3600}.get(style)
    if units is None:
        raise ValueError(f"unknown lat/long style {style!r}; use icao7, icao11, icao15 or adexp")
    lat_d, lat_m, lat_s, south = _split(lat_deg, units)
    lon_d, lon_m, lon_s, west = _split(lon_deg, units)
    ns = "S" if south else "N"
    ew = "W" if west else "E"
    if units == 1:
        return f"{lat_d:02d}{ns}{lon_d:03d}{ew}"
    if units == 60:
        return f"{lat_d:02d}{lat_m:02d}{ns}{lon_d:03d}{lon_m:02d}{ew}"
    return f"{lat_d:02d}{lat_m:02d}{lat_s:02d}{ns}{lon_d:03d}{lon_m:02d}{lon_s:02d}{ew}"
