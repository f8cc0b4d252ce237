"""Properties the fuzzers check: each function raises :class:`InvariantViolation` when its invariant fails.

The functions take plain values (text, a :class:`~fpp.fuzzing.routes.PlanCase`, a world) and
know nothing of Hypothesis, so the pytest fuzzers, the ``fpp fuzz`` campaign and the reproducer
tests all call the same code. Each violation names its invariant:

``fpp-errors-only``
    a parser or the hardened converter raised an exception that is not an
    :class:`~fpp.errors.FppError` (the hardened converter: not a
    :class:`~fpp.errors.PlanError`).
``error-offset``
    a format error names a token that is not at the offset it gives.
``round-trip``
    parsing what an emitter wrote does not give back what it was given.
``containment``
    a plan moved a channel out of RUNNING, or a delivered message was not counted once.
``self-consistency``
    the hardened converter quarantined a plan that fpp's own IFPS model built, for a reason other
    than a documented ambiguity (``CONV208``, an RTEPTS designator that its neighbours do not settle).
``order``
    the portions of a hardened record are not forward, contiguous stretches of the route in route
    order.
``geography``
    an extracted point lies outside the airspace or away from its place.
``oracle``
    the portions disagree with the independent clipping of :mod:`fpp.fuzzing.oracle`.
``presentation``
    the same message laid out differently (wrapped lines, AFTN envelope) converts differently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime

from fpp.convert.record import NasRecord
from fpp.errors import FormatError, FppError, PlanError
from fpp.formats.adexp import AdexpMessage, emit_adexp, parse_adexp, parse_eto
from fpp.formats.icao import emit_icao, parse_icao
from fpp.formats.item15 import emit_item15, parse_item15, parse_speed_level
from fpp.formats.latlon import parse_adexp_lat, parse_adexp_lon, parse_latlon
from fpp.fuzzing.oracle import OracleVolume
from fpp.fuzzing.routes import PlanCase
from fpp.fuzzing.world import FuzzWorld
from fpp.route.resolve import SAME_PLACE_NM
from fpp.system.channel import Channel, ChannelPair, ChannelState, ChannelTiming, Outcome

__all__ = [
    "ALLOWED_QUARANTINE_CODES",
    "ORACLE_SLACK_NM",
    "TEXT_PARSERS",
    "InvariantViolation",
    "check_adexp_round_trip",
    "check_channel_containment",
    "check_hardened_case",
    "check_icao_round_trip",
    "check_item15_round_trip",
    "check_kernel_twin",
    "check_parsers",
    "check_presentation",
    "check_record",
    "oracle_for",
]

#: Quarantine codes the hardened converter may give a plan that fpp's IFPS model built: the
#: documented ambiguities, where a person must decide.
ALLOWED_QUARANTINE_CODES = frozenset({"CONV208"})

#: Room on top of the boundary tolerance in the comparisons with the oracle [NM]. The converter
#: samples a stretch along the boundary every eighth of the tolerance, so it may accept a stretch
#: that leaves the tolerance by up to a sixteenth of it (0.125 NM at 2 NM) between samples.
ORACLE_SLACK_NM = 0.15

_ARRIVAL = datetime(2023, 8, 28, 8, 0)


class InvariantViolation(AssertionError):
    """A failed property: ``invariant`` names it and ``detail`` describes the failure.

    When an unexpected exception is the failure, it is the ``__cause__``.
    """

    def __init__(self, invariant: str, detail: str) -> None:
        self.invariant = invariant
        self.detail = detail
        super().__init__(f"{invariant}: {detail}")


# -- byte and grammar level ------------------------------------------------------------------------


def _split_messages(text: str) -> object:
    from fpp.formats.stream import split_messages

    return split_messages(text)


#: Every parser of message text, by name; each must return or raise an FppError.
TEXT_PARSERS: dict[str, Callable[[str], object]] = {
    "parse_item15": parse_item15,
    "parse_icao": parse_icao,
    "parse_adexp": parse_adexp,
    "parse_latlon": parse_latlon,
    "parse_adexp_lat": parse_adexp_lat,
    "parse_adexp_lon": parse_adexp_lon,
    "parse_eto": parse_eto,
    "parse_speed_level": parse_speed_level,
    "split_messages": _split_messages,
}

_WHITESPACE = re.compile(r"\s+")


def _check_offset(parser: str, text: str, error: FormatError) -> None:
    """Raise when the first word of the error's token is not at the error's offset in ``text``."""
    token = error.token.split()[0] if error.token.split() else ""
    if not token or error.offset is None or error.code == "SYN101":
        return
    if not 0 <= error.offset < len(text):
        raise InvariantViolation("error-offset", f"{parser}: {error.code} offset {error.offset} is outside the text of length {len(text)}")
    window = _WHITESPACE.sub("", text[error.offset : error.offset + 2 * len(token) + 16].upper())
    if not window.startswith(token.upper()):
        raise InvariantViolation(
            "error-offset",
            f"{parser}: {error.code} names {token!r} at offset {error.offset}, but the text there is "
            f"{text[error.offset : error.offset + len(token) + 8]!r}",
        )


def check_parsers(text: str, parsers: dict[str, Callable[[str], object]] | None = None) -> dict[str, str]:
    """Run every parser on ``text``; only FppError may escape, and format errors must point at their token.

    Returns
    -------
    dict
        The outcome per parser: ``"ok"`` or the error code.
    """
    outcomes: dict[str, str] = {}
    for name, parse in (parsers or TEXT_PARSERS).items():
        try:
            parse(text)
        except FormatError as error:
            _check_offset(name, text, error)
            outcomes[name] = error.code
        except FppError as error:
            outcomes[name] = type(error).__name__
        except Exception as error:
            raise InvariantViolation("fpp-errors-only", f"{name} raised {type(error).__name__}: {error}") from error
        else:
            outcomes[name] = "ok"
    return outcomes


def _elements(text: str) -> tuple:
    item15 = parse_item15(text)
    return (
        item15.speed_level,
        tuple((e.kind, e.text, e.designator, e.lat_deg, e.lon_deg, e.bearing_deg, e.distance_nm, e.change,
               e.cruise_climb_upper, e.rule, e.stay_index, e.stay_minutes) for e in item15.elements),
        item15.truncated,
    )


def check_item15_round_trip(canonical: str, laid_out: str | None = None) -> None:
    """Check that a valid Item 15 parses, survives emit and parse, and that its layout does not matter.

    Parameters
    ----------
    canonical
        A valid Item 15, one space between tokens.
    laid_out
        The same route with other whitespace, line breaks or case, if any.
    """
    try:
        first = _elements(canonical)
        again = _elements(emit_item15(parse_item15(canonical)))
        other = _elements(laid_out) if laid_out is not None else first
    except FormatError as error:
        raise InvariantViolation("round-trip", f"a valid Item 15 was rejected: {error}") from error
    if again != first:
        raise InvariantViolation("round-trip", f"emit_item15 then parse_item15 changed {canonical!r}")
    if other != first:
        raise InvariantViolation("round-trip", f"the layout {laid_out!r} parses differently from {canonical!r}")


def check_adexp_round_trip(message: AdexpMessage, wrap: int | None = None) -> None:
    """Check that ``parse_adexp(emit_adexp(message))`` equals the message apart from offsets.

    A message that ``emit_adexp`` refuses with ValueError (it cannot be written faithfully) is
    not a violation.
    """
    try:
        text = emit_adexp(message, wrap)
    except ValueError:
        return
    try:
        parsed = parse_adexp(text)
    except FormatError as error:
        raise InvariantViolation("round-trip", f"emit_adexp wrote text that parse_adexp rejects: {error}\n{text}") from error
    if parsed.without_offsets() != message.without_offsets():
        raise InvariantViolation("round-trip", f"parse_adexp(emit_adexp(m)) differs from m; the text was\n{text}")


def check_icao_round_trip(text: str, line_length: int | None = 69) -> None:
    """Check that a valid ICAO message parses and that emitting and parsing it again keeps its fields."""
    try:
        first = parse_icao(text)
        second = parse_icao(emit_icao(first, line_length=line_length))
    except FormatError as error:
        raise InvariantViolation("round-trip", f"a valid or emitted ICAO message was rejected: {error}") from error
    keys = ("msg_type", "aircraft_id", "ssr_code", "flight_rules", "flight_type", "number", "aircraft_type", "wake",
            "equipment", "surveillance", "adep", "eobt", "ades", "total_eet", "alternates", "item18", "item19")
    for key in keys:
        if getattr(first, key) != getattr(second, key):
            raise InvariantViolation("round-trip", f"field {key} changed from {getattr(first, key)!r} to {getattr(second, key)!r}")
    if (first.route is None) != (second.route is None) or (
        first.route is not None and _elements(first.route.text) != _elements(second.route.text)
    ):
        raise InvariantViolation("round-trip", "Item 15 changed through emit_icao and parse_icao")


# -- semantic level ----------------------------------------------------------------------------------


_ORACLES: dict[int, tuple[FuzzWorld, OracleVolume]] = {}


def oracle_for(world: FuzzWorld) -> OracleVolume:
    """Return the oracle over the world's airspace, built once per world."""
    cached = _ORACLES.get(id(world))
    if cached is None or cached[0] is not world:
        cached = (world, OracleVolume([(p.lat_deg, p.lon_deg) for p in world.volume.polygons]))
        _ORACLES[id(world)] = cached
    return cached[1]


def check_channel_containment(text: str, converter, stop_on_unexpected: bool) -> Outcome:
    """Deliver one message to a fresh channel pair; both channels must stay RUNNING and it must count once.

    Returns
    -------
    Outcome
        What became of the message.
    """
    pair = ChannelPair(Channel("primary", converter, stop_on_unexpected), Channel("backup", converter, stop_on_unexpected),
                       ChannelTiming(1.0, 5.0, 8.0))
    result = pair.deliver("M1", text, _ARRIVAL)
    counts = pair.counts()
    if sum(counts.values()) != 1 or len(pair.results) != 1:
        raise InvariantViolation("containment", f"one delivered message was counted as {dict(counts)}")
    down = [channel.name for channel in pair.channels if channel.state is not ChannelState.RUNNING]
    if down:
        events = "; ".join(f"{e.source} {e.kind}: {e.detail}" for e in pair.log.events if e.kind == "critical exception")
        violation = InvariantViolation("containment", f"channels {', '.join(down)} left RUNNING: {events}")
        raise violation from _exception_of(converter, text)
    return result.outcome


def _exception_of(converter, text: str) -> BaseException | None:
    """Return the exception that converting ``text`` raises, for the signature and traceback of a violation."""
    try:
        converter.convert(parse_adexp(text))
    except Exception as error:  # noqa: BLE001 - the exception is the value wanted
        return error
    return None


def _route_point_at(case: PlanCase, position: float) -> tuple[float, float]:
    from fpp.geo import interpolate

    points = case.expanded.points
    k = min(math.floor(position), len(points) - 1)
    if k == len(points) - 1:
        return points[k].lat_deg, points[k].lon_deg
    a, b = points[k], points[k + 1]
    return interpolate(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg, position - k)


def _distance_nm(a: tuple[float, float], b: tuple[float, float]) -> float:
    from fpp.geo import distance_nm

    return distance_nm(a[0], a[1], b[0], b[1])


def _check_order(case: PlanCase, record: NasRecord) -> None:
    last = len(case.expanded.points) - 1
    previous_exit = -math.inf
    for number, portion in enumerate(record.portions, start=1):
        entry, exit_ = portion.entry.route_position, portion.exit.route_position
        if not 0 <= entry < exit_ <= last:
            raise InvariantViolation("order", f"portion {number} runs from route position {entry} to {exit_} on a route of {last + 1} points")
        if entry < previous_exit:
            raise InvariantViolation("order", f"portion {number} starts at {entry}, before the previous exit at {previous_exit}")
        previous_exit = exit_
        times = [portion.entry.eto, *(p.eto for p in portion.points), portion.exit.eto]
        known = [t for t in times if t is not None]
        if known != sorted(known):
            raise InvariantViolation("order", f"portion {number} times are not in order: {[t.isoformat() for t in known]}")
        rtepts = case.message.rtepts()
        geo = case.message.geo_points()
        expected = [rtepts[r].ident for r in range(math.ceil(entry), math.floor(exit_) + 1)]
        found = [p.name for p in portion.points]
        # A lat/long point may be named by its position instead of its GEOnn label.
        same = len(found) == len(expected) and all(e in geo or f == e for f, e in zip(found, expected))
        if not same:
            raise InvariantViolation("order", f"portion {number} lists points {found}, RTEPTS between its entry and exit are {expected}")


def _text_problem(case: PlanCase, portion, first: int, last: int, point_tokens: set[int], tokens: list[str]) -> str | None:
    """Why the Item 15 tokens ``first..last`` cannot be the text of ``portion``, or ``None``."""
    if first > 0 and first not in point_tokens:
        return f"starts with {tokens[first]!r}, which is not a point"
    if last < len(tokens) - 1 and last not in point_tokens:
        return f"ends with {tokens[last]!r}, which is not a point"
    entry, exit_ = portion.entry.route_position, portion.exit.route_position
    for k, point in enumerate(case.expanded.points):
        if point.element_index is not None and entry < k < exit_ and not first <= point.element_index <= last:
            return f"leaves out {point.name}, which lies inside it"
    return None


def _check_text(case: PlanCase, record: NasRecord) -> None:
    """Check that each portion's text is a contiguous slice of Item 15, in route order, covering its filed points.

    A route that passes a point twice repeats tokens, so every occurrence of the text after the
    previous portion's is tried.
    """
    tokens = case.message.route.split()[1:]
    point_tokens = {p.element_index for p in case.expanded.points if p.element_index is not None}
    start_from = 0
    for number, portion in enumerate(record.portions, start=1):
        words = portion.route_text.split()
        starts = [i for i in range(start_from, len(tokens) - len(words) + 1) if tokens[i : i + len(words)] == words]
        if not words or not starts:
            raise InvariantViolation("order", f"portion {number} text {portion.route_text!r} is not a slice of Item 15 after token {start_from}")
        problems = [_text_problem(case, portion, i, i + len(words) - 1, point_tokens, tokens) for i in starts]
        good = [i for i, problem in zip(starts, problems) if problem is None]
        if not good:
            raise InvariantViolation("order", f"portion {number} text {portion.route_text!r} {problems[0]}")
        start_from = good[0]


def _check_geography(case: PlanCase, record: NasRecord, world: FuzzWorld, oracle: OracleVolume) -> None:
    tolerance = world.volume.boundary_tolerance_nm
    near = oracle.grown(tolerance + ORACLE_SLACK_NM)
    for number, portion in enumerate(record.portions, start=1):
        for point in portion.points:
            if not near.covers(oracle.position(point.lat_deg, point.lon_deg)):
                raise InvariantViolation("geography", f"portion {number} point {point.name} at {point.lat_deg:.4f} {point.lon_deg:.4f} lies outside the airspace")
        for label, boundary in (("entry", portion.entry), ("exit", portion.exit)):
            on_route = _route_point_at(case, boundary.route_position)
            off = _distance_nm(on_route, (boundary.lat_deg, boundary.lon_deg))
            if off > SAME_PLACE_NM:
                raise InvariantViolation("geography", f"portion {number} {label} {boundary.name} lies {off:.2f} NM from the route at position {boundary.route_position:.4f}")


def _inside(intervals: list[tuple[float, float]], start: float, end: float, slack: float) -> bool:
    return any(a - slack <= start and end <= b + slack for a, b in intervals)


def _check_oracle(case: PlanCase, record: NasRecord, world: FuzzWorld, oracle: OracleVolume) -> None:
    """Compare the portions with the oracle's clipping of the expanded route.

    - Soundness: every portion lies within the tolerance (plus :data:`ORACLE_SLACK_NM`) of the airspace.
    - Completeness: every stretch deeper inside than the tolerance lies in a portion.
    - Entries and exits other than the route's ends lie within the tolerance of an FIR edge.
    """
    tolerance = world.volume.boundary_tolerance_nm + ORACLE_SLACK_NM
    lat = [p.lat_deg for p in case.expanded.points]
    lon = [p.lon_deg for p in case.expanded.points]
    grown = oracle.intervals(lat, lon, oracle.grown(tolerance))
    deep = oracle.intervals(lat, lon, oracle.shrunk(tolerance))
    portions = [(p.entry.route_position, p.exit.route_position) for p in record.portions]
    position_slack = 1e-6
    for number, (entry, exit_) in enumerate(portions, start=1):
        if not _inside(grown, entry, exit_, position_slack):
            raise InvariantViolation("oracle", f"portion {number} ({entry:.4f} to {exit_:.4f}) leaves the airspace by more than {tolerance} NM; the oracle has it near the airspace over {grown}")
    for start, end in deep:
        if not _inside(portions, start, end, position_slack):
            raise InvariantViolation("oracle", f"the route lies deep inside the airspace from {start:.4f} to {end:.4f}, but the portions are {portions}")
    last = len(lat) - 1
    for number, portion in enumerate(record.portions, start=1):
        for label, boundary in (("entry", portion.entry), ("exit", portion.exit)):
            if boundary.route_position in (0.0, float(last)):
                continue
            lower, _ = oracle.edge_distance_bounds_nm(*_route_point_at(case, boundary.route_position))
            if lower > tolerance:
                raise InvariantViolation("oracle", f"portion {number} {label} {boundary.name} at route position {boundary.route_position:.4f} lies {lower:.2f} NM or more from every FIR edge")


def check_record(case: PlanCase, record: NasRecord, world: FuzzWorld) -> None:
    """Check the order, geography and oracle invariants of a hardened record for ``case``."""
    oracle = oracle_for(world)
    _check_order(case, record)
    _check_text(case, record)
    _check_geography(case, record, world, oracle)
    _check_oracle(case, record, world, oracle)


def check_hardened_case(case: PlanCase, world: FuzzWorld) -> NasRecord | PlanError:
    """Convert ``case`` with the hardened converter and check every semantic invariant.

    Returns
    -------
    NasRecord or PlanError
        The record, or the plan error (``CONV200`` or an allowed quarantine).
    """
    try:
        record = world.hardened.convert(case.message)
    except PlanError as error:
        if error.code != "CONV200" and error.code not in ALLOWED_QUARANTINE_CODES:
            raise InvariantViolation("self-consistency", f"a plan fpp's IFPS model built was quarantined: {error}") from error
        _check_no_portion_missed(case, error, world)
        return error
    except Exception as error:
        raise InvariantViolation("fpp-errors-only", f"the hardened converter raised {type(error).__name__}: {error}") from error
    check_record(case, record, world)
    return record


def _check_no_portion_missed(case: PlanCase, error: PlanError, world: FuzzWorld) -> None:
    """Check that a route rejected with CONV200 has no stretch deep inside the airspace."""
    if error.code != "CONV200":
        return
    oracle = oracle_for(world)
    tolerance = world.volume.boundary_tolerance_nm + ORACLE_SLACK_NM
    deep = oracle.intervals([p.lat_deg for p in case.expanded.points], [p.lon_deg for p in case.expanded.points], oracle.shrunk(tolerance))
    if deep:
        raise InvariantViolation("oracle", f"CONV200 for a route that lies deep inside the airspace over {deep}")


def _outcome_key(convert: Callable[[AdexpMessage], NasRecord], message: AdexpMessage) -> object:
    try:
        return convert(message).to_dict()
    except PlanError as error:
        return error.code


def check_presentation(case: PlanCase, world: FuzzWorld) -> None:
    """The hardened result must not depend on line wrapping or on an AFTN envelope."""
    expected = _outcome_key(world.hardened.convert, case.message)
    for wrap, envelope in ((69, False), (None, True)):
        message = parse_adexp(case.adexp_text)
        if envelope:
            message = AdexpMessage(message.fields, True)
        text = emit_adexp(message, wrap)
        found = _outcome_key(world.hardened.convert, parse_adexp(text))
        if found != expected:
            raise InvariantViolation("presentation", f"wrap {wrap}, envelope {envelope}: {found!r} instead of {expected!r}")


# -- the Numba kernels ---------------------------------------------------------------------------

_BATCH_CONVERTERS: dict[int, object] = {}


def _batch_converter(world: FuzzWorld):
    """Return the batch converter over the world's data, built once per world."""
    from fpp.convert.batch import BatchConverter

    converter = _BATCH_CONVERTERS.get(id(world))
    if converter is None:
        converter = _BATCH_CONVERTERS[id(world)] = BatchConverter(world.nav, world.volume, world.hardened.limits)
    return converter


def check_kernel_twin(text: str, world: FuzzWorld) -> None:
    """Check that the Numba batch converter gives the hardened converter's outcome for ``text``.

    The batch converter runs the kernels; the hardened converter is their Python reference. The
    outcomes must be equal: the same record, or a plan error with the same code. A message that
    the kernels hand back to Python (a fallback) gets the reference outcome, so it passes.
    """
    from fpp.convert.batch import KernelMismatchError, reference_outcome

    converter = _batch_converter(world)
    reference = reference_outcome(world.hardened, text)
    expected = reference.code if isinstance(reference, PlanError) else reference.to_dict()
    try:
        result = converter.convert_messages([text])
        outcome = result.outcome(0)
    except KernelMismatchError as error:
        raise InvariantViolation("kernel-twin", str(error)) from error
    except Exception as error:
        raise InvariantViolation("kernel-twin", f"the batch converter raised {type(error).__name__}: {error}") from error
    found = outcome.code if isinstance(outcome, PlanError) else outcome.to_dict()
    if found != expected:
        raise InvariantViolation("kernel-twin", f"the kernels give {found!r}, the hardened converter {expected!r}")
