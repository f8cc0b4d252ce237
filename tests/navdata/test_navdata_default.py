"""Tests of the default data from the bluesky-navdata package and of its cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import fpp.navdata.default as default_module
from fpp.errors import NavDataError
from fpp.navdata import NavData, PointKind, load_default, load_navdata, uk_airspace_idents
from fpp.navdata.store import _distance_nm

#: VOR ``DVL`` at Devils Lake, Deauville and Lilongwe [deg].
DVL_POSITIONS = [(48.1152, -98.9125), (49.3108, 0.3127), (-13.8126, 33.8078)]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fpp-cache")


@pytest.fixture(scope="module")
def default_nav(cache_dir: Path) -> NavData:
    """The default store, built from the package files and written to a fresh cache."""
    return load_default(cache_dir=cache_dir)


def names_of(nav: NavData, piece: np.ndarray) -> list[str]:
    return [nav.point_name(int(i)) for i in piece]


@pytest.mark.slow
def test_default_dvl_three_vors(default_nav: NavData) -> None:
    candidates = default_nav.candidates("DVL")
    assert len(candidates) == 3
    for lat_deg, lon_deg in DVL_POSITIONS:
        distances_nm = [_distance_nm(lat_deg, lon_deg, *default_nav.position(i)) for i in candidates]
        nearest = candidates[int(np.argmin(distances_nm))]
        assert min(distances_nm) < 1.0
        assert default_nav.kind[nearest] == PointKind.VOR


@pytest.mark.slow
def test_default_un859_through_deauville(default_nav: NavData) -> None:
    expected = ["GWC", "SITET", "ETRAT", "DVL", "LGL"]
    found = None
    for piece in default_nav.airway_pieces("UN859"):
        names = names_of(default_nav, piece)
        for sequence in (expected, expected[::-1]):
            for start in range(len(names) - len(sequence) + 1):
                if names[start : start + len(sequence)] == sequence:
                    found = piece[start : start + len(sequence)]
    assert found is not None
    (deauville,) = [int(i) for i in found if default_nav.point_name(int(i)) == "DVL"]
    assert _distance_nm(49.3108, 0.3127, *default_nav.position(deauville)) < 1.0


@pytest.mark.slow
def test_default_uk_airspaces(default_nav: NavData) -> None:
    assert uk_airspace_idents() == ("EGTT", "EGPX")
    for ident in uk_airspace_idents():
        airspace = default_nav.airspaces[ident]
        (ring,) = airspace.rings
        assert len(ring[0]) >= 3
        assert float(ring[0].min()) > 48.0
        assert float(ring[0].max()) < 62.0


@pytest.mark.slow
def test_default_airports_loaded(default_nav: NavData) -> None:
    heathrow = default_nav.airport("EGLL")
    assert heathrow is not None
    assert _distance_nm(51.4775, -0.4614, *default_nav.position(heathrow)) < 2.0


@pytest.mark.slow
def test_default_cache_round_trip(default_nav: NavData, cache_dir: Path) -> None:
    assert default_module.default_cache_path(cache_dir).is_file()

    cached = load_default(cache_dir=cache_dir)

    first, second = default_nav.to_arrays(), cached.to_arrays()
    assert sorted(first) == sorted(second)
    for key in first:
        np.testing.assert_array_equal(first[key], second[key], err_msg=key)


def test_default_cache_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FPP_CACHE_DIR", str(tmp_path))
    path = default_module.default_cache_path()
    assert path.parent == tmp_path
    assert default_module._package_version() in path.name


# Cache behaviour, with a small store in place of the package data ------------------------------


@pytest.fixture
def small_build(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Replace the package parser by a small store; the list counts the builds."""
    builds: list[int] = []

    def build() -> NavData:
        builds.append(1)
        nav = NavData(source="small")
        nav.add_point("ALPHA", 50.0, 0.0)
        return nav

    monkeypatch.setattr(default_module, "build_default", build)
    return builds


def test_cache_second_load_reads_file(small_build: list[int], tmp_path: Path) -> None:
    load_default(cache_dir=tmp_path)
    nav = load_default(cache_dir=tmp_path)
    assert len(small_build) == 1
    assert nav.is_point("ALPHA")


def test_cache_unreadable_file_rebuilt(small_build: list[int], tmp_path: Path) -> None:
    path = default_module.default_cache_path(tmp_path)
    path.write_bytes(b"not an npz file")

    nav = load_default(cache_dir=tmp_path)

    assert len(small_build) == 1
    assert nav.is_point("ALPHA")
    assert load_default(cache_dir=tmp_path).is_point("ALPHA")
    assert len(small_build) == 1


def test_cache_disabled(small_build: list[int], tmp_path: Path) -> None:
    load_default(use_cache=False, cache_dir=tmp_path)
    load_default(use_cache=False, cache_dir=tmp_path)
    assert len(small_build) == 2
    assert list(tmp_path.iterdir()) == []


def test_cache_unwritable_folder(small_build: list[int], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    assert load_default(cache_dir=blocker / "cache").is_point("ALPHA")


def test_load_navdata_none_is_default(
    small_build: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FPP_CACHE_DIR", str(tmp_path))
    assert load_navdata(None).source == "small"


def test_load_navdata_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(NavDataError, match="not found"):
        load_navdata(tmp_path / "absent")


def test_load_navdata_folder_with_airspaces(tmp_path: Path) -> None:
    (tmp_path / "nav.dat").write_text("3  49.310750  000.312722  497 11020  60  -3.0 DVL  DEAUVILLE\n99\n")
    (tmp_path / "fix.dat").write_text(" 50.100000  000.000000 SITET\n 49.683334  000.163333 ETRAT\n99\n")
    (tmp_path / "awy.dat").write_text(
        "SITET  50.100000  000.000000 ETRAT  49.683334  000.163333 2 195 460 UN859\n"
        "ETRAT  49.683334  000.163333 DVL    49.310750  000.312722 2 195 460 UN859\n99\n"
    )
    (tmp_path / "fir").mkdir()
    triangle = "N050.00.00.000 E000.00.00.000\nN051.00.00.000 E000.00.00.000\nN051.00.00.000 E001.00.00.000\n"
    (tmp_path / "fir" / "AAAA.txt").write_text(triangle)
    (tmp_path / "fir" / "BBBB.txt").write_text(triangle)
    ring = [[0.0, 50.0], [1.0, 50.0], [1.0, 51.0], [0.0, 51.0]]
    feature = {
        "type": "Feature",
        "properties": {"IDENT": "BBBB", "UPPERLIMIT": "245", "UPPERUNIT": "FL"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    (tmp_path / "firs.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    (tmp_path / "firs.scn").write_text("00:00:00.00>POLYALT CCCCUIR,245,999,50,0,51,0,51,1\n")

    nav = load_navdata(tmp_path)

    (piece,) = nav.airway_pieces("UN859")
    assert [nav.point_name(int(i)) for i in piece] in (["SITET", "ETRAT", "DVL"], ["DVL", "ETRAT", "SITET"])
    assert sorted(nav.airspaces) == ["AAAA", "BBBB", "CCCCUIR"]
    assert nav.airspaces["AAAA"].upper_fl == 999
    assert nav.airspaces["BBBB"].upper_fl == 245
    assert (nav.airspaces["CCCCUIR"].lower_fl, nav.airspaces["CCCCUIR"].upper_fl) == (245, 999)
