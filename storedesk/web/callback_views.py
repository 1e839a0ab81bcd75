"""The callback queue: GET /callbacks/ lists the queued callbacks of the agent's stores, soonest
due first; POST /callbacks/<id>/outcome logs an attempt (reached, voicemail, no answer → retry
at …, wrong number)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from storedesk.automation.actions.callbacks import do_log_callback_outcome
from storedesk.automation.models import CallbackOutcome, CallbackTask
from storedesk.automation.queries import callback_queue
from storedesk.core.access import store_ids_for
from storedesk.core.errors import ActionError
from storedesk.core.models import User


@login_required
@require_GET
def callbacks(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    store_ids = store_ids_for(user)
    rows = callback_queue(store_ids)
    context = {
        "rows": rows,
        "now": timezone.now(),
        "outcomes": CallbackOutcome.choices,
        "multi_store": len(store_ids) > 1,
    }
    return render(request, "web/callbacks.html", context)


def _retry_at(raw: str) -> datetime | None:
    value = parse_datetime(raw.strip()) if raw else None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


@login_required
@require_POST
def callback_outcome(request: HttpRequest, task_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    task = CallbackTask.objects.filter(pk=task_id, store_id__in=store_ids_for(user)).first()
    if task is None:
        return HttpResponse(status=404)
    try:
        do_log_callback_outcome(
            user,
            task,
            request.POST.get("outcome", ""),
            notes=request.POST.get("notes", "")[:1000],
            retry_at=_retry_at(request.POST.get("retry_at", "")),
        )
    except ActionError as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(reverse("callbacks"))
