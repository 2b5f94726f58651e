"""What the router returns, and the hints a conversation can pass back in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from routing.model import EntryKind

Clarify = Literal["theme", "need", "region"]
CLARIFY_ORDER: tuple[Clarify, ...] = ("theme", "need", "region")


@dataclass(frozen=True, slots=True)
class Route:
    """One ranked fund, contact point or network, with why it fits (question's language)."""

    id: str
    kind: EntryKind
    name: str
    score: float
    why: str


@dataclass(frozen=True, slots=True)
class ServantRef:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Hints:
    """What is already known from the conversation; overrides detection when set.

    The desk passes these after a clarify answer or a deep-link preset, together with
    the volunteer's original text.
    """

    themes: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    region: str | None = None
    municipality: str | None = None
    stage: str | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class RouteResult:
    lang: str  # "nl" or "en": the language to answer in
    themes: tuple[str, ...] = ()  # ranked; the first is the primary theme
    needs: tuple[str, ...] = ()
    region: str | None = None  # province id, or None
    municipality: str | None = None  # canonical municipality name from the map
    stage: str | None = None
    out_of_scope: bool = False
    redirect: str | None = None  # polite text for out-of-scope messages
    clarify: tuple[Clarify, ...] = ()  # what to ask back, in CLARIFY_ORDER
    routes: tuple[Route, ...] = ()
    servant: ServantRef | None = None
    confidence: float = 0.0  # 0..1, how sure the top route is; low = knowledge gap
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self, question_id: Any = None) -> dict[str, Any]:
        """The exact line format of ``wegwijs route --jsonl``."""
        return {
            "id": question_id,
            "themes": list(self.themes),
            "needs": list(self.needs),
            "region": self.region,
            "municipality": self.municipality,
            "out_of_scope": self.out_of_scope,
            "clarify": list(self.clarify),
            "routes": [
                {"id": r.id, "kind": r.kind, "name": r.name, "score": round(r.score, 4),
                 "why": r.why}
                for r in self.routes
            ],
            "servant": {"id": self.servant.id, "name": self.servant.name}
            if self.servant
            else None,
        }
