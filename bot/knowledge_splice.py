"""Write an imported knowledge file as an edit of the hand-written file it replaces.

An import knows, per file, the records of the map as it was (loaded from the folder) and
as it will be (from the spreadsheet). ``splice_file`` writes the new records into the old
text and changes only what changed, so the git diff of a one-cell edit is that one line:

* an item (list entry) whose record did not change keeps its text byte for byte, with
  its comments, quoting, line breaks and fields the spreadsheet does not hold;
* inside a changed item, each field (and, in a block mapping such as ``eligibility:``,
  each field of it) whose value did not change keeps its text and the comments above
  it; only changed fields are written in the writer's style, new fields go after the
  field that precedes them in the format README's order, removed fields go;
* a removed item goes with its comment block when that block sits right above it (no
  blank line) or when the next item has a comment block of its own; a block set off by
  a blank line above an item followed by uncommented items (a section heading) stays;
* a new item is written in the writer's style after the item that precedes it in the
  sheet, before the comments heading the next section; the header and the comments at
  the end of the file stay.

``keep_unchanged_text`` does that for every file of an import and then proves it: the
texts are loaded again and must give exactly the imported map. An item whose text does
not give its record is written anew in the writer's style, and a file that still does
not is written wholly by the writer, as before.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Collection, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import yaml

from bot.knowledge_writer import Record, field_lines, item_lines, map_to_records, whole_line_comments
from routing.load import check_texts
from routing.model import KnowledgeMap
from routing.yamlsrc import parse_list

#: The fields of every kind of item, and of their parts, in the format README's order.
KEY_ORDER = (
    "id", "name", "label", "title", "organisation", "summary", "themes", "needs", "regions",
    "municipalities", "aliases", "municipality_aliases", "stages", "languages", "terms",
    "url", "contact", "channels", "eligibility", "max_open_cases", "open", "absent", "admin",
    "legal_forms", "max_amount_eur", "notes", "from", "until", "nl", "en",
)
_ROUNDS = 4  # splice; then again, with what did not load back written by the writer


class _CannotSplice(Exception):
    """The old text has a shape the splicer does not take apart (flow style, keys that
    share a line, ...): the caller writes the item or file in the writer's style."""


# ------------------------------------------------------------------ the old file's layout


@dataclass(slots=True)
class _Item:
    """One item of the old file, by 0-based line numbers (``end`` values exclusive)."""

    ident: str
    node: yaml.MappingNode
    dash: int  # the line of its "-"
    first: int  # the line of its first key (== dash unless the dash stands alone)
    end: int  # after its last line of content
    trail: int  # after the indented comment lines right below it
    key_col: int  # the column of its keys
    dash_prefix: str  # what stands before the first key on the dash line ("- ")


@dataclass(slots=True)
class _Layout:
    lines: list[str]
    comments: set[int]  # lines that hold only a comment
    items: list[_Item]

    def blank(self, n: int) -> bool:
        return not self.lines[n].strip()

    def gap(self, n: int) -> bool:
        """Blank, or only a comment: no content."""
        return n in self.comments or self.blank(n)


def _layout(text: str) -> _Layout:
    """The old file taken apart into items; raises ``_CannotSplice`` for other shapes."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _CannotSplice(str(exc)) from None
    if not isinstance(root, yaml.SequenceNode) or root.flow_style or not root.value:
        raise _CannotSplice("not a block list of items")
    lines = text.split("\n")
    layout = _Layout(lines, whole_line_comments(text, root), [])
    starts: list[tuple[str, int, int, str, yaml.MappingNode]] = []
    for node in root.value:
        if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
            raise _CannotSplice("an item is not a block mapping")
        first, col = int(node.start_mark.line), int(node.start_mark.column)
        before = lines[first][:col]
        if before.strip() == "-":
            dash, prefix = first, before
        elif not before.strip():
            dash = first - 1
            while dash >= 0 and layout.gap(dash):
                dash -= 1
            if dash < 0 or lines[dash].strip() != "-":
                raise _CannotSplice("an item's dash was not found")
            prefix = ""
        else:
            raise _CannotSplice("an item does not start on a line of its own")
        ident = next((str(v.value) for k, v in node.value
                      if isinstance(k, yaml.ScalarNode) and k.value == "id"
                      and isinstance(v, yaml.ScalarNode)), None)
        if ident is None:
            raise _CannotSplice("an item has no id")
        starts.append((ident, dash, first, prefix, node))
    bounds = [dash for _ident, dash, *_rest in starts[1:]] + [len(lines)]
    for (ident, dash, first, prefix, node), bound in zip(starts, bounds, strict=True):
        end = bound
        while end - 1 > first and layout.gap(end - 1):
            end -= 1
        trail = end  # comment lines right below, indented deeper than the dash: its own
        dash_col = len(lines[dash]) - len(lines[dash].lstrip())
        while trail < bound and trail in layout.comments \
                and len(lines[trail]) - len(lines[trail].lstrip()) > dash_col:
            trail += 1
        layout.items.append(_Item(ident, node, dash, first, end, trail,
                                  int(node.start_mark.column), prefix))
    if len({item.ident for item in layout.items}) != len(layout.items):
        raise _CannotSplice("an id is used twice")
    return layout


# ------------------------------------------------------------------ fields of a mapping


@dataclass(slots=True)
class _Field:
    key: str
    lines: list[str]


def _splice_mapping(lay: _Layout, node: yaml.MappingNode, lo: int, hi: int,
                    old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The lines ``lo``..``hi`` (the fields of block mapping ``node``) with ``new`` values:
    unchanged fields as they stand, changed ones rewritten, new ones added, gone ones
    dropped. ``old``: what the old text means (the loaded record)."""
    keys: list[tuple[str, int, yaml.Node]] = []
    col = int(node.start_mark.column)
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or int(key.start_mark.column) != col:
            raise _CannotSplice("a key is not plain text in the mapping's column")
        keys.append((str(key.value), int(key.start_mark.line), value))
    names = [k for k, _line, _v in keys]
    if len(set(names)) != len(names):
        raise _CannotSplice("a key is written twice")
    if any(b[1] <= a[1] for a, b in pairwise(keys)):
        raise _CannotSplice("two keys share a line")
    # each field owns the comment lines right above its key; the first one owns from lo
    starts = [lo]
    for i in range(1, len(keys)):
        start = keys[i][1]
        while start - 1 > keys[i - 1][1] and start - 1 in lay.comments:
            start -= 1
        starts.append(start)
    ends = [*starts[1:], hi]
    fields: list[_Field] = []
    for (name, key_line, value), start, end in zip(keys, starts, ends, strict=True):
        own = lay.lines[start:end]
        if old.get(name) == new.get(name):
            fields.append(_Field(name, own))
            continue
        if name not in new:
            continue  # removed (the record no longer has it)
        last = end
        while last - 1 > key_line and lay.gap(last - 1):
            last -= 1
        above, below = lay.lines[start:key_line], lay.lines[last:end]
        body = _changed_value(lay, name, key_line, last, value, old.get(name), new[name], col)
        fields.append(_Field(name, [*above, *body, *below]))
    for name in sorted(new, key=lambda k: _rank(k, new)):
        if name in names or old.get(name) == new[name]:
            continue  # written already, or left out as the old text left it out
        rank = _rank(name, new)
        at = 0  # after the last field that comes before it in the format's order
        for i, f in enumerate(fields):
            if _rank(f.key, new) < rank:
                at = i + 1
        fields.insert(at, _Field(name, field_lines(name, new[name], col)))
    return [line for f in fields for line in f.lines]


def _rank(key: str, record: Mapping[str, Any]) -> int:
    """Where a field goes in the format README's order (others after, as in ``record``)."""
    if key in KEY_ORDER:
        return KEY_ORDER.index(key)
    keys = list(record)
    return len(KEY_ORDER) + (keys.index(key) if key in keys else len(keys))


def _changed_value(lay: _Layout, name: str, key_line: int, last: int, value: yaml.Node,
                   old: Any, new: Any, col: int) -> list[str]:
    """The lines of a field whose value changed: a block mapping field by field, anything
    else written anew."""
    if (isinstance(value, yaml.MappingNode) and not value.flow_style and value.value
            and isinstance(old, Mapping) and isinstance(new, Mapping) and new
            and int(value.start_mark.line) > key_line):
        inner = int(value.start_mark.line)
        try:
            return [*lay.lines[key_line:inner],
                    *_splice_mapping(lay, value, inner, last, old, new)]
        except _CannotSplice:
            pass
    return field_lines(name, new, col)


def _splice_item(lay: _Layout, item: _Item, old: Record, new: Record) -> list[str]:
    """The changed item's lines: its unchanged fields as they stand."""
    lines = lay.lines
    saved = lines[item.first]
    if item.dash_prefix:  # take the dash off, put it back on whatever key comes first
        lines[item.first] = " " * item.key_col + saved[item.key_col:]
    try:
        body = _splice_mapping(lay, item.node, item.first, item.end, old, new)
    finally:
        lines[item.first] = saved
    if item.dash_prefix:
        at = next(i for i, line in enumerate(body)
                  if line.strip() and not line.lstrip().startswith("#"))
        if body[at][:item.key_col].strip():
            raise _CannotSplice("the first key is not where the dash goes")
        body[at] = item.dash_prefix + body[at][item.key_col:]
    return [*lines[item.dash:item.first], *body]


# ------------------------------------------------------------------ items of a file


def _gap_of(lay: _Layout, k: int) -> list[str]:
    """The lines between item ``k - 1`` (and its comments below) and item ``k``."""
    return lay.lines[lay.items[k - 1].trail:lay.items[k].dash]


def _attached(gap: Sequence[str]) -> int:
    """How many comment lines stand right above the item (no blank line between)."""
    n = 0
    while n < len(gap) and gap[len(gap) - 1 - n].strip():
        n += 1
    return n


def splice_file(text: str, old: Sequence[Record], new: Sequence[Record],
                rewrite: Collection[str] = ()) -> str:
    """``text`` (the old file, whose items mean ``old``) changed to hold ``new``.

    ``rewrite``: ids of items to write wholly in the writer's style. Raises ``ValueError``
    when the old text cannot be taken apart (the caller writes the file anew).
    """
    try:
        lay = _layout(text)
    except _CannotSplice as exc:
        raise ValueError(str(exc)) from None
    items = lay.items
    if not new:
        raise ValueError("no items are left; the writer writes an empty file")
    if [item.ident for item in items] != [str(r.get("id")) for r in old]:
        raise ValueError("the old records are not the old file's items")
    old_by_id = {item.ident: (k, rec) for k, (item, rec) in enumerate(zip(items, old,
                                                                       strict=True))}
    dash = items[0].dash_prefix or "- "
    out: list[str] = list(lay.lines[:items[0].dash])
    header = len(out)
    carry: list[str] | None = None  # a section heading left by a removed item

    def emit_gap(gap: Sequence[str]) -> None:
        nonlocal carry
        chosen = list(carry if carry is not None else gap)
        carry = None
        if not out or not out[-1].strip():
            while chosen and not chosen[0].strip():
                chosen.pop(0)
        out.extend(chosen)

    def item_text(k: int, rec: Record) -> list[str]:
        item = items[k]
        if old[k] == rec and rec.get("id") not in rewrite:
            return lay.lines[item.dash:item.end]
        if rec.get("id") not in rewrite:
            try:
                return _splice_item(lay, item, old[k], rec)
            except _CannotSplice:
                pass
        return item_lines(rec, item.dash_prefix or dash)

    def leave(k: int) -> None:
        """Item ``k`` is no longer here: its comment block goes, or heads the next item."""
        nonlocal carry
        gap = _gap_of(lay, k) if k else []
        detached = gap[:len(gap) - _attached(gap)]
        heading = carry if carry is not None else (
            detached if any(line.strip() for line in detached) else None)
        following = _gap_of(lay, k + 1) if k + 1 < len(items) else None
        if heading is not None and following is not None \
                and not any(line.strip() for line in following):
            carry = heading
        else:
            carry = None

    def arrive(rec: Record) -> None:
        """A new item, or one moved here from elsewhere in the file."""
        found = old_by_id.get(str(rec.get("id")))
        emit_gap([""])
        if found is None:
            out.extend(item_lines(rec, dash))
            return
        k, _old = found
        gap = _gap_of(lay, k) if k else []
        out.extend(gap[len(gap) - _attached(gap):])
        out.extend(item_text(k, rec))
        out.extend(lay.lines[items[k].end:items[k].trail])

    old_ids = [item.ident for item in items]
    new_ids = [str(r.get("id")) for r in new]
    matcher = difflib.SequenceMatcher(None, old_ids, new_ids, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k, rec in zip(range(i1, i2), new[j1:j2], strict=True):
                if k:
                    emit_gap(_gap_of(lay, k))
                elif len(out) > header:  # new items came before the first one
                    emit_gap([""])
                out.extend(item_text(k, rec))
                out.extend(lay.lines[items[k].end:items[k].trail])
            continue
        for k in range(i1, i2):  # "delete" or "replace": these old items leave
            leave(k)
        for rec in new[j1:j2]:  # "insert" or "replace": these arrive here
            arrive(rec)
    out.extend(lay.lines[items[-1].trail:])  # the comments at the end
    return "\n".join(out)


# ------------------------------------------------------------------ a whole import


def keep_unchanged_text(new_texts: Mapping[str, str], old_texts: Mapping[str, str],
                        before: KnowledgeMap, after: KnowledgeMap, *,
                        today: dt.date | None = None) -> dict[str, str]:
    """The texts to write for an import.

    ``new_texts``: the writer's texts, which load as ``after``; ``old_texts``: the files
    being replaced, which load as ``before``. A file whose records did not change keeps
    its text; a changed one is ``splice_file``'d from its old text. The result is loaded
    again and must be exactly ``after``: an item that does not load back (a municipality
    written as an alias that is gone, say) is written in the writer's style, a file that
    cannot be mended that way wholly by the writer; as a last resort ``new_texts``.
    """
    old_recs, new_recs = map_to_records(before), map_to_records(after)
    rewrite: dict[str, set[str]] = {}
    whole: set[str] = set()  # files the writer writes
    for _round in range(_ROUNDS):
        out: dict[str, str] = {}
        for name, text in new_texts.items():
            out[name] = text
            if name in whole or name not in old_texts or name not in old_recs:
                continue
            if old_recs[name] == new_recs.get(name) and not rewrite.get(name):
                out[name] = old_texts[name]
                continue
            with suppress(ValueError):
                out[name] = splice_file(old_texts[name], old_recs[name],
                                        new_recs.get(name, []), rewrite.get(name, ()))
        kmap, problems = check_texts(out, today=today)
        if kmap == after:
            return out
        blamed = (sum(map(len, rewrite.values())), len(whole))
        if kmap is None:
            for p in problems:
                if p.severity == "error":
                    _blame(p.file, _item_at(p.file, out.get(p.file), p.line),
                           rewrite, whole, out, new_texts)
        else:
            _blame_records(map_to_records(kmap), new_recs, rewrite, whole, out, new_texts)
        if blamed == (sum(map(len, rewrite.values())), len(whole)):
            break  # nothing more to write anew: the writer's texts, then
    return dict(new_texts)


def _blame_records(got: Mapping[str, list[Record]], want: Mapping[str, list[Record]],
                   rewrite: dict[str, set[str]], whole: set[str], out: Mapping[str, str],
                   new_texts: Mapping[str, str]) -> None:
    """Blame the items whose records came out other than ``want``."""
    for name, recs in want.items():
        if got.get(name) == recs:
            continue
        if [r.get("id") for r in got.get(name, [])] != [r.get("id") for r in recs]:
            _blame(name, None, rewrite, whole, out, new_texts)
            continue
        for mine, theirs in zip(got[name], recs, strict=True):
            if mine != theirs:
                _blame(name, str(theirs.get("id")), rewrite, whole, out, new_texts)


def _item_at(file: str, text: str | None, line: int | None) -> str | None:
    """The id of the item of ``text`` on ``line`` (1-based), if the text parses."""
    if text is None or line is None:
        return None
    items, _problems = parse_list(file, text)
    found = [item for item in items if item.line <= line]
    return found[-1].id if found else None


def _blame(file: str, ident: str | None, rewrite: dict[str, set[str]], whole: set[str],
           out: Mapping[str, str], new_texts: Mapping[str, str]) -> None:
    """Write item ``ident`` of ``file`` anew next round; the whole file when that is no
    help (no item to name, or it was written anew already)."""
    if file not in out or out[file] == new_texts.get(file):
        return
    if ident is None or ident in rewrite.get(file, set()):
        whole.add(file)
    else:
        rewrite.setdefault(file, set()).add(ident)
