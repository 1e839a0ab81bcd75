"""Small formatting helpers for inbox rows and the dashboard (cheap: they run 50 times a page)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def waited(since: datetime | None) -> str:
    """How long ago, compactly: 45s, 12m, 3h, 5d, 7w."""
    if since is None:
        return ""
    seconds = max(0, int((timezone.now() - since).total_seconds()))
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@register.filter
def capped(count: int, cap: int) -> str:
    """A capped count for display: 1,000+ once it went past the cap."""
    return f"{intcomma(cap)}+" if count > cap else str(intcomma(count))


@register.filter
def css_color(value: str) -> str:
    """A tag colour safe inside style="": #rgb / #rrggbb / #rrggbbaa, else the default grey."""
    text = str(value or "")
    if text.startswith("#") and len(text) in (4, 7, 9) and all(ch in "0123456789abcdefABCDEF" for ch in text[1:]):
        return text
    return "#64748b"


@register.simple_tag
def inbox_rows(rows: Any, query: str, multi_store: bool) -> SafeString:
    """The inbox rows (storedesk/web/inbox_rows.py builds their HTML)."""
    from storedesk.web.inbox_rows import render_rows

    return render_rows(rows, query=query, multi_store=multi_store)
