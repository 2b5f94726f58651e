"""The one place where a Matrix error answer (matrix-nio's ``ErrorResponse``) becomes the
desk's ``ChannelError`` family (used by the Matrix adapter, ``bot/channels/matrix.py``)."""

from __future__ import annotations

from nio import ErrorResponse

from bot.channel import ChannelError, RateLimited, RecipientGone, TransientError

#: Error codes that, for a request addressed to a room or person, mean it cannot be reached.
_GONE_ERRCODES = ("M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN")


class TokenRejected(ChannelError):
    """The access token was revoked or expired (the bot logs in again if it has a password)."""


def channel_error(response: ErrorResponse, *, sending: bool = False) -> ChannelError:
    """The desk's ``ChannelError`` for a Matrix error answer.

    ``sending``: the request addressed a room or a person, so "forbidden" and "not found"
    mean the recipient cannot be reached."""
    status = getattr(response.transport_response, "status", None)
    code = response.status_code or ""
    if code == "M_LIMIT_EXCEEDED" or status == 429:
        return RateLimited((response.retry_after_ms or 5000) / 1000.0)
    if (status is not None and status >= 500) or (status is None and not code):
        return TransientError(str(response))
    if code == "M_UNKNOWN_TOKEN":
        return TokenRejected("the homeserver no longer accepts the bot's access token")
    if sending and code in _GONE_ERRCODES:
        return RecipientGone(str(response))
    return ChannelError(str(response))
