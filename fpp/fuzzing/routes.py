"""Semantic strategies: flight plans walked over the real navigation graph, with real hazards.

A drawn :class:`PlanSpec` is an ICAO flight plan whose Item 15 follows real airways, DCT legs to
real points and lat/long points around the UK. The strategy injects the hazards that broke real
systems, each drawn from the data rather than listed by hand:

``duplicate``
    a far-away place that shares its designator with a point the route passes (the airway
    intermediate points included) is visited at the start or the end of the route. The
    candidates are found in :attr:`FuzzWorld.duplicates`; no designator is named in the code.
``boundary`` and ``near-boundary``
    lat/long points on an edge of the UK FIR polygons, or a fixed distance off it, around the
    2 NM boundary tolerance.
``loop``
    a DCT back to a point visited earlier, so the route leaves and re-enters the airspace.
``far-start``, ``pole``, ``antimeridian``
    a route that starts on another continent, passes within a minute of the North Pole, or
    crosses the 180th meridian before it reaches Europe.
``change``, ``stay``, ``bearing-distance``
    speed/level change groups, STAY elements and bearing/distance points (``ABC090030``) in the
    route.

``exit-in-leg``
    the route leaves the volume along an airway, several points at a time, so that the last
    point inside is an airway point that Item 15 does not name. Many other airway and DCT legs of
    the walk also cross the boundary between two points.

:func:`build_case` turns a spec into the ADEXP IFPL that fpp's IFPS model
(:func:`fpp.route.ifpl.build_ifpl`) sends; a spec that the model rejects is not a case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from hypothesis import strategies as st

from fpp.errors import PlanError
from fpp.formats.adexp import AdexpMessage, emit_adexp, parse_adexp
from fpp.formats.icao import parse_icao
from fpp.formats.latlon import format_latlon, parse_latlon
from fpp.fuzzing.world import FuzzWorld, default_world, is_point_name
from fpp.geo import destination, initial_bearing_deg, interpolate
from fpp.route.ifpl import build_ifpl
from fpp.route.resolve import ExpandedRoute, resolve_route

__all__ = [
    "HAZARDS",
    "PlanCase",
    "PlanSpec",
    "build_case",
    "plan_cases",
    "plan_specs",
]

#: Labels of the hazards a spec may carry, in the order the strategy tries them.
HAZARDS = (
    "duplicate", "exit-in-leg", "boundary", "near-boundary", "loop", "far-start", "pole", "antimeridian", "change", "stay",
    "bearing-distance",
)

#: Distances off an FIR edge for ``near-boundary`` points: on both sides of the 2 NM tolerance [NM].
NEAR_BOUNDARY_NM = (0.5, 1.9, 2.1, 3.0, 8.0)

_SPEED_LEVELS = ("N0480F370", "N0450F350", "N0420F290", "M082F390", "N0250F150", "K0850S1130", "N0510F410")
_FILING_TIME = datetime(2023, 8, 28, 7, 59)


@dataclass(frozen=True)
class PlanSpec:
    """A drawn flight plan: Item 15 tokens, aerodromes and the hazards that went into it.

    Attributes
    ----------
    speed_level
        The initial speed/level group, such as ``N0480F370``.
    tokens
        Item 15 route elements after the speed/level group.
    adep, ades
        Departure and destination aerodromes.
    hazards
        Labels from :data:`HAZARDS` of the hazards injected, in order.
    callsign, eobt, dof
        Aircraft identification, off-block time ``HHMM`` and date of flight ``YYMMDD``.
    """

    speed_level: str
    tokens: tuple[str, ...]
    adep: str
    ades: str
    hazards: tuple[str, ...] = ()
    callsign: str = "FUZ1"
    eobt: str = "0800"
    dof: str = "230828"

    @property
    def route(self) -> str:
        """The Item 15 text."""
        return " ".join((self.speed_level, *self.tokens))

    def fpl_text(self) -> str:
        """Write the plan as an ICAO FPL message."""
        return (
            f"(FPL-{self.callsign}-IS\n-A359/H-SDE3FGHIJ2J3J4J5M1RWXY/LB1D1\n-{self.adep}{self.eobt}\n"
            f"-{self.route}\n-{self.ades}1100\n-PBN/A1B1 DOF/{self.dof})"
        )


@dataclass(frozen=True)
class PlanCase:
    """A spec with the ADEXP IFPL built for it.

    Attributes
    ----------
    spec
        The drawn plan.
    adexp_text
        The IFPL as text, as a channel receives it.
    message
        ``adexp_text`` parsed.
    expanded
        The route as fpp's IFPS model expanded it.
    """

    spec: PlanSpec
    adexp_text: str = field(repr=False)
    message: AdexpMessage = field(repr=False)
    expanded: ExpandedRoute = field(repr=False)


def build_case(spec: PlanSpec, world: FuzzWorld | None = None) -> PlanCase:
    """Build the ADEXP IFPL that fpp's IFPS model sends for ``spec``.

    Raises
    ------
    PlanError
        When the ICAO parser or the route resolution rejects the plan.
    """
    world = world or default_world()
    fpl = parse_icao(spec.fpl_text())
    if fpl.route is None:
        raise ValueError(f"the spec {spec!r} built an FPL without Item 15")
    expanded = resolve_route(fpl.route, world.nav, fpl.adep, fpl.ades, world.hardened.airway_index)
    ifpl = build_ifpl(fpl, expanded, filing_time=_FILING_TIME, ifplid="AA00000001")
    text = emit_adexp(ifpl)
    return PlanCase(spec, text, parse_adexp(text), expanded)


def _try_build(world: FuzzWorld):
    def build(spec: PlanSpec) -> PlanCase | None:
        try:
            return build_case(spec, world)
        except PlanError:
            return None

    return build


def plan_cases(world: FuzzWorld | None = None, hazards: bool = True) -> st.SearchStrategy[PlanCase]:
    """Strategy of :class:`PlanCase`: drawn specs that fpp's IFPS model accepts."""
    world = world or default_world()
    return plan_specs(world, hazards).map(_try_build(world)).filter(lambda case: case is not None)


# -- the walk --------------------------------------------------------------------------------------


@dataclass
class _Walk:
    """The state of a route being drawn: its tokens and its current position."""

    world: FuzzWorld
    tokens: list[str] = field(default_factory=list)
    hazards: list[str] = field(default_factory=list)
    lat_deg: float = 0.0
    lon_deg: float = 0.0
    point: int | None = None
    last_is_point: bool = False
    visited: list[int] = field(default_factory=list)
    passed: list[int] = field(default_factory=list)  # every named point, airway points included
    start: tuple[float, float] | None = None

    def name(self, index: int) -> str:
        return self.world.nav.point_name(index)

    def go_to_point(self, index: int, via: tuple[str, ...] = ("DCT",)) -> None:
        self.tokens.extend(via)
        self.tokens.append(self.name(index))
        self.point = index
        self.lat_deg, self.lon_deg = self.world.nav.position(index)
        self.start = self.start or (self.lat_deg, self.lon_deg)
        self.visited.append(index)
        self.passed.append(index)
        self.last_is_point = True

    def go_to_position(self, text: str, via: tuple[str, ...] = ("DCT",)) -> None:
        self.tokens.extend(via)
        self.tokens.append(text)
        self.point = None
        self.lat_deg, self.lon_deg = parse_latlon(text)
        self.start = self.start or (self.lat_deg, self.lon_deg)
        self.last_is_point = True


def _airway_step(draw: st.DrawFn, walk: _Walk) -> None:
    """Fly along a real airway from the current point to another of its points."""
    links = walk.world.links.get(walk.point) if walk.point is not None else None
    if not links:
        _point_step(draw, walk)
        return
    link = draw(st.sampled_from(links))
    piece = walk.world.airway_piece(link)
    steps = draw(st.integers(1, 10))
    forward = draw(st.booleans())
    target = link.position + steps if forward else link.position - steps
    target = min(max(target, 0), len(piece) - 1)
    end = int(piece[target])
    if target == link.position or not is_point_name(walk.name(end)) or not _AIRWAY_NAME.fullmatch(link.airway):
        _point_step(draw, walk)
        return
    if target > link.position:
        walk.passed.extend(int(p) for p in piece[link.position + 1 : target])
    else:
        walk.passed.extend(int(p) for p in piece[target + 1 : link.position][::-1])
    walk.go_to_point(end, via=(link.airway,))


def _point_step(draw: st.DrawFn, walk: _Walk) -> None:
    """Fly DCT to the region airway point nearest to a drawn bearing and distance."""
    bearing = draw(st.integers(0, 359))
    distance = draw(st.integers(20, 400))
    index = walk.world.nearest_region_point(*destination(walk.lat_deg, walk.lon_deg, bearing, distance))
    if index == walk.point:
        return
    implied = draw(st.booleans()) and not walk.world.nav.is_airway(walk.name(index))
    walk.go_to_point(index, via=() if implied else ("DCT",))


def _latlon_step(draw: st.DrawFn, walk: _Walk) -> None:
    """Fly DCT to a lat/long point at a drawn bearing and distance, in a drawn text form."""
    bearing = draw(st.integers(0, 359))
    distance = draw(st.integers(20, 400))
    lat, lon = destination(walk.lat_deg, walk.lon_deg, bearing, distance)
    walk.go_to_position(format_latlon(lat, lon, draw(st.sampled_from(("icao11", "icao7", "icao15")))))


def _boundary_step(draw: st.DrawFn, walk: _Walk, near: bool) -> None:
    """Fly DCT to a point on an FIR edge of the volume, or a fixed distance off it."""
    polygons = walk.world.volume.polygons
    polygon = polygons[draw(st.integers(0, len(polygons) - 1))]
    count = len(polygon.lat_deg)
    edge = draw(st.integers(0, count - 1))
    lat1, lon1 = float(polygon.lat_deg[edge]), float(polygon.lon_deg[edge])
    lat2, lon2 = float(polygon.lat_deg[(edge + 1) % count]), float(polygon.lon_deg[(edge + 1) % count])
    lat, lon = interpolate(lat1, lon1, lat2, lon2, draw(st.integers(0, 100)) / 100.0)
    if near:
        off_nm = draw(st.sampled_from(NEAR_BOUNDARY_NM))
        side = draw(st.sampled_from((90.0, 270.0)))
        lat, lon = destination(lat, lon, initial_bearing_deg(lat1, lon1, lat2, lon2) + side, off_nm)
    walk.go_to_position(format_latlon(lat, lon, draw(st.sampled_from(("icao15", "icao11")))))
    walk.hazards.append("near-boundary" if near else "boundary")


def _leave_step(draw: st.DrawFn, walk: _Walk) -> None:
    """Leave the volume along an airway, so the exit lies inside a leg and the route ends outside."""
    world = walk.world
    if walk.point is None or not world.volume.contains(walk.lat_deg, walk.lon_deg):
        if not len(world.inside_points):
            return
        walk.go_to_point(int(world.inside_points[draw(st.integers(0, len(world.inside_points) - 1))]))
    links = world.links.get(walk.point, [])
    options = []
    for link in links:
        piece = world.airway_piece(link)
        for target in (link.position + 3, link.position + 10, link.position - 3, link.position - 10):
            target = min(max(target, 0), len(piece) - 1)
            end = int(piece[target])
            if abs(target - link.position) >= 2 and not world.volume.contains(*world.nav.position(end)):
                options.append((link, target))
    if not options:
        return
    link, target = draw(st.sampled_from(options))
    piece = world.airway_piece(link)
    end = int(piece[target])
    if not is_point_name(walk.name(end)) or not _AIRWAY_NAME.fullmatch(link.airway):
        return
    if target > link.position:
        walk.passed.extend(int(p) for p in piece[link.position + 1 : target])
    else:
        walk.passed.extend(int(p) for p in piece[target + 1 : link.position][::-1])
    walk.go_to_point(end, via=(link.airway,))
    walk.hazards.append("exit-in-leg")


def _bearing_step(draw: st.DrawFn, walk: _Walk) -> None:
    """Fly DCT to a bearing/distance point from a region point near the current position."""
    reference = walk.world.nearest_region_point(walk.lat_deg, walk.lon_deg)
    name = walk.name(reference)
    bearing, distance = draw(st.integers(0, 360)), draw(st.integers(1, 150))
    walk.tokens.extend(("DCT", f"{name}{bearing:03d}{distance:03d}"))
    walk.point = None
    walk.lat_deg, walk.lon_deg = destination(*walk.world.nav.position(reference), float(bearing), float(distance))
    walk.last_is_point = True
    walk.hazards.append("bearing-distance")


def _revisit_step(draw: st.DrawFn, walk: _Walk) -> None:
    """Fly DCT back to a point visited earlier."""
    earlier = sorted(set(walk.visited) - {walk.point})
    if not earlier:
        _point_step(draw, walk)
        return
    walk.go_to_point(draw(st.sampled_from(earlier)))
    walk.hazards.append("loop")


def _change_step(draw: st.DrawFn, walk: _Walk) -> None:
    """Add a speed/level change group to the last point."""
    if not walk.last_is_point or "/" in walk.tokens[-1]:
        return
    walk.tokens[-1] += "/" + draw(st.sampled_from(_SPEED_LEVELS))
    walk.hazards.append("change")


def _stay_step(draw: st.DrawFn, walk: _Walk) -> None:
    """Add a STAY element after the last point."""
    if not walk.last_is_point:
        return
    hours, minutes = draw(st.integers(0, 2)), draw(st.integers(0, 59))
    walk.tokens.append(f"STAY{draw(st.integers(1, 9))}/{hours:02d}{minutes:02d}")
    walk.last_is_point = False
    walk.hazards.append("stay")


_STEPS = {
    "airway": _airway_step,
    "point": _point_step,
    "latlon": _latlon_step,
    "boundary": lambda draw, walk: _boundary_step(draw, walk, near=False),
    "near-boundary": lambda draw, walk: _boundary_step(draw, walk, near=True),
    "revisit": _revisit_step,
    "bearing-distance": _bearing_step,
    "change": _change_step,
    "stay": _stay_step,
}
_PLAIN_STEPS = ("airway", "point", "airway", "latlon")
#: Step kinds drawn with hazards on; airways come often because most real legs follow them.
_HAZARD_STEPS = (
    "airway", "point", "airway", "latlon", "airway", "boundary", "near-boundary", "revisit", "change", "stay", "bearing-distance",
)
_AIRWAY_NAME = re.compile(r"[A-Z][A-Z0-9]{1,6}")


def _start(draw: st.DrawFn, walk: _Walk, hazards: bool) -> None:
    """Draw the first point, with a far, polar or trans-Pacific lead-in when hazards are on."""
    world = walk.world
    starts = world.near_points if len(world.near_points) else world.region_points
    first = int(starts[draw(st.integers(0, len(starts) - 1))])
    kind = draw(st.sampled_from(("region", "far-start", "pole", "antimeridian"))) if hazards else "region"
    if kind == "far-start":
        far = int(world.far_points[draw(st.integers(0, len(world.far_points) - 1))])
        walk.go_to_point(far, via=())
    elif kind == "pole":
        walk.go_to_position(draw(st.sampled_from(_POLAR_POINTS)), via=())
    elif kind == "antimeridian":
        lat = draw(st.integers(20, 70))
        east = format_latlon(lat, 179.5, "icao11")
        west = format_latlon(lat + draw(st.integers(-2, 2)) * 0.5, -179.5, "icao11")
        walk.go_to_position(east, via=())
        walk.go_to_position(west)
    if kind != "region":
        walk.hazards.append(kind)
    walk.go_to_point(first, via=("DCT",) if walk.tokens else ())


_POLAR_POINTS = ("9000N00000E", "8959N00000E", "895959N1795959W", "9000N12000W", "8500N15000W")


def _duplicate(draw: st.DrawFn, walk: _Walk) -> tuple[float, float] | None:
    """Visit, at the start or the end, a far place named like a point the route passes.

    Returns the position of the place when it was put at the start, else ``None``.
    """
    world = walk.world
    nav = world.nav
    named = {token.split("/")[0] for token in walk.tokens}
    candidates = []
    for point in reversed(walk.passed):
        name = nav.point_name(point)
        if name not in named and name not in candidates and world.is_duplicate(name) and is_point_name(name):
            candidates.append(name)
    if candidates:
        name = draw(st.sampled_from(candidates))
        near = next(p for p in walk.passed if nav.point_name(p) == name)
        twins = world.far_twins(name, *nav.position(near))
    else:
        name = draw(st.sampled_from([d for d in world.duplicates if is_point_name(d)]))
        twins = nav.candidates(name).tolist()
    twins = [twin for twin in twins if world.within_reach(*nav.position(twin))]
    if not twins:
        return None
    twin = draw(st.sampled_from(twins))
    walk.hazards.append("duplicate")
    if draw(st.booleans()):
        walk.tokens[:0] = [name, "DCT"]
        return nav.position(twin)
    walk.tokens += ["DCT", name]
    walk.lat_deg, walk.lon_deg = nav.position(twin)
    return None


@st.composite
def plan_specs(draw: st.DrawFn, world: FuzzWorld | None = None, hazards: bool = True) -> PlanSpec:
    """Draw a flight plan walked over the real navigation graph.

    Parameters
    ----------
    world
        The fuzzing world; the default data when omitted.
    hazards
        Inject the hazards of the module docstring; without them the walk uses airways, DCT
        legs to named points and lat/long points only.
    """
    world = world or default_world()
    walk = _Walk(world)
    _start(draw, walk, hazards)
    first = walk.start or (walk.lat_deg, walk.lon_deg)
    steps = _HAZARD_STEPS if hazards else _PLAIN_STEPS
    for _ in range(draw(st.integers(0, 6))):
        _STEPS[draw(st.sampled_from(steps))](draw, walk)
    if hazards and draw(st.booleans()):
        _leave_step(draw, walk)
    if hazards and draw(st.booleans()):
        moved = _duplicate(draw, walk)
        if moved is not None:
            first = moved
    adep = world.nearest_airport(*first)
    ades = world.nearest_airport(walk.lat_deg, walk.lon_deg, exclude=adep)
    return PlanSpec(draw(st.sampled_from(_SPEED_LEVELS)), tuple(walk.tokens), adep, ades, tuple(walk.hazards))
