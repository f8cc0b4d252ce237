"""Conversion channels: a primary and a backup running the same converter, with takeover.

A :class:`Channel` wraps a converter and a state (RUNNING, MAINTENANCE, RESTARTING). A
:class:`ChannelPair` delivers messages in arrival order to the active channel, in simulated
time, and records every step in an :class:`EventLog`.

What happens to a message:

- ``converted``: a NAS record was produced.
- ``rejected``: the message is invalid (``SYN`` codes) or has no portion in the airspace
  (``CONV200``); it is logged and goes no further.
- ``quarantined``: a valid message the converter cannot convert safely; it is set aside for
  manual processing while the channel goes on.
- ``pending``: not processed because no channel is RUNNING; it waits in the input queue.

Every delivered message ends in exactly one of these, and :meth:`ChannelPair.counts` adds up to
the number delivered. A :class:`~fpp.errors.CriticalException` (only the legacy converter raises
one), or any unexpected exception in a channel whose ``stop_on_unexpected`` is set, sends the
channel to MAINTENANCE. Control and monitoring notices after ``detection_s``, and the backup
takes over ``takeover_s`` later and receives the same message again, because the message switch
had no acknowledgement for it.
"""

from __future__ import annotations

import enum
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fpp.convert.record import NasRecord
from fpp.errors import ConversionError, CriticalException, FormatError, PlanError
from fpp.formats.adexp import AdexpMessage, parse_adexp

__all__ = [
    "Channel",
    "ChannelPair",
    "ChannelState",
    "ChannelTiming",
    "Event",
    "EventLog",
    "Outcome",
    "Result",
]

logger = logging.getLogger(__name__)


class ChannelState(enum.Enum):
    """State of one channel."""

    RUNNING = "RUNNING"
    MAINTENANCE = "MAINTENANCE"
    RESTARTING = "RESTARTING"


class Outcome(enum.Enum):
    """Final state of one message."""

    CONVERTED = "converted"
    REJECTED = "rejected"
    QUARANTINED = "quarantined"
    PENDING = "pending"


@dataclass(frozen=True)
class Event:
    """One line of the event log, at a simulated time."""

    time: datetime
    source: str
    kind: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"time": self.time.isoformat(), "source": self.source, "kind": self.kind, "detail": self.detail}


@dataclass
class EventLog:
    """Events in the order they happened."""

    events: list[Event] = field(default_factory=list)

    def add(self, time: datetime, source: str, kind: str, detail: str = "") -> Event:
        event = Event(time, source, kind, detail)
        self.events.append(event)
        return event

    def of_kind(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]


@dataclass
class Result:
    """Outcome of one message, with the record or the error that decided it."""

    message_id: str
    outcome: Outcome
    channel: str | None = None
    record: NasRecord | None = None
    error: PlanError | None = None
    time: datetime | None = None


@dataclass(frozen=True)
class ChannelTiming:
    """Simulated durations of the channel pair [s].

    Attributes
    ----------
    processing_s
        Time to convert one message.
    detection_s
        Time for control and monitoring to notice a channel in maintenance.
    takeover_s
        Time for the backup to take over the message flow after the failure is detected.
    """

    processing_s: float = 0.5
    detection_s: float = 5.0
    takeover_s: float = 8.0


Converter = Callable[[AdexpMessage], NasRecord]


class Channel:
    """One conversion channel.

    Parameters
    ----------
    name
        ``"primary"`` or ``"backup"``.
    converter
        Object with a ``convert(message) -> NasRecord`` method and a ``logic`` name.
    stop_on_unexpected
        Whether an exception that is not a plan error stops the channel (the legacy behaviour)
        instead of quarantining the plan.
    quarantine_critical
        Whether a :class:`~fpp.errors.CriticalException` quarantines the plan instead of
        stopping the channel. This is the remedy of setting one message aside while the rest
        flows, applied to the legacy logic.
    parse
        The ADEXP parser; :func:`~fpp.formats.adexp.parse_adexp` by default. A simulation that
        processes the same texts many times passes one that remembers its results.
    """

    def __init__(self, name: str, converter, stop_on_unexpected: bool = False, quarantine_critical: bool = False,
                 parse: Callable[[str], AdexpMessage] | None = None) -> None:
        self.name = name
        self.converter = converter
        self.stop_on_unexpected = stop_on_unexpected
        self.quarantine_critical = quarantine_critical
        self.parse = parse or parse_adexp
        self.state = ChannelState.RUNNING
        self.processed = 0
        self.restarts = 0

    def stop(self) -> None:
        """Put the channel into MAINTENANCE, as a critical exception or a crash does."""
        self.state = ChannelState.MAINTENANCE

    def begin_restart(self) -> None:
        """Start a restart: the channel is RESTARTING until :meth:`complete_restart`."""
        self.state = ChannelState.RESTARTING

    def complete_restart(self) -> None:
        """End a restart: the channel is RUNNING again and :attr:`restarts` counts it."""
        self.state = ChannelState.RUNNING
        self.restarts += 1

    def process(self, message_id: str, text: str, time: datetime, log: EventLog) -> Result:
        """Convert one message; a failure that stops the channel re-raises CriticalException."""
        self.processed += 1
        try:
            message = self.parse(text)
        except FormatError as error:
            log.add(time, self.name, "rejected", f"{message_id}: {error}")
            return Result(message_id, Outcome.REJECTED, self.name, error=error, time=time)
        try:
            record = self.converter.convert(message)
        except CriticalException as critical:
            if not self.quarantine_critical:
                raise
            error = critical.cause or ConversionError("CONV203", message_id, None, detail=str(critical))
            log.add(time, self.name, "quarantined", f"{message_id}: critical exception set aside: {critical}")
            return Result(message_id, Outcome.QUARANTINED, self.name, error=error, time=time)
        except PlanError as error:
            outcome = Outcome.REJECTED if error.code == "CONV200" or isinstance(error, FormatError) else Outcome.QUARANTINED
            log.add(time, self.name, outcome.value, f"{message_id}: {error}")
            return Result(message_id, outcome, self.name, error=error, time=time)
        except Exception as error:  # noqa: BLE001 - containment is the point of the hardened channel
            if self.stop_on_unexpected:
                raise CriticalException(f"unexpected {type(error).__name__}: {error}") from error
            logger.exception("channel %s quarantined %s after an unexpected error", self.name, message_id)
            internal = ConversionError("CONV299", message_id, None, detail=f"unexpected {type(error).__name__}: {error}")
            log.add(time, self.name, "quarantined", f"{message_id}: {internal}")
            return Result(message_id, Outcome.QUARANTINED, self.name, error=internal, time=time)
        return Result(message_id, Outcome.CONVERTED, self.name, record=record, time=time)


class ChannelPair:
    """A primary and a backup channel with takeover, in simulated time."""

    def __init__(self, primary: Channel, backup: Channel, timing: ChannelTiming | None = None, log: EventLog | None = None) -> None:
        self.primary = primary
        self.backup = backup
        self.timing = timing or ChannelTiming()
        self.log = log or EventLog()
        self.active: Channel | None = primary
        self.busy_until: datetime | None = None
        self.results: list[Result] = []

    @property
    def channels(self) -> tuple[Channel, Channel]:
        return self.primary, self.backup

    def _standby(self) -> Channel | None:
        other = self.backup if self.active is self.primary else self.primary
        return other if other.state is ChannelState.RUNNING else None

    def _take_running(self, time: datetime) -> None:
        """Make a RUNNING channel active when the active one is not RUNNING, or none is.

        A channel can leave RUNNING outside :meth:`deliver` (:meth:`Channel.stop`) and come back
        (:meth:`Channel.complete_restart`); the message flow follows. The other channel is
        preferred, as in a takeover. NOTE: a switch here costs no detection or takeover time.
        """
        if self.active is not None and self.active.state is ChannelState.RUNNING:
            return
        running = [c for c in self.channels if c.state is ChannelState.RUNNING]
        chosen = next((c for c in running if c is not self.active), running[0] if running else None)
        if chosen is not None:
            self.log.add(time, chosen.name, "takeover", f"{chosen.name} takes over the message flow")
        self.active = chosen

    def deliver(self, message_id: str, text: str, arrival: datetime) -> Result:
        """Deliver one message that arrives at ``arrival`` and return what became of it.

        Only a RUNNING channel processes a message; with none RUNNING the message is pending.
        """
        time = max(arrival, self.busy_until) if self.busy_until else arrival
        self._take_running(time)
        while self.active is not None:
            channel = self.active
            done = time + timedelta(seconds=self.timing.processing_s)
            try:
                result = channel.process(message_id, text, done, self.log)
            except CriticalException as error:
                channel.state = ChannelState.MAINTENANCE
                self.log.add(done, channel.name, "critical exception", f"{message_id}: {error}")
                self.log.add(done, channel.name, "maintenance", "channel stopped into maintenance mode")
                logger.error("channel %s into maintenance on %s: %s", channel.name, message_id, error)
                noticed = done + timedelta(seconds=self.timing.detection_s)
                self.log.add(noticed, "control and monitoring", "failure detected", f"{channel.name} in maintenance")
                self.active = self._standby()
                if self.active is None:
                    self.log.add(noticed, "control and monitoring", "no channel running", "automatic processing stopped")
                    self.busy_until = noticed
                    break
                time = noticed + timedelta(seconds=self.timing.takeover_s)
                self.log.add(time, self.active.name, "takeover", f"{self.active.name} takes over; {message_id} delivered again")
                continue
            self.busy_until = done
            self.results.append(result)
            return result
        result = Result(message_id, Outcome.PENDING, None, time=arrival)
        self.results.append(result)
        return result

    def counts(self) -> Counter[str]:
        """Number of messages per outcome."""
        return Counter(r.outcome.value for r in self.results)

    def error_codes(self) -> Counter[str]:
        """Number of rejected or quarantined messages per error code."""
        return Counter(r.error.code for r in self.results if r.error is not None)

    def states(self) -> dict[str, str]:
        """Final state of each channel."""
        return {c.name: c.state.value for c in self.channels}
