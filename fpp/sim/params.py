"""Parameters of the chain simulation, read from a scenario's ``[simulation]`` section.

The section groups parameters in sub-tables (``[simulation.demand]``, ``[simulation.channels]``
...) for reading, but every parameter name is unique, so a what-if names it alone:
``fpp replay aug2023 --set second_line_on_site=true``. Four keys are not parameters: ``seed``,
``variants`` (named what-ifs), ``faults`` (the fault schedule) and ``reported`` (public figures
printed beside the results).
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

__all__ = [
    "DEFAULT_HOURLY_PROFILE",
    "LOGICS",
    "MAX_FLIGHTS_PER_DAY",
    "NOT_PARAMETERS",
    "SimParams",
    "apply_overrides",
    "flatten_section",
    "parameter_names",
    "params_from_section",
    "parse_assignment",
]

LOGICS = ("legacy", "hardened")
"""Conversion logic a channel can run."""

NOT_PARAMETERS = ("seed", "variants", "faults", "reported")
"""Keys of ``[simulation]`` that hold no parameters: the seed and three sub-tables."""

DEFAULT_HOURLY_PROFILE = (
    # Relative weight of each local hour, 00 to 23, in the day's UK entries. An assumed shape of
    # a summer day: quiet at night, a ramp from 05:00, a plateau from 07:00 to 20:00.
    0.5, 0.3, 0.2, 0.2, 0.4, 1.5, 3.5, 5.6, 5.8, 5.8, 5.7, 5.7,
    5.6, 5.6, 5.7, 5.8, 5.8, 5.8, 5.7, 5.6, 5.5, 4.5, 3.0, 1.4,
)


# By estimate more than five times the UK's busiest days (about 9,000 flights) and more than all of Europe's (about 37,000).
MAX_FLIGHTS_PER_DAY = 50_000
"""Upper bound of ``flights_per_day``."""

_WEEK_H = 7 * 24.0
# A run covers one day and the hours after it, so a week outlasts any run and keeps its dates in range.
_DURATION_MAX = {"_ms": _WEEK_H * 3_600_000.0, "_s": _WEEK_H * 3600.0, "_min": _WEEK_H * 60.0, "_h": _WEEK_H}

_POSITIVE = ("processing_s", "lead_time_h", "manual_rate_per_hour")
"""Parameters that must be above 0. Every other number may be 0."""

_MAXIMA = {
    "flights_per_day": MAX_FLIGHTS_PER_DAY,
    # A rate of a whole busy day per hour already clears any backlog at once.
    "manual_rate_per_hour": MAX_FLIGHTS_PER_DAY,
    "normal_rate_per_hour": MAX_FLIGHTS_PER_DAY,
    # One restart a minute for a whole day.
    "first_line_max_restarts": 1440,
    "second_line_restarts": 1440,
    # Real routes have a few hundred points, and these bounds keep the per-plan cost model finite.
    "max_points": 100_000,
    "checks_per_point": 1_000_000,
    "misread_checks_per_point": 1_000_000,
    # Item 15 states levels up to F999, which is 99,900 ft.
    "misread_above_level_ft": 100_000,
    # One tebibyte, more than the memory of any channel host that the model stands for.
    "check_memory_kb": 2**30,
    "channel_memory_mb": 2**20,
    "plan_memory_limit_mb": 2**20,
}

_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?")
"""A local time of day, ``HH:MM`` or ``HH:MM:SS``."""


def _maximum(name: str) -> float:
    if name in _MAXIMA:
        return _MAXIMA[name]
    for suffix, limit in _DURATION_MAX.items():
        if name.endswith(suffix):
            return limit
    raise AssertionError(f"simulation parameter {name} has no upper bound; add one to _MAXIMA")


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,g}"


def _bound_problem(name: str, value: float) -> str | None:
    """Return the one rule that ``value`` breaks for parameter ``name``, or ``None``.

    NaN compares false with every bound, so it breaks the rule like any value out of range.
    """
    high = _maximum(name)
    if name in _POSITIVE:
        if 0 < value <= high:
            return None
        return f"{name} must be above 0 and at most {_number(high)}, not {value}"
    if 0 <= value <= high:
        return None
    return f"{name} must be from 0 to {_number(high)}, not {value}"


@dataclass(frozen=True)
class SimParams:
    """Every parameter of one simulation run, with its unit in its name.

    The defaults are neutral values for tests and new scenarios. A scenario states its own
    values with their sources; see ``docs/simulation.md`` for the meaning of each.
    """

    # Demand: the IFPS feed.
    flights_per_day: int = 7000
    hourly_profile: tuple[float, ...] = DEFAULT_HOURLY_PROFILE
    lead_time_h: float = 4.0
    lead_time_jitter_min: float = 0.0

    # Channels and control and monitoring.
    processing_s: float = 1.0
    detection_s: float = 5.0
    takeover_s: float = 8.0
    restart_min: float = 5.0
    restart_check_s: float = 120.0
    primary_logic: str = "legacy"
    backup_logic: str = "legacy"
    quarantine: bool = False
    input_filter: bool = False

    # Per-plan work: a cost model of checks per route point, and the hardened bounds on it.
    per_point_s: float = 0.0
    checks_per_point: float = 0.0
    misread_above_level_ft: float | None = None
    misread_checks_per_point: float = 0.0
    check_time_ms: float = 0.0
    check_memory_kb: float = 0.0
    channel_memory_mb: float = 4096.0
    plan_time_limit_s: float = 60.0
    plan_memory_limit_mb: float = 256.0
    max_points: int = 5000

    # NAS store, manual input and the impact on flights.
    manual_rate_per_hour: float = 60.0
    manual_lookahead_min: float = 60.0
    cancel_after_delay_min: float = 60.0
    normal_rate_per_hour: float = 400.0
    flow_restrictions_local: str | None = None
    recover_from_journal: bool = True
    journal_recovery_min: float = 10.0

    # Actors: first-line engineer, second-line engineer, supplier.
    first_line_response_min: float = 2.0
    first_line_restart_interval_min: float = 10.0
    first_line_max_restarts: int = 6
    second_line_call_after_min: float = 30.0
    second_line_on_site: bool = False
    second_line_response_min: float = 5.0
    remote_login_works: bool = False
    restart_requires_on_site: bool = True
    second_line_remote_attempts_min: float = 60.0
    second_line_travel_min: float = 90.0
    second_line_restarts: int = 2
    supplier_call_after_on_site_min: float = 45.0
    supplier_call_after_min: float | None = None
    supplier_response_min: float = 10.0
    supplier_diagnosis_min: float = 30.0
    recovery_procedure_min: float = 30.0

    # How long the run goes on after the end of the scenario's day [h].
    end_after_day_h: float = 2.0

    def __post_init__(self) -> None:
        problems = []
        for name in ("primary_logic", "backup_logic"):
            if getattr(self, name) not in LOGICS:
                problems.append(f"{name} must be one of {', '.join(LOGICS)}, not {getattr(self, name)!r}")
        profile = self.hourly_profile
        if (len(profile) != 24 or not all(math.isfinite(weight) and weight >= 0 for weight in profile)
                or not 0 < sum(profile) < math.inf):
            problems.append("hourly_profile must be 24 finite non-negative weights with a positive sum")
        if self.flow_restrictions_local is not None and not _CLOCK.fullmatch(self.flow_restrictions_local):
            problems.append(f"flow_restrictions_local must be a local time from 00:00 to 23:59 as HH:MM, "
                            f"not {self.flow_restrictions_local!r}")
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                problem = _bound_problem(item.name, value)
                if problem:
                    problems.append(problem)
        if problems:
            raise ValueError("invalid simulation parameters: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as a JSON-ready mapping."""
        values = {}
        for item in fields(self):
            value = getattr(self, item.name)
            values[item.name] = list(value) if isinstance(value, tuple) else value
        return values


def parameter_names() -> list[str]:
    """Return the name of every parameter, in declaration order."""
    return [item.name for item in fields(SimParams)]


def _field_types() -> dict[str, Any]:
    hints = typing.get_type_hints(SimParams)
    return {item.name: hints[item.name] for item in fields(SimParams)}


def _is_optional(kind: Any) -> tuple[bool, Any]:
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        members = [member for member in typing.get_args(kind) if member is not type(None)]
        return True, members[0]
    return False, kind


def _coerce(name: str, value: Any) -> Any:
    """Convert a TOML or command-line value to the type of parameter ``name``."""
    kind = _field_types()[name]
    optional, kind = _is_optional(kind)
    if isinstance(value, str) and optional and value.strip().lower() in ("none", "null", ""):
        return None
    if value is None:
        if optional:
            return None
        raise ValueError(f"parameter {name} cannot be empty")
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "on", "1"):
            return True
        if text in ("false", "no", "off", "0"):
            return False
        raise ValueError(f"parameter {name} takes true or false, not {value!r}")
    if typing.get_origin(kind) is tuple:
        items = value.split(",") if isinstance(value, str) else list(value)
        try:
            return tuple(float(item) for item in items)
        except (TypeError, ValueError):
            raise ValueError(f"parameter {name} takes comma-separated numbers, not {value!r}") from None
    if kind is int:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"parameter {name} takes a whole number, not {value!r}") from None
        if not number.is_integer():
            raise ValueError(f"parameter {name} takes a whole number, not {value!r}")
        return int(number)
    if kind is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(f"parameter {name} takes a number, not {value!r}") from None
    return str(value)


def _check_name(name: str) -> str:
    known = parameter_names()
    short = name.split(".")[-1]
    if short not in known:
        raise KeyError(f"unknown simulation parameter {name!r}; known parameters: {', '.join(known)}")
    return short


def flatten_section(section: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten the parameter sub-tables of a ``[simulation]`` section into one mapping.

    Raises
    ------
    KeyError
        When a name is not a parameter, or when two sub-tables set the same parameter.
    """
    flat: dict[str, Any] = {}
    for key, value in section.items():
        if key in NOT_PARAMETERS:
            continue
        if isinstance(value, Mapping):
            for inner_key, inner_value in flatten_section(value).items():
                if inner_key in flat:
                    raise KeyError(f"simulation parameter {inner_key!r} is set twice in the scenario")
                flat[inner_key] = inner_value
            continue
        name = _check_name(key)
        if name in flat:
            raise KeyError(f"simulation parameter {name!r} is set twice in the scenario")
        flat[name] = value
    return flat


def params_from_section(section: Mapping[str, Any], defaults: Mapping[str, Any] | None = None) -> SimParams:
    """Build :class:`SimParams` from a ``[simulation]`` section.

    Parameters
    ----------
    section
        The ``[simulation]`` table of a scenario file.
    defaults
        Values used where the section sets none (for example the ``[channels]`` timings of an
        older scenario file).
    """
    values = {name: _coerce(name, value) for name, value in (defaults or {}).items()}
    values.update({name: _coerce(name, value) for name, value in flatten_section(section).items()})
    return SimParams(**values)


def apply_overrides(params: SimParams, overrides: Mapping[str, Any]) -> SimParams:
    """Return ``params`` with the named values replaced, each converted to its parameter's type.

    Raises
    ------
    KeyError
        For a name that is not a parameter.
    ValueError
        For a value of the wrong type, or parameters that become invalid together.
    """
    changes = {}
    for name, value in overrides.items():
        short = _check_name(name)
        changes[short] = _coerce(short, value)
    return replace(params, **changes)


def parse_assignment(text: str) -> tuple[str, str]:
    """Split a command-line ``NAME=VALUE`` into its name and value.

    Raises
    ------
    ValueError
        When there is no ``=`` or no name.
    """
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise ValueError(f"--set takes NAME=VALUE, not {text!r}")
    return name.strip(), value.strip()

