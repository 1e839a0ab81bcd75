"""Turning an agent's outbound message into an email, and handing it to Django's email backend
(SMTP, or any anymail ESP backend). Reads only; the outcome is recorded by `actions`.

`send()` raises `SendError(permanent=…)`: permanent when trying again cannot help (the
server refused the recipient or the message with a 5xx, the customer has no address), else
retryable (connection refused, timeouts, 4xx, authentication trouble an admin can fix).
"""

from __future__ import annotations

import html
import smtplib
import socket
from dataclasses import dataclass
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from storedesk.channels.email import conf, thread
from storedesk.conversations.models import Conversation, Identity, Message
from storedesk.core.models import Store

MAX_REFERENCES = 20


class SendError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class Envelope:
    from_address: str  # formatted "Name <addr>"
    reply_to: str
    to: str
    subject: str
    in_reply_to: str  # "<id>" or ""
    references: list[str]  # "<id>" each


def support_address(store: Store) -> str:
    if store.support_email:
        return store.support_email.lower()
    mailbox = store.mailboxes.filter(is_active=True).order_by("pk").first()  # type: ignore[attr-defined]
    return mailbox.address if mailbox else settings.DEFAULT_FROM_EMAIL


def new_message_id(store: Store, message: Message) -> str:
    """A fresh Message-ID (without <>) on the store's own domain."""
    domain = support_address(store).rpartition("@")[2] or "storedesk.invalid"
    return make_msgid(idstring=f"sd.{store.pk}.{message.pk}", domain=domain).strip("<>")


def _recipient(conversation: Conversation) -> str:
    """The address the customer last wrote from (if still theirs), else their first email."""
    emails = list(
        Identity.objects.filter(customer_id=conversation.customer_id, kind=Identity.Kind.EMAIL)
        .order_by("pk")
        .values_list("value", flat=True)
    )
    last_inbound = (
        Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND)
        .order_by("-created_at", "-pk")
        .values_list("metadata", flat=True)
        .first()
    )
    if isinstance(last_inbound, dict) and last_inbound.get("from_address") in emails:
        return str(last_inbound["from_address"])
    if not emails:
        raise SendError("The customer has no email address.", permanent=True)
    return emails[0]


def _thread_ids(conversation: Conversation, message: Message) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for a reply: the last customer email, and the thread's ids."""
    earlier = list(
        Message.objects.filter(conversation=conversation, created_at__lte=message.created_at)
        .exclude(pk=message.pk)
        .exclude(direction=Message.Direction.NOTE)
        .exclude(external_id__isnull=True)
        .order_by("created_at", "pk")
        .values_list("direction", "external_id", "metadata")
    )
    ids: list[str] = []
    parent = ""
    for direction, external_id, metadata in earlier:
        if not external_id or external_id.startswith("sha256:"):
            continue
        if direction == Message.Direction.INBOUND:
            refs = metadata.get("references", []) if isinstance(metadata, dict) else []
            ids.extend(ref for ref in refs if isinstance(ref, str))
            parent = external_id
        ids.append(external_id)
    if not parent and ids:
        parent = ids[-1]
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_REFERENCES:  # keep the thread's root and the most recent ones
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return (f"<{parent}>" if parent else ""), [f"<{ref}>" for ref in ids]


def envelope(message: Message) -> Envelope:
    conversation = message.conversation
    store = conversation.store
    address = support_address(store)
    name = store.from_name or store.name
    reply_to = store.reply_to.lower() if store.reply_to else address
    if thread.store_setting(store, "email_plus_token", False):
        reply_to = thread.plus_address(reply_to, conversation)
    in_reply_to, references = _thread_ids(conversation, message)
    subject = thread.strip_tag(conversation.subject) or "(no subject)"
    if in_reply_to and not thread.is_reply_subject(subject):
        subject = f"Re: {subject}"
    if thread.store_setting(store, "email_subject_token", True):
        subject = f"{subject} {thread.subject_tag(conversation)}"
    return Envelope(
        from_address=formataddr((name, address)),
        reply_to=reply_to,
        to=_recipient(conversation),
        subject=subject,
        in_reply_to=in_reply_to,
        references=references,
    )


def build(message: Message, message_id: str) -> EmailMultiAlternatives:
    env = envelope(message)
    author = message.author_user
    text = message.body_text
    signature = (author.signature or "").strip() if author is not None else ""
    if signature:
        text = f"{text}\n\n-- \n{signature}"
    headers = {
        "Message-ID": f"<{message_id}>",
        # Ask auto-responders not to answer us: fewer out-of-office loops.
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }
    if (message.metadata or {}).get("auto_ack"):
        headers["Auto-Submitted"] = "auto-replied"  # RFC 3834: robots must not answer it
    if env.in_reply_to:
        headers["In-Reply-To"] = env.in_reply_to
    if env.references:
        headers["References"] = " ".join(env.references)
    mail = EmailMultiAlternatives(
        subject=env.subject,
        body=text,
        from_email=env.from_address,
        to=[env.to],
        reply_to=[env.reply_to],
        headers=headers,
    )
    if message.body_html:
        body_html = message.body_html
        if signature:
            body_html += "<br><br>-- <br>" + html.escape(signature).replace("\n", "<br>")
        mail.attach_alternative(body_html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            mail.attach(attachment.filename, handle.read(), attachment.content_type)
    return mail


def _connection() -> object:
    backend = settings.EMAIL_BACKEND
    if backend == "django.core.mail.backends.smtp.EmailBackend" and getattr(settings, "EMAIL_TIMEOUT", None) is None:
        return get_connection(fail_silently=False, timeout=conf.send_timeout_s())
    return get_connection(fail_silently=False)


def _classify(exc: Exception) -> SendError:
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(
            f"{rcpt}: {code} {msg.decode(errors='replace')}" for rcpt, (code, msg) in exc.recipients.items()
        )
        return SendError(f"Recipient refused: {detail}", permanent=all(code >= 500 for code in codes))
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SendError(f"SMTP authentication failed ({exc.smtp_code}); check the credentials.")
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return SendError(f"SMTP {exc.smtp_code} {text}", permanent=exc.smtp_code >= 500)
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.timeout | TimeoutError | ConnectionError | OSError):
        return SendError(f"Could not reach the mail server: {type(exc).__name__}: {exc}")
    try:
        from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
    except ImportError:  # pragma: no cover - anymail is a dependency
        AnymailAPIError = AnymailRecipientsRefused = ()  # type: ignore[assignment,misc]  # noqa: N806
    if isinstance(exc, AnymailRecipientsRefused):
        return SendError(f"The ESP refused the recipient: {exc}", permanent=True)
    if isinstance(exc, AnymailAPIError):
        status = getattr(exc, "status_code", None)
        permanent = status is not None and 400 <= status < 500 and status not in (408, 429)
        return SendError(f"ESP error {status or ''}: {exc}".strip(), permanent=permanent)
    return SendError(f"{type(exc).__name__}: {exc}")


def send(mail: EmailMultiAlternatives) -> None:
    """Send one email now. Raises SendError."""
    try:
        mail.connection = _connection()  # type: ignore[assignment]
        sent = mail.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - every failure is classified, none escapes unrecorded
        raise _classify(exc) from exc
    if sent != 1:
        raise SendError("The email backend did not accept the message.")
