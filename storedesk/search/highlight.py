"""Turning the backends' marked-up text into safe HTML: escape first, then add <mark> tags."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from storedesk.search.backends.base import MARK_END, MARK_START

_MARKERS = re.compile(f"([{MARK_START}{MARK_END}])")


def marked_html(text: str, *, newline: str = " ") -> SafeString:
    """HTML of `text` with each marked span in <mark>…</mark>. Every character of the text is
    escaped; the only tags in the result are balanced <mark> pairs (stray markers, say a
    control character inside a message, are dropped)."""
    out: list[str] = []
    inside = False
    for part in _MARKERS.split(text.replace("\r\n", "\n").replace("\n", newline)):
        if part == MARK_START:
            if not inside:
                out.append("<mark>")
                inside = True
        elif part == MARK_END:
            if inside:
                out.append("</mark>")
                inside = False
        elif part:
            out.append(escape(part))
    if inside:
        out.append("</mark>")
    return mark_safe("".join(out).replace("<mark></mark>", ""))  # noqa: S308 - every text part was escaped above


def has_mark(text: str) -> bool:
    return MARK_START in text
