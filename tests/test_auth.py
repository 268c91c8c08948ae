"""The permission rules and account functions of commstats.auth, on real databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commstats import audit, auth
from commstats.auth import Action, AuthError, Principal
from commstats.bootstrap import add_unit
from commstats.models import AppUser, Unit
from commstats.queries import units

PASSWORD = "đúng-mật-khẩu-2019"


def unit_id(engine, code: str) -> int:
    return next(u.id for u in units(engine) if u.code == code)


@pytest.fixture
def two_units(empty_engine):
    add_unit(empty_engine, "unit-b", "Sở B", "Department B")
    return unit_id(empty_engine, "test-unit"), unit_id(empty_engine, "unit-b")


def test_role_ladder_decides_every_action():
    p = Principal("an", roles={1: "analyst"})
    assert p.can(Action.VIEW, 1) and p.can(Action.EXPORT, 1)
    assert not p.can(Action.IMPORT, 1) and not p.can(Action.MANAGE_USERS, 1)
    assert not p.can(Action.VIEW, 2)
    editor = Principal("ed", roles={1: "editor"})
    assert all(editor.can(a, 1) for a in (Action.IMPORT, Action.ENTRY, Action.TARGETS, Action.EXPORT))
    assert not editor.can(Action.SETTINGS, 1)
    admin = Principal("ad", roles={None: "admin"})
    assert admin.is_global_admin and all(admin.can(a, 99) for a in Action)
    viewer = Principal("v", roles={1: "viewer"})
    assert viewer.can("view", 1) and not viewer.can("export", 1)


def test_roles_are_per_unit_and_the_best_one_wins():
    p = Principal("mixed", roles={1: "editor", 2: "viewer", None: "analyst"}, public_units=frozenset({3}))
    assert p.role_on(1) == "editor"
    assert p.role_on(2) == "analyst"  # the global analyst grant beats the unit's viewer grant
    assert p.role_on(3) == "analyst"
    assert p.can(Action.IMPORT, 1) and not p.can(Action.IMPORT, 2)
    assert p.units_for(Action.IMPORT, [1, 2, 3]) == [1]
    assert p.can_somewhere(Action.IMPORT, [2, 1]) and not p.can_all(Action.IMPORT, [1, 2])
    assert not p.can_all(Action.VIEW, [])


def test_allowed_somewhere_agrees_with_asking_unit_by_unit():
    """can_somewhere and units_for answer from the roles held, not unit by unit; they must answer as checking
    every unit."""
    every_unit = list(range(1, 1001))
    people = [
        Principal("unit-editor", roles={700: "editor"}),
        Principal("global-viewer", roles={None: "viewer"}),
        Principal("global-admin", roles={None: "admin"}),
        Principal("outside", roles={5000: "admin"}),  # a role on a unit not in the list
        Principal(None, public_units=frozenset({3, 999})),
        Principal(None, public_units=frozenset({5000})),  # public, but not among the units asked of
        Principal("nobody"),
    ]
    for person in people:
        for action in Action:
            expected = any(person.can(action, unit_id) for unit_id in every_unit)
            assert person.can_somewhere(action, every_unit) == expected, (person.username, action)
            assert person.can_somewhere(action, frozenset(every_unit)) == expected
            assert not person.can_somewhere(action, [])
            assert person.units_for(action, every_unit) == [u for u in every_unit if person.can(action, u)]
    assert Principal("unit-editor", roles={700: "editor"}).can_somewhere(Action.IMPORT, every_unit)
    assert not Principal("global-viewer", roles={None: "viewer"}).can_somewhere(Action.IMPORT, every_unit)


def test_anonymous_sees_only_public_units(two_units, empty_engine):
    a, b = two_units
    assert auth.anonymous(empty_engine).units_for(Action.VIEW, [a, b]) == []
    auth.set_public_view(empty_engine, "unit-b", True, actor="root")
    guest = auth.anonymous(empty_engine)
    assert guest.is_anonymous and guest.units_for(Action.VIEW, [a, b]) == [b]
    assert not guest.can(Action.EXPORT, b) and not guest.can(Action.IMPORT, b)
    with pytest.raises(AuthError) as refused:
        auth.require(guest, Action.IMPORT, [b], "unit-b")
    assert "unit-b" in refused.value.message("en") and "may not" in refused.value.message("en")


def test_demo_unit_is_public_and_other_units_are_not(demo_engine):
    public = {u.code for u in units(demo_engine) if auth.anonymous(demo_engine).can(Action.VIEW, u.id)}
    assert "travinh-demo" in public


def test_create_sign_in_and_audit(two_units, empty_engine):
    a, b = two_units
    auth.create_user(empty_engine, "Lan.Nguyen", PASSWORD, actor="os:root", display_name="Nguyễn Thị Lan")
    auth.grant(empty_engine, "lan.nguyen", "editor", "test-unit", actor="os:root")
    auth.grant(empty_engine, "lan.nguyen", "viewer", "unit-b", actor="os:root")
    p = auth.authenticate(empty_engine, " LAN.nguyen ", PASSWORD)
    assert p.username == "lan.nguyen" and p.display_name == "Nguyễn Thị Lan"
    assert p.can(Action.IMPORT, a) and p.can(Action.VIEW, b) and not p.can(Action.EXPORT, b)
    with empty_engine.connect() as conn:
        stored = conn.scalar(select(AppUser.password_hash).where(AppUser.username == "lan.nguyen"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    actions = [(e.actor, e.action, e.target, e.unit_code) for e in audit.events(empty_engine)]
    assert ("lan.nguyen", "sign_in", "", "") in actions
    assert ("os:root", "grant", "lan.nguyen", "test-unit") in actions
    assert ("os:root", "user_add", "lan.nguyen", "") in actions


def test_wrong_password_unknown_user_and_disabled_account_look_the_same(empty_engine):
    auth.create_user(empty_engine, "binh", PASSWORD, actor="t")
    messages = []
    for name, password in (("binh", "sai-mat-khau-123"), ("nobody", PASSWORD)):
        with pytest.raises(AuthError) as refused:
            auth.authenticate(empty_engine, name, password)
        messages.append(refused.value.message("vi"))
    auth.set_active(empty_engine, "binh", False, actor="t")
    with pytest.raises(AuthError) as refused:
        auth.authenticate(empty_engine, "binh", PASSWORD)
    messages.append(refused.value.message("vi"))
    assert len(set(messages)) == 1 and "Sai tên đăng nhập hoặc mật khẩu" in messages[0]
    assert auth.principal_for(empty_engine, "binh") is None  # disabled: an open session loses its rights
    failed = [e for e in audit.events(empty_engine, actions={"sign_in_failed"})]
    assert {e.actor for e in failed} == {"binh", auth.UNKNOWN_NAME} and len(failed) == 3


def test_password_rules_and_generated_passwords(empty_engine):
    cases = (("ngắn", "password_short"), ("dungdungdung", "password_is_username"), ("x" * 2000, "password_long"))
    for bad, key in cases:
        with pytest.raises(AuthError) as refused:
            auth.create_user(empty_engine, "dungdungdung", bad, actor="t")
        assert refused.value.key == key
    generated = {auth.generate_password() for _ in range(50)}
    assert len(generated) == 50 and all(len(p) >= auth.MIN_PASSWORD for p in generated)
    auth.create_user(empty_engine, "dung", next(iter(generated)), actor="t")
    auth.set_password(empty_engine, "dung", PASSWORD, actor="t")
    assert auth.authenticate(empty_engine, "dung", PASSWORD).username == "dung"


@pytest.mark.parametrize(
    "username", ["a", "<script>", "Nguyễn", "x" * 65, "user name", "robert'); drop table app_user;--"]
)
def test_bad_usernames_are_refused(empty_engine, username):
    with pytest.raises(AuthError) as refused:
        auth.create_user(empty_engine, username, PASSWORD, actor="t")
    assert refused.value.key == "bad_username"
    assert auth.list_users(empty_engine) == []


def test_grants_replace_and_revoke(two_units, empty_engine):
    auth.create_user(empty_engine, "dao", PASSWORD, actor="t")
    auth.grant(empty_engine, "dao", "viewer", None, actor="t")
    auth.grant(empty_engine, "dao", "analyst", "*", actor="t")  # replaces the global viewer grant
    auth.grant(empty_engine, "dao", "editor", "unit-b", actor="t")
    [info] = auth.list_users(empty_engine)
    assert info.roles == {"*": "analyst", "unit-b": "editor"} and info.has_password and info.is_active
    auth.revoke(empty_engine, "dao", "*", actor="t")
    assert auth.list_users(empty_engine)[0].roles == {"unit-b": "editor"}
    for call, key in (
        (lambda: auth.grant(empty_engine, "dao", "owner", None, actor="t"), "bad_role"),
        (lambda: auth.grant(empty_engine, "dao", "viewer", "no-such-unit", actor="t"), "no_such_unit"),
        (lambda: auth.grant(empty_engine, "ghost", "viewer", None, actor="t"), "no_such_user"),
        (lambda: auth.create_user(empty_engine, "dao", PASSWORD, actor="t"), "user_exists"),
    ):
        with pytest.raises(AuthError) as refused:
            call()
        assert refused.value.key == key


def test_single_sign_on_maps_the_email_to_an_account(empty_engine):
    auth.create_user(empty_engine, "em", None, actor="t", email="Em.Tran@TraVinh.gov.vn")
    auth.grant(empty_engine, "em", "analyst", "test-unit", actor="t")
    p = auth.principal_for_email(empty_engine, "em.tran@travinh.gov.vn")
    assert p is not None and p.username == "em" and p.can(Action.EXPORT, unit_id(empty_engine, "test-unit"))
    assert auth.principal_for_email(empty_engine, "someone@else.vn") is None
    with pytest.raises(AuthError):  # an SSO-only account has no password that could match
        auth.authenticate(empty_engine, "em", "")
    with pytest.raises(AuthError) as refused:
        auth.create_user(empty_engine, "em2", None, actor="t", email="em.tran@travinh.gov.vn")
    assert refused.value.key == "email_taken"


def test_public_view_setting_is_audited(empty_engine):
    auth.set_public_view(empty_engine, "test-unit", True, actor="admin1")
    with empty_engine.connect() as conn:
        assert conn.scalar(select(Unit.public_view).where(Unit.code == "test-unit")) is True
    [event] = audit.events(empty_engine, actor="admin1")
    assert event.action == "unit" and event.unit_code == "test-unit" and '"public_view": true' in event.detail
