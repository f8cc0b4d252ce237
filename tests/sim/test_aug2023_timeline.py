"""The August 2023 scenario reproduces the public timeline from its parameters.

Public times (UK local): both channels were in maintenance less than 20 s after the message
arrived at 08:32. The second-line engineer was called 30 to 34 min in (about 09:02 to 09:06)
and was on site about 11:47. The 4 h of stored flight data ran out about 12:32, the supplier
was called after 12:32, and automatic processing was restored about 14:30. Flow restrictions
were announced at 12:10.
The tolerances below are the "about" of the public accounts: 10 min for the data running out
and the arrival, 15 min for the restoration.

These tests run a day of 500 flights: the times depend on the actors and the channels, not on
the number of flights.
"""

import itertools
from datetime import datetime

import pytest

TOLERANCE_ARRIVAL_MIN = 10
TOLERANCE_BUFFER_MIN = 10
TOLERANCE_RESTORED_MIN = 15


def clock(text: str) -> datetime:
    return datetime.strptime(text[:8], "%H:%M:%S")


def minutes_between(a: str, b: str) -> float:
    return (clock(b) - clock(a)).total_seconds() / 60.0


@pytest.fixture(scope="module")
def baseline(aug2023):
    return aug2023.run()


def events(result, kind, source=None):
    return [item for item in result["timeline"] if item["event"] == kind and (source is None or item["source"] == source)]


def test_both_channels_down_within_20_s(baseline):
    received = events(baseline, "message received")
    assert [item["detail"] for item in received] == ["FBU731"]
    assert received[0]["time"] == "08:32:00"
    down_s = (clock(baseline["channels_down_at"]) - clock("08:32:00")).total_seconds()
    assert 0 < down_s <= 20
    first_two = [item["source"] for item in events(baseline, "maintenance")[:2]]
    assert first_two == ["primary", "backup"]
    takeover = events(baseline, "takeover")[0]
    assert "FBU731 delivered again" in takeover["detail"]


def test_restarts_fail_with_plan_at_head(baseline):
    on_site = events(baseline, "on site", "second-line engineer")[0]["time"]
    failed = [item for item in events(baseline, "restart failed", "first-line engineer") if item["time"] < on_site]
    assert len(failed) >= 2
    critical = events(baseline, "critical exception")
    assert len(critical) >= 2 * (len(failed) + 1)
    assert all(item["detail"].startswith("FBU731:") for item in critical)


def test_second_line_called_then_travels(baseline):
    called = events(baseline, "called", "second-line engineer")[0]["time"]
    assert "09:02:00" <= called <= "09:06:00"
    assert events(baseline, "remote login failed", "second-line engineer")
    on_site = events(baseline, "on site", "second-line engineer")[0]["time"]
    assert abs(minutes_between("11:47:00", on_site)) <= TOLERANCE_ARRIVAL_MIN
    incident = baseline["incidents"][0]
    assert incident["second_line_on_site_at"] == on_site


def test_stored_data_runs_out_about_12_32(baseline):
    assert abs(minutes_between("12:32:00", baseline["buffer_exhausted_at"])) <= TOLERANCE_BUFFER_MIN
    flow = events(baseline, "flow restrictions")
    assert [item["time"] for item in flow] == ["12:10:00"]


def test_supplier_called_after_the_data_runs_out(baseline):
    supplier = events(baseline, "called", "supplier")[0]["time"]
    assert supplier > "12:32:00"
    assert supplier > baseline["buffer_exhausted_at"]
    found = events(baseline, "cause found", "supplier")[0]
    assert "FBU731" in found["detail"]
    assert found["time"] > supplier


def test_restored_about_14_30_after_removing_the_plan(baseline):
    assert abs(minutes_between("14:30:00", baseline["restored_at"])) <= TOLERANCE_RESTORED_MIN
    removed = events(baseline, "message removed")
    assert [item["detail"].split()[0] for item in removed] == ["FBU731"]
    assert removed[0]["time"] < baseline["restored_at"]
    assert baseline["incidents"][0]["removed_messages"] == ["FBU731"]
    assert len(baseline["incidents"]) == 1


def test_channels_change_state_through_restarting(baseline):
    states = [(item["channel"], item["state"]) for item in baseline["channel_states"]]
    for channel in ("primary", "backup"):
        sequence = [state for name, state in states if name == channel]
        assert "RESTARTING" in sequence
        for before, after in itertools.pairwise(sequence):
            assert (before, after) in {("RUNNING", "MAINTENANCE"), ("MAINTENANCE", "RESTARTING"),
                                       ("RESTARTING", "RUNNING"), ("RESTARTING", "MAINTENANCE")}
        assert sequence[-1] == "RUNNING"


def test_backlog_grows_during_the_outage_and_clears(baseline):
    series = baseline["series"]
    during = [level for time, level in zip(series["time"], series["backlog"]) if "12:00:00" <= time <= "14:20:00"]
    after = [level for time, level in zip(series["time"], series["backlog"]) if "16:00:00" <= time <= "20:00:00"]
    assert min(during) > 0
    assert during == sorted(during)
    assert max(after) <= 1
    assert baseline["peak_backlog"] >= max(during)


def test_plan_counts_are_conserved(baseline):
    counts = baseline["counts"]
    assert counts["balanced"]
    assert counts["lost"] == 0
    assert counts["pending"] == 0
    assert counts["quarantined"] == 1
    assert counts["converted"] + counts["quarantined"] == counts["received"] == counts["sent"]


@pytest.mark.parametrize(
    ("variant", "outage"),
    [
        ("engineer_on_site", True),
        ("early_supplier_call", True),
        ("diverse_backup", False),
        ("input_filter", False),
        ("quarantine", False),
        ("hardened", False),
    ],
)
def test_what_if_keeps_stored_data(aug2023, baseline, variant, outage):
    result = aug2023.run(variant)
    assert result["buffer_exhausted_at"] is None
    assert result["flights"]["without_data"] == 0
    assert result["counts"]["lost"] == 0
    assert result["counts"]["balanced"]
    if outage:
        assert result["channels_down_at"] == baseline["channels_down_at"]
        assert result["restored_at"] < baseline["restored_at"]
        assert result["restored_at"] < "12:32:00"
    else:
        assert result["channels_down_at"] is None
        assert result["incidents"] == []


def test_more_manual_input_types_in_more_flights(aug2023):
    slow = aug2023.run(flights_per_day=2000, manual_rate_per_hour=30)
    fast = aug2023.run(flights_per_day=2000, manual_rate_per_hour=120)
    assert slow["restored_at"] == fast["restored_at"]
    assert fast["flights"]["manual"] > slow["flights"]["manual"]
    assert fast["flights"]["without_data"] < slow["flights"]["without_data"]
    assert slow["flights"]["without_automatic_data"] == fast["flights"]["without_automatic_data"]
