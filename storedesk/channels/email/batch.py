"""The batch path of inbound email: many raw emails stored and processed in one transaction,
with the lookups done once per batch and the rows written by `conversations.bulk_receive`.

Used by `storedesk ingest-email` and the IMAP fetch. The outcome of every email is the one
`actions.do_accept_raw_email` + `actions.do_process_inbound` give it one at a time (same rows,
threading, idempotency; tests/channels/email/test_batch.py ingests the same mail both ways):

- accept: the idempotency keys of the batch are looked up in one query; a repeat within the
  batch is a repeat; the new rows (raw bytes first) go in with one INSERT;
- parse, noise, body and attachments per email, in Python; a failure there fails that email
  alone (status `failed`, kept for "could not process");
- decide, in order: duplicate, customer (one read, missing customers created together),
  conversation (`thread.find_conversation`'s rules against lookups read once: reply headers,
  tokens, subject candidates). An email that depends on one decided earlier in the same
  batch (a reply to it, a second message on the same conversation, the same customer needing
  a subject match) first writes what is pending and re-reads; an email the bulk writer does
  not handle (a bounce, a reopen, a merged conversation, a reply after the reopen window)
  goes through `do_process_inbound` after the pending ones are written;
- any exception in the bulk part rolls the batch's processing back and processes its
  emails one by one, which isolates the bad one: nothing is lost either way.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from storedesk.channels.email import actions, autoack, conf, noise, parse, thread
from storedesk.channels.email.attachments import prepare
from storedesk.channels.email.models import InboundEmail, Mailbox
from storedesk.conversations import bulk_receive
from storedesk.conversations.actions import normalize_identity
from storedesk.conversations.models import Channel, Conversation, Customer, Identity, Message, Status
from storedesk.core.models import Store

log = logging.getLogger(__name__)

Inbound = InboundEmail.Status  # the row's status (not the conversation's)
ROW_FIELDS = ["status", "noise", "error", "subject", "sender", "conversation", "message", "attempts", "processed_at"]
FAIL_FIELDS = ["status", "error", "attempts", "processed_at"]


# --- accept ------------------------------------------------------------------------------------


def do_accept_batch(
    store: Store, raws: list[bytes], source: str, mailbox: Mailbox | None = None
) -> list[tuple[InboundEmail, bool]]:
    """`do_accept_raw_email` for many: (row, created) per raw email, in order. A repeat (of a
    stored email or of one earlier in the batch) returns the first row."""
    if source not in InboundEmail.Source.values:
        raise ValueError(f"Unknown email source {source!r}.")
    keys = [parse.message_id_key(raw) for raw in raws]
    stored = {
        row.message_id_key: row
        for row in InboundEmail.objects.filter(store=store, message_id_key__in=set(keys)).defer("raw")
    }
    pending: dict[str, tuple[InboundEmail, bytes]] = {}
    out: list[tuple[InboundEmail, bool]] = []

    def known(key: str) -> tuple[InboundEmail, bytes | None] | None:
        if key in pending:
            return pending[key]
        row = stored.get(key)
        return (row, None) if row is not None else None

    for raw, key in zip(raws, keys, strict=True):
        hit = known(key)
        if hit is not None and not key.startswith("sha256:"):
            first_raw = hit[1] if hit[1] is not None else bytes(hit[0].raw)
            if actions._headline(first_raw) != actions._headline(raw):  # a reused Message-ID
                key = f"{key[:400]}|{parse.raw_key(raw)}"
                hit = known(key)
                if hit is None:
                    row = InboundEmail.objects.filter(store=store, message_id_key=key).defer("raw").first()
                    hit = (row, None) if row is not None else None
        if hit is not None:
            out.append((hit[0], False))
            continue
        row = InboundEmail(store=store, mailbox=mailbox, source=source, raw=raw, size=len(raw), message_id_key=key)
        pending[key] = (row, raw)
        out.append((row, True))
    if not pending:
        return out
    try:
        with transaction.atomic():
            bulk_receive.insert_rows([row for row, _ in pending.values()])
            if mailbox is not None:
                actions._count_for_mailbox(mailbox, len(pending))
    except IntegrityError:  # a concurrent delivery stored some first: one by one
        return [actions.do_accept_raw_email(store, raw, source, mailbox, enqueue=False) for raw in raws]
    return out


# --- process -----------------------------------------------------------------------------------


@dataclass
class _Mail:
    row: InboundEmail
    raw: bytes
    parsed: parse.ParsedEmail | None = None
    address: parse.Address | None = None
    value: str = ""  # the normalised sender address
    item: bulk_receive.NewInbound | None = None
    done: bool = False  # written by the single path: nothing left to save
    failed: str = ""
    header_ids: list[str] = field(default_factory=list)
    token_ids: list[int] = field(default_factory=list)
    wants_subject: str = ""  # the normalised subject, when the guarded subject match applies


class _Conflict(Exception):
    """This email depends on pending ones: write them, re-read, decide again."""


class _Single(Exception):
    """This email needs the single-message path."""


def do_process_batch(store: Store, pairs: list[tuple[InboundEmail, bytes]]) -> list[InboundEmail]:
    """Process newly stored rows (status `received`) with their raw bytes. Returns each row
    in its final state, in order."""
    mails = [_Mail(row=row, raw=raw) for row, raw in pairs]
    if not mails:
        return []
    try:
        with transaction.atomic():
            _process(store, mails)
    except Exception:  # noqa: BLE001 - one by one instead: the single path isolates a bad email
        log.warning("email batch of %d failed; processing one by one", len(mails), exc_info=True)
        return [actions.do_process_inbound(mail.row.pk, raw=mail.raw) or mail.row for mail in mails]
    return [mail.row for mail in mails]


def _process(store: Store, mails: list[_Mail]) -> None:
    now = timezone.now()
    own = actions.own_addresses(store)
    for mail in mails:
        try:
            mail.parsed = parse.parse_email(mail.raw)
        except Exception as exc:  # noqa: BLE001 - the parser's bug must not lose the mail
            log.exception("inbound email %s could not be parsed", mail.row.pk)
            mail.failed = f"Could not parse this email: {type(exc).__name__}: {exc}"
    ids = [mail.parsed.message_id for mail in mails if mail.parsed is not None and mail.parsed.message_id]
    outbound = Message.objects.filter(store_id=store.pk, external_id__in=ids, direction=Message.Direction.OUTBOUND)
    own_copies = {str(mid) for mid in outbound.values_list("external_id", flat=True)} if ids else set()
    queue = []
    for mail in mails:
        if mail.parsed is None:
            continue
        try:
            if _prepare(store, mail, own, own_copies):
                queue.append(mail)
        except _Single:  # decided in order with the rest, through the single path
            queue.append(mail)
            mail.item = None
        except Exception as exc:  # noqa: BLE001 - recorded on the row, shown in "could not process"
            log.exception("inbound email %s could not be processed", mail.row.pk)
            mail.failed = f"Could not process this email: {type(exc).__name__}: {exc}"
    _decide_all(store, queue, now)
    _save_rows(mails, now)


def _prepare(store: Store, mail: _Mail, own: set[str], own_copies: set[str]) -> bool:
    """Parse-side work of `actions._route`. False: settled here (ignored or failed)."""
    parsed, row = mail.parsed, mail.row
    assert parsed is not None
    row.subject = parsed.subject[:500]
    row.sender = parsed.sender.email if parsed.sender else ""
    verdict = actions._verdict(store, parsed, own, own_copy=bool(parsed.message_id) and parsed.message_id in own_copies)
    if verdict.is_noise:
        if verdict.kind == noise.BOUNCE:
            raise _Single  # marks the bounced outbound message: the single path does it
        row.status, row.noise, row.error = Inbound.IGNORED, verdict.kind, verdict.reason
        return False
    address = noise.customer_address(parsed, own)
    if address is None:
        mail.failed = "The email has no sender address (From or Reply-To): nobody could be answered."
        return False
    mail.address = address
    mail.value = normalize_identity(Identity.Kind.EMAIL, address.email)
    body = actions._body(parsed, address.name or address.email)
    attachments, skipped = prepare(parsed.attachments, conf.attachment_limits())
    metadata = actions._metadata(parsed, row, address, body)
    if skipped:
        metadata["skipped_attachments"] = skipped
    text = body["text"]
    if not text.strip() and not attachments:
        text = parsed.subject.strip() or "(empty email)"
    mail.item = bulk_receive.NewInbound(
        customer=Customer(),  # resolved in _decide_all
        channel=Channel.EMAIL,
        subject=thread.strip_tag(parsed.subject)[:500] or "(no subject)",
        body_text=text,
        body_html=body["html"],
        external_id=row.message_id_key,
        metadata=metadata,
        attachments=attachments,
    )
    mail.header_ids = list(dict.fromkeys([*parsed.in_reply_to, *reversed(parsed.references)]))
    mail.token_ids = [
        pk for pk, sig in thread._tokens(parsed) if hmac.compare_digest(sig, thread._signature(store.pk, pk))
    ]
    wanted = thread.normalize_subject(parsed.subject)
    if (
        (thread.is_reply_subject(parsed.subject) or parsed.in_reply_to or parsed.references)
        and wanted not in thread._GENERIC_SUBJECTS
        and len(wanted) >= 4
    ):
        mail.wants_subject = wanted
    return True


@dataclass
class _Lookups:
    """What the decisions of the remaining emails read, read once."""

    customers: dict[str, Customer]
    messages: dict[str, Message]  # external id → message (duplicates, reply headers)
    conversations: dict[int, Conversation]  # token ids
    by_subject: dict[int, list[Conversation]]  # customer id → candidates, latest activity first


def _surviving(customer: Customer) -> Customer:
    return actions._surviving_customer(customer) if customer.merged_into_id is not None else customer


def _load(store: Store, mails: list[_Mail], now: datetime) -> _Lookups:
    mails = [mail for mail in mails if mail.item is not None]
    found = bulk_receive.resolve_customers(
        store, Identity.Kind.EMAIL, [(mail.value, mail.address.name[:200]) for mail in mails if mail.address]
    )
    customers = {value: _surviving(customer) for value, customer in found.items()}
    keys = {mail.row.message_id_key for mail in mails}
    header_ids = {mid for mail in mails for mid in mail.header_ids}
    messages: dict[str, Message] = {
        message.external_id: message  # type: ignore[misc]
        for message in Message.objects.filter(store_id=store.pk, external_id__in=keys | header_ids)
        .select_related("conversation")
        .only("external_id", "conversation")
    } if keys | header_ids else {}  # fmt: skip
    token_ids = {pk for mail in mails for pk in mail.token_ids}
    conversations = (
        {c.pk: c for c in Conversation.objects.filter(store_id=store.pk, pk__in=token_ids)} if token_ids else {}
    )
    subject_customers = {customers[mail.value].pk for mail in mails if mail.wants_subject}
    by_subject: dict[int, list[Conversation]] = {}
    if subject_customers:
        days = int(thread.store_setting(store, "email_subject_match_days", thread.SUBJECT_MATCH_DAYS))  # type: ignore[call-overload]
        rows = Conversation.objects.filter(
            store_id=store.pk,
            customer_id__in=subject_customers,
            channel=Channel.EMAIL,
            merged_into__isnull=True,
            last_message_at__gte=now - timedelta(days=days),
        ).order_by("-last_message_at")
        for conversation in rows:
            candidates = by_subject.setdefault(conversation.customer_id, [])
            if len(candidates) < 20:
                candidates.append(conversation)
    return _Lookups(customers, messages, conversations, by_subject)


@dataclass
class _Pending:
    mails: list[_Mail] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    conversations: set[int] = field(default_factory=set)
    customers: set[int] = field(default_factory=set)
    new: int = 0


def _decide_all(store: Store, queue: list[_Mail], now: datetime) -> None:
    """Decide and write the emails in runs. An email that conflicts with the run being built
    waits for the next run, and so does every later email of the same customer (an email
    only ever lands in its own customer's conversations, so other customers' emails cannot
    depend on it): each customer's emails keep their order, and each is decided against the
    state its predecessors left. An email for the single path is processed once everything
    before it is written; the emails after it are decided again."""
    while queue:
        lookups = _load(store, queue, now)
        run, waiting, waiting_customers = _Pending(), list[_Mail](), set[int]()
        for i, mail in enumerate(queue):
            customer = lookups.customers.get(mail.value) if mail.item is not None else None
            if waiting and (customer is None or customer.pk in waiting_customers):
                waiting.append(mail)  # after an email it may depend on
                if customer is not None:
                    waiting_customers.add(customer.pk)
                continue
            try:
                if mail.item is None:
                    raise _Single
                _decide(store, mail, lookups, run, now)
            except _Conflict:
                waiting.append(mail)
                waiting_customers.add(customer.pk)  # type: ignore[union-attr]
            except _Single:
                if waiting:  # after the emails waiting before it
                    waiting.append(mail)
                    if customer is not None:
                        waiting_customers.add(customer.pk)
                    continue
                _flush(store, run)
                run = _Pending()
                result = actions.do_process_inbound(mail.row.pk, raw=mail.raw)
                mail.row, mail.done = result or mail.row, True
                waiting = queue[i + 1 :]  # the state changed: decide the rest again
                break
        _flush(store, run)
        queue = waiting


def _decide(store: Store, mail: _Mail, lookups: _Lookups, pending: _Pending, now: datetime) -> None:
    """`actions._route` from the customer on, against the lookups; queues the email or
    settles it as a duplicate."""
    item, row = mail.item, mail.row
    assert item is not None
    customer = lookups.customers[mail.value]
    item.customer = customer
    existing = lookups.messages.get(row.message_id_key)
    if existing is not None:
        row.status, row.message, row.conversation_id = Inbound.DUPLICATE, existing, existing.conversation_id
        return
    conversation, how = _thread(store, mail, customer, lookups, pending, now)
    if conversation is not None:
        if conversation.pk in pending.conversations:
            raise _Conflict
        if conversation.status != Status.OPEN:
            raise _Single  # reopens it
    item.conversation = conversation
    item.metadata["threaded_by"] = how
    pending.mails.append(mail)
    pending.keys.add(row.message_id_key)
    pending.customers.add(customer.pk)
    if conversation is not None:
        pending.conversations.add(conversation.pk)
    else:
        pending.new += 1


def _thread(
    store: Store, mail: _Mail, customer: Customer, lookups: _Lookups, pending: _Pending, now: datetime
) -> tuple[Conversation | None, str]:
    """`thread.find_conversation` against the lookups."""
    window = timedelta(days=float(store.setting("reopen_window_days") or 0))
    by_headers = []
    for mid in mail.header_ids:
        if mid in pending.keys:
            raise _Conflict
        if mid in lookups.messages:
            by_headers.append(lookups.messages[mid].conversation)
    by_token = []
    for pk in mail.token_ids:
        if pk in lookups.conversations:
            by_token.append(lookups.conversations[pk])
        elif pending.new:
            raise _Conflict  # perhaps one of the pending new conversations
    for how, found in (("headers", by_headers), ("token", by_token)):
        for conversation in found:
            if conversation.merged_into_id is not None:
                raise _Single  # followed to the survivor there
            if conversation.customer_id != customer.pk:
                continue
            if thread._resolved_before(conversation, now - window):
                raise _Single  # a new conversation linked to the old one
            return conversation, how
    if mail.wants_subject:
        if customer.pk in pending.customers:
            raise _Conflict
        for conversation in lookups.by_subject.get(customer.pk, []):
            if thread.normalize_subject(conversation.subject) == mail.wants_subject and not thread._resolved_before(
                conversation, now - window
            ):
                return conversation, "subject"
    return None, "new"


def _flush(store: Store, pending: _Pending) -> None:
    if not pending.mails:
        return
    # A BatchConflict propagates: the whole batch then goes one by one (do_process_batch).
    bulk_receive.do_receive_batch(store, [mail.item for mail in pending.mails])  # type: ignore[misc]
    acknowledge = autoack.enabled(store)
    for mail in pending.mails:
        item = mail.item
        assert item is not None and item.message is not None and item.conversation is not None
        mail.row.status = Inbound.PROCESSED
        mail.row.message, mail.row.conversation_id = item.message, item.message.conversation_id
        if acknowledge and item.metadata.get("threaded_by") == "new":
            autoack.do_auto_acknowledge(item.conversation)


def _save_rows(mails: list[_Mail], now: datetime) -> None:
    done, failed = [], []
    for mail in mails:
        if mail.done:
            continue
        row = mail.row
        row.attempts += 1
        row.processed_at = now
        if mail.failed:
            row.status, row.error = Inbound.FAILED, mail.failed[:5000]
            failed.append(row)
            continue
        if row.status != Inbound.IGNORED:
            row.error = ""
        done.append(row)
    bulk_receive.update_rows(done, ROW_FIELDS)
    bulk_receive.update_rows(failed, FAIL_FIELDS)


def do_process_stored(inbound_ids: list[int]) -> list[InboundEmail]:
    """Process stored rows still `received` (a job after an IMAP fetch), a store at a time,
    each row locked so a concurrent job or the sweeper cannot process it twice."""
    out: list[InboundEmail] = []
    with transaction.atomic():
        rows = list(
            InboundEmail.objects.select_for_update(of=("self",))
            .select_related("store")
            .filter(pk__in=inbound_ids, status=Inbound.RECEIVED)
            .order_by("pk")
        )
        by_store: dict[int, list[InboundEmail]] = {}
        for row in rows:
            by_store.setdefault(row.store_id, []).append(row)
        for store_rows in by_store.values():
            out += do_process_batch(store_rows[0].store, [(row, bytes(row.raw)) for row in store_rows])
    return out


# --- both --------------------------------------------------------------------------------------


def do_ingest(
    store: Store, raws: list[bytes], source: str, mailbox: Mailbox | None = None
) -> list[tuple[InboundEmail, bool]]:
    """Store and process a batch of raw emails in one transaction: (row in its final state,
    created) per email, in order. Rows stored earlier and left `received` are processed too."""
    with transaction.atomic():
        accepted = do_accept_batch(store, raws, source, mailbox)
        fresh = {id(row) for row, created in accepted if created}
        pairs = [(row, raw) for (row, created), raw in zip(accepted, raws, strict=True) if created]
        final = {id(row): result for (row, _), result in zip(pairs, do_process_batch(store, pairs), strict=True)}
        out = []
        for row, created in accepted:
            key = id(row)
            if key not in final and key not in fresh and row.status == Inbound.RECEIVED:
                final[key] = actions.do_process_inbound(row.pk) or row  # stored earlier, never processed
            out.append((final.get(key, row), created))
    return out


def summarize(results: list[tuple[InboundEmail, bool]]) -> dict[str, Any]:
    """The ingest summary's counts, as `ingest-email` reports them."""
    summary = {"received": 0, "created": 0, "duplicates": 0, "failed": 0, "ignored": 0}
    for row, created in results:
        summary["received"] += 1
        if not created or row.status == Inbound.DUPLICATE:
            summary["duplicates"] += 1
        elif row.status == Inbound.FAILED:
            summary["failed"] += 1
        elif row.status == Inbound.IGNORED:
            summary["ignored"] += 1
        else:
            summary["created"] += 1
    return summary
