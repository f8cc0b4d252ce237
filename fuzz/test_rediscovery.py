"""Rediscovery: from an empty example database, the fuzzer finds a plan that stops the legacy channels.

The strategies know the hazards (duplicate designators from the data, exits inside a leg) but no
plan, designator or place of 28 August 2023; the last test checks that the fuzzing code names none.
"""

import re
from pathlib import Path

import fpp.fuzzing
from fpp.errors import PlanError
from fpp.fuzzing.campaign import _spec_variants, search
from fpp.fuzzing.compare import classify
from fpp.fuzzing.profiles import fuzz_profile, fuzz_seed
from fpp.fuzzing.properties import InvariantViolation, check_channel_containment
from fpp.fuzzing.reproduce import signature_of
from fpp.fuzzing.routes import build_case
from fpp.fuzzing.targets import TARGETS, run_check
from fpp.fuzzing.world import default_world

#: Examples the search may take, by profile; the ci seed needs fewer (see fuzz/README.md).
BUDGET = {"dev": 3000, "ci": 3000, "nightly": 10000}


def test_empty_database_search_stops_the_legacy_channels():
    world = default_world()
    result = search("legacy-plans", fuzz_seed(), BUDGET[fuzz_profile()], world, database=None)
    assert result.failure is not None, f"no failure in {result.examples} examples (seed {fuzz_seed()})"
    signature = result.failure.signature
    assert (signature.exception, signature.code, signature.invariant) == ("CriticalException", "CONV203", "containment")

    spec = result.failure.value
    case = build_case(spec, world)
    try:
        check_channel_containment(case.adexp_text, world.legacy, stop_on_unexpected=True)
    except InvariantViolation as violation:
        assert "primary" in violation.detail
        assert "backup" in violation.detail
    else:
        raise AssertionError(f"the reproducer {spec!r} does not stop the legacy channels")
    assert classify(case, world) in ("legacy-critical-duplicate", "legacy-critical-loop")

    # Minimal: removing any point, STAY or change group makes the plan invalid or harmless.
    for smaller in _spec_variants(spec):
        try:
            run_check(TARGETS["legacy-plans"], smaller, world)
        except InvariantViolation as error:
            assert signature_of(error, "legacy-plans") != signature, f"{smaller.route} still fails"
        except PlanError:
            continue  # the smaller plan is invalid, which is what minimal means here


def test_fuzzing_code_names_nothing_of_the_2023_plan():
    folder = Path(fpp.fuzzing.__file__).parent
    names = re.compile(r"\b(DVL|SITET|APSOV|ETRAT|FBU731|LFPO|KLAX)\b")
    for source in sorted(folder.glob("*.py")):
        found = names.findall(source.read_text(encoding="utf-8"))
        assert not found, f"{source.name} names {sorted(set(found))}"
