"""Files in the chat: what a visitor may upload, and the links a visitor's widget gets to files.

Uploads go through the email channel's checks (`channels/email/attachments.py`): the bytes
decide the type, never the declared Content-Type or the name. On top of that the widget accepts
only what a shopper needs to show (photos and PDFs, `ALLOWED_TYPES`), at most `MAX_BYTES`:
a chat is not a file drop, and anything else is refused before a row is written.

A visitor has no session and the files are never public: each attachment shown in the widget
carries a signed link (`django.core.signing`, bound to the store and the attachment, valid
`LINK_MAX_AGE_S`), issued only over that visitor's own socket (welcome history, pushes, acks).
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from storedesk.channels.email.attachments import INLINE_IMAGES, content_type_for, safe_filename
from storedesk.channels.email.parse import ParsedAttachment
from storedesk.conversations.actions import NewAttachment
from storedesk.conversations.models import Attachment
from storedesk.core.errors import ActionError

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_TYPES = INLINE_IMAGES | {"image/heic", "image/heif", "image/avif", "application/pdf"}
MAX_UPLOADS = 20  # per visitor per UPLOAD_WINDOW_S: a chat is not a file drop
UPLOAD_WINDOW_S = 600
LINK_SALT = "storedesk.livechat.file"
LINK_MAX_AGE_S = 7 * 24 * 3600


def prepare_upload(filename: str, content: bytes, declared_type: str) -> NewAttachment:
    """One uploaded file as an attachment to store, or ActionError (`file_too_large`,
    `empty_file`, `unsupported_file`)."""
    if not content:
        raise ActionError("The file is empty.", code="empty_file")
    if len(content) > MAX_BYTES:
        raise ActionError(f"Files can be at most {MAX_BYTES // (1024 * 1024)} MB.", code="file_too_large")
    name = safe_filename(filename, fallback="file")
    ctype = content_type_for(ParsedAttachment(filename=name, content_type=declared_type or "", content=content))
    if ctype not in ALLOWED_TYPES:
        raise ActionError("Only photos and PDF files can be sent.", code="unsupported_file")
    return NewAttachment(filename=name, content=content, content_type=ctype)


def upload_allowed(visitor_id: int) -> bool:
    """Count one upload attempt of the visitor; False past MAX_UPLOADS in the window (a fixed
    window in the cache, shared by every process when the cache is Redis)."""
    key = f"livechat:uploads:{visitor_id}"
    cache.add(key, 0, UPLOAD_WINDOW_S)
    try:
        return cache.incr(key) <= MAX_UPLOADS
    except ValueError:  # expired between add and incr
        cache.set(key, 1, UPLOAD_WINDOW_S)
        return True


def file_link(store_id: int, attachment_id: int) -> str:
    token = signing.dumps({"s": store_id, "a": attachment_id}, salt=LINK_SALT)
    return reverse("livechat-file", kwargs={"token": token})


def read_link(token: str) -> tuple[int, int] | None:
    """(store id, attachment id) of a link we issued that is still valid; else None."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE_S)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int) or not isinstance(data.get("a"), int):
        return None
    return int(data["s"]), int(data["a"])


def attachment_payload(store_id: int, attachment: Attachment) -> dict[str, Any]:
    return {
        "name": attachment.filename,
        "size": attachment.size,
        "type": attachment.content_type,
        "image": attachment.content_type in INLINE_IMAGES,
        "url": file_link(store_id, attachment.pk),
    }
