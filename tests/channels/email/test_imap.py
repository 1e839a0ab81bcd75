"""IMAP polling against a real Dovecot on loopback: a mail delivered to the mailbox becomes a
message; it is marked (or moved) only after it is stored; XOAUTH2 logins refresh their token;
errors land on the mailbox's health, not in a crash."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.db import OperationalError
from imap_tools import MailBoxUnencrypted

from storedesk.channels.email import actions, imap, tasks
from storedesk.channels.email.models import InboundEmail, Mailbox
from storedesk.conversations.models import Message
from tests.channels.email import dovecot
from tests.channels.email.conftest import simple_email
from tests.conftest import require_service

pytestmark = pytest.mark.django_db

USER, PASSWORD = "support@acme.test", "s3cret-imap"


class OAuthServer:
    """Loopback OAuth endpoints: /token (refresh grant) and /introspect (what Dovecot asks)."""

    def __init__(self) -> None:
        self.valid_tokens = {"fresh-token"}
        self.refreshes: list[dict[str, list[str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode())
                if self.path == "/token":
                    server.refreshes.append(form)
                    body: dict[str, Any] = {"access_token": "fresh-token", "expires_in": 3600}
                else:
                    token = (form.get("token") or [""])[0]
                    body = {"active": token in server.valid_tokens, "username": USER}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}{path}"

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def oauth_server():
    server = OAuthServer()
    yield server
    server.stop()


@pytest.fixture
def imap_server(oauth_server):
    if not dovecot.available():
        require_service("dovecot", "/usr/sbin/dovecot is not installed (apt-get install dovecot-imapd)")
    server = dovecot.Dovecot({USER: PASSWORD}, introspection_url=oauth_server.url("/introspect")).start()
    yield server
    server.stop()


def deliver(server: dovecot.Dovecot, raw: bytes, folder: str = "INBOX") -> None:
    with MailBoxUnencrypted("127.0.0.1", server.port).login(USER, PASSWORD) as box:
        box.append(raw, folder)


def flags_and_count(server: dovecot.Dovecot, folder: str = "INBOX") -> list[tuple[str, ...]]:
    with MailBoxUnencrypted("127.0.0.1", server.port).login(USER, PASSWORD, initial_folder=folder) as box:
        return [msg.flags for msg in box.fetch(mark_seen=False, headers_only=True)]


@pytest.fixture
def mailbox(acme, imap_server):
    return actions.do_save_mailbox(
        None,
        acme,
        kind="imap",
        address=USER,
        imap_host="127.0.0.1",
        imap_port=imap_server.port,
        imap_security="none",
        imap_username=USER,
        imap_password=PASSWORD,
    )


def test_it_turns_a_mail_in_the_imap_mailbox_into_a_message(acme, mailbox, imap_server):
    deliver(imap_server, simple_email())

    result = imap.fetch_mailbox(mailbox)

    assert (result.stored, result.duplicates, result.error) == (1, 0, "")
    row = InboundEmail.objects.get()
    assert (row.source, row.mailbox_id, row.status) == ("imap", mailbox.pk, "received")
    assert bytes(row.raw).replace(b"\r\n", b"\n") == simple_email().replace(b"\r\n", b"\n")
    assert actions.do_process_inbound(row.pk).status == "processed"
    assert Message.objects.get().body_text.startswith("Hi, my order #1001")
    assert flags_and_count(imap_server) == [("\\Seen",)]
    mailbox.refresh_from_db()
    assert mailbox.last_success_at is not None
    assert (mailbox.last_error, mailbox.consecutive_failures, mailbox.messages_today) == ("", 0, 1)


def test_it_fetches_only_unseen_mail_and_never_twice(mailbox, imap_server):
    deliver(imap_server, simple_email(message_id="<one@mail.test>"))
    imap.fetch_mailbox(mailbox)
    deliver(imap_server, simple_email(message_id="<two@mail.test>"))

    assert imap.fetch_mailbox(mailbox).stored == 1
    assert imap.fetch_mailbox(mailbox).stored == 0
    assert InboundEmail.objects.count() == 2


def test_it_moves_stored_mail_to_the_archive_folder(mailbox, imap_server):
    mailbox.imap_archive_folder = "Archive"
    mailbox.save()
    deliver(imap_server, simple_email())

    assert imap.fetch_mailbox(mailbox).stored == 1

    assert flags_and_count(imap_server) == []
    assert len(flags_and_count(imap_server, "Archive")) == 1


def test_it_leaves_mail_on_the_server_when_storing_fails(mailbox, imap_server, monkeypatch):
    deliver(imap_server, simple_email())

    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(imap.batch, "do_accept_batch", broken)
    result = imap.fetch_mailbox(mailbox)

    assert result.error == "RuntimeError: database is down"
    assert flags_and_count(imap_server) == [()]  # still unseen: the next fetch gets it
    mailbox.refresh_from_db()
    assert (mailbox.last_error, mailbox.consecutive_failures) == ("RuntimeError: database is down", 1)


def test_it_stores_a_message_fetched_again_after_a_crash_once(mailbox, imap_server):
    deliver(imap_server, simple_email())
    imap.fetch_mailbox(mailbox)
    with MailBoxUnencrypted("127.0.0.1", imap_server.port).login(USER, PASSWORD) as box:
        box.flag(box.uids("ALL"), "\\Seen", False)  # as if we died before marking it

    result = imap.fetch_mailbox(mailbox)

    assert (result.stored, result.duplicates) == (0, 1)
    assert InboundEmail.objects.count() == 1


def test_it_records_a_wrong_password_on_the_mailbox(mailbox):
    mailbox.imap_password = "wrong"
    mailbox.save()

    result = imap.fetch_mailbox(mailbox)

    assert result.error.startswith("MailboxLoginError")
    mailbox.refresh_from_db()
    assert mailbox.consecutive_failures == 1
    assert mailbox.last_success_at is None


def test_it_logs_in_with_xoauth2_after_refreshing_the_token(acme, imap_server, oauth_server):
    mailbox = actions.do_save_mailbox(
        None,
        acme,
        kind="imap",
        address=USER,
        imap_host="127.0.0.1",
        imap_port=imap_server.port,
        imap_security="none",
        imap_auth="xoauth2",
        oauth={
            "token_url": oauth_server.url("/token"),
            "client_id": "storedesk",
            "client_secret": "client-secret",
            "refresh_token": "refresh-me",
            "access_token": "expired-token",
            "expires_at": 0,
        },
    )
    deliver(imap_server, simple_email())

    result = imap.fetch_mailbox(mailbox)

    assert (result.stored, result.error) == (1, "")
    assert oauth_server.refreshes == [
        {
            "grant_type": ["refresh_token"],
            "refresh_token": ["refresh-me"],
            "client_id": ["storedesk"],
            "client_secret": ["client-secret"],
        }
    ]
    mailbox.refresh_from_db()
    assert mailbox.oauth["access_token"] == "fresh-token"
    assert mailbox.oauth["expires_at"] > 0


@pytest.mark.django_db(transaction=True)
def test_it_polls_every_mailbox_concurrently(acme, globex, imap_server):
    for store in (acme, globex):
        actions.do_save_mailbox(
            None,
            store,
            kind="imap",
            address=f"support@{store.slug}.test",
            imap_host="127.0.0.1",
            imap_port=imap_server.port,
            imap_security="none",
            imap_username=USER,
            imap_password=PASSWORD if store == acme else "wrong",
        )
    deliver(imap_server, simple_email())

    assert imap.fetch_all() == {"mailboxes": 2, "stored": 1, "duplicates": 0, "errors": 1}
    assert list(Mailbox.objects.order_by("store__slug").values_list("consecutive_failures", flat=True)) == [0, 1]


@pytest.mark.django_db(transaction=True)
def test_it_fetches_at_once_when_idle_reports_new_mail(mailbox, imap_server):
    stop = threading.Event()
    worker = threading.Thread(
        target=imap.idle_loop, args=(mailbox, stop), kwargs={"idle_s": 60, "poll_s": 60}, daemon=True
    )
    worker.start()

    def seen(query) -> bool:
        # The in-memory SQLite test database is one shared-cache connection set: a read
        # while the IDLE thread writes can meet a table lock (no busy timeout there).
        try:
            return query.exists()
        except OperationalError:
            return False

    try:
        for _ in range(100):  # the first pass is done: the connection now waits in IDLE
            if seen(Mailbox.objects.filter(pk=mailbox.pk, last_success_at__isnull=False)):
                break
            stop.wait(0.1)
        stop.wait(0.5)
        deliver(imap_server, simple_email())
        for _ in range(100):
            if seen(InboundEmail.objects.all()):
                break
            stop.wait(0.1)
    finally:
        stop.set()
        worker.join(15)

    assert InboundEmail.objects.count() == 1  # within 10 s, long before the 60 s re-poll
    assert not worker.is_alive()


@pytest.mark.django_db(transaction=True)
def test_it_fetches_from_the_command_and_the_periodic_job(mailbox, imap_server, settings):
    import io

    from django.core.management import call_command

    from storedesk.channels.email import tasks

    deliver(imap_server, simple_email(message_id="<cmd@mail.test>"))
    out = io.StringIO()
    call_command("fetch_email", stdout=out)
    assert json.loads(out.getvalue()) == {"mailboxes": 1, "stored": 1, "duplicates": 0, "errors": 0}

    deliver(imap_server, simple_email(message_id="<job@mail.test>"))
    assert tasks.poll_imap_mailboxes.call_local() == {"mailboxes": 1, "stored": 1, "duplicates": 0, "errors": 0}
    settings.EMAIL_IMAP_POLL = "0"
    assert tasks.poll_imap_mailboxes.call_local() is None
    assert InboundEmail.objects.filter(status="processed").count() == 2


def test_it_processes_what_one_fetch_stored_as_one_batch(mailbox, imap_server, monkeypatch):
    from storedesk.channels.email import batch

    for n in range(3):
        deliver(imap_server, simple_email(message_id=f"<m{n}@mail.test>", subject=f"Question {n}"))
    calls = []
    real = batch.do_process_batch
    monkeypatch.setattr(batch, "do_process_batch", lambda store, pairs: calls.append(len(pairs)) or real(store, pairs))

    result = imap.fetch_mailbox(mailbox)
    ids = list(InboundEmail.objects.values_list("pk", flat=True))
    done = tasks.process_inbound_batch.call_local(ids)  # the job the fetch enqueues on commit

    assert result.stored == 3
    assert (done, calls) == (3, [3])
    processed = list(InboundEmail.objects.order_by("pk"))
    assert [row.status for row in processed] == ["processed"] * 3
    assert Message.objects.count() == 3
    assert batch.do_process_stored([row.pk for row in processed]) == []  # done: nothing twice
