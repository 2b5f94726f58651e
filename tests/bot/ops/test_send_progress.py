"""The adapters' delivery progress rows (``telegram:sent:<key>`` / ``matrix:sent:<key>``):
retention prunes them once nothing can resend their message, and erasing a volunteer
removes those of the volunteer's messages; on SQLite and PostgreSQL, with a fake clock."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot import privacy, retention
from bot.channel import MemoryStateStore, Outbound
from bot.clock import FakeClock
from bot.db import transaction
from bot.kv import send_progress_target
from bot.models import KeyValue, OutboxMessage
from tests.bot.ops.privacy_data import ANNA, BOB, T0, add_person, add_shared_rows
from tests.fixtures.fake_telegram import FakeTelegram, RecordingDesk, make_channel

NOW = T0 + dt.timedelta(days=40)  # long before the 12-month retention period ends


def outbox_row(engine: sa.Engine, *, sent: bool = False, failed: str | None = None) -> int:
    with transaction(engine) as session:
        row = OutboxMessage(channel="telegram", chat_id="555", text="Hallo", created_at=T0,
                            next_attempt_at=T0, sent_at=NOW if sent else None, failed=failed)
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def put(engine: sa.Engine, values: dict[str, dt.datetime]) -> None:
    with transaction(engine) as session:
        for key, written in values.items():
            session.add(KeyValue(key=key, value="1", updated_at=written))


def keys(engine: sa.Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(KeyValue.key)).all())


def test_retention_prunes_progress_nothing_can_need_any_more(engine: sa.Engine) -> None:
    waiting, sent, failed = outbox_row(engine), outbox_row(engine, sent=True), \
        outbox_row(engine, failed="gone")
    missing = failed + 1000  # its outbox row was deleted (erased, or pruned by retention)
    put(engine, {
        f"telegram:sent:{waiting}": T0,  # old, but its message still waits: kept
        f"matrix:sent:{sent}": NOW,  # just written, but the message is delivered: pruned
        f"telegram:sent:{failed}": NOW,
        f"telegram:sent:{missing}": NOW,
        # one-off sends: pruned SEND_PROGRESS_DAYS after they were written
        "telegram:sent:volatile:telegram:88": NOW - dt.timedelta(days=31),
        "matrix:sent:sorry:$event1": NOW - dt.timedelta(days=29),
        # other adapter state is not progress: untouched, however old
        "telegram:offset": T0, "matrix:since": T0, "matrix:dm:@x:example.org": T0,
    })
    assert retention.SEND_PROGRESS_DAYS == 30
    report = retention.run_daily(engine, FakeClock(NOW))
    assert report.send_progress == 4
    assert "4 delivery progress row(s)" in report.summary()
    assert keys(engine) == {f"telegram:sent:{waiting}", "matrix:sent:sorry:$event1",
                            "telegram:offset", "matrix:since", "matrix:dm:@x:example.org"}
    # idempotent; and the last one-off goes once it is old enough
    assert retention.run_daily(engine, FakeClock(NOW)).send_progress == 0
    assert retention.run_daily(
        engine, FakeClock(NOW + dt.timedelta(days=2))).send_progress == 1
    # once its message is delivered, the waiting row's progress goes too
    with transaction(engine) as session:
        row = session.get(OutboxMessage, waiting)
        assert row is not None
        row.sent_at = NOW
        session.add(row)
    assert retention.run_daily(engine, FakeClock(NOW)).send_progress == 1
    assert not any(send_progress_target(k) for k in keys(engine))


def test_retention_prunes_progress_of_outbox_rows_it_deletes(engine: sa.Engine) -> None:
    with transaction(engine) as session:
        anna = add_person(session, ANNA, servant="anouk-de-vries", state="closed")
    with Session(engine) as session:
        ids = list(session.exec(select(OutboxMessage.id)
                                .where(OutboxMessage.case_id == anna[1])).all())
    assert len(ids) == 2
    put(engine, {f"matrix:sent:{i}": T0 for i in ids})
    report = retention.run_daily(engine, FakeClock(T0 + dt.timedelta(days=366)))
    assert report.cases == 1 and report.send_progress == 2
    assert not any(send_progress_target(k) for k in keys(engine))


def test_erase_removes_the_progress_of_the_volunteers_messages(engine: sa.Engine) -> None:
    with transaction(engine) as session:
        anna = add_person(session, ANNA, servant="anouk-de-vries", state="in_progress")
        bob = add_person(session, BOB, servant="anouk-de-vries", state="closed")
        add_shared_rows(session)
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        anna_ids = [r.id for r in rows if r.case_id == anna[1]]
        bob_ids = [r.id for r in rows if r.case_id == bob[1]]
    put(engine, {f"matrix:sent:{i}": T0 for i in anna_ids})
    put(engine, {f"telegram:sent:{i}": T0 for i in bob_ids})

    export = privacy.export_volunteer(engine, anna[0])
    exported = {row["key"] for row in export["channel_state"]}
    assert {f"matrix:sent:{i}" for i in anna_ids} <= exported

    report = privacy.erase_volunteer(engine, anna[0], now=NOW)
    assert report.adapter_state == 1 + len(anna_ids)  # her chat's row and her progress
    left = keys(engine)
    assert not {f"matrix:sent:{i}" for i in anna_ids} & left
    assert {f"telegram:sent:{i}" for i in bob_ids} <= left  # Bob's stay


def test_a_reused_outbox_id_is_not_taken_for_delivered(engine: sa.Engine) -> None:
    """SQLite hands the id of a deleted last row to the next one: a progress row left
    behind by an erase would mark the new message as already sent."""
    with transaction(engine) as session:
        anna = add_person(session, ANNA, servant="anouk-de-vries", state="in_progress")
    with Session(engine) as session:
        ids = [i for i in session.exec(select(OutboxMessage.id)).all() if i is not None]
    put(engine, {f"telegram:sent:{i}": T0 for i in ids})
    privacy.erase_volunteer(engine, anna[0], now=NOW)
    new = outbox_row(engine)
    if engine.dialect.name == "sqlite":
        assert new in ids  # the id really is reused here
    assert f"telegram:sent:{new}" not in keys(engine)


@pytest.mark.telegram
async def test_the_telegram_adapter_writes_progress_under_the_pruned_prefix(
        fake_telegram: FakeTelegram) -> None:
    store = MemoryStateStore()
    channel = make_channel(fake_telegram, store)
    await channel.start(RecordingDesk())
    try:
        await channel.send(Outbound(channel="telegram", chat_id="4242", text="Hallo",
                                    key="17"))
    finally:
        await channel.stop()
    assert [send_progress_target(k) for k in store.values if send_progress_target(k)] == ["17"]

