"""Tests on the recent reference data (skipped when the reference data folder is absent)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from fpp.navdata import NavData, PointKind, load_geojson, load_navdata, load_polyalt_scn
from fpp.navdata.store import _distance_nm

from .navdata_paths import require_shared

pytestmark = [pytest.mark.shared, pytest.mark.slow]

#: Airways of the reference file that cannot become a piece: six have a single row, and the only
#: leg of N833A (TOPPS to AVUTI, 1,505 km) is longer than the piece-splitting limit.
UNLOADABLE_AIRWAYS = {"N833A", "UB733F", "UB790G", "UG653F", "UG657D", "UL340D", "UR780G"}


@pytest.fixture(scope="module")
def navdata_dir() -> Path:
    return require_shared("navdata")


@pytest.fixture(scope="module")
def shared_nav(navdata_dir: Path) -> NavData:
    return load_navdata(navdata_dir)


def names_of(nav: NavData, piece: np.ndarray) -> list[str]:
    return [nav.point_name(int(i)) for i in piece]


def idents_at_distant_places(nav: NavData, indices: list[int], min_km: float = 10.0) -> int:
    """Count the designators among ``indices`` with two points more than ``min_km`` apart."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index in indices:
        groups[nav.point_name(index)].append(index)

    count = 0
    for members in groups.values():
        positions = [nav.position(i) for i in members]
        far = any(
            _distance_nm(*positions[a], *positions[b]) * 1.852 > min_km
            for a in range(len(positions))
            for b in range(a + 1, len(positions))
        )
        count += far
    return count


def test_shared_airway_counts(shared_nav: NavData, navdata_dir: Path) -> None:
    with open(navdata_dir / "earth_awy.dat", encoding="latin-1") as stream:
        rows = [line.split() for line in stream if line.strip()]
    names_in_file = {row[0] for row in rows}

    assert len(rows) == 102_204
    assert len(names_in_file) == 9_667
    assert names_in_file - set(shared_nav.airway_names()) == UNLOADABLE_AIRWAYS
    assert len(list(shared_nav.airway_names())) == 9_660


def test_shared_airway_name_reused_far_apart(shared_nav: NavData) -> None:
    multi_piece = [name for name in shared_nav.airway_names() if len(shared_nav.airway_pieces(name)) > 1]
    assert len(multi_piece) > 1_000


def test_shared_dvl_three_places(shared_nav: NavData) -> None:
    candidates = shared_nav.candidates("DVL")
    assert len(candidates) == 3
    assert all(shared_nav.kind[i] == PointKind.VOR for i in candidates)


def test_shared_navaid_duplicates_in_file(navdata_dir: Path) -> None:
    places: dict[str, list[tuple[float, float]]] = defaultdict(list)
    with open(navdata_dir / "earth_nav.dat", encoding="latin-1") as stream:
        for line in stream:
            fields = line.split()
            if fields and fields[0] in ("2", "3", "12", "13"):
                places[fields[7]].append((float(fields[1]), float(fields[2])))
    distant = [
        ident
        for ident, positions in places.items()
        if any(_distance_nm(*p, *q) * 1.852 > 10.0 for p in positions for q in positions)
    ]
    assert len(distant) == 1_961


def test_shared_navaid_duplicates_loaded(shared_nav: NavData) -> None:
    # Fewer than in the file because the loader skips the 3,000 DME-ILS rows.
    navaid_kinds = (PointKind.VOR, PointKind.TACAN, PointKind.DME, PointKind.NDB)
    navaids = np.flatnonzero(np.isin(shared_nav.kind, navaid_kinds)).tolist()
    assert idents_at_distant_places(shared_nav, navaids) == 1_541


def test_shared_five_letter_fix_duplicates(shared_nav: NavData) -> None:
    fixes = np.flatnonzero(shared_nav.kind == PointKind.FIX).tolist()
    five_letter = [i for i in fixes if len(name := shared_nav.point_name(i)) == 5 and name.isalpha()]
    assert idents_at_distant_places(shared_nav, five_letter) == 3_993


def test_shared_apsov_position(shared_nav: NavData) -> None:
    (index,) = shared_nav.candidates("APSOV")
    lat_deg, lon_deg = shared_nav.position(index)
    assert lat_deg == pytest.approx(55.8231, abs=1e-4)
    assert lon_deg == pytest.approx(-10.0, abs=1e-6)


def test_shared_l151_kepad_to_kidli(shared_nav: NavData) -> None:
    expected = ["KEPAD", "TELBA", "VIDOK", "PEPUL", "DISIT", "TUBSU", "NANUM", "NEDEX", "KIDLI"]
    pieces = [names_of(shared_nav, piece) for piece in shared_nav.airway_pieces("L151")]
    matches = [
        names for names in pieces if any(names[k : k + len(expected)] == expected for k in range(len(names)))
    ]
    assert len(matches) == 1


def test_shared_geojson_firs() -> None:
    folder = require_shared("airspace")
    nav = NavData()

    idents = load_geojson(folder / "eurofirs.geojson", nav)

    assert len(idents) == 58
    for ident in ("EGTT", "EGPX", "EGGX", "LFRR"):
        assert ident in nav.airspaces
    assert (nav.airspaces["EGTT"].lower_fl, nav.airspaces["EGTT"].upper_fl) == (0, 245)
    assert nav.airspaces["EGTT"].name == "LONDON FIR"


def test_shared_geojson_selected_uk() -> None:
    folder = require_shared("airspace")
    nav = NavData()
    assert load_geojson(folder / "eurofirs.geojson", nav, idents=("EGTT", "EGPX")) == ["EGPX", "EGTT"]


def test_shared_polyalt_scenario() -> None:
    folder = require_shared("airspace")
    nav = NavData()

    idents = load_polyalt_scn(folder / "FIR_1803.scn", nav)

    assert len(idents) == 170
    assert "BIRD" in nav.airspaces
    assert (nav.airspaces["EGTTFIR"].lower_fl, nav.airspaces["EGTTFIR"].upper_fl) == (0, 245)
    assert (nav.airspaces["EGTTUIR"].lower_fl, nav.airspaces["EGTTUIR"].upper_fl) == (245, 999)
