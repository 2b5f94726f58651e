"""``wegwijs knowledge diff``: what changed, field by field, and which questions move."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli._apps import app
from bot.knowledge_diff import diff_maps, route_changes
from routing.load import load_knowledge
from routing.model import KnowledgeMap
from routing.router import Router

runner = CliRunner()
TODAY = dt.date(2026, 11, 23)
# Written for these tests; none comes from the evaluation questions.
QUESTIONS = [
    ("t1", "Wij willen met de buurt zwerfvuil opruimen in Amersfoort, wie betaalt de grijpers?"),
    ("t2", "Our repair cafe in Nijmegen is looking for a grant for tools"),
    ("t3", "We meten fijnstof rond de school in Eindhoven en zoeken andere meetgroepen"),
    ("t4", "Geld nodig voor een voedselbos bij de kerk in Zwolle"),
    ("t5", "Energiecoöperatie in Groningen zoekt advies over zonnepanelen op het dorpshuis"),
]


def _edit(folder: Path, file: str, change: Any) -> None:
    path = folder / file
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = change(items) or items
    path.write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


@pytest.fixture(scope="module")
def original(eval_knowledge_dir: Path) -> KnowledgeMap:
    return load_knowledge(eval_knowledge_dir)


@pytest.fixture
def pair(eval_knowledge_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(eval_knowledge_dir, old)
    shutil.copytree(eval_knowledge_dir, new)
    return old, new


def test_no_change_is_no_diff(pair: tuple[Path, Path], original: KnowledgeMap) -> None:
    assert diff_maps(original, load_knowledge(pair[1])).empty


def test_added_removed_and_edited_with_fields(pair: tuple[Path, Path],
                                             original: KnowledgeMap) -> None:
    _, new = pair

    def funds(items: list[dict[str, Any]]) -> None:
        first = items[0]
        first["open"] = {"from": dt.date(2026, 1, 1), "until": dt.date(2027, 3, 31)}
        first["themes"] = [*first["themes"][1:], "textiel"]
        first["summary"]["en"] = "Changed."
        items.append({**items[1], "id": "nieuw-fonds", "name": "Nieuw Fonds"})

    _edit(new, "funds.yaml", funds)
    removed = yaml.safe_load((new / "networks.yaml").read_text())[0]["id"]
    _edit(new, "networks.yaml", lambda items: items[1:])
    diff = diff_maps(original, load_knowledge(new))
    by_id = {c.id: c for c in diff.changes}
    assert by_id["nieuw-fonds"].status == "added" and by_id["nieuw-fonds"].kind == "fund"
    assert by_id[removed].status == "removed" and by_id[removed].kind == "network"
    edited = by_id["fonds-schone-buurt"]
    assert edited.status == "edited"
    fields = {f.field: f for f in edited.fields}
    assert set(fields) == {"open.until", "themes", "summary.en"}
    assert fields["open.until"].after == dt.date(2027, 3, 31)
    assert fields["themes"].added == ("textiel",) and fields["themes"].removed == ("zwerfafval",)
    assert diff.counts() == {"added": 1, "removed": 1, "edited": 1}


def test_questions_that_route_differently_are_listed(pair: tuple[Path, Path],
                                                    original: KnowledgeMap) -> None:
    _, new = pair
    before = Router(original)
    tops = {qid: before.route(text, today=TODAY) for qid, text in QUESTIONS}
    qid, result = next((q, r) for q, r in tops.items() if r.routes and not r.out_of_scope)
    gone = result.routes[0].id
    for file in ("funds.yaml", "contact_points.yaml", "networks.yaml"):
        _edit(new, file, lambda items: [e for e in items if e["id"] != gone])
    moved = route_changes(original, load_knowledge(new), QUESTIONS, today=TODAY)
    change = next(m for m in moved if m.id == qid)
    assert change.top_before.startswith(gone) and not change.top_after.startswith(gone)
    unaffected = {q for q, r in tops.items() if all(x.id != gone for x in r.routes)}
    assert not unaffected & {m.id for m in moved}


def test_a_servant_change_shows_per_question(pair: tuple[Path, Path],
                                            original: KnowledgeMap) -> None:
    _, new = pair
    before = Router(original)
    qid, text = QUESTIONS[0]
    servant = before.route(text, today=TODAY).servant
    assert servant is not None

    def away(items: list[dict[str, Any]]) -> None:
        for s in items:
            if s["id"] == servant.id:
                s["absent"] = [{"from": TODAY, "until": TODAY + dt.timedelta(days=30)}]

    _edit(new, "civil_servants.yaml", away)
    moved = route_changes(original, load_knowledge(new), [(qid, text)], today=TODAY)
    assert len(moved) == 1
    assert moved[0].servant_before == servant.id and moved[0].servant_after != servant.id


def test_cli_diff_text_and_json(pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = pair
    _edit(new, "funds.yaml", lambda items: items[1:])
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps({"id": q, "text": t, "other": 1})
                                   for q, t in QUESTIONS) + "\n", encoding="utf-8")
    done = runner.invoke(app, ["knowledge", "diff", str(old), str(new), "--questions",
                               str(questions), "--today", "2026-11-23"])
    assert done.exit_code == 0, done.output
    assert "- fund fonds-schone-buurt (removed)" in done.output
    assert "0 added, 1 removed, 0 edited." in done.output
    assert f"of {len(QUESTIONS)} questions route differently" in done.output
    done = runner.invoke(app, ["knowledge", "diff", str(old), str(new), "--json"])
    data = json.loads(done.output)
    assert data["changes"][0]["id"] == "fonds-schone-buurt" and data["routes"] is None


def test_cli_diff_reports_a_broken_map_without_traceback(pair: tuple[Path, Path]) -> None:
    old, new = pair
    (new / "funds.yaml").write_text("- id: [kapot\n", encoding="utf-8")
    done = runner.invoke(app, ["knowledge", "diff", str(old), str(new)])
    assert done.exit_code == 1
    assert "funds.yaml" in done.output and "Traceback" not in done.output


def test_cli_diff_rejects_a_bad_questions_file(pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = pair
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": 1, "text": "ok"}\nnot json\n', encoding="utf-8")
    done = runner.invoke(app, ["knowledge", "diff", str(old), str(new), "--questions", str(bad)])
    assert done.exit_code == 1 and "line 2" in done.output
