"""Remedies: refunds, cancellations, replacements, codes, credit, address changes, gestures.

Every remedy is one flow (docs/decisions/0009-remedies-money-moves.md):

1. **Request** (`do_request_remedy`), in one transaction: the order row is locked; the
   idempotency key is looked up (the same key returns the first result; the same key with a
   different request is a 409); amounts are computed and checked against what is left on
   the order, counting remedies still in flight; the agent's authority is decided (their
   membership row is locked so their daily total cannot be raced); the remedy row is written
   as the *intent* — `queued` within authority, `awaiting_approval` above it (with an
   `ApprovalRequest`) — with an audit event and a note on the conversation. Nothing has left
   Storedesk yet.
2. **Execute** (`execute_remedy`, a job enqueued on commit): the row is claimed with a
   compare-and-swap (`queued` → `processing`), the platform is called *outside* any
   transaction, and the outcome is recorded: `succeeded` (the order, its refunds, an audit
   event and a note updated together) or, on a passing failure, `queued` again with a retry
   time; on a refusal, or after MAX_ATTEMPTS, `failed` with the platform's words.
3. **Approve or deny** (`do_decide_approval`): a lead (never the requester) whose own limits
   cover it moves the remedy to `queued` (then 2.), or denies it with a reason. Requests
   expire (`expire_approvals`).

`sweep_due_remedies` re-enqueues remedies whose job was lost and releases ones whose worker
died mid-call (their retry is safe: providers find their own earlier write by its key).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from storedesk.commerce import authority
from storedesk.commerce.actions import record_refund
from storedesk.commerce.lib.money import format_money
from storedesk.commerce.models import (
    ApprovalRequest,
    Order,
    OrderLine,
    Remedy,
    RemedyKind,
    ReturnRequest,
    StoreConnection,
)
from storedesk.commerce.providers import ProviderError, provider_for
from storedesk.commerce.providers.base import ActionResult, OrderRef, RefundRequest
from storedesk.conversations.actions import do_add_note, do_add_system_note
from storedesk.conversations.models import Conversation
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError, Conflict, NotFound, PermissionDenied
from storedesk.core.models import Membership, User

log = logging.getLogger(__name__)

State = Remedy.State
MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=5)  # a processing remedy whose worker is silent this long is retried
DUPLICATE_WINDOW = timedelta(minutes=10)
APPROVAL_HOURS = 24  # store setting "approval_expiry_hours" overrides
MAX_AMOUNT = 10**12
REFUNDING = (RemedyKind.REFUND, RemedyKind.CANCEL, RemedyKind.GOODWILL)
REFUND_SCOPES = ("full", "partial", "lines", "shipping")
ADDRESS_FIELDS = ("name", "company", "address1", "address2", "city", "province", "zip", "country_code", "phone")


@dataclass(frozen=True)
class RemedyRequest:
    kind: str
    amount: int | None = None  # minor units of the order's currency; None: computed where it can be
    reason: str = ""
    scope: str = "partial"  # refunds: full | partial | lines | shipping
    lines: tuple[tuple[str, int], ...] = ()  # (line external id, quantity)
    address: dict[str, Any] | None = None
    restock: bool = False
    confirm_duplicate: bool = False  # issue it even though an identical one was just issued
    situation: str = ""  # the playbook situation it answers (playbooks.SITUATIONS), for the consistency report


@dataclass
class RemedyOutcome:
    remedy: Remedy
    created: bool  # False: this idempotency key was seen before and this is its first result
    notes: list[str] = field(default_factory=list)


# --- planning: what exactly, and how much ---------------------------------------------------


def committed_refunds(order: Order) -> int:
    """Money our remedies are still moving back on this order (not yet in order.refunded)."""
    total = Remedy.objects.filter(
        order=order, kind__in=REFUNDING, state__in=[State.AWAITING_APPROVAL, State.QUEUED, State.PROCESSING]
    ).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def refundable_left(order: Order) -> int:
    return max(order.paid - order.refunded - committed_refunds(order), 0)


def _lines(order: Order, wanted: tuple[tuple[str, int], ...]) -> list[tuple[OrderLine, int]]:
    if not wanted:
        raise ActionError("Choose at least one item.", code="lines_required")
    by_id = {line.external_id: line for line in order.lines.all()}
    chosen = []
    for external_id, quantity in wanted:
        line = by_id.get(str(external_id))
        if line is None:
            raise ActionError(f"Item {external_id} is not on order {order.name}.", code="invalid_line")
        available = line.quantity - line.refunded_quantity
        if quantity < 1 or quantity > available:
            raise ActionError(
                f"{line.title}: choose between 1 and {available} (of {line.quantity} ordered).", code="invalid_quantity"
            )
        chosen.append((line, quantity))
    return chosen


def _clean_address(address: dict[str, Any] | None) -> dict[str, str]:
    address = {k: str(v).strip()[:200] for k, v in (address or {}).items() if k in ADDRESS_FIELDS and v}
    missing = [k for k in ("address1", "city", "zip", "country_code") if not address.get(k)]
    if missing:
        raise ActionError(f"The new address needs {', '.join(missing)}.", code="invalid_address")
    if len(address["country_code"]) != 2 or not address["country_code"].isalpha():
        raise ActionError("country_code is the two-letter ISO code, such as GB or US.", code="invalid_address")
    address["country_code"] = address["country_code"].upper()
    return address


def _positive(amount: int | None, what: str) -> int:
    if amount is None or amount <= 0:
        raise ActionError(f"Give the amount of the {what}.", code="amount_required")
    if amount > MAX_AMOUNT:
        raise ActionError("That amount is not plausible.", code="invalid_amount")
    return amount


def plan(order: Order, request: RemedyRequest) -> tuple[int, dict[str, Any]]:
    """(amount, params) of a request against the locked order; ActionError/Conflict if impossible."""
    kind = request.kind
    left = refundable_left(order)
    if kind in REFUNDING and order.cancelled_at and kind != RemedyKind.CANCEL and left == 0:
        raise Conflict(f"Order {order.name} is cancelled and fully refunded.", code="nothing_to_refund")
    if kind == RemedyKind.REFUND:
        scope = request.scope
        if scope not in REFUND_SCOPES:
            raise ActionError(f"Unknown refund scope {scope!r}: use {', '.join(REFUND_SCOPES)}.", code="invalid_scope")
        params: dict[str, Any] = {"scope": scope, "restock": request.restock}
        if scope == "full":
            amount = left
            if amount == 0:
                raise Conflict(f"Nothing is left to refund on {order.name}.", code="nothing_to_refund")
        elif scope == "lines":
            chosen = _lines(order, request.lines)
            params["lines"] = [{"line": line.external_id, "quantity": qty} for line, qty in chosen]
            amount = (
                request.amount if request.amount is not None else sum(line.unit_refund * qty for line, qty in chosen)
            )
            amount = _positive(amount, "refund")
        elif scope == "shipping":
            amount = _positive(request.amount if request.amount is not None else order.shipping, "shipping refund")
            if amount > order.shipping:
                raise ActionError(
                    f"Shipping on {order.name} was {format_money(order.shipping, order.currency)}.",
                    code="over_shipping",
                )
            params["shipping"] = amount
        else:
            amount = _positive(request.amount, "refund")
        if amount > left:
            raise Conflict(
                f"Only {format_money(left, order.currency)} is left to refund on {order.name}.", code="over_refund"
            )
        return amount, params
    if kind == RemedyKind.GOODWILL:
        amount = _positive(request.amount, "goodwill gesture")
        if amount > left:
            raise Conflict(
                f"Only {format_money(left, order.currency)} is left to refund on {order.name}.", code="over_refund"
            )
        return amount, {}
    if kind == RemedyKind.CANCEL:
        if order.cancelled_at:
            raise Conflict(f"Order {order.name} is already cancelled.", code="already_cancelled")
        if order.is_fulfilled or order.fulfillments.exists():
            raise Conflict(
                f"Order {order.name} has shipped: it can no longer be cancelled. Offer a return or a refund instead.",
                code="already_shipped",
            )
        return left, {"refund": left}
    if kind == RemedyKind.REPLACEMENT:
        chosen = _lines(order, request.lines)
        amount = sum(line.unit_price * qty for line, qty in chosen)
        return amount, {"lines": [{"line": line.external_id, "quantity": qty} for line, qty in chosen]}
    if kind in (RemedyKind.DISCOUNT_CODE, RemedyKind.STORE_CREDIT):
        return _positive(request.amount, RemedyKind(kind).label.lower()), {}
    if kind == RemedyKind.ADDRESS_CHANGE:
        if order.cancelled_at:
            raise Conflict(f"Order {order.name} is cancelled.", code="already_cancelled")
        if order.is_fulfilled or order.fulfillments.exists():
            raise Conflict(
                f"Order {order.name} has shipped: the address can no longer be changed.", code="already_shipped"
            )
        return 0, {"address": _clean_address(request.address)}
    raise ActionError(f"Unknown remedy {kind!r}.", code="invalid_kind")


def fingerprint(order_id: int, request: RemedyRequest) -> str:
    """What was asked (not the reason's wording): the same key must come with the same request."""
    asked = {
        "order": order_id,
        "kind": request.kind,
        "amount": request.amount,
        "scope": request.scope if request.kind == RemedyKind.REFUND else "",
        "lines": sorted([str(line), int(qty)] for line, qty in request.lines),
        "address": request.address or {},
    }
    return hashlib.sha256(json.dumps(asked, sort_keys=True, default=str).encode()).hexdigest()


# --- words -----------------------------------------------------------------------------------


def describe(remedy: Remedy, order: Order | None = None) -> str:
    """ "refund of $12.50 on #2041"."""
    order = order or remedy.order
    label = RemedyKind(remedy.kind).label.lower()
    amount = f" of {format_money(remedy.amount, remedy.currency)}" if remedy.amount else ""
    return f"{label}{amount} on {order.name}"


def _note(actor: User | None, remedy: Remedy, text: str) -> None:
    """Put `text` on the remedy's conversation timeline (an internal note), if it has one."""
    if remedy.conversation_id is None:
        return
    conversation = Conversation.objects.filter(pk=remedy.conversation_id).first()
    if conversation is None:
        return
    if actor is None:
        do_add_system_note(conversation, text, {"remedy_id": remedy.pk})
        return
    try:
        do_add_note(actor, conversation, body_text=text)
    except (ActionError, PermissionDenied, NotFound):
        do_add_system_note(conversation, text, {"remedy_id": remedy.pk})


def _platform(order: Order) -> str:
    return (
        StoreConnection.Provider(order.provider).label
        if order.provider in StoreConnection.Provider.values
        else order.provider
    )


def suggested_reply(remedy: Remedy) -> str:
    """A message for the customer with clear next steps, offered to the agent (never sent by itself)."""
    order = remedy.order
    first = order.customer.first_name if order.customer_id and order.customer else ""
    hello = f"Hi {first}," if first else "Hi,"
    money = format_money(remedy.amount, remedy.currency) if remedy.amount else ""
    if remedy.state == State.AWAITING_APPROVAL:
        return (
            f"{hello} I've asked my team lead to approve a {RemedyKind(remedy.kind).label.lower()} of {money} "
            f"for order {order.name}. I'll write back as soon as it's confirmed — usually within a day."
        )
    if remedy.state not in (State.QUEUED, State.PROCESSING, State.SUCCEEDED):
        return ""
    kind = remedy.kind
    if kind == RemedyKind.REFUND:
        return (
            f"{hello} I've refunded {money} for order {order.name} to your original payment method. "
            "Depending on your bank it shows up within 5–10 business days. There's nothing else you need to do."
        )
    if kind == RemedyKind.GOODWILL:
        return (
            f"{hello} I'm sorry for the trouble with order {order.name}. As a thank-you for your patience I've "
            f"refunded {money} to your original payment method; it shows up within 5–10 business days."
        )
    if kind == RemedyKind.CANCEL:
        refund = f" and refunded {money} to your original payment method (5–10 business days)" if remedy.amount else ""
        return f"{hello} I've cancelled order {order.name}{refund}. Nothing will be shipped and you won't be charged again."
    if kind == RemedyKind.REPLACEMENT:
        return (
            f"{hello} I've sent a replacement for order {order.name} at no cost to you. You'll get a shipping "
            "confirmation with tracking as soon as it leaves our warehouse. There's no need to send anything back."
        )
    if kind == RemedyKind.DISCOUNT_CODE:
        code = remedy.provider_reference or discount_code_for(remedy.idempotency_key)
        return (
            f"{hello} here's a code worth {money} off your next order: {code}. Enter it at checkout; "
            "it works once and doesn't expire."
        )
    if kind == RemedyKind.STORE_CREDIT:
        return (
            f"{hello} I've added {money} of store credit for you. It's applied at checkout on your next order — "
            "there's nothing you need to do."
        )
    if kind == RemedyKind.ADDRESS_CHANGE:
        address = remedy.params.get("address", {})
        where = ", ".join(address.get(k, "") for k in ("address1", "city", "zip") if address.get(k))
        return f"{hello} I've changed the delivery address of order {order.name} to {where}. It will ship there."
    return ""


def discount_code_for(idempotency_key: str) -> str:
    return "SORRY-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:8].upper()


# --- 1. request ------------------------------------------------------------------------------


def _replay(existing: Remedy, print_: str) -> RemedyOutcome:
    if existing.fingerprint != print_:
        raise Conflict(
            "This idempotency key was already used for a different request; use a new key.",
            code="idempotency_key_reused",
        )
    return RemedyOutcome(existing, created=False)


def do_request_remedy(
    actor: User,
    order: Order,
    request: RemedyRequest,
    *,
    idempotency_key: str,
    conversation: Conversation | None = None,
) -> RemedyOutcome:
    """Record a remedy: queued within the actor's authority, awaiting approval above it.
    PermissionDenied if their role may not do this kind at all; Conflict for a key reused with
    another request, an order that does not allow it, or an identical remedy just issued."""
    check_permission(actor, order.store_id, "remedy.request")
    key = (idempotency_key or "").strip()
    if not key or len(key) > 200:
        raise ActionError("An idempotency key of 1–200 characters is required.", code="idempotency_key_required")
    if request.kind not in RemedyKind.values:
        raise ActionError(f"Unknown remedy {request.kind!r}.", code="invalid_kind")
    if conversation is not None and conversation.store_id != order.store_id:
        raise NotFound("Conversation not found.")
    reason = request.reason.strip()[:2000]
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("store", "customer").get(pk=order.pk)
        print_ = fingerprint(order.pk, request)
        existing = Remedy.objects.filter(store_id=order.store_id, idempotency_key=key).first()
        if existing is not None:
            return _replay(existing, print_)
        amount, params = plan(order, request)
        if not request.confirm_duplicate:
            twin = (
                Remedy.objects.filter(
                    order=order,
                    fingerprint=print_,
                    state__in=Remedy.COMMITTED,
                    created_at__gte=timezone.now() - DUPLICATE_WINDOW,
                )
                .select_related("requested_by")
                .first()
            )
            if twin is not None:
                who = twin.requested_by.name if twin.requested_by else "someone"
                raise Conflict(
                    f"{who} issued this same {describe(twin, order)} a moment ago. Confirm to issue it again.",
                    code="duplicate_remedy",
                )
        # Serialise this agent's remedies so two at once cannot both fit under the daily limit.
        Membership.objects.select_for_update().filter(store_id=order.store_id, user=actor).first()
        decision = authority.decide(actor, order.store, request.kind, amount, order.currency)
        if not decision.allowed:
            raise PermissionDenied(decision.why, code="not_allowed")
        now = timezone.now()
        try:
            with transaction.atomic():
                remedy = Remedy.objects.create(
                    store_id=order.store_id,
                    order=order,
                    conversation=conversation,
                    kind=request.kind,
                    params=params,
                    amount=amount,
                    currency=order.currency,
                    reason=reason,
                    situation=request.situation[:32],
                    idempotency_key=key,
                    fingerprint=print_,
                    state=State.QUEUED if decision.within else State.AWAITING_APPROVAL,
                    requested_by=actor,
                    authorized_by=actor if decision.within else None,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:  # the same key, at the same moment, on another order
            existing = Remedy.objects.get(store_id=order.store_id, idempotency_key=key)
            return _replay(existing, print_)
        what = describe(remedy, order)
        if decision.within:
            verb, note = "remedy.issued", f"{actor.name} issued a {what}"
            remedy_id = remedy.pk
            transaction.on_commit(lambda: _enqueue(remedy_id))
        else:
            hours = int(order.store.settings.get("approval_expiry_hours") or APPROVAL_HOURS)
            ApprovalRequest.objects.create(
                store_id=order.store_id,
                remedy=remedy,
                requested_by=actor,
                why=decision.why[:300],
                expires_at=now + timedelta(hours=hours),
            )
            why = decision.why.rstrip(".")
            verb, note = "remedy.approval_requested", f"{actor.name} asked for approval of a {what} ({why})"
        audit.record(
            store_id=order.store_id,
            actor=actor,
            verb=verb,
            obj=remedy,
            before={"order": order.name, "refunded": order.refunded},
            after={"kind": remedy.kind, "amount": amount, "currency": order.currency, "state": remedy.state, **params},
            reason=reason,
        )
        _note(actor, remedy, f"{note}{': ' + reason if reason else '.'}")
    return RemedyOutcome(remedy, created=True)


def _enqueue(remedy_id: int, delay: float | None = None) -> None:
    from storedesk.commerce import tasks

    if delay:
        tasks.execute_remedy.schedule((remedy_id,), delay=delay)
    else:
        tasks.execute_remedy(remedy_id)


# --- 2. execute --------------------------------------------------------------------------------


def _provider_for(order: Order) -> Any:
    connection = StoreConnection.objects.filter(store_id=order.store_id, provider=order.provider).first()
    if connection is None:
        connection = StoreConnection(store_id=order.store_id, provider=order.provider)
    elif not connection.active:
        raise ProviderError(f"The {_platform(order)} connection is switched off.", permanent=True)
    connection.store = order.store
    return provider_for(connection)


def _call_platform(remedy: Remedy, order: Order) -> ActionResult:
    provider = _provider_for(order)
    ref = OrderRef(
        external_id=order.external_id, name=order.name, currency=order.currency, email=order.email, raw=order.raw
    )
    params, key = remedy.params, remedy.idempotency_key
    lines = tuple((str(x["line"]), int(x["quantity"])) for x in params.get("lines", []))
    refund = RefundRequest(
        amount=remedy.amount,
        currency=remedy.currency,
        reason=remedy.reason or RemedyKind(remedy.kind).label,
        idempotency_key=key,
        lines=lines,
        shipping=int(params.get("shipping") or 0),
        restock=bool(params.get("restock")),
    )
    kind = remedy.kind
    if kind in (RemedyKind.REFUND, RemedyKind.GOODWILL):
        return provider.refund(ref, refund)  # type: ignore[no-any-return]
    if kind == RemedyKind.CANCEL:
        return provider.cancel(  # type: ignore[no-any-return]
            ref, reason=remedy.reason, refund=refund if remedy.amount else None, idempotency_key=key
        )
    if kind == RemedyKind.REPLACEMENT:
        return provider.create_replacement(ref, lines=list(lines), note=remedy.reason, idempotency_key=key)  # type: ignore[no-any-return]
    if kind == RemedyKind.DISCOUNT_CODE:
        return provider.create_discount_code(  # type: ignore[no-any-return]
            ref, amount=remedy.amount, currency=remedy.currency, code=discount_code_for(key), idempotency_key=key
        )
    if kind == RemedyKind.STORE_CREDIT:
        return provider.issue_store_credit(  # type: ignore[no-any-return]
            ref,
            amount=remedy.amount,
            currency=remedy.currency,
            note=remedy.reason or "Store credit",
            idempotency_key=key,
        )
    if kind == RemedyKind.ADDRESS_CHANGE:
        return provider.update_shipping_address(ref, params["address"])  # type: ignore[no-any-return]
    raise ProviderError(f"Unknown remedy {kind!r}.", permanent=True)


def execute_remedy(remedy_id: int) -> str:
    """Claim a queued remedy, perform it on the platform, record the outcome. Idempotent."""
    now = timezone.now()
    claimed = Remedy.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), pk=remedy_id, state=State.QUEUED
    ).update(state=State.PROCESSING, attempts=F("attempts") + 1, next_attempt_at=now + LEASE, updated_at=now)
    if not claimed:
        return "skipped"
    remedy = Remedy.objects.select_related("order", "order__store").get(pk=remedy_id)
    try:
        result = _call_platform(remedy, remedy.order)
    except ProviderError as exc:
        return _record_failure(remedy_id, exc)
    except Exception as exc:  # a bug of ours: keep the remedy, retry, and fail visibly at the end
        log.exception("remedy %s: unexpected error", remedy_id)
        return _record_failure(remedy_id, ProviderError(f"Storedesk error: {type(exc).__name__}"))
    return _record_success(remedy_id, result)


def _record_success(remedy_id: int, result: ActionResult) -> str:
    with transaction.atomic():
        remedy = Remedy.objects.select_for_update().get(pk=remedy_id)
        if remedy.state != State.PROCESSING:
            return "skipped"
        order = Order.objects.select_for_update(of=("self",)).select_related("store").get(pk=remedy.order_id)
        before = {"refunded": order.refunded, "financial_status": order.financial_status}
        update: list[str] = []
        refund = result.refund
        if refund is not None and not order.refunds.filter(external_id=refund.external_id).exists():
            record_refund(order, refund)
            order.refunded += refund.amount
            order.financial_status = "refunded" if order.refunded >= order.paid else "partially_refunded"
            update += ["refunded", "financial_status"]
            for item in refund.lines:
                OrderLine.objects.filter(order=order, external_id=item["line"]).update(
                    refunded_quantity=F("refunded_quantity") + int(item["quantity"])
                )
        if remedy.kind == RemedyKind.CANCEL and order.cancelled_at is None:
            order.cancelled_at = timezone.now()
            update.append("cancelled_at")
        if remedy.kind == RemedyKind.ADDRESS_CHANGE:
            order.shipping_address = remedy.params["address"]
            update.append("shipping_address")
        if update:
            order.save(update_fields=update)
        now = timezone.now()
        remedy.state = State.SUCCEEDED
        remedy.provider_reference = result.reference[:200]
        remedy.result = result.details
        remedy.error = ""
        remedy.next_attempt_at = None
        remedy.completed_at = remedy.updated_at = now
        remedy.save(
            update_fields=[
                "state",
                "provider_reference",
                "result",
                "error",
                "next_attempt_at",
                "completed_at",
                "updated_at",
            ]
        )
        audit.record(
            store_id=remedy.store_id,
            actor=None,
            verb="remedy.succeeded",
            obj=remedy,
            before=before,
            after={
                "refunded": order.refunded,
                "financial_status": order.financial_status,
                "reference": remedy.provider_reference,
            },
        )
        what = describe(remedy, order)
        _note(
            None,
            remedy,
            f"Done: the {what} went through at {_platform(order)} (reference {remedy.provider_reference}).",
        )
        # A return refunded on receipt is now refunded.
        ReturnRequest.objects.filter(remedy_id=remedy.pk, state=ReturnRequest.State.RECEIVED).update(
            state=ReturnRequest.State.REFUNDED, refunded_at=now, updated_at=now
        )
    return "succeeded"


def _record_failure(remedy_id: int, exc: ProviderError) -> str:
    with transaction.atomic():
        remedy = Remedy.objects.select_for_update().select_related("order").get(pk=remedy_id)
        if remedy.state != State.PROCESSING:
            return "skipped"
        now = timezone.now()
        remedy.error = exc.message[:2000]
        remedy.updated_at = now
        if exc.permanent or remedy.attempts >= MAX_ATTEMPTS:
            remedy.state = State.FAILED
            remedy.next_attempt_at = None
            remedy.completed_at = now
            remedy.save(update_fields=["state", "error", "next_attempt_at", "completed_at", "updated_at"])
            audit.record(
                store_id=remedy.store_id,
                actor=None,
                verb="remedy.failed",
                obj=remedy,
                after={"error": remedy.error, "attempts": remedy.attempts},
            )
            _note(
                None,
                remedy,
                f"Failed: the {describe(remedy)} did not go through. {_platform(remedy.order)} said: {remedy.error}",
            )
            return "failed"
        delay = exc.retry_after if exc.retry_after is not None else 30.0 * 2 ** (remedy.attempts - 1)
        remedy.state = State.QUEUED
        remedy.next_attempt_at = now + timedelta(seconds=delay)
        remedy.save(update_fields=["state", "error", "next_attempt_at", "updated_at"])
        transaction.on_commit(lambda: _enqueue(remedy_id, delay=delay))
    return "retrying"


def sweep_due_remedies(limit: int = 200) -> int:
    """Release remedies whose worker went silent past the lease (their retry is safe: providers
    find their own earlier write by its key), and re-enqueue queued ones whose job was lost."""
    now = timezone.now()
    stale = list(
        Remedy.objects.filter(state=State.PROCESSING, next_attempt_at__lt=now).values_list("pk", flat=True)[:limit]
    )
    if stale:
        Remedy.objects.filter(pk__in=stale, state=State.PROCESSING).update(
            state=State.QUEUED, next_attempt_at=None, updated_at=now
        )
    grace = now - timedelta(minutes=1)
    lost = Remedy.objects.filter(state=State.QUEUED).filter(
        Q(next_attempt_at__lte=grace) | Q(next_attempt_at__isnull=True, updated_at__lte=grace)
    )
    due = sorted(set(stale) | set(lost.values_list("pk", flat=True)[:limit]))
    for remedy_id in due:
        _enqueue(remedy_id)
    return len(due)


# --- 3. approvals ------------------------------------------------------------------------------


def do_decide_approval(actor: User, approval: ApprovalRequest, *, approve: bool, reason: str = "") -> ApprovalRequest:
    """A lead approves (their own limits must cover it) or denies (with a reason) a request."""
    check_permission(actor, approval.store_id, "remedy.approve")
    reason = reason.strip()[:2000]
    if not approve and not reason:
        raise ActionError("Say why you deny it: the agent and the customer will need to know.", code="reason_required")
    with transaction.atomic():
        approval = ApprovalRequest.objects.select_for_update().get(pk=approval.pk)
        remedy = Remedy.objects.select_for_update().select_related("order", "order__store").get(pk=approval.remedy_id)
        if approval.requested_by_id == actor.pk:
            raise PermissionDenied("You cannot decide your own request: another lead must.", code="own_request")
        if approval.state != ApprovalRequest.State.PENDING:
            raise Conflict(f"This request was already {approval.get_state_display().lower()}.", code="already_decided")
        now = timezone.now()
        if approval.expires_at <= now:
            _expire(approval, remedy, now)  # recorded, then refused below (outside this transaction)
            expired = True
        else:
            expired = False
            _decide(actor, approval, remedy, approve=approve, reason=reason, now=now)
    if expired:
        raise Conflict("This request has expired; the agent can ask again.", code="expired")
    return approval


def _decide(actor: User, approval: ApprovalRequest, remedy: Remedy, *, approve: bool, reason: str, now: Any) -> None:
    what = describe(remedy)
    if approve:
        Membership.objects.select_for_update().filter(store_id=remedy.store_id, user=actor).first()
        decision = authority.decide(actor, remedy.order.store, remedy.kind, remedy.amount, remedy.currency)
        if not decision.within:
            raise PermissionDenied(f"{decision.why} An admin must approve this one.", code="above_your_limit")
        approval.state = ApprovalRequest.State.APPROVED
        remedy.state = State.QUEUED
        remedy.authorized_by = actor
        verb, note = "remedy.approved", f"{actor.name} approved the {what}"
        remedy_id = remedy.pk
        transaction.on_commit(lambda: _enqueue(remedy_id))
    else:
        approval.state = ApprovalRequest.State.DENIED
        remedy.state = State.DENIED
        remedy.completed_at = now
        verb, note = "remedy.denied", f"{actor.name} denied the {what}"
    approval.decided_by = actor
    approval.decided_at = now
    approval.decision_reason = reason
    approval.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
    remedy.updated_at = now
    remedy.save(update_fields=["state", "authorized_by", "completed_at", "updated_at"])
    audit.record(
        store_id=remedy.store_id,
        actor=actor,
        verb=verb,
        obj=remedy,
        before={"state": State.AWAITING_APPROVAL},
        after={"state": remedy.state, "amount": remedy.amount, "currency": remedy.currency},
        reason=reason,
    )
    _note(actor, remedy, f"{note}{': ' + reason if reason else '.'}")


def _expire(approval: ApprovalRequest, remedy: Remedy, now: Any) -> None:
    approval.state = ApprovalRequest.State.EXPIRED
    approval.decided_at = now
    approval.save(update_fields=["state", "decided_at"])
    remedy.state = State.EXPIRED
    remedy.completed_at = remedy.updated_at = now
    remedy.save(update_fields=["state", "completed_at", "updated_at"])
    audit.record(store_id=remedy.store_id, actor=None, verb="remedy.expired", obj=remedy, after={"state": remedy.state})
    _note(None, remedy, f"Nobody decided on the {describe(remedy)} in time: the request expired.")


def expire_approvals(limit: int = 200) -> int:
    """Expire pending approval requests past their time (serves approval_pending_idx)."""
    now = timezone.now()
    ids = list(
        ApprovalRequest.objects.filter(state=ApprovalRequest.State.PENDING, expires_at__lte=now).values_list(
            "pk", flat=True
        )[:limit]
    )
    expired = 0
    for approval_id in ids:
        with transaction.atomic():
            approval = ApprovalRequest.objects.select_for_update().get(pk=approval_id)
            if approval.state != ApprovalRequest.State.PENDING:
                continue
            remedy = Remedy.objects.select_for_update().select_related("order").get(pk=approval.remedy_id)
            _expire(approval, remedy, now)
            expired += 1
    return expired
