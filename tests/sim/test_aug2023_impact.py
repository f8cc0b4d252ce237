"""The impact of 28 August 2023 at full scale: a day of 7,000 flights, as the scenario states.

The model counts the flights that reached UK airspace without automatic flight data, those
typed in by hand in time, and those left without data (delayed, or at risk of cancellation).
It does not model the knock-on effects that the public figures include (aircraft and crews
out of position, airlines cancelling ahead), so its count of affected flights must stay below
the reported 1,585 cancellations and about 575 delays.
"""

from datetime import timedelta

import pytest

from fpp.sim.report import format_simulation

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full_day(aug2023):
    return aug2023.run(flights_per_day=aug2023.setup.params.flights_per_day)


def local_seconds(text: str) -> float:
    hours, minutes, seconds = (float(part) for part in text[:8].split(":"))
    return hours * 3600.0 + minutes * 60.0 + seconds


def entries_between(aug2023, start: str, end: str) -> int:
    params = aug2023.setup.params
    day_start = aug2023.bench.day_start()
    lower = day_start + timedelta(seconds=local_seconds(start))
    upper = day_start + timedelta(seconds=local_seconds(end))
    return sum(1 for flight in aug2023.bench.day_traffic(params, aug2023.setup.seed) if lower <= flight.entry < upper)


def test_missing_data_matches_outage_window(aug2023, full_day):
    flights = full_day["flights"]
    params = aug2023.setup.params
    assert flights["total"] == params.flights_per_day + 1
    in_outage = entries_between(aug2023, full_day["buffer_exhausted_at"], full_day["restored_at"])
    drain_s = full_day["peak_backlog"] * params.processing_s + params.restart_check_s
    drain_end = timedelta(seconds=local_seconds(full_day["restored_at"]) + drain_s)
    in_drain = entries_between(aug2023, full_day["restored_at"], str(drain_end))
    assert in_outage > 500
    assert in_outage <= flights["without_automatic_data"] <= in_outage + in_drain + 1


def test_manual_input_is_limited_by_its_rate(aug2023, full_day):
    flights = full_day["flights"]
    params = aug2023.setup.params
    hours = (local_seconds(full_day["restored_at"]) - local_seconds(full_day["buffer_exhausted_at"])) / 3600.0
    hours += params.manual_lookahead_min / 60.0
    assert 0 < flights["manual"] <= params.manual_rate_per_hour * hours + 1
    assert flights["without_automatic_data"] == flights["manual"] + flights["without_data"]
    assert flights["without_data"] == flights["delayed"] + flights["at_risk"]
    assert flights["delayed"] > 0
    assert flights["at_risk"] > 0
    assert 0 < flights["delay_mean_min"] <= params.cancel_after_delay_min


def test_direct_effect_stays_below_the_reported_impact(aug2023, full_day):
    reported = aug2023.setup.reported
    assert (reported["cancellations"], reported["delays"]) == (1585, 575)
    assert full_day["flights"]["without_data"] < reported["cancellations"] + reported["delays"]


def test_report_prints_the_public_figures(aug2023, full_day):
    result = dict(full_day, reported=aug2023.setup.reported)
    text = format_simulation(result)
    assert "reported on the day: 1585 cancellations, about 575 delays" in text
    assert f"flights without data at their planned UK entry: {full_day['flights']['without_data']}" in text
    assert full_day["counts"]["lost"] == 0
    assert full_day["counts"]["balanced"]
