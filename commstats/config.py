"""One settings function for the app, the CLI and Alembic."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'commstats.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    default_lang: str
    max_upload_mb: int
    first_year: int  # the earliest year a unit without its own first year may have figures for
    future_months: int  # how many months after the current one a figure may be stored for

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=8)
def _settings_for(url: str | None, lang: str, max_upload_mb: int, first_year: int, future_months: int) -> Settings:
    return Settings(
        database_url=url or DEFAULT_DATABASE_URL,
        data_dir=DATA_DIR,
        default_lang=lang,
        max_upload_mb=max_upload_mb,
        first_year=first_year,
        future_months=future_months,
    )


def get_settings(database_url: str | None = None) -> Settings:
    """Settings from the environment; an explicit URL (the CLI's --db) wins."""
    url = database_url or os.environ.get("COMMSTATS_DATABASE_URL") or None
    lang = os.environ.get("COMMSTATS_LANG", "vi")
    max_upload_mb = int(os.environ.get("COMMSTATS_MAX_UPLOAD_MB", "50"))
    first_year = int(os.environ.get("COMMSTATS_FIRST_YEAR", "2000"))
    future_months = int(os.environ.get("COMMSTATS_FUTURE_MONTHS", "1"))
    return _settings_for(url, lang, max_upload_mb, first_year, future_months)
