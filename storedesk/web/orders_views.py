"""The orders panel beside a conversation (an HTMX fragment) and the remedies issued from it.

Thin: find the conversation within the agent's stores, run the read-side query or call one
action, render `web/orders/panel.html`. The conversation page loads the panel into its
`<section id="orders">` with `hx-get` (see docs/commerce.md).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from storedesk.commerce import playbooks, queries, returns
from storedesk.commerce.authority import limits_for, spent_today
from storedesk.commerce.lib.money import MoneyError, to_minor
from storedesk.commerce.models import ApprovalRequest, Order, Remedy, ReturnReason, ReturnRequest
from storedesk.commerce.remedies import RemedyRequest, describe, do_decide_approval, do_request_remedy, suggested_reply
from storedesk.conversations.models import Conversation
from storedesk.core.access import access_object, has_permission
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.models import User


def _agent(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    try:
        return access_object(
            _agent(request), Conversation.objects.select_related("customer", "store"), pk, "order.view"
        )
    except NotFound:
        raise Http404("Conversation not found.") from None


def panel_context(conversation: Conversation, *, agent: User, **extra: Any) -> dict[str, Any]:
    summary = queries.customer_orders(conversation.customer)
    now = timezone.now()
    cards = [
        {
            "order": order,
            "delivery": queries.delivery_of(order, now),
            "key": uuid.uuid4().hex,
            "suggestions": playbooks.suggest(order, conversation.store, now),
        }
        for order in summary.orders
    ]
    store = conversation.store
    can_act = has_permission(agent, store.pk, "remedy.request")
    return {
        "conversation": conversation,
        "summary": summary,
        "cards": cards,
        "agent": agent,
        "can_act": can_act,
        "can_approve": has_permission(agent, store.pk, "remedy.approve"),
        # What this agent may refund today without asking: one line above the forms.
        "refund_limits": limits_for(agent, store, "refund") if can_act and cards else None,
        "refunded_today": spent_today(agent, store, "refund") if can_act and cards else 0,
        "return_reasons": ReturnReason.choices,
        **extra,
    }


@login_required
@require_GET
def orders_panel(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    return _panel(request, conversation)


# --- remedies from the panel -------------------------------------------------------------------

AMOUNT_KINDS = {"refund", "goodwill", "discount_code", "store_credit"}


def _remedy_request(order: Order, data: Any) -> RemedyRequest:
    """The panel's form → a RemedyRequest. `action` names the button: refund, refund_full,
    refund_shipping, refund_lines, replacement, goodwill, discount_code, store_credit, cancel,
    address_change."""
    action = data.get("action", "")
    amount_text = (data.get("amount") or "").strip()
    try:
        amount = to_minor(amount_text, order.currency) if amount_text else None
    except MoneyError as exc:
        raise ActionError(str(exc), code="invalid_amount") from None
    reason = data.get("reason", "")
    lines = tuple(
        (line.external_id, int(data.get(f"qty-{line.pk}") or 1))
        for line in order.lines.all()
        if data.get(f"line-{line.pk}")
    )
    situation = data.get("situation", "")
    common: dict[str, Any] = {
        "reason": reason,
        "confirm_duplicate": bool(data.get("confirm_duplicate")),
        "situation": situation if situation in playbooks.SITUATIONS else "",
    }
    if action == "refund":
        return RemedyRequest(kind="refund", scope="partial", amount=amount, **common)
    if action == "refund_full":
        return RemedyRequest(kind="refund", scope="full", **common)
    if action == "refund_shipping":
        return RemedyRequest(kind="refund", scope="shipping", **common)
    if action == "refund_lines":
        return RemedyRequest(kind="refund", scope="lines", lines=lines, restock=bool(data.get("restock")), **common)
    if action == "replacement":
        return RemedyRequest(kind="replacement", lines=lines, **common)
    if action in ("goodwill", "discount_code", "store_credit"):
        return RemedyRequest(kind=action, amount=amount, **common)
    if action == "cancel":
        return RemedyRequest(kind="cancel", **common)
    if action == "address_change":
        fields = ("name", "address1", "address2", "city", "province", "zip", "country_code", "phone")
        return RemedyRequest(kind="address_change", address={f: data.get(f, "") for f in fields}, **common)
    raise ActionError("Choose what to do.", code="invalid_kind")


def _panel(request: HttpRequest, conversation: Conversation, status: int = 200, **extra: Any) -> HttpResponse:
    context = panel_context(conversation, agent=_agent(request), **extra)
    return render(request, "web/orders/panel.html", context, status=status)


@login_required
@require_POST
def issue_remedy(request: HttpRequest, pk: int, order_id: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    agent = _agent(request)
    try:
        order = access_object(agent, Order.objects.filter(store_id=conversation.store_id), order_id, "order.view")
    except NotFound:
        raise Http404("Order not found.") from None
    try:
        outcome = do_request_remedy(
            agent,
            order,
            _remedy_request(order, request.POST),
            idempotency_key=request.POST.get("idempotency_key", ""),
            conversation=conversation,
        )
    except ActionError as exc:
        flash = {"kind": "error", "text": exc.message, "code": exc.code, "form": request.POST}
        return _panel(request, conversation, status=exc.status_code, flash=flash, open_order=order.pk)
    remedy = outcome.remedy
    what = describe(remedy, order)
    if remedy.state == Remedy.State.AWAITING_APPROVAL:
        text = f"Sent to a lead for approval: {what}. {remedy.approval.why}"
    else:
        text = f"Issued: {what}."
    flash = {"kind": "ok", "text": text, "reply": suggested_reply(remedy)}
    return _panel(request, conversation, flash=flash, open_order=order.pk)


@login_required
@require_POST
def decide_remedy(request: HttpRequest, pk: int, remedy_id: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    agent = _agent(request)
    try:
        approval = access_object(
            agent,
            ApprovalRequest.objects.filter(store_id=conversation.store_id),
            request.POST.get("approval") or 0,
            "remedy.approve",
        )
        if approval.remedy_id != remedy_id:
            raise NotFound("Approval request not found.")
        approve = request.POST.get("decision") == "approve"
        do_decide_approval(agent, approval, approve=approve, reason=request.POST.get("reason", ""))
    except ActionError as exc:
        return _panel(request, conversation, status=exc.status_code, flash={"kind": "error", "text": exc.message})
    remedy = Remedy.objects.select_related("order").get(pk=remedy_id)
    verb = "Approved" if approve else "Denied"
    return _panel(
        request,
        conversation,
        flash={"kind": "ok", "text": f"{verb}: {describe(remedy)}."},
        open_order=remedy.order_id,
    )


# --- returns from the panel ----------------------------------------------------------------------


@login_required
@require_POST
def request_return(request: HttpRequest, pk: int, order_id: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    agent = _agent(request)
    try:
        order = access_object(agent, Order.objects.filter(store_id=conversation.store_id), order_id, "order.view")
    except NotFound:
        raise Http404("Order not found.") from None
    data = request.POST
    items = [
        returns.ReturnItem(line.pk, int(data[f"qty-{line.pk}"]), data.get(f"reason-{line.pk}", ""))
        for line in order.lines.all()
        if data.get(f"qty-{line.pk}", "").isdigit() and int(data[f"qty-{line.pk}"]) > 0
    ]
    try:
        ret = returns.do_request_return(agent, order, items, comment=data.get("comment", ""), conversation=conversation)
    except ActionError as exc:
        flash = {"kind": "error", "text": exc.message}
        return _panel(request, conversation, status=exc.status_code, flash=flash, open_order=order.pk)
    text = f"Return {ret.rma} requested: the customer gets a prepaid label."
    return _panel(request, conversation, flash={"kind": "ok", "text": text}, open_order=order.pk)


RETURN_STEPS = {
    "approve": lambda agent, ret, reason: returns.do_approve_return(agent, ret),
    "in_transit": lambda agent, ret, reason: returns.do_mark_in_transit(agent, ret),
    "receive": lambda agent, ret, reason: returns.do_receive_return(agent, ret),
    "reject": lambda agent, ret, reason: returns.do_reject_return(agent, ret, reason),
}


@login_required
@require_POST
def update_return(request: HttpRequest, pk: int, return_id: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    agent = _agent(request)
    step = RETURN_STEPS.get(request.POST.get("action", ""))
    try:
        ret = access_object(
            agent, ReturnRequest.objects.filter(store_id=conversation.store_id), return_id, "order.view"
        )
        if step is None:
            raise ActionError("Choose what to do.", code="invalid_action")
        ret = step(agent, ret, request.POST.get("reason", ""))
    except NotFound:
        raise Http404("Return not found.") from None
    except ActionError as exc:
        return _panel(request, conversation, status=exc.status_code, flash={"kind": "error", "text": exc.message})
    ret.refresh_from_db()
    text = f"Return {ret.rma}: {returns.status_of(ret)}."
    return _panel(request, conversation, flash={"kind": "ok", "text": text}, open_order=ret.order_id)
