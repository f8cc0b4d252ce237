"""Grammar-level and byte-level fuzzers: round trips of every format, and hostile text into every parser."""

from hypothesis import given, seed
from hypothesis import strategies as st

from fpp.fuzzing import grammar
from fpp.fuzzing.profiles import fuzz_seed, fuzz_settings
from fpp.fuzzing.properties import (
    check_adexp_round_trip,
    check_channel_containment,
    check_icao_round_trip,
    check_item15_round_trip,
    check_parsers,
)
from fpp.fuzzing.world import default_world


@seed(fuzz_seed())
@fuzz_settings(weight=3)
@given(grammar.item15_texts().flatmap(lambda text: st.tuples(st.just(text), grammar.layouts(text))))
def test_item15_round_trip_and_layout(pair):
    check_item15_round_trip(*pair)


@seed(fuzz_seed())
@fuzz_settings(weight=2)
@given(grammar.adexp_messages(), st.sampled_from([None, 25, 69]))
def test_adexp_round_trip(message, wrap):
    check_adexp_round_trip(message, wrap)


@seed(fuzz_seed())
@fuzz_settings(weight=2)
@given(grammar.icao_texts(), st.sampled_from([None, 20, 69]))
def test_icao_round_trip(text, line_length):
    check_icao_round_trip(text, line_length)


@seed(fuzz_seed())
@fuzz_settings(weight=5)
@given(grammar.hostile_texts())
def test_hostile_text_raises_only_fpp_errors(text):
    check_parsers(text)


@seed(fuzz_seed())
@fuzz_settings(weight=2)
@given(grammar.hostile_texts())
def test_hostile_text_keeps_hardened_channels_running(text):
    check_channel_containment(text, default_world().hardened, stop_on_unexpected=False)
