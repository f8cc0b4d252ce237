"""The batch converter against the hardened converter, message by message."""

from __future__ import annotations

import pytest

from fpp.cli import split_messages
from fpp.convert.airspace import uk_airspace
from fpp.convert.batch import BatchConverter, KernelMismatchError, reference_outcome
from fpp.convert.record import NasRecord
from fpp.errors import PlanError
from fpp.kernels.scratch import FALLBACK


def _same(found, expected) -> bool:
    if isinstance(expected, PlanError):
        return isinstance(found, PlanError) and found.to_dict() == expected.to_dict()
    return found == expected


def _check_all(converter: BatchConverter, messages: list[str]) -> None:
    result = converter.convert_text("\n\n".join(messages))
    assert len(result) == len(messages)
    for index, message in enumerate(messages):
        expected = reference_outcome(converter.reference, message)
        assert _same(result.outcome(index), expected), f"message {index}: {message[:200]}"
        assert result.code(index) == (expected.code if isinstance(expected, PlanError) else None)


def test_batch_equals_hardened_on_generated_traffic(batch_converter, generated_messages):
    result = batch_converter.convert_text("\n\n".join(generated_messages))
    assert result.counts()["converted"] > len(generated_messages) // 2
    assert result.fallback_count == 0
    _check_all(batch_converter, generated_messages)


@pytest.mark.shared
def test_batch_equals_hardened_on_recorded_traffic(shared_nav, recorded_messages):
    converter = BatchConverter(shared_nav, uk_airspace(shared_nav))
    _check_all(converter, recorded_messages)
    result = converter.convert_text("\n\n".join(recorded_messages))
    assert result.fallback_count <= len(recorded_messages) // 50


def test_records_follow_message_order(batch_converter, generated_messages):
    result = batch_converter.convert_text("\n\n".join(generated_messages[:20]))
    indices = [index for index, _ in result.records()]
    assert indices == sorted(indices)
    assert all(isinstance(record, NasRecord) for _, record in result.records())


BROKEN = [
    "-TITLE IFPL -ARCID ABC123",                                     # no route: CONV207
    "-TITLE IFPL -ARCID A -ROUTE N0450F350 NOSUCHPOINT -BEGIN RTEPTS -PT -PTID NOSUCHPOINT -END RTEPTS",  # syntax error
    "-TITLE IFPL -ARCID A -ROUTE N0450F350 XYZZY -BEGIN RTEPTS -PT -PTID XYZZY -END RTEPTS",  # unknown designator
    "ZCZC\n-TITLE IFPL -ARCID A",                                     # AFTN envelope: left to the parser
    "-TITLE IFPL -ARCID A -ROUTE N0450F350 DCT -ROUTE N0450F350 DCT",  # repeated ROUTE
    "-TITLE IFPL -ARCID A -ROUTE N0450F350 STAY1/0030 -BEGIN RTEPTS -PT -PTID ABC -END RTEPTS",
]


def test_broken_messages_get_reference_outcomes(batch_converter):
    _check_all(batch_converter, BROKEN)


def test_messages_outside_ascii_fall_back(batch_converter, generated_messages):
    messages = [generated_messages[0].replace("-ARCID ", "-ARCID \u00c5"), generated_messages[1]]
    result = batch_converter.convert_messages(messages)
    assert int(result.status[0]) == FALLBACK
    for index, message in enumerate(messages):
        assert _same(result.outcome(index), reference_outcome(batch_converter.reference, message))


def test_mismatch_is_reported(batch_converter):
    result = batch_converter.convert_text("-TITLE IFPL -ARCID ABC123")
    result.status[0] = 1  # pretend the kernels said CONV200
    with pytest.raises(KernelMismatchError, match="CONV200"):
        result.outcome(0)


def test_crlf_stream_equals_lf_stream(batch_converter, generated_messages):
    text = "\n\n".join(generated_messages[:10])
    lf = batch_converter.convert_text(text)
    crlf = batch_converter.convert_text(text.replace("\n", "\r\n"))
    assert [lf.outcome(i) == crlf.outcome(i) for i in range(len(lf))] == [True] * len(lf)
    assert len(split_messages(text)) == len(lf)
