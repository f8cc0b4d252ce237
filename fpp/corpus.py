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
code and listed in :attr:`CorpusReport.rejections`, with the token at fault. Files are read as
UTF-8, with or without a byte-order mark. A byte that is not UTF-8 rejects only its CSV row or
message (``SYN101``, naming the byte); a file in which more than
:data:`NOT_TEXT_SHARE` of the bytes are not UTF-8, or whose CSV header holds such a byte, is no
text file and stops the build with :class:`fpp.errors.FppError`. CSV fields may hold up to
:data:`CSV_FIELD_LIMIT` characters.

:func:`generated_corpus` writes a day of generated traffic (:func:`fpp.traffic.generate_day`)
in the same form, for machines without recorded traffic.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from fpp.errors import FormatError, FppError, PlanError
from fpp.formats.adexp import AdexpMessage, emit_adexp, parse_adexp
from fpp.formats.icao import IcaoMessage, parse_icao
from fpp.formats.recorded import RecordedPlan, plan_from_faa_route, plan_from_recorded
from fpp.navdata.store import NavData
from fpp.route.ifpl import build_ifpl
from fpp.route.resolve import AirwayIndex, ExpandedRoute, resolve_route

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

#: Largest CSV field read [characters]; Python's csv module stops at 131,072 by default.
CSV_FIELD_LIMIT = 4 * 1024 * 1024

#: Share of bytes that are not UTF-8 above which a message file is taken for no text file.
NOT_TEXT_SHARE = 0.1

_BAD_BYTE = re.compile("[\udc80-\udcff]")


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


def _bad_byte(text: str) -> str | None:
    """Return the first byte that was not UTF-8 in text decoded with ``surrogateescape``, as ``0xE9``."""
    match = _BAD_BYTE.search(text)
    return None if match is None else f"0x{ord(match.group()) - 0xDC00:02X}"


def _clean(text: str) -> str:
    """Replace the stand-ins of bytes that were not UTF-8 with ``?``, so that the text can be written as UTF-8."""
    return _BAD_BYTE.sub("?", text)


def _not_utf8(byte: str, where: str, offset: int | None = None) -> FormatError:
    return FormatError("SYN101", byte, offset, field=where, detail=f"byte {byte} is not UTF-8 text",
                       hint="Save the file as UTF-8, or replace the character with its ICAO equivalent.")


def _missing_columns(fields: list[str]) -> FormatError | None:
    """Return SYN111 naming every missing column of the layout closest to the header, or None."""
    present = set(fields)
    faa = ("Orig", "Route String", "Dest")
    vatsim = ("callsign", "route")
    if set(faa) <= present or set(vatsim) <= present:
        return None
    layout = faa if present & set(faa) else vatsim
    missing = [column for column in layout if column not in present]
    found = ", ".join(fields)
    found = found if len(found) <= 80 else found[:80] + "..."
    return FormatError(
        "SYN111", ", ".join(missing), None, field="CSV header",
        detail=f"the header lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; it has "
               f"{found or 'no columns'}. Expected VATSIM columns (callsign, route, ...) or FAA columns (Orig, Route String, Dest)",
        hint="Add the missing columns to the first line of the file.",
    )


def _csv_plans(handle: TextIO, aerodromes: Container[str], day: date, name: str = "the CSV file") -> Iterator[tuple[int, str, RecordedPlan | PlanError]]:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    reader = csv.DictReader(handle)
    try:
        fields = list(reader.fieldnames or ())
    except csv.Error as error:
        raise FppError(f"cannot read the CSV header of {name}: {error}") from None
    byte = _bad_byte(",".join(fields))
    if byte is not None:
        raise FppError(f"{name} is not UTF-8 text (byte {byte} in its header); convert it to UTF-8")
    missing = _missing_columns(fields)
    if missing is not None:
        raise FppError(f"{name}: {missing}")
    faa = {"Orig", "Route String", "Dest"} <= set(fields)
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FppError(f"{name}, line {reader.reader.line_num}: {error}; a field may hold up to {CSV_FIELD_LIMIT:,} "
                           "characters, and a quoted field must end with its quote") from None
        number += 1
        label = f"PR{number:05d}" if faa else _clean(row.get("callsign") or "")
        try:
            for column, value in row.items():
                byte = _bad_byte(value) if isinstance(value, str) else None
                if byte is not None:
                    raise _not_utf8(byte, str(column))
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
    from fpp.formats.stream import split_messages

    for number, message in enumerate(split_messages(text), start=1):
        byte = _bad_byte(message)
        if byte is not None:
            yield number, "", _not_utf8(byte, "message", _BAD_BYTE.search(message).start())
        elif message.lstrip().startswith("-"):
            try:
                parsed = parse_adexp(message)
            except PlanError as error:
                yield number, "", error
                continue
            yield number, parsed.get("ARCID") or "", RecordedPlan(fpl_from_adexp(parsed), ())
        else:
            yield number, "", RecordedPlan(message, ())


def _read_message_file(path: Path) -> str:
    data = path.read_bytes()
    text = data.decode("utf-8-sig", errors="surrogateescape")
    bad = len(_BAD_BYTE.findall(text))
    if bad > NOT_TEXT_SHARE * len(data):
        first = _BAD_BYTE.search(text)
        raise FppError(f"{path} is not UTF-8 text ({bad:,} of its {len(data):,} bytes are not UTF-8, the first "
                       f"{_bad_byte(text)} at character {first.start() if first else 0}); convert it to UTF-8")
    return text


def read_plans(path: Path, aerodromes: Container[str], day: date = DEFAULT_DAY) -> Iterator[tuple[int, str, RecordedPlan | PlanError]]:
    """Yield ``(row or message number, callsign, plan or error)`` for every plan in a file.

    A ``.csv`` file is read as filed routes, any other file as ICAO FPL or ADEXP messages. A row
    or message with a byte that is not UTF-8 is yielded as a ``SYN101`` error naming the byte.

    Raises
    ------
    FppError
        When the file cannot be read, is no UTF-8 text (see the module docstring), or is a CSV
        file whose header lacks the columns of both layouts (the message then contains ``SYN111``
        and the missing columns) or that the csv module cannot split into fields.
    """
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
                yield from _csv_plans(handle, aerodromes, day, str(path))
        else:
            yield from _message_plans(_read_message_file(path))
    except OSError as error:
        raise FppError(f"cannot read {path}: {error.strerror or error}") from None


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
                stage = "write"
                message = _write_ifpl(fpl, expanded, day, label)
            except PlanError as error:
                counts.codes[error.code] += 1
                report.rejections.append(Rejection(path.name, number, label, error.code, error.token, error.offset, stage, str(error)))
                continue
            counts.expanded += 1
            out.write(message)
            out.write("\n\n")
    return report


def _write_ifpl(fpl: IcaoMessage, expanded: ExpandedRoute, day: date, label: str) -> str:
    """Write the IFPL of one plan as ADEXP; raise SYN113 when ADEXP cannot carry its values.

    The builders and :func:`fpp.formats.adexp.emit_adexp` raise ValueError for values that an
    ADEXP reader would read back differently, such as a remark that contains `` -SSRCODE``.
    """
    try:
        return emit_adexp(build_ifpl(fpl, expanded, day=day))
    except ValueError as error:
        raise FormatError("SYN113", label, None, field="ADEXP", detail=f"cannot be written as ADEXP: {error}") from None


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
