"""An input filter in front of the channels for the pattern of 28 August 2023.

After the failure, NATS put filters in front of FPRSA-R that catch this pattern before the
converter sees it. This filter repeats the search by name for the UK exit: from the last UK
point of ``RTEPTS`` onward, the first designator that occurs in Item 15, at its last
occurrence. It flags the message when that occurrence lies before the UK entry. A flagged
message is quarantined for manual input with ``CONV203``, and the channels never see it.

The filter uses the same UK point table as the legacy logic, so it flags exactly the messages
whose exit search goes wrong. Other messages with a repeated designator pass.
"""

from __future__ import annotations

from collections.abc import Mapping

from fpp.convert.airspace import AirspaceVolume
from fpp.errors import ConversionError
from fpp.formats.adexp import AdexpMessage

__all__ = ["InputFilter"]


def _tokens(route: str) -> list[str]:
    return [token.split("/")[0] for token in route.split()]


class InputFilter:
    """Flag messages whose exit designator can match an Item 15 point before the entry.

    Parameters
    ----------
    uk_points
        Designators of the points in UK airspace (see :func:`fpp.convert.legacy.uk_point_table`).
    volume
        UK airspace, used only to place GEO points given by coordinates.
    """

    def __init__(self, uk_points: Mapping[str, tuple[float, float]], volume: AirspaceVolume) -> None:
        self.uk_points = uk_points
        self.volume = volume

    def _is_uk(self, ident: str, geo: Mapping[str, tuple[float, float]]) -> bool:
        if ident in geo:
            return self.volume.contains(*geo[ident])
        return ident in self.uk_points

    def check(self, message: AdexpMessage) -> ConversionError | None:
        """Return the error to quarantine ``message`` with, or ``None`` to let it through."""
        route = message.route
        points = message.rtepts()
        if not route or not points:
            return None
        geo = message.geo_points()
        uk = [k for k, point in enumerate(points) if self._is_uk(point.ident or "", geo)]
        if not uk:
            return None
        tokens = _tokens(route)

        entry_token = None
        for k in range(uk[0], -1, -1):
            name = points[k].ident or ""
            if name in tokens:
                entry_token = tokens.index(name)
                break
        if entry_token is None:
            return None

        for k in range(uk[-1], len(points)):
            name = points[k].ident or ""
            if name not in tokens:
                continue
            last = len(tokens) - 1 - tokens[::-1].index(name)
            if last >= entry_token:
                return None
            return ConversionError(
                "CONV203", name, None, field="RTEPTS",
                detail=(f"the exit search by name would stop at RTEPTS point {k + 1} {name}, which matches Item 15 "
                        f"token {last}, before the UK entry at token {entry_token}; set aside by the input filter"),
            )
        return None
