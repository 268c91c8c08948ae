"""Tài khoản: sign in (password, or single sign-on when configured), see your roles, change your password,
sign out."""

import streamlit as st

from commstats import auth
from commstats.i18n import t
from ui import cache
from ui.auth import account_panel, client_address, start_session, write_cookie
from ui.frame import open_page
from ui.labels import lang
from ui.markup import md

principal = open_page("account").principal
account_panel(principal)
if not principal.is_anonymous and principal.username:
    with st.form("account_password", clear_on_submit=True):
        st.subheader(t("account.password"))
        current = st.text_input(t("account.current"), type="password", max_chars=1024)
        new = st.text_input(t("account.new"), type="password", max_chars=1024)
        again = st.text_input(t("account.again"), type="password", max_chars=1024)
        submitted = st.form_submit_button(t("account.change"), type="primary")
    if submitted:
        if new != again:
            st.error(t("account.mismatch"))
        else:
            try:
                auth.change_own_password(
                    cache.engine(cache.database_url()), principal.username, current, new, client_address()
                )
            except auth.AuthError as refused:
                st.error(md(refused.message(lang())))
            else:
                start_session(principal.username)  # the change ended every session, this browser's too
                write_cookie()
                st.success(t("account.changed"))
