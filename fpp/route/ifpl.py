"""Build the ADEXP IFPL message that IFPS would send for an ICAO flight plan.

The message carries the filed Item 15 unchanged in ``ROUTE`` and the expanded route in
``RTEPTS``: the departure aerodrome, every point of Item 15 and every intermediate airway point,
and the destination aerodrome, each with a flight level and an estimated time over (ETO).
Lat/long points of Item 15 are named ``GEO01``, ``GEO02``... in RTEPTS and defined by ``-GEO``
fields; bearing/distance points are named ``REF01``... and defined by ``-REF`` fields, as IFPS
does. ``ATSRT`` and ``DCT`` fields give the leg structure of Item 15.

Times: ETOs run from the off-block time at the speed in force on each leg, great-circle distance,
no wind, no climb or descent profile (an estimate, good to some minutes over an ocean crossing).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fpp.errors import FormatError
from fpp.formats.adexp import AdexpField, AdexpMessage, basic, listfield, point_field, structured
from fpp.formats.icao import IcaoMessage
from fpp.formats.item15 import SpeedLevel
from fpp.formats.latlon import format_adexp_lat, format_adexp_lon, format_latlon
from fpp.geo import distance_nm
from fpp.route.resolve import ExpandedRoute

__all__ = ["MAX_GEO_POINTS", "MAX_REF_POINTS", "build_ifpl", "level_text", "off_block_time"]

#: ADEXP point names have room for GEO01..GEO999 and REF01..REF99.
MAX_GEO_POINTS = 999
MAX_REF_POINTS = 99

#: Speed used when a plan gives none, such as a VFR plan without a cruising speed [kt].
DEFAULT_SPEED_KT = 250.0


def level_text(speed_level: SpeedLevel | None) -> str | None:
    """ADEXP flight level of a speed/level group (``F370``, ``A045``), or ``None`` for VFR."""
    if speed_level is None or speed_level.level_value is None or speed_level.level_unit == "VFR":
        return None
    width = 3 if speed_level.level_unit in ("F", "A") else 4
    return f"{speed_level.level_unit}{speed_level.level_value:0{width}d}"


def off_block_time(fpl: IcaoMessage, day: date | None = None) -> datetime:
    """Off-block date and time (UTC, naive) from field 13 and ``DOF/`` (or ``day``)."""
    when = fpl.dof or day or date.today()
    return datetime(when.year, when.month, when.day, int(fpl.eobt[:2]), int(fpl.eobt[2:]))


def build_ifpl(
    fpl: IcaoMessage,
    expanded: ExpandedRoute,
    *,
    day: date | None = None,
    filing_time: datetime | None = None,
    ifplid: str | None = None,
) -> AdexpMessage:
    """Build the ADEXP IFPL for a flight plan and its expanded route.

    Parameters
    ----------
    fpl
        The ICAO flight plan.
    expanded
        Its route resolved by :func:`fpp.route.resolve.resolve_route`.
    day
        Date of flight when the plan has no ``DOF/``.
    filing_time
        Filing time for ``FILTIM`` (DDHHMM).
    ifplid
        IFPS plan identifier (two letters and eight digits).
    """
    eobt = off_block_time(fpl, day)
    fields: list[AdexpField] = [basic("TITLE", "IFPL")]
    if ifplid:
        fields.append(basic("IFPLID", ifplid))
    fields.append(basic("ARCID", fpl.aircraft_id))
    if fpl.ssr_code:
        fields.append(basic("SSRCODE", fpl.ssr_code))
    fields += [basic("FLTRUL", fpl.flight_rules), basic("FLTTYP", fpl.flight_type)]
    if fpl.number:
        fields.append(basic("NBARC", str(fpl.number)))
    fields += [
        basic("ARCTYP", fpl.aircraft_type),
        basic("WKTRC", fpl.wake),
        basic("CEQPT", fpl.equipment),
        basic("SEQPT", fpl.surveillance),
        basic("ADEP", fpl.adep),
        basic("EOBT", fpl.eobt),
        basic("EOBD", eobt.strftime("%y%m%d")),
    ]
    if filing_time is not None:
        fields.append(basic("FILTIM", filing_time.strftime("%d%H%M")))
    fields += [basic("ADES", fpl.ades), basic("TTLEET", fpl.total_eet)]
    for number, alternate in enumerate(fpl.alternates[:2], start=1):
        fields.append(basic(f"ALTRNT{number}", alternate))
    speed_level = expanded.item15.speed_level
    if speed_level is not None:
        fields.append(basic("SPEED", f"{speed_level.speed_unit}{speed_level.speed_value:0{3 if speed_level.speed_unit == 'M' else 4}d}"))
        rfl = level_text(speed_level)
        if rfl:
            fields.append(basic("RFL", rfl))
    for indicator in ("PBN", "OPR", "REG", "SEL", "RMK"):
        if indicator in fpl.item18:
            fields.append(basic(indicator, fpl.item18[indicator]))
    fields.append(basic("ROUTE", " ".join(fpl.route_text.split())))

    names = _rtepts_names(expanded)
    for leg in expanded.legs:
        a, b = names[leg.start], names[leg.end]
        if leg.connector in ("DCT", "SID", "STAR"):
            fields.append(basic("DCT", f"{a} {b}"))
        else:
            fields.append(basic("ATSRT", f"{leg.connector} {a} {b}"))
    for point, name in zip(expanded.points, names):
        if point.kind == "GEO":
            fields.append(structured("GEO", [
                basic("GEOID", name), basic("LATTD", format_adexp_lat(point.lat_deg)), basic("LONGTD", format_adexp_lon(point.lon_deg)),
            ]))
        elif point.kind == "REF" and point.element_index is not None:
            element = expanded.item15.elements[point.element_index]
            reference = element.designator or format_latlon(element.lat_deg, element.lon_deg, "icao11")
            fields.append(structured("REF", [
                basic("REFID", name), basic("PTID", reference),
                basic("BRNG", f"{element.bearing_deg:03d}"), basic("DISTNC", f"{element.distance_nm:03d}"),
            ]))

    rtepts: list[AdexpField] = []
    elapsed_h = 0.0
    last = len(expanded.points) - 1
    for k, (point, name) in enumerate(zip(expanded.points, names)):
        if k > 0:
            previous = expanded.points[k - 1]
            speed = previous.speed_level.speed_kt if previous.speed_level is not None else DEFAULT_SPEED_KT
            elapsed_h += distance_nm(previous.lat_deg, previous.lon_deg, point.lat_deg, point.lon_deg) / (speed or DEFAULT_SPEED_KT)
        eto = eobt + timedelta(seconds=round(elapsed_h * 3600))
        level = None if point.kind == "AD" and k in (0, last) else level_text(point.speed_level)
        rtepts.append(point_field(name, fl=level, eto=eto))
    fields.append(listfield("RTEPTS", rtepts))
    return AdexpMessage(tuple(fields))


def _rtepts_names(expanded: ExpandedRoute) -> list[str]:
    names = []
    geo = ref = 0
    for point in expanded.points:
        if point.kind == "GEO":
            geo += 1
            if geo > MAX_GEO_POINTS:
                raise FormatError("SYN114", point.name, None, field="15",
                                  detail=f"more than {MAX_GEO_POINTS} lat/long points; ADEXP names them GEO01 to GEO{MAX_GEO_POINTS}")
            names.append(f"GEO{geo:02d}")
        elif point.kind == "REF":
            ref += 1
            if ref > MAX_REF_POINTS:
                raise FormatError("SYN114", point.name, None, field="15",
                                  detail=f"more than {MAX_REF_POINTS} bearing/distance points; ADEXP names them REF01 to REF{MAX_REF_POINTS}")
            names.append(f"REF{ref:02d}")
        else:
            names.append(point.name)
    return names
