"""Stateful fuzzing of the channel pair: deliveries, channel failures, restarts and takeovers in any order.

The machine drives a :class:`~fpp.system.channel.ChannelPair` with real converters over the default
data and real messages: ordinary plans, the 2023 pattern, invalid text and plans the hardened logic
quarantines. It checks after every step that

- every delivered message is counted exactly once, under its id, in delivery order;
- only a RUNNING channel processes a message;
- a message is pending only when no channel was RUNNING when it arrived;
- a hardened pair never leaves RUNNING because of a message (containment);
- a legacy pair stops a channel only on a plan that raises the critical exception.
"""

from datetime import datetime, timedelta

from hypothesis import seed
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from fpp.errors import CriticalException, PlanError
from fpp.formats.adexp import parse_adexp
from fpp.fuzzing.profiles import fuzz_seed, fuzz_settings
from fpp.fuzzing.routes import PlanSpec, build_case
from fpp.fuzzing.world import default_world
from fpp.system.channel import Channel, ChannelPair, ChannelState, ChannelTiming, Outcome

WORLD = default_world()
START = datetime(2023, 8, 28, 7, 0)

# A few fixed messages of each kind, built once; the 2023 pattern is found by the fuzzers, here it
# is a known plan.
_PLANS = {
    "ordinary": PlanSpec("N0480F370", ("LND", "UN18", "PEMOB"), "EGHQ", "EIDW"),
    "poison": PlanSpec("N0480F370", ("TIPUR", "ALVIN", "L9", "SHA"), "OPSS", "EINN"),
    "outside": PlanSpec("N0480F370", ("DODEN", "DCT", "DKB"), "EDFE", "EDDN"),
}
MESSAGES = {kind: build_case(spec, WORLD).adexp_text for kind, spec in _PLANS.items()}
MESSAGES["invalid"] = "-TITLE IFPL -BEGIN RTEPTS -PT -PTID LND"
MESSAGES["no-route"] = "-TITLE IFPL -ARCID NOROUTE -ADEP EGLL -ADES EGPH"


def _critical(converter, text: str) -> bool:
    try:
        converter.convert(parse_adexp(text))
    except CriticalException:
        return True
    except PlanError:
        return False
    return False


class ChannelPairMachine(RuleBasedStateMachine):
    """Deliver messages to a channel pair while channels fail and restart."""

    @initialize(logic=st.sampled_from(["legacy", "hardened"]))
    def build(self, logic):
        self.logic = logic
        converter = WORLD.legacy if logic == "legacy" else WORLD.hardened
        stop = logic == "legacy"
        self.converter = converter
        self.pair = ChannelPair(Channel("primary", converter, stop), Channel("backup", converter, stop),
                                ChannelTiming(1.0, 5.0, 8.0))
        self.delivered: list[str] = []
        self.clock = START

    def _running(self):
        return [c.name for c in self.pair.channels if c.state is ChannelState.RUNNING]

    @rule(kind=st.sampled_from(sorted(MESSAGES)))
    def deliver(self, kind):
        message_id = f"M{len(self.delivered) + 1}-{kind}"
        before_states = {c.name: c.state for c in self.pair.channels}
        before_processed = {c.name: c.processed for c in self.pair.channels}
        running_before = self._running()
        self.clock += timedelta(seconds=30)
        result = self.pair.deliver(message_id, MESSAGES[kind], self.clock)
        self.delivered.append(message_id)

        for channel in self.pair.channels:
            if before_states[channel.name] is not ChannelState.RUNNING:
                assert channel.processed == before_processed[channel.name], f"{channel.name} processed while {before_states[channel.name].value}"
        if result.outcome is Outcome.PENDING:
            poisoned = self.logic == "legacy" and _critical(self.converter, MESSAGES[kind])
            assert not running_before or poisoned, f"{message_id} pending while {running_before} were RUNNING"
        else:
            assert result.channel in running_before
        if self.logic == "hardened":
            assert {c.name: c.state for c in self.pair.channels} == before_states
        else:
            stopped = [n for n, s in before_states.items() if s is ChannelState.RUNNING and self.pair.states()[n] != "RUNNING"]
            if stopped:
                assert _critical(self.converter, MESSAGES[kind]), f"{message_id} stopped {stopped}"

    @rule(name=st.sampled_from(["primary", "backup"]))
    def fail(self, name):
        channel = self.pair.primary if name == "primary" else self.pair.backup
        if channel.state is ChannelState.RUNNING:
            channel.stop()

    @rule(name=st.sampled_from(["primary", "backup"]))
    def begin_restart(self, name):
        channel = self.pair.primary if name == "primary" else self.pair.backup
        if channel.state is ChannelState.MAINTENANCE:
            channel.begin_restart()

    @precondition(lambda self: any(c.state is ChannelState.RESTARTING for c in self.pair.channels))
    @rule(name=st.sampled_from(["primary", "backup"]))
    def complete_restart(self, name):
        channel = self.pair.primary if name == "primary" else self.pair.backup
        if channel.state is ChannelState.RESTARTING:
            channel.complete_restart()

    @invariant()
    def every_message_counted_once_in_order(self):
        assert [r.message_id for r in self.pair.results] == self.delivered
        assert sum(self.pair.counts().values()) == len(self.delivered)

    @invariant()
    def states_are_known(self):
        assert set(self.pair.states().values()) <= {s.value for s in ChannelState}


ChannelPairMachine.TestCase.settings = fuzz_settings(weight=1)
TestChannelPair = seed(fuzz_seed())(ChannelPairMachine.TestCase)
