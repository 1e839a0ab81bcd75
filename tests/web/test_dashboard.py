"""The agent home (dashboard): my open work, unassigned, oldest waiting, today's volume in
the store's timezone — capped counts in a fixed number of queries, scoped to the agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from storedesk.conversations import queries
from storedesk.conversations.models import Priority, Status
from tests.factories import ConversationFactory, CustomerFactory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


def test_it_shows_my_open_work_unassigned_oldest_waiting_and_todays_volume(client, acme, ana, ben, carla):
    acme.timezone = "Asia/Tokyo"  # 12:00 UTC is 21:00 there: the day began at 15:00 UTC yesterday
    acme.save()
    mine = ConversationFactory(
        store=acme,
        customer=carla,
        assignee=ana,
        subject="Broken zip",
        priority=Priority.HIGH,
        created_at=ago(hours=20),
        last_customer_message_at=ago(hours=2),
    )
    ConversationFactory(
        store=acme, customer=carla, assignee=ana, status=Status.RESOLVED, created_at=ago(hours=1)
    )  # not open work, but today's volume
    oldest = ConversationFactory(
        store=acme, customer=carla, subject="Refund?", created_at=ago(days=3), last_customer_message_at=ago(days=2)
    )
    ConversationFactory(store=acme, customer=carla, assignee=ben, created_at=ago(minutes=5))
    client.force_login(ana)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    board = response.context["board"]
    assert board.counts == {"mine": 1, "unassigned": 1, "open": 3, "today": 3}
    assert board.oldest_waiting.pk == oldest.pk
    assert [c.pk for c in board.my_work] == [mine.pk]
    html = response.content.decode()
    assert '<span class="stat-value">1</span><span class="stat-label">My open work</span>' in html
    assert '<span class="stat-value">3</span><span class="stat-label">New today</span>' in html
    assert f'Waiting longest:\n    <a href="/c/{oldest.pk}/">Refund?</a>' in html
    assert '<span class="stat-value">2d</span>' in html
    assert "Broken zip" in html
    assert 'href="/inbox/?view=mine"' in html


def test_it_shows_capped_counts_past_the_cap(client, acme, ana, carla, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    ConversationFactory.create_batch(4, store=acme, customer=carla, created_at=ago(minutes=1))
    client.force_login(ana)

    response = client.get(reverse("home"))

    assert response.context["board"].counts == {"mine": 0, "unassigned": 3, "open": 3, "today": 3}
    html = response.content.decode()
    assert '<span class="stat-value">2+</span><span class="stat-label">Unassigned</span>' in html
    assert '<span class="stat-value">2+</span><span class="stat-label">New today</span>' in html


def test_it_counts_only_the_agents_stores(client, acme, globex, gus, carla):
    ConversationFactory.create_batch(3, store=acme, customer=carla, subject="Acme business")
    gina = CustomerFactory(store=globex, name="Gina Globex")
    globex_one = ConversationFactory(store=globex, customer=gina, subject="Globex business")
    client.force_login(gus)

    response = client.get(reverse("home"))

    board = response.context["board"]
    assert board.counts == {"mine": 0, "unassigned": 1, "open": 1, "today": 1}
    assert board.oldest_waiting.pk == globex_one.pk
    assert [c.pk for c in board.recent] == [globex_one.pk]
    assert "Acme business" not in response.content.decode()


@pytest.mark.parametrize("count", [10, 200])
def test_it_renders_the_dashboard_in_a_constant_number_of_queries(
    client, acme, ana, ben, count, django_assert_num_queries
):
    for n in range(count):
        ConversationFactory(
            store=acme,
            customer=CustomerFactory(store=acme),
            assignee=[None, ana, ben][n % 3],
            created_at=ago(minutes=n),
            last_customer_message_at=ago(minutes=n),
        )
    client.force_login(ana)

    # session, user, memberships, stores, capped counts (one statement), oldest waiting,
    # my open work, recent conversations
    with django_assert_num_queries(8):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert len(response.context["board"].my_work) == min(count // 3, 10)
