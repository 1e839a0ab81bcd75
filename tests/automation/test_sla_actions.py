"""Specs for SLA clocks on conversations: policies, the email default, pauses, business hours,
the periodic check's warnings, breach alerts and escalations. Clocks are frozen relative to now."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from storedesk.automation import actions
from storedesk.automation.models import ConversationSla, CustomerTier, DefaultPolicy
from storedesk.conversations import actions as conv_actions
from storedesk.conversations.models import Priority, Status
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.models import AuditEvent
from storedesk.webhooks.models import WebhookDelivery
from tests.automation.factories import BusinessHoursFactory, SlaPolicyFactory
from tests.factories import CustomerFactory, TeamFactory, WebhookEndpointFactory

NOW = timezone.now().replace(second=0, microsecond=0)
H = timedelta(hours=1)
M = timedelta(minutes=1)
LONDON = ZoneInfo("Europe/London")


@contextmanager
def at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        yield


def open_conversation(store, customer, channel="email", when=NOW, **kwargs):
    with at(when):
        return conv_actions.do_create_conversation(
            store=store, customer=customer, channel=channel, subject="Where is my parcel?", body_text="Late!", **kwargs
        )


def sla_of(conversation) -> ConversationSla:
    return ConversationSla.objects.get(conversation=conversation)


def verbs(conversation):
    return list(
        AuditEvent.objects.filter(object_type="conversation", object_id=conversation.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )


# --- which policy applies --------------------------------------------------------------------


def test_it_gives_an_email_the_default_24_hour_first_response_target(acme, carla):
    conversation = open_conversation(acme, carla)
    sla = sla_of(conversation)
    assert (sla.policy, sla.policy_name) == (None, DefaultPolicy.name)
    assert sla.started_at == NOW
    assert sla.first_response_due_at == NOW + 24 * H
    assert (sla.next_response_due_at, sla.resolution_due_at) == (None, None)
    assert (sla.due_at, sla.due_kind) == (NOW + 24 * H, "first_response")
    assert sla.next_check_at == NOW + timedelta(hours=19, minutes=12)  # warned with 20% of 24 h left


def test_it_gives_chat_no_sla_while_no_policy_covers_it(acme, carla):
    conversation = open_conversation(acme, carla, channel="chat")
    assert not ConversationSla.objects.filter(conversation=conversation).exists()


def test_it_starts_no_clock_on_a_conversation_an_agent_started(acme, ana, carla):
    with at(NOW):
        conversation = conv_actions.do_create_conversation(
            store=acme, customer=carla, channel="email", actor=ana, body_text="Your order shipped."
        )
    assert not ConversationSla.objects.filter(conversation=conversation).exists()
    with at(NOW + H):
        conv_actions.do_receive_message(conversation, body_text="Thanks, where is it?")
    sla = sla_of(conversation)
    assert (sla.started_at, sla.first_response_due_at) == (NOW + H, None)
    assert sla.next_response_started_at == NOW + H


def test_it_applies_the_first_matching_policy_by_position(acme, carla):
    carla.vip = True
    carla.save()
    SlaPolicyFactory(store=acme, name="Email", position=2, channels=["email"], first_response_s=8 * 3600)
    SlaPolicyFactory(store=acme, name="VIP", position=1, customer_tier=CustomerTier.VIP, first_response_s=3600)
    SlaPolicyFactory(store=acme, name="Inactive", position=0, is_active=False, first_response_s=60)
    conversation = open_conversation(acme, carla)
    sla = sla_of(conversation)
    assert (sla.policy_name, sla.first_response_due_at) == ("VIP", NOW + H)


def test_it_skips_a_vip_policy_for_a_standard_customer(acme, carla):
    SlaPolicyFactory(store=acme, name="VIP", position=1, customer_tier=CustomerTier.VIP, first_response_s=3600)
    SlaPolicyFactory(store=acme, name="Chat", position=2, channels=["chat"], first_response_s=120)
    conversation = open_conversation(acme, carla, channel="chat")
    assert (sla_of(conversation).policy_name, sla_of(conversation).due_at) == ("Chat", NOW + 2 * M)


def test_it_matches_again_when_tagged_or_reprioritised(acme, ana, carla):
    SlaPolicyFactory(store=acme, name="Refunds", position=1, tags=["refund"], first_response_s=2 * 3600)
    SlaPolicyFactory(store=acme, name="Urgent", position=2, priorities=[Priority.URGENT], first_response_s=1800)
    conversation = open_conversation(acme, carla)
    assert sla_of(conversation).policy_name == DefaultPolicy.name
    with at(NOW + 10 * M):
        conv_actions.do_tag(ana, conversation, add=["refund"])
    assert (sla_of(conversation).policy_name, sla_of(conversation).due_at) == ("Refunds", NOW + 2 * H)
    with at(NOW + 20 * M):
        conv_actions.do_tag(ana, conversation, remove=["refund"])
        conv_actions.do_set_priority(ana, conversation, Priority.URGENT)
    assert (sla_of(conversation).policy_name, sla_of(conversation).due_at) == ("Urgent", NOW + 30 * M)


# --- first and next responses -------------------------------------------------------------------


def test_it_records_a_first_response_within_target(acme, ana, carla):
    conversation = open_conversation(acme, carla)
    with at(NOW + 3 * H):
        conv_actions.do_reply(ana, conversation, body_text="It ships today.")
    sla = sla_of(conversation)
    assert (sla.first_response_at, sla.first_response_breached) == (NOW + 3 * H, False)
    assert (sla.due_at, sla.due_kind, sla.next_check_at) == (None, "", None)


def test_it_ignores_internal_notes_and_flags_a_late_first_response_without_alerting(acme, ana, carla):
    endpoint = WebhookEndpointFactory(store=acme, event_types=["sla.breached"])
    conversation = open_conversation(acme, carla)
    with at(NOW + 2 * H):
        conv_actions.do_add_note(ana, conversation, body_text="Checking with the warehouse")
    assert sla_of(conversation).first_response_at is None
    with at(NOW + 25 * H):
        conv_actions.do_reply(ana, conversation, body_text="Sorry for the wait.")
    sla = sla_of(conversation)
    assert (sla.first_response_at, sla.first_response_breached) == (NOW + 25 * H, True)
    assert not WebhookDelivery.objects.filter(endpoint=endpoint).exists()


def test_it_runs_a_next_response_clock_per_customer_message_after_a_reply(acme, ana, carla):
    SlaPolicyFactory(store=acme, name="Email", channels=["email"], first_response_s=3600, next_response_s=4 * 3600)
    conversation = open_conversation(acme, carla)
    with at(NOW + 30 * M):
        conv_actions.do_reply(ana, conversation, body_text="Looking into it.")
    with at(NOW + H):
        conv_actions.do_receive_message(conversation, body_text="Any news?")
    with at(NOW + 2 * H):
        conv_actions.do_receive_message(conversation, body_text="Hello??")  # the same wait, not a new clock
    sla = sla_of(conversation)
    assert (sla.next_response_started_at, sla.next_response_due_at) == (NOW + H, NOW + 5 * H)
    assert (sla.due_at, sla.due_kind) == (NOW + 5 * H, "next_response")
    with at(NOW + 3 * H):
        conv_actions.do_reply(ana, conversation, body_text="It left the warehouse.")
    with at(NOW + 4 * H):
        conv_actions.do_receive_message(conversation, body_text="Still nothing.")
    with at(NOW + 9 * H):
        conv_actions.do_reply(ana, conversation, body_text="Refunded.")
    sla = sla_of(conversation)
    assert (sla.next_response_met, sla.next_response_missed) == (1, 1)
    assert (sla.next_response_started_at, sla.next_response_due_at, sla.due_at) == (None, None, None)


# --- pauses ----------------------------------------------------------------------------------------


def test_it_pauses_while_pending_on_the_customer_and_resumes_with_the_time_left(acme, ana, carla):
    SlaPolicyFactory(store=acme, name="Email", channels=["email"], first_response_s=3600, resolution_s=8 * 3600)
    conversation = open_conversation(acme, carla)
    with at(NOW + 2 * H):
        conv_actions.do_reply(ana, conversation, body_text="Can you send a photo?", status_after=Status.PENDING)
    sla = sla_of(conversation)
    assert (sla.paused_at, sla.resolution_due_at, sla.due_at, sla.next_check_at) == (NOW + 2 * H, None, None, None)
    with at(NOW + 10 * H):
        conv_actions.do_receive_message(conversation, body_text="Here it is.")
    sla = sla_of(conversation)
    assert sla.paused_at is None
    assert sla.paused_total_s == 8 * 3600
    assert sla.pauses == [[(NOW + 2 * H).isoformat(), (NOW + 10 * H).isoformat()]]
    assert sla.resolution_due_at == NOW + 16 * H  # 2 h used before the pause, 6 h left after it
    assert (sla.due_at, sla.due_kind) == (NOW + 16 * H, "resolution")


def test_it_keeps_a_due_time_that_passed_before_the_pause(acme, ana, carla):
    SlaPolicyFactory(store=acme, name="Email", channels=["email"], first_response_s=3600)
    conversation = open_conversation(acme, carla)
    with at(NOW + 2 * H):
        conv_actions.do_set_status(ana, conversation, Status.PENDING)
    assert (sla_of(conversation).first_response_due_at, sla_of(conversation).due_at) == (NOW + H, NOW + H)


def test_it_stops_the_resolution_clock_when_resolved_and_resumes_it_on_reopen(acme, ana, carla):
    SlaPolicyFactory(store=acme, name="Email", channels=["email"], resolution_s=10 * 3600)
    conversation = open_conversation(acme, carla)
    with at(NOW + 4 * H):
        conv_actions.do_reply(ana, conversation, body_text="Refunded.", status_after=Status.RESOLVED)
    sla = sla_of(conversation)
    assert (sla.resolved_at, sla.resolution_due_at, sla.resolution_breached) == (NOW + 4 * H, NOW + 10 * H, False)
    with at(NOW + 24 * H):
        conv_actions.do_receive_message(conversation, body_text="The refund never came.")
    sla = sla_of(conversation)
    assert (sla.resolved_at, sla.resolution_due_at) == (None, NOW + 30 * H)
    assert (sla.due_at, sla.due_kind) == (NOW + 30 * H, "resolution")


def test_it_lets_a_policy_keep_the_clock_running_while_pending(acme, ana, carla):
    SlaPolicyFactory(
        store=acme,
        name="Email",
        channels=["email"],
        resolution_s=8 * 3600,
        pause_statuses=["snoozed"],
        first_response_s=None,
    )
    conversation = open_conversation(acme, carla)
    with at(NOW + H):
        conv_actions.do_set_status(ana, conversation, Status.PENDING)
    assert (sla_of(conversation).paused_at, sla_of(conversation).due_at) == (None, NOW + 8 * H)


# --- business hours ------------------------------------------------------------------------------------


def next_weekday_at(weekday: int, hour: int, tz=LONDON) -> datetime:
    """The first such weekday strictly after today (in `tz`) at `hour` local time."""
    today = NOW.astimezone(tz).date()
    days = (weekday - today.weekday()) % 7 or 7
    return datetime.combine(today + timedelta(days=days), time(hour), tz)


def test_it_counts_business_hours_over_the_weekend(acme, carla):
    BusinessHoursFactory(store=acme)  # Mon–Fri 09:00–17:00 Europe/London
    SlaPolicyFactory(store=acme, name="Email", channels=["email"], time_basis="business", first_response_s=4 * 3600)
    friday_4pm = next_weekday_at(4, 16)
    conversation = open_conversation(acme, carla, when=friday_4pm)
    monday_noon = datetime.combine(friday_4pm.date() + timedelta(days=3), time(12), LONDON)
    assert sla_of(conversation).first_response_due_at == monday_noon


def test_it_prefers_the_team_hours_to_the_store_hours(acme, carla):
    night_shift = TeamFactory(store=acme, name="Night shift")
    BusinessHoursFactory(store=acme)
    BusinessHoursFactory(
        store=acme, team=night_shift, week={day: [["00:00", "24:00"]] for day in ("sat", "sun", "fri")}
    )
    SlaPolicyFactory(store=acme, name="Email", channels=["email"], time_basis="business", first_response_s=4 * 3600)
    friday_4pm = next_weekday_at(4, 16)
    conversation = open_conversation(acme, carla, when=friday_4pm, team=night_shift)
    assert sla_of(conversation).first_response_due_at == friday_4pm.astimezone(LONDON) + 4 * H


def test_it_recomputes_running_clocks_when_the_hours_change(acme, olivia, carla, django_capture_on_commit_callbacks):
    SlaPolicyFactory(store=acme, name="Email", channels=["email"], time_basis="business", first_response_s=4 * 3600)
    friday_4pm = next_weekday_at(4, 16)
    conversation = open_conversation(acme, carla, when=friday_4pm)
    assert sla_of(conversation).first_response_due_at == friday_4pm + 4 * H  # no hours yet: calendar time
    with at(friday_4pm + M), django_capture_on_commit_callbacks(execute=True):
        actions.do_save_business_hours(
            olivia, acme, week={"mon": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]}, timezone_name="Europe/London"
        )
    monday_noon = datetime.combine(friday_4pm.date() + timedelta(days=3), time(12), LONDON)
    assert sla_of(conversation).first_response_due_at == monday_noon


def test_it_refuses_bad_hours_and_other_stores(acme, olivia, ana, gus):
    with pytest.raises(ActionError, match="ends before it starts"):
        actions.do_save_business_hours(olivia, acme, week={"mon": [["17:00", "09:00"]]})
    with pytest.raises(PermissionDenied):
        actions.do_save_business_hours(ana, acme, week={"mon": [["09:00", "17:00"]]})
    with pytest.raises(NotFound):
        actions.do_save_business_hours(gus, acme, week={"mon": [["09:00", "17:00"]]})
    assert not AuditEvent.objects.filter(verb="business_hours.saved").exists()


# --- policies ---------------------------------------------------------------------------------------------


def test_it_saves_a_policy_with_an_audit_row(acme, olivia):
    policy = actions.do_save_policy(olivia, acme, name="Chat", channels=["chat"], first_response_s=120)
    actions.do_save_policy(olivia, acme, policy, first_response_s=90)
    policy.refresh_from_db()
    assert (policy.name, policy.channels, policy.first_response_s) == ("Chat", ["chat"], 90)
    saved = AuditEvent.objects.filter(verb="sla_policy.saved", object_id=policy.pk).order_by("id")
    assert [(row.before, row.after) for row in saved][1] == ({"first_response_s": 120}, {"first_response_s": 90})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": "x", "channels": ["fax"]}, "Channels must be among"),
        ({"name": "x", "first_response_s": 0}, "positive number of seconds"),
        ({"name": "x", "pause_statuses": ["open"]}, "Only pending and snoozed"),
        ({"name": "x", "warn_before_pct": 100}, "warn_before_pct"),
        ({"name": "x", "colour": "red"}, "Unknown policy field"),
        ({"channels": ["chat"]}, "needs a name"),
    ],
)
def test_it_refuses_an_invalid_policy(acme, olivia, values, message):
    with pytest.raises(ActionError, match=message):
        actions.do_save_policy(olivia, acme, **values)
    assert not AuditEvent.objects.filter(verb="sla_policy.saved").exists()


def test_it_lets_only_admins_of_the_store_change_policies(acme, leo, gus):
    with pytest.raises(PermissionDenied):
        actions.do_save_policy(leo, acme, name="Chat", first_response_s=60)
    with pytest.raises(NotFound):
        actions.do_save_policy(gus, acme, name="Chat", first_response_s=60)


def test_it_matches_conversations_again_when_their_policy_is_deleted(
    acme, olivia, carla, django_capture_on_commit_callbacks
):
    policy = SlaPolicyFactory(store=acme, name="Email", channels=["email"], first_response_s=3600)
    conversation = open_conversation(acme, carla)
    with at(NOW + M), django_capture_on_commit_callbacks(execute=True):
        actions.do_delete_policy(olivia, policy)
    sla = sla_of(conversation)
    assert (sla.policy_name, sla.first_response_due_at) == (DefaultPolicy.name, NOW + 24 * H)


# --- the periodic check -----------------------------------------------------------------------------------


def test_it_warns_once_before_the_breach(acme, carla):
    endpoint = WebhookEndpointFactory(store=acme)
    SlaPolicyFactory(store=acme, name="Email", channels=["email"], first_response_s=3600, warn_before_pct=25)
    conversation = open_conversation(acme, carla)
    with at(NOW + 44 * M):
        assert actions.do_check_sla() == {"warned": 0, "breached": 0}
    with at(NOW + 45 * M):
        assert actions.do_check_sla() == {"warned": 1, "breached": 0}
        assert actions.do_check_sla() == {"warned": 0, "breached": 0}
    sla = sla_of(conversation)
    assert (sla.first_response_warned, sla.first_response_breached, sla.next_check_at) == (True, False, NOW + H)
    assert verbs(conversation)[-1] == "sla.warning"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, event_type="sla.warning")
    assert delivery.payload["kind"] == "first_response"
    assert delivery.payload["conversation"]["id"] == conversation.pk


def test_it_alerts_and_escalates_once_at_the_breach(acme, olivia, leo, ana, carla, django_capture_on_commit_callbacks):
    endpoint = WebhookEndpointFactory(store=acme, event_types=["sla.breached"])
    escalations = TeamFactory(store=acme, name="Escalations")
    SlaPolicyFactory(
        store=acme,
        name="Email",
        channels=["email"],
        first_response_s=3600,
        escalate_priority=Priority.URGENT,
        escalate_team=escalations,
        notify_leads=True,
    )
    conversation = open_conversation(acme, carla)
    conv_actions.do_assign(ana, conversation, assignee=ana)
    with at(NOW + H), django_capture_on_commit_callbacks(execute=True):
        assert actions.do_check_sla() == {"warned": 0, "breached": 1}
    with at(NOW + 2 * H):
        assert actions.do_check_sla() == {"warned": 0, "breached": 0}
    conversation.refresh_from_db()
    assert (conversation.priority, conversation.team, conversation.assignee) == (Priority.URGENT, escalations, None)
    assert sla_of(conversation).first_response_breached is True
    assert verbs(conversation)[-4:] == [
        "sla.breached",
        "conversation.priority_changed",
        "conversation.assigned",
        "sla.escalated",
    ]
    escalated = AuditEvent.objects.get(verb="sla.escalated")
    assert escalated.after == {
        "priority": [1, 3],
        "assignee_id": [ana.pk, None],
        "team_id": [None, escalations.pk],
        "notified": sorted([olivia.pk, leo.pk]),
    }
    assert escalated.reason.startswith("SLA first response target missed")
    payload = WebhookDelivery.objects.get(endpoint=endpoint).payload
    assert (payload["type"], payload["kind"], payload["conversation"]["priority"]) == (
        "sla.breached",
        "first_response",
        3,
    )
    assert payload["escalation"]["notified"] == sorted([olivia.pk, leo.pk])
    assert sorted(message.to[0] for message in mail.outbox) == ["leo@acme.test", "olivia@acme.test"]
    assert "missed its first response target" in mail.outbox[0].body


def test_it_records_a_failed_reassignment_without_failing_the_check(acme, ben, carla):
    SlaPolicyFactory(store=acme, name="Email", channels=["email"], first_response_s=3600, escalate_agent=ben)
    conversation = open_conversation(acme, carla)
    ben.is_active = False
    ben.save()
    with at(NOW + H):
        assert actions.do_check_sla() == {"warned": 0, "breached": 1}
    escalated = AuditEvent.objects.get(verb="sla.escalated")
    assert escalated.after == {"reassign_failed": "ben@acme.test is not an active agent of this store."}
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_it_does_not_alert_while_paused_or_after_the_reply(acme, ana, carla):
    SlaPolicyFactory(store=acme, name="Email", channels=["email"], first_response_s=3600, resolution_s=2 * 3600)
    waiting = open_conversation(acme, carla)
    answered = open_conversation(acme, CustomerFactory(store=acme))
    with at(NOW + 10 * M):
        conv_actions.do_set_status(ana, waiting, Status.PENDING)
        conv_actions.do_reply(ana, answered, body_text="Done.", status_after=Status.RESOLVED)
    with at(NOW + 5 * H):
        assert actions.do_check_sla() == {"warned": 0, "breached": 0}
    assert not AuditEvent.objects.filter(verb__in=["sla.warning", "sla.breached"]).exists()


def test_it_alerts_the_resolution_target_separately(acme, ana, carla):
    SlaPolicyFactory(
        store=acme, name="Email", channels=["email"], first_response_s=3600, resolution_s=3 * 3600, warn_before_pct=0
    )
    conversation = open_conversation(acme, carla)
    with at(NOW + 30 * M):
        conv_actions.do_reply(ana, conversation, body_text="On it.")
    with at(NOW + 3 * H):
        assert actions.do_check_sla() == {"warned": 0, "breached": 1}
    breach = AuditEvent.objects.get(verb="sla.breached")
    assert breach.after == {"kind": "resolution", "due_at": (NOW + 3 * H).isoformat(), "policy": "Email"}


def test_it_reapplies_an_sla_idempotently(acme, carla):
    conversation = open_conversation(acme, carla)
    before = ConversationSla.objects.filter(conversation=conversation).values().get()
    with at(NOW + H):
        actions.do_apply_sla(conversation)
        actions.do_apply_sla(conversation)
    after = ConversationSla.objects.filter(conversation=conversation).values().get()
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
