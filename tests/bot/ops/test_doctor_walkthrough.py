"""``wegwijs doctor`` as programme staff read it after breaking a map file (a walkthrough)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from bot.doctor import check_database, check_knowledge
from bot.settings import Settings


def _copy(eval_knowledge_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(eval_knowledge_dir, target)
    return target


def test_map_file_in_another_encoding_fails_the_doctor(eval_knowledge_dir: Path,
                                                       tmp_path: Path) -> None:
    folder = _copy(eval_knowledge_dir, tmp_path)
    funds = folder / "funds.yaml"
    funds.write_bytes(funds.read_bytes() + "\n# café\n".encode("cp1252"))
    (finding,) = check_knowledge(folder)
    assert finding.status == "fail", finding.detail
    assert finding.detail == f"{folder}: funds.yaml: this file is not UTF-8 text; save it as UTF-8"


def test_broken_map_detail_reads_as_one_sentence(eval_knowledge_dir: Path,
                                                 tmp_path: Path) -> None:
    folder = _copy(eval_knowledge_dir, tmp_path)
    (folder / "needs.yaml").unlink()
    (finding,) = check_knowledge(folder)
    assert finding.status == "fail"
    assert ":;" not in finding.detail and "problem(s) in the knowledge map" not in finding.detail
    assert finding.detail.endswith("needs.yaml: this file is missing from the knowledge folder")


def test_closed_funds_are_mentioned_not_hidden(eval_knowledge_dir: Path) -> None:
    """The example map has funds whose window closed in 2026: the check warns, so does
    the doctor (still ok: a closed fund is simply no longer offered)."""
    (finding,) = check_knowledge(eval_knowledge_dir, dt.date(2026, 11, 23))
    assert finding.status == "ok"
    assert finding.detail.endswith("warning(s), see `wegwijs knowledge check`")


def test_doctor_on_a_fresh_install_creates_no_database(tmp_path: Path) -> None:
    """Running the doctor first must not leave an empty database file behind (the report
    would then fail on it instead of saying there is no desk database yet)."""
    db = tmp_path / "data" / "wegwijs.db"
    findings = {f.check: f for f in check_database(Settings(database_url=f"sqlite:///{db}"))}
    assert not db.exists()
    assert findings["database"].status == "ok"
    assert "does not exist yet; `wegwijs db upgrade` creates it" in findings["database"].detail
    assert findings["migrations"].detail == "database is empty: run `wegwijs db upgrade`"
