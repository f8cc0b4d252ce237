"""The people in the chain: engineers and supplier during an incident, and manual input.

An incident starts when no channel is running. Three tracks then run side by side:

first-line engineer
    On site. Restarts the channels after ``first_line_response_min`` and again every
    ``first_line_restart_interval_min``, up to ``first_line_max_restarts`` times. A restart
    fails while the message that stops the channels is still at the head of the queue,
    because the restarted channel takes it first. A restart counts as good once the active
    channel has finished the message that was at the head. Until then the engineer watches it,
    ``restart_check_s`` at a time.
second-line engineer
    Called ``second_line_call_after_min`` into the incident. On site at once when
    ``second_line_on_site``. Otherwise tries to log in remotely, which takes
    ``second_line_remote_attempts_min`` when it fails. Travels ``second_line_travel_min``
    when the login fails or when a restart is only allowed on site. Then restarts the
    channels ``second_line_restarts`` times, and calls the supplier
    ``supplier_call_after_on_site_min`` after arriving if the chain is still down.
supplier
    Called by the second-line engineer, or ``supplier_call_after_min`` into the incident if
    that comes first. Takes ``supplier_response_min`` to start and ``supplier_diagnosis_min``
    to find the cause in its low-level logs. Its recovery procedure takes
    ``recovery_procedure_min`` and is carried out on site. For a message that stops the
    channels, the procedure removes the message from the head of the queue (to be typed in by
    hand) and restarts. For a hard-coded limit, the supplier's fix makes the channels read the
    configured limit.

Manual input types flight data into NAS at ``manual_rate_per_hour``. It takes the flight with
the earliest UK entry among those that lack data, once that entry is less than
``manual_lookahead_min`` away. A flight whose data would come more than
``cancel_after_delay_min`` after its planned entry is given up (cancelled) and skipped.
"""

from __future__ import annotations

import heapq
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpp.sim.model import ChainModel, Incident

__all__ = ["IncidentResponse", "ManualInput"]

logger = logging.getLogger(__name__)

_MAX_SUPPLIER_ROUNDS = 5
"""Diagnosis and recovery rounds the supplier makes before the model stops trying."""


class IncidentResponse:
    """The escalation of one incident, from the first restart to the supplier's procedure."""

    def __init__(self, model: ChainModel, incident: Incident) -> None:
        self.model = model
        self.incident = incident
        self.params = model.params
        self.env = model.env

    def start(self) -> None:
        """Start the three tracks."""
        self.env.process(self._first_line())
        self.env.process(self._second_line())
        if self.params.supplier_call_after_min is not None:
            self.env.process(self._supplier_timer())

    def _done(self) -> bool:
        return self.incident.is_resolved

    def _resolve(self, actor: str) -> None:
        if self._done():
            return
        restored = max(time_s for time_s, _, state in self.model.state_changes if state == "RUNNING")
        self.incident.restored_s = restored
        self.model.event("control and monitoring", "automatic processing restored", f"after the restart by the {actor}")
        logger.info("incident %d resolved at %s by the %s", self.incident.number, self.model.clock(restored), actor)
        self.incident.resolved.succeed()

    def _restart(self, actor: str):
        ok = yield from self.model.restart_channels(actor)
        self.incident.restarts += 1
        if ok:
            self._resolve(actor)
        else:
            self.model.event(actor, "restart failed", f"restart {self.incident.restarts} of the incident did not hold")
        return ok

    def _wait(self, delay_s: float):
        """Wait ``delay_s`` or until the incident is resolved; return whether it was resolved."""
        if delay_s > 0:
            yield self.env.any_of([self.env.timeout(delay_s), self.incident.resolved])
        return self._done()

    def _first_line(self):
        if (yield from self._wait(self.params.first_line_response_min * 60.0)):
            return
        for _ in range(self.params.first_line_max_restarts):
            if self._done():
                return
            if (yield from self._restart("first-line engineer")):
                return
            if (yield from self._wait(self.params.first_line_restart_interval_min * 60.0)):
                return

    def _second_line(self):
        if (yield from self._wait(self.params.second_line_call_after_min * 60.0)):
            return
        self.incident.second_line_called_s = self.model.now
        self.model.event("second-line engineer", "called", "the on-call second-line engineer is called")
        remote_ok = self.params.remote_login_works and not self.params.restart_requires_on_site
        if self.params.second_line_on_site:
            if (yield from self._wait(self.params.second_line_response_min * 60.0)):
                return
            self.incident.second_line_on_site_s = self.model.now
            self.model.event("second-line engineer", "on site", "already on site")
        elif remote_ok:
            if (yield from self._wait(self.params.second_line_response_min * 60.0)):
                return
            self.model.event("second-line engineer", "remote login", "logged in remotely; restarts allowed remotely")
            self.incident.second_line_on_site_s = self.model.now
        else:
            attempt_min = (self.params.second_line_remote_attempts_min if not self.params.remote_login_works
                           else self.params.second_line_response_min)
            if (yield from self._wait(attempt_min * 60.0)):
                return
            reason = "remote login failed" if not self.params.remote_login_works else "restart only allowed on site"
            self.model.event("second-line engineer", reason, "travelling to site")
            if (yield from self._wait(self.params.second_line_travel_min * 60.0)):
                return
            self.incident.second_line_on_site_s = self.model.now
            self.model.event("second-line engineer", "on site", "arrived after travelling")
        for _ in range(self.params.second_line_restarts):
            if (yield from self._restart("second-line engineer")):
                return
        if (yield from self._wait(self.params.supplier_call_after_on_site_min * 60.0
                                  - (self.model.now - self.incident.second_line_on_site_s))):
            return
        self.call_supplier("second-line engineer")

    def _supplier_timer(self):
        if (yield from self._wait(self.params.supplier_call_after_min * 60.0)):
            return
        self.call_supplier("control room")

    def call_supplier(self, actor: str) -> None:
        """Call the supplier once per incident."""
        if self._done() or self.incident.supplier_called_s is not None:
            return
        self.incident.supplier_called_s = self.model.now
        self.model.event("supplier", "called", f"called by the {actor}")
        self.env.process(self._supplier())

    def _diagnose(self) -> str:
        failure = self.model.last_failure or {}
        kind = failure.get("kind")
        if kind in ("critical exception", "memory exhausted") and failure.get("seq") is not None:
            head = self.model.journal.next_pending()
            if head is not None and head.seq == failure["seq"]:
                return "message"
        if kind == "limit reached" and self.model.config_count:
            return "limit"
        return "none"

    def _supplier(self):
        if (yield from self._wait(self.params.supplier_response_min * 60.0)):
            return
        for _ in range(_MAX_SUPPLIER_ROUNDS):
            if (yield from self._wait(self.params.supplier_diagnosis_min * 60.0)):
                return
            cause = self._diagnose()
            self.incident.cause_found_s = self.model.now
            failure = self.model.last_failure or {}
            if cause == "message":
                found = f"message {failure['message_id']} at the head of the queue stops the channels"
            elif cause == "limit":
                found = "a hard-coded limit below the configured one stops the channels"
            else:
                found = "no stopping cause left; restart"
            self.model.event("supplier", "cause found", f"from the low-level logs: {found}")
            if (yield from self._wait(self.params.recovery_procedure_min * 60.0)):
                return
            self.incident.procedure_applied_s = self.model.now
            if cause == "message":
                head = self.model.journal.next_pending()
                if head is not None and head.seq == failure["seq"]:
                    self.incident.removed_messages.append(self.model.remove_message(head.seq, "recovery procedure"))
            elif cause == "limit":
                self.model.limits_fixed = True
                self.model.event("recovery procedure", "limit corrected", "the channels now read the configured limit")
            if (yield from self._restart("recovery procedure")):
                return


class ManualInput:
    """Flight data typed into NAS by hand, at a limited rate, earliest UK entry first."""

    def __init__(self, model: ChainModel) -> None:
        self.model = model
        self.params = model.params
        self._queue: list[tuple[float, str]] = []
        self.entries: list[tuple[float, str]] = []

    def add(self, flight_id: str) -> None:
        """Put a flight on the list of flights that may need to be typed in."""
        flight = self.model.flights.get(flight_id)
        if flight is not None:
            heapq.heappush(self._queue, (flight.entry_s, flight_id))

    def _settled(self, entry_s: float, flight_id: str) -> bool:
        flight = self.model.flights[flight_id]
        given_up = entry_s + self.params.cancel_after_delay_min * 60.0 < self.model.now
        return not flight.needs_data or self.model.nas.has_data(flight_id) or given_up

    def run(self):
        """Type in flights, one at a time, as a SimPy process."""
        env = self.model.env
        service_s = 3600.0 / self.params.manual_rate_per_hour
        lookahead_s = self.params.manual_lookahead_min * 60.0
        while True:
            while self._queue and self._settled(*self._queue[0]):
                heapq.heappop(self._queue)
            if not self._queue:
                yield self.model.changed()
                continue
            entry_s, flight_id = self._queue[0]
            due_s = entry_s - lookahead_s
            if due_s > self.model.now:
                yield env.any_of([env.timeout(due_s - self.model.now), self.model.changed()])
                continue
            heapq.heappop(self._queue)
            yield env.timeout(service_s)
            if not self.model.nas.has_data(flight_id):
                self.model.nas.store_manual(flight_id, self.model.now)
                self.entries.append((self.model.now, flight_id))
