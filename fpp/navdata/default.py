"""The default navigation data (the ``bluesky-navdata`` package) with an on-disk cache, and data folders.

The ``bluesky-navdata`` package ships X-Plane data of cycle 2013.10 (GPL-2.0-or-later): fixes,
navaids, segment-style airways, the BlueSky aerodrome list and FIR boundaries of Europe. Parsing
it takes a few seconds, so the built store is cached as one uncompressed ``.npz`` file of plain
arrays (see :meth:`NavData.to_arrays`) under ``$FPP_CACHE_DIR`` or ``~/.cache/fpp``.

An ``.npz`` file is used instead of pickle because it loads with ``allow_pickle=False``: a
cache file that was tampered with or truncated cannot run code, and it does not depend on the
class layout of :class:`NavData`. One file instead of arrays plus a JSON side file lets the
cache be replaced in one atomic rename.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import logging
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from fpp.errors import NavDataError
from fpp.navdata.airspace import load_bluesky_fir_dir, load_geojson, load_polyalt_scn
from fpp.navdata.store import ARRAYS_FORMAT, NavData, PointKind
from fpp.navdata.xplane import load_airports_csv, load_awy, load_directory, load_fix, load_nav

__all__ = [
    "CACHE_FORMAT",
    "build_default",
    "default_cache_path",
    "load_default",
    "load_navdata",
    "uk_airspace_idents",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

#: Version of what the loaders put into the cached store. Raise it whenever a loader change
#: alters the result, so that stale cache files are ignored.
CACHE_FORMAT = 2

_PACKAGE = "bluesky-navdata"
_RESOURCE = "bluesky.resources.navdata"


def uk_airspace_idents() -> tuple[str, ...]:
    """Return the idents of the UK airspaces of the 2023 failure: London (EGTT) and Scottish (EGPX) FIRs."""
    return ("EGTT", "EGPX")


_NOT_INSTALLED = f"the {_PACKAGE} package is not installed; install it or pass a navigation data folder"


def _package_folder() -> Path:
    try:
        root = importlib.resources.files(_RESOURCE)
    except ModuleNotFoundError:
        raise NavDataError(_NOT_INSTALLED) from None
    if not isinstance(root, Path):
        raise NavDataError(f"the {_PACKAGE} package must be installed as plain files, found {root!r}")
    return root


def _package_version() -> str:
    try:
        return importlib.metadata.version(_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise NavDataError(_NOT_INSTALLED) from None


def default_cache_path(cache_dir: PathLike | None = None) -> Path:
    """Return the cache file of the default data for the installed package version.

    Parameters
    ----------
    cache_dir
        The cache folder; defaults to ``$FPP_CACHE_DIR``, else ``~/.cache/fpp``.
    """
    if cache_dir is None:
        cache_dir = os.environ.get("FPP_CACHE_DIR") or Path.home() / ".cache" / "fpp"
    name = f"navdata-{_PACKAGE}-{_package_version()}-layout{ARRAYS_FORMAT}-cache{CACHE_FORMAT}.npz"
    return Path(cache_dir) / name


def build_default() -> NavData:
    """Parse the ``bluesky-navdata`` package into a new store, without the cache.

    The store contains the navaids, fixes, aerodromes and airways, and one airspace per
    ``fir/*.txt`` file (ident from the file name, FL 0 to 999).

    Raises
    ------
    NavDataError
        When the package is missing or one of its files is invalid.
    """
    folder = _package_folder()
    nav = NavData(source=f"{_PACKAGE} {_package_version()}")
    load_nav(nav, folder / "nav.dat")
    load_fix(nav, folder / "fix.dat")
    load_airports_csv(nav, folder / "airports.dat")
    load_awy(nav, folder / "awy.dat")
    load_bluesky_fir_dir(folder / "fir", nav)
    return nav


def _read_cache(path: Path) -> NavData | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        return NavData.from_arrays(arrays)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, IndexError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        logger.warning("ignoring unreadable navigation data cache %s: %s", path, exc)
        return None


def _write_cache(path: Path, nav: NavData) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                np.savez(stream, **nav.to_arrays())
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        logger.warning("could not write the navigation data cache %s: %s", path, exc)


def load_default(*, use_cache: bool = True, cache_dir: PathLike | None = None) -> NavData:
    """Return the store built from the ``bluesky-navdata`` package, from the cache when possible.

    The cache file is keyed by the package version, :data:`~fpp.navdata.store.ARRAYS_FORMAT`
    and :data:`CACHE_FORMAT`. An unreadable cache file is logged and rebuilt; a cache folder
    that cannot be written is logged and skipped.

    Parameters
    ----------
    use_cache
        Read and write the cache file; when false, always parse the package files.
    cache_dir
        The cache folder; defaults to ``$FPP_CACHE_DIR``, else ``~/.cache/fpp``.

    Raises
    ------
    NavDataError
        When the package is missing or one of its files is invalid.
    """
    if not use_cache:
        return build_default()

    path = default_cache_path(cache_dir)
    nav = _read_cache(path)
    if nav is not None:
        return nav
    nav = build_default()
    _write_cache(path, nav)
    return nav


def load_navdata(path: PathLike | None = None, *, strict: bool = True) -> NavData:
    """Load the navigation data a user selected: the default data or a data folder.

    Parameters
    ----------
    path
        ``None`` for :func:`load_default`. Otherwise a folder read by
        :func:`~fpp.navdata.xplane.load_directory`, plus the airspaces found in it, in this
        order: a ``fir/`` folder of BlueSky FIR files, then ``*.geojson`` files, then BlueSky
        ``*.scn`` files with ``POLYALT`` commands. A later airspace replaces an earlier one of
        the same ident. A folder without aerodromes takes those of the default data, and a
        folder without airspaces takes the default FIR polygons, so that routes anchor on their
        aerodromes and the UK FIRs exist.
    strict
        Raise on an invalid navigation data row when true; otherwise skip and log it.

    Raises
    ------
    NavDataError
        When the folder does not exist or a file in it is invalid.
    """
    if path is None:
        return load_default()

    directory = Path(path)
    if not directory.is_dir():
        message = "navigation data folder not found; pass a folder with fix, nav and awy files"
        raise NavDataError(message, str(directory))

    nav = load_directory(directory, strict=strict)
    if (directory / "fir").is_dir():
        load_bluesky_fir_dir(directory / "fir", nav)
    for geojson in sorted(directory.glob("*.geojson")):
        load_geojson(geojson, nav)
    for scenario in sorted(directory.glob("*.scn")):
        load_polyalt_scn(scenario, nav)
    if not nav.airports or not nav.airspaces:
        _complete_from_default(nav)
    return nav


def _complete_from_default(nav: NavData) -> None:
    """Add the default aerodromes or FIR polygons to a store that has none."""
    default = load_default()
    if not nav.airports:
        for icao, index in sorted(default.airports.items(), key=lambda item: item[1]):
            lat, lon = default.position(index)
            nav.add_point(icao, lat, lon, PointKind.AIRPORT, default.point_label(index))
        logger.info("added %d aerodromes of the default data", len(default.airports))
    if not nav.airspaces:
        for airspace in default.airspaces.values():
            nav.add_airspace(airspace)
        logger.info("added %d airspaces of the default data", len(default.airspaces))
