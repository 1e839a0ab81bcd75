"""Which conversation an inbound email belongs to.

In order, and never across customers (a match owned by another customer is ignored):

1. In-Reply-To / References against the Message-IDs we know: every email message we stored
   or sent has its Message-ID as `Message.external_id` (one indexed lookup);
2. our conversation token: the subject tag `[#<id>-<sig>]` or a plus-address
   `support+<id>-<sig>@…` (the signature is an HMAC, so ids cannot be guessed into);
3. a guarded subject match: only for mail that says it is a reply (Re:, or reply headers we
   could not match), same customer, same normalised subject, active in the last
   `email_subject_match_days` and not resolved longer ago than the reopen window.

A match resolved longer ago than the store's `reopen_window_days` is not reopened: the mail
starts a new conversation linked to it (`Match.linked_to`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from storedesk.channels.email.parse import ParsedEmail
from storedesk.conversations.models import Channel, Conversation, Customer, Message, Status
from storedesk.core.models import Store

SUBJECT_MATCH_DAYS = 30
_RE_REPLY_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|wg|sv|vs|antw|ref|tr|rv|r|odp|res|enc|vá|atb|回复|回覆|答复|转发|返信|轉寄)\s*(\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)
_RE_TAG = re.compile(r"\[#(\d{1,18})-([a-z2-7]{6})\]", re.IGNORECASE)
_RE_PLUS = re.compile(r"^[^@+]+\+c?(\d{1,18})-([a-z2-7]{6})@", re.IGNORECASE)
_GENERIC_SUBJECTS = {
    "",
    "hi",
    "hello",
    "hey",
    "question",
    "help",
    "order",
    "info",
    "test",
    "no subject",
    "(no subject)",
}


def store_setting(store: Store, key: str, default: object) -> object:
    return store.settings.get(key, default) if isinstance(store.settings, dict) else default


def _signature(store_id: int, conversation_id: int) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"email-thread:{store_id}:{conversation_id}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest).decode().lower()[:6]


def conversation_token(conversation: Conversation) -> str:
    return f"{conversation.pk}-{_signature(conversation.store_id, conversation.pk)}"


def subject_tag(conversation: Conversation) -> str:
    return f"[#{conversation_token(conversation)}]"


def plus_address(address: str, conversation: Conversation) -> str:
    local, _, domain = address.partition("@")
    return f"{local}+c{conversation_token(conversation)}@{domain}" if domain else address


def strip_tag(subject: str) -> str:
    return " ".join(_RE_TAG.sub("", subject).split())


def is_reply_subject(subject: str) -> bool:
    return bool(_RE_REPLY_PREFIX.match(subject or ""))


def normalize_subject(subject: str) -> str:
    """ "Re: AW: Where is my order? [#12-abcdef]" → "where is my order?"."""
    subject = strip_tag(subject or "")
    subject = _RE_REPLY_PREFIX.sub("", subject)
    return " ".join(subject.split()).lower()


@dataclass(frozen=True)
class Match:
    conversation: Conversation | None  # append here (reopening it if needed)
    how: str  # "headers", "token", "subject" or "new"
    linked_to: Conversation | None = None  # a new conversation follows up this one


def _survivor(conversation: Conversation) -> Conversation:
    """Follow merges to the conversation that absorbed this one."""
    seen = {conversation.pk}
    while conversation.merged_into_id is not None and conversation.merged_into_id not in seen:
        nxt = Conversation.objects.filter(pk=conversation.merged_into_id).first()
        if nxt is None:
            break
        seen.add(nxt.pk)
        conversation = nxt
    return conversation


def _by_headers(store: Store, parsed: ParsedEmail) -> list[Conversation]:
    ids = list(dict.fromkeys([*parsed.in_reply_to, *reversed(parsed.references)]))
    if not ids:
        return []
    rows = (
        Message.objects.filter(store_id=store.pk, external_id__in=ids)
        .select_related("conversation")
        .only("external_id", "conversation")
    )
    by_id = {row.external_id: row.conversation for row in rows}
    return [by_id[mid] for mid in ids if mid in by_id]


def _tokens(parsed: ParsedEmail) -> list[tuple[int, str]]:
    found = [(int(m.group(1)), m.group(2).lower()) for m in _RE_TAG.finditer(parsed.subject)]
    for address in [*(a.email for a in parsed.to), *(a.email for a in parsed.cc), *parsed.delivered_to]:
        match = _RE_PLUS.match(address)
        if match:
            found.append((int(match.group(1)), match.group(2).lower()))
    return found


def _by_token(store: Store, parsed: ParsedEmail) -> list[Conversation]:
    ids = [pk for pk, sig in _tokens(parsed) if hmac.compare_digest(sig, _signature(store.pk, pk))]
    if not ids:
        return []
    by_pk = {c.pk: c for c in Conversation.objects.filter(store_id=store.pk, pk__in=ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _by_subject(
    store: Store, customer: Customer, parsed: ParsedEmail, now: datetime, window: timedelta
) -> list[Conversation]:
    if not (is_reply_subject(parsed.subject) or parsed.in_reply_to or parsed.references):
        return []
    wanted = normalize_subject(parsed.subject)
    if wanted in _GENERIC_SUBJECTS or len(wanted) < 4:
        return []
    days = int(store_setting(store, "email_subject_match_days", SUBJECT_MATCH_DAYS))  # type: ignore[call-overload]
    candidates = Conversation.objects.filter(
        store_id=store.pk,
        customer_id=customer.pk,
        channel=Channel.EMAIL,
        merged_into__isnull=True,
        last_message_at__gte=now - timedelta(days=days),
    ).order_by("-last_message_at")[:20]
    return [c for c in candidates if normalize_subject(c.subject) == wanted and not _resolved_before(c, now - window)]


def _resolved_before(conversation: Conversation, cutoff: datetime) -> bool:
    return (
        conversation.status == Status.RESOLVED
        and conversation.resolved_at is not None
        and conversation.resolved_at < cutoff
    )


def find_conversation(store: Store, customer: Customer, parsed: ParsedEmail, now: datetime) -> Match:
    window = timedelta(days=float(store.setting("reopen_window_days") or 0))
    for how, finder in (("headers", _by_headers), ("token", _by_token)):
        for found in finder(store, parsed):  # type: ignore[operator]
            conversation = _survivor(found)
            if conversation.customer_id != customer.pk:
                continue  # never across customers: a CC'd colleague, a forward, a spoof
            if _resolved_before(conversation, now - window):
                return Match(conversation=None, how=how, linked_to=conversation)
            return Match(conversation=conversation, how=how)
    for conversation in _by_subject(store, customer, parsed, now, window):
        return Match(conversation=_survivor(conversation), how="subject")
    return Match(conversation=None, how="new")
