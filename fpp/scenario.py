"""Scenario files: a folder under ``scenarios/`` with a ``scenario.toml`` and the files it names.

A scenario states its facts (times, durations, rates) as parameters with their source in a
comment, so that a what-if run changes a value, not the code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from fpp.convert.airspace import AirspaceVolume, uk_airspace
from fpp.errors import FppError
from fpp.navdata import load_navdata
from fpp.navdata.store import NavData
from fpp.navdata.supplement import load_supplement

__all__ = ["Scenario", "ScenarioError", "find_scenario", "scenario_root"]


class ScenarioError(FppError):
    """A scenario that cannot be loaded: missing folder, invalid TOML or an invalid value."""


def scenario_root() -> Path:
    """Return the ``scenarios`` folder next to the ``fpp`` package (a source checkout)."""
    return Path(__file__).resolve().parent.parent / "scenarios"


def find_scenario(name_or_path: str) -> Path:
    """Return the folder of a scenario given by name (``aug2023``) or by path.

    Raises
    ------
    FileNotFoundError
        When neither names a folder with a ``scenario.toml``.
    """
    for candidate in (Path(name_or_path), scenario_root() / name_or_path):
        if (candidate / "scenario.toml").is_file():
            return candidate
    known = sorted(p.name for p in scenario_root().glob("*") if (p / "scenario.toml").is_file())
    raise FileNotFoundError(f"scenario {name_or_path!r} not found; known scenarios: {', '.join(known) or 'none'}")


@dataclass
class Scenario:
    """A loaded scenario file."""

    folder: Path
    data: dict[str, Any]
    _nav: NavData | None = field(default=None, repr=False)

    @classmethod
    def load(cls, name_or_path: str) -> Scenario:
        """Load a scenario by name or folder.

        Raises
        ------
        ScenarioError
            When the folder is missing, the TOML is invalid, or ``date`` is missing or invalid.
        """
        try:
            folder = find_scenario(name_or_path)
        except FileNotFoundError as error:
            raise ScenarioError(str(error)) from None
        path = folder / "scenario.toml"
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ScenarioError(f"{path}: invalid TOML: {error}") from None
        try:
            date.fromisoformat(str(data["date"]))
        except KeyError:
            raise ScenarioError(f"{path}: missing 'date'; add date = \"YYYY-MM-DD\"") from None
        except ValueError as error:
            raise ScenarioError(f"{path}: invalid date {data['date']!r}: {error}") from None
        return cls(folder, data)

    @property
    def name(self) -> str:
        return str(self.data.get("name", self.folder.name))

    @property
    def day(self) -> date:
        return date.fromisoformat(self.data["date"])

    @property
    def utc_offset(self) -> timedelta:
        return timedelta(hours=float(self.data.get("utc_offset_h", 0)))

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.data.get(name, {}))

    def path(self, relative: str) -> Path:
        return self.folder / relative

    def local_to_utc(self, clock: str) -> datetime:
        """UTC (naive) of a local ``HH:MM[:SS]`` time on the scenario's day."""
        return datetime.combine(self.day, time.fromisoformat(clock)) - self.utc_offset

    def utc_to_local(self, moment: datetime) -> datetime:
        return moment + self.utc_offset

    def navdata(self, directory: str | None = None) -> NavData:
        """Load the default data (or ``directory``) plus the scenario's supplement, once."""
        if self._nav is None:
            nav = load_navdata(directory)
            supplement = self.section("navdata").get("supplement")
            if supplement:
                load_supplement(nav, self.path(supplement))
            self._nav = nav
        return self._nav

    def airspace(self, nav: NavData) -> AirspaceVolume:
        section = self.section("airspace")
        return uk_airspace(nav, float(section.get("boundary_tolerance_nm", 2.0)), tuple(section.get("firs", ("EGTT", "EGPX"))))
