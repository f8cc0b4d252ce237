"""The processing chain as a SimPy discrete-event model.

Processes and what they do:

feed
    Sends each message of the schedule at its time. The receiver journals it (SQLite) before
    anything else; an input filter, when set, may quarantine it at once.
channel workers
    One per channel. Only the active channel works. It takes the pending journal entry with
    the lowest sequence number, spends the plan's processing time, and converts the message
    with its real converter (:meth:`fpp.system.channel.Channel.process`). A critical exception,
    a crash or exhausted memory puts the channel into MAINTENANCE with the message still
    pending at the head of the queue.
control and monitoring
    Notices a stopped channel after ``detection_s`` and hands the flow to the standby
    ``takeover_s`` later, if the standby is RUNNING. Otherwise no channel is running,
    automatic processing stops and an incident starts (:mod:`fpp.sim.actors`).
fault processes
    One per fault that acts during the run (crash, failed takeover, limit, data update, wipe).

Times are seconds of simulated time from :attr:`ChainModel.epoch` (UTC).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import simpy

from fpp.errors import CriticalException, FormatError
from fpp.formats.adexp import parse_adexp
from fpp.sim.actors import IncidentResponse, ManualInput
from fpp.sim.cost import plan_cost
from fpp.sim.faults import Fault, SentMessage
from fpp.sim.input_filter import InputFilter
from fpp.sim.journal import Journal, JournalEntry
from fpp.sim.nas import NasStore
from fpp.sim.params import SimParams
from fpp.system.channel import Channel, ChannelState, EventLog, Outcome, Result

__all__ = ["ChainModel", "Incident", "SimFlight"]

logger = logging.getLogger(__name__)


@dataclass
class SimFlight:
    """A flight of the day.

    Attributes
    ----------
    flight_id
        The callsign, also the message id.
    entry_s
        When the flight enters UK airspace [s of simulated time].
    needs_data
        Whether the flight needs UK flight data (a plan that never enters UK airspace does not).
    injected_by
        The fault that added this flight's message, if any.
    """

    flight_id: str
    entry_s: float
    needs_data: bool = True
    injected_by: str | None = None


@dataclass
class Incident:
    """One period with no channel running, from the first stop to the restart that held."""

    number: int
    started_s: float
    resolved: simpy.Event
    restored_s: float | None = None
    restarts: int = 0
    second_line_called_s: float | None = None
    second_line_on_site_s: float | None = None
    supplier_called_s: float | None = None
    cause_found_s: float | None = None
    procedure_applied_s: float | None = None
    removed_messages: list[str] = field(default_factory=list)

    @property
    def is_resolved(self) -> bool:
        return self.restored_s is not None


class ChainModel:
    """The chain: feed, journal, two channels, control and monitoring, NAS, people.

    Parameters
    ----------
    params
        The run's parameters.
    schedule
        The messages the feed sends, in send order.
    flights
        Every flight by id; each message's id must be one of them.
    faults
        Faults that act during the run (the feed faults are already in ``schedule``).
    channels
        The primary and backup :class:`~fpp.system.channel.Channel`, by name.
    logics
        The conversion logic of each channel (``legacy`` or ``hardened``).
    journal
        The message journal; may hold entries of an earlier run, which are processed first.
    nas
        The NAS store; survives a restart of the channels.
    epoch
        UTC time of simulated time 0.
    start_s
        Simulated time at which the run starts.
    rebuild_converters
        Called by a navigation data update with the list of added points
        ``(designator, lat_deg, lon_deg)``; returns the new converter per logic and the new
        input filter.
    input_filter
        The filter in front of the channels, or ``None``.
    flow_restrictions_at
        When flow restrictions are announced (UTC). The event goes on the timeline if an
        incident is open then. It changes no traffic.
    """

    def __init__(
        self,
        params: SimParams,
        schedule: Sequence[SentMessage],
        flights: Mapping[str, SimFlight],
        faults: Sequence[Fault],
        channels: Mapping[str, Channel],
        logics: Mapping[str, str],
        journal: Journal,
        nas: NasStore,
        epoch: datetime,
        start_s: float = 0.0,
        rebuild_converters: Callable[[list[tuple[str, float, float]]], tuple[dict[str, Any], InputFilter | None]] | None = None,
        input_filter: InputFilter | None = None,
        flow_restrictions_at: datetime | None = None,
    ) -> None:
        self.params = params
        self.schedule = list(schedule)
        self.flights = dict(flights)
        self.faults = list(faults)
        self.channels = dict(channels)
        self.logics = dict(logics)
        self.journal = journal
        self.nas = nas
        self.epoch = epoch
        self.rebuild_converters = rebuild_converters
        self.input_filter = input_filter

        self.env = simpy.Environment(initial_time=start_s)
        self.log = EventLog()
        self.active: str | None = "primary"
        self.sent: list[SentMessage] = []
        self.state_changes: list[tuple[float, str, str]] = [(start_s, name, ch.state.value) for name, ch in self.channels.items()]
        self.active_changes: list[tuple[float, str | None]] = [(start_s, "primary")]
        self.processing_changes: list[tuple[float, bool]] = [(start_s, True)]
        self.incidents: list[Incident] = []
        self.both_down_s: list[float] = []
        self.fault_notes: list[dict[str, Any]] = []
        self.navdata_updates: list[tuple[str, float, float]] = []
        self.config_count = 0
        self.limits_fixed = False
        self.last_failure: dict[str, Any] | None = None
        self.takeover_blocked: list[tuple[float, float]] = []
        self.duplicates_received = 0
        self.injected_ids = {f.flight_id for f in self.flights.values() if f.injected_by}

        self._changed = self.env.event()
        self._busy: dict[str, int | None] = {name: None for name in self.channels}
        self._workers: dict[str, simpy.Process] = {}
        self._repairing: set[str] = set()
        self._console = simpy.Resource(self.env, capacity=1)
        self.manual = ManualInput(self)
        self._incident_response: IncidentResponse | None = None

        self._queue_existing_entries()
        self.env.process(self._feed())
        for name in self.channels:
            self._workers[name] = self.env.process(self._worker(name))
        self.env.process(self.manual.run())
        for fault in self.faults:
            # A resumed run starts after the faults that already happened.
            if (fault.at - epoch).total_seconds() >= start_s:
                self.env.process(self._fault(fault))
        if flow_restrictions_at is not None:
            self.env.process(self._flow_restrictions((flow_restrictions_at - epoch).total_seconds()))

    # Clock and signals -----------------------------------------------------------------

    @property
    def now(self) -> float:
        """Current simulated time [s]."""
        return float(self.env.now)

    def clock(self, time_s: float | None = None) -> datetime:
        """Return the UTC time of a simulated time (now by default)."""
        return self.epoch + timedelta(seconds=self.now if time_s is None else time_s)

    def event(self, source: str, kind: str, detail: str = "") -> None:
        """Add an event to the log at the current time."""
        self.log.add(self.clock(), source, kind, detail)

    def kick(self) -> None:
        """Wake every process that waits for a change (a new message, a state change)."""
        event, self._changed = self._changed, self.env.event()
        event.succeed()

    def changed(self) -> simpy.Event:
        """Return the event that the next :meth:`kick` triggers."""
        return self._changed

    def run(self, until_s: float) -> None:
        """Run the model up to ``until_s``."""
        self.env.run(until=until_s)

    # Channel states --------------------------------------------------------------------

    def running(self) -> list[str]:
        """Return the names of the channels that are RUNNING."""
        return [name for name, channel in self.channels.items() if channel.state is ChannelState.RUNNING]

    def _set_state(self, name: str, state: ChannelState) -> None:
        channel = self.channels[name]
        if state is ChannelState.MAINTENANCE:
            channel.stop()
        elif state is ChannelState.RESTARTING:
            channel.begin_restart()
        else:
            channel.complete_restart()
        self.state_changes.append((self.now, name, state.value))
        self._note_processing()

    def _set_active(self, name: str | None) -> None:
        if name != self.active:
            self.active = name
            self.active_changes.append((self.now, name))
        self._note_processing()

    def processing(self) -> bool:
        """Test whether the active channel is RUNNING, so that messages are being processed."""
        return self.active is not None and self.channels[self.active].state is ChannelState.RUNNING

    def _note_processing(self) -> None:
        now_processing = self.processing()
        if not self.processing_changes or self.processing_changes[-1][1] != now_processing:
            self.processing_changes.append((self.now, now_processing))

    def fail_channel(self, name: str, kind: str, detail: str, seq: int | None = None, by_worker: bool = False) -> None:
        """Put a RUNNING channel into MAINTENANCE and let control and monitoring react.

        Parameters
        ----------
        kind
            What stopped it: ``critical exception``, ``crash``, ``memory exhausted``,
            ``limit reached``.
        seq
            The journal entry being processed, when a message caused the stop.
        by_worker
            Whether the channel's own worker calls; otherwise a busy worker is interrupted.
        """
        channel = self.channels[name]
        if channel.state is not ChannelState.RUNNING:
            return
        self._set_state(name, ChannelState.MAINTENANCE)
        self.event(name, kind, detail)
        self.event(name, "maintenance", "channel stopped into maintenance mode")
        logger.info("channel %s into maintenance at %s UTC: %s: %s", name, self.clock(), kind, detail)
        if seq is not None:
            self.last_failure = {"kind": kind, "seq": seq, "message_id": self.journal.entry(seq).message_id}
        elif kind == "limit reached":
            self.last_failure = {"kind": kind, "seq": None, "message_id": None}
        if not by_worker and self._busy.get(name) is not None:
            self._workers[name].interrupt(kind)
        if not self.running() and (not self.both_down_s or self.both_down_s[-1] < self._last_running_s()):
            self.both_down_s.append(self.now)
        self.env.process(self._detect(name))
        self.kick()

    def _last_running_s(self) -> float:
        """Time of the last change that left a channel RUNNING."""
        times = [time_s for time_s, _, state in self.state_changes if state == ChannelState.RUNNING.value]
        return max(times) if times else float("-inf")

    def _takeover_blocked_now(self) -> bool:
        return any(start <= self.now < end for start, end in self.takeover_blocked)

    def _detect(self, name: str):
        yield self.env.timeout(self.params.detection_s)
        self.event("control and monitoring", "failure detected", f"{name} in maintenance")
        if self.active != name:
            if self.channels[name].state is not ChannelState.RUNNING and self.active is not None:
                self.env.process(self._repair_standby(name))
            return
        other = "backup" if name == "primary" else "primary"
        if self.channels[other].state is ChannelState.RUNNING and not self._takeover_blocked_now():
            yield self.env.timeout(self.params.takeover_s)
            if self.channels[other].state is ChannelState.RUNNING and self.active == name:
                head = self.journal.next_pending()
                again = f"; {head.message_id} delivered again" if head is not None and self.last_failure \
                    and head.seq == self.last_failure.get("seq") else ""
                self._set_active(other)
                self.event(other, "takeover", f"{other} takes over{again}")
                self.env.process(self._repair_standby(name))
                self.kick()
                return
        if self.active != name:
            return
        if self._takeover_blocked_now() and self.channels[other].state is ChannelState.RUNNING:
            self.event("control and monitoring", "takeover failed", f"{other} did not take over the message flow")
        self._no_channel_running()

    def _no_channel_running(self) -> None:
        self._set_active(None)
        self.event("control and monitoring", "no channel running", "automatic processing stopped")
        if self._incident_response is None or self._incident_response.incident.is_resolved:
            incident = Incident(len(self.incidents) + 1, self.now, self.env.event())
            self.incidents.append(incident)
            self._incident_response = IncidentResponse(self, incident)
            self._incident_response.start()

    def _repair_standby(self, name: str):
        """Restart a stopped standby, as the first-line engineer does while the other channel runs."""
        if name in self._repairing:
            return
        self._repairing.add(name)
        try:
            yield self.env.timeout(self.params.first_line_response_min * 60.0)
            for _ in range(max(self.params.first_line_max_restarts, 1)):
                if self.active is None or self.channels[name].state is ChannelState.RUNNING:
                    return
                if self._incident_response is not None and not self._incident_response.incident.is_resolved:
                    return
                ok = yield from self.restart_channels("first-line engineer", [name])
                if ok:
                    return
                yield self.env.timeout(self.params.first_line_restart_interval_min * 60.0)
        finally:
            self._repairing.discard(name)

    def _limit_of(self, name: str) -> int | None:
        """Return the state-count limit a channel's code applies, when a limit fault is scheduled."""
        limits = [fault for fault in self.faults if fault.kind == "config_limit"]
        if not limits:
            return None
        fault = limits[0]
        if self.logics[name] == "hardened" or self.limits_fixed:
            return int(fault.option("configured_limit"))
        return int(fault.option("hard_limit"))

    def _starts_cleanly(self, name: str) -> bool:
        limit = self._limit_of(name)
        return limit is None or self.config_count <= limit

    def restart_channels(self, actor: str, names: Sequence[str] | None = None):
        """Restart the stopped channels (a SimPy sub-process); return whether one runs afterwards.

        The restart takes ``restart_min``. A channel whose startup check fails (a state count
        above its limit) goes back to MAINTENANCE. The result is known ``restart_check_s``
        after the restart, the time the engineer watches the channels.
        """
        with self._console.request() as turn:
            yield turn
            stopped = [name for name in (names or self.channels) if self.channels[name].state is ChannelState.MAINTENANCE]
            if not stopped:
                return bool(self.running()) and self.active is not None
            head = self.journal.next_pending()
            for name in stopped:
                self._set_state(name, ChannelState.RESTARTING)
            self.event(actor, "restart", f"restarting {', '.join(stopped)}")
            yield self.env.timeout(self.params.restart_min * 60.0)
            for name in stopped:
                if self._starts_cleanly(name):
                    self._set_state(name, ChannelState.RUNNING)
                    self.event(name, "running", f"{name} restarted by the {actor}")
                else:
                    self._set_state(name, ChannelState.MAINTENANCE)
                    self.event(name, "restart failed", f"state count {self.config_count} is above the limit {self._limit_of(name)}")
            if self.active is None and self.running():
                self._set_active("primary" if "primary" in self.running() else "backup")
                self.event("control and monitoring", "processing resumed", f"{self.active} active")
            self.kick()
            yield self.env.timeout(self.params.restart_check_s)
            # A channel busy with the message that was at the head is not yet proof of a good
            # restart: the engineer watches until that message is done or the channel stops.
            while self._busy_with_head(head):
                yield self.env.timeout(self.params.restart_check_s)
            return bool(self.running()) and self.active is not None

    def _busy_with_head(self, head: JournalEntry | None) -> bool:
        if head is None or self.active is None:
            return False
        return self._busy.get(self.active) == head.seq and self.channels[self.active].state is ChannelState.RUNNING

    # Feed and journal ------------------------------------------------------------------

    def _queue_existing_entries(self) -> None:
        """Give manual input the flights of an earlier run's journal that still lack data."""
        for entry in self.journal.entries():
            if entry.status != "duplicate":
                self.manual.add(entry.message_id)

    def _feed(self):
        for message in self.schedule:
            if message.send_s > self.now:
                yield self.env.timeout(message.send_s - self.now)
            self.sent.append(message)
            self.receive(message)

    def receive(self, message: SentMessage) -> JournalEntry:
        """Journal one message as it arrives; apply the input filter."""
        entry = self.journal.append(message.message_id, message.text, self.now)
        if entry.status == "duplicate":
            self.duplicates_received += 1
            return entry
        if message.message_id in self.injected_ids:
            self.event("IFPS feed", "message received", message.message_id)
        self.manual.add(message.message_id)
        if self.input_filter is not None:
            self._filter(entry)
        self.kick()
        return entry

    def _filter(self, entry: JournalEntry) -> None:
        if self.input_filter is None:
            return
        try:
            error = self.input_filter.check(parse_adexp(entry.text))
        except FormatError:
            return
        if error is None:
            return
        self.journal.complete(entry.seq, Outcome.QUARANTINED.value, self.now, "input filter", error.code, str(error))
        self.event("input filter", "quarantined", f"{entry.message_id}: {error.detail}")

    # Channel workers -------------------------------------------------------------------

    def _worker(self, name: str):
        channel = self.channels[name]
        while True:
            if self.active != name or channel.state is not ChannelState.RUNNING:
                yield self.changed()
                continue
            entry = self.journal.next_pending()
            if entry is None:
                yield self.changed()
                continue

            cost = plan_cost(entry.text, self.params)
            if self.logics[name] == "hardened":
                busy_s, stopped_by_bound = cost.bounded(self.params)
                out_of_memory = False
            else:
                busy_s, out_of_memory = cost.exhausts_memory(self.params)
                stopped_by_bound = False

            self._busy[name] = entry.seq
            try:
                yield self.env.timeout(busy_s)
            except simpy.Interrupt:
                self._busy[name] = None
                continue
            self._busy[name] = None
            if self.active != name or channel.state is not ChannelState.RUNNING:
                continue

            if out_of_memory:
                detail = (f"{entry.message_id}: {cost.points} points needing {cost.memory_mb:.0f} MB, "
                          f"more than the {self.params.channel_memory_mb:.0f} MB of the channel")
                self.fail_channel(name, "memory exhausted", detail, seq=entry.seq, by_worker=True)
                continue
            if stopped_by_bound:
                detail = (f"CONV206 RESOURCE LIMIT EXCEEDED: {cost.points} points would need {cost.time_s:.0f} s and "
                          f"{cost.memory_mb:.0f} MB; the per-plan bounds are {self.params.plan_time_limit_s:.0f} s and "
                          f"{self.params.plan_memory_limit_mb:.0f} MB")
                self.journal.complete(entry.seq, Outcome.QUARANTINED.value, self.now, name, "CONV206", detail)
                self.event(name, "quarantined", f"{entry.message_id}: {detail}")
                self.kick()
                continue
            try:
                result = channel.process(entry.message_id, entry.text, self.clock(), self.log)
            except CriticalException as error:
                self.fail_channel(name, "critical exception", f"{entry.message_id}: {error}", seq=entry.seq, by_worker=True)
                continue
            self._complete(name, entry, result)

    def _complete(self, name: str, entry: JournalEntry, result: Result) -> None:
        record_text = result.record.to_text() if result.record is not None else None
        if result.outcome is Outcome.CONVERTED:
            self.nas.store_record(entry.seq, entry.message_id, record_text or "", self.now)
        error_code = result.error.code if result.error is not None else None
        detail = str(result.error) if result.error is not None else None
        self.journal.complete(entry.seq, result.outcome.value, self.now, name, error_code, detail, record_text)
        if result.outcome is not Outcome.CONVERTED and result.error is not None and result.error.code == "CONV200":
            flight = self.flights.get(entry.message_id)
            if flight is not None:
                flight.needs_data = False
        self.kick()

    def remove_message(self, seq: int, actor: str) -> str:
        """Take a pending message out of the queue for manual input; return its id."""
        entry = self.journal.entry(seq)
        self.journal.complete(seq, Outcome.QUARANTINED.value, self.now, actor, "CONV203",
                              f"removed from the queue by the {actor}; to be processed by hand")
        self.event(actor, "message removed", f"{entry.message_id} taken off the head of the queue for manual input")
        self.kick()
        return entry.message_id

    # Faults during the run -------------------------------------------------------------

    def _fault(self, fault: Fault):
        start_s = (fault.at - self.epoch).total_seconds()
        if start_s > self.now:
            yield self.env.timeout(start_s - self.now)
        handler = getattr(self, f"_fault_{fault.kind}", None)
        if handler is None:
            return
        # A fault that lasts (a limit, a wipe with its reload) has a generator as its handler.
        result = handler(fault)
        if inspect.isgenerator(result):
            yield from result

    def _fault_channel_crash(self, fault: Fault):
        name = fault.option("channel")
        if name == "active":
            name = self.active
        if name is None:
            self.fault_notes.append({"kind": fault.kind, "at_s": self.now, "effect": "no active channel to crash"})
            return
        busy = self._busy.get(name)
        self.fault_notes.append({"kind": fault.kind, "at_s": self.now, "channel": name,
                                 "in_flight": self.journal.entry(busy).message_id if busy is not None else None})
        self.fail_channel(name, "crash", "the channel process died" + (" in the middle of a message" if busy is not None else ""))

    def _fault_backup_fails_takeover(self, fault: Fault):
        self.takeover_blocked.append((self.now, self.now + fault.duration.total_seconds()))
        self.fault_notes.append({"kind": fault.kind, "at_s": self.now, "until_s": self.now + fault.duration.total_seconds()})

    def _fault_config_limit(self, fault: Fault):
        count = int(fault.option("count"))
        self.config_count = count
        self.event("workstations", "state count", f"count reaches {count}; the configured limit is "
                   f"{fault.option('configured_limit')} and the code has {fault.option('hard_limit')}")
        failed = []
        for name in self.running():
            limit = self._limit_of(name)
            if limit is not None and count > limit:
                failed.append(name)
                self.fail_channel(name, "limit reached", f"state count {count} is above the limit {limit}")
        self.fault_notes.append({"kind": fault.kind, "at_s": self.now, "failed": failed})
        yield self.env.timeout(float(fault.option("clears_after_min")) * 60.0)
        self.config_count = 0
        self.event("workstations", "state cleared", "the state count is back to normal")

    def _fault_navdata_update(self, fault: Fault):
        point = (str(fault.option("designator")), float(fault.option("lat_deg")), float(fault.option("lon_deg")))
        self.navdata_updates.append(point)
        if self.rebuild_converters is None:
            return
        converters, input_filter = self.rebuild_converters(list(self.navdata_updates))
        for name, channel in self.channels.items():
            channel.converter = converters[self.logics[name]]
        if self.input_filter is not None:
            self.input_filter = input_filter
        self.event("adaptation", "navigation data update", f"{point[0]} added at {point[1]:.4f} {point[2]:.4f}")
        self.fault_notes.append({"kind": fault.kind, "at_s": self.now, "designator": point[0]})

    def _fault_store_wipe(self, fault: Fault):
        deleted = self.nas.wipe(self.now)
        self.event("NAS", "store wiped", f"{deleted} flights lost their data")
        note = {"kind": fault.kind, "at_s": self.now, "deleted": deleted, "reloaded": 0}
        self.fault_notes.append(note)
        for flight_id in self.nas.flights:
            self.manual.add(flight_id)
        self.kick()
        if not self.params.recover_from_journal:
            return
        yield self.env.timeout(self.params.journal_recovery_min * 60.0)
        reloaded = 0
        for entry in self.journal.converted_records():
            if entry.seq not in self.nas.records:
                self.nas.reload(entry.seq, entry.message_id, entry.record or "", self.now)
                reloaded += 1
        note["reloaded"] = reloaded
        note["reloaded_at_s"] = self.now
        self.event("NAS", "store reloaded", f"{reloaded} records put back from the journal")
        self.kick()

    def _flow_restrictions(self, at_s: float):
        if at_s < self.now:
            return
        yield self.env.timeout(at_s - self.now)
        if self._incident_response is not None and not self._incident_response.incident.is_resolved:
            self.event("network manager", "flow restrictions", "flow restrictions announced")
