"""Who is using the dashboard, and the one gate every page goes through.

`current()` is the signed-in account (a password sign-in kept in this browser session, or Streamlit's
single sign-on when `.streamlit/secrets.toml` configures it) or an anonymous visitor. `require(action)`
(called by ui.frame.open_page for the action a page declares in ui.navigation) stops it with a clear message
when the role does not allow it; `account_panel` is the sign-in page. The rules themselves live in commstats.auth.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import streamlit as st
import streamlit.components.v1 as components
from sqlalchemy import Engine
from streamlit.errors import StreamlitSecretNotFoundError

from commstats import audit, auth, queries
from commstats.auth import Action, Principal
from commstats.i18n import t
from commstats.numbers import format_time
from ui import cache
from ui.labels import lang
from ui.markup import md

SESSION_USER = "auth_user"  # the account signed in with a password in this browser session
SESSION_TOKEN = "auth_token"  # its session's token: checked on every run, so a sign-out elsewhere ends it
COOKIE = "commstats_session"  # the signed, expiring token of a password sign-in (commstats.auth.session_token)
COOKIE_WRITE = "auth_cookie_write"  # the cookie to write in the browser on the next run ("" clears it)
COOKIE_IGNORED = "auth_cookie_ignored"  # signed out in this session: the cookie read at its start is void
SSO_RECORDED = "auth_sso_recorded"


def role_name(role: str) -> str:
    return t("auth.role_" + role)


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
    token = st.session_state.get(SESSION_TOKEN)
    if token:  # a password sign-in: its session may have been signed out elsewhere, or its password reset
        found = None if auth.signed_out_here(str(token)) else cache.principal_by_token(url, str(token))
        if found is not None:
            st.session_state[SESSION_USER] = found.username
            return found
        _forget_session()
    name = st.session_state.get(SESSION_USER)
    if name:
        found = cache.principal(url, str(name))
        if found is not None:
            return found
        st.session_state.pop(SESSION_USER, None)  # disabled or deleted since sign-in
    if (kept := _from_cookie(engine)) is not None:  # a password sign-in before a reload
        return kept
    email = _sso_email()
    if email:
        found = cache.principal_by_email(url, email)
        if not st.session_state.get(SSO_RECORDED):
            auth.record_sso_sign_in(engine, email, found)
            st.session_state[SSO_RECORDED] = True
        if found is not None:
            return found
    return cache.anonymous(url)


def _forget_session() -> None:
    """This browser session is signed out (here or elsewhere): nothing of the password sign-in remains, and
    the cookie read at its start no longer counts."""
    st.session_state.pop(SESSION_USER, None)
    st.session_state.pop(SESSION_TOKEN, None)
    st.session_state[COOKIE_IGNORED] = True


def _from_cookie(engine: Engine) -> Principal | None:
    if st.session_state.get(COOKIE_IGNORED):
        return None
    try:
        token = st.context.cookies.get(COOKIE)
    except (AttributeError, RuntimeError):  # no browser connection (AppTest)
        return None
    found = auth.principal_for_token(engine, token) if isinstance(token, str) and token else None
    if found is not None:
        st.session_state[SESSION_USER], st.session_state[SESSION_TOKEN] = found.username, token
    return found


def start_session(username: str) -> None:
    """A new session for this browser after a sign-in or a password change (which ended all the others):
    its token kept in the session state and written to the cookie on this run."""
    engine = cache.engine(cache.database_url())
    token = auth.session_token(engine, username)
    st.session_state[SESSION_USER], st.session_state[SESSION_TOKEN] = username, token
    st.session_state.pop(COOKIE_IGNORED, None)
    st.session_state[COOKIE_WRITE] = token


def write_cookie() -> None:
    """Write (or clear) the sign-in cookie in the browser. Streamlit reads cookies but cannot set them, so a
    zero-height component sets it with the page's own origin: SameSite=Strict, Secure behind HTTPS, and the
    expiry of the token itself. Called by the router on every run; it draws something only after a sign-in
    or a sign-out."""
    if COOKIE_WRITE not in st.session_state:
        return
    token = str(st.session_state.pop(COOKIE_WRITE))
    age = auth.SESSION_HOURS * 3600 if token else 0
    # The cookie text as a JSON string literal, "<" escaped: nothing in it can end the script or the string.
    cookie = json.dumps(f"{COOKIE}={token}; path=/; max-age={age}; SameSite=Strict").replace("<", "\\u003c")
    script = (
        "<script>const secure = window.parent.location.protocol === 'https:' ? '; Secure' : '';"
        f"document.cookie = {cookie} + secure;</script>"
    )
    components.html(script, height=0)


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
    allowed = set(who.units_for(Action.VIEW, [u.id for u in units]))
    return [u for u in units if u.id in allowed]


def unit_codes_for(action: Action, principal: Principal | None = None) -> list[str]:
    """Codes of the units on which `action` is allowed (e.g. the units an editor may import into)."""
    who = principal or current()
    url = cache.database_url()
    units = cache.units(url)
    allowed = set(who.units_for(action, [u.id for u in units]))
    return [u.code for u in units if u.id in allowed]


def all_unit_ids() -> frozenset[int]:
    """Every unit's id (none before the schema exists): what "allowed on some unit?" is asked of."""
    url = cache.database_url()
    return cache.unit_id_set(url) if cache.schema_ready(url) else frozenset()


def can(action: Action, principal: Principal | None = None) -> bool:
    """Whether the action is allowed on at least one unit (to show a button or a page)."""
    who = principal or current()
    return who.can_somewhere(action, all_unit_ids())


def require(action: Action) -> Principal:
    """The gate at the top of a page: stop with a clear message unless the role allows `action` somewhere.

    Viewing is refused only when the database has units and none may be seen (a fresh database shows its
    guided empty state to everyone)."""
    who = current()
    ids = all_unit_ids()
    if action == Action.VIEW:
        if ids and not who.can_somewhere(Action.VIEW, ids):
            st.info(t("auth.sign_in_to_view" if who.is_anonymous else "auth.no_units_granted"), icon=":material/lock:")
            st.stop()
        return who
    if not who.can_somewhere(action, ids):
        st.error(t("auth.denied", role=role_name(auth.MIN_ROLE[action])), icon=":material/block:")
        st.stop()
    return who


def sidebar_status(principal: Principal) -> None:
    """The sidebar line under the navigation: who is signed in, or a link to sign in."""
    if auth.enforcement_off():
        st.sidebar.warning(t("auth.auth_off"), icon=":material/lock_open:")
        return
    if not cache.schema_ready(cache.database_url()):
        return
    with st.sidebar:
        if principal.is_anonymous:
            st.page_link("pages/account.py", label=t("auth.sign_in"), icon=":material/login:")
        else:
            st.caption(t("auth.signed_in_as", name=md(principal.display_name or principal.actor)))
            st.page_link("pages/account.py", label=t("auth.account"), icon=":material/account_circle:")


def account_panel(principal: Principal) -> None:
    """The account page: the sign-in form (and single sign-on), or who is signed in with which roles."""
    url = cache.database_url()
    engine = cache.engine(url)
    if not principal.is_anonymous:
        st.markdown(t("auth.signed_in_as", name=md(principal.display_name or principal.actor)))
        codes = {u.id: u.code for u in cache.units(url)}
        roles = ", ".join(
            f"{role_name(role)} @ {codes.get(unit_id, '?') if unit_id else auth.ALL_UNITS}"
            for unit_id, role in sorted(principal.roles.items(), key=lambda item: str(item[0]))
        )
        st.caption(t("auth.roles", roles=md(roles or "-")))
        if st.button(t("auth.sign_out"), key="auth_sign_out", icon=":material/logout:"):
            # The session's row is deleted: a copy of this browser's cookie elsewhere stops working too.
            auth.sign_out(engine, st.session_state.get(SESSION_TOKEN), actor=principal.actor)
            _forget_session()
            st.session_state.pop(SSO_RECORDED, None)
            st.session_state[COOKIE_WRITE] = ""
            if _sso_email():
                st.logout()
            st.rerun()
        return
    email = _sso_email()
    if email:  # signed in with SSO, but no account has that e-mail
        st.warning(t("auth.sso_unknown", email=md(email)))
    st.caption(t("auth.guest"))
    with st.form("auth_sign_in", clear_on_submit=True):
        username = st.text_input(t("auth.username"), key="auth_username", max_chars=64)
        password = st.text_input(t("auth.password"), type="password", key="auth_password", max_chars=1024)
        submitted = st.form_submit_button(t("auth.submit"), type="primary")
    if submitted:
        try:
            signed_in = auth.authenticate(engine, username, password, client_address())
        except auth.AuthError as refused:
            st.error(md(refused.message(lang())))
        else:
            if signed_in.username:
                start_session(signed_in.username)
            st.rerun()
    if sso_enabled() and st.button(t("auth.sso"), key="auth_sso", icon=":material/key:"):
        st.login()


def can_audit(unit_ids: Sequence[int]) -> bool:
    return current().can_all(Action.AUDIT, unit_ids)


def audit_section(unit_ids: Sequence[int]) -> None:
    """The data-quality page's audit trail: changes to the figures of these units (predecessors of a merged
    unit included), newest first."""
    url = cache.database_url()
    engine = cache.engine(url)
    wanted = set(unit_ids)
    chosen = {u.code for u in cache.units(url) if u.id in wanted}
    events = [
        e for e in audit.events(engine, actions=audit.DATA_ACTIONS, limit=2000) if chosen & set(e.unit_code.split(","))
    ][:300]
    st.subheader(t("auth.audit_title"))
    st.caption(t("auth.audit_caption"))
    if not events:
        st.info(t("auth.audit_none"))
        return
    st.dataframe(
        {
            t("auth.col_at"): [format_time(e.at) for e in events],
            t("auth.col_actor"): [e.actor or "-" for e in events],
            t("auth.col_action"): [audit.action_text(e.action, lang()) for e in events],
            t("auth.col_unit"): [e.unit_code for e in events],
            t("auth.col_target"): [e.target for e in events],
            t("auth.col_batch"): [e.batch_id for e in events],
            t("auth.col_detail"): [audit.detail_text(e.detail, lang()) for e in events],
        },
        hide_index=True,
        width="stretch",
        key="quality_audit_table",
    )
