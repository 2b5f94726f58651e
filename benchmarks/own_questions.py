"""Routing quality on the project's own question set, written apart from the evaluation set.

Run: ``.venv/bin/python benchmarks/own_questions.py [-v]`` from the repo root.

``own_questions.jsonl`` holds 88 volunteer questions (53 Dutch, 35 English) with the
expected primary theme first, the needs, the province, out-of-scope and what to ask back.
They were written for the example map (``../shared/eval/knowledge``) by someone who had not
seen the evaluation questions and before anyone ran the router on them, so they measure
how routing carries over to questions it was not tuned on. Labels are one person's
judgement; ``-v`` prints every miss so a label can be questioned too. The figures use the
evaluation's definitions where the expected fields allow it (this set names no entries or
servants, so there is no top-1, top-5 or servant figure).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from routing.load import load_knowledge  # noqa: E402
from routing.router import Router  # noqa: E402

QUESTIONS = Path(__file__).resolve().parent / "own_questions.jsonl"
KNOWLEDGE = REPO.parent / "shared" / "eval" / "knowledge"
TODAY = dt.date(2026, 11, 23)


def _misses(expect: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """What routing got wrong for one question, by the measures printed below."""
    if expect["out_of_scope"] or got["out_of_scope"]:
        return [] if expect["out_of_scope"] == got["out_of_scope"] else ["out_of_scope"]
    if expect["clarify"]:
        return [] if set(expect["clarify"]) & set(got["clarify"]) else ["clarify"]
    out = ["over-asking"] if got["clarify"] else []
    if expect["themes"] and got["themes"][:1] != expect["themes"][:1]:
        out.append("primary theme")
    if expect["needs"] and not set(expect["needs"]) & set(got["needs"]):
        out.append("need")
    if got["region"] != expect["region"]:
        out.append("region")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    router = Router(load_knowledge(KNOWLEDGE, today=TODAY))
    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    counts = {"oos_expected": 0, "oos_found": 0, "oos_right": 0, "clarify": 0,
              "clarify_right": 0, "routable": 0, "asked": 0, "themed": 0, "primary": 0,
              "needs": 0, "need_right": 0, "region_right": 0}
    for q in questions:
        expect, got = q["expect"], router.route(q["text"], today=TODAY).to_json()
        misses = _misses(expect, got)
        counts["oos_expected"] += expect["out_of_scope"]
        counts["oos_found"] += got["out_of_scope"]
        counts["oos_right"] += expect["out_of_scope"] and got["out_of_scope"]
        if not expect["out_of_scope"] and expect["clarify"]:
            counts["clarify"] += 1
            counts["clarify_right"] += "clarify" not in misses
        elif not expect["out_of_scope"]:
            counts["routable"] += 1
            counts["asked"] += "over-asking" in misses
            counts["region_right"] += "region" not in misses and "out_of_scope" not in misses
            if expect["themes"]:
                counts["themed"] += 1
                counts["primary"] += not {"primary theme", "out_of_scope"} & set(misses)
            if expect["needs"]:
                counts["needs"] += 1
                counts["need_right"] += not {"need", "out_of_scope"} & set(misses)
        if misses and args.verbose:
            print(f"{q['id']} {', '.join(misses)}: {q['text'][:100]}")
            print(f"    expected {expect['themes'][:2]} {expect['needs']} {expect['region']} "
                  f"ask {expect['clarify']}; got {got['themes'][:2]} {got['needs']} "
                  f"{got['region']} ask {got['clarify']} out {got['out_of_scope']}")

    def ratio(right: str, total: str) -> str:
        return f"{counts[right] / counts[total]:.3f} ({counts[right]}/{counts[total]})"

    print(f"{len(questions)} own questions, example map, {TODAY}")
    print(f"  primary theme      {ratio('primary', 'themed')}")
    print(f"  a right need       {ratio('need_right', 'needs')}")
    print(f"  region             {ratio('region_right', 'routable')}")
    print(f"  out-of-scope P / R {ratio('oos_right', 'oos_found')} / "
          f"{ratio('oos_right', 'oos_expected')}")
    print(f"  clarify recall     {ratio('clarify_right', 'clarify')}")
    print(f"  over-asking        {ratio('asked', 'routable')}")


if __name__ == "__main__":
    main()
