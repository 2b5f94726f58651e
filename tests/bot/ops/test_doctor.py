"""`wegwijs doctor`: a plain report, non-zero on problems, never a secret."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import doctor, migrations
from bot.settings import Settings

TOKEN = "7312345678:AAHk2xQd9e-Vb1cLz_0pQmW4rT8yUiOpAsD"
DB_PASSWORD = "Vry-s3cret-pw"


def by_check(findings: list[doctor.Finding]) -> dict[str, doctor.Finding]:
    return {f.check: f for f in findings}


def test_healthy_installation_passes(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    migrations.upgrade(f"sqlite:///{tmp_path / 'desk.db'}")
    env.setenv("WEGWIJS_TELEGRAM_TOKEN", TOKEN)
    findings = doctor.run()
    checks = by_check(findings)
    assert doctor.exit_code(findings) == 0, doctor.render(findings)
    assert checks["migrations"].status == "ok"
    assert checks["telegram"].detail.startswith("token set")
    assert checks["knowledge map"].status == "ok"
    assert "civil servants" in checks["knowledge map"].detail
    report = doctor.render(findings)
    assert TOKEN not in report and "All checks passed." in report


def test_empty_database_fails_with_the_fix(env: pytest.MonkeyPatch) -> None:
    findings = doctor.run()
    checks = by_check(findings)
    assert checks["database"].status == "ok"
    assert checks["migrations"].status == "fail"
    assert "wegwijs db upgrade" in checks["migrations"].detail
    assert doctor.exit_code(findings) == 1
    assert "[FAIL]" in doctor.render(findings)


def test_invalid_configuration_is_reported_without_the_secret(env: pytest.MonkeyPatch) -> None:
    env.setenv("WEGWIJS_MATRIX_PASSWORD", "changeme")
    env.setenv("WEGWIJS_LOG_FORMAT", "xml")
    findings = doctor.run()
    assert [f.check for f in findings] == ["configuration"]
    detail = findings[0].detail
    assert "WEGWIJS_LOG_FORMAT" in detail and "changeme" not in detail
    assert doctor.exit_code(findings) == 1


def test_incomplete_matrix_and_secrets_never_printed(env: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    migrations.upgrade(f"sqlite:///{tmp_path / 'desk.db'}")
    env.setenv("WEGWIJS_MATRIX_HOMESERVER", "https://matrix.example.nl")
    env.setenv("WEGWIJS_MATRIX_ACCESS_TOKEN", "syt_d2VnE_secretvalue_123")
    findings = doctor.run()
    matrix = by_check(findings)["matrix"]
    assert matrix.status == "fail"
    assert "user id not set" in matrix.detail and "access token set" in matrix.detail
    assert "syt_d2VnE_secretvalue_123" not in doctor.render(findings)


def test_no_channel_is_a_warning_not_a_failure(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    migrations.upgrade(f"sqlite:///{tmp_path / 'desk.db'}")
    findings = doctor.run()
    assert by_check(findings)["channels"].status == "warn"
    assert doctor.exit_code(findings) == 0


def test_broken_knowledge_map_fails(env: pytest.MonkeyPatch, tmp_path: Path,
                                    eval_knowledge_dir: Path) -> None:
    migrations.upgrade(f"sqlite:///{tmp_path / 'desk.db'}")
    broken = tmp_path / "map"
    shutil.copytree(eval_knowledge_dir, broken)
    (broken / "funds.yaml").write_text("- id: [this is not: valid\n", encoding="utf-8")
    env.setenv("WEGWIJS_KNOWLEDGE", str(broken))
    checks = by_check(doctor.run())
    assert checks["knowledge map"].status == "fail"
    assert "funds.yaml" in checks["knowledge map"].detail


@pytest.mark.postgres
def test_unreachable_postgres_masks_the_password(env: pytest.MonkeyPatch,
                                                 postgres_url: str) -> None:
    from tests.fixtures.postgres import _free_port

    env.setenv("WEGWIJS_DATABASE_URL",
               f"postgresql+psycopg://wegwijs:{DB_PASSWORD}@127.0.0.1:{_free_port()}/wegwijs")
    findings = doctor.run()
    checks = by_check(findings)
    assert checks["database"].status == "fail" and "unreachable" in checks["database"].detail
    assert DB_PASSWORD not in doctor.render(findings) and "***" in checks["database"].detail


@pytest.mark.postgres
def test_postgres_at_head_passes(env: pytest.MonkeyPatch, postgres_url: str) -> None:
    migrations.upgrade(postgres_url)
    env.setenv("WEGWIJS_DATABASE_URL", postgres_url)
    checks = by_check(doctor.run())
    assert checks["database"].status == "ok" and checks["migrations"].status == "ok"


def test_settings_errors_hide_inputs() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        Settings(telegram_token="changeme", retention_months=0)  # type: ignore[arg-type]
    lines = doctor.settings_errors(info.value)
    assert any("WEGWIJS_RETENTION_MONTHS" in line for line in lines)
    assert all("changeme" not in line for line in lines)
