"""Leads' pages about orders and remedies: /commerce/approvals/, /commerce/reports/,
/commerce/settings/ and /commerce/late-orders/ (storedesk/web/commerce_admin_views.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from storedesk.commerce import outreach
from storedesk.commerce.models import ApprovalRequest, AuthorityRule, LateOrderOutreach, Remedy, ReturnReason
from storedesk.commerce.remedies import RemedyRequest, do_request_remedy
from storedesk.commerce.returns import ReturnItem, do_request_return
from storedesk.core.models import AuditEvent
from tests.commerce.factories import FulfillmentFactory, OrderLineFactory, order_for
from tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask_for_approval(agent, customer, amount: int = 9000, key: str = "k1"):
    order = order_for(customer, lines=0, total=20000, paid=20000)
    conversation = ConversationFactory(store=customer.store, customer=customer)
    outcome = do_request_remedy(
        agent,
        order,
        RemedyRequest(kind="refund", amount=amount, reason="late delivery"),
        idempotency_key=key,
        conversation=conversation,
    )
    assert outcome.remedy.state == "awaiting_approval"
    return outcome.remedy


# --- approvals ---------------------------------------------------------------------------------


def test_it_lists_pending_approvals_for_a_lead(leo, ana, carla):
    remedy = ask_for_approval(ana, carla)

    response = client_for(leo).get(reverse("commerce_approvals"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="approval-row"') == 1
    assert "$90.00" in html and "Ana Agent" in html and "Above Ana Agent&#x27;s limit of $50.00 per refund." in html
    assert f'action="/commerce/approvals/{remedy.approval.pk}/decide"' in html


def test_a_lead_approves_in_one_click(leo, ana, carla):
    remedy = ask_for_approval(ana, carla)

    response = client_for(leo).post(
        reverse("commerce_approval_decide", args=[remedy.approval.pk]), {"decision": "approve"}, follow=True
    )

    assert response.status_code == 200
    assert "Approved: refund of $90.00 on " in response.content.decode()
    remedy.refresh_from_db()
    assert (remedy.authorized_by_id, remedy.approval.state) == (leo.pk, "approved")
    assert remedy.state in ("queued", "processing", "succeeded")


def test_a_lead_denies_with_a_reason_and_without_one_nothing_changes(leo, ana, carla):
    remedy = ask_for_approval(ana, carla)
    url = reverse("commerce_approval_decide", args=[remedy.approval.pk])
    client = client_for(leo)

    response = client.post(url, {"decision": "deny", "reason": ""}, follow=True)
    assert "Say why you deny it" in response.content.decode()
    assert ApprovalRequest.objects.get().state == "pending"

    client.post(url, {"decision": "deny", "reason": "Already refunded by phone"})
    approval = ApprovalRequest.objects.get()
    assert (approval.state, approval.decision_reason, approval.remedy.state) == (
        "denied",
        "Already refunded by phone",
        "denied",
    )


def test_agents_cannot_see_or_decide_approvals(ana, ben, carla):
    remedy = ask_for_approval(ana, carla)

    assert client_for(ben).get(reverse("commerce_approvals")).status_code == 403
    response = client_for(ben).post(
        reverse("commerce_approval_decide", args=[remedy.approval.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert Remedy.objects.get().state == "awaiting_approval"


def test_a_lead_of_another_store_gets_a_404(acme, globex, ana, carla):
    from tests.factories import agent_of

    other_lead = agent_of(globex, "lead", email="lead@globex.test")
    remedy = ask_for_approval(ana, carla)

    response = client_for(other_lead).post(
        reverse("commerce_approval_decide", args=[remedy.approval.pk]), {"decision": "approve"}
    )

    assert response.status_code == 404
    assert client_for(other_lead).get(reverse("commerce_approvals")).content.decode().count("approval-row") == 0


def test_the_approvals_queue_costs_the_same_queries_for_one_or_twenty(leo, ana, acme):
    client = client_for(leo)
    ask_for_approval(ana, CustomerFactory(store=acme), key="first")
    client.get(reverse("commerce_approvals"))  # warm up (session, sites)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("commerce_approvals")).status_code == 200
    for i in range(19):
        AuthorityRule.objects.filter(store=acme).delete()
        ask_for_approval(ana, CustomerFactory(store=acme), amount=6000 + i, key=f"k-{i}")
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(reverse("commerce_approvals"))
    assert response.content.decode().count('data-testid="approval-row"') == 20
    assert len(twenty) == len(one)


# --- reports -----------------------------------------------------------------------------------


def test_it_shows_the_budget_by_type_and_agent_return_reasons_and_consistency(acme, leo, ana, carla):
    acme.settings["remedy_budget_monthly"] = "500.00"
    acme.save(update_fields=["settings"])
    order = order_for(carla, lines=0, total=20000, paid=20000)
    do_request_remedy(ana, order, RemedyRequest(kind="refund", amount=2500), idempotency_key="a")
    do_request_remedy(
        ana, order, RemedyRequest(kind="goodwill", amount=1000, situation="late_delivery"), idempotency_key="b"
    )
    returned = order_for(carla, lines=0)
    line = OrderLineFactory(order=returned, title="Trail runner", sku="TR-42")
    FulfillmentFactory(order=returned, status="delivered", delivered_at=timezone.now() - timedelta(days=2))
    do_request_return(ana, returned, [ReturnItem(line.pk, 1, ReturnReason.DAMAGED)])

    response = client_for(leo).get(reverse("commerce_reports"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Given: <strong>$35.00</strong> in 2 remedies" in html
    assert "of a budget of <strong>$500.00</strong> (7% used; $465.00 left)" in html
    assert '<td>Refund</td><td class="num">$25.00</td>' in html
    assert '<td>Goodwill gesture</td><td class="num">$10.00</td>' in html
    assert (
        '<tr data-testid="budget-agent"><td>Ana Agent</td><td class="num">2</td><td class="num">$35.00</td></tr>'
        in html
    )
    assert (
        '<tr data-testid="reason-row"><td>Trail runner</td><td>TR-42</td><td>Arrived damaged</td>'
        '<td class="num">1</td><td class="num">1</td></tr>'
    ) in html
    assert (
        '<tr data-testid="consistency-row"><td>Late delivery</td><td>Ana Agent</td><td>Goodwill gesture</td>'
        '<td class="num">1</td><td class="num">$10.00</td></tr>'
    ) in html


def test_the_reports_page_costs_the_same_queries_for_few_or_many_remedies(acme, leo, ana, ben, carla):
    client = client_for(leo)
    order = order_for(carla, lines=0, total=100000, paid=100000)
    do_request_remedy(ana, order, RemedyRequest(kind="refund", amount=100, situation="damaged"), idempotency_key="r0")
    client.get(reverse("commerce_reports"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("commerce_reports"))
    for i in range(1, 8):
        agent = ana if i % 2 else ben
        do_request_remedy(
            agent, order, RemedyRequest(kind="goodwill", amount=100 + i, situation="damaged"), idempotency_key=f"r{i}"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("commerce_reports"))
    assert len(many) == len(few)


def test_agents_cannot_see_reports_or_settings(ana):
    client = client_for(ana)
    assert client.get(reverse("commerce_reports")).status_code == 403
    assert client.get(reverse("commerce_settings")).status_code == 403
    assert client.get(reverse("commerce_reports") + "?store=acme").status_code == 403


# --- settings ----------------------------------------------------------------------------------


def test_a_lead_reads_the_matrix_but_cannot_change_it(acme, leo):
    client = client_for(leo)

    response = client.get(reverse("commerce_settings"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<tr data-testid="authority-row" data-role="agent" data-kind="refund">' in html
    assert "$50.00" in html and "$200.00" in html

    response = client.post(
        reverse("commerce_settings"),
        {"store": "acme", "form": "rule", "role": "agent", "kind": "refund", "allowed": "on", "max_per_action": "999"},
    )
    assert response.status_code == 403
    assert AuthorityRule.objects.count() == 0


def test_an_admin_sets_a_role_limit_an_agent_override_and_the_budget(acme, olivia, ana):
    client = client_for(olivia)
    url = reverse("commerce_settings")

    client.post(
        url,
        {
            "store": "acme",
            "form": "rule",
            "role": "agent",
            "kind": "refund",
            "allowed": "on",
            "max_per_action": "40.00",
            "max_per_day": "150",
        },
    )
    client.post(
        url,
        {"store": "acme", "form": "rule", "agent": ana.pk, "kind": "goodwill", "max_per_action": "", "max_per_day": ""},
    )
    client.post(
        url,
        {
            "store": "acme",
            "form": "store",
            "budget": "2500.00",
            "late_outreach": "send",
            "late_outreach_after_days": "2",
            "late_outreach_sender": "Olivia@acme.test",
        },
    )

    rules = {
        (r.role, r.user_id, r.kind): (r.allowed, r.max_per_action, r.max_per_day) for r in AuthorityRule.objects.all()
    }
    assert rules == {("agent", None, "refund"): (True, 4000, 15000), ("", ana.pk, "goodwill"): (False, None, None)}
    acme.refresh_from_db()
    assert {
        k: acme.settings[k]
        for k in ("remedy_budget_monthly", "late_outreach", "late_outreach_after_days", "late_outreach_sender")
    } == {
        "remedy_budget_monthly": "2500.00",
        "late_outreach": "send",
        "late_outreach_after_days": 2,
        "late_outreach_sender": "olivia@acme.test",
    }
    assert list(AuditEvent.objects.filter(store=acme).order_by("pk").values_list("verb", flat=True)) == [
        "authority.changed",
        "authority.changed",
        "store.commerce_settings",
    ]
    html = client.get(url).content.decode()
    assert '<tr data-testid="override-row"><td>Ana Agent</td><td>Goodwill gesture</td><td>no</td>' in html


def test_a_bad_budget_is_refused_plainly(acme, olivia):
    response = client_for(olivia).post(
        reverse("commerce_settings"),
        {"store": "acme", "form": "store", "budget": "lots", "late_outreach": "draft", "late_outreach_after_days": "1"},
        follow=True,
    )
    assert "The budget must be an amount such as 2500.00." in response.content.decode()
    acme.refresh_from_db()
    assert "remedy_budget_monthly" not in acme.settings


# --- late orders -------------------------------------------------------------------------------


def late(customer, name: str):
    now = timezone.now()
    return order_for(customer, lines=1, name=name, promised_by=now - timedelta(days=6))


def test_an_agent_reviews_and_sends_a_late_order_draft(acme, ana, carla):
    late(carla, "#4001")
    outreach.sweep_late_orders()
    row = LateOrderOutreach.objects.get()
    client = client_for(ana)

    html = client.get(reverse("commerce_late_orders")).content.decode()
    assert html.count('data-testid="outreach-row"') == 1
    assert "#4001 · 6 days late" in html
    assert "Policy: Late delivery: 10% goodwill gesture ($10.00) — 6 days late" in html
    assert "Budget &amp; reports" not in html and ">Approvals<" not in html  # leads' pages, not hers

    response = client.post(
        reverse("commerce_late_order_decide", args=[row.pk]),
        {"decision": "send", "body_text": "Hi Carla, it is late, sorry.", "apply_remedy": "on"},
        follow=True,
    )

    assert "Sent to the customer of order #4001." in response.content.decode()
    row.refresh_from_db()
    assert (row.state, row.decided_by_id, row.remedy.kind, row.remedy.amount) == ("sent", ana.pk, "goodwill", 1000)


def test_the_late_orders_page_costs_the_same_queries_for_one_or_ten(acme, ana):
    client = client_for(ana)
    late(CustomerFactory(store=acme), "#5000")
    outreach.sweep_late_orders()
    client.get(reverse("commerce_late_orders"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("commerce_late_orders"))
    for i in range(9):
        late(CustomerFactory(store=acme), f"#50{i + 10}")
    outreach.sweep_late_orders()
    with CaptureQueriesContext(connection) as ten:
        html = client.get(reverse("commerce_late_orders")).content.decode()
    assert html.count('data-testid="outreach-row"') == 10
    assert len(ten) == len(one)


def test_an_agent_of_another_store_cannot_send_a_draft(acme, gus, carla):
    late(carla, "#4001")
    outreach.sweep_late_orders()
    row = LateOrderOutreach.objects.get()

    response = client_for(gus).post(reverse("commerce_late_order_decide", args=[row.pk]), {"decision": "send"})

    assert response.status_code == 404
    assert LateOrderOutreach.objects.get().state == "draft"
    assert "outreach-row" not in client_for(gus).get(reverse("commerce_late_orders")).content.decode()


def test_the_settings_page_costs_the_same_queries_with_one_or_many_overrides(acme, olivia, ana, ben, leo):
    from storedesk.commerce.authority import do_set_authority_rule

    client = client_for(olivia)
    do_set_authority_rule(olivia, acme, "refund", user=ana, max_per_action=100)
    client.get(reverse("commerce_settings"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("commerce_settings"))
    for kind in ("goodwill", "discount_code", "store_credit"):
        do_set_authority_rule(olivia, acme, kind, user=ben, max_per_action=100)
        do_set_authority_rule(olivia, acme, kind, role="agent", max_per_action=500)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("commerce_settings")).content.decode()
    assert html.count('data-testid="override-row"') == 4
    assert len(many) == len(one)


def test_an_agent_cannot_change_limits_or_the_budget(acme, ana):
    response = client_for(ana).post(
        reverse("commerce_settings"),
        {"store": "acme", "form": "store", "budget": "99999", "late_outreach": "send", "late_outreach_after_days": "1"},
    )

    assert response.status_code == 403
    acme.refresh_from_db()
    assert "remedy_budget_monthly" not in acme.settings and "late_outreach" not in acme.settings
