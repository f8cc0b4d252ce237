"""Batch conversion with the Numba kernels: many ADEXP messages to NAS records at once.

:class:`BatchConverter` gives, message by message, the outcome of
:meth:`fpp.convert.hardened.HardenedConverter.convert`: a :class:`~fpp.convert.record.NasRecord`
or the :class:`~fpp.errors.PlanError` it raises. The work is done by
:func:`fpp.kernels.convert.convert_messages` over the whole batch; the messages the kernels
leave out (syntax and route errors, rare forms, see :mod:`fpp.kernels.convert`) are converted
by the hardened converter itself as the batch is read.

A :class:`BatchResult` keeps each message's status and, for converted messages, the portions in
flat arrays. :meth:`BatchResult.outcome` builds the record from them on request. For a message
the kernels rejected with a ``CONV`` code it runs the hardened converter to get the error with
its token, offset and detail, and raises :class:`KernelMismatchError` if that converter does not
reject the message with the same code.

>>> from fpp.navdata import load_navdata
>>> from fpp.convert.airspace import uk_airspace
>>> nav = load_navdata()
>>> batch = BatchConverter(nav, uk_airspace(nav))
>>> result = batch.convert_text("-TITLE IFPL -ARCID ABC123")
>>> result.code(0)
'CONV207'
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from fpp.convert.airspace import AirspaceVolume
from fpp.convert.hardened import HardenedConverter, HardenedLimits
from fpp.convert.record import BoundaryPoint, NasRecord, Portion, PortionPoint, format_position
from fpp.errors import PlanError
from fpp.formats.adexp import parse_adexp
from fpp.geo import distance_nm
from fpp.kernels.adexp import build_keyword_tables, split_messages
from fpp.kernels.convert import NO_ETO, ConvertOutput, Limits, convert_messages, make_output
from fpp.kernels.geometry import build_volume_tables
from fpp.kernels.scratch import CONVERTED, FALLBACK, STATUS_CODES, make_scratch
from fpp.kernels.tables import build_nav_tables
from fpp.navdata.store import NavData

__all__ = ["BatchConverter", "BatchResult", "KernelMismatchError", "reference_outcome"]

_UNIX_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MAX_STRETCHES = 64
#: Messages converted per call of the kernel; the outputs of each are trimmed before the next.
_CHUNK_MESSAGES = 1024
#: Assumed least mean message size when the message spans are first allocated [bytes]. An IFPL
#: message of a few route points takes about 500 bytes, so the guess wastes little memory.
_SPLIT_GUESS_BYTES = 512


class KernelMismatchError(RuntimeError):
    """The kernels and the hardened converter disagree on a message: a defect in fpp."""


def reference_outcome(converter: HardenedConverter, text: str) -> NasRecord | PlanError:
    """Parse and convert one message with the reference code; return the record or the error."""
    try:
        return converter.convert(parse_adexp(text))
    except PlanError as error:
        return error


@dataclass
class BatchResult:
    """Outcomes of a batch of messages.

    Attributes
    ----------
    buffer
        The bytes of the batch; message ``i`` is ``buffer[starts[i]:ends[i]]``.
    starts, ends
        Byte spans of the messages.
    status
        Per message: 0 converted, a status number of :data:`~fpp.kernels.scratch.STATUS_CODES`,
        or :data:`~fpp.kernels.scratch.FALLBACK`.
    chunks
        The portions of converted messages, per chunk of messages: the index of the chunk's
        first message and the kernel outputs, whose message indices count from it.
    fallback
        Outcome of each message that the reference converter converted during the batch.
    reference
        The hardened converter that handles the messages the kernels leave out.
    texts
        Messages given as text whose bytes in ``buffer`` differ from that text (line ends,
        characters outside ASCII).
    """

    buffer: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    status: np.ndarray
    chunks: list[tuple[int, ConvertOutput]]
    fallback: dict[int, NasRecord | PlanError]
    reference: HardenedConverter = field(repr=False)
    texts: dict[int, str] = field(default_factory=dict, repr=False)
    _record_index: dict[int, tuple[ConvertOutput, int]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.starts)

    def message_text(self, index: int) -> str:
        """Text of message ``index`` as :func:`fpp.formats.stream.split_messages` gives it."""
        if index in self.texts:
            return self.texts[index]
        raw = bytes(self.buffer[self.starts[index] : self.ends[index]]).decode("ascii")
        return "\n".join(raw.splitlines())

    def code(self, index: int) -> str | None:
        """Error code of message ``index``, or ``None`` when it was converted."""
        status = int(self.status[index])
        if status == CONVERTED:
            return None
        if status == FALLBACK:
            outcome = self.fallback[index]
            return outcome.code if isinstance(outcome, PlanError) else None
        return STATUS_CODES[status - 1]

    def counts(self) -> Counter[str]:
        """Number of messages per outcome: ``converted`` or the error code."""
        status = self.status
        counts: Counter[str] = Counter()
        counts["converted"] = int(np.count_nonzero(status == CONVERTED))
        for number, code in enumerate(STATUS_CODES, start=1):
            found = int(np.count_nonzero(status == number))
            if found:
                counts[code] += found
        for outcome in self.fallback.values():
            counts["converted" if isinstance(outcome, NasRecord) else outcome.code] += 1
        return +counts

    @property
    def fallback_count(self) -> int:
        """Number of messages the reference converter handled."""
        return len(self.fallback)

    def outcome(self, index: int) -> NasRecord | PlanError:
        """Return the record or the error of message ``index``, equal to what the hardened converter gives.

        Raises
        ------
        KernelMismatchError
            When the hardened converter does not reject a message with the code the kernels gave.
        """
        status = int(self.status[index])
        if status == FALLBACK:
            return self.fallback[index]
        if status == CONVERTED:
            return self._record(index)
        expected = STATUS_CODES[status - 1]
        outcome = reference_outcome(self.reference, self.message_text(index))
        if not isinstance(outcome, PlanError) or outcome.code != expected:
            found = outcome.code if isinstance(outcome, PlanError) else "a record"
            raise KernelMismatchError(f"message {index}: the kernels give {expected}, the hardened converter {found}")
        return outcome

    def records(self) -> Iterator[tuple[int, NasRecord]]:
        """Yield ``(message index, record)`` for every converted message, in message order."""
        for index in range(len(self)):
            status = int(self.status[index])
            if status == CONVERTED:
                yield index, self._record(index)
            elif status == FALLBACK and isinstance(self.fallback[index], NasRecord):
                yield index, self.fallback[index]  # type: ignore[misc]

    # Records --------------------------------------------------------------------------------

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays the result keeps beside the text: spans, statuses and portions."""
        kept = self.starts.nbytes + self.ends.nbytes + self.status.nbytes
        return kept + sum(array.nbytes for _, output in self.chunks for array in output if isinstance(array, np.ndarray))

    def _record(self, index: int) -> NasRecord:
        if not self._record_index:
            for first, chunk in self.chunks:
                used = int(chunk.counts[0])
                for r, message in enumerate(chunk.record_message[:used].tolist()):
                    self._record_index[first + message] = (chunk, r)
        out, r = self._record_index[index]
        base = int(self.starts[index])
        data = self.buffer

        def value(start: int, end: int) -> str | None:
            if start < 0:
                return None
            return " ".join(bytes(data[base + start : base + end]).decode("ascii").split()) or None

        header = [value(int(out.record_header[r, h, 0]), int(out.record_header[r, h, 1])) for h in range(9)]
        route = header[8] or ""
        portions = [self._portion(out, q, base, route) for q in range(int(out.record_portions[r]), int(out.record_portions[r + 1]))]
        return NasRecord(
            callsign=header[0] or "",
            ssr_code=header[1],
            aircraft_type=header[2],
            wake=header[3],
            flight_rules=header[4],
            flight_type=header[5],
            adep=header[6],
            ades=header[7],
            portions=portions,
            logic=self.reference.logic,
        )

    def _portion(self, out: ConvertOutput, q: int, base: int, route: str) -> Portion:
        low, first_row, _ = (int(v) for v in out.portion_points[q])
        data = self.buffer

        def text(start: int, end: int) -> str | None:
            return None if start < 0 else bytes(data[base + start : base + end]).decode("ascii")

        def point(k: int) -> tuple[str, float, float, dt.datetime | None, str | None]:
            """Name, place, ETO and level of RTEPTS point ``k``; a -GEO point is named by its position."""
            row = first_row + k - low
            span = out.point_span[row]
            seconds = int(out.point_eto_s[row])
            eto = None if seconds == NO_ETO else _UNIX_EPOCH + dt.timedelta(seconds=seconds)
            lat, lon = float(out.point_position[row, 0]), float(out.point_position[row, 1])
            name = format_position(lat, lon) if out.point_geo[row] else (text(int(span[0]), int(span[1])) or "")
            return name, lat, lon, eto, text(int(span[2]), int(span[3]))

        def boundary(position: float, lat: float, lon: float) -> BoundaryPoint:
            if position == math.floor(position):
                name, p_lat, p_lon, eto, level = point(int(position))
                return BoundaryPoint(name, p_lat, p_lon, eto, level, position)
            k = int(math.floor(position))
            a, b = point(k), point(k + 1)
            eto = None
            if a[3] is not None and b[3] is not None:
                leg = distance_nm(a[1], a[2], b[1], b[2])
                done = distance_nm(a[1], a[2], lat, lon)
                share = done / leg if leg > 0 else 0.0
                eto = a[3] + dt.timedelta(seconds=round((b[3] - a[3]).total_seconds() * share))
            return BoundaryPoint(format_position(lat, lon), lat, lon, eto, a[4], position)

        crossing = [float(v) for v in out.portion_crossing[q]]
        entry = boundary(*crossing[0:3])
        exit_ = boundary(*crossing[3:6])
        inside = []
        for k in range(math.ceil(crossing[0]), math.floor(crossing[3]) + 1):
            name, lat, lon, eto, level = point(k)
            inside.append(PortionPoint(name, lat, lon, eto, level))
        start, end = (int(v) for v in out.portion_text[q])
        return Portion(entry, exit_, " ".join(route[start:end].split()).upper(), inside)


class BatchConverter:
    """Convert many ADEXP messages with the Numba kernels, as the hardened converter would.

    Parameters
    ----------
    nav
        Navigation data of the receiving side.
    volume
        The airspace whose portions are extracted.
    limits
        Per-plan bounds, as for :class:`~fpp.convert.hardened.HardenedConverter`.
    """

    logic = "hardened"

    def __init__(self, nav: NavData, volume: AirspaceVolume, limits: HardenedLimits | None = None) -> None:
        self.reference = HardenedConverter(nav, volume, limits)
        limits = self.reference.limits
        self.limits = Limits(int(limits.max_points), float(limits.max_ground_speed_kt), float(limits.match_tolerance_nm))
        self.nav_tables = build_nav_tables(nav)
        self.volume_tables = build_volume_tables(volume)
        self.keywords = build_keyword_tables()

    def convert_text(self, text: str | bytes) -> BatchResult:
        """Split a stream into messages (as :func:`fpp.formats.stream.split_messages`) and convert them all."""
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        buffer = np.frombuffer(data, dtype=np.uint8)
        # One pass finds the messages when their mean size is at least _SPLIT_GUESS_BYTES; a
        # stream of shorter ones needs a second pass with the count the first one returned.
        capacity = len(buffer) // _SPLIT_GUESS_BYTES + 16
        starts = np.zeros(capacity, dtype=np.int64)
        ends = np.zeros(capacity, dtype=np.int64)
        count = split_messages(buffer, starts, ends)
        if count < 0:
            # A byte outside printable ASCII: split the decoded text as the Python path does.
            from fpp.formats.stream import split_messages as split_text

            return self.convert_messages(split_text(data.decode("utf-8", errors="replace")))
        if count > capacity:
            starts = np.zeros(count, dtype=np.int64)
            ends = np.zeros(count, dtype=np.int64)
            split_messages(buffer, starts, ends)
        return self._convert(buffer, starts[:count], ends[:count], set(), {})

    def convert_messages(self, messages: Sequence[str]) -> BatchResult:
        """Convert a list of message texts."""
        pieces = []
        starts = np.zeros(len(messages), dtype=np.int64)
        ends = np.zeros(len(messages), dtype=np.int64)
        outside: set[int] = set()
        position = 0
        texts: dict[int, str] = {}
        for index, message in enumerate(messages):
            encoded = message.encode("ascii", errors="replace")
            if not message.isascii():
                outside.add(index)
            if not message.isascii() or "\n".join(message.splitlines()) != message:
                texts[index] = message
            pieces.append(encoded)
            pieces.append(b"\n")
            starts[index] = position
            ends[index] = position + len(encoded)
            position += len(encoded) + 1
        buffer = np.frombuffer(b"".join(pieces), dtype=np.uint8)
        return self._convert(buffer, starts, ends, outside, texts)

    def _convert(self, buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray, outside: set[int],
                 texts: dict[int, str]) -> BatchResult:
        n = len(starts)
        longest = int((ends - starts).max()) if n else 0
        scratch = make_scratch(longest)
        stretches = np.zeros((_MAX_STRETCHES, 6), dtype=np.float64)
        status = np.zeros(n, dtype=np.int8)
        chunks: list[tuple[int, ConvertOutput]] = []
        # Chunks bound the spare capacity of the outputs: each is trimmed to the rows it uses.
        for first_message in range(0, n, _CHUNK_MESSAGES):
            last_message = min(n, first_message + _CHUNK_MESSAGES)
            size = last_message - first_message
            chunk_starts, chunk_ends = starts[first_message:last_message], ends[first_message:last_message]
            output = make_output(0, size, 2 * size, 16 * size + 64)._replace(status=status[first_message:last_message])
            done = 0
            while done < size:
                done = convert_messages(buffer, chunk_starts, chunk_ends, done, self.keywords, self.nav_tables,
                                        self.volume_tables, self.limits, scratch, stretches, output)
                if done < size:
                    output = _grow(output)
            chunks.append((first_message, _trim(output)))

        result = BatchResult(buffer, starts, ends, status, chunks, {}, self.reference, texts)
        for index in outside:
            status[index] = FALLBACK
        for index in np.flatnonzero(status == FALLBACK).tolist():
            result.fallback[index] = reference_outcome(self.reference, result.message_text(index))
        return result


def _grow(output: ConvertOutput) -> ConvertOutput:
    """Double the capacity of the record, portion and point arrays, keeping what is written."""
    records, portions, points = (int(v) for v in output.counts)
    bigger = make_output(0, 2 * len(output.record_message) + 16, 2 * len(output.portion_text) + 16, 2 * len(output.point_eto_s) + 64)
    copied = bigger._replace(status=output.status, counts=output.counts)
    copied.record_message[:records] = output.record_message[:records]
    copied.record_portions[: records + 1] = output.record_portions[: records + 1]
    copied.record_header[:records] = output.record_header[:records]
    copied.portion_crossing[:portions] = output.portion_crossing[:portions]
    copied.portion_text[:portions] = output.portion_text[:portions]
    copied.portion_points[:portions] = output.portion_points[:portions]
    copied.point_position[:points] = output.point_position[:points]
    copied.point_span[:points] = output.point_span[:points]
    copied.point_eto_s[:points] = output.point_eto_s[:points]
    copied.point_geo[:points] = output.point_geo[:points]
    return copied


def _trim(output: ConvertOutput) -> ConvertOutput:
    """Copy the used rows only, so that a kept result has no spare capacity."""
    records, portions, points = (int(v) for v in output.counts)
    return output._replace(
        status=np.zeros(0, dtype=np.int8),
        record_message=output.record_message[:records].copy(),
        record_portions=output.record_portions[: records + 1].copy(),
        record_header=output.record_header[:records].copy(),
        portion_crossing=output.portion_crossing[:portions].copy(),
        portion_text=output.portion_text[:portions].copy(),
        portion_points=output.portion_points[:portions].copy(),
        point_position=output.point_position[:points].copy(),
        point_span=output.point_span[:points].copy(),
        point_eto_s=output.point_eto_s[:points].copy(),
        point_geo=output.point_geo[:points].copy(),
    )
