"""Remedies: limits, approvals, idempotency, platform outcomes, audit and timeline notes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from storedesk.commerce import remedies
from storedesk.commerce.models import ApprovalRequest, Order, Refund, Remedy
from storedesk.commerce.remedies import RemedyRequest, do_decide_approval, do_request_remedy, execute_remedy
from storedesk.conversations.models import Message
from storedesk.core.errors import ActionError, Conflict, NotFound, PermissionDenied
from storedesk.core.models import AuditEvent
from tests.commerce.factories import AuthorityRuleFactory, FulfillmentFactory, OrderLineFactory, order_for
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(acme, carla):
    """Carla's $100.00 order: two $45.00 lines, $5.00 tax, $5.00 shipping, paid, not shipped."""
    return order_for(carla, name="#2041")


@pytest.fixture
def conversation(acme, carla):
    return ConversationFactory(store=acme, customer=carla)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run on-commit work (the remedy job, with huey in immediate mode) as it would in production."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def issue(actor, order, kind="refund", *, key=None, conversation=None, **fields):
    request = RemedyRequest(kind=kind, **fields)
    return do_request_remedy(actor, order, request, idempotency_key=key or str(uuid.uuid4()), conversation=conversation)


def state_of(outcome) -> str:
    """The remedy's state now (after its job ran), not when it was requested."""
    return Remedy.objects.get(pk=outcome.remedy.pk).state


def notes(conversation) -> list[str]:
    return list(
        Message.objects.filter(conversation=conversation, direction="note")
        .order_by("id")
        .values_list("body_text", flat=True)
    )


def verbs(remedy) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="remedy", object_id=remedy.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )


# --- within authority: it just happens --------------------------------------------------------


def test_it_refunds_within_the_agents_limit_at_once(ana, order, conversation, run_jobs):
    outcome = run_jobs(issue, ana, order, amount=1250, reason="late delivery", conversation=conversation)

    remedy = Remedy.objects.get(pk=outcome.remedy.pk)
    assert outcome.created is True
    assert (remedy.state, remedy.amount, remedy.currency, remedy.authorized_by, remedy.attempts) == (
        "succeeded",
        1250,
        "USD",
        ana,
        1,
    )
    assert remedy.provider_reference.startswith("demo-refund-")
    order.refresh_from_db()
    assert (order.refunded, order.financial_status) == (1250, "partially_refunded")
    assert list(Refund.objects.filter(order=order).values_list("external_id", "amount")) == [
        (remedy.provider_reference, 1250)
    ]
    assert verbs(remedy) == ["remedy.issued", "remedy.succeeded"]
    assert notes(conversation) == [
        "Ana Agent issued a refund of $12.50 on #2041: late delivery",
        f"Done: the refund of $12.50 on #2041 went through at Demo store (reference {remedy.provider_reference}).",
    ]


def test_it_offers_the_customer_a_confirmation_with_next_steps(ana, order, run_jobs):
    remedy = run_jobs(issue, ana, order, amount=1250).remedy
    remedy.refresh_from_db()

    assert remedies.suggested_reply(remedy) == (
        "Hi Carla, I've refunded $12.50 for order #2041 to your original payment method. "
        "Depending on your bank it shows up within 5–10 business days. There's nothing else you need to do."
    )


# --- above authority: a lead decides ----------------------------------------------------------


def test_it_asks_a_lead_when_the_amount_is_above_the_agents_limit(ana, order, conversation, run_jobs):
    outcome = run_jobs(issue, ana, order, amount=8000, reason="never arrived", conversation=conversation)

    remedy = outcome.remedy
    assert (remedy.state, remedy.authorized_by) == ("awaiting_approval", None)
    approval = ApprovalRequest.objects.get(remedy=remedy)
    assert (approval.state, approval.requested_by, approval.why) == (
        "pending",
        ana,
        "Above Ana Agent's limit of $50.00 per refund.",
    )
    assert approval.expires_at == remedy.created_at + timedelta(hours=24)
    order.refresh_from_db()
    assert order.refunded == 0 and Refund.objects.count() == 0
    assert notes(conversation) == [
        "Ana Agent asked for approval of a refund of $80.00 on #2041 (Above Ana Agent's limit of $50.00 per refund): never arrived"
    ]
    assert "I've asked my team lead to approve a refund of $80.00" in remedies.suggested_reply(remedy)


def test_it_asks_a_lead_once_the_agents_daily_total_would_be_exceeded(ana, acme, carla, run_jobs):
    for _ in range(4):
        assert run_jobs(issue, ana, order_for(carla), amount=5000).remedy.state == "queued"

    fifth = run_jobs(issue, ana, order_for(carla), amount=100).remedy

    assert fifth.state == "awaiting_approval"
    assert fifth.approval.why == "Above Ana Agent's daily limit of $200.00 ($200.00 given today)."


def test_it_counts_only_today_in_the_stores_time_zone(ana, acme, carla, run_jobs, time_machine):
    acme.timezone = "America/New_York"
    acme.save()
    time_machine.move_to("2026-10-20T03:30:00Z", tick=False)  # 23:30 on the 19th in New York
    for _ in range(4):
        run_jobs(issue, ana, order_for(carla), amount=5000)
    time_machine.move_to("2026-10-20T04:30:00Z", tick=False)  # 00:30 on the 20th

    assert state_of(run_jobs(issue, ana, order_for(carla), amount=5000)) == "succeeded"


def test_it_refuses_a_kind_the_role_may_not_issue_and_leaves_nothing_behind(ana, acme, order, conversation):
    AuthorityRuleFactory(store=acme, role="agent", kind="store_credit", allowed=False)

    with pytest.raises(PermissionDenied) as caught:
        issue(ana, order, "store_credit", amount=500, conversation=conversation)

    assert caught.value.message == "Ana Agent may not issue a store credit."
    assert Remedy.objects.count() == 0 and AuditEvent.objects.filter(object_type="remedy").count() == 0
    assert notes(conversation) == []


def test_it_applies_an_agents_own_limits_over_their_roles(ana, ben, acme, order, run_jobs):
    AuthorityRuleFactory(store=acme, user=ana, kind="refund", max_per_action=10000, max_per_day=None)

    assert run_jobs(issue, ana, order, amount=8000).remedy.state == "queued"
    assert issue(ben, order_for(order.customer), amount=8000).remedy.state == "awaiting_approval"


def test_it_sends_a_remedy_in_another_currency_to_approval(ana, olivia, acme, carla, run_jobs):
    euro = order_for(carla, currency="EUR")

    assert issue(ana, euro, amount=500).remedy.approval.why == "The order is in EUR, limits are in USD."
    assert state_of(run_jobs(issue, olivia, order_for(carla, currency="EUR"), amount=500)) == "succeeded"


def test_it_lets_a_lead_approve_and_then_the_platform_is_called(ana, leo, order, conversation, run_jobs):
    remedy = issue(ana, order, amount=8000, reason="never arrived", conversation=conversation).remedy

    run_jobs(do_decide_approval, leo, remedy.approval, approve=True, reason="Parcel lost twice")

    remedy.refresh_from_db()
    assert (remedy.state, remedy.authorized_by, remedy.requested_by) == ("succeeded", leo, ana)
    approval = ApprovalRequest.objects.get(remedy=remedy)
    assert (approval.state, approval.decided_by, approval.decision_reason) == ("approved", leo, "Parcel lost twice")
    order.refresh_from_db()
    assert order.refunded == 8000
    assert verbs(remedy) == ["remedy.approval_requested", "remedy.approved", "remedy.succeeded"]
    assert notes(conversation)[1:] == [
        "Leo Lead approved the refund of $80.00 on #2041: Parcel lost twice",
        f"Done: the refund of $80.00 on #2041 went through at Demo store (reference {remedy.provider_reference}).",
    ]


def test_it_lets_a_lead_deny_with_a_reason_and_nothing_moves(ana, leo, order, conversation, run_jobs):
    remedy = issue(ana, order, amount=8000, conversation=conversation).remedy

    with pytest.raises(ActionError) as caught:
        do_decide_approval(leo, remedy.approval, approve=False)
    assert caught.value.code == "reason_required"
    run_jobs(do_decide_approval, leo, remedy.approval, approve=False, reason="Policy is a 20% gesture for delays")

    remedy.refresh_from_db()
    assert remedy.state == "denied"
    assert Order.objects.get(pk=order.pk).refunded == 0
    assert (
        notes(conversation)[-1] == "Leo Lead denied the refund of $80.00 on #2041: Policy is a 20% gesture for delays"
    )
    with pytest.raises(Conflict):
        do_decide_approval(leo, remedy.approval, approve=True)


def test_it_never_lets_anyone_decide_their_own_request_or_an_agent_decide_at_all(
    ana, ben, leo, olivia, order, run_jobs
):
    assert issue(leo, order, amount=1000).remedy.state == "queued"  # within a lead's own limit: nothing to decide
    big = issue(leo, order_for(order.customer, paid=100000, total=100000), amount=60000).remedy

    with pytest.raises(PermissionDenied) as own:
        do_decide_approval(leo, big.approval, approve=True)
    with pytest.raises(PermissionDenied):
        do_decide_approval(ben, big.approval, approve=True)

    assert own.value.code == "own_request"
    run_jobs(do_decide_approval, olivia, big.approval, approve=True)
    assert Remedy.objects.get(pk=big.pk).state == "succeeded"


def test_it_refuses_an_approval_above_the_leads_own_limit(ana, leo, olivia, carla, run_jobs):
    big = order_for(carla, paid=100000, total=100000)
    remedy = issue(ana, big, amount=60000).remedy

    with pytest.raises(PermissionDenied) as caught:
        do_decide_approval(leo, remedy.approval, approve=True)

    assert caught.value.message == "Above Leo Lead's limit of $500.00 per refund. An admin must approve this one."
    assert Remedy.objects.get(pk=remedy.pk).state == "awaiting_approval"


def test_it_expires_requests_nobody_decided(ana, leo, order, conversation, time_machine, run_jobs):
    remedy = issue(ana, order, amount=8000, conversation=conversation).remedy
    time_machine.move_to(timezone.now() + timedelta(hours=25), tick=False)

    with pytest.raises(Conflict) as caught:
        do_decide_approval(leo, remedy.approval, approve=True)
    assert caught.value.code == "expired"
    assert Remedy.objects.get(pk=remedy.pk).state == "expired"

    other = issue(ana, order_for(order.customer), amount=8000).remedy
    time_machine.move_to(timezone.now() + timedelta(hours=25), tick=False)
    assert remedies.expire_approvals() == 1
    assert Remedy.objects.get(pk=other.pk).state == "expired"
    assert notes(conversation)[-1] == "Nobody decided on the refund of $80.00 on #2041 in time: the request expired."


# --- idempotency and double clicks -------------------------------------------------------------


def test_it_returns_the_first_result_when_the_same_key_comes_again(ana, order, run_jobs):
    first = run_jobs(issue, ana, order, amount=1250, key="click-1")

    again = run_jobs(issue, ana, order, amount=1250, key="click-1", reason="typed differently")

    assert (again.created, again.remedy.pk) == (False, first.remedy.pk)
    assert Remedy.objects.count() == 1
    assert Order.objects.get(pk=order.pk).refunded == 1250


def test_it_refuses_a_key_reused_for_a_different_request(ana, order):
    issue(ana, order, amount=1250, key="click-1")

    with pytest.raises(Conflict) as caught:
        issue(ana, order, amount=1300, key="click-1")

    assert caught.value.code == "idempotency_key_reused"


def test_it_stops_a_second_agent_issuing_the_same_remedy_a_moment_later(ana, ben, order, run_jobs):
    run_jobs(issue, ana, order, amount=1250)

    with pytest.raises(Conflict) as caught:
        issue(ben, order, amount=1250)
    assert (
        caught.value.message
        == "Ana Agent issued this same refund of $12.50 on #2041 a moment ago. Confirm to issue it again."
    )

    assert state_of(run_jobs(issue, ben, order, amount=1250, confirm_duplicate=True)) == "succeeded"
    assert Order.objects.get(pk=order.pk).refunded == 2500


# --- what the order allows ---------------------------------------------------------------------


def test_it_never_refunds_more_than_is_left_counting_remedies_in_flight(ana, leo, order, run_jobs):
    issue(ana, order, amount=8000)  # awaiting approval: reserved

    with pytest.raises(Conflict) as caught:
        issue(leo, order, amount=2500)

    assert caught.value.message == "Only $20.00 is left to refund on #2041."
    assert caught.value.code == "over_refund"


def test_it_refunds_in_full_per_line_or_just_the_shipping(leo, carla, run_jobs):
    full = order_for(carla, refunded=1000)
    assert run_jobs(issue, leo, full, scope="full").remedy.amount == 9000
    with pytest.raises(Conflict):
        issue(leo, full, scope="full")

    lines = order_for(carla, lines=0)
    line = OrderLineFactory(order=lines, quantity=2, unit_price=3000, tax=600)
    remedy = run_jobs(issue, leo, lines, scope="lines", lines=((line.external_id, 1),)).remedy
    assert remedy.amount == 3300
    line.refresh_from_db()
    assert line.refunded_quantity == 1
    with pytest.raises(ActionError) as caught:
        issue(leo, lines, scope="lines", lines=((line.external_id, 2),))
    assert caught.value.code == "invalid_quantity"

    shipping = order_for(carla)
    assert run_jobs(issue, leo, shipping, scope="shipping").remedy.amount == 500
    with pytest.raises(ActionError):
        issue(leo, order_for(carla), scope="shipping", amount=600)


def test_it_cancels_an_order_that_has_not_shipped_and_refunds_it(ana, order, run_jobs):
    remedy = run_jobs(issue, ana, order, "cancel", reason="ordered twice").remedy

    order.refresh_from_db()
    assert (remedy.amount, order.refunded, order.financial_status) == (10000, 10000, "refunded")
    assert order.cancelled_at is not None
    with pytest.raises(Conflict) as caught:
        issue(ana, order, "cancel")
    assert caught.value.code == "already_cancelled"


def test_it_will_not_cancel_or_readdress_an_order_that_shipped(ana, order):
    FulfillmentFactory(order=order)

    for kind, extra in (
        ("cancel", {}),
        ("address_change", {"address": {"address1": "1 A St", "city": "B", "zip": "1", "country_code": "us"}}),
    ):
        with pytest.raises(Conflict) as caught:
            issue(ana, order, kind, **extra)
        assert caught.value.code == "already_shipped"
    assert Remedy.objects.count() == 0


def test_it_changes_the_address_before_fulfilment(ana, order, run_jobs):
    with pytest.raises(ActionError) as caught:
        issue(ana, order, "address_change", address={"address1": "9 Oak Ave"})
    assert caught.value.message == "The new address needs city, zip, country_code."

    run_jobs(
        issue,
        ana,
        order,
        "address_change",
        address={"address1": "9 Oak Ave", "city": "Portland", "zip": "97205", "country_code": "us", "evil": "x"},
    )

    order.refresh_from_db()
    assert order.shipping_address == {"address1": "9 Oak Ave", "city": "Portland", "zip": "97205", "country_code": "US"}


@pytest.mark.parametrize(
    ("kind", "fields", "reference"),
    [
        ("discount_code", {"amount": 1000}, "SORRY-"),
        ("store_credit", {"amount": 1500}, "CREDIT-"),
        ("goodwill", {"amount": 500}, "demo-refund-"),
    ],
)
def test_it_issues_codes_credit_and_gestures_through_the_platform(ana, order, run_jobs, kind, fields, reference):
    remedy = run_jobs(issue, ana, order, kind, key="k-1", **fields).remedy
    remedy.refresh_from_db()

    assert remedy.state == "succeeded"
    assert remedy.provider_reference.startswith(reference)


def test_it_sends_a_replacement_for_chosen_items(ana, order, run_jobs):
    line = order.lines.first()

    remedy = run_jobs(issue, ana, order, "replacement", lines=((line.external_id, 1),), reason="arrived torn").remedy
    remedy.refresh_from_db()

    assert (remedy.state, remedy.amount, remedy.params) == (
        "succeeded",
        4500,
        {"lines": [{"line": line.external_id, "quantity": 1}]},
    )
    assert remedy.provider_reference.startswith("#R")


def test_it_keeps_other_stores_out(gus, order):
    with pytest.raises(NotFound):
        issue(gus, order, amount=100)
    assert Remedy.objects.count() == 0


def test_it_needs_an_idempotency_key(ana, order):
    with pytest.raises(ActionError) as caught:
        do_request_remedy(ana, order, RemedyRequest(kind="refund", amount=100), idempotency_key=" ")
    assert caught.value.code == "idempotency_key_required"


# --- the platform's answers --------------------------------------------------------------------


@pytest.fixture
def shopify_order(acme, carla, shopify, shopify_connection):
    from tests.commerce.conftest import fixture

    shopify.route("GET", "/orders/5550001001.json", "order.json")
    from storedesk.commerce.actions import do_upsert_order
    from storedesk.commerce.providers import provider_for

    order, _ = do_upsert_order(acme, "shopify", provider_for(shopify_connection).fetch_order("5550001001"))
    shopify.route("GET", "/orders/5550001001/refunds.json", {"refunds": fixture("order.json")["order"]["refunds"]})
    shopify.route("GET", "/orders/5550001001/transactions.json", "transactions.json")
    return order


def test_it_retries_after_the_platforms_rate_limit_then_succeeds(
    ana, shopify, shopify_order, conversation, run_jobs, time_machine
):
    from tests.commerce.conftest import Reply

    time_machine.move_to(timezone.now(), tick=False)
    shopify.route(
        "POST",
        "/orders/5550001001/refunds.json",
        Reply(status=429, body={"errors": "Exceeded 2 calls per second for api client."}, headers={"Retry-After": "3"}),
        Reply(body="refund_created.json"),
    )

    remedy = run_jobs(issue, ana, shopify_order, amount=1250, conversation=conversation, reason="Late delivery").remedy
    remedy.refresh_from_db()

    assert (remedy.state, remedy.attempts, remedy.error) == (
        "queued",
        1,
        "Shopify answered 429: Exceeded 2 calls per second for api client.",
    )
    assert remedy.next_attempt_at == timezone.now() + timedelta(seconds=3)
    [job] = [t for t in HUEY.scheduled() if t.name.endswith("execute_remedy")]
    assert job.args == (remedy.pk,)
    assert execute_remedy(remedy.pk) == "skipped"  # not due yet

    time_machine.shift(timedelta(seconds=3))
    assert run_jobs(execute_remedy, remedy.pk) == "succeeded"
    remedy.refresh_from_db()
    assert (remedy.state, remedy.attempts, remedy.provider_reference, remedy.error) == ("succeeded", 2, "2220009", "")
    assert Order.objects.get(pk=shopify_order.pk).refunded == 1590 + 1250
    assert len(shopify.seen("POST", "/orders/5550001001/refunds.json")) == 2


def test_it_shows_the_platforms_refusal_plainly(ana, shopify, shopify_order, conversation, run_jobs):
    from tests.commerce.conftest import Reply

    shopify.route("POST", "/orders/5550001001/refunds.json", Reply(status=422, body="error_422.json"))

    remedy = run_jobs(issue, ana, shopify_order, amount=1250, conversation=conversation).remedy
    remedy.refresh_from_db()

    message = "Shopify answered 422: base Refund amount must be less than or equal to the refundable amount of 119.48"
    assert (remedy.state, remedy.error) == ("failed", message)
    assert Order.objects.get(pk=shopify_order.pk).refunded == 1590
    assert (
        notes(conversation)[-1] == f"Failed: the refund of $12.50 on #2041 did not go through. Shopify said: {message}"
    )
    assert verbs(remedy) == ["remedy.issued", "remedy.failed"]


def test_it_gives_up_after_the_last_attempt(ana, shopify, shopify_order, run_jobs, time_machine):
    from tests.commerce.conftest import Reply

    shopify.route("POST", "/orders/5550001001/refunds.json", Reply(status=503, body={"errors": "Unavailable"}))
    remedy = run_jobs(issue, ana, shopify_order, amount=1250).remedy
    for _ in range(remedies.MAX_ATTEMPTS - 1):
        time_machine.move_to(timezone.now() + timedelta(hours=1), tick=False)
        run_jobs(execute_remedy, remedy.pk)

    remedy.refresh_from_db()
    assert (remedy.state, remedy.attempts) == ("failed", remedies.MAX_ATTEMPTS)


def test_it_does_not_refund_twice_when_a_worker_died_after_the_platform_refunded(
    ana, shopify, shopify_order, run_jobs, time_machine
):
    from tests.commerce.conftest import fixture

    remedy = issue(ana, shopify_order, amount=1250, key="KEY").remedy  # job lost: never ran
    Remedy.objects.filter(pk=remedy.pk).update(
        state="processing", attempts=1, next_attempt_at=timezone.now() + remedies.LEASE
    )
    # … the worker called Shopify, Shopify refunded, then the worker died before recording it.
    shopify.route("GET", "/orders/5550001001/refunds.json", {"refunds": [fixture("refund_created.json")["refund"]]})
    shopify.route("POST", "/orders/5550001001/refunds.json", "refund_created.json")

    time_machine.move_to(timezone.now() + remedies.LEASE + timedelta(seconds=1), tick=False)
    assert run_jobs(remedies.sweep_due_remedies) == 1

    remedy.refresh_from_db()
    assert (remedy.state, remedy.provider_reference) == ("succeeded", "2220009")
    assert shopify.seen("POST", "/orders/5550001001/refunds.json") == []
