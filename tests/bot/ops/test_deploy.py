"""Deployment files, tested as far as this machine allows (no Docker engine here):
the settings compose passes boot the app's Settings, .env.example lists every setting,
the Dockerfile is sane, and the systemd unit passes ``systemd-analyze verify``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from pydantic import SecretStr, ValidationError

from bot.settings import Settings

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
_VAR = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def secret_fields() -> set[str]:
    return {name for name, info in Settings.model_fields.items()
            if "SecretStr" in str(info.annotation)}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} (and $$), as `docker compose` does."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = env.get(name)
        if op in (":-", "-"):
            return current if current or (op == "-" and current is not None) else arg
        if op in (":?", "?"):
            if not current:
                raise KeyError(f"{name}: {arg}")
            return current
        return current or ""

    return _VAR.sub(one, value).replace("$$", "$")


@pytest.fixture
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text()))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.startswith("WEGWIJS_"):
            monkeypatch.delenv(key)
    return monkeypatch


def boot(env_block: dict[str, str], host_env: dict[str, str],
         monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key, raw in env_block.items():
        monkeypatch.setenv(key, interpolate(str(raw), host_env))
    return Settings()


def test_compose_has_desk_migrate_and_postgres_15(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= {"desk", "migrate", "db"}
    assert services["db"]["image"] == "postgres:15"
    assert services["migrate"]["command"] == ["wegwijs", "db", "upgrade"]
    assert services["desk"]["command"] == ["wegwijs", "serve"]
    assert services["desk"]["depends_on"]["migrate"]["condition"] == \
        "service_completed_successfully"
    assert services["migrate"]["environment"] == services["desk"]["environment"]


def test_compose_environment_boots_settings_without_channels(
        compose: dict[str, Any], clean_env: pytest.MonkeyPatch) -> None:
    env = compose["services"]["desk"]["environment"]
    settings = boot(env, {"POSTGRES_PASSWORD": "S9-long-random-pw"}, clean_env)
    assert settings.database_url == \
        "postgresql+psycopg://wegwijs:S9-long-random-pw@db:5432/wegwijs"
    assert settings.log_format == "json"
    assert settings.knowledge == Path("/srv/wegwijs/knowledge")
    assert settings.retention_months == 12 and settings.retention_action == "anonymise"
    # blank secrets mean "not set": no channel switched on by an empty token
    for name in secret_fields():
        assert getattr(settings, name) is None, name
    assert settings.matrix_homeserver is None and settings.telegram_webhook_url is None


def test_compose_environment_boots_settings_with_every_secret(
        compose: dict[str, Any], clean_env: pytest.MonkeyPatch) -> None:
    env = compose["services"]["desk"]["environment"]
    host = {"POSTGRES_PASSWORD": "S9-long-random-pw",
            "WEGWIJS_MATRIX_HOMESERVER": "http://synapse:8008",
            "WEGWIJS_MATRIX_USER_ID": "@wegwijs:desk.example.nl"}
    for name in secret_fields():
        host[f"WEGWIJS_{name.upper()}"] = f"dummy-{name}-0123456789"
    settings = boot(env, host, clean_env)
    for name in secret_fields():
        value = getattr(settings, name)
        assert isinstance(value, SecretStr) and value.get_secret_value().startswith("dummy-")
        assert value.get_secret_value() not in repr(settings)
    assert settings.matrix_homeserver == "http://synapse:8008"


def test_compose_requires_database_password(compose: dict[str, Any]) -> None:
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        interpolate(compose["services"]["desk"]["environment"]["WEGWIJS_DATABASE_URL"], {})


def test_compose_passes_every_secret_from_the_host_only(compose: dict[str, Any]) -> None:
    env = compose["services"]["desk"]["environment"]
    for name in secret_fields():
        key = f"WEGWIJS_{name.upper()}"
        assert key in env, f"{key} missing from compose"
        assert re.fullmatch(r"\$\{" + key + r":-\}", str(env[key])), f"{key} must be ${{{key}:-}}"
    assert "${POSTGRES_PASSWORD:?" in compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"]


def test_compose_placeholder_password_is_refused(
        compose: dict[str, Any], clean_env: pytest.MonkeyPatch) -> None:
    env = compose["services"]["desk"]["environment"]
    with pytest.raises(ValidationError, match="placeholder"):
        boot(env, {"POSTGRES_PASSWORD": "changeme"}, clean_env)


def _env_example() -> tuple[dict[str, str], set[str]]:
    """(active KEY=value lines, every key mentioned, commented or not)."""
    active: dict[str, str] = {}
    mentioned: set[str] = set()
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        match = re.fullmatch(r"(#?)\s*([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            mentioned.add(match[2])
            if not match[1]:
                active[match[2]] = match[3]
    return active, mentioned


def test_env_example_lists_every_setting_with_a_meaning() -> None:
    _, mentioned = _env_example()
    expected = {f"WEGWIJS_{name.upper()}" for name in Settings.model_fields}
    assert expected - mentioned == set(), "settings missing from deploy/.env.example"
    unknown = {k for k in mentioned if k.startswith("WEGWIJS_")} - expected
    assert unknown == set(), "deploy/.env.example names settings that do not exist"
    lines = (DEPLOY / ".env.example").read_text().splitlines()
    for i, line in enumerate(lines):
        if re.match(r"#?WEGWIJS_\w+=", line):
            assert lines[i - 1].startswith("# "), f"no explanation above {line}"


def test_env_example_has_blank_secrets_and_boots(clean_env: pytest.MonkeyPatch) -> None:
    active, _ = _env_example()
    for name in secret_fields():
        assert active.get(f"WEGWIJS_{name.upper()}") == "", f"secret {name} must be blank"
    assert active.get("POSTGRES_PASSWORD") == ""
    for key, value in active.items():
        clean_env.setenv(key, value)
    settings = Settings()
    assert all(getattr(settings, name) is None for name in secret_fields())


def test_placeholder_secrets_are_refused(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("WEGWIJS_TELEGRAM_TOKEN", "changeme")
    with pytest.raises(ValidationError, match="placeholder") as info:
        Settings()
    assert "changeme" not in str(info.value.errors(include_input=False))


def _dockerfile_final_stage() -> list[str]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    last_from = max(i for i, ln in enumerate(lines) if ln.startswith("FROM "))
    return lines[last_from:]


def test_dockerfile_runs_serve_as_non_root_on_python_311_slim() -> None:
    stage = _dockerfile_final_stage()
    assert stage[0] == "FROM python:3.11-slim"
    users = [ln.split()[1] for ln in stage if ln.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    cmd = [ln for ln in stage if ln.startswith("CMD ")][-1]
    assert cmd == 'CMD ["wegwijs", "serve"]'
    assert stage.index(cmd) > max(i for i, ln in enumerate(stage) if ln.startswith("USER "))


def test_dockerfile_copies_exist_and_are_not_ignored() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text()
    for match in re.finditer(r"^COPY (?!--from)(.+) \S+$", text, flags=re.M):
        for source in match[1].split():
            assert (REPO / source).exists(), source
            assert f"!{source}" in ignore or f"!{source}/**" in ignore, source


@pytest.mark.parametrize("argv", [["serve"], ["doctor"], ["db", "upgrade"]])
def test_commands_the_deploy_files_run_exist(argv: list[str]) -> None:
    import bot.cli  # noqa: F401  (attaches every command to the app)
    from bot.cli._apps import app

    command: Any = typer.main.get_command(app)
    for name in argv:
        command = command.commands.get(name)
        assert command is not None, f"wegwijs {' '.join(argv)} is not a command"


def _unit_for_this_machine(tmp_path: Path) -> Path:
    """The unit with its ExecStart paths pointed at this venv (verify checks they exist)."""
    text = (DEPLOY / "wegwijs.service").read_text()
    wegwijs = Path(sys.executable).with_name("wegwijs")
    assert "/opt/wegwijs/venv/bin/wegwijs" in text
    unit = tmp_path / "wegwijs.service"
    unit.write_text(text.replace("/opt/wegwijs/venv/bin/wegwijs", str(wegwijs)))
    return unit


def test_systemd_unit_verifies(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed")
    unit = _unit_for_this_machine(tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "wegwijs.service" not in result.stderr, result.stderr  # no warnings about it


def test_systemd_unit_is_hardened(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed")
    unit = _unit_for_this_machine(tmp_path)
    # exposure is out of 10 (threshold out of 100): fails above 2.0
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--threshold=20", str(unit)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    text = (DEPLOY / "wegwijs.service").read_text()
    for option in ("User=wegwijs", "NoNewPrivileges=yes", "ProtectSystem=strict",
                   "EnvironmentFile=/etc/wegwijs/wegwijs.env"):
        assert option in text
