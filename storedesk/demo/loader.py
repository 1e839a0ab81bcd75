"""Load the demo stores. Idempotent: if the demo store exists, nothing changes.

Everything is written through the actions layer, as an agent or a customer would, so the
demo exercises the same code as real traffic (audit rows, previews, counters). The one
exception is the final backdating pass: actions stamp rows with "now", and a demo where every
conversation arrived in the last second shows nothing useful, so `_backdate` spreads each
conversation's timestamps over the past weeks with plain UPDATEs. It is the only direct write.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from storedesk.conversations import actions as conv
from storedesk.conversations.models import Channel, Conversation, Customer, Identity, Message, Priority, Status
from storedesk.core import actions as core
from storedesk.core.models import Role, Store, User
from storedesk.demo import content
from storedesk.web.queries import DEMO_LOGINS, DEMO_PASSWORD

SEED = 20261122
DEMO_SLUG = "demo"
SECOND_SLUG = "demo-home"

CHANNEL_WEIGHTS = [(Channel.EMAIL, 55), (Channel.CHAT, 25), (Channel.SOCIAL, 10), (Channel.PHONE, 5), (Channel.SMS, 5)]
STATUS_WEIGHTS = [(Status.OPEN, 35), (Status.PENDING, 15), (Status.SNOOZED, 5), (Status.RESOLVED, 45)]


@dataclass
class DemoSummary:
    created: bool
    stores: list[str] = field(default_factory=list)
    customers: int = 0
    conversations: int = 0
    messages: int = 0


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in weighted], weights=[w for _, w in weighted])[0]


def load_demo(*, customers: int = 300, conversations: int = 200) -> DemoSummary:
    """Create the demo stores unless they exist. Returns what was (or already is) there."""
    if Store.objects.filter(slug=DEMO_SLUG).exists():
        return _summary(created=False)
    rng = random.Random(SEED)
    with transaction.atomic():
        owner, lead, agent, others = _people()
        main = core.do_create_store(
            slug=DEMO_SLUG,
            name="Northwind Outfitters",
            timezone="Europe/London",
            support_email="support@northwind.demo.test",
            from_name="Northwind Outfitters Support",
            website_url="https://northwind.demo.test",
        )
        second = core.do_create_store(
            slug=SECOND_SLUG,
            name="Harbor Home",
            timezone="America/New_York",
            support_email="help@harbor.demo.test",
            from_name="Harbor Home",
            website_url="https://harbor.demo.test",
        )
        staff = [(owner, Role.ADMIN), (lead, Role.LEAD), (agent, Role.AGENT)] + [(u, Role.AGENT) for u in others]
        for user, role in staff:
            core.do_add_agent(None, main, email=user.email, role=role)
        for user, role in staff[:3]:
            core.do_add_agent(None, second, email=user.email, role=role)
        core.do_create_team(None, main, "Front line", members=[agent, *others])
        core.do_create_team(None, main, "Social", members=[lead, others[0]])
        for name, color in content.TAGS:
            conv.do_create_tag(None, main, name, color)
        for name, body, macro_actions in content.MACROS:
            conv.do_save_macro(owner, main, name=name, body=body, actions=dict(macro_actions))

        # The main store gets the documented volume; the second, a tenth of it, shows that
        # one install serves several stores (switching, scoping).
        main_customers = _customers(rng, main, customers)
        second_customers = _customers(rng, second, max(customers // 10, 1))
        agents_main = [owner, lead, agent, *others]
        for i in range(conversations):
            _conversation(rng, main, rng.choice(main_customers), agents_main, lead, index=i)
        for i in range(max(conversations // 10, 1)):
            _conversation(rng, second, rng.choice(second_customers), [owner, lead, agent], lead, index=i)
        # Orders for the demo customers, from the built-in demo store provider (storedesk.commerce).
        from storedesk.commerce.demo import load_demo_orders

        load_demo_orders(main)
        load_demo_orders(second)
        # Hours, SLA policies, agent profiles, routing; due times and breaches in the inbox.
        from storedesk.automation.demo import load_demo_responsiveness

        load_demo_responsiveness(main, lead=lead, agents=[agent, *others])
        # The chat bot on for the main store, with its help articles (storedesk.automation.bot).
        from storedesk.automation.bot.demo import load_demo_bot

        load_demo_bot(main)
        # New email to the main store is acknowledged with the expected wait (channels.email.autoack).
        from storedesk.channels.email.demo import load_demo_email

        load_demo_email(main)
    return _summary(created=True)


def _people() -> tuple[User, User, User, list[User]]:
    names = {"owner@demo.test": "Olga Owner", "lead@demo.test": "Lee Lead", "agent@demo.test": "Ana Agent"}
    logins = []
    for email in DEMO_LOGINS:
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=DEMO_PASSWORD, display_name=names[email]
        )
        logins.append(user)
    # More agents so the inbox shows several assignees; they have no password (cannot log in).
    others = [
        User.objects.filter(email=email).first() or User.objects.create_user(email=email, display_name=name)
        for email, name in [("sam@demo.test", "Sam Support"), ("mia@demo.test", "Mia Moreau")]
    ]
    return logins[0], logins[1], logins[2], others


def _customers(rng: random.Random, store: Store, count: int) -> list[Customer]:
    made: list[Customer] = []
    seen: set[str] = set()
    while len(made) < count:
        first, last = rng.choice(content.FIRST_NAMES), rng.choice(content.LAST_NAMES)
        email = f"{first}.{last}{rng.randint(1, 999)}@{rng.choice(content.EMAIL_DOMAINS)}"
        email = email.lower().replace("'", "").replace("é", "e").replace("á", "a")
        if email in seen:
            continue
        seen.add(email)
        identities = [(Identity.Kind.EMAIL, email)]
        if rng.random() < 0.35:
            identities.append((Identity.Kind.PHONE, f"+44 7700 9{rng.randint(0, 99999):05d}"))
        customer = conv.do_create_customer(store, name=f"{first} {last}", identities=identities)
        if rng.random() < 0.06:
            conv.do_update_customer(None, customer, vip=True, notes="VIP: prefers a direct approach.")
        made.append(customer)
    return made


def _conversation(
    rng: random.Random, store: Store, customer: Customer, agents: list[User], lead: User, *, index: int
) -> Conversation:
    tag, subject, opening, answer, follow_up = rng.choice(content.TOPICS)
    fill = {
        "order": str(rng.randint(10400, 19999)),
        "product": rng.choice(content.PRODUCTS),
        "first_name": customer.name.split(" ")[0],
    }
    channel = _pick(rng, CHANNEL_WEIGHTS)
    status = _pick(rng, STATUS_WEIGHTS)
    conversation = conv.do_create_conversation(
        store=store,
        customer=customer,
        channel=channel,
        subject=subject.format(**fill) if channel == Channel.EMAIL or rng.random() < 0.5 else "",
        body_text=opening.format(**fill),
        priority=Priority.HIGH if tag in ("complaint", "payment") else Priority.NORMAL,
    )
    assignee = None if (status == Status.OPEN and rng.random() < 0.3) else rng.choice(agents)
    if assignee is not None:
        conv.do_assign(None, conversation, assignee=assignee)
    conv.do_tag(None, conversation, add=[tag] + (["vip"] if customer.vip else []))
    replier = assignee or rng.choice(agents)
    if answer and (status != Status.OPEN or rng.random() < 0.4):
        conv.do_reply(replier, conversation, body_text=answer.format(**fill))
        if follow_up and rng.random() < 0.7:
            conv.do_receive_message(conversation, body_text=follow_up.format(**fill))
    elif not answer and rng.random() < 0.5:
        conv.do_add_note(replier, conversation, body_text=rng.choice(content.NOTES), mentions=[lead])
    if tag == "complaint":
        conv.do_set_priority(None, conversation, Priority.URGENT if rng.random() < 0.4 else Priority.HIGH)
    if status == Status.SNOOZED:
        conv.do_snooze(None, conversation, timezone.now() + timedelta(hours=rng.randint(2, 72)))
    elif status != Status.OPEN:
        conv.do_set_status(None, conversation, status)
    _backdate(rng, conversation, index)
    return conversation


def _backdate(rng: random.Random, conversation: Conversation, index: int) -> None:
    """Spread the conversation's messages over the past: open work is recent, resolved older."""
    now = timezone.now()
    # The actions lock and change a fresh copy of the row: read the status it ended with.
    status = Conversation.objects.values_list("status", flat=True).get(pk=conversation.pk)
    recent = status in (Status.OPEN, Status.PENDING)
    start = now - timedelta(minutes=rng.randint(20, 60 * 36) if recent else rng.randint(60 * 24, 60 * 24 * 40))
    messages = list(Message.objects.filter(conversation=conversation).order_by("id"))
    when = start
    stamps: dict[str, object] = {"created_at": start}
    first_response = last_customer = last_agent = None
    for message in messages:
        Message.objects.filter(pk=message.pk).update(created_at=when)
        if message.direction == Message.Direction.INBOUND:
            last_customer = when
        elif message.direction == Message.Direction.OUTBOUND:
            last_agent = when
            first_response = first_response or when
        last = when
        when = min(when + timedelta(minutes=rng.randint(5, 60 * 8)), now - timedelta(minutes=1))
    stamps.update(
        updated_at=last,
        last_message_at=last,
        first_response_at=first_response,
        last_customer_message_at=last_customer,
        last_agent_message_at=last_agent,
    )
    if conversation.status == Status.RESOLVED:
        stamps["resolved_at"] = last + timedelta(minutes=rng.randint(1, 30))
    Conversation.objects.filter(pk=conversation.pk).update(**stamps)


def _summary(*, created: bool) -> DemoSummary:
    """Counts for the main demo store (the one the README describes)."""
    stores = list(Store.objects.filter(slug__in=[DEMO_SLUG, SECOND_SLUG]).order_by("pk"))
    ids = [store.pk for store in stores if store.slug == DEMO_SLUG]
    return DemoSummary(
        created=created,
        stores=[store.name for store in stores],
        customers=Customer.objects.filter(store_id__in=ids).count(),
        conversations=Conversation.objects.filter(store_id__in=ids).count(),
        messages=Message.objects.filter(store_id__in=ids).count(),
    )
