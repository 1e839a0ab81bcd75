"""`conversations.bulk_receive`: the bulk writer refuses what it cannot write like the single
actions (and writes nothing then); its row helpers save what they are given. Its rows are
compared with the single actions' in tests/channels/email/test_batch.py."""

from __future__ import annotations

import pytest

from storedesk.conversations import bulk_receive
from storedesk.conversations.models import Conversation, Customer, Message
from tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def item(customer, conversation=None, text="Hello", external_id=None):
    return bulk_receive.NewInbound(
        customer=customer, channel="email", conversation=conversation, subject="Hi", body_text=text,
        external_id=external_id,
    )  # fmt: skip


@pytest.mark.parametrize(
    "case",
    ["conversation twice", "resolved", "other customer", "external id twice", "empty"],
)
def test_it_refuses_a_batch_it_cannot_write_and_writes_nothing(acme, case):
    carla, dan = CustomerFactory(store=acme), CustomerFactory(store=acme)
    open_conversation = ConversationFactory(store=acme, customer=carla)
    resolved = ConversationFactory(store=acme, customer=carla, status="resolved")
    items = {
        "conversation twice": [item(carla, open_conversation), item(carla, open_conversation)],
        "resolved": [item(carla), item(carla, resolved)],
        "other customer": [item(dan, open_conversation)],
        "external id twice": [item(carla, external_id="a"), item(dan, external_id="a")],
        "empty": [item(carla, text="")],
    }[case]

    with pytest.raises(bulk_receive.BatchConflict):
        bulk_receive.do_receive_batch(acme, items)

    assert Message.objects.count() == 0
    assert Conversation.objects.count() == 2


def test_it_writes_new_conversations_and_replies(acme):
    carla, dan = CustomerFactory(store=acme, name="Carla"), CustomerFactory(store=acme, name="Dan")
    existing = ConversationFactory(store=acme, customer=carla, message_count=1)

    messages = bulk_receive.do_receive_batch(
        acme, [item(dan, text="New question", external_id="d1"), item(carla, existing, "Thanks", "c2")]
    )

    existing.refresh_from_db()
    new = Conversation.objects.get(customer=dan)
    assert [(m.conversation_id, m.body_text, m.external_id) for m in messages] == [
        (new.pk, "New question", "d1"),
        (existing.pk, "Thanks", "c2"),
    ]
    assert (new.subject, new.message_count, new.preview, new.status) == ("Hi", 1, "New question", "open")
    assert (existing.message_count, existing.preview) == (2, "Thanks")
    assert existing.last_customer_message_at == messages[1].created_at


def test_resolve_customers_creates_the_missing_ones_once(acme):
    known = CustomerFactory(store=acme, name="Known")
    known.identities.create(store=acme, kind="email", value="known@mail.test")

    found = bulk_receive.resolve_customers(
        acme, "email", [("known@mail.test", "X"), ("new@mail.test", "New One"), ("new@mail.test", "Other")]
    )

    assert found["known@mail.test"] == known
    assert found["new@mail.test"].name == "New One"
    assert Customer.objects.filter(store=acme).count() == 2


def test_row_helpers_insert_and_update(acme):
    customers = bulk_receive.insert_rows([Customer(store=acme, name="A"), Customer(store=acme, name="B")])
    customers[0].name, customers[1].vip = "A2", True

    bulk_receive.update_rows(customers, ["name", "vip"])

    rows = list(Customer.objects.filter(pk__in=[c.pk for c in customers]).order_by("pk").values_list("name", "vip"))
    assert rows == [("A2", False), ("B", True)]
