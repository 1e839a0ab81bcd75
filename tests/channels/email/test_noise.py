"""Loop and noise protection: auto-replies, bounces, lists, our own mail and spam are kept
(ignored, with the reason) but never become messages, never reopen a conversation and are
never answered."""

from __future__ import annotations

import pytest

from storedesk.channels.email import noise, parse
from storedesk.conversations.actions import do_set_status
from storedesk.conversations.models import Conversation, Message
from tests.channels.email.conftest import fixture_bytes, ingest, simple_email

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("headers", "subject", "kind", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Re: order", "auto_reply", "Auto-Submitted: auto-replied"),
        ({"Auto-Submitted": "no"}, "Re: order", "", ""),
        ({"X-Autoreply": "yes"}, "Re: order", "auto_reply", "X-Autoreply"),
        ({"Precedence": "auto_reply"}, "Re: order", "auto_reply", "Precedence: auto_reply"),
        ({}, "Out of Office: back Monday", "auto_reply", "auto-reply subject"),
        ({}, "Automatische Antwort: Bestellung", "auto_reply", "auto-reply subject"),
        ({"Return-Path": "<>"}, "Re: order", "auto_reply", "null Return-Path (automatic message)"),
        ({"List-Id": "<shop.lists.test>"}, "Deals", "list", "mailing list (List-Id / List-Unsubscribe)"),
        ({"Precedence": "bulk"}, "Deals", "list", "Precedence: bulk"),
        ({"X-Failed-Recipients": "nobody@mail.test"}, "Mail failure", "bounce", "bounce"),
        ({"X-Spam-Flag": "YES"}, "You won", "spam", "spam score inf ≥ 5"),
        ({"X-Spam-Status": "Yes, score=7.2 required=5.0"}, "You won", "spam", "spam score 7.2 ≥ 5"),
        ({"X-Spam-Status": "No, score=1.1 required=5.0"}, "Hi there", "", ""),
    ],
)
def test_it_classifies_noise_by_its_headers(headers, subject, kind, reason):
    parsed = parse.parse_email(simple_email(subject=subject, headers=headers))

    verdict = noise.classify(parsed, {"support@acme.test"}, spam_threshold=5.0)

    assert (verdict.kind, verdict.reason) == (kind, reason)


def test_it_treats_mail_from_its_own_address_as_own(acme):
    row = ingest(acme, simple_email(sender="Acme <support@acme.test>"))

    assert (row.status, row.noise) == ("ignored", "own")
    assert Message.objects.count() == 0


def test_it_answers_the_person_behind_a_contact_form_not_the_form(acme):
    row = ingest(acme, fixture_bytes("contact_form.eml", n="1"))

    assert row.status == "processed"
    assert row.conversation.customer.name == "Dan Visitor"
    assert row.message.metadata["from_address"] == "dan@mail.test"


def test_it_never_reopens_a_conversation_for_an_out_of_office(acme, ana):
    first = ingest(acme, simple_email(message_id="<first@mail.test>"))
    do_set_status(ana, first.conversation, "resolved")

    row = ingest(
        acme,
        fixture_bytes(
            "out_of_office.eml", n="1", subject="Where is my order", in_reply_to="<first@mail.test>", references=""
        ),
    )

    assert (row.status, row.noise, row.error) == ("ignored", "auto_reply", "Auto-Submitted: auto-replied")
    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert (conversation.status, conversation.message_count) == ("resolved", 1)


def test_it_ignores_newsletters(acme):
    row = ingest(acme, fixture_bytes("newsletter.eml", n="1"))

    assert (row.status, row.noise) == ("ignored", "list")
    assert Conversation.objects.count() == 0


def test_it_keeps_a_bounce_for_an_unknown_message_as_ignored(acme):
    row = ingest(acme, fixture_bytes("dsn_bounce.eml", n="1", subject="x", original="<not-ours@acme.test>"))

    assert (row.status, row.noise, row.message_id) == ("ignored", "bounce", None)
    assert row.error == "delivery status notification (failed)"


def test_it_reads_the_dsn_report(acme):
    parsed = parse.parse_email(fixture_bytes("dsn_bounce.eml", n="1", subject="x", original="<abc@acme.test>"))

    assert parsed.report == parse.DeliveryReport(
        action="failed",
        status="5.1.1",
        recipients=["nobody@mail.test"],
        diagnostic="smtp; 550 5.1.1 <nobody@mail.test>: Recipient address rejected: User unknown",
        original_message_id="abc@acme.test",
    )


def score_everything_high(parsed):
    return 99.0


def test_it_calls_the_spam_scorer_hook(acme, settings):
    settings.EMAIL_SPAM_SCORER = "tests.channels.email.test_noise.score_everything_high"

    row = ingest(acme, simple_email())

    assert (row.status, row.noise, row.error) == ("ignored", "spam", "spam score 99 ≥ 5 (scorer)")
