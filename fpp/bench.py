"""Throughput benchmarks of the Numba kernels against their Python twins, and ``fpp bench``.

The benchmark corpus is recorded traffic when the reference data is at hand (``shared/data``
beside the repository, or ``$FPP_SHARED_DATA``): every plan of its ``traffic/*.csv`` files
expanded over its recent navigation data (:func:`fpp.corpus.build_corpus`). Without it, the
corpus is a generated day over the default data (:func:`fpp.traffic.generate_day`). Either is
built once and kept in the cache folder (``$FPP_CACHE_DIR`` or ``~/.cache/fpp``).

:class:`Workload` prepares the inputs of four benchmark pairs, each a kernel and its Python twin
on the same corpus:

``parse``
    ADEXP text to the fields the conversion reads: :func:`fpp.kernels.adexp.scan_messages`
    against :func:`fpp.formats.adexp.parse_adexp`.
``expand``
    Item 15 parsing plus airway expansion: :func:`fpp.kernels.expand.expand_routes` against
    :func:`fpp.formats.item15.parse_item15` and :func:`fpp.route.resolve.resolve_route`.
``convert``
    The conversion kernel alone (reconcile, clip, portions) on resolved plans:
    :func:`fpp.kernels.portion.convert_resolved` against
    :func:`fpp.kernels.portion.convert_resolved_python`.
``end_to_end``
    A stream of ADEXP text to outcomes: :meth:`fpp.convert.batch.BatchConverter.convert_text`
    against splitting, :func:`~fpp.formats.adexp.parse_adexp` and
    :meth:`fpp.convert.hardened.HardenedConverter.convert` per message.

The Python twins run on a seeded sample of the corpus, because they are slow; rates are per
plan. The ``benchmarks/`` folder of the repository runs these pairs with pytest-benchmark, and
``fpp bench`` runs that folder and summarises its JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from fpp.errors import PlanError

if TYPE_CHECKING:  # The CLI imports this module for its parser alone, and the kernels load Numba.
    from fpp.convert.airspace import AirspaceVolume
    from fpp.navdata.store import NavData

__all__ = [
    "CORPUS_FORMAT",
    "DEFAULT_GENERATED_PLANS",
    "Corpus",
    "Workload",
    "add_parser",
    "cache_dir",
    "ensure_corpus",
    "run_bench",
    "shared_data_dir",
    "stage_profile",
    "summarise",
]

#: Version of the corpus file format in the cache. A change to the code that builds the corpus
#: renames the cache files by itself (see :func:`_builder_digest`).
CORPUS_FORMAT = 1
#: Plans in the generated corpus.
DEFAULT_GENERATED_PLANS = 10_000
#: Messages of the corpus that the Python twins convert per round.
DEFAULT_SAMPLE = 300

_REPOSITORY = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path | None:
    """Return the reference data folder (``$FPP_SHARED_DATA`` or ``shared/data`` beside the repository), if present."""
    configured = os.environ.get("FPP_SHARED_DATA")
    folder = Path(configured) if configured else (_REPOSITORY / ".." / "shared" / "data").resolve()
    return folder if folder.is_dir() else None


def cache_dir() -> Path:
    """Return the folder where corpora are kept, creating it: ``$FPP_CACHE_DIR`` or ``~/.cache/fpp``."""
    folder = Path(os.environ.get("FPP_CACHE_DIR") or Path.home() / ".cache" / "fpp")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Corpus:
    """A benchmark corpus: a file of ADEXP IFPL messages and how it was made.

    Attributes
    ----------
    path
        The stream file.
    source
        ``"recorded"``, ``"generated"`` or ``"given"`` (a file named by the user).
    navdata
        The navigation data folder it was expanded over, or ``None`` for the default data.
    seed
        Seed of a generated corpus.
    report
        Counts of the expansion of a recorded corpus (:meth:`fpp.corpus.CorpusReport.to_dict`).
    """

    path: Path
    source: str
    navdata: str | None = None
    seed: int | None = None
    report: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "source": self.source, "navdata": self.navdata, "seed": self.seed,
                "plans": self.plans}

    @property
    def plans(self) -> int:
        """Number of messages in the stream."""
        from fpp.formats.stream import split_messages

        return len(split_messages(self.path.read_text(encoding="utf-8")))


def _builder_digest() -> str:
    """Return a digest of the source files that turn plans into corpus text.

    A cached corpus built by other code would hold other messages, so the digest is part of
    every cache name.
    """
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"format {CORPUS_FORMAT}".encode())
    sources = [root / "corpus.py", root / "traffic.py", *sorted((root / "formats").glob("*.py")),
               *sorted((root / "route").glob("*.py"))]
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _recorded_key(files: list[Path], navdata: Path) -> str:
    digest = hashlib.sha256(f"{_builder_digest()} {navdata}".encode())
    for path in files + sorted(navdata.glob("*")):
        stat = path.stat()
        digest.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:20]


def ensure_corpus(seed: int, corpus_path: str | Path | None = None, navdata: str | Path | None = None,
                  generated_plans: int = DEFAULT_GENERATED_PLANS, progress: Callable[[str], None] | None = None) -> Corpus:
    """Return the benchmark corpus, building it into the cache when it is missing.

    Parameters
    ----------
    seed
        Seed of a generated corpus.
    corpus_path
        A stream file to use as it is, with ``navdata`` as its navigation data.
    navdata
        Navigation data folder of a given corpus.
    generated_plans
        Plans in a generated corpus.
    progress
        Called with a line of text at each step that takes a while.
    """
    say = progress or (lambda line: None)
    if corpus_path is not None:
        return Corpus(Path(corpus_path), "given", str(navdata) if navdata else None, None)

    from fpp.navdata import load_navdata

    shared = shared_data_dir()
    files = sorted((shared / "traffic").glob("*.csv")) if shared else []
    if shared and files and (shared / "navdata").is_dir():
        nav_folder = shared / "navdata"
        path = cache_dir() / f"bench-recorded-{_recorded_key(files, nav_folder)}.adexp"
        report_path = path.with_suffix(".json")
        if not path.is_file() or not report_path.is_file():
            from fpp.corpus import build_corpus

            say(f"building the recorded corpus from {', '.join(f.name for f in files)} (once; about a minute)")
            nav = load_navdata(nav_folder)
            partial = path.with_suffix(".partial")
            with partial.open("w", encoding="utf-8") as handle:
                report = build_corpus(files, nav, handle)
            report_path.write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
            partial.replace(path)
        report_data = json.loads(report_path.read_text(encoding="utf-8"))
        return Corpus(path, "recorded", str(nav_folder), None, report_data)

    path = cache_dir() / f"bench-generated-{_builder_digest()}-seed{seed}-{generated_plans}.adexp"
    if not path.is_file():
        from fpp.corpus import generated_corpus

        say(f"generating a day of {generated_plans} plans, seed {seed} (once)")
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as handle:
            generated_corpus(load_navdata(None), handle, generated_plans, seed)
        partial.replace(path)
    return Corpus(path, "generated", None, seed)


class Workload:
    """Inputs of the benchmark pairs, prepared once from a corpus.

    Parameters
    ----------
    corpus
        The corpus.
    nav
        Its navigation data.
    volume
        The airspace of the conversion.
    seed
        Seed of the sample that the Python twins convert.
    sample
        Size of that sample.
    """

    def __init__(self, corpus: Corpus, nav: NavData, volume: AirspaceVolume, seed: int, sample: int = DEFAULT_SAMPLE) -> None:
        from fpp.formats.stream import split_messages
        from fpp.convert.batch import BatchConverter
        from fpp.kernels.adexp import scan_messages
        from fpp.kernels.adexp import split_messages as split_kernel
        from fpp.kernels.portion import extract_resolved, make_resolved_batch
        from fpp.kernels.scratch import make_scratch

        self.corpus = corpus
        self.nav = nav
        self.volume = volume
        self.seed = seed
        self.text = corpus.path.read_text(encoding="utf-8")
        self.data = self.text.encode("ascii")
        self.buffer = np.frombuffer(self.data, dtype=np.uint8)
        self.batch = BatchConverter(nav, volume)
        self.reference = self.batch.reference

        starts = np.zeros(len(self.buffer) // 2 + 1, dtype=np.int64)
        ends = np.zeros_like(starts)
        count = split_kernel(self.buffer, starts, ends)
        self.starts, self.ends = starts[:count].copy(), ends[:count].copy()
        self.plans = count
        self.messages = split_messages(self.text)
        self.scratch = make_scratch(int((self.ends - self.starts).max()) if count else 16)

        self.scan_status = np.zeros(count, dtype=np.int64)
        self.headers = np.full((count, 9, 2), -1, dtype=np.int64)
        scan_messages(self.buffer, self.starts, self.ends, self.batch.keywords, self.scratch, self.scan_status, self.headers)
        read = np.flatnonzero(self.scan_status == 0)
        self.route_spans = self.headers[read, 8]
        self.adep_spans = self.headers[read, 6]
        self.ades_spans = self.headers[read, 7]
        self.route_status = np.zeros(len(read), dtype=np.int8)
        self.route_offsets = np.zeros(len(read) + 1, dtype=np.int64)
        capacity = 64 * len(read) + 64
        self.route_points = np.zeros(capacity, dtype=np.int64)
        self.route_lat = np.zeros(capacity)
        self.route_lon = np.zeros(capacity)

        limits = self.batch.limits
        self.resolved = make_resolved_batch(count, 80 * count + 64, 40 * count + 64)
        done = extract_resolved(self.buffer, self.starts, self.ends, self.batch.keywords, self.batch.nav_tables,
                                limits.max_points, limits.max_ground_speed_kt, limits.match_tolerance_nm,
                                self.scratch, self.resolved)
        if done < count:
            raise RuntimeError(f"the resolved batch has room for {done} of {count} plans; increase its capacity in Workload")
        longest = int(np.diff(self.resolved.point_offsets[: count + 1]).max()) if count else 1
        self.work_lat = np.zeros(longest + 1)
        self.work_lon = np.zeros(longest + 1)
        self.work_xyz = np.zeros((longest + 1, 3))
        self.convert_status = np.zeros(count, dtype=np.int64)
        self.convert_portions = np.zeros((count, 2), dtype=np.int64)
        self.convert_rows = np.zeros((count + 64, 8))
        self.stretches = np.zeros((64, 6))

        rng = random.Random(seed)
        self.sample = sorted(rng.sample(range(count), min(sample, count)))
        self.sample_messages = [self.messages[i] for i in self.sample]
        self.sample_text = "\n\n".join(self.sample_messages)
        self.sample_routes = []
        for i in self.sample:
            spans = self.headers[i]
            if self.scan_status[i] != 0 or spans[8, 0] < 0:
                continue
            self.sample_routes.append(tuple(
                self.data[s:e].decode("ascii") if s >= 0 else None for s, e in (spans[8], spans[6], spans[7])
            ))
        self.sample_resolved = _sub_batch(self.resolved, self.sample)

    # Kernels --------------------------------------------------------------------------------

    def kernel_parse(self) -> int:
        """Scan every message of the corpus; return how many the kernel read."""
        from fpp.kernels.adexp import scan_messages

        return scan_messages(self.buffer, self.starts, self.ends, self.batch.keywords, self.scratch, self.scan_status, self.headers)

    def kernel_expand(self) -> int:
        """Expand every route of the corpus; return how many routes were done."""
        from fpp.kernels.expand import expand_routes

        return expand_routes(self.buffer, self.route_spans[:, 0], self.route_spans[:, 1], self.adep_spans, self.ades_spans,
                             self.batch.nav_tables, self.scratch, self.route_status, self.route_offsets,
                             self.route_points, self.route_lat, self.route_lon)

    def kernel_convert(self) -> int:
        """Run the conversion kernel on every resolved plan; return the number of portions."""
        from fpp.kernels.portion import convert_resolved

        return convert_resolved(self.resolved, self.batch.volume_tables, self.batch.limits.match_tolerance_nm,
                                self.work_lat, self.work_lon, self.work_xyz, self.scratch.alignment, self.scratch.latest,
                                self.scratch.fractions, self.stretches, self.convert_status, self.convert_portions,
                                self.convert_rows)

    def kernel_end_to_end(self) -> int:
        """Convert the whole stream with the batch converter; return the number of messages."""
        return len(self.batch.convert_text(self.data))

    # Python twins ---------------------------------------------------------------------------

    def python_parse(self) -> int:
        from fpp.formats.adexp import parse_adexp

        read = 0
        for message in self.sample_messages:
            try:
                parse_adexp(message)
                read += 1
            except PlanError:
                pass
        return read

    def python_expand(self) -> int:
        from fpp.kernels.expand import expand_routes_python

        return sum(r is not None for r in expand_routes_python(self.nav, self.sample_routes, self.reference.airway_index))

    def python_convert(self) -> int:
        from fpp.kernels.portion import convert_resolved_python

        results = convert_resolved_python(self.sample_resolved, self.volume, self.batch.limits.match_tolerance_nm)
        return sum(len(rows) for _, rows in results)

    def python_end_to_end(self) -> int:
        from fpp.formats.stream import split_messages
        from fpp.convert.batch import reference_outcome

        for message in split_messages(self.sample_text):
            reference_outcome(self.reference, message)
        return len(self.sample_messages)

    # Sizes ----------------------------------------------------------------------------------

    @property
    def sizes(self) -> dict[str, int]:
        """Plans per call of each benchmark function."""
        return {
            "kernel_parse": self.plans, "python_parse": len(self.sample_messages),
            "kernel_expand": len(self.route_spans), "python_expand": len(self.sample_routes),
            "kernel_convert": self.plans, "python_convert": len(self.sample),
            "kernel_end_to_end": self.plans, "python_end_to_end": len(self.sample_messages),
        }  # fmt: skip

    def warm_up(self) -> None:
        """Call every kernel once on a few messages, so that no timed round compiles or loads code."""
        self.batch.convert_text(self.data[: min(len(self.data), 20000)].rsplit(b"-TITLE", 1)[0] or self.data)
        self.kernel_parse()
        self.kernel_expand()
        self.kernel_convert()

    def working_memory(self) -> dict[str, float]:
        """Peak memory of converting the whole stream with the batch converter, per plan.

        Measured with :mod:`tracemalloc`, which traces every numpy array the converter allocates;
        the kernels themselves allocate nothing. The text and its bytes are counted apart.
        """
        tracemalloc.start()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = self.batch.convert_text(self.data)
        peak = tracemalloc.get_traced_memory()[1] - before
        kept = result.nbytes
        tracemalloc.stop()
        return {
            "peak_bytes_per_plan": peak / max(self.plans, 1),
            "result_bytes_per_plan": kept / max(self.plans, 1),
            "text_bytes_per_plan": len(self.data) / max(self.plans, 1),
        }


def _sub_batch(batch, plans: list[int]):
    """Copy the listed plans of a :class:`~fpp.kernels.portion.ResolvedBatch` into a new one."""
    from fpp.kernels.portion import make_resolved_batch

    points = sum(int(batch.point_offsets[p + 1] - batch.point_offsets[p]) for p in plans)
    filed = sum(int(batch.filed_offsets[p + 1] - batch.filed_offsets[p]) for p in plans)
    sub = make_resolved_batch(len(plans), points + 1, filed + 1)
    pt = fl = 0
    for row, p in enumerate(plans):
        p0, p1 = int(batch.point_offsets[p]), int(batch.point_offsets[p + 1])
        f0, f1 = int(batch.filed_offsets[p]), int(batch.filed_offsets[p + 1])
        sub.status[row] = batch.status[p]
        sub.text_span[row] = batch.text_span[p]
        for name in ("point_lat_deg", "point_lon_deg", "point_xyz", "point_ident"):
            getattr(sub, name)[pt : pt + p1 - p0] = getattr(batch, name)[p0:p1]
        for name in ("filed_lat_deg", "filed_lon_deg", "filed_xyz", "filed_kind", "filed_name", "filed_text"):
            getattr(sub, name)[fl : fl + f1 - f0] = getattr(batch, name)[f0:f1]
        pt += p1 - p0
        fl += f1 - f0
        sub.point_offsets[row + 1] = pt
        sub.filed_offsets[row + 1] = fl
    sub.counts[:] = (len(plans), pt, fl)
    return sub


# Summary ------------------------------------------------------------------------------------


def summarise(benchmark_json: dict[str, object]) -> dict[str, object]:
    """Plans per second of each benchmark and the kernel/twin ratios, from pytest-benchmark JSON.

    Rates use the median round; each benchmark records its name (``kernel_parse`` ...) and its
    plans per round in ``extra_info``.
    """
    rates: dict[str, float] = {}
    extra: dict[str, dict[str, object]] = {}
    for bench in benchmark_json.get("benchmarks", []):  # type: ignore[union-attr]
        name = bench["extra_info"].get("key") or bench["name"]
        plans = bench["extra_info"].get("plans", 0)
        median = bench["stats"]["median"]
        rates[name] = plans / median if median > 0 else 0.0
        extra[name] = bench["extra_info"]
    ratios = {}
    for pair in ("parse", "expand", "convert", "end_to_end"):
        kernel, python = rates.get(f"kernel_{pair}"), rates.get(f"python_{pair}")
        if kernel and python:
            ratios[pair] = kernel / python
    info = next(iter(extra.values()), {})
    return {
        "end_to_end_plans_per_s": rates.get("kernel_end_to_end"),
        "kernel_plans_per_s": rates.get("kernel_convert"),
        "speedup_vs_python": ratios.get("end_to_end"),
        "corpus": info.get("corpus"),
        "seed": info.get("seed"),
        "plans_per_s": rates,
        "ratios": ratios,
        "memory": extra.get("kernel_end_to_end", {}).get("memory"),
        "fallback": extra.get("kernel_end_to_end", {}).get("fallback"),
        "machine": benchmark_json.get("machine_info", {}),
    }


def format_summary(summary: dict[str, object]) -> str:
    """Format the summary as lines of text."""
    lines = []
    corpus = summary.get("corpus") or {}
    lines.append(f"corpus: {corpus.get('path')} ({corpus.get('source')}, {corpus.get('plans')} plans), seed {summary.get('seed')}")
    rates = summary["plans_per_s"]
    ratios = summary["ratios"]
    for pair in ("parse", "expand", "convert", "end_to_end"):
        kernel, python = rates.get(f"kernel_{pair}"), rates.get(f"python_{pair}")  # type: ignore[union-attr]
        if kernel is None:
            continue
        ratio = ratios.get(pair)  # type: ignore[union-attr]
        python_text = f"{python:12,.0f}" if python else "           -"
        ratio_text = f"{ratio:8.1f}x" if ratio else "        -"
        lines.append(f"  {pair:<11} kernel {kernel:12,.0f} plans/s   python {python_text} plans/s   {ratio_text}")
    memory = summary.get("memory")
    if memory:
        lines.append(f"  memory: peak {memory['peak_bytes_per_plan']:.0f} B/plan beyond the text "  # type: ignore[index]
                     f"({memory['text_bytes_per_plan']:.0f} B/plan of text), kept {memory['result_bytes_per_plan']:.0f} B/plan")  # type: ignore[index]
    return "\n".join(lines)


# Profile ------------------------------------------------------------------------------------


def stage_profile(workload: Workload, repeats: int = 5) -> list[tuple[str, float]]:
    """Time the conversion pipeline stage by stage; return ``(stage, microseconds per plan)``.

    Runs :func:`fpp.kernels.convert.run_stages` up to each stage in turn, best of ``repeats``
    runs, and takes differences, so each figure is the time that stage adds per plan.
    """
    from fpp.kernels.convert import STAGES, run_stages

    batch = workload.batch
    stretches = np.zeros((64, 6))

    def run(stage: int) -> float:
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            run_stages(workload.buffer, workload.starts, workload.ends, batch.keywords, batch.nav_tables,
                       batch.volume_tables, batch.limits, workload.scratch, stretches, stage)
            best = min(best, time.perf_counter() - start)
        return best

    run_stages(workload.buffer, workload.starts[:1], workload.ends[:1], batch.keywords, batch.nav_tables,
               batch.volume_tables, batch.limits, workload.scratch, stretches, len(STAGES) - 1)
    profile = []
    previous = 0.0
    for stage, name in enumerate(STAGES):
        elapsed = run(stage)
        profile.append((name, max(elapsed - previous, 0.0) * 1e6 / max(workload.plans, 1)))
        previous = max(previous, elapsed)
    return profile


# Plots --------------------------------------------------------------------------------------


def plot_throughput(workload: Workload, path: Path, seed: int, repeats: int = 3) -> dict[str, list[tuple[float, float]]]:
    """Plot end-to-end kernel throughput against batch size and against route length to ``path``.

    Batches are drawn from the corpus with ``seed``; route length is the number of RTEPTS
    points, in bins of roughly equal message counts. Returns the plotted series.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = random.Random(seed)
    messages = workload.messages
    batch = workload.batch

    def rate(texts: list[str]) -> float:
        data = "\n\n".join(texts).encode("ascii")
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            batch.convert_text(data)
            best = min(best, time.perf_counter() - start)
        return len(texts) / best

    sizes = [s for s in (10, 30, 100, 300, 1000, 3000, 10000, 30000) if s <= len(messages)]
    by_size = [(float(size), rate(rng.sample(messages, size))) for size in sizes]

    lengths = np.array([m.count("-PT ") + m.count("-AD ") + m.count("-VEC ") for m in messages])
    edges = np.unique(np.quantile(lengths, np.linspace(0, 1, 7)).astype(int))
    by_length = []
    for low, high in itertools.pairwise(edges):
        chosen = [m for m, n in zip(messages, lengths) if low <= n < high or (high == edges[-1] and n == high)]
        if len(chosen) >= 20:
            chosen = rng.sample(chosen, min(len(chosen), 2000))
            by_length.append((float(np.mean([m.count("-PT ") for m in chosen])), rate(chosen)))

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot([x for x, _ in by_size], [y for _, y in by_size], marker="o")
    left.set_xscale("log")
    left.set_xlabel("batch size [plans]")
    left.set_ylabel("end-to-end throughput [plans/s]")
    left.set_title("Throughput against batch size")
    right.plot([x for x, _ in by_length], [y for _, y in by_length], marker="o")
    right.set_xlabel("mean route length [RTEPTS points]")
    right.set_ylabel("end-to-end throughput [plans/s]")
    right.set_title("Throughput against route length")
    for axis in (left, right):
        axis.grid(True, alpha=0.3)
    figure.suptitle(f"fpp batch converter, {workload.corpus.source} corpus, seed {seed}")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return {"batch_size": by_size, "route_length": by_length}


# Command ------------------------------------------------------------------------------------


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``bench`` subcommand to the subparsers of the ``fpp`` command."""
    parser = subparsers.add_parser(
        "bench",
        help="measure the throughput of the Numba kernels against their Python twins on recorded or generated traffic",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the Python sample, the plot batches and a generated corpus (default: 1)")
    parser.add_argument("--corpus", metavar="FILE", help="stream of ADEXP messages to measure instead of the default corpus")
    parser.add_argument("--navdata", metavar="DIR", help="navigation data folder of --corpus (default: the package data)")
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, help=f"messages per round of the Python twins (default: {DEFAULT_SAMPLE})")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per kernel benchmark (default: 5)")
    parser.add_argument("--out", default="out", metavar="DIR", help="folder for bench.json and the plot (default: out)")
    parser.add_argument("--json", action="store_true", help="print the summary as a JSON object")
    parser.add_argument("--plot", action="store_true", help="also write out/bench-throughput.png: throughput against batch size and route length")
    parser.add_argument("--profile", action="store_true", help="also time the conversion stage by stage [microseconds per plan]")
    parser.set_defaults(func=run_bench)
    return parser


def run_bench(args: argparse.Namespace) -> int:
    """Run ``fpp bench``; return the exit status."""
    folder = _REPOSITORY / "benchmarks"
    if not (folder / "test_throughput.py").is_file():
        print("fpp bench: error: the benchmarks/ folder of an fpp source checkout is needed; run from a clone", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = out / "bench.json"
    print(f"fpp bench: seed {args.seed}", file=sys.stderr)
    corpus = ensure_corpus(args.seed, args.corpus, args.navdata, progress=lambda line: print(f"fpp bench: {line}", file=sys.stderr))
    print(f"fpp bench: corpus {corpus.path} ({corpus.source})", file=sys.stderr)

    environment = {**os.environ, "FPP_BENCH_SEED": str(args.seed), "FPP_BENCH_CORPUS": str(corpus.path),
                   "FPP_BENCH_SOURCE": corpus.source, "FPP_BENCH_SAMPLE": str(args.sample), "FPP_BENCH_ROUNDS": str(args.rounds)}
    if corpus.navdata:
        environment["FPP_BENCH_NAVDATA"] = corpus.navdata
    command = [sys.executable, "-m", "pytest", str(folder), "-p", "no:cacheprovider", "--benchmark-json", str(report),
               "--benchmark-columns=median,min,rounds", "--benchmark-sort=name", "-q" if args.json else "-v"]
    completed = subprocess.run(command, env=environment, stdout=sys.stderr if args.json else None, check=False)
    if completed.returncode != 0 or not report.is_file():
        print(f"fpp bench: error: the benchmark run failed (pytest exit status {completed.returncode})", file=sys.stderr)
        return 1
    summary = summarise(json.loads(report.read_text(encoding="utf-8")))
    summary["benchmark_json"] = str(report)
    summary["platform"] = platform.platform()
    if args.plot or args.profile:
        from fpp.convert.airspace import uk_airspace
        from fpp.navdata import load_navdata

        nav = load_navdata(corpus.navdata)
        workload = Workload(corpus, nav, uk_airspace(nav), args.seed, sample=1)
        workload.batch.convert_text(workload.data[:20000])
        if args.profile:
            print("fpp bench: timing the conversion stage by stage", file=sys.stderr)
            summary["profile_us_per_plan"] = dict(stage_profile(workload))
        if args.plot:
            print("fpp bench: measuring throughput against batch size and route length", file=sys.stderr)
            series = plot_throughput(workload, out / "bench-throughput.png", args.seed)
            summary["plot"] = {"path": str(out / "bench-throughput.png"), **series}
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        print(format_summary(summary))
        print(f"pytest-benchmark JSON: {report}")
        if args.profile:
            print("stage profile [microseconds per plan]: " + ", ".join(
                f"{name} {value:.2f}" for name, value in summary["profile_us_per_plan"].items()))  # type: ignore[union-attr]
        if args.plot:
            print(f"plot: {out / 'bench-throughput.png'}")
    return 0
