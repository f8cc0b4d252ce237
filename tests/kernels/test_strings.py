"""Designator matching: the hash tables against a Python dict."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fpp.kernels.strings import (
    build_packed_table,
    build_string_table,
    find,
    lookup,
    match_designators,
    match_designators_python,
)

names = st.lists(st.from_regex(r"\A[A-Z0-9]{0,12}\Z"), min_size=1, max_size=40)


@given(names, st.lists(st.from_regex(r"\A[A-Z0-9]{0,12}\Z"), max_size=20))
def test_match_designators_equals_dict(strings, queries):
    table = build_packed_table(strings)
    candidates = strings + queries
    text = " ".join(candidates).encode("ascii")
    starts, ends, position = [], [], 0
    for value in candidates:
        starts.append(position)
        ends.append(position + len(value))
        position += len(value) + 1
    out = np.zeros(len(candidates), dtype=np.int64)
    match_designators(table, np.frombuffer(text, dtype=np.uint8), np.array(starts), np.array(ends), out)
    assert out.tolist() == match_designators_python(strings, text, starts, ends)


def test_repeated_string_keeps_first_index():
    buffer = np.frombuffer(b"ABCDEFGHIJ ABC", dtype=np.uint8)
    packed = build_packed_table(["XY", "ABC", "ABC", "ABCDEFGHIJ", "ABCDEFGHIJ"])
    plain = build_string_table(["XY", "ABC", "ABC", "ABCDEFGHIJ", "ABCDEFGHIJ"])
    assert find(packed, buffer, 11, 14) == 1
    assert find(packed, buffer, 0, 10) == 3
    assert lookup(plain, buffer, 0, 10) == 3
    assert find(packed, buffer, 0, 2) == -1
