"""Fuzz campaigns as Dask tasks, with an example database that many machines share.

A campaign is a stream of batches. Each batch runs one fuzz target of :mod:`fpp.fuzzing.targets`
for :data:`~fpp.fuzzing.campaign.BATCH_EXAMPLES` examples under its own seed, derived from the
campaign seed and the batch number, so that a batch is the same work wherever and however often
it runs. The client keeps twice as many search batches in flight as the cluster has worker
threads and stops submitting at the deadline. When a worker dies, the scheduler runs its batches again on
another worker (up to Dask's ``distributed.scheduler.allowed-failures``, 3 by default), so no
batch result is lost.

Failures are deduplicated by :class:`~fpp.fuzzing.reproduce.Signature`. Each batch is given the
signatures found so far and counts them as passes, so the search goes on to other defects. A
worker writes the reproducer of a new failure with
:func:`~fpp.fuzzing.reproduce.write_reproducer` while it still has the traceback, and sends
the files back; the client keeps the first reproducer of each signature.

With a shared database (a Redis URL or a folder), the campaign first replays the saved failing
examples of every target (the replay round). A failure that still fails is reported at once; an
example that no longer fails is deleted. During the search the database is wrapped in
:class:`~fpp.distributed.database.KeepFailuresDatabase`, so that workers do not delete the
failures that others saved.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import sys
import tempfile
import time
import unittest
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from fpp.errors import FppError

__all__ = [
    "BatchReport",
    "BatchSpec",
    "Reproducer",
    "batch_seed",
    "run_batch",
    "run_distributed_campaign",
]

logger = logging.getLogger(__name__)

#: Search batches kept in flight per worker thread, so that a worker seldom waits for the client.
IN_FLIGHT_PER_THREAD = 2
#: How often the client looks for finished batches [s].
POLL_S = 0.2
#: How often the client prints progress [s].
PROGRESS_S = 5.0


@dataclass(frozen=True)
class BatchSpec:
    """One batch of a campaign: what a Dask task runs.

    Attributes
    ----------
    number
        Batch number within the campaign; replay batches are numbered before search batches.
    target
        Name of the fuzz target (a key of :data:`fpp.fuzzing.targets.TARGETS`).
    seed
        Hypothesis seed of the batch.
    examples
        Maximum number of generated examples.
    database
        Database spec (a folder or a Redis URL), or ``None`` for none.
    known
        Signature keys already found, counted as passes.
    command
        The command line, written into reproducers.
    replay
        ``True`` for the replay round: only the saved examples run, and those that no longer
        fail are deleted.
    """

    number: int
    target: str
    seed: int
    examples: int
    database: str | None
    known: frozenset[str]
    command: str
    replay: bool = False


@dataclass
class Reproducer:
    """The reproducer of one failure, as files to write on the client.

    Attributes
    ----------
    key
        The failure's signature key.
    target
        The fuzz target.
    description
        What :func:`~fpp.fuzzing.reproduce.write_reproducer` returned.
    files
        File name to content, for the reproducer folder.
    """

    key: str
    target: str
    description: dict[str, Any]
    files: dict[str, bytes]


@dataclass
class BatchReport:
    """Result of one batch, sent back to the client."""

    number: int
    target: str
    replay: bool
    examples: int
    classes: dict[str, int]
    first_failure_examples: int | None
    reproducers: list[Reproducer]
    elapsed_s: float
    worker: str


def batch_seed(campaign_seed: int, number: int) -> int:
    """Return the Hypothesis seed of batch ``number`` of a campaign."""
    return random.Random(f"{campaign_seed}:{number}").getrandbits(64)


# -- the worker side -------------------------------------------------------------------------------


@dataclass
class _Tally:
    examples: int = 0
    first_failure_examples: int | None = None
    classes: Counter[str] = field(default_factory=Counter)


def _database(spec: BatchSpec):
    from fpp.distributed.database import KeepFailuresDatabase, open_database

    if spec.database is None:
        return None
    database = open_database(spec.database, spec.target)
    return database if spec.replay else KeepFailuresDatabase(database)


def _settings(spec: BatchSpec, database):
    from hypothesis import HealthCheck, Phase, Verbosity, settings

    if spec.replay:
        phases = [Phase.reuse]
    else:
        phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
    return settings(
        max_examples=spec.examples,
        database=database,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        # The replay round runs every saved example, so that each one that no longer fails
        # is deleted, and reports each distinct failure among them.
        report_multiple_bugs=spec.replay,
        phases=phases,
        print_blob=False,
        verbosity=Verbosity.quiet,
    )


def _build_test(spec: BatchSpec, world, tally: _Tally, run_settings):
    """Build the seeded Hypothesis test of a batch; a failure carries its value as ``fpp_value``.

    ``hypothesis.seed`` turns the database off in the settings it finds, so the settings are
    applied after the seed: the batch is reproducible and still reads and writes the database.
    """
    from hypothesis import given
    from hypothesis import seed as hypothesis_seed

    from fpp.fuzzing.reproduce import signature_of
    from fpp.fuzzing.targets import TARGETS, run_check

    target = TARGETS[spec.target]

    @given(target.strategy(world))
    def fuzz_batch(value: Any) -> None:
        tally.examples += 1
        try:
            run_check(target, value, world, tally.classes)
        except Exception as error:
            if tally.first_failure_examples is None:
                tally.first_failure_examples = tally.examples
            if signature_of(error, target.name).key() in spec.known:
                return
            error.fpp_value = value  # type: ignore[attr-defined]
            raise

    return run_settings(hypothesis_seed(spec.seed)(fuzz_batch))


def _failures(error: BaseException) -> list[BaseException]:
    """Return the failures inside what a Hypothesis test raised; re-raise any other error."""
    if isinstance(error, BaseExceptionGroup):
        return [inner for group in error.exceptions for inner in _failures(group)]
    if not hasattr(error, "fpp_value"):
        raise error
    return [error]


def _minimised(target: str, value: Any, error: BaseException, signature, world) -> tuple[Any, BaseException]:
    """Shorten a failing plan's route as the single-machine campaign does; keep other values."""
    from fpp.fuzzing.campaign import minimise_spec
    from fpp.fuzzing.routes import PlanSpec
    from fpp.fuzzing.targets import TARGETS, run_check

    if not isinstance(value, PlanSpec):
        return value, error
    smaller = minimise_spec(TARGETS[target], value, signature, world)
    if smaller == value:
        return value, error
    try:
        run_check(TARGETS[target], smaller, world)
    except Exception as replayed:  # noqa: BLE001 - the replayed failure replaces the original
        return smaller, replayed
    return value, error


def _reproducer(target: str, error: BaseException, world, command: str) -> Reproducer:
    """Write the reproducer of one failure into a temporary folder and read its files back."""
    from fpp.fuzzing.reproduce import describe_error, signature_of, write_reproducer

    signature = signature_of(error, target)
    value, error = _minimised(target, error.fpp_value, error, signature, world)  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory(prefix="fpp-reproducer-") as folder:
        path = Path(folder) / "reproducer"
        description = write_reproducer(path, target, value, signature, describe_error(error), world, command)
        files = {item.name: item.read_bytes() for item in sorted(path.iterdir()) if item.is_file()}
    return Reproducer(signature.key(), target, description, files)


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "client"


def run_batch(spec: BatchSpec) -> BatchReport:
    """Run one batch (the Dask task of a campaign) and return its report.

    Raises
    ------
    Exception
        Any error that is not a failure of the target's check, such as a Hypothesis usage error
        or an unreachable database; Dask sends it to the client.
    """
    from fpp.fuzzing.world import default_world

    started = time.monotonic()
    # The channels log every stop at WARNING; the client reports failures instead.
    logging.getLogger("fpp").setLevel(logging.CRITICAL)
    world = default_world()
    tally = _Tally()
    test = _build_test(spec, world, tally, _settings(spec, _database(spec)))
    failures: list[BaseException] = []
    try:
        test()
    except unittest.SkipTest:
        # Hypothesis skips a test that runs no example: a replay round on an empty corpus.
        if not spec.replay:
            raise
    except Exception as error:  # noqa: BLE001 - failures are what a batch looks for; others re-raise below
        failures = _failures(error)
    reproducers: list[Reproducer] = []
    seen = set(spec.known)
    for failure in failures:
        reproducer = _reproducer(spec.target, failure, world, spec.command)
        if reproducer.key not in seen:
            seen.add(reproducer.key)
            reproducers.append(reproducer)
    return BatchReport(spec.number, spec.target, spec.replay, tally.examples, dict(tally.classes),
                       tally.first_failure_examples, reproducers, time.monotonic() - started, _worker_name())


# -- the client side -------------------------------------------------------------------------------


class _Campaign:
    """The client's state: batches in flight, failures found, and the result being built."""

    def __init__(self, client, mode: str, seed: int, database: str | None, out_dir: Path, command: str,
                 progress: TextIO | None, result) -> None:
        from fpp.fuzzing.campaign import BATCH_EXAMPLES
        from fpp.fuzzing.targets import targets_for

        self.client = client
        self.targets = targets_for(mode)
        self.seed = seed
        self.database = database
        self.out_dir = out_dir
        self.command = command
        self.progress = progress
        self.result = result
        self.examples_per_batch = BATCH_EXAMPLES
        self.started = time.monotonic()
        # Task keys must be unique on the scheduler: a key still held by another client would
        # return that client's result.
        self.token = f"{seed}-{uuid.uuid4().hex[:12]}"
        self.pending: dict[Any, BatchSpec] = {}
        self.found: dict[str, dict[str, Any]] = {}
        self.classes: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.completed = 0
        self.next_number = 0

    def submit(self, replay_target: str | None = None) -> None:
        number = self.next_number
        self.next_number += 1
        target = replay_target or self.targets[number % len(self.targets)].name
        spec = BatchSpec(number, target, batch_seed(self.seed, number), self.examples_per_batch, self.database,
                         frozenset(self.found), self.command, replay=replay_target is not None)
        kind = "replay" if spec.replay else "batch"
        future = self.client.submit(run_batch, spec, key=f"fpp-fuzz-{self.token}-{kind}-{number}", pure=False)
        self.pending[future] = spec

    def searching(self) -> int:
        """Return the number of search batches in flight; replay batches are not counted."""
        return sum(1 for spec in self.pending.values() if not spec.replay)

    def collect(self) -> int:
        """Merge every finished batch; return how many finished."""
        finished = [future for future in self.pending if future.done()]
        for future in finished:
            spec = self.pending.pop(future)
            try:
                report = future.result()
            except Exception as error:  # noqa: BLE001 - a batch error is reported and the campaign goes on
                self._batch_error(spec, error)
                continue
            self._merge(report)
        return len(finished)

    def _batch_error(self, spec: BatchSpec, error: BaseException) -> None:
        text = f"{type(error).__name__}: {error}"
        if not self.errors[text]:
            logger.error("fuzz batch %d (%s) failed: %s", spec.number, spec.target, text)
            _print(self.progress, f"batch {spec.number} ({spec.target}) failed: {text}")
        self.errors[text] += 1

    def _merge(self, report: BatchReport) -> None:
        self.completed += 1
        self.result.examples += report.examples
        self.classes.update(report.classes)
        elapsed = round(time.monotonic() - self.started, 2)
        if report.first_failure_examples is not None:
            first = self.result.time_to_first_failure_s
            self.result.time_to_first_failure_s = elapsed if first is None else min(first, elapsed)
        for reproducer in report.reproducers:
            if reproducer.key in self.found:
                # Batches that ran before the first report of a failure find it again.
                self.found[reproducer.key]["count"] += 1
                continue
            description = self._write(reproducer, report, elapsed)
            description["count"] = 1
            self.found[reproducer.key] = description
            self.result.failures.append(description)
            _print(self.progress, f"failure {len(self.result.failures)}: {reproducer.key} -> {description['folder']}")

    def _write(self, reproducer: Reproducer, report: BatchReport, elapsed: float) -> dict[str, Any]:
        folder = self.out_dir / f"{len(self.result.failures) + 1:02d}-{reproducer.key[:60]}"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, content in reproducer.files.items():
            (folder / name).write_bytes(content)
        description = dict(reproducer.description)
        description.update(folder=str(folder), found_after_s=elapsed, source="replay" if report.replay else "search",
                           batch=report.number, worker=report.worker)
        (folder / "failure.json").write_text(json.dumps(description, indent=2), encoding="utf-8")
        return description


def run_distributed_campaign(
    mode: str,
    minutes: float,
    workers: int | None,
    seed: int,
    database: str | None,
    out_dir: str | Path,
    progress: TextIO | None = sys.stderr,
    command: str = "fpp fuzz",
    scheduler: str | None = None,
    max_failures: int | None = None,
):
    """Run a fuzz campaign on a Dask cluster and write one reproducer per distinct failure.

    Parameters
    ----------
    mode
        ``"legacy"`` or ``"hardened"`` (see :mod:`fpp.fuzzing.targets`).
    minutes
        Time during which new search batches are submitted [min]. Batches already running
        finish afterwards, for at most :data:`fpp.fuzzing.campaign.GRACE_S` seconds. With 0,
        only the replay round runs.
    workers
        Worker processes of a local cluster (``scheduler`` is ``None``); one per CPU core when
        ``None``. A running scheduler's workers are used as they are.
    seed
        Campaign seed; batch ``n`` runs under :func:`batch_seed` ``(seed, n)``.
    database
        Shared example database: a folder or a Redis URL (:mod:`fpp.distributed.database`), or
        ``None`` for none.
    out_dir
        Folder for the reproducers, one sub-folder per distinct failure.
    progress
        Stream for progress lines, or ``None``.
    command
        The command line, written into each reproducer.
    scheduler
        Scheduler address or file (:func:`fpp.distributed.cluster.parse_scheduler`); ``None``
        starts a local cluster.
    max_failures
        Stop submitting batches once this many distinct failures are found.

    Returns
    -------
    fpp.fuzzing.campaign.CampaignResult
        The result, as the single-machine campaign returns it. Each failure also names its
        ``source`` (``replay`` or ``search``), ``batch`` and ``worker``. The time to the first
        failure is measured on the client, when the first batch that met a failing example
        reported.

    Raises
    ------
    FppError
        When the cluster or the database cannot be reached, or when every batch failed.
    """
    from fpp.distributed.cluster import check_workers, open_client, parse_scheduler
    from fpp.distributed.database import describe_database, is_redis_url, redis_client
    from fpp.fuzzing.campaign import GRACE_S, CampaignResult
    from fpp.fuzzing.targets import targets_for

    targets_for(mode)  # raises on an unknown mode before any cluster starts
    if minutes < 0:
        raise FppError(f"invalid campaign time {minutes} min: it must be 0 or more")
    try:
        address = parse_scheduler(scheduler)
    except ValueError as error:
        raise FppError(str(error)) from None
    if database is not None and is_redis_url(database):
        _check_redis(database, redis_client)
    elif database is not None and address is not None:
        logger.warning("the example database %s is a folder: each worker machine keeps its own; "
                       "use --database redis://HOST:PORT/N to share one", database)
    out = Path(out_dir)
    result = CampaignResult(seed, mode, workers or 0, minutes, database=describe_database(database) if database else "",
                            reproducers=str(out))
    with open_client(address, workers) as client:
        threads = check_workers(client)
        result.workers = threads
        _print(progress, f"fpp fuzz: {threads} worker threads on {address or 'a local cluster'}, "
                         f"database {result.database or 'none'}")
        campaign = _Campaign(client, mode, seed, database, out, command, progress, result)
        deadline = campaign.started + minutes * 60.0
        if database is not None:
            for target in campaign.targets:
                campaign.submit(replay_target=target.name)
        last_print = campaign.started
        while True:
            now = time.monotonic()
            enough = max_failures is not None and len(result.failures) >= max_failures
            if now < deadline and not enough:
                while campaign.searching() < IN_FLIGHT_PER_THREAD * max(threads, 1):
                    campaign.submit()
            if not campaign.pending:
                break
            if now > deadline + GRACE_S:
                _print(progress, f"{len(campaign.pending)} batches still running {GRACE_S:g} s after the deadline; "
                                 "cancelled")
                client.cancel(list(campaign.pending))
                break
            if not campaign.collect():
                time.sleep(POLL_S)
            if now - last_print >= PROGRESS_S:
                last_print = now
                _print(progress, f"{now - campaign.started:6.0f} s  {result.examples} examples  "
                                 f"{len(result.failures)} distinct failures  {len(campaign.pending)} batches running")
    if campaign.errors and not campaign.completed:
        first = next(iter(campaign.errors))
        raise FppError(f"every fuzz batch failed ({sum(campaign.errors.values())} batches); the first error: {first}")
    if campaign.errors:
        _print(progress, f"{sum(campaign.errors.values())} batches failed with {len(campaign.errors)} distinct errors; "
                         "see the lines above")
    result.disagreements = dict(campaign.classes)
    result.elapsed_s = time.monotonic() - campaign.started
    return result


def _check_redis(url: str, connect) -> None:
    """Raise :class:`FppError` unless the Redis server of ``url`` replies to PING."""
    from redis.exceptions import RedisError

    from fpp.distributed.database import describe_database

    try:
        connect(url, timeout_s=5.0).ping()
    except RedisError as error:
        raise FppError(f"cannot reach the Redis example database at {describe_database(url)}: {error}; "
                       "start redis-server or fix the URL") from None


def _print(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        print(text, file=stream, flush=True)
