"""The sweeper re-enqueues replies left `queued` with no send record (the process died between
the reply's commit and its enqueue): once, after a grace period, idempotently."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from storedesk.channels.email import actions, tasks
from storedesk.channels.email.models import OutboundEmail
from storedesk.conversations.actions import do_create_conversation, do_reply
from storedesk.conversations.models import Message
from tests.channels.email.conftest import ingest, simple_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def conv(acme, carla):
    return ingest(acme, simple_email()).conversation


def lost_reply(agent, conv) -> Message:
    """A reply whose enqueue never happened: committed, on-commit callbacks not run."""
    return do_reply(agent, conv, body_text="Your parcel left today.")


def test_it_leaves_a_queued_reply_alone_during_the_grace_period(conv, ana, smtp_server):
    message = lost_reply(ana, conv)

    with time_machine.travel(timezone.now() + timedelta(minutes=4)):
        assert actions.queued_without_send(timezone.now()) == []

    message.refresh_from_db()
    assert message.delivery_status == "queued"
    assert smtp_server.received == []


def test_it_sends_a_reply_whose_enqueue_was_lost(conv, ana, smtp_server, django_capture_on_commit_callbacks):
    message = lost_reply(ana, conv)

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        with django_capture_on_commit_callbacks(execute=True):
            result = tasks.sweep_email.call_local()
        with django_capture_on_commit_callbacks(execute=True):
            again = actions.sweep()

    message.refresh_from_db()
    assert result == {"inbound": 0, "freed": 0, "sends": 1, "unsent": 1}
    assert again == {"inbound": 0, "freed": 0, "sends": 0, "unsent": 0}
    assert message.delivery_status == "sent"
    assert OutboundEmail.objects.get(message=message).attempts == 1
    assert len(smtp_server.received) == 1


def test_sending_twice_sends_once(conv, ana, smtp_server, django_capture_on_commit_callbacks):
    """A sweep that races the lost job's late arrival: the send record's claim lets one through."""
    message = lost_reply(ana, conv)

    assert actions.do_send_email(message.pk) == "sent"
    assert actions.do_send_email(message.pk) is None
    assert len(smtp_server.received) == 1


def test_it_ignores_other_channels_notes_and_sent_messages(acme, carla, ana, conv, smtp_server):
    chat = do_create_conversation(store=acme, customer=carla, channel="chat", body_text="Hello")
    do_reply(ana, chat, body_text="Hi from chat")
    sent = lost_reply(ana, conv)
    Message.objects.filter(pk=sent.pk).update(delivery_status="sent")

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert actions.queued_without_send(timezone.now()) == []


def test_it_finds_queued_replies_with_one_query_on_the_partial_index(conv, ana):
    messages = [lost_reply(ana, conv) for _ in range(3)]

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        with CaptureQueriesContext(connection) as queries:
            found = actions.queued_without_send(timezone.now())

    assert found == [m.pk for m in messages]
    assert len(queries) == 1
