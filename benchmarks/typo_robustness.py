"""Routing quality when the questions carry typing slips, as phone-typed questions do.

Run: ``.venv/bin/python benchmarks/typo_robustness.py [--seeds N] [--ij]`` from the repo root.
Each round puts one slip (two letters swapped, a letter dropped, doubled or replaced) in
about a quarter of each question's words of six letters or more, with a fixed seed per
question and round, routes the slipped questions, and scores them with the evaluation's
metrics. It prints the clean figures and the mean over the rounds side by side. With
``--ij`` it instead types every Dutch "ij" as "y" ("mijn" -> "myn"), in one round. The
questions are only read and measured here; nothing of them goes into the router.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from routing.load import load_knowledge  # noqa: E402
from routing.metrics import score  # noqa: E402
from routing.router import Router  # noqa: E402

EVAL = REPO.parent / "shared" / "eval"
TODAY = dt.date(2026, 11, 23)
METRICS = ("top1", "top5", "servant", "primary_theme", "region", "out_of_scope_precision",
           "out_of_scope_recall", "clarify_recall", "overask_rate")


def slip(word: str, rnd: random.Random) -> str:
    i = rnd.randrange(1, len(word) - 1)
    kind = rnd.choice(("swap", "drop", "double", "replace"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rnd.choice("aeiounrst") + word[i + 1:]


def slipped(text: str, seed: str) -> str:
    rnd = random.Random(seed)
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    for i in rnd.sample(long, min(len(long), max(1, len(long) // 4))):
        words[i] = slip(words[i], rnd)
    return " ".join(words)


def ij_as_y(text: str) -> str:
    return text.replace("ij", "y").replace("IJ", "Y").replace("Ij", "Y")


def run(router: Router, questions: list[dict[str, Any]], seed: int | None,
        ij: bool = False) -> dict[str, float]:
    results = []
    for q in questions:
        text = q["text"] if seed is None else (
            ij_as_y(q["text"]) if ij else slipped(q["text"], f"{q['id']}/{seed}"))
        line = router.route(text, today=TODAY).to_json()
        line["id"] = q["id"]
        results.append(line)
    return {k: float(v) for k, v in score(questions, results).items() if k in METRICS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="rounds of slips")
    parser.add_argument("--ij", action="store_true", help='type every "ij" as "y" instead')
    parser.add_argument("--knowledge", type=Path, default=EVAL / "knowledge")
    parser.add_argument("--questions", type=Path, default=EVAL / "questions.jsonl")
    args = parser.parse_args()
    router = Router(load_knowledge(args.knowledge, today=TODAY))
    questions = [json.loads(line) for line in args.questions.open(encoding="utf-8")]
    clean = run(router, questions, None)
    rounds = [run(router, questions, 0, ij=True)] if args.ij else [
        run(router, questions, s) for s in range(args.seeds)]
    what = '"ij" typed as "y"' if args.ij else f"mean of {args.seeds} rounds"
    print(f"{'metric':24} {'clean':>7} {'slipped':>8}  ({what})")
    for key in METRICS:
        mean = sum(r[key] for r in rounds) / len(rounds)
        print(f"{key:24} {clean[key]:7.3f} {mean:8.3f}")


if __name__ == "__main__":
    main()
