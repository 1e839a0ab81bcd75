"""The SLA settings page (policies and business hours: agents read, admins edit through the
actions) and the agent's status switch in the top bar."""

from __future__ import annotations

import pytest
from django.urls import reverse

from storedesk.automation.models import AgentProfile, BusinessHours, SlaPolicy
from storedesk.core.models import AuditEvent
from tests.automation.factories import BusinessHoursFactory, SlaPolicyFactory


@pytest.fixture(autouse=True)
def no_recompute(monkeypatch):
    """Saving hours or policies recomputes running SLA clocks after commit; not under test here."""
    monkeypatch.setattr("storedesk.automation.tasks.recompute_store_sla", lambda store_id: None)


def test_an_agent_reads_policies_and_hours_without_forms(client, acme, ana):
    SlaPolicyFactory(store=acme, name="Chat <5 min>", channels=["chat"], first_response_s=300, position=1)
    BusinessHoursFactory(
        store=acme, week={"mon": [["09:00", "12:30"], ["13:30", "17:00"]]}, holidays=[{"date": "2026-12-25"}]
    )
    client.force_login(ana)
    response = client.get(reverse("sla_settings"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chat &lt;5 min&gt;" in html and "<td>5 min / — / —</td>" in html
    assert 'value="09:00-12:30, 13:30-17:00"' in html and "2026-12-25" in html
    assert "<fieldset disabled>" in html and 'data-testid="new-policy"' not in html


def test_an_admin_saves_business_hours_from_text(client, acme, olivia):
    client.force_login(olivia)
    response = client.post(
        reverse("business_hours_save"),
        {"store": "acme", "timezone": "Europe/London", "week_mon": "09:00-12:30, 13:30-17:00", "week_sat": "10:00–14:00",
         "holidays": "2026-12-25\n2026-12-24 09:00-13:00"},
    )  # fmt: skip
    assert response.status_code == 302
    hours = BusinessHours.objects.get(store=acme, team__isnull=True)
    assert hours.week == {"mon": [["09:00", "12:30"], ["13:30", "17:00"]], "sat": [["10:00", "14:00"]]}
    assert hours.holidays == [{"date": "2026-12-24", "open": [["09:00", "13:00"]]}, {"date": "2026-12-25"}]
    assert AuditEvent.objects.filter(verb="business_hours.saved", actor=olivia).count() == 1


def test_bad_hours_are_refused_with_a_message(client, acme, olivia):
    client.force_login(olivia)
    response = client.post(reverse("business_hours_save"), {"store": "acme", "week_mon": "nine to five"}, follow=True)
    assert "Write hours as 09:00-17:00" in response.content.decode()
    assert not BusinessHours.objects.exists()


def test_a_lead_cannot_change_hours_or_policies(client, acme, leo):
    policy = SlaPolicyFactory(store=acme, name="Email")
    client.force_login(leo)
    assert client.post(reverse("business_hours_save"), {"store": "acme", "week_mon": "09:00-17:00"}).status_code == 403
    assert client.get(reverse("sla_policy_new"), {"store": "acme"}).status_code == 403
    assert client.post(reverse("sla_policy_delete", args=[policy.pk]), {"store": "acme"}).status_code == 403
    assert not BusinessHours.objects.exists() and SlaPolicy.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_an_admin_adds_edits_and_deletes_a_policy(client, acme, olivia):
    client.force_login(olivia)
    response = client.post(
        reverse("sla_policy_new") + "?store=acme",
        {"store": "acme", "name": "VIP chat", "position": "5", "is_active": "on", "channels": ["chat"],
         "customer_tier": "vip", "tags": "refund, vip", "first_response_min": "2", "time_basis": "calendar",
         "warn_before_pct": "25", "escalate_priority": "3", "notify_leads": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    policy = SlaPolicy.objects.get()
    assert (policy.name, policy.channels, policy.customer_tier, policy.tags, policy.first_response_s) == (
        "VIP chat", ["chat"], "vip", ["refund", "vip"], 120
    )  # fmt: skip
    assert (policy.time_basis, policy.warn_before_pct, policy.escalate_priority, policy.notify_leads) == (
        "calendar",
        25,
        3,
        True,
    )
    form = client.get(reverse("sla_policy_edit", args=[policy.pk]), {"store": "acme"}).content.decode()
    assert 'value="VIP chat"' in form and 'name="first_response_min" value="2"' in form
    client.post(
        reverse("sla_policy_edit", args=[policy.pk]),
        {"store": "acme", "name": "VIP chat", "position": "5", "channels": ["chat"], "customer_tier": "vip", "time_basis": "calendar",
         "first_response_min": "3"},
    )  # fmt: skip
    policy.refresh_from_db()
    assert (policy.first_response_s, policy.is_active) == (180, False)
    assert client.post(reverse("sla_policy_delete", args=[policy.pk]), {"store": "acme"}).status_code == 302
    assert not SlaPolicy.objects.exists()


def test_a_bad_policy_is_refused_and_nothing_saved(client, acme, olivia):
    client.force_login(olivia)
    response = client.post(
        reverse("sla_policy_new"),
        {"store": "acme", "name": "", "time_basis": "calendar", "channels": ["chat"], "first_response_min": "5"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and "A policy needs a name." in html
    # The form comes back as posted.
    assert 'value="chat" checked' in html and 'name="first_response_min" value="5"' in html
    assert not SlaPolicy.objects.exists()


def test_another_stores_policy_is_not_found(client, acme, globex, gus):
    policy = SlaPolicyFactory(store=acme)
    client.force_login(gus)
    assert client.get(reverse("sla_settings"), {"store": "acme"}).status_code == 404
    assert client.post(reverse("sla_policy_delete", args=[policy.pk]), {"store": "acme"}).status_code == 404
    assert SlaPolicy.objects.count() == 1


def test_an_agent_switches_their_own_status(client, acme, ana):
    client.force_login(ana)
    fragment = client.get(reverse("agent_status")).content.decode()
    assert 'data-testid="agent-status"' in fragment and '<option value="offline" selected>' in fragment
    response = client.post(reverse("agent_status"), {"status": "online"}, HTTP_HX_REQUEST="true")
    assert '<option value="online" selected>' in response.content.decode()
    assert AgentProfile.objects.get(store=acme, user=ana).status == "online"
    assert client.post(reverse("agent_status"), {"status": "asleep"}).status_code == 400
    assert AgentProfile.objects.get(store=acme, user=ana).status == "online"
