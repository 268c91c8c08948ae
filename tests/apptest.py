"""Run the real dashboard in Streamlit's AppTest against a given SQLite file."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from commstats.config import PROJECT_ROOT


def run_page(url: str, monkeypatch, page: str | None = None, lang: str = "vi", **state: object) -> AppTest:  # type: ignore[no-untyped-def]
    """Open dashboard.py (the router) on `page` (a path under pages/) with the database at `url`."""
    monkeypatch.setenv("COMMSTATS_DATABASE_URL", url)
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    app.session_state["lang"] = lang
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    if page is not None:
        app.switch_page(page)
        app.run()
    return app
