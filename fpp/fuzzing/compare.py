"""Legacy against hardened: every difference between the two converters, put in a named class.

:func:`classify` runs both converters on one case and returns one of :data:`CLASSES`. The
classes are checked in the order of the table, so each case gets the first that fits. A
difference that fits none is ``unclassified``; the fuzzers treat that as a failure, so that a new
kind of difference cannot pass unnoticed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from fpp.convert.record import NasRecord
from fpp.errors import CriticalException, PlanError
from fpp.fuzzing.routes import PlanCase
from fpp.fuzzing.world import FuzzWorld
from fpp.geo import distance_nm
from fpp.route.resolve import SAME_PLACE_NM

__all__ = ["CLASSES", "classify", "count_classes", "hardened_outcome", "legacy_outcome"]

#: The classes, in the order they are tried, with what each means.
CLASSES: dict[str, str] = {
    "legacy-critical-duplicate": "the legacy logic stopped: the designator it matched for the exit names two places on the route (the 2023 pattern)",
    "legacy-critical-loop": "the legacy logic stopped: the designator it matched is one place that the route passes twice",
    "legacy-crash": "the legacy logic raised an exception that is neither a plan error nor its critical exception",
    "legacy-duplicate-membership": "the legacy logic took a point outside the airspace for a UK point because a UK point has its designator",
    "legacy-missed-crossing": "the route crosses the airspace between RTEPTS points, none of them inside: legacy finds no UK flight (CONV200)",
    "boundary-touch": "the difference comes from a route point within the boundary tolerance of an FIR edge",
    "reentry": "the route leaves and re-enters: the hardened record has several portions, the legacy one",
    "legacy-inner-text": "the entry or exit lies inside a leg: the legacy text runs between the UK points Item 15 names, the hardened text adds the points around the crossings",
    "legacy-wrong-portion": "both convert, but the legacy portion text differs from the hardened one",
    "hardened-quarantine": "the hardened logic quarantines a plan (a documented ambiguity) that the legacy logic converts",
    "legacy-refuses": "the legacy logic rejects a plan that the hardened logic converts, for a reason other than CONV200",
    "agree": "both give the same portion text, or both refuse the plan",
    "both-refuse": "both refuse the plan, with different error codes",
    "unclassified": "a difference that fits no class above",
}


def legacy_outcome(case: PlanCase, world: FuzzWorld) -> NasRecord | PlanError | CriticalException | Exception:
    """Run the legacy converter and return its record, plan error, critical exception or other exception."""
    try:
        return world.legacy.convert(case.message)
    except Exception as error:  # noqa: BLE001 - every outcome is a value to classify
        return error


def hardened_outcome(case: PlanCase, world: FuzzWorld) -> NasRecord | Exception:
    """Run the hardened converter and return its record or the exception it raised."""
    try:
        return world.hardened.convert(case.message)
    except Exception as error:  # noqa: BLE001 - every outcome is a value to classify
        return error


def _false_members(case: PlanCase, world: FuzzWorld) -> list[str]:
    """Return the RTEPTS designators in the UK table whose place on this route lies outside the airspace."""
    found = []
    for point in case.expanded.points:
        if point.name in world.uk_points and not world.volume.contains(point.lat_deg, point.lon_deg):
            found.append(point.name)
    return found


def _places_apart(case: PlanCase, designator: str) -> bool:
    """Test whether the route passes two places named ``designator`` more than SAME_PLACE_NM apart."""
    places = [(p.lat_deg, p.lon_deg) for p in case.expanded.points if p.name == designator]
    return any(distance_nm(*a, *b) > SAME_PLACE_NM for a in places for b in places)


def _touches_boundary(case: PlanCase, world: FuzzWorld) -> bool:
    return any(world.volume.on_boundary(p.lat_deg, p.lon_deg) for p in case.expanded.points)


def _single_text(record: NasRecord) -> str:
    return " ".join(portion.route_text for portion in record.portions)


def classify(case: PlanCase, world: FuzzWorld) -> str:
    """Return the class from :data:`CLASSES` of the two converters' results on ``case``."""
    legacy = legacy_outcome(case, world)
    hardened = hardened_outcome(case, world)

    if isinstance(legacy, CriticalException):
        token = legacy.cause.token if legacy.cause is not None else ""
        return "legacy-critical-duplicate" if _places_apart(case, token) else "legacy-critical-loop"
    if not isinstance(legacy, (NasRecord, PlanError)):
        return "legacy-crash"
    if not isinstance(hardened, (NasRecord, PlanError)):
        return "unclassified"

    legacy_converts = isinstance(legacy, NasRecord)
    hardened_converts = isinstance(hardened, NasRecord)
    if legacy_converts and hardened_converts and len(hardened.portions) == 1 and _single_text(legacy) == _single_text(hardened):
        return "agree"
    if not legacy_converts and not hardened_converts:
        return "agree" if legacy.code == hardened.code else "both-refuse"

    if legacy_converts and _false_members(case, world):
        return "legacy-duplicate-membership"
    if not legacy_converts and legacy.code == "CONV200":
        return "boundary-touch" if _touches_boundary(case, world) and len(hardened.portions) == 1 else "legacy-missed-crossing"
    if not legacy_converts:
        return "legacy-refuses"
    if isinstance(hardened, PlanError):
        if hardened.code == "CONV200":
            return "boundary-touch" if _touches_boundary(case, world) else "unclassified"
        return "hardened-quarantine"
    if len(hardened.portions) > 1:
        return "reentry"
    if _touches_boundary(case, world):
        return "boundary-touch"
    if _is_slice(_single_text(legacy).split(), _single_text(hardened).split()):
        return "legacy-inner-text"
    return "legacy-wrong-portion"


def _is_slice(inner: list[str], outer: list[str]) -> bool:
    """Test whether ``inner`` is a contiguous, shorter part of ``outer``."""
    return len(inner) < len(outer) and any(outer[k : k + len(inner)] == inner for k in range(len(outer) - len(inner) + 1))


def count_classes(cases: Iterable[PlanCase], world: FuzzWorld) -> Counter[str]:
    """Count the classes of many cases."""
    return Counter(classify(case, world) for case in cases)
