"""The goodwill budget: what was given away per kind and per agent over a period, against the
store's budget. One grouped SQL query; only remedies that were (or are being) carried out count.
Also: return reasons by product (`return_reasons`) and what was given per playbook
situation, by agent (`remedy_consistency`).

The budget is `store.settings["remedy_budget_monthly"]` (a decimal string in the store's
currency); the period is a calendar month in the store's time zone unless asked otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Sum
from django.utils import timezone

from storedesk.commerce.authority import store_currency
from storedesk.commerce.lib.money import MoneyError, to_minor
from storedesk.commerce.models import Remedy, ReturnLine, ReturnRequest
from storedesk.core.models import Store, User

GIVEN = (Remedy.State.QUEUED, Remedy.State.PROCESSING, Remedy.State.SUCCEEDED)


@dataclass
class AgentTotal:
    agent_id: int | None
    name: str
    total: int
    count: int
    by_kind: dict[str, int] = field(default_factory=dict)


@dataclass
class Budget:
    since: datetime
    until: datetime
    currency: str
    total: int  # in `currency`
    count: int
    by_kind: dict[str, int]
    by_agent: list[AgentTotal]
    budget: int | None  # the period's budget, if the store set one
    other_currencies: dict[str, int]  # remedies on orders in other currencies, not in `total`

    @property
    def used_percent(self) -> int | None:
        return None if not self.budget else round(100 * self.total / self.budget)


def month_bounds(store: Store, now: datetime | None = None) -> tuple[datetime, datetime]:
    try:
        zone = ZoneInfo(store.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    local = timezone.localtime(now or timezone.now(), zone)
    first = local.date().replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
    )
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(following, time.min, tzinfo=zone)


def remedy_budget(store: Store, since: datetime | None = None, until: datetime | None = None) -> Budget:
    if since is None or until is None:
        since, until = month_bounds(store)
    currency = store_currency(store)
    rows = (
        Remedy.objects.filter(store=store, state__in=GIVEN, created_at__gte=since, created_at__lt=until)
        .values("authorized_by", "kind", "currency")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )
    by_kind: dict[str, int] = {}
    agents: dict[int | None, AgentTotal] = {}
    other: dict[str, int] = {}
    total = count = 0
    for row in rows:
        amount = int(row["total"] or 0)
        if row["currency"] != currency:
            other[row["currency"]] = other.get(row["currency"], 0) + amount
            continue
        total += amount
        count += row["n"]
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + amount
        agent = agents.setdefault(row["authorized_by"], AgentTotal(row["authorized_by"], "", 0, 0))
        agent.total += amount
        agent.count += row["n"]
        agent.by_kind[row["kind"]] = agent.by_kind.get(row["kind"], 0) + amount
    names = {u.pk: u.name for u in User.objects.filter(pk__in=[k for k in agents if k is not None])}
    for agent_id, agent in agents.items():
        agent.name = names.get(agent_id, "a former agent") if agent_id is not None else "system"
    configured = store.settings.get("remedy_budget_monthly")
    try:
        budget = to_minor(Decimal(str(configured)), currency, rounding=True) if configured else None
    except MoneyError:
        budget = None
    return Budget(
        since=since,
        until=until,
        currency=currency,
        total=total,
        count=count,
        by_kind=by_kind,
        by_agent=sorted(agents.values(), key=lambda a: (-a.total, a.name)),
        budget=budget,
        other_currencies=other,
    )


@dataclass
class ReasonRow:
    title: str  # the product as the order line names it
    sku: str
    reason: str  # ReturnReason
    quantity: int  # items returned for this reason
    returns: int  # returns they came in


def return_reasons(store: Store, since: datetime | None = None, until: datetime | None = None) -> list[ReasonRow]:
    """Why products come back: items returned per product and reason over a period (default:
    this month, store time), most returned first. One grouped query; rejected returns left out."""
    if since is None or until is None:
        since, until = month_bounds(store)
    rows = (
        ReturnLine.objects.filter(
            store=store, return_request__created_at__gte=since, return_request__created_at__lt=until
        )  # return_store_created_idx
        .exclude(return_request__state=ReturnRequest.State.REJECTED)
        .values("order_line__title", "order_line__sku", "reason")
        .annotate(quantity=Sum("quantity"), returns=Count("return_request", distinct=True))
        .order_by("-quantity", "order_line__title", "reason")
    )
    return [
        ReasonRow(
            title=row["order_line__title"],
            sku=row["order_line__sku"],
            reason=row["reason"],
            quantity=int(row["quantity"] or 0),
            returns=row["returns"],
        )
        for row in rows
    ]


@dataclass
class ConsistencyRow:
    situation: str
    agent_id: int | None  # who authorised it
    name: str
    kind: str
    currency: str
    count: int
    total: int  # minor units of `currency`


def remedy_consistency(
    store: Store, since: datetime | None = None, until: datetime | None = None
) -> list[ConsistencyRow]:
    """For each playbook situation (remedies issued with one), what each agent gave: kind,
    how often, how much. Same situation, different remedies = an inconsistency to look at.
    One grouped query (remedy_store_created_idx); given remedies only."""
    if since is None or until is None:
        since, until = month_bounds(store)
    rows = list(
        Remedy.objects.filter(store=store, state__in=GIVEN, created_at__gte=since, created_at__lt=until)
        .exclude(situation="")
        .values("situation", "authorized_by", "kind", "currency")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by("situation", "authorized_by", "kind", "currency")
    )
    names = {u.pk: u.name for u in User.objects.filter(pk__in={r["authorized_by"] for r in rows} - {None})}
    return [
        ConsistencyRow(
            situation=row["situation"],
            agent_id=row["authorized_by"],
            name=names.get(row["authorized_by"], "a former agent") if row["authorized_by"] else "system",
            kind=row["kind"],
            currency=row["currency"],
            count=row["n"],
            total=int(row["total"] or 0),
        )
        for row in rows
    ]
