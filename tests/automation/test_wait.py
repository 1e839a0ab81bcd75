"""Specs for the expected wait: the estimate itself (pure), the inputs from a seeded backlog,
the public endpoint, and the promises recorded on conversations."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from storedesk.automation import reports
from storedesk.automation.models import WaitPromise
from storedesk.automation.wait import WaitInputs, estimate, load_inputs
from storedesk.conversations import actions as conv_actions
from storedesk.core.lib.business_hours import Schedule
from storedesk.core.lib.erlang_c import average_speed_of_answer
from tests.automation.factories import AgentProfileFactory, BusinessHoursFactory
from tests.factories import CustomerFactory

NOW = timezone.now().replace(second=0, microsecond=0)
M = timedelta(minutes=1)
H = timedelta(hours=1)
LONDON = ZoneInfo("Europe/London")
ALWAYS = Schedule.always_open()
NINE_TO_FIVE = Schedule.from_json(
    {"timezone": "Europe/London", "week": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}
)


@contextmanager
def at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        yield


def inputs(**values) -> WaitInputs:
    defaults = {
        "channel": "chat",
        "now": NOW,
        "schedule": ALWAYS,
        "backlog": 0,
        "arrivals_per_hour": 20,
        "aht_s": 360,
        "servers": 4,
    }
    return WaitInputs(**(defaults | values))


def coming_friday_at(hour: int) -> datetime:
    today = NOW.astimezone(LONDON).date()
    return datetime.combine(today + timedelta(days=(4 - today.weekday()) % 7 or 7), time(hour), LONDON)


# --- the estimate ------------------------------------------------------------------------------


def test_it_uses_erlang_c_when_nobody_is_waiting():
    result = estimate(inputs())  # 20 chats an hour × 6 min = 2 Erlangs on 4 servers
    assert average_speed_of_answer(4, 2.0, 360) == pytest.approx(31.30, abs=0.01)
    assert (result.method, result.expected_wait_s, result.reply_by) == ("erlang_c", 60, NOW + M)  # rounded up
    assert round(result.waiting_probability, 4) == 0.1739


def test_it_queues_a_newcomer_behind_the_customers_already_waiting():
    result = estimate(inputs(backlog=5, servers=3))
    assert (result.method, result.expected_wait_s) == ("queue", 720)  # 6 × 6 min / 3


def test_it_does_not_use_erlang_c_for_an_overloaded_queue():
    result = estimate(inputs(servers=1))  # 2 Erlangs on 1 server: unstable
    assert (result.method, result.expected_wait_s) == ("queue", 360)


def test_it_gives_no_live_estimate_when_closed_or_unstaffed():
    saturday = coming_friday_at(12) + timedelta(days=1)
    closed = estimate(inputs(now=saturday, schedule=NINE_TO_FIVE))
    monday_9 = datetime.combine(saturday.date() + timedelta(days=2), time(9), LONDON)
    assert (closed.method, closed.open_now, closed.expected_wait_s, closed.next_open_at) == (
        "closed",
        False,
        None,
        monday_9,
    )
    assert estimate(inputs(servers=0)).method == "no_agents"
    assert estimate(inputs(servers=0)).expected_wait_s is None


def test_it_lays_the_email_backlog_over_the_opening_hours():
    friday_4pm = coming_friday_at(16)
    result = estimate(
        inputs(channel="email", now=friday_4pm, schedule=NINE_TO_FIVE, backlog=9, replies_per_open_hour=5)
    )
    monday_10am = datetime.combine(friday_4pm.date() + timedelta(days=3), time(10), LONDON)
    assert result.method == "backlog"
    assert result.reply_by == monday_10am  # 10 emails at 5 an open hour: 2 open hours
    assert result.expected_wait_s == (monday_10am - friday_4pm).total_seconds()


def test_it_falls_back_to_the_online_agents_without_reply_history():
    result = estimate(inputs(channel="email", backlog=11, servers=2, aht_s=600))
    assert (result.expected_wait_s, result.reply_by) == (3600, NOW + H)  # 12 an hour, 12th in line


# --- from the database ----------------------------------------------------------------------------


def chat(store, when, answered_by=None):
    with at(when):
        conversation = conv_actions.do_create_conversation(
            store=store, customer=CustomerFactory(store=store), channel="chat", body_text="Hi?"
        )
    if answered_by is not None:
        with at(when + M):
            conv_actions.do_reply(answered_by, conversation, body_text="Hello!")
    return conversation


@pytest.fixture
def busy_acme(acme, ana, ben, leo):
    """Ana and Ben online (3 chats each), Leo away; 4 chats waiting and 2 answered this hour;
    one old chat from yesterday, also answered."""
    AgentProfileFactory(store=acme, user=ana)
    AgentProfileFactory(store=acme, user=ben)
    AgentProfileFactory(store=acme, user=leo, status="away")
    for minutes in (5, 10, 20, 30):
        chat(acme, NOW - minutes * M)
    for minutes in (40, 50):
        chat(acme, NOW - minutes * M, answered_by=ana)
    chat(acme, NOW - 30 * H, answered_by=ben)
    return acme


def test_it_reads_backlog_arrivals_and_agents_on_shift(busy_acme, django_assert_num_queries):
    with django_assert_num_queries(3):
        got = load_inputs(busy_acme, "chat", NOW, schedule=ALWAYS)
    assert (got.backlog, got.arrivals_per_hour, got.servers, got.aht_s) == (4, 6.0, 6, 360.0)
    assert estimate(got).expected_wait_s == 300  # 5 × 6 min / 6


def test_it_measures_email_replies_per_open_hour_over_the_past_week(acme, ana):
    BusinessHoursFactory(store=acme, week={d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri")})
    for days in (1, 2, 3):
        with at(NOW - days * 24 * H):
            conversation = conv_actions.do_create_conversation(
                store=acme, customer=CustomerFactory(store=acme), channel="email", body_text="Hello"
            )
            conv_actions.do_reply(ana, conversation, body_text="Hi")
    got = load_inputs(acme, "email", NOW)
    assert got.replies_per_open_hour == pytest.approx(3 / (5 * 24))  # 3 replies in 5 open days


def test_it_serves_the_public_estimate_without_login_and_with_cors(busy_acme, client):
    with at(NOW):
        response = client.get("/api/v1/public/acme/expected-wait")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=60"
    assert response.json() == {
        "store": "acme",
        "channels": {
            "email": {
                "open_now": True,
                "expected_wait_s": 300,  # nothing waiting, 2 agents at 10 min an email
                "reply_by": (NOW + 5 * M).isoformat().replace("+00:00", "Z"),
                "next_open_at": None,
                "method": "backlog",
            },
            "chat": {
                "open_now": True,
                "expected_wait_s": 300,
                "reply_by": (NOW + 5 * M).isoformat().replace("+00:00", "Z"),
                "next_open_at": None,
                "method": "queue",
            },
        },
    }


def test_it_caches_the_public_estimate_for_a_minute(busy_acme, client, django_assert_num_queries):
    with at(NOW):
        first = client.get("/api/v1/public/acme/expected-wait").json()
    chat(busy_acme, NOW)  # one more waiting
    with at(NOW + 30 * timedelta(seconds=1)), django_assert_num_queries(1):  # the store lookup only
        assert client.get("/api/v1/public/acme/expected-wait").json() == first
    with at(NOW + 61 * timedelta(seconds=1)):
        later = client.get("/api/v1/public/acme/expected-wait").json()
    assert later["channels"]["chat"]["expected_wait_s"] == 360  # 6 × 6 min / 6


def test_it_answers_404_for_an_unknown_store(client, db):
    response = client.get("/api/v1/public/nope/expected-wait")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_publishes_only_the_channels_the_store_chose(acme, client):
    acme.settings = {"expected_wait": {"channels": ["email"]}}
    acme.save()
    assert list(client.get("/api/v1/public/acme/expected-wait").json()["channels"]) == ["email"]


# --- promises --------------------------------------------------------------------------------------


def test_it_records_the_promise_and_what_happened(busy_acme, ana, django_capture_on_commit_callbacks):
    waiting = chat(busy_acme, NOW, answered_by=None)
    promise = WaitPromise.objects.get(conversation=waiting)
    assert (promise.channel, promise.promised_at, promise.promised_wait_s, promise.method) == (
        "chat",
        NOW,
        300,
        "queue",
    )
    with at(NOW + 4 * M):
        conv_actions.do_reply(ana, waiting, body_text="Hello!")
    with at(NOW + 10 * M):
        conv_actions.do_reply(ana, waiting, body_text="Anything else?")
    promise.refresh_from_db()
    assert (promise.answered_at, promise.actual_wait_s) == (NOW + 4 * M, 240)


def test_it_reports_promised_against_actual_waits(busy_acme, ana):
    kept, broken = chat(busy_acme, NOW), chat(busy_acme, NOW)
    with at(NOW + 2 * M):
        conv_actions.do_reply(ana, kept, body_text="Hello!")
    with at(NOW + 30 * M):
        conv_actions.do_reply(ana, broken, body_text="Sorry for the wait")
    rows = reports.promised_vs_actual([busy_acme.pk], NOW - M, NOW + H)
    assert [(r.channel, r.promised, r.answered, r.kept, r.kept_pct) for r in rows] == [("chat", 2, 2, 1, 50.0)]
    assert (rows[0].avg_promised_s, rows[0].avg_actual_s) == (300, 960)


def test_it_promises_nothing_for_a_closed_chat(acme, carla):
    BusinessHoursFactory(store=acme, week={})
    with at(NOW):
        conversation = conv_actions.do_create_conversation(store=acme, customer=carla, channel="chat", body_text="Hi")
    assert not WaitPromise.objects.filter(conversation=conversation).exists()
