"""Message formats: ICAO Doc 4444 ATS messages, their Item 15 route, ADEXP and lat/long text.

Each parser returns immutable records that keep the text and offset of every element and raises
:class:`fpp.errors.FormatError` (``SYN`` codes) on invalid input. Each writer produces text that
its parser reads back to the same content.
"""

from fpp.formats.adexp import (
    AdexpField,
    AdexpMessage,
    RoutePoint,
    basic,
    emit_adexp,
    format_eto,
    listfield,
    parse_adexp,
    parse_eto,
    point_field,
    structured,
)
from fpp.formats.aftn import AftnEnvelope
from fpp.formats.icao import IcaoMessage, emit_icao, parse_icao
from fpp.formats.item15 import (
    MAX_ELEMENTS,
    Element,
    ElementKind,
    Item15,
    SpeedLevel,
    emit_item15,
    parse_item15,
    parse_speed_level,
)
from fpp.formats.latlon import (
    format_adexp_lat,
    format_adexp_lon,
    format_latlon,
    parse_adexp_lat,
    parse_adexp_lon,
    parse_latlon,
)

__all__ = [
    "MAX_ELEMENTS",
    "AdexpField",
    "AdexpMessage",
    "AftnEnvelope",
    "Element",
    "ElementKind",
    "IcaoMessage",
    "Item15",
    "RoutePoint",
    "SpeedLevel",
    "basic",
    "emit_adexp",
    "emit_icao",
    "emit_item15",
    "format_adexp_lat",
    "format_adexp_lon",
    "format_eto",
    "format_latlon",
    "listfield",
    "parse_adexp",
    "parse_adexp_lat",
    "parse_adexp_lon",
    "parse_eto",
    "parse_icao",
    "parse_item15",
    "parse_latlon",
    "parse_speed_level",
    "point_field",
    "structured",
]
