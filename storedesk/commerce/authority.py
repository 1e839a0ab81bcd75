"""The authority matrix: what each role (or one agent) may give away without asking.

For a (store, agent, kind of remedy) the limits come from, in order: the agent's own
`AuthorityRule` row, their role's row, then `DEFAULTS` below. A remedy is *within authority*
when the kind is allowed, its amount is at most `max_per_action`, and the agent's total of that
kind today (their store's local day) plus this amount is at most `max_per_day`. Within
authority it just happens; above it, it waits for a lead's approval; not allowed at all, it is
refused.

Limits are in the store's currency (`store_currency`). A remedy on an order in another
currency cannot be compared without exchange rates, so it is within authority only where the
limits are unlimited (admins by default); otherwise it goes to approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from storedesk.commerce.lib.money import format_money, to_minor
from storedesk.commerce.models import AuthorityRule, Remedy, RemedyKind, StoreConnection
from storedesk.core import audit
from storedesk.core.access import check_permission, roles_for
from storedesk.core.errors import ActionError
from storedesk.core.models import Role, Store, User

DEFAULT_CURRENCY = "USD"

# role → kind → (allowed, max per action, max per day), in major units of the store currency;
# None means no limit. Admins are unlimited. Stores change these with AuthorityRule rows.
DEFAULTS: dict[str, dict[str, tuple[bool, str | None, str | None]]] = {
    Role.AGENT: {
        RemedyKind.REFUND: (True, "50", "200"),
        RemedyKind.GOODWILL: (True, "20", "60"),
        RemedyKind.DISCOUNT_CODE: (True, "20", "100"),
        RemedyKind.STORE_CREDIT: (True, "25", "100"),
        RemedyKind.REPLACEMENT: (True, "75", "200"),
        RemedyKind.CANCEL: (True, "150", "500"),
        RemedyKind.ADDRESS_CHANGE: (True, None, None),
    },
    Role.LEAD: {
        RemedyKind.REFUND: (True, "500", "3000"),
        RemedyKind.GOODWILL: (True, "100", "500"),
        RemedyKind.DISCOUNT_CODE: (True, "100", "500"),
        RemedyKind.STORE_CREDIT: (True, "200", "1000"),
        RemedyKind.REPLACEMENT: (True, "500", "2000"),
        RemedyKind.CANCEL: (True, "1000", "5000"),
        RemedyKind.ADDRESS_CHANGE: (True, None, None),
    },
    Role.ADMIN: {kind: (True, None, None) for kind in RemedyKind.values},
}


def store_currency(store: Store) -> str:
    """The currency limits and budgets are kept in: the store's setting, else its platform's."""
    configured = store.settings.get("currency")
    if configured:
        return str(configured).upper()
    for config in StoreConnection.objects.filter(store=store).values_list("config", flat=True):
        if isinstance(config, dict) and config.get("currency"):
            return str(config["currency"]).upper()
    return DEFAULT_CURRENCY


@dataclass(frozen=True)
class Limits:
    allowed: bool
    max_per_action: int | None  # minor units of `currency`
    max_per_day: int | None
    currency: str
    source: str  # "agent", "role" or "default"


def _limits(rule: AuthorityRule | None, role: str, kind: str, currency: str) -> Limits:
    if rule is not None:
        return Limits(
            rule.allowed, rule.max_per_action, rule.max_per_day, currency, "agent" if rule.user_id else "role"
        )
    allowed, per_action, per_day = DEFAULTS[Role(role)].get(kind, (False, "0", "0"))
    return Limits(
        allowed,
        to_minor(per_action, currency, rounding=True) if per_action is not None else None,
        to_minor(per_day, currency, rounding=True) if per_day is not None else None,
        currency,
        "default",
    )


def limits_for(user: User, store: Store, kind: str, currency: str | None = None) -> Limits:
    """The agent's limits for `kind`: their own rule, else their role's, else the defaults."""
    currency = currency or store_currency(store)
    role = roles_for(user).get(store.pk)
    if role is None:
        return Limits(False, 0, 0, currency, "default")
    rows = AuthorityRule.objects.filter(store=store, kind=kind).filter(Q(user=user) | Q(user__isnull=True, role=role))
    rule = min(rows, key=lambda r: 0 if r.user_id else 1, default=None)  # the agent's own row wins
    return _limits(rule, role, kind, currency)


def matrix(store: Store) -> tuple[dict[str, dict[str, Limits]], list[AuthorityRule]]:
    """role → kind → limits in effect, and the per-agent rules (with their users), in two queries."""
    currency = store_currency(store)
    rules = list(AuthorityRule.objects.filter(store=store).select_related("user").order_by("kind", "id"))
    by_role = {(r.role, r.kind): r for r in rules if r.user_id is None}
    table = {
        role: {kind: _limits(by_role.get((role, kind)), role, kind, currency) for kind in RemedyKind.values}
        for role in Role.values
    }
    return table, [r for r in rules if r.user_id is not None]


def day_start(store: Store, now: datetime | None = None) -> datetime:
    """Midnight of today in the store's time zone (daily limits reset then)."""
    try:
        zone = ZoneInfo(store.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    local = timezone.localtime(now or timezone.now(), zone)
    return datetime.combine(local.date(), time.min, tzinfo=zone)


def spent_today(user: User, store: Store, kind: str, now: datetime | None = None) -> int:
    """What `user` authorised of `kind` today: remedies they covered that were not denied,
    did not expire and did not fail (serves remedy_authority_idx)."""
    total = Remedy.objects.filter(
        store=store,
        authorized_by=user,
        kind=kind,
        created_at__gte=day_start(store, now),
        state__in=[Remedy.State.QUEUED, Remedy.State.PROCESSING, Remedy.State.SUCCEEDED],
    ).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


@dataclass(frozen=True)
class Decision:
    allowed: bool  # may do this kind of remedy at all
    within: bool  # … and this amount, today, without asking
    why: str  # when not within: which limit, in words
    limits: Limits


def decide(user: User, store: Store, kind: str, amount: int, currency: str) -> Decision:
    limits = limits_for(user, store, kind)
    label = RemedyKind(kind).label.lower()
    if not limits.allowed:
        return Decision(False, False, f"{user.name} may not issue a {label}.", limits)
    unlimited = limits.max_per_action is None and limits.max_per_day is None
    if currency.upper() != limits.currency and not unlimited and amount:
        return Decision(True, False, f"The order is in {currency}, limits are in {limits.currency}.", limits)
    if limits.max_per_action is not None and amount > limits.max_per_action:
        cap = format_money(limits.max_per_action, limits.currency)
        return Decision(True, False, f"Above {user.name}'s limit of {cap} per {label}.", limits)
    if limits.max_per_day is not None and amount:
        spent = spent_today(user, store, kind)
        if spent + amount > limits.max_per_day:
            cap = format_money(limits.max_per_day, limits.currency)
            done = format_money(spent, limits.currency)
            return Decision(True, False, f"Above {user.name}'s daily limit of {cap} ({done} given today).", limits)
    return Decision(True, True, "", limits)


# --- the writer of AuthorityRule rows ------------------------------------------------------------


def do_set_authority_rule(
    actor: User | None,
    store: Store,
    kind: str,
    *,
    role: str = "",
    user: User | None = None,
    allowed: bool = True,
    max_per_action: int | None = None,
    max_per_day: int | None = None,
) -> AuthorityRule:
    """Set what a role (or one agent) may give of `kind` (admins only). Limits in minor units
    of the store currency; None is no limit."""
    if actor is not None:
        check_permission(actor, store.pk, "authority.manage")
    if kind not in RemedyKind.values:
        raise ActionError(f"Unknown remedy {kind!r}.", code="invalid_kind")
    if bool(role) == (user is not None):
        raise ActionError("Give a role or an agent, not both.", code="invalid_rule")
    if role and role not in Role.values:
        raise ActionError(f"Unknown role {role!r}.", code="invalid_role")
    if user is not None and store.pk not in roles_for(user):
        raise ActionError(f"{user.email} is not an agent of this store.", code="invalid_agent")
    for limit in (max_per_action, max_per_day):
        if limit is not None and limit < 0:
            raise ActionError("Limits cannot be negative.", code="invalid_limit")
    with transaction.atomic():
        lookup = {"store": store, "kind": kind, "user": user, "role": role}
        rule = AuthorityRule.objects.select_for_update().filter(**lookup).first()
        before = (
            {"allowed": rule.allowed, "max_per_action": rule.max_per_action, "max_per_day": rule.max_per_day}
            if rule
            else {}
        )
        values = {"allowed": allowed, "max_per_action": max_per_action, "max_per_day": max_per_day}
        if rule is None:
            rule = AuthorityRule.objects.create(**lookup, **values, updated_at=timezone.now())
        else:
            for key, value in values.items():
                setattr(rule, key, value)
            rule.updated_at = timezone.now()
            rule.save(update_fields=[*values, "updated_at"])
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="authority.changed",
            obj=rule,
            before=before,
            after={"kind": kind, "role": role, "user": user.email if user else None, **values},
        )
    return rule
