"""Tests of NavData.to_arrays and NavData.from_arrays on a small store."""

from __future__ import annotations

import io

import numpy as np
import pytest

from fpp.navdata import Airspace, NavData, PointKind


def small_store() -> NavData:
    nav = NavData(source="test store")
    a = nav.add_point("ALPHA", 50.0, 0.0, PointKind.FIX)
    b = nav.add_point("BRAVO", 51.0, 0.5, PointKind.VOR, "BRAVO VOR-DME")
    c = nav.add_point("ALPHA", -30.0, 120.0, PointKind.NDB, "ALPHA NDB")
    d = nav.add_point("EGLL", 51.4775, -0.461389, PointKind.AIRPORT, "London Heathrow")
    nav.add_airway("Q1", [a, b, d])
    nav.add_airway("A1", [c, a])
    nav.add_airway("Q1", [c, b])
    square = (np.array([50.0, 50.0, 55.0, 55.0]), np.array([0.0, 10.0, 10.0, 0.0]))
    nav.add_airspace(Airspace("SQFIR", [square], 0, 245, "Square"))
    first = (np.array([1.0, 1.0, 2.0]), np.array([1.0, 2.0, 2.0]))
    second = (np.array([5.0, 5.0, 6.0]), np.array([5.0, 6.0, 6.0]))
    nav.add_airspace(Airspace("TWO", [first, second]))
    return nav


def assert_same_arrays(first: dict[str, np.ndarray], second: dict[str, np.ndarray]) -> None:
    assert sorted(first) == sorted(second)
    for key in first:
        assert first[key].dtype == second[key].dtype, key
        np.testing.assert_array_equal(first[key], second[key], err_msg=key)


def test_arrays_round_trip_equal() -> None:
    nav = small_store()
    arrays = nav.to_arrays()

    rebuilt = NavData.from_arrays(arrays)

    assert_same_arrays(arrays, rebuilt.to_arrays())


def test_arrays_round_trip_queries() -> None:
    nav = small_store()
    buffer = io.BytesIO()
    np.savez(buffer, **nav.to_arrays())
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as stored:
        rebuilt = NavData.from_arrays({key: stored[key] for key in stored.files})

    assert rebuilt.source == "test store"
    assert len(rebuilt) == len(nav)
    assert rebuilt.candidates("ALPHA").tolist() == nav.candidates("ALPHA").tolist()
    assert rebuilt.point_label(1) == "BRAVO VOR-DME"
    assert rebuilt.airport("EGLL") == 3
    assert list(rebuilt.airway_names()) == ["Q1", "A1"]
    assert [p.tolist() for p in rebuilt.airway_pieces("Q1")] == [[0, 1, 3], [2, 1]]
    assert rebuilt.airway_piece_names == nav.airway_piece_names
    assert rebuilt.airspaces["SQFIR"].name == "Square"
    assert (rebuilt.airspaces["SQFIR"].lower_fl, rebuilt.airspaces["SQFIR"].upper_fl) == (0, 245)
    assert len(rebuilt.airspaces["TWO"].rings) == 2
    np.testing.assert_array_equal(rebuilt.airspaces["TWO"].rings[1][1], [5.0, 6.0, 6.0])


def test_arrays_rebuilt_store_accepts_more_points() -> None:
    rebuilt = NavData.from_arrays(small_store().to_arrays())

    assert rebuilt.add_point("ALPHA", 50.001, 0.0) == 0
    index = rebuilt.add_point("CHARLIE", 40.0, 0.0)
    assert index == 4
    assert rebuilt.find_point("ALPHA", -30.0, 120.0) == 2


def test_arrays_empty_store() -> None:
    rebuilt = NavData.from_arrays(NavData().to_arrays())
    assert len(rebuilt) == 0
    assert list(rebuilt.airway_names()) == []
    assert rebuilt.airspaces == {}


def test_arrays_other_layout_rejected() -> None:
    arrays = small_store().to_arrays()
    arrays["format"] = np.array([999], dtype=np.int64)
    with pytest.raises(ValueError, match="layout 999"):
        NavData.from_arrays(arrays)


def test_arrays_newline_in_label_rejected() -> None:
    nav = NavData()
    nav.add_point("ALPHA", 50.0, 0.0, PointKind.VOR, "TWO\nLINES")
    with pytest.raises(ValueError, match="newline"):
        nav.to_arrays()


def test_find_point_latitude_prefilter() -> None:
    nav = NavData()
    near = nav.add_point("ALPHA", 50.0, 0.0)
    nav.add_point("ALPHA", 50.5, 0.0)
    assert nav.find_point("ALPHA", 50.0 + 0.9 / 60.0, 0.0) == near
    assert nav.find_point("ALPHA", 50.0 + 1.1 / 60.0, 0.0) is None
    assert nav.find_point("ALPHA", 50.0 + 1.1 / 60.0, 0.0, within_nm=2.0) == near
