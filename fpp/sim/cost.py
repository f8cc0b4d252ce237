"""Per-plan work in a channel, and the bounds the hardened channel puts on it.

A channel spends ``processing_s`` on every message plus work for each route point. The work is
a number of checks per point (conflict and sector checks, in the FAA ERAM case), each with a
time and a memory cost. ``misread_above_level_ft`` models the ERAM failure of 30 April 2014. A
plan filed above that level is read as a low-level flight, and each of its points is checked
against ``misread_checks_per_point`` other flights. A plan with many points then needs more
memory than the channel has.

A legacy channel does the work until it is done or its memory runs out, which stops the
channel. A hardened channel stops the work at ``plan_time_limit_s`` or
``plan_memory_limit_mb``, quarantines the plan with ``CONV206`` and goes on with the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fpp.sim.params import SimParams

__all__ = ["PlanCost", "plan_cost"]

_POINT = re.compile(r"-(?:PTID|ADID)\s")
_LEVEL = re.compile(r"-RFL\s+([FA])(\d{3})")


@dataclass(frozen=True)
class PlanCost:
    """The work one message takes.

    Attributes
    ----------
    points
        Route points in ``RTEPTS``.
    level_ft
        Requested level [ft], or ``None`` when the message has none.
    misread
        Whether the level was read as a low level (the ERAM failure).
    time_s
        Time to process the message without bounds [s].
    memory_mb
        Memory the work needs [MB].
    """

    points: int
    level_ft: float | None
    misread: bool
    time_s: float
    memory_mb: float

    def bounded(self, params: SimParams) -> tuple[float, bool]:
        """Return the time a hardened channel spends and whether it stops the work at a bound."""
        over_time = self.time_s > params.plan_time_limit_s
        over_memory = self.memory_mb > params.plan_memory_limit_mb
        if not (over_time or over_memory):
            return self.time_s, False
        share = 1.0
        if over_time:
            share = min(share, params.plan_time_limit_s / self.time_s)
        if over_memory:
            share = min(share, params.plan_memory_limit_mb / self.memory_mb)
        return self.time_s * share, True

    def exhausts_memory(self, params: SimParams) -> tuple[float, bool]:
        """Return the time a legacy channel spends and whether its memory runs out first."""
        if self.memory_mb <= params.channel_memory_mb:
            return self.time_s, False
        return self.time_s * params.channel_memory_mb / self.memory_mb, True


def plan_cost(text: str, params: SimParams) -> PlanCost:
    """Return the work that the ADEXP message ``text`` takes under ``params``."""
    points = len(_POINT.findall(text))
    level_match = _LEVEL.search(text)
    level_ft = float(level_match.group(2)) * 100.0 if level_match else None
    misread = (params.misread_above_level_ft is not None and level_ft is not None
               and level_ft > params.misread_above_level_ft)
    checks = params.misread_checks_per_point if misread else params.checks_per_point
    work = points * checks
    time_s = params.processing_s + points * params.per_point_s + work * params.check_time_ms / 1000.0
    memory_mb = work * params.check_memory_kb / 1024.0
    return PlanCost(points, level_ft, misread, time_s, memory_mb)
