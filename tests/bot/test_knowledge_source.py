"""Live reload: a valid change goes live, a broken one is refused (old map stays, admins are
told), SIGHUP reloads, and closed funds drop out on their date without any reload."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.knowledge_source import KnowledgeSource, Snapshot, refusal_text
from routing.load import KnowledgeError, load_knowledge
from routing.model import Servant
from tests.conftest import EVAL_DIR

ADMIN = "anouk-de-vries"


def _edit(folder: Path, file: str, change: Any) -> None:
    path = folder / file
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(items)
    path.write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def _make_admin(items: list[dict[str, Any]]) -> None:
    for s in items:
        if s["id"] == ADMIN:
            s["admin"] = True


def _rename_first_fund(name: str) -> Any:
    def change(items: list[dict[str, Any]]) -> None:
        items[0]["name"] = name
    return change


class Inbox:
    """What the runtime would deliver to admins: collected, not sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def __call__(self, servant: Servant, text: str) -> None:
        self.sent.append((servant.id, text))


@pytest.fixture
def folder(eval_knowledge_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(eval_knowledge_dir, target)
    _edit(target, "civil_servants.yaml", _make_admin)
    return target


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def source(folder: Path, inbox: Inbox) -> KnowledgeSource:
    return KnowledgeSource.open(folder, notify=inbox, poll_seconds=60)


async def test_a_valid_change_goes_live_once_it_is_stable(source: KnowledgeSource,
                                                          folder: Path) -> None:
    first = source.snapshot
    assert source.version == 1 and source.current == load_knowledge(folder)
    _edit(folder, "funds.yaml", _rename_first_fund("Fonds Schone Buurt 2027"))
    assert await source.poll_once() is None  # seen, not yet read: it may still be changing
    result = await source.poll_once()
    assert result is not None and result.outcome == "loaded"
    assert source.version == 2
    assert source.current.entry("fonds-schone-buurt").name == "Fonds Schone Buurt 2027"
    assert await source.poll_once() is None  # nothing new
    # a snapshot taken for a message in progress stays whole
    assert first.kmap.entry("fonds-schone-buurt").name == "Fonds Schone Buurt"
    assert first.router.kmap is first.kmap


async def test_a_broken_change_is_refused_and_admins_are_told(source: KnowledgeSource,
                                                              folder: Path,
                                                              inbox: Inbox) -> None:
    live = source.current
    (folder / "funds.yaml").write_text("- id: [kapot\n  name: x\n", encoding="utf-8")
    await source.poll_once()
    result = await source.poll_once()
    assert result is not None and result.outcome == "refused" and result.problems
    assert source.current is live and source.version == 1
    assert [servant for servant, _ in inbox.sent] == [ADMIN]
    assert "funds.yaml" in inbox.sent[0][1] and "NIET geladen" in inbox.sent[0][1]
    # the same broken files are not reported again on every poll
    assert await source.poll_once() is None and await source.poll_once() is None
    assert len(inbox.sent) == 1
    # fixing it makes it live
    _restore(folder, "funds.yaml")
    await source.poll_once()
    fixed = await source.poll_once()
    assert fixed is not None and fixed.outcome == "loaded" and source.version == 2


def _restore(folder: Path, file: str) -> None:
    """Put the example map's own version of ``file`` back."""
    shutil.copy(EVAL_DIR / "knowledge" / file, folder / file)


async def test_an_unknown_reference_is_refused_with_its_line(source: KnowledgeSource,
                                                             folder: Path,
                                                             inbox: Inbox) -> None:
    def typo(items: list[dict[str, Any]]) -> None:
        items[0]["themes"] = ["zwerfafvl"]

    _edit(folder, "funds.yaml", typo)
    result = await source.reload()
    assert result.outcome == "refused"
    assert any("zwerfafvl" in p.message for p in result.problems)
    assert source.version == 1 and "zwerfafvl" in inbox.sent[0][1]


async def test_a_folder_being_swapped_is_waited_for(source: KnowledgeSource, folder: Path,
                                                    inbox: Inbox) -> None:
    aside = folder.with_name("aside")
    os.rename(folder, aside)
    assert await source.poll_once() is None
    assert await source.poll_once() is None
    assert inbox.sent == [] and source.version == 1
    os.rename(aside, folder)
    assert await source.poll_once() is None


async def test_sighup_reloads_at_once(source: KnowledgeSource, folder: Path) -> None:
    swapped: list[Snapshot] = []

    async def on_swap(snapshot: Snapshot) -> None:
        swapped.append(snapshot)

    source.on_swap = on_swap
    source.start()
    try:
        _edit(folder, "funds.yaml", _rename_first_fund("Na SIGHUP"))
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(200):  # wait for the event loop to run the reload (not a timing check)
            if swapped:
                break
            await asyncio.sleep(0.05)
        assert source.version == 2
        assert source.current.entry("fonds-schone-buurt").name == "Na SIGHUP"
        assert [s.version for s in swapped] == [2]
    finally:
        await source.stop()


async def test_the_watcher_picks_up_a_file_change(folder: Path, inbox: Inbox) -> None:
    source = KnowledgeSource.open(folder, notify=inbox, poll_seconds=0.05)
    source.start(sighup=False)
    try:
        _edit(folder, "funds.yaml", _rename_first_fund("Gezien door de watcher"))
        for _ in range(200):
            if source.version == 2:
                break
            await asyncio.sleep(0.05)
        assert source.current.entry("fonds-schone-buurt").name == "Gezien door de watcher"
    finally:
        await source.stop()


def test_a_broken_map_at_start_up_is_an_error(folder: Path) -> None:
    (folder / "themes.yaml").write_text("{not: a list}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        KnowledgeSource.open(folder)


def test_refusal_text_lists_problems_in_the_servants_language() -> None:
    from routing.load import Problem

    problems = [Problem("funds.yaml", i, f"probleem {i}", "error") for i in range(1, 14)]
    nl = refusal_text(problems, "nl")
    assert "funds.yaml:1: probleem 1" in nl and "en nog 3" in nl
    assert "was NOT loaded" in refusal_text(problems, "en")


# ------------------------------------------------------------------ closed funds


async def test_a_fund_stops_being_offered_after_its_closing_date(folder: Path) -> None:
    """No edit, no reload: the same live map routes differently on the next day."""
    question = "Wij willen zwerfvuil opruimen met de buurt en zoeken geld voor grijpers"
    source = KnowledgeSource.open(folder)
    day = dt.date(2026, 11, 23)
    offered = [r.id for r in source.router.route(question, today=day).routes]
    fund = next(e for e in (source.current.entry(i) for i in offered) if e.kind == "fund")

    def close_on(items: list[dict[str, Any]]) -> None:
        for e in items:
            if e["id"] == fund.id:
                e["open"] = {"from": dt.date(2026, 1, 1), "until": day}

    _edit(folder, "funds.yaml", close_on)
    assert (await source.reload()).outcome == "loaded"
    version = source.version
    on_the_day = [r.id for r in source.router.route(question, today=day).routes]
    next_day = [r.id for r in source.router.route(question, today=day + dt.timedelta(days=1))
                .routes]
    assert fund.id in on_the_day
    assert fund.id not in next_day
    assert source.version == version  # nothing was reloaded in between


# ------------------------------------------------------------------ in the running desk


async def test_a_running_desk_swaps_maps_without_disturbing_conversations(
        folder: Path, tmp_path: Path) -> None:
    from tests.bot.desk.harness import Harness, choice_values, local, texts

    question = "Hallo, wij zijn met een paar buren begonnen met een buurtinitiatief in Zeist"
    desk = await Harness(tmp_path / "desk.db", load_knowledge(folder),
                         local(2026, 11, 23, 10, 0)).start()
    source = KnowledgeSource.open(folder, notify=desk.runtime.tell_servant,
                                  on_swap=desk.runtime.use_knowledge)
    try:
        # Bea gets as far as an open case in the hands of a servant ...
        await desk.say("bea", question)
        offer = await desk.press("bea", "clarify:need:funding")
        case_id = int(next(v for v in choice_values(offer) if v.startswith("consent:"))
                      .split(":")[1])
        await desk.say("bea", "ja")
        await desk.say("bea", "Buurtkracht Zeist")
        servant = desk.case(case_id).servant_id
        assert servant is not None
        await desk.staff(servant, f"/neem {case_id}")
        desk.to_servant(servant)
        # ... while Vera is in the middle of a clarify question.
        asked = await desk.say("vera", question)
        assert "clarify:need:funding" in choice_values(asked)

        _edit(folder, "funds.yaml", _rename_first_fund("Fonds Schone Buurt (nieuw)"))
        assert (await source.reload()).outcome == "loaded"
        assert desk.desk.kmap is source.current  # the next message uses the new map

        answer = await desk.press("vera", "clarify:need:funding")  # continues where she was
        assert any(v.startswith("consent:") for v in choice_values(answer)), texts(answer)
        await desk.say("bea", "We zijn met twaalf buren")
        relayed = texts(desk.to_servant(servant))
        assert f"[zaak {case_id}]" in relayed and "twaalf buren" in relayed

        # A broken edit: refused, the admin is told through the desk, the map stays.
        live = desk.desk.kmap
        (folder / "themes.yaml").write_text("- id: [kapot\n", encoding="utf-8")
        assert (await source.reload()).outcome == "refused"
        notice = texts(desk.to_servant(ADMIN))
        assert "NIET geladen" in notice and "themes.yaml" in notice
        assert desk.desk.kmap is live
        again = await desk.say("vera", "/start")
        assert again  # the desk keeps answering on the old map
    finally:
        await desk.stop()
