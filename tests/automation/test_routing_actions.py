"""Specs for routing in the database: new conversations routed with their reason in the audit
log, team rules, stickiness, agents going away, auto-away, and the permission checks."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from storedesk.automation import actions
from storedesk.automation.actions.routing import candidates
from storedesk.automation.models import AgentProfile, RoutingRule
from storedesk.conversations import actions as conv_actions
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.models import AuditEvent, Role
from tests.automation.factories import AgentProfileFactory
from tests.factories import CustomerFactory, TeamFactory, agent_of

NOW = timezone.now().replace(second=0, microsecond=0)
M = timedelta(minutes=1)


@contextmanager
def at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def routed(acme):
    acme.settings = {"routing": {"enabled": True}}
    acme.save()
    return acme


def write_in(store, customer=None, channel="email", when=NOW, **kwargs):
    with at(when):
        return conv_actions.do_create_conversation(
            store=store, customer=customer or CustomerFactory(store=store), channel=channel, body_text="Hi", **kwargs
        )


def assignment_reasons(conversation):
    return list(
        AuditEvent.objects.filter(object_type="conversation", object_id=conversation.pk, verb="conversation.assigned")
        .order_by("id")
        .values_list("reason", flat=True)
    )


def test_it_leaves_conversations_alone_in_a_store_that_does_not_route(acme, ana):
    AgentProfileFactory(store=acme, user=ana)
    conversation = write_in(acme)
    assert conversation.assignee is None
    assert assignment_reasons(conversation) == []


def test_it_assigns_a_new_conversation_and_says_why(routed, ana, ben):
    AgentProfileFactory(store=routed, user=ana, skills=["fr"])
    AgentProfileFactory(store=routed, user=ben)
    french = write_in(routed, customer=CustomerFactory(store=routed, language="fr"))
    french.refresh_from_db()
    assert french.assignee == ana
    assert assignment_reasons(french) == ["assigned to Ana Agent: skill=fr, 0 open of 25, only eligible agent"]
    assert AgentProfile.objects.get(user=ana).last_assigned_at == french.created_at


def test_it_balances_new_work_round_robin(routed, ana, ben):
    AgentProfileFactory(store=routed, user=ana)
    AgentProfileFactory(store=routed, user=ben)
    assignees = []
    for minute in range(4):
        conversation = write_in(routed, when=NOW + minute * M)
        conversation.refresh_from_db()
        assignees.append(conversation.assignee.email)
    assert sorted(assignees) == ["ana@acme.test", "ana@acme.test", "ben@acme.test", "ben@acme.test"]
    assert assignees[0] != assignees[1]


def test_it_routes_by_rule_to_a_team_and_its_skills(routed, ana, ben):
    social = TeamFactory(store=routed, name="Social")
    social.members.add(ben)
    RoutingRule.objects.create(
        store=routed, name="Social media", channels=["social"], team=social, required_skills=["social"]
    )
    AgentProfileFactory(store=routed, user=ana, skills=["social"])  # not in the team
    AgentProfileFactory(store=routed, user=ben, skills=["social"])
    conversation = write_in(routed, channel="social")
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team) == (ben, social)
    assert assignment_reasons(conversation) == [
        "assigned to Ben Agent: rule 'Social media', skill=social, 0 open of 10, only eligible agent"
    ]


def test_it_queues_for_the_team_when_nobody_is_available(routed, ana):
    social = TeamFactory(store=routed, name="Social")
    RoutingRule.objects.create(store=routed, name="Social media", channels=["social"], team=social)
    AgentProfileFactory(store=routed, user=ana, status="offline")
    conversation = write_in(routed, channel="social")
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team) == (None, social)
    assert assignment_reasons(conversation) == ["no agent online"]


def test_it_records_a_decision_that_changes_nothing(routed):
    conversation = write_in(routed)
    event = AuditEvent.objects.get(verb="routing.unassigned", object_id=conversation.pk)
    assert (event.reason, event.actor_kind) == ("no agent online", "system")


def test_it_sends_a_returning_customer_to_the_agent_who_helped_last(routed, ana, ben, carla):
    AgentProfileFactory(store=routed, user=ana)
    AgentProfileFactory(store=routed, user=ben)
    first = write_in(routed, customer=carla)
    first.refresh_from_db()
    helper = first.assignee
    with at(NOW + M):
        conv_actions.do_reply(helper, first, body_text="Sorted!", status_after="resolved")
    again = write_in(routed, customer=carla, when=NOW + 2 * M)
    again.refresh_from_db()
    assert again.assignee == helper
    assert assignment_reasons(again)[0].endswith("helped this customer last")


def test_it_hands_waiting_work_back_when_an_agent_goes_away(routed, ana, ben):
    AgentProfileFactory(store=routed, user=ana)
    waiting = write_in(routed)
    answered = write_in(routed, when=NOW + M)
    with at(NOW + 2 * M):
        conv_actions.do_reply(ana, answered, body_text="Done")
    AgentProfileFactory(store=routed, user=ben)
    with at(NOW + 3 * M):
        moved = actions.do_set_agent_status(ana, routed, ana, "away", reason="lunch")
    assert moved == 1
    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert (waiting.assignee, answered.assignee) == (ben, ana)
    assert (
        assignment_reasons(waiting)[-1] == "Ana Agent is away; assigned to Ben Agent: 0 open of 25, only eligible agent"
    )
    status_change = AuditEvent.objects.get(verb="agent.status_changed")
    assert (status_change.before, status_change.after, status_change.reason) == (
        {"status": "online"},
        {"status": "away", "user_id": ana.pk},
        "lunch",
    )


def test_it_puts_work_back_in_the_queue_when_nobody_can_take_it(routed, ana):
    AgentProfileFactory(store=routed, user=ana)
    waiting = write_in(routed)
    actions.do_set_agent_status(ana, routed, ana, "offline")
    waiting.refresh_from_db()
    assert waiting.assignee is None
    assert assignment_reasons(waiting)[-1] == "Ana Agent is offline; no agent online"


def test_it_sets_idle_agents_away_and_brings_them_back_on_activity(routed, ana, ben):
    AgentProfileFactory(store=routed, user=ana, last_seen_at=NOW - 11 * M)
    AgentProfileFactory(store=routed, user=ben, last_seen_at=NOW - 2 * M)
    with at(NOW):
        assert actions.do_auto_away() == 1
        assert actions.do_auto_away() == 0
    profile = AgentProfile.objects.get(user=ana)
    assert (profile.status, profile.auto_away) == ("away", True)
    assert AuditEvent.objects.get(verb="agent.status_changed").reason == "idle for 10 min"
    actions.do_touch_agent(routed, ana)
    profile.refresh_from_db()
    assert (profile.status, profile.auto_away) == ("online", False)


def test_it_keeps_an_agent_who_chose_away_away_on_activity(routed, ana):
    AgentProfileFactory(store=routed, user=ana)
    actions.do_set_agent_status(ana, routed, ana, "away")
    actions.do_touch_agent(routed, ana)
    assert AgentProfile.objects.get(user=ana).status == "away"


def test_it_lets_agents_set_only_their_own_status(routed, ana, ben, olivia, gus):
    with pytest.raises(PermissionDenied):
        actions.do_set_agent_status(ana, routed, ben, "online")
    with pytest.raises(NotFound):
        actions.do_set_agent_status(gus, routed, gus, "online")
    with pytest.raises(ActionError, match="not an active agent of this store"):
        actions.do_set_agent_status(None, routed, gus, "online")
    actions.do_set_agent_status(olivia, routed, ben, "online")
    assert AgentProfile.objects.get(user=ben).status == "online"
    assert not AgentProfile.objects.filter(user__in=[ana, gus]).exists()


def test_it_saves_capacity_and_skills(routed, olivia, ana):
    profile = actions.do_save_agent_profile(olivia, routed, ana, capacity={"chat": 2}, skills=["FR", " vip ", ""])
    assert (profile.capacity, profile.skills, profile.capacity_for("chat"), profile.capacity_for("email")) == (
        {"chat": 2},
        ["fr", "vip"],
        2,
        25,
    )
    with pytest.raises(ActionError):
        actions.do_save_agent_profile(olivia, routed, ana, capacity={"fax": 2})
    with pytest.raises(PermissionDenied):
        actions.do_save_agent_profile(ana, routed, ana, skills=["boss"])


def test_it_gathers_candidates_in_three_queries_however_many_agents(routed, django_assert_num_queries):
    team = TeamFactory(store=routed)
    for n in range(6):
        user = agent_of(routed, Role.AGENT, email=f"extra{n}@acme.test")
        AgentProfileFactory(store=routed, user=user)
        team.members.add(user)
    with django_assert_num_queries(3):
        pool = candidates(routed.pk, "chat")
    assert len(pool) == 6
    assert all(c.team_ids == frozenset({team.pk}) for c in pool)
