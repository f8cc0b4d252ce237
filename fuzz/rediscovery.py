"""Measure how fast the fuzzer rediscovers the 2023 failure: examples and seconds to first failure per seed.

Run from the repository root::

    .venv/bin/python -m fuzz.rediscovery --seeds 1-10 [--budget 5000] [--json]

Each seed runs the ``legacy-plans`` target from an empty example database until a plan stops the
legacy channels, then shrinks it. The table gives, per seed, the examples and wall-clock seconds
to the first failing example (before shrinking), the total time with shrinking, and the shrunk
plan. The last line gives the median and the maximum.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import sys
import time

from fpp.fuzzing.campaign import search
from fpp.fuzzing.compare import classify
from fpp.fuzzing.routes import build_case
from fpp.fuzzing.world import default_world

__all__ = ["main", "parse_seeds"]


def parse_seeds(text: str) -> list[int]:
    """Parse ``1-10`` or ``1,4,7`` into a list of seeds."""
    seeds: list[int] = []
    for part in text.split(","):
        if "-" in part:
            low, high = part.split("-")
            seeds.extend(range(int(low), int(high) + 1))
        else:
            seeds.append(int(part))
    return seeds


def main(argv: list[str] | None = None) -> int:
    """Run the measurement; returns 1 when a seed found nothing within the budget."""
    parser = argparse.ArgumentParser(prog="python -m fuzz.rediscovery", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-10", help="seeds, as 1-10 or 1,4,7 (default: 1-10)")
    parser.add_argument("--budget", type=int, default=5000, help="maximum number of examples per seed (default: 5000)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    logging.getLogger("fpp").setLevel(logging.CRITICAL)

    started = time.monotonic()
    world = default_world()
    world_s = time.monotonic() - started
    rows = []
    for seed in parse_seeds(args.seeds):
        result = search("legacy-plans", seed, args.budget, world, database=None)
        failure = result.failure
        rows.append({
            "seed": seed,
            "examples_to_first_failure": result.examples_to_first_failure,
            "time_to_first_failure_s": None if result.time_to_first_failure_s is None else round(result.time_to_first_failure_s, 2),
            "total_s": round(result.elapsed_s, 2),
            "plan": None if failure is None else f"{failure.value.route} ({failure.value.adep}-{failure.value.ades})",
            "class": None if failure is None else classify(build_case(failure.value, world), world),
        })
        if not args.json:
            row = rows[-1]
            print(f"seed {seed:3d}: {row['examples_to_first_failure']} examples, {row['time_to_first_failure_s']} s "
                  f"(with shrinking {row['total_s']} s): {row['plan']} [{row['class']}]", flush=True)

    found = [row for row in rows if row["examples_to_first_failure"] is not None]
    summary = {
        "machine": f"{platform.machine()}, {platform.processor() or 'unknown CPU'}, Python {platform.python_version()}",
        "world_build_s": round(world_s, 2),
        "seeds": len(rows),
        "found": len(found),
        "examples_median": statistics.median(r["examples_to_first_failure"] for r in found) if found else None,
        "examples_max": max((r["examples_to_first_failure"] for r in found), default=None),
        "time_median_s": round(statistics.median(r["time_to_first_failure_s"] for r in found), 2) if found else None,
        "time_max_s": max((r["time_to_first_failure_s"] for r in found), default=None),
        "rows": rows,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"found {summary['found']} of {summary['seeds']}; examples median {summary['examples_median']}, "
              f"max {summary['examples_max']}; seconds median {summary['time_median_s']}, max {summary['time_max_s']} "
              f"(world built in {summary['world_build_s']} s, not counted)")
    return 0 if len(found) == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
