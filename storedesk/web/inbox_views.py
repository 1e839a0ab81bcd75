"""The agent inbox: views of conversations, live row updates, bulk changes, saved views.

Thin: parse the GET/POST parameters, call one finder (conversations.queries) or one action
(conversations.actions), render. See docs/inbox.md.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from storedesk.conversations import actions, queries
from storedesk.conversations.models import Channel, SavedView, Status
from storedesk.conversations.queries import (
    ALL_VIEW_SORTS,
    MAX_ID,
    SORTS,
    VIEWS,
    InboxFilters,
    InboxPage,
    cached_view_counts,
    inbox_page,
    inbox_row,
    saved_views_for,
)
from storedesk.core.access import access_object, access_store, store_ids_for
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.models import Team, User
from storedesk.web import queries as web_queries
from storedesk.web.inbox_rows import render_row


def _agent(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _filters_from_query(value: str) -> InboxFilters:
    return InboxFilters.from_params(QueryDict(value or ""))


def _inbox_url(filters: InboxFilters) -> str:
    query = filters.querystring()
    return reverse("inbox") + (f"?{query}" if query else "")


def _list_context(user: User, filters: InboxFilters, page: InboxPage, **extra: Any) -> dict[str, Any]:
    return {
        "filters": filters,
        "query": filters.querystring(),
        "page": page,
        "counts": cached_view_counts(user, filters),
        "cap": queries.COUNT_CAP,
        "views": VIEWS,
        "multi_store": len(store_ids_for(user)) > 1,
        **extra,
    }


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The inbox page: the view tabs with capped counts, filters, saved views and one page of rows."""
    user = _agent(request)
    filters = InboxFilters.from_params(request.GET)
    stores = web_queries.stores_for(user)
    page = inbox_page(user, filters, cursor=request.GET.get("cursor"))
    saved = saved_views_for(user)
    current_saved = _int(request.GET.get("saved"))
    teams = list(Team.objects.filter(store_id__in=[s.pk for s in stores]).order_by("name", "id")) if stores else []
    context = _list_context(
        user,
        filters,
        page,
        stores=stores,
        teams=teams,
        saved_views=[(view, _view_query(view)) for view in saved],
        current_saved=current_saved,
        sorts=[s for name, s in SORTS.items() if filters.view != "all" or filters.status or name in ALL_VIEW_SORTS],
        statuses=Status.choices,
        channels=Channel.choices,
        title=_title(filters, teams),
    )
    context["tabs"] = [
        (key, label, filters.querystring(view=key, status=None), context["counts"].get(key))
        for key, label in VIEWS.items()
    ]
    return render(request, "web/inbox/inbox.html", context)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and int(value) <= MAX_ID else None


def _view_query(view: SavedView) -> str:
    filters = InboxFilters.from_params(view.filters)
    query = filters.querystring()
    return f"{query}&saved={view.pk}" if query else f"saved={view.pk}"


def _title(filters: InboxFilters, teams: list[Team]) -> str:
    title = VIEWS[filters.view]
    if filters.team is not None:
        team = next((t for t in teams if t.pk == filters.team), None)
        title += f" · {team.name}" if team else ""
    return title


@login_required
@require_GET
def inbox_rows(request: HttpRequest) -> HttpResponse:
    """HTMX fragment. With `cursor`: the next rows (appended by "Load more"). Without: the whole
    list from the top plus the view counts (out of band) — a refresh after live updates, the
    "N new — show" bar, or a reconnect."""
    user = _agent(request)
    filters = InboxFilters.from_params(request.GET)
    cursor = request.GET.get("cursor")
    page = inbox_page(user, filters, cursor=cursor)
    if cursor:
        context = {"page": page, "query": filters.querystring(), "multi_store": len(store_ids_for(user)) > 1}
        return render(request, "web/inbox/_page.html", context)
    return render(request, "web/inbox/_list.html", {**_list_context(user, filters, page), "oob_counts": True})


@login_required
@require_GET
def inbox_row_fragment(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """One row re-rendered after a live event; empty when it no longer belongs in this view
    (or is not the agent's to see — the two look the same)."""
    user = _agent(request)
    filters = InboxFilters.from_params(request.GET)
    row = inbox_row(user, conversation_id, filters)
    if row is None:
        return HttpResponse("")
    return HttpResponse(render_row(row, query=filters.querystring(), multi_store=len(store_ids_for(user)) > 1))


@login_required
@require_GET
def inbox_assignees(request: HttpRequest) -> HttpResponse:
    """The bulk "assign to" options: active agents of the agent's stores (loaded when the bulk
    bar first shows, so the inbox page itself does not pay for them)."""
    user = _agent(request)
    agents = (
        User.objects.filter(is_active=True, memberships__store_id__in=store_ids_for(user))
        .exclude(pk=user.pk)
        .distinct()
        .order_by("display_name", "email")
    )
    return render(request, "web/inbox/_assignees.html", {"agents": agents})


def _assignee(user: User, value: str) -> User | None:
    if value == "me":
        return user
    if value in ("", "none"):
        return None
    agent_id = _int(value)
    agent = (
        User.objects.filter(pk=agent_id, is_active=True, memberships__store_id__in=store_ids_for(user)).first()
        if agent_id
        else None
    )
    if agent is None:
        raise NotFound("That agent was not found.")
    return agent


BULK_DONE = {"assign": "Assigned", "tag": "Tagged", "resolve": "Resolved"}


@login_required
@require_POST
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    """Assign / tag / resolve the selected conversations (all or nothing, see actions/bulk.py).

    HTMX: answers with the refreshed list (error: the list unchanged, with the message and the
    error's status). Without JavaScript: redirects back to the same inbox with a message."""
    user = _agent(request)
    filters = _filters_from_query(request.POST.get("query", ""))
    ids = [int(value) for value in request.POST.getlist("ids") if _int(value) is not None]
    op = request.POST.get("op", "")
    status, error, notice = 200, "", ""
    try:
        assignee = _assignee(user, request.POST.get("assignee", "")) if op == "assign" else None
        count = actions.do_bulk(user, ids, op=op, assignee=assignee, tag=request.POST.get("tag", ""))
        notice = f"{BULK_DONE[op]} {len(ids)} conversation{'s' if len(ids) != 1 else ''}."
        if count != len(ids):
            notice += f" ({len(ids) - count} already were.)"
    except ActionError as exc:
        status, error = exc.status_code, exc.message
    if not _is_htmx(request):
        (messages.error if error else messages.success)(request, error or notice)
        return HttpResponseRedirect(_inbox_url(filters), status=303)
    page = inbox_page(user, filters)
    context = _list_context(user, filters, page, oob_counts=True, notice=notice, error=error)
    return render(request, "web/inbox/_list.html", context, status=status)


@login_required
@require_POST
def inbox_view_save(request: HttpRequest) -> HttpResponse:
    """Save the current filters as a named view (shared with the store if asked and allowed)."""
    user = _agent(request)
    filters = _filters_from_query(request.POST.get("query", ""))
    try:
        store_ref = request.POST.get("store") or (filters.store and str(filters.store)) or ""
        if not store_ref:
            store_ids = store_ids_for(user)
            if len(store_ids) != 1:
                raise ActionError("Choose the store this view belongs to.", code="store_required")
            store_ref = str(store_ids[0])
        store = access_store(user, store_ref)
        view = actions.do_save_view(
            user,
            store,
            name=request.POST.get("name", ""),
            filters=filters.to_params(),
            shared=request.POST.get("shared") == "on",
        )
    except ActionError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(_inbox_url(filters), status=303)
    messages.success(request, f"Saved view “{view.name}”.")
    return HttpResponseRedirect(reverse("inbox") + "?" + _view_query(view), status=303)


@login_required
@require_POST
def inbox_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    user = _agent(request)
    try:
        view = access_object(user, SavedView.objects.all(), view_id, "conversation.view")
        name = view.name
        actions.do_delete_view(user, view)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Deleted view “{name}”.")
    return HttpResponseRedirect(reverse("inbox"), status=303)
