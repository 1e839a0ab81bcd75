"""The batch path (`channels.email.batch`) against the single-message path: the same mail into
two identical stores, one email at a time and as one batch, gives the same rows — inbound
rows, customers, conversations, messages, attachments, links, SLA clocks, wait promises,
audit rows, search documents and webhook deliveries — with the clock frozen."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection

from storedesk.automation.actions.sla import do_apply_sla
from storedesk.automation.models import ConversationSla, SlaPolicy, TimeBasis, WaitPromise
from storedesk.channels.email import actions, batch, thread
from storedesk.channels.email.models import ConversationLink, InboundEmail
from storedesk.conversations.actions import do_tag
from storedesk.conversations.models import Attachment, Conversation, Customer, Message
from storedesk.core.models import AuditEvent
from storedesk.webhooks.models import WebhookDelivery
from tests.channels.email.conftest import FIXTURES, fixture_bytes, simple_email
from tests.factories import (
    ConversationFactory,
    CustomerFactory,
    IdentityFactory,
    MessageFactory,
    StoreFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def world(slug: str):
    """A store with an SLA policy, a webhook endpoint and three customers' conversations:
    Olga's open and answered (our reply's Message-ID is <out-1@acme.test>), Pete's resolved two
    days ago (a reply reopens it), Rita's resolved 30 days ago (a reply starts a linked one)."""
    store = StoreFactory(slug=slug, name="Acme Outfitters", support_email="support@acme.test")
    store.settings = {"email_auto_ack": True}
    store.save()
    SlaPolicy.objects.create(
        store=store, name="Email", channels=["email"], first_response_s=3600, next_response_s=7200,
        resolution_s=86400, time_basis=TimeBasis.CALENDAR,
    )  # fmt: skip
    WebhookEndpointFactory(store=store)
    people = {}
    for name, email in (("Olga", "olga@mail.test"), ("Pete", "pete@mail.test"), ("Rita", "rita@mail.test")):
        people[name] = CustomerFactory(store=store, name=name)
        IdentityFactory(customer=people[name], value=email)
    olga = ConversationFactory(
        store=store, customer=people["Olga"], subject="Broken zipper",
        first_response_at=NOW - timedelta(hours=3), last_message_at=NOW - timedelta(hours=3),
    )  # fmt: skip
    MessageFactory(conversation=olga, body_text="My zipper broke.", external_id="olga-1@mail.test")
    MessageFactory(
        conversation=olga, direction="outbound", author_kind="agent", author_customer=None,
        body_text="Sorry! Send it back.", external_id="out-1@acme.test", delivery_status="sent",
    )  # fmt: skip
    do_apply_sla(olga)
    do_tag(None, olga, add=["vip"])
    pete = ConversationFactory(
        store=store, customer=people["Pete"], subject="Refund please", status="resolved",
        resolved_at=NOW - timedelta(days=2), last_message_at=NOW - timedelta(days=2),
    )  # fmt: skip
    MessageFactory(conversation=pete, body_text="I want a refund.", external_id="pete-1@mail.test")
    rita = ConversationFactory(
        store=store, customer=people["Rita"], subject="Old question", status="resolved",
        resolved_at=NOW - timedelta(days=30), last_message_at=NOW - timedelta(days=30),
    )  # fmt: skip
    MessageFactory(conversation=rita, body_text="An old question.", external_id="old-3@mail.test")
    return store, olga, pete


def mails(store, olga, pete) -> list[bytes]:
    def reply(sender, subject, mid, parent, **kw):
        return simple_email(
            sender=sender, subject=subject, message_id=mid, headers={"In-Reply-To": parent, "References": parent}, **kw
        )

    nina = "Nina <nina@mail.test>"
    out = [
        simple_email(sender=nina, subject="Order 55 missing", message_id="<n1@mail.test>", body="Where is 55?"),
        reply("Olga <olga@mail.test>", "Re: Broken zipper", "<o2@mail.test>", "<out-1@acme.test>", body="Sent it."),
        reply(nina, "Re: Order 55 missing", "<n2@mail.test>", "<n1@mail.test>", body="Any news?"),
        simple_email(
            sender="Olga <olga@mail.test>",
            subject=f"Re: Broken zipper {thread.subject_tag(olga)}",
            message_id="<o3@mail.test>",
            body="Tracking number 123.",
        ),  # fmt: skip
        simple_email(
            sender="Pete <pete@mail.test>",
            subject=f"Re: Refund please {thread.subject_tag(pete)}",
            message_id="<p2@mail.test>",
            body="Still no refund.",
        ),  # fmt: skip
        reply("Rita <rita@mail.test>", "Re: Old question", "<r2@mail.test>", "<old-3@mail.test>", body="Again."),
        simple_email(sender=nina, subject="Order 55 missing", message_id="<n1@mail.test>", body="Where is 55?"),
        simple_email(sender="Other <other@mail.test>", subject="Other thing", message_id="<n1@mail.test>"),
        b"\x00\x01 not an email at all",
        simple_email(sender="Sam <sam@mail.test>", subject="Lost parcel", message_id="<s1@mail.test>"),
        simple_email(sender="Sam <sam@mail.test>", subject="Re: Lost parcel", message_id="<s2@mail.test>", body="?"),
        simple_email(sender="Olga <olga@mail.test>", subject="A new question", message_id="<o4@mail.test>"),
        simple_email(sender="Mallory <mallory@mail.test>", subject="Re: Broken zipper", message_id="<m1@mail.test>"),
        simple_email(sender="Sam <SAM@mail.test>", subject="Hello", message_id=None, body="No id here."),
        fixture_bytes("dsn_bounce.eml", n="1", subject="x", original="<out-1@acme.test>"),
    ]
    values = {"n": "7", "subject": "Broken zipper", "in_reply_to": "<out-1@acme.test>"}
    values |= {"references": "<out-1@acme.test>", "original": "<out-1@acme.test>"}
    out += [fixture_bytes(p.name, **values) for p in sorted(FIXTURES.glob("*.eml")) if p.name != "dsn_bounce.eml"]
    return out


def one_by_one(store, raws: list[bytes]) -> None:
    """What `ingest-email --one-by-one` (and every inbound path) does per email."""
    for raw in raws:
        row, created = actions.do_accept_raw_email(store, raw, "import", enqueue=False)
        if created or row.status == InboundEmail.Status.RECEIVED:
            actions.do_process_inbound(row.pk, raw=raw if created else None)


def counted(rows) -> list[list[Any]]:
    return sorted([*row, n] for row, n in Counter(rows).items())


def snapshot(store) -> dict[str, Any]:
    """Every row the ingest wrote, keyed by what both stores share (Message-IDs, addresses)."""
    first = {}
    for conversation_id, external_id in (
        Message.objects.filter(store=store).order_by("created_at", "id").values_list("conversation_id", "external_id")
    ):
        first.setdefault(conversation_id, external_id)

    def key(conversation_id):
        return first.get(conversation_id, conversation_id and "?")

    def who(customer_id):
        customer = Customer.objects.get(pk=customer_id)
        return [customer.name, sorted(customer.identities.values_list("value", flat=True))]

    def plain(row, drop=("id", "conversation", "store", "policy", "message")):
        return {k: v for k, v in row.items() if k not in drop}

    data: dict[str, Any] = {
        "inbound": sorted(
            [
                r.message_id_key,
                r.status,
                r.noise,
                r.error,
                r.subject,
                r.sender,
                r.attempts,
                key(r.conversation_id),
                r.message.external_id if r.message else None,
            ]
            for r in InboundEmail.objects.filter(store=store).select_related("message")
        ),  # fmt: skip
        "customers": sorted(who(pk) for pk in Customer.objects.filter(store=store).values_list("pk", flat=True)),
        "conversations": {
            key(c.pk): [
                c.subject,
                c.status,
                c.channel,
                c.priority,
                c.message_count,
                c.preview,
                who(c.customer_id),
                c.created_at,
                c.updated_at,
                c.last_message_at,
                c.last_customer_message_at,
                c.first_response_at,
                c.resolved_at,
                c.assignee_id,
                sorted(c.tags.values_list("name", flat=True)),
            ]
            for c in Conversation.objects.filter(store=store)
        },  # fmt: skip
        "messages": {
            m.external_id or f"{m.author_kind}:{key(m.conversation_id)}": [
                key(m.conversation_id),
                m.direction,
                m.author_kind,
                who(m.author_customer_id) if m.author_customer_id else None,
                m.body_text,
                m.body_html,
                {k: v for k, v in m.metadata.items() if k != "inbound_email_id"},
                m.delivery_status,
                m.delivery_error,
                m.created_at,
                sorted([a.filename, a.content_type, a.size, a.inline, a.content_id] for a in m.attachments.all()),
            ]
            for m in Message.objects.filter(store=store)
        },  # fmt: skip
        "links": sorted(
            [key(link.conversation_id), key(link.linked_to_id)] for link in ConversationLink.objects.filter(store=store)
        ),
        "sla": {
            key(row["conversation_id"]): plain(row, drop=("id", "conversation_id", "store_id", "policy_id"))
            for row in ConversationSla.objects.filter(store=store).values()
        },
        "waits": {
            key(row["conversation_id"]): plain(row, drop=("id", "conversation_id", "store_id"))
            for row in WaitPromise.objects.filter(store=store).values()
        },
        "audit": counted(
            (e.verb, e.object_type, e.actor_kind, key(e.object_id) if e.object_type == "conversation" else "")
            for e in AuditEvent.objects.filter(store_id=store.pk)
        ),
        "webhooks": counted(
            (
                d.event_type,
                key(d.payload["conversation"]["id"]),
                (d.payload.get("message") or {}).get("body_text"),
                json.dumps(
                    {k: v for k, v in d.payload["conversation"].items() if k not in ("id", "customer_id")},
                    sort_keys=True,
                ),
            )
            for d in WebhookDelivery.objects.filter(endpoint__store=store)
        ),  # fmt: skip
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conversation_id, subject, people, extra, body FROM search_document WHERE store_id = %s", [store.pk]
        )
        data["search"] = {key(row[0]): list(row[1:]) for row in cursor.fetchall()}
    # Subject tags carry the store's conversation ids and signatures: the one thing that differs.
    text = json.dumps(data, sort_keys=True, default=str)
    text = re.sub(r"outbound message #\d+", "outbound message #id", text)
    return json.loads(re.sub(r"\[#\d+-[a-z2-7]{6}\]", "[#tag]", text))


@pytest.fixture
def two_stores():
    with time_machine.travel(NOW, tick=False):
        yield world("one"), world("two")


def test_it_writes_what_the_single_path_writes(two_stores, monkeypatch):
    (one, *convs_one), (two, *convs_two) = two_stores
    written: list[int] = []
    real = batch.bulk_receive.do_receive_batch

    def spy(store, items):
        written.append(len(items))
        return real(store, items)

    monkeypatch.setattr(batch.bulk_receive, "do_receive_batch", spy)
    with time_machine.travel(NOW, tick=False):
        one_by_one(one, mails(one, *convs_one))
        results = batch.do_ingest(two, mails(two, *convs_two), "import")

    expected, got = snapshot(one), snapshot(two)
    for part in expected:
        assert got[part] == expected[part], part
    assert batch.summarize(results) == {"received": 25, "created": 20, "duplicates": 1, "failed": 1, "ignored": 3}
    threaded = Counter(m.metadata.get("threaded_by") for m in Message.objects.filter(store=two, direction="inbound"))
    assert threaded == {"headers": 3, "token": 2, "subject": 3, "new": 12, None: 3}
    acks = Message.objects.filter(store=two, author_kind="system", metadata__auto_ack=True)
    assert acks.count() == 11  # one per new conversation, not twice to one customer (Sam, Carla)
    # In bulk, in runs: an email that depends on one of the run waits for the next run (with
    # its customer's later emails); the reopen, the reply after the reopen window and the
    # bounce went through the single path.
    assert written == [11, 2, 3, 1, 1]


def test_it_gives_the_same_result_in_small_batches(two_stores):
    (one, *convs_one), (two, *convs_two) = two_stores
    with time_machine.travel(NOW, tick=False):
        one_by_one(one, mails(one, *convs_one))
        raws = mails(two, *convs_two)
        for start in range(0, len(raws), 4):
            batch.do_ingest(two, raws[start : start + 4], "import")

    assert snapshot(two) == snapshot(one)


def test_it_counts_everything_as_a_duplicate_the_second_time(two_stores):
    _, (two, *convs) = two_stores
    with time_machine.travel(NOW, tick=False):
        raws = mails(two, *convs)
        batch.do_ingest(two, raws, "import")
        before = snapshot(two)

        again = batch.summarize(batch.do_ingest(two, raws, "import"))

    assert again == {"received": 25, "created": 0, "duplicates": 25, "failed": 0, "ignored": 0}
    assert snapshot(two) == before


def test_it_processes_one_by_one_when_the_bulk_write_fails(two_stores, monkeypatch):
    """A failure inside the bulk writer rolls the batch's processing back; every email is then
    processed alone, so nothing is lost and the result is the single path's."""
    (one, *convs_one), (two, *convs_two) = two_stores

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(batch.bulk_receive, "do_receive_batch", boom)
    with time_machine.travel(NOW, tick=False):
        one_by_one(one, mails(one, *convs_one))
        batch.do_ingest(two, mails(two, *convs_two), "import")

    assert snapshot(two) == snapshot(one)


def test_it_fails_only_the_email_whose_processing_raises(two_stores, monkeypatch):
    _, (two, *convs) = two_stores
    real = actions._body

    def body(parsed, sender):
        if parsed.message_id == "s1@mail.test":
            raise ValueError("bad quote")
        return real(parsed, sender)

    monkeypatch.setattr(actions, "_body", body)
    with time_machine.travel(NOW, tick=False):
        results = batch.do_ingest(two, mails(two, *convs), "import")

    failed = [row for row, _ in results if row.status == "failed"]
    assert sorted(row.error for row in failed) == [
        "Could not process this email: ValueError: bad quote",
        "The email has no sender address (From or Reply-To): nobody could be answered.",
    ]
    assert batch.summarize(results)["created"] == 19
    assert not Message.objects.filter(store=two, external_id="s1@mail.test").exists()
    assert Message.objects.filter(store=two, external_id="s2@mail.test").get().metadata["threaded_by"] == "new"


def test_it_stores_the_raw_bytes_of_every_email(two_stores):
    _, (two, *convs) = two_stores
    raws = mails(two, *convs)
    with time_machine.travel(NOW, tick=False):
        batch.do_ingest(two, raws, "import")

    stored = [bytes(raw) for raw in InboundEmail.objects.filter(store=two).order_by("pk").values_list("raw", flat=True)]
    assert stored == raws[:6] + raws[7:]  # the repeat of the first email is the first row
    assert Attachment.objects.filter(message__store=two).count() > 0


def test_it_writes_what_the_single_path_writes_for_every_shared_email(shared_dir):
    """The 87 third-party emails of ../shared/data/emails (every client, charset and oddity),
    in batches of 20, against one at a time."""
    raws = [path.read_bytes() for path in sorted((shared_dir / "data" / "emails").rglob("*")) if path.is_file()]
    with time_machine.travel(NOW, tick=False):
        one, two = world("one")[0], world("two")[0]
        one_by_one(one, raws)
        results = []
        for start in range(0, len(raws), 20):
            results += batch.do_ingest(two, raws[start : start + 20], "import")

    assert len(results) == 87
    assert InboundEmail.objects.filter(store=two, status="received").count() == 0
    assert snapshot(two) == snapshot(one)
