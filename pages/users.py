"""Người dùng: accounts, roles per unit, who may view without signing in, and the account audit trail."""

import pandas as pd
import streamlit as st

from commstats import auth
from commstats.auth import Action
from ui import cache
from ui.auth import require, role_name
from ui.labels import lang

principal = require(Action.MANAGE_USERS)

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Người dùng và quyền", "Users and roles"),
    "caption": (
        "Vai trò theo từng đơn vị: xem < phân tích (xuất dữ liệu) < biên tập (nhập số liệu, kế hoạch) < quản trị.",
        "Roles per unit: viewer < analyst (export) < editor (import, entry, targets) < admin.",
    ),
    "users": ("Tài khoản", "Accounts"),
    "col_user": ("Tên đăng nhập", "Username"),
    "col_name": ("Họ tên", "Name"),
    "col_email": ("E-mail (SSO)", "E-mail (SSO)"),
    "col_active": ("Đang hoạt động", "Active"),
    "col_roles": ("Vai trò", "Roles"),
    "add": ("Thêm tài khoản", "Add an account"),
    "username": ("Tên đăng nhập", "Username"),
    "name": ("Họ tên", "Name"),
    "email": ("E-mail dùng cho SSO (không bắt buộc)", "E-mail for single sign-on (optional)"),
    "create": ("Tạo tài khoản", "Create account"),
    "created": (
        "Đã tạo tài khoản {user}. Mật khẩu (chỉ hiện một lần, hãy chuyển cho người dùng qua kênh an toàn):",
        "Account {user} created. Password (shown once; pass it on through a safe channel):",
    ),
    "grant": ("Cấp hoặc thu hồi vai trò", "Grant or revoke a role"),
    "user": ("Tài khoản", "Account"),
    "user_typed": ("Tên đăng nhập (tài khoản đã có)", "Username (an existing account)"),
    "unit": ("Đơn vị", "Unit"),
    "all_units": ("* (mọi đơn vị)", "* (every unit)"),
    "role": ("Vai trò", "Role"),
    "do_grant": ("Cấp vai trò", "Grant"),
    "do_revoke": ("Thu hồi", "Revoke"),
    "done": ("Đã lưu.", "Saved."),
    "state": ("Khóa hoặc mở tài khoản", "Disable or enable an account"),
    "disable": ("Khóa", "Disable"),
    "enable": ("Mở lại", "Enable"),
    "public": ("Cho khách xem không cần đăng nhập", "Anonymous visitors may view"),
    "public_caption": (
        "Bật cho đơn vị có số liệu công khai (ví dụ dữ liệu mẫu); tắt cho số liệu nội bộ.",
        "On for units whose figures are public (the demo data, say); off for internal figures.",
    ),
    "events": ("Nhật ký tài khoản và đăng nhập (giờ UTC)", "Account and sign-in log (UTC)"),
    "col_at": ("Thời điểm", "When"),
    "col_actor": ("Người thực hiện", "By"),
    "col_action": ("Việc", "Action"),
    "col_target": ("Đối tượng", "Target"),
    "col_detail": ("Chi tiết", "Detail"),
}


def text(key: str, **params: object) -> str:
    vi, en = TEXTS[key]
    return (en if lang() == "en" else vi).format(**params)


url = cache.database_url()
engine = cache.engine(url)
units = cache.units(url)
admin_units = [u for u in units if principal.can(Action.MANAGE_USERS, u.id)]
st.title(text("title"))
st.caption(text("caption"))


def saved() -> None:
    st.success(text("done"))
    st.cache_data.clear()


def run(action) -> bool:  # type: ignore[no-untyped-def]
    """Run one account change; a refusal is shown as a message."""
    try:
        action()
    except auth.AuthError as refused:
        st.error(refused.message(lang()))
        return False
    return True


users = auth.list_users(engine, principal)  # an admin of some units sees only their accounts
st.subheader(text("users"))
st.dataframe(
    pd.DataFrame(
        {
            text("col_user"): [u.username for u in users],
            text("col_name"): [u.display_name for u in users],
            text("col_email"): [u.email or "" for u in users],
            text("col_active"): [u.is_active for u in users],
            text("col_roles"): [
                ", ".join(f"{role_name(r)} @ {unit}" for unit, r in sorted(u.roles.items())) for u in users
            ],
        }
    ),
    hide_index=True,
    width="stretch",
)

if principal.is_global_admin:
    with st.form("users_add", clear_on_submit=True):
        st.subheader(text("add"))
        left, middle, right = st.columns(3)
        new_name = left.text_input(text("username"), max_chars=64)
        display = middle.text_input(text("name"), max_chars=255)
        email = right.text_input(text("email"), max_chars=255)
        if st.form_submit_button(text("create"), type="primary"):
            password = auth.generate_password()
            if run(lambda: auth.create_user(engine, new_name, password, actor=principal.actor, display_name=display,
                                            email=email or None)):  # fmt: skip
                st.success(text("created", user=new_name.strip().lower()))
                st.code(password, language=None)

usernames = [u.username for u in users]
if admin_units and (usernames or not principal.is_global_admin):
    with st.form("users_grant"):
        st.subheader(text("grant"))
        left, middle, right = st.columns(3)
        if principal.is_global_admin:
            who = left.selectbox(text("user"), usernames)
        else:  # an admin of some units is not shown every account: the name of an existing one is typed
            who = left.text_input(text("user_typed"), max_chars=64, key="users_grant_name")
        unit_choices = ([auth.ALL_UNITS] if principal.is_global_admin else []) + [u.code for u in admin_units]
        names = {u.code: u.name(lang()) for u in admin_units} | {auth.ALL_UNITS: text("all_units")}
        unit = middle.selectbox(text("unit"), unit_choices, format_func=names.__getitem__)
        role = right.selectbox(text("role"), auth.ROLES, format_func=role_name)
        grant_col, revoke_col = st.columns(2)
        if grant_col.form_submit_button(text("do_grant"), type="primary") and run(
            lambda: auth.grant(engine, who, role, unit, actor=principal.actor)
        ):
            saved()
        if revoke_col.form_submit_button(text("do_revoke")) and run(
            lambda: auth.revoke(engine, who, unit, actor=principal.actor)
        ):
            saved()

if usernames and principal.is_global_admin:
    with st.form("users_state"):
        st.subheader(text("state"))
        who = st.selectbox(text("user"), [u for u in usernames if u != principal.username] or usernames)
        left, right = st.columns(2)
        if left.form_submit_button(text("disable")) and run(
            lambda: auth.set_active(engine, who, False, actor=principal.actor)
        ):
            saved()
        if right.form_submit_button(text("enable")) and run(
            lambda: auth.set_active(engine, who, True, actor=principal.actor)
        ):
            saved()

if admin_units:
    st.subheader(text("public"))
    st.caption(text("public_caption"))
    public = auth.anonymous(engine).public_units
    for unit in admin_units:
        chosen = st.toggle(unit.name(lang()), value=unit.id in public, key=f"users_public_{unit.code}")
        if chosen != (unit.id in public) and run(
            lambda unit=unit, chosen=chosen: auth.set_public_view(engine, unit.code, chosen, actor=principal.actor)
        ):
            saved()

st.subheader(text("events"))
events = auth.account_events(engine, principal, limit=200)
st.dataframe(
    pd.DataFrame(
        {
            text("col_at"): [e.at for e in events],
            text("col_actor"): [e.actor for e in events],
            text("col_action"): [e.action for e in events],
            text("col_target"): [e.target or e.unit_code for e in events],
            text("col_detail"): [e.detail for e in events],
        }
    ),
    hide_index=True,
    width="stretch",
)
