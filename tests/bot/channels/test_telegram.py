"""The Telegram adapter over real HTTP: the real PTB ``Bot`` against the fake Bot API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from bot.channel import (
    ChannelError,
    Choice,
    Inbound,
    MemoryStateStore,
    Outbound,
    RateLimited,
    RecipientGone,
    TransientError,
)
from bot.channels.telegram import (
    EDIT_NOTE,
    EXPIRED,
    OFFSET_KEY,
    SORRY,
    TelegramChannel,
    WebhookConfig,
)
from tests.fixtures.fake_telegram import (
    BOT_ID,
    BOT_USERNAME,
    FAST_RETRY,
    TOKEN,
    FakeTelegram,
    RecordingDesk,
    make_channel,
)

pytestmark = pytest.mark.telegram

CHAT = 4242


@pytest.fixture
def desk() -> RecordingDesk:
    return RecordingDesk()


@pytest.fixture
def store() -> MemoryStateStore:
    return MemoryStateStore()


@pytest.fixture
async def channel(fake_telegram: FakeTelegram, desk: RecordingDesk,
                  store: MemoryStateStore) -> AsyncIterator[TelegramChannel]:
    chan = make_channel(fake_telegram, store)
    await chan.start(desk)
    try:
        yield chan
    finally:
        await chan.stop()


def out(text: str, key: str, *choices: Choice, chat: int = CHAT) -> Outbound:
    return Outbound(channel="telegram", chat_id=str(chat), text=text, key=key,
                    choices=tuple(choices))


# --- inbound mapping ---------------------------------------------------------------------

async def test_text_command_and_deep_link_are_mapped(
        fake_telegram: FakeTelegram, channel: TelegramChannel, desk: RecordingDesk) -> None:
    pushed = [await fake_telegram.push_text(CHAT, text, user_id=77) for text in (
        "/start utrecht-afval", "Hoe vraag ik subsidie aan?", f"/help@{BOT_USERNAME}",
        "/taal   en ")]
    await desk.wait_for_count(4)

    start, text, help_, taal = desk.received
    assert (start.kind, start.text) == ("command", "/start utrecht-afval")
    assert (text.kind, text.text) == ("text", "Hoe vraag ik subsidie aan?")
    assert (help_.kind, help_.text) == ("command", "/help")
    assert (taal.kind, taal.text) == ("command", "/taal en")
    for inbound in desk.received:
        assert inbound.channel == "telegram"
        assert inbound.chat_id == str(CHAT)
        assert inbound.sender_id == "77"
        assert inbound.received_at is not None
    # The update id: stable across redeliveries, and it says nothing about the sender.
    assert [m.message_id for m in desk.received] == [f"u{u['update_id']}" for u in pushed]


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("photo", [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}], "photo"),
    ("voice", {"file_id": "v1", "file_unique_id": "u2", "duration": 3}, "voice"),
    ("sticker", {"file_id": "s1", "file_unique_id": "u3", "width": 512, "height": 512,
                 "is_animated": False, "is_video": False, "type": "regular"}, "sticker"),
    ("document", {"file_id": "d1", "file_unique_id": "u4"}, "document"),
    ("location", {"latitude": 52.09, "longitude": 5.12}, "location"),
    ("contact", {"phone_number": "0612345678", "first_name": "Ans"}, "contact"),
    ("video", {"file_id": "f1", "file_unique_id": "u5", "width": 1, "height": 1,
               "duration": 1}, "video"),
])
async def test_non_text_messages_become_unsupported(
        fake_telegram: FakeTelegram, channel: TelegramChannel, desk: RecordingDesk,
        field: str, value: object, kind: str) -> None:
    fields: dict[str, Any] = {field: value}
    await fake_telegram.push_message(CHAT, **fields)
    await fake_telegram.push_text(CHAT, "daarna tekst")
    await desk.wait_for_count(2)
    assert desk.received[0].kind == "unsupported"
    assert desk.received[0].unsupported == kind
    assert desk.received[1].text == "daarna tekst"  # nothing got stuck behind it


async def test_edited_message_gets_a_note_and_is_not_processed(
        fake_telegram: FakeTelegram, channel: TelegramChannel, desk: RecordingDesk) -> None:
    await fake_telegram.push_message(CHAT, key="edited_message", text="oeps, typfout",
                                     edit_date=1_800_000_000)
    await fake_telegram.push_text(CHAT, "volgende")
    await desk.wait_for_count(1)
    await fake_telegram.wait_for(lambda: len(fake_telegram.sent(CHAT)) == 1)
    assert desk.texts() == ["volgende"]
    assert fake_telegram.sent_texts(CHAT) == [EDIT_NOTE]


async def test_group_chat_is_pointed_to_a_private_chat_only_when_addressed(
        fake_telegram: FakeTelegram, channel: TelegramChannel, desk: RecordingDesk) -> None:
    group = -100500
    await fake_telegram.push_text(group, "gewoon gepraat in de groep", user_id=5,
                                  chat_type="supergroup")
    await fake_telegram.push_text(group, "/help@someone_elses_bot", user_id=5,
                                  chat_type="supergroup")
    await fake_telegram.push_text(group, f"hoi @{BOT_USERNAME} kun je helpen?", user_id=5,
                                  chat_type="supergroup")
    other = -100600
    await fake_telegram.push_message(other, user_id=5, chat_type="group", new_chat_members=[
        {"id": BOT_ID, "is_bot": True, "first_name": "Wegwijs", "username": BOT_USERNAME}])
    await fake_telegram.push_text(CHAT, "privé vraag")
    await desk.wait_for_count(1)
    await fake_telegram.wait_for(lambda: len(fake_telegram.sent(other)) >= 1)
    assert desk.texts() == ["privé vraag"]  # nothing from a group reached the desk
    notes = fake_telegram.sent_texts(group) + fake_telegram.sent_texts(other)
    assert len(notes) == 2  # the mention, and being added; not the chatter or another bot
    assert all(f"https://t.me/{BOT_USERNAME}" in note for note in notes)


# --- choices -----------------------------------------------------------------------------

async def test_choice_press_reaches_desk_once_and_keyboard_is_removed(
        fake_telegram: FakeTelegram, channel: TelegramChannel, desk: RecordingDesk) -> None:
    await channel.send(out("Mag ik je vraag doorgeven?", "o1",
                           Choice("Ja", "consent:yes"), Choice("Nee", "consent:no")))
    (message,) = fake_telegram.sent(CHAT)
    assert message.reply_markup == {"inline_keyboard": [
        [{"text": "Ja", "callback_data": "consent:yes"},
         {"text": "Nee", "callback_data": "consent:no"}]]}

    await fake_telegram.push_callback(CHAT, message.message_id, "consent:yes")
    await desk.wait_for_count(1)
    press = desk.received[0]
    assert (press.kind, press.choice, press.text) == ("choice", "consent:yes", "Ja")
    await fake_telegram.wait_for(lambda: message.reply_markup is None)
    answers = fake_telegram.calls_of("answerCallbackQuery")
    assert len(answers) == 1 and not answers[0].params.get("text")

    # A second tap on the same (stale) keyboard is answered "expired", never acted on.
    await fake_telegram.push_callback(CHAT, message.message_id, "consent:no")
    await fake_telegram.wait_for(lambda: len(fake_telegram.calls_of("answerCallbackQuery")) == 2)
    assert fake_telegram.calls_of("answerCallbackQuery")[1].params["text"] == EXPIRED
    await fake_telegram.push_text(CHAT, "sync")
    await desk.wait_for_count(2)
    assert [m.kind for m in desk.received] == ["choice", "text"]


async def test_a_newer_keyboard_expires_the_older_one(
        fake_telegram: FakeTelegram, channel: TelegramChannel, desk: RecordingDesk) -> None:
    await channel.send(out("Welke provincie?", "q1", Choice("Utrecht", "prov:ut")))
    await channel.send(out("Was je geholpen?", "q2", Choice("Ja", "help:yes")))
    old, new = fake_telegram.sent(CHAT)
    assert old.reply_markup is None  # removed when the new keyboard went out
    assert new.reply_markup is not None

    await fake_telegram.push_callback(CHAT, old.message_id, "prov:ut")
    await fake_telegram.push_callback(CHAT, new.message_id, "help:yes")
    await desk.wait_for_count(1)
    await fake_telegram.wait_for(lambda: len(fake_telegram.calls_of("answerCallbackQuery")) == 2)
    assert [m.choice for m in desk.received] == ["help:yes"]
    texts = [c.params.get("text") for c in fake_telegram.calls_of("answerCallbackQuery")]
    assert texts[0] == EXPIRED


async def test_long_choice_value_travels_as_a_token_and_survives_a_restart(
        fake_telegram: FakeTelegram, desk: RecordingDesk, store: MemoryStateStore) -> None:
    long_value = "route:" + "fonds-voor-schone-buurten-en-groene-initiatieven/" * 3
    first = make_channel(fake_telegram, store)
    await first.start(desk)
    await first.send(out("Kies", "k1", Choice("Dit fonds", long_value)))
    await first.stop()
    (message,) = fake_telegram.sent(CHAT)
    data = message.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
    assert len(data.encode()) <= 64
    assert data != long_value

    second = make_channel(fake_telegram, store)
    await second.start(desk)
    try:
        await fake_telegram.push_callback(CHAT, message.message_id, data)
        await desk.wait_for_count(1)
    finally:
        await second.stop()
    assert desk.received[0].choice == long_value


# --- outbound text -----------------------------------------------------------------------

async def test_text_is_escaped_for_html(
        fake_telegram: FakeTelegram, channel: TelegramChannel) -> None:
    text = "Fonds <Groen & Co> helpt; jij typte *_[ en <b>dit</b> & &amp;"
    await channel.send(out(text, "e1"))
    (message,) = fake_telegram.sent(CHAT)
    assert message.parse_mode == "HTML"
    assert message.text == text  # what the phone shows is exactly what the desk wrote


async def test_long_text_is_split_with_the_keyboard_on_the_last_part(
        fake_telegram: FakeTelegram, channel: TelegramChannel) -> None:
    paragraphs = [f"Route {n}: " + " ".join(["woord"] * 150) + " <&>" for n in range(12)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 2 * 4096
    await channel.send(out(text, "long", Choice("Ja", "y"), Choice("Nee", "n")))
    parts = fake_telegram.sent(CHAT)
    assert len(parts) >= 3
    assert all(len(p.text) <= 4096 for p in parts)
    assert all(p.text.endswith("<&>") for p in parts)  # cut at paragraph boundaries
    assert [p.reply_markup is not None for p in parts] == [False] * (len(parts) - 1) + [True]
    assert "\n\n".join(p.text for p in parts) == text


async def test_same_key_is_delivered_once(
        fake_telegram: FakeTelegram, channel: TelegramChannel) -> None:
    await channel.send(out("één keer", "dup"))
    await channel.send(out("één keer", "dup"))
    assert fake_telegram.sent_texts(CHAT) == ["één keer"]


# --- faults ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["429", "500", "502", "stall"])
async def test_send_fault_is_retried_without_loss_or_duplicate(
        fake_telegram: FakeTelegram, desk: RecordingDesk, kind: str) -> None:
    chan = make_channel(fake_telegram, request_timeout=2.5)
    await chan.start(desk)
    try:
        fake_telegram.fail("sendMessage", kind, retry_after=1, delay=8.0)
        await chan.send(out("Hier is je antwoord", "f1"))
    finally:
        await chan.stop()
    assert fake_telegram.sent_texts(CHAT) == ["Hier is je antwoord"]
    attempts = fake_telegram.calls_of("sendMessage", answered=None)
    assert [c.answered for c in attempts] == [kind, "ok"]


async def test_a_long_flood_wait_is_handed_to_the_runtime(
        fake_telegram: FakeTelegram, channel: TelegramChannel) -> None:
    fake_telegram.fail("sendMessage", "429", retry_after=600)  # beyond max_retry_after
    with pytest.raises(RateLimited) as raised:
        await channel.send(out("Later graag", "r1"))
    assert raised.value.retry_after == 600
    assert fake_telegram.sent_texts(CHAT) == []
    await channel.send(out("Later graag", "r1"))  # the runtime tries again after the wait
    assert fake_telegram.sent_texts(CHAT) == ["Later graag"]


async def test_blocked_user_raises_recipient_gone(
        fake_telegram: FakeTelegram, channel: TelegramChannel) -> None:
    fake_telegram.fail("sendMessage", "403")
    with pytest.raises(RecipientGone):
        await channel.send(out("Nog een vraag?", "b1"))
    assert fake_telegram.sent_texts(CHAT) == []
    assert len(fake_telegram.calls_of("sendMessage", answered=None)) == 1  # no pointless retry


async def test_persistent_server_errors_raise_transient_and_resume_where_they_stopped(
        fake_telegram: FakeTelegram, desk: RecordingDesk) -> None:
    chan = make_channel(fake_telegram, retry=replace(FAST_RETRY, max_attempts=2))
    await chan.start(desk)
    text = "\n\n".join(f"Deel {n}: " + "x " * 1500 for n in range(3))
    try:
        fake_telegram.fail("sendMessage", "500", times=2, after=1)  # part 2 fails twice
        with pytest.raises(TransientError):
            await chan.send(out(text, "multi", Choice("Ok", "ok")))
        assert len(fake_telegram.sent(CHAT)) == 1
        await chan.send(out(text, "multi", Choice("Ok", "ok")))  # the runtime retries later
    finally:
        await chan.stop()
    parts = fake_telegram.sent(CHAT)
    assert [p.text.split(":")[0] for p in parts] == ["Deel 0", "Deel 1", "Deel 2"]
    assert parts[-1].reply_markup is not None


@pytest.mark.parametrize("kind", ["429", "500", "stall"])
async def test_get_updates_fault_loses_and_doubles_nothing(
        fake_telegram: FakeTelegram, desk: RecordingDesk, kind: str) -> None:
    chan = make_channel(fake_telegram, request_timeout=2.5)
    fake_telegram.fail("getUpdates", kind, retry_after=1, delay=8.0)
    await fake_telegram.push_text(CHAT, "een")
    await fake_telegram.push_text(CHAT, "twee")
    await chan.start(desk)
    try:
        await desk.wait_for_count(2)
        await fake_telegram.push_text(CHAT, "drie")
        await desk.wait_for_count(3)
        await fake_telegram.wait_for(lambda: fake_telegram.pending_updates() == 0)
    finally:
        await chan.stop()
    assert desk.texts() == ["een", "twee", "drie"]


async def test_offset_survives_a_restart_without_replay_or_skip(
        fake_telegram: FakeTelegram, store: MemoryStateStore) -> None:
    desk = RecordingDesk()
    entered, release = asyncio.Event(), asyncio.Event()

    async def block_on_second(inbound: Inbound) -> None:
        if inbound.text == "twee":
            entered.set()
            await release.wait()  # the process dies while the desk handles "twee"

    desk.hook = block_on_second
    first = make_channel(fake_telegram, store)
    await first.start(desk)
    await fake_telegram.push_text(CHAT, "een")
    await fake_telegram.push_text(CHAT, "twee")
    await desk.wait_for_count(1)
    await asyncio.wait_for(entered.wait(), 10)
    await first.stop()
    assert desk.texts() == ["een"]
    assert store.values[OFFSET_KEY] is not None

    await fake_telegram.push_text(CHAT, "drie")
    desk.hook = None
    second = make_channel(fake_telegram, store)
    await second.start(desk)
    try:
        await desk.wait_for_count(3)
        await fake_telegram.wait_for(lambda: fake_telegram.pending_updates() == 0)
    finally:
        await second.stop()
    assert desk.texts() == ["een", "twee", "drie"]  # "twee" not skipped, "een" not replayed


class DownStore(MemoryStateStore):
    """A state store that is down for its first ``failures`` reads and its first
    ``failures`` writes (a database restarting)."""

    def __init__(self, values: dict[str, str], failures: int) -> None:
        super().__init__()
        self.values.update(values)
        self.failed_gets = self.failed_sets = 0
        self.failures = failures

    async def get(self, key: str) -> str | None:
        if self.failed_gets < self.failures:
            self.failed_gets += 1
            raise ConnectionError("state store down")
        return await super().get(key)

    async def set(self, key: str, value: str) -> None:
        if self.failed_sets < self.failures:
            self.failed_sets += 1
            raise ConnectionError("state store down")
        await super().set(key, value)


async def test_a_state_store_that_is_down_is_retried_for_the_offset(
        fake_telegram: FakeTelegram, store: MemoryStateStore) -> None:
    desk = RecordingDesk()
    first = make_channel(fake_telegram, store)
    await first.start(desk)
    try:
        await fake_telegram.push_text(CHAT, "een")
        await desk.wait_for_count(1)
        await fake_telegram.wait_for(lambda: OFFSET_KEY in store.values)
    finally:
        await first.stop()

    down = DownStore(store.values, failures=3)
    await fake_telegram.push_text(CHAT, "twee")
    pushed = await fake_telegram.push_text(CHAT, "drie")
    second = make_channel(fake_telegram, down)
    await second.start(desk)
    try:
        await desk.wait_for_count(3)
        await fake_telegram.wait_for(
            lambda: down.values[OFFSET_KEY] == str(pushed["update_id"] + 1))
    finally:
        await second.stop()
    assert desk.texts() == ["een", "twee", "drie"]  # the stored offset was waited for
    assert (down.failed_gets, down.failed_sets) == (3, 3)


async def test_failing_desk_is_retried_then_the_update_is_skipped_with_a_note(
        fake_telegram: FakeTelegram, channel: TelegramChannel, desk: RecordingDesk) -> None:
    attempts: dict[str, int] = {}

    async def flaky(inbound: Inbound) -> None:
        attempts[inbound.text] = attempts.get(inbound.text, 0) + 1
        if inbound.text == "wankel" and attempts["wankel"] == 1:
            raise RuntimeError("database hiccup")
        if inbound.text == "kapot":
            raise RuntimeError("always broken")

    desk.hook = flaky
    await fake_telegram.push_text(CHAT, "wankel")
    await fake_telegram.push_text(CHAT, "kapot")
    await fake_telegram.push_text(CHAT, "daarna")
    await desk.wait_for_count(2, within=60)
    assert desk.texts() == ["wankel", "daarna"]
    assert attempts == {"wankel": 2, "kapot": 3, "daarna": 1}
    assert fake_telegram.sent_texts(CHAT) == [SORRY]


# --- webhook -----------------------------------------------------------------------------

async def test_webhook_checks_the_secret_on_every_request(
        fake_telegram: FakeTelegram, desk: RecordingDesk) -> None:
    config = WebhookConfig("https://wegwijs.example.org/telegram/hook", "juist-geheim",
                           listen_host="127.0.0.1", listen_port=0)
    chan = make_channel(fake_telegram, webhook=config)
    await chan.start(desk)
    try:
        assert fake_telegram.webhook_url == config.url
        assert fake_telegram.webhook_secret == "juist-geheim"
        url = f"http://127.0.0.1:{chan.webhook_port}/telegram/hook"

        def update(text: str) -> dict[str, object]:
            return {"update_id": fake_telegram.next_update_id(),
                    "message": fake_telegram.message_json(chat_id=CHAT, text=text)}

        async with aiohttp.ClientSession() as http:
            wrong = await http.post(url, json=update("vals"),
                                    headers={"X-Telegram-Bot-Api-Secret-Token": "fout"})
            missing = await http.post(url, json=update("zonder"))
            right = await http.post(url, json=update("echt"),
                                    headers={"X-Telegram-Bot-Api-Secret-Token": "juist-geheim"})
            assert (wrong.status, missing.status, right.status) == (403, 403, 200)
        assert desk.texts() == ["echt"]  # handled before Telegram got its 200
    finally:
        await chan.stop()


async def test_a_rejected_token_fails_start_with_a_clear_error(
        fake_telegram: FakeTelegram, desk: RecordingDesk) -> None:
    chan = TelegramChannel("123456789:not-the-right-token-for-this-bot-at-all",
                           state=MemoryStateStore(), base_url=fake_telegram.base_url)
    with pytest.raises(ChannelError, match="rejected the bot token"):
        await chan.start(desk)
    assert len(fake_telegram.calls_of("getMe", answered="401")) == 1  # not retried


# --- secrets -----------------------------------------------------------------------------

async def test_token_never_reaches_the_logs(
        fake_telegram: FakeTelegram, desk: RecordingDesk,
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)  # even with everything at DEBUG
    chan = make_channel(fake_telegram)
    await chan.start(desk)
    try:
        await fake_telegram.push_text(CHAT, "hallo")
        await desk.wait_for_count(1)
        fake_telegram.fail("sendMessage", "500")
        await chan.send(out("antwoord", "t1"))
    finally:
        await chan.stop()
    printed = capsys.readouterr()
    logged = [record.getMessage() for record in caplog.records]
    assert "telegram.retry" in printed.out + printed.err + "".join(logged)  # we did log
    secret_part = TOKEN.split(":")[1]
    for text in [*logged, printed.out, printed.err, repr(chan)]:
        assert secret_part not in text
        assert "antwoord" not in text and "hallo" not in text  # nor message texts
