"""Two real desk processes on one PostgreSQL: no follow-up fired twice, no inbound message
taken twice, no outbox message delivered twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot import migrations
from bot.channel import Inbound
from bot.db import make_engine, transaction
from bot.models import Case, FollowUp, InboundSeen, OutboxMessage
from routing.model import KnowledgeMap
from tests.bot.ops.mini_map import mini_map

REPO = Path(__file__).resolve().parents[3]
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)  # a Wednesday
CASES = 120
VOLUNTEERS = 80

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def kmap() -> KnowledgeMap:
    return mini_map()


def seed_offers(engine: sa.Engine, kmap: KnowledgeMap) -> None:
    """CASES offered cases whose reminders fell due yesterday."""
    servants = [s.id for s in kmap.servants]
    earlier = NOW - dt.timedelta(days=2)
    with transaction(engine) as session:
        for i in range(CASES):
            servant = servants[i % len(servants)]
            case = Case(state="offered", servant_id=servant, theme="zwerfafval",
                        created_at=earlier, updated_at=earlier, offered_at=earlier,
                        tried=[servant])
            session.add(case)
            session.flush()
            session.add(FollowUp(key=f"reminder:{case.id}:0", kind="reminder", case_id=case.id,
                                 servant_id=servant, due_at=NOW - dt.timedelta(days=1)))


def inbound_file(path: Path) -> Path:
    """/help from VOLUNTEERS people: both processes get the very same messages."""
    lines = []
    for i in range(VOLUNTEERS):
        message = Inbound(channel="memory", chat_id=f"v{i}", sender_id=f"v{i}",
                          message_id=f"sync-{i}", kind="command", text="/help")
        lines.append(json.dumps(dataclasses.asdict(message)))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_two_processes_share_the_work_without_doubles(
        postgres_url: str, kmap: KnowledgeMap, tmp_path: Path) -> None:
    migrations.upgrade(postgres_url)
    engine = make_engine(postgres_url)
    seed_offers(engine, kmap)
    (tmp_path / "barrier").mkdir()
    go = tmp_path / "barrier" / "go"
    deliveries = tmp_path / "deliveries.log"
    argv = [sys.executable, "-m", "tests.bot.ops.desk_worker", "--url", postgres_url,
            "--now", NOW.isoformat(),
            "--inbound", str(inbound_file(tmp_path / "inbound.jsonl")),
            "--deliveries", str(deliveries), "--go", str(go)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    workers = [subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))

    # inbound: each message taken by exactly one process, never answered with an error
    assert sum(r["errors"] for r in results) == 0, results
    assert sum(r["handled"] for r in results) == VOLUNTEERS, results
    with Session(engine) as session:
        seen = session.exec(select(InboundSeen)).all()
        assert len(seen) == VOLUNTEERS
        per_chat = Counter(row.chat_id for row in session.exec(
            select(OutboxMessage).where(OutboxMessage.channel == "memory")).all())
        assert set(per_chat) == {f"v{i}" for i in range(VOLUNTEERS)}
        assert len(set(per_chat.values())) == 1  # everyone got the same (single) answer

        # follow-ups: every reminder fired once, one reminder message per case
        rows = session.exec(select(FollowUp).where(FollowUp.kind == "reminder")).all()
        assert len(rows) == CASES and all(r.outcome == "sent" for r in rows)
        reminders = Counter(row.case_id for row in session.exec(
            select(OutboxMessage).where(col(OutboxMessage.servant_id).is_not(None))).all())
        assert len(reminders) == CASES and set(reminders.values()) == {1}
        assert sum(r["followup_messages"] for r in results) == CASES
        undelivered = session.exec(select(OutboxMessage).where(
            col(OutboxMessage.sent_at).is_(None))).all()
        assert undelivered == []
        total = len(session.exec(select(OutboxMessage)).all())
    engine.dispose()

    # delivery: every outbox row sent exactly once, by one of the two processes
    lines = [line.split() for line in deliveries.read_text().splitlines()]
    keys = Counter(line[1] for line in lines)
    assert len(keys) == total and set(keys.values()) == {1}, keys.most_common(3)
    by_pid = Counter(line[0] for line in lines)
    print(f"deliveries per process: {dict(by_pid)}; follow-ups per process: "
          f"{[r['followup_messages'] for r in results]}; inbound per process: "
          f"{[r['handled'] for r in results]}")
    assert len(by_pid) == 2, "both processes should have done some of the work"
