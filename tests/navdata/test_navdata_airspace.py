"""Tests of the airspace readers and ring normalisation on small files written by the tests."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fpp.errors import NavDataError
from fpp.navdata import (
    NavData,
    load_bluesky_fir,
    load_bluesky_fir_dir,
    load_geojson,
    load_polyalt_scn,
    normalise_ring,
)

#: The square FIR of the boundary edge cases: 50N 000E, 50N 010E, 55N 010E, 55N 000E.
SQUARE_LAT = [50.0, 50.0, 55.0, 55.0]
SQUARE_LON = [0.0, 10.0, 10.0, 0.0]


def assert_square(lat: np.ndarray, lon: np.ndarray) -> None:
    assert lat.tolist() == SQUARE_LAT
    assert lon.tolist() == SQUARE_LON


# Ring normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (SQUARE_LAT, SQUARE_LON),
        (SQUARE_LAT + [50.0], SQUARE_LON + [0.0]),
        (SQUARE_LAT[::-1], SQUARE_LON[::-1]),
        ([55.0, 55.0, 50.0, 50.0, 55.0], [10.0, 0.0, 0.0, 10.0, 10.0]),
        ([50.0, 50.0, 50.0, 55.0, 55.0, 55.0, 50.0, 50.0], [0.0, 10.0, 10.0, 10.0, 0.0, 0.0, 0.0, 0.0]),
    ],
)
def test_normalise_ring_square_variants(lat: list[float], lon: list[float]) -> None:
    assert_square(*normalise_ring(lat, lon))


def test_normalise_ring_across_antimeridian() -> None:
    lat, lon = normalise_ring([10.0, 20.0, 20.0, 10.0], [179.0, 179.0, -179.0, -179.0])
    # The south-east corner (10N 179W) comes first, then the ring runs north, west, south.
    assert lat.tolist() == [10.0, 20.0, 20.0, 10.0]
    assert lon.tolist() == [-179.0, -179.0, 179.0, 179.0]


def test_normalise_ring_around_pole() -> None:
    west = [-180.0 + 45.0 * k for k in range(8)]
    lat_east, lon_east = normalise_ring([80.0] * 8, west)
    lat_west, lon_west = normalise_ring([80.0] * 8, west[::-1])
    assert lon_east.tolist() == lon_west.tolist()
    assert lat_east.tolist() == lat_west.tolist()
    assert lon_east[1] > lon_east[0]


def test_normalise_ring_too_few_vertices() -> None:
    with pytest.raises(ValueError, match="three distinct vertices"):
        normalise_ring([50.0, 51.0, 50.0], [0.0, 1.0, 0.0])


@given(
    st.lists(st.floats(0.0, 2 * math.pi, exclude_max=True), min_size=3, max_size=20, unique=True),
    st.integers(0, 40),
    st.booleans(),
    st.booleans(),
    st.integers(0, 19),
)
def test_normalise_ring_ignores_order(
    angles: list[float], shift: int, reverse: bool, close: bool, repeat: int
) -> None:
    angles = sorted({round(a, 3) for a in angles})
    if len(angles) < 3:
        return
    lat = [50.0 + 2.0 * math.sin(a) for a in angles]
    lon = [5.0 + 3.0 * math.cos(a) for a in angles]
    expected_lat, expected_lon = normalise_ring(lat, lon)

    shift %= len(lat)
    lat, lon = lat[shift:] + lat[:shift], lon[shift:] + lon[:shift]
    if reverse:
        lat, lon = lat[::-1], lon[::-1]
    repeat %= len(lat)
    lat.insert(repeat, lat[repeat])
    lon.insert(repeat, lon[repeat])
    if close:
        lat, lon = lat + [lat[0]], lon + [lon[0]]
    got_lat, got_lon = normalise_ring(lat, lon)

    assert got_lat.tolist() == expected_lat.tolist()
    assert got_lon.tolist() == expected_lon.tolist()


# BlueSky FIR files -----------------------------------------------------------------------------


FIR_SEGMENT_PAIRS = """\
N050.00.00.000 E000.00.00.000 \r
N050.00.00.000 E010.00.00.000 \r
N050.00.00.000 E010.00.00.000 \r
N055.00.00.000 E010.00.00.000 \r
N055.00.00.000 E010.00.00.000 \r
N055.00.00.000 E000.00.00.000 \r
N055.00.00.000 E000.00.00.000 \r
N050.00.00.000 E000.00.00.000 \r
"""

FIR_TWO_PER_LINE = """\
N050.00.00.000 E000.00.00.000 N055.00.00.000 E000.00.00.000
N055.00.00.000 E000.00.00.000 N055.00.00.000 E010.00.00.000
N055.00.00.000 E010.00.00.000
N050.00.00.000 E010.00.00.000
"""


@pytest.mark.parametrize("text", [FIR_SEGMENT_PAIRS, FIR_TWO_PER_LINE])
def test_bluesky_fir_layouts(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sqfir.txt"
    path.write_bytes(text.encode("latin-1"))

    airspace = load_bluesky_fir(path)

    assert airspace.ident == "SQFIR"
    assert (airspace.lower_fl, airspace.upper_fl) == (0, 999)
    (ring,) = airspace.rings
    assert_square(*ring)


def test_bluesky_fir_minutes_and_seconds(tmp_path: Path) -> None:
    path = tmp_path / "EGXX.txt"
    path.write_text(
        "S051.05.30.500 W002.30.00.000\n"
        "S051.00.00.000 W001.00.00.000\n"
        "S050.00.00.000 W001.30.00.000\n"
    )
    (ring,) = load_bluesky_fir(path).rings
    assert -51.0 - 5.0 / 60 - 30.5 / 3600 == pytest.approx(ring[0][0])
    assert ring[1][0] == pytest.approx(-2.5)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("N050.00.00.000 E000.00.00.000\nN050.00.00.000\n", 2),
        ("N050.00.00.000 E000.00.00.000\nN050.61.00.000 E000.00.00.000\n", 2),
        ("N050.00.00.000 E000.00.00.000\nE050.00.00.000 N000.00.00.000\n", 2),
        ("N050.00.00.000 E000.00.00.000\nN050.00.00.000 E000.00.00\n", None),
    ],
)
def test_bluesky_fir_invalid(tmp_path: Path, text: str, line: int | None) -> None:
    path = tmp_path / "BAD.txt"
    path.write_text(text)
    with pytest.raises(NavDataError) as raised:
        load_bluesky_fir(path)
    assert raised.value.path == str(path)
    assert raised.value.line == line


def test_bluesky_fir_dir(tmp_path: Path) -> None:
    (tmp_path / "SQFIR.txt").write_text(FIR_SEGMENT_PAIRS)
    (tmp_path / "ABCD.txt").write_text(FIR_TWO_PER_LINE)
    (tmp_path / "notes.md").write_text("not a boundary")
    nav = NavData()

    assert load_bluesky_fir_dir(tmp_path, nav) == ["ABCD", "SQFIR"]
    assert sorted(nav.airspaces) == ["ABCD", "SQFIR"]


# GeoJSON ---------------------------------------------------------------------------------------


def square_feature(ident: str, **properties: str) -> dict:
    ring = [[lon, lat] for lat, lon in zip(SQUARE_LAT, SQUARE_LON)]
    return {
        "type": "Feature",
        "properties": {"IDENT": ident, "NAME": f"{ident} FIR", **properties},
        "geometry": {"type": "Polygon", "coordinates": [ring[::-1] + [ring[-1]]]},
    }


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_geojson_polygon_and_limits(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "firs.geojson",
        [
            square_feature("SQFL", LOWERLIMIT="0", LOWERUNIT="FT", UPPERLIMIT="245", UPPERUNIT="FL"),
            square_feature("SQFT", LOWERLIMIT="11500", LOWERUNIT="FT", UPPERLIMIT="999", UPPERUNIT="FL"),
            square_feature("SQME", LOWERLIMIT="0", LOWERUNIT="M", UPPERLIMIT="8382", UPPERUNIT="M"),
            square_feature("SQNO"),
        ],
    )
    nav = NavData()

    assert load_geojson(path, nav) == ["SQFL", "SQFT", "SQME", "SQNO"]

    limits = {ident: (a.lower_fl, a.upper_fl) for ident, a in nav.airspaces.items()}
    assert limits == {"SQFL": (0, 245), "SQFT": (115, 999), "SQME": (0, 275), "SQNO": (0, 999)}
    assert nav.airspaces["SQFL"].name == "SQFL FIR"
    assert_square(*nav.airspaces["SQFL"].rings[0])


def test_geojson_multipolygon(tmp_path: Path) -> None:
    feature = square_feature("MULTI")
    square = feature["geometry"]["coordinates"]
    shifted = [[[lon + 20.0, lat] for lon, lat in square[0]]]
    feature["geometry"] = {"type": "MultiPolygon", "coordinates": [square, shifted]}
    nav = NavData()

    load_geojson(write_geojson(tmp_path / "multi.geojson", [feature]), nav)

    first, second = nav.airspaces["MULTI"].rings
    assert_square(*first)
    assert second[1].tolist() == [20.0, 30.0, 30.0, 20.0]


def test_geojson_selected_idents(tmp_path: Path) -> None:
    features = [square_feature("AAAA"), square_feature("BBBB"), square_feature("CCCC")]
    path = write_geojson(tmp_path / "firs.geojson", features)
    nav = NavData()
    assert load_geojson(path, nav, idents=("CCCC", "AAAA")) == ["AAAA", "CCCC"]
    assert sorted(nav.airspaces) == ["AAAA", "CCCC"]


def test_geojson_same_ident_merges(tmp_path: Path) -> None:
    second = square_feature("AAAA")
    outer = second["geometry"]["coordinates"][0]
    second["geometry"]["coordinates"] = [[[lon + 20.0, lat] for lon, lat in outer]]
    nav = NavData()
    load_geojson(write_geojson(tmp_path / "firs.geojson", [square_feature("AAAA"), second]), nav)
    assert len(nav.airspaces["AAAA"].rings) == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f["properties"].pop("IDENT"), "no IDENT"),
        (lambda f: f["geometry"]["coordinates"].append([[1.0, 51.0], [2.0, 51.0], [2.0, 52.0]]), "holes"),
        (lambda f: f["geometry"].update(type="LineString"), "LineString"),
        (lambda f: f["properties"].update(UPPERLIMIT="245", UPPERUNIT="NM"), "unit"),
    ],
)
def test_geojson_invalid_feature(tmp_path: Path, change: Callable[[dict], object], message: str) -> None:
    feature = square_feature("BAD")
    change(feature)
    with pytest.raises(NavDataError, match=message):
        load_geojson(write_geojson(tmp_path / "bad.geojson", [feature]), NavData())


def test_geojson_invalid_json_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    path.write_text('{\n  "type": "FeatureCollection",\n  "features": [,]\n}\n')
    with pytest.raises(NavDataError) as raised:
        load_geojson(path, NavData())
    assert raised.value.line == 3


# POLYALT scenarios -----------------------------------------------------------------------------


SCENARIO = """\
# FIR and UIR of a test region
00:00:00.00>POLYALT SQFIR,0,245,50,0,50,10,55,10,55,0,50,0
00:00:00.00>POLYALT SQUIR 999 245 55 0 55 10 50 10 50 0
00:00:00.00>ECHO not an airspace
POLYALT SQTOP,FL245,FL660,50,0,50,10,55,10,55,0
"""


def test_polyalt_limits_either_order(tmp_path: Path) -> None:
    path = tmp_path / "firs.scn"
    path.write_text(SCENARIO)
    nav = NavData()

    assert load_polyalt_scn(path, nav) == ["SQFIR", "SQUIR", "SQTOP"]

    assert (nav.airspaces["SQFIR"].lower_fl, nav.airspaces["SQFIR"].upper_fl) == (0, 245)
    assert (nav.airspaces["SQUIR"].lower_fl, nav.airspaces["SQUIR"].upper_fl) == (245, 999)
    assert (nav.airspaces["SQTOP"].lower_fl, nav.airspaces["SQTOP"].upper_fl) == (245, 660)
    for ident in ("SQFIR", "SQUIR", "SQTOP"):
        assert_square(*nav.airspaces[ident].rings[0])


@pytest.mark.parametrize(
    "command",
    [
        "POLYALT BAD,0,245,50,0,50,10,55",
        "POLYALT BAD,0,245,50,0,50,10",
        "POLYALT BAD,0,top,50,0,50,10,55,10",
        "POLYALT BAD,0,245,50,0,50,10,95,10",
    ],
)
def test_polyalt_invalid_command(tmp_path: Path, command: str) -> None:
    path = tmp_path / "bad.scn"
    path.write_text(f"# comment\n00:00:00.00>{command}\n")
    with pytest.raises(NavDataError) as raised:
        load_polyalt_scn(path, NavData())
    assert raised.value.line == 2
