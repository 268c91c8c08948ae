"""No client can empty the cache every user shares: Streamlit's `clear_cache` websocket message, sent by an
anonymous client to a real `streamlit run` server, is ignored (ui/cache.refuse_client_cache_clear)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench.stream_client import send_clear_cache, view_page
from tests.browser.conftest import demo_copy, serve
from tests.conftest import sqlite_url

CACHED = "Sở Khoa học và Công nghệ Vĩnh Long"  # the demo unit's name as the cached unit list holds it
RENAMED = "Sở đã đổi tên ngoài ứng dụng"


def test_an_anonymous_clear_cache_message_leaves_every_cached_result(demo_db_template: Path, tmp_path: Path):
    database = demo_copy(demo_db_template, tmp_path)
    with serve(sqlite_url(database), tmp_path) as dashboard:
        assert CACHED.encode() in view_page(dashboard.url, "overview")  # the unit list is now cached (ui.cache.units)
        # The name changes in the database behind the app's back: only a recomputed unit list shows it.
        with sqlite3.connect(database) as conn:
            conn.execute("UPDATE unit SET name_vi = ? WHERE code = 'vinhlong-demo'", (RENAMED,))
        cached = view_page(dashboard.url, "overview")
        assert CACHED.encode() in cached and RENAMED.encode() not in cached
        send_clear_cache(dashboard.url, times=159)  # what the attacker sent
        after = view_page(dashboard.url, "overview")
        assert CACHED.encode() in after and RENAMED.encode() not in after  # nothing was flushed
        assert dashboard.log.read_text(errors="replace").count("Ignored a clear_cache request") == 159
