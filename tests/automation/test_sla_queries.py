"""Specs for the inbox's SLA helpers: the annotation, the due-soonest order, and that the order
is served by sla_due_idx on SQLite and PostgreSQL."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

import time_machine
from django.db import connection
from django.utils import timezone

from storedesk.automation.queries import order_by_sla_due, with_sla
from storedesk.conversations import actions as conv_actions
from storedesk.conversations.models import Conversation, Status
from tests.automation.factories import SlaPolicyFactory
from tests.factories import CustomerFactory

NOW = timezone.now().replace(second=0, microsecond=0)
H = timedelta(hours=1)


@contextmanager
def at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        yield


def conversation(store, channel="email", when=NOW):
    with at(when):
        return conv_actions.do_create_conversation(
            store=store, customer=CustomerFactory(store=store), channel=channel, body_text="Hello"
        )


def test_it_orders_by_due_time_soonest_first_and_leaves_out_rows_without_a_clock(acme, ana):
    SlaPolicyFactory(store=acme, name="Chat", channels=["chat"], first_response_s=600)
    late_email = conversation(acme, when=NOW - 30 * H)  # due 6 h ago
    email = conversation(acme)  # due in 24 h
    chat = conversation(acme, channel="chat")  # due in 10 min
    answered = conversation(acme)
    conv_actions.do_reply(ana, answered, body_text="Done.")
    conversation(acme, channel="sms")  # no policy, no clock
    rows = order_by_sla_due(Conversation.objects.filter(store=acme, status=Status.OPEN), acme.pk)
    assert list(rows) == [late_email, chat, email]


def test_it_annotates_due_time_kind_and_breach_in_one_query(acme, django_assert_num_queries):
    conversation(acme)
    conversation(acme, channel="sms")
    with django_assert_num_queries(1):
        rows = list(with_sla(Conversation.objects.filter(store=acme)).order_by("id"))
    assert [(row.sla_due_at, row.sla_due_kind, row.sla_breached) for row in rows] == [
        (NOW + 24 * H, "first_response", False),
        (None, None, None),  # no SLA
    ]


def test_it_walks_the_due_index_for_the_inbox_sort(acme):
    conversation(acme)
    rows = order_by_sla_due(Conversation.objects.filter(store=acme, status=Status.OPEN), acme.pk)[:51]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tiny test tables favour a sequential scan and a sort; forbid both to show the
            # index alone can produce this order.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert "sla_due_idx" in plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan.replace("Sort Key", "")
