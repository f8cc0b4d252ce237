"""Supplementary navigation data carried by a scenario: points and airway versions of another cycle.

The default data is the 2013.10 cycle. A scenario about a later date lists the points and airway
sequences it needs from that date in a small text file::

    # comment
    POINT APSOV 55.823056 -10.000000 FIX
    AIRWAY L151
      WAL 53.391936 -3.134461
      KEPAD 52.809722 -2.478889

Each airway row names a point and its position: it binds to an existing point of that name
within 1 NM, or adds a new fix. A listed airway replaces the pieces of the same name that come
within :data:`REPLACE_WITHIN_NM` of it and keeps those elsewhere (airway names are reused in
distant regions).
"""

from __future__ import annotations

from pathlib import Path

from fpp.errors import NavDataError
from fpp.navdata.store import NavData, PointKind

__all__ = ["REPLACE_WITHIN_NM", "load_supplement"]

REPLACE_WITHIN_NM = 300.0


def _float(text: str, path: Path, line: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise NavDataError(f"invalid number {text!r}", str(path), line) from None


def load_supplement(nav: NavData, path: str | Path) -> dict[str, int]:
    """Add the points and airways of a supplement file to ``nav``.

    Returns
    -------
    dict
        Counts: ``points``, ``airways`` and ``replaced`` (default pieces removed).

    Raises
    ------
    NavDataError
        On a malformed row, with the file and line number.
    """
    path = Path(path)
    counts = {"points": 0, "airways": 0, "replaced": 0}
    airway: str | None = None
    rows: list[int] = []

    def close_airway() -> None:
        if airway is not None:
            if len(rows) < 2:
                raise NavDataError(f"airway {airway} needs at least two points", str(path))
            counts["replaced"] += nav.replace_airway_near(airway, rows, REPLACE_WITHIN_NM)
            counts["airways"] += 1

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0]
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "POINT":
            if len(fields) != 5 or fields[4] not in PointKind.__members__:
                raise NavDataError("expected 'POINT name lat_deg lon_deg kind'", str(path), number)
            nav.add_point(fields[1], _float(fields[2], path, number), _float(fields[3], path, number), PointKind[fields[4]])
            counts["points"] += 1
        elif fields[0] == "AIRWAY":
            if len(fields) != 2:
                raise NavDataError("expected 'AIRWAY name'", str(path), number)
            close_airway()
            airway, rows = fields[1], []
        elif airway is not None and len(fields) == 3 and raw[:1].isspace():
            lat, lon = _float(fields[1], path, number), _float(fields[2], path, number)
            index = nav.find_point(fields[0], lat, lon)
            if index is None:
                index = nav.add_point(fields[0], lat, lon, PointKind.FIX)
                counts["points"] += 1
            rows.append(index)
        else:
            raise NavDataError(f"unexpected row {line.strip()!r}", str(path), number)
    close_airway()
    return counts
