"""The one place where python-telegram-bot's exceptions become the desk's ``ChannelError``
family (used by the Telegram adapter, ``bot/channels/telegram.py``)."""

from __future__ import annotations

import datetime as dt
import os

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.channel import ChannelError, RateLimited, RecipientGone, TransientError

# Opt in to PTB's future ``timedelta`` time periods: with the int form, building or reading
# ``RetryAfter.retry_after`` emits a deprecation warning every time. PTB reads it per call.
os.environ.setdefault("PTB_TIMEDELTA", "true")

#: Texts of a 400 answer that mean the person cannot be reached (any case).
_RECIPIENT_GONE_400 = ("chat not found", "user not found", "peer_id_invalid",
                       "user is deactivated", "bot was kicked")


def channel_error(exc: TelegramError) -> ChannelError:
    """The desk's ``ChannelError`` for a PTB exception: 429 -> ``RateLimited``, blocked or
    gone -> ``RecipientGone``, network faults, 5xx and 409 -> ``TransientError``."""
    if isinstance(exc, RetryAfter):
        return RateLimited(seconds(exc.retry_after))
    if isinstance(exc, Forbidden):
        return RecipientGone(exc.message)
    if isinstance(exc, InvalidToken):
        return ChannelError("Telegram rejected the bot token")
    if isinstance(exc, BadRequest):
        if any(reason in exc.message.lower() for reason in _RECIPIENT_GONE_400):
            return RecipientGone(exc.message)
        return ChannelError(exc.message)
    if isinstance(exc, ChatMigrated):
        return ChannelError("the chat moved to a supergroup")
    if isinstance(exc, Conflict | NetworkError):  # NetworkError includes TimedOut and 5xx
        return TransientError(exc.message)
    return ChannelError(exc.message)


def seconds(value: int | float | dt.timedelta) -> float:
    """A PTB time period (``RetryAfter.retry_after``: seconds or a ``timedelta``) in seconds."""
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
