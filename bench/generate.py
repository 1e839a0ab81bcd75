#!/usr/bin/env python
"""Generate a bench dataset: one store, ~10 agents in 3 teams, N/3 customers, N conversations
with ~3 messages each (inbound, outbound, internal notes), tags, and one 50-message
conversation for W4.

    python bench/generate.py --conversations 1000000 [--messages-per 3] [--seed 42]
                             [--database-url URL] [--var-dir DIR] [--fresh]

**A deliberate bypass of the actions layer, for bench data only.** The actions
(`storedesk.conversations.actions`) are the only writers of domain rows everywhere else; they
lock, audit and publish per change, which is right for traffic and far too slow for a million
conversations. So the store, its agents, teams and tags are created through the actions (a
handful of rows) and the bulk — customers, identities, conversations, messages, conversation
tags — is inserted with raw `executemany` (SQLite) or `COPY` (PostgreSQL) in one transaction.
No audit rows or webhook deliveries are written for the bulk rows.

The denormalised fields the actions maintain are filled exactly as `_add_message`,
`_apply_status` and `do_snooze` would have left them: `message_count` counts every message
(notes too); `preview` and `last_message_at` follow the last non-note message;
`last_customer_message_at` / `last_agent_message_at` are the last inbound / outbound message;
`first_response_at` is the first outbound agent message; `resolved_at` is set only on resolved
conversations and `snoozed_until` (in the future) only on snoozed ones. tests/bench/
test_generate.py checks this against the messages.

Text comes from bench/textgen.py (the peer harness's generator), sampled into pools once so a
million conversations do not pay ~30 µs of string formatting each; same distribution, so the
same keywords hit the same share of conversations as in the peer.

Speed (empty tables): the bulk tables' secondary indexes and triggers are dropped first and
rebuilt from their own DDL after the load (one sort per index instead of a million B-tree
inserts); on SQLite the load runs with journal_mode=OFF, synchronous=OFF and foreign keys off,
on PostgreSQL with session_replication_role=replica (no FK triggers), then both are restored.
After the load: the search index (`storedesk.search.index.rebuild_index`, skipped with a warning
if that module does not exist yet) and ANALYZE, each timed separately.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import benchenv, textgen  # noqa: E402

GENERATOR_VERSION = 3  # 3: SLA clocks (automation_conversationsla) for the emails
DAY = 86400
YEAR = 365 * DAY
LOGIN_EMAIL = "agent1@bench.test"
LOGIN_PASSWORD = "bench-password"  # noqa: S105 - bench data only
STORE_SLUG = "bench"
BULK_TABLES = (
    "conversations_customer",
    "conversations_identity",
    "conversations_conversation",
    "conversations_conversation_tags",
    "conversations_message",
    "automation_conversationsla",
)
# The built-in SLA every email gets (automation.models.DefaultPolicy): first response within
# 24 hours of calendar time, a warning when 20 % is left. The generator writes each email's
# clock as automation.sla.refresh would leave it (tests/bench/test_generate.py checks it).
SLA_FIRST_RESPONSE_S = 24 * 3600
SLA_WARN_S = SLA_FIRST_RESPONSE_S * 80 // 100
SLA_COLUMNS = [
    "id", "conversation_id", "store_id", "policy_id", "policy_name", "started_at",
    "first_response_due_at", "first_response_at", "first_response_warned", "first_response_breached",
    "resolved_at", "paused_at", "pauses", "due_at", "due_kind", "next_check_at", "updated_at",
]  # fmt: skip
W4_MESSAGES = 50
DEFAULT_SLA_NAME = "Default: email first response within 24 h"  # automation.models.DefaultPolicy.name
CHUNK = 20_000  # conversations per executemany/COPY round


def _table(weights: Sequence[tuple[Any, int]]) -> list[Any]:
    """A 100-slot lookup table: table[int(random() * 100)] draws with these weights (sum 100)."""
    out = [value for value, weight in weights for _ in range(weight)]
    assert len(out) == 100, weights
    return out


# Status mix mirrors the peer's (open+reopened 40 / resolved+closed+duplicate 60).
STATUSES = _table([("open", 40), ("pending", 10), ("snoozed", 5), ("resolved", 45)])
# Peer priorities 1-5 weighted 5/15/50/20/10, folded onto our 0-3 (low, normal, high, urgent).
PRIORITIES = _table([(0, 20), (1, 50), (2, 20), (3, 10)])
CHANNELS = _table([("email", 55), ("chat", 25), ("social", 10), ("phone", 5), ("sms", 5)])
EXTRA_TAGS = ["vip", "bug", "feedback", "follow-up", "urgent"]
TEAMS = ["Tier 1", "Tier 2", "Billing"]
AGENTS = 10


# --------------------------------------------------------------------------- text and time


class Pools:
    """Texts sampled once from textgen; conversations pick from them by index."""

    def __init__(self, rng: random.Random, size: int) -> None:
        from storedesk.core.lib.sanitize import preview

        self.size = size
        self.tickets = []  # (subject, body, preview(body), topic)
        for _ in range(size):
            title, body, topic = textgen.ticket_text(rng)
            self.tickets.append((title, body, preview(body), topic))
        self.customer = [self._with_preview(textgen.followup_text(rng, True), preview) for _ in range(size)]
        self.agent = [self._with_preview(textgen.followup_text(rng, False), preview) for _ in range(size)]
        self.resolution = {
            topic: [self._with_preview(textgen.resolution(rng, topic), preview) for _ in range(64)]
            for topic in textgen.TOPICS
        }

    @staticmethod
    def _with_preview(text: str, preview: Any) -> tuple[str, str]:
        return text, preview(text)


class Clock:
    """Epoch seconds → the string the database stores, by table lookup (~10× faster than strftime).

    SQLite: 'YYYY-MM-DD HH:MM:SS' (what Django stores for an aware UTC datetime);
    PostgreSQL COPY: the same with '+00'.
    """

    def __init__(self, now: int, *, pg: bool, back_days: int = 430, ahead_days: int = 30) -> None:
        self.first_day = now // DAY - back_days
        self.days = [
            time.strftime("%Y-%m-%d ", time.gmtime((self.first_day + d) * DAY)) for d in range(back_days + ahead_days)
        ]
        suffix = "+00" if pg else ""
        self.times = [f"{h:02d}:{m:02d}:{s:02d}{suffix}" for h in range(24) for m in range(60) for s in range(60)]

    def __call__(self, ts: int) -> str:
        return self.days[ts // DAY - self.first_day] + self.times[ts % DAY]


# --------------------------------------------------------------------------- tables and sinks


class Table:
    """An INSERT target: the columns the generator fills (by attname, in row order), then any
    other concrete field of the model at its default — so a column added later by a migration
    does not break the generator as long as it has a default."""

    def __init__(self, model: Any, attnames: Sequence[str], connection: Any) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        missing = [name for name in attnames if name not in fields]
        if missing:
            raise RuntimeError(f"{model.__name__} has no field(s) {missing}: update bench/generate.py")
        self.name = model._meta.db_table
        extras = [f for name, f in fields.items() if name not in attnames]
        self.extra: tuple[Any, ...] = ()
        for f in extras:
            default = f.get_default()
            if default is None and not f.null:
                raise RuntimeError(
                    f"{model.__name__}.{f.name} is NOT NULL without a default: teach bench/generate.py to fill it"
                )
            self.extra += (f.get_db_prep_save(default, connection),)
        self.columns = [fields[name].column for name in attnames] + [f.column for f in extras]

    def rows(self, rows: list[tuple]) -> Iterable[tuple]:
        if not self.extra:
            return rows
        extra = self.extra
        return [row + extra for row in rows]


class SqliteSink:
    def __init__(self, connection: Any) -> None:
        self.raw = connection.connection

    def insert(self, table: Table, rows: list[tuple]) -> None:
        cols = ", ".join(f'"{c}"' for c in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        self.raw.executemany(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', table.rows(rows))


class PgSink:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def insert(self, table: Table, rows: list[tuple]) -> None:
        cols = ", ".join(f'"{c}"' for c in table.columns)
        with self.connection.cursor() as cursor, cursor.cursor.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for row in table.rows(rows):
                copy.write_row(row)


# --------------------------------------------------------------------------- indexes


def _drop_secondary_indexes(connection: Any) -> list[str]:
    """Drop the bulk tables' secondary indexes and triggers; return the DDL that recreates them."""
    ddl: list[tuple[str, str]] = []  # (drop statement, create statement)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join("%s" for _ in BULK_TABLES)
            cursor.execute(
                f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                f"AND tbl_name IN ({marks}) AND sql IS NOT NULL",
                BULK_TABLES,
            )
            for kind, name, sql in cursor.fetchall():
                ddl.append((f'DROP {kind.upper()} "{name}"', sql))
        else:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = ANY(%s) AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)",
                [list(BULK_TABLES)],
            )
            ddl = [(f'DROP INDEX "{name}"', sql) for name, sql in cursor.fetchall()]
        for drop, _ in ddl:
            cursor.execute(drop)
    return [create for _, create in ddl]


def _recreate(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and statements:
            # PostgreSQL refuses CREATE INDEX on a table with pending deferred FK checks: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # Indexes first, then triggers (SQLite keeps them in one list; order is by type).
        for sql in sorted(statements, key=lambda s: "TRIGGER" in s.upper()[:40]):
            cursor.execute(sql)


# --------------------------------------------------------------------------- the store


@dataclass
class Setup:
    store_id: int
    agent_ids: list[int]
    login_agent_id: int
    team_ids: list[int]
    tag_ids: dict[str, int]  # name → id


def _create_store() -> Setup:
    """The few rows that go through the actions: store, agents (roles), teams, tags."""
    from django.contrib.auth.hashers import make_password

    from storedesk.conversations.actions import do_create_tag
    from storedesk.core.actions import do_add_agent, do_create_store, do_create_team
    from storedesk.core.models import Role, Store, User

    if Store.objects.filter(slug=STORE_SLUG).exists():
        raise RuntimeError(f"a store {STORE_SLUG!r} already exists here: generate into a fresh database (--fresh)")
    store = do_create_store(
        slug=STORE_SLUG, name="Bench Outfitters", support_email="support@bench.test", from_name="Bench Support"
    )
    agents = []
    for i in range(1, AGENTS + 1):
        role = Role.ADMIN if i == 1 else Role.LEAD if i in (2, 3) else Role.AGENT
        name = f"{textgen.FIRST[i % len(textgen.FIRST)]} {textgen.LAST[(i * 7) % len(textgen.LAST)]}"
        agents.append(do_add_agent(None, store, email=f"agent{i}@bench.test", role=role, display_name=name))
    # One password hash for all (PBKDF2 per agent would cost seconds); bench data only.
    User.objects.filter(pk__in=[a.pk for a in agents]).update(password=make_password(LOGIN_PASSWORD))
    teams = [do_create_team(None, store, name, members=agents[i::3]) for i, name in enumerate(TEAMS)]
    tags = {}
    for name in [*textgen.TOPICS, *EXTRA_TAGS]:
        tags[name] = do_create_tag(None, store, name).pk
    return Setup(
        store_id=store.pk,
        agent_ids=[a.pk for a in agents],
        login_agent_id=agents[0].pk,
        team_ids=[t.pk for t in teams],
        tag_ids=tags,
    )


# --------------------------------------------------------------------------- the bulk


@dataclass
class Result:
    store_id: int
    login_agent_id: int
    login_email: str
    first_conversation_id: int
    w4_conversation_id: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _max_id(connection: Any, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT MAX(id) FROM "{table}"')
        return cursor.fetchone()[0] or 0


def generate(
    conversations: int,
    *,
    messages_per: int = 3,
    seed: int = 42,
    now: int | None = None,
    fast: bool = False,
    drop_indexes: bool | None = None,
    progress: bool = False,
) -> Result:
    """Insert one bench store with `conversations` conversations into the default database.

    `fast` (the CLI): SQLite pragmas off for the load / PostgreSQL FK triggers off.
    `drop_indexes` (default: when the conversation table is empty): rebuild indexes after the load.
    """
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from storedesk.automation.models import ConversationSla
    from storedesk.conversations.models import Conversation, Customer, Identity, Message

    if conversations < 1 or messages_per < 1:
        raise ValueError("need at least one conversation and one message per conversation")
    t_start = time.perf_counter()
    pg = connection.vendor == "postgresql"
    now = int(time.time()) if now is None else now
    rng = random.Random(seed)
    seconds: dict[str, float] = {}

    sqlite_fast = fast and connection.vendor == "sqlite" and not connection.in_atomic_block
    if sqlite_fast:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            for pragma in (
                "journal_mode=OFF",
                "synchronous=OFF",
                "foreign_keys=OFF",
                "cache_size=-1000000",
                "temp_store=MEMORY",
            ):
                cursor.execute(f"PRAGMA {pragma}")
    try:
        with transaction.atomic():
            if fast and pg:
                _pg_replica_mode(connection)
            setup = _create_store()
            if drop_indexes is None:
                drop_indexes = not Conversation.objects.exists()
            recreate = _drop_secondary_indexes(connection) if drop_indexes else []
            seconds["setup"] = time.perf_counter() - t_start

            t = time.perf_counter()
            pools = Pools(rng, size=min(1 << 15, max(256, conversations)))
            clock = Clock(now, pg=pg)
            seconds["text_pools"] = time.perf_counter() - t

            sink: Any = PgSink(connection) if pg else SqliteSink(connection)
            tables = {
                "customer": Table(
                    Customer,
                    ["id", "store_id", "name", "notes", "vip", "language", "created_at", "merged_into_id"],
                    connection,
                ),
                "identity": Table(
                    Identity, ["id", "store_id", "customer_id", "kind", "value", "created_at"], connection
                ),
                "conversation": Table(Conversation, CONVERSATION_COLUMNS, connection),
                "tags": Table(Conversation.tags.through, ["id", "conversation_id", "tag_id"], connection),
                "message": Table(Message, MESSAGE_COLUMNS, connection),
                "sla": Table(ConversationSla, SLA_COLUMNS, connection),
            }
            t = time.perf_counter()
            n_customers = max(50, conversations // 3)
            first_customer = _max_id(connection, "conversations_customer") + 1
            counts = _load_customers(
                rng,
                sink,
                tables,
                setup,
                clock,
                now,
                first_customer,
                n_customers,
                _max_id(connection, "conversations_identity") + 1,
            )
            seconds["customers"] = time.perf_counter() - t

            t = time.perf_counter()
            loader = _ConversationLoader(
                rng,
                sink,
                tables,
                setup,
                clock,
                pools,
                now,
                messages_per,
                first_customer=first_customer,
                n_customers=n_customers,
                ids=[
                    _max_id(connection, name) + 1
                    for name in (
                        "conversations_conversation",
                        "conversations_message",
                        "conversations_conversation_tags",
                        "automation_conversationsla",
                    )
                ],
            )
            first_conversation_id = loader.next_conversation
            done = 0
            while done < conversations - 1:
                size = min(CHUNK, conversations - 1 - done)
                loader.chunk(size)
                done += size
                if progress:
                    elapsed = time.perf_counter() - t
                    print(
                        f"  {done:>9,} conversations, {loader.n_messages:>10,} messages  {elapsed:6.1f}s",
                        file=sys.stderr,
                    )
            w4_id = loader.long_conversation(W4_MESSAGES)
            counts.update(
                conversations=loader.n_conversations,
                messages=loader.n_messages,
                conversation_tags=loader.n_tags,
                conversation_slas=loader.n_slas,
            )
            seconds["conversations_and_messages"] = time.perf_counter() - t

            t = time.perf_counter()
            _recreate(connection, recreate)
            if pg:
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(
                        no_style(),
                        [Customer, Identity, Conversation, Conversation.tags.through, Message, ConversationSla],
                    ):
                        cursor.execute(sql)
            seconds["indexes"] = time.perf_counter() - t
    finally:
        if sqlite_fast:
            with connection.cursor() as cursor:
                for pragma in ("foreign_keys=ON", "synchronous=NORMAL", "journal_mode=WAL", "cache_size=-64000"):
                    cursor.execute(f"PRAGMA {pragma}")
    seconds["load_total"] = time.perf_counter() - t_start
    return Result(
        store_id=setup.store_id,
        login_agent_id=setup.login_agent_id,
        login_email=LOGIN_EMAIL,
        first_conversation_id=first_conversation_id,
        w4_conversation_id=w4_id,
        counts=counts,
        seconds={k: round(v, 2) for k, v in seconds.items()},
    )


def _pg_replica_mode(connection: Any) -> None:
    """Skip FK triggers for this transaction (superuser only; otherwise just slower)."""
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        print("note: cannot set session_replication_role (not superuser); FK checks stay on", file=sys.stderr)


def _load_customers(
    rng: random.Random,
    sink: Any,
    tables: dict[str, Table],
    setup: Setup,
    clock: Clock,
    now: int,
    first_id: int,
    count: int,
    first_identity: int,
) -> dict[str, int]:
    r = rng.random
    store = setup.store_id
    customers, identities = [], []
    identity_id = first_identity
    first, last = textgen.FIRST, textgen.LAST
    for i in range(count):
        cid = first_id + i
        created = clock(now - 400 * DAY + int(r() * 30 * DAY))
        name = f"{first[i % len(first)]} {last[(i // len(first)) % len(last)]}"
        customers.append((cid, store, name, "", r() < 0.03, "", created, None))
        identities.append((identity_id, store, cid, "email", textgen.customer_email(rng, i), created))
        identity_id += 1
        if r() < 0.3:
            identities.append((identity_id, store, cid, "phone", f"+1555{i:07d}", created))
            identity_id += 1
        if len(customers) >= 50_000:
            sink.insert(tables["customer"], customers)
            sink.insert(tables["identity"], identities)
            customers, identities = [], []
    sink.insert(tables["customer"], customers)
    sink.insert(tables["identity"], identities)
    return {"customers": count, "identities": identity_id - first_identity}


CONVERSATION_COLUMNS = [
    "id", "store_id", "customer_id", "channel", "status", "priority", "assignee_id", "team_id",
    "subject", "preview", "created_at", "updated_at", "first_response_at", "resolved_at",
    "snoozed_until", "last_message_at", "last_customer_message_at", "last_agent_message_at",
    "message_count", "merged_into_id",
]  # fmt: skip
MESSAGE_COLUMNS = [
    "id", "store_id", "conversation_id", "direction", "author_kind", "author_user_id",
    "author_customer_id", "body_text", "body_html", "external_id", "delivery_status",
    "delivery_error", "metadata", "created_at",
]  # fmt: skip


class _ConversationLoader:
    """Builds conversation, message and tag rows chunk by chunk. The hot loop: keep it flat."""

    def __init__(
        self,
        rng: random.Random,
        sink: Any,
        tables: dict[str, Table],
        setup: Setup,
        clock: Clock,
        pools: Pools,
        now: int,
        messages_per: int,
        *,
        first_customer: int,
        n_customers: int,
        ids: list[int],
    ) -> None:
        self.rng, self.sink, self.tables, self.setup, self.clock, self.pools = rng, sink, tables, setup, clock, pools
        self.now, self.messages_per = now, messages_per
        self.first_customer, self.n_customers = first_customer, n_customers
        self.next_conversation, self.next_message, self.next_tag, self.next_sla = ids
        self.n_conversations = self.n_messages = self.n_tags = self.n_slas = 0

    def chunk(self, size: int) -> None:
        r = self.rng.random
        clock, pools, now, store = self.clock, self.pools, self.now, self.setup.store_id
        agents, teams, tag_ids = self.setup.agent_ids, self.setup.team_ids, self.setup.tag_ids
        n_agents, n_teams = len(agents), len(teams)
        extra_tags = [tag_ids[name] for name in EXTRA_TAGS]
        tickets, customer_texts, agent_texts, resolutions = pools.tickets, pools.customer, pools.agent, pools.resolution
        n_pool = pools.size
        spread = 2 * self.messages_per - 1  # k uniform in 1..2m-1: mean m
        conv_rows, msg_rows, tag_rows, sla_rows = [], [], [], []
        cid, mid, tid, sid = self.next_conversation, self.next_message, self.next_tag, self.next_sla
        for _ in range(size):
            customer = self.first_customer + int(r() * self.n_customers)
            created = now - int(r() * YEAR)
            status = STATUSES[int(r() * 100)]
            channel = CHANNELS[int(r() * 100)]
            assignee = agents[int(r() * n_agents)] if r() < 0.7 else None
            team = teams[int(r() * n_teams)] if r() < 0.6 else None
            subject, body, body_preview, topic = tickets[int(r() * n_pool)]
            if channel != "email" and r() < 0.5:
                subject = ""
            k = 1 + int(r() * spread)
            # first message: the customer's opening, at creation
            ts = created
            msg_rows.append(
                (mid, store, cid, "inbound", "customer", None, customer, body, "", None, "", "", "{}", clock(ts))
            )
            mid += 1
            last_visible, preview, last_in = ts, body_preview, ts
            first_out = last_out = None
            last_any = ts
            for j in range(1, k):
                ts = min(now - 1, ts + 60 + int(r() * 3 * DAY))
                last_any = ts
                if j == k - 1 and status == "resolved":
                    text, text_preview = resolutions[topic][int(r() * 64)]
                    direction = "outbound"
                elif r() < 0.35:
                    text, text_preview = customer_texts[int(r() * n_pool)]
                    direction = "inbound"
                else:
                    text, text_preview = agent_texts[int(r() * n_pool)]
                    direction = "note" if r() < 0.25 else "outbound"
                if direction == "inbound":
                    row = (
                        mid,
                        store,
                        cid,
                        "inbound",
                        "customer",
                        None,
                        customer,
                        text,
                        "",
                        None,
                        "",
                        "",
                        "{}",
                        clock(ts),
                    )
                    last_in = ts
                else:
                    author = assignee or agents[int(r() * n_agents)]
                    delivery = "sent" if direction == "outbound" and channel == "email" else ""
                    row = (
                        mid,
                        store,
                        cid,
                        direction,
                        "agent",
                        author,
                        None,
                        text,
                        "",
                        None,
                        delivery,
                        "",
                        "{}",
                        clock(ts),
                    )
                    if direction == "outbound":
                        last_out = ts
                        if first_out is None:
                            first_out = ts
                msg_rows.append(row)
                mid += 1
                if direction != "note":
                    last_visible, preview = ts, text_preview
            resolved_at = snoozed_until = None
            updated = last_any
            if status == "resolved":
                resolved = min(now, last_any + 60 + int(r() * 1800))
                resolved_at = clock(resolved)
                updated = resolved
            elif status == "snoozed":
                snoozed_until = clock(now + 2 * 3600 + int(r() * 7 * DAY))
            conv_rows.append((
                cid, store, customer, channel, status, PRIORITIES[int(r() * 100)], assignee, team,
                subject, preview, clock(created), clock(updated),
                clock(first_out) if first_out is not None else None, resolved_at, snoozed_until,
                clock(last_visible), clock(last_in), clock(last_out) if last_out is not None else None,
                k, None,
            ))  # fmt: skip
            if channel == "email":
                sla_rows.append(self._sla_row(sid, cid, created, first_out, status, updated))
                sid += 1
            if r() < 0.6:
                tag_rows.append((tid, cid, tag_ids[topic]))
                tid += 1
            if r() < 0.15:
                tag_rows.append((tid, cid, extra_tags[int(r() * len(extra_tags))]))
                tid += 1
            cid += 1
        self.sink.insert(self.tables["conversation"], conv_rows)
        self.sink.insert(self.tables["message"], msg_rows)
        self.sink.insert(self.tables["tags"], tag_rows)
        self.sink.insert(self.tables["sla"], sla_rows)
        self.n_conversations += cid - self.next_conversation
        self.n_messages += mid - self.next_message
        self.n_tags += tid - self.next_tag
        self.n_slas += sid - self.next_sla
        self.next_conversation, self.next_message, self.next_tag, self.next_sla = cid, mid, tid, sid

    def _sla_row(self, sid: int, cid: int, created: int, first_out: int | None, status: str, updated: int) -> tuple:
        """An email's clock under the default policy, as automation.sla.refresh leaves it after
        the periodic check has run: a paused (pending, snoozed) or resolved conversation has an
        open pause since its last change and nothing due; an open unanswered one is due 24 h
        after it started, warned/breached if those times have passed."""
        clock, now = self.clock, self.now
        due = created + SLA_FIRST_RESPONSE_S
        warned = breached = False
        fr_due = due_at = next_check = paused = resolved = None
        due_kind = ""
        if first_out is not None:  # answered: the clock stopped at the reply
            fr_due, breached = due, first_out > due
            warned = first_out >= created + SLA_WARN_S
        elif status == "open":
            fr_due = due_at = due
            due_kind = "first_response"
            breached = due <= now
            warned = created + SLA_WARN_S <= now
            next_check = None if breached else (due if warned else created + SLA_WARN_S)
        else:  # paused before any reply: a due time reached before the pause stays
            breached, warned = due <= updated, created + SLA_WARN_S <= updated
            if breached:
                fr_due = due_at = due
                due_kind = "first_response"
        if status != "open":
            paused = updated
        if status == "resolved":
            resolved = updated
        return (
            sid, cid, self.setup.store_id, None, DEFAULT_SLA_NAME, clock(created),
            clock(fr_due) if fr_due is not None else None,
            clock(first_out) if first_out is not None else None,
            warned, breached,
            clock(resolved) if resolved is not None else None,
            clock(paused) if paused is not None else None,
            "[]",
            clock(due_at) if due_at is not None else None, due_kind,
            clock(next_check) if next_check is not None else None,
            clock(updated),
        )  # fmt: skip

    def long_conversation(self, n_messages: int) -> int:
        """W4's conversation: open, assigned to the login agent, `n_messages` over the last two weeks."""
        r, clock, pools, now = self.rng.random, self.clock, self.pools, self.now
        store, agent = self.setup.store_id, self.setup.login_agent_id
        cid, mid = self.next_conversation, self.next_message
        customer = self.first_customer
        subject, body, body_preview, topic = pools.tickets[0]
        created = now - 14 * DAY
        step = (14 * DAY - 3600) // n_messages
        rows = []
        first_out = last_out = None
        last_in = last_visible = created
        preview = body_preview
        for j in range(n_messages):
            ts = created + j * step
            if j == 0:
                direction, text, text_preview = "inbound", body, body_preview
            elif j % 7 == 6:
                direction, (text, text_preview) = "note", pools.agent[int(r() * pools.size)]
            elif j % 2:
                direction, (text, text_preview) = "outbound", pools.agent[int(r() * pools.size)]
            else:
                direction, (text, text_preview) = "inbound", pools.customer[int(r() * pools.size)]
            if direction == "inbound":
                rows.append(
                    (
                        mid + j,
                        store,
                        cid,
                        "inbound",
                        "customer",
                        None,
                        customer,
                        text,
                        "",
                        None,
                        "",
                        "",
                        "{}",
                        clock(ts),
                    )
                )
                last_in = ts
            else:
                delivery = "sent" if direction == "outbound" else ""
                rows.append(
                    (
                        mid + j,
                        store,
                        cid,
                        direction,
                        "agent",
                        agent,
                        None,
                        text,
                        "",
                        None,
                        delivery,
                        "",
                        "{}",
                        clock(ts),
                    )
                )
                if direction == "outbound":
                    last_out = ts
                    first_out = first_out or ts
            if direction != "note":
                last_visible, preview = ts, text_preview
        self.sink.insert(self.tables["conversation"], [(
            cid, store, customer, "email", "open", 2, agent, self.setup.team_ids[0], subject, preview,
            clock(created), clock(ts), clock(first_out) if first_out else None, None, None,
            clock(last_visible), clock(last_in), clock(last_out) if last_out else None, n_messages, None,
        )])  # fmt: skip
        self.sink.insert(self.tables["message"], rows)
        self.sink.insert(self.tables["tags"], [(self.next_tag, cid, self.setup.tag_ids[topic])])
        self.sink.insert(self.tables["sla"], [self._sla_row(self.next_sla, cid, created, first_out, "open", ts)])
        self.next_sla += 1
        self.n_slas += 1
        self.n_conversations += 1
        self.n_messages += n_messages
        self.n_tags += 1
        self.next_conversation, self.next_message, self.next_tag = cid + 1, mid + n_messages, self.next_tag + 1
        return cid


# --------------------------------------------------------------------------- after the load


def build_search_index() -> float | None:
    """Rebuild the search index if storedesk.search exists; seconds taken, or None if skipped."""
    try:
        from storedesk.search.index import rebuild_index
    except ImportError as exc:
        print(f"warning: search index skipped ({exc})", file=sys.stderr)
        return None
    t = time.perf_counter()
    rebuild_index()
    return round(time.perf_counter() - t, 2)


def analyze() -> float:
    from django.db import connection

    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return round(time.perf_counter() - t, 2)


def schema_fingerprint() -> list[str]:
    """The migration leaves on disk: a dataset generated under other migrations is stale."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    return sorted(f"{app}.{name}" for app, name in MigrationLoader(connection).graph.leaf_nodes())


# --------------------------------------------------------------------------- datasets


def read_manifest(t: benchenv.Target) -> dict[str, Any] | None:
    try:
        return json.loads(t.manifest_path.read_text())
    except (OSError, ValueError):
        return None


def manifest_matches(
    manifest: dict[str, Any] | None, conversations: int, messages_per: int, seed: int, analyzed: bool = True
) -> bool:
    return bool(
        manifest
        and manifest.get("generator_version") == GENERATOR_VERSION
        and manifest.get("conversations") == conversations
        and manifest.get("messages_per") == messages_per
        and manifest.get("seed") == seed
        and manifest.get("analyzed", True) == analyzed
        and manifest.get("schema") == schema_fingerprint()
    )


def ensure_pg_database() -> None:
    """Create the (bench) PostgreSQL database named in the URL if it does not exist yet."""
    import psycopg
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor != "postgresql":
        return
    conninfo = {"dbname": "postgres", "host": params["HOST"], "port": params["PORT"] or None, "user": params["USER"]}
    if params["PASSWORD"]:
        conninfo["password"] = params["PASSWORD"]
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{params["NAME"]}"')
            print(f"created PostgreSQL database {params['NAME']}", file=sys.stderr)


def wipe(t: benchenv.Target) -> None:
    """Delete the dataset: the SQLite file, or every table of the (bench-named) PG database."""
    from django.db import connection

    t.manifest_path.unlink(missing_ok=True)
    if t.is_sqlite:
        connection.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(t.sqlite_path) + suffix).unlink(missing_ok=True)
        return
    dbname = connection.settings_dict["NAME"]
    if "bench" not in dbname:
        raise SystemExit(f"refusing to wipe PostgreSQL database {dbname!r}: its name must contain 'bench'")
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def ensure_dataset(
    t: benchenv.Target,
    conversations: int,
    *,
    messages_per: int = 3,
    seed: int = 42,
    fresh: bool = False,
    analyzed: bool = True,
) -> tuple[dict[str, Any], bool]:
    """(manifest, reused) for a dataset matching the arguments: reused if present (and fresh is
    off), otherwise generated from scratch. `analyzed`: run ANALYZE after the load (an install
    never does, and SQLite's plans change with the statistics; see bench/README.md).
    Django must already be set up for `t`."""
    from django.core.management import call_command

    ensure_pg_database()
    manifest = read_manifest(t)
    if not fresh and manifest is not None:
        if manifest_matches(manifest, conversations, messages_per, seed, analyzed):
            if manifest.get("search_index_s") is None:  # the search module may have arrived since
                manifest["search_index_s"] = build_search_index()
                if manifest["search_index_s"] is not None:
                    manifest["analyze_s"] = analyze() if analyzed else None
                    t.manifest_path.write_text(json.dumps(manifest, indent=2))
            print(f"reusing {t.name}: {manifest['conversations']:,} conversations ({t.manifest_path})", file=sys.stderr)
            return manifest, True
        print(f"{t.name} does not match the arguments or the current migrations: regenerating", file=sys.stderr)
    wipe(t)
    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_s = round(time.perf_counter() - t0, 2)
    result = generate(conversations, messages_per=messages_per, seed=seed, fast=True, progress=True)
    search_s = build_search_index()
    analyze_s = analyze() if analyzed else None
    rows = sum(result.counts.values())
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "conversations": conversations,
        "messages_per": messages_per,
        "seed": seed,
        "schema": schema_fingerprint(),
        "database": t.name,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **asdict(result),
        "rows": rows,
        "migrate_s": migrate_s,
        "load_s": result.seconds["load_total"],
        "rows_per_s": round(rows / result.seconds["load_total"]),
        "search_index_s": search_s,
        "analyzed": analyzed,
        "analyze_s": analyze_s,
    }
    if t.is_sqlite:
        manifest["db_bytes"] = t.sqlite_path.stat().st_size
    t.manifest_path.write_text(json.dumps(manifest, indent=2))
    return manifest, False


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, required=True)
    parser.add_argument("--messages-per", type=int, default=3, help="mean messages per conversation (default 3)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", help="default: sqlite file bench-n<N>.sqlite3 in the var dir")
    parser.add_argument("--var-dir", help=f"default: {benchenv.DEFAULT_VAR_DIR}")
    parser.add_argument("--fresh", action="store_true", help="wipe and regenerate even if a matching dataset exists")
    parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE after the load (as an install runs)")
    args = parser.parse_args(argv)

    t = benchenv.target(args.conversations, args.database_url, args.var_dir)
    benchenv.setup_django(t)
    t0 = time.perf_counter()
    m, reused = ensure_dataset(
        t,
        args.conversations,
        messages_per=args.messages_per,
        seed=args.seed,
        fresh=args.fresh,
        analyzed=not args.no_analyze,
    )
    if reused:
        print(f"{t.name} already matches (--fresh regenerates); generated {m['generated_at']}")
    print(f"database     {t.database_url}")
    print(f"rows         {m['rows']:,}  ({', '.join(f'{k} {v:,}' for k, v in m['counts'].items())})")
    print(f"load         {m['load_s']:.1f}s  → {m['rows_per_s']:,} rows/s   (phases: {m['seconds']})")
    print(f"migrate      {m['migrate_s']:.1f}s")
    search = (
        "skipped (storedesk.search not available)" if m["search_index_s"] is None else f"{m['search_index_s']:.1f}s"
    )
    print(f"search index {search}")
    analyzed = "skipped (--no-analyze)" if m["analyze_s"] is None else f"{m['analyze_s']:.1f}s"
    print(f"ANALYZE      {analyzed}")
    if "db_bytes" in m:
        print(f"file         {t.sqlite_path}  {m['db_bytes'] / 1e9:.2f} GB")
    print(f"login        {m['login_email']} / {LOGIN_PASSWORD}   W4 conversation id {m['w4_conversation_id']}")
    print(f"total        {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
