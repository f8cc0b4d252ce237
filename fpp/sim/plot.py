"""Plots of a simulation run: channel states and events, buffer and backlog, throughput per hour."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # imported after matplotlib.use, which must come first

__all__ = ["plot_comparison", "plot_simulation"]

_STATE_COLOURS = {"RUNNING": "tab:green", "MAINTENANCE": "tab:red", "RESTARTING": "tab:orange"}

_MARKED_EVENTS = {
    "message received": "message received",
    "no channel running": "no channel running",
    "called": "called",
    "on site": "on site",
    "cause found": "cause found",
    "message removed": "message removed",
    "automatic processing restored": "restored",
    "flow restrictions": "flow restrictions",
    "stored flight data runs out": "data runs out",
    "store wiped": "store wiped",
    "store reloaded": "store reloaded",
    "state count": "limit reached",
    "navigation data update": "data update",
}


def _hours(time_s: float, day_start_s: float) -> float:
    return (time_s - day_start_s) / 3600.0


def _state_bars(axis, result: Mapping[str, Any], day_start_s: float, end_h: float) -> None:
    names = ["backup", "primary"]
    for row, name in enumerate(names):
        changes = [(c["time_s"], c["state"]) for c in result["channel_states"] if c["channel"] == name]
        for k, (start_s, state) in enumerate(changes):
            stop_h = _hours(changes[k + 1][0], day_start_s) if k + 1 < len(changes) else end_h
            start_h = max(_hours(start_s, day_start_s), 0.0)
            if stop_h > start_h:
                axis.broken_barh([(start_h, stop_h - start_h)], (row - 0.35, 0.7), color=_STATE_COLOURS[state])
    axis.set_yticks(range(len(names)), names)
    axis.set_ylim(-0.6, len(names) + 3.4)
    for state, colour in _STATE_COLOURS.items():
        axis.plot([], [], color=colour, lw=6, label=state)
    axis.legend(loc="upper left", fontsize=7, ncol=3)


_LABEL_GAP_H = 0.25
"""Smallest distance between two event labels along the time axis [h]."""


def _event_marks(axis, result: Mapping[str, Any], day_start_s: float) -> None:
    seen: set[str] = set()
    label_h = float("-inf")
    for item in result["timeline"]:
        label = _MARKED_EVENTS.get(item["event"])
        if label is None:
            continue
        text = f"{item['source']}: {label}" if item["event"] in ("called", "on site", "cause found") else label
        if text in seen:
            continue
        seen.add(text)
        hour = _hours(item["time_s"], day_start_s)
        axis.axvline(hour, color="grey", lw=0.6, ls="--")
        # Labels of events close in time move right, so that they do not print over each other.
        label_h = max(hour, label_h + _LABEL_GAP_H)
        axis.text(label_h, 1.6, f"{item['time'][:5]} {text}", rotation=90, fontsize=6.5, va="bottom", ha="right")


def plot_simulation(path: str | Path, result: Mapping[str, Any], title: str) -> Path:
    """Draw the timeline, buffer, backlog and throughput of one run; return the PNG path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    day_start_s = result["clock"]["day_start_s"]
    end_h = _hours(result["clock"]["until_s"], day_start_s)
    fig, (states, buffer_axis, throughput) = plt.subplots(3, 1, figsize=(13, 10), sharex=True,
                                                           gridspec_kw={"height_ratios": [1.6, 1, 1]})

    _state_bars(states, result, day_start_s, end_h)
    _event_marks(states, result, day_start_s)
    states.set_title(title)

    series = result["series"]
    buffer_axis.plot(series["hour"], series["buffer_h"], color="tab:blue", label="any data")
    buffer_axis.plot(series["hour"], series["automatic_buffer_h"], color="tab:blue", ls=":", label="automatic data")
    buffer_axis.set_ylabel("stored data ahead [h]", color="tab:blue")
    buffer_axis.legend(loc="lower left", fontsize=7)
    backlog_axis = buffer_axis.twinx()
    backlog_axis.plot(series["hour"], series["backlog"], color="tab:red", label="messages waiting")
    backlog_axis.set_ylabel("messages waiting in the journal", color="tab:red")
    buffer_axis.grid(True, lw=0.3)

    rows = result["throughput"]
    hours = [row["offset_h"] + 0.5 for row in rows]
    width = 0.2
    throughput.bar([h - 1.5 * width for h in hours], [row["entering"] for row in rows], width, label="flights entering")
    throughput.bar([h - 0.5 * width for h in hours], [row["automatic"] for row in rows], width, label="converted by a channel")
    throughput.bar([h + 0.5 * width for h in hours], [row["manual"] for row in rows], width, label="typed in by hand")
    throughput.bar([h + 1.5 * width for h in hours], [row["without_data"] for row in rows], width, label="entering without data")
    throughput.set_ylabel("per hour")
    throughput.legend(loc="upper left", fontsize=7, ncol=4)
    throughput.grid(True, lw=0.3)

    ticks = list(range(0, int(end_h) + 1, 2))
    throughput.set_xticks(ticks, [f"{tick % 24:02d}:00" for tick in ticks])
    throughput.set_xlim(0, end_h)
    throughput.set_xlabel("local time")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_comparison(path: str | Path, results: Sequence[Mapping[str, Any]], title: str) -> Path:
    """Draw the backlog and the flights without data of several variants; return the PNG path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, (backlog, flights) = plt.subplots(2, 1, figsize=(12, 8), gridspec_kw={"height_ratios": [1.4, 1]})
    for result in results:
        series = result["series"]
        backlog.plot(series["hour"], series["backlog"], label=result["variant"])
    backlog.set_ylabel("messages waiting in the journal")
    backlog.set_xlabel("hours from local midnight")
    backlog.set_title(title)
    backlog.legend(fontsize=7)
    backlog.grid(True, lw=0.3)
    names = [result["variant"] for result in results]
    without = [result["flights"]["without_data"] for result in results]
    no_automatic = [result["flights"]["without_automatic_data"] for result in results]
    positions = range(len(names))
    flights.bar([p - 0.2 for p in positions], no_automatic, 0.4, label="without automatic data")
    flights.bar([p + 0.2 for p in positions], without, 0.4, label="without any data")
    flights.set_xticks(list(positions), names, rotation=20, fontsize=8)
    flights.set_ylabel("flights")
    flights.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
