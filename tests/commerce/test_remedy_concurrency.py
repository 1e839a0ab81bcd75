"""50 refund attempts on one order at once, each on its own thread and database connection:
exactly one refund reaches the platform (a fake Shopify on loopback counts them).

On PostgreSQL the order row lock (select_for_update) serialises the attempts. SQLite's
in-memory test database refuses a statement meeting another connection's lock at once
(ignoring busy_timeout), so there each statement waits and retries as a file database would.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import OperationalError, connection

from storedesk.commerce.actions import do_upsert_order
from storedesk.commerce.models import Order, Remedy
from storedesk.commerce.providers import provider_for
from storedesk.commerce.remedies import RemedyRequest, do_request_remedy
from storedesk.core.errors import Conflict
from tests.commerce.conftest import fixture

ATTEMPTS = 50
REFUND_PATH = "/orders/5550001001/refunds.json"


def _wait_while_locked(execute, sql, params, many, context):
    deadline = time.monotonic() + 20
    while True:
        try:
            return execute(sql, params, many, context)
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.002)


def race(target, count: int) -> tuple[list, list[BaseException]]:
    start = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            start.wait(10)
            if connection.vendor == "sqlite":
                with connection.execute_wrapper(_wait_while_locked):
                    results.append(target(i))
            else:
                results.append(target(i))
        except Conflict as exc:
            results.append(exc.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


@pytest.fixture
def shopify_order(acme, carla, leo, shopify, shopify_connection):
    shopify.route("GET", "/orders/5550001001.json", "order.json")
    order, _ = do_upsert_order(acme, "shopify", provider_for(shopify_connection).fetch_order("5550001001"))
    refunds = fixture("order.json")["order"]["refunds"]
    shopify.route("GET", REFUND_PATH, {"refunds": refunds})
    shopify.route("GET", "/orders/5550001001/transactions.json", "transactions.json")
    shopify.route("POST", REFUND_PATH, "refund_created.json")
    return order


@pytest.mark.django_db(transaction=True)
def test_it_refunds_once_when_fifty_double_clicks_send_the_same_key(leo, shopify, shopify_order):
    def attempt(i: int):
        request = RemedyRequest(kind="refund", amount=1250, reason="Late delivery")
        return do_request_remedy(leo, shopify_order, request, idempotency_key="one-click").created

    results, errors = race(attempt, ATTEMPTS)

    assert errors == []
    assert sorted(results) == [False] * (ATTEMPTS - 1) + [True]
    assert len(shopify.seen("POST", REFUND_PATH)) == 1
    remedy = Remedy.objects.get()
    assert (remedy.state, remedy.amount) == ("succeeded", 1250)
    assert Order.objects.get(pk=shopify_order.pk).refunded == 1590 + 1250


@pytest.mark.django_db(transaction=True)
def test_it_refunds_once_when_fifty_agents_refund_the_rest_at_once(leo, shopify, shopify_order):
    def attempt(i: int):
        request = RemedyRequest(kind="refund", scope="full", reason="Never arrived")
        return do_request_remedy(leo, shopify_order, request, idempotency_key=str(uuid.uuid4())).created

    results, errors = race(attempt, ATTEMPTS)

    assert errors == []
    assert results.count(True) == 1
    assert set(results) - {True} <= {"duplicate_remedy", "nothing_to_refund"}
    assert len(shopify.seen("POST", REFUND_PATH)) == 1
    assert Remedy.objects.count() == 1
