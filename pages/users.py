"""Người dùng: accounts, roles per unit, who may view without signing in, and the account audit trail."""

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from commstats import audit, auth
from commstats.auth import Action
from commstats.i18n import t
from commstats.numbers import format_time
from ui import cache
from ui.auth import role_name
from ui.frame import open_page
from ui.labels import lang
from ui.markup import md

principal = open_page("users").principal  # admins only (ui.navigation)

url = cache.database_url()
engine = cache.engine(url)
units = cache.units(url)
admin_units = [u for u in units if principal.can(Action.MANAGE_USERS, u.id)]
st.caption(t("users.caption"))


def saved() -> None:
    st.success(t("users.done"))


def run(action: Callable[[], object]) -> bool:
    """Run one account change; a refusal is shown as a message."""
    try:
        action()
    except auth.AuthError as refused:
        st.error(md(refused.message(lang())))
        return False
    return True


users = auth.list_users(engine, principal)  # an admin of some units sees only their accounts
st.subheader(t("users.users"))
st.dataframe(
    pd.DataFrame(
        {
            t("users.col_user"): [u.username for u in users],
            t("users.col_name"): [u.display_name for u in users],
            t("users.col_email"): [u.email or "" for u in users],
            t("users.col_active"): [u.is_active for u in users],
            t("users.col_roles"): [
                ", ".join(f"{role_name(r)} @ {unit}" for unit, r in sorted(u.roles.items())) for u in users
            ],
        }
    ),
    hide_index=True,
    width="stretch",
)

CREATED = "users_created"  # (username, password) of the account just created, shown once after the rerun
if created := st.session_state.pop(CREATED, None):
    st.success(t("users.created", user=md(created[0])))
    st.code(created[1], language=None)
elif done := st.session_state.pop("users_done", None):
    st.success(t("users.done_for", user=md(done)))

unit_names = {u.code: u.name(lang()) for u in admin_units} | {auth.ALL_UNITS: t("users.all_units")}
# Every unit ("*") is offered last and never chosen for the admin: a role goes to the unit picked.
unit_choices = [u.code for u in admin_units] + ([auth.ALL_UNITS] if principal.is_global_admin else [])

if principal.is_global_admin:
    with st.form("users_add", clear_on_submit=True):
        st.subheader(t("users.add"))
        left, middle, right = st.columns(3)
        new_name = left.text_input(t("users.username"), max_chars=64, key="users_add_name")
        display = middle.text_input(t("users.name"), max_chars=255, key="users_add_display")
        email = right.text_input(t("users.email"), max_chars=255, key="users_add_email")
        role_col, unit_col = st.columns(2)
        new_role = role_col.selectbox(
            t("users.first_role"),
            auth.ROLES,
            index=None,
            format_func=role_name,
            key="users_add_role",
            placeholder=t("users.no_role"),
        )
        new_unit = unit_col.selectbox(
            t("users.unit"),
            unit_choices,
            index=None,
            format_func=unit_names.__getitem__,
            key="users_add_unit",
            placeholder=t("users.choose_unit"),
        )
        if st.form_submit_button(t("users.create"), type="primary"):
            password = auth.generate_password()
            if run(
                lambda: auth.create_user(
                    engine,
                    new_name,
                    password,
                    actor=principal.actor,
                    display_name=display,
                    email=email or None,
                    role=new_role,
                    unit_code=new_unit,
                )
            ):
                # Run again so every list below holds the new account (a list read before the creation
                # would no longer match what the browser shows).
                st.session_state[CREATED] = (new_name.strip().lower(), password)
                st.rerun()

usernames = [u.username for u in users]
if admin_units and (usernames or not principal.is_global_admin):
    with st.form("users_grant"):
        st.subheader(t("users.grant"))
        left, middle, right = st.columns(3)
        # Keyed widgets: Streamlit then keeps the chosen account by its name even when the list changes.
        if principal.is_global_admin:
            who = left.selectbox(
                t("users.user"), usernames, index=None, key="users_grant_user", placeholder=t("users.choose_user")
            )
        else:  # an admin of some units is not shown every account: the name of an existing one is typed
            who = left.text_input(t("users.user_typed"), max_chars=64, key="users_grant_name")
        grant_unit = middle.selectbox(
            t("users.unit"),
            unit_choices,
            index=None,
            format_func=unit_names.__getitem__,
            key="users_grant_unit",
            placeholder=t("users.choose_unit"),
        )
        role = right.selectbox(t("users.role"), auth.ROLES, format_func=role_name, key="users_grant_role")
        grant_col, revoke_col = st.columns(2)
        grant_clicked = grant_col.form_submit_button(t("users.do_grant"), type="primary")
        revoke_clicked = revoke_col.form_submit_button(t("users.do_revoke"))

        def change(name: str, unit_code: str) -> None:
            if grant_clicked:
                auth.grant(engine, name, role, unit_code, actor=principal.actor)
            else:
                auth.revoke(engine, name, unit_code, actor=principal.actor)

        if (grant_clicked or revoke_clicked) and not (who and grant_unit):
            st.error(t("users.pick_user_and_unit"))
        elif (
            (grant_clicked or revoke_clicked) and who and grant_unit and run(lambda: change(str(who), str(grant_unit)))
        ):
            st.session_state["users_done"] = who.strip().lower()  # said after the rerun, with the name
            st.rerun()

if usernames and principal.is_global_admin:
    with st.form("users_state"):
        st.subheader(t("users.state"))
        who = st.selectbox(
            t("users.user"), [u for u in usernames if u != principal.username] or usernames, key="users_state_user"
        )
        left, right = st.columns(2)
        if left.form_submit_button(t("users.disable")) and run(
            lambda: auth.set_active(engine, str(who), False, actor=principal.actor)
        ):
            saved()
        if right.form_submit_button(t("users.enable")) and run(
            lambda: auth.set_active(engine, str(who), True, actor=principal.actor)
        ):
            saved()

if usernames and principal.is_global_admin:
    with st.form("users_reset"):
        st.subheader(t("users.reset"))
        st.caption(t("users.reset_caption"))
        who = st.selectbox(t("users.user"), usernames, key="users_reset_user")
        if st.form_submit_button(t("users.do_reset")) and who:
            password = auth.generate_password()
            if run(lambda: auth.set_password(engine, str(who), password, actor=principal.actor)):
                st.success(t("users.reset_done", user=md(who)))
                st.code(password, language=None)

if admin_units:
    st.subheader(t("users.public"))
    st.caption(t("users.public_caption"))
    public = auth.anonymous(engine).public_units
    for admin_unit in admin_units:
        chosen = st.toggle(
            md(admin_unit.name(lang())), value=admin_unit.id in public, key=f"users_public_{admin_unit.code}"
        )
        if chosen != (admin_unit.id in public) and run(
            partial(auth.set_public_view, engine, admin_unit.code, chosen, actor=principal.actor)
        ):
            saved()

st.subheader(t("users.events"))
events = auth.account_events(engine, principal, limit=200)
st.dataframe(
    pd.DataFrame(
        {
            t("users.col_at"): [format_time(e.at) for e in events],
            t("users.col_actor"): [e.actor for e in events],
            t("users.col_action"): [audit.action_text(e.action, lang()) for e in events],
            t("users.col_target"): [e.target or e.unit_code for e in events],
            t("users.col_detail"): [audit.detail_text(e.detail, lang()) for e in events],
        }
    ),
    hide_index=True,
    width="stretch",
)
