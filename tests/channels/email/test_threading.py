"""Threading: reply headers, then our token, then a guarded subject match; never across
customers; a reply to a resolved conversation reopens it inside the window, else starts a
new conversation linked to the old one."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from storedesk.channels.email import thread
from storedesk.channels.email.models import ConversationLink
from storedesk.conversations.actions import do_merge_conversations, do_set_status
from storedesk.conversations.models import Conversation
from tests.channels.email.conftest import ingest, simple_email

pytestmark = pytest.mark.django_db

FIRST = simple_email(subject="Where is my order #1001?", message_id="<first@mail.test>")


def reply_to(parent: str, **kwargs) -> bytes:
    kwargs.setdefault("subject", "Re: Where is my order #1001?")
    headers = {"In-Reply-To": parent, "References": parent, **kwargs.pop("headers", {})}
    return simple_email(headers=headers, **kwargs)


def test_it_threads_a_reply_by_in_reply_to(acme):
    first = ingest(acme, FIRST)

    second = ingest(acme, reply_to("<first@mail.test>", subject="Totally different", message_id="<second@mail.test>"))

    assert second.conversation_id == first.conversation_id
    assert second.message.metadata["threaded_by"] == "headers"


def test_it_threads_by_an_older_reference_when_the_parent_is_unknown(acme):
    first = ingest(acme, FIRST)
    raw = simple_email(
        subject="Re: Where is my order #1001?",
        message_id="<third@mail.test>",
        headers={"In-Reply-To": "<unknown@mail.test>", "References": "<first@mail.test> <unknown@mail.test>"},
    )

    assert ingest(acme, raw).conversation_id == first.conversation_id


def test_it_never_threads_into_another_customers_conversation(acme):
    first = ingest(acme, FIRST)
    tag = thread.subject_tag(first.conversation)
    intruder = reply_to(
        "<first@mail.test>",
        sender="Mallory <mallory@mail.test>",
        subject=f"Re: Where is my order #1001? {tag}",
        message_id="<mallory@mail.test>",
    )

    row = ingest(acme, intruder)

    assert row.status == "processed"
    assert row.conversation_id != first.conversation_id
    assert row.conversation.customer.name == "Mallory"
    assert first.conversation.messages.count() == 1


def test_it_ignores_a_forged_token(acme):
    first = ingest(acme, FIRST)
    forged = simple_email(subject=f"About [#{first.conversation_id}-aaaaaa]", message_id="<forged@mail.test>")

    assert ingest(acme, forged).conversation_id != first.conversation_id


def test_it_matches_a_reply_by_subject_when_headers_are_missing(acme):
    first = ingest(acme, FIRST)

    row = ingest(acme, simple_email(subject="AW: Re: where is my order  #1001?", message_id="<s@mail.test>"))

    assert (row.conversation_id, row.message.metadata["threaded_by"]) == (first.conversation_id, "subject")


def test_it_does_not_match_a_new_email_with_the_same_subject_without_a_reply_prefix(acme):
    first = ingest(acme, FIRST)

    row = ingest(acme, simple_email(subject="Where is my order #1001?", message_id="<again@mail.test>"))

    assert row.conversation_id != first.conversation_id


def test_it_does_not_match_generic_or_old_subjects(acme):
    hello = ingest(acme, simple_email(subject="Hello", message_id="<h1@mail.test>"))
    assert ingest(acme, simple_email(subject="Re: Hello", message_id="<h2@mail.test>")).conversation_id != (
        hello.conversation_id
    )

    first = ingest(acme, FIRST)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        late = ingest(acme, simple_email(subject="Re: Where is my order #1001?", message_id="<late@mail.test>"))
    assert late.conversation_id != first.conversation_id


def test_it_reopens_a_resolved_conversation_inside_the_window(acme, ana):
    first = ingest(acme, FIRST)
    do_set_status(ana, first.conversation, "resolved")

    with time_machine.travel(timezone.now() + timedelta(days=13)):
        row = ingest(acme, reply_to("<first@mail.test>", message_id="<back@mail.test>"))

    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert row.conversation_id == conversation.pk
    assert (conversation.status, conversation.resolved_at) == ("open", None)


def test_it_starts_a_linked_conversation_after_the_window(acme, ana):
    acme.settings = {"reopen_window_days": 7}
    acme.save()
    first = ingest(acme, FIRST)
    do_set_status(ana, first.conversation, "resolved")

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        row = ingest(acme, reply_to("<first@mail.test>", message_id="<months-later@mail.test>"))

    old = Conversation.objects.get(pk=first.conversation_id)
    assert row.conversation_id != old.pk
    assert old.status == "resolved"
    assert list(ConversationLink.objects.values_list("conversation_id", "linked_to_id")) == [
        (row.conversation_id, old.pk)
    ]
    assert row.conversation.customer_id == old.customer_id


def test_it_follows_a_merge_to_the_surviving_conversation(acme, ana):
    first = ingest(acme, FIRST)
    other = ingest(acme, simple_email(subject="Another question", message_id="<other@mail.test>"))
    do_merge_conversations(ana, first.conversation, other.conversation)

    row = ingest(acme, reply_to("<first@mail.test>", message_id="<after-merge@mail.test>"))

    assert row.conversation_id == other.conversation_id


def test_it_normalises_subjects_in_many_languages():
    assert thread.normalize_subject("RE: AW: Sv: Fwd: Re[2]: Order 1001 [#12-abcdef]") == "order 1001"
    assert thread.normalize_subject("回复：订单 1001") == "订单 1001"
    assert thread.is_reply_subject("Antw: bestelling") is True
    assert thread.is_reply_subject("Return policy") is False
