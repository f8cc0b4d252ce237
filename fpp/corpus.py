"""Traffic corpora: recorded or generated flight plans as a stream of ADEXP IFPL messages.

:func:`build_corpus` reads recorded filed plans, expands each route with fpp's own resolution
(:func:`fpp.route.resolve.resolve_route`) and writes the IFPL that IFPS would send
(:func:`fpp.route.ifpl.build_ifpl`), one message after the other with a blank line between.
It reads:

* CSV files of filed routes: VATSIM filed plans (``callsign``, ``route``, ... columns) and FAA
  preferred routes (``Orig``, ``Route String``, ``Dest``), through :mod:`fpp.formats.recorded`;
* files of ICAO FPL messages;
* files of ADEXP messages, whose flight plan fields are written back as an ICAO FPL and
  expanded again.

A plan that cannot be read or expanded is not dropped silently: it is counted under its error
code and listed in :attr:`CorpusReport.rejections`, with the token at fault.

:func:`generated_corpus` writes a day of generated traffic (:func:`fpp.traffic.generate_day`)
in the same form, for machines without recorded traffic.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from fpp.errors import FormatError, PlanError
from fpp.formats.adexp import AdexpMessage, emit_adexp, parse_adexp
from fpp.formats.icao import parse_icao
from fpp.formats.recorded import RecordedPlan, plan_from_faa_route, plan_from_recorded
from fpp.navdata.store import NavData
from fpp.route.ifpl import build_ifpl
from fpp.route.resolve import AirwayIndex, resolve_route

__all__ = [
    "CorpusReport",
    "Rejection",
    "SourceCounts",
    "build_corpus",
    "fpl_from_adexp",
    "generated_corpus",
    "read_plans",
]

#: Date of flight given to recorded rows that carry no date.
DEFAULT_DAY = date(2023, 8, 28)


@dataclass(frozen=True)
class Rejection:
    """A recorded plan that did not become an IFPL: where it came from and why."""

    source: str
    row: int
    callsign: str
    code: str
    token: str
    offset: int | None
    stage: str
    message: str

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source, "row": self.row, "callsign": self.callsign, "code": self.code,
            "token": self.token, "offset": self.offset, "stage": self.stage, "message": self.message,
        }  # fmt: skip


@dataclass
class SourceCounts:
    """Outcomes of one input file."""

    plans: int = 0
    expanded: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    normalised: int = 0

    @property
    def rejected(self) -> int:
        return self.plans - self.expanded

    @property
    def expanded_share(self) -> float:
        """Share of the plans that expanded, from 0 to 1 (0 for an empty file)."""
        return self.expanded / self.plans if self.plans else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "plans": self.plans,
            "expanded": self.expanded,
            "rejected": self.rejected,
            "expanded_share": round(self.expanded_share, 4),
            "normalised": self.normalised,
            "codes": dict(self.codes.most_common()),
        }


@dataclass
class CorpusReport:
    """What :func:`build_corpus` did: counts per input file and every rejected plan."""

    sources: dict[str, SourceCounts] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: Counter[str] = field(default_factory=Counter)

    @property
    def plans(self) -> int:
        return sum(counts.plans for counts in self.sources.values())

    @property
    def expanded(self) -> int:
        return sum(counts.expanded for counts in self.sources.values())

    @property
    def codes(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counts in self.sources.values():
            total.update(counts.codes)
        return total

    def to_dict(self) -> dict[str, object]:
        return {
            "plans": self.plans,
            "expanded": self.expanded,
            "rejected": self.plans - self.expanded,
            "expanded_share": round(self.expanded / self.plans, 4) if self.plans else 0.0,
            "codes": dict(self.codes.most_common()),
            "sources": {name: counts.to_dict() for name, counts in self.sources.items()},
            "normalisations": dict(self.warnings.most_common()),
        }


def _warning_kind(warning: str) -> str:
    """The kind of a normalisation warning of :mod:`fpp.formats.recorded`: the text before its colon."""
    return warning.split(":", 1)[0]


def fpl_from_adexp(message: AdexpMessage) -> str:
    """Write the flight plan fields of an ADEXP message as an ICAO FPL for expansion.

    Missing fields are left empty, so that :func:`fpp.formats.icao.parse_icao` rejects the plan
    naming the field.
    """
    def value(keyword: str) -> str:
        return message.get(keyword) or ""

    ssr = f"/A{value('SSRCODE')[1:]}" if value("SSRCODE").startswith("A") else ""
    alternates = " ".join(message.get(f"ALTRNT{n}") or "" for n in (1, 2)).strip()
    item18 = [f"{keyword}/{value(keyword)}" for keyword in ("PBN", "REG", "OPR", "SEL", "RMK") if value(keyword)]
    eobd = value("EOBD")
    if len(eobd) == 6 and eobd.isdigit():
        item18.insert(0, f"DOF/{eobd}")
    return (
        f"(FPL-{value('ARCID')}{ssr}-{value('FLTRUL')}{value('FLTTYP')}\n-{value('ARCTYP')}/{value('WKTRC')}"
        f"-{value('CEQPT')}/{value('SEQPT')}\n-{value('ADEP')}{value('EOBT')}\n-{value('ROUTE')}\n"
        f"-{value('ADES')}{value('TTLEET')}{' ' + alternates if alternates else ''}\n-{' '.join(item18) or '0'})"
    )


def _csv_plans(handle: TextIO, aerodromes: Container[str], day: date) -> Iterator[tuple[int, str, RecordedPlan | PlanError]]:
    reader = csv.DictReader(handle)
    fields = set(reader.fieldnames or ())
    faa = {"Orig", "Route String", "Dest"} <= fields
    if not faa and not {"callsign", "route"} <= fields:
        raise FormatError("SYN111", ",".join(sorted(fields))[:60], None, field="CSV header",
                          detail="expected VATSIM columns (callsign, route, ...) or FAA columns (Orig, Route String, Dest)")
    for number, row in enumerate(reader, start=1):
        label = f"PR{number:05d}" if faa else (row.get("callsign") or "")
        try:
            if faa:
                yield number, label, plan_from_faa_route(row, number, aerodromes, dof=f"{day:%y%m%d}")
            else:
                when = _snapshot(row.get("snapshot") or "")
                eobt = f"{when:%H%M}" if when else "1200"
                flight_day = when.date() if when else day
                yield number, label, plan_from_recorded(row, eobt=eobt, dof=f"{flight_day:%y%m%d}")
        except PlanError as error:
            yield number, label, error


def _snapshot(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text[:19])
    except ValueError:
        return None


def _message_plans(text: str) -> Iterator[tuple[int, str, RecordedPlan | PlanError]]:
    from fpp.cli import split_messages

    for number, message in enumerate(split_messages(text), start=1):
        if message.lstrip().startswith("-"):
            try:
                parsed = parse_adexp(message)
            except PlanError as error:
                yield number, "", error
                continue
            yield number, parsed.get("ARCID") or "", RecordedPlan(fpl_from_adexp(parsed), ())
        else:
            yield number, "", RecordedPlan(message, ())


def read_plans(path: Path, aerodromes: Container[str], day: date = DEFAULT_DAY) -> Iterator[tuple[int, str, RecordedPlan | PlanError]]:
    """Yield ``(row or message number, callsign, plan or error)`` for every plan in a file.

    A ``.csv`` file is read as filed routes, any other file as ICAO FPL or ADEXP messages.

    Raises
    ------
    FormatError
        ``SYN111`` for a CSV file without the columns of either layout.
    OSError
        When the file cannot be read.
    """
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            yield from _csv_plans(handle, aerodromes, day)
    else:
        yield from _message_plans(path.read_text(encoding="utf-8"))


def build_corpus(
    paths: Iterable[Path],
    nav: NavData,
    out: TextIO,
    *,
    day: date = DEFAULT_DAY,
    progress: Callable[[str, int], None] | None = None,
) -> CorpusReport:
    """Expand the recorded plans of ``paths`` and write their ADEXP IFPL messages to ``out``.

    Parameters
    ----------
    paths
        Input files (see the module docstring).
    nav
        Navigation data for the expansion.
    out
        Where the messages go, separated by blank lines.
    day
        Date of flight of rows that carry none.
    progress
        Called as ``progress(source, plans read so far)`` every 1,000 plans.
    """
    report = CorpusReport()
    index = AirwayIndex(nav)
    aerodromes = nav.airports
    for path in paths:
        counts = report.sources.setdefault(path.name, SourceCounts())
        for number, label, plan in read_plans(path, aerodromes, day):
            counts.plans += 1
            if progress is not None and counts.plans % 1000 == 0:
                progress(path.name, counts.plans)
            stage = "read"
            try:
                if isinstance(plan, PlanError):
                    raise plan
                if plan.warnings:
                    counts.normalised += 1
                    report.warnings.update(_warning_kind(w) for w in plan.warnings)
                stage = "parse"
                fpl = parse_icao(plan.text)
                label = label or fpl.aircraft_id
                stage = "expand"
                expanded = resolve_route(fpl.route, nav, fpl.adep, fpl.ades, index)
                message = emit_adexp(build_ifpl(fpl, expanded, day=day))
            except PlanError as error:
                counts.codes[error.code] += 1
                report.rejections.append(Rejection(path.name, number, label, error.code, error.token, error.offset, stage, str(error)))
                continue
            counts.expanded += 1
            out.write(message)
            out.write("\n\n")
    return report


def generated_corpus(nav: NavData, out: TextIO, count: int, seed: int, day: date = DEFAULT_DAY,
                     progress: Callable[[int, int], None] | None = None) -> int:
    """Write a generated day of ``count`` plans (:func:`fpp.traffic.generate_day`); return how many."""
    from fpp.traffic import generate_day

    plans = generate_day(nav, count, seed, day, progress=progress)
    buffer = io.StringIO()
    for plan in plans:
        buffer.write(plan.adexp_text)
        buffer.write("\n\n")
    out.write(buffer.getvalue())
    return len(plans)
