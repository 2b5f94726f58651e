"""APScheduler only wakes the desk: the follow-up dispatcher every minute and the
Monday 09:00 digest. Due times themselves live in the database (``bot.followup``): when
that Monday is a public holiday the digest row is due on the next working day, and the
minute tick fires it then."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

DISPATCH_JOB = "followup-dispatch"
DIGEST_JOB = "weekly-digest"


def build_scheduler(tick: Callable[[], Awaitable[None]], *, timezone: str = "Europe/Amsterdam",
                    interval_seconds: float = 60.0, digest_weekday: str = "mon",
                    digest_hour: int = 9) -> AsyncIOScheduler:
    """A scheduler (not started) whose two named jobs both call ``tick``."""
    scheduler = AsyncIOScheduler(timezone=timezone)
    scheduler.add_job(tick, "interval", seconds=interval_seconds, id=DISPATCH_JOB,
                      name=DISPATCH_JOB, replace_existing=True, coalesce=True,
                      max_instances=1, misfire_grace_time=None)
    scheduler.add_job(tick, "cron", day_of_week=digest_weekday, hour=digest_hour, minute=0,
                      id=DIGEST_JOB, name=DIGEST_JOB, replace_existing=True, coalesce=True,
                      max_instances=1, misfire_grace_time=None)
    return scheduler
