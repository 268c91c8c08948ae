"""An unexpected error on a page: a calm message in the person's language with a short reference, and the
traceback in the server's log under the same reference (real Streamlit AppTest, real logging)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from ui.faults import LOGGER

REFERENCE = re.compile(r"\b[0-9A-F]{8}\b")


def _failing_page() -> None:
    import streamlit as st

    from ui.faults import unexpected_errors

    st.title("Trang")
    with unexpected_errors():
        st.write("trước lỗi")
        if st.session_state.get("stop"):
            st.stop()
        raise KeyError("selection")


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    LOGGER.addHandler(handler)
    yield handler
    LOGGER.removeHandler(handler)


@pytest.mark.parametrize(
    ("lang", "words"),
    [("vi", "báo bộ phận CNTT mã lỗi"), ("en", "give the IT staff the reference")],
)
def test_the_message_and_the_log_share_a_reference(records: Records, lang: str, words: str) -> None:
    app = AppTest.from_function(_failing_page, default_timeout=30)
    app.session_state["lang"] = lang
    app.run()
    assert not app.exception  # no traceback box
    assert [w.value for w in app.markdown] == ["trước lỗi"]  # what was drawn before the error stays
    (message,) = [e.value for e in app.error]
    assert words in message and "KeyError" not in message and "selection" not in message
    (shown,) = REFERENCE.findall(message)
    (record,) = records.records
    assert record.exc_info is not None and record.exc_info[0] is KeyError
    assert shown in record.getMessage()
    app.run()
    (again,) = REFERENCE.findall(app.error[0].value)
    assert again != shown  # each fault its own reference


def test_streamlit_stop_is_not_an_error(records: Records) -> None:
    app = AppTest.from_function(_failing_page, default_timeout=30)
    app.session_state["stop"] = True
    app.run()
    assert not app.exception and len(app.error) == 0 and records.records == []
