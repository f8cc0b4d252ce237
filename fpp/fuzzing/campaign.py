"""The fuzz campaign: targets run in parallel processes that share one Hypothesis example database.

Each worker process builds the fuzzing world once, then runs the targets of the chosen mode in
turn, in batches of :data:`BATCH_EXAMPLES` examples, each batch under its own seed derived from
the campaign seed. A failure is shrunk by Hypothesis, given a :class:`~fpp.fuzzing.reproduce.Signature`
and sent to the parent. Workers share the signatures found so far, and a known signature counts as
a pass in later batches, so the search goes on to other defects instead of finding the same one
again. The parent prints progress, writes one reproducer per signature and returns a
:class:`CampaignResult`.

The same machinery runs one target in-process for a bounded number of examples
(:func:`search`), which the rediscovery test and its measurement use.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from fpp.errors import PlanError
from fpp.fuzzing.reproduce import Signature, describe_error, signature_of, write_reproducer
from fpp.fuzzing.routes import PlanSpec
from fpp.fuzzing.targets import TARGETS, Target, run_check, targets_for
from fpp.fuzzing.world import FuzzWorld, default_world

__all__ = [
    "BATCH_EXAMPLES",
    "CampaignResult",
    "CorpusDatabase",
    "FoundFailure",
    "SearchResult",
    "minimise_spec",
    "run_campaign",
    "search",
]

#: Examples per batch in a campaign worker: small enough that a worker checks the clock often.
BATCH_EXAMPLES = 40
#: Time a worker may take after the deadline to finish shrinking before it is stopped [s].
GRACE_S = 60.0


@dataclass
class _Tally:
    """Counts kept while a Hypothesis test runs."""

    started: float
    examples: int = 0
    first_failure_s: float | None = None
    first_failure_wall: float | None = None
    first_failure_examples: int | None = None
    classes: Counter[str] = field(default_factory=Counter)


@dataclass
class FoundFailure:
    """One failure after shrinking: its signature, the shrunk value and the exception."""

    target: str
    signature: Signature
    value: Any
    error: BaseException


def _hypothesis_test(target: Target, world: FuzzWorld, tally: _Tally, known: Callable[[Signature], bool],
                     run_settings: settings) -> Callable[[], None]:
    """Build the Hypothesis test of one target; a failure carries its shrunk value as ``fpp_value``."""

    @run_settings
    @given(target.strategy(world))
    def test(value: Any) -> None:
        tally.examples += 1
        try:
            run_check(target, value, world, tally.classes)
        except Exception as error:
            if tally.first_failure_s is None:
                tally.first_failure_s = time.monotonic() - tally.started
                tally.first_failure_wall = time.time()
                tally.first_failure_examples = tally.examples
            if known(signature_of(error, target.name)):
                return
            error.fpp_value = value  # type: ignore[attr-defined]
            raise

    return test


def _failures(error: BaseException, target: str) -> list[FoundFailure]:
    """Collect the failures inside what a Hypothesis test raised (one error, or a group of them)."""
    if isinstance(error, BaseExceptionGroup):
        return [found for inner in error.exceptions for found in _failures(inner, target)]
    if not hasattr(error, "fpp_value"):
        # The strategy itself failed before the property ran: a defect of the fuzzer, reported
        # as one with the invariant "harness" and no value to replay.
        signature = replace(signature_of(error, target), invariant="harness")
        return [FoundFailure(target, signature, None, error)]
    return [FoundFailure(target, signature_of(error, target), error.fpp_value, error)]  # type: ignore[attr-defined]


class CorpusDatabase(ExampleDatabase):
    """A directory example database from which nothing is deleted.

    A campaign counts a failure whose signature is already known as a pass, so that the search
    goes on to other defects. Hypothesis deletes a saved failure that passes, so a plain database
    would lose each failure soon after it was found. This one keeps every saved example for the
    next campaign and for the other workers.
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.inner = DirectoryBasedExampleDatabase(str(path))

    def save(self, key: bytes, value: bytes) -> None:
        self.inner.save(key, value)

    def fetch(self, key: bytes):
        return self.inner.fetch(key)

    def delete(self, key: bytes, value: bytes) -> None:
        """Keep the example: see the class documentation."""

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.inner.save(dest, value)


def _run_seeded(test: Callable[[], None], seed_value: int, database: ExampleDatabase | None) -> None:
    """Run a Hypothesis test whose generation starts from ``seed_value``.

    Hypothesis neither reads nor writes the example database of a test under ``@seed``. With a
    database, the seed goes to the generator Hypothesis draws its per-test seeds from instead, so
    the database still replays and saves failures. NOTE: that generator is not public API; if a
    Hypothesis version moves it, the run is still correct but its generation is not seeded.
    """
    if database is None:
        hypothesis_seed(seed_value)(test)()
        return
    from hypothesis import core

    local = getattr(core, "threadlocal", None)
    if local is not None:
        local._hypothesis_global_random = random.Random(seed_value)
    test()


def _settings(max_examples: int, database: ExampleDatabase | None) -> settings:
    return settings(
        max_examples=max_examples,
        database=database,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        print_blob=False,
    )


# -- route-level minimisation -------------------------------------------------------------------------


def _spec_variants(spec: PlanSpec) -> list[PlanSpec]:
    """Specs with one part of the route removed or simplified, smallest change first."""
    tokens = list(spec.tokens)
    variants: list[list[str]] = []
    for k, token in enumerate(tokens):
        if "/" in token and not token.startswith("STAY"):
            variants.append(tokens[:k] + [token.split("/")[0]] + tokens[k + 1 :])
        if token.startswith("STAY"):
            variants.append(tokens[:k] + tokens[k + 1 :])
    for k in range(len(tokens)):
        # Remove a point with the connector before it, or the first point with the connector after it.
        if k == 0 and len(tokens) > 2:
            variants.append(tokens[2:])
        elif k > 0 and not tokens[k].startswith("STAY") and tokens[k - 1] in ("DCT",):
            variants.append(tokens[: k - 1] + tokens[k + 1 :])
        elif k > 0 and not tokens[k].startswith("STAY"):
            variants.append(tokens[:k] + tokens[k + 1 :])
    return [replace(spec, tokens=tuple(v)) for v in variants if v and v != tokens]


def minimise_spec(target: Target, spec: PlanSpec, signature: Signature, world: FuzzWorld, max_checks: int = 300) -> PlanSpec:
    """Remove parts of a failing plan's route while it still fails with the same signature.

    Hypothesis shrinks the choices that built the route. This pass works on the route itself and
    stops at a plan from which no single point, STAY or change group can be removed.
    """
    checks = 0
    improved = True
    while improved and checks < max_checks:
        improved = False
        for variant in _spec_variants(spec):
            checks += 1
            try:
                run_check(target, variant, world)
            except PlanError:
                continue
            except Exception as error:  # noqa: BLE001 - any failure is compared by signature
                if signature_of(error, target.name) == signature:
                    spec, improved = variant, True
                    break
            if checks >= max_checks:
                break
    return spec


def _minimised(found: FoundFailure, world: FuzzWorld) -> FoundFailure:
    if not isinstance(found.value, PlanSpec):
        return found
    target = TARGETS[found.target]
    smaller = minimise_spec(target, found.value, found.signature, world)
    if smaller == found.value:
        return found
    try:
        run_check(target, smaller, world)
    except Exception as error:  # noqa: BLE001 - the replayed failure replaces the original
        return FoundFailure(found.target, found.signature, smaller, error)
    return found


# -- one target, in-process --------------------------------------------------------------------------


@dataclass
class SearchResult:
    """The result of :func:`search`.

    Attributes
    ----------
    failure
        The shrunk failure, or ``None`` when none was found within the budget.
    examples
        Examples run, shrinking included.
    examples_to_first_failure, time_to_first_failure_s
        Examples and wall-clock seconds until the first failing example, before shrinking.
    elapsed_s
        Wall-clock time of the whole search, shrinking included.
    """

    failure: FoundFailure | None
    examples: int
    examples_to_first_failure: int | None
    time_to_first_failure_s: float | None
    elapsed_s: float


def search(target_name: str, seed: int, max_examples: int, world: FuzzWorld | None = None,
           database: ExampleDatabase | None = None) -> SearchResult:
    """Run one target under ``seed`` until it fails or ``max_examples`` examples pass.

    With ``database=None`` the search starts from nothing: no example saved by an earlier run
    is replayed.
    """
    world = world or default_world()
    target = TARGETS[target_name]
    tally = _Tally(time.monotonic())
    test = _hypothesis_test(target, world, tally, lambda signature: False, _settings(max_examples, database))
    found = None
    try:
        _run_seeded(test, seed, database)
    except Exception as error:  # noqa: BLE001 - the failure is the result
        found = _minimised(_failures(error, target_name)[0], world)
    return SearchResult(found, tally.examples, tally.first_failure_examples, tally.first_failure_s,
                        time.monotonic() - tally.started)


# -- the campaign ---------------------------------------------------------------------------------------


def _worker(index: int, mode: str, seed: int, deadline: float, database_dir: str, known: Any, messages: Any) -> None:
    """Run batches of every target of ``mode`` until ``deadline`` (a ``time.time()`` value)."""
    logging.getLogger("fpp").setLevel(logging.CRITICAL)  # the channels log every stop; the parent reports failures
    world = default_world()
    rng = random.Random(f"{seed}:{index}")
    targets = targets_for(mode)
    database = CorpusDatabase(database_dir)
    started = time.monotonic()
    batch = 0
    while time.time() < deadline:
        target = targets[batch % len(targets)]
        batch += 1
        tally = _Tally(started)
        test = _hypothesis_test(target, world, tally, lambda signature: signature.key() in known,
                                _settings(BATCH_EXAMPLES, database))
        failures: list[FoundFailure] = []
        try:
            _run_seeded(test, rng.getrandbits(64), database)
        except Exception as error:  # noqa: BLE001 - failures are the product of the campaign
            failures = _failures(error, target.name)
        found_at = time.time()
        for failure in failures:
            known[failure.signature.key()] = True
            failure = _minimised(failure, world)
            messages.put(("failure", index, target.name, failure.signature, failure.value, describe_error(failure.error), found_at))
        messages.put(("progress", index, tally.examples, tally.first_failure_wall, dict(tally.classes), time.time()))
    messages.put(("done", index))


@dataclass
class CampaignResult:
    """The outcome of a campaign, as ``fpp fuzz --json`` prints it."""

    seed: int
    mode: str
    workers: int
    minutes: float
    examples: int = 0
    time_to_first_failure_s: float | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)
    disagreements: dict[str, int] = field(default_factory=dict)
    database: str = ""
    reproducers: str = ""
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "mode": self.mode,
            "workers": self.workers,
            "minutes": self.minutes,
            "examples": self.examples,
            "time_to_first_failure_s": self.time_to_first_failure_s,
            "failures": self.failures,
            "disagreements": dict(sorted(self.disagreements.items())),
            "database": self.database,
            "reproducers": self.reproducers,
            "elapsed_s": round(self.elapsed_s, 1),
        }


def run_campaign(
    mode: str,
    minutes: float,
    workers: int,
    seed: int,
    database_dir: str | Path,
    out_dir: str | Path,
    progress: TextIO | None = sys.stderr,
    command: str = "fpp fuzz",
) -> CampaignResult:
    """Run a campaign and write a reproducer for each distinct failure.

    Parameters
    ----------
    mode
        ``"legacy"`` or ``"hardened"`` (see :mod:`fpp.fuzzing.targets`).
    minutes
        Wall-clock budget for the search; shrinking may add up to :data:`GRACE_S` seconds.
    workers
        Number of worker processes.
    seed
        Campaign seed; each worker derives its batch seeds from it.
    database_dir
        The shared example database folder (a :class:`CorpusDatabase`).
    out_dir
        Folder for the reproducers, one sub-folder per distinct failure.
    progress
        Stream for progress lines, or ``None`` for none.
    command
        The command line, written into each reproducer.
    """
    targets_for(mode)  # raises on an unknown mode before any process starts
    world = default_world()
    started = time.time()
    deadline = started + minutes * 60.0
    result = CampaignResult(seed, mode, workers, minutes, database=str(database_dir), reproducers=str(out_dir))
    out = Path(out_dir)
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Manager() as manager:
        known = manager.dict()
        messages = manager.Queue()
        processes = [
            context.Process(target=_worker, args=(k, mode, seed, deadline, str(database_dir), known, messages), daemon=True)
            for k in range(workers)
        ]
        for process in processes:
            process.start()
        examples = [0] * workers
        classes: Counter[str] = Counter()
        reported: dict[str, dict[str, Any]] = {}
        done = 0
        last_print = 0.0
        while done < workers and time.time() <= deadline + GRACE_S:
            try:
                item = messages.get(timeout=1.0)
            except queue.Empty:
                # A worker that ended may have left messages behind, so stop only on an empty queue.
                if not any(process.is_alive() for process in processes):
                    break
                continue
            kind = item[0]
            if kind == "progress":
                _, index, count, first_failure_wall, batch_classes, _ = item
                examples[index] += count
                classes.update(batch_classes)
                if first_failure_wall is not None:
                    first = round(first_failure_wall - started, 2)
                    if result.time_to_first_failure_s is None or first < result.time_to_first_failure_s:
                        result.time_to_first_failure_s = first
            elif kind == "failure":
                _, index, target, signature, value, error_text, found_at = item
                if signature.key() in reported:
                    reported[signature.key()]["count"] += 1
                    continue
                folder = out / f"{len(result.failures) + 1:02d}-{signature.key()[:60]}"
                description = write_reproducer(folder, target, value, signature, error_text, world, command)
                description["found_after_s"] = round(found_at - started, 2)
                description["count"] = 1
                reported[signature.key()] = description
                result.failures.append(description)
                _print(progress, f"failure {len(result.failures)}: {signature.key()} -> {folder}")
            elif kind == "done":
                done += 1
            now = time.time()
            if progress is not None and now - last_print >= 5.0:
                last_print = now
                _print(progress, f"{now - started:6.0f} s  {sum(examples)} examples  {len(result.failures)} distinct failures")
        for process in processes:
            process.join(timeout=5.0)
            if process.is_alive():
                process.terminate()
    result.examples = sum(examples)
    result.disagreements = dict(classes)
    result.elapsed_s = time.time() - started
    return result


def _print(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        print(text, file=stream, flush=True)
