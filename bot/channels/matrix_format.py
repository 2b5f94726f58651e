"""Text rules of the Matrix channel, free of I/O: message content (plain ``body`` plus
escaped HTML ``formatted_body``), splitting, numbered choices, reading commands, choices
typed back and reply fallbacks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from bot.channel import Choice
from bot.channels import split

#: Characters of text per event. An event may hold 64 KiB; the body plus its escaped HTML
#: (at most ~6 bytes of HTML per character, 4 bytes of UTF-8 in the body) stays well below.
MAX_PART = 4000

_COMMAND = re.compile(r"^[/!]([A-Za-z][A-Za-z0-9_]{0,63})(?=\s|$)")


def split_text(text: str, limit: int = MAX_PART) -> list[str]:
    """Parts of at most ``limit`` characters, cut at a paragraph break, else a line break,
    else a space, else hard. Whitespace at a cut is dropped; nothing else is lost."""
    return split.split_text(text, limit)


def choices_text(choices: Sequence[Choice]) -> str:
    return "\n".join(f"{i}. {choice.label}" for i, choice in enumerate(choices, 1))


def to_html(text: str) -> str:
    """Everything escaped (nothing a person or the map wrote becomes markup); line breaks
    kept."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def render(text: str, choices: Sequence[Choice] = (), limit: int = MAX_PART
           ) -> list[dict[str, Any]]:
    """The ``m.room.message`` contents for one outbound message: the text split into parts,
    the choices as a numbered list at the end of the last part (never split from it)."""
    text = text if text.strip() else "…"
    listing = choices_text(choices)
    parts = split_text(text, limit)
    if listing:
        if len(parts[-1]) + 2 + len(listing) > limit:
            parts.append("")
        parts[-1] = f"{parts[-1]}\n\n{listing}" if parts[-1] else listing
    contents = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if last and choices:
            lead, _, _ = part.rpartition(listing)
            lead = lead.rstrip("\n")
            items = "".join(f"<li>{to_html(c.label)}</li>" for c in choices)
            formatted = (f"{to_html(lead)}<br><br>" if lead else "") + f"<ol>{items}</ol>"
        else:
            formatted = to_html(part)
        contents.append({"msgtype": "m.text", "body": part, "format": "org.matrix.custom.html",
                         "formatted_body": formatted})
    return contents


def parse_command(text: str) -> tuple[str, str] | None:
    """``("neem", "12")`` for ``/neem 12`` or ``!neem 12`` (Matrix clients such as Element
    treat an unknown ``/command`` as their own; ``!`` is the usual bot prefix)."""
    stripped = text.strip()
    match = _COMMAND.match(stripped)
    if match is None:
        return None
    return match.group(1), stripped[match.end():].strip()


def command_text(name: str, args: str) -> str:
    """The command as the desk reads it."""
    return f"/{name} {args}" if args else f"/{name}"


def pick_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice a typed answer means: its number ("2", "2.") or its label (any case)."""
    answer = text.strip().rstrip(".)").strip()
    if answer.isdigit():
        number = int(answer)
        return choices[number - 1] if 1 <= number <= len(choices) else None
    folded = answer.casefold()
    for choice in choices:
        if choice.label.strip().casefold() == folded:
            return choice
    return None


def strip_reply_fallback(body: str) -> str:
    """Remove the ``> <@someone> quoted`` lines some clients put before a reply."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> "):
        return body
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and lines[index] == "":
        return "\n".join(lines[index + 1:])
    return body
