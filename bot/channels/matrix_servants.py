"""The civil servants' Matrix ids, from the knowledge map (``channels.matrix``).

The Matrix adapter asks who is a servant for every message (their thread replies become
``/antwoord``, their DMs are re-created when gone), so the answer must be cheap and follow
the map without a restart.

- ``SourceServants`` answers from the desk's live map (a ``KnowledgeSource``, what
  ``wegwijs serve`` gives the channel): one map in the process, no disk reads per message;
  the ids are worked out once per map version, and a refused map keeps the live one's ids.
- ``MapServants`` is for a channel without a desk's source (``MatrixChannel.from_settings``'
  default): it re-reads the map only when the folder's YAML files change (the fingerprint
  the live reload watches); a broken map keeps the last good ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from bot.knowledge_source import Fingerprint, fingerprint

if TYPE_CHECKING:
    from bot.knowledge_source import KnowledgeSource
    from routing.model import KnowledgeMap

log = structlog.get_logger(__name__)


def servant_ids(knowledge: Path) -> frozenset[str] | None:
    """The Matrix ids of the map's civil servants; ``None`` when the map cannot be read
    (the desk reports a broken map itself)."""
    from routing.load import load_knowledge

    try:
        kmap = load_knowledge(knowledge)
    except Exception as exc:
        log.warning("matrix.servants_unknown", error=str(exc))
        return None
    return matrix_ids(kmap)


def matrix_ids(kmap: KnowledgeMap) -> frozenset[str]:
    """The Matrix ids of the civil servants in ``kmap``."""
    return frozenset(str(s.channels["matrix"]) for s in kmap.servants if "matrix" in s.channels)


class SourceServants:
    """Callable: the servants' Matrix ids in the live map of ``source``, worked out again
    only when the source has swapped in a new version."""

    def __init__(self, source: KnowledgeSource) -> None:
        self.source = source
        self._version = 0  # a loaded snapshot's version is 1 or more
        self._ids: frozenset[str] = frozenset()

    def __call__(self) -> frozenset[str]:
        snapshot = self.source.snapshot
        if snapshot.version != self._version:
            self._ids = matrix_ids(snapshot.kmap)
            self._version = snapshot.version
        return self._ids

    def __repr__(self) -> str:
        return f"SourceServants({str(self.source.path)!r})"


class MapServants:
    """Callable: the servants' Matrix ids in the map folder ``knowledge``, re-read when its
    files change."""

    def __init__(self, knowledge: Path) -> None:
        self.path = Path(knowledge)
        self._seen: Fingerprint | None = None
        self._ids: frozenset[str] = frozenset()

    def __call__(self) -> frozenset[str]:
        now = fingerprint(self.path)
        if now is not None and now != self._seen:  # (a folder gone keeps the last ids)
            self._seen = now
            ids = servant_ids(self.path)
            if ids is not None:
                self._ids = ids
        return self._ids

    def __repr__(self) -> str:
        return f"MapServants({str(self.path)!r})"
