"""Timeline messages as HTML, built in Python rather than in a Django template.

Like the inbox rows (inbox_rows.py), a message is the conversation page's hot loop: 50 per
page, each with a dozen variables and filters through the template engine, which took most
of the timeline's render time. Built here as one f-string with every value escaped, it costs
a fraction of that. The markup is the whole message; change it here (conversation.css
styles it, conversation.js and live.js read the ids and data- attributes). Folded
conversations stay in their template (web/conversation/_fold.html): few per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape as e
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from storedesk.conversations.timeline import Entry


def _lines(text: str) -> str:
    """Django's linebreaksbr: escaped, every line break a <br>."""
    return e(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def render_entry(message: Entry, *, conversation_pk: int, folded: bool) -> str:
    css = f"msg msg-{e(message.direction)}"
    if message.system:
        css += " msg-system"
    if folded:
        css += " msg-folded"
    if message.system:
        badge = '<span class="badge system-badge" data-testid="system-note">System note</span>'
    elif message.direction == "note":
        badge = '<span class="badge note-badge">Internal note</span>'
    else:
        badge = ""
    if message.from_macro:
        badge += '<span class="muted small">· macro</span>'
    delivery = (
        f'\n    <span class="delivery delivery-{e(message.delivery_status)}" data-testid="delivery">{e(message.delivery)}</span>'
        if message.delivery
        else ""
    )
    body = message.html if message.html else _lines(message.text)  # html was sanitised (nh3) when stored
    extra = ""
    if message.quoted_text:
        extra += (
            '\n  <details class="quoted"><summary>Show quoted text</summary>'
            f'<div class="quoted-body">{_lines(message.quoted_text)}</div></details>'
        )
    if message.mentions:
        extra += f'\n  <p class="mentions muted small">Mentioned: {e(", ".join(message.mentions))}</p>'
    if message.attachments:
        files = "".join(
            f'<li><a href="{e(reverse("conversation-attachment", args=(conversation_pk, file.pk)))}" target="_blank"'
            f' rel="noopener">{e(file.filename)}</a> <span class="muted small">{filesizeformat(file.size)}</span></li>'
            for file in message.attachments
        )
        extra += f'\n  <ul class="attachments" aria-label="Attachments">\n    {files}\n  </ul>'
    key = e(message.key)
    return (
        f'\n<li class="{css}" id="m-{key}" data-message-id="{key}" data-direction="{e(message.direction)}"'
        f' data-author="{e(message.author_user_id)}" data-testid="message">\n'
        f'  <div class="msg-head">\n'
        f'    <span class="msg-author">{e(message.author)}</span>\n'
        f"    {badge}\n"
        f'    <time class="muted small" datetime="{e(message.created_iso)}">{e(message.created_label)}</time>'
        f"{delivery}\n"
        f"  </div>\n"
        f'  <div class="msg-body">{body}</div>{extra}\n'
        f"</li>\n"
    )


def render_items(items: Iterable[tuple[str, Any]], *, conversation_pk: int, folded: bool) -> SafeString:
    parts = []
    for kind, item in items:
        if kind == "message":
            parts.append(render_entry(item, conversation_pk=conversation_pk, folded=folded))
        else:
            parts.append(render_to_string("web/conversation/_fold.html", {"other": item}))
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped; message html was sanitised by nh3
