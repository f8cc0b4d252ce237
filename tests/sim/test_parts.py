"""Parts of the chain model: channel restarts and quarantine, per-plan cost, the input filter."""

from datetime import datetime

import pytest

from fpp.convert.legacy import uk_point_table
from fpp.errors import ConversionError, CriticalException
from fpp.formats.adexp import parse_adexp
from fpp.scenario import Scenario
from fpp.sim.cost import plan_cost
from fpp.sim.input_filter import InputFilter
from fpp.sim.params import SimParams, apply_overrides
from fpp.system.channel import Channel, ChannelState, EventLog, Outcome
from tests.sim.conftest import SMALL_DAY

START = datetime(2023, 8, 28, 7, 0)


class PoisonConverter:
    logic = "scripted"

    def convert(self, message):
        raise CriticalException("exit before entry", ConversionError("CONV203", "DVL"))


def test_channel_can_quarantine_a_critical_exception():
    log = EventLog()
    channel = Channel("primary", PoisonConverter(), stop_on_unexpected=True, quarantine_critical=True)
    result = channel.process("POISON", "-TITLE IFPL -ARCID POISON", START, log)
    assert result.outcome is Outcome.QUARANTINED
    assert result.error.code == "CONV203"
    assert channel.state is ChannelState.RUNNING
    assert log.of_kind("quarantined")


def test_channel_without_quarantine_raises():
    channel = Channel("primary", PoisonConverter(), stop_on_unexpected=True)
    with pytest.raises(CriticalException):
        channel.process("POISON", "-TITLE IFPL -ARCID POISON", START, EventLog())


def test_channel_restart_passes_through_restarting():
    channel = Channel("backup", PoisonConverter())
    channel.stop()
    assert channel.state is ChannelState.MAINTENANCE
    channel.begin_restart()
    assert channel.state is ChannelState.RESTARTING
    channel.complete_restart()
    assert channel.state is ChannelState.RUNNING
    assert channel.restarts == 1


def _message(points: int, level: str) -> str:
    rows = "\n".join(f"  -PT -PTID P{k:03d} -FL {level}" for k in range(points))
    return f"-TITLE IFPL\n-ARCID X1\n-RFL {level}\n-ROUTE N0400{level} A B\n-BEGIN RTEPTS\n{rows}\n-END RTEPTS"


COST = SimParams(processing_s=1.0, checks_per_point=10.0, misread_above_level_ft=60000.0, misread_checks_per_point=5000.0,
                 check_time_ms=1.0, check_memory_kb=4.0, channel_memory_mb=1024.0, plan_time_limit_s=30.0,
                 plan_memory_limit_mb=256.0)


@pytest.mark.parametrize(
    ("points", "level", "misread", "legacy_stops", "hardened_bounded"),
    [
        (10, "F350", False, False, False),
        (10, "F650", True, False, True),
        (67, "F650", True, True, True),
        (4000, "F350", False, False, True),
    ],
    ids=["ordinary", "misread-few-points", "misread-many-points", "long-route"],
)
def test_plan_cost_and_its_bounds(points, level, misread, legacy_stops, hardened_bounded):
    cost = plan_cost(_message(points, level), COST)
    checks = COST.misread_checks_per_point if misread else COST.checks_per_point
    assert cost.points == points
    assert cost.misread is misread
    assert cost.time_s == pytest.approx(1.0 + points * checks / 1000.0)
    assert cost.memory_mb == pytest.approx(points * checks * 4.0 / 1024.0)
    legacy_time_s, stopped = cost.exhausts_memory(COST)
    assert stopped is legacy_stops
    assert legacy_time_s <= cost.time_s
    hardened_time_s, bounded = cost.bounded(COST)
    assert bounded is hardened_bounded
    if bounded:
        assert hardened_time_s < cost.time_s
        assert hardened_time_s <= COST.plan_time_limit_s + 1e-9
    else:
        assert hardened_time_s == cost.time_s


@pytest.fixture(scope="module")
def filter_and_nav():
    scenario = Scenario.load("aug2023")
    nav = scenario.navdata()
    volume = scenario.airspace(nav)
    return InputFilter(uk_point_table(nav, volume), volume), scenario


def test_input_filter_flags_fbu731(filter_and_nav):
    input_filter, scenario = filter_and_nav
    error = input_filter.check(parse_adexp(scenario.path("fbu731.adexp").read_text()))
    assert error is not None
    assert error.code == "CONV203"
    assert error.token == "DVL"


def test_input_filter_passes_later_repeat(filter_and_nav):
    input_filter, scenario = filter_and_nav
    text = scenario.path("fbu731.adexp").read_text()
    # Moving DVL after the UK entry in Item 15 leaves the exit search on a later token.
    message = parse_adexp(text.replace(" DVL VBI ", " VBI ").replace(" APSOV SOSIM ", " APSOV DVL SOSIM "))
    assert "DVL" in message.route
    assert input_filter.check(message) is None


def test_input_filter_passes_ordinary_traffic(aug2023):
    input_filter = aug2023.bench.input_filter()
    flights = aug2023.bench.day_traffic(apply_overrides(aug2023.setup.params, {"flights_per_day": SMALL_DAY}), 1)
    flagged = [flight.flight_id for flight in flights if input_filter.check(parse_adexp(flight.text)) is not None]
    assert len(flights) == SMALL_DAY
    assert flagged == []
