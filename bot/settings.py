"""All configuration, from the environment (``WEGWIJS_*``) or a ``.env`` file outside the repo.

Build one ``Settings`` in the entry point and pass it down; never import a global.
Secrets are ``SecretStr``: never defaulted, never logged, shown only as set/unset.
Each channel section is optional as a whole: a channel starts when its credentials are set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def default_database_url() -> str:
    data_dir = Path(platformdirs.user_data_dir("wegwijs", appauthor=False))
    return f"sqlite:///{data_dir / 'wegwijs.db'}"


# --- operations helpers (issue: production readiness) -------------------------------

#: Obvious placeholders (also anything starting with "changeme" or written as "<...>").
PLACEHOLDER_SECRETS = frozenset({
    "changeme", "change-me", "change_me", "changethis", "secret", "password", "xxx",
    "todo", "fixme", "your-token-here",
})


def _is_placeholder(secret: str) -> bool:
    value = secret.strip().lower()
    return (not value or value in PLACEHOLDER_SECRETS or value.startswith("changeme")
            or (value.startswith("<") and value.endswith(">")))


def _url_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).password
    except ArgumentError:
        return None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEGWIJS_", extra="ignore")

    # --- core (desk) ---------------------------------------------------------------
    database_url: str = Field(default_factory=default_database_url)
    knowledge: Path = REPO_KNOWLEDGE
    timezone: str = "Europe/Amsterdam"
    log_format: str = "console"  # "console" or "json"
    log_level: str = "INFO"

    # --- telegram (issue: Telegram channel) ----------------------------------------
    telegram_token: SecretStr | None = None
    telegram_base_url: str | None = None  # for tests against a fake Bot API
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "127.0.0.1:8443"

    # --- matrix (issue: Matrix channel) --------------------------------------------
    matrix_homeserver: str | None = None
    matrix_user_id: str | None = None
    matrix_password: SecretStr | None = None
    matrix_access_token: SecretStr | None = None
    matrix_device_id: str | None = None
    matrix_store_path: Path | None = None
    # Key that protects the E2E keys in the store (default: matrix-nio's fixed key).
    matrix_store_key: SecretStr | None = None
    # DMs the bot creates are end-to-end encrypted unless this is false.
    matrix_encrypt_new_rooms: bool = True

    # --- operations (issue: production readiness) -------------------------------------
    # Closed cases older than this are anonymised (kept for statistics, nothing personal)
    # or deleted by the daily retention job.
    retention_months: int = Field(default=12, ge=1, le=120)
    retention_action: Literal["anonymise", "delete"] = "anonymise"

    @field_validator("log_format")
    @classmethod
    def _known_log_format(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in ("console", "json"):
            raise ValueError("log_format must be 'console' or 'json'")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @model_validator(mode="before")
    @classmethod
    def _blank_means_unset(cls, data: Any) -> Any:
        """``KEY=`` (as in .env.example and compose's ``${KEY:-}``) means "not set" for
        optional settings, so a blank token does not switch a channel on."""
        if isinstance(data, dict):
            for name, info in cls.model_fields.items():
                if info.default is None and isinstance(data.get(name), str) \
                        and not data[name].strip():
                    data[name] = None
        return data

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        for name, value in self:
            if isinstance(value, SecretStr) and _is_placeholder(value.get_secret_value()):
                raise ValueError(f"{name} is a placeholder; set the real secret or leave it out")
        password = _url_password(self.database_url)
        if password is not None and _is_placeholder(password):
            raise ValueError("database_url contains a placeholder password")
        return self

