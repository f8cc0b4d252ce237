"""Navigation data: significant points, airways and airspaces, and the readers that fill them.

Use :func:`load_navdata` to get a store: with no argument it returns the default data from the
``bluesky-navdata`` package (cached on disk), with a folder it reads X-Plane style files and the
airspace files found there.
"""

from fpp.navdata.airspace import (
    load_bluesky_fir,
    load_bluesky_fir_dir,
    load_geojson,
    load_polyalt_scn,
    normalise_ring,
)
from fpp.navdata.default import build_default, load_default, load_navdata, uk_airspace_idents
from fpp.navdata.store import Airspace, NavData, PointKind
from fpp.navdata.xplane import (
    chain_segments,
    load_airports_csv,
    load_awy,
    load_directory,
    load_fix,
    load_nav,
)

__all__ = [
    "Airspace",
    "NavData",
    "PointKind",
    "build_default",
    "chain_segments",
    "load_airports_csv",
    "load_awy",
    "load_bluesky_fir",
    "load_bluesky_fir_dir",
    "load_default",
    "load_directory",
    "load_fix",
    "load_geojson",
    "load_nav",
    "load_navdata",
    "load_polyalt_scn",
    "normalise_ring",
    "uk_airspace_idents",
]
