"""The other historical failures as scenarios: FAA ERAM 2014, NATS 2014, Eurocontrol ETFMS 2018.

Each runs a day of 500 flights on the default navigation data: the properties checked (which
channels stop, what the bounds contain, what is lost) do not depend on volume.
"""

from datetime import datetime

import pytest

from fpp.sim.cost import plan_cost
from fpp.sim.params import apply_overrides


def minutes_between(a: str, b: str) -> float:
    return (datetime.strptime(b[:8], "%H:%M:%S") - datetime.strptime(a[:8], "%H:%M:%S")).total_seconds() / 60.0


def test_eram_plan_exhausts_memory_of_both_legacy_channels(eram2014):
    result = eram2014.run()
    stops = [item for item in result["timeline"] if item["event"] == "memory exhausted"]
    assert {item["source"] for item in stops} == {"primary", "backup"}
    assert all(item["detail"].startswith("U2R01:") for item in stops)
    assert result["incidents"][0]["removed_messages"] == ["U2R01"]
    # Public: about an hour of ground stop.
    outage_min = minutes_between(result["incidents"][0]["started_at"], result["restored_at"])
    assert 45 <= outage_min <= 75
    assert result["counts"]["lost"] == 0
    assert result["counts"]["balanced"]


@pytest.mark.parametrize(("variant", "bounded_by"), [("hardened", "primary"), ("diverse_backup", "backup")])
def test_eram_plan_bounded_per_plan(eram2014, variant, bounded_by):
    result = eram2014.run(variant)
    assert result["incidents"] == []
    assert result["channels_down_at"] is None
    set_aside = [item for item in result["set_aside"] if item["flight_id"] == "U2R01"]
    assert [(item["error_code"], item["by"]) for item in set_aside] == [("CONV206", bounded_by)]
    assert result["counts"]["quarantined"] == 1
    assert result["counts"]["converted"] == result["counts"]["received"] - 1
    assert result["counts"]["lost"] == 0

    params = apply_overrides(eram2014.setup.params, result["parameters"])
    cost = plan_cost(eram2014.scenario.path("u2r01.adexp").read_text(), params)
    allowed_s = params.plan_time_limit_s + 60
    if bounded_by == "backup":
        legacy_s, exhausted = cost.exhausts_memory(params)
        assert exhausted
        allowed_s += legacy_s + params.detection_s + params.takeover_s
    assert result["faults"][0]["recovery_time_s"] <= allowed_s


def test_eram_bound_holds_in_a_hardened_primary_alone(eram2014):
    result = eram2014.run(primary_logic="hardened")
    assert result["incidents"] == []
    states = {item["channel"]: {s["state"] for s in result["channel_states"] if s["channel"] == item["channel"]}
              for item in result["channel_states"]}
    assert states["primary"] == {"RUNNING"}


def test_nats_limit_stops_both_identical_channels_together(nats2014):
    result = nats2014.run()
    stops = [item for item in result["timeline"] if item["event"] == "limit reached"]
    assert [item["source"] for item in stops] == ["primary", "backup"]
    assert stops[0]["time"] == stops[1]["time"] == result["channels_down_at"]
    assert all("above the limit 151" in item["detail"] for item in stops)
    clears = next(item["time"] for item in result["timeline"] if item["event"] == "state cleared")
    assert result["restored_at"] > clears
    failed_restarts = [item for item in result["timeline"] if item["event"] == "restart failed" and item["time"] < clears]
    assert failed_restarts
    assert result["counts"]["lost"] == 0


@pytest.mark.parametrize("variant", ["hardened", "diverse_backup"])
def test_nats_limit_read_from_configuration_keeps_a_channel(nats2014, variant):
    result = nats2014.run(variant)
    assert result["incidents"] == []
    assert result["flights"]["without_automatic_data"] == 0
    assert result["counts"]["lost"] == 0


def test_etfms_wipe_without_journal_reload_loses_plans(etfms2018):
    result = etfms2018.run()
    wipe = result["faults"][0]["effect"]
    assert wipe["deleted"] > 0
    assert result["counts"]["lost"] == result["counts"]["lost_records"] == wipe["deleted"]
    assert result["flights"]["without_automatic_data"] > 0


def test_etfms_wipe_with_journal_reload_loses_nothing(etfms2018):
    baseline = etfms2018.run()
    result = etfms2018.run("journal_recovery")
    wipe = result["faults"][0]["effect"]
    assert wipe["deleted"] == baseline["faults"][0]["effect"]["deleted"]
    assert wipe["reloaded"] == wipe["deleted"]
    assert result["counts"]["lost"] == 0
    assert result["flights"]["without_data"] <= baseline["flights"]["without_data"]
    assert result["flights"]["without_automatic_data"] < baseline["flights"]["without_automatic_data"]
    assert result["faults"][0]["recovery_time_s"] == etfms2018.setup.params.journal_recovery_min * 60
