"""The ``fpp`` command line: replay, expand and convert."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path

from fpp.errors import CriticalException, FppError, PlanError

__all__ = ["main", "split_messages"]

logger = logging.getLogger("fpp")


def split_messages(text: str) -> list[str]:
    """Split a file of messages into messages.

    Messages are separated by a line with only ``NNNN`` or by blank lines. A message may span
    several lines, and a blank line inside an open bracket of an ICAO message does not end it.
    """
    messages, current = [], []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "NNNN" or (not stripped and current and not _open_bracket(current)):
            if current:
                messages.append("\n".join(current))
            current = []
            continue
        if stripped or current:
            current.append(line)
    if any(line.strip() for line in current):
        messages.append("\n".join(current))
    return messages


def _open_bracket(lines: list[str]) -> bool:
    text = "\n".join(lines)
    return text.count("(") > text.count(")")


def _load_nav(args: argparse.Namespace):
    from fpp.navdata import load_navdata
    from fpp.scenario import Scenario

    if args.scenario:
        scenario = Scenario.load(args.scenario)
        return scenario.navdata(args.navdata), scenario
    return load_navdata(args.navdata), None


def _cmd_replay(args: argparse.Namespace) -> int:
    from fpp.replay import format_replay, run_replay
    from fpp.scenario import Scenario

    scenario = Scenario.load(args.name)
    print(f"fpp replay {scenario.name}: seed {args.seed if args.seed is not None else scenario.section('traffic').get('seed')}",
          file=sys.stderr)
    result = run_replay(scenario, out_dir=args.out, navdata_dir=args.navdata, seed=args.seed)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(format_replay(result))
    return 0


def _cmd_expand(args: argparse.Namespace) -> int:
    from datetime import datetime

    from fpp.formats.adexp import emit_adexp
    from fpp.formats.icao import parse_icao
    from fpp.route.ifpl import build_ifpl
    from fpp.route.resolve import AirwayIndex, resolve_route

    nav, _ = _load_nav(args)
    index = AirwayIndex(nav)
    text = Path(args.file).read_text(encoding="utf-8") if args.file != "-" else sys.stdin.read()
    filing = datetime.strptime(args.filing_time, "%Y-%m-%dT%H:%M") if args.filing_time else None
    failures = 0
    outputs = []
    for number, raw in enumerate(split_messages(text), start=1):
        try:
            fpl = parse_icao(raw)
            expanded = resolve_route(fpl.route, nav, fpl.adep, fpl.ades, index)
            message = build_ifpl(fpl, expanded, filing_time=filing, ifplid=args.ifplid)
        except PlanError as error:
            failures += 1
            print(f"message {number}: {error}", file=sys.stderr)
            continue
        for warning in expanded.warnings:
            print(f"message {number}: warning: {warning}", file=sys.stderr)
        outputs.append(emit_adexp(message))
    result = "\n\n".join(outputs) + ("\n" if outputs else "")
    if args.output:
        Path(args.output).write_text(result, encoding="utf-8")
    else:
        sys.stdout.write(result)
    print(f"expanded {len(outputs)}, rejected {failures}", file=sys.stderr)
    return 0 if failures == 0 else 2


def _cmd_convert(args: argparse.Namespace) -> int:
    from fpp.convert.hardened import HardenedConverter
    from fpp.convert.legacy import LegacyConverter, uk_point_table
    from fpp.formats.adexp import parse_adexp
    from fpp.convert.airspace import uk_airspace

    nav, scenario = _load_nav(args)
    volume = scenario.airspace(nav) if scenario else uk_airspace(nav)
    converter = (LegacyConverter(uk_point_table(nav, volume), volume) if args.logic == "legacy"
                 else HardenedConverter(nav, volume))
    text = Path(args.file).read_text(encoding="utf-8") if args.file != "-" else sys.stdin.read()
    counts: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    records = []
    for number, raw in enumerate(split_messages(text), start=1):
        try:
            record = converter.convert(parse_adexp(raw))
        except CriticalException as error:
            counts["critical"] += 1
            print(f"message {number}: CRITICAL EXCEPTION: {error}; the channel would stop here", file=sys.stderr)
            if not args.keep_going:
                break
            continue
        except PlanError as error:
            outcome = "rejected" if error.code.startswith("SYN") or error.code == "CONV200" else "quarantined"
            counts[outcome] += 1
            codes[error.code] += 1
            print(f"message {number}: {outcome}: {error}", file=sys.stderr)
            continue
        counts["converted"] += 1
        records.append(record)
    if args.json:
        print(json.dumps({"logic": args.logic, "counts": dict(counts), "error_codes": dict(codes),
                          "records": [r.to_dict() for r in records]}, indent=2, default=str))
    else:
        for record in records:
            print(record.to_text())
        print(f"{args.logic}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr)
    return 0 if not counts["critical"] else 3


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``fpp`` command."""
    parser = argparse.ArgumentParser(prog="fpp", description="Flight-plan processing simulator and fault-injection testbed.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and every caught error")
    sub = parser.add_subparsers(dest="command", required=True)

    def navdata_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--navdata", metavar="DIR", help="navigation data folder (X-Plane fix/nav/awy files) instead of the default package data")
        p.add_argument("--scenario", metavar="NAME", help="add this scenario's supplementary navigation data and airspace settings")

    replay = sub.add_parser("replay", help="replay a scenario through legacy and hardened channels")
    replay.add_argument("name", help="scenario name (aug2023) or folder")
    replay.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    replay.add_argument("--out", default="out", metavar="DIR", help="folder for the map PNG (default: out)")
    replay.add_argument("--navdata", metavar="DIR", help="navigation data folder instead of the default package data")
    replay.add_argument("--seed", type=int, help="seed of the background traffic (default: the scenario's)")
    replay.set_defaults(func=_cmd_replay)

    expand = sub.add_parser("expand", help="expand ICAO FPL messages into the ADEXP IFPL that IFPS would send")
    expand.add_argument("file", help="file of ICAO FPL messages, or - for standard input")
    expand.add_argument("-o", "--output", metavar="FILE", help="write the ADEXP messages here instead of standard output")
    expand.add_argument("--filing-time", metavar="YYYY-MM-DDTHH:MM", help="UTC filing time written as FILTIM")
    expand.add_argument("--ifplid", help="IFPLID to write (two letters and eight digits)")
    navdata_options(expand)
    expand.set_defaults(func=_cmd_expand)

    convert = sub.add_parser("convert", help="convert ADEXP messages to NAS records")
    convert.add_argument("file", help="file of ADEXP messages, or - for standard input")
    convert.add_argument("--logic", choices=("legacy", "hardened"), default="hardened", help="conversion logic (default: hardened)")
    convert.add_argument("--json", action="store_true", help="print a JSON object with counts and records")
    convert.add_argument("--keep-going", action="store_true", help="continue after a legacy critical exception")
    navdata_options(convert)
    convert.set_defaults(func=_cmd_convert)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``fpp`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except (FppError, FileNotFoundError, KeyError) as error:
        print(f"fpp: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
