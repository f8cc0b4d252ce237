"""The channel pair: takeover, maintenance, containment and conservation of messages."""

from datetime import datetime, timedelta

import pytest

from fpp.convert.record import NasRecord
from fpp.errors import ConversionError, CriticalException
from fpp.system.channel import Channel, ChannelPair, ChannelState, ChannelTiming, Outcome

START = datetime(2023, 8, 28, 7, 0)


class ScriptedConverter:
    """Converts every message, except by callsign: POISON stops the channel, ODD is a plan error, BUG raises."""

    logic = "scripted"

    def convert(self, message):
        callsign = message.get("ARCID")
        if callsign == "POISON":
            raise CriticalException("exit before entry", ConversionError("CONV203", "DVL"))
        if callsign == "ODD":
            raise ConversionError("CONV201", "XXXXX", 10)
        if callsign == "FAR":
            raise ConversionError("CONV200", "FAR")
        if callsign == "BUG":
            raise ZeroDivisionError("division by zero")
        return NasRecord(callsign, None, None, None, None, None, None, None, [])


def text(callsign):
    return f"-TITLE IFPL -ARCID {callsign} -ADEP EGLL -ADES EGPH"


def make_pair(stop_on_unexpected, timing=None):
    converter = ScriptedConverter()
    return ChannelPair(Channel("primary", converter, stop_on_unexpected), Channel("backup", converter, stop_on_unexpected),
                       timing or ChannelTiming(1.0, 5.0, 8.0))


def deliver_all(pair, callsigns):
    return [pair.deliver(c, text(c), START + timedelta(seconds=10 * k)) for k, c in enumerate(callsigns)]


def test_poison_plan_stops_primary_then_backup():
    pair = make_pair(True)
    results = deliver_all(pair, ["A1", "A2", "POISON", "A3", "A4"])
    assert [r.outcome for r in results] == [Outcome.CONVERTED, Outcome.CONVERTED, Outcome.PENDING, Outcome.PENDING, Outcome.PENDING]
    assert pair.states() == {"primary": "MAINTENANCE", "backup": "MAINTENANCE"}
    down = pair.log.of_kind("maintenance")
    assert [e.source for e in down] == ["primary", "backup"]
    arrival = START + timedelta(seconds=20)
    assert (down[0].time - arrival).total_seconds() == pytest.approx(1.0)
    assert (down[1].time - arrival).total_seconds() == pytest.approx(1.0 + 5.0 + 8.0 + 1.0)
    assert [e.kind for e in pair.log.events][-1] == "no channel running"


def test_backup_takes_over_and_receives_the_same_message():
    pair = make_pair(True)
    deliver_all(pair, ["POISON"])
    takeover = pair.log.of_kind("takeover")
    assert len(takeover) == 1
    assert "POISON delivered again" in takeover[0].detail
    assert pair.backup.processed == 1


def test_plan_errors_never_stop_a_channel():
    pair = make_pair(False)
    results = deliver_all(pair, ["A1", "ODD", "FAR", "BUG", "A2"])
    assert [r.outcome for r in results] == [Outcome.CONVERTED, Outcome.QUARANTINED, Outcome.REJECTED, Outcome.QUARANTINED, Outcome.CONVERTED]
    assert pair.states() == {"primary": "RUNNING", "backup": "RUNNING"}
    assert pair.error_codes() == {"CONV201": 1, "CONV200": 1, "CONV299": 1}
    assert [r.channel for r in results] == ["primary"] * 5


def test_unexpected_error_stops_a_legacy_channel():
    pair = make_pair(True)
    deliver_all(pair, ["BUG"])
    assert pair.primary.state is ChannelState.MAINTENANCE
    assert pair.backup.state is ChannelState.MAINTENANCE


def test_invalid_adexp_is_rejected_with_its_code():
    pair = make_pair(False)
    result = pair.deliver("X", "-BEGIN RTEPTS -PT -PTID AAAAA", START)
    assert result.outcome is Outcome.REJECTED
    assert result.error.code.startswith("SYN")
    assert pair.states()["primary"] == "RUNNING"


@pytest.mark.parametrize("stop", [True, False], ids=["legacy", "hardened"])
def test_every_message_is_counted_once(stop):
    callsigns = ["A1", "ODD", "A2", "FAR", "POISON", "A3", "BUG", "A4"]
    pair = make_pair(stop)
    deliver_all(pair, callsigns)
    counts = pair.counts()
    assert sum(counts.values()) == len(callsigns)
    assert len(pair.results) == len(callsigns)
    assert [r.message_id for r in pair.results] == callsigns


def test_messages_queue_behind_a_busy_channel():
    pair = make_pair(False, ChannelTiming(processing_s=30.0))
    results = [pair.deliver(c, text(c), START) for c in ("A1", "A2", "A3")]
    assert [r.time for r in results] == [START + timedelta(seconds=30 * k) for k in (1, 2, 3)]
