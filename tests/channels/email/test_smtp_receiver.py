"""The SMTP receiver stores forwarded mail before it answers 250, refuses strangers, and is not a relay."""

from __future__ import annotations

import smtplib
import socket

import pytest

from storedesk.channels.email import actions, smtp_receiver
from storedesk.channels.email.models import InboundEmail
from storedesk.conversations.models import Message
from tests.channels.email.conftest import simple_email

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = smtp_receiver.controller("127.0.0.1", port)
    server.start()
    yield port
    server.stop()


@pytest.fixture
def mailbox(acme):
    return actions.do_save_mailbox(None, acme, kind="smtp", address="support@acme.test")


def test_it_stores_and_processes_forwarded_mail(acme, mailbox, receiver):
    raw = simple_email()

    with smtplib.SMTP("127.0.0.1", receiver, timeout=5) as client:
        refused = client.sendmail("carla@mail.test", ["support+c1-abcdef@acme.test"], raw)

    assert refused == {}
    row = InboundEmail.objects.get()
    assert (row.store_id, row.mailbox_id, row.source, row.status) == (acme.pk, mailbox.pk, "smtp", "processed")
    assert bytes(row.raw) == b"Delivered-To: support+c1-abcdef@acme.test\r\n" + raw
    assert Message.objects.get().body_text.startswith("Hi, my order #1001")


def test_it_refuses_recipients_that_are_not_our_mailboxes(mailbox, receiver):
    with smtplib.SMTP("127.0.0.1", receiver, timeout=5) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("spammer@bad.test", ["victim@elsewhere.test"], simple_email())

    assert refused.value.recipients["victim@elsewhere.test"][0] == 550
    assert InboundEmail.objects.count() == 0


def test_it_accepts_the_same_mail_twice_but_stores_it_once(mailbox, receiver):
    for _ in range(2):
        with smtplib.SMTP("127.0.0.1", receiver, timeout=5) as client:
            client.sendmail("carla@mail.test", ["support@acme.test"], simple_email())

    assert InboundEmail.objects.count() == 1
    assert Message.objects.count() == 1


def test_it_answers_451_when_it_cannot_store(mailbox, receiver, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(smtp_receiver.actions, "do_accept_raw_email", broken)

    with smtplib.SMTP("127.0.0.1", receiver, timeout=5) as client:
        with pytest.raises(smtplib.SMTPDataError) as error:
            client.sendmail("carla@mail.test", ["support@acme.test"], simple_email())

    assert error.value.smtp_code == 451
    assert InboundEmail.objects.count() == 0


def test_it_ignores_inactive_mailboxes(acme, receiver):
    actions.do_save_mailbox(None, acme, kind="smtp", address="old@acme.test", is_active=False)

    with smtplib.SMTP("127.0.0.1", receiver, timeout=5) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("carla@mail.test", ["old@acme.test"], simple_email())
