"""Specs for stores, agents, teams and API tokens."""

from __future__ import annotations

import pytest

from storedesk.core import actions
from storedesk.core.access import roles_for
from storedesk.core.errors import PermissionDenied
from storedesk.core.models import ApiToken, AuditEvent, Membership, Role, User
from tests.factories import ConversationFactory


def test_it_adds_an_agent_with_a_role(acme, olivia):
    user = actions.do_add_agent(olivia, acme, email="New@Acme.test", role=Role.LEAD, password="pw-123456")
    assert user.email == "new@acme.test"
    assert user.check_password("pw-123456")
    assert roles_for(user) == {acme.pk: Role.LEAD}
    assert AuditEvent.objects.filter(verb="agent.added", object_id=user.pk).count() == 1


def test_it_lets_only_admins_add_agents(acme, leo):
    with pytest.raises(PermissionDenied):
        actions.do_add_agent(leo, acme, email="x@acme.test")
    assert not User.objects.filter(email="x@acme.test").exists()


def test_it_changes_a_role_in_place(acme, olivia, ana):
    actions.do_add_agent(olivia, acme, email=ana.email, role=Role.LEAD)
    assert Membership.objects.get(user=ana).role == "lead"


def test_it_deactivates_an_agent_keeping_their_conversations(acme, olivia, ana):
    conversation = ConversationFactory(store=acme, assignee=ana)
    actions.do_deactivate_agent(olivia, acme, ana)
    ana.refresh_from_db()
    conversation.refresh_from_db()
    assert ana.is_active is False
    assert conversation.assignee == ana


def test_it_stores_only_the_token_hash(ana):
    token, raw = actions.do_create_api_token(ana, "ci")
    assert raw.startswith("sd_")
    assert raw not in token.key_hash
    assert token.key_hash == actions.hash_token(raw)
    assert actions.authenticate_token(raw) == ana
    assert actions.authenticate_token(raw + "x") is None


def test_it_rejects_revoked_tokens_and_inactive_users(ana):
    token, raw = actions.do_create_api_token(ana)
    actions.do_revoke_api_token(token)
    assert actions.authenticate_token(raw) is None
    _, raw2 = actions.do_create_api_token(ana)
    ana.is_active = False
    ana.save()
    assert actions.authenticate_token(raw2) is None
    assert ApiToken.objects.filter(user=ana).count() == 2


def test_it_creates_a_store_with_its_creator_as_admin(db):
    owner = User.objects.create_user("founder@new.test", "pw")
    store = actions.do_create_store(slug="new", name="New Shop", actor=owner)
    assert roles_for(owner) == {store.pk: Role.ADMIN}
    assert store.signing_secret
