"""An agent's own notifications (@mentions): the list, the top bar badge, marking read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from storedesk.core.models import User
from storedesk.notifications.actions import do_mark_read, unread_count
from storedesk.notifications.models import Notification

LIST_LIMIT = 50


def _agent(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """The newest notifications, read or not. Serves: notification_recipient_idx."""
    rows = (
        Notification.objects.filter(recipient=_agent(request))
        .select_related("actor", "conversation")
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    return render(request, "web/notifications.html", {"notifications": list(rows)})


@login_required
@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The top bar's unread count, loaded by HTMX after the page (no query on every page render)."""
    return render(request, "web/_notifications_badge.html", {"unread": unread_count(_agent(request))})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """`id` (repeatable): those; none: all. Then to `conversation` when given, else the list."""
    ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
    do_mark_read(_agent(request), ids or None)
    conversation = request.POST.get("conversation", "")
    if conversation.isdigit():
        return HttpResponseRedirect(reverse("conversation", args=[int(conversation)]), status=303)
    return HttpResponseRedirect(reverse("notifications"), status=303)
