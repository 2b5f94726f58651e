"""The knowledge map as immutable values.

The format contract lives in ``shared/knowledge-format/README.md``. Everything the
router knows about themes, organisations, places and people comes from these values;
``routing.load`` builds them from a folder of YAML and validates them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")
EntryKind = Literal["fund", "contact_point", "network"]
ENTRY_FILES: Mapping[str, EntryKind] = {
    "funds.yaml": "fund",
    "contact_points.yaml": "contact_point",
    "networks.yaml": "network",
}
STAGES: tuple[str, ...] = ("idea", "starting", "running", "scaling")
NATIONAL = "nl"  # the region id for the whole country; always valid
GENERAL_THEME = "algemeen"  # the general desk's theme


@dataclass(frozen=True, slots=True)
class Text:
    """A text a volunteer may read: Dutch always, English optionally."""

    nl: str
    en: str | None = None

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to Dutch."""
        return (self.en if lang == "en" else None) or self.nl


@dataclass(frozen=True, slots=True)
class Terms:
    """Words and phrases people use, per language (lower case)."""

    nl: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        return self.nl + self.en


@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    label: Text
    terms: Terms = field(default_factory=Terms)


@dataclass(frozen=True, slots=True)
class Need:
    id: str
    label: Text
    terms: Terms = field(default_factory=Terms)


@dataclass(frozen=True, slots=True)
class Region:
    """A province with (a selection of) its municipalities.

    ``aliases`` (an extension of the format) holds other names for the province,
    ``municipality_aliases`` maps a colloquial name to a listed municipality
    (``"Den Bosch" -> "'s-Hertogenbosch"``).
    """

    id: str
    name: str
    municipalities: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    municipality_aliases: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Eligibility:
    legal_forms: tuple[str, ...] = ()
    max_amount_eur: int | None = None
    notes: Text | None = None


@dataclass(frozen=True, slots=True)
class Window:
    """When an entry is open; either end may be absent (open-ended)."""

    start: dt.date | None = None
    until: dt.date | None = None

    def is_open(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (
            self.until is None or day <= self.until
        )


@dataclass(frozen=True, slots=True)
class Entry:
    """A fund, contact point or partner network."""

    id: str
    kind: EntryKind
    name: str
    summary: Text
    themes: tuple[str, ...] = ()  # empty = any theme
    needs: tuple[str, ...] = ()
    regions: tuple[str, ...] = (NATIONAL,)
    municipalities: tuple[str, ...] = ()  # empty = anywhere in its regions
    stages: tuple[str, ...] = ()  # empty = all stages
    terms: Terms = field(default_factory=Terms)
    url: str | None = None
    contact: Mapping[str, str] = field(default_factory=dict)
    eligibility: Eligibility | None = None
    window: Window | None = None

    def is_open(self, day: dt.date) -> bool:
        return self.window is None or self.window.is_open(day)


@dataclass(frozen=True, slots=True)
class Absence:
    start: dt.date
    until: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.until


@dataclass(frozen=True, slots=True)
class Servant:
    """A named civil servant who takes warm handovers.

    ``admin`` (an extension) marks programme staff who see all cases and receive
    knowledge-map alerts.
    """

    id: str
    name: str
    title: Text
    organisation: str
    themes: tuple[str, ...]
    regions: tuple[str, ...]
    languages: tuple[str, ...] = ("nl",)
    channels: Mapping[str, str] = field(default_factory=dict)
    max_open_cases: int = 10
    absent: tuple[Absence, ...] = ()
    admin: bool = False

    def is_absent(self, day: dt.date) -> bool:
        return any(a.covers(day) for a in self.absent)


@dataclass(frozen=True, slots=True)
class KnowledgeMap:
    """A validated knowledge map. Build with ``routing.load.load_knowledge``."""

    themes: tuple[Theme, ...]
    needs: tuple[Need, ...]
    regions: tuple[Region, ...]
    entries: tuple[Entry, ...]
    servants: tuple[Servant, ...]

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)

    def need(self, need_id: str) -> Need:
        return next(n for n in self.needs if n.id == need_id)

    def region(self, region_id: str) -> Region:
        return next(r for r in self.regions if r.id == region_id)

    def entry(self, entry_id: str) -> Entry:
        return next(e for e in self.entries if e.id == entry_id)

    def servant(self, servant_id: str) -> Servant:
        return next(s for s in self.servants if s.id == servant_id)

    def find_servant(self, servant_id: str) -> Servant | None:
        return next((s for s in self.servants if s.id == servant_id), None)
