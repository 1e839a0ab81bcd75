"""IMAP polling (imap-tools): fetch new mail from each active `imap` mailbox, store it raw,
and only then mark it (\\Seen, or move it to the archive folder), so a crash between the two
fetches the message again and the Message-ID makes it one message.

`fetch_all()` polls every mailbox concurrently (a thread each, bounded), so one slow server
never delays the others. `idle_loop()` keeps one connection in IMAP IDLE and fetches as soon
as the server says something arrived (falling back to polling when IDLE is not offered).
Passwords and XOAUTH2 (Gmail, Microsoft 365) are both supported; an expired OAuth access
token is refreshed with the refresh token before login.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from django.db import close_old_connections, connection, connections, transaction
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags
from imap_tools.mailbox import BaseMailBox

from storedesk.channels.email import actions, batch
from storedesk.channels.email.models import InboundEmail, Mailbox

log = logging.getLogger(__name__)


def _fresh_connection() -> None:
    """Long-lived threads drop broken or expired DB connections first (never inside a transaction)."""
    if not connection.in_atomic_block:
        close_old_connections()


TIMEOUT_S = 30
BATCH = 200  # messages per fetch pass; the next pass continues
STORE_CHUNK = 50  # messages stored in one transaction (then marked on the server) and processed by one job
IDLE_WAIT_S = 25 * 60  # servers drop IDLE after ~30 minutes (RFC 2177)
MAX_WORKERS = 8


class FetchError(Exception):
    pass


@dataclass
class FetchResult:
    stored: int = 0
    duplicates: int = 0
    error: str = ""


def access_token(mailbox: Mailbox) -> tuple[str, dict[str, Any] | None]:
    """The OAuth access token to log in with, refreshed if it expires within a minute.
    Returns (token, the new oauth dict to save or None)."""
    oauth = dict(mailbox.oauth or {})
    token = str(oauth.get("access_token", ""))
    if token and float(oauth.get("expires_at", 0) or 0) > time.time() + 60:
        return token, None
    if not oauth.get("refresh_token") or not oauth.get("token_url"):
        if token:
            return token, None
        raise FetchError("XOAUTH2 needs an access token or a refresh token and token URL.")
    try:
        response = httpx.post(
            str(oauth["token_url"]),
            data={
                "grant_type": "refresh_token",
                "refresh_token": oauth["refresh_token"],
                "client_id": oauth.get("client_id", ""),
                "client_secret": oauth.get("client_secret", ""),
            },
            timeout=TIMEOUT_S,
        )
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise FetchError(f"Could not refresh the OAuth token: {exc}") from exc
    oauth["access_token"] = data["access_token"]
    oauth["expires_at"] = time.time() + int(data.get("expires_in", 3600))
    if data.get("refresh_token"):
        oauth["refresh_token"] = data["refresh_token"]
    return str(oauth["access_token"]), oauth


def connect(mailbox: Mailbox) -> tuple[BaseMailBox, dict[str, Any] | None]:
    """A logged-in connection with the mailbox's folder selected (and refreshed OAuth, if any)."""
    host, port = mailbox.imap_host, mailbox.imap_port
    if mailbox.imap_security == Mailbox.Security.SSL:
        box: BaseMailBox = MailBox(host, port, timeout=TIMEOUT_S, ssl_context=ssl.create_default_context())
    elif mailbox.imap_security == Mailbox.Security.STARTTLS:
        box = MailBoxStartTls(host, port, timeout=TIMEOUT_S, ssl_context=ssl.create_default_context())
    else:
        box = MailBoxUnencrypted(host, port, timeout=TIMEOUT_S)
    username = mailbox.imap_username or mailbox.address
    new_oauth = None
    if mailbox.imap_auth == Mailbox.Auth.XOAUTH2:
        token, new_oauth = access_token(mailbox)
        box.xoauth2(username, token, initial_folder=mailbox.imap_folder or "INBOX")
    else:
        box.login(username, mailbox.imap_password, initial_folder=mailbox.imap_folder or "INBOX")
    return box, new_oauth


def _raw(box: BaseMailBox, uid: str) -> bytes | None:
    """The message's exact bytes (BODY.PEEK: reading does not set \\Seen)."""
    typ, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if typ != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def fetch_new(mailbox: Mailbox, box: BaseMailBox) -> FetchResult:
    """Store every new message of the selected folder, then mark or move it. Messages are
    stored STORE_CHUNK at a time (one transaction) and processed together by one job
    (`process_inbound_batch`, the batch path) enqueued on commit."""
    result = FetchResult()
    criteria = "ALL" if mailbox.imap_archive_folder else AND(seen=False)
    uids = box.uids(criteria)[:BATCH]
    for start in range(0, len(uids), STORE_CHUNK):
        fetched = [(uid, raw) for uid in uids[start : start + STORE_CHUNK] if (raw := _raw(box, uid)) is not None]
        if not fetched:
            continue
        with transaction.atomic():
            stored = batch.do_accept_batch(
                mailbox.store, [raw for _, raw in fetched], InboundEmail.Source.IMAP, mailbox
            )
            new_ids = [row.pk for row, created in stored if created]
            if new_ids:
                transaction.on_commit(lambda ids=new_ids: _enqueue_batch(ids))  # type: ignore[misc]
        # Stored (committed): only now may the server forget them.
        for (uid, _), (_, created) in zip(fetched, stored, strict=True):
            if mailbox.imap_archive_folder:
                box.move(uid, mailbox.imap_archive_folder)
            else:
                box.flag(uid, MailMessageFlags.SEEN, True)
            if created:
                result.stored += 1
            else:
                result.duplicates += 1
    return result


def _enqueue_batch(inbound_ids: list[int]) -> None:
    from storedesk.channels.email.tasks import process_inbound_batch

    process_inbound_batch(inbound_ids)


def fetch_mailbox(mailbox: Mailbox) -> FetchResult:
    """One pass over one mailbox; its health is recorded whatever happens."""
    _fresh_connection()
    new_oauth = None
    try:
        box, new_oauth = connect(mailbox)
        try:
            result = fetch_new(mailbox, box)
        finally:
            try:
                box.logout()
            except Exception:  # noqa: BLE001, S110 - the connection is going away anyway
                pass
    except Exception as exc:  # noqa: BLE001 - recorded as the mailbox's last error
        error = f"{type(exc).__name__}: {exc}"
        log.warning("IMAP fetch of mailbox %s (%s) failed: %s", mailbox.pk, mailbox.address, error)
        actions.do_record_fetch(mailbox, error=error, oauth=new_oauth)
        return FetchResult(error=error)
    actions.do_record_fetch(mailbox, oauth=new_oauth)
    return result


def fetch_all(mailboxes: list[Mailbox] | None = None, max_workers: int = MAX_WORKERS) -> dict[str, int]:
    """Poll every active IMAP mailbox (or the given ones), several at a time."""
    if mailboxes is None:
        mailboxes = list(Mailbox.objects.select_related("store").filter(kind=Mailbox.Kind.IMAP, is_active=True))
    totals = {"mailboxes": len(mailboxes), "stored": 0, "duplicates": 0, "errors": 0}
    if not mailboxes:
        return totals

    def run(mailbox: Mailbox) -> FetchResult:
        try:
            return fetch_mailbox(mailbox)
        finally:
            connections.close_all()  # this pool thread's own connections

    with ThreadPoolExecutor(max_workers=min(max_workers, len(mailboxes)), thread_name_prefix="imap") as pool:
        for result in pool.map(run, mailboxes):
            totals["stored"] += result.stored
            totals["duplicates"] += result.duplicates
            totals["errors"] += int(bool(result.error))
    return totals


def idle_loop(mailbox: Mailbox, stop: threading.Event, *, poll_s: float = 60.0, idle_s: float = IDLE_WAIT_S) -> None:
    """Fetch, then wait in IDLE (or sleep, if unsupported) until the server reports something,
    fetching again at least every `poll_s` (mail that lands between a search and the start of
    IDLE is not always announced); reconnect with a growing pause after errors. Runs in its
    own thread until `stop` is set, and closes that thread's database connection at the end."""
    pause = 5.0
    try:
        while not stop.is_set():
            _fresh_connection()
            new_oauth = None
            try:
                box, new_oauth = connect(mailbox)
                try:
                    supports_idle = "IDLE" in box.client.capabilities
                    while not stop.is_set():
                        result = fetch_new(mailbox, box)
                        actions.do_record_fetch(mailbox, oauth=new_oauth)
                        new_oauth = None
                        if result.stored:
                            log.info("mailbox %s: %s new", mailbox.address, result.stored)
                        if not supports_idle:
                            stop.wait(poll_s)
                            continue
                        deadline = time.monotonic() + min(idle_s, poll_s)
                        while not stop.is_set() and time.monotonic() < deadline:
                            if box.idle.wait(timeout=5.0):  # short slices: `stop` is noticed quickly
                                break
                finally:
                    try:
                        box.logout()
                    except Exception:  # noqa: BLE001, S110
                        pass
                pause = 5.0
            except Exception as exc:  # noqa: BLE001 - recorded; try again after a pause
                actions.do_record_fetch(mailbox, error=f"{type(exc).__name__}: {exc}", oauth=new_oauth)
                stop.wait(pause)
                pause = min(pause * 2, 300.0)
    finally:
        if not connection.in_atomic_block:
            connection.close()
