"""Per-agent concurrent chat limit: each agent's profile caps their open chats
(`AgentProfile.capacity["chat"]`, set with `storedesk chat_limit`); routing never hands an
agent a chat beyond it, and chats over everyone's limit wait unassigned."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from storedesk.automation.actions.routing import do_set_routing
from storedesk.automation.models import AgentProfile, AgentStatus
from storedesk.channels.livechat.actions import Page, do_open_session, do_visitor_message
from storedesk.conversations.actions import do_set_status
from storedesk.conversations.models import Conversation, Status
from tests.automation.factories import AgentProfileFactory

pytestmark = pytest.mark.django_db


def new_chat(store, n: int) -> Conversation:
    visitor, _ = do_open_session(store, None, None, Page())
    message, _ = do_visitor_message(visitor, f"cid-limit-{n:06d}", f"Question {n}", Page())
    return Conversation.objects.get(pk=message.conversation_id)


def chats_of(user) -> int:
    return Conversation.objects.filter(assignee=user, channel="chat", status__in=[Status.OPEN, Status.PENDING]).count()


@pytest.fixture
def routed(acme, ana, ben):
    do_set_routing(None, acme, enabled=True)
    AgentProfileFactory(store=acme, user=ana, status=AgentStatus.ONLINE, capacity={"chat": 2})
    AgentProfileFactory(store=acme, user=ben, status=AgentStatus.ONLINE, capacity={"chat": 1})
    return acme


def test_it_never_gives_an_agent_more_live_chats_than_their_limit(routed, ana, ben):
    chats = [new_chat(routed, n) for n in range(5)]

    assert (chats_of(ana), chats_of(ben)) == (2, 1)
    assert [c.assignee_id for c in Conversation.objects.filter(pk__in=[c.pk for c in chats[3:]])] == [None, None]


def test_it_gives_a_closed_chats_room_to_the_next_one(routed, ana, ben):
    chats = [new_chat(routed, n) for n in range(3)]
    ana_chat = next(c for c in chats if Conversation.objects.get(pk=c.pk).assignee_id == ana.pk)

    do_set_status(ana, Conversation.objects.get(pk=ana_chat.pk), Status.RESOLVED)
    fourth = new_chat(routed, 3)

    assert fourth.assignee_id == ana.pk
    assert (chats_of(ana), chats_of(ben)) == (2, 1)


def test_it_sets_an_agents_chat_limit_from_the_command_line(routed, ana, capsys):
    call_command("chat_limit", "acme", "ana@acme.test", "4")

    profile = AgentProfile.objects.get(store=routed, user=ana)
    assert (profile.capacity, profile.capacity_for("chat")) == ({"chat": 4}, 4)
    assert capsys.readouterr().out == "ana@acme.test in acme: at most 4 live chats at once\n"


def test_it_shows_the_chat_limits_of_a_store(routed, capsys):
    call_command("chat_limit", "acme")

    assert capsys.readouterr().out == "ana@acme.test\t2\nben@acme.test\t1\n"
