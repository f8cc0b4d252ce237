"""The fpp error hierarchy and its catalogue of stable error codes.

Every plan-level problem is an exception that carries a stable code in the style of the IFPS
error catalogue (``ROUTE130 UNKNOWN DESIGNATOR``), the offending token or field, its character
offset in the text it came from, and a suggested fix. A channel turns such an error into a
rejection or a quarantine of that one plan. Only the legacy converter raises
:class:`CriticalException`, which stops the channel: that is the 2023 behaviour fpp reproduces.

Codes are grouped by prefix:

``SYN``
    message syntax: ICAO Doc 4444 FPL fields, Item 15 grammar, ADEXP.
``ROUTE``
    route resolution and airway expansion against the navigation data (IFPS numbers where IFPS
    has an equivalent error, 9xx for fpp's own).
``CONV``
    conversion of a route to the airspace portion (the FPRSA-R job).
``NAV``
    navigation data files (not plan-level: a bad data file stops loading).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CODES",
    "ConversionError",
    "CriticalException",
    "ErrorCode",
    "FormatError",
    "FppError",
    "NavDataError",
    "PlanError",
    "RouteError",
]


@dataclass(frozen=True)
class ErrorCode:
    """One entry of the catalogue: the code, its fixed title and the default advice."""

    code: str
    title: str
    hint: str


def _catalogue(*entries: tuple[str, str, str]) -> dict[str, ErrorCode]:
    return {code: ErrorCode(code, title, hint) for code, title, hint in entries}


CODES: dict[str, ErrorCode] = _catalogue(
    # Message syntax.
    ("SYN100", "EMPTY FIELD", "Supply the field; an empty Item 15 or message cannot be processed."),
    ("SYN101", "INVALID CHARACTER", "Remove the character or replace it with its ICAO equivalent."),
    ("SYN102", "INVALID SPEED OR LEVEL", "Write speed as N0450, K0830 or M082 and level as F350, A045, S1130, M0840 or VFR."),
    ("SYN103", "INVALID LATITUDE/LONGITUDE", "Use 46N078W, 4620N07805W or 462013N0780503W with minutes and seconds below 60."),
    ("SYN104", "INVALID BEARING/DISTANCE POINT", "Write the point as its designator plus a 3-digit bearing and a 3-digit distance, e.g. DUB180040."),
    ("SYN105", "INVALID ROUTE ELEMENT", "Check the token against the Item 15 grammar (point, route designator, DCT, VFR, IFR, T)."),
    ("SYN106", "MISPLACED ROUTE ELEMENT", "Move the element to a valid position: T last, a rule change after a point, a SID first, a STAR last."),
    ("SYN107", "INVALID CRUISE CLIMB", "Write C/POINT/speed level level or C/POINT/speed level PLUS."),
    ("SYN108", "UNMATCHED OAT/GAT OR IFPSTOP/IFPSTART", "Pair each GAT with an earlier OAT and each IFPSTART with an earlier IFPSTOP."),
    ("SYN109", "INVALID STAY", "Write STAYn/hhmm with n from 1 to 9 after a point."),
    ("SYN110", "INVALID FIELD", "Correct the field to the syntax of ICAO Doc 4444 Appendix 3."),
    ("SYN111", "MISSING FIELD", "Add the field; the message type requires it."),
    ("SYN112", "INVALID ADEXP SYNTAX", "Start every field with -KEYWORD and close every -BEGIN list with a matching -END."),
    ("SYN113", "INVALID ADEXP VALUE", "Correct the value to the ADEXP syntax of that field."),
    ("SYN114", "ROUTE TOO LONG", "Split the plan or raise the configured limit; no route is truncated silently."),
    # Route resolution and expansion.
    ("ROUTE49", "THE POINT IS UNKNOWN IN THE CONTEXT OF THE ROUTE", "Check the designator: its known positions are too far from the rest of the route."),
    ("ROUTE130", "UNKNOWN DESIGNATOR", "Check the spelling and the navigation data cycle; replace the token by a lat/long point if needed."),
    ("ROUTE139", "ROUTE IS PRECEDED BY A POINT WHICH IS NOT ONE OF ITS POINTS", "Join the ATS route at one of its points or insert DCT to a point of the route."),
    ("ROUTE140", "ROUTE IS FOLLOWED BY A POINT WHICH IS NOT ONE OF ITS POINTS", "Leave the ATS route at one of its points or insert DCT after a point of the route."),
    ("ROUTE171", "CANNOT EXPAND THE ROUTE", "Name the junction point between the two ATS routes."),
    ("ROUTE900", "AMBIGUOUS DESIGNATOR", "Replace the designator by a lat/long point or add neighbouring points that settle which one is meant."),
    ("ROUTE901", "UNRESOLVED TRACK DESIGNATOR", "Load the day's track message or file the track points explicitly."),
    ("ROUTE902", "UNKNOWN AERODROME", "Check the ICAO location indicator or use ZZZZ with DEP/ or DEST/."),
    ("ROUTE903", "UNKNOWN PROCEDURE", "Check the SID or STAR designator; fpp's data has no procedures, so the aerodrome is joined directly."),
    ("ROUTE904", "ROUTE DESIGNATOR WHERE A POINT IS EXPECTED", "Insert the point that joins or leaves the ATS route."),
    # Conversion to the airspace portion.
    ("CONV200", "ROUTE DOES NOT ENTER THE AIRSPACE", "No record is due for this airspace; check the route if one was expected."),
    ("CONV201", "CANNOT RECONCILE ITEM 15 WITH RTEPTS", "Check that RTEPTS was expanded from this ROUTE; the points of Item 15 must appear in RTEPTS in order."),
    ("CONV202", "AMBIGUOUS RECONCILIATION OF ITEM 15 WITH RTEPTS", "Process the plan by hand: its points can be matched to RTEPTS in more than one way."),
    ("CONV203", "EXIT BEFORE ENTRY", "Process the plan by hand: the computed exit lies before the entry."),
    ("CONV204", "RTEPTS POINT NOT FOUND IN THE NAVIGATION DATA", "Update the navigation data or process the plan by hand."),
    ("CONV205", "INCONSISTENT GEOGRAPHY", "Process the plan by hand: consecutive points are implausibly far apart for the times given."),
    ("CONV206", "RESOURCE LIMIT EXCEEDED", "Process the plan by hand: it exceeds a per-plan limit on points or work."),
    ("CONV207", "MISSING ROUTE DATA", "The message needs -ROUTE and a -BEGIN RTEPTS list to be converted."),
    ("CONV299", "UNEXPECTED ERROR IN CONVERSION", "Process the plan by hand and report the message to the fpp developers: it exposed a defect."),
    ("CONV208", "AMBIGUOUS RTEPTS POINT", "Process the plan by hand: the neighbouring RTEPTS points do not settle which place the designator means."),
)


class FppError(Exception):
    """Base class of every error fpp raises on purpose."""


class NavDataError(FppError):
    """A navigation or airspace data file that cannot be read.

    Parameters
    ----------
    message
        What is wrong.
    path
        The file, when known.
    line
        The 1-based line number, when known.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


class PlanError(FppError):
    """An error in one flight plan: the plan is rejected or quarantined, the channel goes on.

    Parameters
    ----------
    code
        A key of :data:`CODES`, such as ``"ROUTE130"``.
    token
        The offending token or field value, as written in the input.
    offset
        The 0-based character offset of ``token`` in the text it came from (Item 15 text for
        route errors, the whole message for message errors), or ``None`` when unknown.
    field
        The message field the token belongs to (``"15"``, ``"ROUTE"``, ``"RTEPTS"``...).
    detail
        A sentence about this occurrence; the catalogue title is prepended.
    hint
        What to do; defaults to the catalogue's advice for the code.
    """

    def __init__(
        self,
        code: str,
        token: str = "",
        offset: int | None = None,
        *,
        field: str | None = None,
        detail: str = "",
        hint: str | None = None,
    ) -> None:
        if code not in CODES:
            raise ValueError(f"unknown error code {code!r}; add it to fpp.errors.CODES")
        self.code = code
        self.title = CODES[code].title
        self.token = token
        self.offset = offset
        self.field = field
        self.detail = detail
        self.hint = hint if hint is not None else CODES[code].hint
        super().__init__(self._format())

    def _format(self) -> str:
        text = f"{self.code} {self.title}"
        if self.token:
            text += f" {self.token!r}"
        where = []
        if self.field is not None:
            where.append(f"field {self.field}")
        if self.offset is not None:
            where.append(f"offset {self.offset}")
        if where:
            text += f" ({', '.join(where)})"
        if self.detail:
            text += f": {self.detail}"
        return f"{text}. {self.hint}"

    def to_dict(self) -> dict[str, object]:
        """Return the error as a JSON-ready mapping."""
        return {
            "code": self.code,
            "title": self.title,
            "token": self.token,
            "offset": self.offset,
            "field": self.field,
            "detail": self.detail,
            "hint": self.hint,
        }


class FormatError(PlanError):
    """A message that does not follow the ICAO or ADEXP syntax (``SYN`` codes)."""


class RouteError(PlanError):
    """A route that cannot be resolved or expanded over the navigation data (``ROUTE`` codes)."""


class ConversionError(PlanError):
    """A route whose airspace portion cannot be extracted safely (``CONV`` codes)."""


class CriticalException(FppError):
    """The legacy converter's unrecoverable state: the channel that raised it stops.

    Only :mod:`fpp.convert.legacy` raises it, on purpose, to reproduce the behaviour of the
    converter that failed on 28 August 2023. ``cause`` is the plan-level error that the
    hardened logic would have raised for the same plan.
    """

    def __init__(self, message: str, cause: PlanError | None = None) -> None:
        self.cause = cause
        super().__init__(message)
