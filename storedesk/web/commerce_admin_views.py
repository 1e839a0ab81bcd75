"""Pages for leads about orders and remedies (docs/commerce.md):

  /commerce/approvals/      pending remedy approvals: approve, or deny with a reason (leads)
  /commerce/reports/        the goodwill budget by kind and agent, return reasons by product,
                            and what each agent gave per playbook situation (leads)
  /commerce/settings/       the authority matrix per role and per agent, the monthly budget and
                            late-order outreach (leads read, admins change)
  /commerce/late-orders/    late-order outreach drafts to send or dismiss (agents)

Thin: pick the store within the agent's stores, run the read-side query or call one action.
Agents without the permission get a 403 page (inside their stores) or a 404 (outside).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from storedesk.commerce import authority, outreach, queries, reports
from storedesk.commerce.lib.money import MoneyError, format_money, to_minor
from storedesk.commerce.models import ApprovalRequest, LateOrderOutreach, RemedyKind, ReturnPhoto, ReturnReason
from storedesk.commerce.playbooks import SITUATIONS
from storedesk.commerce.remedies import describe, do_decide_approval
from storedesk.commerce.store_settings import do_set_commerce_settings
from storedesk.core.access import access_object, has_permission, roles_for
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.models import Membership, Role, Store, User
from storedesk.web.queries import store_from_request


def _agent(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _stores_with(user: User, permission: str) -> list[int]:
    return sorted(store_id for store_id in roles_for(user) if has_permission(user, store_id, permission))


def _store(request: HttpRequest, permission: str) -> Store:
    return store_from_request(request, permission)


def _refused(exc: ActionError) -> HttpResponse:
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    return HttpResponseForbidden(exc.message)


# --- approvals -----------------------------------------------------------------------------------


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    store_ids = _stores_with(_agent(request), "remedy.approve")
    if not store_ids:
        return HttpResponseForbidden("Only leads see the approvals queue.")
    rows = queries.pending_approvals(store_ids)
    return render(
        request,
        "web/commerce/approvals.html",
        {"rows": rows, "multi_store": len(store_ids) > 1, "me": _agent(request)},
    )


@login_required
@require_POST
def decide_approval(request: HttpRequest, approval_id: int) -> HttpResponse:
    agent = _agent(request)
    try:
        approval = access_object(agent, ApprovalRequest.objects.all(), approval_id, "remedy.approve")
        approve = request.POST.get("decision") == "approve"
        do_decide_approval(agent, approval, approve=approve, reason=request.POST.get("reason", ""))
    except (NotFound, PermissionDenied) as exc:
        return _refused(exc)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        remedy = approval.remedy
        messages.success(request, f"{'Approved' if approve else 'Denied'}: {describe(remedy)}.")
    return HttpResponseRedirect(reverse("commerce_approvals"))


# --- reports -------------------------------------------------------------------------------------


def _month(store: Store, raw: str) -> tuple[datetime, datetime] | None:
    """?month=2026-11 → that calendar month in the store's time zone."""
    try:
        year, month = (int(part) for part in raw.split("-", 1))
        first = date(year, month, 1)
    except ValueError:
        return None
    following = first.replace(year=year + 1, month=1) if month == 12 else first.replace(month=month + 1)
    try:
        zone = ZoneInfo(store.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(following, time.min, tzinfo=zone)


@login_required
@require_GET
def commerce_reports(request: HttpRequest) -> HttpResponse:
    try:
        store = _store(request, "remedy.report")
    except (NotFound, PermissionDenied) as exc:
        return _refused(exc)
    since, until = _month(store, request.GET.get("month", "")) or reports.month_bounds(store)
    budget = reports.remedy_budget(store, since, until)
    kinds = dict(RemedyKind.choices)
    return render(
        request,
        "web/commerce/reports.html",
        {
            "store": store,
            "stores": Store.objects.filter(pk__in=_stores_with(_agent(request), "remedy.report")),
            "month": since.strftime("%Y-%m"),
            "budget": budget,
            "by_kind": [(kinds.get(kind, kind), total) for kind, total in sorted(budget.by_kind.items())],
            "left": budget.budget - budget.total if budget.budget is not None else None,
            "reasons": reports.return_reasons(store, since, until),
            "reason_labels": dict(ReturnReason.choices),
            "consistency": reports.remedy_consistency(store, since, until),
            "situations": SITUATIONS,
            "kinds": kinds,
        },
    )


# --- settings ------------------------------------------------------------------------------------


def _limit(raw: str, currency: str) -> int | None:
    raw = raw.strip()
    return None if raw == "" else to_minor(raw, currency)


@login_required
def commerce_settings(request: HttpRequest) -> HttpResponse:
    try:
        store = _store(request, "remedy.report")
    except (NotFound, PermissionDenied) as exc:
        return _refused(exc)
    agent = _agent(request)
    can_edit = has_permission(agent, store.pk, "authority.manage")
    if request.method == "POST":
        if not can_edit:
            return HttpResponseForbidden("Only admins change the authority matrix and the budget.")
        try:
            _save_settings(agent, store, request)
        except (MoneyError, ActionError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            messages.success(request, "Saved.")
        return HttpResponseRedirect(f"{reverse('commerce_settings')}?store={store.slug}")
    table, overrides = authority.matrix(store)
    kinds = list(RemedyKind.choices)
    return render(
        request,
        "web/commerce/settings.html",
        {
            "store": store,
            "can_edit": can_edit,
            "currency": authority.store_currency(store),
            "roles": [
                (role, label, [(kind, kl, table[role][kind]) for kind, kl in kinds]) for role, label in Role.choices
            ],
            "overrides": overrides,
            "kinds": kinds,
            "members": Membership.objects.filter(store=store).select_related("user").order_by("user__email"),
            "budget": store.settings.get("remedy_budget_monthly") or "",
            "outreach_mode": outreach.mode_of(store),
            "outreach_modes": outreach.MODES,
            "outreach_after": outreach.after_days(store),
            "outreach_sender": store.settings.get("late_outreach_sender") or "",
        },
    )


def _save_settings(agent: User, store: Store, request: HttpRequest) -> None:
    data = request.POST
    what = data.get("form")
    currency = authority.store_currency(store)
    if what == "rule":
        user = None
        if data.get("agent"):
            agent_id = data.get("agent", "")
            member = (
                Membership.objects.filter(store=store, user_id=int(agent_id)).select_related("user").first()
                if agent_id.isdigit()
                else None
            )
            if member is None:
                raise ActionError("That agent is not in this store.", code="invalid_agent")
            user = member.user
        authority.do_set_authority_rule(
            agent,
            store,
            data.get("kind", ""),
            role="" if user else data.get("role", ""),
            user=user,
            allowed=data.get("allowed") == "on",
            max_per_action=_limit(data.get("max_per_action", ""), currency),
            max_per_day=_limit(data.get("max_per_day", ""), currency),
        )
    elif what == "store":
        do_set_commerce_settings(
            agent,
            store,
            remedy_budget_monthly=data.get("budget", ""),
            late_outreach=data.get("late_outreach", ""),
            late_outreach_after_days=data.get("late_outreach_after_days", ""),
            late_outreach_sender=data.get("late_outreach_sender", ""),
        )
    else:
        raise ActionError("Unknown form.", code="invalid_form")


# --- late orders ---------------------------------------------------------------------------------


@login_required
@require_GET
def late_orders(request: HttpRequest) -> HttpResponse:
    store_ids = _stores_with(_agent(request), "conversation.create")
    if not store_ids:
        return HttpResponseForbidden("You are not an agent of any store.")
    drafts = outreach.drafts(store_ids)
    rows = [
        {
            "outreach": row,
            "money": format_money(row.suggestion["amount"], row.order.currency) if row.suggestion.get("amount") else "",
        }
        for row in drafts
    ]
    return render(
        request,
        "web/commerce/late_orders.html",
        {
            "rows": rows,
            "recent": outreach.recent(store_ids),
            "multi_store": len(store_ids) > 1,
            "agent_only": not _stores_with(_agent(request), "remedy.approve"),
        },
    )


@login_required
@require_POST
def late_order_decide(request: HttpRequest, outreach_id: int) -> HttpResponse:
    agent = _agent(request)
    try:
        row = access_object(agent, LateOrderOutreach.objects.all(), outreach_id, "conversation.create")
        if request.POST.get("decision") == "send":
            row = outreach.do_send_outreach(
                agent,
                row,
                body_text=request.POST.get("body_text"),
                apply_remedy=request.POST.get("apply_remedy") == "on",
            )
            messages.success(request, f"Sent to the customer of order {row.order.name}.")
        else:
            row = outreach.do_dismiss_outreach(agent, row, request.POST.get("reason", ""))
            messages.success(request, f"Dismissed: order {row.order.name}.")
    except NotFound as exc:
        return _refused(exc)
    except ActionError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("commerce_late_orders"))


# --- return photos (agents) ----------------------------------------------------------------------


@login_required
@require_GET
def return_photo(request: HttpRequest, photo_id: int) -> FileResponse:
    """A customer's photo of a return, for agents of its store only."""
    try:
        photo = access_object(_agent(request), ReturnPhoto.objects.all(), photo_id, "order.view")
    except (NotFound, PermissionDenied):
        raise Http404("Photo not found.") from None
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response
