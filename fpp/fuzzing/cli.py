"""The ``fpp fuzz`` command: run a fuzz campaign against the legacy or the hardened logic.

Register it on the main parser with :func:`add_parser`. The command imports Hypothesis and the
campaign only when it runs, so the other ``fpp`` commands work without the fuzzing extras.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import secrets
import sys
from pathlib import Path

__all__ = ["add_parser", "run_fuzz"]

#: Exit status when the campaign found at least one failure.
EXIT_FAILURES = 3


def _minutes(text: str) -> float:
    """Parse ``--minutes``: a finite number of minutes above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of minutes {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"invalid number of minutes {text!r}: give a finite number above 0")
    return value


def _prepare_folder(path: Path, option: str) -> str | None:
    """Create ``path`` as a folder if needed; return why it cannot be one, or ``None``.

    The campaign writes there only after it has searched, so a bad path is found before the search.
    """
    if path.exists() and not path.is_dir():
        return f"{option} {path} is a file; name a folder"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"cannot create the folder {path} of {option}: {error.strerror or error}"
    return None


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``fuzz`` subcommand to the ``fpp`` command's subparsers and return its parser."""
    parser = subparsers.add_parser(
        "fuzz",
        help="run the property-based fuzzers in parallel processes and write a reproducer per distinct failure",
        description=(
            "Run the fuzz targets of one converter logic with Hypothesis in parallel worker processes that "
            "share one example database. Each distinct failure (exception type, error code, invariant and "
            "innermost fpp frames) is shrunk and written as a reproducer folder: the message, the navigation "
            "data it needs and a pytest test. The exit status is 3 when a failure was found."
        ),
    )
    parser.add_argument("--minutes", type=_minutes, default=1.0, help="wall-clock time to search, in minutes (default: 1)")
    parser.add_argument("--workers", type=int, default=2, help="number of worker processes (default: 2)")
    parser.add_argument("--mode", choices=("legacy", "hardened"), default="hardened",
                        help="converter logic to attack (default: hardened)")
    parser.add_argument("--seed", type=int, help="campaign seed (default: a random seed, printed)")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON object with examples, failures and time_to_first_failure_s")
    parser.add_argument("--database", metavar="DIR|URL", default=".hypothesis/fpp-fuzz",
                        help="shared example database: a folder (default: .hypothesis/fpp-fuzz) or a Redis URL "
                             "redis://HOST:PORT/N that many machines share (runs the workers on Dask)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run the workers as tasks on this Dask scheduler (tcp://HOST:PORT or a scheduler file), "
                             "using its workers instead of --workers; 'local' starts a local Dask cluster")
    parser.add_argument("--out", metavar="DIR", default="out/fuzz",
                        help="folder for the reproducers (default: out/fuzz; a sub-folder per seed and mode)")
    parser.set_defaults(func=run_fuzz)
    return parser


def run_fuzz(args: argparse.Namespace) -> int:
    """Run the campaign the parsed arguments describe; returns the exit status."""
    from fpp.distributed.database import describe_database, is_redis_url
    from fpp.fuzzing.campaign import run_campaign

    if args.workers < 1:
        print("fpp fuzz: error: --workers must be at least 1", file=sys.stderr)
        return 2
    folders = [(Path(args.out), "--out")]
    if not is_redis_url(args.database):
        folders.append((Path(args.database), "--database"))
    for folder, option in folders:
        problem = _prepare_folder(folder, option)
        if problem:
            print(f"fpp fuzz: error: {problem}", file=sys.stderr)
            return 2
    seed = args.seed if args.seed is not None else secrets.randbits(32)
    command = f"fpp fuzz --mode {args.mode} --minutes {args.minutes:g} --workers {args.workers} --seed {seed}"
    print(f"fpp fuzz: seed {seed}, mode {args.mode}, {args.workers} workers, {args.minutes:g} min "
          f"(repeat with: {command})", file=sys.stderr, flush=True)
    out = Path(args.out) / f"{args.mode}-{seed}"
    if not getattr(args, "verbose", False):
        # Replaying a legacy failure stops channels on purpose, and the reproducers report it.
        logging.getLogger("fpp.system.channel").setLevel(logging.CRITICAL)

    if args.scheduler or is_redis_url(args.database):
        from fpp.distributed.fuzz import run_distributed_campaign

        command += f" --database {describe_database(args.database)}"
        command += f" --scheduler {args.scheduler}" if args.scheduler else ""
        result = run_distributed_campaign(args.mode, args.minutes, args.workers, seed, args.database, out,
                                          sys.stderr, command, scheduler=args.scheduler)
    else:
        result = run_campaign(args.mode, args.minutes, args.workers, seed, args.database, out, sys.stderr, command)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        first = "none" if result.time_to_first_failure_s is None else f"{result.time_to_first_failure_s:.1f} s"
        print(f"seed {seed}: {result.examples} examples, {len(result.failures)} distinct failures, first failure after {first}")
        for failure in result.failures:
            print(f"  {failure['key']}\n    {failure['folder']}")
        if result.disagreements:
            print("legacy against hardened: " + ", ".join(f"{k} {v}" for k, v in sorted(result.disagreements.items())))
    return EXIT_FAILURES if result.failures else 0
