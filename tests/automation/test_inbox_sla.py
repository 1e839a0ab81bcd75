"""Specs for SLA in the inbox: the due time and breach badge on every row, the "SLA due" sort
(keyset pages, several stores, only the agent's stores), its index, and a constant number of
queries."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from storedesk.automation.models import ConversationSla
from storedesk.conversations import actions as conv_actions
from storedesk.conversations import queries
from storedesk.conversations.models import Status
from storedesk.conversations.queries import InboxFilters, inbox_page
from storedesk.core.access import forget_roles
from storedesk.core.models import Role
from storedesk.web.inbox_rows import sla_badge
from tests.automation.factories import SlaPolicyFactory
from tests.factories import CustomerFactory, MembershipFactory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
SLA = InboxFilters(sort="sla")


@contextmanager
def at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def conversation(store, channel="email", when=NOW, name="Customer"):
    with at(when):
        return conv_actions.do_create_conversation(
            store=store, customer=CustomerFactory(store=store, name=name), channel=channel, body_text="Hello"
        )


def ids(page) -> list[int]:
    return [row.pk for row in page.rows]


def everything(user, filters: InboxFilters, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(50):
        page = inbox_page(user, filters, cursor=cursor, limit=limit)
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("did not reach the last page")


def test_it_sorts_by_sla_due_most_overdue_first_and_leaves_out_conversations_without_a_clock(acme, ana):
    SlaPolicyFactory(store=acme, name="Chat", channels=["chat"], first_response_s=600)
    late = conversation(acme, when=NOW - 30 * H)  # due 6 h ago
    email = conversation(acme)  # due in 24 h
    chat = conversation(acme, channel="chat")  # due in 10 min
    answered = conversation(acme)
    conv_actions.do_reply(ana, answered, body_text="Done.")
    conversation(acme, channel="sms")  # no policy, no clock
    pending = conversation(acme)
    conv_actions.do_set_status(ana, pending, Status.PENDING)  # paused: nothing due

    page = inbox_page(ana, SLA)

    assert ids(page) == [late.pk, chat.pk, email.pk]
    assert [(row.sla_due_at, row.sla_due_kind) for row in page.rows] == [
        (NOW - 6 * H, "first_response"),
        (NOW + timedelta(minutes=10), "first_response"),
        (NOW + 24 * H, "first_response"),
    ]
    assert page.sort.label == "SLA due"


def test_it_pages_the_sla_sort_with_cursors_through_equal_due_times(acme, ana):
    made = [conversation(acme, when=NOW - timedelta(minutes=n // 2)) for n in range(9)]
    # pairs share a due time; within one, by conversation id
    expected = sorted(made, key=lambda c: (c.sla.due_at, c.pk))

    assert everything(ana, SLA, limit=2) == [c.pk for c in expected]
    assert everything(ana, InboxFilters(view="unassigned", sort="sla"), limit=4) == [c.pk for c in expected]


def test_it_merges_the_sla_pages_of_an_agent_of_several_stores(acme, globex, ana, gus):
    MembershipFactory(store=globex, user=ana, role=Role.AGENT)
    forget_roles(ana)
    made = [conversation(acme if n % 2 else globex, when=NOW - timedelta(hours=30 - n)) for n in range(8)]

    assert everything(ana, SLA, limit=3) == [c.pk for c in made]
    assert everything(ana, InboxFilters(sort="sla", store=acme.pk), limit=3) == [c.pk for c in made[1::2]]
    assert everything(gus, SLA, limit=3) == [c.pk for c in made[::2]]
    assert everything(gus, InboxFilters(sort="sla", store=acme.pk), limit=3) == []


@pytest.mark.parametrize("count", [3, 30])
def test_it_reads_an_sla_page_in_two_queries_however_many_rows(acme, globex, ana, count, django_assert_num_queries):
    MembershipFactory(store=globex, user=ana, role=Role.AGENT)
    forget_roles(ana)
    for n in range(count):
        conversation(acme if n % 2 else globex, when=NOW - timedelta(minutes=n))
    queries.store_ids_for(ana)

    with django_assert_num_queries(2):  # the rows with their joins and SLA; the tags of all of them
        page = inbox_page(ana, SLA, limit=20)
        assert all(row.sla_due_at is not None for row in page.rows)
    assert len(page.rows) == min(count, 20)


def test_it_walks_the_due_index_for_the_inbox_sla_page(acme, ana):
    conversation(acme)
    rows, leads_with_store = queries._filtered(ana, SLA)
    picked = queries._ordered_page(rows, [acme.pk], leads_with_store, queries.SORTS["sla"], None, 51)
    sql, params = picked.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert "sla_due_idx" in plan
    # the page's ids come in index order: no sort of every row with a clock
    print(plan)


def test_it_shows_due_in_overdue_and_breached_badges(acme, ana):
    SlaPolicyFactory(store=acme, name="Chat", channels=["chat"], first_response_s=600)
    late = conversation(acme, when=NOW - 30 * H)
    soon = conversation(acme, channel="chat")
    later = conversation(acme)
    rows = {row.pk: row for row in inbox_page(ana, InboxFilters()).rows}
    ConversationSla.objects.filter(conversation=later).update(first_response_breached=True, due_at=None)
    breached_row = inbox_page(ana, InboxFilters()).rows
    breached = next(row for row in breached_row if row.pk == later.pk)

    assert sla_badge(rows[late.pk]) == (
        '<time class="sla sla-breached" datetime="2026-11-20T06:00:00+00:00"'
        ' title="First response due 2026-11-20T06:00:00+00:00" data-testid="sla-due">Overdue 6h</time>'
    )
    assert sla_badge(rows[soon.pk]) == (
        '<time class="sla sla-soon" datetime="2026-11-20T12:10:00+00:00"'
        ' title="First response due 2026-11-20T12:10:00+00:00" data-testid="sla-due">Due in 10m</time>'
    )
    assert 'class="sla"' in sla_badge(rows[later.pk]) and "Due in 1d" in sla_badge(rows[later.pk])
    assert sla_badge(breached) == '<span class="sla sla-breached" title="An SLA target was missed">Breached</span>'


@pytest.mark.parametrize("count", [5, 60])
def test_it_renders_the_sla_sorted_inbox_with_badges_in_a_constant_number_of_queries(
    client, acme, ana, count, django_assert_num_queries
):
    client.force_login(ana)
    conversation(acme, when=NOW - 30 * H, name="<b>Late</b>")
    for n in range(count - 1):
        conversation(acme, when=NOW - timedelta(minutes=n))

    with django_assert_num_queries(9):  # as the inbox with any other sort
        response = client.get(reverse("inbox") + "?sort=sla")

    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["page"].rows) == min(count, 50)
    assert html.count('data-testid="sla-due"') == min(count, 50)
    assert "Overdue 6h" in html
    assert "&lt;b&gt;Late&lt;/b&gt;" in html and "<b>Late</b>" not in html
    assert '<option value="sla" selected>SLA due</option>' in html
