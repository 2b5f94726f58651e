"""Text rules of the Telegram channel, free of I/O: escaping, splitting, keyboard layout,
callback data and the mapping of commands.

Telegram counts a message's length in UTF-16 code units *after* entity parsing, so we split
the plain text first and escape each part afterwards.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence

from bot.channels import split

#: Telegram's limit for one message's text (after entity parsing).
MAX_MESSAGE_LENGTH = 4096
#: Telegram's limit for a button's ``callback_data``, in bytes.
MAX_CALLBACK_DATA = 64
#: Prefix of callback data that stands for a longer value kept in the state store.
CALLBACK_TOKEN_PREFIX = "~t:"

_BUTTONS_PER_ROW = 3
_ROW_LABEL_BUDGET = 30  # characters of labels that fit side by side on a phone


def escape(text: str) -> str:
    """Escape ``text`` for ``parse_mode=HTML``: nothing a person or the map wrote is markup."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` UTF-16 units, preferring to cut at a
    paragraph break, then a line break, then a space; a word longer than a whole message is
    cut hard. The whitespace at a cut is dropped; nothing else is lost."""
    if limit < 2:  # an astral character (emoji) takes two units
        raise ValueError("limit must be at least 2")
    return split.split_text(text, limit, utf16_len)


def keyboard_rows(labels: Sequence[str]) -> list[list[int]]:
    """Group button indexes into rows: short labels side by side (yes / no), long ones alone."""
    rows: list[list[int]] = []
    row: list[int] = []
    width = 0
    for index, label in enumerate(labels):
        size = len(label)
        if row and (len(row) >= _BUTTONS_PER_ROW or width + size > _ROW_LABEL_BUDGET):
            rows.append(row)
            row, width = [], 0
        row.append(index)
        width += size
    if row:
        rows.append(row)
    return rows


def fits_callback_data(value: str) -> bool:
    """Whether ``value`` can travel as ``callback_data`` as it is."""
    return (0 < len(value.encode("utf-8")) <= MAX_CALLBACK_DATA
            and not value.startswith(CALLBACK_TOKEN_PREFIX))


def callback_token(value: str) -> str:
    """A short stand-in for a long choice value; the same value always gets the same token."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:24]
    return CALLBACK_TOKEN_PREFIX + digest


_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)")


def parse_command(text: str) -> tuple[str, str | None, str] | None:
    """``"/start@Bot abc"`` -> ``("start", "Bot", "abc")``; ``None`` if not a command."""
    match = _COMMAND.match(text)
    if match is None:
        return None
    return match.group(1), match.group(2), text[match.end():].strip()


def command_text(name: str, args: str) -> str:
    """The command as the desk sees it: ``/name args`` without the ``@bot`` suffix."""
    return f"/{name} {args}" if args else f"/{name}"
