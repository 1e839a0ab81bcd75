"""Agent pages of the email channel: mail we could not process (and ignored mail), with the
raw source and a retry; mailbox health. Thin: scope, call an action, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from storedesk.channels.email import actions, queries
from storedesk.channels.email.models import InboundEmail
from storedesk.core.access import access_object
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.models import User

RAW_SHOWN = 200_000  # characters of raw source shown; the download has everything


def _row(user: User, pk: int) -> InboundEmail:
    try:
        return access_object(user, InboundEmail.objects.select_related("store", "mailbox"), pk)
    except NotFound:
        raise Http404("Email not found.") from None


@login_required
def inbound_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    status = request.GET.get("status", InboundEmail.Status.FAILED)
    if status not in (InboundEmail.Status.FAILED, InboundEmail.Status.IGNORED):
        status = InboundEmail.Status.FAILED
    context = {
        "rows": queries.inbound_list(user, status),
        "status": status,
        "health": queries.mailbox_health(user),
    }
    return render(request, "email_channel/inbound_list.html", context)


@login_required
def inbound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = _row(request.user, pk)  # type: ignore[arg-type]
    raw = bytes(row.raw).decode("utf-8", errors="replace")
    context = {"row": row, "raw": raw[:RAW_SHOWN], "truncated": len(raw) > RAW_SHOWN}
    return render(request, "email_channel/inbound_detail.html", context)


@login_required
def inbound_raw(request: HttpRequest, pk: int) -> HttpResponse:
    row = _row(request.user, pk)  # type: ignore[arg-type]
    response = HttpResponse(bytes(row.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="email-{row.pk}.eml"'
    return response


@login_required
@require_POST
def inbound_retry(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    row = _row(user, pk)
    try:
        result = actions.do_retry_inbound(user, row, accept_noise=request.POST.get("accept_noise") == "1")
    except ActionError as exc:
        return render(request, "email_channel/inbound_detail.html", {"row": row, "error": exc.message}, status=400)
    if result.status == InboundEmail.Status.PROCESSED and result.conversation_id:
        return redirect(f"/c/{result.conversation_id}/")
    return redirect("email-inbound-detail", pk=row.pk)


@login_required
def unanswered(request: HttpRequest) -> HttpResponse:
    """Conversations whose customer has waited more than X hours (?hours=, default 24)."""
    try:
        hours = int(request.GET.get("hours", 24))
    except ValueError:
        hours = 24
    hours = min(max(hours, 1), 24 * 30)
    rows = queries.unanswered(request.user, hours)  # type: ignore[arg-type]
    context = {"rows": rows, "hours": hours, "choices": queries.UNANSWERED_HOURS}
    return render(request, "email_channel/unanswered.html", context)
