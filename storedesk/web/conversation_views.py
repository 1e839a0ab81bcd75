"""The conversation page and its actions. Thin: find the conversation within the agent's stores,
parse the form, call one action, answer with a fragment (HTMX) or a redirect (plain form post).

A conversation outside the agent's stores is a 404 for every endpoint here. An action's refusal
(`ActionError` and its subclasses) is shown to the agent: in the page's flash area for HTMX
requests, or on the re-rendered page (draft kept) for plain posts, with the error's status code.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from storedesk.conversations import actions, timeline
from storedesk.conversations.models import Attachment, Conversation, Macro, Priority
from storedesk.core.access import access_object, check_permission
from storedesk.core.errors import ActionError, Conflict, NotFound
from storedesk.core.models import Team, User
from storedesk.notifications.mentions import find_mentions

MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
# Served inline; everything else is a download (an uploaded HTML or SVG file must never run here).
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
SNOOZE_PRESETS = {"1h": "In 1 hour", "4h": "In 4 hours", "tomorrow": "Tomorrow 9:00", "next_week": "Monday 9:00"}
CHOICES = {"priority_choices": Priority.choices, "snooze_presets": list(SNOOZE_PRESETS.items())}


def _agent(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    try:
        return timeline.get_conversation(_agent(request), pk)
    except NotFound:
        raise Http404("Conversation not found.") from None


def _page_url(conversation: Conversation) -> str:
    return reverse("conversation", args=[conversation.pk])


def _page_context(request: HttpRequest, pk: int, **extra: Any) -> dict[str, Any]:
    try:
        page = timeline.page(_agent(request), pk)
    except NotFound:
        raise Http404("Conversation not found.") from None
    return {
        "page": page,
        "conversation": page.conversation,
        "store": page.conversation.store,
        "agents": page.agents,
        # For the composer's @-suggestions.
        "agents_json": [{"id": a.pk, "name": a.name, "handle": a.email.split("@")[0]} for a in page.agents],
        "draft": "",
        **CHOICES,
        **extra,
    }


def _render_page(request: HttpRequest, pk: int, *, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "web/conversation.html", _page_context(request, pk, **extra), status=status)


def _refused(request: HttpRequest, conversation: Conversation, exc: ActionError, **extra: Any) -> HttpResponse:
    """Show an action's refusal: in #flash for HTMX, else on the page again with the draft kept."""
    if _htmx(request):
        html = render_to_string("web/conversation/_error.html", {"error": exc, **extra}, request=request)
        return HttpResponse(html, status=exc.status_code, headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
    return _render_page(
        request,
        conversation.pk,
        status=exc.status_code,
        error=exc,
        draft=request.POST.get("body", ""),
        **extra,
    )


def _header(request: HttpRequest, conversation: Conversation, *, oob: bool = False) -> str:
    conversation = timeline.get_conversation(_agent(request), conversation.pk)  # fresh, with tags
    store_id = conversation.store_id
    context = {
        "conversation": conversation,
        "agents": timeline.agents(store_id),
        "teams": timeline.teams(store_id),
        "tags": timeline.store_tags(store_id),
        "oob": oob,
        **CHOICES,
    }
    return render_to_string("web/conversation/_header.html", context, request=request)


def _changed(request: HttpRequest, conversation: Conversation) -> HttpResponse:
    """After a change to the conversation: its new header (HTMX) or the page again (plain post)."""
    if _htmx(request):
        return HttpResponse(_header(request, conversation))
    return HttpResponseRedirect(_page_url(conversation), status=303)


def _act(request: HttpRequest, pk: int, change: Callable[[Conversation], Any]) -> HttpResponse:
    conversation = _conversation(request, pk)
    try:
        change(conversation)
    except ActionError as exc:
        return _refused(request, conversation, exc)
    return _changed(request, conversation)


def _int(value: str | None, what: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise ActionError(f"Choose a {what}.", code=f"invalid_{what.replace(' ', '_')}") from None


# --- the page and its read-only fragments --------------------------------------------------


@login_required
@require_GET
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    context = _page_context(request, pk)
    merged_into = context["conversation"].merged_into_id
    if merged_into is not None:
        return HttpResponseRedirect(reverse("conversation", args=[merged_into]))
    return render(request, "web/conversation.html", context)


@login_required
@require_GET
def timeline_items(request: HttpRequest, pk: int) -> HttpResponse:
    """`?after=<id>`: messages since the client's last one (live updates, reconnect catch-up).
    `?before=<id>`: the page of messages before that one ("Show earlier")."""
    conversation = _conversation(request, pk)
    agents_by_id = _agents_by_id(conversation)
    context: dict[str, Any] = {"conversation": conversation}
    if "before" in request.GET:
        page = timeline.timeline(conversation, before=_int(request.GET.get("before"), "message"))
        context |= {"items": timeline.entries(page.messages, agents_by_id), "has_earlier": page.has_earlier}
        return render(request, "web/conversation/_earlier.html", context)
    after = _int(request.GET.get("after", "0"), "message")
    context["items"] = timeline.entries(timeline.messages_after(conversation, after), agents_by_id)
    return render(request, "web/conversation/_items.html", context)


def _agents_by_id(conversation: Conversation) -> dict[int, User]:
    return {u.pk: u for u in timeline.agents(conversation.store_id)}


@login_required
@require_GET
def header(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(_header(request, _conversation(request, pk)))


@login_required
@require_GET
def sidebar(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    context = {"conversation": conversation, "sidebar": timeline.sidebar(conversation)}
    return render(request, "web/conversation/_sidebar.html", context)


@login_required
@require_GET
def fold(request: HttpRequest, pk: int) -> HttpResponse:
    """A folded conversation's latest messages, expanded inside another conversation's timeline."""
    conversation = _conversation(request, pk)
    page = timeline.timeline(conversation, limit=timeline.FOLD_LIMIT)
    context = {
        "conversation": conversation,
        "items": timeline.entries(page.messages, _agents_by_id(conversation)),
        "has_earlier": page.has_earlier,
        "folded": True,
    }
    return render(request, "web/conversation/_fold_messages.html", context)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """An attachment, only to agents of the conversation's store (files are never public URLs)."""
    conversation = _conversation(request, pk)
    found = Attachment.objects.filter(pk=attachment_id, message__conversation=conversation).first()
    if found is None:
        raise Http404("Attachment not found.")
    content_type = found.content_type or mimetypes.guess_type(found.filename)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=not inline,
        filename=found.filename,
        content_type=content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- the composer --------------------------------------------------------------------------


def _attachments(request: HttpRequest) -> list[actions.NewAttachment]:
    files: list[UploadedFile] = request.FILES.getlist("attachments")
    if len(files) > MAX_ATTACHMENTS:
        raise ActionError(f"Attach at most {MAX_ATTACHMENTS} files.", code="too_many_attachments")
    out = []
    for upload in files:
        if upload.size and upload.size > MAX_ATTACHMENT_BYTES:
            raise ActionError(f"{upload.name} is larger than 25 MB.", code="attachment_too_large")
        name = (upload.name or "attachment").replace("/", "_").replace("\\", "_")[:200]
        content_type = upload.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        out.append(actions.NewAttachment(filename=name, content=upload.read(), content_type=content_type))
    return out


def _sent(request: HttpRequest, conversation: Conversation, *, mode: str, status_changed: bool) -> HttpResponse:
    if not _htmx(request):
        return HttpResponseRedirect(_page_url(conversation), status=303)
    context = {
        "conversation": conversation,
        "draft": "",
        "mode": mode,
        "macros": timeline.macros(conversation.store_id),
    }
    html: str = render_to_string("web/conversation/_composer.html", context, request=request)
    if status_changed:
        html += _header(request, conversation, oob=True)
    # conversation.js appends the new message(s) from `timeline?after=` (the same path live updates use).
    return HttpResponse(html, headers={"HX-Trigger": "storedesk:sent"})


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    agent = _agent(request)
    body = request.POST.get("body", "")
    status_after = request.POST.get("status_after") or None
    try:
        if request.POST.get("force") != "1":
            seen = _int(request.POST.get("seen") or "0", "message")
            others = timeline.replies_since(conversation, seen, agent) if seen else []
            if others:
                return _collision(request, conversation, others)
        files = _attachments(request)
        macro = _macro(conversation, request.POST.get("macro_id"))
        with transaction.atomic():
            if macro is not None:
                actions.do_apply_macro(agent, conversation, macro, body_text=body, attachments=files)
                if status_after is not None:
                    actions.do_set_status(agent, conversation, status_after)
            else:
                actions.do_reply(agent, conversation, body_text=body, attachments=files, status_after=status_after)
    except ActionError as exc:
        return _refused(request, conversation, exc, mode="reply")
    changed = status_after is not None or bool(macro and macro.actions)
    return _sent(request, conversation, mode="reply", status_changed=changed)


def _collision(request: HttpRequest, conversation: Conversation, others: list[Any]) -> HttpResponse:
    names = sorted({m.author_user.name if m.author_user else "Someone" for m in others})
    who = " and ".join(names)
    error = Conflict(f"{who} replied while you were writing.", code="collision")
    return _refused(request, conversation, error, collision=others)


def _macro(conversation: Conversation, macro_id: str | None) -> Macro | None:
    if not macro_id:
        return None
    macro = Macro.objects.filter(pk=_int(macro_id, "macro"), store_id=conversation.store_id).first()
    if macro is None:
        raise NotFound("That macro no longer exists.")
    return macro


@login_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    agent = _agent(request)
    body = request.POST.get("body", "")
    try:
        mentioned = find_mentions(body, timeline.agents(conversation.store_id))
        files = _attachments(request)
        actions.do_add_note(agent, conversation, body_text=body, mentions=mentioned, attachments=files)
    except ActionError as exc:
        return _refused(request, conversation, exc, mode="note")
    return _sent(request, conversation, mode="note", status_changed=False)


@login_required
@require_POST
def macro_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The macro's text with its variables filled, put into the composer for editing. Sends nothing."""
    conversation = _conversation(request, pk)
    agent = _agent(request)
    draft = request.POST.get("body", "")
    try:
        macro = _macro(conversation, request.POST.get("macro"))
        if macro is None:
            raise ActionError("Choose a macro.", code="invalid_macro")
        check_permission(agent, conversation.store_id, "macro.use")
        text = actions.render_macro(macro, conversation, agent)
    except ActionError as exc:
        return _refused(request, conversation, exc, mode="reply")
    filled = f"{draft.rstrip()}\n\n{text}" if draft.strip() else text
    context = {"conversation": conversation, "draft": filled, "macro": macro, "mode": "reply"}
    if _htmx(request):
        return render(request, "web/conversation/_composer_body.html", context)
    return _render_page(request, pk, draft=filled, macro=macro, mode="reply")


# --- the header's actions ------------------------------------------------------------------


def _store_agent(conversation: Conversation, value: str, me: User) -> User | None:
    """An agent of this conversation's store by id ("me" is the caller); "" unassigns."""
    if value == "":
        return None
    if value == "me":
        return me
    found = User.objects.filter(pk=_int(value, "agent"), memberships__store_id=conversation.store_id).first()
    if found is None:
        raise ActionError("That agent is not a member of this store.", code="invalid_assignee")
    return found


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    def change(conversation: Conversation) -> None:
        agent = _agent(request)
        assignee = _store_agent(conversation, request.POST.get("assignee", ""), agent)
        team: Team | None | object = ...
        if "team" in request.POST:
            team_id = request.POST["team"]
            team = (
                Team.objects.filter(pk=_int(team_id, "team"), store_id=conversation.store_id).first()
                if team_id
                else None
            )
            if team_id and team is None:
                raise NotFound("Team not found.")
        actions.do_assign(agent, conversation, assignee=assignee, team=team)

    return _act(request, pk, change)


@login_required
@require_POST
def status(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda c: actions.do_set_status(_agent(request), c, request.POST.get("status", "")))


def _nine_am(day: datetime) -> datetime:
    return day.replace(hour=9, minute=0, second=0, microsecond=0)


def snooze_until(preset: str, until: str, tz_name: str) -> datetime:
    """A preset, or a datetime-local value read in the store's time zone."""
    tz = ZoneInfo(tz_name or "UTC")
    now = timezone.now().astimezone(tz)
    if preset == "1h":
        return now + timedelta(hours=1)
    if preset == "4h":
        return now + timedelta(hours=4)
    if preset == "tomorrow":
        return _nine_am(now + timedelta(days=1))
    if preset == "next_week":
        return _nine_am(now + timedelta(days=7 - now.weekday()))
    try:
        parsed = datetime.fromisoformat(until)
    except ValueError:
        raise ActionError("Choose when to wake the conversation up.", code="invalid_snooze") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


@login_required
@require_POST
def snooze(request: HttpRequest, pk: int) -> HttpResponse:
    def change(conversation: Conversation) -> None:
        until = snooze_until(request.POST.get("preset", ""), request.POST.get("until", ""), conversation.store.timezone)
        actions.do_snooze(_agent(request), conversation, until)

    return _act(request, pk, change)


@login_required
@require_POST
def priority(request: HttpRequest, pk: int) -> HttpResponse:
    def change(conversation: Conversation) -> None:
        actions.do_set_priority(_agent(request), conversation, _int(request.POST.get("priority"), "priority"))

    return _act(request, pk, change)


@login_required
@require_POST
def tags(request: HttpRequest, pk: int) -> HttpResponse:
    def change(conversation: Conversation) -> None:
        add = [name for name in request.POST.get("add", "").split(",") if name.strip()]
        remove = request.POST.getlist("remove")
        if not add and not remove:
            raise ActionError("Type a tag to add.", code="invalid_tag")
        actions.do_tag(_agent(request), conversation, add=add, remove=remove)

    return _act(request, pk, change)


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """`other` merged into this conversation (`direction=into_this`, the default) or this one into `other`."""
    conversation = _conversation(request, pk)
    agent = _agent(request)
    try:
        other_id = _int(request.POST.get("other"), "conversation")
        other = access_object(agent, Conversation.objects.select_related("customer"), other_id, "conversation.merge")
        if request.POST.get("direction") == "into_other":
            survivor = actions.do_merge_conversations(agent, conversation, other)
        else:
            survivor = actions.do_merge_conversations(agent, other, conversation)
    except ActionError as exc:
        return _refused(request, conversation, exc)
    url = _page_url(survivor)
    if _htmx(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url, status=303)


# --- the customer sidebar ------------------------------------------------------------------


@login_required
@require_POST
def customer_notes(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    try:
        vip = request.POST.get("vip") == "on" if "vip_shown" in request.POST else None
        actions.do_update_customer(
            _agent(request), conversation.customer, notes=request.POST.get("notes", "").strip(), vip=vip
        )
    except ActionError as exc:
        return _refused(request, conversation, exc)
    if _htmx(request):
        context = {"conversation": conversation, "sidebar": timeline.sidebar(conversation), "saved": True}
        return render(request, "web/conversation/_sidebar.html", context)
    return HttpResponseRedirect(_page_url(conversation), status=303)
