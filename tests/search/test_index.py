"""The index follows every write the actions make, inside their transaction; rebuild_index
produces exactly what the incremental updates did."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from storedesk.conversations import actions
from storedesk.conversations.models import Conversation
from storedesk.search.index import index_conversation, rebuild_index, remove_conversation
from storedesk.search.models import SearchDocument
from tests.factories import ConversationFactory, CustomerFactory, MessageFactory
from tests.search.conftest import found, fts_integrity_check


def documents() -> dict[int, tuple[int, str, str, str, str]]:
    return {
        row["conversation_id"]: (row["store_id"], row["subject"], row["people"], row["extra"], row["body"])
        for row in SearchDocument.objects.values()
    }


@pytest.fixture
def history(acme, globex, ana, leo, carla, converse):
    """A bit of everything the actions do, in both stores."""
    first = converse(acme, carla, "My lamp arrived broken", subject="Broken lamp")
    actions.do_reply(ana, first, body_text="Sorry! A replacement is on its way.")
    actions.do_add_note(ana, first, body_text="Courier dropped it, claim filed")
    second = converse(acme, carla, "Also the shade is the wrong colour")
    actions.do_merge_conversations(ana, second, first)
    pat = actions.do_create_customer(acme, name="Pat Smith", identities=[("phone", "+44 7700 900123")])
    third = converse(acme, pat, "Refund for order 1001 please", channel="sms")
    actions.do_set_subject(ana, third, "Refund 1001")
    actions.do_add_identity(ana, pat, "email", "pat@example.test")
    actions.do_update_customer(ana, pat, name="Patricia Smith")
    dup = actions.do_create_customer(acme, name="P. Smith", identities=[("email", "psmith@example.test")])
    converse(acme, dup, "Where is my refund?")
    actions.do_merge_customers(leo, dup, pat)
    gina = CustomerFactory(store=globex, name="Gina Globex")
    converse(globex, gina, "Kettle leaks", subject="Kettle")
    return {"first": first, "second": second, "third": third, "pat": pat}


def test_it_indexes_a_new_conversation_with_its_subject_customer_and_message(acme, ana, carla, converse):
    conversation = converse(acme, carla, "The lamp arrived broken", subject="Broken lamp")

    assert documents() == {
        conversation.pk: (
            acme.pk,
            "Broken lamp",
            "Carla Customer\ncarla@mail.test",
            "carla mail.test carla mail test",
            "The lamp arrived broken",
        )
    }
    fts_integrity_check()


def test_it_indexes_replies_and_notes(acme, ana, carla, converse):
    conversation = converse(acme, carla, "The lamp arrived broken")

    actions.do_reply(ana, conversation, body_text="A replacement is on its way")
    actions.do_add_note(ana, conversation, body_text="Courier claim filed")

    assert found(ana, "replacement") == [conversation.pk]
    assert found(ana, "courier claim") == [conversation.pk]
    assert documents()[conversation.pk][4] == (
        "The lamp arrived broken\nA replacement is on its way\nCourier claim filed"
    )
    fts_integrity_check()


def test_it_indexes_an_inbound_message_on_an_existing_conversation(acme, ana, carla, converse):
    conversation = converse(acme, carla, "The lamp arrived broken")

    actions.do_receive_message(conversation, body_text="Any news about the voucher?")

    assert found(ana, "voucher") == [conversation.pk]


def test_it_indexes_a_conversation_whose_first_message_is_only_an_attachment(acme, ana, carla):
    conversation = actions.do_create_conversation(
        store=acme,
        customer=carla,
        channel="email",
        subject="Photo of the damage",
        attachments=[actions.NewAttachment(filename="damage.jpg", content=b"\xff\xd8", content_type="image/jpeg")],
    )

    assert found(ana, "damage") == [conversation.pk]
    assert documents()[conversation.pk][4] == ""


def test_it_follows_a_subject_change(acme, ana, carla, converse):
    conversation = converse(acme, carla, "Hello", subject="Lamp question")

    actions.do_set_subject(ana, conversation, "Shade question")

    assert found(ana, "lamp") == []
    assert found(ana, "shade") == [conversation.pk]
    fts_integrity_check()


def test_it_follows_a_customer_rename_on_all_their_conversations(acme, ana, carla, converse):
    one = converse(acme, carla, "Hello")
    two = converse(acme, carla, "Hello again")

    actions.do_update_customer(ana, carla, name="Carla Jones")

    assert sorted(found(ana, "jones")) == sorted([one.pk, two.pk])
    assert found(ana, "customer") == []
    fts_integrity_check()


def test_it_follows_a_new_identity(acme, ana, carla, converse):
    conversation = converse(acme, carla, "Hello")

    actions.do_add_identity(ana, carla, "phone", "+1 (415) 555-0100")

    assert found(ana, "(415) 555-0100") == [conversation.pk]
    assert found(ana, "+14155550100") == [conversation.pk]


def test_it_follows_a_customer_merge(acme, ana, leo, carla, converse):
    kept = converse(acme, carla, "Hello")
    dup = actions.do_create_customer(acme, name="", identities=[("email", "carla.work@mail.test")])
    moved = converse(acme, dup, "Hello from work")

    actions.do_merge_customers(leo, dup, carla)

    assert sorted(found(ana, "carla.work@mail.test")) == sorted([kept.pk, moved.pk])
    assert sorted(found(ana, "carla customer")) == sorted([kept.pk, moved.pk])
    fts_integrity_check()


def test_it_follows_a_conversation_merge(acme, ana, carla, converse):
    source = converse(acme, carla, "The lamp flickers")
    target = converse(acme, carla, "Refund for the lamp")

    actions.do_merge_conversations(ana, source, target)

    assert list(documents()) == [target.pk]
    assert documents()[target.pk][4] == "The lamp flickers\nRefund for the lamp"
    fts_integrity_check()


def test_it_leaves_the_index_alone_when_the_write_rolls_back(acme, ana, carla, converse):
    conversation = converse(acme, carla, "The lamp arrived broken")
    before = documents()

    with pytest.raises(RuntimeError), transaction.atomic():
        actions.do_reply(ana, conversation, body_text="A replacement is on its way")
        raise RuntimeError("the request failed later on")

    assert documents() == before
    assert found(ana, "replacement") == []
    fts_integrity_check()


def test_it_drops_the_document_of_a_deleted_conversation(acme, ana, carla, converse):
    conversation = converse(acme, carla, "The lamp arrived broken")

    Conversation.objects.filter(pk=conversation.pk).delete()

    assert documents() == {}
    fts_integrity_check()


def test_it_rebuilds_exactly_what_the_actions_indexed(history):
    incremental = documents()
    SearchDocument.objects.all().delete()

    written = rebuild_index(batch_size=2)

    assert written == len(incremental) == 4
    assert documents() == incremental
    fts_integrity_check()


def test_it_writes_nothing_when_rebuilding_an_index_that_is_up_to_date(history):
    assert rebuild_index() == 0
    fts_integrity_check()


def test_it_rebuilds_only_the_stores_asked_for(history, acme, globex):
    SearchDocument.objects.all().delete()

    written = rebuild_index(store_ids=[globex.pk])

    assert written == 1
    assert [store_id for store_id, *_ in documents().values()] == [globex.pk]
    assert rebuild_index(store_ids=[]) == 0


def test_it_repairs_stale_documents_on_rebuild(history, acme, ana, carla):
    merged_away = history["second"]
    SearchDocument.objects.create(conversation=merged_away, store_id=acme.pk, body="stale")
    missing = ConversationFactory(store=acme, customer=carla, subject="Made behind the actions' back")
    MessageFactory(conversation=missing, body_text="bulk loaded text")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE search_document SET body = 'drifted' WHERE conversation_id = %s", [history["third"].pk])

    written = rebuild_index()

    assert written == 2
    assert merged_away.pk not in documents()
    assert found(ana, "bulk loaded") == [missing.pk]
    assert found(ana, "drifted") == []
    fts_integrity_check()


def test_it_indexes_and_removes_single_conversations_on_request(acme, ana, carla):
    conversation = ConversationFactory(store=acme, customer=carla, subject="Loaded in bulk")

    index_conversation(conversation)
    assert found(ana, "bulk") == [conversation.pk]

    remove_conversation(conversation.pk)
    assert found(ana, "bulk") == []
    fts_integrity_check()


def test_it_refuses_a_batch_size_below_one(db):
    with pytest.raises(ValueError, match="batch_size"):
        rebuild_index(batch_size=0)


def test_it_rebuilds_from_the_command_line(history, globex, capsys):
    SearchDocument.objects.all().delete()

    call_command("reindex", "--store", "globex", "--batch-size", "10")
    call_command("reindex")

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Search index rebuilt for 1 store(s): 1 document(s) written in ")
    assert out[1].startswith("Search index rebuilt for all stores: 3 document(s) written in ")
    assert len(documents()) == 4


def test_it_names_an_unknown_store_on_the_command_line(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No store 'nope'"):
        call_command("reindex", "--store", "nope")
