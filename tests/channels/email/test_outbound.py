"""An agent's reply leaves as an email through Django's SMTP backend to a real SMTP server on
loopback, with headers that make the customer's client thread it, and the customer's answer
(built from what the server received) lands in the same conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from storedesk.channels.email import actions, tasks, thread
from storedesk.channels.email.models import OutboundEmail
from storedesk.conversations.actions import do_create_conversation, do_reply
from storedesk.core.models import AuditEvent
from storedesk.notifications.models import Notification
from tests.channels.email.conftest import fixture_bytes, ingest, scheduled_sends, simple_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def conv(acme, carla):
    acme.from_name = "Acme Support"
    acme.reply_to = "help@acme.test"
    acme.save()
    row = ingest(acme, simple_email())
    assert row.status == "processed"
    return row.conversation


def reply(agent, conv, capture, body: str = "Hi Carla, your parcel left our warehouse today."):
    with capture(execute=True):
        return do_reply(agent, conv, body_text=body)


def test_it_sends_a_reply_with_headers_that_thread(conv, ana, smtp_server, django_capture_on_commit_callbacks):
    ana.signature = "Ana from Acme\nMon–Fri 9–17"
    ana.save()

    message = reply(ana, conv, django_capture_on_commit_callbacks)

    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    outbound = OutboundEmail.objects.get(message=message)
    message.refresh_from_db()
    assert received.rcpt_tos == ["carla@mail.test"]
    assert received.header("Message-ID") == f"<{outbound.message_id_header}>"
    assert received.header("In-Reply-To") == "<carla-1@mail.test>"
    assert received.header("References") == "<carla-1@mail.test>"
    assert received.header("From") == "Acme Support <support@acme.test>"
    assert received.header("Reply-To") == "help@acme.test"
    assert received.header("To") == "carla@mail.test"
    assert received.header("Subject") == f"Re: Where is my order #1001? {thread.subject_tag(conv)}"
    assert received.message.get_content().replace("\r\n", "\n") == (
        "Hi Carla, your parcel left our warehouse today.\n\n-- \nAna from Acme\nMon–Fri 9–17\n"
    )
    assert (message.delivery_status, message.delivery_error) == ("sent", "")
    assert message.external_id == outbound.message_id_header
    assert message.metadata["message_id"] == outbound.message_id_header
    assert (outbound.state, outbound.attempts, outbound.recipients) == ("sent", 1, ["carla@mail.test"])
    assert outbound.message_id_header.endswith("@acme.test")


def test_it_threads_the_customers_reply_back_into_the_same_conversation(
    acme, conv, ana, smtp_server, django_capture_on_commit_callbacks
):
    reply(ana, conv, django_capture_on_commit_callbacks)
    sent = smtp_server.received[0]
    for n, fixture in enumerate(["gmail_reply.eml", "apple_mail_reply.eml"]):
        answer = fixture_bytes(
            fixture,
            n=str(n),
            subject=sent.header("Subject").removeprefix("Re: "),
            in_reply_to=sent.header("Message-ID"),
            references=f"{sent.header('References')} {sent.header('Message-ID')}",
        )

        row = ingest(acme, answer)

        assert (row.status, row.conversation_id) == ("processed", conv.pk), fixture
        assert row.message.metadata["threaded_by"] == "headers"
    conv.refresh_from_db()
    assert conv.message_count == 4
    assert [m.body_text for m in conv.messages.order_by("created_at", "pk")][2:] == [
        "Thanks! The tracking number works now.\n\nCarla",
        "Perfect, a medium would be great. Do I need to send the large one back first?\n\nCarla",
    ]


def test_it_threads_an_outlook_reply_without_reply_headers_by_the_subject_token(
    acme, conv, ana, smtp_server, django_capture_on_commit_callbacks
):
    reply(ana, conv, django_capture_on_commit_callbacks)
    subject = smtp_server.received[0].header("Subject").removeprefix("Re: ")

    row = ingest(acme, fixture_bytes("outlook_reply.eml", n="1", subject=subject))

    assert (row.status, row.conversation_id) == ("processed", conv.pk)
    assert row.message.metadata["threaded_by"] == "token"
    assert row.message.body_text == (
        "Hello – the parcel arrived but the jacket is the wrong size. Can I swap it for a medium?\n\nKind regards,\nCarla"
    )
    assert "Hi Carla, your parcel left" in row.message.metadata["quoted_text"]
    assert "divRplyFwdMsg" not in row.message.body_html
    assert "wrong size" in row.message.body_html


def test_it_threads_replies_to_a_plus_address_token(acme, conv, ana, smtp_server, django_capture_on_commit_callbacks):
    acme.settings = {"email_plus_token": True, "email_subject_token": False}
    acme.save()
    reply(ana, conv, django_capture_on_commit_callbacks)
    sent = smtp_server.received[0]
    assert sent.header("Reply-To") == thread.plus_address("help@acme.test", conv)
    assert sent.header("Subject") == "Re: Where is my order #1001?"

    answer = simple_email(
        to=sent.header("Reply-To"), subject="Re: something else entirely", message_id="<plus-1@mail.test>"
    )
    row = ingest(acme, answer)

    assert (row.conversation_id, row.message.metadata["threaded_by"]) == (conv.pk, "token")


def test_it_retries_a_temporary_smtp_failure_and_then_sends(conv, ana, smtp_server, django_capture_on_commit_callbacks):
    smtp_server.answer("451 4.3.0 Try again later")

    message = reply(ana, conv, django_capture_on_commit_callbacks)

    outbound = OutboundEmail.objects.get(message=message)
    message.refresh_from_db()
    assert (outbound.state, outbound.attempts) == ("pending", 1)
    assert outbound.last_error == "SMTP 451 4.3.0 Try again later"
    assert (message.delivery_status, message.delivery_error) == (
        "queued",
        "SMTP 451 4.3.0 Try again later (will retry)",
    )
    assert [args for args, _ in scheduled_sends()] == [(message.pk,)]
    assert smtp_server.received == []

    assert tasks.send_email_message.call_local(message.pk) is None  # not due yet
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert tasks.send_email_message.call_local(message.pk) == "sent"

    outbound.refresh_from_db()
    message.refresh_from_db()
    assert (outbound.state, outbound.attempts, message.delivery_status) == ("sent", 2, "sent")
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0].header("Message-ID") == f"<{outbound.message_id_header}>"  # same id on retry


def test_it_gives_up_after_the_last_attempt_with_the_reason(
    conv, ana, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_SEND_MAX_ATTEMPTS = 2
    smtp_server.answer("421 4.7.0 Service busy", "421 4.7.0 Service busy")
    message = reply(ana, conv, django_capture_on_commit_callbacks)

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert tasks.send_email_message.call_local(message.pk) == "failed"

    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert message.delivery_error == "SMTP 421 4.7.0 Service busy (gave up after 2 attempts)"
    assert AuditEvent.objects.filter(verb="message.delivery_failed", object_id=message.pk).count() == 1
    assert smtp_server.received == []


def test_it_fails_at_once_when_the_server_refuses_the_recipient(
    conv, ana, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.answer("550 5.1.1 No such user")

    message = reply(ana, conv, django_capture_on_commit_callbacks)

    message.refresh_from_db()
    assert (message.delivery_status, message.delivery_error) == ("failed", "SMTP 550 5.1.1 No such user")
    assert scheduled_sends() == []


def test_it_retries_when_the_smtp_server_is_down(conv, ana, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    message = reply(ana, conv, django_capture_on_commit_callbacks)

    outbound = OutboundEmail.objects.get(message=message)
    assert outbound.state == "pending"
    assert outbound.last_error.startswith("Could not reach the mail server: ConnectionRefusedError")


def test_it_fails_a_reply_to_a_customer_without_an_email_address(acme, ana, django_capture_on_commit_callbacks):
    from tests.factories import CustomerFactory

    nobody = CustomerFactory(store=acme, name="No Address")
    with django_capture_on_commit_callbacks(execute=True):
        conv = do_create_conversation(store=acme, customer=nobody, channel="email", actor=ana, body_text="Hello?")

    message = conv.messages.get()
    assert (message.delivery_status, message.delivery_error) == ("failed", "The customer has no email address.")


def test_it_marks_the_reply_bounced_when_a_dsn_comes_back(
    acme, conv, ana, smtp_server, django_capture_on_commit_callbacks
):
    message = reply(ana, conv, django_capture_on_commit_callbacks)
    message_id = smtp_server.received[0].header("Message-ID")

    row = ingest(acme, fixture_bytes("dsn_bounce.eml", n="1", subject="x", original=message_id))

    message.refresh_from_db()
    assert (row.status, row.noise, row.message_id) == ("ignored", "bounce", message.pk)
    assert message.delivery_status == "bounced"
    assert message.delivery_error.startswith("5.1.1 smtp; 550 5.1.1 <nobody@mail.test>: Recipient address rejected")
    assert OutboundEmail.objects.get(message=message).state == "bounced"
    conv.refresh_from_db()
    assert (conv.message_count, conv.status) == (2, "open")


def test_it_ignores_a_copy_of_its_own_outbound_message(
    acme, conv, ana, smtp_server, django_capture_on_commit_callbacks
):
    reply(ana, conv, django_capture_on_commit_callbacks)

    row = ingest(acme, smtp_server.received[0].raw)  # e.g. a BCC copy fetched from the mailbox

    assert (row.status, row.noise) == ("ignored", "own")
    conv.refresh_from_db()
    assert conv.message_count == 2


def test_it_sends_nothing_twice(conv, ana, smtp_server, django_capture_on_commit_callbacks):
    message = reply(ana, conv, django_capture_on_commit_callbacks)

    assert actions.do_send_email(message.pk) is None
    assert tasks.send_email_message.call_local(message.pk) is None
    assert len(smtp_server.received) == 1


def test_it_sweeps_sends_whose_worker_died(conv, ana, smtp_server, django_capture_on_commit_callbacks):
    smtp_server.answer("451 4.3.0 Try again later")
    message = reply(ana, conv, django_capture_on_commit_callbacks)
    OutboundEmail.objects.filter(message=message).update(state="sending", claimed_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.sweep() == {"inbound": 0, "freed": 0, "sends": 0, "unsent": 0}
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        with django_capture_on_commit_callbacks(execute=True):
            assert actions.sweep() == {"inbound": 0, "freed": 1, "sends": 1, "unsent": 0}

    message.refresh_from_db()
    assert message.delivery_status == "sent"
    assert len(smtp_server.received) == 1


def test_it_sends_html_and_attachments(conv, ana, smtp_server, django_capture_on_commit_callbacks):
    from storedesk.conversations.actions import NewAttachment

    with django_capture_on_commit_callbacks(execute=True):
        do_reply(
            ana,
            conv,
            body_html="<p>Your <b>label</b> is attached.</p>",
            attachments=[
                NewAttachment(filename="label.pdf", content=b"%PDF-1.4 label", content_type="application/pdf")
            ],
        )

    message = smtp_server.received[0].message
    assert message.get_body(("plain",)).get_content().strip() == "Your label is attached."
    assert message.get_body(("html",)).get_content().strip() == "<p>Your <b>label</b> is attached.</p>"
    [attachment] = list(message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == ("label.pdf", b"%PDF-1.4 label")


def test_it_starts_an_agent_initiated_email_without_reply_headers(
    acme, carla, ana, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        conv = do_create_conversation(
            store=acme, customer=carla, channel="email", actor=ana, subject="Your refund", body_text="Refund sent."
        )

    received = smtp_server.received[0]
    assert received.header("In-Reply-To") is None
    assert received.header("References") is None
    assert received.header("Subject") == f"Your refund {thread.subject_tag(conv)}"
    assert received.rcpt_tos == ["carla@mail.test"]


@pytest.fixture
def sent_events(monkeypatch):
    from storedesk.core import realtime

    events = []
    monkeypatch.setattr(realtime, "send", events.append)
    return events


def test_it_tells_the_open_conversation_when_a_reply_fails(
    conv, ana, smtp_server, sent_events, django_capture_on_commit_callbacks
):
    smtp_server.answer("550 5.1.1 No such user")

    message = reply(ana, conv, django_capture_on_commit_callbacks)

    updates = [event for event in sent_events if event.type == "message.updated"]
    assert len(updates) == 1
    assert (updates[0].conversation.id, updates[0].message.id) == (conv.pk, message.pk)
    assert updates[0].changes == {
        "delivery_status": ["queued", "failed"],
        "delivery_error": ["", "SMTP 550 5.1.1 No such user"],
    }
    notification = Notification.objects.get(recipient=ana)
    assert (notification.kind, notification.message_id, notification.conversation_id) == (
        "delivery_failed",
        message.pk,
        conv.pk,
    )
    assert notification.text == "Failed: SMTP 550 5.1.1 No such user"


def test_it_tells_nobody_while_a_send_is_only_retrying(
    conv, ana, settings, sent_events, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    reply(ana, conv, django_capture_on_commit_callbacks)

    assert [event for event in sent_events if event.type == "message.updated"] == []
    assert Notification.objects.count() == 0


def test_it_tells_the_open_conversation_when_a_reply_bounces(
    acme, conv, ana, smtp_server, sent_events, django_capture_on_commit_callbacks
):
    message = reply(ana, conv, django_capture_on_commit_callbacks)
    message_id = smtp_server.received[0].header("Message-ID")

    with django_capture_on_commit_callbacks(execute=True):
        ingest(acme, fixture_bytes("dsn_bounce.eml", n="1", subject="x", original=message_id))

    updates = [event for event in sent_events if event.type == "message.updated"]
    assert len(updates) == 1
    assert updates[0].message.id == message.pk
    assert updates[0].changes["delivery_status"] == ["sent", "bounced"]
    assert list(Notification.objects.values_list("recipient_id", "kind")) == [(ana.pk, "delivery_failed")]
