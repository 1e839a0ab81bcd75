"""Specs for the inbox finders: views and filters, sort orders, keyset pages, scoping, capped
counts, the dashboard numbers, and a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storedesk.conversations import queries
from storedesk.conversations.models import Channel, Conversation, Priority, Status
from storedesk.conversations.queries import InboxFilters, capped_counts, dashboard, inbox_page, inbox_row
from storedesk.core.access import forget_roles
from storedesk.core.models import Role
from tests.factories import (
    ConversationFactory,
    CustomerFactory,
    MembershipFactory,
    StoreFactory,
    TagFactory,
    TeamFactory,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def at(minutes_ago: int) -> datetime:
    return NOW - timedelta(minutes=minutes_ago)


def ids(page) -> list[int]:
    return [row.pk for row in page.rows]


def everything(user, filters: InboxFilters, limit: int) -> list[int]:
    """Every row of `filters`, page by page, following the cursors."""
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        page = inbox_page(user, filters, cursor=cursor, limit=limit)
        assert len(page.rows) <= limit
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("did not reach the last page")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_it_sorts_open_work_by_priority_then_longest_waiting_with_nobody_waiting_last(acme, ana, carla):
    normal_old = ConversationFactory(
        store=acme, customer=carla, priority=Priority.NORMAL, last_customer_message_at=at(90)
    )
    normal_new = ConversationFactory(
        store=acme, customer=carla, priority=Priority.NORMAL, last_customer_message_at=at(5)
    )
    outbound = ConversationFactory(store=acme, customer=carla, priority=Priority.URGENT, last_customer_message_at=None)
    urgent = ConversationFactory(store=acme, customer=carla, priority=Priority.URGENT, last_customer_message_at=at(1))
    low = ConversationFactory(store=acme, customer=carla, priority=Priority.LOW, last_customer_message_at=at(500))
    ConversationFactory(store=acme, customer=carla, status=Status.RESOLVED, priority=Priority.URGENT)

    page = inbox_page(ana, InboxFilters())

    assert ids(page) == [urgent.pk, outbound.pk, normal_old.pk, normal_new.pk, low.pk]
    assert page.next_cursor is None


def test_it_sorts_by_longest_waiting_and_by_last_activity(acme, ana, carla):
    a = ConversationFactory(store=acme, customer=carla, last_customer_message_at=at(30), last_message_at=at(1))
    b = ConversationFactory(store=acme, customer=carla, last_customer_message_at=None, last_message_at=at(2))
    c = ConversationFactory(store=acme, customer=carla, last_customer_message_at=at(60), last_message_at=at(60))

    assert ids(inbox_page(ana, InboxFilters(sort="waiting"))) == [c.pk, a.pk, b.pk]
    assert ids(inbox_page(ana, InboxFilters(sort="activity"))) == [a.pk, b.pk, c.pk]


def test_it_filters_each_view(acme, ana, ben, carla):
    team = TeamFactory(store=acme, name="Returns")
    vip = TagFactory(store=acme, name="vip")
    mine = ConversationFactory(store=acme, customer=carla, assignee=ana, last_customer_message_at=at(1))
    bens = ConversationFactory(store=acme, customer=carla, assignee=ben, team=team, last_customer_message_at=at(2))
    nobodys = ConversationFactory(store=acme, customer=carla, channel=Channel.CHAT, last_customer_message_at=at(3))
    nobodys.tags.add(vip)
    pending = ConversationFactory(store=acme, customer=carla, status=Status.PENDING, last_customer_message_at=at(4))
    resolved_mine = ConversationFactory(store=acme, customer=carla, assignee=ana, status=Status.RESOLVED)

    def listed(**filters):
        return ids(inbox_page(ana, InboxFilters(sort="waiting", **filters)))

    assert listed(view="mine") == [mine.pk]
    assert listed(view="mine", status="resolved") == [resolved_mine.pk]
    assert listed(view="unassigned") == [nobodys.pk]
    assert listed(view="open") == [nobodys.pk, bens.pk, mine.pk]  # longest waiting first
    assert listed(view="open", status="pending") == [pending.pk]
    assert set(listed(view="all")) == {mine.pk, bens.pk, nobodys.pk, pending.pk, resolved_mine.pk}
    assert listed(team=team.pk) == [bens.pk]
    assert listed(channel="chat") == [nobodys.pk]
    assert listed(tag="vip") == [nobodys.pk]
    assert listed(tag="nope") == []


def test_it_lists_view_all_by_activity_and_leaves_merged_conversations_out(acme, ana, carla):
    older = ConversationFactory(store=acme, customer=carla, status=Status.RESOLVED, last_message_at=at(10))
    newer = ConversationFactory(store=acme, customer=carla, status=Status.OPEN, last_message_at=at(1))
    ConversationFactory(store=acme, customer=carla, status=Status.RESOLVED, merged_into=newer, last_message_at=at(0))

    page = inbox_page(ana, InboxFilters(view="all", sort="priority"))

    assert page.sort.name == "activity"  # view=all spans every status: only activity has an index
    assert ids(page) == [newer.pk, older.pk]


@pytest.mark.parametrize("sort", ["priority", "waiting", "activity"])
def test_it_pages_through_equal_sort_keys_without_duplicates_or_gaps(acme, ana, carla, sort):
    # Many rows share every sort key but the id; some have nobody waiting (NULL).
    rows = [
        ConversationFactory(
            store=acme,
            customer=carla,
            priority=Priority.HIGH if n % 3 else Priority.NORMAL,
            last_customer_message_at=None if n % 5 == 0 else at(10),
            last_message_at=at(10),
        )
        for n in range(23)
    ]
    expected = ids(inbox_page(ana, InboxFilters(sort=sort), limit=100))
    assert sorted(expected) == sorted(row.pk for row in rows)

    assert everything(ana, InboxFilters(sort=sort), limit=4) == expected
    assert everything(ana, InboxFilters(sort=sort), limit=1) == expected


def test_it_orders_equal_keys_by_id_in_the_sorts_direction(acme, ana, carla):
    same = [ConversationFactory(store=acme, customer=carla, last_customer_message_at=at(5)) for _ in range(3)]
    pks = [c.pk for c in same]

    assert ids(inbox_page(ana, InboxFilters(sort="priority"))) == pks
    assert ids(inbox_page(ana, InboxFilters(sort="activity"))) == pks[::-1]


def test_it_merges_the_pages_of_an_agent_of_several_stores(acme, globex, ana, carla):
    MembershipFactory(store=globex, user=ana, role=Role.AGENT)
    forget_roles(ana)
    gina = CustomerFactory(store=globex)
    rows = []
    for n in range(12):
        store, customer = (acme, carla) if n % 2 else (globex, gina)
        rows.append(ConversationFactory(store=store, customer=customer, last_customer_message_at=at(100 - n)))

    assert everything(ana, InboxFilters(sort="waiting"), limit=5) == [c.pk for c in rows]
    assert everything(ana, InboxFilters(sort="waiting", store=globex.pk), limit=5) == [c.pk for c in rows[::2]]


def test_it_never_shows_another_stores_conversations(acme, globex, gus, carla):
    acme_row = ConversationFactory(store=acme, customer=carla, subject="Acme secret")
    globex_row = ConversationFactory(store=globex, customer=CustomerFactory(store=globex))

    for view in queries.VIEWS:
        assert acme_row.pk not in ids(inbox_page(gus, InboxFilters(view=view, sort="activity")))
    assert ids(inbox_page(gus, InboxFilters())) == [globex_row.pk]
    assert ids(inbox_page(gus, InboxFilters(store=acme.pk))) == []
    assert inbox_row(gus, acme_row.pk, InboxFilters()) is None
    assert inbox_row(gus, globex_row.pk, InboxFilters()).pk == globex_row.pk
    assert queries.view_counts(gus, InboxFilters()) == {"mine": 0, "unassigned": 1, "open": 1}


def test_it_drops_a_row_that_no_longer_matches_the_view(acme, ana, ben, carla):
    conversation = ConversationFactory(store=acme, customer=carla)

    assert inbox_row(ana, conversation.pk, InboxFilters(view="unassigned")).pk == conversation.pk
    Conversation.objects.filter(pk=conversation.pk).update(assignee=ben)
    assert inbox_row(ana, conversation.pk, InboxFilters(view="unassigned")) is None


def test_it_marks_rows_waiting_only_while_the_customer_is_unanswered(acme, ana, carla):
    unanswered = ConversationFactory(
        store=acme, customer=carla, last_customer_message_at=at(30), last_agent_message_at=at(40)
    )
    answered = ConversationFactory(
        store=acme, customer=carla, last_customer_message_at=at(30), last_agent_message_at=at(20)
    )

    rows = {row.pk: row for row in inbox_page(ana, InboxFilters()).rows}

    assert rows[unanswered.pk].waiting_since == at(30)
    assert rows[answered.pk].waiting_since is None


def test_it_attaches_each_rows_tags_by_name(acme, ana, carla):
    conversation = ConversationFactory(store=acme, customer=carla)
    conversation.tags.add(TagFactory(store=acme, name="vip", color="#ff0000"), TagFactory(store=acme, name="damaged"))

    (row,) = inbox_page(ana, InboxFilters()).rows

    assert row.tag_list == [("damaged", "#64748b"), ("vip", "#ff0000")]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "e30", "eyJzIjoid2FpdGluZyIsInYiOlsxLDJdfQ", "eyJzIjoicHJpb3JpdHkiLCJ2IjpbIngiLG51bGwsMV19"],
)
def test_it_starts_from_the_top_for_a_damaged_or_foreign_cursor(acme, ana, carla, cursor):
    first = ConversationFactory(store=acme, customer=carla)

    page = inbox_page(ana, InboxFilters(), cursor=cursor)

    assert (ids(page), page.first_page) == ([first.pk], True)


def test_it_reads_filters_leniently_and_writes_only_non_defaults():
    filters = InboxFilters.from_params(
        {
            "view": "bogus",
            "status": "pending",
            "team": "12",
            "channel": "fax",
            "tag": " vip ",
            "sort": "nope",
            "store": "x",
        }
    )

    assert filters == InboxFilters(view="open", status="pending", team=12, tag="vip")
    assert filters.to_params() == {"status": "pending", "team": "12", "tag": "vip"}
    assert filters.querystring(view="mine", status=None) == "view=mine&team=12&tag=vip"


def test_it_caps_counts_at_the_cap_plus_one(acme, ana, carla):
    ConversationFactory.create_batch(7, store=acme, customer=carla)
    open_rows = Conversation.objects.filter(store=acme, status=Status.OPEN)

    with CaptureQueriesContext(connection) as ctx:
        counts = capped_counts({"open": open_rows, "none": open_rows.filter(pk=0), "empty": open_rows.none()}, cap=5)

    assert counts == {"open": 6, "none": 0, "empty": 0}
    assert len(ctx.captured_queries) == 1
    assert capped_counts({"open": open_rows}, cap=10) == {"open": 7}


@pytest.mark.parametrize("count", [10, 200])
def test_it_reads_a_page_in_two_queries_however_many_rows(acme, ana, ben, carla, count, django_assert_num_queries):
    team = TeamFactory(store=acme)
    tag = TagFactory(store=acme, name="vip")
    for n in range(count):
        conversation = ConversationFactory(
            store=acme, customer=carla, assignee=ben if n % 2 else None, team=team if n % 3 else None
        )
        if n % 4 == 0:
            conversation.tags.add(tag)
    queries.store_ids_for(ana)  # memoised per request: the page itself does not pay for it

    with django_assert_num_queries(2):  # the rows with their joins; the tags of all of them
        page = inbox_page(ana, InboxFilters(), limit=50)
        html = [
            (row.customer.name, row.assignee and row.assignee.name, row.store.name, row.tag_list) for row in page.rows
        ]

    assert len(html) == min(count, 50)


def test_it_reads_a_multi_store_page_in_two_queries(acme, globex, ana, carla, django_assert_num_queries):
    MembershipFactory(store=globex, user=ana, role=Role.AGENT)
    forget_roles(ana)
    ConversationFactory.create_batch(30, store=acme, customer=carla)
    ConversationFactory.create_batch(30, store=globex, customer=CustomerFactory(store=globex))
    queries.store_ids_for(ana)

    with django_assert_num_queries(2):
        page = inbox_page(ana, InboxFilters(), limit=50)
        names = [row.store.name for row in page.rows]

    assert len(names) == 50


def test_it_counts_the_dashboard_in_the_stores_own_day(ana, acme, ben, carla):
    acme.timezone = "America/New_York"  # 12:00 UTC is 07:00 there: the day began at 05:00 UTC
    acme.save()
    yesterday_there = ConversationFactory(store=acme, customer=carla, created_at=at(60 * 7 + 1), assignee=ana)
    today_there = ConversationFactory(store=acme, customer=carla, created_at=at(60 * 7 - 1))
    ConversationFactory(store=acme, customer=carla, created_at=at(5), assignee=ben, status=Status.RESOLVED)
    Conversation.objects.filter(pk=yesterday_there.pk).update(
        last_customer_message_at=at(400), last_agent_message_at=None
    )
    Conversation.objects.filter(pk=today_there.pk).update(last_customer_message_at=at(30), last_agent_message_at=None)

    board = dashboard(ana, [acme])

    assert board.counts == {"mine": 1, "unassigned": 1, "open": 2, "today": 2}
    assert board.oldest_waiting.pk == yesterday_there.pk
    assert board.oldest_waiting.waiting_since == at(400)
    assert [c.pk for c in board.my_work] == [yesterday_there.pk]
    assert {c.pk for c in board.recent} == {yesterday_there.pk, today_there.pk}


def test_it_skips_answered_conversations_for_the_oldest_waiting(acme, ana, carla):
    ConversationFactory(store=acme, customer=carla, last_customer_message_at=at(500), last_agent_message_at=at(400))
    waiting = ConversationFactory(store=acme, customer=carla, last_customer_message_at=at(100))

    assert dashboard(ana, [acme]).oldest_waiting.pk == waiting.pk


def test_it_gives_an_agent_without_stores_an_empty_dashboard(db):
    from tests.factories import UserFactory

    loner = UserFactory()

    board = dashboard(loner, [])

    assert (board.counts, board.oldest_waiting, board.my_work, board.recent) == (
        {"mine": 0, "unassigned": 0, "open": 0, "today": 0},
        None,
        [],
        [],
    )


def subquery_plan(sql: str) -> str:
    """The plan of the subquery that picks the page's ids (the rows under LIST SUBQUERY)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        rows = cursor.fetchall()
    lists = {row[0] for row in rows if row[-1].startswith("LIST SUBQUERY")}
    inside: set[int] = set(lists)
    for node, parent, *_ in rows:
        if parent in inside:
            inside.add(node)
    return " | ".join(row[-1] for row in rows if row[0] in inside - lists)


def test_it_serves_the_inbox_from_the_indexes_meant_for_it(acme, ana, carla):
    """The plan, not the timing: each first page's ids are picked by walking its index in
    order (no sort of all rows); only the picked rows are joined and sorted."""
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL picks plans by table statistics")
    StoreFactory(slug="other")
    ConversationFactory.create_batch(3, store=acme, customer=carla)
    plans = {}
    for name, filters in {
        "priority": InboxFilters(),
        "waiting": InboxFilters(sort="waiting"),
        "activity": InboxFilters(sort="activity"),
        "all": InboxFilters(view="all"),
        "unassigned": InboxFilters(view="unassigned"),
        "mine": InboxFilters(view="mine"),
    }.items():
        with CaptureQueriesContext(connection) as ctx:
            inbox_page(ana, filters, with_tags=False)
        plans[name] = subquery_plan(ctx.captured_queries[-1]["sql"])

    assert "INDEX conv_prio_idx (store_id=? AND status=?)" in plans["priority"]
    assert "INDEX conv_wait_idx (store_id=? AND status=?)" in plans["waiting"]
    assert "INDEX conv_inbox_recent_idx (store_id=? AND status=?)" in plans["activity"]
    assert "INDEX conv_all_recent_idx (store_id=?)" in plans["all"]
    assert "INDEX conv_unassigned_prio_idx (store_id=? AND status=?)" in plans["unassigned"]
    assert "INDEX conv_assignee_prio_idx (assignee_id=? AND status=?)" in plans["mine"]
    for plan in plans.values():
        assert "TEMP B-TREE" not in plan


def test_it_pages_a_sort_registered_by_another_app(acme, ana, monkeypatch):
    """The hook the SLA slice uses: a sort on a joined value, annotated by `prepare`."""
    from django.db.models import F

    monkeypatch.setattr(queries, "SORTS", dict(queries.SORTS))
    queries.register_sort(
        queries.Sort(
            "customer_age",
            "Oldest customers",
            (queries.SortKey("customer_since", lookup="customer__created_at"), queries.ID),
            prepare=lambda rows: rows.annotate(customer_since=F("customer__created_at")),
        )
    )
    rows = [
        ConversationFactory(store=acme, customer=CustomerFactory(store=acme, created_at=at(minutes)))
        for minutes in (5, 50, 50, 500, 1)
    ]

    listed = everything(ana, InboxFilters.from_params({"sort": "customer_age"}), limit=2)

    assert listed == [rows[3].pk, rows[1].pk, rows[2].pk, rows[0].pk, rows[4].pk]
