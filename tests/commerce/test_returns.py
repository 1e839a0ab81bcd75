"""Returns (RMA): eligibility, request, label, tracking, refund on receipt through a remedy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.commerce import returns
from storedesk.commerce.models import Remedy, ReturnRequest
from storedesk.commerce.returns import ReturnItem
from storedesk.conversations.models import Message
from storedesk.core.errors import ActionError, Conflict
from storedesk.core.models import AuditEvent
from tests.commerce.factories import FulfillmentFactory, order_for
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(carla):
    """Carla's $100.00 order #2041: two $45.00 lines, delivered 3 days ago."""
    order = order_for(carla, name="#2041", number="2041")
    FulfillmentFactory(order=order, status="delivered", delivered_at=timezone.now() - timedelta(days=3))
    return order


@pytest.fixture
def conversation(acme, carla):
    return ConversationFactory(store=acme, customer=carla)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def notes(conversation) -> list[tuple[str, str]]:
    return list(
        Message.objects.filter(conversation=conversation, direction="note")
        .order_by("id")
        .values_list("author_kind", "body_text")
    )


def first_line(order):
    return order.lines.order_by("id").first()


def test_it_opens_a_return_from_the_conversation_and_sends_a_label(ana, order, conversation, run_jobs):
    line = first_line(order)

    ret = run_jobs(
        returns.do_request_return, ana, order, [ReturnItem(line.pk, 1, "damaged")], conversation=conversation
    )

    ret.refresh_from_db()
    assert (ret.rma, ret.state, ret.source, ret.reason, ret.carrier, ret.tracking_number) == (
        "R-2041-1",
        "label_sent",
        "agent",
        "damaged",
        "Storedesk label",
        "R-2041-1",
    )
    assert list(ret.lines.values_list("order_line_id", "quantity", "reason")) == [(line.pk, 1, "damaged")]
    assert notes(conversation) == [
        (
            "agent",
            f"Ana Agent requested return R-2041-1 for 1 × {line.title} (Arrived damaged): a label is on its way.",
        ),
        ("system", "Return label for R-2041-1 is ready (Storedesk label); the customer can print it."),
    ]
    assert list(
        AuditEvent.objects.filter(object_type="returnrequest").order_by("id").values_list("verb", flat=True)
    ) == [
        "return.requested",
        "return.label_sent",
    ]


def test_it_refuses_more_than_is_left_to_return_and_leaves_nothing(ana, order, run_jobs):
    line = first_line(order)
    line.quantity = 2
    line.save()
    run_jobs(returns.do_request_return, ana, order, [ReturnItem(line.pk, 1, "damaged")])

    with pytest.raises(Conflict, match=f"Only 1 of {line.title} can be returned"):
        returns.do_request_return(ana, order, [ReturnItem(line.pk, 2, "damaged")])
    with pytest.raises(ActionError):
        returns.do_request_return(ana, order, [ReturnItem(line.pk, 0, "damaged")])

    assert ReturnRequest.objects.count() == 1


def test_it_refuses_a_return_past_the_window(ana, acme, carla):
    old = order_for(carla, placed_at=timezone.now() - timedelta(days=40))

    assert returns.returnable(old) == []
    with pytest.raises(ActionError, match="cannot be returned"):
        returns.do_request_return(ana, old, [ReturnItem(first_line(old).pk, 1, "changed_mind")])


def test_it_waits_for_an_agent_when_the_store_wants_to_approve_returns(ana, acme, order, conversation, run_jobs):
    acme.settings = {"returns_auto_approve": False}
    acme.save()

    ret = run_jobs(returns.do_request_return, None, order, [ReturnItem(first_line(order).pk, 1, "does_not_fit")])

    ret.refresh_from_db()
    assert (ret.state, ret.approved_at, ret.source, ret.conversation_id) == (
        "requested",
        None,
        "portal",
        conversation.pk,
    )
    assert returns.status_of(ret) == "Waiting for the store to approve it"
    run_jobs(returns.do_approve_return, ana, ret)
    ret.refresh_from_db()
    assert ret.state == "label_sent"


def test_it_opens_a_conversation_for_a_customer_who_has_none(order, carla, run_jobs):
    ret = run_jobs(returns.do_request_return, None, order, [ReturnItem(first_line(order).pk, 1, "wrong_item")])

    ret.refresh_from_db()
    assert ret.conversation.customer == carla
    assert ret.conversation.subject == "Return for order #2041"


def test_it_refunds_the_items_on_receipt_and_marks_the_return_refunded(ana, order, conversation, run_jobs):
    line = first_line(order)
    ret = run_jobs(
        returns.do_request_return, ana, order, [ReturnItem(line.pk, 1, "damaged")], conversation=conversation
    )
    returns.do_mark_in_transit(None, ret)

    run_jobs(returns.do_receive_return, ana, ret)

    ret.refresh_from_db()
    remedy = Remedy.objects.get()
    assert (ret.state, ret.remedy, remedy.kind, remedy.amount, remedy.state, remedy.idempotency_key) == (
        "refunded",
        remedy,
        "refund",
        4500,
        "succeeded",
        f"return:{ret.pk}",
    )
    order.refresh_from_db()
    assert order.refunded == 4500
    with pytest.raises(Conflict):
        returns.do_receive_return(ana, ret)


def test_it_sends_a_refund_above_the_agents_limit_to_a_lead(ana, carla, conversation, run_jobs):
    big = order_for(carla, name="#2050", number="2050", lines=1)
    big.lines.update(unit_price=9000, total=9000)
    ret = run_jobs(returns.do_request_return, ana, big, [ReturnItem(first_line(big).pk, 1, "damaged")])

    run_jobs(returns.do_receive_return, ana, ret)

    ret.refresh_from_db()
    assert (ret.state, ret.remedy.state) == ("received", "awaiting_approval")
    assert returns.status_of(ret) == "Received; the refund is awaiting approval"


def test_it_rejects_a_return_with_a_reason(ana, order, run_jobs):
    ret = run_jobs(returns.do_request_return, ana, order, [ReturnItem(first_line(order).pk, 1, "changed_mind")])

    returns.do_reject_return(ana, ret, "Used item")

    ret.refresh_from_db()
    assert ret.state == "rejected"
    assert [r.quantity for r in returns.returnable(order)] == [1, 1]


def test_it_reports_return_reasons_by_product(ana, leo, acme, order, api_as, run_jobs):
    first, second = order.lines.order_by("id")
    run_jobs(returns.do_request_return, ana, order, [ReturnItem(first.pk, 1, "damaged")])
    run_jobs(returns.do_request_return, None, order, [ReturnItem(second.pk, 1, "does_not_fit")])
    other = order_for(order.customer)
    rejected = run_jobs(returns.do_request_return, ana, other, [ReturnItem(first_line(other).pk, 1, "changed_mind")])
    returns.do_reject_return(ana, rejected, "Worn")

    body = api_as(leo).get("/orders/returns/reasons", {"store": "acme"}).json()

    assert sorted((row["title"], row["reason"], row["quantity"], row["returns"]) for row in body) == sorted(
        [(first.title, "damaged", 1, 1), (second.title, "does_not_fit", 1, 1)]
    )
    assert api_as(ana).get("/orders/returns/reasons", {"store": "acme"}).status_code == 403
