"""Who is using the dashboard, and the one gate every page goes through.

`current()` is the signed-in account (a password sign-in kept in this browser session, or Streamlit's
single sign-on when `.streamlit/secrets.toml` configures it) or an anonymous visitor. `require(action)`
at the top of a page stops it with a clear message when the role does not allow it; `allowed_pages`
filters the navigation; `account_panel` is the sign-in page. The rules themselves live in commstats.auth.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from commstats import audit, auth, queries
from commstats.auth import Action, Principal
from ui import cache
from ui.labels import lang

SESSION_USER = "auth_user"  # the account signed in with a password in this browser session
SSO_RECORDED = "auth_sso_recorded"
# Pages that need more than viewing, by their URL path (the file name without .py).
ACCOUNT_PAGE = "account"  # the sign-in page: always reachable
PAGE_ACTIONS: dict[str, Action] = {"import": Action.IMPORT, "entry": Action.ENTRY, "users": Action.MANAGE_USERS}

TEXTS: dict[str, tuple[str, str]] = {
    "sign_in": ("Đăng nhập", "Sign in"),
    "account": ("Tài khoản", "Account"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "submit": ("Đăng nhập", "Sign in"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "sso": ("Đăng nhập bằng tài khoản cơ quan (SSO)", "Sign in with your organisation account (SSO)"),
    "signed_in_as": ("Đã đăng nhập: **{name}**", "Signed in as **{name}**"),
    "guest": ("Bạn đang xem với tư cách khách.", "You are browsing as a guest."),
    "roles": ("Quyền: {roles}", "Roles: {roles}"),
    "sso_unknown": (
        "E-mail {email} chưa gắn với tài khoản nào. Nhờ quản trị viên chạy: "
        "python -m commstats user add TEN --email {email} --sso-only",
        "E-mail {email} is not linked to an account. Ask an administrator to run: "
        "python -m commstats user add NAME --email {email} --sso-only",
    ),
    "denied": (
        "Trang này cần quyền {role} trên ít nhất một đơn vị. Đăng nhập bằng tài khoản có quyền đó, "
        "hoặc nhờ quản trị viên cấp quyền.",
        "This page needs the {role} role on at least one unit. Sign in with an account that has it, "
        "or ask an administrator to grant it.",
    ),
    "sign_in_to_view": (
        "Số liệu của các đơn vị ở đây chỉ dành cho người đã đăng nhập. Đăng nhập ở thanh bên trái.",
        "The figures of these units are for signed-in users only. Sign in in the sidebar.",
    ),
    "auth_off": (
        "Đang tắt kiểm soát đăng nhập (COMMSTATS_AUTH=off): mọi người đều có toàn quyền. Chỉ dùng khi phát triển.",
        "Sign-in is switched off (COMMSTATS_AUTH=off): everyone has every right. For development only.",
    ),
    "nav_users": ("Người dùng", "Users"),
    "audit_title": ("Nhật ký thay đổi số liệu", "Audit trail of the figures"),
    "audit_caption": (
        "Mỗi lần nhập tệp, nhập tay, sửa kế hoạch hay khôi phục: ai làm, lúc nào (giờ UTC). "
        "Dòng lệnh: python -m commstats audit --since 2019-07-01 --user TEN",
        "Every import, manual entry, target change or restore: who and when (UTC). "
        "Command line: python -m commstats audit --since 2019-07-01 --user NAME",
    ),
    "audit_none": ("Chưa có thay đổi nào được ghi.", "No change recorded yet."),
    "col_at": ("Thời điểm (UTC)", "When (UTC)"),
    "col_actor": ("Người thực hiện", "By"),
    "col_action": ("Việc", "Action"),
    "col_unit": ("Đơn vị", "Unit"),
    "col_target": ("Tệp / đối tượng", "File / target"),
    "col_batch": ("Lô", "Batch"),
    "col_detail": ("Chi tiết", "Detail"),
    "no_units_granted": (
        "Tài khoản của bạn chưa được cấp quyền xem đơn vị nào. Nhờ quản trị viên cấp quyền.",
        "Your account has no role on any unit yet. Ask an administrator to grant one.",
    ),
    "role_viewer": ("xem", "viewer"),
    "role_analyst": ("phân tích (xuất dữ liệu)", "analyst (export)"),
    "role_editor": ("biên tập (nhập số liệu)", "editor (import and entry)"),
    "role_admin": ("quản trị", "admin"),
}


def auth_text(key: str, **params: object) -> str:
    vi, en = TEXTS[key]
    return (en if lang() == "en" else vi).format(**params)


def role_name(role: str) -> str:
    return auth_text("role_" + role)


def sso_enabled() -> bool:
    """Single sign-on is offered only when secrets.toml has an [auth] section."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def _sso_email() -> str | None:
    if not sso_enabled():
        return None
    user = st.user
    if not user.get("is_logged_in", False):  # absent until the identity provider has answered
        return None
    email = user.get("email")
    return str(email) if email else None


def current() -> Principal:
    """The principal of this run, read again every run so a disabled account or a revoked role stops at once."""
    if auth.enforcement_off():
        return auth.developer()
    url = cache.database_url()
    if not cache.schema_ready(url):
        return Principal(None)
    engine = cache.engine(url)
    name = st.session_state.get(SESSION_USER)
    if name:
        found = auth.principal_for(engine, str(name))
        if found is not None:
            return found
        st.session_state.pop(SESSION_USER, None)  # disabled or deleted since sign-in
    email = _sso_email()
    if email:
        found = auth.principal_for_email(engine, email)
        if not st.session_state.get(SSO_RECORDED):
            auth.record_sso_sign_in(engine, email, found)
            st.session_state[SSO_RECORDED] = True
        if found is not None:
            return found
    return auth.anonymous(engine)


def client_address() -> str:
    """Who the sign-in throttle counts failures against: the browser's IP address. Behind the reverse proxy
    of the README (every connection comes from 127.0.0.1) it is the last X-Forwarded-For entry, the one the
    proxy itself added; a direct local connection without that header is "local"."""
    address = st.context.ip_address
    if isinstance(address, str) and address:  # (AppTest has no connection: not a string there)
        return address[:64]
    forwarded = st.context.headers.get("X-Forwarded-For", "")
    return (forwarded.split(",")[-1].strip()[:64] if isinstance(forwarded, str) else "") or "local"


def viewable(units: Sequence[queries.UnitInfo], principal: Principal | None = None) -> list[queries.UnitInfo]:
    """The units this person may see, for the sidebar's unit list."""
    who = principal or current()
    return [u for u in units if who.can(Action.VIEW, u.id)]


def unit_codes_for(action: Action, principal: Principal | None = None) -> list[str]:
    """Codes of the units on which `action` is allowed (e.g. the units an editor may import into)."""
    who = principal or current()
    url = cache.database_url()
    return [u.code for u in cache.units(url) if who.can(action, u.id)]


def can(action: Action, principal: Principal | None = None) -> bool:
    """Whether the action is allowed on at least one unit (to show a button or a page)."""
    who = principal or current()
    url = cache.database_url()
    return who.can_somewhere(action, [u.id for u in cache.units(url)]) if cache.schema_ready(url) else False


def allowed_pages(pages: Iterable[st.Page], principal: Principal) -> list[st.Page]:
    """The navigation without the pages this person may not open."""
    url = cache.database_url()
    ids = [u.id for u in cache.units(url)] if cache.schema_ready(url) else []
    hidden = {ACCOUNT_PAGE} if auth.enforcement_off() else set()
    return [
        p for p in pages
        if p.url_path not in hidden
        and (p.url_path not in PAGE_ACTIONS or principal.can_somewhere(PAGE_ACTIONS[p.url_path], ids))
    ]  # fmt: skip


def require(action: Action) -> Principal:
    """The gate at the top of a page: stop with a clear message unless the role allows `action` somewhere.

    Viewing is refused only when the database has units and none may be seen (a fresh database shows its
    guided empty state to everyone)."""
    who = current()
    url = cache.database_url()
    ids = [u.id for u in cache.units(url)] if cache.schema_ready(url) else []
    if action == Action.VIEW:
        if ids and not who.can_somewhere(Action.VIEW, ids):
            st.info(auth_text("sign_in_to_view" if who.is_anonymous else "no_units_granted"), icon=":material/lock:")
            st.stop()
        return who
    if not who.can_somewhere(action, ids):
        st.error(auth_text("denied", role=role_name(auth.MIN_ROLE[action])), icon=":material/block:")
        st.stop()
    return who


def sidebar_status(principal: Principal) -> None:
    """The sidebar line under the navigation: who is signed in, or a link to sign in."""
    if auth.enforcement_off():
        st.sidebar.warning(auth_text("auth_off"), icon=":material/lock_open:")
        return
    if not cache.schema_ready(cache.database_url()):
        return
    with st.sidebar:
        if principal.is_anonymous:
            st.page_link("pages/account.py", label=auth_text("sign_in"), icon=":material/login:")
        else:
            st.caption(auth_text("signed_in_as", name=_escape(principal.display_name or principal.actor)))
            st.page_link("pages/account.py", label=auth_text("account"), icon=":material/account_circle:")


def account_panel(principal: Principal) -> None:
    """The account page: the sign-in form (and single sign-on), or who is signed in with which roles."""
    url = cache.database_url()
    engine = cache.engine(url)
    st.title(auth_text("account"))
    if not principal.is_anonymous:
        st.markdown(auth_text("signed_in_as", name=_escape(principal.display_name or principal.actor)))
        codes = {u.id: u.code for u in cache.units(url)}
        roles = ", ".join(
            f"{role_name(role)} @ {codes.get(unit_id, '?') if unit_id else auth.ALL_UNITS}"
            for unit_id, role in sorted(principal.roles.items(), key=lambda item: str(item[0]))
        )  # fmt: skip
        st.caption(auth_text("roles", roles=_escape(roles or "-")))
        if st.button(auth_text("sign_out"), key="auth_sign_out", icon=":material/logout:"):
            audit.record_soon(engine, actor=principal.actor, action="sign_out")
            st.session_state.pop(SESSION_USER, None)
            st.session_state.pop(SSO_RECORDED, None)
            if _sso_email():
                st.logout()
            st.rerun()
        return
    email = _sso_email()
    if email:  # signed in with SSO, but no account has that e-mail
        st.warning(auth_text("sso_unknown", email=_escape(email)))
    st.caption(auth_text("guest"))
    with st.form("auth_sign_in", clear_on_submit=True):
        username = st.text_input(auth_text("username"), key="auth_username", max_chars=64)
        password = st.text_input(auth_text("password"), type="password", key="auth_password", max_chars=1024)
        submitted = st.form_submit_button(auth_text("submit"), type="primary")
    if submitted:
        try:
            signed_in = auth.authenticate(engine, username, password, client_address())
        except auth.AuthError as refused:
            st.error(refused.message(lang()))
        else:
            st.session_state[SESSION_USER] = signed_in.username
            st.rerun()
    if sso_enabled() and st.button(auth_text("sso"), key="auth_sso", icon=":material/key:"):
        st.login()


def _escape(value: str) -> str:
    """Markdown-escape text from the database (names, e-mails) before it goes into st.markdown/caption."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$" else c for c in value)


def can_audit(unit_ids: Sequence[int]) -> bool:
    return current().can_all(Action.AUDIT, unit_ids)


def audit_section(unit_ids: Sequence[int]) -> None:
    """The data-quality page's audit trail: changes to the figures of these units (predecessors of a merged
    unit included), newest first."""
    url = cache.database_url()
    engine = cache.engine(url)
    chosen = {u.code for u in cache.units(url) if u.id in set(unit_ids)}
    events = [
        e for e in audit.events(engine, actions=audit.DATA_ACTIONS, limit=2000)
        if chosen & set(e.unit_code.split(","))
    ][:300]  # fmt: skip
    st.subheader(auth_text("audit_title"))
    st.caption(auth_text("audit_caption"))
    if not events:
        st.info(auth_text("audit_none"))
        return
    st.dataframe(
        {
            auth_text("col_at"): [e.at.strftime("%d/%m/%Y %H:%M:%S") for e in events],
            auth_text("col_actor"): [e.actor or "-" for e in events],
            auth_text("col_action"): [e.action for e in events],
            auth_text("col_unit"): [e.unit_code for e in events],
            auth_text("col_target"): [e.target for e in events],
            auth_text("col_batch"): [e.batch_id for e in events],
            auth_text("col_detail"): [e.detail for e in events],
        },
        hide_index=True,
        width="stretch",
        key="quality_audit_table",
    )
