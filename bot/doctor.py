"""``wegwijs doctor``: is this installation ready to run?

Checks configuration, database reachability, migrations, channel credentials (reported as
set / not set, never shown; the Telegram token's form is checked offline), the knowledge
map, and which chat channels running desk processes serve (``served_channel``): civil
servants whose messages would fall back to the terminal, and outbox messages waiting for a
channel no process serves. Each check yields a ``Finding``; any ``fail`` makes the command
exit non-zero. Nothing here prints a secret (not even a piece of one), a message text
or a database password.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import SecretStr, ValidationError

from bot.settings import Settings
from bot.telegram_token import token_sentence

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy import Engine

    from bot.migrations import SchemaStatus
    from routing.model import KnowledgeMap

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    detail: str


def safe_url(url: str) -> str:
    """The database URL with its password masked."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a valid database URL)"


def _set(value: SecretStr | str | None) -> str:
    return "set" if value else "not set"


def settings_errors(exc: ValidationError) -> list[str]:
    """Validation errors as lines, without the offending input (it may be a secret)."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(p) for p in error.get("loc", ())) or "settings"
        env = f"WEGWIJS_{where.upper()}" if where != "settings" else "settings"
        lines.append(f"{env}: {error['msg'].removeprefix('Value error, ')}")
    return lines


def check_configuration(load: Callable[[], Settings]) -> tuple[Finding, Settings | None]:
    try:
        settings = load()
    except ValidationError as exc:
        return Finding("configuration", "fail", "; ".join(settings_errors(exc))), None
    return Finding("configuration", "ok", "valid"), settings


def missing_sqlite_file(url: str) -> bool:
    """True for a SQLite URL whose file does not exist (yet)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return False
    database = parsed.database or ""
    return (parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
            and not database.startswith("file:") and not Path(database).expanduser().exists())


def check_database(settings: Settings) -> Iterator[Finding]:
    import sqlalchemy as sa

    from bot import migrations
    from bot.db import make_engine

    os.environ.setdefault("PGCONNECT_TIMEOUT", "10")  # libpq: don't hang on a dead host
    where = safe_url(settings.database_url)
    if missing_sqlite_file(settings.database_url):  # connecting would create it, empty
        yield Finding("database", "ok", f"{where} does not exist yet; "
                      "`wegwijs db upgrade` creates it")
        yield Finding("migrations", "fail", "database is empty: run `wegwijs db upgrade`")
        return
    try:
        engine = make_engine(settings.database_url)
    except Exception as exc:
        yield Finding("database", "fail", f"{where}: {type(exc).__name__}")
        yield Finding("migrations", "fail", "not checked: no database")
        return
    try:
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except Exception as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()
            yield Finding("database", "fail",
                          f"{where} unreachable: {reason[0] if reason else type(exc).__name__}")
            yield Finding("migrations", "fail", "not checked: no database")
            return
        yield Finding("database", "ok", f"{where} reachable")
        yield _migration_finding(migrations.status(engine), migrations.known_revisions())
    finally:
        engine.dispose()


def _migration_finding(status: SchemaStatus, known: set[str]) -> Finding:
    if status.at_head:
        return Finding("migrations", "ok", f"at {status.head} (newest)")
    if status.untracked_tables:
        return Finding("migrations", "fail",
                       "tables exist without migration history: run `wegwijs db upgrade`")
    if status.current is None:
        return Finding("migrations", "fail", "database is empty: run `wegwijs db upgrade`")
    if status.current not in known:
        return Finding("migrations", "fail",
                       f"database is at {status.current}, newer than this Wegwijs "
                       f"({status.head}): upgrade Wegwijs")
    return Finding("migrations", "fail",
                   f"at {status.current}, newest is {status.head}: run `wegwijs db upgrade`")


def _telegram_finding(settings: Settings) -> Finding:
    if settings.telegram_token:
        problem = token_sentence(settings.telegram_token.get_secret_value())
        if problem:
            return Finding("telegram", "fail", problem)
        mode = "webhook" if settings.telegram_webhook_url else "long polling"
        detail = f"token set; {mode}"
        if settings.telegram_webhook_url:
            detail += f"; webhook secret {_set(settings.telegram_webhook_secret)}"
            if not settings.telegram_webhook_url.startswith("https://"):
                return Finding("telegram", "fail", detail + "; webhook URL must be https")
        return Finding("telegram", "ok", detail)
    if settings.telegram_webhook_url or settings.telegram_webhook_secret:
        return Finding("telegram", "fail", "webhook configured but token not set")
    return Finding("telegram", "ok", "not configured (token not set)")


def check_channels(settings: Settings) -> Iterator[Finding]:
    any_channel = bool(settings.telegram_token)
    yield _telegram_finding(settings)

    matrix = {"homeserver": settings.matrix_homeserver, "user id": settings.matrix_user_id}
    secret = settings.matrix_access_token or settings.matrix_password
    parts = ", ".join(f"{k} {_set(v)}" for k, v in matrix.items())
    parts += f", password {_set(settings.matrix_password)}"
    parts += f", access token {_set(settings.matrix_access_token)}"
    if all(matrix.values()) and secret:
        any_channel = True
        yield Finding("matrix", "ok", parts)
    elif any(matrix.values()) or secret:
        yield Finding("matrix", "fail", f"incomplete: {parts}")
    else:
        yield Finding("matrix", "ok", "not configured")
    if not any_channel:
        yield Finding("channels", "warn", "no chat channel configured: only the terminal works")


def check_knowledge(path: Path, today: dt.date | None = None) -> Iterator[Finding]:
    yield _knowledge(path, today)[0]


def _knowledge(path: Path, today: dt.date | None = None
               ) -> tuple[Finding, KnowledgeMap | None]:
    """The map's state; funds' open windows are judged as on ``today`` (as the check does)."""
    if not path.is_dir():
        return Finding("knowledge map", "fail", f"{path} is not a folder"), None
    try:
        from routing.load import check_knowledge as check_map
    except ImportError as exc:  # pragma: no cover - only while routing is incomplete
        return Finding("knowledge map", "fail", f"cannot load maps: {exc}"), None
    try:
        kmap, problems = check_map(path, today=today)
    except Exception as exc:
        kmap, problems, lines = None, [], [ln.strip() for ln in str(exc).splitlines()]
    else:
        lines = [str(p) for p in problems if p.severity == "error"]
    if kmap is None:
        lines = [ln for ln in lines if ln]
        shown = "; ".join(lines[:5]) + (f" (+{len(lines) - 5} more)" if len(lines) > 5 else "")
        return Finding("knowledge map", "fail", f"{path}: {shown or 'cannot be loaded'}"), None
    detail = (f"{path}: {len(kmap.themes)} themes, {len(kmap.entries)} entries, "
              f"{len(kmap.servants)} civil servants")
    warnings = sum(p.severity == "warning" for p in problems)
    if warnings:
        detail += f"; {warnings} warning(s), see `wegwijs knowledge check`"
    if not kmap.servants:
        return Finding("knowledge map", "warn", detail + " (no one can take a handover)"), kmap
    return Finding("knowledge map", "ok", detail), kmap


def check_served(settings: Settings, kmap: KnowledgeMap | None,
                 now: dt.datetime | None = None) -> Iterator[Finding]:
    """Which channels live desk processes serve; servants that would be addressed to the
    terminal for want of one; outbox messages waiting for an unserved channel."""
    from bot.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        yield from _served_findings(engine, kmap, now)
    except Exception as exc:
        yield Finding("served channels", "warn", f"not checked: {type(exc).__name__}")
    finally:
        engine.dispose()


def _served_findings(engine: Engine, kmap: KnowledgeMap | None,
                     now: dt.datetime | None) -> Iterator[Finding]:
    import datetime as dt

    from sqlmodel import Session, col, select

    from bot import outbox, presence
    from bot.models import OutboxMessage, ServantState

    now = now or dt.datetime.now(dt.UTC)
    minutes = int(presence.SERVED_TTL.total_seconds() // 60)
    with Session(engine) as session:
        served = presence.served_channels(session, now)
        waiting: dict[str, int] = {}
        for name in session.exec(select(OutboxMessage.channel).where(
                col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed).is_(None),
                col(OutboxMessage.channel) != outbox.TERMINAL)).all():
            if name not in served:
                waiting[name] = waiting.get(name, 0) + 1
        seen = {s.servant_id for s in session.exec(select(ServantState)).all()
                if s.last_channel and s.last_chat_id}
    if served:
        yield Finding("served channels", "ok", ", ".join(
            f"{name} by {n} process{'es' if n > 1 else ''}" for name, n in sorted(served.items())))
    else:
        yield Finding("served channels", "warn",
                      f"no desk process has reported in the last {minutes} minutes "
                      "(is `wegwijs serve` running?)")
    if waiting:
        yield Finding("outbox", "warn", "; ".join(
            f"{n} message(s) wait for a process serving {name}"
            for name, n in sorted(waiting.items())))
    if kmap is None or not served:
        return
    stranded = [s.id for s in kmap.servants if s.channels and s.id not in seen
                and not any(name in served for name in s.channels)]
    if stranded:
        shown = ", ".join(stranded[:5]) + (f" (+{len(stranded) - 5} more)"
                                           if len(stranded) > 5 else "")
        yield Finding("servant addresses", "warn",
                      f"no live process serves the chat channels of {shown}: their messages "
                      "go to the terminal (`wegwijs staff --as ID`)")
    else:
        yield Finding("servant addresses", "ok",
                      "every civil servant with a chat address is reachable on it")


def run(load: Callable[[], Settings] = Settings) -> list[Finding]:
    """Every check, in order. Later checks are skipped when the configuration is invalid."""
    first, settings = check_configuration(load)
    findings = [first]
    if settings is None:
        return findings
    findings += check_database(settings)
    findings += check_channels(settings)
    import datetime as dt
    from zoneinfo import ZoneInfo

    knowledge, kmap = _knowledge(settings.knowledge,
                                 dt.datetime.now(ZoneInfo(settings.timezone)).date())
    findings.append(knowledge)
    if any(f.check == "migrations" and f.status == "ok" for f in findings):
        findings += check_served(settings, kmap)
    return findings


_MARK: Mapping[Status, str] = {"ok": "[ok]  ", "warn": "[warn]", "fail": "[FAIL]"}


def render(findings: Iterable[Finding]) -> str:
    findings = list(findings)
    width = max(len(f.check) for f in findings)
    lines = ["Wegwijs doctor"]
    lines += [f"  {_MARK[f.status]} {f.check.ljust(width)}  {f.detail}" for f in findings]
    failed = sum(f.status == "fail" for f in findings)
    lines.append(f"{failed} problem(s) found." if failed else "All checks passed.")
    return "\n".join(lines)


def exit_code(findings: Iterable[Finding]) -> int:
    return 1 if any(f.status == "fail" for f in findings) else 0
