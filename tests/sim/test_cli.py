"""The command line: fpp replay with --json, --plot, --set, --variant and --compare."""

import contextlib
import io
import json
import sqlite3

import pytest

from fpp.cli import main
from fpp.replay import format_replay
from fpp.sim.journal import Journal

SMALL = "flights_per_day=300"
SIMULATION_KEYS = {"timeline", "channels_down_at", "buffer_exhausted_at", "restored_at", "flights_without_data", "lost"}


def run_json(capsys, *args):
    assert main(["replay", *args, "--json"]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


@pytest.fixture(scope="module")
def nats_run(tmp_path_factory):
    """One JSON run of nats2014 with 300 flights and seed 5, shared by the tests below."""
    out = tmp_path_factory.mktemp("nats")
    captured = []
    for seed in ("5", "5", "6"):
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            assert main(["replay", "nats2014", "--set", SMALL, "--seed", seed, "--json", "--out", str(out)]) == 0
        captured.append((json.loads(stdout.getvalue()), stderr.getvalue()))
    return captured


def test_json_has_the_simulation_keys_and_the_seed(nats_run):
    data, err = nats_run[0]
    assert SIMULATION_KEYS <= set(data)
    assert "fpp replay nats2014: seed 5" in err
    assert data["seed"] == data["simulation"]["seed"] == 5
    assert all(set(item) >= {"time", "event"} for item in data["timeline"])
    assert data["lost"] == 0
    assert data["channels_down_at"] == "15:44:00"
    assert data["simulation"]["parameters"]["flights_per_day"] == 300


def test_same_seed_gives_the_same_run(nats_run):
    (first, _), (again, _), (other, _) = nats_run
    assert first == again
    assert other["seed"] == 6
    assert other["simulation"]["series"] != first["simulation"]["series"]


def test_plot_writes_deterministic_pngs(tmp_path, capsys):
    first, _ = run_json(capsys, "nats2014", "--set", SMALL, "--plot", "--out", str(tmp_path / "a"))
    second, _ = run_json(capsys, "nats2014", "--set", SMALL, "--plot", "--out", str(tmp_path / "b"))
    paths = [first["simulation"]["plot"], second["simulation"]["plot"]]
    contents = []
    for path in paths:
        with open(path, "rb") as handle:
            contents.append(handle.read())
    assert contents[0][:8] == b"\x89PNG\r\n\x1a\n"
    assert contents[0] == contents[1]


def test_set_changes_a_parameter(nats_run, tmp_path, capsys):
    base, _ = nats_run[0]
    fixed, _ = run_json(capsys, "nats2014", "--set", SMALL, "--seed", "5", "--set", "primary_logic=hardened",
                        "--out", str(tmp_path))
    assert base["simulation"]["parameters"]["primary_logic"] == "legacy"
    assert fixed["simulation"]["parameters"]["primary_logic"] == "hardened"
    assert base["channels_down_at"] is not None
    assert fixed["channels_down_at"] is None


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--set", "no_such_parameter=1"], 2, "unknown simulation parameter 'no_such_parameter'"),
        (["--set", "manual_rate_per_hour=fast"], 2, "takes a number"),
        (["--set", "manual_rate_per_hour"], 2, "NAME=VALUE"),
        (["--set", "first_line_max_restarts=2.5"], 2, "whole number"),
        (["--variant", "no_such_variant"], 2, "variant 'no_such_variant' not in the scenario"),
    ],
)
def test_bad_options_fail_with_a_message(tmp_path, capsys, args, status, message):
    assert main(["replay", "nats2014", *args, "--out", str(tmp_path)]) == status
    assert message in capsys.readouterr().err


def test_variant_runs_instead_of_the_baseline(tmp_path, capsys):
    data, _ = run_json(capsys, "etfms2018", "--set", SMALL, "--variant", "journal_recovery", "--out", str(tmp_path))
    assert data["simulation"]["variant"] == "journal_recovery"
    assert data["lost"] == 0


def test_compare_table_and_replay_keys(tmp_path, capsys):
    data, _ = run_json(capsys, "aug2023", "--set", SMALL, "--compare", "--out", str(tmp_path))
    assert set(data["legacy"]["channels"].values()) == {"MAINTENANCE"}
    assert data["hardened"]["portions"]
    assert data["map"].endswith(".png")
    rows = {row["variant"]: row for row in data["variants"]}
    assert set(rows) == {"baseline", "engineer_on_site", "early_supplier_call", "diverse_backup", "input_filter",
                         "quarantine", "hardened", "manual_120"}
    assert rows["baseline"]["restored_at"] == data["restored_at"]
    assert rows["engineer_on_site"]["restored_at"] < rows["baseline"]["restored_at"]
    assert rows["early_supplier_call"]["restored_at"] < rows["baseline"]["restored_at"]
    for name in ("diverse_backup", "input_filter", "quarantine", "hardened"):
        assert rows[name]["channels_down_at"] is None
        assert rows[name]["flights"]["without_data"] == 0
    for row in rows.values():
        assert row["counts"]["lost"] == 0
        assert row["counts"]["balanced"]

    text = format_replay(data)
    assert "LEGACY" in text
    table = text[text.index("VARIANTS"):].splitlines()
    for name in rows:
        assert any(line.startswith(name + " ") for line in table)


def test_no_simulation_leaves_only_the_plan_replay(tmp_path, capsys):
    data, _ = run_json(capsys, "nats2014", "--no-simulation", "--out", str(tmp_path))
    assert data == {"scenario": "nats2014", "seed": 20141212}


def test_journal_file_is_kept_and_not_reused(tmp_path, capsys):
    path = tmp_path / "journal.sqlite"
    data, _ = run_json(capsys, "nats2014", "--set", SMALL, "--journal", str(path), "--out", str(tmp_path))
    with Journal(path) as journal:
        assert len(journal) == data["simulation"]["counts"]["received"]
        assert journal.counts() == {"converted": data["simulation"]["counts"]["converted"]}
    assert main(["replay", "nats2014", "--set", SMALL, "--journal", str(path), "--out", str(tmp_path)]) == 1
    assert "already contains" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["lead_time_h=inf", "lead_time_h=1e9", "flights_per_day=1e12",
                                   "flow_restrictions_local=25:99", "manual_rate_per_hour=nan"])
def test_replay_invalid_set_exits_2(tmp_path, capsys, value):
    assert main(["replay", "nats2014", "--set", value, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fpp: error: invalid simulation parameters: ")
    assert value.partition("=")[0] in err
    assert "seed" not in err  # The seed line comes only when the run starts.


def test_replay_foreign_journal_one_line_error(tmp_path, capsys):
    path = tmp_path / "other.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE foo (x)")
    db.commit()
    db.close()
    before = path.read_bytes()
    assert main(["replay", "nats2014", "--set", SMALL, "--journal", str(path), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [f"fpp: error: journal {path} is an SQLite database that fpp did not write "
                                "(it has the tables foo); name a new file or a journal that fpp wrote"]
    assert path.read_bytes() == before
