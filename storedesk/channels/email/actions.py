"""The email channel's writers: the only code that changes mailboxes, inbound emails, outbound
sends and conversation links, and that records delivery status on outbound messages.

Inbound: `do_accept_raw_email` stores the original bytes first (idempotent on the Message-ID,
or a hash of the bytes when there is none) and enqueues processing on commit;
`do_process_inbound` parses, recognises noise, resolves the customer, threads, and creates
the conversation or message through `conversations.actions` — in one transaction with the
row's status, so a crash leaves the mail `received` and the sweeper processes it again.
Any failure is recorded on the row (status `failed`, the error) and never loses the mail:
`do_retry_inbound` tries again.

Outbound: `do_send_email` (the job behind the channel registry) fixes the Message-ID before
the first attempt, claims the send with a compare-and-swap, sends with no transaction open,
and records the outcome with another compare-and-swap; retryable failures back off and try
again, permanent ones (and the last attempt) mark the message failed with the reason.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from storedesk.channels.email import autoack, conf, content, noise, outbound, parse, thread
from storedesk.channels.email.attachments import prepare
from storedesk.channels.email.models import ConversationLink, InboundEmail, Mailbox, OutboundEmail
from storedesk.conversations.actions import do_create_conversation, do_receive_message, resolve_customer
from storedesk.conversations.models import Channel, Customer, Identity, Message
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError
from storedesk.core.events import MessageUpdated
from storedesk.core.lib.sanitize import clean_html
from storedesk.core.models import Store, User
from storedesk.core.publish import publish

log = logging.getLogger(__name__)

Status = InboundEmail.Status
State = OutboundEmail.State
FINAL = frozenset({Status.PROCESSED, Status.DUPLICATE, Status.IGNORED})
MAX_BODY_CHARS = 200_000
MAX_SEND_BACKOFF_S = 2 * 3600
STUCK_AFTER = timedelta(minutes=10)  # a send claimed this long ago belongs to a dead worker
SWEEP_GRACE = timedelta(minutes=2)  # an inbound row or a due send this late lost its job
SWEEP_BATCH = 500
QUEUED_GRACE = timedelta(minutes=5)  # a reply queued this long ago with no send record lost its enqueue


class ProcessingError(Exception):
    """Mail we cannot turn into a message (no sender …): recorded on the row, shown to agents."""


# --- inbound: accept ---------------------------------------------------------------------------


def _headline(raw: bytes) -> tuple[str, str, str]:
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    except Exception:  # noqa: BLE001
        return "", "", ""
    return tuple(" ".join(str(headers.get(name, "") or "").split()) for name in ("From", "Subject", "Date"))  # type: ignore[return-value]


def _key_for(store: Store, raw: bytes) -> tuple[str, InboundEmail | None]:
    """The idempotency key, and the row already holding it (a repeat), if any.

    Two *different* emails that share a Message-ID (broken mailers reuse them) must not lose
    the second: when From, Subject and Date differ, the second is keyed by id + hash."""
    key = parse.message_id_key(raw)
    existing = InboundEmail.objects.filter(store=store, message_id_key=key).defer("raw").first()
    if existing is None or key.startswith("sha256:"):
        return key, existing
    if _headline(bytes(existing.raw)) == _headline(raw):  # loads the deferred bytes: repeats only
        return key, existing
    key = f"{key[:400]}|{parse.raw_key(raw)}"
    return key, InboundEmail.objects.filter(store=store, message_id_key=key).defer("raw").first()


def do_accept_raw_email(
    store: Store, raw: bytes, source: str, mailbox: Mailbox | None = None, *, enqueue: bool = True
) -> tuple[InboundEmail, bool]:
    """Store an email's original bytes before anything parses them. Returns (row, created);
    the same email again (any source, any number of times) returns the first row."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise ActionError("An email must be given as bytes.", code="invalid_email")
    raw = bytes(raw)
    if source not in InboundEmail.Source.values:
        raise ActionError(f"Unknown email source {source!r}.", code="invalid_source")
    key, existing = _key_for(store, raw)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = InboundEmail.objects.create(
                store=store, mailbox=mailbox, source=source, raw=raw, size=len(raw), message_id_key=key
            )
            if mailbox is not None:
                _count_for_mailbox(mailbox)
            if enqueue:
                row_id = row.pk
                transaction.on_commit(lambda: _enqueue_process(row_id))
    except IntegrityError:  # a concurrent delivery of the same email stored it first
        existing = InboundEmail.objects.filter(store=store, message_id_key=key).defer("raw").first()
        if existing is None:
            raise
        return existing, False
    return row, True


def _enqueue_process(inbound_id: int) -> None:
    from storedesk.channels.email.tasks import process_inbound_email

    process_inbound_email(inbound_id)


def _count_for_mailbox(mailbox: Mailbox, n: int = 1) -> None:
    """Add n to the mailbox's count of messages today (restarting it on a new day)."""
    today = timezone.localdate()
    if not Mailbox.objects.filter(pk=mailbox.pk, messages_day=today).update(messages_today=F("messages_today") + n):
        Mailbox.objects.filter(pk=mailbox.pk).update(messages_today=n, messages_day=today)


# --- inbound: process --------------------------------------------------------------------------


def own_addresses(store: Store) -> set[str]:
    """Every address this store sends or receives as: its mail is never a customer's."""
    addresses = {store.support_email, store.reply_to}
    addresses.update(Mailbox.objects.filter(store=store).values_list("address", flat=True))
    if not store.support_email:
        addresses.add(settings.DEFAULT_FROM_EMAIL)
    return {address.strip().lower() for address in addresses if address}


def _verdict(store: Store, parsed: parse.ParsedEmail, own: set[str], own_copy: bool | None = None) -> noise.Verdict:
    """`own_copy`: whether the Message-ID is one of our outbound ones, when the caller knows
    (the batch path looks all of a batch's up at once)."""
    if own_copy is None:
        own_copy = bool(
            parsed.message_id
            and Message.objects.filter(
                store_id=store.pk, external_id=parsed.message_id, direction=Message.Direction.OUTBOUND
            ).exists()
        )
    if own_copy:
        return noise.Verdict(noise.OWN, "a copy of our own outbound message")
    threshold = conf.spam_threshold()
    verdict = noise.classify(parsed, own, spam_threshold=threshold)
    if verdict.is_noise or threshold is None or not conf.spam_scorer():
        return verdict
    try:
        score = import_string(conf.spam_scorer())(parsed)
    except Exception:  # a broken hook must not lose mail: treat as not spam
        log.exception("spam scorer %s failed", conf.spam_scorer())
        return verdict
    if score is not None and float(score) >= threshold:
        return noise.Verdict(noise.SPAM, f"spam score {float(score):g} ≥ {threshold:g} (scorer)")
    return verdict


def _apply_bounce(store: Store, parsed: parse.ParsedEmail) -> Message | None:
    """Mark the outbound message a bounce returns as bounced (a final failure only)."""
    report = parsed.report
    ids = [
        report.original_message_id if report else "",
        parsed.returned_message_id,
        *parsed.in_reply_to,
        *parsed.references,
    ]
    ids = [mid for mid in dict.fromkeys(ids) if mid]
    if not ids:
        return None
    message = (
        Message.objects.filter(store_id=store.pk, external_id__in=ids, direction=Message.Direction.OUTBOUND)
        .order_by("-created_at")
        .first()
    )
    if message is None:
        return None
    action = report.action if report else "failed"
    if action not in ("failed", ""):
        return message  # delayed / delivered / relayed: nothing failed yet
    reason = " ".join(part for part in (report.status if report else "", report.diagnostic if report else "") if part)
    reason = reason or parsed.subject or "The message bounced."
    _mark_bounced(message, reason)
    return message


def _publish_delivery(message: Message, before: tuple[str, str]) -> None:
    """The open conversation page (and webhooks) hear that a sent message failed or bounced, and
    the agent who wrote it gets a notification."""
    from storedesk.conversations.summaries import conversation_summary, message_summary
    from storedesk.notifications.actions import do_notify_delivery_failed

    publish(
        MessageUpdated(
            store_id=message.store_id,
            actor_id=None,
            conversation=conversation_summary(message.conversation),
            message=message_summary(message),
            changes={
                "delivery_status": [before[0], message.delivery_status],
                "delivery_error": [before[1], message.delivery_error],
            },
        )
    )
    do_notify_delivery_failed(message)


def _mark_bounced(message: Message, reason: str) -> None:
    before = message.delivery_status
    Message.objects.filter(pk=message.pk).update(delivery_status=Message.Delivery.BOUNCED, delivery_error=reason)
    OutboundEmail.objects.filter(message=message).update(state=State.BOUNCED, last_error=reason)
    before_error = message.delivery_error
    message.delivery_status, message.delivery_error = Message.Delivery.BOUNCED, reason
    _publish_delivery(message, (before, before_error))
    audit.record(
        store_id=message.store_id,
        actor=None,
        verb="message.bounced",
        obj=message,
        before={"delivery_status": before},
        after={"delivery_status": Message.Delivery.BOUNCED, "reason": reason},
    )


def _body(parsed: parse.ParsedEmail, sender: str) -> dict[str, str]:
    """The reply as shown (text and sanitised HTML), and what was hidden from it."""
    text, html_source = parsed.text, parsed.html
    body_html = ""
    if text.strip():
        split = content.split_quotation(text)
        reply, quoted, full = split.reply, split.quoted, text.strip()
        if html_source.strip():
            html_split = content.split_html(html_source)
            # Show the HTML only when it hides the same thing the text does; else the text alone.
            if bool(html_split.quoted_text) == bool(quoted):
                body_html = html_split.reply_html
    elif html_source.strip():
        html_split = content.split_html(html_source)
        reply, quoted, full = html_split.reply_text, html_split.quoted_text, html_split.full_text
        body_html = html_split.reply_html
    else:
        reply = quoted = full = ""
    _, signature = content.split_signature(reply, sender)
    return {
        "text": reply[:MAX_BODY_CHARS],
        "html": clean_html(body_html)[: MAX_BODY_CHARS * 2] if body_html else "",
        "quoted": quoted[:MAX_BODY_CHARS],
        "signature": signature,
        "full": full[:MAX_BODY_CHARS] if (quoted or full != reply) else "",
    }


def _metadata(
    parsed: parse.ParsedEmail, row: InboundEmail, sender: parse.Address, body: dict[str, str]
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "message_id": parsed.message_id or row.message_id_key,
        "in_reply_to": parsed.in_reply_to,
        "references": parsed.references,
        "from": f"{sender.name} <{sender.email}>" if sender.name else sender.email,
        "from_address": sender.email,
        "to": [address.email for address in parsed.to],
        "cc": [{"name": address.name, "email": address.email} for address in parsed.cc],
        "subject": parsed.subject,
        "date": parsed.date.isoformat() if parsed.date else None,
        "inbound_email_id": row.pk,
    }
    if body["quoted"]:
        metadata["quoted_text"] = body["quoted"]
    if body["signature"]:
        metadata["signature"] = body["signature"]
    if body["full"]:
        metadata["full_text"] = body["full"]
    return metadata


def _route(row: InboundEmail, parsed: parse.ParsedEmail, accept_noise: bool) -> None:
    """Decide what the email is and write it. Sets the row's outcome fields (not saved)."""
    store = row.store
    row.subject = parsed.subject[:500]
    row.sender = parsed.sender.email if parsed.sender else ""
    own = own_addresses(store)
    verdict = _verdict(store, parsed, own)
    if verdict.is_noise and not accept_noise:
        row.status, row.noise, row.error = Status.IGNORED, verdict.kind, verdict.reason
        if verdict.kind == noise.BOUNCE:
            bounced = _apply_bounce(store, parsed)
            if bounced is not None:
                row.message, row.conversation_id = bounced, bounced.conversation_id
                row.error = (
                    f"{verdict.reason}; outbound message #{bounced.pk} marked {bounced.delivery_status or 'as is'}"
                )
        return
    address = noise.customer_address(parsed, own)
    if address is None:
        raise ProcessingError("The email has no sender address (From or Reply-To): nobody could be answered.")
    customer, _ = resolve_customer(store, Identity.Kind.EMAIL, address.email, name=address.name[:200])
    customer = _surviving_customer(customer)
    external_id = row.message_id_key
    existing = Message.objects.filter(store_id=store.pk, external_id=external_id).first()
    if existing is not None:
        row.status, row.message, row.conversation_id = Status.DUPLICATE, existing, existing.conversation_id
        return
    match = thread.find_conversation(store, customer, parsed, timezone.now())
    body = _body(parsed, address.name or address.email)
    attachments, skipped = prepare(parsed.attachments, conf.attachment_limits())
    metadata = _metadata(parsed, row, address, body)
    metadata["threaded_by"] = match.how
    if skipped:
        metadata["skipped_attachments"] = skipped
    text = body["text"]
    if not text.strip() and not attachments:
        text = parsed.subject.strip() or "(empty email)"
    if match.conversation is not None:
        message, created = do_receive_message(
            match.conversation,
            body_text=text,
            body_html=body["html"],
            external_id=external_id,
            author_customer=customer,
            metadata=metadata,
            attachments=attachments,
        )
        row.status = Status.PROCESSED if created else Status.DUPLICATE
        row.message, row.conversation_id = message, message.conversation_id
        return
    conversation = do_create_conversation(
        store=store,
        customer=customer,
        channel=Channel.EMAIL,
        subject=thread.strip_tag(parsed.subject)[:500] or "(no subject)",
        body_text=text,
        body_html=body["html"],
        external_id=external_id,
        metadata=metadata,
        attachments=attachments,
    )
    if match.linked_to is not None:
        ConversationLink.objects.create(store=store, conversation=conversation, linked_to=match.linked_to)
    if not verdict.is_noise:  # mail an agent accepted as a customer's is not acknowledged
        autoack.do_auto_acknowledge(conversation)
    row.status = Status.PROCESSED
    row.conversation = conversation
    row.message = Message.objects.filter(conversation=conversation).order_by("pk").first()


def _surviving_customer(customer: Customer) -> Customer:
    seen = {customer.pk}
    while customer.merged_into_id is not None and customer.merged_into_id not in seen:
        seen.add(customer.merged_into_id)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def _fail(row: InboundEmail, error: str) -> InboundEmail:
    InboundEmail.objects.filter(pk=row.pk).exclude(status__in=FINAL).update(
        status=Status.FAILED, error=error[:5000], attempts=F("attempts") + 1, processed_at=timezone.now()
    )
    row.refresh_from_db(fields=["status", "error", "attempts", "processed_at"])
    return row


def do_process_inbound(inbound_id: int, *, accept_noise: bool = False, raw: bytes | None = None) -> InboundEmail | None:
    """Turn a stored email into a message (or record why not). Idempotent: a processed row is
    left alone; a repeat of a known Message-ID is marked duplicate. Never raises for bad mail.
    `raw`: the row's bytes when the caller just stored them (saves reading them back)."""
    if raw is None:
        row = InboundEmail.objects.select_related("store").filter(pk=inbound_id).first()
        if row is None or row.status in FINAL:
            return row
        raw = bytes(row.raw)
    else:  # the caller just stored it: the locked read below is the only one
        row = InboundEmail(pk=inbound_id)
    try:
        parsed = parse.parse_email(raw)
    except Exception as exc:  # noqa: BLE001 - the parser's bug must not lose the mail
        log.exception("inbound email %s could not be parsed", inbound_id)
        return _fail(row, f"Could not parse this email: {type(exc).__name__}: {exc}")
    try:
        with transaction.atomic():
            locked = (
                InboundEmail.objects.select_for_update(of=("self",)).select_related("store").defer("raw").get(pk=row.pk)
            )
            if locked.status in FINAL:
                return locked
            _route(locked, parsed, accept_noise)
            locked.error = locked.error if locked.status == Status.IGNORED else ""
            locked.attempts += 1
            locked.processed_at = timezone.now()
            locked.save(
                update_fields=[
                    "status", "noise", "error", "subject", "sender", "conversation", "message",
                    "attempts", "processed_at",
                ]
            )  # fmt: skip
            return locked
    except (OperationalError, InterfaceError):
        # The database itself is in trouble (locked, gone away): not this email's fault. Leave
        # it `received`; the sweeper tries again in a few minutes.
        log.warning("inbound email %s: database error, left for the sweeper", inbound_id, exc_info=True)
        return row
    except ProcessingError as exc:
        return _fail(row, str(exc))
    except ActionError as exc:
        return _fail(row, exc.message)
    except Exception as exc:  # noqa: BLE001 - recorded on the row, shown in "could not process"
        log.exception("inbound email %s could not be processed", inbound_id)
        return _fail(row, f"Could not process this email: {type(exc).__name__}: {exc}")


def do_retry_inbound(actor: User | None, inbound: InboundEmail, *, accept_noise: bool = False) -> InboundEmail:
    """Process a failed (or ignored) email again; `accept_noise` treats ignored mail as a
    customer's message (an agent says "this is not spam / not an auto-reply")."""
    if actor is not None:
        check_permission(actor, inbound.store_id, "conversation.create")
    if inbound.status not in (Status.FAILED, Status.IGNORED):
        raise ActionError("Only mail that failed or was ignored can be processed again.", code="not_retryable")
    with transaction.atomic():
        before = inbound.status
        updated = InboundEmail.objects.filter(pk=inbound.pk, status=before).update(
            status=Status.RECEIVED, error="", noise=""
        )
        if updated:
            audit.record(
                store_id=inbound.store_id,
                actor=actor,
                verb="email.retried",
                obj=inbound,
                before={"status": before},
                after={"accept_noise": accept_noise},
            )
    result = do_process_inbound(inbound.pk, accept_noise=accept_noise)
    assert result is not None
    return result


# --- mailboxes ---------------------------------------------------------------------------------

MAILBOX_FIELDS = (
    "name", "is_active", "imap_host", "imap_port", "imap_security", "imap_auth", "imap_username",
    "imap_password", "imap_folder", "imap_archive_folder", "oauth", "esp",
)  # fmt: skip


def do_save_mailbox(actor: User | None, store: Store, *, kind: str, address: str, **fields: Any) -> Mailbox:
    """Create or update the store's mailbox of this kind and address (admins only)."""
    if actor is not None:
        check_permission(actor, store.pk, "store.manage")
    if kind not in Mailbox.Kind.values:
        raise ActionError(f"Unknown mailbox kind {kind!r}.", code="invalid_mailbox")
    address = address.strip().lower()
    if "@" not in address:
        raise ActionError("A mailbox needs an email address.", code="invalid_mailbox")
    unknown = sorted(set(fields) - set(MAILBOX_FIELDS))
    if unknown:
        raise ActionError(f"Unknown mailbox fields: {', '.join(unknown)}.", code="invalid_mailbox")
    with transaction.atomic():
        mailbox, created = Mailbox.objects.select_for_update().get_or_create(store=store, kind=kind, address=address)
        before = mailbox.public()
        for field, value in fields.items():
            setattr(mailbox, field, value)
        mailbox.save()
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="mailbox.created" if created else "mailbox.updated",
            obj=mailbox,
            before={} if created else before,
            after=mailbox.public(),
        )
    return mailbox


def do_record_fetch(mailbox: Mailbox, *, error: str = "", oauth: dict[str, Any] | None = None) -> None:
    """A fetch attempt's outcome, for the mailbox's health (and refreshed OAuth tokens)."""
    now = timezone.now()
    fields: dict[str, Any] = {"last_fetch_at": now}
    if error:
        fields.update(last_error=error[:2000], last_error_at=now, consecutive_failures=F("consecutive_failures") + 1)
    else:
        fields.update(last_success_at=now, consecutive_failures=0)
    if oauth is not None:
        fields["oauth"] = oauth
    Mailbox.objects.filter(pk=mailbox.pk).update(**fields)


# --- outbound ----------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    return float(min(conf.send_backoff_base_s() * 2 ** min(max(attempts - 1, 0), 20), MAX_SEND_BACKOFF_S))


def _outbound_for(message: Message) -> OutboundEmail:
    """The send record of a message, created with its Message-ID before the first attempt."""
    existing = OutboundEmail.objects.filter(message=message).first()
    if existing is not None:
        return existing
    store = message.conversation.store
    message_id = outbound.new_message_id(store, message)
    try:
        with transaction.atomic():
            row = OutboundEmail.objects.create(store=store, message=message, message_id_header=message_id)
            metadata = {**(message.metadata or {}), "message_id": message_id}
            Message.objects.filter(pk=message.pk).update(external_id=message_id, metadata=metadata)
            message.external_id, message.metadata = message_id, metadata
    except IntegrityError:  # another worker created it first
        return OutboundEmail.objects.get(message=message)
    return row


def _claim(row: OutboundEmail, now: datetime) -> bool:
    claimed = OutboundEmail.objects.filter(pk=row.pk, state=State.PENDING, next_attempt_at__lte=now).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1


def _finish(row: OutboundEmail, **fields: Any) -> bool:
    """Record an attempt's outcome unless our claim was taken over meanwhile (the sweeper)."""
    updated = OutboundEmail.objects.filter(pk=row.pk, state=State.SENDING, attempts=row.attempts).update(
        claimed_at=None, **fields
    )
    for field, value in fields.items():
        setattr(row, field, value)
    return updated == 1


def _schedule_send(message_id: int, delay: float | None = None) -> None:
    def enqueue() -> None:
        from storedesk.channels.email.tasks import send_email_message

        if delay:
            send_email_message.schedule(args=(message_id,), delay=delay)
        else:
            send_email_message(message_id)

    transaction.on_commit(enqueue)


def do_send_email(message_pk: int) -> str | None:
    """Make the next attempt to send an outbound email message if one is due. Returns the new
    state, or None when there was nothing to do. Safe to call any number of times."""
    message = (
        Message.objects.select_related("conversation__store", "author_user")
        .filter(pk=message_pk, direction=Message.Direction.OUTBOUND)
        .first()
    )
    if message is None or message.conversation.channel != Channel.EMAIL:
        return None
    if message.delivery_status != Message.Delivery.QUEUED:
        return None
    row = _outbound_for(message)
    if not _claim(row, timezone.now()):
        return None
    row.refresh_from_db()
    try:
        mail = outbound.build(message, row.message_id_header)
        outbound.send(mail)
    except outbound.SendError as exc:
        error = exc
    except Exception as exc:  # noqa: BLE001 - a bug must not leave the send claimed until the sweeper
        log.exception("sending message %s crashed", message_pk)
        error = outbound.SendError(f"Internal error: {type(exc).__name__}")
    else:
        with transaction.atomic():
            if _finish(row, state=State.SENT, last_error="", sent_at=timezone.now(), recipients=list(mail.to)):
                Message.objects.filter(pk=message.pk).update(delivery_status=Message.Delivery.SENT, delivery_error="")
        log.info("email message %s sent as <%s>", message_pk, row.message_id_header)
        return State.SENT
    return _record_send_failure(row, message, error)


def _record_send_failure(row: OutboundEmail, message: Message, error: outbound.SendError) -> str:
    max_attempts = conf.send_max_attempts()
    with transaction.atomic():
        if error.permanent or row.attempts >= max_attempts:
            reason = error.message if error.permanent else f"{error.message} (gave up after {row.attempts} attempts)"
            if _finish(row, state=State.FAILED, last_error=reason):
                Message.objects.filter(pk=message.pk).update(
                    delivery_status=Message.Delivery.FAILED, delivery_error=reason
                )
                before = (message.delivery_status, message.delivery_error)
                message.delivery_status, message.delivery_error = Message.Delivery.FAILED, reason
                _publish_delivery(message, before)
                audit.record(
                    store_id=message.store_id,
                    actor=None,
                    verb="message.delivery_failed",
                    obj=message,
                    before={"delivery_status": Message.Delivery.QUEUED},
                    after={"delivery_status": Message.Delivery.FAILED, "reason": reason},
                )
            log.warning("email message %s failed for good: %s", message.pk, reason)
            return State.FAILED
        delay = backoff_seconds(row.attempts)
        if _finish(
            row,
            state=State.PENDING,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            last_error=error.message,
        ):
            Message.objects.filter(pk=message.pk).update(delivery_error=f"{error.message} (will retry)")
            _schedule_send(message.pk, delay=delay)
    log.info("email message %s: %s; retry in %.0fs", message.pk, error.message, delay)
    return State.PENDING


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Every minute: process inbound mail whose job was lost, free sends of dead workers, and
    re-enqueue sends that are due. Re-enqueueing work that is merely late is harmless."""
    now = now or timezone.now()
    inbound_ids = list(
        InboundEmail.objects.filter(status=Status.RECEIVED, received_at__lte=now - SWEEP_GRACE)
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for inbound_id in inbound_ids:
        transaction.on_commit(lambda inbound_id=inbound_id: _enqueue_process(inbound_id))  # type: ignore[misc]
    stuck = OutboundEmail.objects.filter(state=State.SENDING, claimed_at__lt=now - STUCK_AFTER)
    freed_ids = list(stuck.values_list("message", flat=True)[:SWEEP_BATCH])
    freed = OutboundEmail.objects.filter(message__in=freed_ids, state=State.SENDING).update(
        state=State.PENDING, claimed_at=None, next_attempt_at=now, last_error="The worker stopped during the attempt."
    )
    due = list(
        OutboundEmail.objects.filter(state=State.PENDING, next_attempt_at__lte=now - timedelta(minutes=1))
        .order_by("next_attempt_at")
        .values_list("message", flat=True)[:SWEEP_BATCH]
    )
    unsent = queued_without_send(now)
    message_pks = list(dict.fromkeys([*freed_ids, *due, *unsent]))
    for message_pk in message_pks:
        _schedule_send(message_pk)
    return {"inbound": len(inbound_ids), "freed": freed, "sends": len(message_pks), "unsent": len(unsent)}


def queued_without_send(now: datetime) -> list[int]:
    """Email messages queued for more than QUEUED_GRACE that never got a send record: the
    process died between the reply's commit and the enqueue (or the queue lost the job).
    `do_send_email` is idempotent, so enqueueing one that is merely slow costs nothing. Walks
    `message_queued_idx` (partial: delivery_status = 'queued')."""
    return list(
        Message.objects.filter(
            delivery_status=Message.Delivery.QUEUED,
            created_at__lte=now - QUEUED_GRACE,
            direction=Message.Direction.OUTBOUND,
            conversation__channel=Channel.EMAIL,
            outbound_email__isnull=True,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
