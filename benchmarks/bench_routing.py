"""Routing speed: Wegwijs against a BM25 peer on the dev questions, and on synthetic maps.

Run: ``.venv/bin/python benchmarks/bench_routing.py [--quick]`` from the repo root.
(a) routes the evaluation questions with Wegwijs and with rank-bm25's BM25Okapi over the
    same entries' text (Dutch stemming), in the same run: throughput of both, the ratio,
    and Wegwijs' p50/p99 latency;
(b) synthetic maps of 1,000 / 10,000 / 100,000 entries made from the example map's
    vocabulary: build time and p50/p99 route latency per size.
The map is loaded and indexed once per size; routing never re-reads files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rank_bm25 import BM25Okapi  # noqa: E402

from routing.metrics import percentile  # noqa: E402
from routing.model import Entry, KnowledgeMap, Text  # noqa: E402
from routing.normalize import stem_nl, tokens, truncate  # noqa: E402
from routing.router import Router  # noqa: E402

EVAL = REPO.parent / "shared" / "eval"
TODAY = dt.date(2026, 11, 23)


def load_map(path: Path) -> KnowledgeMap:
    from routing.load import load_knowledge

    return load_knowledge(path, today=TODAY)


def bm25_tokens(text: str) -> list[str]:
    return [stem_nl(t) for t in tokens(truncate(text))]


def entry_text(e: Entry) -> str:
    return " ".join((e.name, e.summary.nl, e.summary.en or "", *e.terms.all()))


def timed(fn, texts: list[str], rounds: int,  # type: ignore[no-untyped-def]
          clock=time.perf_counter) -> list[float]:
    out = []
    for _ in range(rounds):
        for text in texts:
            start = clock()
            fn(text)
            out.append(clock() - start)
    return out


def cpu_timed(fn, texts: list[str], rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Per-call CPU time of this thread: what other jobs on a shared machine do not add."""
    return timed(fn, texts, rounds, clock=time.thread_time)


def bench_peer(kmap: KnowledgeMap, texts: list[str], rounds: int) -> None:
    router = Router(kmap)
    bm25 = BM25Okapi([bm25_tokens(entry_text(e)) for e in kmap.entries])
    for text in texts:  # warm both
        router.route(text, today=TODAY)
        bm25.get_scores(bm25_tokens(text))
    ours: list[float] = []
    peer: list[float] = []
    ours_cpu: list[float] = []
    peer_cpu: list[float] = []
    for _ in range(rounds):  # interleaved, so that both see the same load on the machine
        ours += timed(lambda t: router.route(t, today=TODAY), texts, 1)
        peer += timed(lambda t: bm25.get_scores(bm25_tokens(t)), texts, 1)
        ours_cpu += cpu_timed(lambda t: router.route(t, today=TODAY), texts, 1)
        peer_cpu += cpu_timed(lambda t: bm25.get_scores(bm25_tokens(t)), texts, 1)
    q_ours, q_peer = len(ours) / sum(ours), len(peer) / sum(peer)
    print(f"(a) {len(texts)} dev questions x {rounds} rounds, {len(kmap.entries)} entries")
    for name, wall, cpu, qps in (("wegwijs", ours, ours_cpu, q_ours),
                                 ("bm25", peer, peer_cpu, q_peer)):
        print(f"    {name:8}: {qps:8.0f} q/s   wall p50 {percentile(wall, 50) * 1e3:.3f} ms"
              f"  p99 {percentile(wall, 99) * 1e3:.3f} ms   cpu mean "
              f"{sum(cpu) / len(cpu) * 1e3:.3f} ms  p50 {percentile(cpu, 50) * 1e3:.3f} ms"
              f"  p99 {percentile(cpu, 99) * 1e3:.3f} ms")
    print(f"    ratio   : {q_ours / q_peer:.1f}x wall, {sum(peer_cpu) / sum(ours_cpu):.1f}x cpu"
          "  (target >= 10x; p99 target <= 1 ms)")


def synthetic(kmap: KnowledgeMap, size: int, seed: int = 7) -> KnowledgeMap:
    """A map of ``size`` entries: the example entries with shuffled themes, needs, regions,
    words from the map's own vocabulary, and some windows, municipalities and stages."""
    rng = random.Random(seed)
    words = sorted({w for e in kmap.entries for w in tokens(entry_text(e)) if len(w) > 3})
    theme_ids = [t.id for t in kmap.themes]
    need_ids = [n.id for n in kmap.needs]
    regions = [r.id for r in kmap.regions]
    entries = []
    for i in range(size):
        base = kmap.entries[i % len(kmap.entries)]
        region = rng.choice(regions) if rng.random() < 0.6 else "nl"
        munis: tuple[str, ...] = ()
        if region != "nl" and rng.random() < 0.3:
            munis = (rng.choice(kmap.region(region).municipalities),)
        summary = " ".join(rng.choices(words, k=25))
        entries.append(replace(
            base, id=f"{base.id}-{i}", name=f"{base.name} {i}",
            summary=Text(summary, summary),
            themes=tuple(rng.sample(theme_ids, k=rng.randint(1, 3))),
            needs=tuple(rng.sample(need_ids, k=rng.randint(1, 2))),
            regions=(region,), municipalities=munis,
        ))
    return replace(kmap, entries=tuple(entries))


def bench_sizes(kmap: KnowledgeMap, texts: list[str], sizes: list[int], rounds: int,
                peer_questions: int) -> None:
    print("(b) synthetic maps (targets: p99 <= 5 ms at 10,000 entries)")
    for size in sizes:
        big = synthetic(kmap, size)
        start = time.perf_counter()
        router = Router(big)
        build = time.perf_counter() - start
        for text in texts:
            router.route(text, today=TODAY)
        lat = timed(lambda t, r=router: r.route(t, today=TODAY), texts, rounds)
        cpu = cpu_timed(lambda t, r=router: r.route(t, today=TODAY), texts, rounds)
        line = (f"    {size:>7} entries: build {build:6.2f} s   wall p50 "
                f"{percentile(lat, 50) * 1e3:.3f} ms  p99 {percentile(lat, 99) * 1e3:.3f} ms"
                f"   cpu p50 {percentile(cpu, 50) * 1e3:.3f} ms"
                f"  p99 {percentile(cpu, 99) * 1e3:.3f} ms")
        if peer_questions and size <= 10_000:
            bm25 = BM25Okapi([bm25_tokens(entry_text(e)) for e in big.entries])
            sample = texts[:peer_questions]
            ours = timed(lambda t, r=router: r.route(t, today=TODAY), sample, 1)
            peer = timed(lambda t, b=bm25: b.get_scores(bm25_tokens(t)), sample, 1)
            line += f"   bm25 p50 {percentile(peer, 50) * 1e3:.3f} ms   ratio " \
                    f"{sum(peer) / sum(ours):.1f}x"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, no 100k map")
    parser.add_argument("--knowledge", type=Path, default=EVAL / "knowledge")
    parser.add_argument("--questions", type=Path, default=EVAL / "questions.jsonl")
    args = parser.parse_args()
    kmap = load_map(args.knowledge)
    load1, load5, _ = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load1:.2f} / {load5:.2f} "
          "(timings are only comparable on a quiet machine)")
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    bench_peer(kmap, texts, rounds=3 if args.quick else 10)
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    bench_sizes(kmap, texts, sizes, rounds=1 if args.quick else 3,
                peer_questions=40 if args.quick else 160)


if __name__ == "__main__":
    main()
