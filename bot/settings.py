"""All configuration, from the environment (``WEGWIJS_*``) or a ``.env`` file outside the repo.

Build one ``Settings`` in the entry point and pass it down; never import a global.
Secrets are ``SecretStr``: never defaulted, never logged, shown only as set/unset.
Each channel section is optional as a whole: a channel starts when its credentials are set.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def default_database_url() -> str:
    data_dir = Path(platformdirs.user_data_dir("wegwijs", appauthor=False))
    return f"sqlite:///{data_dir / 'wegwijs.db'}"


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
