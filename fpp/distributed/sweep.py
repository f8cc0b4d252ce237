"""Parameter sweeps of a scenario's day simulation, one Dask task per run.

``fpp sweep aug2023 --param supplier_call_after_min=30,60,120 --param manual_rate_per_hour=60,120``
simulates every combination of the listed values (the Cartesian product, in the order given)
with one seed, so that runs differ only in the swept parameters. Each run is a Dask task on a
running scheduler or on a local cluster. The client sends the scenario folder's files with
every task, so workers on other machines need fpp installed but not the scenario. Each worker
process keeps one :class:`~fpp.sim.runner.Workbench` per scenario and navigation data, because
building the day's traffic and converting it once takes far longer than a run.

When a worker dies, the scheduler runs its tasks again on another worker (up to Dask's
``distributed.scheduler.allowed-failures``, 3 by default), so no run is lost. A run that raises
is reported with its parameters, and equal errors are listed once.

The results form one table (:data:`OUTCOMES` for each run), printed as text or JSON, written as
CSV, and drawn by :func:`plot_sweep` as one panel per swept parameter.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import logging
import math
import os
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from fpp.distributed.bundle import ScenarioBundle, bundle_scenario, materialise_scenario
from fpp.distributed.cluster import scheduler_argument, worker_name
from fpp.errors import FppError

__all__ = [
    "EXIT_SOME_FAILED",
    "InvalidSweepError",
    "NUMERIC_OUTCOMES",
    "OUTCOMES",
    "SweepPoint",
    "SweepResult",
    "add_parser",
    "parse_param",
    "plot_sweep",
    "run_sweep",
    "simulate_point",
    "sweep_grid",
    "write_csv",
]

logger = logging.getLogger(__name__)

#: Exit status of ``fpp sweep`` when some runs raised an error.
EXIT_SOME_FAILED = 4

OUTCOMES = (
    "flights_without_data",
    "flights_without_automatic_data",
    "flights_delayed",
    "flights_at_risk",
    "flights_manual",
    "delay_mean_min",
    "messages_lost",
    "messages_quarantined",
    "messages_rejected",
    "channels_down_at",
    "buffer_exhausted_at",
    "restored_at",
    "balanced",
)
"""Columns of the sweep table for each run; local times are ``HH:MM:SS`` text or empty."""

NUMERIC_OUTCOMES = OUTCOMES[:9]
"""Outcomes that ``--metric`` can plot."""


# -- the grid -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep: its number and the value of each swept parameter, as typed."""

    index: int
    values: tuple[tuple[str, str], ...]

    def label(self) -> str:
        """Return ``name=value`` pairs separated by spaces."""
        return " ".join(f"{name}={value}" for name, value in self.values)


def parse_param(text: str) -> tuple[str, list[str]]:
    """Split ``NAME=V1,V2,...`` into the name and its values.

    Raises
    ------
    ValueError
        When there is no ``=``, no name, an empty value, or a value listed twice.
    """
    name, equals, values = text.partition("=")
    name = name.strip()
    if not equals or not name:
        raise ValueError(f"--param takes NAME=V1,V2,..., not {text!r}")
    items = [value.strip() for value in values.split(",")]
    if any(not item for item in items):
        raise ValueError(f"--param {name}: empty value in {values!r}; separate values with single commas")
    duplicates = sorted({item for item in items if items.count(item) > 1})
    if duplicates:
        raise ValueError(f"--param {name}: value {duplicates[0]!r} listed twice")
    return name, items


def sweep_grid(params: Sequence[tuple[str, Sequence[str]]]) -> list[SweepPoint]:
    """Return every combination of the swept values; the last parameter varies fastest.

    Raises
    ------
    ValueError
        When a parameter is swept twice.
    """
    names = [name for name, _ in params]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"parameter {repeated[0]!r} is swept twice; give all its values in one --param")
    combinations = itertools.product(*[values for _, values in params])
    return [SweepPoint(index, tuple(zip(names, combination))) for index, combination in enumerate(combinations)]


_BENCHES: dict[tuple[str, str | None], tuple[Any, Any]] = {}


def _workbench(bundle: ScenarioBundle, navdata_dir: str | None):
    """Return this process's workbench and simulation setup of a scenario, built once."""
    from fpp.scenario import Scenario
    from fpp.sim.runner import Workbench, load_setup

    key = (bundle.digest, navdata_dir)
    if key not in _BENCHES:
        scenario = Scenario.load(str(materialise_scenario(bundle)))
        _BENCHES[key] = (Workbench(scenario, navdata_dir), load_setup(scenario))
    return _BENCHES[key]


# -- one run ----------------------------------------------------------------------------------------


def _params(setup, variant: str, fixed: Mapping[str, str], point: SweepPoint):
    """Return the parameters and fault tables of a run: variant, then ``--set``, then the swept values."""
    from fpp.sim.params import apply_overrides
    from fpp.sim.runner import variant_overrides

    overrides, tables = variant_overrides(setup, variant)
    params = apply_overrides(apply_overrides(apply_overrides(setup.params, overrides), fixed), dict(point.values))
    return params, tables


def _row(point: SweepPoint, run: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Return the table row of one run: its number, swept values, seed and outcomes."""
    parameters = run["parameters"]
    flights = run["flights"]
    counts = run["counts"]
    row: dict[str, Any] = {"run": point.index}
    row.update({name: parameters[name.split(".")[-1]] for name, _ in point.values})
    row["seed"] = seed
    row.update(
        flights_without_data=flights["without_data"],
        flights_without_automatic_data=flights["without_automatic_data"],
        flights_delayed=flights["delayed"],
        flights_at_risk=flights["at_risk"],
        flights_manual=flights["manual"],
        delay_mean_min=flights["delay_mean_min"],
        messages_lost=counts["lost"],
        messages_quarantined=counts["quarantined"],
        messages_rejected=counts["rejected"],
        channels_down_at=run.get("channels_down_at"),
        buffer_exhausted_at=run.get("buffer_exhausted_at"),
        restored_at=run.get("restored_at"),
        balanced=counts["balanced"],
    )
    return row


def simulate_point(bundle: ScenarioBundle, variant: str, fixed: Mapping[str, str], point: SweepPoint, seed: int,
                   navdata_dir: str | None = None) -> dict[str, Any]:
    """Simulate one run of a sweep (the Dask task) and return its table row.

    The row also contains ``worker`` (the address of the Dask worker that ran it) and ``elapsed_s``,
    which the CSV leaves out because they differ between identical runs.
    """
    from fpp.sim.faults import parse_faults
    from fpp.sim.runner import run_simulation

    started = time.monotonic()
    # The channels log every stop at WARNING; the sweep reports outcomes instead.
    logging.getLogger("fpp").setLevel(logging.ERROR)
    bench, setup = _workbench(bundle, navdata_dir)
    params, tables = _params(setup, variant, fixed, point)
    faults = parse_faults(tables, bench.scenario.local_to_utc)
    run = run_simulation(bench, params, faults, seed, variant=variant)
    row = _row(point, run, seed)
    row["worker"] = worker_name()
    row["elapsed_s"] = round(time.monotonic() - started, 2)
    return row


# -- the sweep --------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """The table of a sweep and the errors of the runs that failed."""

    scenario: str
    variant: str
    seed: int
    swept: list[str]
    fixed: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the result as ``fpp sweep --json`` prints it, with ``null`` for any value that is not finite.

        Strict JSON has no NaN or infinity, and a swept value or an outcome may be either.
        """
        return _finite({
            "scenario": self.scenario,
            "variant": self.variant,
            "seed": self.seed,
            "swept": self.swept,
            "fixed": self.fixed,
            "outcomes": list(OUTCOMES),
            "rows": self.rows,
            "failures": self.failures,
            "elapsed_s": round(self.elapsed_s, 1),
        })


def _finite(value: Any) -> Any:
    """Return ``value`` with every float that is NaN or infinite, at any depth, replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


class InvalidSweepError(FppError):
    """A sweep whose variant, parameter names or values are invalid, found before any run starts."""


def _check_grid(setup, variant: str, fixed: Mapping[str, str], points: Sequence[SweepPoint]) -> None:
    """Build the parameters of every run on the client, so that a bad value fails before any task.

    Raises
    ------
    InvalidSweepError
        For an unknown variant or parameter, or an invalid value.
    """
    for point in points:
        try:
            _params(setup, variant, fixed, point)
        except KeyError as error:
            raise InvalidSweepError(str(error.args[0]) if error.args else str(error)) from None
        except ValueError as error:
            raise InvalidSweepError(f"run {point.index} ({point.label()}): {error}") from None


def run_sweep(
    scenario_name: str,
    params: Sequence[tuple[str, Sequence[str]]],
    *,
    fixed: Mapping[str, str] | None = None,
    variant: str = "baseline",
    seed: int | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    navdata_dir: str | None = None,
    progress: TextIO | None = sys.stderr,
) -> SweepResult:
    """Simulate every combination of the swept values on a Dask cluster.

    Parameters
    ----------
    scenario_name
        Scenario name or folder; it needs a ``[simulation]`` section.
    params
        Swept parameters and their values, as :func:`parse_param` returns them.
    fixed
        Parameter values for every run (``--set``), applied after the variant's.
    variant
        The scenario variant the runs start from.
    seed
        Seed of every run; the scenario's simulation seed when ``None``.
    scheduler
        Scheduler address or file; ``None`` starts a local cluster.
    workers
        Worker processes of a local cluster; one per CPU core, at most one per run, when ``None``.
    navdata_dir
        Navigation data folder, which must exist at this path on every worker.
    progress
        Stream for progress lines, or ``None``.

    Raises
    ------
    FppError
        For an invalid scenario, parameter or value, or when the cluster cannot be reached.
    """
    from fpp.distributed.cluster import check_workers, local_worker_count, open_client, parse_scheduler
    from fpp.scenario import Scenario
    from fpp.sim.runner import load_setup

    fixed = dict(fixed or {})
    try:
        points = sweep_grid(params)
        address = parse_scheduler(scheduler)
    except ValueError as error:
        raise InvalidSweepError(str(error)) from None
    bundle = bundle_scenario(scenario_name)
    scenario = Scenario.load(scenario_name)
    try:
        setup = load_setup(scenario)
    except KeyError as error:
        raise FppError(str(error.args[0]) if error.args else str(error)) from None
    _check_grid(setup, variant, fixed, points)
    seed = setup.seed if seed is None else seed
    result = SweepResult(scenario.name, variant, seed, [name for name, _ in params], fixed)
    count = local_worker_count(workers, len(points)) if address is None else None
    started = time.monotonic()
    with open_client(address, count) as client:
        from distributed import as_completed

        threads = check_workers(client)
        _print(progress, f"fpp sweep {scenario.name}: {len(points)} runs on {threads} worker threads "
                         f"({address or 'a local cluster'})")
        # Task keys must be unique on the scheduler: a key still held by another client would
        # return that client's result.
        token = uuid.uuid4().hex[:12]
        futures = {
            client.submit(simulate_point, bundle, variant, fixed, point, seed, navdata_dir,
                          key=f"fpp-sweep-{scenario.name}-{token}-{point.index}", pure=False): point
            for point in points
        }
        errors: dict[str, dict[str, Any]] = {}
        for future in as_completed(futures):
            point = futures[future]
            try:
                row = future.result()
            except Exception as error:  # noqa: BLE001 - a failed run is reported with its parameters
                text = f"{type(error).__name__}: {error}"
                logger.error("sweep run %d (%s) failed: %s", point.index, point.label(), text)
                errors.setdefault(text, {"error": text, "runs": []})["runs"].append(point.index)
                _print(progress, f"run {point.index} ({point.label()}) failed: {text}")
                continue
            result.rows.append(row)
            _print(progress, f"run {point.index} ({point.label()}): {row['flights_without_data']} flights without data "
                             f"[{len(result.rows) + sum(len(e['runs']) for e in errors.values())}/{len(points)}]")
    result.rows.sort(key=lambda row: row["run"])
    result.failures = [dict(error, runs=sorted(error["runs"])) for error in errors.values()]
    result.elapsed_s = time.monotonic() - started
    return result


# -- output -----------------------------------------------------------------------------------------


def write_csv(path: str | Path, result: SweepResult) -> Path:
    """Write the sweep table as CSV: run, swept parameters, seed and :data:`OUTCOMES`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = ["run", *result.swept, "seed", *OUTCOMES]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in result.rows:
            writer.writerow({key: "" if row.get(key) is None else row[key] for key in columns})
    return path


def _axis_values(values: Sequence[Any]) -> tuple[list[float], list[str] | None]:
    """Return x positions and, for values that are not all numbers, their tick labels."""
    try:
        return [float(value) for value in values], None
    except (TypeError, ValueError):
        return list(range(len(values))), [str(value) for value in values]


def plot_sweep(path: str | Path, result: SweepResult, metric: str = "flights_without_data") -> Path:
    """Draw ``metric`` against each swept parameter, one panel per parameter, and save a PNG.

    In the panel of a parameter, each line joins the runs whose other swept parameters have
    the same values; the legend names those values.

    Raises
    ------
    ValueError
        For a metric that is not one of :data:`NUMERIC_OUTCOMES`, or a sweep without rows.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if metric not in NUMERIC_OUTCOMES:
        raise ValueError(f"cannot plot {metric!r}; choose one of {', '.join(NUMERIC_OUTCOMES)}")
    if not result.rows:
        raise ValueError("the sweep has no successful run to plot")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    panels = len(result.swept)
    figure, axes = plt.subplots(1, panels, figsize=(5.5 * panels, 4.2), squeeze=False)
    for axis, name in zip(axes[0], result.swept):
        others = [other for other in result.swept if other != name]
        x_values = list(dict.fromkeys(row[name] for row in result.rows))
        positions, labels = _axis_values(x_values)
        where = dict(zip(map(repr, x_values), positions))
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for row in result.rows:
            groups.setdefault(tuple(row[other] for other in others), []).append(row)
        for key, rows in groups.items():
            points = sorted((where[repr(row[name])], row[metric]) for row in rows)
            label = ", ".join(f"{other}={value}" for other, value in zip(others, key)) or None
            axis.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
        if labels is not None:
            axis.set_xticks(positions, labels)
        axis.set_xlabel(name)
        axis.set_ylabel(metric.replace("_", " "))
        axis.grid(True, alpha=0.3)
        if others:
            axis.legend(fontsize="small")
    variant = "" if result.variant == "baseline" else f", variant {result.variant}"
    figure.suptitle(f"{result.scenario}: sweep of {', '.join(result.swept)} (seed {result.seed}{variant})")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def format_table(result: SweepResult) -> str:
    """Return the sweep table as aligned text: swept values and the main outcomes."""
    columns = ["run", *result.swept, "flights_without_data", "flights_without_automatic_data", "flights_delayed",
               "flights_at_risk", "messages_lost", "restored_at"]
    cells = [[str(column) for column in columns]]
    for row in result.rows:
        cells.append(["" if row.get(column) is None else str(row[column]) for column in columns])
    widths = [max(len(line[k]) for line in cells) for k in range(len(columns))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in cells]
    for failure in result.failures:
        lines.append(f"runs {', '.join(map(str, failure['runs']))} failed: {failure['error']}")
    return "\n".join(lines)


# -- the command ------------------------------------------------------------------------------------


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``sweep`` subcommand to the ``fpp`` command's subparsers and return its parser."""
    parser = subparsers.add_parser(
        "sweep",
        help="simulate a scenario's day for every combination of parameter values, as Dask tasks",
        description=(
            "Run the day simulation of a scenario once for every combination of the --param values, all with "
            "one seed, on a Dask scheduler or on a local cluster. Prints one row per run (flights without "
            "data, delays, lost messages, restore time) and can write the table as JSON or CSV and a plot of "
            "an outcome against each swept parameter. Exit status: 0 every run finished, 1 error, 2 invalid "
            "options, 4 some runs failed."
        ),
    )
    parser.add_argument("scenario", help="scenario name (aug2023, eram2014, nats2014, etfms2018) or folder")
    parser.add_argument("--param", action="append", required=True, metavar="NAME=V1,V2,...",
                        help="sweep a simulation parameter over these values (repeatable; names and units in "
                             "docs/simulation.md), e.g. --param supplier_call_after_min=30,60,120")

    parser.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="set a parameter for every run (repeatable), e.g. --set flights_per_day=3000")
    parser.add_argument("--variant", default="baseline", help="scenario variant the runs start from (default: baseline)")
    parser.add_argument("--seed", type=int, help="seed of every run (default: the scenario's simulation seed, printed)")

    parser.add_argument("--scheduler", type=scheduler_argument, metavar="ADDRESS",
                        help="Dask scheduler (tcp://HOST:PORT or a scheduler file); default: a local cluster")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="worker processes of the local cluster (default: one per CPU core, at most one per run)")
    parser.add_argument("--navdata", metavar="DIR",
                        help="navigation data folder instead of the default package data; it must exist at this "
                             "path on every worker")

    parser.add_argument("--metric", choices=NUMERIC_OUTCOMES, default="flights_without_data",
                        help="outcome drawn by --plot (default: flights_without_data)")
    parser.add_argument("--json", action="store_true", help="print a JSON object with the table instead of text")
    parser.add_argument("--csv", metavar="FILE", help="write the table as CSV to FILE")
    parser.add_argument("--plot", metavar="FILE", help="write a PNG of --metric against each swept parameter to FILE")

    parser.set_defaults(func=run_sweep_command)
    return parser


def _command_line(args: argparse.Namespace, seed: int) -> str:
    parts = ["fpp sweep", args.scenario]
    parts += [f"--param {text}" for text in args.param]
    parts += [f"--set {text}" for text in args.set or []]
    if args.variant != "baseline":
        parts.append(f"--variant {args.variant}")
    parts.append(f"--seed {seed}")
    return " ".join(parts)


def run_sweep_command(args: argparse.Namespace) -> int:
    """Run ``fpp sweep`` from parsed arguments; return the exit status."""
    from fpp.scenario import Scenario
    from fpp.sim.params import parse_assignment
    from fpp.sim.runner import load_setup

    if args.workers is not None and args.workers < 1:
        print("fpp sweep: error: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        params = [parse_param(text) for text in args.param]
        fixed = dict(parse_assignment(text) for text in args.set or [])
    except ValueError as error:
        print(f"fpp sweep: error: {error}", file=sys.stderr)
        return 2
    for option, path in (("--csv", args.csv), ("--plot", args.plot)):
        problem = _output_problem(path, option)
        if problem:
            print(f"fpp sweep: error: {problem}", file=sys.stderr)
            return 2
    seed = args.seed
    if seed is None:
        try:
            seed = load_setup(Scenario.load(args.scenario)).seed
        except KeyError as error:
            print(f"fpp sweep: error: {error.args[0] if error.args else error}", file=sys.stderr)
            return 1
    print(f"fpp sweep {args.scenario}: seed {seed} (repeat with: {_command_line(args, seed)})", file=sys.stderr, flush=True)
    try:
        result = run_sweep(args.scenario, params, fixed=fixed, variant=args.variant, seed=seed,
                           scheduler=args.scheduler, workers=args.workers, navdata_dir=args.navdata)
    except InvalidSweepError as error:
        print(f"fpp sweep: error: {error}", file=sys.stderr)
        return 2

    # The table goes out first, so that a file that cannot be written loses no result.
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=str, allow_nan=False))
    else:
        print(format_table(result))
    sys.stdout.flush()
    if args.csv:
        print(f"table written to {write_csv(args.csv, result)}", file=sys.stderr)
    if args.plot:
        if result.rows:
            print(f"plot written to {plot_sweep(args.plot, result, args.metric)}", file=sys.stderr)
        else:
            print("fpp sweep: no plot: every run failed", file=sys.stderr)
    return EXIT_SOME_FAILED if result.failures else 0


def _output_problem(path: str | None, option: str) -> str | None:
    """Return why an output file named by ``option`` could not be written, or ``None``.

    The check runs before the sweep, because the files are written only after every run.
    """
    if not path:
        return None
    target = Path(path)
    if target.is_dir():
        return f"{option} {path} is a folder; name a file"
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        return f"cannot write {option} {path}: {folder} is not a writable folder"
    return None


def _print(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        print(text, file=stream, flush=True)

