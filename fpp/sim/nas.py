"""The NAS flight data store: which flights have data, since when, and from which source.

NAS keeps what it has received, so the plans already converted are a buffer of about the lead
time (4 hours) ahead of the traffic. The store records, per flight, the intervals during which
it held data and the source that supplied it: a channel (``automatic``), a person typing it in
(``manual``), or a reload from the journal after the store was wiped (``journal``).

A record is keyed by the journal sequence number of the message that produced it. So a record
delivered twice (a channel stopped after NAS took the record and before the journal noted the
outcome) is stored once and counted in :attr:`NasStore.duplicates_ignored`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FlightData", "NasStore"]


def _covers(intervals: list[list[float | None]], time_s: float) -> bool:
    return any(start is not None and start <= time_s and (end is None or time_s < end) for start, end in intervals)


@dataclass
class FlightData:
    """The store's history for one flight.

    Attributes
    ----------
    intervals
        ``[start_s, end_s]`` pairs during which the store held any data for the flight; an
        open interval ends at ``None``.
    sources
        The source that opened each interval (``automatic``, ``manual`` or ``journal``).
    automatic_intervals
        The same for data from a channel or reloaded from the journal, whether or not data
        typed in by hand was already there.
    first_automatic_s
        When a channel first delivered a record for this flight, if ever.
    first_manual_s
        When the flight was first typed in by hand, if ever.
    """

    intervals: list[list[float | None]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    automatic_intervals: list[list[float | None]] = field(default_factory=list)
    first_automatic_s: float | None = None
    first_manual_s: float | None = None

    def present_at(self, time_s: float) -> bool:
        """Test whether the store held any data at ``time_s``."""
        return _covers(self.intervals, time_s)

    def automatic_at(self, time_s: float) -> bool:
        """Test whether the store held data from a channel (or the journal) at ``time_s``."""
        return _covers(self.automatic_intervals, time_s)

    def available_from(self, time_s: float) -> float | None:
        """Return the first time at or after ``time_s`` when data was held, or ``None``."""
        if self.present_at(time_s):
            return time_s
        later = [start for start, _ in self.intervals if start is not None and start > time_s]
        return min(later) if later else None

    @property
    def present(self) -> bool:
        """Whether the store has data now."""
        return bool(self.intervals) and self.intervals[-1][1] is None

    @property
    def automatic_present(self) -> bool:
        """Whether the store has data from a channel (or the journal) now."""
        return bool(self.automatic_intervals) and self.automatic_intervals[-1][1] is None


class NasStore:
    """Flight data held by NAS, with the history needed to count flights without data."""

    def __init__(self) -> None:
        self.flights: dict[str, FlightData] = {}
        self.records: dict[int, str] = {}
        self.record_flight: dict[int, str] = {}
        self.duplicates_ignored = 0
        self.wipes: list[tuple[float, int]] = []

    def _data(self, flight_id: str) -> FlightData:
        return self.flights.setdefault(flight_id, FlightData())

    def _open(self, flight_id: str, time_s: float, source: str) -> None:
        data = self._data(flight_id)
        if not data.present:
            data.intervals.append([time_s, None])
            data.sources.append(source)
        if source != "manual" and not data.automatic_present:
            data.automatic_intervals.append([time_s, None])

    def store_record(self, seq: int, flight_id: str, record_text: str, time_s: float) -> bool:
        """Store a channel's record; return ``False`` when the record of ``seq`` is already held."""
        if seq in self.records:
            self.duplicates_ignored += 1
            return False
        self.records[seq] = record_text
        self.record_flight[seq] = flight_id
        data = self._data(flight_id)
        if data.first_automatic_s is None:
            data.first_automatic_s = time_s
        self._open(flight_id, time_s, "automatic")
        return True

    def store_manual(self, flight_id: str, time_s: float) -> None:
        """Store flight data typed in by hand."""
        data = self._data(flight_id)
        if data.first_manual_s is None:
            data.first_manual_s = time_s
        self._open(flight_id, time_s, "manual")

    def wipe(self, time_s: float) -> int:
        """Delete every record, as the 2018 ETFMS release did; return how many flights lost data."""
        lost = 0
        for data in self.flights.values():
            if data.present:
                data.intervals[-1][1] = time_s
                lost += 1
            if data.automatic_present:
                data.automatic_intervals[-1][1] = time_s
        self.records.clear()
        self.record_flight.clear()
        self.wipes.append((time_s, lost))
        return lost

    def reload(self, seq: int, flight_id: str, record_text: str, time_s: float) -> None:
        """Put back a record from the journal after a wipe."""
        self.records[seq] = record_text
        self.record_flight[seq] = flight_id
        self._open(flight_id, time_s, "journal")

    def has_data(self, flight_id: str) -> bool:
        """Test whether the store has data for ``flight_id`` now."""
        data = self.flights.get(flight_id)
        return data is not None and data.present
