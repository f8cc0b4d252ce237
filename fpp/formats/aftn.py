"""The AFTN envelope around an ATS or ADEXP message: ``ZCZC``, heading lines and ``NNNN``.

An envelope, when present, is read line by line, in this order; every part is optional:

1. the start-of-message line ``ZCZC``, optionally followed by a transmission identification;
2. the priority indicator and addressees, e.g. ``FF EGZYIFPS EGTTZQZX``, with further lines of
   8-letter addressees;
3. the filing time (DDHHMM) and the 8-letter originator, e.g. ``281402 KTULUSAD``;
4. after the message text, the end-of-message line ``NNNN``.

Blank lines are ignored. Any other heading line is an error, raised with the code the caller
passes, because the ICAO and ADEXP parsers report it differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fpp.errors import FormatError

__all__ = ["AftnEnvelope", "emit_envelope", "parse_heading", "strip_end_of_message"]

_START = re.compile(r"ZCZC(?:[ \t]+(.*?))?[ \t]*")
_PRIORITY = re.compile(r"(SS|DD|FF|GG|KK)((?:[ \t]+[A-Z]{8})+)[ \t]*")
_ADDRESSEES = re.compile(r"[A-Z]{8}(?:[ \t]+[A-Z]{8})*[ \t]*")
_ORIGIN = re.compile(r"(\d{6})[ \t]+([A-Z]{8})[ \t]*")
_END = re.compile(r"(?:^|(?<=\s))NNNN\s*\Z")
_LINE = re.compile(r"[^\r\n]+")


@dataclass(frozen=True)
class AftnEnvelope:
    """The AFTN parts around a message.

    Attributes
    ----------
    start
        Whether the message began with ``ZCZC``.
    transmission_id
        Text after ``ZCZC`` on its line, or ``None``.
    priority
        Priority indicator (``SS``, ``DD``, ``FF``, ``GG`` or ``KK``), or ``None``.
    addressees
        8-letter addressee indicators, in order.
    filing_time
        Filing time DDHHMM, or ``None``.
    originator
        8-letter originator indicator, or ``None``.
    end
        Whether the message ended with ``NNNN``.
    """

    start: bool = True
    transmission_id: str | None = None
    priority: str | None = None
    addressees: tuple[str, ...] = ()
    filing_time: str | None = None
    originator: str | None = None
    end: bool = True


def parse_heading(heading: str, end: bool, code: str, field: str | None) -> AftnEnvelope | None:
    """Parse the text before a message into an envelope.

    Parameters
    ----------
    heading
        The text before the message proper; it may be blank.
    end
        Whether the caller found ``NNNN`` after the message.
    code
        The error code to raise for a line that is no envelope line.
    field
        The field name to give in errors.

    Returns
    -------
    AftnEnvelope or None
        ``None`` when the heading is blank and ``end`` is false.

    Raises
    ------
    FormatError
        ``code`` naming the first line that is not an envelope line, with its offset.
    """
    lines: list[tuple[str, int]] = []
    for match in _LINE.finditer(heading):
        raw = match.group()
        line = raw.strip()
        if line:
            lines.append((line, match.start() + len(raw) - len(raw.lstrip())))
    if not lines and not end:
        return None

    start = False
    transmission_id = None
    priority = None
    addressees: list[str] = []
    filing_time = None
    originator = None
    stage = 0  # 0: before ZCZC, 1: before priority, 2: addressee lines, 3: after the origin line
    for line, offset in lines:
        start_match = _START.fullmatch(line)
        priority_match = _PRIORITY.fullmatch(line)
        origin_match = _ORIGIN.fullmatch(line)
        if stage == 0 and start_match is not None:
            start = True
            transmission_id = start_match.group(1) or None
            stage = 1
        elif stage <= 1 and priority_match is not None:
            priority = priority_match.group(1)
            addressees.extend(priority_match.group(2).split())
            stage = 2
        elif stage == 2 and _ADDRESSEES.fullmatch(line) is not None:
            addressees.extend(line.split())
        elif stage <= 2 and origin_match is not None:
            filing_time, originator = origin_match.groups()
            stage = 3
        else:
            raise FormatError(
                code,
                line,
                offset,
                field=field,
                detail=(
                    "text before the message that is not an AFTN envelope line (ZCZC, priority and "
                    "addressees, filing time and originator)"
                ),
            )
    return AftnEnvelope(start, transmission_id, priority, tuple(addressees), filing_time, originator, end)


def strip_end_of_message(text: str) -> tuple[str, bool]:
    """Remove a final ``NNNN`` and the whitespace after it; return the text and whether it was there."""
    match = _END.search(text)
    if match is None:
        return text, False
    return text[: match.start()], True


def emit_envelope(envelope: AftnEnvelope, body: str) -> str:
    """Write ``body`` inside the envelope, one envelope part per line."""
    lines = []
    if envelope.start:
        lines.append("ZCZC" if envelope.transmission_id is None else f"ZCZC {envelope.transmission_id}")
    if envelope.priority is not None:
        lines.append(" ".join([envelope.priority, *envelope.addressees]))
    if envelope.filing_time is not None and envelope.originator is not None:
        lines.append(f"{envelope.filing_time} {envelope.originator}")
    lines.append(body)
    if envelope.end:
        lines.append("NNNN")
    return "\n".join(lines)
