"""Faults of the storage (a full disk, a read-only database) said in words on the page, not as a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from commstats.db import storage_fault
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
