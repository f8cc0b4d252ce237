"""Character-set and case policy shared by the Item 15, ICAO and ADEXP parsers.

Policy, the same in every parser:

* A no-break space (U+00A0) is read as a space, with a warning. The text keeps its length, so
  offsets still point into the input.
* Any other character outside the parser's character set raises ``SYN101`` with the character's
  code point (``U+000B``), its Unicode name when it has one, and its offset.
* Lower-case letters are converted to upper case, with one warning that names the first token
  that contains one and its offset. The conversion covers the whole text, so no token is ever
  half converted.
"""

from __future__ import annotations

import re
import unicodedata

from fpp.errors import FormatError

__all__ = ["describe_character", "normalise_characters", "upper_case"]

NO_BREAK_SPACE = "\u00a0"

_LOWER = re.compile(r"[a-z]")
_TOKEN_AT = re.compile(r"[^ \t\r\n]*")
_SEPARATORS = " \t\r\n"


def describe_character(character: str) -> str:
    """Name a character by code point and Unicode name, e.g. ``U+00C5 LATIN CAPITAL LETTER A ...``."""
    name = unicodedata.name(character, "")
    code = f"U+{ord(character):04X}"
    return f"{code} {name}" if name else code


def normalise_characters(
    text: str, invalid: re.Pattern[str], field: str | None, text_name: str
) -> tuple[str, list[str]]:
    """Replace no-break spaces and raise on the first character that ``invalid`` matches.

    Parameters
    ----------
    text
        The input.
    invalid
        A pattern matching one character that is not allowed. It must match U+00A0.
    field
        The message field, for errors.
    text_name
        The name of the text in messages, such as ``"Item 15"``.

    Returns
    -------
    text, warnings
        The text with no-break spaces replaced, and the warnings that describe the replacement.

    Raises
    ------
    FormatError
        ``SYN101`` naming the first invalid character and its offset.
    """
    warnings: list[str] = []
    match = invalid.search(text)
    if match is not None and NO_BREAK_SPACE in text:
        first = text.index(NO_BREAK_SPACE)
        warnings.append(f"no-break space (U+00A0) at offset {first} read as a space")
        text = text.replace(NO_BREAK_SPACE, " ")
        match = invalid.search(text)

    if match is not None:
        character = match.group()
        raise FormatError(
            "SYN101",
            character,
            match.start(),
            field=field,
            detail=(
                f"character {describe_character(character)} at offset {match.start()} "
                f"is not allowed in {text_name}"
            ),
        )
    return text, warnings


def upper_case(text: str) -> tuple[str, str | None]:
    """Convert the text to upper case and describe the first lower-case token, if any.

    Returns
    -------
    text, warning
        The upper-case text (same length, because the input is ASCII) and a warning naming the
        first token with a lower-case letter and its offset, or ``None`` when there was none.
    """
    match = _LOWER.search(text)
    if match is None:
        return text, None

    start = match.start()
    while start > 0 and text[start - 1] not in _SEPARATORS:
        start -= 1
    token_match = _TOKEN_AT.match(text, start)
    token = token_match.group() if token_match is not None else text[start:]
    warning = f"lower-case token {token!r} at offset {start} converted to upper case"
    return text.upper(), warning
