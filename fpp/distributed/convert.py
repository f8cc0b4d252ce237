"""``fpp convert --scheduler``: convert a large message stream in chunks on a Dask cluster.

The client reads every input file in order, splits the text into messages with
:func:`fpp.formats.stream.split_messages` and numbers them as one stream. It sends chunks of consecutive
messages to the workers (:func:`convert_chunk`), each with the scenario folder's files, so that
workers on other machines need fpp installed but not the scenario. Each worker process builds
the converter once per logic, scenario and navigation data.

A worker classifies every message of its chunk with
:func:`fpp.convert.outcome.classify_message`, as ``fpp convert`` does on one machine. The client puts the chunks
back in message order. Without ``--keep-going`` it drops every outcome after the first legacy
critical exception, as the single-machine run stops there. The counts, error codes, outcomes
and records it prints are therefore those of the single-machine run on the same input;
``tests/distributed/test_convert.py`` checks this for both logics.

When a worker dies, the scheduler converts its chunks again on another worker, so no chunk
is lost.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fpp.convert.outcome import classify_message
from fpp.distributed.cluster import worker_name
from fpp.errors import FppError

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "ChunkResult",
    "ConvertSetup",
    "chunk_size_argument",
    "convert_chunk",
    "merge_chunks",
    "run_distributed_convert",
]

logger = logging.getLogger(__name__)

#: Messages per task of ``fpp convert --scheduler`` unless ``--chunk-size`` sets another number.
DEFAULT_CHUNK_SIZE = 500

# Exit statuses, as those of the single-machine ``fpp convert``.
_EXIT_OK = 0
_EXIT_CRITICAL = 3
_EXIT_SOME_REJECTED = 4


def chunk_size_argument(text: str) -> int:
    """Check a ``--chunk-size`` option for argparse: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid chunk size {text!r}: expected a whole number of messages") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid chunk size {value}: it must be at least 1 message")
    return value


@dataclass(frozen=True)
class ConvertSetup:
    """Settings shared by every chunk of a conversion.

    Attributes
    ----------
    logic
        ``"legacy"`` or ``"hardened"``.
    scenario
        The scenario's files (:class:`~fpp.distributed.bundle.ScenarioBundle`), or ``None`` for
        the default navigation data and UK airspace.
    navdata_dir
        Navigation data folder, which must exist at this path on every worker, or ``None``.
    as_json
        Whether records are returned as mappings (``--json``) or as NAS text.
    """

    logic: str
    scenario: Any
    navdata_dir: str | None
    as_json: bool


@dataclass
class ChunkResult:
    """The outcomes of one chunk.

    Attributes
    ----------
    first
        Number of the chunk's first message in the whole stream (from 1).
    entries
        One outcome mapping per message, as ``fpp convert --json`` lists them.
    records
        ``(message number, record)`` for each converted message: a mapping or NAS text.
    worker
        Address of the Dask worker that converted the chunk.
    """

    first: int
    entries: list[dict[str, Any]]
    records: list[tuple[int, Any]]
    worker: str


_CONVERTERS: dict[tuple[str, str | None, str | None], Any] = {}


def _converter(setup: ConvertSetup):
    """Return this process's converter for a setup, built once."""
    from fpp.convert.airspace import uk_airspace
    from fpp.convert.hardened import HardenedConverter
    from fpp.convert.legacy import LegacyConverter, uk_point_table
    from fpp.navdata import load_navdata

    key = (setup.logic, setup.scenario.digest if setup.scenario else None, setup.navdata_dir)
    if key not in _CONVERTERS:
        if setup.scenario is not None:
            from fpp.distributed.bundle import materialise_scenario
            from fpp.scenario import Scenario

            scenario = Scenario.load(str(materialise_scenario(setup.scenario)))
            nav = scenario.navdata(setup.navdata_dir)
            volume = scenario.airspace(nav)
        else:
            nav = load_navdata(setup.navdata_dir)
            volume = uk_airspace(nav)
        _CONVERTERS[key] = (LegacyConverter(uk_point_table(nav, volume), volume) if setup.logic == "legacy"
                            else HardenedConverter(nav, volume))
    return _CONVERTERS[key]


def convert_chunk(setup: ConvertSetup, first: int, messages: Sequence[str]) -> ChunkResult:
    """Convert consecutive messages numbered from ``first`` (the Dask task)."""
    converter = _converter(setup)
    entries: list[dict[str, Any]] = []
    records: list[tuple[int, Any]] = []
    for number, raw in enumerate(messages, start=first):
        entry, record = classify_message(converter, raw, number)
        entries.append(entry)
        if record is not None:
            records.append((number, record.to_dict() if setup.as_json else record.to_text()))
    return ChunkResult(first, entries, records, worker_name())


@dataclass
class MergedOutcomes:
    """The chunks of a conversion in message order, cut after the first critical exception if asked."""

    entries: list[dict[str, Any]]
    records: list[Any]
    counts: Counter[str]
    codes: Counter[str]


def merge_chunks(chunks: Sequence[ChunkResult], keep_going: bool) -> MergedOutcomes:
    """Put chunk results in message order and count outcomes as the single-machine run does.

    Without ``keep_going``, outcomes after the first ``critical exception`` are dropped, since
    the single-machine run stops at that message.
    """
    entries: list[dict[str, Any]] = []
    records: list[tuple[int, Any]] = []
    for chunk in sorted(chunks, key=lambda item: item.first):
        entries.extend(chunk.entries)
        records.extend(chunk.records)
    if not keep_going:
        stop = next((entry["message"] for entry in entries if entry["outcome"] == "critical exception"), None)
        if stop is not None:
            entries = [entry for entry in entries if entry["message"] <= stop]
            records = [item for item in records if item[0] <= stop]
    counts: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    for entry in entries:
        outcome = entry["outcome"]
        counts["critical" if outcome == "critical exception" else outcome] += 1
        if outcome in ("rejected", "quarantined") and "code" in entry:
            codes[entry["code"]] += 1
    return MergedOutcomes(entries, [record for _, record in records], counts, codes)


def _report_line(entry: dict[str, Any]) -> str:
    """Return the standard-error line of a message that was not converted, as ``fpp convert`` prints it."""
    number = entry["message"]
    outcome = entry["outcome"]
    if outcome == "critical exception":
        return f"message {number}: CRITICAL EXCEPTION: {entry['error']}; the channel would stop here"
    if entry.get("code") == "CONV299":
        return f"message {number}: quarantined: CONV299 {entry['error']}"
    return f"message {number}: {outcome}: {entry['error']}"


def _read_messages(paths: Sequence[str]) -> list[str]:
    """Read and split every input file, in order, into one list of messages."""
    from fpp.formats.stream import split_messages

    messages: list[str] = []
    for path in paths:
        if path == "-":
            text = sys.stdin.read()
        else:
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
            except UnicodeDecodeError as error:
                raise FppError(f"{path} is not UTF-8 text (byte {error.start}: {error.reason}); convert it to UTF-8") from None
            except OSError as error:
                raise FppError(f"cannot read {path}: {error.strerror or error}") from None
        messages.extend(split_messages(text))
    return messages


def run_distributed_convert(args: argparse.Namespace) -> int:
    """Run ``fpp convert --scheduler`` from parsed arguments; return the exit status.

    Raises
    ------
    FppError
        When an input cannot be read or contains no message, or the cluster cannot be reached.
    """
    from fpp.distributed.cluster import check_workers, open_client, parse_scheduler
    from fpp.distributed.bundle import bundle_scenario

    paths = args.file if isinstance(args.file, list) else [args.file]
    messages = _read_messages(paths)
    if not messages:
        raise FppError(f"no message found in {', '.join(paths)}; an ADEXP message starts with -TITLE on a new line")
    try:
        address = parse_scheduler(args.scheduler)
    except ValueError as error:
        raise FppError(str(error)) from None
    chunk_size = getattr(args, "chunk_size", None) or DEFAULT_CHUNK_SIZE
    setup = ConvertSetup(args.logic, bundle_scenario(args.scenario) if args.scenario else None, args.navdata,
                         bool(args.json))
    starts = range(0, len(messages), chunk_size)
    started = time.monotonic()
    # Task keys must be unique on the scheduler: a key still held by another client would return
    # that client's result.
    token = uuid.uuid4().hex[:12]
    with open_client(address) as client:
        threads = check_workers(client)
        print(f"fpp convert: {len(messages)} messages in {len(starts)} chunks on {threads} worker threads "
              f"({address or 'a local cluster'})", file=sys.stderr, flush=True)
        futures = [
            client.submit(convert_chunk, setup, start + 1, messages[start : start + chunk_size],
                          key=f"fpp-convert-{token}-{start + 1}", pure=False)
            for start in starts
        ]
        chunks = client.gather(futures)
    merged = merge_chunks(chunks, args.keep_going)
    workers = Counter(chunk.worker for chunk in chunks)
    logger.info("converted %d messages in %.1f s on %d workers", len(messages), time.monotonic() - started, len(workers))
    for entry in merged.entries:
        if entry["outcome"] != "converted":
            print(_report_line(entry), file=sys.stderr)
    if args.json:
        print(json.dumps({"logic": args.logic, "messages_read": len(messages), "counts": dict(merged.counts),
                          "error_codes": dict(merged.codes), "outcomes": merged.entries,
                          "records": merged.records}, indent=2, default=str))
    else:
        for record in merged.records:
            print(record)
        print(f"{args.logic}: " + ", ".join(f"{k} {v}" for k, v in sorted(merged.counts.items())), file=sys.stderr)
    if merged.counts["critical"]:
        return _EXIT_CRITICAL
    return _EXIT_OK if merged.counts["converted"] == len(messages) else _EXIT_SOME_REJECTED
