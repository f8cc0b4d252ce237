"""The outcome of one message of a stream: converted, rejected, quarantined or a critical exception.

``fpp convert`` and its distributed form (:mod:`fpp.distributed.convert`) classify every
message with :func:`classify_message`, so that both count the same outcomes and codes for the
same input. A rejection always carries a code, so the per-code counts add up to the rejections.
"""

from __future__ import annotations

import logging
from typing import Any

from fpp.errors import CriticalException, FormatError, PlanError

__all__ = ["classify_message", "message_kind", "not_adexp_error", "not_icao_error", "outcome_of"]

logger = logging.getLogger(__name__)


def message_kind(raw: str) -> str:
    """Return ``"icao"``, ``"adexp"`` or ``"unknown"`` from the first text of a message after any ``ZCZC`` line."""
    body = "\n".join(line for line in raw.splitlines() if not line.strip().startswith("ZCZC")).lstrip()
    if body.startswith("("):
        return "icao"
    if body.startswith("-"):
        return "adexp"
    return "unknown"


def _body_offset(raw: str) -> int:
    """Return the offset of the first character of ``raw`` that is not white space."""
    return len(raw) - len(raw.lstrip())


def not_adexp_error(raw: str) -> FormatError:
    """Return the ``SYN112`` rejection of an ICAO message given where ADEXP is expected."""
    return FormatError("SYN112", "(", raw.find("("), field="message",
                       detail="this is an ICAO message, not ADEXP",
                       hint="Run 'fpp expand' on it first to get the ADEXP IFPL message.")


def not_icao_error(raw: str) -> FormatError:
    """Return the ``SYN110`` rejection of an ADEXP message given where an ICAO FPL is expected."""
    return FormatError("SYN110", "-", _body_offset(raw), field="message",
                       detail="this is an ADEXP message, not an ICAO FPL",
                       hint="Run 'fpp convert' on it; ADEXP needs no expansion.")


def outcome_of(error: PlanError) -> str:
    """Return ``"rejected"`` for syntax errors and routes that miss the airspace, else ``"quarantined"``."""
    return "rejected" if error.code.startswith("SYN") or error.code == "CONV200" else "quarantined"


def classify_message(converter, raw: str, number: int) -> tuple[dict[str, Any], Any]:
    """Convert one message and return its outcome mapping and its record (``None`` unless converted).

    The mapping has ``message`` (``number``), ``outcome``, and for every other outcome than
    ``converted`` a ``code`` and an ``error`` text; ``callsign`` once the message is parsed.
    """
    from fpp.formats.adexp import parse_adexp

    entry: dict[str, Any] = {"message": number}
    try:
        if message_kind(raw) == "icao":
            raise not_adexp_error(raw)
        message = parse_adexp(raw)
        entry["callsign"] = message.get("ARCID")
        record = converter.convert(message)
    except CriticalException as error:
        entry.update(outcome="critical exception", code=error.cause.code if error.cause else None, error=str(error))
        return entry, None
    except PlanError as error:
        entry.update(outcome=outcome_of(error), code=error.code, error=str(error))
        return entry, None
    except (RecursionError, ValueError) as error:
        # Containment: a message that trips an fpp defect is set aside, and the rest go on.
        entry.update(outcome="quarantined", code="CONV299", error=f"unexpected {type(error).__name__}: {error}")
        logger.error("message %d quarantined after an unexpected %s: %s", number, type(error).__name__, error)
        return entry, None
    entry["outcome"] = "converted"
    return entry, record
