"""Splitting a long text into message-sized parts, for any channel's way of counting length.

Pure: no I/O. Each adapter passes its own limit and length function (Telegram counts UTF-16
code units, Matrix counts characters).
"""

from __future__ import annotations

from collections.abc import Callable

#: Where a cut is preferred, best first: a paragraph break, a line break, a space.
SEPARATORS = ("\n\n", "\n", " ")


def split_text(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """Split ``text`` into parts with ``length(part) <= limit``, cutting at a paragraph break,
    else a line break, else a space (as long as that keeps a reasonably full part), else hard
    inside a word. The whitespace at a cut is dropped; nothing else is lost. There is always
    at least one part (an empty text gives ``[""]``).

    ``length`` must count every character as at least 1 and grow with the text. Raises
    ``ValueError`` if ``limit`` is below 1 or a single character is longer than ``limit``."""
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text
    while length(rest) > limit:
        window = _fitting_prefix(rest, limit, length)
        if window == 0:
            raise ValueError(f"the character {rest[0]!r} is longer than the limit {limit}")
        cut, skip = _best_cut(rest, window)
        part = rest[:cut].rstrip()
        if part:
            parts.append(part)
        rest = rest[cut + skip:].lstrip("\n ")
    if rest.strip() or not parts:
        parts.append(rest)
    return parts


def _fitting_prefix(text: str, limit: int, length: Callable[[str], int]) -> int:
    """The largest number of leading characters of ``text`` whose length is at most
    ``limit``, by binary search (``length`` grows with the text, by at least 1 a character,
    so no more than ``limit`` characters can fit)."""
    high = min(len(text), limit)
    if length(text[:high]) <= limit:
        return high
    low, high = 0, high - 1  # the answer lies in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        if length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def _best_cut(text: str, window: int) -> tuple[int, int]:
    """Where to cut ``text`` within its first ``window`` characters: (index, separator length).

    ``window`` characters fit; the separator itself may sit just past them (it is dropped)."""
    head = text[: window + 1]
    for separator in SEPARATORS:
        index = head.rfind(separator)
        if index > window // 4:  # a cut that keeps a reasonably full part
            return index, len(separator)
    return window, 0
