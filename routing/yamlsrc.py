"""YAML for the knowledge map: parsed once, with the line of every value kept.

The map is read with a restricted YAML 1.1 resolver: only ``true``/``false`` are booleans
(``no``, ``on``, ``off`` stay words: ``languages: [nl, no]`` must not turn Norwegian into
``False``) and dates stay text so the loader can check them and name the line of a bad
one (``2026-13-01`` would otherwise crash PyYAML's own constructor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml if present


class MapLoader(_Base):  # type: ignore[valid-type,misc]
    """``SafeLoader`` without yes/no/on/off booleans and without implicit dates."""


MapLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
MapLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """A problem found while reading YAML, before the loader looks at meaning."""

    line: int | None
    message: str


@dataclass(slots=True)
class Item:
    """One mapping from a file's top-level list, with the line of each of its values."""

    file: str
    node: yaml.MappingNode
    value: dict[Any, Any]
    line: int = field(init=False)

    def __post_init__(self) -> None:
        self.line = int(self.node.start_mark.line) + 1

    @property
    def id(self) -> str:
        value = self.value.get("id")
        return str(value) if isinstance(value, str | int) else "?"

    def at(self, *path: str | int) -> int:
        """The line of the value at ``path`` (keys and list indices), as deep as it exists."""
        return line_of(self.node, *path) or self.line


def line_of(node: yaml.Node, *path: str | int) -> int | None:
    """Line (1-based) of the node reached by ``path``; the deepest one found."""
    line: int | None = int(node.start_mark.line) + 1
    for step in path:
        child = _child(node, step)
        if child is None:
            break
        node = child
        line = int(node.start_mark.line) + 1
    return line


def _child(node: yaml.Node, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(step, str):
        found = None
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == step:
                found = value  # the last one wins, as in the constructed value
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int):
        return node.value[step] if 0 <= step < len(node.value) else None
    return None


def parse_list(file: str, text: str) -> tuple[list[Item], list[SourceProblem]]:
    """The items of a YAML file that must be a list of mappings, and what is wrong."""
    problems: list[SourceProblem] = []
    loader = MapLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        return [], [_syntax_problem(exc, text)]
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        return [], [SourceProblem(None, f"this is not valid YAML: {exc}")]
    finally:
        loader.dispose()
    if node is None or data is None:
        return [], [SourceProblem(None, "this file is empty")]
    if not isinstance(node, yaml.SequenceNode) or not isinstance(data, list):
        return [], [SourceProblem(int(node.start_mark.line) + 1,
                                  "the file must be a list of items, each starting with '- '")]
    items: list[Item] = []
    for child, value in zip(node.value, data, strict=True):
        if not isinstance(child, yaml.MappingNode) or not isinstance(value, dict):
            problems.append(SourceProblem(int(child.start_mark.line) + 1,
                                          "each item must be a set of 'key: value' fields"))
            continue
        problems.extend(_duplicate_keys(child))
        items.append(Item(file, child, value))
    return items, problems


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str = "") -> SourceProblem:
    """A parser error as a sentence, on the line the parser names."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    reason = " ".join(p for p in (exc.context, exc.problem) if p) or "unreadable"
    hint = _plain_hint(reason)
    lines = text.splitlines()
    has_tab = line is not None and 0 < line <= len(lines) and "\t" in lines[line - 1]
    if has_tab and "tab" not in reason:
        hint = "this line contains a tab; indent with spaces, not tabs"
    if "tab" in reason:
        reason += " (indent with spaces, not tabs)"
    start = exc.context_mark
    if start is not None and line is not None and start.line + 1 != line:
        reason += f" (the problem begins on line {start.line + 1})"
    if hint:
        return SourceProblem(line, f"this is not valid YAML: {hint} (YAML says: {reason})")
    return SourceProblem(line, f"this is not valid YAML: {reason}")


#: The parser's words -> what a person editing the file most likely did.
_HINTS = (
    ("mapping values are not allowed",
     "a line is indented more or less than the fields around it, or a text with ': ' "
     "in it needs \"double quotes\""),
    ("did not find expected ',' or ']'",
     "a list in [ ] is not closed with ], or an item in it needs \"double quotes\""),
    ("did not find expected ',' or '}'",
     "a {…} is not closed with }, or a text in it needs \"double quotes\""),
    ("found unexpected end of stream",
     "a quote (\" or ') is opened but never closed"),
    ("while scanning a quoted scalar",
     "a quote (\" or ') is opened but never closed"),
    ("did not find expected key",
     "a line is indented differently from the fields around it, or a quote (\") is "
     "not closed"),
    ("did not find expected '-' indicator",
     "every item of a list must start with '- ' at the same indentation"),
    ("could not find expected ':'",
     "a field name is missing its ':', or a quote (\") is not closed"),
)


def _plain_hint(reason: str) -> str:
    """A sentence for a person, for the common parser complaints; "" when none fits."""
    for words, hint in _HINTS:
        if words in reason:
            return hint
    return ""


def _duplicate_keys(node: yaml.Node) -> list[SourceProblem]:
    """Keys written twice in one mapping (YAML keeps only the last), at any depth."""
    found: list[SourceProblem] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                line = int(key.start_mark.line) + 1
                if key.value in seen:
                    found.append(SourceProblem(
                        line, f"the field '{key.value}' is written twice "
                              f"(also on line {seen[key.value]}); only one may stay"))
                else:
                    seen[key.value] = line
            found.extend(_duplicate_keys(value))
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            found.extend(_duplicate_keys(child))
    return found
