"""HTML sanitising (nh3/ammonia) and plain-text helpers. No ORM here."""

from __future__ import annotations

import html
import re

import nh3

_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"span", "div", "p", "br", "img", "table", "thead", "tbody", "tr", "td", "th"}
_ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_TAG_RE = re.compile(r"<[^>]+>")
_BLOCK_RE = re.compile(r"</?(p|div|br|li|tr|h[1-6]|blockquote)[^>]*>", re.IGNORECASE)
_SPACES_RE = re.compile(r"[ \t]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")


def clean_html(value: str) -> str:
    """Sanitise untrusted HTML: no scripts, styles, event handlers or javascript: links.

    Links get rel="noopener noreferrer"; images keep only http(s), cid: and data: sources.
    """
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
        link_rel="noopener noreferrer",
    )


def html_to_text(value: str) -> str:
    """A readable plain-text rendering of (already sanitised) HTML for previews and search."""
    text = _BLOCK_RE.sub("\n", value)
    text = html.unescape(_TAG_RE.sub("", text))
    text = _SPACES_RE.sub(" ", text)
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


def preview(value: str, length: int = 200) -> str:
    one_line = " ".join(value.split())
    return one_line if len(one_line) <= length else one_line[: length - 1].rstrip() + "…"
