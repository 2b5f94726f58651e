"""Small parts of the desk: payloads, yes/no, the terminal's lines, the state store."""

from __future__ import annotations

import io
from pathlib import Path

from bot.channel import Choice, Outbound
from bot.channels.terminal import TerminalChannel
from bot.db import create_schema, make_engine
from bot.desk import parse_command
from bot.kv import DbStateStore
from bot.scheduler import DIGEST_JOB, DISPATCH_JOB, build_scheduler
from bot.wording import answer_word, parse_start_payload
from routing.model import KnowledgeMap


def test_start_payload_grammar(eval_kmap: KnowledgeMap) -> None:
    assert parse_start_payload(eval_kmap, "gemeente-zeist") == {
        "region": "utrecht", "municipality": "Zeist"}
    assert parse_start_payload(eval_kmap, "theme-zwerfafval_taal-en") == {
        "theme": "zwerfafval", "lang": "en"}
    assert parse_start_payload(eval_kmap, "provincie-zeeland_hulp-funding") == {
        "region": "zeeland", "need": "funding"}
    assert parse_start_payload(eval_kmap, "nonsense_gemeente-atlantis") == {}


def test_free_text_answers() -> None:
    assert answer_word("Ja graag!") == "yes"
    assert answer_word("yes please") == "yes"
    assert answer_word("Nee, liever niet") == "no"
    assert answer_word("liever niet") == "no"
    assert answer_word("deels") == "partly"
    assert answer_word("maybe later") is None


def test_command_parsing() -> None:
    assert parse_command("/neem@WegwijsBot 12") == ("neem", "12")
    assert parse_command("/ANTWOORD 3 Hallo daar") == ("antwoord", "3 Hallo daar")
    assert parse_command("geen opdracht") is None
    assert parse_command("/") is None


async def test_terminal_numbers_pick_choices() -> None:
    out = io.StringIO()
    term = TerminalChannel(chat_id="vera", stdout=out)
    await term.send(Outbound("terminal", "vera", "Kies", "1",
                             choices=(Choice("Ja", "consent:1:yes"), Choice("Nee", "x"))))
    assert "  1) Ja" in out.getvalue() and "  2) Nee" in out.getvalue()
    picked = term.to_inbound("1\n")
    assert picked is not None and picked.kind == "choice" and picked.choice == "consent:1:yes"
    assert term.to_inbound("7").kind == "text"  # type: ignore[union-attr]
    assert term.to_inbound("/help").kind == "command"  # type: ignore[union-attr]
    assert term.to_inbound("   ") is None
    ids = {term.to_inbound("hoi").message_id for _ in range(3)}  # type: ignore[union-attr]
    assert len(ids) == 3


async def test_db_state_store_survives_a_new_engine(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kv.db'}"
    engine = make_engine(url)
    create_schema(engine)
    store = DbStateStore(engine, prefix="telegram:")
    assert await store.get("offset") is None
    await store.set("offset", "41")
    await store.set("offset", "42")
    engine.dispose()
    again = DbStateStore(make_engine(url), prefix="telegram:")
    assert await again.get("offset") == "42"
    assert await DbStateStore(again.engine, prefix="matrix:").get("offset") is None


async def test_scheduler_has_two_named_jobs() -> None:
    async def tick() -> None:
        return None

    scheduler = build_scheduler(tick)
    ids = {job.id for job in scheduler.get_jobs()}
    assert ids == {DISPATCH_JOB, DIGEST_JOB}
    again = build_scheduler(tick)
    assert len(again.get_jobs()) == 2


async def test_scheduler_runs_inside_the_event_loop_and_calls_tick() -> None:
    import asyncio

    called = asyncio.Event()

    async def tick() -> None:
        called.set()

    scheduler = build_scheduler(tick, interval_seconds=0.05)
    scheduler.start()
    try:
        await asyncio.wait_for(called.wait(), timeout=10)
    finally:
        scheduler.shutdown(wait=False)
    assert called.is_set()


def test_every_attachment_kind_an_adapter_reports_has_dutch_and_english_words() -> None:
    from bot.channels import matrix, telegram
    from bot.texts import ATTACHMENTS, attachment

    kinds = {*telegram.UNSUPPORTED_KINDS, *(k for _, k in matrix._MEDIA_KINDS),
             *matrix._MSGTYPE_KINDS.values()}
    assert kinds - ATTACHMENTS.keys() == set()
    for kind in kinds:
        nl, en = attachment(kind, "nl"), attachment(kind, "en")
        assert nl and en and "_" not in nl + en
    assert attachment("photo", "nl") == "foto's" and attachment("photo", "en") == "photos"
    assert attachment("video_note", "nl") == "videoberichtjes"
    assert attachment(None, "nl") == "bijlagen" and attachment("nieuw", "en") == "attachments"


def test_wal_checkpoints_run_in_the_background_and_lose_nothing(tmp_path: Path) -> None:
    import threading

    from sqlalchemy import text

    from bot.db import CHECKPOINT_EVERY, CHECKPOINTERS, transaction

    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    create_schema(engine)
    checkpointer = CHECKPOINTERS[engine]
    for i in range(2 * CHECKPOINT_EVERY):
        with transaction(engine) as session:
            session.execute(text("INSERT INTO kv (key, value, updated_at) VALUES (:k, 'v', "
                                 "'2026-01-01 00:00:00')"), {"k": f"k{i}"})
    done = threading.Event()
    for _ in range(200):  # wait (not a timing assertion) for the thread to run once
        if checkpointer.checkpoints >= 1 or done.wait(0.05):
            break
    assert checkpointer.checkpoints >= 1
    assert any(t.name == "wegwijs-wal-checkpoint" for t in threading.enumerate())
    engine.dispose()
    reopened = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with transaction(reopened) as session:
        count = session.execute(text("SELECT count(*) FROM kv")).scalar_one()
    assert count == 2 * CHECKPOINT_EVERY
    reopened.dispose()
