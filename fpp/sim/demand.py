"""A day of UK traffic for the IFPS feed: real ADEXP messages timed by a daily profile.

Each flight's UK entry time is drawn from the scenario's hourly profile, and its IFPL reaches
the converter ``lead_time_h`` before that time (plus an optional uniform spread). The plans
come from the cached pool of :mod:`fpp.sim.pool`: the seed draws which plans fly and when.
Each chosen plan is moved in time: its ``EOBT``, ``EOBD`` and every ``ETO`` shift by whole
minutes so that the UK entry of the hardened record falls on the drawn time, within 30 s
because ``EOBT`` has whole minutes.

:func:`retime_text` moves the times in the text of a message that fpp emitted, which is
quick. :func:`retime_message` does the same on a parsed message and serves as its oracle in
the tests.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from fpp.convert.airspace import AirspaceVolume
from fpp.convert.hardened import HardenedConverter
from fpp.convert.legacy import LegacyConverter
from fpp.errors import PlanError
from fpp.formats.adexp import AdexpField, AdexpMessage, format_eto, parse_eto
from fpp.navdata.store import NavData
from fpp.sim.params import SimParams
from fpp.sim.pool import CHUNK_SIZE, plan_pool

__all__ = [
    "DayFlight",
    "entry_time",
    "generate_day_traffic",
    "hourly_counts",
    "retime_message",
    "retime_text",
]

_ETO = re.compile(r"(-ETO\s+)(\d{12})\b")
_EOBT = re.compile(r"(-EOBT\s+)(\d{4})\b")
_EOBD = re.compile(r"(-EOBD\s+)(\d{6})\b")
_FILTIM = re.compile(r"(-FILTIM\s+)(\d{6})\b")


@dataclass(frozen=True)
class DayFlight:
    """One flight of the day and the message that carries its plan.

    Attributes
    ----------
    flight_id
        The callsign, which is also the message id in the journal.
    text
        The ADEXP IFPL.
    entry
        UK entry time (UTC, naive): where the hardened record's first portion starts.
    arrival
        When the IFPS feed delivers the message (UTC, naive).
    """

    flight_id: str
    text: str
    entry: datetime
    arrival: datetime


def hourly_counts(flights_per_day: int, profile: Sequence[float]) -> list[int]:
    """Split ``flights_per_day`` over the hours in proportion to ``profile`` (largest remainder).

    >>> hourly_counts(10, [1, 1, 2] + [0] * 21)[:3]
    [2, 3, 5]
    """
    total = float(sum(profile))
    shares = [flights_per_day * weight / total for weight in profile]
    counts = [math.floor(share) for share in shares]
    short = flights_per_day - sum(counts)
    by_remainder = sorted(range(len(shares)), key=lambda hour: (counts[hour] - shares[hour], hour))
    for hour in by_remainder[:short]:
        counts[hour] += 1
    return counts


def _naive_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo is not None else moment


def entry_time(message: AdexpMessage, hardened: HardenedConverter, uk_points: dict[str, tuple[float, float]]) -> datetime | None:
    """Return when a flight enters the airspace (UTC, naive), or ``None`` if it never does.

    The entry of the hardened record comes first. A plan the hardened logic cannot convert
    falls back to the ETO of its first RTEPTS point in the UK point table, then to its first
    ETO.
    """
    try:
        record = hardened.convert(message)
    except PlanError:
        record = None
    if record is not None and record.portions and record.portions[0].entry.eto is not None:
        return _naive_utc(record.portions[0].entry.eto)
    points = message.rtepts()
    for point in points:
        if point.ident in uk_points and point.eto is not None:
            return _naive_utc(point.eto)
    for point in points:
        if point.eto is not None:
            return _naive_utc(point.eto)
    return None


def _shift_value(keyword: str, value: str | None, delta: timedelta) -> str | None:
    if value is None or keyword != "ETO":
        return value
    return format_eto(parse_eto(value) + delta)


def _shift_field(item: AdexpField, delta: timedelta) -> AdexpField:
    if item.children:
        return replace(item, children=tuple(_shift_field(child, delta) for child in item.children))
    return replace(item, value=_shift_value(item.keyword, item.value, delta))


def retime_message(message: AdexpMessage, delta: timedelta, filing: datetime | None = None) -> AdexpMessage:
    """Return ``message`` with ``EOBT``, ``EOBD`` and every ``ETO`` moved by ``delta``.

    ``FILTIM`` is set to ``filing`` when given. ``delta`` must be whole minutes, because
    ``EOBT`` has no seconds.

    Raises
    ------
    ValueError
        When ``delta`` is not whole minutes.
    """
    if delta.total_seconds() % 60:
        raise ValueError(f"a plan can only move by whole minutes, not {delta}")
    eobt_text, eobd_text = message.get("EOBT"), message.get("EOBD")
    off_blocks = None
    if eobt_text and eobd_text:
        off_blocks = datetime.strptime(eobd_text + eobt_text, "%y%m%d%H%M") + delta
    fields = []
    for item in message.fields:
        if item.keyword == "EOBT" and off_blocks is not None:
            item = replace(item, value=off_blocks.strftime("%H%M"))
        elif item.keyword == "EOBD" and off_blocks is not None:
            item = replace(item, value=off_blocks.strftime("%y%m%d"))
        elif item.keyword == "FILTIM" and filing is not None:
            item = replace(item, value=filing.strftime("%d%H%M"))
        else:
            item = _shift_field(item, delta)
        fields.append(item)
    return AdexpMessage(tuple(fields), message.envelope)


def retime_text(text: str, delta: timedelta, filing: datetime | None = None) -> str:
    """Return the ADEXP ``text`` with ``EOBT``, ``EOBD`` and every 12-digit ``ETO`` moved by ``delta``.

    ``FILTIM`` is set to ``filing`` when given. This works on the text as fpp emits it (one
    ``EOBT`` and one ``EOBD``, ETOs of 12 digits); :func:`retime_message` handles any
    message.

    Raises
    ------
    ValueError
        When ``delta`` is not whole minutes, or the text has ``EOBT`` without ``EOBD``.
    """
    if delta.total_seconds() % 60:
        raise ValueError(f"a plan can only move by whole minutes, not {delta}")
    eobt, eobd = _EOBT.search(text), _EOBD.search(text)
    if (eobt is None) != (eobd is None):
        raise ValueError("the message has EOBT without EOBD or EOBD without EOBT")
    if eobt is not None and eobd is not None:
        off_blocks = datetime.strptime(eobd.group(2) + eobt.group(2), "%y%m%d%H%M") + delta
        text = _EOBT.sub(lambda found: found.group(1) + off_blocks.strftime("%H%M"), text, count=1)
        text = _EOBD.sub(lambda found: found.group(1) + off_blocks.strftime("%y%m%d"), text, count=1)
    text = _ETO.sub(lambda found: found.group(1) + format_eto(parse_eto(found.group(2)) + delta), text)
    if filing is not None:
        text = _FILTIM.sub(lambda found: found.group(1) + filing.strftime("%d%H%M"), text, count=1)
    return text


def _entry_targets(params: SimParams, day_start: datetime, rng: random.Random) -> list[datetime]:
    targets = []
    for hour, count in enumerate(hourly_counts(params.flights_per_day, params.hourly_profile)):
        for _ in range(count):
            targets.append(day_start + timedelta(hours=hour, seconds=rng.uniform(0.0, 3600.0)))
    targets.sort()
    return targets


def generate_day_traffic(
    nav: NavData,
    volume: AirspaceVolume,
    params: SimParams,
    day_start: datetime,
    seed: int,
    legacy: LegacyConverter,
    hardened: HardenedConverter,
    use_cache: bool = True,
) -> list[DayFlight]:
    """Return the day's flights in order of message arrival.

    Parameters
    ----------
    day_start
        Local midnight of the scenario's day, as UTC (naive). Entries fall in the 24 hours
        that follow.
    seed
        Seed of the entry times, the lead-time spread and the choice of plans.
    legacy, hardened
        The converters that every plan of the pool must pass.
    use_cache
        Read and write the cached chunks of the plan pool.
    """
    rng = random.Random(f"{seed}:day-traffic")
    targets = _entry_targets(params, day_start, rng)
    # One chunk more than needed, so that the seed also varies which plans fly.
    pool = plan_pool(nav, volume, legacy, hardened, len(targets) + CHUNK_SIZE, use_cache)
    chosen = rng.sample(range(len(pool)), len(targets))
    jitter_s = params.lead_time_jitter_min * 60.0
    flights = []
    for target, k in zip(targets, chosen):
        plan = pool[k]
        delta = timedelta(minutes=round((target - plan.entry).total_seconds() / 60.0))
        # The arrival follows the drawn target, not the entry rounded to whole minutes, so that
        # messages do not bunch at the start of each minute.
        arrival = target - timedelta(hours=params.lead_time_h, seconds=rng.uniform(-jitter_s, jitter_s))
        text = retime_text(plan.text, delta, filing=arrival - timedelta(minutes=1))
        flights.append(DayFlight(plan.flight_id, text, plan.entry + delta, arrival))
    flights.sort(key=lambda flight: (flight.arrival, flight.flight_id))
    return flights
