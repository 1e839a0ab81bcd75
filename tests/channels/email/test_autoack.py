"""The optional auto-acknowledgement: once per new email conversation, with the expected
response time we promised, never to noise, never twice to one customer within the window,
sent like any reply (with Auto-Submitted), and never taken for an agent's answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from storedesk.automation.models import ConversationSla, WaitPromise
from storedesk.channels.email import actions, autoack
from storedesk.channels.email.queries import unanswered
from storedesk.conversations.models import Message
from tests.channels.email.conftest import fixture_bytes, ingest, simple_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def acking(acme):
    acme.settings = {**acme.settings, "email_auto_ack": True}
    acme.save()
    return acme


def acks(store):
    return Message.objects.filter(store=store, author_kind="system", metadata__auto_ack=True).order_by("pk")


def test_it_is_off_by_default(acme, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ingest(acme, simple_email())

    assert acks(acme).count() == 0
    assert smtp_server.received == []


def test_it_acknowledges_a_new_conversation_with_the_promised_wait(
    acking, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(acking, simple_email())

    ack = acks(acking).get()
    promise = WaitPromise.objects.get(conversation=row.conversation)
    sent = smtp_server.received[0]
    assert ack.conversation_id == row.conversation_id
    assert (ack.direction, ack.delivery_status) == ("outbound", "sent")
    assert ack.metadata["expected_wait_s"] == promise.promised_wait_s
    assert f"we expect to reply within {autoack.duration(promise.promised_wait_s)}" in ack.body_text
    assert ack.body_text.startswith("Hi Carla,\n")
    assert sent.rcpt_tos == ["carla@mail.test"]
    assert sent.header("Auto-Submitted") == "auto-replied"
    assert sent.header("In-Reply-To") == "<carla-1@mail.test>"
    assert sent.header("Subject").startswith("Re: Where is my order #1001? [#")


def test_it_is_not_an_agents_reply(acking, ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(acking, simple_email())

    conversation = row.conversation
    conversation.refresh_from_db()
    sla = ConversationSla.objects.get(conversation=conversation)
    assert acks(acking).count() == 1
    assert (conversation.first_response_at, conversation.last_agent_message_at) == (None, None)
    assert conversation.message_count == 2
    assert conversation.preview.startswith("Hi, my order #1001")
    assert (sla.first_response_at, sla.first_response_due_at is not None) == (None, True)
    assert WaitPromise.objects.get(conversation=conversation).answered_at is None
    with time_machine.travel(timezone.now() + timedelta(hours=5)):
        assert [c.pk for c in unanswered(ana, 4)] == [conversation.pk]


def test_it_does_not_acknowledge_replies(acking):
    first = ingest(acking, simple_email())
    headers = {"In-Reply-To": "<carla-1@mail.test>", "References": "<carla-1@mail.test>"}
    second = ingest(acking, simple_email(message_id="<carla-2@mail.test>", subject="Re: order", headers=headers))

    assert second.conversation_id == first.conversation_id
    assert acks(acking).count() == 1


def test_it_acknowledges_a_customer_once_within_the_window(acking):
    ingest(acking, simple_email())
    ingest(acking, simple_email(message_id="<carla-2@mail.test>", subject="And another thing"))
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        later = ingest(acking, simple_email(message_id="<carla-3@mail.test>", subject="A third thing"))

    assert [ack.conversation_id for ack in acks(acking)][1:] == [later.conversation_id]
    assert acks(acking).count() == 2


def test_it_never_acknowledges_noise(acking, ana):
    values = {"n": "1", "subject": "Hello", "in_reply_to": "<x@acme.test>", "references": "<x@acme.test>"}
    rows = [ingest(acking, fixture_bytes(name, **values)) for name in ("out_of_office.eml", "newsletter.eml")]
    rows.append(ingest(acking, simple_email(message_id="<auto@mail.test>", headers={"Auto-Submitted": "auto-replied"})))

    assert [row.status for row in rows] == ["ignored", "ignored", "ignored"]
    retried = actions.do_retry_inbound(ana, rows[2], accept_noise=True)  # an agent: "this is a customer"
    assert retried.status == "processed"
    assert acks(acking).count() == 0


def test_it_uses_the_batch_path_too(acking):
    from storedesk.channels.email import batch

    raws = [
        simple_email(),
        simple_email(message_id="<carla-2@mail.test>", subject="And another thing"),
        simple_email(sender="Dan <dan@mail.test>", message_id="<dan-1@mail.test>"),
    ]
    batch.do_ingest(acking, raws, "import")

    assert sorted(ack.conversation.customer.name for ack in acks(acking)) == ["Carla Customer", "Dan"]


def test_only_an_admin_turns_it_on(acme, olivia, ana):
    from storedesk.core.errors import PermissionDenied
    from storedesk.core.models import AuditEvent

    with pytest.raises(PermissionDenied):
        autoack.do_set_auto_ack(ana, acme, enabled=True)
    assert not autoack.enabled(acme)

    autoack.do_set_auto_ack(olivia, acme, enabled=True, window_hours=12)

    acme.refresh_from_db()
    assert (autoack.enabled(acme), autoack.window(acme)) == (True, timedelta(hours=12))
    event = AuditEvent.objects.get(verb="email.auto_ack_saved")
    assert (event.actor_id, event.after) == (olivia.pk, {"email_auto_ack": True, "email_auto_ack_window_hours": 12.0})


def test_the_demo_turns_it_on_for_the_main_store():
    from storedesk.core.models import Store
    from storedesk.demo.loader import DEMO_SLUG, load_demo

    load_demo(customers=10, conversations=5)

    assert autoack.enabled(Store.objects.get(slug=DEMO_SLUG))
    assert [s.slug for s in Store.objects.all() if autoack.enabled(s)] == [DEMO_SLUG]
