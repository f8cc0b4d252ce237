"""Designator matching: an open-addressing hash table of byte strings for Numba kernels.

A :class:`StringTable` maps each string of a list to its index in that list, the way a Python
``dict`` would. Kernels look up a designator by its byte span in a text buffer without creating
a string. The table of the navigation data maps designators to the ids of
:attr:`fpp.navdata.store.NavData.names`.

A :class:`PackedTable` is faster for short strings: a string of up to 7 ASCII bytes is packed,
with its length, into one int64, so that a probe compares one integer; longer strings go through
its :class:`StringTable`.

The hashes are multiplicative and kept to 61 bits. Numba's int64 arithmetic wraps on overflow
where Python's integers grow, but the low 61 bits of the product are the same in both, so the
kernel and its pure-Python run (``NUMBA_DISABLE_JIT=1``) agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from fpp.kernels._jit import kernel

__all__ = [
    "PackedTable",
    "StringTable",
    "all_digits",
    "build_packed_table",
    "build_string_table",
    "find",
    "is_digit",
    "is_upper",
    "lookup",
    "match_designators",
    "match_designators_python",
    "pack",
    "read_digits",
]

_HASH_MASK = (1 << 61) - 1
_HASH_MULTIPLIER = 1_000_003


class StringTable(NamedTuple):
    """Strings packed as bytes with a hash index.

    Attributes
    ----------
    pool
        The strings' ASCII bytes, concatenated.
    offsets
        CSR offsets of string ``i`` in ``pool``.
    slots
        Hash slots holding a string index or -1; the length is a power of two.
    """

    pool: np.ndarray
    offsets: np.ndarray
    slots: np.ndarray


@kernel
def _hash(buffer: np.ndarray, start: int, end: int) -> int:
    h = 0
    for k in range(start, end):
        h = (h * _HASH_MULTIPLIER + int(buffer[k]) + 1) & _HASH_MASK
    return h ^ (h >> 29)


def build_string_table(strings: Sequence[str]) -> StringTable:
    """Build a table mapping each of ``strings`` to its index.

    A repeated string keeps its first index, as ``{s: i for i, s in reversed(...)}`` would.

    Raises
    ------
    ValueError
        When a string is not ASCII.
    """
    encoded = [s.encode("ascii") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(b) for b in encoded])
    pool = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
    size = 16
    while size < 2 * max(len(encoded), 1):
        size *= 2
    slots = np.full(size, -1, dtype=np.int64)
    first: dict[bytes, int] = {}
    for index, value in enumerate(encoded):
        first.setdefault(value, index)
    _fill_unique(pool, offsets, slots, np.array(sorted(first.values()), dtype=np.int64))
    return StringTable(pool, offsets, slots)


@kernel
def _fill_unique(pool: np.ndarray, offsets: np.ndarray, slots: np.ndarray, indices: np.ndarray) -> None:
    mask = len(slots) - 1
    for index in indices:
        slot = _hash(pool, offsets[index], offsets[index + 1]) & mask
        while slots[slot] != -1:
            slot = (slot + 1) & mask
        slots[slot] = index


@kernel
def lookup(table: StringTable, buffer: np.ndarray, start: int, end: int) -> int:
    """Index of the string ``buffer[start:end]`` in the table, or -1."""
    mask = len(table.slots) - 1
    slot = _hash(buffer, start, end) & mask
    length = end - start
    while True:
        index = table.slots[slot]
        if index < 0:
            return -1
        first = table.offsets[index]
        if table.offsets[index + 1] - first == length:
            equal = True
            for k in range(length):
                if table.pool[first + k] != buffer[start + k]:
                    equal = False
                    break
            if equal:
                return index
        slot = (slot + 1) & mask


class PackedTable(NamedTuple):
    """Strings mapped to their index, with short strings packed into integer keys.

    Attributes
    ----------
    keys
        Packed key of the string in each slot, or -1; the length is a power of two.
    values
        Index of the string in each slot.
    bits
        Base-2 logarithm of the number of slots.
    long
        Table of every string, used for strings of 8 bytes or more and for the empty string.
    """

    keys: np.ndarray
    values: np.ndarray
    bits: int
    long: StringTable


_PACK_MULTIPLIER = 0x4F1BBCDCBFA53E0B
_MAX_PACKED = 7


@kernel
def pack(buffer: np.ndarray, start: int, end: int) -> int:
    """Packed key of ``buffer[start:end]`` (at most 7 bytes): the length, then the bytes."""
    key = end - start
    for k in range(start, end):
        key = key * 256 + int(buffer[k])
    return key


@kernel
def _slot(key: int, bits: int) -> int:
    return ((int(key) * _PACK_MULTIPLIER) & _HASH_MASK) >> (61 - bits)


def build_packed_table(strings: Sequence[str]) -> PackedTable:
    """Build a :class:`PackedTable` mapping each of ``strings`` to its first index.

    Raises
    ------
    ValueError
        When a string is not ASCII.
    """
    long = build_string_table(strings)
    bits = 4
    while (1 << bits) < 2 * max(len(strings), 1):
        bits += 1
    keys = np.full(1 << bits, -1, dtype=np.int64)
    values = np.full(1 << bits, -1, dtype=np.int64)
    seen: set[bytes] = set()
    for index, value in enumerate(strings):
        encoded = value.encode("ascii")
        if not 1 <= len(encoded) <= _MAX_PACKED or encoded in seen:
            continue
        seen.add(encoded)
        key = pack(np.frombuffer(encoded, dtype=np.uint8), 0, len(encoded))
        slot = _slot(key, bits)
        while keys[slot] != -1:
            slot = (slot + 1) & ((1 << bits) - 1)
        keys[slot] = key
        values[slot] = index
    return PackedTable(keys, values, bits, long)


@kernel
def find(table: PackedTable, buffer: np.ndarray, start: int, end: int) -> int:
    """Index of the string ``buffer[start:end]`` in the table, or -1."""
    length = end - start
    if length < 1 or length > _MAX_PACKED:
        return lookup(table.long, buffer, start, end)
    key = pack(buffer, start, end)
    mask = len(table.keys) - 1
    slot = _slot(key, table.bits)
    while True:
        found = table.keys[slot]
        if found == key:
            return table.values[slot]
        if found == -1:
            return -1
        slot = (slot + 1) & mask


@kernel
def match_designators(table: PackedTable, buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray, out: np.ndarray) -> None:
    """Look up every span ``buffer[starts[i]:ends[i]]``; write the index or -1 to ``out[i]``."""
    for i in range(len(starts)):
        out[i] = find(table, buffer, starts[i], ends[i])


def match_designators_python(strings: Sequence[str], buffer: bytes, starts: Sequence[int], ends: Sequence[int]) -> list[int]:
    """Look up the spans in a ``dict`` from each string to its first index: the twin of :func:`match_designators`."""
    index: dict[bytes, int] = {}
    for i, value in enumerate(strings):
        index.setdefault(value.encode("ascii"), i)
    return [index.get(bytes(buffer[s:e]), -1) for s, e in zip(starts, ends)]


# -- ASCII bytes ----------------------------------------------------------------------------------


@kernel
def is_digit(c: int) -> bool:
    """Return whether the byte ``c`` is an ASCII digit."""
    return 48 <= c <= 57


@kernel
def is_upper(c: int) -> bool:
    """Return whether the byte ``c`` is an ASCII upper-case letter."""
    return 65 <= c <= 90


@kernel
def read_digits(buffer: np.ndarray, start: int, count: int) -> int:
    """Return the value of the ``count`` ASCII digits from ``buffer[start]``, which the caller has checked."""
    value = 0
    for k in range(start, start + count):
        value = value * 10 + (int(buffer[k]) - 48)
    return value


@kernel
def all_digits(buffer: np.ndarray, start: int, end: int) -> bool:
    """Return whether ``buffer[start:end]`` contains ASCII digits only (true when it is empty)."""
    for k in range(start, end):
        if not is_digit(buffer[k]):
            return False
    return True
