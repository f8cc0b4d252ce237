"""The ``fpp traffic`` command: recorded or generated flight plans as a stream of ADEXP messages.

``fpp traffic FILE... -o OUT`` expands every plan of the recorded files (CSV of filed routes,
files of ICAO FPL or ADEXP messages) with fpp's own expansion and writes the ADEXP IFPL messages
to ``OUT``, a blank line between messages: the stream that ``fpp convert`` and ``fpp bench``
read. It prints the plans expanded and rejected per file and per error code; ``--rejected``
writes every rejected plan with its code and the token at fault.

``fpp traffic --generate N -o OUT`` writes a generated day of ``N`` plans over the navigation
data instead (:func:`fpp.traffic.generate_day`).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from fpp.corpus import DEFAULT_DAY, CorpusReport, build_corpus, generated_corpus
from fpp.errors import FppError

__all__ = ["add_parser", "format_report", "run_traffic"]

#: Exit statuses, as for ``fpp expand``.
EXIT_OK = 0
EXIT_SOME_REJECTED = 4


#: Dates of flight that the two-digit years of ADEXP ``EOBD``, ``DOF`` and ``ETO`` can hold.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def _day(text: str) -> date:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}: write it as YYYY-MM-DD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(
            f"date {text} is outside {FIRST_DAY} to {LAST_DAY}, the years that the 6- and 12-digit ADEXP dates "
            "(EOBD, ETO) can hold"
        )
    return day


def _count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: write a whole number of plans") from None
    if count < 0:
        raise argparse.ArgumentTypeError(f"the number of plans must be 0 or more, not {count}")
    return count


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``traffic`` subcommand to the subparsers of the ``fpp`` command."""
    parser = subparsers.add_parser(
        "traffic",
        help="expand recorded flight plans (CSV of filed routes, ICAO FPL or ADEXP files) into a stream of ADEXP "
             "IFPL messages, or generate a day of traffic",
    )
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="recorded plans: .csv (VATSIM filed plans or FAA preferred routes) or files of ICAO FPL or "
                             "ADEXP messages")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="write the ADEXP messages here")
    parser.add_argument("--generate", type=_count, metavar="N", help="write a generated day of N plans instead of reading FILEs")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated day (default: 1)")
    parser.add_argument("--day", type=_day, default=DEFAULT_DAY, metavar="YYYY-MM-DD",
                        help=f"date of flight of generated plans and of rows without a date (default: {DEFAULT_DAY})")
    parser.add_argument("--rejected", metavar="FILE", help="write every rejected plan (file, row, code, token, message) as CSV")
    parser.add_argument("--json", action="store_true", help="print the counts as a JSON object instead of text")
    parser.add_argument("--navdata", metavar="DIR", help="navigation data folder instead of the default package data")
    parser.set_defaults(func=run_traffic, traffic_parser=parser)
    return parser


def format_report(report: CorpusReport) -> str:
    """The counts of a corpus build as text: per file, then per error code."""
    lines = []
    for name, counts in report.sources.items():
        lines.append(f"{name}: {counts.plans} plans, {counts.expanded} expanded ({100 * counts.expanded_share:.1f} %), "
                     f"{counts.rejected} rejected, {counts.normalised} normalised")
        for code, number in counts.codes.most_common():
            lines.append(f"  {code:<10} {number:6d}")
    share = 100 * report.expanded / report.plans if report.plans else 0.0
    lines.append(f"total: {report.plans} plans, {report.expanded} expanded ({share:.1f} %), {report.plans - report.expanded} rejected")
    if report.warnings:
        lines.append("normalisations (plans may have several):")
        for kind, number in report.warnings.most_common():
            lines.append(f"  {kind:<26} {number:6d}")
    return "\n".join(lines)


def _check_inputs(names: list[str]) -> None:
    """Raise FppError for an input that is missing, a folder or unreadable, before any work."""
    for name in names:
        path = Path(name)
        if path.is_dir():
            raise FppError(f"cannot read {name}: it is a folder; name the files in it")
        try:
            with path.open("rb"):
                pass
        except OSError as error:
            raise FppError(f"cannot read {name}: {error.strerror or error}") from None


def _open_output(name: str, newline: str | None = None) -> TextIO:
    try:
        return open(name, "w", encoding="utf-8", newline=newline)
    except OSError as error:
        raise FppError(f"cannot write {name}: {error.strerror or error}; name a file in an existing folder") from None


def run_traffic(args: argparse.Namespace) -> int:
    """Run ``fpp traffic``; return the exit status."""
    from fpp.navdata import load_navdata

    parser = getattr(args, "traffic_parser", None)

    def usage_error(message: str) -> int:
        if parser is not None:
            parser.error(message)
        print(f"fpp traffic: error: {message}", file=sys.stderr)
        return 2

    if args.generate is not None and args.files:
        return usage_error("give recorded FILEs or --generate N, not both")
    if args.generate is None and not args.files:
        return usage_error("give recorded FILEs or --generate N")
    _check_inputs(args.files)
    output = Path(args.output)
    if args.generate is not None:
        nav = load_navdata(args.navdata)
        print(f"fpp traffic: generating {args.generate} plans, seed {args.seed}", file=sys.stderr)

        def generated(done: int, total: int) -> None:
            if done % 1000 == 0 or done == total:
                print(f"  {done}/{total} plans", file=sys.stderr)

        with _open_output(args.output) as handle:
            written = generated_corpus(nav, handle, args.generate, args.seed, args.day, progress=generated)
        if written < args.generate:
            from fpp.traffic import CALLSIGN_COUNT

            reason = f"a free callsign (the generator has {CALLSIGN_COUNT:,})"
            if args.day == LAST_DAY:
                reason += " or estimated times before the end of 2099"
            print(f"fpp traffic: warning: wrote {written} of the {args.generate} plans requested: "
                  f"{args.generate - written} off-block slots found no plan with {reason} in 20 draws; "
                  "ask for fewer plans or another day", file=sys.stderr)
        summary = {"generated": written, "requested": args.generate, "seed": args.seed, "output": str(output)}
        print(json.dumps(summary) if args.json else f"wrote {written} plans to {output}")
        return EXIT_OK

    nav = load_navdata(args.navdata)

    def progress(source: str, plans: int) -> None:
        print(f"  {source}: {plans} plans read", file=sys.stderr)

    rejected = _open_output(args.rejected, newline="") if args.rejected else None
    try:
        with _open_output(args.output) as handle:
            report = build_corpus([Path(name) for name in args.files], nav, handle, day=args.day, progress=progress)
        if rejected is not None:
            writer = csv.writer(rejected)
            writer.writerow(["source", "row", "callsign", "code", "token", "offset", "stage", "message"])
            for rejection in report.rejections:
                writer.writerow([rejection.source, rejection.row, rejection.callsign, rejection.code, rejection.token,
                                 rejection.offset, rejection.stage, rejection.message])
    finally:
        if rejected is not None:
            rejected.close()
    if args.json:
        print(json.dumps({**report.to_dict(), "output": str(output)}, indent=2))
    else:
        print(format_report(report))
        print(f"wrote {report.expanded} messages to {output}")
    return EXIT_OK if report.expanded == report.plans else EXIT_SOME_REJECTED
