"""The civil servants' Matrix ids, from the knowledge map (``channels.matrix``).

The Matrix adapter asks who is a servant for every message (their thread replies become
``/antwoord``, their DMs are re-created when gone). ``MapServants`` answers from the map as
the folder holds it now: it re-reads the map only when the folder's YAML files change (the
same name/modification time/size fingerprint the desk's live reload watches), so a servant
added to the map is known without a restart; a broken map keeps the last good ids.
"""

from __future__ import annotations

from pathlib import Path

import structlog

from bot.knowledge_source import Fingerprint, fingerprint

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
    return frozenset(str(s.channels["matrix"]) for s in kmap.servants if "matrix" in s.channels)


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
