"""Specs for the conversation writers: state, counters, audit rows, events, permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from storedesk.channels import registry
from storedesk.conversations import actions
from storedesk.conversations.models import Conversation, Message, Priority, Status, Tag
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.models import AuditEvent
from tests.factories import ConversationFactory, CustomerFactory, TeamFactory

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def conv(acme, carla):
    with time_machine.travel(NOW, tick=False):
        return actions.do_create_conversation(
            store=acme, customer=carla, channel="email", subject="Where is my parcel?", body_text="Order #1001 is late."
        )


def verbs(conversation):
    return list(
        AuditEvent.objects.filter(object_type="conversation", object_id=conversation.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_it_creates_an_inbound_conversation_with_its_first_message(conv, carla):
    message = conv.messages.get()
    assert (message.direction, message.author_kind, message.author_customer) == ("inbound", "customer", carla)
    assert message.body_text == "Order #1001 is late."
    assert (conv.status, conv.message_count, conv.preview) == ("open", 1, "Order #1001 is late.")
    assert conv.last_customer_message_at == NOW
    assert conv.last_message_at == NOW
    assert conv.first_response_at is None
    assert verbs(conv) == ["conversation.created"]


@pytest.fixture
def email_sender():
    """A recording sender registered for email, as the email adapter registers its own."""
    sent: list[int] = []
    previous = registry._senders.get("email")
    registry.register_sender("email", sent.append)
    yield sent
    if previous is None:
        registry._senders.pop("email", None)
    else:
        registry.register_sender("email", previous)


def test_it_lets_an_agent_start_an_outbound_conversation(
    acme, ana, carla, email_sender, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        conv = actions.do_create_conversation(store=acme, customer=carla, channel="email", actor=ana, body_text="Hi!")
    message = conv.messages.get()
    assert (message.direction, message.author_user, message.delivery_status) == ("outbound", ana, "queued")
    assert email_sender == [message.pk]


def test_it_hands_a_reply_to_the_channel_sender_only_after_commit(conv, ana, email_sender):
    message = actions.do_reply(ana, conv, body_text="On its way")
    assert email_sender == []  # the test transaction never commits
    assert message.delivery_status == "queued"


def test_it_tracks_no_delivery_on_channels_without_a_sender(acme, ana, carla):
    phone = actions.do_create_conversation(store=acme, customer=carla, channel="phone", body_text="hello?")
    message = actions.do_reply(ana, phone, body_text="Hi, how can I help?")
    assert message.delivery_status == ""


def test_it_refuses_a_customer_of_another_store(acme, globex):
    stranger = CustomerFactory(store=globex)
    with pytest.raises(NotFound):
        actions.do_create_conversation(store=acme, customer=stranger, channel="email", body_text="hi")
    assert Conversation.objects.count() == 0


def test_it_refuses_an_unknown_channel_and_an_empty_message(acme, carla):
    with pytest.raises(ActionError, match="Unknown channel"):
        actions.do_create_conversation(store=acme, customer=carla, channel="pigeon", body_text="hi")
    with pytest.raises(ActionError, match="needs text"):
        actions.do_create_conversation(store=acme, customer=carla, channel="email", body_text="   ")
    assert Conversation.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_it_sets_first_response_only_on_the_first_agent_reply(conv, ana):
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        first = actions.do_reply(ana, conv, body_text="Checking now.")
    with time_machine.travel(NOW + timedelta(minutes=45), tick=False):
        actions.do_reply(ana, conv, body_text="It ships today.")
    conv.refresh_from_db()
    assert conv.first_response_at == first.created_at == NOW + timedelta(minutes=30)
    assert conv.last_agent_message_at == NOW + timedelta(minutes=45)
    assert conv.message_count == 3
    assert conv.preview == "It ships today."


def test_it_sanitises_reply_html_and_derives_text(conv, ana):
    message = actions.do_reply(ana, conv, body_html='<p onclick="x()">Hi <script>alert(1)</script><b>there</b></p>')
    assert message.body_html == "<p>Hi <b>there</b></p>"
    assert message.body_text == "Hi there"


def test_it_can_resolve_with_the_reply(conv, ana):
    actions.do_reply(ana, conv, body_text="Refunded.", status_after=Status.RESOLVED)
    conv.refresh_from_db()
    assert conv.status == "resolved"
    assert conv.resolved_at is not None


def test_it_keeps_notes_internal(conv, ana, ben):
    note = actions.do_add_note(ana, conv, body_text="@Ben can you check the warehouse?", mentions=[ben])
    conv.refresh_from_db()
    assert note.direction == "note"
    assert note.metadata == {"mentions": [ben.pk]}
    assert conv.preview == "Order #1001 is late."  # notes never become the customer-facing preview
    assert conv.last_agent_message_at is None
    assert conv.message_count == 2


def test_it_refuses_to_mention_an_agent_of_another_store(conv, ana, gus):
    with pytest.raises(ActionError, match="not an agent of this store"):
        actions.do_add_note(ana, conv, body_text="hi", mentions=[gus])
    assert conv.messages.count() == 1


def test_it_assigns_and_unassigns_with_audit(conv, leo, ana):
    team = TeamFactory(store=conv.store, name="Frontline")
    assert actions.do_assign(leo, conv, assignee=ana, team=team) == {
        "assignee_id": [None, ana.pk],
        "team_id": [None, team.pk],
    }
    assert actions.do_assign(leo, conv, assignee=ana, team=team) == {}
    actions.do_assign(leo, conv, assignee=None)
    conv.refresh_from_db()
    assert (conv.assignee_id, conv.team_id) == (None, team.pk)
    event = AuditEvent.objects.filter(verb="conversation.assigned").order_by("id").last()
    assert (event.actor, event.before, event.after) == (leo, {"assignee_id": ana.pk}, {"assignee_id": None})


def test_it_refuses_to_assign_to_an_outsider_or_a_deactivated_agent(conv, ana, ben, gus):
    with pytest.raises(ActionError, match="not an active agent"):
        actions.do_assign(ana, conv, assignee=gus)
    ben.is_active = False
    ben.save()
    with pytest.raises(ActionError, match="not an active agent"):
        actions.do_assign(ana, conv, assignee=ben)
    conv.refresh_from_db()
    assert conv.assignee_id is None


def test_it_hides_another_stores_conversation_from_an_agent(conv, gus):
    with pytest.raises(NotFound):
        actions.do_reply(gus, conv, body_text="hello")
    with pytest.raises(NotFound):
        actions.do_set_status(gus, conv, Status.RESOLVED)
    assert conv.messages.count() == 1


def test_it_moves_through_statuses(conv, ana):
    actions.do_set_status(ana, conv, Status.PENDING)
    actions.do_set_status(ana, conv, Status.RESOLVED)
    conv.refresh_from_db()
    resolved_at = conv.resolved_at
    assert resolved_at is not None
    actions.do_set_status(ana, conv, Status.RESOLVED)  # no-op keeps the first time
    conv.refresh_from_db()
    assert conv.resolved_at == resolved_at
    actions.do_set_status(ana, conv, Status.OPEN)
    conv.refresh_from_db()
    assert (conv.status, conv.resolved_at) == ("open", None)
    assert verbs(conv).count("conversation.status_changed") == 3


def test_it_refuses_bad_statuses(conv, ana):
    with pytest.raises(ActionError, match="Unknown status"):
        actions.do_set_status(ana, conv, "closed")
    with pytest.raises(ActionError, match="needs a time"):
        actions.do_set_status(ana, conv, Status.SNOOZED)
    conv.refresh_from_db()
    assert conv.status == "open"


def test_it_snoozes_until_a_future_time(conv, ana):
    with time_machine.travel(NOW, tick=False):
        actions.do_snooze(ana, conv, NOW + timedelta(hours=4))
        with pytest.raises(ActionError, match="future"):
            actions.do_snooze(ana, conv, NOW - timedelta(hours=1))
    conv.refresh_from_db()
    assert (conv.status, conv.snoozed_until) == ("snoozed", NOW + timedelta(hours=4))


def test_it_reopens_on_a_customer_reply(conv, ana):
    actions.do_snooze(ana, conv, timezone.now() + timedelta(days=1))
    message, created = actions.do_receive_message(conv, body_text="Any news?", external_id="<a@mail.test>")
    conv.refresh_from_db()
    assert created is True
    assert (conv.status, conv.snoozed_until) == ("open", None)
    assert "conversation.reopened" in verbs(conv)


def test_it_ingests_the_same_external_message_once(conv):
    first, created_first = actions.do_receive_message(conv, body_text="Hello", external_id="<dup@mail.test>")
    second, created_second = actions.do_receive_message(conv, body_text="Hello", external_id="<dup@mail.test>")
    third, created_third = actions.do_receive_message(conv, body_text="Hello", external_id="<dup@mail.test>")
    assert (created_first, created_second, created_third) == (True, False, False)
    assert first.pk == second.pk == third.pk
    assert Message.objects.filter(external_id="<dup@mail.test>").count() == 1
    conv.refresh_from_db()
    assert conv.message_count == 2


def test_it_sets_priority_and_refuses_unknown_ones(conv, ana):
    assert actions.do_set_priority(ana, conv, Priority.URGENT) == {"priority": [1, 3]}
    with pytest.raises(ActionError):
        actions.do_set_priority(ana, conv, 9)
    conv.refresh_from_db()
    assert conv.priority == 3


def test_it_adds_and_removes_tags_creating_new_ones(conv, ana):
    assert actions.do_tag(ana, conv, add=["shipping", "late"]) == {"tags": [[], ["late", "shipping"]]}
    assert actions.do_tag(ana, conv, add=["vip"], remove=["late"]) == {
        "tags": [["late", "shipping"], ["shipping", "vip"]]
    }
    assert actions.do_tag(ana, conv, add=["vip"]) == {}
    assert sorted(conv.tags.values_list("name", flat=True)) == ["shipping", "vip"]
    assert sorted(Tag.objects.filter(store=conv.store).values_list("name", flat=True)) == ["late", "shipping", "vip"]


def test_it_keeps_conversations_when_an_agent_is_deleted(conv, ana):
    actions.do_assign(ana, conv, assignee=ana)
    actions.do_reply(ana, conv, body_text="Done")
    ana.delete()
    conv.refresh_from_db()
    assert conv.assignee_id is None
    assert conv.messages.count() == 2
    assert conv.messages.filter(direction="outbound").get().author_user is None


def test_it_merges_two_conversations_of_a_customer(acme, carla, ana):
    with time_machine.travel(NOW, tick=False):
        older = actions.do_create_conversation(store=acme, customer=carla, channel="chat", body_text="Chat first")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        newer = actions.do_create_conversation(store=acme, customer=carla, channel="email", body_text="Then email")
        actions.do_tag(ana, older, add=["shipping"])
    target = actions.do_merge_conversations(ana, newer, older)
    newer.refresh_from_db()
    assert target.pk == older.pk
    assert list(target.messages.order_by("created_at").values_list("body_text", flat=True)) == [
        "Chat first",
        "Then email",
    ]
    assert target.message_count == 2
    assert target.last_customer_message_at == NOW + timedelta(hours=1)
    assert (newer.status, newer.merged_into_id, newer.message_count) == ("resolved", older.pk, 0)
    with pytest.raises(ActionError, match="already merged"):
        actions.do_merge_conversations(ana, newer, older)


def test_it_refuses_to_merge_across_stores(acme, globex, carla, ana):
    mine = ConversationFactory(store=acme, customer=carla)
    theirs = ConversationFactory(store=globex)
    with pytest.raises(NotFound):
        actions.do_merge_conversations(ana, mine, theirs)
    mine.refresh_from_db()
    assert mine.merged_into_id is None


def test_it_lets_only_agents_of_the_store_act(conv, gus, ana):
    with pytest.raises(NotFound):
        actions.do_tag(gus, conv, add=["x"])
    assert conv.tags.count() == 0
    # an agent may act; permission errors for store members come from role checks
    actions.do_tag(ana, conv, add=["x"])
    assert conv.tags.count() == 1


def test_it_refuses_an_agent_a_lead_permission(acme, ana, carla):
    other = CustomerFactory(store=acme, name="Dup Carla")
    with pytest.raises(PermissionDenied):
        actions.do_merge_customers(ana, other, carla)
    other.refresh_from_db()
    assert other.merged_into_id is None


def test_it_wakes_snoozed_conversations_when_their_time_comes(conv, ana):
    with time_machine.travel(NOW, tick=False):
        actions.do_snooze(ana, conv, NOW + timedelta(hours=2))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert actions.do_wake_snoozed() == 0
    with time_machine.travel(NOW + timedelta(hours=2, minutes=1), tick=False):
        assert actions.do_wake_snoozed() == 1
        assert actions.do_wake_snoozed() == 0
    conv.refresh_from_db()
    assert (conv.status, conv.snoozed_until) == ("open", None)
    event = AuditEvent.objects.get(verb="conversation.woken")
    assert (event.actor, event.actor_kind, event.reason) == (None, "system", "snooze time reached")


def test_it_runs_the_wake_up_job_as_a_task(conv, ana):
    from storedesk.conversations.tasks import wake_snoozed_conversations

    with time_machine.travel(NOW, tick=False):
        actions.do_snooze(ana, conv, NOW + timedelta(minutes=5))
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        wake_snoozed_conversations.call_local()
    conv.refresh_from_db()
    assert conv.status == "open"
