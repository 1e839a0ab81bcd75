"""The demo store's responsiveness set-up (called by `storedesk demo`, storedesk/demo/loader.py):
business hours, SLA policies (email 24 h, chat 5 min, VIP tighter), agent profiles with
skills, a routing rule and routing on; then the SLA applied to the demo conversations (so the
inbox shows due times and breaches) and a few unassigned conversations routed (so the audit
log shows routing decisions with their reasons).

Everything goes through the actions, except one thing the demo's backdating needs: the demo
conversations were created "now" and their messages moved into the past afterwards, so their
SLA rows (started "now") are dropped and made again from the backdated messages.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from storedesk.automation import actions
from storedesk.automation.actions.callbacks import do_receive_voice_event, do_request_callback, do_store_voice_event
from storedesk.automation.actions.routing import do_save_routing_rule, do_set_routing
from storedesk.automation.models import AgentStatus, ConversationSla, CustomerTier, TimeBasis
from storedesk.conversations.models import Conversation, Customer, Identity, Status
from storedesk.core.models import Store, Team, User

H = 3600
WEEK = {day: [["08:00", "20:00"]] for day in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [["10:00", "16:00"]]}
HOLIDAYS: list[dict[str, Any]] = [
    {"date": "2026-12-25"},
    {"date": "2026-12-26"},
    {"date": "2026-12-24", "open": [["08:00", "13:00"]]},
]
ROUTED = 5  # unassigned open conversations routed at the end


def load_demo_responsiveness(store: Store, *, lead: User, agents: list[User]) -> dict[str, int]:
    """Set up hours, policies, profiles and routing in `store` and apply the SLA to its
    conversations. Returns counts for the summary (breached, routed)."""
    actions.do_save_business_hours(None, store, week=WEEK, holidays=HOLIDAYS, name="Support hours")
    actions.do_save_policy(
        None,
        store,
        name="VIP: first response within 1 h",
        position=10,
        customer_tier=CustomerTier.VIP,
        first_response_s=1 * H,
        next_response_s=2 * H,
        time_basis=TimeBasis.CALENDAR,
        escalate_priority=3,
    )
    actions.do_save_policy(
        None,
        store,
        name="Chat: first response within 5 min",
        position=20,
        channels=["chat"],
        first_response_s=300,
        next_response_s=300,
        time_basis=TimeBasis.BUSINESS,
    )
    actions.do_save_policy(
        None,
        store,
        name="Email: first response within 24 h",
        position=30,
        channels=["email"],
        first_response_s=24 * H,
        next_response_s=24 * H,
        time_basis=TimeBasis.CALENDAR,
    )
    skills = [["en", "fr"], ["en", "social"], ["fr", "vip"], ["de", "en"]]
    for n, user in enumerate([*agents, lead]):
        actions.do_save_agent_profile(
            None, store, user, skills=skills[n % len(skills)], capacity={"chat": 3, "email": 30}
        )
    social = Team.objects.filter(store=store, name="Social").first()
    do_save_routing_rule(
        None, store, name="Social goes to the Social team", position=10, channels=["social"], team=social,
        required_skills=["social"],
    )  # fmt: skip

    # The backdated conversations: their SLA from their (backdated) first customer message.
    ConversationSla.objects.filter(store=store).delete()
    for conversation in Conversation.objects.filter(store=store).order_by("id"):
        actions.do_apply_sla(conversation)
    checked = actions.do_check_sla()

    for user in agents:
        actions.do_set_agent_status(None, store, user, AgentStatus.ONLINE)
    do_set_routing(None, store, enabled=True)
    waiting = Conversation.objects.filter(store=store, status=Status.OPEN, assignee__isnull=True).filter(
        ~Q(channel="social")
    )
    routed = 0
    for conversation in waiting.order_by("id")[:ROUTED]:
        routed += actions.do_route(conversation).user_id is not None
    callbacks = _callbacks(store)
    # Workforce planning: imported contact history and shifts (automation/workforce/demo.py).
    from storedesk.automation.workforce.demo import load_demo_workforce

    workforce = load_demo_workforce(store, lead=lead, agents=agents)
    return {"breached": checked["breached"], "warned": checked["warned"], "routed": routed, "callbacks": callbacks,
            "shifts": workforce["shifts"]}  # fmt: skip


def _callbacks(store: Store) -> int:
    """Callbacks for demo customers who have a phone number: missed calls (through the voice
    webhook's processing) from those with an open phone conversation, and requests from the
    widget (with a preferred slot tomorrow morning) and the phone menu. No customer or
    conversation is added: the demo keeps its documented volume."""
    phones = dict(
        Identity.objects.filter(store=store, kind=Identity.Kind.PHONE)
        .order_by("customer_id")
        .values_list("customer_id", "value")
    )
    on_phone = list(
        Conversation.objects.filter(store=store, channel="phone", customer_id__in=list(phones))
        .exclude(status=Status.RESOLVED)
        .order_by("id")
        .values_list("customer_id", flat=True)[:2]
    )
    made = 0
    for n, customer_id in enumerate(dict.fromkeys(on_phone)):
        payload = {"CallSid": f"CADEMO{n}", "From": phones[customer_id], "To": "+44 20 7946 0000",
                   "CallStatus": "no-answer", "Direction": "inbound", "CallDuration": "0"}  # fmt: skip
        event, _ = do_store_voice_event(store, payload)
        made += do_receive_voice_event(event) is not None
    others = [customer_id for customer_id in phones if customer_id not in on_phone][:2]
    tomorrow = (timezone.now() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    requests = [("widget", "Sizing advice for a tent", [(tomorrow, tomorrow + timedelta(hours=2))]),
                ("ivr", "Pressed 2: order status", [])]  # fmt: skip
    for customer_id, (source, reason, slots) in zip(others, requests, strict=False):
        customer = Customer.objects.get(pk=customer_id)
        do_request_callback(
            store, phone=phones[customer_id], source=source, reason=reason, slots=slots, customer=customer
        )
        made += 1
    return made
