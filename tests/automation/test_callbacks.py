"""Specs for phone calls and the callback queue: the signed voice webhook (stored before it is
processed, replays ignored), calls on the customer's timeline, missed calls queued for a
callback, customers asking for one with preferred slots, the estimated callback time, outcome
logging with retries, and the agents' queue page scoped to their stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from storedesk.automation.actions.callbacks import (
    MAX_ATTEMPTS,
    do_log_callback_outcome,
    do_request_callback,
    estimated_callback_at,
)
from storedesk.automation.models import CallbackTask, VoiceEvent
from storedesk.channels.phone.signature import sign
from storedesk.conversations.models import Conversation, Message
from storedesk.core.errors import ActionError
from tests.automation.factories import AgentProfileFactory, BusinessHoursFactory
from tests.factories import CustomerFactory

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday, 12:00 in London
SECRET = "voice-secret"  # noqa: S105 - test data
URL = "http://testserver/api/v1/voice/acme/events"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def voice(acme):
    acme.settings = {**acme.settings, "voice": {"secret": SECRET}}
    acme.save()
    return acme


def post_event(client, params: dict[str, str], *, secret: str = SECRET):
    return client.post(
        reverse("voice_events", args=["acme"]), params, HTTP_X_TWILIO_SIGNATURE=sign(secret, URL, params)
    )


MISSED = {"CallSid": "CA1", "From": "+44 7700 900123", "To": "+44 20 7946 0000", "CallStatus": "no-answer",
          "Direction": "inbound", "CallDuration": "0"}  # fmt: skip


def test_it_signs_like_twilio():
    # Twilio's documented example (auth token 12345; TwilioDevEd/api-snippets signature_validation).
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675310", "Digits": "1234", "From": "+14158675310",
              "To": "+18005551212"}  # fmt: skip
    assert sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params) == "GvWf1cFY/Q7PnoempGyD5oXAezc="


def test_it_rejects_an_unsigned_or_wrongly_signed_event_and_stores_nothing(client, voice):
    assert post_event(client, MISSED, secret="wrong").status_code == 403
    assert client.post(reverse("voice_events", args=["acme"]), MISSED).status_code == 403
    assert VoiceEvent.objects.count() == 0 and CallbackTask.objects.count() == 0


def test_it_rejects_events_for_a_store_without_a_voice_secret(client, acme):
    assert post_event(client, MISSED).status_code == 403
    assert VoiceEvent.objects.count() == 0


def test_it_turns_a_missed_call_into_a_timeline_message_and_a_callback_once(client, voice):
    response = post_event(client, MISSED)
    again = post_event(client, MISSED)

    task = CallbackTask.objects.get()
    assert response.json() == {"ok": True, "duplicate": False, "callback_id": task.pk}
    assert again.json() == {"ok": True, "duplicate": True, "callback_id": None}
    assert (task.phone, task.source, task.status, task.reason) == (
        "+447700900123",
        "missed_call",
        "queued",
        "Missed call",
    )
    conversation = Conversation.objects.get()
    assert (conversation.channel, conversation.customer_id, task.conversation_id) == (
        "phone",
        task.customer_id,
        conversation.pk,
    )
    message = Message.objects.get()
    assert message.body_text == "Missed call from +44 7700 900123"
    assert message.metadata["call"] == {
        "sid": "CA1", "direction": "inbound", "status": "no-answer", "duration_s": 0, "recording_url": "",
        "from": "+44 7700 900123", "to": "+44 20 7946 0000",
    }  # fmt: skip
    assert VoiceEvent.objects.get().processed_at == NOW


def test_it_puts_a_completed_call_with_its_recording_on_the_customers_open_phone_conversation(client, voice):
    post_event(client, MISSED)
    answered = {**MISSED, "CallSid": "CA2", "CallStatus": "completed", "CallDuration": "185",
                "RecordingUrl": "https://api.example.test/rec/RE1"}  # fmt: skip
    post_event(client, answered)
    post_event(client, {**answered, "CallSid": "CA3", "CallStatus": "ringing"})

    conversation = Conversation.objects.get()
    texts = list(Message.objects.filter(conversation=conversation).order_by("id").values_list("body_text", flat=True))
    assert texts == ["Missed call from +44 7700 900123", "Phone call, 3:05"]
    call = Message.objects.order_by("id").last().metadata["call"]
    assert (call["duration_s"], call["recording_url"]) == (185, "https://api.example.test/rec/RE1")
    assert CallbackTask.objects.count() == 1  # the completed call queues nothing


def test_it_offers_the_estimated_callback_time_from_the_expected_wait(acme, ana):
    BusinessHoursFactory(store=acme)  # weekdays 09-17 London
    AgentProfileFactory(store=acme, user=ana, status="online")
    estimate = estimated_callback_at(acme)
    assert NOW <= estimate <= NOW + timedelta(hours=1)  # an agent online, nobody queued
    # a preferred slot later today moves it to the slot's start
    slot = (NOW + timedelta(hours=3), NOW + timedelta(hours=4))
    assert estimated_callback_at(acme, [slot]) == slot[0]


def test_it_offers_the_next_opening_when_closed(acme):
    BusinessHoursFactory(store=acme)
    with time_machine.travel(datetime(2026, 11, 21, 12, 0, tzinfo=UTC), tick=False):  # Saturday
        assert estimated_callback_at(acme) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_it_takes_a_callback_request_with_preferred_slots_from_the_public_api(client, acme):
    slots = [["2026-11-18T15:00:00+00:00", "2026-11-18T16:00:00+00:00"]]
    body = {"phone": "+44 7700 900555", "name": "Carla", "reason": "Order 1042", "slots": slots}
    response = client.post("/api/v1/public/acme/callbacks", body, content_type="application/json")

    task = CallbackTask.objects.get()
    assert response.status_code == 201
    assert response.json() == {"id": task.pk, "status": "queued", "estimated_callback_at": "2026-11-18T15:00:00Z"}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert (task.source, task.name, task.preferred_slots) == ("widget", "Carla", slots)
    # asking again for the same number updates the queued callback
    client.post("/api/v1/public/acme/callbacks", {**body, "slots": []}, content_type="application/json")
    assert CallbackTask.objects.count() == 1
    assert client.post("/api/v1/public/nope/callbacks", body, content_type="application/json").status_code == 404


def test_it_refuses_a_request_without_a_phone_number(acme):
    with pytest.raises(ActionError):
        do_request_callback(acme, phone="12", source="widget")
    assert CallbackTask.objects.count() == 0


def test_it_logs_attempts_retries_and_finishes_after_the_last_one(acme, ana, carla):
    conversation = Conversation.objects.create(store=acme, customer=carla, channel="phone")
    task = do_request_callback(acme, phone="+44 7700 900777", source="agent", actor=ana, conversation=conversation)
    retry = NOW + timedelta(hours=2)

    task = do_log_callback_outcome(ana, task, "voicemail", notes="Left details", retry_at=retry)
    assert (task.status, task.attempts, task.due_at, task.outcome) == ("queued", 1, retry, "voicemail")
    task = do_log_callback_outcome(ana, task, "no_answer")
    assert (task.status, task.due_at) == ("queued", NOW + timedelta(minutes=30))
    task = do_log_callback_outcome(ana, task, "no_answer")
    assert (task.status, task.attempts, task.completed_at) == ("done", MAX_ATTEMPTS, NOW)
    assert [entry["outcome"] for entry in task.log] == ["voicemail", "no_answer", "no_answer"]
    notes = list(Message.objects.filter(conversation=conversation).values_list("body_text", flat=True))
    assert notes[0] == "Callback to +447700900777: Left a voicemail. Retry at 2026-11-18 14:00 UTC.\nLeft details"
    with pytest.raises(ActionError):
        do_log_callback_outcome(ana, task, "reached")


def test_it_lists_the_queue_soonest_first_for_the_agents_stores_only(client, acme, globex, ana, gus):
    later = do_request_callback(acme, phone="+44 7700 900001", source="widget", name="<b>Later</b>",
                                slots=[(NOW + timedelta(hours=5), NOW + timedelta(hours=6))])  # fmt: skip
    sooner = do_request_callback(acme, phone="+44 7700 900002", source="ivr")
    elsewhere = do_request_callback(globex, phone="+44 7700 900003", source="widget")
    client.force_login(ana)

    response = client.get(reverse("callbacks"))

    html = response.content.decode()
    assert [row.pk for row in response.context["rows"]] == [sooner.pk, later.pk]
    assert "&lt;b&gt;Later&lt;/b&gt;" in html and "<b>Later</b>" not in html
    assert 'data-testid="topbar-callbacks"' in html
    # gus (globex) cannot log an outcome on acme's callback
    client.force_login(gus)
    assert client.post(reverse("callback_outcome", args=[sooner.pk]), {"outcome": "reached"}).status_code == 404
    assert [row.pk for row in client.get(reverse("callbacks")).context["rows"]] == [elsewhere.pk]
    client.force_login(ana)
    client.post(reverse("callback_outcome", args=[sooner.pk]), {"outcome": "reached", "notes": "Sorted"})
    assert CallbackTask.objects.get(pk=sooner.pk).status == "done"


def test_it_reads_the_queue_in_one_query(acme, ana, django_assert_num_queries):
    from storedesk.automation.queries import callback_queue

    for n in range(12):
        do_request_callback(acme, phone=f"+44 7700 90{n:04d}", source="widget", customer=CustomerFactory(store=acme))
    with django_assert_num_queries(1):
        rows = callback_queue([acme.pk])
        names = [(row.customer.name, row.store.name) for row in rows]
    assert len(names) == 12
