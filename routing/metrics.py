"""Routing quality metrics, with the definitions of ``shared/eval/score.py``.

``score`` takes the evaluation questions and the result lines of ``wegwijs route --jsonl``
(``RouteResult.to_json``) and returns the same figures as the reference scorer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

METRIC_NAMES: tuple[str, ...] = (
    "top1", "top5", "servant", "primary_theme", "region", "out_of_scope_precision",
    "out_of_scope_recall", "clarify_recall", "overask_rate",
)
# The targets of issue 2: (metric, bound, True when higher is better).
TARGETS: tuple[tuple[str, float, bool], ...] = (
    ("top1", 0.85, True), ("top5", 0.95, True), ("servant", 0.95, True),
    ("primary_theme", 0.90, True), ("region", 0.97, True),
    ("out_of_scope_precision", 0.90, True), ("out_of_scope_recall", 0.90, True),
    ("clarify_recall", 0.80, True), ("overask_rate", 0.05, False),
)


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def score(questions: Iterable[Mapping[str, Any]],
          results: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The reference scorer's figures for these questions and result lines."""
    qs = list(questions)
    by_id = {r.get("id"): r for r in results}
    n = dict.fromkeys(("routable", "top1", "top5", "servant", "theme", "region_n", "region",
                       "oos_true", "oos_pred", "oos_hit", "clarify_n", "clarify_hit",
                       "overask", "missing"), 0)
    for q in qs:
        e = q["expect"]
        r = by_id.get(q["id"])
        if r is None:
            n["missing"] += 1
            r = {}
        oos = bool(r.get("out_of_scope"))
        n["oos_pred"] += oos
        if e.get("out_of_scope"):
            n["oos_true"] += 1
            n["oos_hit"] += oos
            continue
        clarify = r.get("clarify") or []
        if e.get("clarify"):
            n["clarify_n"] += 1
            n["clarify_hit"] += bool(set(e["clarify"]) & set(clarify))
            continue
        n["routable"] += 1
        n["overask"] += bool(clarify)
        ids = [x.get("id") for x in (r.get("routes") or [])]
        any_ok = set(e.get("entries_any") or [])
        all5 = set(e.get("entries_all_top5") or [])
        n["top1"] += bool(ids[:1]) and ids[0] in any_ok
        n["top5"] += bool(any_ok & set(ids[:5])) and all5 <= set(ids[:5])
        sv = (r.get("servant") or {}).get("id")
        n["servant"] += sv in set(e.get("servants_any") or [])
        themes = r.get("themes") or []
        n["theme"] += bool(themes) and bool(e.get("themes")) and themes[0] == e["themes"][0]
        if e.get("region"):
            n["region_n"] += 1
            n["region"] += r.get("region") == e["region"]
    return {
        "questions": len(qs),
        "missing_results": n["missing"],
        "routable": n["routable"],
        "top1": _ratio(n["top1"], n["routable"]),
        "top5": _ratio(n["top5"], n["routable"]),
        "servant": _ratio(n["servant"], n["routable"]),
        "primary_theme": _ratio(n["theme"], n["routable"]),
        "region": _ratio(n["region"], n["region_n"]),
        "out_of_scope_recall": _ratio(n["oos_hit"], n["oos_true"]),
        "out_of_scope_precision": _ratio(n["oos_hit"], n["oos_pred"]),
        "clarify_recall": _ratio(n["clarify_hit"], n["clarify_n"]),
        "overask_rate": _ratio(n["overask"], n["routable"]),
    }


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sequence."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * pct // 100)))
    return ordered[int(rank) - 1]


def missed_targets(figures: Mapping[str, Any]) -> list[str]:
    """The issue's targets these figures do not meet, as readable lines."""
    missed = []
    for name, bound, higher in TARGETS:
        value = figures.get(name)
        if value is None:
            continue
        if (value < bound) if higher else (value > bound):
            missed.append(f"{name} = {value} ({'>=' if higher else '<='} {bound} wanted)")
    return missed
