"""What a visitor asks for from the widget besides chatting: the transcript by email (only to
the verified or collected address, as a job through the outbound email path), a callback in a
preferred slot, and the opening hours and expected wait shown before they write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from channels.db import database_sync_to_async
from django.core import mail

from storedesk.automation.models import CallbackSource, CallbackTask
from storedesk.channels.livechat.actions import TRANSCRIPT_EVERY
from storedesk.channels.livechat.identity import read_token, sign_identity
from storedesk.channels.livechat.models import Visitor
from storedesk.conversations.actions import do_add_note, do_reply
from storedesk.conversations.models import Conversation, Message
from tests.automation.factories import BusinessHoursFactory
from tests.channels.livechat.test_consumer import CID_1, hello, widget
from tests.core.test_realtime import unbind_server_loop  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def chatting(acme, ana, **hello_fields):
    socket = await widget()
    token = (await hello(socket, **hello_fields))["token"]
    await socket.send_json_to({"type": "message", "cid": CID_1, "text": "Is it waterproof?"})
    await socket.receive_json_from(timeout=5)
    conversation = await database_sync_to_async(Conversation.objects.get)(store=acme)
    await database_sync_to_async(do_reply)(ana, conversation, body_text="Yes, Gore-Tex.")
    await database_sync_to_async(do_add_note)(ana, conversation, body_text="upsell socks")
    await socket.receive_json_from(timeout=5)  # the reply
    return socket, token, conversation


def notes_of(conversation) -> list[str]:
    return list(
        Message.objects.filter(conversation=conversation, author_kind=Message.AuthorKind.SYSTEM).values_list(
            "body_text", flat=True
        )
    )


async def test_it_emails_a_verified_shopper_the_transcript_without_notes(acme, ana, carla, ana_online):
    identity = {"email": "carla@mail.test", "signature": sign_identity(acme.signing_secret, "", "carla@mail.test")}
    socket, token, conversation = await chatting(acme, ana, identity=identity)

    await socket.send_json_to({"type": "transcript", "email": "someone.else@mail.test"})  # ignored: verified
    answer = await socket.receive_json_from(timeout=5)

    assert answer == {"type": "transcript", "email": "carla@mail.test"}
    assert [(m.to, m.subject) for m in mail.outbox] == [(["carla@mail.test"], "Your chat with Acme Outfitters")]
    body = mail.outbox[0].body
    assert "You:\nIs it waterproof?" in body and "Ana:\nYes, Gore-Tex." in body
    assert "upsell socks" not in body
    assert await database_sync_to_async(notes_of)(conversation) == [
        "The visitor asked for the chat transcript; it was emailed to carla@mail.test."
    ]
    await socket.disconnect()


async def test_it_collects_an_address_once_and_never_retargets_the_transcript(acme, ana, ana_online):
    socket, token, conversation = await chatting(acme, ana)

    await socket.send_json_to({"type": "transcript"})
    needed = await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "transcript", "email": "dora@mail.test"})
    sent = await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "transcript", "email": "victim@mail.test"})
    too_soon = await socket.receive_json_from(timeout=5)

    assert needed == {"type": "error", "error": "email_needed", "for": "transcript"}
    assert sent == {"type": "transcript", "email": "dora@mail.test"}
    assert too_soon == {"type": "error", "error": "too_soon", "for": "transcript"}
    assert [m.to for m in mail.outbox] == [["dora@mail.test"]]
    with time_machine.travel(datetime.now(UTC) + TRANSCRIPT_EVERY + timedelta(seconds=1)):
        await socket.send_json_to({"type": "transcript", "email": "victim@mail.test"})
        later = await socket.receive_json_from(timeout=5)
    assert later == {"type": "transcript", "email": "dora@mail.test"}  # the collected address, not the new one
    assert [m.to for m in mail.outbox] == [["dora@mail.test"], ["dora@mail.test"]]
    visitor = await database_sync_to_async(Visitor.objects.get)(pk=read_token(token, acme.pk))
    assert visitor.email == "dora@mail.test"
    await socket.disconnect()


async def test_it_sends_no_transcript_before_there_is_a_chat(acme, ana_online):
    socket = await widget()
    await hello(socket)

    await socket.send_json_to({"type": "transcript", "email": "dora@mail.test"})

    assert await socket.receive_json_from(timeout=5) == {
        "type": "error",
        "error": "no_conversation",
        "for": "transcript",
    }
    assert mail.outbox == []
    await socket.disconnect()


async def test_it_queues_a_callback_in_the_visitors_preferred_slot_tied_to_their_chat(acme, ana, ana_online):
    socket, token, conversation = await chatting(acme, ana)
    start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    slot = [start.isoformat(), (start + timedelta(hours=3)).isoformat()]

    await socket.send_json_to({"type": "callback", "phone": "+44 7700 900123", "name": "Dora", "slot": slot})
    answer = await socket.receive_json_from(timeout=5)

    task = await database_sync_to_async(CallbackTask.objects.select_related("customer").get)(store=acme)
    assert answer == {"type": "callback", "at": task.due_at.isoformat()}
    assert (task.source, task.phone, task.name, task.conversation_id, task.due_at) == (
        CallbackSource.WIDGET,
        "+447700900123",
        "Dora",
        conversation.pk,
        start,
    )
    assert task.customer_id == conversation.customer_id
    assert task.preferred_slots == [slot]
    await socket.disconnect()


async def test_it_refuses_a_callback_without_a_phone_number(acme, ana_online):
    socket = await widget()
    await hello(socket)

    await socket.send_json_to({"type": "callback", "phone": "call me", "slot": ["2026-13-01T09:00:00+00:00", "later"]})

    assert await socket.receive_json_from(timeout=5) == {"type": "error", "error": "invalid_phone", "for": "callback"}
    assert await database_sync_to_async(CallbackTask.objects.count)() == 0
    await socket.disconnect()


async def test_it_shows_the_opening_hours_and_when_a_closed_store_opens_again(acme, ana_online):
    await database_sync_to_async(BusinessHoursFactory)(store=acme)  # Mon–Fri 09:00–17:00 London
    with time_machine.travel(datetime(2026, 11, 21, 12, 0, tzinfo=UTC), tick=False):  # a Saturday
        socket = await widget()
        welcome = await hello(socket)
        await socket.disconnect()

    weekday = [["09:00", "17:00"]]
    assert welcome["hours"] == {
        "timezone": "Europe/London",
        "week": {"mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday},
    }
    assert (welcome["wait"]["open_now"], welcome["wait"]["next_open_at"]) == (False, "2026-11-23T09:00:00+00:00")


async def test_it_shows_no_hours_for_a_store_that_is_always_open(acme, ana_online):
    socket = await widget()
    welcome = await hello(socket)

    assert (welcome["hours"], welcome["wait"]["open_now"]) == (None, True)
    await socket.disconnect()
