"""The day's traffic: hourly profile, lead time, retiming of real messages, determinism."""

from collections import Counter
from datetime import timedelta

import pytest

from fpp.convert.hardened import HardenedConverter
from fpp.convert.legacy import LegacyConverter
from fpp.formats.adexp import emit_adexp, parse_adexp
from fpp.sim.demand import hourly_counts, retime_message, retime_text
from fpp.sim.params import DEFAULT_HOURLY_PROFILE, apply_overrides
from fpp.sim.pool import pool_chunk
from fpp.sim.runner import Workbench
from tests.sim.conftest import SMALL_DAY


@pytest.mark.parametrize(
    ("total", "profile"),
    [(7000, DEFAULT_HOURLY_PROFILE), (10, [1, 1, 2] + [0] * 21), (1, [1] * 24), (0, [1] * 24), (24, [1] * 24)],
)
def test_hourly_counts_add_up_and_follow_the_profile(total, profile):
    counts = hourly_counts(total, profile)
    assert sum(counts) == total
    weight = sum(profile)
    for count, share in zip(counts, profile):
        assert abs(count - total * share / weight) < 1.0


@pytest.fixture(scope="module")
def day(aug2023):
    params = apply_overrides(aug2023.setup.params, {"flights_per_day": SMALL_DAY})
    return params, aug2023.bench.day_traffic(params, 11)


def test_day_has_the_requested_flights_with_unique_callsigns(day):
    params, flights = day
    assert len(flights) == params.flights_per_day
    assert len({flight.flight_id for flight in flights}) == len(flights)
    assert [flight.arrival for flight in flights] == sorted(flight.arrival for flight in flights)


def test_messages_arrive_the_lead_time_before_entry(day):
    params, flights = day
    for flight in flights:
        lead_s = (flight.entry - flight.arrival).total_seconds()
        assert abs(lead_s - params.lead_time_h * 3600.0) <= 30.0


def test_entries_follow_the_hourly_profile(aug2023, day):
    params, flights = day
    start = aug2023.bench.day_start()
    hours = Counter(int((flight.entry - start).total_seconds() // 3600) for flight in flights)
    expected = hourly_counts(params.flights_per_day, params.hourly_profile)
    # An entry can move by up to 30 s into the next or previous hour when the plan is rounded
    # to whole minutes, so each hour may differ by the few flights near its edges.
    for hour in range(24):
        assert abs(hours.get(hour, 0) - expected[hour]) <= 3


def test_message_times_agree_with_the_flight(aug2023, day):
    _, flights = day
    hardened = HardenedConverter(aug2023.bench.nav, aug2023.bench.volume)
    for flight in flights[::50]:
        message = parse_adexp(flight.text)
        record = hardened.convert(message)
        entry = record.portions[0].entry.eto.replace(tzinfo=None)
        assert entry == flight.entry
        assert message.get("FILTIM") == (flight.arrival - timedelta(minutes=1)).strftime("%d%H%M")


def test_text_retiming_matches_the_parsed_oracle(aug2023):
    plans = aug2023.bench.day_traffic(apply_overrides(aug2023.setup.params, {"flights_per_day": 40}), 3)
    for number, plan in enumerate(plans):
        delta = timedelta(minutes=137 * number - 2000)
        filing = plan.arrival - timedelta(hours=5)
        by_text = retime_text(plan.text, delta, filing)
        by_structure = emit_adexp(retime_message(parse_adexp(plan.text), delta, filing))
        assert parse_adexp(by_text).without_offsets() == parse_adexp(by_structure).without_offsets()


def test_retiming_rejects_seconds():
    with pytest.raises(ValueError):
        retime_text("-EOBT 1000 -EOBD 230828", timedelta(seconds=30))


def test_same_seed_same_day_other_seed_other_day(aug2023):
    params = apply_overrides(aug2023.setup.params, {"flights_per_day": 200})
    first = aug2023.bench.day_traffic(params, 5)
    rebuilt = Workbench(aug2023.scenario).day_traffic(params, 5)
    other = aug2023.bench.day_traffic(params, 6)
    assert rebuilt == first
    assert [f.flight_id for f in other] != [f.flight_id for f in first]
    assert [f.entry for f in other] != [f.entry for f in first]


def test_pool_chunk_cached_equals_fresh(aug2023, tmp_path, monkeypatch):
    monkeypatch.setenv("FPP_CACHE_DIR", str(tmp_path))
    bench = aug2023.bench
    legacy = LegacyConverter(bench.uk_points, bench.volume)
    hardened = HardenedConverter(bench.nav, bench.volume)
    fresh = pool_chunk(bench.nav, bench.volume, legacy, hardened, 0, use_cache=True)
    assert len(list(tmp_path.glob("plan-pool-*.json"))) == 1
    cached = pool_chunk(bench.nav, bench.volume, legacy, hardened, 0, use_cache=True)
    assert cached == fresh
    assert len(fresh) == 500
    for plan in fresh[::100]:
        message = parse_adexp(plan.text)
        assert legacy.convert(message).callsign == plan.flight_id
        assert hardened.convert(message).portions[0].entry.eto.replace(tzinfo=None) == plan.entry
