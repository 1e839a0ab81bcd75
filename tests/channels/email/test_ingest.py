"""Store first, then process: every accepted email is kept as its original bytes before
anything parses it, processing is idempotent, and nothing is ever dropped."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from storedesk.channels.email import actions, parse
from storedesk.channels.email.models import InboundEmail
from storedesk.conversations.models import Conversation, Message
from storedesk.core.errors import ActionError, NotFound
from tests.channels.email.conftest import ingest, simple_email

pytestmark = pytest.mark.django_db


def test_it_stores_the_raw_bytes_before_processing(acme):
    raw = simple_email()

    row, created = actions.do_accept_raw_email(acme, raw, "smtp", enqueue=False)

    assert created is True
    assert (row.status, row.source, row.message_id_key, row.size) == ("received", "smtp", "carla-1@mail.test", len(raw))
    assert bytes(InboundEmail.objects.get(pk=row.pk).raw) == raw
    assert Message.objects.count() == 0


def test_it_makes_one_message_of_the_same_email_delivered_three_times(acme):
    raw = simple_email()

    rows = [ingest(acme, raw) for _ in range(3)]

    assert {row.pk for row in rows} == {rows[0].pk}
    assert InboundEmail.objects.count() == 1
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1


def test_it_makes_one_message_of_the_same_email_arriving_by_two_channels(acme):
    raw = simple_email()
    relayed = b"Received: from mx.relay.test by smtp.acme.test; Mon, 2 Mar 2026 09:00:02 +0000\r\n" + raw

    first = ingest(acme, raw, source="imap")
    second, created = actions.do_accept_raw_email(acme, relayed, "webhook", enqueue=False)

    assert (created, second.pk) == (False, first.pk)
    assert Message.objects.count() == 1


def test_it_keys_mail_without_a_message_id_by_a_hash_of_its_bytes(acme):
    raw = simple_email(message_id=None)

    row = ingest(acme, raw)
    again = ingest(acme, raw)

    assert row.message_id_key == parse.raw_key(raw)
    assert again.pk == row.pk
    assert row.message.external_id == parse.raw_key(raw)


def test_it_keeps_two_different_emails_that_reuse_a_message_id(acme):
    first = ingest(acme, simple_email(subject="Order #1001", message_id="<same@broken-mailer.test>"))
    second = ingest(acme, simple_email(subject="Order #2002", message_id="<same@broken-mailer.test>"))

    assert first.pk != second.pk
    assert second.message_id_key == f"same@broken-mailer.test|{parse.raw_key(bytes(second.raw))}"
    assert Message.objects.count() == 2


def test_it_is_idempotent_per_store(acme, globex):
    raw = simple_email()

    assert ingest(acme, raw).status == "processed"
    assert ingest(globex, raw).status == "processed"

    assert sorted(Conversation.objects.values_list("store__slug", flat=True)) == ["acme", "globex"]


def test_it_processes_a_stored_email_once(acme):
    row, _ = actions.do_accept_raw_email(acme, simple_email(), "import", enqueue=False)

    first = actions.do_process_inbound(row.pk)
    second = actions.do_process_inbound(row.pk)

    assert (first.status, second.status) == ("processed", "processed")
    assert Message.objects.count() == 1


def test_it_processes_on_commit_through_the_job(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row, _ = actions.do_accept_raw_email(acme, simple_email(), "smtp")

    row.refresh_from_db()
    assert row.status == "processed"
    assert row.conversation.customer.name == "Carla Customer"


def test_it_keeps_mail_without_a_sender_as_could_not_process(acme):
    raw = b"Subject: hello\r\n\r\nno From header at all\r\n"

    row = ingest(acme, raw)

    assert row.status == "failed"
    assert row.error == "The email has no sender address (From or Reply-To): nobody could be answered."
    assert bytes(row.raw) == raw
    assert row.attempts == 1
    assert Message.objects.count() == 0


def test_it_records_a_crash_while_processing_and_leaves_nothing_half_written(acme):
    row, _ = actions.do_accept_raw_email(acme, simple_email(), "import", enqueue=False)

    with mock.patch("storedesk.channels.email.actions.do_create_conversation", side_effect=RuntimeError("disk full")):
        result = actions.do_process_inbound(row.pk)

    assert (result.status, result.error) == ("failed", "Could not process this email: RuntimeError: disk full")
    assert Conversation.objects.count() == 0
    assert Message.objects.count() == 0


def test_it_retries_a_failed_email(acme, ana):
    row, _ = actions.do_accept_raw_email(acme, simple_email(), "import", enqueue=False)
    with mock.patch("storedesk.channels.email.actions.do_create_conversation", side_effect=RuntimeError("disk full")):
        actions.do_process_inbound(row.pk)
    row.refresh_from_db()

    result = actions.do_retry_inbound(ana, row)

    assert (result.status, result.error, result.attempts) == ("processed", "", 2)
    assert Message.objects.count() == 1


def test_it_refuses_to_retry_processed_mail_or_for_another_store(acme, ana, gus):
    row = ingest(acme, simple_email())

    with pytest.raises(ActionError) as refused:
        actions.do_retry_inbound(ana, row)
    assert refused.value.code == "not_retryable"
    row.status = "failed"
    with pytest.raises(NotFound):
        actions.do_retry_inbound(gus, row)


def test_it_lets_an_agent_accept_ignored_mail_as_a_message(acme, ana):
    row = ingest(acme, simple_email(headers={"Auto-Submitted": "auto-generated"}))
    assert (row.status, row.noise) == ("ignored", "auto_reply")

    result = actions.do_retry_inbound(ana, row, accept_noise=True)

    assert (result.status, result.noise) == ("processed", "")
    assert result.message.body_text.startswith("Hi, my order #1001")


def test_it_sweeps_up_mail_whose_processing_job_was_lost(acme, django_capture_on_commit_callbacks):
    row, _ = actions.do_accept_raw_email(acme, simple_email(), "imap", enqueue=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.sweep()["inbound"] == 0  # not late yet
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        with django_capture_on_commit_callbacks(execute=True):
            assert actions.sweep()["inbound"] == 1

    row.refresh_from_db()
    assert row.status == "processed"


def test_it_refuses_text_instead_of_bytes(acme):
    with pytest.raises(ActionError):
        actions.do_accept_raw_email(acme, "From: x@y.test\r\n\r\nhi", "import")  # type: ignore[arg-type]
    assert InboundEmail.objects.count() == 0


def test_it_counts_the_mailbox_messages_of_the_day(acme):
    mailbox = actions.do_save_mailbox(None, acme, kind="smtp", address="support@acme.test")

    actions.do_accept_raw_email(acme, simple_email(message_id="<a@mail.test>"), "smtp", mailbox, enqueue=False)
    actions.do_accept_raw_email(acme, simple_email(message_id="<b@mail.test>"), "smtp", mailbox, enqueue=False)
    actions.do_accept_raw_email(acme, simple_email(message_id="<b@mail.test>"), "smtp", mailbox, enqueue=False)

    mailbox.refresh_from_db()
    assert (mailbox.messages_today, mailbox.messages_day) == (2, timezone.localdate())


def test_it_leaves_mail_for_the_sweeper_when_the_database_fails(acme):
    from django.db import OperationalError

    row, _ = actions.do_accept_raw_email(acme, simple_email(), "import", enqueue=False)

    with mock.patch("storedesk.channels.email.actions._route", side_effect=OperationalError("database is locked")):
        result = actions.do_process_inbound(row.pk)

    row.refresh_from_db()
    assert (result.status, row.status, row.attempts) == ("received", "received", 0)
    assert actions.do_process_inbound(row.pk).status == "processed"


def test_it_ends_a_batch_cut_short_by_a_dead_worker_with_every_message_once(acme, django_capture_on_commit_callbacks):
    batch = [simple_email(message_id=f"<batch-{n}@mail.test>", subject=f"Question {n}") for n in range(6)]
    rows = [actions.do_accept_raw_email(acme, raw, "imap", enqueue=False)[0] for raw in batch]
    for row in rows[:2]:  # the worker processed two, then was killed
        actions.do_process_inbound(row.pk)

    # restarted: the mailbox hands over the whole batch again, and the sweeper finds the rest
    for raw in batch:
        actions.do_accept_raw_email(acme, raw, "imap", enqueue=False)
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        with django_capture_on_commit_callbacks(execute=True):
            assert actions.sweep()["inbound"] == 4

    assert sorted(InboundEmail.objects.values_list("status", flat=True)) == ["processed"] * 6
    assert sorted(Message.objects.values_list("external_id", flat=True)) == sorted(
        f"batch-{n}@mail.test" for n in range(6)
    )
