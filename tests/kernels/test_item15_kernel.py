"""The Item 15 tokenizer kernel against its twin built on parse_item15."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fpp.errors import PlanError
from fpp.kernels.item15 import tokenize_item15, tokenize_item15_python, tokenized_to_python
from fpp.kernels.scratch import FALLBACK, make_scratch
from fpp.kernels.strings import build_packed_table

from ..formats.strategies import item15_texts

#: Forms the tokenizer leaves to the reference parser.
_LEFT_OUT = re.compile(r"(^| )(OAT|GAT|IFPSTOP|IFPSTART|C/\S*|STAY\S*)( |$)")
_NAMES = build_packed_table(["ABCDE", "UL9", "DVL", "KJFK"])


def _tokenize(text: str):
    data = text.encode("ascii")
    scratch = make_scratch(max(len(data), 16))
    scratch.route[: len(data)] = np.frombuffer(data, dtype=np.uint8)
    status = tokenize_item15(scratch.route, len(data), _NAMES, scratch)
    return status, (tokenized_to_python(scratch) if status == 0 else None)


def _twin(text: str):
    try:
        return tokenize_item15_python(text)
    except PlanError:
        return None


def _check(text: str) -> int:
    status, found = _tokenize(text)
    expected = _twin(text)
    if status == 0:
        assert found == expected
    else:
        assert status == FALLBACK
        assert expected is None or _LEFT_OUT.search(text)
    return status


@given(item15_texts())
def test_tokenize_equals_twin(text):
    _check(text)


@given(st.lists(st.sampled_from(["DCT", "ABCDE", "UL9", "T", "VFR", "IFR", "4620N07805W", "46N078W", "462013N0780503W",
                                 "DUB180040", "46N078W090010", "ABCDE/N0450F350", "N1234", "STAY1", "ABCDEFGH", "A",
                                 "4620N/07805W", "5720N", "ABC/", "X/N0000F350", "ABCDE/M082F350F360"]), max_size=8))
def test_tokenize_odd_tokens_equal_twin(tokens):
    _check(" ".join(["N0450F350", *tokens]))


@pytest.mark.parametrize("text", [
    "N0450F350 DCT ABCDE UL9 DVL",
    "M082F370 ABCDE/N0440F350 46N078W DCT 4620N07805W T",
    "K0830S1130 DUB180040 46N078W180040 VFR DCT",
    "N0120VFR ABCDE IFR",
])
def test_tokenize_reads_filed_forms(text):
    assert _check(text) == 0


def test_tokenize_finds_designator_ids():
    status, _ = _tokenize("N0450F350 ABCDE UL9 XYZAB")
    assert status == 0


def test_tokenize_falls_back_on_lower_case():
    assert _tokenize("N0450F350 abcde")[0] == FALLBACK
