"""Proactive late-order outreach: the hourly job finds orders late against their promise and
drafts (or sends) an apology once per order, with the playbook's suggested remedy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.commerce import outreach
from storedesk.commerce.models import LateOrderOutreach, Remedy
from storedesk.conversations.models import Conversation, Message
from storedesk.core.errors import Conflict
from storedesk.core.models import AuditEvent
from tests.commerce.factories import FulfillmentFactory, order_for

pytestmark = pytest.mark.django_db


def late_order(customer, *, days: int = 6, **kwargs):
    now = timezone.now()
    order = order_for(
        customer,
        name="#3001",
        placed_at=now - timedelta(days=days + 5),
        promised_by=now - timedelta(days=days),
        **kwargs,
    )
    FulfillmentFactory(order=order, status="in_transit", carrier="UPS", tracking_url="https://ups.test/1Z9")
    return order


def set_settings(store, **values):
    store.settings.update(values)
    store.save(update_fields=["settings"])


def test_it_drafts_an_apology_for_a_late_order_with_the_playbooks_remedy(acme, carla):
    order = late_order(carla)

    assert outreach.sweep_late_orders() == 1

    row = LateOrderOutreach.objects.get()
    assert (row.order_id, row.state, row.days_late) == (order.pk, "draft", 6)
    assert row.subject == "Your order #3001 is running late"
    assert row.body_text.startswith("Hi Carla,\n\nYour order #3001 should have reached you by ")
    assert "it is now 6 days late" in row.body_text
    assert "https://ups.test/1Z9" in row.body_text
    assert row.suggestion == {
        "situation": "late_delivery",
        "kind": "goodwill",
        "amount": 1000,
        "label": "Late delivery: 10% goodwill gesture",
        "why": "6 days late",
        "money": "$10.00",
    }
    assert Conversation.objects.count() == 0  # a draft sends nothing
    assert list(
        AuditEvent.objects.filter(verb__startswith="outreach.").order_by("pk").values_list("verb", flat=True)
    ) == ["outreach.drafted"]


def test_it_handles_each_order_once(acme, carla):
    late_order(carla)

    assert outreach.sweep_late_orders() == 1
    assert outreach.sweep_late_orders() == 0
    assert outreach.do_open_outreach(LateOrderOutreach.objects.get().order)[1] is False
    assert LateOrderOutreach.objects.count() == 1


def test_it_leaves_delivered_cancelled_on_time_and_off_stores_alone(acme, globex, carla):
    now = timezone.now()
    delivered = order_for(carla, promised_by=now - timedelta(days=6))
    FulfillmentFactory(order=delivered, status="delivered", delivered_at=now - timedelta(days=1))
    order_for(carla, promised_by=now - timedelta(days=6), cancelled_at=now - timedelta(days=8))
    order_for(carla, promised_by=now + timedelta(days=1))
    order_for(carla, promised_by=now - timedelta(days=90))  # too old to write about
    set_settings(acme, late_outreach="off")
    late_order(carla)  # late, but the store said off

    assert outreach.sweep_late_orders() == 0
    assert LateOrderOutreach.objects.count() == 0


def test_it_counts_an_unshipped_order_past_its_promise_as_late(acme, carla):
    now = timezone.now()
    order_for(carla, promised_by=now - timedelta(days=3, hours=1))

    assert outreach.sweep_late_orders() == 1
    row = LateOrderOutreach.objects.get()
    assert row.days_late == 3
    assert "It has not left our warehouse yet" in row.body_text
    assert row.suggestion == {}  # 3 days: below the playbook's 5


def test_it_sends_at_once_when_the_store_says_send(acme, carla, olivia):
    set_settings(acme, late_outreach="send")
    order = late_order(carla, days=7)

    assert outreach.sweep_late_orders() == 1

    row = LateOrderOutreach.objects.get()
    assert (row.state, row.decided_by_id) == ("sent", None)
    conversation = row.conversation
    assert (conversation.customer_id, conversation.channel, conversation.subject) == (
        carla.pk,
        "email",
        "Your order #3001 is running late",
    )
    first, note = conversation.messages.order_by("pk")
    assert (first.direction, first.author_user_id, first.body_text) == ("outbound", olivia.pk, row.body_text)
    assert (note.direction, note.author_kind) == ("note", "system")
    assert note.body_text == (
        "Order #3001 is 7 days late; we wrote to the customer first. Policy suggests: "
        "Late delivery: 10% goodwill gesture ($10.00). Apply it from the order card if they reply."
    )
    assert Remedy.objects.filter(order=order).count() == 0  # the job never gives money away
    assert list(
        AuditEvent.objects.filter(verb__startswith="outreach.").order_by("pk").values_list("verb", flat=True)
    ) == [
        "outreach.drafted",
        "outreach.sent",
    ]


def test_it_keeps_a_draft_when_the_configured_sender_is_not_an_agent(acme, carla, olivia):
    set_settings(acme, late_outreach="send", late_outreach_sender="nobody@acme.test")
    late_order(carla)

    outreach.sweep_late_orders()

    row = LateOrderOutreach.objects.get()
    assert (row.state, row.note) == ("draft", "No sender: set late_outreach_sender to an agent of the store.")
    assert Conversation.objects.count() == 0


def test_an_agent_sends_a_draft_edited_with_the_suggested_remedy(acme, carla, ana):
    order = late_order(carla)
    outreach.sweep_late_orders()
    row = LateOrderOutreach.objects.get()

    outreach.do_send_outreach(ana, row, body_text="Hi Carla, sorry! $10 is on its way back to you.", apply_remedy=True)

    row.refresh_from_db()
    assert (row.state, row.decided_by_id) == ("sent", ana.pk)
    message = row.conversation.messages.filter(direction=Message.Direction.OUTBOUND).get()
    assert (message.author_user_id, message.body_text) == (ana.pk, "Hi Carla, sorry! $10 is on its way back to you.")
    remedy = Remedy.objects.get(order=order)
    assert (remedy.kind, remedy.amount, remedy.situation, remedy.idempotency_key, remedy.conversation_id) == (
        "goodwill",
        1000,
        "late_delivery",
        f"outreach:{row.pk}",
        row.conversation_id,
    )
    assert row.remedy_id == remedy.pk
    with pytest.raises(Conflict):
        outreach.do_send_outreach(ana, row)
    assert Conversation.objects.count() == 1


def test_an_agent_dismisses_a_draft_and_nothing_is_sent(acme, carla, ana):
    late_order(carla)
    outreach.sweep_late_orders()
    row = LateOrderOutreach.objects.get()

    outreach.do_dismiss_outreach(ana, row, "Customer already called")

    row.refresh_from_db()
    assert (row.state, row.note, row.decided_by_id) == ("dismissed", "Customer already called", ana.pk)
    assert Conversation.objects.count() == 0
    assert outreach.sweep_late_orders() == 0


@pytest.mark.django_db(transaction=True)
def test_ten_workers_at_once_open_one_outreach_and_send_one_message(acme, carla, olivia):
    from tests.commerce.test_remedy_concurrency import race

    set_settings(acme, late_outreach="send")
    order = late_order(carla)

    results, errors = race(lambda i: outreach.do_open_outreach(order)[1], 10)

    assert errors == []
    assert sorted(results) == [False] * 9 + [True]
    assert LateOrderOutreach.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(direction="outbound").count() == 1


def test_a_parcel_stuck_ten_days_gets_the_missing_parcel_remedy(acme, carla):
    late_order(carla, days=12)

    outreach.sweep_late_orders()

    row = LateOrderOutreach.objects.get()
    assert (row.suggestion["situation"], row.suggestion["kind"], row.suggestion["amount"]) == (
        "missing_parcel",
        "replacement",
        None,
    )
