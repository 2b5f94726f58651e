"""The report's figures, computed from plain facts (no database here).

``bot.report.queries`` turns database rows into the fact values below; ``aggregate``
turns facts into ``ReportData``: every number the HTML shows, and nothing else. Only
aggregates leave this module, plus the masked texts of knowledge-gap questions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.report.mask import mask

# The report is one bilingual page ("Dutch / English" throughout); its own labels too.
UNKNOWN = "(onbekend / unknown)"
OTHER = "overig / other"  # the remainder bucket; ``charts`` greys it by its first word


@dataclass(frozen=True, slots=True)
class QuestionFact:
    at: dt.datetime
    theme: str | None
    needs: tuple[str, ...]
    region: str | None
    municipality: str | None
    out_of_scope: bool
    gap: bool
    gap_text: str | None = None


@dataclass(frozen=True, slots=True)
class CaseFact:
    created_at: dt.datetime
    consent_at: dt.datetime | None
    offered_at: dt.datetime | None
    accepted_at: dt.datetime | None
    resolved_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class GapGroup:
    theme: str
    place: str
    count: int
    examples: tuple[str, ...]


@dataclass(slots=True)
class ReportData:
    start: dt.date
    end: dt.date
    questions_source: str  # "question_stat" or "cases" (fallback, no out-of-scope figures)
    total_questions: int = 0
    out_of_scope: int = 0
    weeks: list[str] = field(default_factory=list)
    by_week_theme: dict[str, list[int]] = field(default_factory=dict)
    by_province: list[tuple[str, int]] = field(default_factory=list)
    by_need: list[tuple[str, int]] = field(default_factory=list)
    funnel: list[tuple[str, int]] = field(default_factory=list)
    accept_buckets: list[tuple[str, int]] = field(default_factory=list)
    sla_bucket: int = 2  # index of the last bucket within the SLA
    accepted_within_sla: int = 0
    accepted_total: int = 0
    waiting_past_sla: int = 0
    helped: list[tuple[str, int]] = field(default_factory=list)
    gaps: list[GapGroup] = field(default_factory=list)
    gap_total: int = 0


# ------------------------------------------------------------------ helpers


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_between(start: dt.date, end: dt.date) -> list[str]:
    out: list[str] = []
    day = start - dt.timedelta(days=start.weekday())
    while day <= end:
        out.append(iso_week(day))
        day += dt.timedelta(days=7)
    return out


def region_name(region: str, labels: Mapping[str, str]) -> str:
    """A province's name for the report: the knowledge map's (``labels``, e.g.
    "Fryslân"); for an id the map does not name (no map loaded, or a province recorded
    under an older map) the id made readable: "noord-holland" -> "Noord-Holland"."""
    if region in labels:
        return labels[region]
    if region == "nl":
        return NATIONAL_LABEL
    return "-".join(part[:1].upper() + part[1:] for part in region.split("-"))


def _ranked(counter: Counter[str], labels: Mapping[str, str], *,
            limit: int | None = None) -> list[tuple[str, int]]:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], labels.get(kv[0], kv[0])))
    out = [(labels.get(k, k), v) for k, v in items]
    if limit is not None and len(out) > limit:
        rest = sum(v for _, v in out[limit:])
        out = [*out[:limit], (OTHER, rest)]
    return out


# ------------------------------------------------------------------ aggregation

ACCEPT_BUCKETS = ("< 1 uur / < 1 h", "1–4 uur / 1–4 h", "4 uur – 1 werkdag / 4 h – 1 working day",
                  "1–2 werkdagen / 1–2 working days", "> 2 werkdagen / > 2 working days")
NATIONAL_LABEL = "landelijk / national"
HELPED_LABELS = {"yes": "ja / yes", "partly": "deels / partly", "no": "nee / no"}


def aggregate(
    *,
    start: dt.date,
    end: dt.date,
    questions: Sequence[QuestionFact],
    cases: Sequence[CaseFact],
    checkins: Sequence[str],
    labels: Mapping[str, str],
    add_working_days: Callable[[dt.datetime, int], dt.datetime],
    now: dt.datetime,
    questions_source: str = "question_stat",
    sla_days: int = 1,
    tz: str = "Europe/Amsterdam",
    top_themes: int = 8,
    examples_per_gap: int = 3,
    keep_words: frozenset[str] = frozenset(),
) -> ReportData:
    """All figures for the period ``start``..``end`` (local dates, inclusive).

    ``labels`` maps theme, need and region ids to readable names; ``keep_words`` are
    capitalised words that are not names (see ``bot.report.mask.known_words``).
    """
    zone = ZoneInfo(tz)
    data = ReportData(start=start, end=end, questions_source=questions_source)
    data.total_questions = len(questions)
    data.out_of_scope = sum(q.out_of_scope for q in questions)
    in_scope = [q for q in questions if not q.out_of_scope]

    data.weeks = weeks_between(start, end)
    theme_counts = Counter(q.theme or UNKNOWN for q in in_scope)
    keep = [t for t, _ in theme_counts.most_common(top_themes)]
    series: dict[str, list[int]] = {}
    for theme in keep + ([OTHER] if len(theme_counts) > len(keep) else []):
        series[labels.get(theme, theme)] = [0] * len(data.weeks)
    index = {w: i for i, w in enumerate(data.weeks)}
    for q in in_scope:
        week = iso_week(q.at.astimezone(zone).date())
        if week not in index:
            continue
        theme = q.theme or UNKNOWN
        name = labels.get(theme, theme) if theme in keep else OTHER
        series[name][index[week]] += 1
    data.by_week_theme = series

    provinces = Counter(q.region or UNKNOWN for q in in_scope)
    data.by_province = _ranked(provinces, {r: region_name(r, labels) for r in provinces
                                           if r != UNKNOWN})
    data.by_need = _ranked(Counter(n for q in in_scope for n in q.needs), labels)

    data.funnel = [
        ("aangeboden / offered", len(cases)),
        ("ja gezegd / consented", sum(c.consent_at is not None for c in cases)),
        ("aangenomen / accepted", sum(c.accepted_at is not None for c in cases)),
        ("opgelost / resolved", sum(c.resolved_at is not None for c in cases)),
    ]
    _accept_times(data, cases, add_working_days, now, sla_days)

    answers = Counter(checkins)
    data.helped = [(HELPED_LABELS[k], answers.get(k, 0)) for k in ("yes", "partly", "no")]

    _gaps(data, in_scope, labels, examples_per_gap, keep_words)
    return data


def _accept_times(data: ReportData, cases: Sequence[CaseFact],
                  add_working_days: Callable[[dt.datetime, int], dt.datetime],
                  now: dt.datetime, sla_days: int) -> None:
    buckets = [0] * len(ACCEPT_BUCKETS)
    for c in cases:
        if c.offered_at is None:
            continue
        due = add_working_days(c.offered_at, sla_days)
        if c.accepted_at is None:
            if now > due and c.resolved_at is None:
                data.waiting_past_sla += 1
            continue
        data.accepted_total += 1
        hours = (c.accepted_at - c.offered_at).total_seconds() / 3600
        if c.accepted_at <= due:
            data.accepted_within_sla += 1
            bucket = 0 if hours < 1 else 1 if hours < 4 else 2
        else:
            bucket = 3 if c.accepted_at <= add_working_days(c.offered_at, 2 * sla_days) else 4
        buckets[bucket] += 1
    data.accept_buckets = list(zip(ACCEPT_BUCKETS, buckets, strict=True))


def _gaps(data: ReportData, questions: Sequence[QuestionFact], labels: Mapping[str, str],
          examples_per_gap: int, keep_words: frozenset[str]) -> None:
    groups: dict[tuple[str, str], list[QuestionFact]] = defaultdict(list)
    for q in questions:
        if not q.gap:
            continue
        theme = labels.get(q.theme, q.theme) if q.theme else UNKNOWN
        region = region_name(q.region, labels) if q.region else None
        place = (f"{q.municipality} ({region})" if q.municipality and region
                 else q.municipality or region or UNKNOWN)
        groups[(theme, place)].append(q)
    data.gap_total = sum(len(v) for v in groups.values())
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    data.gaps = [
        GapGroup(theme, place, len(items),
                 tuple(mask(q.gap_text, keep_words) for q in items
                       if q.gap_text)[:examples_per_gap])
        for (theme, place), items in ordered
    ]
