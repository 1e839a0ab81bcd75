"""Raw RFC 5322 bytes → a `ParsedEmail`. Pure: no ORM, no settings, never trusts the input.

Mail in the wild is broken in every way: undeclared or mislabelled charsets (GB2312 that is
really GBK, ISO-2022-JP with Microsoft extensions, "us-ascii" full of UTF-8), raw 8-bit
headers, encoded words split mid-character, bad base64, missing Message-IDs. Every decode
here falls back rather than fails; whatever cannot be decoded becomes U+FFFD, and the
original bytes stay in `InboundEmail.raw` for a retry with a better parser.
"""

from __future__ import annotations

import email
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime

import charset_normalizer

# Labels mail clients send → the codec that actually decodes what they mean.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "iso-2022-jp": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "iso-2022-jp-ms": "cp932",
    "cp50220": "iso2022_jp_ext",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
    "x-unknown": "",
    "unknown-8bit": "",
    "default": "",
}

_RE_MSGID = re.compile(r"<([^<>\s]+)>")
_RE_ADDRESS_AS_NAME = re.compile(r'^\s*"?([^\s<>"]+@[^\s<>"]+)"?\s*<([^<>\s]+@[^<>\s]+)>\s*$')
_RE_ADDR = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
MAX_IDS = 100  # References beyond this are noise (and a way to make us do work)


def _codec(label: str | None) -> str:
    label = (label or "").strip().strip('"').lower()
    return _CHARSET_ALIASES.get(label, label)


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode with the declared charset when it works, else detect, else UTF-8 with U+FFFD."""
    codec = _codec(charset)
    if codec in ("us-ascii", "ascii", "") or codec is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            codec = ""
    if codec:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best)
    return data.decode("cp1252", errors="replace")


def _unsurrogate(value: str) -> str:
    """Raw 8-bit bytes in a header arrive as surrogate escapes: decode them properly."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("ascii", "surrogateescape"))


def decode_header_value(value: object) -> str:
    """An RFC 2047 header (or a broken one) as readable text, on one line."""
    if value is None:
        return ""
    raw = _unsurrogate(str(value))
    try:
        parts = decode_header(raw)
    except Exception:  # noqa: BLE001 - any malformed header: show it as it is
        return " ".join(raw.split())
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    # decode_header drops the whitespace between encoded and plain words inconsistently
    text = "".join(out) if len(parts) > 1 else (out[0] if out else "")
    return " ".join(text.split())


def normalize_message_id(value: str) -> str:
    """`<abc@host>` → `abc@host`; a bare id is kept as it is. "" when nothing usable."""
    value = _unsurrogate(value or "").strip()
    match = _RE_MSGID.search(value)
    if match:
        return match.group(1)[:490]
    value = value.strip("<> \t\r\n")
    return value[:490] if value and " " not in value else ""


def message_ids(value: str) -> list[str]:
    """Every Message-ID in a References / In-Reply-To header, in order, each once."""
    found = _RE_MSGID.findall(_unsurrogate(value or ""))
    if not found and value and value.strip():
        single = normalize_message_id(value)
        found = [single] if single else []
    return list(dict.fromkeys(item[:490] for item in found))[-MAX_IDS:]


def raw_key(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def message_id_key(raw: bytes) -> str:
    """The idempotency key of a raw email: its Message-ID, or a hash of the bytes when it has none."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        key = normalize_message_id(str(headers.get("Message-ID", "") or ""))
    except Exception:  # noqa: BLE001 - unparseable headers: fall back to the hash
        key = ""
    return key or raw_key(raw)


@dataclass(frozen=True)
class Address:
    name: str
    email: str  # lower-cased


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str  # as declared
    content: bytes
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True)
class DeliveryReport:
    """An RFC 3464 delivery status notification (or a non-standard bounce we could read)."""

    action: str  # failed / delayed / delivered / relayed / expanded ("" when unknown)
    status: str  # e.g. 5.1.1
    recipients: list[str]
    diagnostic: str
    original_message_id: str  # the bounced message's Message-ID, if found


@dataclass
class ParsedEmail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    sender: Address | None = None  # From
    reply_to: list[Address] = field(default_factory=list)
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)  # Delivered-To, X-Original-To, Envelope-To
    date: datetime | None = None
    headers: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name → decoded values
    content_type: str = ""
    text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    report: DeliveryReport | None = None
    # In a bounce: the Message-ID of the returned message (attached, or quoted in the text).
    returned_message_id: str = ""
    defects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""


def parse_addresses(values: list[str]) -> list[Address]:
    """Addresses from raw header values; names decoded after splitting (so "Last, First" survives)."""
    out: list[Address] = []
    seen: set[str] = set()
    for value in values:
        raw = _unsurrogate(value)
        try:
            pairs = getaddresses([raw])
        except Exception:  # noqa: BLE001
            pairs = []
        good = [(name, addr) for name, addr in pairs if addr and "@" in addr and " " not in addr.strip()]
        bracketed = re.findall(r"<([^<>\s]+@[^<>\s]+)>", raw)
        address_as_name = _RE_ADDRESS_AS_NAME.match(raw)
        if address_as_name:  # "alice@example.com <bob@example.com>": the display name is an address
            good = [(address_as_name.group(1), address_as_name.group(2))]
        if not good:
            # "alice@example.com <bob@example.com>", unbalanced quotes …: take what looks like an address
            good = [("", addr) for addr in (bracketed or _RE_ADDR.findall(raw))]
        for name, addr in good:
            addr = addr.strip().strip("<>").lower()
            if addr in seen or len(addr) > 320:
                continue
            seen.add(addr)
            out.append(Address(name=decode_header_value(name).strip(" \"'"), email=addr))
    return out


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken transfer encoding: take the undecoded text
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _part_text(part: Message) -> str:
    charset = part.get_content_charset() or part.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = email.utils.collapse_rfc2231_value(charset)
    text = decode_bytes(_payload_bytes(part), charset if isinstance(charset, str) else None)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _filename(part: Message) -> str:
    name: object
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        name = None
    if name is None:
        name = part.get_param("name")
        if isinstance(name, tuple):  # RFC 2231 (charset, language, value)
            name = email.utils.collapse_rfc2231_value(name)
    return decode_header_value(name) if name else ""


def _disposition(part: Message) -> str:
    value = str(part.get("Content-Disposition", "") or "").split(";")[0].strip().lower()
    return value


def _parse_report(part: Message) -> tuple[str, str, list[str], str]:
    """(action, status, recipients, diagnostic) from a message/delivery-status part."""
    action = status = diagnostic = ""
    recipients: list[str] = []
    payload = part.get_payload()
    blocks: list[Message] = []
    if isinstance(payload, list):
        blocks = [block for block in payload if isinstance(block, Message)]
    else:  # not parsed into blocks (wrong content type): parse the text ourselves
        text = _part_text(part)
        blocks = [email.message_from_string(chunk, policy=policy.compat32) for chunk in re.split(r"\n\s*\n", text)]
    for block in blocks:
        if block.get("Final-Recipient") or block.get("Original-Recipient"):
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient"))
            recipients.append(recipient.split(";")[-1].strip().lower())
            action = action or str(block.get("Action", "")).strip().lower()
            status = status or (str(block.get("Status", "")).split() or [""])[0]
            diagnostic = diagnostic or " ".join(str(block.get("Diagnostic-Code", "")).split())
    return action, status, recipients, diagnostic


def _original_message_id(part: Message) -> str:
    """The Message-ID of the message a bounce returns (message/rfc822 or text/rfc822-headers)."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return normalize_message_id(str(payload[0].get("Message-ID", "") or ""))
    text = _payload_bytes(part)
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(text)
    return normalize_message_id(str(headers.get("Message-ID", "") or ""))


_RE_BODY_MSGID = re.compile(rb"^\s*Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)


class _Walker:
    def __init__(self, parsed: ParsedEmail) -> None:
        self.parsed = parsed
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.report_part: Message | None = None
        self.original_part: Message | None = None

    def walk(self, part: Message, depth: int = 0) -> None:
        if depth > 20:
            self.parsed.defects.append("MIME nesting deeper than 20 levels; the rest was not read")
            return
        ctype = part.get_content_type()
        if ctype in ("message/delivery-status", "message/global-delivery-status"):
            self.report_part = part
            return
        if ctype in ("text/rfc822-headers", "message/rfc822-headers", "message/global-headers"):
            self.original_part = part
            return
        if ctype in ("message/rfc822", "message/global"):
            self._message_part(part)
            return
        if part.is_multipart():
            payload = part.get_payload()
            for sub in payload if isinstance(payload, list) else []:
                if isinstance(sub, Message):
                    self.walk(sub, depth + 1)
            return
        if ctype.startswith("multipart/"):
            # A multipart whose boundary could not be found (reused or missing): keep its text.
            leftover = _payload_bytes(part)
            if leftover.strip():
                self.parsed.defects.append(f"unreadable {ctype} part kept as an attachment")
                self.parsed.attachments.append(
                    ParsedAttachment(
                        filename=f"part-{len(self.parsed.attachments) + 1}.txt",
                        content_type="text/plain",
                        content=leftover,
                    )
                )
            return
        disposition = _disposition(part)
        filename = _filename(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            (self.texts if ctype == "text/plain" else self.htmls).append(_part_text(part))
            return
        content = _payload_bytes(part)
        content_id = normalize_message_id(str(part.get("Content-ID", "") or ""))
        if not filename:
            extension = {"text/plain": "txt", "text/html": "html", "text/calendar": "ics"}.get(ctype, "bin")
            filename = f"{'inline' if content_id else 'attachment'}-{len(self.parsed.attachments) + 1}.{extension}"
        self.parsed.attachments.append(
            ParsedAttachment(
                filename=filename,
                content_type=ctype,
                content=content,
                inline=disposition == "inline" or (bool(content_id) and disposition != "attachment"),
                content_id=content_id,
            )
        )

    def _message_part(self, part: Message) -> None:
        """An attached email: kept as an .eml attachment; in a bounce, it names the bounced message."""
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if self.original_part is None:
            self.original_part = part
        subject = decode_header_value(inner.get("Subject", "")) if isinstance(inner, Message) else ""
        try:
            content = inner.as_bytes(policy=policy.compat32) if isinstance(inner, Message) else b""
        except Exception:  # noqa: BLE001
            content = _payload_bytes(part)
        safe = re.sub(r"[^\w .,-]+", "", subject)[:80].strip() or "message"
        self.parsed.attachments.append(
            ParsedAttachment(filename=f"{safe}.eml", content_type="message/rfc822", content=content)
        )


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse raw bytes. Bad content never raises: bytes that are not mail at all parse as a
    headerless body, and the caller decides what to do with a message without a sender."""
    msg = email.message_from_bytes(raw, policy=policy.compat32)
    parsed = ParsedEmail()
    parsed.defects.extend(type(defect).__name__ for defect in msg.defects)
    # Raw values (8-bit bytes as surrogate escapes): compat32's own access would turn them into U+FFFD.
    raw_headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        raw_headers.setdefault(name.lower(), []).append(str(value))
        parsed.headers.setdefault(name.lower(), []).append(decode_header_value(value))

    def get_all(name: str) -> list[str]:
        return raw_headers.get(name.lower(), [])

    parsed.message_id = normalize_message_id(get_all("Message-ID")[0] if get_all("Message-ID") else "")
    parsed.in_reply_to = message_ids(" ".join(get_all("In-Reply-To")))
    parsed.references = message_ids(" ".join(get_all("References")))
    parsed.subject = parsed.header("subject")[:1000]
    senders = parse_addresses(get_all("From")) or parse_addresses(get_all("Sender"))
    parsed.sender = senders[0] if senders else None
    parsed.reply_to = parse_addresses(get_all("Reply-To"))
    parsed.to = parse_addresses(get_all("To"))
    parsed.cc = parse_addresses(get_all("Cc"))
    delivered = get_all("Delivered-To") + get_all("X-Original-To") + get_all("Envelope-To")
    parsed.delivered_to = [address.email for address in parse_addresses(delivered)]
    try:
        date = parsedate_to_datetime(get_all("Date")[0]) if get_all("Date") else None
        parsed.date = date if date is not None and date.tzinfo is not None else None
    except (TypeError, ValueError, IndexError):
        parsed.date = None
    parsed.content_type = msg.get_content_type()

    walker = _Walker(parsed)
    walker.walk(msg)
    parsed.text = "\n\n".join(text for text in walker.texts if text.strip())
    parsed.html = "\n".join(walker.htmls)
    original = _original_message_id(walker.original_part) if walker.original_part is not None else ""
    if not original:
        match = _RE_BODY_MSGID.search(raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[-1])
        original = normalize_message_id(match.group(1).decode("ascii", "replace")) if match else ""
    parsed.returned_message_id = original
    if walker.report_part is not None:
        action, status, recipients, diagnostic = _parse_report(walker.report_part)
        parsed.report = DeliveryReport(
            action=action,
            status=status,
            recipients=recipients,
            diagnostic=diagnostic[:1000],
            original_message_id=original,
        )
    return parsed
