"""An SMTP server (aiosmtpd) that stores forwarded mail: a store points its provider's
forwarding (or an MX record) here, and every message for an active `smtp` mailbox is
stored raw before we answer 250, so the sender keeps (and retries) anything we did not store.

It is not a relay: recipients that are not one of our mailboxes are refused with 550, and
nothing is ever sent on. A database error answers 451, so the sending server tries again.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection

from storedesk.channels.email import actions
from storedesk.channels.email.models import InboundEmail, Mailbox

log = logging.getLogger(__name__)


def _fresh_connection() -> None:
    """Long-lived threads drop broken or expired DB connections first (never inside a transaction)."""
    if not connection.in_atomic_block:
        close_old_connections()


def _done_with_connection() -> None:
    """Like the end of a request (CONN_MAX_AGE=0): the SMTP session holds no connection between commands."""
    if not connection.in_atomic_block:
        connection.close()


DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_RE_PLUS = re.compile(r"^([^@+]+)\+[^@]*@")


def base_address(address: str) -> str:
    """support+c12-abcdef@acme.test → support@acme.test (lower-cased)."""
    address = address.strip().strip("<>").lower()
    return _RE_PLUS.sub(r"\1@", address)


def mailbox_for(address: str) -> Mailbox | None:
    _fresh_connection()
    return (
        Mailbox.objects.select_related("store")
        .filter(kind=Mailbox.Kind.SMTP, is_active=True, address=base_address(address))
        .first()
    )


def check_recipient(address: str) -> bool:
    try:
        return mailbox_for(address) is not None
    finally:
        _done_with_connection()


def store_message(raw: bytes, recipients: list[str]) -> int:
    """Store the message once per store it is addressed to. Returns how many were new."""
    _fresh_connection()
    created_count = 0
    seen: set[int] = set()
    for recipient in recipients:
        mailbox = mailbox_for(recipient)
        if mailbox is None or mailbox.store_id in seen:
            continue
        seen.add(mailbox.store_id)
        # What an MTA adds on final delivery: which of our addresses it was delivered to.
        delivered = f"Delivered-To: {recipient.strip('<>')}\r\n".encode("ascii", "replace") + raw
        _, created = actions.do_accept_raw_email(mailbox.store, delivered, InboundEmail.Source.SMTP, mailbox)
        created_count += int(created)
    return created_count


def store_and_release(raw: bytes, recipients: list[str]) -> int:
    try:
        return store_message(raw, recipients)
    finally:
        _done_with_connection()


class Handler:
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:  # noqa: N802 - aiosmtpd's naming
        if not await sync_to_async(check_recipient)(address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            await sync_to_async(store_and_release)(bytes(raw), list(envelope.rcpt_tos))
        except Exception:  # noqa: BLE001 - the sender must keep and retry what we did not store
            log.exception("could not store an inbound email from %s", envelope.mail_from)
            return "451 4.3.0 Could not store the message; try again later"
        return "250 2.0.0 Stored"


def controller(host: str, port: int, max_bytes: int = DEFAULT_MAX_BYTES) -> Controller:
    return Controller(
        Handler(),
        hostname=host,
        port=port,
        data_size_limit=max_bytes,
        decode_data=False,
        server_hostname="storedesk",
        ident="Storedesk SMTP receiver",
    )
