"""The ``fpp`` command line: replay, expand and convert."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path

from fpp.errors import FormatError, FppError, PlanError
from fpp.formats.stream import split_messages

__all__ = ["main", "split_messages"]

logger = logging.getLogger("fpp")


def _read_input(path: str) -> str:
    """Read a message file (or standard input for ``-``) as UTF-8 text.

    Raises
    ------
    FppError
        When the file cannot be read or is not UTF-8 text.
    """
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FppError(f"{path} is not UTF-8 text (byte {error.start}: {error.reason}); convert it to UTF-8") from None
    except OSError as error:
        raise FppError(f"cannot read {path}: {error.strerror or error}") from None


def _filing_time(text: str):
    from datetime import datetime

    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid filing time {text!r}: expected YYYY-MM-DDTHH:MM in UTC") from None


def _ifplid(text: str) -> str:
    import re

    if not re.fullmatch(r"[A-Z]{2}\d{8}", text):
        raise argparse.ArgumentTypeError(f"invalid IFPLID {text!r}: expected two capital letters and eight digits, as AA00000731")
    return text


def _load_nav(args: argparse.Namespace):
    from fpp.navdata import load_navdata
    from fpp.scenario import Scenario

    if args.scenario:
        scenario = Scenario.load(args.scenario)
        return scenario.navdata(args.navdata), scenario
    return load_navdata(args.navdata), None


def _cmd_replay(args: argparse.Namespace) -> int:
    from fpp.replay import format_replay, replay_seed, run_replay
    from fpp.scenario import Scenario
    from fpp.sim.journal import JournalError, check_journal_file
    from fpp.sim.params import apply_overrides, parse_assignment
    from fpp.sim.runner import load_setup, variant_overrides

    scenario = Scenario.load(args.name)
    try:
        overrides = dict(parse_assignment(text) for text in args.set or [])
        if overrides or args.variant or args.compare:
            setup = load_setup(scenario)
            variant_values, _ = variant_overrides(setup, args.variant or "baseline")
            apply_overrides(apply_overrides(setup.params, variant_values), overrides)
    except (KeyError, ValueError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"fpp: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    if args.journal is not None:
        try:
            check_journal_file(args.journal)
        except JournalError as error:
            raise FppError(str(error)) from None
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise FppError(f"--out {args.out} is a file; name a folder for the map and plots")
    if not getattr(args, "verbose", False):
        # The replay stops channels on purpose; their error log lines would read as a failure of fpp.
        logging.getLogger("fpp.system.channel").setLevel(logging.CRITICAL)
    print(f"fpp replay {scenario.name}: seed {replay_seed(scenario, args.seed)}", file=sys.stderr)
    try:
        result = run_replay(scenario, out_dir=args.out, navdata_dir=args.navdata, seed=args.seed,
                            simulate=not args.no_simulation, variant=args.variant, overrides=overrides,
                            compare=args.compare, plot=args.plot, journal_path=args.journal)
    except (KeyError, ValueError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"fpp: error: {message}", file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(format_replay(result))
    return EXIT_OK


#: Exit statuses of ``fpp expand`` and ``fpp convert``.
EXIT_OK = 0  # every message expanded or converted
EXIT_ERROR = 1  # the command could not run: unreadable file, invalid scenario
EXIT_USAGE = 2  # invalid options (argparse)
EXIT_CRITICAL = 3  # the legacy logic raised a critical exception: its channel would stop
EXIT_SOME_REJECTED = 4  # the command ran, and some messages were rejected or quarantined


def _rebase(error: PlanError, route_offset: int | None) -> PlanError:
    """Give an Item 15 error the offset in the whole message, like the parser's own errors."""
    if error.field != "15" or error.offset is None or route_offset is None:
        return error
    detail = f"{error.detail} (offset {error.offset} in Item 15)" if error.detail else f"offset {error.offset} in Item 15"
    return type(error)(error.code, error.token, error.offset + route_offset, field=error.field, detail=detail, hint=error.hint)


def _summary_status(counts: Counter[str], total: int) -> int:
    if counts["critical"]:
        return EXIT_CRITICAL
    return EXIT_OK if counts["converted"] + counts["expanded"] == total else EXIT_SOME_REJECTED


def _cmd_expand(args: argparse.Namespace) -> int:
    from fpp.convert.outcome import message_kind, not_icao_error
    from fpp.formats.adexp import emit_adexp
    from fpp.formats.icao import parse_icao
    from fpp.route.ifpl import build_ifpl
    from fpp.route.resolve import AirwayIndex, resolve_route

    text = _read_input(args.file)
    messages = split_messages(text)
    if not messages:
        raise FppError(f"no message found in {args.file}; an ICAO message starts with '(' on a new line")
    nav, _ = _load_nav(args)
    index = AirwayIndex(nav)
    counts: Counter[str] = Counter()
    outputs = []
    for number, raw in enumerate(messages, start=1):
        if message_kind(raw) == "adexp":
            counts["rejected"] += 1
            print(f"message {number}: rejected: {not_icao_error(raw)}", file=sys.stderr)
            continue
        callsign, route_offset = "", None
        try:
            fpl = parse_icao(raw)
            callsign, route_offset = fpl.aircraft_id, fpl.route_offset
            expanded = resolve_route(fpl.route, nav, fpl.adep, fpl.ades, index)
            message = build_ifpl(fpl, expanded, filing_time=args.filing_time, ifplid=args.ifplid)
            output = emit_adexp(message)
        except PlanError as error:
            counts["rejected"] += 1
            print(f"message {number}: rejected: {_rebase(error, route_offset)}", file=sys.stderr)
            continue
        except ValueError as error:
            # The writer refuses text it could not read back, such as a remark holding " -ADES".
            counts["rejected"] += 1
            rejection = FormatError("SYN113", callsign, None, field="ADEXP", detail=f"cannot be written as ADEXP: {error}")
            print(f"message {number}: rejected: {rejection}", file=sys.stderr)
            continue
        for warning in expanded.warnings:
            print(f"message {number}: warning: {warning}", file=sys.stderr)
        counts["expanded"] += 1
        outputs.append(output)
    result = "\n\n".join(outputs) + ("\n" if outputs else "")
    if args.output:
        Path(args.output).write_text(result, encoding="utf-8")
    else:
        sys.stdout.write(result)
    print(f"expanded {counts['expanded']}, rejected {counts['rejected']}", file=sys.stderr)
    return _summary_status(counts, len(messages))


def _cmd_convert(args: argparse.Namespace) -> int:
    from fpp.convert.airspace import uk_airspace
    from fpp.convert.hardened import HardenedConverter
    from fpp.convert.legacy import LegacyConverter, uk_point_table
    from fpp.convert.outcome import classify_message

    if args.scheduler:
        from fpp.distributed.convert import run_distributed_convert

        return run_distributed_convert(args)
    messages = [message for path in args.file for message in split_messages(_read_input(path))]
    if not messages:
        raise FppError(f"no message found in {', '.join(args.file)}; an ADEXP message starts with -TITLE on a new line")
    nav, scenario = _load_nav(args)
    volume = scenario.airspace(nav) if scenario else uk_airspace(nav)
    converter = (LegacyConverter(uk_point_table(nav, volume), volume) if args.logic == "legacy"
                 else HardenedConverter(nav, volume))
    counts: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    outcomes: list[dict[str, object]] = []
    records = []
    for number, raw in enumerate(messages, start=1):
        entry, record = classify_message(converter, raw, number)
        outcomes.append(entry)
        outcome = entry["outcome"]
        if outcome == "converted":
            counts["converted"] += 1
            records.append(record)
            continue
        if outcome == "critical exception":
            counts["critical"] += 1
            print(f"message {number}: CRITICAL EXCEPTION: {entry['error']}; the channel would stop here", file=sys.stderr)
            if not args.keep_going:
                break
            continue
        counts[outcome] += 1
        codes[entry["code"]] += 1
        prefix = "CONV299 " if entry["code"] == "CONV299" else ""
        print(f"message {number}: {outcome}: {prefix}{entry['error']}", file=sys.stderr)
    if args.json:
        print(json.dumps({"logic": args.logic, "messages_read": len(messages), "counts": dict(counts),
                          "error_codes": dict(codes), "outcomes": outcomes,
                          "records": [r.to_dict() for r in records]}, indent=2, default=str))
    else:
        for record in records:
            print(record.to_text())
        print(f"{args.logic}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr)
    return _summary_status(counts, len(messages))


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``fpp`` command."""
    from fpp import __version__

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log progress and every caught error to standard error")
    parser = argparse.ArgumentParser(
        prog="fpp", parents=[common],
        description="Flight-plan processing simulator and fault-injection testbed.",
        epilog="Exit status: 0 all messages processed, 1 error, 2 invalid options, 3 legacy critical exception, "
               "4 some messages rejected or quarantined.",
    )
    parser.add_argument("--version", action="version", version=f"fpp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_parser = sub.add_parser

    def add_parser(name: str, **kwargs):
        return _add_parser(name, parents=[common], **kwargs)

    sub.add_parser = add_parser  # every subcommand accepts -v too

    def navdata_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--navdata", metavar="DIR",
                       help="navigation data folder (X-Plane fix/nav/awy files, FIR polygons as GeoJSON, BlueSky fir/ "
                            "or POLYALT .scn) instead of the default package data")
        p.add_argument("--scenario", metavar="NAME", help="add this scenario's supplementary navigation data and airspace settings")

    replay = sub.add_parser("replay", help="replay a scenario through legacy and hardened channels and simulate its day")
    replay.add_argument("name", help="scenario name (aug2023, eram2014, nats2014, etfms2018) or folder")
    replay.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    replay.add_argument("--out", default="out", metavar="DIR", help="folder for the map and plot PNGs (default: out)")
    replay.add_argument("--navdata", metavar="DIR", help="navigation data folder instead of the default package data")
    replay.add_argument("--seed", type=int, help="seed of the background traffic and the simulation (default: the scenario's)")
    replay.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="replace a simulation parameter, e.g. --set second_line_on_site=true or "
                             "--set manual_rate_per_hour=120 (repeatable; names and units in docs/simulation.md)")
    replay.add_argument("--variant", metavar="NAME", help="simulate a variant defined in the scenario file instead of the baseline")
    replay.add_argument("--compare", action="store_true", help="also simulate every variant of the scenario and print a table")
    replay.add_argument("--plot", action="store_true", help="write plots of the simulation (channel states and events, "
                                                            "buffer and backlog, throughput per hour) to --out")
    replay.add_argument("--journal", metavar="FILE", help="keep the SQLite message journal of the simulation in FILE")
    replay.add_argument("--no-simulation", action="store_true", help="skip the day simulation")
    replay.set_defaults(func=_cmd_replay)

    expand = sub.add_parser("expand", help="expand ICAO FPL messages into the ADEXP IFPL that IFPS would send")
    expand.add_argument("file", help="file of ICAO FPL messages, or - for standard input")
    expand.add_argument("-o", "--output", metavar="FILE", help="write the ADEXP messages here instead of standard output")
    expand.add_argument("--filing-time", type=_filing_time, metavar="YYYY-MM-DDTHH:MM", help="UTC filing time written as FILTIM")
    expand.add_argument("--ifplid", type=_ifplid, help="IFPLID to write (two capital letters and eight digits)")
    navdata_options(expand)
    expand.set_defaults(func=_cmd_expand)

    convert = sub.add_parser("convert", help="convert ADEXP messages to NAS records")
    convert.add_argument("file", nargs="+", help="files of ADEXP messages, read in order as one stream, or - for standard input")
    convert.add_argument("--logic", choices=("legacy", "hardened"), default="hardened", help="conversion logic (default: hardened)")
    convert.add_argument("--json", action="store_true", help="print a JSON object with counts and records")
    convert.add_argument("--keep-going", action="store_true", help="continue after a legacy critical exception")
    from fpp.distributed.cluster import scheduler_argument
    from fpp.distributed.convert import DEFAULT_CHUNK_SIZE, chunk_size_argument

    convert.add_argument("--scheduler", type=scheduler_argument, metavar="ADDRESS",
                         help="convert in chunks on this Dask scheduler (tcp://HOST:PORT or a scheduler file; 'local' "
                              "starts a local cluster); the output equals that of a single-machine run")
    convert.add_argument("--chunk-size", type=chunk_size_argument, default=DEFAULT_CHUNK_SIZE, metavar="N",
                         help=f"messages per Dask task with --scheduler (default: {DEFAULT_CHUNK_SIZE})")
    navdata_options(convert)
    convert.set_defaults(func=_cmd_convert)

    from fpp import bench, traffic_cli
    from fpp.distributed import add_parser as add_sweep_parser
    from fpp.fuzzing import add_parser as add_fuzz_parser

    traffic_cli.add_parser(sub)
    bench.add_parser(sub)
    add_fuzz_parser(sub)
    add_sweep_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``fpp`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    verbose = getattr(args, "verbose", False)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader of standard output went away (``fpp ... | head``): stop quietly.
        sys.stderr.close()
        return EXIT_OK
    except (FppError, OSError) as error:
        print(f"fpp: error: {error}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
