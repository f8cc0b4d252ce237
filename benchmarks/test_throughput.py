"""Throughput of each Numba kernel against its Python twin, on the same corpus in the same run.

Every benchmark records in ``extra_info`` how many plans one round handles, so that rates are
plans per second; ``fpp bench`` turns the JSON into rates and kernel/twin ratios. The kernels
are compiled (or loaded from the cache) by the ``workload`` fixture before any timed round.
"""

from __future__ import annotations

import os

import pytest

SEED = int(os.environ.get("FPP_BENCH_SEED", "1"))
ROUNDS = int(os.environ.get("FPP_BENCH_ROUNDS", "5"))
#: Timed rounds of a Python twin, at most.
TWIN_ROUNDS = 3

PAIRS = ("parse", "expand", "convert", "end_to_end")


def _record(benchmark, workload, name: str) -> None:
    benchmark.extra_info["key"] = name
    benchmark.extra_info["plans"] = workload.sizes[name]
    benchmark.extra_info["seed"] = SEED
    corpus = workload.corpus
    benchmark.extra_info["corpus"] = {"path": str(corpus.path), "source": corpus.source, "plans": workload.plans,
                                      "navdata": corpus.navdata}


@pytest.mark.parametrize("pair", PAIRS)
def test_kernel(benchmark, workload, pair):
    name = f"kernel_{pair}"
    benchmark.group = pair
    _record(benchmark, workload, name)
    if pair == "end_to_end":
        result = workload.batch.convert_text(workload.data)
        benchmark.extra_info["fallback"] = result.fallback_count
        benchmark.extra_info["outcomes"] = dict(result.counts())
        benchmark.extra_info["memory"] = workload.working_memory()
    done = benchmark.pedantic(getattr(workload, name), rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert done > 0


@pytest.mark.parametrize("pair", PAIRS)
def test_python(benchmark, workload, pair):
    name = f"python_{pair}"
    benchmark.group = pair
    _record(benchmark, workload, name)
    # The first call of a twin fills caches (airway look-ups, prepared geometry) that a running
    # converter keeps, so it gets a warm-up round as the kernels do. Timing it would flatter the
    # kernels. Three rounds give a median, and each takes about a second.
    done = benchmark.pedantic(getattr(workload, name), rounds=min(ROUNDS, TWIN_ROUNDS), iterations=1, warmup_rounds=1)
    assert done > 0
