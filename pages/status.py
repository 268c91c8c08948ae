"""Tiến độ báo cáo: for each round of the chosen units, who has submitted, what is missing, days left or
overdue, and one click to the entry page of a missing section."""

import datetime as dt

import pandas as pd
import streamlit as st

from commstats.auth import Action
from commstats.cycle import reads
from commstats.cycle.messages import cycle_text
from commstats.periods import month_key
from ui import cache
from ui.auth import unit_codes_for
from ui.frame import open_page

frame = open_page("status")  # the writers (editors) and leadership of the unit
principal, selection = frame.principal, frame.selection
lang, url = selection.lang, selection.url
st.caption(cycle_text("board_caption", lang))

allowed = set(unit_codes_for(Action.CYCLE, principal))
units = [u for u in cache.units(url) if u.code in allowed]
chosen = [u.id for u in units if u.id in selection.unit_ids] or [u.id for u in units]
today = dt.date.today()
found = reads.rounds(cache.engine(url), chosen, today=today, lang=lang)
if not found:
    st.info(cycle_text("no_rounds", lang), icon=":material/event_busy:")
    st.stop()


def days_text(days: int) -> str:
    if days == 0:
        return cycle_text("days_today", lang)
    return cycle_text("days_left" if days > 0 else "days_overdue", lang, days=abs(days))


for number, rnd in enumerate(found):
    with st.container(border=True):
        st.subheader(cycle_text("round_heading", lang, period=rnd.period.name(lang), unit=rnd.unit_name))
        st.caption(
            cycle_text(
                "round_caption",
                lang,
                start=rnd.window_start.strftime("%d/%m/%Y"),
                end=rnd.window_end.strftime("%d/%m/%Y"),
                deadline=rnd.deadline.strftime("%d/%m/%Y"),
                state=cycle_text("round_state_" + rnd.status, lang),
            )
        )
        done = len(rnd.sections) - len(rnd.missing)
        left, middle, right = st.columns(3)
        left.metric(cycle_text("metric_submitted", lang), f"{done}/{len(rnd.sections)}")
        middle.metric(cycle_text("metric_missing", lang), len(rnd.missing))
        right.metric(cycle_text("metric_days", lang), days_text((rnd.deadline - today).days))
        table = pd.DataFrame(
            {
                cycle_text("col_section", lang): [s.title for s in rnd.sections],
                cycle_text("col_assignee", lang): [s.assignee or cycle_text("unassigned", lang) for s in rnd.sections],
                cycle_text("col_due", lang): [s.due.strftime("%d/%m/%Y") for s in rnd.sections],
                cycle_text("col_days", lang): [
                    "" if s.status in ("submitted", "approved") else days_text(s.days_left) for s in rnd.sections
                ],
                cycle_text("col_status", lang): [cycle_text("status_" + s.status, lang) for s in rnd.sections],
                cycle_text("col_submitted_by", lang): [s.submitted_by for s in rnd.sections],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch", key=f"status_table_{number}")
        for s in rnd.missing:
            if s.kind == "metrics":
                st.page_link(
                    "pages/entry.py",
                    label=cycle_text("go_entry", lang, section=s.title),
                    icon=":material/edit_note:",
                    query_params={"unit": rnd.unit_code, "month": month_key(rnd.period.end), "section": s.code},
                )
            else:
                st.page_link(
                    "pages/cycle.py", label=cycle_text("go_cycle", lang, section=s.title), icon=":material/description:"
                )
