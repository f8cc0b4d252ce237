"""Replay of a scenario: the plan through legacy and hardened channels, and the day simulated.

For a scenario with a ``[plan]`` (``aug2023``), the replay delivers ordinary plans, then the
plan's message at its arrival time, then the plans that follow. They go to a primary and backup
channel pair running the legacy logic, and again to a pair running the hardened logic. The
replay returns the legacy trace on the plan, each pair's event log, final channel states and
counts per outcome, the hardened UK portion, and a map.

For a scenario with a ``[simulation]`` section, the replay also runs the whole chain for the
scenario's day as a discrete-event simulation (:mod:`fpp.sim`): the baseline, a named variant,
what-if overrides, or every variant side by side. Its results join the same mapping.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fpp.convert.hardened import HardenedConverter
from fpp.convert.legacy import LegacyConverter, LegacyTrace, uk_point_table
from fpp.errors import CriticalException, PlanError
from fpp.formats.adexp import parse_adexp
from fpp.formats.item15 import parse_item15
from fpp.geo import Polygon, interpolate
from fpp.plot import plot_route_map
from fpp.route.resolve import resolve_route
from fpp.scenario import Scenario
from fpp.system.channel import Channel, ChannelPair, ChannelTiming, Outcome
from fpp.traffic import generate_uk_traffic

__all__ = ["format_replay", "replay_seed", "run_replay"]


@dataclass
class _Message:
    message_id: str
    text: str
    arrival: datetime


def _ordinary(*converters):
    """Filter for background traffic: a plan that every converter turns into a record."""

    def accept(text: str) -> bool:
        message = parse_adexp(text)
        try:
            for converter in converters:
                converter.convert(message)
        except (CriticalException, PlanError):
            return False
        return True

    return accept


def _run_pair(converter, logic: str, messages: list[_Message], timing: ChannelTiming, scenario: Scenario,
              watch: str) -> dict[str, Any]:
    stop = logic == "legacy"
    pair = ChannelPair(Channel("primary", converter, stop), Channel("backup", converter, stop), timing)
    watched = None
    for message in messages:
        result = pair.deliver(message.message_id, message.text, message.arrival)
        if message.message_id == watch:
            watched = result
    local = scenario.utc_to_local
    events = [
        {"time": local(e.time).strftime("%H:%M:%S"), "source": e.source, "kind": e.kind, "detail": e.detail}
        for e in pair.log.events
    ]
    down = [e.time for e in pair.log.of_kind("maintenance")]
    counts = dict(sorted(pair.counts().items()))
    return {
        "pair": pair,
        "watched": watched,
        "channels": pair.states(),
        "counts": counts,
        "error_codes": dict(sorted(pair.error_codes().items())),
        "events": events,
        "channels_down_at": local(down[-1]).strftime("%H:%M:%S") if len(down) == 2 else None,
        "delivered": len(messages),
    }


def replay_seed(scenario: Scenario, seed: int | None = None) -> int:
    """Return the seed a replay of ``scenario`` uses: ``seed``, else the scenario's."""
    if seed is not None:
        return seed
    if "traffic" in scenario.data:
        return int(scenario.section("traffic").get("seed", 0))
    return int(scenario.section("simulation").get("seed", 0))


def run_replay(
    scenario: Scenario,
    out_dir: str | Path = "out",
    navdata_dir: str | None = None,
    seed: int | None = None,
    *,
    simulate: bool = True,
    variant: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    compare: bool = False,
    plot: bool = False,
    journal_path: str | Path | None = None,
) -> dict[str, Any]:
    """Run the replay and return its results as a JSON-ready mapping.

    Parameters
    ----------
    scenario
        The loaded scenario.
    out_dir
        Folder for the map and the plots.
    navdata_dir
        Another navigation data folder instead of the default package data.
    seed
        Seed of the background traffic and of the simulation; defaults to the scenario's.
    simulate
        Whether to run the day simulation of a scenario with a ``[simulation]`` section.
    variant
        A variant of the scenario to simulate instead of the baseline.
    overrides
        Parameter values that replace the scenario's (``--set NAME=VALUE``).
    compare
        Also simulate the baseline and every variant, and add a ``variants`` table.
    plot
        Write plots of the simulation to ``out_dir``.
    journal_path
        SQLite file for the journal of the simulated run; in memory when ``None``.

    Raises
    ------
    KeyError
        For a scenario with neither ``[plan]`` nor ``[simulation]``, an unknown variant or
        an unknown parameter.
    """
    seed = replay_seed(scenario, seed)
    result: dict[str, Any] = {"scenario": scenario.name, "seed": seed}
    if "plan" in scenario.data:
        result.update(_replay_plan(scenario, out_dir, navdata_dir, seed))
    elif "simulation" not in scenario.data:
        raise KeyError(f"scenario {scenario.name} has neither a [plan] nor a [simulation] section")
    if simulate and "simulation" in scenario.data:
        result.update(_simulate(scenario, out_dir, navdata_dir, seed, variant, overrides or {}, compare, plot, journal_path))
    return result


_WORKBENCHES: dict[tuple[str, str | None, str], Any] = {}
"""Workbenches of recent replays in this process, so that a second replay of a scenario reuses
its navigation data, parsed messages and conversions. At most :data:`_WORKBENCHES_KEPT`."""

_WORKBENCHES_KEPT = 2


def _workbench(scenario: Scenario, navdata_dir: str | None):
    from fpp.sim.runner import Workbench

    content = hashlib.sha256(json.dumps(scenario.data, sort_keys=True, default=str).encode()).hexdigest()
    key = (str(scenario.folder.resolve()), navdata_dir, content)
    if key not in _WORKBENCHES:
        while len(_WORKBENCHES) >= _WORKBENCHES_KEPT:
            _WORKBENCHES.pop(next(iter(_WORKBENCHES)))
        _WORKBENCHES[key] = Workbench(scenario, navdata_dir)
    return _WORKBENCHES[key]


def _simulation_summary(run: Mapping[str, Any]) -> dict[str, Any]:
    """Return the keys of one simulated run that a comparison table needs."""
    keys = ("variant", "description", "channels_down_at", "buffer_exhausted_at", "restored_at", "flights", "counts",
            "incidents", "faults")
    return {key: run.get(key) for key in keys}


def _simulate(scenario: Scenario, out_dir: str | Path, navdata_dir: str | None, seed: int, variant: str | None,
              overrides: Mapping[str, Any], compare: bool, plot: bool, journal_path: str | Path | None) -> dict[str, Any]:
    from fpp.sim.faults import parse_faults
    from fpp.sim.params import apply_overrides
    from fpp.sim.plot import plot_comparison, plot_simulation
    from fpp.sim.runner import compare_variants, load_setup, run_simulation, variant_overrides

    setup = load_setup(scenario)
    bench = _workbench(scenario, navdata_dir)
    name = variant or "baseline"
    variant_values, tables = variant_overrides(setup, name)
    params = apply_overrides(apply_overrides(setup.params, variant_values), overrides)
    faults = parse_faults(tables, scenario.local_to_utc)
    run = run_simulation(bench, params, faults, seed, journal_path or ":memory:", variant=name)
    run["reported"] = setup.reported
    run["description"] = setup.variants.get(name, {}).get("description", "as scenario file")
    run["overrides"] = dict(overrides)

    added: dict[str, Any] = {
        "timeline": [{"time": item["time"], "event": item["event"], "source": item["source"], "detail": item["detail"]}
                     for item in run["timeline"]],
        "channels_down_at": run["channels_down_at"],
        "buffer_exhausted_at": run["buffer_exhausted_at"],
        "restored_at": run["restored_at"],
        "flights_without_data": run["flights"]["without_data"],
        "flights_without_automatic_data": run["flights"]["without_automatic_data"],
        "lost": run["counts"]["lost"],
        "simulation": run,
    }
    title = f"{scenario.name} ({name}, seed {seed})"
    if plot:
        suffix = "" if name == "baseline" else f"-{name}"
        run["plot"] = str(plot_simulation(Path(out_dir) / f"{scenario.name}{suffix}-simulation.png", run, title))
    if compare:
        runs = compare_variants(bench, setup, seed, overrides)
        for other in runs:
            other["description"] = setup.variants.get(other["variant"], {}).get("description", "as scenario file")
        added["variants"] = [_simulation_summary(other) for other in runs]
        if plot:
            added["comparison_plot"] = str(plot_comparison(Path(out_dir) / f"{scenario.name}-compare.png", runs,
                                                           f"{scenario.name}: variants (seed {seed})"))
    return added


def _replay_plan(scenario: Scenario, out_dir: str | Path, navdata_dir: str | None, seed: int) -> dict[str, Any]:
    """Replay the scenario's plan through a legacy and a hardened channel pair."""
    nav = scenario.navdata(navdata_dir)
    volume = scenario.airspace(nav)
    plan = scenario.section("plan")
    channels = scenario.section("channels")
    traffic = scenario.section("traffic")
    timing = ChannelTiming(float(channels.get("processing_s", 0.5)), float(channels.get("detection_s", 5.0)),
                           float(channels.get("takeover_s", 8.0)))

    adexp_text = scenario.path(plan["adexp"]).read_text(encoding="utf-8")
    message = parse_adexp(adexp_text)
    callsign = message.get("ARCID") or "PLAN"
    arrival = scenario.local_to_utc(plan["arrival_local"])

    legacy = LegacyConverter(uk_point_table(nav, volume), volume)
    hardened = HardenedConverter(nav, volume)

    rate = float(traffic.get("rate_per_hour", 400))
    before, after = int(traffic.get("plans_before", 0)), int(traffic.get("plans_after", 0))
    spacing = timedelta(hours=1.0 / rate)
    generated = generate_uk_traffic(nav, volume, before + after, seed, arrival - spacing * before, rate,
                                    accept=_ordinary(legacy, hardened))
    messages = [_Message(p.message_id, p.adexp_text, p.arrival) for p in generated[:before]]
    messages.append(_Message(callsign, adexp_text, arrival))
    messages += [_Message(p.message_id, p.adexp_text, p.arrival + spacing) for p in generated[before:]]

    trace = LegacyTrace()
    legacy_error = None
    legacy_cause = None
    try:
        legacy.convert(message, trace)
    except CriticalException as error:
        legacy_error = str(error)
        legacy_cause = error.cause

    legacy_run = _run_pair(legacy, "legacy", messages, timing, scenario, callsign)
    hardened_run = _run_pair(hardened, "hardened", messages, timing, scenario, callsign)
    record = hardened_run["watched"].record if hardened_run["watched"] is not None else None

    down_seconds = None
    maintenance = legacy_run["pair"].log.of_kind("maintenance")
    if len(maintenance) == 2:
        down_seconds = (maintenance[-1].time - arrival).total_seconds()

    places = hardened._place_rtepts(message.rtepts(), message.geo_points())
    route = [(p.ident or "", la, lo) for p, (la, lo) in zip(message.rtepts(), places)]
    duplicates = {"DVL": [(*nav.position(int(i)), nav.point_label(int(i)) or "") for i in nav.candidates("DVL")]}
    portions = []
    if record is not None:
        portions = [((p.entry.lat_deg, p.entry.lon_deg, p.entry.name), (p.exit.lat_deg, p.exit.lon_deg, p.exit.name))
                    for p in record.portions]
    item15 = parse_item15(message.route or "")
    expanded = resolve_route(item15, nav, message.get("ADEP"), message.get("ADES"), hardened.airway_index)
    filed = {p.name for p in expanded.points if p.element_index is not None}
    wrong = None
    if legacy_cause is not None:
        named = [p for p in expanded.points if p.element_index is not None and p.name == legacy_cause.token]
        if named:
            wrong = (named[0].lat_deg, named[0].lon_deg, f"{legacy_cause.token} in Item 15")
    map_path = plot_route_map(
        Path(out_dir) / f"{scenario.name}-map.png",
        f"{callsign} {message.get('ADEP')}-{message.get('ADES')}: expanded route and every DVL",
        route, volume, duplicates, portions, wrong, labelled=filed | {p[0][2] for p in portions} | {p[1][2] for p in portions},
    )

    gaps = []
    if record is not None:
        for number, (before_gap, after_gap) in enumerate(zip(record.portions[:-1], record.portions[1:]), start=1):
            middle = interpolate(before_gap.exit.lat_deg, before_gap.exit.lon_deg, after_gap.entry.lat_deg, after_gap.entry.lon_deg, 0.5)
            inside = sorted(ident for ident, airspace in nav.airspaces.items()
                            if any(Polygon(lat, lon).contains(*middle) for lat, lon in airspace.rings))
            gaps.append({"after_portion": number, "airspaces": inside})

    local = scenario.utc_to_local
    return {
        "message": {"callsign": callsign, "arrival": local(arrival).strftime("%H:%M:%S"),
                    "route": message.route, "rtepts": len(route)},
        "traffic": {"plans_before": before, "plans_after": after, "rate_per_hour": rate},
        "legacy": {
            "channels": legacy_run["channels"],
            "error": legacy_error,
            "trace": trace.steps,
            "counts": legacy_run["counts"],
            "error_codes": legacy_run["error_codes"],
            "events": [e for e in legacy_run["events"] if e["kind"] not in ("rejected",)],
            "channels_down_at": legacy_run["channels_down_at"],
            "seconds_to_both_down": down_seconds,
            "delivered": legacy_run["delivered"],
        },
        "hardened": {
            "channels": hardened_run["channels"],
            "portions": [p.to_dict() for p in record.portions] if record else [],
            "record": record.to_text() if record else None,
            "counts": hardened_run["counts"],
            "error_codes": hardened_run["error_codes"],
            "outcome": hardened_run["watched"].outcome.value if hardened_run["watched"] else None,
            "gaps": gaps,
            "delivered": hardened_run["delivered"],
        },
        "map": str(map_path),
    }


def _clock(iso: str | None) -> str:
    return f"{iso[11:19]}Z" if iso else "--:--:--"


def format_replay(result: dict[str, Any]) -> str:
    """Render a replay result as the text the CLI prints."""
    from fpp.sim.report import format_comparison, format_simulation

    parts = []
    if "message" in result:
        parts.append(_format_plan(result))
    else:
        parts.append(f"Scenario {result['scenario']} (seed {result['seed']})")
    if "simulation" in result:
        parts.append(format_simulation(result["simulation"]))
    if "variants" in result:
        parts.append("VARIANTS (fpp replay --compare)\n" + format_comparison(result["variants"]))
        if result.get("comparison_plot"):
            parts.append(f"comparison plot: {result['comparison_plot']}")
    return "\n\n".join(parts)


def _format_plan(result: dict[str, Any]) -> str:
    """Render the legacy and hardened replay of the scenario's plan."""
    lines = []
    msg = result["message"]
    lines.append(f"Scenario {result['scenario']} (seed {result['seed']}): {msg['callsign']} arrives {msg['arrival']} local")
    lines.append(f"  ROUTE {msg['route']}")
    lines.append(f"  RTEPTS: {msg['rtepts']} points")
    traffic = result["traffic"]
    lines.append(f"  background: {traffic['plans_before']} ordinary plans before it and {traffic['plans_after']} after, "
                 f"{traffic['rate_per_hour']:.0f} per hour")

    legacy = result["legacy"]
    lines.append("")
    lines.append("LEGACY (the 2023 logic)")
    for step in legacy["trace"]:
        lines.append(f"  - {step}")
    lines.append("  channel events:")
    normal = legacy["counts"].get(Outcome.CONVERTED.value, 0)
    lines.append(f"    ... {normal} ordinary plans converted before and around the failure")
    for event in legacy["events"]:
        lines.append(f"    {event['time']}  {event['source']:<22} {event['kind']:<18} {event['detail']}")
    lines.append(f"  final channel states: {', '.join(f'{k} {v}' for k, v in legacy['channels'].items())}")
    if legacy["seconds_to_both_down"] is not None:
        lines.append(f"  both channels down {legacy['seconds_to_both_down']:.1f} s after the message arrived ({legacy['channels_down_at']})")
    lines.append(f"  messages: {', '.join(f'{k} {v}' for k, v in legacy['counts'].items())} (of {legacy['delivered']} delivered)")

    hardened = result["hardened"]
    lines.append("")
    lines.append("HARDENED")
    lines.append(f"  {msg['callsign']}: {hardened['outcome']}")
    for number, portion in enumerate(hardened["portions"], start=1):
        entry, exit_ = portion["entry"], portion["exit"]
        lines.append(f"  portion {number}: entry {entry['name']} {_clock(entry['eto'])} {entry['level']}, "
                     f"exit {exit_['name']} {_clock(exit_['eto'])} {exit_['level']}")
        lines.append(f"    route: {portion['route']}")
        for gap in hardened["gaps"]:
            if gap["after_portion"] == number:
                lines.append(f"  between portions {number} and {number + 1} the route lies in {', '.join(gap['airspaces']) or 'no listed airspace'}")
    if hardened["record"]:
        lines.append("  NAS record:")
        lines += [f"    {line}" for line in hardened["record"].splitlines()]
    lines.append(f"  final channel states: {', '.join(f'{k} {v}' for k, v in hardened['channels'].items())}")
    lines.append(f"  messages: {', '.join(f'{k} {v}' for k, v in hardened['counts'].items())} (of {hardened['delivered']} delivered)")

    lines.append("")
    lines.append(f"map: {result['map']}")
    return "\n".join(lines)
