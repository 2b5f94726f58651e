"""A whole conversation through the real desk over Telegram (real PTB, fake Bot API).

A volunteer arrives by deep link, asks, picks a need on a keyboard, consents, names the
initiative; the handover reaches a civil servant who also uses Telegram (listed under
``channels.telegram`` in civil_servants.yaml); she takes the case from Telegram; ten
working days later the volunteer answers the check-in. The whole process (desk, runtime,
adapter) restarts in the middle, on the same database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.telegram import EXPIRED
from bot.desk import Desk
from bot.kv import DbStateStore
from bot.models import KeyValue
from bot.runtime import Runtime
from routing.load import load_knowledge
from routing.model import KnowledgeMap
from tests.bot.desk.harness import DeskProcess, local
from tests.fixtures.fake_telegram import TOKEN, FakeTelegram, StoredMessage, make_channel
from tests.fixtures.serve_process import terminate, wegwijs_serve

pytestmark = pytest.mark.telegram

VERA = 777001  # a volunteer's Telegram user id (= her private chat id)
LOTTE = 555001  # the civil servant's Telegram user id
LOTTE_LINE = 'channels: {matrix: "@lotte:desk.test"'


@pytest.fixture
def telegram_knowledge(eval_knowledge_dir: Path, tmp_path: Path) -> Path:
    """The example map, with Lotte Vermeulen reachable on Telegram."""
    target = tmp_path / "knowledge"
    shutil.copytree(eval_knowledge_dir, target)
    servants = target / "civil_servants.yaml"
    text = servants.read_text(encoding="utf-8")
    assert LOTTE_LINE in text
    servants.write_text(text.replace(
        LOTTE_LINE, f'channels: {{telegram: "{LOTTE}", matrix: "@lotte:desk.test"'),
        encoding="utf-8")
    return target


class TelegramDesk(DeskProcess):
    """Desk + runtime + Telegram adapter on one SQLite file; ``restart`` is a new process."""

    def __init__(self, fake: FakeTelegram, path: Path, kmap: KnowledgeMap) -> None:
        super().__init__(path, kmap, local(2026, 11, 23, 10, 0))
        self.fake = fake

    async def _open(self, engine: Engine) -> None:
        self.store = DbStateStore(engine)
        self.desk = Desk(engine, self.kmap, clock=self.clock, channels=("telegram",))
        self.channel = make_channel(self.fake, self.store)
        self.runtime = Runtime(self.desk, [self.channel])
        await self.runtime.start(poll=False)

    async def _handled(self, update: dict[str, object]) -> None:
        """Wait until the adapter stored an offset past ``update`` (desk done, replies sent)."""
        target = int(str(update["update_id"]))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while int(await self.store.get("telegram:offset") or 0) <= target:
            assert loop.time() < deadline, "update not handled in time"
            await asyncio.sleep(0.02)

    async def say(self, chat: int, text: str) -> list[StoredMessage]:
        seen = len(self.fake.sent(chat))
        await self._handled(await self.fake.push_text(chat, text))
        return self.fake.sent(chat)[seen:]

    async def press(self, chat: int, message: StoredMessage, value: str) -> list[StoredMessage]:
        assert message.reply_markup is not None, "that message has no live keyboard"
        data = next(b["callback_data"] for row in message.reply_markup["inline_keyboard"]
                    for b in row if b["callback_data"] == value or b["text"] == value)
        seen = len(self.fake.sent(chat))
        await self._handled(await self.fake.push_callback(chat, message.message_id, data))
        return self.fake.sent(chat)[seen:]

    async def tick_at(self, instant: dt.datetime) -> None:
        self.clock.set(instant)
        await self.runtime.tick()


def callback_values(message: StoredMessage) -> list[str]:
    markup = message.reply_markup or {"inline_keyboard": []}
    return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]


def with_keyboard(messages: list[StoredMessage], prefix: str) -> StoredMessage:
    for message in messages:
        if any(v.startswith(prefix) for v in callback_values(message)):
            return message
    raise AssertionError(f"no keyboard with {prefix!r} in {[m.text for m in messages]}")


@pytest.fixture
async def desk(fake_telegram: FakeTelegram, tmp_path: Path,
               telegram_knowledge: Path) -> AsyncIterator[TelegramDesk]:
    harness = await TelegramDesk(fake_telegram, tmp_path / "desk.db",
                                 load_knowledge(telegram_knowledge)).start()
    yield harness
    await harness.stop()


async def test_deep_link_to_handover_and_check_in_with_a_restart(
        desk: TelegramDesk, fake_telegram: FakeTelegram) -> None:
    greeting = await desk.say(VERA, "/start gemeente-zeist")
    assert greeting and "Zeist" in "\n".join(m.text for m in greeting)

    answer = await desk.say(VERA, "Wij zijn met de buren een buurtinitiatief gestart")
    clarify = with_keyboard(answer, "clarify:need:")

    await desk.restart()  # a new process while the volunteer is choosing

    answer = await desk.press(VERA, clarify, "clarify:need:funding")
    assert clarify.reply_markup is None  # used keyboards disappear from the phone
    offer = with_keyboard(answer, "consent:")
    assert "Lotte Vermeulen" in offer.text
    case_id = int(callback_values(offer)[0].split(":")[1])
    assert fake_telegram.sent(LOTTE) == []  # nothing shared before the yes

    # A late tap on the used clarify keyboard is answered "expired" and never reaches the desk.
    answers = len(fake_telegram.calls_of("answerCallbackQuery"))
    await desk._handled(await fake_telegram.push_callback(VERA, clarify.message_id,
                                                         "clarify:need:knowledge"))
    assert fake_telegram.calls_of("answerCallbackQuery")[answers].params["text"] == EXPIRED

    answer = await desk.press(VERA, offer, f"consent:{case_id}:yes")
    assert offer.reply_markup is None
    with_keyboard(answer, "initiative:")
    await desk.say(VERA, "Buurtkracht Zeist")
    handover = "\n".join(m.text for m in fake_telegram.sent(LOTTE))
    assert "Buurtkracht Zeist" in handover and f"/neem {case_id}" in handover

    taken = await desk.say(LOTTE, f"/neem {case_id}")  # the servant works from Telegram
    assert f"Zaak {case_id} is van jou" in "\n".join(m.text for m in taken)
    assert "opgepakt" in fake_telegram.sent(VERA)[-1].text

    await desk.restart()

    await desk.tick_at(local(2026, 12, 7, 10, 0))  # 10 working days after acceptance
    checkin = with_keyboard(fake_telegram.sent(VERA)[-1:], f"checkin:{case_id}:")
    before = len(fake_telegram.sent(LOTTE))
    await desk.press(VERA, checkin, f"checkin:{case_id}:yes")
    to_lotte = "\n".join(m.text for m in fake_telegram.sent(LOTTE)[before:])
    assert "Check-in" in to_lotte

    # Nothing was sent twice across the two restarts.
    keys = [(c.params["chat_id"], c.params["text"]) for c in
            fake_telegram.calls_of("sendMessage")]
    assert len(keys) == len(set(keys))
    # ... and every update was confirmed to Telegram (on the adapter's next poll).
    await fake_telegram.wait_for(lambda: fake_telegram.pending_updates() == 0)


async def hand_over(desk: TelegramDesk, fake: FakeTelegram, chat: int) -> int:
    """Deep link, question, need, consent, initiative: the case id, offered to Lotte."""
    await desk.say(chat, "/start gemeente-zeist")
    answer = await desk.say(chat, "Wij zijn met de buren een buurtinitiatief gestart")
    answer = await desk.press(chat, with_keyboard(answer, "clarify:need:"),
                              "clarify:need:funding")
    offer = with_keyboard(answer, "consent:")
    case_id = int(callback_values(offer)[0].split(":")[1])
    await desk.press(chat, offer, f"consent:{case_id}:yes")
    await desk.say(chat, "Repair Café Zeist")
    return case_id


async def test_a_volunteer_who_blocked_the_bot_is_marked_unreachable_and_servant_told(
        desk: TelegramDesk, fake_telegram: FakeTelegram) -> None:
    case_id = await hand_over(desk, fake_telegram, VERA)
    sent_to_vera = len(fake_telegram.sent(VERA))
    fake_telegram.fail("sendMessage", "403", chat_id=VERA)  # Vera blocked the bot

    await desk.say(LOTTE, f"/neem {case_id}")  # the desk tells Vera: that send gets 403
    await desk.runtime.deliver_pending()

    assert len(fake_telegram.sent(VERA)) == sent_to_vera
    to_lotte = "\n".join(m.text for m in fake_telegram.sent(LOTTE))
    assert f"Zaak {case_id} is van jou" in to_lotte
    assert f"zaak {case_id} is niet meer bereikbaar via telegram" in to_lotte, to_lotte
    vera_calls = [c for c in fake_telegram.calls_of("sendMessage", answered="403")
                  if c.params["chat_id"] == str(VERA)]
    assert len(vera_calls) == 1  # a blocked user is not retried


async def test_vergeet_leaves_no_telegram_state_about_the_volunteer(
        desk: TelegramDesk, fake_telegram: FakeTelegram) -> None:
    await hand_over(desk, fake_telegram, VERA)
    confirm = with_keyboard(await desk.say(VERA, "/vergeet"), "forget:")
    await desk.press(VERA, confirm, "forget:yes")
    assert fake_telegram.sent(VERA)[-1].message_id > confirm.message_id  # "all erased"
    assert desk.engine is not None
    with Session(desk.engine) as session:
        rows = session.exec(select(KeyValue)).all()
    assert rows  # the adapter does keep state (offset, delivery progress)...
    for row in rows:  # ...but none of it names Vera's chat any more
        assert str(VERA) not in row.key and str(VERA) not in row.value, row


async def test_wegwijs_serve_answers_on_telegram_and_stops_cleanly(
        fake_telegram: FakeTelegram, telegram_knowledge: Path, tmp_path: Path) -> None:
    """The real entry point in its own process: settings from the environment, database,
    desk, scheduler and the Telegram channel; SIGTERM stops it with exit code 0. (Restarts
    on the same database are covered in-process above, where they are cheap.)"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEGWIJS_")}
    env.update({
        "WEGWIJS_TELEGRAM_TOKEN": TOKEN,
        "WEGWIJS_TELEGRAM_BASE_URL": fake_telegram.base_url,
        "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "WEGWIJS_KNOWLEDGE": str(telegram_knowledge),
        "WEGWIJS_LOG_LEVEL": "DEBUG",  # even at DEBUG the token stays out of the log
    })
    log_path = tmp_path / "serve.log"
    async with wegwijs_serve(env, log_path) as proc:
        await fake_telegram.push_text(VERA, "/start gemeente-zeist")
        await fake_telegram.wait_for(  # the greeting, then the preset place (paced 1/s)
            lambda: "Zeist" in "".join(fake_telegram.sent_texts(VERA)), within=90)
        greeting = len(fake_telegram.sent(VERA))
        await fake_telegram.push_text(VERA, "/help")
        await fake_telegram.wait_for(lambda: len(fake_telegram.sent(VERA)) > greeting,
                                     within=30)
        returncode = await terminate(proc)
    assert returncode == 0
    texts = fake_telegram.sent_texts(VERA)
    assert "Zeist" in "\n".join(texts[:greeting])
    assert "/status" in "\n".join(texts[greeting:])
    log_text = log_path.read_text()
    assert "telegram.started" in log_text and "telegram.stopped" in log_text
    assert TOKEN.split(":")[1] not in log_text
    assert "Traceback" not in log_text
