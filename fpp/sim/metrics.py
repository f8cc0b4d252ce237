"""Results of a run: conservation of messages, flights without data, timeline and series.

Definitions used in every report:

flight without automatic data
    A flight that needs UK data and reaches its planned UK entry while NAS has no record for
    it from a channel (or reloaded from the journal).
flight without data
    A flight that reaches its planned UK entry while NAS has no data for it at all, typed in
    by hand included. The model holds it until its data arrives. It is delayed when the
    data comes within ``cancel_after_delay_min``, and at risk of cancellation when it comes
    later or never.
buffer exhausted
    The planned entry of the first flight of the day's traffic whose message was received but
    not yet processed, or not yet received, when it reached UK airspace: the stored flight
    data has run out. Flights whose message a fault injected are left out.
lost
    A message the feed sent that has no journal row, plus a converted message whose record
    NAS no longer has at the end. Pending messages are not lost, because the journal still
    contains them.
recovery time of a fault
    From the start of the fault to the first moment after its end at which no message waits
    in the journal and the active channel is RUNNING; for a store wipe, to the reload from the
    journal. A limit fault ends when the state count clears.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from fpp.sim.faults import Fault
from fpp.sim.journal import JournalEntry
from fpp.sim.model import ChainModel

__all__ = ["IMPORTANT_KINDS", "summarize"]

SERIES_STEP_S = 300.0
"""Spacing of the backlog and buffer series [s]."""

IMPORTANT_KINDS = frozenset({
    "message received", "critical exception", "maintenance", "crash", "memory exhausted", "limit reached",
    "takeover", "takeover failed", "no channel running", "restart", "restart failed", "called", "remote login failed",
    "restart only allowed on site", "remote login", "on site", "cause found", "message removed", "limit corrected",
    "processing resumed", "automatic processing restored", "flow restrictions", "store wiped", "store reloaded",
    "navigation data update", "state count", "state cleared",
})
"""Event kinds that go into the timeline of a report."""


def _first_rows(entries: Sequence[JournalEntry]) -> dict[str, Any]:
    """Return the first journal row of each message id that is not a duplicate."""
    rows = {}
    for entry in entries:
        if entry.status != "duplicate" and entry.message_id not in rows:
            rows[entry.message_id] = entry
    return rows


def _lost(model: ChainModel, entries: Sequence[JournalEntry]) -> dict[str, int]:
    sent = Counter(model.journal.digest(message.text) for message in model.sent)
    journalled = Counter(model.journal.digest(entry.text) for entry in entries)
    in_transit = sum(max(count - journalled.get(digest, 0), 0) for digest, count in sent.items())
    records = sum(1 for entry in entries if entry.status == "converted" and entry.seq not in model.nas.records)
    return {"in_transit": in_transit, "records": records, "total": in_transit + records}


def _interval_arrays(model: ChainModel, flight_index: Mapping[str, int],
                     automatic_only: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    owners, starts, ends = [], [], []
    for flight_id, data in model.nas.flights.items():
        if flight_id not in flight_index:
            continue
        for start, end in data.automatic_intervals if automatic_only else data.intervals:
            owners.append(flight_index[flight_id])
            starts.append(start)
            ends.append(np.inf if end is None else end)
    return np.asarray(owners, dtype=np.int64), np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)


def _flights(model: ChainModel, rows: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], float | None]:
    cancel_s = model.params.cancel_after_delay_min * 60.0
    counts: Counter[str] = Counter()
    delays_min = []
    per_flight = []
    exhausted_s = None
    for flight in model.flights.values():
        if not flight.needs_data:
            continue
        counts["total"] += 1
        data = model.nas.flights.get(flight.flight_id)
        entry_s = flight.entry_s
        covering = None
        if data is not None and data.automatic_at(entry_s):
            covering = "automatic"
        elif data is not None and data.present_at(entry_s):
            covering = "manual"
        if covering != "automatic":
            counts["without_automatic_data"] += 1
            row = rows.get(flight.flight_id)
            not_processed = row is None or row.received_s > entry_s or row.done_s is None or row.done_s > entry_s
            ordinary = flight.injected_by is None
            if ordinary and not_processed and (exhausted_s is None or entry_s < exhausted_s):
                exhausted_s = entry_s
        if covering == "manual":
            counts["manual"] += 1
        if covering is not None:
            continue
        counts["without_data"] += 1
        available = data.available_from(entry_s) if data is not None else None
        delay_s = None if available is None else available - entry_s
        if delay_s is not None and delay_s <= cancel_s:
            counts["delayed"] += 1
            delays_min.append(delay_s / 60.0)
        else:
            counts["at_risk"] += 1
        per_flight.append({"flight_id": flight.flight_id, "entry_s": entry_s, "delay_s": delay_s})
    summary = {
        "total": counts["total"],
        "without_automatic_data": counts["without_automatic_data"],
        "manual": counts["manual"],
        "without_data": counts["without_data"],
        "delayed": counts["delayed"],
        "at_risk": counts["at_risk"],
        "delay_total_min": round(float(sum(delays_min)), 1),
        "delay_mean_min": round(float(np.mean(delays_min)), 1) if delays_min else 0.0,
    }
    return summary, per_flight, exhausted_s


def _backlog_steps(entries: Sequence[JournalEntry]) -> tuple[np.ndarray, np.ndarray]:
    """Return the times at which the backlog changes, and the backlog just after each."""
    changes = []
    for entry in entries:
        if entry.status == "duplicate":
            continue
        changes.append((entry.received_s, 1))
        if entry.done_s is not None:
            changes.append((entry.done_s, -1))
    changes.sort(key=lambda change: (change[0], change[1]))
    times = np.array([time_s for time_s, _ in changes], dtype=float)
    levels = np.cumsum([step for _, step in changes]) if changes else np.zeros(0)
    return times, np.asarray(levels, dtype=float)


def _backlog_at(times: np.ndarray, levels: np.ndarray, time_s: float) -> float:
    k = int(np.searchsorted(times, time_s, side="right")) - 1
    return float(levels[k]) if k >= 0 else 0.0


def _series(model: ChainModel, entries: Sequence[JournalEntry], start_s: float, end_s: float,
            local: Callable[[float], str]) -> dict[str, list]:
    ids = [f.flight_id for f in model.flights.values() if f.needs_data]
    index = {flight_id: k for k, flight_id in enumerate(ids)}
    entry = np.array([model.flights[flight_id].entry_s for flight_id in ids], dtype=float)
    intervals = {"buffer_h": _interval_arrays(model, index), "automatic_buffer_h": _interval_arrays(model, index, True)}
    times, levels = _backlog_steps(entries)
    lead_h = model.params.lead_time_h
    out: dict[str, list] = {"time": [], "hour": [], "backlog": [], "buffer_h": [], "automatic_buffer_h": [],
                            "stored_flights": []}
    for time_s in np.arange(start_s, end_s + 1.0, SERIES_STEP_S):
        ahead = entry >= time_s
        out["time"].append(local(float(time_s)))
        out["hour"].append(round(float(time_s - start_s) / 3600.0, 4))
        out["backlog"].append(int(_backlog_at(times, levels, float(time_s))))
        for key, (owners, starts, ends) in intervals.items():
            present = np.zeros(len(ids), dtype=bool)
            live = (starts <= time_s) & (ends > time_s)
            present[owners[live]] = True
            missing = ahead & ~present
            buffer_h = float((entry[missing].min() - time_s) / 3600.0) if missing.any() else lead_h
            out[key].append(round(min(buffer_h, lead_h), 3))
            if key == "buffer_h":
                out["stored_flights"].append(int((ahead & present).sum()))
    return out


def _throughput(model: ChainModel, entries: Sequence[JournalEntry], day_start_s: float,
                local_hour: Callable[[float], int]) -> list[dict[str, Any]]:
    hours: dict[int, Counter] = {}

    def bucket(time_s: float) -> Counter:
        return hours.setdefault(int((time_s - day_start_s) // 3600.0), Counter())

    for entry in entries:
        if entry.status == "converted" and entry.done_s is not None:
            bucket(entry.done_s)["automatic"] += 1
    for time_s, _ in model.manual.entries:
        bucket(time_s)["manual"] += 1
    for flight in model.flights.values():
        if flight.needs_data:
            bucket(flight.entry_s)["entering"] += 1
            data = model.nas.flights.get(flight.flight_id)
            if data is None or not data.present_at(flight.entry_s):
                bucket(flight.entry_s)["without_data"] += 1
    rows = []
    for number in sorted(hours):
        counts = hours[number]
        rows.append({"hour": f"{local_hour(day_start_s + number * 3600.0):02d}:00", "offset_h": number,
                     "automatic": counts["automatic"], "manual": counts["manual"],
                     "entering": counts["entering"], "without_data": counts["without_data"]})
    return rows


def _processing_at(model: ChainModel, time_s: float) -> bool:
    processing = True
    for change_s, state in model.processing_changes:
        if change_s > time_s:
            break
        processing = state
    return processing


def _fault_end_s(fault: Fault, start_s: float) -> float:
    if fault.kind == "config_limit":
        return start_s + float(fault.option("clears_after_min")) * 60.0
    return start_s + fault.duration.total_seconds()


def _recovery_s(model: ChainModel, fault: Fault, note: Mapping[str, Any] | None, times: np.ndarray,
                levels: np.ndarray) -> float | None:
    start_s = (fault.at - model.epoch).total_seconds()
    if fault.kind == "store_wipe":
        if note is None or "reloaded_at_s" not in note:
            return None
        return note["reloaded_at_s"] - start_s
    end_s = _fault_end_s(fault, start_s)
    candidates = sorted({end_s, *[float(t) for t in times[times >= end_s]],
                         *[t for t, _ in model.processing_changes if t >= end_s]})
    for time_s in candidates:
        if _backlog_at(times, levels, time_s) == 0 and _processing_at(model, time_s):
            return time_s - start_s
    return None


def summarize(model: ChainModel, until_s: float, day_start_s: float, to_local: Callable[[datetime], datetime],
              faults: list[Fault], feed_notes: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the JSON-ready results of a finished run.

    Parameters
    ----------
    until_s
        Where the run stopped [s].
    day_start_s
        Local midnight of the scenario's day [s].
    to_local
        The scenario's function from UTC to local time.
    faults
        Every fault of the run, feed faults included.
    feed_notes
        What each feed fault did (from :func:`fpp.sim.faults.apply_feed_faults`).
    """
    def local(time_s: float | None) -> str | None:
        if time_s is None:
            return None
        moment = to_local(model.clock(time_s))
        text = moment.strftime("%H:%M:%S")
        days = (moment.date() - to_local(model.clock(day_start_s)).date()).days
        return text if days == 0 else f"{text}{days:+d}d"

    def local_hour(time_s: float) -> int:
        return to_local(model.clock(time_s)).hour

    entries = model.journal.entries()
    rows = _first_rows(entries)
    counts = Counter(entry.status for entry in entries)
    lost = _lost(model, entries)
    flights, per_flight, exhausted_s = _flights(model, rows)
    times, levels = _backlog_steps(entries)

    events = [event for event in model.log.events if event.kind in IMPORTANT_KINDS]
    timeline: list[dict[str, Any]] = [{"time": local((event.time - model.epoch).total_seconds()), "time_s": (event.time - model.epoch).total_seconds(),
                 "source": event.source, "event": event.kind, "detail": event.detail} for event in events]
    if exhausted_s is not None:
        timeline.append({"time": local(exhausted_s), "time_s": exhausted_s, "source": "NAS",
                         "event": "stored flight data runs out", "detail": "first flight reaches UK airspace without automatic data"})
    timeline.sort(key=lambda item: item["time_s"])

    incidents = []
    for incident in model.incidents:
        incidents.append({
            "number": incident.number,
            "started_at": local(incident.started_s),
            "restored_at": local(incident.restored_s),
            "duration_min": round((incident.restored_s - incident.started_s) / 60.0, 1) if incident.restored_s else None,
            "restarts": incident.restarts,
            "second_line_called_at": local(incident.second_line_called_s),
            "second_line_on_site_at": local(incident.second_line_on_site_s),
            "supplier_called_at": local(incident.supplier_called_s),
            "cause_found_at": local(incident.cause_found_s),
            "procedure_applied_at": local(incident.procedure_applied_s),
            "removed_messages": list(incident.removed_messages),
        })
    restored = [incident.restored_s for incident in model.incidents if incident.restored_s is not None]

    notes_by_kind: dict[str, list[dict[str, Any]]] = {}
    for fault_note in list(feed_notes) + list(model.fault_notes):
        notes_by_kind.setdefault(fault_note["kind"], []).append(fault_note)
    fault_reports = []
    for fault in faults:
        waiting = notes_by_kind.get(fault.kind)
        note = waiting.pop(0) if waiting else None
        recovery = _recovery_s(model, fault, note, times, levels)
        effect = {key: value for key, value in (note or {}).items() if key != "kind" and not key.endswith("_s")}
        fault_reports.append({"kind": fault.kind, "label": fault.label, "at": local((fault.at - model.epoch).total_seconds()),
                              "effect": effect, "recovery_time_s": None if recovery is None else round(recovery, 1)})

    held = len(model.schedule) - len(model.sent)
    conservation = {
        "sent": len(model.sent),
        "held_by_feed": held,
        "received": len(model.journal),
        "converted": counts.get("converted", 0),
        "rejected": counts.get("rejected", 0),
        "quarantined": counts.get("quarantined", 0),
        "duplicate": counts.get("duplicate", 0),
        "pending": counts.get("pending", 0),
        "lost": lost["total"],
        "lost_in_transit": lost["in_transit"],
        "lost_records": lost["records"],
        "nas_duplicates_ignored": model.nas.duplicates_ignored,
    }
    conservation["balanced"] = (
        conservation["received"] == sum(conservation[key] for key in ("converted", "rejected", "quarantined", "duplicate", "pending"))
        and conservation["sent"] == conservation["received"] + conservation["lost_in_transit"]
    )

    return {
        "channels_down_at": local(model.both_down_s[0]) if model.both_down_s else None,
        "buffer_exhausted_at": local(exhausted_s),
        "restored_at": local(restored[-1]) if restored else None,
        "flights": flights,
        "counts": conservation,
        "timeline": timeline,
        "incidents": incidents,
        "faults": fault_reports,
        "manual_entries": len(model.manual.entries),
        "series": _series(model, entries, day_start_s, until_s, lambda s: local(s) or ""),
        "throughput": _throughput(model, entries, day_start_s, local_hour),
        "channel_states": [{"time": local(time_s), "time_s": time_s, "channel": name, "state": state}
                           for time_s, name, state in model.state_changes],
        "channel_restarts": {name: channel.restarts for name, channel in model.channels.items()},
        "flights_without_data_detail": per_flight,
        "duplicates_received": model.duplicates_received,
        "set_aside": [{"flight_id": entry.message_id, "status": entry.status, "by": entry.channel,
                       "error_code": entry.error_code, "time": local(entry.done_s)}
                      for entry in entries if entry.status in ("quarantined", "rejected")],
        "peak_backlog": int(levels.max()) if len(levels) else 0,
        "clock": {"day_start_s": day_start_s, "until_s": until_s, "epoch_utc": model.epoch.isoformat()},
    }
