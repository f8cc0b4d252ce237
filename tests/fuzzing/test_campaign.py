"""The fuzz campaign machinery: signatures, minimisation, reproducers, classes and the command line."""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fpp.fuzzing import add_parser
from fpp.fuzzing.campaign import minimise_spec, run_campaign
from fpp.fuzzing.compare import CLASSES, classify
from fpp.fuzzing.reproduce import (
    describe_error,
    navdata_supplement,
    signature_of,
    world_from_supplement_text,
    write_reproducer,
)
from fpp.fuzzing.routes import PlanSpec, build_case
from fpp.fuzzing.targets import MODES, TARGETS, run_check, targets_for
from fpp.fuzzing.world import FAR_APART_NM, default_world
from fpp.geo import distance_nm

# A plan of the 2023 pattern that the fuzzer found: a far namesake of an airway point first.
POISON = PlanSpec("N0480F370", ("TIPUR", "ALVIN", "L9", "SHA"), "OPSS", "EINN")
ORDINARY = PlanSpec("N0480F370", ("LND", "UN18", "PEMOB"), "EGHQ", "EIDW")


@pytest.fixture(scope="module")
def world():
    return default_world()


def _failure(spec, world):
    try:
        run_check(TARGETS["legacy-plans"], spec, world)
    except Exception as error:  # noqa: BLE001 - the failure is what the tests look at
        return error
    return None


def test_duplicates_name_places_far_apart(world):
    for name in world.duplicates[:: max(1, len(world.duplicates) // 50)]:
        places = [world.nav.position(int(i)) for i in world.nav.candidates(name)]
        assert max(distance_nm(*a, *b) for a in places for b in places) >= FAR_APART_NM


def test_signature_same_for_one_defect(world):
    other = PlanSpec("N0480F370", ("TIPUR", "DCT", "ALVIN", "L9", "SHA"), "OPSS", "EINN")
    first, second = _failure(POISON, world), _failure(other, world)
    assert first is not None and second is not None
    assert signature_of(first, "legacy-plans") == signature_of(second, "legacy-plans")
    signature = signature_of(first, "legacy-plans")
    assert (signature.exception, signature.code, signature.invariant) == ("CriticalException", "CONV203", "containment")
    assert signature.frames[-1] == "fpp.convert.legacy:convert"


def test_ordinary_plan_passes_both_modes(world):
    for target in ("legacy-plans", "hardened-plans"):
        run_check(TARGETS[target], ORDINARY, world)


def test_minimise_removes_points_the_failure_does_not_need(world):
    padded = PlanSpec("N0480F370", ("TIPUR", "DCT", "ALVIN/N0450F350", "STAY1/0010", "L9", "SHA"), "OPSS", "EINN")
    signature = signature_of(_failure(padded, world), "legacy-plans")
    smaller = minimise_spec(TARGETS["legacy-plans"], padded, signature, world)
    assert len(smaller.tokens) < len(padded.tokens)
    assert signature_of(_failure(smaller, world), "legacy-plans") == signature


def test_classes_of_known_plans(world):
    assert classify(build_case(POISON, world), world) == "legacy-critical-duplicate"
    assert classify(build_case(ORDINARY, world), world) in CLASSES


def test_supplement_holds_every_place_of_every_designator(world):
    case = build_case(POISON, world)
    text = navdata_supplement(POISON, case.adexp_text, world.nav)
    tipur_rows = [line for line in text.splitlines() if line.startswith("POINT TIPUR ")]
    assert len(tipur_rows) == len(world.nav.candidates("TIPUR")) >= 2
    assert "AIRWAY L9" in text
    small = world_from_supplement_text(text)
    assert len(small.nav) < 100
    assert _failure(POISON, small) is not None


def test_reproducer_folder_replays_the_failure(world, tmp_path):
    error = _failure(POISON, world)
    signature = signature_of(error, "legacy-plans")
    description = write_reproducer(tmp_path / "poison", "legacy-plans", POISON, signature, describe_error(error), world, "test")
    folder = Path(description["folder"])
    assert description["navdata"] == "supplement"
    assert (folder / "message.txt").read_text().startswith("-TITLE IFPL")
    assert json.loads((folder / "failure.json").read_text())["key"] == signature.key()
    tests = list(folder.glob("test_*.py"))
    assert len(tests) == 1
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests[0])],
                         check=False, capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stdout[-2000:]
    assert "CONV203" in run.stdout or "containment" in run.stdout


def test_add_parser_registers_the_fuzz_command():
    parser = argparse.ArgumentParser(prog="fpp")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["fuzz", "--minutes", "2", "--workers", "3", "--mode", "legacy", "--seed", "5", "--json",
                              "--database", "db"])
    assert (args.minutes, args.workers, args.mode, args.seed, args.json, args.database) == (2.0, 3, "legacy", 5, True, "db")
    with pytest.raises(SystemExit):
        parser.parse_args(["fuzz", "--mode", "other"])


def test_targets_cover_both_modes():
    assert {t.mode for t in TARGETS.values()} == set(MODES)
    with pytest.raises(ValueError):
        targets_for("other")


def test_short_legacy_campaign_reports_in_json(tmp_path):
    result = run_campaign("legacy", 0.15, 1, 3, tmp_path / "db", tmp_path / "out", progress=None)
    data = result.to_dict()
    assert {"examples", "failures", "time_to_first_failure_s", "seed", "disagreements"} <= set(data)
    assert data["seed"] == 3
    assert data["examples"] > 0
    keys = [failure["key"] for failure in data["failures"]]
    assert len(keys) == len(set(keys))
    for failure in data["failures"]:
        assert Path(failure["folder"], "message.txt").is_file()
    if data["failures"]:
        assert any((tmp_path / "db").iterdir())


@pytest.mark.parametrize("minutes", ["nan", "inf", "0", "-1", "soon"])
def test_fuzz_rejects_bad_minutes(minutes):
    parser = argparse.ArgumentParser(prog="fpp")
    add_parser(parser.add_subparsers(dest="command"))
    with pytest.raises(SystemExit):
        parser.parse_args(["fuzz", "--minutes", minutes])


@pytest.mark.parametrize("option", ["--database", "--out"])
def test_fuzz_rejects_a_file_as_folder(tmp_path, capsys, option):
    from fpp.cli import main

    path = tmp_path / "a-file"
    path.write_text("x")
    others = ["--database", str(tmp_path / "db")] if option == "--out" else ["--out", str(tmp_path / "out")]
    assert main(["fuzz", "--minutes", "0.01", "--workers", "1", "--seed", "1", option, str(path), *others]) == 2
    err = capsys.readouterr().err
    assert f"{option} {path} is a file" in err
    assert path.read_text() == "x"
