"""Metrics must equal the reference scorer's definitions."""

import importlib.util
import json
from pathlib import Path

import pytest

from routing.metrics import missed_targets, percentile, score

QUESTIONS = [
    {"id": "a", "expect": {"themes": ["t1"], "entries_any": ["e1", "e2"],
                           "entries_all_top5": ["e3"], "servants_any": ["s1"],
                           "region": "r1", "out_of_scope": False, "clarify": []}},
    {"id": "b", "expect": {"themes": ["t2"], "entries_any": ["e9"], "entries_all_top5": [],
                           "servants_any": ["s2"], "region": None, "out_of_scope": False,
                           "clarify": []}},
    {"id": "c", "expect": {"out_of_scope": True, "clarify": []}},
    {"id": "d", "expect": {"out_of_scope": False, "clarify": ["region"]}},
    {"id": "e", "expect": {"out_of_scope": False, "clarify": ["theme", "need"]}},
]
RESULTS = [
    {"id": "a", "themes": ["t1"], "region": "r1", "out_of_scope": False, "clarify": [],
     "routes": [{"id": "e1"}, {"id": "e3"}], "servant": {"id": "s1"}},
    {"id": "b", "themes": ["t1"], "region": "r1", "out_of_scope": False, "clarify": ["need"],
     "routes": [{"id": "e5"}, {"id": "e9"}], "servant": None},
    {"id": "c", "out_of_scope": True},
    {"id": "d", "out_of_scope": True, "clarify": []},
]


def test_figures() -> None:
    f = score(QUESTIONS, RESULTS)
    assert f["routable"] == 2 and f["missing_results"] == 1
    assert f["top1"] == 0.5 and f["top5"] == 1.0 and f["servant"] == 0.5
    assert f["primary_theme"] == 0.5 and f["region"] == 1.0
    assert f["out_of_scope_recall"] == 1.0 and f["out_of_scope_precision"] == 0.5
    assert f["clarify_recall"] == 0.0 and f["overask_rate"] == 0.5


def test_same_as_reference_scorer() -> None:
    path = Path(__file__).resolve().parents[3] / "shared" / "eval" / "score.py"
    if not path.is_file():
        pytest.skip("shared/eval is not beside the repo")
    spec = importlib.util.spec_from_file_location("reference_score", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.score(json.loads(json.dumps(QUESTIONS)), RESULTS) == score(QUESTIONS, RESULTS)


def test_percentile_and_targets() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0 and percentile(values, 99) == 99.0
    assert percentile([], 50) == 0.0
    assert missed_targets({"top1": 0.9, "overask_rate": 0.01}) == []
    assert missed_targets({"top1": 0.5, "overask_rate": 0.2}) == [
        "top1 = 0.5 (>= 0.85 wanted)", "overask_rate = 0.2 (<= 0.05 wanted)"]
