"""Who takes the warm handover: the rule of the knowledge-format README.

Among servants not absent on the day and below ``max_open_cases``: those owning the
primary theme in the initiative's province beat those owning it nationally (``nl``), who
beat the general desk (``algemeen``). Ties go to the fewest open cases; among those, one
who writes the question's language comes first (the rule leaves that tie open), then the id.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date

from routing.model import GENERAL_THEME, NATIONAL, KnowledgeMap, Servant

_PROVINCIAL, _NATIONAL_TIER, _GENERAL = 0, 1, 2


def _tier(servant: Servant, theme: str | None, region: str | None) -> int | None:
    if theme is not None and theme != GENERAL_THEME and theme in servant.themes:
        if region is not None and region != NATIONAL and region in servant.regions:
            return _PROVINCIAL
        if NATIONAL in servant.regions:
            return _NATIONAL_TIER
    if GENERAL_THEME in servant.themes:
        return _GENERAL
    return None


def servant_tiers(kmap: KnowledgeMap, *, theme: str | None,
                  region: str | None) -> list[tuple[int, Servant]]:
    """The servants who may take a question on ``theme`` in ``region``, each with its tier
    (0 province, 1 national, 2 general desk); independent of the day and the workload."""
    tiers = []
    for servant in kmap.servants:
        tier = _tier(servant, theme, region)
        if tier is not None:
            tiers.append((tier, servant))
    return tiers


def order_servants(tiers: Sequence[tuple[int, Servant]], *, today: date,
                   open_cases: Mapping[str, int], exclude: Collection[str] = (),
                   lang: str | None = None) -> list[Servant]:
    """``servant_tiers`` output without the absent, full or excluded, in handover order."""
    return order_present(present_tiers(tiers, today=today), open_cases=open_cases,
                         exclude=exclude, lang=lang)


def present_tiers(tiers: Sequence[tuple[int, Servant]], *,
                  today: date) -> list[tuple[int, Servant]]:
    """``servant_tiers`` output without the servants absent on ``today``."""
    return [(tier, servant) for tier, servant in tiers if not servant.is_absent(today)]


def order_present(tiers: Sequence[tuple[int, Servant]], *, open_cases: Mapping[str, int],
                  exclude: Collection[str] = (), lang: str | None = None) -> list[Servant]:
    """``present_tiers`` output without the full or excluded, in handover order; ``lang``
    (the question's language) breaks a tie on open cases."""
    ranked: list[tuple[int, int, bool, str, Servant]] = []
    for tier, servant in tiers:
        if servant.id in exclude:
            continue
        cases = open_cases.get(servant.id, 0)
        if cases < servant.max_open_cases:
            foreign = lang is not None and lang not in servant.languages
            ranked.append((tier, cases, foreign, servant.id, servant))
    ranked.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    return [r[4] for r in ranked]


def rank_servants(kmap: KnowledgeMap, *, theme: str | None, region: str | None, today: date,
                  open_cases: Mapping[str, int], exclude: Collection[str] = (),
                  lang: str | None = None) -> list[Servant]:
    """Eligible servants ordered by the handover rule of the format README.

    The first is the one to hand over to; the rest are the escalation order; the general
    desk comes last. Absent servants and those at or over ``max_open_cases`` are skipped.
    """
    return order_servants(servant_tiers(kmap, theme=theme, region=region), today=today,
                          open_cases=open_cases, exclude=exclude, lang=lang)
