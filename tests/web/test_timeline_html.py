"""Timeline messages rendered in Python (web/timeline_html.py): the exact markup, escaping,
and the same output as the page's template include."""

from __future__ import annotations

from types import SimpleNamespace

from django.template.loader import render_to_string

from storedesk.conversations.timeline import Entry
from storedesk.web.timeline_html import render_entry


def entry(**changes) -> Entry:
    values = {
        "pk": 7,
        "key": "7",
        "direction": "outbound",
        "author": "Ana <Agent>",
        "author_user_id": "3",
        "html": "",
        "text": "Line one\nLine <two>",
        "quoted_text": "",
        "from_macro": False,
        "mentions": (),
        "created_iso": "2026-11-20T12:00:00+00:00",
        "created_label": "20 Nov 12:00",
        "delivery": "",
        "delivery_status": "",
        "attachments": (),
        "system": False,
    }
    return Entry(**{**values, **changes})


def test_it_renders_a_plain_reply_escaped_with_line_breaks():
    html = render_entry(entry(), conversation_pk=5, folded=False)

    assert html == (
        '\n<li class="msg msg-outbound" id="m-7" data-message-id="7" data-direction="outbound"'
        ' data-author="3" data-testid="message">\n'
        '  <div class="msg-head">\n'
        '    <span class="msg-author">Ana &lt;Agent&gt;</span>\n'
        "    \n"
        '    <time class="muted small" datetime="2026-11-20T12:00:00+00:00">20 Nov 12:00</time>\n'
        "  </div>\n"
        '  <div class="msg-body">Line one<br>Line &lt;two&gt;</div>\n'
        "</li>\n"
    )


def test_it_shows_every_part_of_a_rich_message():
    files = (SimpleNamespace(pk=11, filename='r"eceipt<1>.pdf', size=2048),)
    html = render_entry(
        entry(
            direction="note",
            html="<p>Sanitised <b>body</b></p>",
            quoted_text="> earlier\n> text",
            from_macro=True,
            mentions=("Ben", "Leo"),
            delivery="Failed: mailbox full",
            delivery_status="failed",
            attachments=files,
        ),
        conversation_pk=5,
        folded=True,
    )

    assert '<li class="msg msg-note msg-folded" id="m-7"' in html
    assert '<span class="badge note-badge">Internal note</span><span class="muted small">· macro</span>' in html
    assert '<span class="delivery delivery-failed" data-testid="delivery">Failed: mailbox full</span>' in html
    assert '<div class="msg-body"><p>Sanitised <b>body</b></p></div>' in html
    assert '<div class="quoted-body">&gt; earlier<br>&gt; text</div>' in html
    assert '<p class="mentions muted small">Mentioned: Ben, Leo</p>' in html
    assert (
        '<li><a href="/c/5/attachments/11" target="_blank" rel="noopener">r&quot;eceipt&lt;1&gt;.pdf</a>'
        ' <span class="muted small">2.0\xa0KB</span></li>'
    ) in html


def test_it_marks_a_system_note():
    html = render_entry(entry(direction="note", system=True), conversation_pk=5, folded=False)

    assert 'class="msg msg-note msg-system"' in html
    assert '<span class="badge system-badge" data-testid="system-note">System note</span>' in html
    assert "Internal note" not in html


def test_the_page_include_renders_the_same_markup(db):
    conversation = SimpleNamespace(pk=5)
    items = [("message", entry()), ("message", entry(pk=8, key="8", direction="inbound", author_user_id=""))]

    html = render_to_string(
        "web/conversation/_items.html", {"items": items, "conversation": conversation, "folded": False}
    )

    assert html.strip().startswith("<li")
    assert html.count('data-testid="message"') == 2
    assert render_entry(entry(), conversation_pk=5, folded=False) in html
