"""bench/w1.py: the W1 mail mix, the bare baseline, and a run that leaves no rows behind."""

from __future__ import annotations

import random

import pytest

from bench import w1
from storedesk.channels.email.models import InboundEmail
from storedesk.conversations.actions import do_create_conversation, resolve_customer
from storedesk.conversations.models import Conversation, Customer, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_email_conversation(acme):
    customer, _ = resolve_customer(acme, "email", "carla@mail.test", name="Carla")
    return do_create_conversation(
        store=acme, customer=customer, channel="email", subject="Where is my order?", body_text="Hi"
    )


def test_it_writes_the_peer_mix_of_new_mail_and_replies(tmp_path, open_email_conversation):
    targets = w1.reply_targets(open_email_conversation.store_id)

    mix = w1.make_emails(random.Random(1), 50, "support@acme.test", targets, tmp_path)

    assert len(targets) == 1
    assert len(list(tmp_path.iterdir())) == 50
    assert mix["new_mails"] + mix["reply_mails"] == 50
    assert 10 <= mix["reply_mails"] <= 30


def test_it_measures_the_baseline_on_its_own_sqlite_file(tmp_path):
    maildir = tmp_path / "mail"
    maildir.mkdir()
    w1.make_emails(random.Random(1), 20, "support@acme.test", [], maildir)

    assert w1.baseline(maildir, tmp_path / "base.sqlite3") > 0


def test_it_ingests_threads_and_cleans_up(acme, open_email_conversation):
    before = (Conversation.objects.count(), Message.objects.count(), Customer.objects.count())
    targets = w1.reply_targets(acme.pk)

    result = w1.run_once(acme, 30, seed=3, targets=targets)

    assert result["summary"]["received"] == 30
    assert result["summary"]["created"] == 30
    assert result["threaded_by"].get("token", 0) == result["reply_mails"]
    assert result["threaded_by"].get("new", 0) == result["new_mails"]
    assert result["rows_added"]["conversations_message"] == 30
    assert (Conversation.objects.count(), Message.objects.count(), Customer.objects.count()) == before
    assert InboundEmail.objects.count() == 0
