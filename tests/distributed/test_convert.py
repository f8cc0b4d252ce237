"""``fpp convert --scheduler``: chunk merging, and the same output as the single-machine run."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

import pytest

from fpp.cli import main
from fpp.convert.outcome import classify_message
from fpp.distributed.convert import ChunkResult, chunk_size_argument, merge_chunks
from fpp.scenario import Scenario, scenario_root

PLANS = 150


def _entry(number: int, outcome: str, code: str | None = None) -> dict:
    entry = {"message": number, "outcome": outcome}
    if code:
        entry["code"] = code
    return entry


def _chunks() -> list[ChunkResult]:
    # Given out of order, as a cluster returns them.
    second = ChunkResult(4, [_entry(4, "critical exception", "CONV203"), _entry(5, "converted"),
                             _entry(6, "quarantined", "CONV207")], [(5, "record 5")], "w2")
    first = ChunkResult(1, [_entry(1, "converted"), _entry(2, "rejected"), _entry(3, "rejected", "SYN101")],
                        [(1, "record 1")], "w1")
    return [second, first]


def test_merge_orders_and_counts():
    merged = merge_chunks(_chunks(), keep_going=True)
    assert [entry["message"] for entry in merged.entries] == [1, 2, 3, 4, 5, 6]
    assert merged.records == ["record 1", "record 5"]
    assert merged.counts == {"converted": 2, "rejected": 2, "critical": 1, "quarantined": 1}
    assert merged.codes == {"SYN101": 1, "CONV207": 1}


def test_merge_stops_at_critical():
    merged = merge_chunks(_chunks(), keep_going=False)
    assert [entry["message"] for entry in merged.entries] == [1, 2, 3, 4]
    assert merged.records == ["record 1"]
    assert merged.counts == {"converted": 1, "rejected": 2, "critical": 1}
    assert merged.codes == {"SYN101": 1}


def test_icao_message_rejected():
    entry, record = classify_message(None, "(FPL-ABC123-IS\n-A320/M-S/C\n-EGLL1200\n-N0450F350 DCT\n-LFPG0100)", 7)
    assert record is None
    assert entry["outcome"] == "rejected"
    assert entry["code"] == "SYN112"
    assert "fpp expand" in entry["error"]


@pytest.mark.parametrize("text", ["0", "-3", "many"])
def test_chunk_size_invalid(text):
    with pytest.raises(argparse.ArgumentTypeError):
        chunk_size_argument(text)


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    """A recorded-traffic stream in two files and in one: ordinary plans, FBU731, an ICAO and a broken message."""
    from fpp.traffic import generate_uk_traffic

    scenario = Scenario.load("aug2023")
    nav = scenario.navdata()
    plans = generate_uk_traffic(nav, scenario.airspace(nav), PLANS, 5, datetime(2023, 8, 28, 6, 0), 400)
    texts = [plan.adexp_text for plan in plans]
    folder = scenario_root() / "aug2023"
    texts.insert(40, (folder / "fbu731.adexp").read_text(encoding="utf-8"))
    texts.insert(70, (folder / "fbu731.fpl").read_text(encoding="utf-8"))
    texts.insert(100, "-TITLE IFPL -ARCID BROKEN1 -ROUTE N0450F350 XYZZY DCT")
    out = tmp_path_factory.mktemp("stream")
    half = len(texts) // 2
    (out / "part1.txt").write_text("\n".join(texts[:half]) + "\n", encoding="utf-8")
    (out / "part2.txt").write_text("\n".join(texts[half:]) + "\n", encoding="utf-8")
    (out / "all.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
    return out


def _convert(capsys, *arguments: str) -> tuple[int, dict]:
    status = main(["convert", *arguments, "--scenario", "aug2023", "--json"])
    return status, json.loads(capsys.readouterr().out)


@pytest.mark.distributed
@pytest.mark.parametrize("options", [("--logic", "hardened"), ("--logic", "legacy", "--keep-going"), ("--logic", "legacy")],
                         ids=["hardened", "legacy-keep-going", "legacy-stop"])
def test_cluster_output_equals_local(dask_scheduler, stream, capsys, options):
    local_status, local = _convert(capsys, str(stream / "all.txt"), *options)
    cluster_status, cluster = _convert(capsys, str(stream / "part1.txt"), str(stream / "part2.txt"), *options,
                                       "--scheduler", dask_scheduler, "--chunk-size", "25")
    assert local["messages_read"] == PLANS + 3
    assert cluster_status == local_status
    assert cluster["counts"] == local["counts"]
    assert cluster["error_codes"] == local["error_codes"]
    assert cluster["outcomes"] == local["outcomes"]
    assert cluster["records"] == local["records"]
    assert sum(local["counts"].values()) == len(local["outcomes"])
    if "legacy" in options:
        assert local["counts"].get("critical") == 1, "FBU731 did not raise the legacy critical exception"
    if "legacy" in options and "--keep-going" not in options:
        assert len(cluster["outcomes"]) < cluster["messages_read"], "the cluster run did not stop at FBU731"
