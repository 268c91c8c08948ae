"""Tài khoản: sign in (password, or single sign-on when configured), see your roles, sign out."""

from ui.auth import account_panel, current

account_panel(current())
