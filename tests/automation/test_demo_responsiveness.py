"""`storedesk demo` sets up responsiveness: hours, SLA policies, profiles and routing; the inbox
shows due times and breaches, and the audit log routing decisions with their reasons."""

from __future__ import annotations

from storedesk.automation.models import (
    AgentProfile,
    BusinessHours,
    CallbackTask,
    ConversationSla,
    RoutingRule,
    SlaPolicy,
)
from storedesk.conversations.queries import InboxFilters, inbox_page
from storedesk.core.models import AuditEvent, Store, User
from storedesk.demo.loader import DEMO_SLUG, load_demo


def test_it_loads_hours_policies_profiles_routing_and_applies_the_sla(db):
    load_demo(customers=60, conversations=80)
    store = Store.objects.get(slug=DEMO_SLUG)
    lead = User.objects.get(email="lead@demo.test")

    assert BusinessHours.objects.filter(store=store).count() == 1
    assert list(SlaPolicy.objects.filter(store=store).values_list("name", "first_response_s")) == [
        ("VIP: first response within 1 h", 3600),
        ("Chat: first response within 5 min", 300),
        ("Email: first response within 24 h", 86400),
    ]
    assert AgentProfile.objects.filter(store=store).count() == 4
    assert RoutingRule.objects.filter(store=store, required_skills=["social"]).count() == 1
    assert store.settings["routing"] == {"enabled": True}
    slas = ConversationSla.objects.filter(store=store)
    assert slas.filter(due_at__isnull=False).exists()
    assert slas.filter(first_response_breached=True).exists()
    page = inbox_page(lead, InboxFilters(sort="sla", store=store.pk))
    assert page.rows and all(row.sla_due_at is not None for row in page.rows)
    assert [row.sla_due_at for row in page.rows] == sorted(row.sla_due_at for row in page.rows)
    reasons = list(
        AuditEvent.objects.filter(store_id=store.pk, verb="conversation.assigned").values_list("reason", flat=True)
    )
    assert any(reason.startswith("assigned to ") for reason in reasons)
    sources = set(CallbackTask.objects.filter(store=store).values_list("source", flat=True))
    assert {"widget", "ivr"} <= sources and sources <= {"widget", "ivr", "missed_call"}
