"""Attachments of inbound mail: size limits, type sniffing, safe names. Pure, no ORM.

The declared Content-Type is a claim by the sender; the bytes decide. A file whose magic
bytes say PNG is stored as image/png whatever it was labelled; anything that a browser could
run (HTML, SVG, scripts, executables) is stored as application/octet-stream and never
inline, so serving it can never execute in our origin. Oversized files are not stored as
attachments: they are listed in the message metadata, and the raw email keeps them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from storedesk.channels.email.parse import ParsedAttachment
from storedesk.conversations.actions import NewAttachment

MAGIC: list[tuple[bytes, int, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"\x1f\x8b", 0, "application/gzip"),
    (b"Rar!\x1a\x07", 0, "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", 0, "application/x-7z-compressed"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage"),  # .doc/.xls/.msg
    (b"MZ", 0, "application/x-msdownload"),
    (b"\x7fELF", 0, "application/x-executable"),
    (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"ftypheic", 4, "image/heic"),
    (b"ftypavif", 4, "image/avif"),
    (b"ftypmif1", 4, "image/heif"),
    (b"ftyp", 4, "video/mp4"),
    (b"OggS", 0, "audio/ogg"),
    (b"ID3", 0, "audio/mpeg"),
]
# Office files are zips: keep the declared OOXML type when the bytes are a zip.
_ZIP_BASED = ("application/vnd.openxmlformats", "application/vnd.oasis.opendocument", "application/epub")
_ACTIVE = re.compile(
    r"^(text/html|application/xhtml|image/svg|text/javascript|application/javascript|application/x-msdownload|"
    r"application/x-executable|application/x-sh|application/x-msdos|application/hta|text/xml|application/xml)",
    re.IGNORECASE,
)
_ACTIVE_EXT = {".html", ".htm", ".xhtml", ".svg", ".js", ".mjs", ".exe", ".bat", ".cmd", ".scr", ".hta", ".vbs", ".xml"}
INLINE_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


@dataclass(frozen=True)
class Limits:
    max_bytes: int  # per attachment
    max_total_bytes: int  # per message
    max_count: int


_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<script|<svg|<\?xml|<iframe)", re.IGNORECASE)


def sniff(content: bytes) -> str | None:
    for magic, offset, ctype in MAGIC:
        if content[offset : offset + len(magic)] == magic:
            return ctype
    if _HTML_START.match(content[:512]) or b"<script" in content[:4096].lower():
        return "text/html"
    return None


def safe_filename(name: str, fallback: str = "attachment") -> str:
    """A name that is safe on any filesystem and in a Content-Disposition header."""
    name = name.replace("\\", "/").split("/")[-1]
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]+", "", name).strip(" .")
    if not name:
        name = fallback
    stem, ext = os.path.splitext(name)
    return stem[: 200 - len(ext[:20])] + ext[:20]


def content_type_for(item: ParsedAttachment) -> str:
    declared = (item.content_type or "application/octet-stream").lower()
    sniffed = sniff(item.content)
    if sniffed == "application/zip" and declared.startswith(_ZIP_BASED):
        ctype = declared
    else:
        ctype = sniffed or declared
    ext = os.path.splitext(item.filename.lower())[1]
    if _ACTIVE.match(ctype) or _ACTIVE.match(declared) or ext in _ACTIVE_EXT:
        return "application/octet-stream"
    if ctype.startswith("image/") and sniffed is None:
        return "application/octet-stream"  # claims to be an image, but the bytes do not say so
    return ctype


def prepare(items: list[ParsedAttachment], limits: Limits) -> tuple[list[NewAttachment], list[dict[str, Any]]]:
    """(attachments to store, skipped ones with the reason) within the limits, in order."""
    kept: list[NewAttachment] = []
    skipped: list[dict[str, Any]] = []
    total = 0
    for item in items:
        filename = safe_filename(item.filename)
        size = len(item.content)
        reason = ""
        if size == 0:
            reason = "empty"
        elif size > limits.max_bytes:
            reason = f"larger than {limits.max_bytes} bytes"
        elif total + size > limits.max_total_bytes:
            reason = f"the message's attachments exceed {limits.max_total_bytes} bytes"
        elif len(kept) >= limits.max_count:
            reason = f"more than {limits.max_count} attachments"
        if reason:
            skipped.append({"filename": filename, "size": size, "content_type": item.content_type, "reason": reason})
            continue
        ctype = content_type_for(item)
        kept.append(
            NewAttachment(
                filename=filename,
                content=item.content,
                content_type=ctype,
                inline=item.inline and ctype in INLINE_IMAGES,
                content_id=item.content_id[:255],
            )
        )
        total += size
    return kept, skipped
