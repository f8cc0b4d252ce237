"""The 2023 conversion logic, step for step, including the way it failed.

This reproduces the UK portion extraction as NATS described it after 28 August 2023. It is
faithful on purpose, defects included; use :mod:`fpp.convert.hardened` for a converter that
does not stop.

1. In the RTEPTS list, find the first UK point (the entry) and the last UK point (the exit). A
   point is a UK point when its designator is in the UK point table, which lists the
   designators of the navigation data that lie in UK airspace. A GEO point is placed by its
   coordinates.
2. Search the Item 15 tokens forward from the start for the entry designator.
3. Search the Item 15 tokens backward from the end for the exit designator.
4. If it is not there, take the next RTEPTS point beyond the exit and search again, and so on.
5. Matching is by designator text alone: no check of position or order.
6. If the exit found lies before the entry, no UK portion can be extracted: raise
   :class:`~fpp.errors.CriticalException`, which stops the channel.

Two details the report does not give are fpp's assumptions, stated here and in the trace: when the
entry designator is not in Item 15, the search moves to earlier RTEPTS points (the mirror of
step 4); when a search runs out of RTEPTS points, the portion starts or ends with the route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fpp.convert.airspace import AirspaceVolume
from fpp.convert.record import BoundaryPoint, NasRecord, Portion, PortionPoint
from fpp.errors import ConversionError, CriticalException
from fpp.formats.adexp import AdexpMessage, RoutePoint
from fpp.navdata.store import NavData

__all__ = ["LegacyConverter", "LegacyTrace", "uk_point_table"]


def uk_point_table(nav: NavData, volume: AirspaceVolume) -> dict[str, tuple[float, float]]:
    """Designators and positions of the points of ``nav`` inside ``volume`` or on its boundary.

    The legacy logic decides UK membership by designator through this table, as a converter
    with its own adaptation data of UK points does.
    """
    lat, lon = nav.lat_deg, nav.lon_deg
    south = min(float(p.lat_deg.min()) for p in volume.polygons) - 1.0
    north = max(float(p.lat_deg.max()) for p in volume.polygons) + 1.0
    west = min(float(p.lon_deg.min()) for p in volume.polygons) - 1.5
    east = max(float(p.lon_deg.max()) for p in volume.polygons) + 1.5
    box = (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
    table: dict[str, tuple[float, float]] = {}
    for index in box.nonzero()[0]:
        position = (float(lat[index]), float(lon[index]))
        if volume.contains(*position):
            table.setdefault(nav.point_name(int(index)), position)
    return table


@dataclass
class LegacyTrace:
    """The steps the legacy logic took on one message, for the replay's printout."""

    steps: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.steps.append(text)


def _route_tokens(route: str) -> list[str]:
    """Item 15 tokens as the legacy logic compared them: designators with change groups removed."""
    return [token.split("/")[0] for token in route.split()]


class LegacyConverter:
    """The faithful 2023 converter.

    Parameters
    ----------
    uk_points
        The UK point table, designator to position (see :func:`uk_point_table`).
    volume
        UK airspace, used only to place GEO points given by coordinates.
    """

    logic = "legacy"

    def __init__(self, uk_points: Mapping[str, tuple[float, float]], volume: AirspaceVolume) -> None:
        self.uk_points = dict(uk_points)
        self.volume = volume

    def _position(self, ident: str, geo: dict[str, tuple[float, float]]) -> tuple[float, float]:
        return geo.get(ident) or self.uk_points.get(ident) or (float("nan"), float("nan"))

    def _is_uk(self, point: RoutePoint, geo: dict[str, tuple[float, float]]) -> bool:
        ident = point.ident or ""
        if ident in geo:
            return self.volume.contains(*geo[ident])
        return ident in self.uk_points

    def convert(self, message: AdexpMessage, trace: LegacyTrace | None = None) -> NasRecord:
        """Convert one message.

        Raises
        ------
        ConversionError
            ``CONV207`` when ROUTE or RTEPTS is missing, ``CONV200`` when no RTEPTS point is
            in the UK.
        CriticalException
            When the exit found lies before the entry: the 28 August 2023 failure.
        """
        trace = trace if trace is not None else LegacyTrace()
        route = message.route
        points = message.rtepts()
        if not route or not points:
            raise ConversionError("CONV207", message.get("ARCID") or "", None, field="ROUTE" if not route else "RTEPTS")
        geo = message.geo_points()
        tokens = _route_tokens(route)
        uk = [i for i, p in enumerate(points) if self._is_uk(p, geo)]
        if not uk:
            trace.add("no RTEPTS point in the UK point table: not a UK flight")
            raise ConversionError("CONV200", message.get("ARCID") or "", None, field="RTEPTS",
                                  detail="no RTEPTS point is in the UK point table")
        entry_r, exit_r = uk[0], uk[-1]
        trace.add(f"RTEPTS: UK entry {points[entry_r].ident} (point {entry_r + 1}), UK exit {points[exit_r].ident} (point {exit_r + 1})")

        entry_i, entry_name = None, None
        for r in range(entry_r, -1, -1):
            name = points[r].ident or ""
            found = next((i for i, t in enumerate(tokens) if t == name), None)
            trace.add(f"search Item 15 forward for {name}: " + (f"found at token {found}" if found is not None else "not found"))
            if found is not None:
                entry_i, entry_name = found, name
                break
        if entry_i is None:
            trace.add("no earlier RTEPTS point in Item 15: the portion starts with the route")
            entry_i, entry_name = 1, tokens[1] if len(tokens) > 1 else ""

        exit_i, exit_name = None, None
        for r in range(exit_r, len(points)):
            name = points[r].ident or ""
            found = next((i for i in range(len(tokens) - 1, -1, -1) if tokens[i] == name), None)
            label = "exit" if r == exit_r else "next RTEPTS point"
            trace.add(f"search Item 15 backward for {label} {name}: " + (f"found at token {found}" if found is not None else "not found"))
            if found is not None:
                exit_i, exit_name = found, name
                break
        if exit_i is None:
            trace.add("no later RTEPTS point in Item 15: the portion ends with the route")
            exit_i, exit_name = len(tokens) - 1, tokens[-1]

        if exit_i < entry_i:
            text = (
                f"exit {exit_name} (Item 15 token {exit_i}) lies before entry {entry_name} "
                f"(Item 15 token {entry_i}): no UK portion can be extracted"
            )
            trace.add("critical exception: " + text)
            cause = ConversionError("CONV203", exit_name or "", None, field="ROUTE", detail=text)
            raise CriticalException(text, cause)

        portion_text = " ".join(route.split()[entry_i : exit_i + 1])
        trace.add(f"UK portion: {portion_text}")
        uk_points = [
            PortionPoint(p.ident or "", *self._position(p.ident or "", geo), p.eto, p.fl) for p in points[entry_r : exit_r + 1]
        ]
        first, last = points[entry_r], points[exit_r]
        entry = BoundaryPoint(first.ident or "", *self._position(first.ident or "", geo), first.eto, first.fl, float(entry_r))
        exit_ = BoundaryPoint(last.ident or "", *self._position(last.ident or "", geo), last.eto, last.fl, float(exit_r))
        return NasRecord(
            callsign=message.get("ARCID") or "",
            ssr_code=message.get("SSRCODE"),
            aircraft_type=message.get("ARCTYP"),
            wake=message.get("WKTRC"),
            flight_rules=message.get("FLTRUL"),
            flight_type=message.get("FLTTYP"),
            adep=message.get("ADEP"),
            ades=message.get("ADES"),
            portions=[Portion(entry, exit_, portion_text, uk_points)],
            logic=self.logic,
        )
