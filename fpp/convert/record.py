"""The NAS-style output record: what the converter hands to the flight data processing system.

NATS publishes no NAS interface, so this is fpp's own format, documented in
``docs/nas-record.md``. A record carries the flight's identity and one block per portion of the
route inside the airspace. A block gives the entry and exit with time and level, the portion of
Item 15 as filed, and the points of the expanded route inside the airspace.

Text form, one field per line, portions numbered from 1::

    NAS FBU731 A4657 A359/H IS KLAX LFPO
    P1 ENTRY APSOV 5549N01000W 230828T1104 F370
    P1 EXIT SITET 5006N00000E 230828T1228 F370
    P1 ROUTE APSOV SOSIM L15 KEPAD L151 KIDLI UN859 GWC UN859 LGL
    P1 PTS APSOV/1104/F370 SOSIM/1124/F370 ...
    END
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["BoundaryPoint", "NasRecord", "Portion", "PortionPoint", "format_position"]


def format_position(lat_deg: float, lon_deg: float) -> str:
    """Format a position as ICAO degrees and minutes, rounded to the nearest minute."""
    lat_min = round(abs(lat_deg) * 60)
    lon_min = round(abs(lon_deg) * 60)
    # A value that rounds to zero takes N or E, whatever the sign of the rounding error.
    north = lat_deg >= 0 or lat_min == 0
    east = lon_deg >= 0 or lon_min == 0 or lon_min == 180 * 60
    return (
        f"{lat_min // 60:02d}{lat_min % 60:02d}{'N' if north else 'S'}"
        f"{lon_min // 60:03d}{lon_min % 60:02d}{'E' if east else 'W'}"
    )


@dataclass
class PortionPoint:
    """A point of the expanded route inside the airspace."""

    name: str
    lat_deg: float
    lon_deg: float
    eto: datetime | None
    level: str | None

    def to_text(self) -> str:
        time = self.eto.strftime("%H%M") if self.eto else "----"
        return f"{self.name}/{time}/{self.level or '-'}"

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "lat_deg": round(self.lat_deg, 6),
            "lon_deg": round(self.lon_deg, 6),
            "eto": self.eto.isoformat() if self.eto else None,
            "level": self.level,
        }


@dataclass
class BoundaryPoint(PortionPoint):
    """Entry or exit: a named route point on the boundary, or a computed crossing.

    ``route_position`` is the index in RTEPTS plus the fraction of the following leg; a computed
    crossing is named by its position (``5006N00008W``).
    """

    route_position: float = 0.0

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data["route_position"] = round(self.route_position, 6)
        return data


@dataclass
class Portion:
    """One stretch of the route inside the airspace."""

    entry: BoundaryPoint
    exit: BoundaryPoint
    route_text: str
    points: list[PortionPoint] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry.to_dict(),
            "exit": self.exit.to_dict(),
            "route": self.route_text,
            "points": [p.to_dict() for p in self.points],
        }


@dataclass
class NasRecord:
    """The converted flight plan."""

    callsign: str
    ssr_code: str | None
    aircraft_type: str | None
    wake: str | None
    flight_rules: str | None
    flight_type: str | None
    adep: str | None
    ades: str | None
    portions: list[Portion]
    logic: str = "hardened"

    def to_text(self) -> str:
        """Render the record in the text form of this module."""
        head = " ".join(
            [
                "NAS",
                self.callsign,
                self.ssr_code or "-",
                f"{self.aircraft_type or '-'}/{self.wake or '-'}",
                f"{self.flight_rules or '-'}{self.flight_type or ''}",
                self.adep or "-",
                self.ades or "-",
            ]
        )
        lines = [head]
        for number, portion in enumerate(self.portions, start=1):
            for label, point in (("ENTRY", portion.entry), ("EXIT", portion.exit)):
                when = point.eto.strftime("%y%m%dT%H%M") if point.eto else "-"
                lines.append(f"P{number} {label} {point.name} {format_position(point.lat_deg, point.lon_deg)} {when} {point.level or '-'}")
            lines.append(f"P{number} ROUTE {portion.route_text}")
            lines.append(f"P{number} PTS " + (" ".join(p.to_text() for p in portion.points) or "-"))
        lines.append("END")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "callsign": self.callsign,
            "ssr_code": self.ssr_code,
            "aircraft_type": self.aircraft_type,
            "wake": self.wake,
            "flight_rules": self.flight_rules,
            "flight_type": self.flight_type,
            "adep": self.adep,
            "ades": self.ades,
            "logic": self.logic,
            "portions": [p.to_dict() for p in self.portions],
        }
