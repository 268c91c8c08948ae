"""Kỳ báo cáo: open a round, assign its sections, write and submit them, approve it (which locks its figures),
and keep the unit's departments and the subscribers of its approved reports."""

from collections.abc import Callable

import streamlit as st

from commstats.auth import Action
from commstats.cycle import reads, rounds
from commstats.cycle.messages import CycleError, cycle_text
from commstats.numbers import format_time
from commstats.periods import add_months, current_month, month_key, parse_period
from ui import cache
from ui.auth import unit_codes_for
from ui.frame import open_page

frame = open_page("cycle")
principal, selection = frame.principal, frame.selection
lang, url = selection.lang, selection.url
engine = cache.engine(url)
st.caption(cycle_text("cycle_caption", lang))


def text(key: str, **params: object) -> str:
    return cycle_text(key, lang, **params)


def attempt(work: Callable[[], object], success: str | Callable[[], str]) -> None:
    """Run one change; a refusal shows its message and nothing changed. After a change the page runs again
    (so every part shows the new state) with the success message on top."""
    try:
        work()
    except CycleError as refused:
        st.error(refused.message(lang), icon=":material/block:")
        return
    st.cache_data.clear()  # drafts and pages show the new state
    st.session_state["cycle_flash"] = success if isinstance(success, str) else success()
    st.rerun()


def opened_text(unit_code: str, period_text: str) -> str:
    rnd = reads.round_for(engine, unit_code, parse_period(period_text).key, lang=lang)
    assert rnd is not None
    return text(
        "opened",
        unit=unit_code,
        period=rnd.period_key,
        sections=len(rnd.sections),
        deadline=rnd.deadline.strftime("%d/%m/%Y"),
        start=rnd.window_start.strftime("%d/%m/%Y"),
        end=rnd.window_end.strftime("%d/%m/%Y"),
    )


if flash := st.session_state.pop("cycle_flash", None):
    st.success(flash)

allowed = unit_codes_for(Action.CYCLE, principal)
units = [u for u in cache.units(url) if u.code in allowed]
by_code = {u.code: u for u in units}
codes = list(by_code)
default = next((c for c in selection.unit_codes if c in by_code), codes[0])
unit = st.selectbox(
    text("cycle_unit"),
    codes,
    index=codes.index(default),
    key="cycle_unit",
    format_func=lambda code: by_code[code].name(lang),
)
unit_id = by_code[unit].id

with st.expander(text("open_heading"), icon=":material/add_circle:"):
    period = st.text_input(text("open_period"), value=month_key(add_months(current_month(), -1)), key="open_period")
    own = st.checkbox(text("open_own_deadline"), key="open_own_deadline")
    deadline = st.date_input(text("open_deadline"), key="open_deadline", format="DD/MM/YYYY") if own else None
    if st.button(text("open_button"), key="open_button", type="primary"):
        attempt(
            lambda: rounds.open_round(engine, principal, unit, period, deadline=deadline),
            lambda: opened_text(unit, period),
        )

found = reads.rounds(engine, [unit_id], lang=lang)
if not found:
    st.info(text("no_rounds"))
else:
    keys = [r.period_key for r in found]
    chosen_key = st.selectbox(
        text("round_choice"),
        keys,
        key="cycle_round",
        format_func=lambda key: f"{key} — {text('round_state_' + found[keys.index(key)].status)}",
    )
    rnd = found[keys.index(chosen_key)]
    titles = {s.code: s.title for s in rnd.sections}
    if rnd.status == "approved":
        at = format_time(rnd.approved_at)
        st.success(text("approved_info", at=at, by=rnd.approved_by), icon=":material/lock:")
    else:
        st.subheader(text("assign_heading"))
        section = st.selectbox(
            text("assign_section"), list(titles), key="assign_section", format_func=titles.__getitem__
        )
        kind = st.radio(
            text("assign_kind"),
            ["department", "person"],
            horizontal=True,
            key="assign_kind",
            format_func=lambda k: text("assignee_" + k),
        )
        if kind == "department":
            options = {d.code: d.name for d in reads.departments(engine, unit_id)}
        else:
            options = {u.code: u.name for u in reads.assignable_users(engine)}
        who = st.selectbox(
            text("assignee_" + kind),
            list(options),
            key=f"assign_{kind}_choice",
            format_func=lambda c: f"{options[c]} ({c})",
        )
        own_due = st.checkbox(text("assign_own_due"), key="assign_own_due")
        due = st.date_input(text("assign_due"), key="assign_due", format="DD/MM/YYYY") if own_due else None
        if st.button(text("assign_button"), key="assign_button"):
            department, person = (who, None) if kind == "department" else (None, who)
            attempt(
                lambda: rounds.assign_section(
                    engine, principal, unit, rnd.period_key, section, department=department, username=person, due=due
                ),
                text(
                    "assigned",
                    section=titles[section],
                    assignee=who or "-",
                    due=(due or rnd.deadline).strftime("%d/%m/%Y"),
                ),
            )

        st.subheader(text("work_heading"))
        work_code = st.selectbox(
            text("assign_section"), list(titles), key="work_section", format_func=titles.__getitem__
        )
        row = next(s for s in rnd.sections if s.code == work_code)
        st.caption(text("status_" + row.status))
        if row.kind == "narrative":
            body = st.text_area(text("work_text"), value=row.body, key=f"work_text_{rnd.id}_{work_code}", height=160)
            if st.button(text("work_save"), key="work_save"):
                attempt(
                    lambda: rounds.save_text(engine, principal, unit, rnd.period_key, work_code, body),
                    text("text_saved", section=row.title),
                )
        if st.button(text("work_submit"), key="work_submit"):
            attempt(
                lambda: rounds.submit_section(engine, principal, unit, rnd.period_key, work_code, lang=lang),
                text("submitted", section=row.title),
            )

        st.subheader(text("approve_heading"))
        if principal.can(Action.APPROVE, unit_id):
            if st.button(text("approve_button"), key="approve_button", type="primary"):
                attempt(
                    lambda: rounds.approve_round(engine, principal, unit, rnd.period_key, lang=lang),
                    text(
                        "approved",
                        unit=unit,
                        period=rnd.period_key,
                        start=rnd.window_start.strftime("%d/%m/%Y"),
                        end=rnd.window_end.strftime("%d/%m/%Y"),
                    ),
                )
        else:
            st.info(text("approve_needs_role"), icon=":material/lock:")

with st.expander(text("departments_heading"), icon=":material/groups:"):
    listed = reads.departments(engine, unit_id)
    st.markdown("\n".join(f"- **{d.code}** — {d.name} {d.email}" for d in listed) or text("none_yet"))
    code_col, name_col, email_col = st.columns(3)
    dept_code = code_col.text_input(text("department_code"), key="department_code")
    dept_name = name_col.text_input(text("department_name"), key="department_name")
    dept_email = email_col.text_input(text("department_email"), key="department_email")
    if st.button(text("department_button"), key="department_button"):
        attempt(
            lambda: rounds.save_department(engine, principal, unit, dept_code, dept_name, email=dept_email),
            text("department_saved", unit=unit, code=dept_code.strip().lower()),
        )

with st.expander(text("subscribers_heading"), icon=":material/mail:"):
    listed = reads.subscribers(engine, unit_id)
    st.markdown("\n".join(f"- {s.email} — {s.name} ({s.lang})" for s in listed) or text("none_yet"))
    email_col, name_col, lang_col = st.columns([2, 2, 1])
    sub_email = email_col.text_input(text("subscriber_email"), key="subscriber_email")
    sub_name = name_col.text_input(text("subscriber_name"), key="subscriber_name")
    sub_lang = lang_col.selectbox(text("subscriber_lang"), ["vi", "en"], key="subscriber_lang")
    if st.button(text("subscriber_button"), key="subscriber_button"):
        attempt(
            lambda: rounds.subscribe(engine, principal, unit, sub_email, sub_name, sub_lang),
            text("subscriber_saved", unit=unit, email=sub_email.strip().lower()),
        )
    if listed:
        gone = st.selectbox(text("subscriber_remove"), [s.email for s in listed], key="subscriber_gone")
        if st.button(text("subscriber_remove"), key="subscriber_remove"):
            attempt(
                lambda: rounds.unsubscribe(engine, principal, unit, gone),
                text("subscriber_removed", unit=unit, email=gone),
            )
