"""The Matrix channel: a matrix-nio ``AsyncClient`` behind the desk's ``Channel``.

Rooms and people
* The desk only works in direct rooms (the bot and one person). ``Inbound.chat_id`` is the
  person's Matrix user id; sending to a user id goes to their DM with the bot, created on
  the first send (encrypted unless ``encrypt_new_rooms`` is off) and reused after. Sending
  to a room id ``!r:hs`` works too. The user -> room map lives in the ``StateStore``.
* Invites: a *direct* invite (``is_direct``) from anyone is accepted (volunteers may start a
  DM); any other invite is declined. A room that stops being 1:1 (a third person joins or
  is invited) gets a short note and the bot leaves it; its messages never reach the desk and
  nothing is sent there. A DM whose person left is left too; a volunteer who left is then
  ``RecipientGone`` (they are re-reached when they write again), a servant gets a new DM.
* Staff commands arrive as ``/cmd args`` or ``!cmd args`` (Element keeps unknown
  ``/commands`` to itself). In a servant's DM, messages about a case form a thread (the
  first one is its root); a servant's reply in that thread, or a reply to one of those
  messages, becomes ``/antwoord N text``. Who is a servant: the Matrix ids in the knowledge
  map (``matrix_servants``): under ``wegwijs serve`` the desk's live map, otherwise the
  folder, re-read when its files change; either way no restart is needed.
* Choices are a numbered list; the number or the label typed back is an ``Inbound`` of kind
  ``"choice"`` while that list is the room's newest.

Sync
* The sync token lives in the ``StateStore`` (``matrix:since``) and is advanced only after
  every event of a batch went to the desk. The first start ever skips the backlog; a
  restart resumes from the saved token (with full room state, so encrypted rooms are known);
  a gap (``limited`` timeline) is filled back to the saved token, so nothing is skipped.
  A replayed event has the same event id, and the desk processes each message id once.
* Homeserver down: retry with exponential backoff, resume from the saved token.
  ``M_LIMIT_EXCEEDED`` waits ``retry_after_ms``. ``channel_error`` is the one place where
  Matrix errors become the desk's ``ChannelError`` family.

Sending: plain ``body`` plus escaped HTML ``formatted_body``; long texts are split. Each part
is sent with a transaction id made of ``Outbound.key`` (plus a per-database prefix), so a
retried send is deduplicated by the homeserver; progress per key is stored, so a retry
resumes at the first part not yet sent.

End-to-end encryption (vodozemac via ``matrix-nio[e2e]``): the olm/megolm store lives under
``store_path`` and survives restarts (keep that directory, and the device id, together).
Devices are trusted on first use: keys are shared with every device of the person in the DM;
nio keeps each device's keys and will not accept a changed key for a known device.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import Awaitable, Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from aiohttp import ClientError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    InviteInfo,
    InviteMemberEvent,
    LocalProtocolError,
    LoginResponse,
    MegolmEvent,
    MessageDirection,
    RoomCreateResponse,
    RoomMemberEvent,
    RoomMessageAudio,
    RoomMessageEmote,
    RoomMessageFile,
    RoomMessageImage,
    RoomMessageNotice,
    RoomMessagesResponse,
    RoomMessageText,
    RoomMessageUnknown,
    RoomMessageVideo,
    RoomPreset,
    RoomSendResponse,
    StickerEvent,
    SyncResponse,
    WhoamiResponse,
)
from nio.events.room_events import RoomEncryptedMedia

from bot.channel import (
    ChannelError,
    Choice,
    Inbound,
    InboundHandler,
    Outbound,
    RateLimited,
    RecipientGone,
    StateStore,
    TransientError,
)
from bot.channels import matrix_format as fmt
from bot.channels.matrix_errors import TokenRejected, channel_error
from bot.channels.matrix_servants import MapServants
from bot.channels.pacing import RetryPolicy
from bot.texts import both

if TYPE_CHECKING:
    from nio import Event

    from bot.settings import Settings

log = structlog.get_logger(__name__)
R = TypeVar("R")

SINCE_KEY = "matrix:since"
DEVICE_KEY = "matrix:device_id"
TXN_KEY = "matrix:txn"
DEVICE_NAME = "Wegwijs"
DEFAULT_RETRY = RetryPolicy(max_attempts=4)

GROUP_NOTE = both("ch_leaving_group")
EDIT_NOTE = both("ch_edit_note")
UNDECRYPTABLE = both("ch_undecryptable")
SORRY = both("ch_sorry")

_MEDIA_KINDS: tuple[tuple[type[Any], str], ...] = (
    (RoomMessageImage, "photo"), (RoomMessageAudio, "voice"), (RoomMessageVideo, "video"),
    (RoomMessageFile, "document"), (StickerEvent, "sticker"))
_MSGTYPE_KINDS = {"m.image": "photo", "m.audio": "voice", "m.video": "video",
                  "m.file": "document", "m.location": "location", "m.sticker": "sticker"}


class _NotYet(Exception):
    """An event cannot be read yet (its room key is on the way): sync this batch again."""


class _HandlerFailed(Exception):
    """The desk kept failing on one event; the batch is retried from the saved token."""

    def __init__(self, event_id: str) -> None:
        super().__init__(event_id)
        self.event_id = event_id


class MatrixChannel:
    """The Matrix adapter. Build it with :meth:`from_settings` (or directly in tests)."""

    name = "matrix"

    def __init__(
        self,
        homeserver: str,
        user_id: str,
        *,
        state: StateStore,
        store_path: Path,
        password: str | None = None,
        access_token: str | None = None,
        device_id: str | None = None,
        store_key: str | None = None,
        servants: Collection[str] | Callable[[], Collection[str]] = (),
        encrypt_new_rooms: bool = True,
        sync_timeout: float = 30.0,
        timeline_limit: int = 100,
        request_timeout: float = 30.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        undecryptable_grace: float = 10.0,
        stop_grace: float = 10.0,
    ) -> None:
        if not password and not access_token:
            raise ValueError("set a password or an access token for the Matrix bot account")
        self.homeserver = homeserver.rstrip("/")
        self.user_id = user_id
        self._state = state
        self._store_path = Path(store_path)
        self._password = password
        self._access_token = access_token
        self._device_id = device_id
        self._store_key = store_key
        self._servants = servants
        self._encrypt_new_rooms = encrypt_new_rooms
        self._sync_timeout_ms = int(sync_timeout * 1000)
        self._timeline_limit = timeline_limit
        self._request_timeout = request_timeout
        self._retry = retry
        self._undecryptable_grace = undecryptable_grace
        self._stop_grace = stop_grace
        self._client: AsyncClient | None = None
        self._on_inbound: InboundHandler | None = None
        self._task: asyncio.Task[None] | None = None
        self._since: str | None = None
        self._full_state = True
        self._txn_prefix = ""
        self._dm_cache: dict[str, str] = {}
        self._dm_lock = asyncio.Lock()
        self._send_lock = asyncio.Lock()
        self._failed_batches: dict[str, int] = {}
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._delivered: set[str] = set()  # event ids handed over since the saved token
        self._unreadable_since: dict[str, float] = {}

    def __repr__(self) -> str:  # never show the password or token
        return f"MatrixChannel(user={self.user_id!r}, homeserver={self.homeserver!r})"

    @classmethod
    def from_settings(cls, settings: Settings, state: StateStore, *,
                      servants: Collection[str] | Callable[[], Collection[str]] | None = None,
                      ) -> MatrixChannel:
        """Build the channel from ``WEGWIJS_MATRIX_*``. ``servants`` (Matrix ids of the map's
        civil servants; ``wegwijs serve`` passes its live map's) defaults to those in the
        knowledge map at ``settings.knowledge``, as the folder holds it now (re-read when its
        files change)."""
        if not settings.matrix_homeserver or not settings.matrix_user_id:
            raise ValueError("WEGWIJS_MATRIX_HOMESERVER and WEGWIJS_MATRIX_USER_ID must be set")
        if settings.matrix_password is None and settings.matrix_access_token is None:
            raise ValueError("set WEGWIJS_MATRIX_PASSWORD or WEGWIJS_MATRIX_ACCESS_TOKEN")
        store_path = settings.matrix_store_path or default_store_path()
        return cls(
            settings.matrix_homeserver, settings.matrix_user_id, state=state,
            store_path=store_path,
            password=(settings.matrix_password.get_secret_value()
                      if settings.matrix_password else None),
            access_token=(settings.matrix_access_token.get_secret_value()
                          if settings.matrix_access_token else None),
            device_id=settings.matrix_device_id,
            store_key=(settings.matrix_store_key.get_secret_value()
                       if settings.matrix_store_key else None),
            servants=servants if servants is not None else MapServants(settings.knowledge),
            encrypt_new_rooms=settings.matrix_encrypt_new_rooms)

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self, on_inbound: InboundHandler) -> None:
        """Log in, do the first sync (skipping the backlog on the very first start), then
        keep syncing in the background."""
        self._on_inbound = on_inbound
        self._stopping = False
        self._store_path.mkdir(parents=True, exist_ok=True)
        self._since = await self._state.get(SINCE_KEY)
        self._txn_prefix = await self._state.get(TXN_KEY) or ""
        if not self._txn_prefix:
            self._txn_prefix = secrets.token_hex(4)
            await self._state.set(TXN_KEY, self._txn_prefix)
        # With a password the device is reused across logins (its keys are in the store);
        # an access token belongs to one device, which the server tells us.
        device_id = self._device_id or (
            None if self._access_token else await self._state.get(DEVICE_KEY))
        config = AsyncClientConfig(max_limit_exceeded=0, max_timeouts=0,
                                   store_sync_tokens=False, encryption_enabled=True,
                                   request_timeout=self._request_timeout,
                                   **({"pickle_key": self._store_key} if self._store_key
                                      else {}))
        self._client = AsyncClient(self.homeserver, self.user_id, device_id=device_id,
                                   store_path=str(self._store_path), config=config)
        try:
            await self._login()
            attempt = 0
            while True:
                try:
                    await self._sync_once(timeout_ms=0)
                    break
                except _NotYet:  # a room key on its way (bounded by the grace period)
                    await asyncio.sleep(self._retry.backoff_base)
                except (TransientError, RateLimited, _HandlerFailed) as exc:
                    attempt += 1
                    if attempt >= self._retry.max_attempts:
                        raise TransientError(f"first sync failed: {exc}") from exc
                    await asyncio.sleep(self._retry.pause(exc, attempt))
        except BaseException:
            await self._client.close()
            raise
        self._task = asyncio.create_task(self._sync_loop(), name="matrix-sync")
        log.info("matrix.started", user=self.user_id, device=self._client.device_id)

    async def stop(self) -> None:
        """Stop syncing; a batch being handed to the desk is finished first (briefly)."""
        self._stopping = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), self._stop_grace)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.close()  # no logout: the device and its keys stay
            self._client = None
        log.info("matrix.stopped")

    @property
    def client(self) -> AsyncClient:
        if self._client is None:
            raise ChannelError("the Matrix channel is not started")
        return self._client

    async def _login(self) -> None:
        client = self.client
        if self._access_token:
            device_id = client.device_id
            if not device_id:
                client.access_token = self._access_token
                whoami = await self._call(client.whoami, "whoami")
                assert isinstance(whoami, WhoamiResponse)
                device_id = whoami.device_id
            if not device_id:
                raise ChannelError("the access token has no device; set WEGWIJS_MATRIX_DEVICE_ID")
            client.restore_login(self.user_id, device_id, self._access_token)
        else:
            assert self._password is not None
            password = self._password
            response = await self._call(lambda: client.login(password, device_name=DEVICE_NAME),
                                        "login")
            assert isinstance(response, LoginResponse)
        await self._state.set(DEVICE_KEY, client.device_id)
        if client.should_upload_keys:
            await self._call(client.keys_upload, "keys upload")

    # --- requests -------------------------------------------------------------------------
    async def _call(self, request: Callable[[], Awaitable[R]], what: str, *,
                    sending: bool = False) -> R:
        """Run one client request: wait out M_LIMIT_EXCEEDED as told, retry network faults
        and 5xx with backoff, and raise the mapped ``ChannelError`` when that does not help."""
        attempt = 0
        while True:
            try:
                response = await request()
            except (ClientError, TimeoutError, OSError) as exc:
                error: ChannelError = TransientError(f"{what}: {type(exc).__name__}")
            else:
                if not isinstance(response, ErrorResponse):
                    return response
                error = channel_error(response, sending=sending)
            attempt += 1
            wait = self._retry.retry_in(error, attempt)
            if wait is None:
                raise error
            if isinstance(error, RateLimited):
                log.info("matrix.rate_limited", what=what, retry_after=wait)
            else:
                log.info("matrix.retry", what=what, attempt=attempt, error=str(error))
            await asyncio.sleep(wait)

    # --- sync -----------------------------------------------------------------------------
    async def _sync_loop(self) -> None:
        failures = 0
        while True:
            try:
                await self._sync_once(timeout_ms=self._sync_timeout_ms)
                failures = 0
            except asyncio.CancelledError:
                raise
            except _NotYet:
                await asyncio.sleep(self._retry.backoff_base)
            except TokenRejected as exc:
                failures += 1
                log.warning("matrix.token_rejected", detail=str(exc), failures=failures)
                await asyncio.sleep(self._retry.backoff(failures))
                if self._password:
                    with contextlib.suppress(ChannelError):
                        await self._login()
            except Exception as exc:  # homeserver down, restarting, rate limit, desk failing
                failures += 1
                wait = self._retry.pause(exc, failures)
                log.warning("matrix.sync_failed", error=type(exc).__name__, detail=str(exc),
                            failures=failures, retry_in=wait)
                await asyncio.sleep(wait)

    def _sync_filter(self) -> dict[str, Any]:
        return {"presence": {"types": []}, "account_data": {"not_types": ["*"]},
                "room": {"timeline": {"limit": self._timeline_limit},
                         "ephemeral": {"types": []}, "account_data": {"not_types": ["*"]}}}

    async def _sync_once(self, timeout_ms: int) -> None:
        client = self.client
        try:
            response = await client.sync(timeout=timeout_ms, since=self._since,
                                         full_state=self._full_state or None,
                                         sync_filter=self._sync_filter())
        except (ClientError, TimeoutError, OSError) as exc:
            raise TransientError(f"sync: {type(exc).__name__}") from exc
        if isinstance(response, ErrorResponse):
            raise channel_error(response)
        assert isinstance(response, SyncResponse)
        if self._stopping:
            return  # not handled, token not saved: the next start syncs it again
        self._full_state = False
        self._idle.clear()
        try:
            await self._process(response)
        finally:
            self._idle.set()
        await self._crypto_chores()

    async def _process(self, response: SyncResponse) -> None:
        """Hand the batch to the desk, then save its token."""
        try:
            await self._handle_sync(response, deliver=self._since is not None)
        except _HandlerFailed as exc:
            count = self._failed_batches.get(exc.event_id, 0) + 1
            self._failed_batches[exc.event_id] = count
            raise
        except _NotYet:
            await self._crypto_chores()  # e.g. claim keys, send pending key requests
            raise
        self._since = response.next_batch
        await self._state.set(SINCE_KEY, response.next_batch)
        self._delivered.clear()  # those events are behind the saved token now

    async def _crypto_chores(self) -> None:
        client = self.client
        with contextlib.suppress(ClientError, TimeoutError, OSError):
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()

    async def _handle_sync(self, response: SyncResponse, *, deliver: bool) -> None:
        for room_id, invite in response.rooms.invite.items():
            await self._on_invite(room_id, invite)
        for room_id, joined in response.rooms.join.items():
            events: list[Event] = list(joined.timeline.events)
            joined_now = any(isinstance(e, RoomMemberEvent) and e.state_key == self.user_id
                             and e.membership == "join" for e in events)
            if deliver and joined.timeline.limited and joined.timeline.prev_batch \
                    and self._since and not joined_now:  # (a new room has no gap, only history)
                events = await self._fill_gap(room_id, joined.timeline.prev_batch) + events
            if deliver:
                for event in events:
                    await self._on_event(room_id, event)
            left = any(isinstance(e, RoomMemberEvent) and e.membership in ("leave", "ban")
                       and e.state_key != self.user_id
                       for e in [*joined.state, *joined.timeline.events])
            await self._check_room(room_id, someone_left=left)

    async def _fill_gap(self, room_id: str, prev_batch: str) -> list[Event]:
        """The events between the saved token and the start of a limited timeline."""
        client = self.client
        older: list[Event] = []
        start = prev_batch
        while True:
            response = await self._call(lambda start=start: client.room_messages(  # type: ignore[misc]
                room_id, start=start, end=self._since, direction=MessageDirection.back,
                limit=100), "messages")
            assert isinstance(response, RoomMessagesResponse)
            if not response.chunk:
                break
            older.extend(response.chunk)
            if not response.end or response.end == start:
                break
            start = response.end
        log.info("matrix.gap_filled", room=room_id, events=len(older))
        return list(reversed(older))

    async def _learn_room(self, room_id: str, user_id: str) -> None:
        """Make nio know a room the bot just created (its state: members, encryption)
        without waiting for the sync loop, which may be busy handing us this very message:
        a sync of that room only, from the saved token. Its events are not delivered here;
        the sync loop delivers them from the saved token as usual. Done when nio knows the
        invited person (the room key must be shared with their devices)."""
        client = self.client
        sync_filter = {"presence": {"types": []}, "account_data": {"not_types": ["*"]},
                       "room": {"rooms": [room_id], "timeline": {"limit": 1},
                                "ephemeral": {"types": []},
                                "account_data": {"not_types": ["*"]}}}

        def known() -> bool:
            room = client.rooms.get(room_id)
            return room is not None and user_id in room.users

        for attempt in range(1, self._retry.max_attempts + 1):
            if known():
                return
            await self._call(lambda: client.sync(
                timeout=0, since=self._since, full_state=True, sync_filter=sync_filter),
                "sync room")
            if not known():
                await asyncio.sleep(self._retry.backoff(attempt))
        if not known():
            raise TransientError(f"the new DM {room_id} has not synced yet")

    # --- rooms ----------------------------------------------------------------------------
    def is_servant(self, user_id: str) -> bool:
        servants = self._servants() if callable(self._servants) else self._servants
        return user_id in servants

    def _others(self, room_id: str) -> set[str] | None:
        """Everyone but the bot who is in or invited to the room (None: not our room)."""
        room = self.client.rooms.get(room_id)
        if room is None or self.user_id not in room.users:
            return None
        return {user for user in room.users if user != self.user_id}

    async def _on_invite(self, room_id: str, invite: InviteInfo) -> None:
        inviter, direct = None, False
        for event in invite.invite_state:
            if isinstance(event, InviteMemberEvent) and event.state_key == self.user_id \
                    and event.membership == "invite":
                inviter, direct = event.sender, bool(event.content.get("is_direct"))
        if inviter is None or inviter == self.user_id:
            return
        if not direct:
            log.info("matrix.invite_declined", room=room_id, reason="not a direct chat")
            with contextlib.suppress(ChannelError):
                await self._call(lambda: self.client.room_leave(room_id), "decline")
            return
        try:
            await self._call(lambda: self.client.join(room_id), "join")
        except ChannelError as exc:  # still invited: the next sync tries again
            log.warning("matrix.join_failed", room=room_id, error=str(exc))
            return
        await self._state.set(f"matrix:partner:{room_id}", inviter)
        await self._remember_dm(inviter, room_id)
        log.info("matrix.joined", room=room_id)

    async def _check_room(self, room_id: str, *, someone_left: bool) -> None:
        """Leave a room that is no longer a DM: a third person is there, or the person left."""
        others = self._others(room_id)
        if others is None or len(others) == 1 or (not others and not someone_left):
            return  # (a room still being set up has nobody else yet: that is not "left")
        if len(others) > 1:
            log.info("matrix.leaving_group", room=room_id, members=len(others) + 1)
            with contextlib.suppress(ChannelError, LocalProtocolError):
                await self._send_parts(room_id, fmt.render(GROUP_NOTE),
                                       f"group:{room_id}", thread=None, case=None,
                                       servant_room=False)
        else:
            log.info("matrix.leaving_empty", room=room_id)
        with contextlib.suppress(ChannelError):
            await self._call(lambda: self.client.room_leave(room_id), "leave")

    async def _remember_dm(self, user_id: str, room_id: str) -> None:
        if self._dm_cache.get(user_id) == room_id:
            return
        await self._state.set(f"matrix:dm:{user_id}", room_id)
        self._dm_cache[user_id] = room_id

    def _usable(self, room_id: str, user_id: str | None) -> bool:
        others = self._others(room_id)
        return others is not None and user_id is not None and others == {user_id}

    async def _room_for(self, chat_id: str) -> tuple[str, str | None]:
        if chat_id.startswith("!"):
            partner = await self._state.get(f"matrix:partner:{chat_id}")
            if self._usable(chat_id, partner):
                return chat_id, partner
            if partner is None:
                raise RecipientGone(f"the bot is not in a DM {chat_id}")
            chat_id = partner
        if chat_id.startswith("@"):
            return await self._dm_for(chat_id), chat_id
        raise ChannelError(f"not a Matrix user or room id: {chat_id!r}")

    async def _dm_for(self, user_id: str) -> str:
        """The user's DM with the bot; created (and waited for) when there is none."""
        async with self._dm_lock:
            room_id = self._dm_cache.get(user_id) or await self._state.get(f"matrix:dm:{user_id}")
            if room_id and self._usable(room_id, user_id):
                return room_id
            if room_id and not self.is_servant(user_id):
                raise RecipientGone(f"{user_id} left the chat with the bot")
            room_id = await self._create_dm(user_id)
            await self._learn_room(room_id, user_id)
        return room_id

    async def _create_dm(self, user_id: str) -> str:
        initial_state = []
        if self._encrypt_new_rooms:
            initial_state.append({"type": "m.room.encryption", "state_key": "",
                                  "content": {"algorithm": "m.megolm.v1.aes-sha2"}})
        client = self.client
        response = await self._call(lambda: client.room_create(
            is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat,
            initial_state=initial_state), "create DM", sending=True)
        assert isinstance(response, RoomCreateResponse)
        await self._state.set(f"matrix:partner:{response.room_id}", user_id)
        await self._remember_dm(user_id, response.room_id)
        log.info("matrix.dm_created", room=response.room_id)
        return str(response.room_id)

    # --- inbound --------------------------------------------------------------------------
    async def _on_event(self, room_id: str, event: Event) -> None:
        sender = getattr(event, "sender", None)
        if not sender or sender == self.user_id or not self._usable(room_id, sender):
            return
        event_id = event.event_id
        if event_id in self._delivered:
            return  # a batch synced again: this one went to the desk already
        if self._failed_batches.get(event_id, 0) >= self._retry.handler_attempts:
            log.error("matrix.event_skipped", event_id=event_id)
            self._failed_batches.pop(event_id, None)
            await self._note(room_id, SORRY, f"sorry:{event_id}")
            return
        inbound = await self._inbound(room_id, event)
        if inbound is None:
            return
        await self._remember_dm(sender, room_id)
        await self._deliver(inbound)
        self._delivered.add(event_id)
        if inbound.kind == "choice":
            await self._state.set(f"matrix:choices:{room_id}", "")

    async def _inbound(self, room_id: str, event: Event) -> Inbound | None:
        sender = event.sender
        room = self.client.rooms.get(room_id)
        common: dict[str, Any] = {
            "channel": self.name, "chat_id": sender, "sender_id": sender,
            "message_id": event.event_id,
            "display_name": room.user_name(sender) if room is not None else None,
        }
        if isinstance(event, MegolmEvent):
            decrypted = await self._decrypt(room_id, event)
            if decrypted is None:
                return None
            event = decrypted
        if isinstance(event, RoomMessageNotice):
            return None  # notices are for bots; never answer them (no loops)
        content: dict[str, Any] = event.source.get("content", {}) or {}
        relates = content.get("m.relates_to") or {}
        if relates.get("rel_type") == "m.replace":
            await self._note(room_id, EDIT_NOTE, f"edit:{event.event_id}")
            return None
        if isinstance(event, RoomMessageText | RoomMessageEmote):
            text = event.body
            if relates.get("m.in_reply_to"):
                text = fmt.strip_reply_fallback(text)
            return await self._text_inbound(room_id, sender, text, relates, common)
        kind = next((k for cls, k in _MEDIA_KINDS if isinstance(event, cls)), None)
        if kind is None and isinstance(event, RoomEncryptedMedia | RoomMessageUnknown):
            kind = _MSGTYPE_KINDS.get(str(content.get("msgtype")), "attachment")
        if kind is None:
            return None  # state, reactions, redactions: nothing a person said
        return Inbound(kind="unsupported", unsupported=kind, text=str(content.get("body", "")),
                       **common)

    async def _text_inbound(self, room_id: str, sender: str, text: str,
                            relates: dict[str, Any], common: dict[str, Any]) -> Inbound:
        command = fmt.parse_command(text)
        if command is not None:
            return Inbound(kind="command", text=fmt.command_text(*command), **common)
        live = await self._state.get(f"matrix:choices:{room_id}")
        if live:
            choices = [Choice(label, value) for label, value in json.loads(live)]
            picked = fmt.pick_choice(text, choices)
            if picked is not None:
                return Inbound(kind="choice", choice=picked.value, text=picked.label, **common)
        if self.is_servant(sender):
            target = relates.get("event_id") if relates.get("rel_type") == "m.thread" else \
                (relates.get("m.in_reply_to") or {}).get("event_id")
            case = await self._state.get(f"matrix:case:{target}") if target else None
            if case and text.strip():
                return Inbound(kind="command", text=f"/antwoord {case} {text.strip()}",
                               **common)
        return Inbound(kind="text", text=text, **common)

    async def _decrypt(self, room_id: str, event: MegolmEvent) -> Event | None:
        """The event decrypted now that its key may have arrived; ``_NotYet`` while still
        within the grace period; ``None`` (after a note to the person) when it is over."""
        event.room_id = room_id
        try:
            return self.client.decrypt_event(event)
        except Exception:  # nio raises EncryptionError (no session) and others
            pass
        loop = asyncio.get_running_loop()
        first = self._unreadable_since.setdefault(event.event_id, loop.time())
        if loop.time() - first < self._undecryptable_grace:
            raise _NotYet(event.event_id)
        self._unreadable_since.pop(event.event_id, None)
        log.warning("matrix.undecryptable", room=room_id, event_id=event.event_id)
        await self._note(room_id, UNDECRYPTABLE, f"undecryptable:{event.event_id}")
        return None

    async def _deliver(self, inbound: Inbound) -> None:
        assert self._on_inbound is not None, "start() first"
        handler = self._on_inbound

        def failed(_exc: Exception, attempt: int, _last: bool) -> None:
            log.exception("matrix.handler_failed", event_id=inbound.message_id, attempt=attempt)

        if not await self._retry.run_handler(lambda: handler(inbound), failed):
            raise _HandlerFailed(inbound.message_id)

    async def _note(self, room_id: str, text: str, key: str) -> None:
        """A short note from the adapter itself (never the desk's data); best effort."""
        try:
            await self._send_parts(room_id, fmt.render(text), key, thread=None, case=None,
                                   servant_room=False)
        except (ChannelError, LocalProtocolError) as exc:
            log.info("matrix.note_failed", room=room_id, error=str(exc))

    # --- outbound -------------------------------------------------------------------------
    async def send(self, message: Outbound) -> None:
        """Deliver ``message``; resumes at the first part not yet sent, never repeats one."""
        room_id, partner = await self._room_for(message.chat_id)
        servant_room = partner is not None and self.is_servant(partner)
        await self._send_parts(room_id, fmt.render(message.text, message.choices), message.key,
                               thread=message.thread, case=message.meta.get("case"),
                               servant_room=servant_room)
        if message.choices:
            await self._state.set(f"matrix:choices:{room_id}", json.dumps(
                [[c.label, c.value] for c in message.choices]))

    async def _send_parts(self, room_id: str, parts: list[dict[str, Any]], key: str, *,
                          thread: str | None, case: str | None, servant_room: bool) -> None:
        progress_key = f"matrix:sent:{key}"
        done = int(await self._state.get(progress_key) or 0)
        threaded = bool(thread) and servant_room
        root_key = f"matrix:thread:{room_id}:{thread}"
        root = await self._state.get(root_key) if threaded else None
        for index in range(done, len(parts)):
            content = dict(parts[index])
            if root:
                content["m.relates_to"] = {"rel_type": "m.thread", "event_id": root,
                                           "is_falling_back": True,
                                           "m.in_reply_to": {"event_id": root}}
            event_id = await self._room_send(room_id, content, f"{key}:{index}")
            if threaded and not root:
                root = event_id
                await self._state.set(root_key, event_id)
            if case and servant_room:
                await self._state.set(f"matrix:case:{event_id}", case)
            await self._state.set(progress_key, str(index + 1))

    async def _room_send(self, room_id: str, content: dict[str, Any], txn: str) -> str:
        client = self.client
        txn_id = f"wg{self._txn_prefix}.{fmt_txn(txn)}"
        async with self._send_lock:
            room = client.rooms.get(room_id)
            if room is not None and room.encrypted and client.olm is not None:
                # Know the devices of everyone in the room, invited people included, so
                # the room key reaches a person who has not joined yet (nio alone only
                # queries them when it fetches the member list).
                client.olm.update_tracked_users(room)
                if client.should_query_keys:
                    await self._call(client.keys_query, "keys query")
            try:
                response = await self._call(lambda: client.room_send(
                    room_id, "m.room.message", content, tx_id=txn_id,
                    ignore_unverified_devices=True), "send", sending=True)
            except LocalProtocolError as exc:  # nio does not know the room (yet)
                raise TransientError(str(exc)) from exc
        assert isinstance(response, RoomSendResponse)
        return str(response.event_id)


def fmt_txn(key: str) -> str:
    """A transaction id part that is safe in a URL path and unique per key."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)
    if safe == key and len(key) <= 120:
        return key
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()[:40]


def default_store_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("wegwijs", appauthor=False)) / "matrix-store"
