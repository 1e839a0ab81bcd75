"""W1: email ingest. K generated raw emails through `storedesk ingest-email`, and a bare baseline.

The mail is the peer harness's mix (textgen text): ~60% new conversations, ~40% replies to open
email conversations of the bench store (their subject carries our `[#<id>-<sig>]` tag and they
come from the conversation's customer, as a reply to our outbound mail would), 30% with an HTML
alternative, 10% with a small text attachment. The files are written to a temp directory and
imported with `call_command("ingest_email", dir, store="bench", json=True)` in-process (the
batch path: `channels/email/batch.py`, 200 mails per transaction) — the counterpart of the
peer's `call_command("get_email")` over a local mailbox directory.

The baseline is the floor any importer pays: read each file, parse it with the stdlib `email`
package (policy=default, get_body), and one INSERT (id, subject, sender, body, raw) committed per
message into a fresh SQLite file with our pragmas (WAL, synchronous=NORMAL).

Everything W1 adds is deleted afterwards (rows above id marks), so reruns see the same dataset.
"""

from __future__ import annotations

import email
import json
import random
import shutil
import sqlite3
import tempfile
import time
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from io import StringIO
from pathlib import Path
from typing import Any

from bench import textgen


def reply_targets(store_id: int, limit: int = 2000) -> list[tuple[str, str, str]]:
    """(subject tag, customer address, subject) of open email conversations of the store."""
    from storedesk.channels.email import thread
    from storedesk.conversations.models import Conversation, Identity

    conversations = list(
        Conversation.objects.filter(store_id=store_id, channel="email", status="open", merged_into__isnull=True)
        .only("id", "store_id", "customer_id", "subject")
        .order_by("-id")[:limit]
    )
    emails = dict(
        Identity.objects.filter(
            store_id=store_id, kind="email", customer_id__in={c.customer_id for c in conversations}
        ).values_list("customer_id", "value")
    )
    return [(thread.subject_tag(c), emails[c.customer_id], c.subject) for c in conversations if c.customer_id in emails]


def make_emails(rng: random.Random, k: int, to: str, targets: list[tuple[str, str, str]], maildir: Path) -> dict:
    n_new = n_reply = n_html = n_att = 0
    now = time.time()
    for i in range(k):
        msg = EmailMessage()
        if targets and rng.random() < 0.4:
            tag, address, subject = rng.choice(targets)
            msg["From"] = f"{textgen.person(rng)} <{address}>"
            msg["Subject"] = f"Re: {subject} {tag}"
            body = (
                textgen.followup_text(rng, True)
                + "\n\nOn Mon, 1 Jan 2026 at 10:00, Support <support@bench.test> wrote:\n> "
                + textgen.followup_text(rng, False)
            )
            n_reply += 1
        else:
            cust = textgen.customer_email(rng, rng.randint(0, 5000))
            msg["From"] = f"{textgen.person(rng)} <{cust}>"
            title, body, _ = textgen.ticket_text(rng)
            msg["Subject"] = title
            n_new += 1
        msg["To"] = to
        msg["Date"] = format_datetime(_utc(now))
        msg["Message-ID"] = make_msgid(domain=msg["From"].addresses[0].domain or "example.com")
        msg.set_content(body)
        if rng.random() < 0.3:
            html = "<html><body>" + "".join(f"<p>{p}</p>" for p in body.split("\n\n")) + "</body></html>"
            msg.add_alternative(html, subtype="html")
            n_html += 1
        if rng.random() < 0.1:
            msg.add_attachment(f"log line {i}\n" * 40, filename=f"log{i}.txt")
            n_att += 1
        (maildir / f"msg{i:05d}.eml").write_bytes(msg.as_bytes())
    return {"new_mails": n_new, "reply_mails": n_reply, "with_html_part": n_html, "with_attachment": n_att}


def _utc(ts: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, tz=UTC)


def baseline(maildir: Path, db_path: Path) -> float:
    """Messages/s of: read the file, stdlib parse, one committed SQLite INSERT per message."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE mail (id INTEGER PRIMARY KEY, message_id TEXT UNIQUE, sender TEXT, subject TEXT,"
        " body TEXT, raw BLOB)"
    )
    files = sorted(maildir.iterdir())
    t0 = time.perf_counter()
    for path in files:
        raw = path.read_bytes()
        msg = email.message_from_bytes(raw, policy=default_policy)
        part = msg.get_body(preferencelist=("plain", "html"))
        body = part.get_content() if part is not None else ""
        conn.execute(
            "INSERT INTO mail (message_id, sender, subject, body, raw) VALUES (?, ?, ?, ?, ?)",
            (str(msg["Message-ID"]), str(msg["From"]), str(msg["Subject"]), body, raw),
        )
    dt = time.perf_counter() - t0
    conn.close()
    return len(files) / dt


def _marks() -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    marks: dict[str, Any] = {"started": timezone.now()}  # webhook deliveries have uuid ids
    with connection.cursor() as cursor:
        for table in _TABLES:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - fixed table names
            marks[table] = cursor.fetchone()[0]
    return marks


# Children first. Every table W1's ingest writes (checked by the row counts in the output).
_TABLES = [
    "core_auditevent",
    "email_channel_inboundemail",
    "conversations_attachment",
    "conversations_message",
    "conversations_conversation",
    "conversations_identity",
    "conversations_customer",
]


def _cleanup(marks: dict[str, Any]) -> dict[str, int]:
    """Delete W1's rows (ids above the marks). The conversations it replied to keep their new
    counters (they stay open either way); the rows are what would skew the next run."""
    from django.db import connection, transaction

    from storedesk.webhooks.models import WebhookDelivery

    added = {}
    with transaction.atomic(), connection.cursor() as cursor:
        added["webhooks_webhookdelivery"] = WebhookDelivery.objects.filter(created_at__gte=marks["started"]).delete()[0]
        tables = set(connection.introspection.table_names(cursor))
        for table in _TABLES:
            if table not in tables:
                continue
            if table == "conversations_message":
                _delete_dependents(cursor, tables, marks)
            cursor.execute(f"DELETE FROM {table} WHERE id > %s", [marks[table]])  # noqa: S608
            added[table] = cursor.rowcount
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_key_check")
            left = cursor.fetchall()
            if left:
                raise RuntimeError(f"W1 cleanup left rows pointing at deleted ones: {left[:5]}")
    return added


def _delete_dependents(cursor: Any, tables: set[str], marks: dict[str, Any]) -> None:
    """Rows of other apps that point at W1's messages, conversations or customers (SLA, links …)."""
    from django.apps import apps

    for model in apps.get_models():
        table = model._meta.db_table
        if table in _TABLES or table not in tables:
            continue
        for field in model._meta.concrete_fields:
            target = getattr(field, "related_model", None)
            if target is not None and (field.many_to_one or field.one_to_one) and target._meta.db_table in _PARENTS:
                mark = marks[target._meta.db_table]
                cursor.execute(f"DELETE FROM {table} WHERE {field.column} > %s", [mark])  # noqa: S608


_PARENTS = ("conversations_message", "conversations_conversation", "conversations_customer")


def run_once(store: Any, k: int, seed: int, targets: list[tuple[str, str, str]]) -> dict[str, Any]:
    from django.core.management import call_command

    from storedesk.channels.email.models import InboundEmail

    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="storedesk_w1_"))
    try:
        maildir = work / "mail"
        maildir.mkdir()
        mix = make_emails(rng, k, store.support_email or "support@bench.test", targets, maildir)
        marks = _marks()
        out = StringIO()
        t0 = time.perf_counter()
        call_command("ingest_email", str(maildir), store=store.slug, json=True, stdout=out, stderr=StringIO())
        dt = time.perf_counter() - t0
        summary = json.loads(out.getvalue().strip().splitlines()[-1])
        by_how: dict[str, int] = {}
        for how in (
            InboundEmail.objects.filter(pk__gt=marks["email_channel_inboundemail"], store=store)
            .exclude(message=None)
            .values_list("message__metadata__threaded_by", flat=True)
        ):
            by_how[str(how)] = by_how.get(str(how), 0) + 1
        base = baseline(maildir, work / "baseline.sqlite3")
        rows = _cleanup(marks)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "k": k,
        **mix,
        "seconds": round(dt, 3),
        "messages_per_s": round(k / dt, 1),
        "ms_per_message": round(dt * 1000 / k, 3),
        "baseline_messages_per_s": round(base, 1),
        "of_baseline": round(k / dt / base, 3),
        "summary": summary,
        "threaded_by": by_how,
        "rows_added": rows,
    }


def w1(ctx: Any, ks: tuple[int, ...]) -> dict[str, Any]:
    from storedesk.core.models import Store

    store = Store.objects.get(pk=ctx.manifest["store_id"])
    targets = reply_targets(store.pk)
    runs = [run_once(store, k, seed=7 + i, targets=targets) for i, k in enumerate(ks)]
    last = runs[-1]
    return {
        "k": last["k"],
        "messages_per_s": last["messages_per_s"],
        "baseline_messages_per_s": last["baseline_messages_per_s"],
        "of_baseline": last["of_baseline"],
        "runs": runs,
        # the request-workload table columns, so run.py's table prints a row
        "p50_ms": last["ms_per_message"],
        "p95_ms": 0.0,
        "queries": 0,
        "sql_ms": 0.0,
    }
