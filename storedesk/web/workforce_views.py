"""Workforce planning pages (automation.workforce; docs/workforce.md).

- GET  /workforce/?store=&week=        coverage: required vs scheduled agents for a week (chart),
                                        short ranges, suggested shift moves, forecast backtest;
                                        staffing targets (leads edit them)
- GET  /workforce/shifts/?store=&week= the week's shifts; leads add, edit, delete, copy last week
- GET  /workforce/shifts/form?shift=   the add/edit form (HTMX fragment)
- POST /workforce/shifts/save | /workforce/shifts/<id>/delete | /workforce/shifts/copy | /workforce/targets

Every agent of the store sees the pages; writing needs `schedule.manage` (leads and admins),
checked by the actions. HTMX posts get the schedule section back; plain posts a redirect.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from storedesk.automation.actions.shifts import (
    do_copy_previous_week,
    do_delete_shift,
    do_save_shift,
    do_save_staffing_targets,
)
from storedesk.automation.models import Shift
from storedesk.automation.workforce import intervals
from storedesk.automation.workforce.queries import WEEKS_AHEAD, current_monday, targets_for, week_plan, week_shifts
from storedesk.core.access import access_store, has_permission, store_ids_for
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.models import Membership, Store, User
from storedesk.web.workforce_chart import coverage_svg

EDIT = "schedule.manage"


def _agent(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _store(request: HttpRequest) -> Store:
    user = _agent(request)
    ref = request.GET.get("store") or request.POST.get("store")
    if not ref:
        ids = sorted(store_ids_for(user))
        if not ids:
            raise NotFound("No store.")
        ref = str(ids[0])
    return access_store(user, ref, "conversation.view")


def _monday(store: Store, raw: str) -> date:
    """?week=2026-11-30 (any day of it) → its Monday, from this week to WEEKS_AHEAD ahead;
    default next week."""
    this = current_monday(store)
    try:
        chosen = intervals.week_start(date.fromisoformat(raw))
    except ValueError:
        return this + timedelta(weeks=1)
    return min(max(chosen, this), this + timedelta(weeks=WEEKS_AHEAD))


def _url(name: str, store: Store, monday: date) -> str:
    return f"{reverse(name)}?{urlencode({'store': store.slug, 'week': monday.isoformat()})}"


def _base(request: HttpRequest, store: Store, monday: date) -> dict[str, object]:
    user = _agent(request)
    this = current_monday(store)
    return {
        "store": store,
        "stores": Store.objects.filter(pk__in=store_ids_for(user)).order_by("name"),
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "prev_week": monday - timedelta(weeks=1) if monday > this else None,
        "next_week": monday + timedelta(weeks=1) if monday < this + timedelta(weeks=WEEKS_AHEAD) else None,
        "can_edit": has_permission(user, store.pk, EDIT),
    }


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    try:
        store = _store(request)
    except NotFound as exc:
        raise Http404(exc.message) from None
    monday = _monday(store, request.GET.get("week", ""))
    plan = week_plan(store, monday)
    day_names = [f"{intervals.DAYS[d]} {monday + timedelta(days=d):%d %b}" for d in range(7)]
    short = [
        {
            "day": day_names[r.first // intervals.SLOTS_PER_DAY],
            "start": intervals.slot_label(r.first)[4:],
            "end": "24:00" if r.end % intervals.SLOTS_PER_DAY == 0 else intervals.slot_label(r.end)[4:],
            "missing": r.missing,
        }
        for r in plan.short
    ]
    context = _base(request, store, monday) | {
        "plan": plan,
        "chart": coverage_svg(monday, plan.required, plan.scheduled, plan.contacts),
        "short": short,
        "zone": plan.zone,
        "targets": plan.forecast.targets,
        "totals": {
            "contacts": round(sum(plan.contacts)),
            "required_hours": sum(plan.required) / 2,
            "scheduled_hours": sum(plan.scheduled) / 2,
            "missing_hours": plan.missing / 2,
        },
        "shifts_url": _url("workforce_shifts", store, monday),
    }
    return render(request, "web/workforce/coverage.html", context)


def _members(store: Store) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(store=store, user__is_active=True)
        .select_related("user")
        .order_by("user__display_name", "user_id")
    ]


def _schedule_context(request: HttpRequest, store: Store, monday: date, form_shift: Shift | None = None):
    zone = ZoneInfo(store.timezone or "UTC")
    shifts = week_shifts(store.pk, monday, zone)
    days = []
    for d in range(7):
        day = monday + timedelta(days=d)
        rows = [s for s in shifts if s.starts_at.astimezone(zone).date() == day]
        days.append({"date": day, "label": f"{intervals.DAYS[d]} {day:%d %b}", "shifts": rows})
    local = None
    if form_shift is not None:
        local = {
            "day": form_shift.starts_at.astimezone(zone).date().isoformat(),
            "start": form_shift.starts_at.astimezone(zone).strftime("%H:%M"),
            "end": form_shift.ends_at.astimezone(zone).strftime("%H:%M"),
        }
    return _base(request, store, monday) | {
        "days": days,
        "members": _members(store),
        "zone": zone,
        "form_shift": form_shift,
        "form_local": local,
        "hours": sum((s.ends_at - s.starts_at).total_seconds() for s in shifts) / 3600,
        "coverage_url": _url("workforce_coverage", store, monday),
    }


@login_required
@require_GET
def shifts(request: HttpRequest) -> HttpResponse:
    try:
        store = _store(request)
    except NotFound as exc:
        raise Http404(exc.message) from None
    monday = _monday(store, request.GET.get("week", ""))
    return render(request, "web/workforce/shifts.html", _schedule_context(request, store, monday))


def _shift(request: HttpRequest, store: Store, raw: str | None) -> Shift | None:
    if not raw:
        return None
    shift = Shift.objects.filter(pk=raw if str(raw).isdigit() else 0, store=store).select_related("user").first()
    if shift is None:
        raise Http404("Shift not found.")
    return shift


@login_required
@require_GET
def shift_form(request: HttpRequest) -> HttpResponse:
    try:
        store = _store(request)
    except NotFound as exc:
        raise Http404(exc.message) from None
    if not has_permission(_agent(request), store.pk, EDIT):
        return HttpResponseForbidden("Only leads edit the schedule.")
    monday = _monday(store, request.GET.get("week", ""))
    context = _schedule_context(request, store, monday, _shift(request, store, request.GET.get("shift")))
    return render(request, "web/workforce/_shift_form.html", context)


def _parse_times(store: Store, raw_day: str, raw_start: str, raw_end: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(store.timezone or "UTC")
    try:
        day = date.fromisoformat(raw_day)
        start, end = time.fromisoformat(raw_start), time.fromisoformat(raw_end)
    except ValueError:
        raise ActionError("Give a day and start and end times.", code="invalid_shift") from None
    starts_at = datetime.combine(day, start, tzinfo=zone)
    end_day = day + timedelta(days=1) if end <= start else day  # 22:00–06:00 ends the next morning
    return starts_at, datetime.combine(end_day, end, tzinfo=zone)


def _after_write(request: HttpRequest, store: Store, monday: date) -> HttpResponse:
    if _htmx(request):
        return render(request, "web/workforce/_schedule.html", _schedule_context(request, store, monday))
    return HttpResponseRedirect(_url("workforce_shifts", store, monday))


def _written(request: HttpRequest, write) -> HttpResponse:
    """Run one write for the posted store and week; refusals become 404/403, errors a message."""
    try:
        store = _store(request)
    except NotFound as exc:
        raise Http404(exc.message) from None
    monday = _monday(store, request.POST.get("week", ""))
    try:
        note = write(store, monday)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        if note:
            messages.success(request, note)
    return _after_write(request, store, monday)


@login_required
@require_POST
def shift_save(request: HttpRequest) -> HttpResponse:
    def write(store: Store, monday: date) -> str:
        shift = _shift(request, store, request.POST.get("shift"))
        member = next((u for u in _members(store) if str(u.pk) == request.POST.get("user", "")), None)
        if member is None:
            raise ActionError("Pick an agent of this store.", code="invalid_agent")
        starts_at, ends_at = _parse_times(
            store, request.POST.get("day", ""), request.POST.get("start", ""), request.POST.get("end", "")
        )
        do_save_shift(
            _agent(request),
            store,
            user=member,
            starts_at=starts_at,
            ends_at=ends_at,
            note=request.POST.get("note", ""),
            shift=shift,
        )
        return f"Shift {'saved' if shift else 'added'} for {member.name}."

    return _written(request, write)


@login_required
@require_POST
def shift_delete(request: HttpRequest, shift_id: int) -> HttpResponse:
    def write(store: Store, monday: date) -> str:
        shift = _shift(request, store, str(shift_id))
        assert shift is not None
        do_delete_shift(_agent(request), shift)
        return "Shift deleted."

    return _written(request, write)


@login_required
@require_POST
def shift_copy(request: HttpRequest) -> HttpResponse:
    def write(store: Store, monday: date) -> str:
        result = do_copy_previous_week(_agent(request), store, monday)
        skipped = f", {result['skipped']} skipped (overlapping)" if result["skipped"] else ""
        return f"Copied {result['copied']} shift(s) from last week{skipped}."

    return _written(request, write)


@login_required
@require_POST
def targets(request: HttpRequest) -> HttpResponse:
    try:
        store = _store(request)
    except NotFound as exc:
        raise Http404(exc.message) from None
    monday = _monday(store, request.POST.get("week", ""))
    current = targets_for(store)
    try:
        do_save_staffing_targets(
            _agent(request),
            store,
            service_level=float(request.POST.get("service_level_pct", current.service_level * 100)) / 100,
            target_s=float(request.POST.get("target_s", current.target_s)),
            max_occupancy=float(request.POST.get("max_occupancy_pct", current.max_occupancy * 100)) / 100,
            shrinkage=float(request.POST.get("shrinkage_pct", current.shrinkage * 100)) / 100,
        )
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    except (ActionError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", "Targets must be numbers."))
    else:
        messages.success(request, "Staffing targets saved.")
    return HttpResponseRedirect(_url("workforce_coverage", store, monday))
