"""The benchmark helpers: the summary of pytest-benchmark JSON and the workload's twins."""

from __future__ import annotations

import argparse
from datetime import date

import pytest

from fpp.bench import Corpus, Workload, add_parser, format_summary, summarise
from fpp.convert.airspace import uk_airspace
from fpp.navdata import load_navdata
from fpp.traffic import generate_day


def _entry(key: str, plans: int, median_s: float) -> dict[str, object]:
    return {"name": f"test_{key}", "extra_info": {"key": key, "plans": plans, "seed": 3,
                                                  "corpus": {"path": "c.adexp", "source": "generated", "plans": 1000}},
            "stats": {"median": median_s}}


def test_summary_rates_and_ratios():
    data = {"benchmarks": [_entry("kernel_end_to_end", 1000, 0.01), _entry("python_end_to_end", 100, 0.5),
                           _entry("kernel_convert", 1000, 0.001), _entry("python_convert", 100, 0.1)]}
    summary = summarise(data)
    assert summary["end_to_end_plans_per_s"] == pytest.approx(100_000)
    assert summary["kernel_plans_per_s"] == pytest.approx(1_000_000)
    assert summary["speedup_vs_python"] == pytest.approx(500)
    assert summary["ratios"]["convert"] == pytest.approx(1000)
    assert summary["corpus"]["plans"] == 1000
    assert summary["seed"] == 3
    assert "end_to_end" in format_summary(summary)


def test_bench_options():
    parser = argparse.ArgumentParser(prog="fpp")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["bench", "--seed", "7", "--json", "--plot"])
    assert (args.seed, args.json, args.plot, args.rounds) == (7, True, True, 5)


@pytest.fixture(scope="module")
def workload(tmp_path_factory):
    nav = load_navdata()
    path = tmp_path_factory.mktemp("bench") / "day.adexp"
    plans = generate_day(nav, 25, seed=6, day=date(2023, 8, 28), route_pool=10)
    path.write_text("\n\n".join(plan.adexp_text for plan in plans) + "\n", encoding="utf-8")
    return Workload(Corpus(path, "generated", None, 6), nav, uk_airspace(nav), seed=6, sample=10)


def test_workload_kernels_and_twins_agree(workload):
    assert workload.kernel_parse() == workload.plans
    assert workload.kernel_expand() == workload.sizes["kernel_expand"]
    assert workload.kernel_end_to_end() == workload.plans
    assert workload.python_parse() == len(workload.sample)
    assert workload.python_expand() == len(workload.sample_routes)
    sample_portions = sum(int(workload.convert_portions[p, 1]) for p in workload.sample) if workload.kernel_convert() >= 0 else -1
    assert workload.python_convert() == sample_portions


def test_working_memory_is_measured(workload):
    memory = workload.working_memory()
    assert memory["peak_bytes_per_plan"] > 0
    assert memory["text_bytes_per_plan"] > 100
