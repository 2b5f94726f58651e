"""Load a knowledge map from a folder of YAML and validate every part of it.

Every problem is collected with its file, line and a plain sentence; only when there are
no errors is a ``KnowledgeMap`` built. Warnings (an unknown field, a window that has
closed, an empty file) do not stop loading. Reading the folder is the only I/O.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from routing.model import (
    ENTRY_FILES,
    GENERAL_THEME,
    LANGS,
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
from routing.yamlsrc import Item, parse_list

FILES = ("themes.yaml", "needs.yaml", "regions.yaml", *ENTRY_FILES, "civil_servants.yaml")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
Severity = Literal["error", "warning"]

#: What an item of each file is called in a message ("fund 'x' names unknown theme 'y'").
NOUNS: Mapping[str, str] = {
    "themes.yaml": "theme", "needs.yaml": "need", "regions.yaml": "region",
    "funds.yaml": "fund", "contact_points.yaml": "contact point",
    "networks.yaml": "network", "civil_servants.yaml": "civil servant",
}
_LABELLED_KEYS = frozenset({"id", "label", "terms"})
_REGION_KEYS = frozenset({"id", "name", "municipalities", "aliases", "municipality_aliases"})
_ENTRY_KEYS = frozenset({
    "id", "name", "summary", "themes", "needs", "regions", "municipalities", "stages", "terms",
    "url", "contact", "eligibility", "open",
})
_SERVANT_KEYS = frozenset({
    "id", "name", "title", "organisation", "themes", "regions", "languages", "channels",
    "max_open_cases", "absent", "admin",
})
_WINDOW_KEYS = frozenset({"from", "until"})
_ELIGIBILITY_KEYS = frozenset({"legal_forms", "max_amount_eur", "notes"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the map: where, what, and whether it stops loading."""

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


def fold(name: str) -> str:
    """A place name for comparison: lower case, no accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("\u2019", "'").split())


# --------------------------------------------------------------------------- public API


def check_knowledge(path: str | Path, *, today: dt.date | None = None
                    ) -> tuple[KnowledgeMap | None, list[Problem]]:
    """Validate the map in folder ``path``: the map (or None on errors) and every problem."""
    folder = Path(path)
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        return None, [Problem(str(folder), None, f"the knowledge folder {what}")]
    texts, problems = _read_folder(folder)
    unreadable = frozenset(p.file for p in problems if p.severity == "error")
    kmap, found = check_texts(texts, today=today, unreadable=unreadable)
    return kmap, problems + found  # no map when a file could not be read (never as empty)


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


def check_texts(files: Mapping[str, str | None], *, today: dt.date | None = None,
                unreadable: Collection[str] = ()) -> tuple[KnowledgeMap | None, list[Problem]]:
    """Validate a map given as YAML texts keyed by file name; a missing key is a missing file.

    ``unreadable`` names files the caller could not read (and has reported already): they
    are not reported again as empty, and references into them are not reported one by one.
    """
    c = _Checker(today, frozenset(unreadable))
    parsed = {name: c.parse(name, files.get(name)) for name in FILES}
    _check_ids(c, parsed)
    themes = tuple(Theme(*_labelled(c, i)) for i in parsed["themes.yaml"])
    needs = tuple(Need(*_labelled(c, i)) for i in parsed["needs.yaml"])
    places = _Places(c, parsed["regions.yaml"])
    theme_ids = frozenset(t.id for t in themes)
    need_ids = frozenset(n.id for n in needs)
    entries = tuple(
        _entry(c, i, kind, theme_ids, need_ids, places)
        for file, kind in ENTRY_FILES.items()
        for i in parsed[file]
    )
    servants = tuple(_servant(c, i, theme_ids, places) for i in parsed["civil_servants.yaml"])
    if parsed["civil_servants.yaml"] and not any(GENERAL_THEME in s.themes for s in servants):
        c.warn("civil_servants.yaml", None, f"no civil servant owns the theme '{GENERAL_THEME}' "
               "(the general desk); a question whose theme no one owns gets no handover")
    problems = _in_reading_order(c.problems)
    if c.unreadable or any(p.severity == "error" for p in problems):
        return None, problems
    return KnowledgeMap(themes, needs, places.regions, entries, servants), problems


def _in_reading_order(problems: list[Problem]) -> list[Problem]:
    """By file (in the map's own order, other files after) and line, so a reader can work
    down each file; problems of a whole file come first, in the order they were found."""
    rank = {name: i for i, name in enumerate(FILES)}
    return sorted(problems, key=lambda p: (rank.get(p.file, len(rank)), p.file, p.line or 0))


def summary(kmap: KnowledgeMap) -> str:
    """One line of counts, for ``wegwijs knowledge check`` and logs."""
    kinds = {k: sum(1 for e in kmap.entries if e.kind == k) for k in ENTRY_FILES.values()}
    municipalities = sum(len(r.municipalities) for r in kmap.regions)
    return (f"{len(kmap.themes)} themes, {len(kmap.needs)} needs, {len(kmap.regions)} regions "
            f"({municipalities} municipalities), {len(kmap.entries)} entries "
            f"({kinds['fund']} funds, {kinds['contact_point']} contact points, "
            f"{kinds['network']} networks), {len(kmap.servants)} civil servants")


# --------------------------------------------------------------------------- reading


def _read_folder(folder: Path) -> tuple[dict[str, str | None], list[Problem]]:
    texts: dict[str, str | None] = {}
    problems: list[Problem] = []
    for name in FILES:
        file = folder / name
        alt = file.with_suffix(".yml")
        if not file.exists() and alt.exists():
            file = alt
        elif file.exists() and alt.exists():
            problems.append(Problem(alt.name, None, f"ignored: {name} is read instead",
                                    "warning"))
        try:
            texts[name] = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            texts[name] = None
        except UnicodeDecodeError:
            texts[name] = ""
            problems.append(Problem(name, None, "this file is not UTF-8 text; save it as UTF-8"))
        except OSError as exc:
            texts[name] = ""
            problems.append(Problem(name, None, f"this file cannot be read ({exc.strerror})"))
    known = {*FILES, *(Path(n).with_suffix(".yml").name for n in FILES)}
    for extra in sorted(folder.glob("*.y*ml")):
        if extra.suffix in (".yaml", ".yml") and extra.name not in known:
            problems.append(Problem(extra.name, None, "this file is not part of the map format "
                                    f"and is ignored (the map reads {', '.join(FILES)})",
                                    "warning"))
    return texts, problems


# --------------------------------------------------------------------------- checker


def _suggest(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Checker:
    """Collects problems and reads typed values out of items, reporting what is wrong."""

    def __init__(self, today: dt.date | None, unreadable: frozenset[str] = frozenset()) -> None:
        self.today = today
        self.problems: list[Problem] = []
        self.unreadable = unreadable
        #: Kinds ("theme", "need", "region") whose file is missing or broken: a reference
        #: to one of them is not reported per entry, the file's own problem says it all.
        self.broken_kinds: set[str] = set()

    def error(self, file: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def warn(self, file: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(file, line, message, "warning"))

    def parse(self, file: str, text: str | None) -> list[Item]:
        if file in self.unreadable:
            self.broken_kinds.add(NOUNS[file])
            return []
        if text is None:
            self.error(file, None, "this file is missing from the knowledge folder")
            self.broken_kinds.add(NOUNS[file])
            return []
        items, problems = parse_list(file, text)
        if not items and any(p.message != "this file is empty" for p in problems):
            self.broken_kinds.add(NOUNS[file])
        for p in problems:
            if p.message == "this file is empty":
                self.warn(file, p.line, "this file is empty; the map has no "
                          f"{NOUNS[file]}s of this kind")
            else:
                self.error(file, p.line, p.message)
        return items

    @staticmethod
    def who(item: Item) -> str:
        return f"{NOUNS.get(item.file, 'item')} '{item.id}'"

    def known_keys(self, item: Item, allowed: frozenset[str], value: Mapping[Any, Any] | None = None,
                   *path: str) -> None:
        where = ".".join(path)
        for key in (item.value if value is None else value):
            if key not in allowed:
                name = f"{where}.{key}" if where else str(key)
                self.warn(item.file, item.at(*path, str(key)),
                          f"{self.who(item)} has a field '{name}' that the format does not "
                          f"know; it is ignored{_suggest(str(key), allowed)}")

    def required_str(self, item: Item, key: str) -> str:
        value = item.value.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.error(item.file, item.at(key), f"{self.who(item)} has no '{key}'")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(item.file, item.at(key), f"{self.who(item)}: '{key}' must be a piece of text")
            return ""
        return str(value).strip()

    def text(self, item: Item, *path: str, required: bool = True) -> Text | None:
        value = _get(item.value, path)
        name = ".".join(path)
        if value is None:
            if required:
                self.error(item.file, item.at(*path), f"{self.who(item)} has no '{name}' "
                           f"(it needs at least Dutch: {path[-1]}: {{nl: ...}})")
            return None
        if isinstance(value, str) and value.strip():
            return Text(value.strip())
        if not isinstance(value, dict):
            self.error(item.file, item.at(*path),
                       f"{self.who(item)}: '{name}' must be like {{nl: ..., en: ...}}")
            return None
        for lang in value:
            if lang not in LANGS:
                self.warn(item.file, item.at(*path, str(lang)),
                          f"{self.who(item)}: '{name}' has a text in '{lang}'; only nl and en "
                          "are shown, so it is ignored")
        nl, en = value.get("nl"), value.get("en")
        if not isinstance(nl, str) or not nl.strip():
            self.error(item.file, item.at(*path),
                       f"{self.who(item)}: '{name}' has no Dutch text (nl)")
            return None
        if en is not None and (not isinstance(en, str) or not en.strip()):
            self.warn(item.file, item.at(*path, "en"),
                      f"{self.who(item)}: '{name}.en' is empty; Dutch is shown instead")
            en = None
        return Text(nl.strip(), en.strip() if isinstance(en, str) else None)

    def str_list(self, item: Item, *path: str) -> tuple[str, ...]:
        raw = _get(item.value, path)
        name = ".".join(path)
        if raw is None:
            return ()
        if isinstance(raw, str | int | float) and not isinstance(raw, bool):
            raw = [raw]
        if not isinstance(raw, list):
            self.error(item.file, item.at(*path),
                       f"{self.who(item)}: '{name}' must be a list like [a, b]")
            return ()
        out: list[str] = []
        for i, value in enumerate(raw):
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.error(item.file, item.at(*path, i),
                           f"{self.who(item)}: '{name}' holds {value!r}, which is not a word")
            elif str(value).strip():
                out.append(str(value).strip())
        return tuple(out)

    def terms(self, item: Item) -> Terms:
        raw = item.value.get("terms")
        if raw is None:
            return Terms()
        if not isinstance(raw, dict):
            self.error(item.file, item.at("terms"),
                       f"{self.who(item)}: 'terms' must be like {{nl: [...], en: [...]}}")
            return Terms()
        for lang in raw:
            if lang not in LANGS:
                self.warn(item.file, item.at("terms", str(lang)),
                          f"{self.who(item)}: terms in '{lang}' are ignored (only nl and en)")
        nl = self.str_list(item, "terms", "nl")
        en = self.str_list(item, "terms", "en")
        return Terms(_unique(t.lower() for t in nl), _unique(t.lower() for t in en))

    def date(self, item: Item, value: Any, *path: str | int) -> dt.date | None:
        """A date written as YYYY-MM-DD (the loader reads dates as text)."""
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            name = ".".join(str(p) for p in path if isinstance(p, str))
            self.error(item.file, item.at(*path),
                       f"{self.who(item)}: {name} '{value}' is not a date (write it as YYYY-MM-DD)")
            return None

    def refs(self, item: Item, key: str, known: frozenset[str], kind: str) -> tuple[str, ...]:
        """A list of ids that must each name something in ``known``."""
        values = self.str_list(item, key)
        raw = item.value.get(key)
        for i, value in enumerate(values):
            line = item.at(key, i) if isinstance(raw, list) else item.at(key)
            if value not in known:
                if kind in self.broken_kinds:
                    continue  # its file is missing or unreadable; reported once already
                self.error(item.file, line, f"{self.who(item)} names unknown {kind} "
                           f"'{value}'{_suggest(value, known)}")
            elif value in values[:i]:
                self.warn(item.file, line, f"{self.who(item)} names {kind} '{value}' twice")
        return _unique(values)


def _get(value: Mapping[Any, Any], path: tuple[str, ...]) -> Any:
    current: Any = value
    for step in path:
        if not isinstance(current, dict):
            return None
        current = current.get(step)
    return current


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


# --------------------------------------------------------------------------- ids


def _check_ids(c: _Checker, parsed: Mapping[str, list[Item]]) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for file, items in parsed.items():
        for item in items:
            raw = item.value.get("id")
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                c.error(file, item.line, f"a {NOUNS[file]} has no 'id'")
                continue
            ident = str(raw)
            line = item.at("id")
            if not isinstance(raw, str | int) or isinstance(raw, bool) or not ID_RE.match(ident):
                c.error(file, line, f"id '{ident}' must be lower case letters, digits and "
                        "single dashes (like 'fonds-schone-buurt')")
            if ident == NATIONAL:
                c.error(file, line, "the id 'nl' is reserved: it means the whole country")
            if ident in seen:
                first_file, first_line = seen[ident]
                c.error(file, line, f"id '{ident}' is used twice (first in {first_file}:"
                        f"{first_line}); ids must be unique across the map")
            else:
                seen[ident] = (file, line)


# --------------------------------------------------------------------------- themes, needs


def _labelled(c: _Checker, item: Item) -> tuple[str, Text, Terms]:
    c.known_keys(item, _LABELLED_KEYS)
    label = c.text(item, "label") or Text(item.id)
    terms = c.terms(item)
    if not terms.all():
        c.warn(item.file, item.line, f"{c.who(item)} has no terms; it is found only by its "
               "label (add terms: {nl: [...], en: [...]})")
    return item.id, label, terms


# --------------------------------------------------------------------------- regions


class _Places:
    """The regions, and where each municipality name (or alias) lives."""

    def __init__(self, c: _Checker, items: list[Item]) -> None:
        self.by_name: dict[str, tuple[str, str]] = {}  # folded name -> (region id, listed name)
        self.first: dict[str, str] = {}  # folded municipality -> "regions.yaml:line"
        province_names: dict[str, str] = {}
        regions: list[Region] = []
        for item in items:
            regions.append(self._region(c, item, province_names))
        self.regions = tuple(regions)
        self.ids = frozenset(r.id for r in self.regions) | {NATIONAL}

    def _region(self, c: _Checker, item: Item, province_names: dict[str, str]) -> Region:
        c.known_keys(item, _REGION_KEYS)
        name = c.required_str(item, "name")
        other_names = c.str_list(item, "aliases")
        for i, alias in enumerate((name, *other_names)):
            key = fold(alias)
            if not key:
                continue
            line = item.at("name") if i == 0 else item.at("aliases", i - 1)
            other = province_names.setdefault(key, item.id)
            if other != item.id:
                c.error(item.file, line, f"{c.who(item)}: the name '{alias}' is also used "
                        f"by region '{other}'")
        municipalities = c.str_list(item, "municipalities")
        if not municipalities:
            c.warn(item.file, item.at("municipalities"), f"{c.who(item)} lists no "
                   "municipalities; places in it will not be recognised")
        for i, m in enumerate(municipalities):
            self._add(c, item, m, m, item.at("municipalities", i))
        aliases = self._aliases(c, item, municipalities)
        return Region(item.id, name, municipalities, other_names, aliases)

    def _add(self, c: _Checker, item: Item, name: str, target: str, line: int) -> None:
        key = fold(name)
        if key in self.by_name:
            c.error(item.file, line, f"{c.who(item)}: municipality '{name}' is listed twice "
                    f"(first in {self.first[key]}); a place may belong to one region only")
            return
        self.by_name[key] = (item.id, target)
        self.first[key] = f"{item.file}:{line}"

    def _aliases(self, c: _Checker, item: Item, municipalities: tuple[str, ...]) -> dict[str, str]:
        raw = item.value.get("municipality_aliases")
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            c.error(item.file, item.at("municipality_aliases"), f"{c.who(item)}: "
                    "'municipality_aliases' must be like {Den Bosch: \"'s-Hertogenbosch\"}")
            return {}
        listed = {fold(m): m for m in municipalities}
        aliases: dict[str, str] = {}
        for alias, target in raw.items():
            line = item.at("municipality_aliases", str(alias))
            canonical = listed.get(fold(str(target)))
            if canonical is None:
                c.error(item.file, line, f"{c.who(item)}: alias '{alias}' points to "
                        f"'{target}', which is not one of its municipalities"
                        f"{_suggest(str(target), municipalities)}")
                continue
            self._add(c, item, str(alias), canonical, line)
            aliases[str(alias)] = canonical
        return aliases

    def resolve(self, name: str) -> tuple[str, str] | None:
        """(region id, listed name) of a municipality or alias, if known."""
        return self.by_name.get(fold(name))


# --------------------------------------------------------------------------- entries


def _entry(c: _Checker, item: Item, kind: EntryKind, themes: frozenset[str],
           needs: frozenset[str], places: _Places) -> Entry:
    c.known_keys(item, _ENTRY_KEYS)
    name = c.required_str(item, "name")
    summary = c.text(item, "summary") or Text(name)
    entry_themes = c.refs(item, "themes", themes, "theme")
    entry_needs = c.refs(item, "needs", needs, "need")
    if not item.value.get("needs"):
        c.error(item.file, item.at("needs"),
                f"{c.who(item)} answers no need (add needs: [funding, ...])")
    if not item.value.get("regions"):
        c.error(item.file, item.at("regions"),
                f"{c.who(item)} has no 'regions' (use [nl] for the whole country)")
    entry_regions = c.refs(item, "regions", places.ids, "region") or (NATIONAL,)
    stages = c.str_list(item, "stages")
    for i, s in enumerate(stages):
        if s not in STAGES:
            c.error(item.file, item.at("stages", i), f"{c.who(item)} names unknown stage "
                    f"'{s}' (use {', '.join(STAGES)}){_suggest(s, STAGES)}")
    return Entry(
        id=item.id, kind=kind, name=name, summary=summary, themes=entry_themes,
        needs=entry_needs, regions=entry_regions,
        municipalities=_entry_places(c, item, entry_regions, places),
        stages=_unique(stages), terms=c.terms(item), url=_url(c, item),
        contact=_str_map(c, item, "contact", "{email: ..., phone: ...}"),
        eligibility=_eligibility(c, item), window=_window(c, item),
    )


def _entry_places(c: _Checker, item: Item, regions: tuple[str, ...],
                  places: _Places) -> tuple[str, ...]:
    """The entry's municipalities, as listed in regions.yaml, each inside its regions."""
    out: list[str] = []
    raw = item.value.get("municipalities")
    for i, m in enumerate(c.str_list(item, "municipalities")):
        line = item.at("municipalities", i) if isinstance(raw, list) else item.at("municipalities")
        found = places.resolve(m)
        if found is None:
            c.error(item.file, line, f"{c.who(item)} names municipality '{m}', which no region "
                    f"in regions.yaml lists{_suggest(m, (n for _, n in places.by_name.values()))}")
        elif NATIONAL not in regions and found[0] not in regions:
            c.error(item.file, line, f"{c.who(item)} names municipality '{m}', which lies in "
                    f"'{found[0]}', not in its regions ({', '.join(regions)})")
        else:
            out.append(found[1])
    return _unique(out)


def _url(c: _Checker, item: Item) -> str | None:
    url = item.value.get("url")
    if url is None or (isinstance(url, str) and not url.strip()):
        c.error(item.file, item.at("url"), f"{c.who(item)} has no 'url'")
        return None
    if not isinstance(url, str) or not url.strip().startswith(("https://", "http://")):
        c.error(item.file, item.at("url"),
                f"{c.who(item)}: url '{url}' must start with https:// (or http://)")
        return None
    return url.strip()


def _str_map(c: _Checker, item: Item, key: str, example: str) -> dict[str, str]:
    raw = item.value.get(key)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        c.error(item.file, item.at(key), f"{c.who(item)}: '{key}' must be like {example}")
        return {}
    out: dict[str, str] = {}
    for k, v in raw.items():
        if isinstance(v, bool) or not isinstance(v, str | int | float) or not str(v).strip():
            c.error(item.file, item.at(key, str(k)),
                    f"{c.who(item)}: '{key}.{k}' must be a piece of text")
        else:
            out[str(k)] = str(v).strip()
    return out


def _window(c: _Checker, item: Item) -> Window | None:
    raw = item.value.get("open")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        c.error(item.file, item.at("open"),
                f"{c.who(item)}: 'open' must be like {{from: 2026-01-01, until: 2026-12-31}}")
        return None
    c.known_keys(item, _WINDOW_KEYS, raw, "open")
    start = c.date(item, raw.get("from"), "open", "from")
    until = c.date(item, raw.get("until"), "open", "until")
    if raw.get("from") is None and raw.get("until") is None:
        c.warn(item.file, item.at("open"), f"{c.who(item)}: 'open' has no dates, so it is "
               "always open")
        return None
    if start and until and start > until:
        c.error(item.file, item.at("open", "from"), f"{c.who(item)}: open.from {start} is "
                f"after open.until {until}")
    elif until and c.today and until < c.today:
        c.warn(item.file, item.at("open", "until"), f"{c.who(item)} closed on {until}; it is "
               "no longer offered (remove it or give it a new window)")
    return Window(start, until)


def _eligibility(c: _Checker, item: Item) -> Eligibility | None:
    raw = item.value.get("eligibility")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        c.error(item.file, item.at("eligibility"),
                f"{c.who(item)}: 'eligibility' must be a set of fields "
                "(legal_forms, max_amount_eur, notes)")
        return None
    c.known_keys(item, _ELIGIBILITY_KEYS, raw, "eligibility")
    amount = raw.get("max_amount_eur")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)
                               or amount <= 0):
        c.error(item.file, item.at("eligibility", "max_amount_eur"),
                f"{c.who(item)}: max_amount_eur '{amount}' must be a number of euros above 0")
        amount = None
    notes = c.text(item, "eligibility", "notes", required=False)
    forms = c.str_list(item, "eligibility", "legal_forms")
    return Eligibility(forms, int(amount) if amount is not None else None, notes)


# --------------------------------------------------------------------------- servants


def _servant(c: _Checker, item: Item, themes: frozenset[str], places: _Places) -> Servant:
    c.known_keys(item, _SERVANT_KEYS)
    name = c.required_str(item, "name")
    title = c.text(item, "title") or Text("")
    organisation = c.required_str(item, "organisation")
    for key in ("themes", "regions"):
        if not item.value.get(key):
            c.error(item.file, item.at(key), f"{c.who(item)} has no '{key}'" + (
                " (use [algemeen] for the general desk)" if key == "themes"
                else " (use [nl] for the whole country)"))
    servant_themes = c.refs(item, "themes", themes, "theme")
    servant_regions = c.refs(item, "regions", places.ids, "region") or (NATIONAL,)
    languages = c.str_list(item, "languages") or ("nl",)
    for i, lang in enumerate(languages):
        if lang not in LANGS:
            c.warn(item.file, item.at("languages", i), f"{c.who(item)} speaks '{lang}'; the "
                   "desk only uses nl and en")
    channels = _str_map(c, item, "channels", "{matrix: '@name:server', email: ...}")
    if not channels:
        c.warn(item.file, item.at("channels"), f"{c.who(item)} has no channels; handovers "
               "cannot reach them")
    admin = item.value.get("admin", False)
    if not isinstance(admin, bool):
        c.error(item.file, item.at("admin"), f"{c.who(item)}: admin must be true or false")
        admin = False
    return Servant(
        id=item.id, name=name, title=title, organisation=organisation, themes=servant_themes,
        regions=servant_regions, languages=_unique(languages), channels=channels,
        max_open_cases=_max_open(c, item), absent=tuple(_absences(c, item)), admin=admin,
    )


def _max_open(c: _Checker, item: Item) -> int:
    value = item.value.get("max_open_cases", 10)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        c.error(item.file, item.at("max_open_cases"), f"{c.who(item)}: max_open_cases "
                f"'{value}' must be a whole number of 1 or more")
        return 1
    return value


def _absences(c: _Checker, item: Item) -> Iterator[Absence]:
    raw = item.value.get("absent")
    if raw is None:
        return
    if not isinstance(raw, list):
        c.error(item.file, item.at("absent"),
                f"{c.who(item)}: 'absent' must be a list like [{{from: ..., until: ...}}]")
        return
    for i, period in enumerate(raw):
        if not isinstance(period, dict) or period.get("from") is None \
                or period.get("until") is None:
            c.error(item.file, item.at("absent", i),
                    f"{c.who(item)}: each absence needs 'from' and 'until'")
            continue
        c.known_keys(item, _WINDOW_KEYS, period, "absent")
        start = c.date(item, period["from"], "absent", i, "from")
        until = c.date(item, period["until"], "absent", i, "until")
        if start is None or until is None:
            continue
        if start > until:
            c.error(item.file, item.at("absent", i), f"{c.who(item)}: absence from {start} is "
                    f"after its until {until}")
            continue
        yield Absence(start, until)
