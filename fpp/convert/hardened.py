"""The hardened conversion: never stops the channel for one plan.

Steps, each with its own error code when it cannot go on:

1. **Parse** the ROUTE field (Item 15) and **resolve** it over the navigation data with the whole
   route as context (:func:`fpp.route.resolve.resolve_route`).
2. **Place** every RTEPTS point: GEO points from their ``-GEO`` coordinates, designators by a
   Viterbi choice over their candidates along the RTEPTS sequence, so a duplicate designator takes
   the place that fits its neighbours (``CONV204`` unknown, ``CONV208`` ambiguous).
3. **Check geography**: consecutive RTEPTS points with times must be reachable at a plausible
   ground speed (``CONV205``).
4. **Reconcile** Item 15 with RTEPTS by position: each Item 15 point is matched to an RTEPTS
   point with the same designator at the same place (lat/long points by place alone), in order.
   The earliest and the latest greedy matches must agree, otherwise the reconciliation is not
   unique (``CONV201`` none, ``CONV202`` several).
5. **Clip** the RTEPTS polyline against the airspace (:func:`fpp.convert.airspace.inside_stretches`).
   A route that leaves and re-enters gives several portions. No stretch: ``CONV200``.
6. **Map back** each stretch to Item 15: the portion runs from the last Item 15 point at or before
   the entry to the first Item 15 point at or after the exit, so the text is the route as filed.
   Entry and exit are route points when they lie on the boundary, or computed crossings named by
   their position, with times interpolated by distance.

Every failure is a :class:`~fpp.errors.PlanError`; the caller quarantines or rejects the plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from fpp.convert.airspace import AirspaceVolume, Crossing, inside_stretches
from fpp.convert.record import BoundaryPoint, NasRecord, Portion, PortionPoint, format_position
from fpp.errors import ConversionError, FormatError
from fpp.formats.adexp import AdexpMessage, RoutePoint
from fpp.formats.item15 import parse_item15
from fpp.formats.latlon import parse_latlon
from fpp.geo import destination, distance_nm
from fpp.navdata.store import NavData
from fpp.route.resolve import SAME_PLACE_NM, AirwayIndex, ExpandedRoute, choose_candidates, resolve_route

__all__ = ["MAX_LEG_NM", "HardenedConverter", "HardenedLimits"]

#: Longest leg between consecutive RTEPTS points; near the antipode a great circle is undefined [NM].
MAX_LEG_NM = 10000.0


@dataclass(frozen=True)
class HardenedLimits:
    """Per-plan bounds of the hardened converter.

    Attributes
    ----------
    max_points
        Maximum number of RTEPTS points. A longer plan is quarantined with ``CONV206`` so that it
        cannot take the channel's time, the lesson of the FAA ERAM failure of 2014.
    max_ground_speed_kt
        Fastest plausible ground speed between consecutive RTEPTS points [kt].
    match_tolerance_nm
        Largest distance between an Item 15 point and the RTEPTS point it is matched to [NM].
    """

    max_points: int = 5000
    max_ground_speed_kt: float = 1200.0
    match_tolerance_nm: float = 2.0


def _aligned_indices(
    points: list[RoutePoint],
    geo: dict[str, tuple[float, float]],
    refs: dict[str, list[tuple[float, float]]],
    expanded: ExpandedRoute | None,
) -> list[int | None] | None:
    """Return the navigation data index of each RTEPTS point's counterpart in the expansion.

    Returns ``None`` unless RTEPTS and the expansion list the same points in the same order:
    equal designators, and a GEO or REF label where the expansion has a lat/long or
    bearing/distance point.
    """
    if expanded is None or len(expanded.points) != len(points):
        return None
    indices: list[int | None] = []
    for point, counterpart in zip(points, expanded.points):
        ident = point.ident or ""
        if ident in geo or ident in refs:
            if counterpart.kind not in ("GEO", "REF"):
                return None
        elif counterpart.name != ident:
            return None
        indices.append(counterpart.nav_index)
    return indices


class HardenedConverter:
    """Convert ADEXP messages to NAS records, or raise a plan-level error.

    Parameters
    ----------
    nav
        Navigation data of the receiving side.
    volume
        The airspace whose portions are extracted.
    limits
        Per-plan bounds.
    """

    logic = "hardened"

    def __init__(self, nav: NavData, volume: AirspaceVolume, limits: HardenedLimits | None = None) -> None:
        self.nav = nav
        self.volume = volume
        self.limits = limits or HardenedLimits()
        self.airway_index = AirwayIndex(nav)

    # Steps ------------------------------------------------------------------------------

    def _ref_places(self, message: AdexpMessage) -> dict[str, list[tuple[float, float]]]:
        """Compute the places of the bearing/distance points that ``-REF`` fields define, by REFID.

        A reference designator with several places gives several candidate places. A ``-REF``
        field with a missing or malformed part is left out, so its point is not found later.
        """
        places: dict[str, list[tuple[float, float]]] = {}
        for item in message.find_all("REF"):
            ident, reference = item.get("REFID"), item.get("PTID")
            bearing, distance = item.get("BRNG") or "", item.get("DISTNC") or ""
            if not ident or not reference or not bearing.isdigit() or not distance.isdigit():
                continue
            if reference[0].isdigit():
                try:
                    bases = [parse_latlon(reference)]
                except FormatError:
                    continue
            else:
                bases = [self.nav.position(int(c)) for c in self.nav.candidates(reference)]
            places[ident] = [destination(lat, lon, float(bearing), float(distance)) for lat, lon in bases]
        return places

    def _place_rtepts(self, points: list[RoutePoint], geo: dict[str, tuple[float, float]],
                      refs: dict[str, list[tuple[float, float]]] | None = None,
                      expanded: ExpandedRoute | None = None) -> list[tuple[float, float]]:
        """Choose a place for every RTEPTS point.

        When RTEPTS lists the same points as the expansion of Item 15 (``expanded``), in the same
        order, each designator takes the place of its counterpart there. Otherwise a designator
        with several places keeps the places that resolving Item 15 chose for it, or else those
        within SAME_PLACE_NM of them. Airway membership and the aerodromes settle the Item 15
        resolution. Distances alone do not: a namesake that lies near the great circle between two
        far points makes a shorter route than the real point.
        """
        aligned = _aligned_indices(points, geo, refs or {}, expanded)
        resolved: dict[str, list[tuple[float, float]]] = {}
        resolved_index: dict[str, set[int]] = {}
        for point in expanded.points if expanded is not None else ():
            if point.nav_index is not None:
                resolved.setdefault(point.name, []).append((point.lat_deg, point.lon_deg))
                resolved_index.setdefault(point.name, set()).add(point.nav_index)
        candidates: list[list[tuple[float, float, int | None]]] = []
        last = len(points) - 1
        for k, point in enumerate(points):
            ident = point.ident or ""
            if not ident:
                raise ConversionError("CONV204", point.kind, point.offset, field="RTEPTS",
                                      detail=f"RTEPTS element {k + 1} ({point.kind}) has no point designator")
            if ident in geo:
                candidates.append([(*geo[ident], None)])
                continue
            if refs and refs.get(ident):
                candidates.append([(lat, lon, None) for lat, lon in refs[ident]])
                continue
            if k in (0, last) or point.kind == "AD":
                airport = self.nav.airport(ident)
                if airport is not None:
                    candidates.append([(*self.nav.position(airport), airport)])
                    continue
            found = self.nav.candidates(ident)
            if len(found) == 0:
                raise ConversionError("CONV204", ident, point.offset, field="RTEPTS",
                                      detail=f"RTEPTS point {k + 1} is not in the navigation data")
            options = [(*self.nav.position(int(c)), int(c)) for c in found]
            if len(options) > 1 and aligned is not None and any(o[2] == aligned[k] for o in options):
                options = [o for o in options if o[2] == aligned[k]]
            elif len(options) > 1 and ident in resolved:
                exact = [o for o in options if o[2] in resolved_index[ident]]
                near = [o for o in options
                        if any(distance_nm(o[0], o[1], *place) <= SAME_PLACE_NM for place in resolved[ident])]
                options = exact or near or options
            candidates.append(options)
        if all(len(c) == 1 for c in candidates):
            return [(c[0][0], c[0][1]) for c in candidates]
        choice = choose_candidates(candidates, ["DCT"] * len(candidates), self.airway_index)
        if choice.ambiguous:
            k = choice.ambiguous[0]
            raise ConversionError("CONV208", points[k].ident or "", points[k].offset, field="RTEPTS",
                                  detail=f"{len(candidates[k])} places share the designator of RTEPTS point {k + 1}")
        return [(candidates[k][c][0], candidates[k][c][1]) for k, c in enumerate(choice.chosen)]

    def _check_geography(self, points: list[RoutePoint], places: list[tuple[float, float]]) -> None:
        """Check each stretch between two timed points, across points without an ETO."""
        last_timed: int | None = None
        since_nm = 0.0
        for k in range(len(points)):
            if k > 0:
                leg_nm = distance_nm(*places[k - 1], *places[k])
                if leg_nm > MAX_LEG_NM:
                    raise ConversionError("CONV205", points[k].ident or "", points[k].offset, field="RTEPTS",
                                          detail=f"the leg from {points[k - 1].ident} spans {leg_nm:.0f} NM, too close to half the globe to define a great circle")
                since_nm += leg_nm
            b = points[k]
            if b.eto is None:
                continue
            if last_timed is not None:
                a = points[last_timed]
                hours = (b.eto - a.eto).total_seconds() / 3600.0
                if hours < 0 or (hours == 0 and since_nm > self.limits.match_tolerance_nm) or (
                    hours > 0 and since_nm / hours > self.limits.max_ground_speed_kt
                ):
                    raise ConversionError(
                        "CONV205", b.ident or "", b.offset, field="RTEPTS",
                        detail=f"{a.ident} to {b.ident}: {since_nm:.0f} NM in {hours * 60:.1f} min",
                    )
            last_timed, since_nm = k, 0.0

    def _reconcile(self, expanded: ExpandedRoute, points: list[RoutePoint], places: list[tuple[float, float]],
                   labels: set[str] | None = None) -> list[int]:
        """Match each Item 15 point to an RTEPTS point, in order; the match must be unique.

        ``labels`` are the RTEPTS names that ``-GEO`` and ``-REF`` fields define. When the message
        defines any, a lat/long or bearing/distance point of Item 15 matches only those, so that
        an aerodrome or a named point within the tolerance of it does not make the match ambiguous.
        """
        filed = [p for p in expanded.points if p.element_index is not None]
        tol = self.limits.match_tolerance_nm

        def matches(i: int, r: int) -> bool:
            p = filed[i]
            gap_nm = distance_nm(p.lat_deg, p.lon_deg, *places[r])
            if p.kind in ("GEO", "REF"):
                return gap_nm <= tol and (not labels or (points[r].ident or "") in labels)
            # Places of one designator closer than SAME_PLACE_NM are one place for the conversion,
            # and the placement of RTEPTS may have taken either of them.
            return p.name == points[r].ident and gap_nm <= max(tol, SAME_PLACE_NM)

        earliest: list[int] = []
        r = 0
        for i, p in enumerate(filed):
            while r < len(points) and not matches(i, r):
                r += 1
            if r == len(points):
                element = expanded.item15.elements[p.element_index]
                raise ConversionError("CONV201", element.text, element.offset, field="ROUTE",
                                      detail=f"{p.name} has no matching RTEPTS point in order at its position")
            earliest.append(r)
            r += 1
        latest: list[int] = []
        r = len(points) - 1
        for i in range(len(filed) - 1, -1, -1):
            while r >= 0 and not matches(i, r):
                r -= 1
            latest.append(r)
            r -= 1
        latest.reverse()
        if earliest != latest:
            k = next(k for k in range(len(filed)) if earliest[k] != latest[k])
            element = expanded.item15.elements[filed[k].element_index]
            raise ConversionError("CONV202", element.text, element.offset, field="ROUTE",
                                  detail=f"{filed[k].name} matches RTEPTS points {earliest[k] + 1} and {latest[k] + 1}")
        return earliest

    def _boundary_point(self, crossing: Crossing, points: list[RoutePoint], places: list[tuple[float, float]],
                        names: list[str]) -> BoundaryPoint:
        if crossing.at_point:
            k = int(crossing.position)
            p = points[k]
            return BoundaryPoint(names[k], *places[k], p.eto, p.fl, crossing.position)
        k = int(math.floor(crossing.position))
        a, b = points[k], points[k + 1]
        eto = None
        if a.eto is not None and b.eto is not None:
            leg = distance_nm(*places[k], *places[k + 1])
            done = distance_nm(*places[k], crossing.lat_deg, crossing.lon_deg)
            share = done / leg if leg > 0 else 0.0
            eto = a.eto + timedelta(seconds=round((b.eto - a.eto).total_seconds() * share))
        name = format_position(crossing.lat_deg, crossing.lon_deg)
        return BoundaryPoint(name, crossing.lat_deg, crossing.lon_deg, eto, a.fl, crossing.position)

    def _portion_text(self, expanded: ExpandedRoute, alignment: list[int], entry: float, exit_: float) -> str:
        filed = [p for p in expanded.points if p.element_index is not None]
        elements = expanded.item15.elements
        text = expanded.item15.text
        before = [k for k, r in enumerate(alignment) if r <= entry]
        after = [k for k, r in enumerate(alignment) if r >= exit_]
        if before:
            start = elements[filed[before[-1]].element_index].offset
        elif elements:
            start = elements[0].offset
        else:
            start = 0
        if after:
            last = elements[filed[after[0]].element_index]
        else:
            route_elements = [e for e in elements if e.text != "T"]
            last = route_elements[-1] if route_elements else None
        end = last.offset + len(last.text) if last is not None else len(text)
        return " ".join(text[start:end].split()).upper()

    # Conversion -------------------------------------------------------------------------

    def convert(self, message: AdexpMessage) -> NasRecord:
        """Convert one message.

        Raises
        ------
        PlanError
            A :class:`~fpp.errors.FormatError`, :class:`~fpp.errors.RouteError` or
            :class:`~fpp.errors.ConversionError` naming the token at fault; ``CONV200`` when
            the route does not enter the airspace.
        """
        callsign = message.get("ARCID") or ""
        for keyword, count in (("ROUTE", len(message.get_all("ROUTE"))), ("RTEPTS", len(message.find_all("RTEPTS")))):
            if count > 1:
                raise FormatError("SYN113", keyword, None, field=keyword,
                                  detail=f"{keyword} appears {count} times, but a message carries one route",
                                  hint="Check for a missing -TITLE line. A stream is split into messages at -TITLE, "
                                       "so two messages without one between them read as one.")
        route = message.route
        points = message.rtepts()
        if not route or not points:
            raise ConversionError("CONV207", callsign, None, field="ROUTE" if not route else "RTEPTS")
        if len(points) > self.limits.max_points:
            raise ConversionError("CONV206", callsign, None, field="RTEPTS",
                                  detail=f"{len(points)} RTEPTS points; the limit is {self.limits.max_points}")

        item15 = parse_item15(route)
        expanded = resolve_route(item15, self.nav, message.get("ADEP"), message.get("ADES"), self.airway_index)
        refs = self._ref_places(message)
        places = self._place_rtepts(points, message.geo_points(), refs, expanded)
        self._check_geography(points, places)
        alignment = self._reconcile(expanded, points, places, set(message.geo_points()) | set(refs))
        # A filed point takes the place that resolving Item 15 gave it, where airway membership
        # settles which of two close places of one designator is meant.
        filed = [p for p in expanded.points if p.element_index is not None]
        for point, r in zip(filed, alignment):
            if point.kind == "PT":
                places[r] = (point.lat_deg, point.lon_deg)

        # The record names a lat/long point by its position, not by the GEOnn label of RTEPTS.
        geo = message.geo_points()
        names = [format_position(*places[k]) if (p.ident or "") in geo else (p.ident or "") for k, p in enumerate(points)]
        stretches = inside_stretches(self.volume, [p[0] for p in places], [p[1] for p in places])
        if not stretches:
            raise ConversionError("CONV200", callsign, None, field="RTEPTS",
                                  detail=f"no stretch of the route of positive length lies in {self.volume.name}")
        portions = []
        previous_exit = -1.0
        for stretch in stretches:
            if not (previous_exit <= stretch.entry.position < stretch.exit.position):
                raise ConversionError("CONV203", callsign, None, field="RTEPTS",
                                      detail=f"entry at {stretch.entry.position:.3f}, exit at {stretch.exit.position:.3f}")
            previous_exit = stretch.exit.position
            entry = self._boundary_point(stretch.entry, points, places, names)
            exit_ = self._boundary_point(stretch.exit, points, places, names)
            inside = [
                PortionPoint(names[r], *places[r], points[r].eto, points[r].fl)
                for r in range(math.ceil(stretch.entry.position), math.floor(stretch.exit.position) + 1)
            ]
            text = self._portion_text(expanded, alignment, stretch.entry.position, stretch.exit.position)
            portions.append(Portion(entry, exit_, text, inside))
        return NasRecord(
            callsign=callsign,
            ssr_code=message.get("SSRCODE"),
            aircraft_type=message.get("ARCTYP"),
            wake=message.get("WKTRC"),
            flight_rules=message.get("FLTRUL"),
            flight_type=message.get("FLTTYP"),
            adep=message.get("ADEP"),
            ades=message.get("ADES"),
            portions=portions,
            logic=self.logic,
        )
