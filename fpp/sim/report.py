"""Text of simulation results: one run, and a table that compares variants."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["format_comparison", "format_duration", "format_simulation"]


def format_duration(seconds: float | None) -> str:
    """Write a duration as ``2 h 05 min``, ``4 min 10 s`` or ``12.0 s``; ``-`` for ``None``."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min {int(seconds % 60):02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _timeline_lines(timeline: Sequence[Mapping[str, Any]]) -> list[str]:
    """Events in order; an event that repeats an earlier one word for word is counted, not shown."""
    repeats = Counter((item["source"], item["event"], item["detail"]) for item in timeline)
    shown = set()
    lines = []
    for item in timeline:
        key = (item["source"], item["event"], item["detail"])
        if key in shown:
            continue
        shown.add(key)
        times = f" (x{repeats[key]})" if repeats[key] > 1 else ""
        lines.append(f"    {item['time']}  {item['source']:<22} {item['event']:<26} {item['detail']}{times}")
    return lines


def format_simulation(result: Mapping[str, Any]) -> str:
    """Render the results of one run as the text the CLI prints."""
    flights, counts = result["flights"], result["counts"]
    reported = result.get("reported", {})
    lines = [(f"SIMULATION of the processing chain (seed {result['seed']}, variant {result['variant']}): "
              f"{flights['total']} flights need UK data")]
    lines.append("  timeline (local time; an event that repeats word for word is shown once with its count):")
    lines += _timeline_lines(result["timeline"])

    def versus(key: str) -> str:
        return f" (reported: {reported[key]})" if key in reported else ""

    lines.append(f"  both channels down at {result['channels_down_at'] or 'never'}{versus('channels_down')}")
    lines.append(f"  stored flight data runs out at {result['buffer_exhausted_at'] or 'never'}{versus('buffer_exhausted')}")
    lines.append(f"  automatic processing restored at {result['restored_at'] or '-'}{versus('restored')}")
    for incident in result["incidents"]:
        lines.append(f"  incident {incident['number']}: {incident['started_at']} to {incident['restored_at'] or 'not restored'}, "
                     f"{incident['restarts']} restarts; second-line called {incident['second_line_called_at'] or '-'}, "
                     f"on site {incident['second_line_on_site_at'] or '-'}; supplier called {incident['supplier_called_at'] or '-'}")
    lines.append(f"  flights reaching UK airspace without automatic data: {flights['without_automatic_data']}, "
                 f"of which typed in by hand in time: {flights['manual']}")
    lines.append(f"  flights without data at their planned UK entry: {flights['without_data']}: {flights['delayed']} delayed "
                 f"(mean {flights['delay_mean_min']} min), {flights['at_risk']} at risk of cancellation")
    if "cancellations" in reported or "delays" in reported:
        lines.append(f"  reported on the day: {reported.get('cancellations', '-')} cancellations, about "
                     f"{reported.get('delays', '-')} delays; the model counts only the direct effect of missing "
                     f"flight data (see docs/simulation.md)")
    balanced = "each received message has one outcome" if counts["balanced"] else "OUTCOMES DO NOT ADD UP"
    lines.append(f"  messages: sent {counts['sent']}, received {counts['received']}, converted {counts['converted']}, "
                 f"quarantined {counts['quarantined']}, rejected {counts['rejected']}, duplicate {counts['duplicate']}, "
                 f"pending {counts['pending']} ({balanced})")
    lines.append(f"  lost: {counts['lost']} ({counts['lost_in_transit']} messages never journalled, "
                 f"{counts['lost_records']} converted records deleted and not restored)")
    lines.append(f"  backlog peak: {result['peak_backlog']} messages; flights typed in by hand: {result['manual_entries']}")
    if result["faults"]:
        lines.append("  faults:")
        for fault in result["faults"]:
            effect = ", ".join(f"{key} {value}" for key, value in fault["effect"].items())
            lines.append(f"    {fault['at']}  {fault['kind']:<24} {fault['label']}: recovery {format_duration(fault['recovery_time_s'])}"
                         + (f" ({effect})" if effect else ""))
    if result.get("plot"):
        lines.append(f"  plot: {result['plot']}")
    return "\n".join(lines)


_COLUMNS = (
    ("variant", 20), ("down at", 9), ("restored", 9), ("data out", 9), ("no auto", 8), ("no data", 8),
    ("delayed", 8), ("at risk", 8), ("converted", 10), ("quarant.", 9), ("rejected", 9), ("lost", 5),
)


def format_comparison(results: Sequence[Mapping[str, Any]]) -> str:
    """Render one row per run: times, flights without data and message outcomes."""
    header = " ".join(f"{name:<{width}}" for name, width in _COLUMNS)
    lines = [header, "-" * len(header)]
    for result in results:
        flights, counts = result["flights"], result["counts"]
        values = (
            result["variant"], result["channels_down_at"] or "-", result["restored_at"] or "-",
            result["buffer_exhausted_at"] or "-", flights["without_automatic_data"], flights["without_data"],
            flights["delayed"], flights["at_risk"], counts["converted"], counts["quarantined"], counts["rejected"],
            counts["lost"],
        )
        lines.append(" ".join(f"{value!s:<{width}}" for value, (_, width) in zip(values, _COLUMNS)))
    lines.append("down at: both channels down; restored: automatic processing back; data out: the first flight "
                 "without automatic data; no auto / no data: flights without automatic data / without any data "
                 "at their planned UK entry")
    return "\n".join(lines)
