"""Every fault kind, as data on a schedule, through the chain: effect, recovery and conservation.

Each case runs a day of 500 flights of the August 2023 scenario (the effects do not depend on
volume) with one fault schedule instead of the scenario's. Every case checks conservation: each
sent message has one journal row and each row one outcome, and nothing is lost except where the
case turns off the journal reload on purpose.
"""

import itertools
from collections import Counter
from datetime import timedelta

import pytest

from fpp.errors import PlanError
from fpp.formats.adexp import parse_adexp
from fpp.geo import distance_nm, interpolate
from fpp.sim.params import apply_overrides
from tests.sim.conftest import SMALL_DAY

HARDENED = {"primary_logic": "hardened", "backup_logic": "hardened"}
POISON = {"kind": "poison_plan", "at_local": "08:32:00", "message": "fbu731.adexp"}


def local(runner, moment):
    return runner.scenario.utc_to_local(moment).strftime("%H:%M:%S.%f")


def busy_instant(runner, after_local="10:00:00"):
    """A local time half a second after a message arrives, while a channel converts it."""
    params = apply_overrides(runner.setup.params, {"flights_per_day": SMALL_DAY})
    after = runner.scenario.local_to_utc(after_local)
    flight = next(f for f in runner.bench.day_traffic(params, runner.setup.seed) if f.arrival > after)
    return local(runner, flight.arrival + timedelta(seconds=0.5)), flight.flight_id


def busy_designator(runner, after_local="11:00:00"):
    """The RTEPTS designator most used after a time, with a point 12 NM from it along the route."""
    params = apply_overrides(runner.setup.params, {"flights_per_day": SMALL_DAY})
    after = runner.scenario.local_to_utc(after_local)
    nav = runner.bench.nav
    uses = Counter()
    legs = {}
    for flight in runner.bench.day_traffic(params, runner.setup.seed):
        if flight.arrival <= after:
            continue
        points = parse_adexp(flight.text).rtepts()
        for point, following in itertools.pairwise(points[1:-1]):
            if len(nav.candidates(point.ident)) != 1 or len(nav.candidates(following.ident)) != 1:
                continue
            a = nav.position(int(nav.candidates(point.ident)[0]))
            b = nav.position(int(nav.candidates(following.ident)[0]))
            if distance_nm(*a, *b) > 40.0:
                uses[point.ident] += 1
                legs[point.ident] = (a, b)
    designator, _ = uses.most_common(1)[0]
    a, b = legs[designator]
    lat, lon = interpolate(*a, *b, 12.0 / distance_nm(*a, *b))
    return designator, lat, lon


def check_conserved(result, lost=0):
    counts = result["counts"]
    assert counts["balanced"]
    assert counts["lost_in_transit"] == 0
    assert counts["lost"] == lost
    assert counts["sent"] == counts["received"]
    outcomes = sum(counts[key] for key in ("converted", "rejected", "quarantined", "duplicate", "pending"))
    assert outcomes == counts["received"]
    assert counts["pending"] == 0
    assert counts["nas_duplicates_ignored"] == 0


def recovery(result, kind):
    return next(fault["recovery_time_s"] for fault in result["faults"] if fault["kind"] == kind)


def effect(result, kind):
    return next(fault["effect"] for fault in result["faults"] if fault["kind"] == kind)


def case_poison_legacy(runner):
    result = runner.run(fault_tables=[POISON])
    check_conserved(result)
    assert result["channels_down_at"] is not None
    assert result["incidents"][0]["removed_messages"] == ["FBU731"]
    assert result["counts"]["quarantined"] == 1
    assert recovery(result, "poison_plan") > 5 * 3600


def case_poison_hardened(runner):
    result = runner.run(fault_tables=[POISON], **HARDENED)
    check_conserved(result)
    assert result["channels_down_at"] is None
    assert result["incidents"] == []
    assert result["counts"]["quarantined"] == 0
    assert result["counts"]["converted"] == SMALL_DAY + 1
    assert recovery(result, "poison_plan") < 60


def case_poison_quarantined_by_legacy(runner):
    result = runner.run(fault_tables=[POISON], quarantine=True)
    check_conserved(result)
    assert result["incidents"] == []
    assert result["counts"]["quarantined"] == 1
    assert result["flights"]["without_data"] == 0


def case_crash_mid_message(runner):
    at, flight_id = busy_instant(runner)
    result = runner.run(fault_tables=[{"kind": "channel_crash", "at_local": at, "channel": "primary"}])
    check_conserved(result)
    assert effect(result, "channel_crash")["in_flight"] == flight_id
    assert result["counts"]["converted"] == SMALL_DAY
    takeovers = [item for item in result["timeline"] if item["event"] == "takeover"]
    assert len(takeovers) == 1
    assert result["incidents"] == []
    assert result["channel_restarts"]["primary"] == 1
    assert [s["state"] for s in result["channel_states"] if s["channel"] == "primary"][-1] == "RUNNING"
    params = runner.setup.params
    assert recovery(result, "channel_crash") <= params.detection_s + params.takeover_s + 2 * params.processing_s + 1


def case_backup_fails_to_take_over(runner):
    at, _ = busy_instant(runner)
    result = runner.run(fault_tables=[
        {"kind": "backup_fails_takeover", "at_local": at, "duration_min": 30.0},
        {"kind": "channel_crash", "at_local": at, "channel": "primary"},
    ])
    check_conserved(result)
    assert [item["event"] for item in result["timeline"]].count("takeover failed") == 1
    assert len(result["incidents"]) == 1
    incident = result["incidents"][0]
    assert incident["restarts"] == 1
    params = runner.setup.params
    limit_s = params.detection_s + (params.first_line_response_min + params.restart_min) * 60.0 + params.restart_check_s
    assert recovery(result, "channel_crash") <= limit_s
    assert result["flights"]["without_data"] == 0


def case_feed_outage_with_burst(runner):
    result = runner.run(fault_tables=[{"kind": "feed_outage", "at_local": "10:00:00", "duration_min": 45.0}])
    check_conserved(result)
    held = effect(result, "feed_outage")["held"]
    assert held > 5
    assert result["peak_backlog"] >= held * 0.8
    assert 45 * 60 <= recovery(result, "feed_outage") <= 45 * 60 + held * runner.setup.params.processing_s + 60
    assert result["flights"]["without_automatic_data"] == 0
    assert result["channels_down_at"] is None


def case_feed_outage_longer_than_the_buffer(runner):
    result = runner.run(fault_tables=[{"kind": "feed_outage", "at_local": "06:00:00", "duration_min": 300.0}])
    check_conserved(result)
    assert result["flights"]["without_automatic_data"] > 0
    exhausted = result["buffer_exhausted_at"]
    assert "09:50:00" <= exhausted <= "10:10:00"


def case_duplicated_messages(runner):
    result = runner.run(fault_tables=[{"kind": "duplicate_messages", "at_local": "09:00:00", "duration_min": 120.0,
                                       "fraction": 0.5, "delay_s": 40.0}])
    check_conserved(result)
    duplicated = effect(result, "duplicate_messages")["duplicated"]
    assert duplicated > 5
    assert result["counts"]["duplicate"] == duplicated
    assert result["duplicates_received"] == duplicated
    assert result["counts"]["converted"] == SMALL_DAY
    assert result["counts"]["sent"] == SMALL_DAY + duplicated


def case_reordered_messages(runner):
    result = runner.run(fault_tables=[{"kind": "reordered_messages", "at_local": "09:00:00", "duration_min": 180.0,
                                       "max_delay_s": 900.0}])
    check_conserved(result)
    assert effect(result, "reordered_messages")["overtaken"] > 5
    assert result["counts"]["converted"] == SMALL_DAY
    assert result["flights"]["without_automatic_data"] == 0


def case_navdata_duplicate_hardened(runner):
    # The promise: every plan that names the designator is converted as before the update, or
    # quarantined as ambiguous; no channel stops and nothing is lost.
    designator, lat, lon = busy_designator(runner)
    fault = {"kind": "navdata_update", "at_local": "11:00:00", "designator": designator, "lat_deg": lat, "lon_deg": lon}
    result = runner.run(fault_tables=[fault], **HARDENED)
    check_conserved(result)
    assert result["incidents"] == []
    assert {s["state"] for s in result["channel_states"]} == {"RUNNING"}
    assert recovery(result, "navdata_update") < 60

    params = apply_overrides(runner.setup.params, {"flights_per_day": SMALL_DAY, **HARDENED})
    before = runner.bench.converter("hardened", params)
    after = runner.bench.converter("hardened", params, [(designator, lat, lon)])
    update = runner.scenario.local_to_utc("11:00:00")
    quarantined = {item["flight_id"]: item["error_code"] for item in result["set_aside"]}
    affected = [flight for flight in runner.bench.day_traffic(params, runner.setup.seed)
                if flight.arrival > update and f"-PTID {designator} " in flight.text]
    assert affected
    for flight in affected:
        message = parse_adexp(flight.text)
        try:
            record = after.convert(message)
        except PlanError as error:
            assert quarantined[flight.flight_id] == error.code
            assert error.code in ("CONV208", "ROUTE900")
            continue
        assert record.to_text() == before.convert(message).to_text()
        assert flight.flight_id not in quarantined


def case_navdata_duplicate_legacy(runner):
    designator, lat, lon = busy_designator(runner)
    fault = {"kind": "navdata_update", "at_local": "11:00:00", "designator": designator, "lat_deg": lat, "lon_deg": lon}
    result = runner.run(fault_tables=[fault])
    check_conserved(result)
    assert result["incidents"] == []
    assert result["counts"]["quarantined"] == 0
    assert result["counts"]["converted"] == SMALL_DAY


def case_limit_on_both_legacy(runner):
    fault = {"kind": "config_limit", "at_local": "10:00:00", "count": 153, "hard_limit": 151, "configured_limit": 193,
             "clears_after_min": 30.0}
    result = runner.run(fault_tables=[fault])
    check_conserved(result)
    assert effect(result, "config_limit")["failed"] == ["primary", "backup"]
    assert result["channels_down_at"] == "10:00:00"
    assert result["restored_at"] >= "10:30:00"
    assert recovery(result, "config_limit") >= 30 * 60


def case_limit_on_both_hardened(runner):
    fault = {"kind": "config_limit", "at_local": "10:00:00", "count": 153, "hard_limit": 151, "configured_limit": 193,
             "clears_after_min": 30.0}
    result = runner.run(fault_tables=[fault], **HARDENED)
    check_conserved(result)
    assert effect(result, "config_limit")["failed"] == []
    assert result["channels_down_at"] is None


def case_store_wipe_reloaded(runner):
    result = runner.run(fault_tables=[{"kind": "store_wipe", "at_local": "10:00:00"}], recover_from_journal=True)
    check_conserved(result)
    wiped = effect(result, "store_wipe")
    assert wiped["deleted"] > 0
    assert wiped["reloaded"] == wiped["deleted"]
    assert recovery(result, "store_wipe") == runner.setup.params.journal_recovery_min * 60


def case_store_wipe_not_reloaded(runner):
    result = runner.run(fault_tables=[{"kind": "store_wipe", "at_local": "10:00:00"}], recover_from_journal=False)
    wiped = effect(result, "store_wipe")
    check_conserved(result, lost=wiped["deleted"])
    assert wiped["reloaded"] == 0
    assert recovery(result, "store_wipe") is None
    assert result["flights"]["without_automatic_data"] > 0


CASES = [
    ("poison_plan", "legacy", case_poison_legacy),
    ("poison_plan", "hardened", case_poison_hardened),
    ("poison_plan", "legacy-quarantine", case_poison_quarantined_by_legacy),
    ("channel_crash", "mid-message", case_crash_mid_message),
    ("backup_fails_takeover", "with-crash", case_backup_fails_to_take_over),
    ("feed_outage", "45-min-burst", case_feed_outage_with_burst),
    ("feed_outage", "longer-than-buffer", case_feed_outage_longer_than_the_buffer),
    ("duplicate_messages", "half-twice", case_duplicated_messages),
    ("reordered_messages", "up-to-15-min", case_reordered_messages),
    ("navdata_update", "hardened", case_navdata_duplicate_hardened),
    ("navdata_update", "legacy", case_navdata_duplicate_legacy),
    ("config_limit", "legacy", case_limit_on_both_legacy),
    ("config_limit", "hardened", case_limit_on_both_hardened),
    ("store_wipe", "journal-reload", case_store_wipe_reloaded),
    ("store_wipe", "no-reload", case_store_wipe_not_reloaded),
]


@pytest.mark.parametrize(("kind", "case"), [(kind, check) for kind, _, check in CASES],
                         ids=[f"{kind}-{name}" for kind, name, _ in CASES])
def test_fault(aug2023, kind, case):
    case(aug2023)


def test_every_fault_kind_has_a_case():
    from fpp.sim.faults import FAULT_KINDS

    assert {kind for kind, _, _ in CASES} == set(FAULT_KINDS)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"kind": "meteor_strike", "at_local": "10:00"}, "kind"),
        ({"kind": "store_wipe"}, "at_local"),
        ({"kind": "feed_outage", "at_local": "10:00"}, "duration_min"),
        ({"kind": "feed_outage", "at_local": "10:00", "duration_min": "long"}, "duration_min"),
        ({"kind": "channel_crash", "at_local": "10:00", "channel": "tertiary"}, "channel"),
        ({"kind": "store_wipe", "at_local": "10:00", "colour": "red"}, "colour"),
    ],
)
def test_invalid_fault_tables_are_rejected(aug2023, table, message):
    with pytest.raises(ValueError, match=message):
        aug2023.faults([table])
