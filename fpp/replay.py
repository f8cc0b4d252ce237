"""Replay of the 28 August 2023 failure: the same traffic through legacy and hardened channels.

The replay delivers ordinary plans, then the FBU731 message at its arrival time, then the plans
that follow, to a primary and backup channel pair running the legacy logic, and again to a pair
running the hardened logic. It returns the legacy trace on FBU731, each pair's event log, final
channel states and counts per outcome, the hardened UK portion, and a map.
"""

from __future__ import annotations

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

__all__ = ["format_replay", "run_replay"]


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


def run_replay(
    scenario: Scenario,
    out_dir: str | Path = "out",
    navdata_dir: str | None = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Run the replay and return its results as a JSON-ready mapping (plus two private keys).

    Parameters
    ----------
    scenario
        The loaded scenario (``aug2023``).
    out_dir
        Folder for the map.
    navdata_dir
        Another navigation data folder instead of the default package data.
    seed
        Seed of the background traffic; defaults to the scenario's.
    """
    nav = scenario.navdata(navdata_dir)
    volume = scenario.airspace(nav)
    plan = scenario.section("plan")
    channels = scenario.section("channels")
    traffic = scenario.section("traffic")
    seed = int(traffic.get("seed", 0)) if seed is None else seed
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
        "scenario": scenario.name,
        "seed": seed,
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
