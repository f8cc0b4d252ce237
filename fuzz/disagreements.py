"""Count the classes of difference between the legacy and the hardened logic over drawn plans.

Run from the repository root::

    .venv/bin/python -m fuzz.disagreements --seed 1 --examples 2000 [--json]

The plans are drawn by the semantic strategy (:func:`fpp.fuzzing.routes.plan_cases`) without
shrinking, so every plan counts once. The classes are those of :data:`fpp.fuzzing.compare.CLASSES`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter

from hypothesis import HealthCheck, Phase, given, seed, settings

from fpp.fuzzing.compare import CLASSES, classify
from fpp.fuzzing.routes import PlanCase, plan_cases
from fpp.fuzzing.world import default_world

__all__ = ["count_disagreements", "main"]


def count_disagreements(seed_value: int, examples: int) -> Counter[str]:
    """Draw ``examples`` plans under ``seed_value`` and count their classes."""
    world = default_world()
    counts: Counter[str] = Counter()

    @seed(seed_value)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(plan_cases(world))
    def draw(case: PlanCase) -> None:
        counts[classify(case, world)] += 1

    draw()
    return counts


def main(argv: list[str] | None = None) -> int:
    """Print the counts per class, most frequent first."""
    parser = argparse.ArgumentParser(prog="python -m fuzz.disagreements", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="Hypothesis seed (default: 1)")
    parser.add_argument("--examples", type=int, default=2000, help="number of plans to draw (default: 2000)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    logging.getLogger("fpp").setLevel(logging.CRITICAL)
    print(f"fuzz.disagreements: seed {args.seed}, {args.examples} plans", file=sys.stderr)
    counts = count_disagreements(args.seed, args.examples)
    if args.json:
        print(json.dumps({"seed": args.seed, "plans": sum(counts.values()), "classes": dict(counts.most_common())}, indent=2))
        return 0
    for name, count in counts.most_common():
        print(f"{count:6d}  {name:28s} {CLASSES[name]}")
    print(f"{sum(counts.values()):6d}  plans")
    return 0


if __name__ == "__main__":
    sys.exit(main())
