"""The fuzz targets: a strategy and a property each, grouped by the converter logic they attack.

A :class:`Target` pairs a strategy factory with a check. The campaign (``fpp fuzz``), the pytest
fuzzers and the reproducers all run targets through :func:`run_check`, so a failure found by
one is replayed the same way by the others.

``legacy`` targets deliver generated plans to a legacy channel pair and fail when a channel
leaves RUNNING; their failures are the 2023 defect, expected and reported. ``hardened`` targets
check every invariant of :mod:`fpp.fuzzing.properties` against the hardened logic and the
parsers; a failure there is a defect to fix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from fpp.fuzzing import grammar, properties
from fpp.fuzzing.compare import classify
from fpp.fuzzing.routes import PlanCase, PlanSpec, build_case, plan_cases
from fpp.fuzzing.world import FuzzWorld

__all__ = ["MODES", "TARGETS", "Target", "run_check", "targets_for"]

#: Converter logics a campaign can attack.
MODES = ("legacy", "hardened")


@dataclass(frozen=True)
class Target:
    """One fuzz target.

    Attributes
    ----------
    name
        Stable name, used in signatures and reproducers.
    mode
        ``"legacy"`` or ``"hardened"``.
    argument
        Name of the drawn value in generated reproducers: ``spec`` (a :class:`PlanSpec`),
        ``text`` or ``pair``.
    strategy
        Builds the strategy from the world.
    check
        Raises :class:`~fpp.fuzzing.properties.InvariantViolation` when the property fails.
    """

    name: str
    mode: str
    argument: str
    strategy: Callable[[FuzzWorld], st.SearchStrategy[Any]]
    check: Callable[[Any, FuzzWorld], None]


def _plan_specs(world: FuzzWorld) -> st.SearchStrategy[PlanSpec]:
    def remember(case: PlanCase) -> PlanSpec:
        if len(_CASES) >= _CASES_MAX:
            _CASES.clear()
        _CASES[(id(world), case.spec)] = case
        return case.spec

    return plan_cases(world).map(remember)


_CASES: dict[tuple[int, PlanSpec], PlanCase] = {}
_CASES_MAX = 512


def _case(spec: PlanSpec, world: FuzzWorld) -> PlanCase:
    """Build the case of a spec, reusing the one the strategy just built."""
    key = (id(world), spec)
    case = _CASES.get(key)
    if case is None:
        if len(_CASES) >= _CASES_MAX:
            _CASES.clear()
        case = _CASES[key] = build_case(spec, world)
    return case


def _check_legacy_plan(spec: PlanSpec, world: FuzzWorld) -> None:
    properties.check_channel_containment(_case(spec, world).adexp_text, world.legacy, stop_on_unexpected=True)


def _check_hardened_plan(spec: PlanSpec, world: FuzzWorld) -> None:
    case = _case(spec, world)
    properties.check_channel_containment(case.adexp_text, world.hardened, stop_on_unexpected=False)
    properties.check_hardened_case(case, world)
    properties.check_presentation(case, world)


def _check_kernel_plan(spec: PlanSpec, world: FuzzWorld) -> None:
    properties.check_kernel_twin(_case(spec, world).adexp_text, world)


def _check_kernel_message(text: str, world: FuzzWorld) -> None:
    properties.check_kernel_twin(text, world)


def _known_points(world: FuzzWorld) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted({world.nav.point_name(int(p)) for p in world.near_points}))


def _known_aerodromes(world: FuzzWorld) -> st.SearchStrategy[str]:
    names = sorted(world.nav.airports)
    return st.sampled_from(names[: min(len(names), 4000)])


def _ifpl_texts(world: FuzzWorld) -> st.SearchStrategy[str]:
    from fpp.formats.adexp import emit_adexp

    return grammar.ifpl_messages(_known_points(world), _known_aerodromes(world)).map(emit_adexp)


def _check_hardened_message(text: str, world: FuzzWorld) -> None:
    from fpp.errors import PlanError
    from fpp.formats.adexp import parse_adexp

    properties.check_channel_containment(text, world.hardened, stop_on_unexpected=False)
    try:
        world.hardened.convert(parse_adexp(text))
    except PlanError:
        return
    except Exception as error:
        raise properties.InvariantViolation("fpp-errors-only", f"the hardened converter raised {type(error).__name__}: {error}") from error


def _check_hostile(text: str, world: FuzzWorld) -> None:
    properties.check_parsers(text)
    properties.check_channel_containment(text, world.hardened, stop_on_unexpected=False)


def _item15_pairs(world: FuzzWorld) -> st.SearchStrategy[tuple[str, str]]:
    return grammar.item15_texts().flatmap(lambda text: st.tuples(st.just(text), grammar.layouts(text)))


def _check_round_trips(pair: tuple[str, str], world: FuzzWorld) -> None:
    properties.check_item15_round_trip(*pair)


def _adexp_texts(world: FuzzWorld) -> st.SearchStrategy[str]:
    from fpp.formats.adexp import emit_adexp

    def written(message):
        try:
            return emit_adexp(message)
        except ValueError:
            return "-TITLE IFPL"

    return grammar.adexp_messages().map(written)


def _check_adexp_text(text: str, world: FuzzWorld) -> None:
    from fpp.formats.adexp import parse_adexp

    message = parse_adexp(text)
    for wrap in (None, 25, 69):
        properties.check_adexp_round_trip(message.without_offsets(), wrap)


def _check_icao_text(text: str, world: FuzzWorld) -> None:
    properties.check_icao_round_trip(text)


TARGETS: dict[str, Target] = {
    target.name: target
    for target in (
        Target("legacy-plans", "legacy", "spec", _plan_specs, _check_legacy_plan),
        Target("hardened-plans", "hardened", "spec", _plan_specs, _check_hardened_plan),
        Target("hardened-messages", "hardened", "text", _ifpl_texts, _check_hardened_message),
        Target("kernel-plans", "hardened", "spec", _plan_specs, _check_kernel_plan),
        Target("kernel-messages", "hardened", "text", _ifpl_texts, _check_kernel_message),
        Target("hostile-text", "hardened", "text", lambda world: grammar.hostile_texts(), _check_hostile),
        Target("item15-round-trip", "hardened", "pair", _item15_pairs, _check_round_trips),
        Target("adexp-round-trip", "hardened", "text", _adexp_texts, _check_adexp_text),
        Target("icao-round-trip", "hardened", "text", lambda world: grammar.icao_texts(), _check_icao_text),
    )
}


def targets_for(mode: str) -> list[Target]:
    """Return the targets of one mode, in a fixed order.

    Raises
    ------
    ValueError
        For a mode other than those of :data:`MODES`.
    """
    if mode not in MODES:
        raise ValueError(f"unknown fuzz mode {mode!r}; use one of {', '.join(MODES)}")
    return [target for target in TARGETS.values() if target.mode == mode]


def run_check(target: Target, value: Any, world: FuzzWorld, classes: Counter[str] | None = None) -> None:
    """Run a target's check on one value; count the legacy/hardened class of plans in ``classes``."""
    if classes is not None and target.argument == "spec":
        classes[classify(_case(value, world), world)] += 1
    target.check(value, world)
