"""Remedy playbooks: the store's policy for common situations, suggested beside the order so
that two customers with the same problem get the same remedy.

A situation is read from the cached order (prefetched fulfilments and returns; no queries):
  late_delivery   delivered (or still not delivered) N days after the promised date
  missing_parcel  a shipment failed, or is still in transit 10+ days after the promised date
  damaged         a return on the order says the item arrived damaged
  wrong_item      a return says the wrong item was sent

Playbooks are `store.settings["remedy_playbooks"]` (a list like DEFAULT_PLAYBOOKS), else the
defaults. A suggested remedy is issued through the normal remedy flow (the authority matrix
applies) and records its `situation`, which the consistency report groups by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from storedesk.commerce.models import Fulfillment, Order, RemedyKind, ReturnRequest
from storedesk.core.models import Store

SITUATIONS = {
    "late_delivery": "Late delivery",
    "missing_parcel": "Missing parcel",
    "damaged": "Damaged item",
    "wrong_item": "Wrong item",
}
MISSING_AFTER_DAYS = 10

# kind: a remedy kind; percent: of the order's total (money kinds); min_days: late_delivery only.
DEFAULT_PLAYBOOKS: list[dict[str, Any]] = [
    {"situation": "late_delivery", "min_days": 5, "kind": "goodwill", "percent": 10},
    {"situation": "late_delivery", "min_days": 10, "kind": "goodwill", "percent": 20},
    {"situation": "missing_parcel", "kind": "replacement"},
    {"situation": "damaged", "kind": "replacement"},
    {"situation": "wrong_item", "kind": "replacement"},
]


@dataclass(frozen=True)
class Suggestion:
    situation: str
    kind: str  # a RemedyKind
    amount: int | None  # minor units of the order's currency (money kinds), else None
    why: str  # "6 days late"
    label: str  # "Late delivery: 10% goodwill gesture"


def days_late(order: Order, now: datetime) -> int | None:
    """Whole days past the promised date (delivered late, or still on its way); None if on time."""
    if order.promised_by is None or order.cancelled_at:
        return None
    shipments = [f for f in order.fulfillments.all() if f.status != Fulfillment.Status.CANCELLED]
    delivered = [f.delivered_at for f in shipments if f.delivered_at]
    arrived = max(delivered) if shipments and len(delivered) == len(shipments) else now
    late = (arrived - order.promised_by).days
    return late if late > 0 else None


def situations_of(order: Order, now: datetime) -> dict[str, str]:
    """situation → why, from the prefetched fulfilments and returns."""
    found: dict[str, str] = {}
    late = days_late(order, now)
    if late:
        found["late_delivery"] = f"{late} day{'s' if late != 1 else ''} late"
    shipments = list(order.fulfillments.all())
    if any(f.status == Fulfillment.Status.FAILED for f in shipments):
        found["missing_parcel"] = "the carrier could not deliver it"
    elif late and late >= MISSING_AFTER_DAYS and not any(f.delivered_at for f in shipments) and shipments:
        found["missing_parcel"] = f"still in transit {late} days after the promised date"
    for ret in order.returns.all():
        if ret.state != ReturnRequest.State.REJECTED and ret.reason in ("damaged", "wrong_item"):
            found.setdefault(ret.reason, f"return {ret.rma}")
    return found


def playbooks_of(store: Store) -> list[dict[str, Any]]:
    configured = store.settings.get("remedy_playbooks")
    return configured if isinstance(configured, list) else DEFAULT_PLAYBOOKS


def suggest(order: Order, store: Store, now: datetime) -> list[Suggestion]:
    """What the store's playbooks recommend for this order now (at most one per situation:
    for lateness, the rule with the highest `min_days` reached)."""
    found = situations_of(order, now)
    late = days_late(order, now) or 0
    best: dict[str, dict[str, Any]] = {}
    for rule in playbooks_of(store):
        situation = rule.get("situation")
        if situation not in found or not rule.get("kind"):
            continue
        if situation == "late_delivery" and late < int(rule.get("min_days", 1)):
            continue
        current = best.get(situation)
        if current is None or int(rule.get("min_days", 0)) > int(current.get("min_days", 0)):
            best[situation] = rule
    out = []
    for situation, rule in best.items():
        kind = str(rule["kind"])
        percent = rule.get("percent")
        amount = (
            int((Decimal(order.total) * Decimal(str(percent)) / 100).quantize(Decimal(1), ROUND_HALF_UP))
            if percent
            else None
        )
        what = f"{percent}% {_kind_label(kind)}" if percent else _kind_label(kind)
        out.append(
            Suggestion(
                situation=situation,
                kind=kind,
                amount=amount,
                why=found[situation],
                label=f"{SITUATIONS[situation]}: {what}",
            )
        )
    return out


def _kind_label(kind: str) -> str:
    return str(RemedyKind(kind).label).lower() if kind in RemedyKind.values else kind
