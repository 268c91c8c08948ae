"""Tài khoản: sign in (password, or single sign-on when configured), see your roles, sign out."""

from ui.auth import account_panel
from ui.frame import open_page

account_panel(open_page("account").principal)
