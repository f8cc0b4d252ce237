"""The August 2023 replay end to end, on the default data and the scenario's files."""

import json
import pytest

from fpp.cli import main
from fpp.formats.adexp import emit_adexp, parse_adexp
from fpp.formats.icao import parse_icao
from fpp.replay import format_replay, run_replay
from fpp.route.ifpl import build_ifpl
from fpp.route.resolve import resolve_route
from fpp.scenario import Scenario

UK_ROUTE = "APSOV SOSIM L15 KEPAD L151 KIDLI UN859 GWC UN859 LGL"


@pytest.fixture(scope="module")
def scenario():
    return Scenario.load("aug2023")


@pytest.fixture(scope="module")
def result(scenario, tmp_path_factory):
    return run_replay(scenario, out_dir=tmp_path_factory.mktemp("replay"))


def test_stored_adexp_is_the_expansion_of_the_fpl(scenario):
    nav = scenario.navdata()
    plan = scenario.section("plan")
    fpl = parse_icao(scenario.path(plan["fpl"]).read_text())
    expanded = resolve_route(fpl.route, nav, fpl.adep, fpl.ades)
    filing = scenario.local_to_utc(plan["filing_time_local"])
    built = build_ifpl(fpl, expanded, filing_time=filing, ifplid=plan["ifplid"])
    stored = parse_adexp(scenario.path(plan["adexp"]).read_text())
    assert emit_adexp(built) == emit_adexp(stored)


def test_expansion_picks_each_dvl_by_context(scenario):
    nav = scenario.navdata()
    stored = parse_adexp(scenario.path("fbu731.adexp").read_text())
    idents = [p.ident for p in stored.rtepts()]
    assert idents.count("DVL") == 2
    assert idents[idents.index("SITET") + 1 : idents.index("SITET") + 4] == ["ETRAT", "DVL", "LGL"]
    fpl = parse_icao(scenario.path("fbu731.fpl").read_text())
    expanded = resolve_route(fpl.route, nav, fpl.adep, fpl.ades)
    dvl = [p for p in expanded.points if p.name == "DVL"]
    assert dvl[0].lat_deg == pytest.approx(48.1152, abs=0.01)
    assert dvl[0].lon_deg == pytest.approx(-98.9125, abs=0.01)
    assert dvl[1].lat_deg == pytest.approx(49.3108, abs=0.01)
    assert dvl[1].lon_deg == pytest.approx(0.3127, abs=0.01)


def test_legacy_stops_both_channels_for_the_documented_reason(result):
    legacy = result["legacy"]
    assert legacy["channels"] == {"primary": "MAINTENANCE", "backup": "MAINTENANCE"}
    assert "exit DVL" in legacy["error"]
    assert "before entry APSOV" in legacy["error"]
    assert legacy["trace"][0] == "RTEPTS: UK entry APSOV (point 26), UK exit SITET (point 46)"
    assert "search Item 15 backward for exit SITET: not found" in legacy["trace"]
    assert "search Item 15 backward for next RTEPTS point ETRAT: not found" in legacy["trace"]
    assert "search Item 15 backward for next RTEPTS point DVL: found at token 12" in legacy["trace"]
    assert 0 < legacy["seconds_to_both_down"] < 20


def test_legacy_converts_normal_traffic_first_and_then_queues(result):
    legacy, traffic = result["legacy"], result["traffic"]
    assert legacy["counts"]["converted"] == traffic["plans_before"]
    assert legacy["counts"]["pending"] == traffic["plans_after"] + 1
    assert sum(legacy["counts"].values()) == legacy["delivered"]
    kinds = [e["kind"] for e in legacy["events"]]
    assert kinds.index("takeover") < kinds.index("no channel running")
    assert kinds.count("maintenance") == 2


def test_hardened_returns_the_uk_portion_and_keeps_running(result):
    hardened = result["hardened"]
    assert hardened["channels"] == {"primary": "RUNNING", "backup": "RUNNING"}
    assert hardened["outcome"] == "converted"
    portions = hardened["portions"]
    assert portions[0]["entry"]["name"] == "APSOV"
    assert portions[-1]["exit"]["name"] == "SITET"
    assert portions[-1]["route"] == UK_ROUTE
    assert hardened["counts"] == {"converted": result["legacy"]["delivered"]}


def test_hardened_reports_the_shannon_gap_of_the_default_polygons(result):
    # In the 2013 FIR polygons the leg APSOV-SOSIM crosses a notch of the Shannon FIR (EISN)
    # over Donegal, so the route leaves UK airspace and re-enters it.
    hardened = result["hardened"]
    assert len(hardened["portions"]) == 2
    assert hardened["gaps"] == [{"after_portion": 1, "airspaces": ["EISN"]}]
    first, second = hardened["portions"]
    assert 25 < first["exit"]["route_position"] < second["entry"]["route_position"] < 26


def test_map_is_written(result):
    with open(result["map"], "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_text_output_names_every_stage(result):
    text = format_replay(result)
    assert "LEGACY" in text
    assert "HARDENED" in text
    assert "primary MAINTENANCE, backup MAINTENANCE" in text
    assert f"route: {UK_ROUTE}" in text


def test_cli_json_has_the_documented_keys(tmp_path, capsys):
    assert main(["replay", "aug2023", "--json", "--out", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["legacy"]["channels"].values()) == {"MAINTENANCE"}
    assert data["legacy"]["error"]
    assert data["hardened"]["portions"][-1]["entry"]["name"]
    assert data["hardened"]["portions"][-1]["route"] == UK_ROUTE
    assert data["map"].endswith(".png")
    assert data["seed"] == 20230828


def test_replay_is_deterministic_for_a_seed(scenario, tmp_path):
    first = run_replay(scenario, out_dir=tmp_path, seed=7)
    second = run_replay(scenario, out_dir=tmp_path, seed=7)
    assert first["legacy"]["events"] == second["legacy"]["events"]
    assert first["hardened"]["counts"] == second["hardened"]["counts"]


def test_replay_adds_the_day_simulation(result):
    # The simulation of the whole day (fpp.sim) adds these keys next to those above.
    for key in ("timeline", "channels_down_at", "buffer_exhausted_at", "restored_at", "flights_without_data", "lost"):
        assert key in result
    first = result["timeline"][0]
    assert (first["time"], first["event"], first["detail"]) == ("08:32:00", "message received", "FBU731")
    assert "08:32:00" < result["channels_down_at"] <= "08:32:20"
    assert "08:32:00" < result["legacy"]["channels_down_at"] <= "08:32:20"
    assert result["lost"] == 0
    assert result["simulation"]["counts"]["balanced"]
    assert result["simulation"]["seed"] == result["seed"]
    assert result["flights_without_data"] == result["simulation"]["flights"]["without_data"]

