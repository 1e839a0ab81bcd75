"""/email/unanswered/: open conversations whose customer has waited more than X hours."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def waiting(store, hours: float, *, answered_after: bool = False, status: str = "open", **fields):
    asked = timezone.now() - timedelta(hours=hours)
    answered = asked + timedelta(minutes=5) if answered_after else None
    return ConversationFactory(
        store=store, status=status, last_customer_message_at=asked, last_agent_message_at=answered, **fields
    )


def test_it_lists_open_conversations_waiting_longer_than_the_hours_longest_first(client, ana, acme):
    day = waiting(acme, 30)
    week = waiting(acme, 170)
    waiting(acme, 2)  # not long enough
    waiting(acme, 50, answered_after=True)  # answered
    waiting(acme, 50, status="pending")  # waiting on the customer
    earlier_answer = waiting(acme, 40)
    earlier_answer.last_agent_message_at = earlier_answer.last_customer_message_at - timedelta(hours=1)
    earlier_answer.save()
    client.force_login(ana)

    response = client.get("/email/unanswered/")

    assert response.status_code == 200
    assert response.context["hours"] == 24
    assert [c.pk for c in response.context["rows"]] == [week.pk, earlier_answer.pk, day.pk]


def test_it_takes_the_hours_from_the_query_string(client, ana, acme):
    waiting(acme, 30)
    recent = waiting(acme, 5)
    client.force_login(ana)

    assert len(client.get("/email/unanswered/?hours=48").context["rows"]) == 0
    assert [c.pk for c in client.get("/email/unanswered/?hours=4").context["rows"]][-1] == recent.pk
    assert client.get("/email/unanswered/?hours=nope").context["hours"] == 24


def test_it_never_shows_another_stores_conversations(client, gus, acme):
    waiting(acme, 30)
    client.force_login(gus)

    assert client.get("/email/unanswered/").context["rows"] == []


def test_it_lists_with_a_constant_number_of_queries(client, ana, acme):
    client.force_login(ana)
    waiting(acme, 30)
    with CaptureQueriesContext(connection) as few:
        client.get("/email/unanswered/")
    for n in range(5):
        waiting(acme, 30 + n)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/email/unanswered/")

    assert len(response.context["rows"]) == 6
    assert len(many) == len(few)
