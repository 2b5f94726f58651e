"""The Telegram channel: python-telegram-bot's ``Bot`` behind the desk's ``Channel``.

Inbound, by long polling (default) or a webhook (when a webhook URL is configured):

* text -> ``"text"``; ``/cmd args`` (also ``/cmd@ourbot``) -> ``"command"``, so a deep link
  ``https://t.me/<bot>?start=<payload>`` arrives as ``/start payload``; a button press ->
  ``"choice"``; photo, voice, sticker, document, location, contact, video... ->
  ``"unsupported"`` with the kind (the desk says what it can read).
* ``message_id`` is ``u<update id>``: the same on every delivery of an update, so a replayed
  update is processed once by the desk; it says nothing about who sent it.
* Only the newest keyboard in a chat is live: sending a new one removes the previous one, a
  press removes its own. A press on anything else is answered "this choice has expired"
  and never reaches the desk.
* Edited messages are not processed; the person gets a short note to send the change as a
  new message. Group chats: the desk only works in private chats; when addressed in a group
  (command, mention, reply, or being added) the bot points to a private chat, otherwise it
  stays silent.
* Polling: the update offset lives in the ``StateStore`` (``telegram:offset``) and is advanced
  only after the desk returned for that update, so a restart neither replays nor skips.
  Webhook: the secret token is checked on every request (403 otherwise) and Telegram gets its
  200 only after the desk returned.

Outbound: HTML parse mode with everything escaped, split at 4,096 characters (keyboard on the
last part), choices as an inline keyboard (long values travel as a short token kept in the
``StateStore``). Progress per ``Outbound.key`` is persisted, so a retried message resumes at
the part that failed and a delivered one is never sent again. 429 waits as told, 5xx and
timeouts retry with backoff, 403 raises ``RecipientGone``. Sends are paced at about one
message per second per chat and 30 per second overall.

The token comes from the environment (``Settings``) and is never logged: httpx, which would
log request URLs containing it, is held at WARNING.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import structlog
from aiohttp import web
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.channel import (
    ChannelError,
    Choice,
    Inbound,
    InboundHandler,
    Outbound,
    RateLimited,
    StateStore,
)
from bot.channels import telegram_format as fmt
from bot.channels.pacing import RetryPolicy, SendPacer
from bot.channels.telegram_errors import channel_error, seconds  # (also opts in to PTB_TIMEDELTA)
from bot.texts import both

if TYPE_CHECKING:
    from bot.settings import Settings

log = structlog.get_logger(__name__)

T = TypeVar("T")

OFFSET_KEY = "telegram:offset"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_RETRY = RetryPolicy(max_attempts=5)

EXPIRED = both("ch_expired_button")
EDIT_NOTE = both("ch_edit_note")
SORRY = both("ch_sorry")

#: Message attributes that make a message "unsupported", checked in this order (an animation
#: also carries a document, a venue also carries a location).
UNSUPPORTED_KINDS = ("photo", "voice", "video_note", "video", "animation", "audio", "sticker",
                     "document", "venue", "location", "contact", "poll", "dice", "game",
                     "story", "paid_media", "invoice")

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class WebhookConfig:
    """Where Telegram posts updates (``url``) and where we listen for them."""

    url: str
    secret: str
    listen_host: str = "127.0.0.1"
    listen_port: int = 8443

    def __post_init__(self) -> None:
        if urlsplit(self.url).scheme != "https":
            raise ValueError("the Telegram webhook URL must start with https://")
        if not _SECRET_TOKEN.fullmatch(self.secret):
            raise ValueError("the Telegram webhook secret may only hold A-Z a-z 0-9 _ - "
                             "(1 to 256 characters)")

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    def __repr__(self) -> str:  # never show the secret
        return f"WebhookConfig(url={self.url!r}, listen={self.listen_host}:{self.listen_port})"


class TelegramChannel:
    """The Telegram adapter. Build it with :meth:`from_settings` (or directly in tests)."""

    name = "telegram"

    def __init__(
        self,
        token: str,
        *,
        state: StateStore,
        base_url: str | None = None,
        webhook: WebhookConfig | None = None,
        poll_timeout: int = 30,
        request_timeout: float = 10.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        per_chat_interval: float = 1.0,
        overall_rate: float = 30.0,
    ) -> None:
        self._state = state
        self._webhook = webhook
        self._poll_timeout = poll_timeout
        self._retry = retry
        self._pacer = SendPacer(per_chat_interval, overall_rate)
        quiet_transport_loggers()
        request = HTTPXRequest(connection_pool_size=16, read_timeout=request_timeout,
                               write_timeout=request_timeout, connect_timeout=request_timeout)
        # getUpdates gets its own connection; PTB adds the long-poll timeout to read_timeout.
        updates_request = HTTPXRequest(connection_pool_size=1, read_timeout=request_timeout,
                                       connect_timeout=request_timeout)
        kwargs: dict[str, Any] = {"request": request, "get_updates_request": updates_request}
        if base_url:
            kwargs["base_url"] = base_url
        self._bot = Bot(token, **kwargs)
        self._on_inbound: InboundHandler | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._web_runner: web.AppRunner | None = None
        self._webhook_port: int | None = None
        self._update_lock = asyncio.Lock()  # updates are processed one at a time, in order
        self._keyboard_lock = asyncio.Lock()

    def __repr__(self) -> str:
        mode = "webhook" if self._webhook else "polling"
        return f"TelegramChannel(mode={mode})"

    @classmethod
    def from_settings(cls, settings: Settings, state: StateStore) -> TelegramChannel:
        """Build the channel from ``WEGWIJS_TELEGRAM_*``; raises if no token is set."""
        if settings.telegram_token is None:
            raise ValueError("WEGWIJS_TELEGRAM_TOKEN is not set")
        webhook = None
        if settings.telegram_webhook_url:
            secret = (settings.telegram_webhook_secret.get_secret_value()
                      if settings.telegram_webhook_secret else secrets.token_urlsafe(32))
            host, _, port = settings.telegram_webhook_listen.rpartition(":")
            if not port.isdigit():
                raise ValueError("WEGWIJS_TELEGRAM_WEBHOOK_LISTEN must be host:port")
            webhook = WebhookConfig(settings.telegram_webhook_url, secret,
                                    host.strip("[]") or "127.0.0.1", int(port))
        return cls(settings.telegram_token.get_secret_value(), state=state,
                   base_url=settings.telegram_base_url, webhook=webhook)

    @property
    def bot_username(self) -> str:
        return self._bot.username

    @property
    def webhook_port(self) -> int | None:
        """The port the webhook server listens on (useful when configured as port 0)."""
        return self._webhook_port

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self, on_inbound: InboundHandler) -> None:
        self._on_inbound = on_inbound
        try:
            await self._call(self._bot.initialize)  # getMe: checks the token, learns our name
        except ChannelError:
            await self._bot.shutdown()
            raise
        if self._webhook is None:
            await self._call(lambda: self._bot.delete_webhook(drop_pending_updates=False))
            self._poll_task = asyncio.create_task(self._poll_loop(), name="telegram-poll")
            log.info("telegram.started", mode="polling", bot=self._bot.username)
        else:
            await self._start_webhook(self._webhook)
            log.info("telegram.started", mode="webhook", bot=self._bot.username,
                     port=self._webhook_port)

    async def stop(self) -> None:
        if self._poll_task is not None:
            self._poll_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poll_task
            self._poll_task = None
        if self._web_runner is not None:
            await self._web_runner.cleanup()  # the webhook stays set: Telegram queues updates
            self._web_runner = None
        await self._bot.shutdown()
        log.info("telegram.stopped")

    # --- polling --------------------------------------------------------------------------
    async def _poll_loop(self) -> None:
        offset = await self._load_offset()
        failures = 0
        while True:
            try:
                updates = await self._bot.get_updates(
                    offset=offset, timeout=self._poll_timeout,
                    allowed_updates=list(ALLOWED_UPDATES))
            except RetryAfter as exc:
                await asyncio.sleep(seconds(exc.retry_after))
                continue
            except Exception as exc:  # network, 5xx, 409, unreadable updates: keep polling
                failures += 1
                log.warning("telegram.poll_failed", error=type(exc).__name__, failures=failures)
                await asyncio.sleep(self._retry.backoff(failures))
                continue
            failures = 0
            for update in updates:
                async with self._update_lock:
                    await self._process(update)
                    offset = update.update_id + 1
                    await self._save_offset(offset)

    async def _load_offset(self) -> int | None:
        async def load() -> int | None:
            stored = await self._state.get(OFFSET_KEY)
            return int(stored) if stored else None

        return await self._until_done(load, "telegram.offset_not_loaded")

    async def _save_offset(self, offset: int) -> None:
        """Persist the offset; if the store is down, keep trying (never skip, never replay)."""
        await self._until_done(lambda: self._state.set(OFFSET_KEY, str(offset)),
                               "telegram.offset_not_saved")

    async def _until_done(self, step: Callable[[], Awaitable[T]], event: str) -> T:
        """Run ``step`` (a state store call) until it succeeds, logging ``event`` and backing
        off after each failure: polling must not go on with a wrong offset."""
        attempt = 0
        while True:
            try:
                return await step()
            except Exception:
                attempt += 1
                log.exception(event, attempt=attempt)
                await asyncio.sleep(self._retry.backoff(attempt))

    # --- webhook --------------------------------------------------------------------------
    async def _start_webhook(self, config: WebhookConfig) -> None:
        app = web.Application()
        app.router.add_post(config.path, self._handle_webhook)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        site = web.TCPSite(runner, config.listen_host, config.listen_port)
        await site.start()
        self._web_runner = runner
        server = site._server
        sockets = getattr(server, "sockets", None) or ()
        self._webhook_port = int(sockets[0].getsockname()[1]) if sockets else config.listen_port
        try:
            await self._call(lambda: self._bot.set_webhook(
                url=config.url, secret_token=config.secret,
                allowed_updates=list(ALLOWED_UPDATES), drop_pending_updates=False))
        except ChannelError:
            await runner.cleanup()
            self._web_runner = None
            raise

    async def _handle_webhook(self, request: web.Request) -> web.Response:
        assert self._webhook is not None
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._webhook.secret.encode()):
            log.warning("telegram.webhook_rejected", reason="secret")
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, self._bot)
        except Exception:
            log.warning("telegram.webhook_rejected", reason="body")
            return web.Response(status=400, text="bad update")
        async with self._update_lock:
            await self._process(update)
        return web.Response(status=200, text="ok")

    # --- inbound --------------------------------------------------------------------------
    async def _process(self, update: Update) -> None:
        """Hand one update to the desk; retry a failing desk a few times, then give up on
        this update (with a friendly note to the person) rather than block every chat."""
        def failed(exc: Exception, attempt: int, last: bool) -> None:
            if last:  # the traceback once, when giving up
                log.exception("telegram.update_skipped", update_id=update.update_id,
                              attempts=attempt)
            else:
                log.warning("telegram.update_failed", update_id=update.update_id,
                            attempt=attempt, error=type(exc).__name__)

        if await self._retry.run_handler(lambda: self._dispatch(update), failed):
            return
        chat = update.effective_chat
        if chat is not None and chat.type == "private":
            with contextlib.suppress(ChannelError):
                await self.send(Outbound(self.name, str(chat.id), SORRY,
                                         key=f"telegram:sorry:{_update_key(update)}"))

    async def _dispatch(self, update: Update) -> None:
        if update.callback_query is not None:
            await self._on_callback(update.callback_query, _update_key(update))
        elif update.message is not None:
            await self._on_message(update.message, _update_key(update))
        elif update.edited_message is not None:
            await self._on_edited(update.edited_message, _update_key(update))

    async def _deliver(self, inbound: Inbound) -> None:
        assert self._on_inbound is not None, "start() first"
        await self._on_inbound(inbound)

    async def _on_message(self, message: Message, update_key: str) -> None:
        user = message.from_user
        if user is None or user.is_bot:
            return
        if message.chat.type != "private":
            await self._on_group_message(message, update_key)
            return
        common: dict[str, Any] = {
            "channel": self.name, "chat_id": str(message.chat.id), "sender_id": str(user.id),
            "message_id": update_key,
            "display_name": user.full_name, "received_at": message.date,
        }
        if message.text is not None:
            command = fmt.parse_command(message.text)
            if command is not None:
                name, _target, args = command
                inbound = Inbound(kind="command", text=fmt.command_text(name, args), **common)
            else:
                inbound = Inbound(kind="text", text=message.text, **common)
        else:
            kind = unsupported_kind(message)
            if kind is None:
                return  # a service message (pinned, ...): nothing the person said
            inbound = Inbound(kind="unsupported", unsupported=kind,
                              text=message.caption or "", **common)
        await self._deliver(inbound)

    async def _on_edited(self, message: Message, update_key: str) -> None:
        if message.chat.type != "private" or message.text is None:
            return  # edits of live locations and media are not worth a note
        await self.send(Outbound(self.name, str(message.chat.id), EDIT_NOTE,
                                 key=f"telegram:edit:{update_key}"))

    async def _on_group_message(self, message: Message, update_key: str) -> None:
        if not self._addressed_in_group(message):
            return
        note = both("ch_private_only", link=f"https://t.me/{self._bot.username}")
        await self.send(Outbound(self.name, str(message.chat.id), note,
                                 key=f"telegram:group:{update_key}"))

    def _addressed_in_group(self, message: Message) -> bool:
        me = self._bot.username.lower()
        if any(member.id == self._bot.id for member in message.new_chat_members or ()):
            return True
        reply = message.reply_to_message
        if reply is not None and reply.from_user is not None and reply.from_user.id == self._bot.id:
            return True
        text = message.text or ""
        command = fmt.parse_command(text)
        if command is not None:
            return command[1] is None or command[1].lower() == me
        return f"@{me}" in text.lower()

    async def _on_callback(self, query: CallbackQuery, update_key: str) -> None:
        message = query.message if isinstance(query.message, Message) else None
        chat_id = str(message.chat.id if message else query.from_user.id)
        value = await self._choice_value(query.data or "")
        live = await self._state.get(_keyboard_key(chat_id))
        if (value is None or message is None or message.chat.type != "private"
                or live != str(message.message_id)):
            await self._answer(query, EXPIRED)
            if message is not None:
                await self._remove_keyboard(chat_id, message.message_id)
            return
        await self._deliver(Inbound(
            channel=self.name, chat_id=chat_id, sender_id=str(query.from_user.id),
            message_id=update_key, kind="choice", choice=value,
            text=_button_label(message, query.data or ""),
            display_name=query.from_user.full_name, received_at=dt.datetime.now(dt.UTC)))
        async with self._keyboard_lock:  # used up: a second tap is an expired choice
            if await self._state.get(_keyboard_key(chat_id)) == str(message.message_id):
                await self._state.set(_keyboard_key(chat_id), "")
        await self._answer(query, None)
        await self._remove_keyboard(chat_id, message.message_id)

    async def _choice_value(self, data: str) -> str | None:
        if data.startswith(fmt.CALLBACK_TOKEN_PREFIX):
            return await self._state.get(f"telegram:choice:{data}")
        return data or None

    async def _answer(self, query: CallbackQuery, text: str | None) -> None:
        """Stop the spinner on the person's phone; best effort (the query may be too old)."""
        try:
            await self._call(lambda: self._bot.answer_callback_query(
                query.id, text=text))
        except ChannelError as exc:
            log.info("telegram.answer_failed", error=type(exc).__name__)

    async def _remove_keyboard(self, chat_id: str, message_id: int) -> None:
        try:
            await self._call(lambda: self._bot.edit_message_reply_markup(
                chat_id=int(chat_id), message_id=message_id, reply_markup=None))
        except ChannelError as exc:  # already gone, too old, not modified: all fine
            log.debug("telegram.keyboard_not_removed", error=type(exc).__name__)

    # --- outbound -------------------------------------------------------------------------
    async def send(self, message: Outbound) -> None:
        """Deliver ``message``; resumes at the first part not yet sent, never repeats one."""
        progress_key = f"telegram:sent:{message.key}"
        stored = await self._state.get(progress_key)
        parts = self._render(message)
        done = int(stored) if stored else 0
        if done >= len(parts):
            return
        markup = await self._keyboard(message.choices) if message.choices else None
        chat_id = int(message.chat_id)
        for index in range(done, len(parts)):
            last = index == len(parts) - 1
            text = parts[index]
            sent = await self._call(
                lambda text=text, last=last: self._bot.send_message(  # type: ignore[misc]
                    chat_id, text, parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None, link_preview_options=_NO_PREVIEW),
                chat_id=message.chat_id)
            await self._state.set(progress_key, str(index + 1))
            if last and markup is not None:
                await self._make_live(message.chat_id, sent.message_id)

    def _render(self, message: Outbound) -> list[str]:
        """Split the plain text, then escape each part. ``thread`` is not shown: a private
        chat has no threads, and the desk names the case in the text where it matters."""
        text = message.text if message.text.strip() else "…"
        return [fmt.escape(part) for part in fmt.split_text(text)]

    async def _keyboard(self, choices: Sequence[Choice]) -> InlineKeyboardMarkup:
        buttons = []
        for choice in choices:
            data = choice.value
            if not fmt.fits_callback_data(data):
                data = fmt.callback_token(choice.value)
                await self._state.set(f"telegram:choice:{data}", choice.value)
            buttons.append(InlineKeyboardButton(choice.label, callback_data=data))
        rows = fmt.keyboard_rows([choice.label for choice in choices])
        return InlineKeyboardMarkup([[buttons[i] for i in row] for row in rows])

    async def _make_live(self, chat_id: str, message_id: int) -> None:
        """The new keyboard is the chat's only live one; the previous one is removed."""
        async with self._keyboard_lock:
            previous = await self._state.get(_keyboard_key(chat_id))
            await self._state.set(_keyboard_key(chat_id), str(message_id))
        if previous and previous != str(message_id):
            await self._remove_keyboard(chat_id, int(previous))

    async def _call(self, request: Callable[[], Awaitable[T]], *, chat_id: str | None = None) -> T:
        """Run one Bot API request: wait out 429s as told, retry 5xx and timeouts with
        backoff, and raise the mapped ``ChannelError`` when that does not help."""
        attempt = 0
        while True:
            if chat_id is not None:
                await self._pacer.wait(chat_id)
            try:
                return await request()
            except TelegramError as exc:
                cause, error = exc, channel_error(exc)
            attempt += 1
            wait = self._retry.retry_in(error, attempt)
            if wait is None:
                raise error from cause
            if isinstance(error, RateLimited):
                log.info("telegram.rate_limited", retry_after=wait)
                if chat_id is not None:
                    self._pacer.hold(chat_id, wait)  # the pacer waits before the next try
                    continue
            else:
                log.info("telegram.retry", error=type(error).__name__, attempt=attempt)
            await asyncio.sleep(wait)


def quiet_transport_loggers() -> None:
    """Keep the token and message texts out of the logs: httpx logs request URLs (which carry
    the token) at INFO, PTB logs the API URL and every request's parameters at DEBUG."""
    for name, level in (("httpx", logging.WARNING), ("httpcore", logging.WARNING),
                        ("telegram", logging.INFO)):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < level:
            logger.setLevel(level)


def unsupported_kind(message: Message) -> str | None:
    """What a message without text carries ("photo", "voice", ...), or ``None``."""
    for kind in UNSUPPORTED_KINDS:
        if getattr(message, kind, None):
            return kind
    return None


def _update_key(update: Update) -> str:
    """The id the desk sees for this update: the same on every delivery of it (polling or
    webhook), unique per bot, and free of who sent it (dedupe rows outlive ``/vergeet``)."""
    return f"u{update.update_id}"


def _keyboard_key(chat_id: str) -> str:
    return f"telegram:keyboard:{chat_id}"


def _button_label(message: Message, data: str) -> str:
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return ""
