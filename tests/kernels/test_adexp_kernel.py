"""The ADEXP tokenizer kernels against their twins: fpp.cli.split_messages and parse_adexp."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fpp.cli import split_messages as split_text
from fpp.errors import PlanError
from fpp.kernels.adexp import (
    build_keyword_tables,
    scan_adexp,
    scan_adexp_python,
    scanned_to_python,
    split_messages,
)
from fpp.kernels.scratch import FALLBACK, make_scratch

LINES = ["-TITLE IFPL", "-ARCID ABC12", "", "   ", "NNNN", " NNNN ", "(FPL-ABC-IS", "ZCZC XY", "-END RTEPTS",
         "x (y", ")", "RMK (TEST", "-ROUTE N0450F350 DCT ABCDE", "\t-TITLE X"]


def _kernel_split(text: str) -> list[str]:
    data = text.encode("ascii")
    buffer = np.frombuffer(data, dtype=np.uint8)
    starts = np.zeros(len(buffer) // 2 + 1, dtype=np.int64)
    ends = np.zeros_like(starts)
    count = split_messages(buffer, starts, ends)
    return ["\n".join(data[a:b].decode("ascii").splitlines()) for a, b in zip(starts[:count], ends[:count])]


@given(st.lists(st.sampled_from(LINES), max_size=14), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_split_equals_twin(lines, separator, final_break):
    text = separator.join(lines) + (separator if final_break else "")
    assert _kernel_split(text) == split_text(text)


@pytest.mark.parametrize("byte", [0, 8, 11, 12, 28, 127, 0xC3, 0xFF])
def test_split_rejects_bytes_outside_plain_ascii(byte):
    data = b"-TITLE IFPL\n-ARCID A" + bytes([byte]) + b"\n\n-TITLE IFPL\n-ARCID B\n"
    buffer = np.frombuffer(data, dtype=np.uint8)
    starts = np.zeros(4, dtype=np.int64)
    assert split_messages(buffer, starts, starts.copy()) == -1


def test_split_accepts_tab_cr_and_lf():
    data = b"-TITLE IFPL\r\n-ARCID\tA\r\r-TITLE IFPL\n-ARCID B\n"
    buffer = np.frombuffer(data, dtype=np.uint8)
    starts = np.zeros(4, dtype=np.int64)
    assert split_messages(buffer, starts, starts.copy()) == 2


def _scan(text: str):
    data = text.encode("ascii")
    buffer = np.frombuffer(data, dtype=np.uint8)
    scratch = make_scratch(len(data))
    status = scan_adexp(buffer, 0, len(data), build_keyword_tables(), scratch)
    return status, (scanned_to_python(buffer, scratch) if status == 0 else None)


def _twin(text: str):
    try:
        return scan_adexp_python(text)
    except PlanError:
        return None


def test_scan_equals_twin_on_generated_traffic(generated_messages):
    for text in generated_messages:
        status, scanned = _scan(text)
        assert status == 0
        assert scanned == _twin(text)


@pytest.mark.shared
def test_scan_equals_twin_on_recorded_traffic(recorded_messages):
    read = 0
    for text in recorded_messages:
        status, scanned = _scan(text)
        if status == 0:
            read += 1
            assert scanned == _twin(text)
    assert read == len(recorded_messages)


VARIANTS = [
    # (message, kernel status, whether parse_adexp reads it)
    ("-TITLE IFPL -ARCID A1 -ROUTE N0450F350  DCT\n ABCDE -BEGIN RTEPTS -PT -PTID ABCDE -FL F350 -ETO 230828120000 -END RTEPTS", 0, True),
    ("-TITLE IFPL -ROUTE N0450F350 ABCDE -RMK ONE -TWO -BEGIN RTEPTS -PT -PTID ABCDE -END RTEPTS\nNNNN", 0, True),
    (("-TITLE IFPL -GEO -GEOID GEO01 -LATTD 500000N -LONGTD 0010000W -GEO -GEOID GEO01 -LATTD 510000N -LONGTD 0020000W "
      "-BEGIN RTEPTS -AD -ADID EGLL -PT -PTID GEO01 -ETO 230828120000 -ETO 230828120500 -END RTEPTS"), 0, True),
    ("-TITLE IFPL -BEGIN RTEPTS -PT -PTID A -ISPASS YES -PT -PTID B -END RTEPTS -ROUTE N0450F350 A", 0, True),
    ("-TITLE IFPL -GEO -GEOID -LATTD 500000N -LONGTD 0010000W -ARCID X", 0, True),
    ("ZCZC\n-TITLE IFPL", FALLBACK, True),
    ("-TITLE IFPL -BEGIN ADDR -FAC X -END ADDR", FALLBACK, True),
    ("-TITLE IFPL -ETO 231328120000", FALLBACK, False),
    ("-TITLE IFPL -LATTD 916000N", FALLBACK, False),
    ("-TITLE IFPL -BEGIN RTEPTS -PT -PTID A", FALLBACK, False),
    ("-TITLE IFPL -BEGIN RTEPTS -PT -PTID ABCDEF -END RTEPTS", FALLBACK, False),
    ("text -TITLE IFPL", FALLBACK, False),
]


@pytest.mark.parametrize(("text", "status", "readable"), VARIANTS)
def test_scan_variants(text, status, readable):
    found, scanned = _scan(text)
    assert found == status
    assert (_twin(text) is not None) == readable
    if found == 0:
        assert scanned == _twin(text)
