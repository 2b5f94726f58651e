"""``wegwijs chat`` and ``wegwijs staff`` as real processes with piped stdin, on one file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def wegwijs(args: list[str], stdin: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "wegwijs"
    command = [str(script)] if script.exists() else [
        sys.executable, "-c", "from bot.cli import main; main()"]
    return subprocess.run(command + args, input=stdin, capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_two_terminals_show_the_whole_flow(tmp_path: Path, eval_knowledge_dir: Path) -> None:
    env = {**os.environ, "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
           "WEGWIJS_KNOWLEDGE": str(eval_knowledge_dir)}
    chat = wegwijs(["chat", "--as-volunteer", "tess"],
                   "/start\nWe zoeken subsidie voor een moestuin in Zeist\n1\n"
                   "Tuin van Tess\n", env)
    assert chat.returncode == 0, chat.stderr
    out = chat.stdout
    assert "wegwijs> Hallo!" in out
    assert "1) Ja" in out and "2) Nee" in out  # choices as numbered options
    assert "Marleen Visser" in out and "zaak 1" in out  # "1" picked "Ja"
    assert "Traceback" not in chat.stderr

    staff = wegwijs(["staff", "--as", "marleen-visser"],
                    "/zaken\n/neem 1\n/antwoord 1 Welkom Tess, ik bel je morgen.\n", env)
    assert staff.returncode == 0, staff.stderr
    assert "Nieuwe zaak 1" in staff.stdout  # the handover waited in the outbox for her
    assert "Tuin van Tess" in staff.stdout and "Zaak 1 is van jou" in staff.stdout

    again = wegwijs(["chat", "--as-volunteer", "tess"], "", env)
    assert "opgepakt" in again.stdout and "Welkom Tess, ik bel je morgen." in again.stdout

    stranger = wegwijs(["staff", "--as", "nobody"], "", env)
    assert stranger.returncode != 0 and "civil_servants.yaml" in stranger.stderr


def test_staff_terminal_opens_the_servants_terminal_address(tmp_path: Path) -> None:
    # a map whose `terminal:` address is a nickname, not the id: `staff --as <id>` still
    # receives what the desk addressed to that terminal
    repo_map = Path(__file__).resolve().parents[3] / "knowledge"
    kmap = tmp_path / "knowledge"
    kmap.mkdir()
    for src in repo_map.glob("*.yaml"):
        text = src.read_text(encoding="utf-8")
        if src.name == "civil_servants.yaml":
            text = text.replace("terminal: joost-van-der-meer}", "terminal: joost}")
            assert "terminal: joost}" in text
        (kmap / src.name).write_text(text, encoding="utf-8")
    env = {**os.environ, "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
           "WEGWIJS_KNOWLEDGE": str(kmap)}
    chat = wegwijs(["chat", "--as-volunteer", "sam"],
                   "we willen met de straat geveltuintjes aanleggen in deventer, is daar "
                   "subsidie voor?\n1\nGroene Gevels\n", env)
    assert chat.returncode == 0 and "Joost van der Meer" in chat.stdout, chat.stderr
    staff = wegwijs(["staff", "--as", "joost-van-der-meer"], "", env)
    assert staff.returncode == 0, staff.stderr
    assert "Nieuwe zaak 1" in staff.stdout and "Groene Gevels" in staff.stdout


def test_a_number_still_picks_an_option_after_the_chat_restarts(
        tmp_path: Path, eval_knowledge_dir: Path) -> None:
    env = {**os.environ, "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
           "WEGWIJS_KNOWLEDGE": str(eval_knowledge_dir)}
    first = wegwijs(["chat", "--as-volunteer", "tess"],
                    "We zoeken subsidie voor een moestuin in Zeist\n", env)
    assert "1) Ja" in first.stdout, first.stdout  # the handover offer, as numbered options
    again = wegwijs(["chat", "--as-volunteer", "tess"], "1\n", env)
    assert again.returncode == 0, again.stderr
    assert "Hoe heet je initiatief?" in again.stdout  # "1" was "Ja"
    assert "begreep je antwoord niet" not in again.stdout
