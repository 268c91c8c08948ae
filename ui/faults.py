"""Faults said in words on the page, not as a traceback: the storage's (a full disk, a read-only database), and
any unexpected error, shown with a short reference that its logged traceback carries too."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from commstats.db import storage_fault
from commstats.i18n import t
from ui.labels import lang
from ui.markup import md


@contextmanager
def storage_errors() -> Iterator[None]:
    """Around a write: a full disk or read-only database shows its message and stops the page (the write's
    own transaction has rolled back, so nothing changed); any other error is raised as before."""
    try:
        yield
    except Exception as error:
        fault = storage_fault(error)
        if fault is None:
            raise
        st.error(md(fault.message(lang())), icon=":material/error:")  # the detail may name a file
        st.stop()


LOGGER = logging.getLogger("commstats.pages")


def new_reference() -> str:
    """A short reference for one fault (8 hex digits): read out on the telephone, found in the log."""
    return secrets.token_hex(4).upper()


@contextmanager
def unexpected_errors() -> Iterator[None]:
    """Around a page: an error nobody foresaw shows a calm bilingual message with a reference, and its traceback
    goes to the server's log under the same reference. Streamlit's own st.stop/st.rerun/st.switch_page are
    BaseExceptions and pass through untouched."""
    try:
        yield
    except Exception:
        reference = new_reference()
        LOGGER.exception("unexpected error on a page, reference %s", reference)
        st.error(t("unexpected_error", reference=reference), icon=":material/error:")
