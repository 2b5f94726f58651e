"""Load a knowledge map from a folder of YAML and validate every part of it.

Every problem is collected with its file, line and a plain sentence; only when there are
no errors is a ``KnowledgeMap`` built. Warnings (an unknown key, a window that has closed)
do not stop loading.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from routing.model import (
    ENTRY_FILES,
    NATIONAL,
    STAGES,
    Absence,
    Eligibility,
    Entry,
    EntryKind,
    KnowledgeMap,
    Need,
    Region,
    Servant,
    Terms,
    Text,
    Theme,
    Window,
)

FILES = ("themes.yaml", "needs.yaml", "regions.yaml", *ENTRY_FILES, "civil_servants.yaml")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
Severity = Literal["error", "warning"]

_COMMON = {"id"}
_LABELLED_KEYS = _COMMON | {"label", "terms"}
_REGION_KEYS = _COMMON | {"name", "municipalities", "aliases", "municipality_aliases"}
_ENTRY_KEYS = _COMMON | {
    "name", "summary", "themes", "needs", "regions", "municipalities", "stages", "terms",
    "url", "contact", "eligibility", "open",
}
_SERVANT_KEYS = _COMMON | {
    "name", "title", "organisation", "themes", "regions", "languages", "channels",
    "max_open_cases", "absent", "admin",
}


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "" if self.severity == "error" else "warning: "
        return f"{where}: {prefix}{self.message}"


class KnowledgeError(Exception):
    """The map has errors; ``problems`` lists every one of them (and the warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) in the knowledge map:\n"
                         + "\n".join(str(p) for p in errors))
        self.problems = problems


class _Item:
    """One mapping from a YAML list, with the line of each of its keys."""

    def __init__(self, file: str, node: yaml.MappingNode, value: dict[str, Any]) -> None:
        self.file = file
        self.value = value
        self.line: int = int(node.start_mark.line) + 1
        self.key_lines: dict[str, int] = {
            str(k.value): int(v.start_mark.line) + 1
            for k, v in node.value
            if isinstance(k, yaml.ScalarNode)
        }

    def at(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    @property
    def id(self) -> str:
        value = self.value.get("id")
        return value if isinstance(value, str) else "?"


class _Checker:
    def __init__(self, today: dt.date | None) -> None:
        self.today = today
        self.problems: list[Problem] = []

    def error(self, file: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def warn(self, file: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(file, line, message, "warning"))

    # --- parsing -----------------------------------------------------------------------

    def parse(self, file: str, text: str | None) -> list[_Item]:
        if text is None:
            self.error(file, None, "this file is missing from the knowledge folder")
            return []
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            self.error(file, line, f"this is not valid YAML ({exc.problem or exc.context})")
            return []
        except yaml.YAMLError as exc:
            self.error(file, None, f"this is not valid YAML ({exc})")
            return []
        if node is None or data is None:
            return []
        if not isinstance(node, yaml.SequenceNode) or not isinstance(data, list):
            self.error(file, node.start_mark.line + 1, "the file must be a list of items (lines starting with '- ')")
            return []
        items = []
        for child, value in zip(node.value, data, strict=True):
            if not isinstance(child, yaml.MappingNode) or not isinstance(value, dict):
                self.error(file, child.start_mark.line + 1, "each item must be a set of 'key: value' fields")
                continue
            items.append(_Item(file, child, value))
        return items

    # --- field helpers -----------------------------------------------------------------

    def known_keys(self, item: _Item, allowed: set[str]) -> None:
        for key in item.value:
            if key not in allowed:
                self.warn(item.file, item.at(str(key)),
                          f"'{item.id}' has a field '{key}' that the format does not know; it is ignored")

    def required_str(self, item: _Item, key: str) -> str:
        value = item.value.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.error(item.file, item.at(key), f"'{item.id}' has no '{key}'")
            return ""
        if not isinstance(value, str | int | float):
            self.error(item.file, item.at(key), f"'{item.id}': '{key}' must be a piece of text")
            return ""
        return str(value)

    def text(self, item: _Item, key: str, *, required: bool = True) -> Text | None:
        value = item.value.get(key)
        if value is None:
            if required:
                self.error(item.file, item.at(key),
                           f"'{item.id}' has no '{key}' (needs at least Dutch: {key}: {{nl: ...}})")
            return None
        if isinstance(value, str):
            return Text(value)
        if not isinstance(value, dict) or not isinstance(value.get("nl"), str) or not value["nl"].strip():
            self.error(item.file, item.at(key), f"'{item.id}': '{key}' has no Dutch text ('nl')")
            return None
        en = value.get("en")
        return Text(value["nl"], en if isinstance(en, str) and en.strip() else None)

    def str_list(self, item: _Item, key: str, value: Any = None) -> tuple[str, ...]:
        raw = item.value.get(key) if value is None else value
        if raw is None:
            return ()
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            self.error(item.file, item.at(key), f"'{item.id}': '{key}' must be a list like [a, b]")
            return ()
        return tuple(str(x) for x in raw if x is not None)

    def terms(self, item: _Item, key: str = "terms") -> Terms:
        raw = item.value.get(key)
        if raw is None:
            return Terms()
        if not isinstance(raw, dict):
            self.error(item.file, item.at(key), f"'{item.id}': '{key}' must have 'nl' and/or 'en' lists")
            return Terms()
        nl = self.str_list(item, key, raw.get("nl") or [])
        en = self.str_list(item, key, raw.get("en") or [])
        return Terms(tuple(t.lower() for t in nl), tuple(t.lower() for t in en))

    def date(self, item: _Item, key: str, value: Any, what: str) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.error(item.file, item.at(key),
                       f"'{item.id}': {what} '{value}' is not a date (write it as YYYY-MM-DD)")
            return None

    def refs(self, item: _Item, key: str, known: Mapping[str, object], kind: str,
             extra: frozenset[str] = frozenset()) -> tuple[str, ...]:
        values = self.str_list(item, key)
        for value in values:
            if value not in known and value not in extra:
                self.error(item.file, item.at(key), f"'{item.id}' names unknown {kind} '{value}'")
        return values


def _read_folder(path: Path) -> dict[str, str | None]:
    texts: dict[str, str | None] = {}
    for name in FILES:
        file = path / name
        if not file.exists():
            alt = file.with_suffix(".yml")
            file = alt if alt.exists() else file
        try:
            texts[name] = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            texts[name] = None
        except (OSError, UnicodeDecodeError) as exc:
            texts[name] = f"!!unreadable {exc}"
    return texts


def check_knowledge(path: str | Path, *, today: dt.date | None = None
                    ) -> tuple[KnowledgeMap | None, list[Problem]]:
    """Validate the map in folder ``path``: the map (or None on errors) and every problem."""
    folder = Path(path)
    if not folder.is_dir():
        return None, [Problem(str(folder), None, "this knowledge folder does not exist")]
    return check_texts(_read_folder(folder), today=today)


def load_knowledge(path: str | Path, *, today: dt.date | None = None) -> KnowledgeMap:
    """The map in folder ``path``; raises ``KnowledgeError`` listing every error."""
    kmap, problems = check_knowledge(path, today=today)
    if kmap is None:
        raise KnowledgeError(problems)
    return kmap


def load_knowledge_from_texts(files: Mapping[str, str | None], *,
                              today: dt.date | None = None) -> KnowledgeMap:
    """Like ``load_knowledge``, from YAML texts keyed by file name (``funds.yaml``…)."""
    kmap, problems = check_texts(files, today=today)
    if kmap is None:
        raise KnowledgeError(problems)
    return kmap


def check_texts(files: Mapping[str, str | None], *, today: dt.date | None = None
                ) -> tuple[KnowledgeMap | None, list[Problem]]:
    c = _Checker(today)
    parsed = {name: c.parse(name, files.get(name)) for name in FILES}
    _check_ids(c, parsed)
    themes = tuple(_labelled(c, i, Theme) for i in parsed["themes.yaml"])
    needs = tuple(_labelled(c, i, Need) for i in parsed["needs.yaml"])
    regions = tuple(_region(c, i) for i in parsed["regions.yaml"])
    theme_ids = {t.id: t for t in themes}
    need_ids = {n.id: n for n in needs}
    region_ids = {r.id: r for r in regions}
    entries = tuple(
        _entry(c, i, kind, theme_ids, need_ids, region_ids)
        for file, kind in ENTRY_FILES.items()
        for i in parsed[file]
    )
    servants = tuple(_servant(c, i, theme_ids, region_ids) for i in parsed["civil_servants.yaml"])
    if any(p.severity == "error" for p in c.problems):
        return None, c.problems
    return KnowledgeMap(themes, needs, regions, entries, servants), c.problems


def _check_ids(c: _Checker, parsed: Mapping[str, list[_Item]]) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for file, items in parsed.items():
        for item in items:
            raw = item.value.get("id")
            if raw is None:
                c.error(file, item.line, "an item has no 'id'")
                continue
            ident = str(raw)
            if not ID_RE.match(ident):
                c.error(file, item.at("id"),
                        f"id '{ident}' must be lower case letters, digits and dashes (like 'fonds-schone-buurt')")
            if ident == NATIONAL and file == "regions.yaml":
                c.error(file, item.at("id"), "the region id 'nl' is reserved for the whole country")
            if ident in seen:
                first_file, first_line = seen[ident]
                c.error(file, item.at("id"),
                        f"id '{ident}' is used twice (first in {first_file}:{first_line}); "
                        "ids must be unique across the map")
            else:
                seen[ident] = (file, item.at("id"))


def _labelled(c: _Checker, item: _Item, cls: Callable[..., Any]) -> Any:
    c.known_keys(item, _LABELLED_KEYS)
    label = c.text(item, "label") or Text(item.id)
    return cls(item.id, label, c.terms(item))


def _region(c: _Checker, item: _Item) -> Region:
    c.known_keys(item, _REGION_KEYS)
    name = c.required_str(item, "name")
    municipalities = c.str_list(item, "municipalities")
    raw_aliases = item.value.get("municipality_aliases") or {}
    aliases: dict[str, str] = {}
    if not isinstance(raw_aliases, dict):
        c.error(item.file, item.at("municipality_aliases"),
                f"'{item.id}': 'municipality_aliases' must map a name to a listed municipality")
    else:
        for alias, target in raw_aliases.items():
            if str(target) not in municipalities:
                c.error(item.file, item.at("municipality_aliases"),
                        f"'{item.id}': alias '{alias}' points to '{target}', which is not in its municipalities")
            aliases[str(alias)] = str(target)
    return Region(item.id, name, municipalities, c.str_list(item, "aliases"), aliases)


def _window(c: _Checker, item: _Item) -> Window | None:
    raw = item.value.get("open")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        c.error(item.file, item.at("open"), f"'{item.id}': 'open' must be like {{from: 2026-01-01, until: 2026-12-31}}")
        return None
    start = c.date(item, "open", raw.get("from"), "open.from")
    until = c.date(item, "open", raw.get("until"), "open.until")
    if start and until and start > until:
        c.error(item.file, item.at("open"), f"'{item.id}': open.from {start} is after open.until {until}")
    if until and c.today and until < c.today:
        c.warn(item.file, item.at("open"),
               f"'{item.id}' closed on {until}; it is no longer offered (remove it or give it a new window)")
    return Window(start, until)


def _eligibility(c: _Checker, item: _Item) -> Eligibility | None:
    raw = item.value.get("eligibility")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        c.error(item.file, item.at("eligibility"), f"'{item.id}': 'eligibility' must be a set of fields")
        return None
    amount = raw.get("max_amount_eur")
    if amount is not None and (not isinstance(amount, int | float) or amount < 0):
        c.error(item.file, item.at("eligibility"), f"'{item.id}': max_amount_eur must be a number of euros")
        amount = None
    notes = raw.get("notes")
    notes_text = None
    if isinstance(notes, dict) and isinstance(notes.get("nl"), str):
        notes_text = Text(notes["nl"], notes.get("en") if isinstance(notes.get("en"), str) else None)
    elif notes is not None:
        c.error(item.file, item.at("eligibility"), f"'{item.id}': eligibility.notes has no Dutch text ('nl')")
    forms = c.str_list(item, "eligibility", raw.get("legal_forms") or [])
    return Eligibility(forms, int(amount) if amount is not None else None, notes_text)


def _entry(c: _Checker, item: _Item, kind: EntryKind, themes: Mapping[str, object],
           needs: Mapping[str, object], regions: Mapping[str, Region]) -> Entry:
    c.known_keys(item, _ENTRY_KEYS)
    name = c.required_str(item, "name")
    summary = c.text(item, "summary") or Text(name)
    entry_themes = c.refs(item, "themes", themes, "theme")
    entry_needs = c.refs(item, "needs", needs, "need")
    if not entry_needs:
        c.error(item.file, item.at("needs"), f"'{item.id}' answers no need (add needs: [funding, ...])")
    entry_regions = c.refs(item, "regions", regions, "region", frozenset({NATIONAL})) or (NATIONAL,)
    municipalities = c.str_list(item, "municipalities")
    allowed = _municipalities_of(entry_regions, regions)
    for m in municipalities:
        if allowed is not None and m not in allowed:
            c.error(item.file, item.at("municipalities"),
                    f"'{item.id}' names municipality '{m}', which is not listed in its regions")
    stages = c.str_list(item, "stages")
    for s in stages:
        if s not in STAGES:
            c.error(item.file, item.at("stages"),
                    f"'{item.id}' names unknown stage '{s}' (use {', '.join(STAGES)})")
    contact = item.value.get("contact") or {}
    if not isinstance(contact, dict):
        c.error(item.file, item.at("contact"), f"'{item.id}': 'contact' must be like {{email: ..., phone: ...}}")
        contact = {}
    url = item.value.get("url")
    return Entry(
        id=item.id, kind=kind, name=name, summary=summary, themes=entry_themes,
        needs=entry_needs, regions=entry_regions, municipalities=municipalities,
        stages=stages, terms=c.terms(item), url=str(url) if url else None,
        contact={str(k): str(v) for k, v in contact.items()},
        eligibility=_eligibility(c, item), window=_window(c, item),
    )


def _municipalities_of(region_ids: tuple[str, ...], regions: Mapping[str, Region]) -> set[str] | None:
    """Municipalities an entry in these regions may name; None = any (national)."""
    if NATIONAL in region_ids:
        all_known: set[str] = set()
        for r in regions.values():
            all_known.update(r.municipalities)
            all_known.update(r.municipality_aliases)
        return all_known
    allowed: set[str] = set()
    for rid in region_ids:
        if rid in regions:
            allowed.update(regions[rid].municipalities)
            allowed.update(regions[rid].municipality_aliases)
    return allowed


def _servant(c: _Checker, item: _Item, themes: Mapping[str, object],
             regions: Mapping[str, Region]) -> Servant:
    c.known_keys(item, _SERVANT_KEYS)
    name = c.required_str(item, "name")
    title = c.text(item, "title") or Text("")
    organisation = c.required_str(item, "organisation")
    servant_themes = c.refs(item, "themes", themes, "theme")
    if not servant_themes:
        c.error(item.file, item.at("themes"), f"'{item.id}' owns no theme (use 'algemeen' for the general desk)")
    servant_regions = c.refs(item, "regions", regions, "region", frozenset({NATIONAL})) or (NATIONAL,)
    max_open = item.value.get("max_open_cases", 10)
    if not isinstance(max_open, int) or isinstance(max_open, bool) or max_open < 1:
        c.error(item.file, item.at("max_open_cases"),
                f"'{item.id}': max_open_cases must be a whole number of 1 or more")
        max_open = 1
    channels = item.value.get("channels") or {}
    if not isinstance(channels, dict):
        c.error(item.file, item.at("channels"), f"'{item.id}': 'channels' must be like {{matrix: '@name:server'}}")
        channels = {}
    return Servant(
        id=item.id, name=name, title=title, organisation=organisation, themes=servant_themes,
        regions=servant_regions, languages=c.str_list(item, "languages") or ("nl",),
        channels={str(k): str(v) for k, v in channels.items()}, max_open_cases=max_open,
        absent=tuple(_absences(c, item)), admin=bool(item.value.get("admin", False)),
    )


def _absences(c: _Checker, item: _Item) -> Iterator[Absence]:
    raw = item.value.get("absent") or []
    if not isinstance(raw, list):
        c.error(item.file, item.at("absent"), f"'{item.id}': 'absent' must be a list of {{from, until}}")
        return
    for period in raw:
        if not isinstance(period, dict):
            c.error(item.file, item.at("absent"), f"'{item.id}': each absence needs 'from' and 'until'")
            continue
        start = c.date(item, "absent", period.get("from"), "absent.from")
        until = c.date(item, "absent", period.get("until"), "absent.until")
        if start is None or until is None:
            if period.get("from") is None or period.get("until") is None:
                c.error(item.file, item.at("absent"), f"'{item.id}': each absence needs 'from' and 'until'")
            continue
        if start > until:
            c.error(item.file, item.at("absent"), f"'{item.id}': absence from {start} is after until {until}")
            continue
        yield Absence(start, until)
