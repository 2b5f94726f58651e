"""Commands: ``wegwijs route`` (one question, a loop, or JSON lines) and ``wegwijs eval``."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from bot.cli._apps import app, knowledge_app  # noqa: F401
from bot.cli._dates import day_or_today
from routing.metrics import METRIC_NAMES, missed_targets, percentile, score
from routing.model import KnowledgeMap
from routing.result import RouteResult
from routing.router import Router

KnowledgeOpt = Annotated[
    Path | None,
    typer.Option("--knowledge", help="Knowledge map folder (default: WEGWIJS_KNOWLEDGE)."),
]
TodayOpt = Annotated[
    str | None, typer.Option("--today", help="Route as on this date (YYYY-MM-DD).")
]


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=1)


def _load(path: Path | None, today: dt.date) -> KnowledgeMap:
    from routing.load import KnowledgeError, load_knowledge

    if path is None:
        from bot.cli._settings import settings_or_exit

        path = settings_or_exit().knowledge
    if not path.is_dir():
        raise _fail(f"Knowledge map not found: {path} is not a folder.")
    try:
        kmap: KnowledgeMap = load_knowledge(path, today=today)
    except KnowledgeError as exc:
        problems = getattr(exc, "problems", None) or [str(exc)]
        lines = "\n".join(f"  - {p}" for p in problems)
        raise _fail(f"The knowledge map in {path} has problems:\n{lines}") from None
    except OSError as exc:
        raise _fail(f"Could not read the knowledge map in {path}: {exc}") from None
    return kmap


def _readable(result: RouteResult) -> str:
    lines = []
    if result.out_of_scope:
        return f"Out of scope: {result.redirect}"
    lines.append(f"Language: {result.lang}")
    lines.append(f"Themes:   {', '.join(result.themes) or '-'}")
    lines.append(f"Needs:    {', '.join(result.needs) or '-'}")
    place = result.region or "-"
    if result.municipality:
        place = f"{result.municipality} ({place})"
    lines.append(f"Place:    {place}")
    if result.stage:
        lines.append(f"Stage:    {result.stage}")
    if result.clarify:
        lines.append(f"Ask back: {', '.join(result.clarify)}")
    if result.servant:
        lines.append(f"Servant:  {result.servant.name} ({result.servant.id})")
    lines.append(f"Confidence: {result.confidence:.2f}")
    for i, r in enumerate(result.routes, 1):
        lines.append(f"{i:2}. {r.name} [{r.kind}, {r.score:.2f}]\n    {r.why}")
    if not result.routes:
        lines.append("No routes.")
    return "\n".join(lines)


def _route_jsonl(router: Router, today: dt.date, source: TextIO, out: TextIO) -> int:
    bad = 0
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError("expected an object with a string 'text'")
        except ValueError as exc:
            bad += 1
            typer.echo(f"line {number}: skipped, not a question line ({exc}).", err=True)
            continue
        result = router.route(item["text"], today=today)
        out.write(json.dumps(result.to_json(item.get("id")), ensure_ascii=False) + "\n")
        out.flush()
    return bad


def _interactive(router: Router, today: dt.date) -> None:
    typer.echo("Wegwijs router. Type a question (empty line or Ctrl-D to stop).")
    while True:
        try:
            text = input("> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if not text.strip():
            return
        typer.echo(_readable(router.route(text, today=today)))


@app.command("route")
def route_cmd(
    text: Annotated[str | None, typer.Argument(help="The question to route.")] = None,
    knowledge: KnowledgeOpt = None,
    today: TodayOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl",
                                        help='Read {"id","text"} lines on stdin.')] = False,
) -> None:
    """Route a question to funds, contact points and networks."""
    day = day_or_today(today)
    router = Router(_load(knowledge, day))
    if jsonl:
        _route_jsonl(router, day, sys.stdin, sys.stdout)
        return
    if text is None:
        if sys.stdin.isatty():
            _interactive(router, day)
            return
        text = sys.stdin.read()
    result = router.route(text, today=day)
    if as_json:
        payload: dict[str, Any] = result.to_json()
        payload.update(lang=result.lang, stage=result.stage, redirect=result.redirect,
                       confidence=result.confidence)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        typer.echo(_readable(result))


def _read_questions(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise _fail(f"Could not read {path}: {exc}") from None
    questions = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or "expect" not in item or "text" not in item:
                raise ValueError("expected an object with 'id', 'text' and 'expect'")
        except ValueError as exc:
            raise _fail(f"{path}, line {number}: {exc}") from None
        questions.append(item)
    return questions


def run_eval(router: Router, questions: list[dict[str, Any]],
             today: dt.date) -> dict[str, Any]:
    """Route every question and score it, with p50/p99 latency in milliseconds.

    The figures come from the first pass. Latency is timed on a second pass (the
    router's caches of words it has seen are then warm, as in a running desk); the first
    pass's p99 is reported as ``latency_cold_p99_ms``.
    """
    results, cold = [], []
    for q in questions:
        start = time.perf_counter()
        result = router.route(str(q["text"]), today=today)
        cold.append((time.perf_counter() - start) * 1000)
        results.append(result.to_json(q.get("id")))
    warm = []
    for q in questions:
        start = time.perf_counter()
        router.route(str(q["text"]), today=today)
        warm.append((time.perf_counter() - start) * 1000)
    figures = score(questions, results)
    figures["latency_p50_ms"] = round(percentile(warm, 50), 3)
    figures["latency_p99_ms"] = round(percentile(warm, 99), 3)
    figures["latency_cold_p99_ms"] = round(percentile(cold, 99), 3)
    return figures


@app.command("eval")
def eval_cmd(
    questions: Annotated[Path, typer.Argument(help="Questions with expectations (JSONL).")],
    knowledge: KnowledgeOpt = None,
    today: TodayOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Measure routing quality and latency against expected routes."""
    day = day_or_today(today)
    router = Router(_load(knowledge, day))
    figures = run_eval(router, _read_questions(questions), day)
    if as_json:
        typer.echo(json.dumps(figures, indent=1))
        return
    typer.echo(f"questions: {figures['questions']} (routable {figures['routable']})")
    for name in METRIC_NAMES:
        value = figures.get(name)
        typer.echo(f"{name:24} {'-' if value is None else f'{value:.3f}'}")
    typer.echo(f"{'latency p50':24} {figures['latency_p50_ms']:.3f} ms")
    typer.echo(f"{'latency p99':24} {figures['latency_p99_ms']:.3f} ms"
               f"  (first pass p99 {figures['latency_cold_p99_ms']:.3f} ms)")
    for line in missed_targets(figures):
        typer.echo(f"below target: {line}")
