"""The Matrix adapter against a real Synapse on loopback (no desk: a recording handler).

People on the other side are real matrix-nio clients with their own devices and E2E stores.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.channel import (
    Choice,
    Inbound,
    MemoryStateStore,
    Outbound,
    RecipientGone,
    TransientError,
)
from bot.channels.matrix import DEFAULT_RETRY, SINCE_KEY, MatrixChannel
from bot.kv import DbStateStore
from tests.fixtures.synapse import Accounts, MatrixPerson, Synapse

pytestmark = pytest.mark.synapse

FAST_RETRY = replace(DEFAULT_RETRY, backoff_base=0.1, max_backoff=1.0)


class Recorder:
    """The desk's place: records what the adapter hands over."""

    def __init__(self) -> None:
        self.inbound: list[Inbound] = []

    async def __call__(self, inbound: Inbound) -> None:
        self.inbound.append(inbound)

    async def wait_for(self, predicate: Callable[[Inbound], bool], within: float = 20.0
                       ) -> Inbound:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            for inbound in self.inbound:
                if predicate(inbound):
                    return inbound
            assert loop.time() < deadline, f"not received; have {self.texts()}"
            await asyncio.sleep(0.05)

    def texts(self) -> list[str]:
        return [i.text for i in self.inbound]


class Bot:
    """One adapter process; ``restart`` keeps the state store and the E2E store."""

    def __init__(self, synapse: Synapse, accounts: Accounts, tmp_path: Path,
                 **options: Any) -> None:
        self.synapse, self.accounts = synapse, accounts
        self.state = MemoryStateStore()
        self.store_path = tmp_path / "bot-store"
        self.options = options
        self.recorder = Recorder()
        self.channel: MatrixChannel | None = None

    def build(self, **overrides: Any) -> MatrixChannel:
        options: dict[str, Any] = {
            "servants": {self.accounts.servant.user_id, self.accounts.servant2.user_id},
            "sync_timeout": 2.0, "retry": FAST_RETRY,
            **self.options, **overrides}
        return MatrixChannel(self.synapse.url, self.accounts.bot.user_id, state=self.state,
                             store_path=self.store_path, password=self.accounts.bot.password,
                             **options)

    async def start(self, **overrides: Any) -> MatrixChannel:
        self.channel = self.build(**overrides)
        await self.channel.start(self.recorder)
        return self.channel

    async def stop(self) -> None:
        if self.channel is not None:
            await self.channel.stop()
            self.channel = None

    async def send(self, chat_id: str, text: str, key: str, **kwargs: Any) -> None:
        assert self.channel is not None
        await self.channel.send(Outbound("matrix", chat_id, text, key=key, **kwargs))


@pytest.fixture
async def bot(synapse: Synapse, matrix_accounts: Accounts,
              tmp_path: Path) -> AsyncIterator[Bot]:
    harness = Bot(synapse, matrix_accounts, tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_a_volunteers_dm_reaches_the_handler_and_answers_come_back(
        bot: Bot, matrix_people: dict[str, MatrixPerson]) -> None:
    vera = matrix_people["volunteer"]
    room = await vera.create_dm(bot.accounts.bot.user_id, encrypted=False)
    await vera.say(room, "Hallo, wij willen zwerfafval opruimen")

    got = await bot.recorder.wait_for(lambda i: "zwerfafval" in i.text)
    assert (got.channel, got.kind, got.chat_id, got.sender_id) == (
        "matrix", "text", vera.user_id, vera.user_id)
    assert got.message_id.startswith("$")

    await bot.send(vera.user_id, "Kies <b>één</b> & verder:", "k1",
                   choices=(Choice("Geld", "clarify:need:funding"),
                            Choice("Kennis", "clarify:need:knowledge")))
    answer = await vera.wait_for(lambda m: "Kies" in m.body)
    assert answer.room_id == room  # the DM she opened, no new room
    assert answer.body == "Kies <b>één</b> & verder:\n\n1. Geld\n2. Kennis"
    assert answer.content["formatted_body"] == (
        "Kies &lt;b&gt;één&lt;/b&gt; &amp; verder:<br><br><ol><li>Geld</li><li>Kennis</li></ol>")

    await vera.say(room, "2")  # the number of a choice, typed back
    picked = await bot.recorder.wait_for(lambda i: i.kind == "choice")
    assert (picked.choice, picked.text) == ("clarify:need:knowledge", "Kennis")
    await vera.say(room, "2")  # the list is used up: now it is just text
    again = await bot.recorder.wait_for(lambda i: i.kind == "text" and i.text == "2")
    assert again.choice is None

    await vera.say(room, "!status")
    command = await bot.recorder.wait_for(lambda i: i.kind == "command")
    assert command.text == "/status"

    await vera.client.room_send(room, "m.room.message", {
        "msgtype": "m.image", "body": "foto.jpg", "url": "mxc://desk.test/abc"})
    photo = await bot.recorder.wait_for(lambda i: i.kind == "unsupported")
    assert photo.unsupported == "photo"
    assert [i.message_id for i in bot.recorder.inbound] == list(
        dict.fromkeys(i.message_id for i in bot.recorder.inbound))  # each event once

    await bot.send(room, "via het kamer-id", "k2")  # a room id works as chat_id too
    assert (await vera.wait_for(lambda m: m.body == "via het kamer-id")).room_id == room
    with pytest.raises(RecipientGone):  # a room the bot is not in
        await bot.send("!nergens:desk.test", "weg", "k3")


async def test_a_send_to_a_user_id_creates_one_encrypted_dm_and_reuses_it(
        bot: Bot, matrix_people: dict[str, MatrixPerson]) -> None:
    anna = matrix_people["servant"]
    await bot.send(anna.user_id, "Nieuwe zaak 7", "h1")
    first = await anna.wait_for(lambda m: m.body == "Nieuwe zaak 7")
    assert first.encrypted  # sent before she joined, and still readable for her
    await bot.send(anna.user_id, "Nog een zaak 8", "h2")
    second = await anna.wait_for(lambda m: m.body == "Nog een zaak 8")
    assert second.room_id == first.room_id
    assert anna.invites == [first.room_id]

    await anna.say(first.room_id, "/zaken")
    command = await bot.recorder.wait_for(lambda i: i.kind == "command")
    assert (command.text, command.chat_id) == ("/zaken", anna.user_id)


async def test_an_encrypted_dm_opened_by_a_servant_round_trips(
        bot: Bot, matrix_people: dict[str, MatrixPerson]) -> None:
    anna = matrix_people["servant"]
    room = await anna.create_dm(bot.accounts.bot.user_id, encrypted=True)
    await anna.say(room, "/neem 12")
    command = await bot.recorder.wait_for(lambda i: i.kind == "command")
    assert command.text == "/neem 12"
    await bot.send(anna.user_id, "Zaak 12 is van jou.", "r1")
    reply = await anna.wait_for(lambda m: m.body == "Zaak 12 is van jou.")
    assert reply.encrypted and reply.room_id == room
    # On the server the text exists only as ciphertext.
    events = bot.synapse.room_messages(anna.account.access_token, room)
    assert not any("Zaak 12" in str(e.get("content")) for e in events)
    assert any(e["type"] == "m.room.encrypted" and e["sender"] == bot.accounts.bot.user_id
               for e in events)


async def test_a_servant_reply_in_a_case_thread_becomes_a_reply_command(
        bot: Bot, matrix_people: dict[str, MatrixPerson]) -> None:
    anna, vera = matrix_people["servant"], matrix_people["volunteer"]
    await bot.send(anna.user_id, "Nieuwe zaak 7: vraag over zwerfafval", "t1",
                   thread="case-7", meta={"case": "7"})
    await bot.send(anna.user_id, "Vera schreef: hoe gaat het?", "t2",
                   thread="case-7", meta={"case": "7"})
    root = await anna.wait_for(lambda m: m.body.startswith("Nieuwe zaak 7"))
    follow = await anna.wait_for(lambda m: m.body.startswith("Vera schreef"))
    assert "m.relates_to" not in root.content
    assert follow.content["m.relates_to"]["rel_type"] == "m.thread"
    assert follow.content["m.relates_to"]["event_id"] == root.event_id

    await anna.say(root.room_id, "Ik bel je morgen", thread_root=root.event_id)
    mapped = await bot.recorder.wait_for(lambda i: "morgen" in i.text)
    assert (mapped.kind, mapped.text) == ("command", "/antwoord 7 Ik bel je morgen")

    # A volunteer's case messages are not threaded, and her words never become a command.
    await bot.send(vera.user_id, "Anna heeft zaak 7 opgepakt", "t3",
                   thread="case-7", meta={"case": "7"})
    taken = await vera.wait_for(lambda m: "opgepakt" in m.body)
    assert "m.relates_to" not in taken.content
    await vera.say(taken.room_id, "Dank je", thread_root=taken.event_id)
    thanks = await bot.recorder.wait_for(lambda i: "Dank" in i.text)
    assert (thanks.kind, thanks.text) == ("text", "Dank je")


async def test_group_rooms_are_declined_and_a_dm_that_grows_is_left(
        bot: Bot, matrix_people: dict[str, MatrixPerson]) -> None:
    from nio import RoomCreateResponse

    sjaak, vera = matrix_people["stranger"], matrix_people["volunteer"]
    group = await sjaak.client.room_create(invite=[bot.accounts.bot.user_id])  # not direct
    assert isinstance(group, RoomCreateResponse)
    dm = await vera.create_dm(bot.accounts.bot.user_id, encrypted=False)
    await vera.say(dm, "eerst alleen wij")
    await bot.recorder.wait_for(lambda i: i.text == "eerst alleen wij")

    await vera.client.room_invite(dm, sjaak.user_id)  # the DM becomes a group
    note = await vera.wait_for(lambda m: "privégesprek" in m.body)
    assert note.room_id == dm
    await _until(lambda: bot.accounts.bot.user_id not in vera.client.rooms[dm].users)
    await _until(lambda: _membership(bot, sjaak, group.room_id) == "leave")
    await vera.say(dm, "dit ziet de bot niet meer")
    await asyncio.sleep(0.5)
    assert "dit ziet de bot niet meer" not in bot.recorder.texts()


async def test_a_restarted_bot_resumes_from_the_saved_token_without_replay(
        synapse: Synapse, matrix_accounts: Accounts, tmp_path: Path,
        matrix_people: dict[str, MatrixPerson]) -> None:
    vera = matrix_people["volunteer"]
    bot = Bot(synapse, matrix_accounts, tmp_path)
    await bot.start()
    room = await vera.create_dm(matrix_accounts.bot.user_id, encrypted=True)
    await vera.say(room, "een")
    await bot.recorder.wait_for(lambda i: i.text == "een")
    await bot.stop()

    await vera.say(room, "twee, terwijl de bot uit staat")
    token_before = await bot.state.get(SINCE_KEY)
    await bot.start()  # a new process: same state store, same E2E store
    try:
        await vera.say(room, "drie")
        await bot.recorder.wait_for(lambda i: i.text == "drie")
        assert bot.recorder.texts() == ["een", "twee, terwijl de bot uit staat", "drie"]
        assert await bot.state.get(SINCE_KEY) != token_before
        await bot.send(vera.user_id, "antwoord na herstart", "r1")
        reply = await vera.wait_for(lambda m: m.body == "antwoord na herstart")
        assert reply.encrypted and reply.room_id == room
    finally:
        await bot.stop()


async def test_the_first_start_on_a_fresh_database_skips_the_backlog(
        synapse: Synapse, matrix_accounts: Accounts, tmp_path: Path,
        matrix_people: dict[str, MatrixPerson]) -> None:
    vera = matrix_people["volunteer"]
    bot = Bot(synapse, matrix_accounts, tmp_path)
    await bot.start()
    room = await vera.create_dm(matrix_accounts.bot.user_id, encrypted=False)
    await vera.say(room, "oud")
    await bot.recorder.wait_for(lambda i: i.text == "oud")
    await bot.stop()
    await vera.say(room, "ook oud")

    bot.state = MemoryStateStore()  # a new database: no sync token
    bot.recorder = Recorder()
    await bot.start()
    try:
        await vera.say(room, "nieuw")
        await bot.recorder.wait_for(lambda i: i.text == "nieuw")
        assert bot.recorder.texts() == ["nieuw"]
    finally:
        await bot.stop()


async def test_a_gap_longer_than_the_timeline_is_filled_back_to_the_saved_token(
        synapse: Synapse, matrix_accounts: Accounts, tmp_path: Path,
        matrix_people: dict[str, MatrixPerson]) -> None:
    vera = matrix_people["volunteer"]
    bot = Bot(synapse, matrix_accounts, tmp_path, timeline_limit=2)
    await bot.start()
    room = await vera.create_dm(matrix_accounts.bot.user_id, encrypted=False)
    await vera.say(room, "m0")
    await bot.recorder.wait_for(lambda i: i.text == "m0")
    await bot.stop()
    for n in range(1, 7):
        await vera.say(room, f"m{n}")
    await bot.start()
    try:
        await bot.recorder.wait_for(lambda i: i.text == "m6")
        assert bot.recorder.texts() == [f"m{n}" for n in range(7)]
    finally:
        await bot.stop()


async def test_synapse_killed_mid_conversation_nothing_lost_or_doubled(
        bot: Bot, synapse: Synapse, matrix_people: dict[str, MatrixPerson]) -> None:
    vera = matrix_people["volunteer"]
    room = await vera.create_dm(bot.accounts.bot.user_id, encrypted=True)
    await vera.say(room, "voor de crash")
    await bot.recorder.wait_for(lambda i: i.text == "voor de crash")
    await bot.send(vera.user_id, "antwoord 1", "a1")
    await vera.wait_for(lambda m: m.body == "antwoord 1")

    synapse.kill()
    try:
        with pytest.raises(TransientError):  # the runtime keeps the row and retries later
            await bot.send(vera.user_id, "antwoord 2", "a2")
    finally:
        synapse.start()
    await bot.send(vera.user_id, "antwoord 2", "a2")  # the retry of the same outbox row
    await vera.say(room, "na de herstart")
    await bot.recorder.wait_for(lambda i: i.text == "na de herstart")
    await vera.wait_for(lambda m: m.body == "antwoord 2")

    # A send whose progress was lost (crash after the server took it): the transaction id
    # makes Synapse return the same event instead of posting the message again.
    bot.state.values.pop("matrix:sent:a2")
    await bot.send(vera.user_id, "antwoord 2", "a2")
    await bot.send(vera.user_id, "antwoord 3", "a3")
    await vera.wait_for(lambda m: m.body == "antwoord 3")
    assert vera.bodies(room) == ["antwoord 1", "antwoord 2", "antwoord 3"]
    assert bot.recorder.texts() == ["voor de crash", "na de herstart"]


async def test_rate_limits_are_waited_out_as_told(
        bot: Bot, synapse: Synapse, matrix_people: dict[str, MatrixPerson]) -> None:
    from bot.channel import RateLimited

    vera = matrix_people["volunteer"]
    admin = synapse.register(f"admin{bot.accounts.suffix}", admin=True)
    await bot.send(vera.user_id, "bericht 0", "rl0")  # creates the DM
    synapse.limit_messages(admin, bot.accounts.bot.user_id, per_second=2, burst=1)
    for n in range(1, 4):
        await bot.send(vera.user_id, f"bericht {n}", f"rl{n}")
    await vera.wait_for(lambda m: m.body == "bericht 3")
    assert vera.bodies() == [f"bericht {n}" for n in range(4)]

    impatient = bot.build(retry=replace(FAST_RETRY, max_retry_after=0.0))  # will not wait
    await impatient.start(bot.recorder)
    try:
        with pytest.raises(RateLimited) as raised:
            for n in range(4, 8):
                await impatient.send(Outbound("matrix", vera.user_id, f"bericht {n}",
                                              key=f"rl{n}"))
        assert raised.value.retry_after > 0
    finally:
        await impatient.stop()


async def _until(condition: Callable[[], bool], within: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def _membership(bot: Bot, person: MatrixPerson, room_id: str) -> str | None:
    room = person.client.rooms.get(room_id)
    if room is None:
        return None
    return "join" if bot.accounts.bot.user_id in room.users else "leave"


async def test_from_settings_logs_in_with_an_access_token(
        synapse: Synapse, matrix_accounts: Accounts, tmp_path: Path,
        matrix_people: dict[str, MatrixPerson]) -> None:
    from pydantic import SecretStr

    from bot.settings import Settings

    bot_account, vera = matrix_accounts.bot, matrix_people["volunteer"]
    settings = Settings(matrix_homeserver=synapse.url, matrix_user_id=bot_account.user_id,
                        matrix_access_token=SecretStr(bot_account.access_token),
                        matrix_store_path=tmp_path / "store", matrix_encrypt_new_rooms=False)
    state = MemoryStateStore()
    channel = MatrixChannel.from_settings(settings, state, servants=())
    assert bot_account.access_token not in repr(channel)
    recorder = Recorder()
    await channel.start(recorder)
    try:
        assert await state.get("matrix:device_id") == bot_account.device_id  # via whoami
        await channel.send(Outbound("matrix", vera.user_id, "hallo Vera", key="s1"))
        hello = await vera.wait_for(lambda m: m.body == "hallo Vera")
        assert not hello.encrypted  # WEGWIJS_MATRIX_ENCRYPT_NEW_ROOMS=false
        await vera.say(hello.room_id, "hoi")
        got = await recorder.wait_for(lambda i: i.text == "hoi")
        assert got.chat_id == vera.user_id
    finally:
        await channel.stop()


async def test_a_wrong_password_fails_the_start_with_a_channel_error(
        synapse: Synapse, matrix_accounts: Accounts, tmp_path: Path) -> None:
    from bot.channel import ChannelError

    channel = MatrixChannel(synapse.url, matrix_accounts.bot.user_id,
                            state=MemoryStateStore(), store_path=tmp_path / "store",
                            password="not-the-password")
    with pytest.raises(ChannelError, match="M_FORBIDDEN"):
        await channel.start(Recorder())


class CrashAfterFirstPart(DbStateStore):
    """The desk's real state store; when the first part of message ``key`` is recorded as
    sent, ``crash`` runs (once): the homeserver dies between two parts of one message."""

    def __init__(self, engine: Engine, key: str, crash: Callable[[], None]) -> None:
        super().__init__(engine)
        self.progress_key, self.crash = f"matrix:sent:{key}", crash
        self.crashed = False

    async def set(self, key: str, value: str) -> None:
        await super().set(key, value)
        if key == self.progress_key and value == "1" and not self.crashed:
            self.crashed = True
            self.crash()


async def test_a_split_message_cut_off_midway_resumes_each_part_once_and_its_progress_is_pruned(
        synapse: Synapse, matrix_accounts: Accounts, tmp_path: Path,
        matrix_people: dict[str, MatrixPerson]) -> None:
    import datetime as dt

    from sqlmodel import Session

    from bot import retention
    from bot.clock import FakeClock
    from bot.db import create_schema, make_engine, transaction
    from bot.kv import send_progress_target
    from bot.models import KeyValue, OutboxMessage

    vera = matrix_people["volunteer"]
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    create_schema(engine)
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    paragraphs = [f"Deel {n}: " + " ".join(["woord"] * 600) for n in range(3)]  # 3 parts
    text = "\n\n".join(paragraphs)
    with transaction(engine) as session:  # the outbox row the message belongs to
        row = OutboxMessage(channel="matrix", chat_id=vera.user_id, text=text,
                            created_at=now, next_attempt_at=now)
        session.add(row)
        session.flush()
        key = str(row.id)
    store = CrashAfterFirstPart(engine, key, synapse.kill)
    bot = Bot(synapse, matrix_accounts, tmp_path)
    bot.state = store  # type: ignore[assignment]
    await bot.start()
    try:
        await bot.send(vera.user_id, "Hallo Vera", "hello")  # the DM exists beforehand
        hello = await vera.wait_for(lambda m: m.body == "Hallo Vera")
        try:
            with pytest.raises(TransientError):  # the runtime keeps the row, retries later
                await bot.send(vera.user_id, text, key)
            assert store.crashed
            assert await store.get(f"matrix:sent:{key}") == "1"
        finally:
            synapse.start()
        await bot.send(vera.user_id, text, key)  # the runtime's retry: resumes at part 2
        await vera.wait_for(lambda m: m.body.startswith("Deel 2"))
        await bot.send(vera.user_id, text, key)  # a retry after delivery sends nothing
        await bot.send(vera.user_id, "Tot ziens", "bye")
        await vera.wait_for(lambda m: m.body == "Tot ziens")
    finally:
        await bot.stop()
    assert vera.bodies(hello.room_id) == ["Hallo Vera", *paragraphs, "Tot ziens"]

    progress = f"matrix:sent:{key}"
    assert send_progress_target(progress) == key  # the prefix retention and erasure know
    assert await store.get(progress) == "3"
    assert retention.run_daily(engine, FakeClock(now)).send_progress == 0  # row still open
    with transaction(engine) as session:
        delivered = session.get(OutboxMessage, int(key))
        assert delivered is not None
        delivered.sent_at = now
        session.add(delivered)
    assert retention.run_daily(engine, FakeClock(now)).send_progress == 1
    with Session(engine) as session:
        assert session.get(KeyValue, progress) is None  # done: the progress row is gone
    engine.dispose()
