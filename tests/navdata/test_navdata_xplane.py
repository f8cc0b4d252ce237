"""Tests of the X-Plane style readers on small files written by the tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from random import Random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fpp.errors import NavDataError
from fpp.navdata import (
    NavData,
    PointKind,
    chain_segments,
    load_airports_csv,
    load_awy,
    load_directory,
    load_fix,
    load_nav,
)

COPYRIGHT = "Copyright \u00a9 2013, test data."

NAV_ROWS = [
    "I",
    f"810 Version - data cycle test, metadata NavXP810.  {COPYRIGHT}",
    "",
    # Two NDBs BM in one region: en-route at 62N 155E, terminal at 69N 170E.
    "2  62.00000000  155.00000000      0   396  50    0.0 BM   ENROUTE NDB",
    "2  69.00000000  170.00000000      0   398  25    0.0 BM   TERMINAL NDB",
    # Three VORs DVL on three continents; two of them have a DME at the same place.
    "3  49.31075000  000.31272200    497 11020  60   -3.0 DVL  DEAUVILLE SAINT GATIEN VOR",
    "3  48.11522222 -098.91250000   1448 11100  40    7.0 DVL  DEVILS LAKE VOR-DME",
    "3 -13.81259500  033.80782200   4035 11490 200   -5.4 DVL  LILONGWE VOR-DME",
    "12  48.11521667 -098.91250833   1448 11100  40    0.0 DVL  DEVILS LAKE VOR-DME",
    "12 -13.81259500  033.80782200   4035 11490 200    0.0 DVL  LILONGWE VOR-DME",
    # ILS, localiser, glide slope, marker and ILS DME rows are not significant points.
    "4  47.42939200 -122.30805600    338 11030  18     -16.000 ISNQ KSEA 34L ILS-cat-I",
    "5  47.42939200 -122.30805600    338 11030  18     -16.000 ILOC KSEA 34L LOC",
    "6  47.46081700 -122.30775900    425 11030  10  300016.000 ISNQ KSEA 34L GS",
    "7  47.37916700 -122.30805600    429     0   0     -16.000 ---- KSEA 34L OM",
    "8  47.37916700 -122.30805600    429     0   0     -16.000 ---- KSEA 34L MM",
    "9  47.37916700 -122.30805600    429     0   0     -16.000 ---- KSEA 34L IM",
    "12  47.43433900 -122.30645800    363 11030  18     -16.000 ISNQ KSEA 34L DME-ILS",
    "13  29.46336100  060.90433300   4509 11290 130    0.0 ZAH  ZAHEDAN TACAN",
    "13  49.20933100  007.39577800   1201 10910  25    0.0 ZND  ZWEIBRUCKEN DME",
    "99",
    "3  10.0 10.0 0 0 0 0.0 AFTER ROW AFTER THE END MARKER",
]

FIX_ROWS = [
    "I",
    f"600 Version - data cycle test, metadata FixXP700.  {COPYRIGHT}",
    "",
    " 61.000000  150.000000 AAAAA",
    " 63.000000  160.000000 CCCCC",
    " 49.310750  000.312722 DVL",
    " 50.000000  000.000000 P1",
    " 51.000000  000.000000 P2",
    " 52.000000  000.000000 P3",
    " 53.000000  000.000000 P4",
    "99",
]

AIRPORT_ROWS = [
    "# code,name,lat,lon,class,maxrunway, country code, elevation in sft",
    "EGLL, London Heathrow, 51.4775, -0.461389, Large, 12799, UK,83",
    "ZZCM, Foo, Bar Airport, 10.5, 20.25, Small, , XX, ",
]

SEGMENT_AIRWAY_ROWS = [
    "I",
    f"640 Version - data cycle test, metadata AwyXP700.  {COPYRIGHT}",
    "",
    # E06: the airway names BM at the en-route NDB's coordinates.
    "AAAAA  61.000000  150.000000 BM     62.000000  155.000000 1 050 450 A9",
    "BM     62.000000  155.000000 CCCCC  63.000000  160.000000 1 050 450 A9",
    # Names joined by '-', one with a space; the same segment listed again as high airway.
    "P1     50.000000  000.000000 P2     51.000000  000.000000 1 095 195 M871-MT E-N4",
    "P1     50.000000  000.000000 P2     51.000000  000.000000 2 150 270 MT E",
    # Segments of one path listed out of order and in both directions.
    "P3     52.000000  000.000000 P4     53.000000  000.000000 2 195 460 UN1",
    "P2     51.000000  000.000000 P1     50.000000  000.000000 2 195 460 UN1",
    "P2     51.000000  000.000000 P3     52.000000  000.000000 2 195 460 UN1",
    # A branching airway: X2 has three segments.
    "X1     40.000000  010.000000 X2     40.500000  010.000000 1 050 450 B1",
    "X2     40.500000  010.000000 X3     41.000000  010.000000 1 050 450 B1",
    "X2     40.500000  010.000000 X4     40.500000  010.500000 1 050 450 B1",
    "99",
]

SEQUENCE_AIRWAY_ROWS = [
    "A9 001 AAAAA 61.000000 150.000000",
    "A9 002 BM 62.000000 155.000000",
    "A9 003 CCCCC 63.000000 160.000000",
    # L1 is reused about 5,300 km away: the second half must be a second piece.
    "L1 001 P1 50.000000 0.000000",
    "L1 002 P2 51.000000 0.000000",
    "L1 003 Q1 20.000000 50.000000",
    "L1 004 Q2 20.500000 50.000000",
    # The sequence number restarts: a new piece even though the points are close.
    "L2 001 P1 50.000000 0.000000",
    "L2 002 P2 51.000000 0.000000",
    "L2 001 P3 52.000000 0.000000",
    "L2 002 P4 53.000000 0.000000",
]


def write_lines(path: Path, rows: list[str], newline: str = "\n") -> Path:
    """Write ``rows`` as latin-1 text with the given line end."""
    path.write_bytes(newline.join(rows + [""]).encode("latin-1"))
    return path


def names_of(nav: NavData, piece: np.ndarray) -> list[str]:
    return [nav.point_name(int(i)) for i in piece]


@pytest.fixture
def nav(tmp_path: Path) -> NavData:
    """A store with the navaid, fix and airport fixtures loaded."""
    store = NavData()
    load_nav(store, write_lines(tmp_path / "nav.dat", NAV_ROWS))
    load_fix(store, write_lines(tmp_path / "fix.dat", FIX_ROWS))
    load_airports_csv(store, write_lines(tmp_path / "airports.dat", AIRPORT_ROWS))
    return store


# Navaids, fixes and airports -------------------------------------------------------------------


def test_nav_vor_and_dme_merge(nav: NavData) -> None:
    devils_lake = [i for i in nav.candidates("DVL") if nav.position(i)[1] < -90]
    assert len(devils_lake) == 1
    assert nav.kind[devils_lake[0]] == PointKind.VOR
    assert nav.point_label(devils_lake[0]) == "DEVILS LAKE VOR-DME"


def test_nav_triple_ident_three_candidates(nav: NavData) -> None:
    positions = sorted(nav.position(i) for i in nav.candidates("DVL"))
    assert len(positions) == 3
    assert positions[0] == pytest.approx((-13.812595, 33.807822))
    assert positions[1] == pytest.approx((48.11522222, -98.9125))
    assert positions[2] == pytest.approx((49.31075, 0.312722))


def test_nav_fix_at_navaid_merges(nav: NavData) -> None:
    deauville = [i for i in nav.candidates("DVL") if nav.position(i)[0] > 49]
    assert len(deauville) == 1
    assert nav.kind[deauville[0]] == PointKind.VOR


def test_nav_row_kinds(nav: NavData) -> None:
    assert [int(nav.kind[i]) for i in nav.candidates("BM")] == [PointKind.NDB, PointKind.NDB]
    assert nav.kind[nav.candidates("ZAH")[0]] == PointKind.TACAN
    assert nav.kind[nav.candidates("ZND")[0]] == PointKind.DME
    assert nav.point_label(nav.candidates("ZND")[0]) == "ZWEIBRUCKEN DME"


def test_nav_skips_landing_aids(nav: NavData) -> None:
    for ident in ("ISNQ", "ILOC", "----"):
        assert not nav.is_point(ident)


def test_nav_stops_at_end_marker(nav: NavData) -> None:
    assert not nav.is_point("AFTER")


def test_fix_rows(nav: NavData) -> None:
    (index,) = nav.candidates("AAAAA")
    assert nav.position(index) == (61.0, 150.0)
    assert nav.kind[index] == PointKind.FIX


def test_airports_csv(nav: NavData) -> None:
    heathrow = nav.airport("EGLL")
    assert heathrow is not None
    assert nav.position(heathrow) == (51.4775, -0.461389)
    assert nav.point_label(heathrow) == "London Heathrow"
    assert nav.kind[heathrow] == PointKind.AIRPORT


def test_airports_csv_name_with_comma(nav: NavData) -> None:
    index = nav.airport("ZZCM")
    assert index is not None
    assert nav.position(index) == (10.5, 20.25)
    assert nav.point_label(index) == "Foo, Bar Airport"


def test_airport_merging_into_fix_is_registered(tmp_path: Path) -> None:
    store = NavData()
    load_fix(store, write_lines(tmp_path / "fix.dat", [" 51.477500 -000.461389 EGLL"]))
    load_airports_csv(store, write_lines(tmp_path / "airports.dat", AIRPORT_ROWS[:2]))
    assert len(store.candidates("EGLL")) == 1
    assert store.airport("EGLL") == store.candidates("EGLL")[0]
    assert store.kind[store.airport("EGLL")] == PointKind.AIRPORT


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_crlf_and_lf_read_the_same(tmp_path: Path, newline: str) -> None:
    store = NavData()
    load_nav(store, write_lines(tmp_path / "nav.dat", NAV_ROWS, newline))
    load_fix(store, write_lines(tmp_path / "fix.dat", FIX_ROWS, newline))
    assert len(store.candidates("DVL")) == 3
    assert store.point_label(store.candidates("ZND")[0]) == "ZWEIBRUCKEN DME"
    assert store.is_point("P4")


# Invalid rows ----------------------------------------------------------------------------------


NDB_GOOD1 = "2 10.0 20.0 0 300 50 0.0 GOOD1 G NDB"
NDB_GOOD2 = "2 11.0 20.0 0 300 50 0.0 GOOD2 G"
AIRPORT_GOOD1 = "GOOD1, One, 10.0, 20.0, Small, , XX, "
AIRPORT_GOOD2 = "GOOD2, Two, 11.0, 20.0, Small, , XX, "


@pytest.mark.parametrize(
    ("loader", "rows", "bad_line"),
    [
        (load_fix, ["I", "600 Version - x", " 10.0 20.0 GOOD1", " 1O.0 20.0 BAD", " 11.0 20.0 GOOD2"], 4),
        (load_fix, [" 10.0 20.0 GOOD1", " 95.0 20.0 NORTH", " 11.0 20.0 GOOD2"], 2),
        (load_fix, [" 10.0 20.0 GOOD1", " 10.0", " 11.0 20.0 GOOD2"], 2),
        (load_nav, [NDB_GOOD1, "X 10.0 20.0 0 300 50 0.0 BAD B", NDB_GOOD2], 2),
        (load_nav, [NDB_GOOD1, "", "3 10.0 200.0 0 300 50 0.0 BAD B", NDB_GOOD2], 3),
        (load_nav, [NDB_GOOD1, "3 10.0 20.0 0", NDB_GOOD2], 2),
        (load_airports_csv, [AIRPORT_GOOD1, "BADX, Bad, north, 20.0, Small, , XX, ", AIRPORT_GOOD2], 2),
        (load_airports_csv, [AIRPORT_GOOD1, "BADX, 10.0, 20.0", AIRPORT_GOOD2], 2),
    ],
)
def test_invalid_row_strict_and_lenient(
    tmp_path: Path, loader: Callable[..., int], rows: list[str], bad_line: int
) -> None:
    path = write_lines(tmp_path / "data.dat", rows, "\r\n")

    with pytest.raises(NavDataError) as raised:
        loader(NavData(), path)
    assert raised.value.path == str(path)
    assert raised.value.line == bad_line
    assert f"{path}:{bad_line}:" in str(raised.value)

    store = NavData()
    assert loader(store, path, strict=False) == 1
    assert store.is_point("GOOD1")
    assert store.is_point("GOOD2")


@pytest.mark.parametrize(
    ("rows", "bad_line"),
    [
        ([*SEGMENT_AIRWAY_ROWS[:4], "AAAAA 61.0 150.0 BM 62.0 155.0 1 050 450", *SEGMENT_AIRWAY_ROWS[4:]], 5),
        ([*SEGMENT_AIRWAY_ROWS[:4], "AAAAA 61.0 east BM 62.0 155 1 050 450 A9", *SEGMENT_AIRWAY_ROWS[4:]], 5),
        ([*SEQUENCE_AIRWAY_ROWS[:2], "A9 003 CCCCC 63.0", *SEQUENCE_AIRWAY_ROWS[3:]], 3),
        ([*SEQUENCE_AIRWAY_ROWS[:2], "A9 00X CCCCC 63.0 160.0", *SEQUENCE_AIRWAY_ROWS[3:]], 3),
    ],
)
def test_invalid_airway_row(tmp_path: Path, rows: list[str], bad_line: int) -> None:
    path = write_lines(tmp_path / "awy.dat", rows)

    with pytest.raises(NavDataError) as raised:
        load_awy(NavData(), path)
    assert raised.value.line == bad_line

    store = NavData()
    assert load_awy(store, path, strict=False) == 1
    assert store.is_airway("A9")


def test_unrecognised_airway_layout(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "awy.dat", ["I", "640 Version - x", "", "A9 AAAAA 61.0 150.0"])
    with pytest.raises(NavDataError) as raised:
        load_awy(NavData(), path)
    assert raised.value.line == 4


# Segment-style airways -------------------------------------------------------------------------


@pytest.fixture
def segment_nav(nav: NavData, tmp_path: Path) -> NavData:
    load_awy(nav, write_lines(tmp_path / "awy.dat", SEGMENT_AIRWAY_ROWS, "\r\n"))
    return nav


def test_segment_airway_binds_by_coordinates(segment_nav: NavData) -> None:
    (piece,) = segment_nav.airway_pieces("A9")
    assert names_of(segment_nav, piece) == ["AAAAA", "BM", "CCCCC"]
    assert segment_nav.position(int(piece[1])) == (62.0, 155.0)
    assert len(segment_nav.candidates("BM")) == 2


def test_segment_airway_joined_names(segment_nav: NavData) -> None:
    for name in ("M871", "MT E", "N4"):
        (piece,) = segment_nav.airway_pieces(name)
        assert names_of(segment_nav, piece) == ["P1", "P2"]
    assert not segment_nav.is_airway("M871-MT E-N4")
    assert not segment_nav.is_airway("MT")


def test_segment_airway_ordered_path(segment_nav: NavData) -> None:
    (piece,) = segment_nav.airway_pieces("UN1")
    assert names_of(segment_nav, piece) == ["P1", "P2", "P3", "P4"]


def test_segment_airway_branch_split(segment_nav: NavData) -> None:
    pieces = sorted(names_of(segment_nav, piece) for piece in segment_nav.airway_pieces("B1"))
    assert pieces == [["X1", "X2"], ["X2", "X3"], ["X2", "X4"]]


def test_segment_airway_adds_unknown_points(segment_nav: NavData) -> None:
    for name in ("X1", "X2", "X3", "X4"):
        (index,) = segment_nav.candidates(name)
        assert segment_nav.kind[index] == PointKind.FIX


# One-point-per-line airways --------------------------------------------------------------------


@pytest.fixture
def sequence_nav(nav: NavData, tmp_path: Path) -> NavData:
    load_awy(nav, write_lines(tmp_path / "earth_awy.dat", SEQUENCE_AIRWAY_ROWS, "\r\n"))
    return nav


def test_sequence_airway_binds_by_coordinates(sequence_nav: NavData) -> None:
    (piece,) = sequence_nav.airway_pieces("A9")
    assert names_of(sequence_nav, piece) == ["AAAAA", "BM", "CCCCC"]
    assert sequence_nav.position(int(piece[1])) == (62.0, 155.0)


def test_sequence_airway_distant_reuse(sequence_nav: NavData) -> None:
    pieces = [names_of(sequence_nav, piece) for piece in sequence_nav.airway_pieces("L1")]
    assert pieces == [["P1", "P2"], ["Q1", "Q2"]]


def test_sequence_airway_restart(sequence_nav: NavData) -> None:
    pieces = [names_of(sequence_nav, piece) for piece in sequence_nav.airway_pieces("L2")]
    assert pieces == [["P1", "P2"], ["P3", "P4"]]


def test_sequence_airway_reuses_fix_points(sequence_nav: NavData) -> None:
    assert len(sequence_nav.candidates("P1")) == 1
    assert len(sequence_nav.candidates("Q1")) == 1


# Folders ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "airway_rows"),
    [
        (("nav.dat", "fix.dat", "awy.dat"), SEGMENT_AIRWAY_ROWS),
        (("earth_nav.dat", "earth_fix.dat", "earth_awy.dat"), SEQUENCE_AIRWAY_ROWS),
    ],
)
def test_load_directory_naming_schemes(
    tmp_path: Path, names: tuple[str, str, str], airway_rows: list[str]
) -> None:
    write_lines(tmp_path / names[0], NAV_ROWS)
    write_lines(tmp_path / names[1], FIX_ROWS)
    write_lines(tmp_path / names[2], airway_rows)

    store = load_directory(tmp_path)

    assert store.source == str(tmp_path)
    assert len(store.candidates("DVL")) == 3
    assert names_of(store, store.airway_pieces("A9")[0]) == ["AAAAA", "BM", "CCCCC"]
    assert store.airport("EGLL") is None


def test_load_directory_airports_optional(tmp_path: Path) -> None:
    write_lines(tmp_path / "nav.dat", NAV_ROWS)
    write_lines(tmp_path / "fix.dat", FIX_ROWS)
    write_lines(tmp_path / "awy.dat", SEGMENT_AIRWAY_ROWS)
    write_lines(tmp_path / "airports.dat", AIRPORT_ROWS)
    assert load_directory(tmp_path).airport("EGLL") is not None


def test_load_directory_missing_file(tmp_path: Path) -> None:
    write_lines(tmp_path / "nav.dat", NAV_ROWS)
    write_lines(tmp_path / "fix.dat", FIX_ROWS)
    with pytest.raises(NavDataError, match="earth_awy.dat or awy.dat"):
        load_directory(tmp_path)


def test_load_directory_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(NavDataError, match="not found"):
        load_directory(tmp_path / "absent")


# Chaining segments -----------------------------------------------------------------------------


def test_chain_segments_loop() -> None:
    assert chain_segments([(1, 2), (2, 3), (3, 1)]) == [[1, 2, 3, 1]]


def test_chain_segments_loop_on_branch_point() -> None:
    pieces = chain_segments([(0, 1), (1, 2), (2, 3), (3, 1)])
    assert pieces == [[0, 1], [1, 2, 3, 1]]


def test_chain_segments_two_components() -> None:
    assert chain_segments([(5, 6), (1, 2), (2, 3)]) == [[1, 2, 3], [5, 6]]


def test_chain_segments_ignores_duplicates() -> None:
    assert chain_segments([(1, 2), (2, 1), (1, 2), (3, 3)]) == [[1, 2]]


@given(st.permutations(list(range(12))), st.randoms(use_true_random=False), st.integers(2, 12))
def test_chain_segments_path_any_order(order: list[int], random: Random, length: int) -> None:
    path = order[:length]
    segments = [(a, b) if random.random() < 0.5 else (b, a) for a, b in zip(path[:-1], path[1:])]
    random.shuffle(segments)

    (piece,) = chain_segments(segments)

    assert piece in (path, path[::-1])
    assert piece[0] == min(path[0], path[-1])


@given(st.lists(st.integers(0, 30), min_size=1, max_size=40))
def test_chain_segments_tree_covers_segments(parents: list[int]) -> None:
    # Node k + 1 hangs below an earlier node: a random tree.
    segments = [(parent % (k + 1), k + 1) for k, parent in enumerate(parents)]
    degree: dict[int, int] = {}
    for a, b in segments:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1

    pieces = chain_segments(segments)

    covered = [tuple(sorted(pair)) for piece in pieces for pair in zip(piece[:-1], piece[1:])]
    assert sorted(covered) == sorted(tuple(sorted(pair)) for pair in segments)
    for piece in pieces:
        assert len(set(piece)) == len(piece)
        assert all(degree[point] == 2 for point in piece[1:-1])
        assert degree[piece[0]] != 2
        assert degree[piece[-1]] != 2
