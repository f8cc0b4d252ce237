"""``fpp sweep``: the grid, the scenario bundle, runs on a real scheduler, outputs, and a killed worker."""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import threading
import time

import pytest

from fpp.distributed.bundle import bundle_scenario, materialise_scenario
from fpp.distributed.sweep import (
    OUTCOMES,
    SweepPoint,
    SweepResult,
    add_parser,
    parse_param,
    plot_sweep,
    run_sweep,
    sweep_grid,
    write_csv,
)
from fpp.errors import FppError
from fpp.scenario import scenario_root

from .conftest import start_dask_cluster

#: A small day, so that a run takes about a second; the manual rate is low enough for flights without data.
SMALL_DAY = {"flights_per_day": "600"}
SWEPT = [("supplier_call_after_min", ["60", "300"]), ("manual_rate_per_hour", ["4", "40"])]
SEED = 11


def test_param_split():
    assert parse_param("manual_rate_per_hour=60,120") == ("manual_rate_per_hour", ["60", "120"])
    assert parse_param(" second_line_on_site = true,false ") == ("second_line_on_site", ["true", "false"])


@pytest.mark.parametrize("text", ["manual_rate_per_hour", "=60", "manual_rate_per_hour=60,,120", "a=1,1"])
def test_param_invalid_rejected(text):
    with pytest.raises(ValueError):
        parse_param(text)


def test_grid_last_varies_fastest():
    points = sweep_grid([("a", ["1", "2"]), ("b", ["x", "y", "z"])])
    assert len(points) == 6
    assert points[0] == SweepPoint(0, (("a", "1"), ("b", "x")))
    assert points[1].values == (("a", "1"), ("b", "y"))
    assert points[5].values == (("a", "2"), ("b", "z"))
    assert [point.index for point in points] == list(range(6))


def test_grid_repeated_name_rejected():
    with pytest.raises(ValueError, match="swept twice"):
        sweep_grid([("a", ["1"]), ("a", ["2"])])


def test_bundle_round_trip(tmp_path):
    source = tmp_path / "source" / "aug2023"
    shutil.copytree(scenario_root() / "aug2023", source)
    bundle = bundle_scenario(str(source))
    folder = materialise_scenario(bundle, tmp_path / "workers")
    for relative, content in bundle.files:
        assert (folder / relative).read_bytes() == (source / relative).read_bytes() == content
    assert folder.name == "aug2023"
    assert materialise_scenario(bundle, tmp_path / "workers") == folder

    (source / "scenario.toml").write_text((source / "scenario.toml").read_text() + "\n# changed\n")
    changed = bundle_scenario(str(source))
    assert changed.digest != bundle.digest
    assert materialise_scenario(changed, tmp_path / "workers") != folder


def test_unknown_scenario_raises():
    with pytest.raises(FppError, match="not found"):
        bundle_scenario("no-such-scenario")


def test_invalid_value_fails_before_tasks():
    # No scheduler is reachable at this address: the value must be rejected before connecting.
    with pytest.raises(FppError, match="manual_rate_per_hour"):
        run_sweep("aug2023", [("manual_rate_per_hour", ["fast"])], scheduler="tcp://127.0.0.1:9", progress=None)


def test_invalid_value_exits_2_before_running(capsys):
    from fpp.cli import main

    assert main(["sweep", "aug2023", "--param", "manual_rate_per_hour=fast", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "manual_rate_per_hour" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--csv", "--plot"])
def test_output_folder_rejected_before_running(tmp_path, capsys, option):
    from fpp.cli import main

    assert main(["sweep", "aug2023", "--param", "manual_rate_per_hour=60", option, str(tmp_path),
                 "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert f"{option} {tmp_path} is a folder" in capsys.readouterr().err


def test_json_has_no_nan():
    rows = _fake_rows()
    rows[0]["manual_rate_per_hour"] = float("nan")
    rows[1]["flights_delayed"] = float("inf")
    text = json.dumps(_result(rows).to_dict(), allow_nan=False)
    data = json.loads(text)
    assert data["rows"][0]["manual_rate_per_hour"] is None
    assert data["rows"][1]["flights_delayed"] is None
    assert data["rows"][2]["manual_rate_per_hour"] == 4.0


def test_unknown_parameter_fails_before_tasks():
    with pytest.raises(FppError, match="unknown simulation parameter"):
        run_sweep("aug2023", [("coffee_breaks", ["1"])], scheduler="tcp://127.0.0.1:9", progress=None)


def _result(rows):
    return SweepResult("aug2023", "baseline", SEED, [name for name, _ in SWEPT], dict(SMALL_DAY), rows=rows)


def _fake_rows():
    rows = []
    for index, (call, rate) in enumerate([(60.0, 4.0), (60.0, 40.0), (300.0, 4.0), (300.0, 40.0)]):
        row = {"run": index, "supplier_call_after_min": call, "manual_rate_per_hour": rate, "seed": SEED}
        row.update({name: index for name in OUTCOMES})
        row["restored_at"] = None
        row["worker"] = "tcp://127.0.0.1:1"
        rows.append(row)
    return rows


def test_csv_columns_and_rows(tmp_path):
    path = write_csv(tmp_path / "table.csv", _result(_fake_rows()))
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["run", "supplier_call_after_min", "manual_rate_per_hour", "seed", *OUTCOMES]
    assert len(rows) == 4
    assert rows[2]["supplier_call_after_min"] == "300.0"
    assert rows[0]["restored_at"] == ""
    assert "worker" not in rows[0]


def test_plot_written(tmp_path):
    path = plot_sweep(tmp_path / "plot.png", _result(_fake_rows()), "flights_delayed")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_rejects_time_metric(tmp_path):
    with pytest.raises(ValueError, match="cannot plot"):
        plot_sweep(tmp_path / "plot.png", _result(_fake_rows()), "restored_at")


# -- on a real scheduler ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_rows():
    """The rows of the small sweep, simulated in this process without Dask: the reference."""
    from fpp.distributed.sweep import _row
    from fpp.scenario import Scenario
    from fpp.sim.faults import parse_faults
    from fpp.sim.params import apply_overrides
    from fpp.sim.runner import Workbench, load_setup, run_simulation, variant_overrides

    scenario = Scenario.load("aug2023")
    bench = Workbench(scenario)
    setup = load_setup(scenario)
    overrides, tables = variant_overrides(setup, "baseline")
    faults = parse_faults(tables, scenario.local_to_utc)
    rows = []
    for point in sweep_grid(SWEPT):
        params = apply_overrides(apply_overrides(apply_overrides(setup.params, overrides), SMALL_DAY), dict(point.values))
        rows.append(_row(point, run_simulation(bench, params, faults, SEED), SEED))
    return rows


def _outcomes(rows):
    return [{key: value for key, value in row.items() if key not in ("worker", "elapsed_s")} for row in rows]


@pytest.mark.distributed
def test_sweep_on_scheduler_equals_local(dask_scheduler, local_rows):
    result = run_sweep("aug2023", SWEPT, fixed=SMALL_DAY, seed=SEED, scheduler=dask_scheduler, progress=None)
    assert result.failures == []
    assert _outcomes(result.rows) == local_rows
    assert any(row["flights_without_data"] > 0 for row in local_rows), "the small day has no flight without data"


@pytest.mark.distributed
def test_sweep_command_outputs(dask_scheduler, tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="fpp")
    add_parser(parser.add_subparsers())
    arguments = ["sweep", "aug2023", "--param", "manual_rate_per_hour=4,40", "--set", "flights_per_day=600",
                 "--seed", str(SEED), "--scheduler", dask_scheduler, "--json",
                 "--csv", str(tmp_path / "table.csv"), "--plot", str(tmp_path / "plot.png")]
    args = parser.parse_args(arguments)
    status = args.func(args)
    captured = capsys.readouterr()
    table = json.loads(captured.out)
    assert status == 0
    assert f"seed {SEED}" in captured.err
    assert table["seed"] == SEED
    assert table["swept"] == ["manual_rate_per_hour"]
    assert [row["manual_rate_per_hour"] for row in table["rows"]] == [4.0, 40.0]
    assert (tmp_path / "plot.png").stat().st_size > 0
    assert len((tmp_path / "table.csv").read_text().splitlines()) == 3


@pytest.mark.distributed
@pytest.mark.slow
def test_killed_worker_loses_no_run(tmp_path, local_rows):
    from distributed import Client

    cluster = start_dask_cluster(tmp_path / "dask", ["victim", "survivor"], nanny=False)
    try:
        outcome: dict[str, object] = {}

        def sweep() -> None:
            try:
                outcome["result"] = run_sweep("aug2023", SWEPT, fixed=SMALL_DAY, seed=SEED, scheduler=cluster.address,
                                              progress=None)
            except BaseException as error:  # noqa: BLE001 - handed to the test thread
                outcome["error"] = error

        thread = threading.Thread(target=sweep, daemon=True)
        thread.start()
        with Client(cluster.address, timeout=30) as client:
            names = {info["name"]: address for address, info in client.scheduler_info(n_workers=-1)["workers"].items()}
            victim = names["victim"]
            deadline = time.monotonic() + 120
            running: list[str] = []
            while not running and time.monotonic() < deadline:
                running = list(client.processing(workers=[victim]).get(victim, ()))
                time.sleep(0.05)
            assert running, "the victim worker got no sweep run within 120 s"
            cluster.workers["victim"].kill()
        thread.join(timeout=300)
        assert not thread.is_alive(), "the sweep did not finish within 300 s after the kill"
    finally:
        cluster.stop()

    assert "error" not in outcome, f"the sweep raised {outcome.get('error')!r}"
    result = outcome["result"]
    assert result.failures == []
    assert _outcomes(result.rows) == local_rows
    killed = {int(str(key).rsplit("-", 1)[1]) for key in running}
    rerun = {row["run"]: row["worker"] for row in result.rows if row["run"] in killed}
    assert rerun and all(worker != victim for worker in rerun.values()), f"runs {killed} finished on {rerun}"
