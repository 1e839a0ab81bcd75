"""Responsiveness settings and the agent's status (automation; docs/sla.md).

- GET  /settings/sla/?store=               SLA policies and business hours (agents read, admins edit)
- GET  /settings/sla/policy/new?store=     policy form; GET/POST /settings/sla/policy/<id>/ edit;
  POST /settings/sla/policy/save, /settings/sla/policy/<id>/delete
- POST /settings/hours                      the store's default business hours (admins)
- GET  /me/status                           the status switch (HTMX fragment, loaded by the top bar);
  POST /me/status                           set own status (online / away / offline) in every store

The actions check the roles (`store.manage` for policies and hours); these views only parse.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from storedesk.automation.actions import (
    do_delete_policy,
    do_save_business_hours,
    do_save_policy,
    do_set_agent_status,
)
from storedesk.automation.models import AgentProfile, AgentStatus, BusinessHours, CustomerTier, SlaPolicy, TimeBasis
from storedesk.conversations.models import Channel, Priority
from storedesk.core.access import has_permission, store_ids_for
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.lib.business_hours import WEEKDAYS
from storedesk.core.models import Store, User
from storedesk.web.queries import page_store, store_from_request

VIEW = "conversation.view"  # every agent of the store reads the settings
EDIT = "store.manage"  # admins change them (the actions check it)


def _agent(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


REFUSED = "Your role may not change the SLA settings."


def _page_store(request: HttpRequest, permission: str = VIEW) -> Store:
    return page_store(request, permission, REFUSED)


def _store(request: HttpRequest, permission: str = VIEW) -> Store:
    return store_from_request(request, permission, REFUSED)


def _settings_url(store: Store) -> str:
    return f"{reverse('sla_settings')}?store={store.slug}"


# --- text forms of hours and holidays --------------------------------------------------------


def spans_text(spans: list[list[str]]) -> str:
    return ", ".join(f"{a}-{b}" for a, b in spans)


def parse_spans(text: str) -> list[list[str]]:
    """ "09:00-12:30, 13:30-17:00" → [["09:00", "12:30"], ["13:30", "17:00"]]; empty: closed."""
    spans = []
    for part in text.replace(";", ",").split(","):
        part = part.strip().replace("–", "-")
        if not part:
            continue
        start, sep, end = part.partition("-")
        if not sep:
            raise ActionError(f"Write hours as 09:00-17:00, got {part!r}.", code="invalid_schedule")
        spans.append([start.strip(), end.strip()])
    return spans


def holidays_text(holidays: list[dict[str, Any]]) -> str:
    return "\n".join(f"{h['date']} {spans_text(h['open'])}".strip() if h.get("open") else h["date"] for h in holidays)


def parse_holidays(text: str) -> list[dict[str, Any]]:
    """One per line: "2026-12-25" (closed) or "2026-12-24 09:00-13:00" (short day)."""
    holidays = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        day, _, rest = line.partition(" ")
        holidays.append({"date": day, **({"open": parse_spans(rest)} if rest.strip() else {})})
    return holidays


def duration(seconds: int | None) -> str:
    """3600 → "1 h", 86400 → "24 h", 300 → "5 min", 5400 → "1 h 30 min", None → "—"."""
    if not seconds:
        return "—"
    hours, minutes = divmod(round(seconds / 60), 60)
    parts = [f"{hours} h"] if hours else []
    return " ".join([*parts, f"{minutes} min"] if minutes or not hours else parts)


# --- pages -----------------------------------------------------------------------------------


@login_required
@require_GET
def sla_settings(request: HttpRequest) -> HttpResponse:
    store = _page_store(request)
    hours = BusinessHours.objects.filter(store=store, team__isnull=True).first()
    week = hours.week if hours else {}
    policies = list(SlaPolicy.objects.filter(store=store).order_by("position", "id"))
    for policy in policies:
        targets = (policy.first_response_s, policy.next_response_s, policy.resolution_s)
        policy.targets_label = " / ".join(duration(t) for t in targets)  # type: ignore[attr-defined]
    context = {
        "store": store,
        "can_edit": has_permission(_agent(request), store.pk, EDIT),
        "policies": policies,
        "hours": hours,
        "days": [(day, spans_text(week.get(day, []))) for day in WEEKDAYS],
        "holidays": holidays_text(hours.holidays) if hours else "",
        "timezone": (hours.timezone if hours else "") or store.timezone,
    }
    return render(request, "web/settings/sla.html", context)


@login_required
@require_POST
def hours_save(request: HttpRequest) -> HttpResponse:
    store = _page_store(request)
    try:
        week = {day: parse_spans(request.POST.get(f"week_{day}", "")) for day in WEEKDAYS}
        do_save_business_hours(
            _agent(request),
            store,
            week={day: spans for day, spans in week.items() if spans},
            holidays=parse_holidays(request.POST.get("holidays", "")),
            timezone_name=request.POST.get("timezone", "").strip(),
        )
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Business hours saved; running SLA clocks are being recomputed.")
    return HttpResponseRedirect(_settings_url(store))


def _minutes(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return round(float(raw) * 60)
    except ValueError:
        raise ActionError(f"Targets are minutes, got {raw!r}.", code="invalid_policy") from None


def _policy_values(post: Any) -> dict[str, Any]:
    try:
        position = int(post.get("position") or 100)
        warn = int(post.get("warn_before_pct") or 0)
    except ValueError:
        raise ActionError("Position and warning are whole numbers.", code="invalid_policy") from None
    escalate = post.get("escalate_priority", "")
    return {
        "name": post.get("name", "").strip()[:120],
        "position": position,
        "is_active": post.get("is_active") == "on",
        "channels": post.getlist("channels"),
        "priorities": [int(p) for p in post.getlist("priorities") if p.isdigit()],
        "customer_tier": post.get("customer_tier", CustomerTier.ANY),
        "tags": [t.strip() for t in post.get("tags", "").split(",") if t.strip()],
        "first_response_s": _minutes(post.get("first_response_min", "")),
        "next_response_s": _minutes(post.get("next_response_min", "")),
        "resolution_s": _minutes(post.get("resolution_min", "")),
        "time_basis": post.get("time_basis", TimeBasis.BUSINESS),
        "pause_statuses": post.getlist("pause_statuses"),
        "warn_before_pct": warn,
        "escalate_priority": int(escalate) if escalate.isdigit() else None,
        "notify_leads": post.get("notify_leads") == "on",
    }


def _policy(store: Store, policy_id: int | str | None) -> SlaPolicy | None:
    if not policy_id:
        return None
    policy = SlaPolicy.objects.filter(pk=policy_id, store=store).first() if str(policy_id).isdigit() else None
    if policy is None:
        raise Http404("Policy not found.")
    return policy


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, policy_id: int | None = None) -> HttpResponse:
    store = _page_store(request, EDIT)
    policy = _policy(store, policy_id)
    shown = policy  # what the form shows: the policy, or what was posted when it was refused
    error = ""
    if request.method == "POST":
        values: dict[str, Any] = {}
        try:
            values = _policy_values(request.POST)
            saved = do_save_policy(_agent(request), store, policy, **values)
        except PermissionDenied as exc:
            return HttpResponseForbidden(exc.message)
        except ActionError as exc:
            error = exc.message
            shown = SlaPolicy(pk=policy.pk if policy else None, store=store, **values)
        else:
            messages.success(request, f"Policy “{saved.name}” saved.")
            return HttpResponseRedirect(_settings_url(store))
    context = {
        "store": store,
        "policy": shown,
        "error": error,
        "channels": Channel.choices,
        "priorities": Priority.choices,
        "tiers": CustomerTier.choices,
        "bases": TimeBasis.choices,
    }
    return render(request, "web/settings/policy.html", context, status=400 if error else 200)


@login_required
@require_POST
def policy_delete(request: HttpRequest, policy_id: int) -> HttpResponse:
    try:
        store = _store(request, EDIT)
        policy = _policy(store, policy_id)
        assert policy is not None
        do_delete_policy(_agent(request), policy)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    messages.success(request, f"Policy “{policy.name}” deleted.")
    return HttpResponseRedirect(_settings_url(store))


# --- the agent's own status ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def agent_status(request: HttpRequest) -> HttpResponse:
    """Own status in every store of the agent (routing and the expected wait read it)."""
    user = _agent(request)
    stores = list(Store.objects.filter(pk__in=store_ids_for(user)).order_by("pk"))
    if request.method == "POST":
        status = request.POST.get("status", "")
        try:
            for store in stores:
                do_set_agent_status(user, store, user, status, reason="set in the top bar")
        except ActionError as exc:
            return HttpResponse(exc.message, status=400)
    profiles = AgentProfile.objects.filter(user=user, store__in=stores).values_list("status", flat=True)
    current = sorted(set(profiles)) or [AgentStatus.OFFLINE.value]
    context = {"current": current[0] if len(current) == 1 else "", "statuses": AgentStatus.choices}
    return render(request, "web/settings/_agent_status.html", context)
