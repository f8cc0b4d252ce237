"""Recorded filed plans: rows of a CSV of filed routes turned into ICAO FPL messages.

A row has the columns ``callsign``, ``flight_rules``, ``aircraft`` (items 9 and 10, as
``A346/H-SDE2E3FGHIJ3J4J5M1RWXY/LB1D1``), ``departure``, ``arrival``, ``alternate``,
``cruise_tas`` (knots) and ``altitude``, and ``route``: Item 15 without its initial speed/level
group. Recorded altitudes come in several forms: feet (``35000``), flight levels (``350``,
``FL350``, ``F350``). A value of 1,000 or more is feet, rounded to the nearest flight level.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fpp.errors import FormatError

__all__ = ["fpl_from_recorded", "recorded_level"]

_LEVEL = re.compile(r"(?:FL|F)?(\d{1,6})")


def recorded_level(altitude: str) -> int:
    """Flight level of a recorded altitude (feet, or a flight level with or without ``FL``).

    Raises
    ------
    FormatError
        ``SYN102`` for an empty, unreadable or out-of-range value.
    """
    match = _LEVEL.fullmatch(altitude.strip().upper())
    if match is None:
        raise FormatError("SYN102", altitude, None, field="altitude", detail="expected feet, a flight level or FLnnn")
    value = int(match.group(1))
    level = round(value / 100) if value >= 1000 else value
    if not 1 <= level <= 999:
        raise FormatError("SYN102", altitude, None, field="altitude", detail=f"flight level {level} is out of range 1..999")
    return level


def fpl_from_recorded(row: Mapping[str, str], eobt: str = "1200", dof: str | None = None) -> str:
    """ICAO FPL text of one recorded row.

    Parameters
    ----------
    row
        The CSV row.
    eobt
        Off-block time to write in field 13 (recorded rows carry none).
    dof
        ``YYMMDD`` date of flight for ``DOF/``; omitted when ``None``.

    Raises
    ------
    FormatError
        ``SYN102`` for an unreadable speed or altitude; the message itself is checked when it
        is parsed.
    """
    speed_text = (row.get("cruise_tas") or "").strip()
    if not speed_text.isdigit() or not 1 <= int(speed_text) <= 9999:
        raise FormatError("SYN102", speed_text, None, field="cruise_tas", detail="expected a true airspeed in knots")
    level = recorded_level(row.get("altitude") or "")
    aircraft = row.get("aircraft") or ""
    items_9_10 = aircraft if "-" in aircraft else f"{aircraft}-S/C"
    item18 = f"DOF/{dof}" if dof else "0"
    alternate = (row.get("alternate") or "").strip()
    return (
        f"(FPL-{row.get('callsign', '')}-{row.get('flight_rules', '')}S\n-{items_9_10}\n-{row.get('departure', '')}{eobt}\n"
        f"-N{int(speed_text):04d}F{level:03d} {row.get('route', '')}\n-{row.get('arrival', '')}0200"
        f"{' ' + alternate if alternate else ''}\n-{item18})"
    )
