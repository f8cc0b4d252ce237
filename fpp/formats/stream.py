"""Split a stream of ICAO or ADEXP messages, as a file or an AFTN feed carries them, into messages.

The Numba kernel :func:`fpp.kernels.adexp.split_messages` follows the same rules on bytes.
"""

from __future__ import annotations

__all__ = ["split_messages"]


def split_messages(text: str) -> list[str]:
    """Split a file of messages into messages.

    A message starts at a line that begins with ``ZCZC``, ``(`` (ICAO) or ``-TITLE`` (ADEXP), and
    ends before the next such line or at a line with only ``NNNN``. Blank lines inside a message
    are kept, because whitespace is legal inside both formats. Text before the first start line
    belongs to the first message.
    """
    messages: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if any(line.strip() for line in current):
            messages.append("\n".join(current).strip("\n"))
        current.clear()

    for line in text.splitlines():
        stripped = line.lstrip()
        starts = stripped.startswith(("ZCZC", "(", "-TITLE"))
        if starts and _has_body(current):
            flush()
        current.append(line)
        if stripped.rstrip() == "NNNN":
            flush()
    flush()
    return messages


def _has_body(lines: list[str]) -> bool:
    """Return whether the lines contain message text beyond an AFTN envelope's heading lines."""
    return any("(" in line or line.lstrip().startswith("-") for line in lines)
