"""Fixtures of the throughput benchmarks: the corpus, its navigation data and the prepared workload.

Settings come from the environment, which ``fpp bench`` sets: ``FPP_BENCH_SEED`` (default 1),
``FPP_BENCH_CORPUS`` and ``FPP_BENCH_NAVDATA`` (default: the corpus of :func:`fpp.bench.ensure_corpus`),
``FPP_BENCH_SAMPLE`` (messages per round of the Python twins) and ``FPP_BENCH_ROUNDS``.
"""

from __future__ import annotations

import os

import pytest

from fpp.bench import DEFAULT_SAMPLE, Workload, ensure_corpus

SEED = int(os.environ.get("FPP_BENCH_SEED", "1"))
ROUNDS = int(os.environ.get("FPP_BENCH_ROUNDS", "5"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"fpp benchmarks: seed {SEED}, {ROUNDS} rounds per kernel benchmark"


@pytest.fixture(scope="session")
def workload() -> Workload:
    """The benchmark workload, with every kernel called once so that no timed round compiles."""
    from fpp.convert.airspace import uk_airspace
    from fpp.navdata import load_navdata

    corpus = ensure_corpus(SEED, os.environ.get("FPP_BENCH_CORPUS"), os.environ.get("FPP_BENCH_NAVDATA"),
                           progress=lambda line: print(f"\n{line}"))
    if os.environ.get("FPP_BENCH_SOURCE"):
        corpus.source = os.environ["FPP_BENCH_SOURCE"]
    navdata = os.environ.get("FPP_BENCH_NAVDATA") or corpus.navdata
    nav = load_navdata(navdata)
    prepared = Workload(corpus, nav, uk_airspace(nav), SEED, int(os.environ.get("FPP_BENCH_SAMPLE", DEFAULT_SAMPLE)))
    prepared.warm_up()
    print(f"\nfpp benchmarks: seed {SEED}, corpus {corpus.path} ({corpus.source}, {prepared.plans} plans), "
          f"{len(prepared.sample)} plans per round for the Python twins")
    return prepared
