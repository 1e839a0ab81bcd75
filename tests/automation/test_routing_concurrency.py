"""Routing at the same moment from many workers never gives an agent more than their capacity.

do_route's `select_for_update().select_related("store")` locks the store's row too (on
PostgreSQL FOR UPDATE covers every joined row), so routing in one store is serialised: two
processes cannot both count an agent's last free slot as free. SQLite serialises writers."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection

from storedesk.automation.actions.routing import do_route
from storedesk.conversations.models import Conversation
from tests.automation.factories import AgentProfileFactory
from tests.factories import ConversationFactory, CustomerFactory

WORKERS = 8


def _wait_while_locked(execute, sql, params, many, context):
    deadline = time.monotonic() + 20
    while True:
        try:
            return execute(sql, params, many, context)
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.002)


def _slow_count(execute, sql, params, many, context):
    """Widen the race: every worker lingers after counting the agents' open work, as a busy
    server would, so without the lock they would all see the free slot."""
    result = execute(sql, params, many, context)
    if "COUNT(" in sql and "assignee_id" in sql:
        time.sleep(0.05)
    return result


@pytest.mark.django_db(transaction=True)
def test_it_gives_an_agent_one_slot_once_when_eight_workers_route_at_once(acme, ana):
    acme.settings = {"routing": {"enabled": True}}
    acme.save()
    AgentProfileFactory(store=acme, user=ana, capacity={"email": 1})
    conversations = [
        ConversationFactory(store=acme, customer=CustomerFactory(store=acme), channel="email") for _ in range(WORKERS)
    ]
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker(conversation: Conversation) -> None:
        try:
            start.wait(10)
            with connection.execute_wrapper(_slow_count):
                if connection.vendor == "sqlite":
                    with connection.execute_wrapper(_wait_while_locked):
                        do_route(conversation)
                else:
                    do_route(conversation)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in conversations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert Conversation.objects.filter(store=acme, assignee=ana).count() == 1
    assert Conversation.objects.filter(store=acme, assignee__isnull=True).count() == WORKERS - 1
