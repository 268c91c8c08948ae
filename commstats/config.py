"""One settings function for the app, the CLI and Alembic."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'commstats.db'}"


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server for reminders and report delivery. The password is never part of the settings (nor
    of the database): smtp_password() reads it from the environment or .streamlit/secrets.toml when sending."""

    host: str = ""  # empty: e-mail is not configured
    port: int = 587
    starttls: bool = True
    user: str = ""
    sender: str = ""  # the From address; the user when empty
    timeout: float = 20.0  # seconds before a silent server counts as failed
    base_url: str = ""  # the dashboard's address, for links in reminders (e.g. https://thongke.example.gov.vn)

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @property
    def from_address(self) -> str:
        return self.sender or self.user


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    default_lang: str
    max_upload_mb: int
    first_year: int  # the earliest year a unit without its own first year may have figures for
    future_months: int  # how many months after the current one a figure may be stored for
    smtp: SmtpSettings = SmtpSettings()
    office_template_mb: int = 5  # an office's own Word template for the whole report (narrative/office.py)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=8)
def _settings_for(
    url: str | None,
    lang: str,
    max_upload_mb: int,
    first_year: int,
    future_months: int,
    smtp: SmtpSettings,
    office_template_mb: int,
) -> Settings:
    return Settings(
        database_url=url or DEFAULT_DATABASE_URL,
        data_dir=DATA_DIR,
        default_lang=lang,
        max_upload_mb=max_upload_mb,
        first_year=first_year,
        future_months=future_months,
        smtp=smtp,
        office_template_mb=office_template_mb,
    )


def _smtp_from_environment() -> SmtpSettings:
    env = os.environ.get
    return SmtpSettings(
        host=env("COMMSTATS_SMTP_HOST", "").strip(),
        port=int(env("COMMSTATS_SMTP_PORT", "587")),
        starttls=env("COMMSTATS_SMTP_STARTTLS", "on").strip().lower() not in ("off", "0", "false", "no"),
        user=env("COMMSTATS_SMTP_USER", "").strip(),
        sender=env("COMMSTATS_SMTP_FROM", "").strip(),
        timeout=float(env("COMMSTATS_SMTP_TIMEOUT", "20")),
        base_url=env("COMMSTATS_BASE_URL", "").strip().rstrip("/"),
    )


def secrets_file() -> Path:
    """Streamlit's secrets file of the project (COMMSTATS_SECRETS_FILE names another one)."""
    return Path(os.environ.get("COMMSTATS_SECRETS_FILE") or PROJECT_ROOT / ".streamlit" / "secrets.toml")


def smtp_password() -> str:
    """COMMSTATS_SMTP_PASSWORD, else `password` of the [smtp] table of the secrets file, else ""."""
    if password := os.environ.get("COMMSTATS_SMTP_PASSWORD"):
        return password
    path = secrets_file()
    if not path.is_file():
        return ""
    with path.open("rb") as handle:
        section = tomllib.load(handle).get("smtp", {})
    return str(section.get("password", "")) if isinstance(section, dict) else ""


def get_settings(database_url: str | None = None) -> Settings:
    """Settings from the environment; an explicit URL (the CLI's --db) wins."""
    url = database_url or os.environ.get("COMMSTATS_DATABASE_URL") or None
    lang = os.environ.get("COMMSTATS_LANG", "vi")
    max_upload_mb = int(os.environ.get("COMMSTATS_MAX_UPLOAD_MB", "50"))
    first_year = int(os.environ.get("COMMSTATS_FIRST_YEAR", "2000"))
    future_months = int(os.environ.get("COMMSTATS_FUTURE_MONTHS", "1"))
    office_template_mb = int(os.environ.get("COMMSTATS_OFFICE_TEMPLATE_MB", "5"))
    return _settings_for(
        url, lang, max_upload_mb, first_year, future_months, _smtp_from_environment(), office_template_mb
    )
