"""Template tags shared by every agent page."""

from __future__ import annotations

from typing import Any

from django import template

from storedesk.web import queries

register = template.Library()


@register.inclusion_tag("web/_topbar.html", takes_context=True)
def topbar(context: template.Context) -> dict[str, Any]:
    """The top bar: current store (or the agent's stores), the agent, sign out.

    Pages that already loaded the agent's stores pass them as `stores` (no extra query);
    a page about one store passes it as `store`.
    """
    request = context["request"]
    store = context.get("store")
    if store is not None:
        label = store.name
    else:
        stores = context.get("stores")
        if stores is None:
            stores = queries.stores_for(request.user)
        label = queries.stores_label(stores)
    return {"agent": request.user, "store_label": label, "csrf_token": context.get("csrf_token")}


@register.simple_tag
def timeline_items(items: Any, conversation: Any, folded: bool = False) -> Any:
    """The timeline's messages and folds, rendered in Python (web/timeline_html.py)."""
    from storedesk.web.timeline_html import render_items

    return render_items(items, conversation_pk=conversation.pk, folded=bool(folded))
