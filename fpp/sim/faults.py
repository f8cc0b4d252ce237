"""Faults as data: a schedule of faults read from a scenario's ``[[simulation.faults]]`` tables.

Every fault has a ``kind`` and a start time ``at_local`` (``HH:MM[:SS]`` local time on the
scenario's day). The other keys depend on the kind:

``poison_plan``
    ``message``: an ADEXP file of the scenario, delivered by the feed at ``at_local``.
``channel_crash``
    ``channel``: ``primary``, ``backup`` or ``active``. The channel's process dies, in the
    middle of a message if it is busy.
``backup_fails_takeover``
    ``duration_min``: for that long, control and monitoring cannot hand the flow to the
    standby channel.
``feed_outage``
    ``duration_min``: IFPS sends nothing; what it held is sent afterwards as a burst at
    ``burst_rate_per_min``.
``duplicate_messages``
    ``duration_min``, ``fraction``, ``delay_s``: that share of the messages in the window is
    sent a second time, ``delay_s`` later.
``reordered_messages``
    ``duration_min``, ``max_delay_s``: each message in the window is held back by a random
    time up to ``max_delay_s``, so messages arrive out of order.
``navdata_update``
    ``designator``, ``lat_deg``, ``lon_deg``: the channels load navigation data with one more
    point of that designator.
``config_limit``
    ``count``, ``hard_limit``, ``configured_limit``, ``clears_after_min``: a state count
    reaches ``count``. A channel with ``hard_limit`` in its code fails when ``count`` is above
    it, and a channel that reads ``configured_limit`` goes on.
``store_wipe``
    No further keys: the NAS store loses every record.

The feed faults (poison, outage, duplicates, reordering) change the send schedule before the
run; :func:`apply_feed_faults` does that. The others act during the run.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

__all__ = [
    "FAULT_KINDS",
    "FEED_FAULTS",
    "Fault",
    "SentMessage",
    "apply_feed_faults",
    "parse_faults",
]

FAULT_KINDS: dict[str, dict[str, type]] = {
    "poison_plan": {"message": str},
    "channel_crash": {"channel": str},
    "backup_fails_takeover": {"duration_min": float},
    "feed_outage": {"duration_min": float, "burst_rate_per_min": float},
    "duplicate_messages": {"duration_min": float, "fraction": float, "delay_s": float},
    "reordered_messages": {"duration_min": float, "max_delay_s": float},
    "navdata_update": {"designator": str, "lat_deg": float, "lon_deg": float},
    "config_limit": {"count": int, "hard_limit": int, "configured_limit": int, "clears_after_min": float},
    "store_wipe": {},
}
"""Every fault kind and the keys it takes, with their types."""

_OPTIONAL: dict[str, dict[str, Any]] = {
    "feed_outage": {"burst_rate_per_min": 600.0},
    "duplicate_messages": {"fraction": 1.0, "delay_s": 30.0},
    "channel_crash": {"channel": "active"},
}

FEED_FAULTS = ("poison_plan", "feed_outage", "duplicate_messages", "reordered_messages")
"""Kinds that change what the feed sends, and when."""


@dataclass(frozen=True)
class Fault:
    """One scheduled fault.

    Attributes
    ----------
    kind
        A key of :data:`FAULT_KINDS`.
    at
        Start time (UTC, naive).
    options
        The kind's further keys.
    label
        A short description for timelines and reports.
    """

    kind: str
    at: datetime
    options: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    def option(self, key: str) -> Any:
        """Return the value of one of the kind's keys."""
        return self.options[key]

    @property
    def duration(self) -> timedelta:
        """How long the fault lasts (zero for a fault that is one event)."""
        return timedelta(minutes=float(self.options.get("duration_min", 0.0)))

    def to_dict(self) -> dict[str, Any]:
        """Return the fault as a JSON-ready mapping."""
        return {"kind": self.kind, "at": self.at.isoformat(), "label": self.label, **self.options}


def parse_faults(tables: Sequence[Mapping[str, Any]], to_utc) -> list[Fault]:
    """Read the ``[[simulation.faults]]`` tables of a scenario.

    Parameters
    ----------
    tables
        One mapping per fault, with ``kind``, ``at_local`` and the kind's keys.
    to_utc
        Function from a local ``HH:MM[:SS]`` string to a UTC datetime (the scenario's).

    Raises
    ------
    ValueError
        For an unknown kind, a missing or unknown key, or a value of the wrong type.
    """
    faults = []
    for number, table in enumerate(tables, start=1):
        kind = table.get("kind")
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault {number}: kind {kind!r} is not one of {', '.join(FAULT_KINDS)}")
        if "at_local" not in table:
            raise ValueError(f"fault {number} ({kind}): at_local (HH:MM[:SS] local time) is missing")
        expected = FAULT_KINDS[kind]
        extra = set(table) - set(expected) - {"kind", "at_local", "label"}
        if extra:
            raise ValueError(f"fault {number} ({kind}): unknown keys {', '.join(sorted(extra))}; "
                             f"it takes {', '.join(expected) or 'no further keys'}")
        options: dict[str, Any] = dict(_OPTIONAL.get(kind, {}))
        for key, kind_of_value in expected.items():
            if key not in table and key not in options:
                raise ValueError(f"fault {number} ({kind}): key {key} is missing")
            value = table.get(key, options.get(key))
            try:
                options[key] = kind_of_value(value)
            except (TypeError, ValueError):
                raise ValueError(f"fault {number} ({kind}): {key} must be a {kind_of_value.__name__}, not {value!r}") from None
        if kind == "channel_crash" and options["channel"] not in ("primary", "backup", "active"):
            raise ValueError(f"fault {number} (channel_crash): channel must be primary, backup or active, not {options['channel']!r}")
        faults.append(Fault(kind, to_utc(str(table["at_local"])), options, str(table.get("label", kind.replace("_", " ")))))
    return sorted(faults, key=lambda fault: fault.at)


@dataclass(frozen=True)
class SentMessage:
    """One message as the feed sends it.

    Attributes
    ----------
    send_s
        When the feed sends it [s of simulated time].
    message_id
        The flight's id.
    text
        The ADEXP text.
    copy
        0 for the original, 1 for a duplicate sent again.
    """

    send_s: float
    message_id: str
    text: str
    copy: int = 0


def _window(fault: Fault, epoch: datetime) -> tuple[float, float]:
    start = (fault.at - epoch).total_seconds()
    return start, start + fault.duration.total_seconds()


def _overtaken(messages: Sequence[SentMessage]) -> int:
    """Count the messages that arrive after a message that was sent after them."""
    by_arrival = sorted(range(len(messages)), key=lambda k: messages[k].send_s)
    overtaken = 0
    latest = -1
    for k in by_arrival:
        if k < latest:
            overtaken += 1
        latest = max(latest, k)
    return overtaken


def apply_feed_faults(schedule: Sequence[SentMessage], faults: Sequence[Fault], epoch: datetime,
                      rng: random.Random) -> tuple[list[SentMessage], list[dict[str, Any]]]:
    """Apply the feed faults to a send schedule; return the new schedule and what each did.

    Faults apply in their order in ``faults``. The returned notes give, per feed fault, the
    number of messages it affected. The schedule is returned sorted by send time (ties keep
    their order).
    """
    sent = list(schedule)
    notes: list[dict[str, Any]] = []
    for fault in faults:
        if fault.kind not in FEED_FAULTS or fault.kind == "poison_plan":
            continue
        start, end = _window(fault, epoch)
        inside = [k for k, message in enumerate(sent) if start <= message.send_s < end]
        if fault.kind == "feed_outage":
            spacing_s = 60.0 / float(fault.option("burst_rate_per_min"))
            for rank, k in enumerate(inside):
                sent[k] = SentMessage(end + rank * spacing_s, sent[k].message_id, sent[k].text, sent[k].copy)
            notes.append({"kind": fault.kind, "held": len(inside)})
        elif fault.kind == "duplicate_messages":
            fraction = float(fault.option("fraction"))
            delay_s = float(fault.option("delay_s"))
            chosen = [k for k in inside if rng.random() < fraction]
            for k in chosen:
                sent.append(SentMessage(sent[k].send_s + delay_s, sent[k].message_id, sent[k].text, 1))
            notes.append({"kind": fault.kind, "duplicated": len(chosen)})
        elif fault.kind == "reordered_messages":
            max_delay_s = float(fault.option("max_delay_s"))
            for k in inside:
                sent[k] = SentMessage(sent[k].send_s + rng.uniform(0.0, max_delay_s), sent[k].message_id, sent[k].text, sent[k].copy)
            notes.append({"kind": fault.kind, "delayed": len(inside), "overtaken": _overtaken([sent[k] for k in inside])})
        sent.sort(key=lambda message: message.send_s)
    return sorted(sent, key=lambda message: message.send_s), notes
