"""Fuzz campaigns on Dask: batch seeds, the replay round, and ``fpp fuzz`` with Redis and a scheduler."""

from __future__ import annotations

import argparse
import json

import pytest

from fpp.distributed.database import describe_database
from fpp.distributed.fuzz import BatchSpec, batch_seed, run_batch
from fpp.errors import FppError


def test_batch_seed_per_number():
    assert batch_seed(5, 0) == batch_seed(5, 0)
    assert batch_seed(5, 0) != batch_seed(5, 1)
    assert batch_seed(5, 0) != batch_seed(6, 0)


def test_replay_of_empty_corpus(tmp_path):
    spec = BatchSpec(0, "icao-round-trip", batch_seed(1, 0), 40, str(tmp_path), frozenset(), "test", replay=True)
    report = run_batch(spec)
    assert report.replay
    assert report.examples == 0
    assert report.reproducers == []


def test_search_batch_counts_examples(tmp_path):
    spec = BatchSpec(1, "icao-round-trip", batch_seed(1, 1), 10, str(tmp_path), frozenset(), "test")
    report = run_batch(spec)
    assert report.number == 1
    assert report.examples >= 10
    assert report.worker == "client"


def test_negative_minutes_rejected(tmp_path):
    from fpp.distributed.fuzz import run_distributed_campaign

    with pytest.raises(FppError, match="0 or more"):
        run_distributed_campaign("hardened", -1.0, 1, 1, None, tmp_path, None)


@pytest.mark.distributed
def test_fuzz_command_on_scheduler_with_redis(shared_database, dask_scheduler, tmp_path, capsys):
    from fpp.fuzzing.cli import add_parser

    parser = argparse.ArgumentParser(prog="fpp")
    add_parser(parser.add_subparsers())
    args = parser.parse_args(["fuzz", "--mode", "hardened", "--minutes", "0.1", "--seed", "5", "--json",
                              "--database", shared_database, "--scheduler", dask_scheduler,
                              "--out", str(tmp_path)])
    status = args.func(args)
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert status in (0, 3)
    assert "seed 5" in captured.err
    assert result["seed"] == 5
    assert result["database"] == describe_database(shared_database)
    assert result["examples"] > 0
    assert result["workers"] >= 1
    for failure in result["failures"]:
        assert failure["folder"].startswith(str(tmp_path))
