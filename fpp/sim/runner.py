"""Run the chain simulation of a scenario: one run, a named variant, or a comparison of all.

:class:`Workbench` keeps what the runs of one scenario share: the navigation data, the airspace,
the converters and the day's traffic. Converters are wrapped so that each message is
converted once per converter; that changes nothing, because a converter is a function of its
message, and it keeps a comparison of many variants quick.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fpp.convert.hardened import HardenedConverter, HardenedLimits
from fpp.convert.legacy import LegacyConverter, uk_point_table
from fpp.errors import CriticalException, PlanError
from fpp.formats.adexp import AdexpMessage, parse_adexp
from fpp.navdata.store import NavData, PointKind
from fpp.scenario import Scenario
from fpp.sim.demand import DayFlight, entry_time, generate_day_traffic
from fpp.sim.faults import Fault, SentMessage, apply_feed_faults, parse_faults
from fpp.sim.input_filter import InputFilter
from fpp.sim.journal import Journal
from fpp.sim.metrics import summarize
from fpp.sim.model import ChainModel, SimFlight
from fpp.sim.nas import NasStore
from fpp.sim.params import SimParams, apply_overrides, params_from_section
from fpp.system.channel import Channel

__all__ = [
    "RunPlan",
    "SimSetup",
    "Workbench",
    "build_run_plan",
    "compare_variants",
    "load_setup",
    "make_model",
    "run_simulation",
    "variant_overrides",
]

logger = logging.getLogger(__name__)

_CHANNEL_DEFAULTS = ("processing_s", "detection_s", "takeover_s")
"""Parameters that default to the scenario's ``[channels]`` values, shared with the replay."""


@dataclass
class SimSetup:
    """The simulation part of a scenario file.

    Attributes
    ----------
    params
        The baseline parameters.
    fault_tables
        The ``[[simulation.faults]]`` tables, as written.
    variants
        Named what-ifs: parameter overrides, and optionally a ``faults`` list that replaces
        the baseline's.
    reported
        Public figures to print beside the results.
    seed
        The default seed.
    """

    params: SimParams
    fault_tables: list[dict[str, Any]]
    variants: dict[str, dict[str, Any]]
    reported: dict[str, Any]
    seed: int


def load_setup(scenario: Scenario) -> SimSetup:
    """Read the ``[simulation]`` section of a scenario.

    Raises
    ------
    KeyError
        When the scenario has no ``[simulation]`` section, or names an unknown parameter.
    ValueError
        For an invalid value.
    """
    section = scenario.section("simulation")
    if not section:
        raise KeyError(f"scenario {scenario.name} has no [simulation] section")
    channels = scenario.section("channels")
    defaults = {name: channels[name] for name in _CHANNEL_DEFAULTS if name in channels}
    params = params_from_section(section, defaults)
    seed = int(section.get("seed", scenario.section("traffic").get("seed", 0)))
    variants = {name: dict(table) for name, table in dict(section.get("variants", {})).items()}
    for table in variants.values():
        apply_overrides(params, {key: value for key, value in table.items() if key not in ("faults", "description")})
    return SimSetup(params, list(section.get("faults", [])), variants, dict(section.get("reported", {})), seed)


def variant_overrides(setup: SimSetup, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the parameter overrides and fault tables of a named variant.

    Raises
    ------
    KeyError
        When the scenario has no variant of that name.
    """
    if name == "baseline":
        return {}, setup.fault_tables
    if name not in setup.variants:
        raise KeyError(f"variant {name!r} not in the scenario; variants: {', '.join(['baseline', *setup.variants])}")
    table = setup.variants[name]
    overrides = {key: value for key, value in table.items() if key not in ("faults", "description")}
    return overrides, list(table.get("faults", setup.fault_tables))


MEMO_LIMIT = 40_000
"""Most messages a converter or the parser remembers; the memory is cleared when it is full."""


class _OnceConverter:
    """A converter that converts each distinct message once and repeats the outcome."""

    def __init__(self, converter: Any) -> None:
        self.converter = converter
        self.logic = converter.logic
        self._outcomes: dict[AdexpMessage, Any] = {}

    def convert(self, message: AdexpMessage):
        outcome = self._outcomes.get(message)
        if outcome is None:
            try:
                outcome = (True, self.converter.convert(message))
            except (CriticalException, PlanError) as error:
                outcome = (False, error)
            if len(self._outcomes) >= MEMO_LIMIT:
                self._outcomes.clear()
            self._outcomes[message] = outcome
        ok, value = outcome
        if ok:
            return value
        raise value


class Workbench:
    """Shared data of the runs of one scenario: navigation data, converters, traffic, parsed messages.

    Parameters
    ----------
    scenario
        The loaded scenario.
    navdata_dir
        Another navigation data folder instead of the default package data.
    use_cache
        Whether the day's traffic may be read from and written to the cache folder.
    """

    def __init__(self, scenario: Scenario, navdata_dir: str | None = None, use_cache: bool = True) -> None:
        self.scenario = scenario
        self.nav = scenario.navdata(navdata_dir)
        self.volume = scenario.airspace(self.nav)
        self.uk_points = uk_point_table(self.nav, self.volume)
        self.use_cache = use_cache
        self._converters: dict[tuple, Any] = {}
        self._navs: dict[tuple, tuple[NavData, dict[str, tuple[float, float]]]] = {}
        self._traffic: dict[tuple, list[DayFlight]] = {}
        self._plain_hardened = HardenedConverter(self.nav, self.volume)
        self._plain_legacy = LegacyConverter(self.uk_points, self.volume)
        self._parsed: dict[str, AdexpMessage] = {}

    def parse(self, text: str) -> AdexpMessage:
        """Parse an ADEXP message, remembering the result for the next run over the same text.

        Raises
        ------
        FormatError
            For an invalid message, as :func:`~fpp.formats.adexp.parse_adexp` does.
        """
        message = self._parsed.get(text)
        if message is None:
            message = parse_adexp(text)
            if len(self._parsed) >= MEMO_LIMIT:
                self._parsed.clear()
            self._parsed[text] = message
        return message

    # Converters ------------------------------------------------------------------------

    def _updated_nav(self, updates: tuple[tuple[str, float, float], ...]) -> tuple[NavData, dict[str, tuple[float, float]]]:
        if not updates:
            return self.nav, self.uk_points
        if updates not in self._navs:
            nav = NavData.from_arrays(self.nav.to_arrays())
            table = dict(self.uk_points)
            for designator, lat_deg, lon_deg in updates:
                nav.add_point(designator, lat_deg, lon_deg, PointKind.FIX, merge_nm=0.0)
                # uk_point_table keeps the first point of each designator, and the new point has
                # the highest index, so it only enters the table under a designator that is new.
                if self.volume.contains(lat_deg, lon_deg):
                    table.setdefault(designator, (lat_deg, lon_deg))
            self._navs[updates] = (nav, table)
        return self._navs[updates]

    def converter(self, logic: str, params: SimParams, updates: Sequence[tuple[str, float, float]] = ()) -> Any:
        """Return the converter of ``logic`` for the navigation data plus ``updates``."""
        key = (logic, tuple(updates), params.max_points if logic == "hardened" else None)
        if key not in self._converters:
            nav, table = self._updated_nav(tuple(updates))
            inner: HardenedConverter | LegacyConverter
            if logic == "hardened":
                inner = HardenedConverter(nav, self.volume, HardenedLimits(max_points=params.max_points))
            else:
                inner = LegacyConverter(table, self.volume)
            self._converters[key] = _OnceConverter(inner)
        return self._converters[key]

    def input_filter(self, updates: Sequence[tuple[str, float, float]] = ()) -> InputFilter:
        """Return the input filter for the navigation data plus ``updates``."""
        return InputFilter(self._updated_nav(tuple(updates))[1], self.volume)

    # Traffic ---------------------------------------------------------------------------

    def day_start(self) -> datetime:
        """Local midnight of the scenario's day, as UTC."""
        return self.scenario.local_to_utc("00:00")

    def day_traffic(self, params: SimParams, seed: int) -> list[DayFlight]:
        """Return the day's flights for the demand parameters and seed."""
        key = (params.flights_per_day, params.hourly_profile, params.lead_time_h, params.lead_time_jitter_min, seed)
        if key not in self._traffic:
            self._traffic[key] = generate_day_traffic(self.nav, self.volume, params, self.day_start(), seed,
                                                      self._plain_legacy, self._plain_hardened, self.use_cache)
        return self._traffic[key]

    def injected_message(self, fault: Fault) -> tuple[str, str, datetime | None]:
        """Return the id, text and UK entry time of a poison plan's message file."""
        path = self.scenario.path(str(fault.option("message")))
        text = path.read_text(encoding="utf-8")
        message = parse_adexp(text)
        flight_id = message.get("ARCID") or path.stem.upper()
        return flight_id, text, entry_time(message, self._plain_hardened, self.uk_points)


@dataclass
class RunPlan:
    """Everything a run needs, built from parameters, faults and a seed.

    Attributes
    ----------
    epoch
        UTC time of simulated time 0: an hour before the first message.
    schedule
        What the feed sends, with the feed faults applied.
    flights
        Every flight of the run by id, injected ones included.
    faults
        The fault schedule.
    feed_notes
        What each feed fault did to the schedule.
    """

    epoch: datetime
    schedule: list[SentMessage]
    flights: dict[str, SimFlight]
    faults: list[Fault]
    feed_notes: list[dict[str, Any]] = field(default_factory=list)


def build_run_plan(bench: Workbench, params: SimParams, faults: Sequence[Fault], seed: int) -> RunPlan:
    """Build the schedule and the flights of a run: the day's traffic plus injected messages.

    Raises
    ------
    ValueError
        When an injected message has the callsign of a flight of the day's traffic.
    """
    faults = list(faults)
    traffic = bench.day_traffic(params, seed)
    day_start = bench.day_start()
    earliest = min([flight.arrival for flight in traffic] + [fault.at for fault in faults] + [day_start])
    epoch = earliest - timedelta(hours=1)

    def seconds(moment: datetime) -> float:
        return (moment - epoch).total_seconds()

    flights = {flight.flight_id: SimFlight(flight.flight_id, seconds(flight.entry)) for flight in traffic}
    schedule = [SentMessage(seconds(flight.arrival), flight.flight_id, flight.text) for flight in traffic]
    for fault in faults:
        if fault.kind != "poison_plan":
            continue
        flight_id, text, entry = bench.injected_message(fault)
        if flight_id in flights:
            raise ValueError(f"poison plan {flight_id} has the callsign of a flight of the day's traffic")
        entry_s = seconds(entry) if entry is not None else seconds(fault.at) + params.lead_time_h * 3600.0
        flights[flight_id] = SimFlight(flight_id, entry_s, injected_by=fault.kind)
        schedule.append(SentMessage(seconds(fault.at), flight_id, text))
    schedule.sort(key=lambda message: message.send_s)
    rng = random.Random(f"{seed}:feed-faults")
    schedule, notes = apply_feed_faults(schedule, faults, epoch, rng)
    return RunPlan(epoch, schedule, flights, faults, notes)


def make_model(bench: Workbench, params: SimParams, plan: RunPlan, journal: Journal, nas: NasStore,
               start_s: float | None = None, schedule: Sequence[SentMessage] | None = None) -> ChainModel:
    """Build the SimPy model of a run.

    Parameters
    ----------
    journal, nas
        The journal and the NAS store. Passing those of a run that stopped resumes it: the
        pending journal entries are processed first.
    start_s
        Simulated time to start at; the start of the plan's epoch by default.
    schedule
        The messages still to send; the whole plan's schedule by default.
    """
    logics = {"primary": params.primary_logic, "backup": params.backup_logic}
    channels = {
        name: Channel(name, bench.converter(logic, params), stop_on_unexpected=(logic == "legacy"),
                      quarantine_critical=params.quarantine, parse=bench.parse)
        for name, logic in logics.items()
    }

    def rebuild(updates: list[tuple[str, float, float]]) -> tuple[dict[str, Any], InputFilter | None]:
        converters = {logic: bench.converter(logic, params, updates) for logic in set(logics.values())}
        return converters, bench.input_filter(updates) if params.input_filter else None

    scenario = bench.scenario
    flow_at = scenario.local_to_utc(params.flow_restrictions_local) if params.flow_restrictions_local else None
    return ChainModel(
        params, plan.schedule if schedule is None else schedule, plan.flights,
        [fault for fault in plan.faults if fault.kind != "poison_plan"],
        channels, logics, journal, nas, plan.epoch,
        start_s=0.0 if start_s is None else start_s,
        rebuild_converters=rebuild,
        input_filter=bench.input_filter() if params.input_filter else None,
        flow_restrictions_at=flow_at,
    )


def run_simulation(
    bench: Workbench,
    params: SimParams,
    faults: Sequence[Fault],
    seed: int,
    journal_path: str | Path = ":memory:",
    variant: str | None = None,
) -> dict[str, Any]:
    """Run the chain for one day and return the JSON-ready results.

    Parameters
    ----------
    bench
        The scenario's shared data.
    params
        The parameters of this run.
    faults
        The fault schedule of this run.
    seed
        Seed of the traffic and of every random choice of the faults.
    journal_path
        Where to keep the SQLite journal; in memory by default. A file must be new or empty:
        to resume a stopped run, build the model with :func:`make_model` instead.
    variant
        Name of the variant, for the report.

    Raises
    ------
    ValueError
        When the journal file already contains messages.
    """
    faults = list(faults)
    plan = build_run_plan(bench, params, faults, seed)
    scenario = bench.scenario
    journal = Journal(journal_path)
    if len(journal):
        count = len(journal)
        journal.close()
        raise ValueError(f"journal {journal_path} already contains {count} messages; a run starts from an empty "
                         f"journal, so remove the file or name another")
    try:
        model = make_model(bench, params, plan, journal, NasStore())
        day_start_s = (bench.day_start() - plan.epoch).total_seconds()
        until_s = day_start_s + (24.0 + params.end_after_day_h) * 3600.0
        logger.info("simulating %s%s with seed %d: %d messages", scenario.name, f" ({variant})" if variant else "",
                    seed, len(plan.schedule))
        model.run(until_s)
        result = summarize(model, until_s, day_start_s, scenario.utc_to_local, faults, plan.feed_notes)
    finally:
        journal.close()
    result.update({
        "scenario": scenario.name,
        "variant": variant or "baseline",
        "seed": seed,
        "parameters": params.to_dict(),
        "fault_schedule": [fault.to_dict() for fault in faults],
    })
    return result


def compare_variants(bench: Workbench, setup: SimSetup, seed: int, base_overrides: Mapping[str, Any] | None = None,
                     names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Run the baseline and each named variant; return one result per run, baseline first.

    ``base_overrides`` (from ``--set``) apply to every run, before each variant's own values.
    """
    results = []
    for name in names or ["baseline", *setup.variants]:
        overrides, tables = variant_overrides(setup, name)
        params = apply_overrides(apply_overrides(setup.params, base_overrides or {}), overrides)
        faults = parse_faults(tables, bench.scenario.local_to_utc)
        results.append(run_simulation(bench, params, faults, seed, variant=name))
    return results

