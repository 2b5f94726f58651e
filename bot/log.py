"""Structured logging: JSON lines in production, readable lines on a console; ids, never
message texts, handles or secrets.

Call ``configure_logging(settings)`` once in an entry point. Log with
``structlog.get_logger(__name__).info("case.taken", case_id=7, servant_id="s-utrecht")``.

Privacy works in two layers, applied to structlog *and* standard-library records (so
python-telegram-bot, httpx, nio and APScheduler are covered too):

1. Keys that carry personal data or secrets (``text``, ``question``, ``handle``,
   ``sender_id``, ``chat_id``, ``token``, ...) have their value replaced by ``[redacted]``.
2. Every remaining string (the event itself, exception text, foreign log messages) is
   scrubbed of things that look like secrets or handles: bot tokens (also inside URLs),
   Matrix ids, e-mail addresses, phone numbers, credentials in URLs, bearer tokens.

Logs go to stderr: stdout belongs to the terminal channel.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Mapping, MutableMapping
from typing import IO, Any, Protocol

import structlog
from pydantic import SecretStr
from structlog.typing import EventDict, Processor, WrappedLogger

REDACTED = "[redacted]"

#: Key names (lower case) whose values are never logged. Matched exactly, and also as the
#: last ``_``-separated part (``question_text``, ``servant_handle``, ``bot_token``...).
SENSITIVE_KEYS: frozenset[str] = frozenset(
    {
        # message content
        "text", "body", "message", "message_text", "content", "question", "answer",
        "summary", "note", "reason", "reply", "payload", "caption", "choice_label",
        # who someone is on a network
        "handle", "display_name", "displayname", "username", "user_name", "name", "sender",
        "sender_id", "chat_id", "user_id", "matrix_user_id", "telegram_user_id", "phone",
        "email", "address", "initiative", "initiative_name", "place_text",
        # secrets
        "token", "password", "passwd", "secret", "access_token", "refresh_token", "api_key",
        "apikey", "authorization", "cookie", "webhook_secret", "database_url", "dsn",
    }
)
_SENSITIVE_SUFFIXES = ("text", "handle", "token", "password", "secret", "body", "email")

#: Keys added by logging machinery that are always safe to keep as they are.
_STRUCTURAL_KEYS = frozenset({"level", "timestamp", "logger", "logger_name", "_record",
                              "_from_structlog"})

_SCRUBBERS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Telegram bot token, bare or inside https://api.telegram.org/bot<TOKEN>/getMe
    (re.compile(r"(?<!\d)\d{5,12}:[A-Za-z0-9_-]{30,}"), "[token]"),
    # user:password@ in URLs (database URLs, proxies)
    (re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+@"), "[credentials]@"),
    # access_token=..., token=..., password=... in query strings or key=value text
    (re.compile(r"(?i)\b(access_token|token|password|secret|api_key)=([^&\s]+)"),
     r"\1=[redacted]"),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [redacted]"),
    # Matrix ids: @user:server, also room aliases #room:server
    (re.compile(r"(?<![\w\]])[@#][A-Za-z0-9._=/+-]+:[A-Za-z0-9.-]+(?::\d+)?"), "[matrix-id]"),
    # e-mail addresses
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[email]"),
    # phone numbers: 06-12345678, +31 6 1234 5678, 0031612345678, other +CC numbers
    (re.compile(r"(?<![\w+])(?:(?:\+31|0031)[\s-]?|0)(?:\d[\s-]?){8}\d(?!\w)"), "[phone]"),
    (re.compile(r"(?<![\w+])\+\d{1,3}[\s-]?(?:\d[\s-]?){6,12}\d(?!\w)"), "[phone]"),
)


def scrub(text: str) -> str:
    """Remove secret- and handle-shaped substrings from free text."""
    for pattern, replacement in _SCRUBBERS:
        text = pattern.sub(replacement, text)
    return text


def is_sensitive_key(key: str) -> bool:
    lowered = key.lower()
    if lowered in SENSITIVE_KEYS:
        return True
    return lowered.rsplit("_", 1)[-1] in _SENSITIVE_SUFFIXES


def _clean(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return REDACTED
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {k: (REDACTED if isinstance(k, str) and is_sensitive_key(k) else _clean(v))
                for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(v) for v in value]
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    # Anything else (objects, exceptions, datetimes) is logged by its scrubbed repr.
    return scrub(str(value))


def redact(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: drop sensitive values, scrub the rest. Runs last before rendering."""
    for key in list(event_dict):
        if key in _STRUCTURAL_KEYS:
            continue
        if key != "event" and is_sensitive_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _clean(event_dict[key])
    return event_dict


class _LogSettings(Protocol):
    log_format: str
    log_level: str


class _Stderr:
    """Whatever ``sys.stderr`` is at the time of writing (test runners swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


_HANDLER_NAME = "wegwijs"
#: Chatty libraries whose INFO lines carry request URLs (with the bot token) or payloads.
QUIET_LIBRARIES = ("httpx", "httpcore", "telegram", "nio", "apscheduler", "aiohttp.access",
                   "alembic.runtime.plugins")


def configure_logging(
    settings: _LogSettings | None = None,
    *,
    log_format: str | None = None,
    log_level: str | None = None,
    stream: IO[str] | None = None,
) -> None:
    """Configure structlog and the standard library's root logger. Safe to call again."""
    fmt = (log_format or (settings.log_format if settings else "console")).lower()
    level_name = (log_level or (settings.log_level if settings else "INFO")).upper()
    if fmt not in ("json", "console"):
        raise ValueError(f"log format must be 'json' or 'console', not {fmt!r}")
    level = logging.getLevelName(level_name)
    if not isinstance(level, int):
        raise ValueError(f"unknown log level {level_name!r}")
    out: IO[str] | _Stderr = stream if stream is not None else _Stderr()

    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer(sort_keys=True)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False, pad_event_to=30)
    final: Iterable[Processor] = (
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        structlog.processors.format_exc_info,  # exception text becomes a string: scrubbed
        redact,
        renderer,
    )

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        processors=list(final), foreign_pre_chain=shared))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def bind_ids(**ids: str | int | None) -> None:
    """Bind ids (``case_id``, ``volunteer_id``...) to every log line of the current task."""
    structlog.contextvars.bind_contextvars(**{k: v for k, v in ids.items() if v is not None})


def unbind_ids(*keys: str) -> None:
    structlog.contextvars.unbind_contextvars(*keys)


def redacted_copy(values: MutableMapping[str, Any]) -> dict[str, Any]:
    """A log-safe copy of a mapping (for code that wants to log a dict of fields)."""
    return dict(redact(None, "info", dict(values)))
