"""The sign-in cookie's token: signed with the database's secret, expiring, void after a new password or
when the account is disabled, and no other account can be named in it."""

from __future__ import annotations

import datetime as dt

from commstats import auth
from commstats.models import _now

PASSWORD = "mat-khau-phien-lam-viec"


def test_a_token_names_its_account_until_it_expires_or_the_password_changes(empty_engine):
    auth.create_user(empty_engine, "lan", PASSWORD, actor="test", role="viewer", unit_code="*")
    auth.create_user(empty_engine, "binh", PASSWORD, actor="test", role="admin", unit_code="*")
    token = auth.session_token(empty_engine, "lan")
    found = auth.principal_for_token(empty_engine, token)
    assert found is not None and found.username == "lan"
    later = _now() + dt.timedelta(hours=auth.SESSION_HOURS, minutes=1)
    assert auth.principal_for_token(empty_engine, token, now=later) is None
    _name, expires, signature = token.rsplit(".", 2)
    assert auth.principal_for_token(empty_engine, f"binh.{expires}.{signature}") is None
    assert auth.principal_for_token(empty_engine, f"lan.{int(expires) + 3600}.{signature}") is None
    assert auth.principal_for_token(empty_engine, "lan") is None and auth.principal_for_token(empty_engine, "") is None
    auth.set_password(empty_engine, "lan", PASSWORD + "-moi", actor="test")
    assert auth.principal_for_token(empty_engine, token) is None
    fresh = auth.session_token(empty_engine, "lan")
    auth.set_active(empty_engine, "lan", False, actor="test")
    assert auth.principal_for_token(empty_engine, fresh) is None
