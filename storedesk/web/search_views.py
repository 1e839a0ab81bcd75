"""The search results page: GET /search/?q=… (the top bar's search box submits here)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from storedesk.commerce.queries import order_hits
from storedesk.core.models import User
from storedesk.search.queries import MAX_RESULTS, search_conversations
from storedesk.search.query import MAX_QUERY_CHARS
from storedesk.web import queries

PAGE_SIZE = 25
LAST_PAGE = MAX_RESULTS // PAGE_SIZE


def _page_number(raw: str | None) -> int:
    return min(max(int(raw), 1), LAST_PAGE) if raw and raw.isdigit() and len(raw) < 6 else 1


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    text = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    page = _page_number(request.GET.get("page"))
    stores = queries.stores_for(user)
    results = (
        search_conversations(user, text, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE) if text and stores else None
    )
    orders = order_hits([store.pk for store in stores], text) if text and page == 1 else []
    context = {
        "stores": stores,
        "orders": orders,
        "q": text,
        "results": results,
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if results is not None and results.has_more else None,
        "multi_store": len(stores) > 1,
    }
    return render(request, "web/search.html", context)
