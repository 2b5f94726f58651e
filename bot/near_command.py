"""The known command nearest to a mistyped one, for "Bedoel je /zaken?": shared by the
volunteer's and the servant's commands."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process


def nearest_command(name: str, known: Iterable[str]) -> str | None:
    """The known command closest to a mistyped one ("hepl" -> "help"), or None."""
    found = process.extractOne(name, list(known), scorer=fuzz.ratio, score_cutoff=66)
    return found[0] if found else None
