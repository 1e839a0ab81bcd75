"""Inbox finders: which conversations an agent sees in a view, in what order, a page at a time.

- `InboxFilters`: a view (mine / unassigned / open / all) narrowed by status, store, team,
  channel and tag, and a sort; parsed leniently from the inbox's GET parameters. A saved
  view stores `to_params()`.
- `SORTS`: each sort is a list of keys ending with the id, so every row has a unique place.
  Pages are keyset (cursor) pages: "the rows after this key", never OFFSET. Conversations
  nobody is waiting on (`last_customer_message_at` NULL) sort last on every database.
- `inbox_page`: one page of rows with customer, assignee and store joined and the tags
  prefetched in ONE extra query. Every filter+sort has an index that returns the rows in
  order (see Conversation.Meta.indexes), so a page reads about `limit` index entries.
  For an agent of several stores, each store's first page is picked by its own index and
  only those rows are merged (`pk IN (…) OR pk IN (…)`): one query, no sort of every row.
- `capped_counts`: "how many" per view as COUNT over a `LIMIT cap+1` subquery — all counts
  in one SQL statement, each reading at most cap+1 index entries. The UI shows "1,000+".
- `dashboard`: the agent home's numbers, the same way.

Every finder is scoped to the agent's stores (`core.access.store_ids_for`). See docs/inbox.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, OrderBy, Q, QuerySet
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from storedesk.conversations.models import Channel, Conversation, SavedView, Status, Tag
from storedesk.core import changes
from storedesk.core.access import store_ids_for
from storedesk.core.models import Store, User

PAGE_SIZE = 50
COUNT_CAP = 1000
MAX_TAG_LENGTH = 64
MAX_ID = 2**63 - 1

VIEWS: dict[str, str] = {
    "mine": "Mine",
    "unassigned": "Unassigned",
    "open": "All open",
    "all": "All",
}
DEFAULT_VIEW = "open"
DEFAULT_SORT = "priority"


# --- sorts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    field: str  # the value on each row (a model field, or an annotation made by Sort.prepare)
    descending: bool = False
    nullable: bool = False  # NULLs sort last, whatever the direction
    kind: str = "datetime"  # "datetime" or "int": how a cursor carries the value
    lookup: str = ""  # the ORM path to filter and order by, when not `field` (e.g. "sla__due_at")

    @property
    def path(self) -> str:
        return self.lookup or self.field


@dataclass(frozen=True)
class Sort:
    name: str
    label: str
    keys: tuple[SortKey, ...]  # the last key is unique (the id)
    # Applied to the filtered conversations before ordering: joins/annotations the keys need.
    prepare: Callable[[QuerySet[Conversation]], QuerySet[Conversation]] | None = None
    # The store column the sort's index leads with, when it is not the conversation's own
    # (the SLA sort walks sla_due_idx: "sla__store_id").
    store_path: str = "store_id"

    def ordering(self) -> list[Any]:
        out: list[Any] = []
        for key in self.keys:
            if key.nullable:
                # false (has a value) before true (NULL); an index column in Conversation.Meta.
                out.append(IsNull(F(key.path), True).asc())
            out.append(OrderBy(F(key.path), descending=key.descending))
        return out

    def values_of(self, row: Conversation) -> list[Any]:
        return [getattr(row, key.field) for key in self.keys]

    def after(self, values: Sequence[Any]) -> Q:
        """Rows strictly after `values` in this order:
        (k1 beyond v1) OR (k1 = v1 AND k2 beyond v2) OR …, with NULL as the last value of a
        nullable key. The first key is also bounded (k1 <= v1 for a descending key) so that
        the database can seek into the index instead of filtering from its start."""
        condition: Q | None = None
        equal = Q()
        for key, value in zip(self.keys, values, strict=True):
            beyond: Q | None
            if value is None:  # only a nullable key; nothing sorts after NULL
                beyond = None
                same = Q(**{f"{key.path}__isnull": True})
            else:
                op = "lt" if key.descending else "gt"
                beyond = Q(**{f"{key.path}__{op}": value})
                if key.nullable:
                    beyond |= Q(**{f"{key.path}__isnull": True})
                same = Q(**{key.path: value})
            if beyond is not None:
                term = equal & beyond
                condition = term if condition is None else condition | term
            equal &= same
        if condition is None:
            return Q(pk__in=[])
        first, first_value = self.keys[0], values[0]
        if not first.nullable and first_value is not None:
            condition &= Q(**{f"{first.path}__{'lte' if first.descending else 'gte'}": first_value})
        return condition


ID = SortKey("id", kind="int")
SORTS: dict[str, Sort] = {
    # Most urgent first; within a priority, whoever has waited longest. Index: conv_prio_idx.
    "priority": Sort(
        "priority",
        "Priority",
        (SortKey("priority", descending=True, kind="int"), SortKey("last_customer_message_at", nullable=True), ID),
    ),
    # Longest waiting first. Index: conv_wait_idx.
    "waiting": Sort("waiting", "Waiting longest", (SortKey("last_customer_message_at", nullable=True), ID)),
    # Latest activity first. Index: conv_inbox_recent_idx (conv_all_recent_idx for view=all).
    "activity": Sort(
        "activity",
        "Last activity",
        (SortKey("last_message_at", descending=True), SortKey("id", descending=True, kind="int")),
    ),
}
# view=all spans every status; only the activity order has an index without status in it.
ALL_VIEW_SORTS = ("activity",)


def register_sort(sort: Sort) -> None:
    """The hook for sorts other apps own — the SLA slice registers "SLA due" from its
    AppConfig.ready(), e.g.

        register_sort(Sort("sla", "SLA due",
                           (SortKey("sla_due_at", nullable=True, lookup="sla__due_at"), ID),
                           prepare=automation.queries.with_sla))

    with an index that returns rows in that order. It then appears in the inbox's sort menu
    and pages with cursors like the built-in ones."""
    SORTS[sort.name] = sort


# Annotations every inbox row carries, added by other apps (the SLA slice adds the due time
# and breach state: one LEFT JOIN on the page's rows, no extra query).
ROW_ANNOTATIONS: list[Callable[[QuerySet[Conversation]], QuerySet[Conversation]]] = []


def register_row_annotation(annotate: Callable[[QuerySet[Conversation]], QuerySet[Conversation]]) -> None:
    if annotate not in ROW_ANNOTATIONS:
        ROW_ANNOTATIONS.append(annotate)


# --- cursors -------------------------------------------------------------------------------


def encode_cursor(sort: Sort, row: Conversation) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in sort.values_of(row)]
    payload = json.dumps({"s": sort.name, "v": values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(sort: Sort, cursor: str | None) -> list[Any] | None:
    """The key values in `cursor`, or None (start from the top) if it is missing, damaged or
    was made for another sort."""
    if not cursor:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        raw = payload["v"]
        if payload["s"] != sort.name or not isinstance(raw, list) or len(raw) != len(sort.keys):
            return None
        values: list[Any] = []
        for key, value in zip(sort.keys, raw, strict=True):
            if value is None:
                if not key.nullable:
                    return None
                values.append(None)
            elif key.kind == "int":
                if type(value) is not int or not -MAX_ID <= value <= MAX_ID:
                    return None
                values.append(value)
            else:
                parsed = parse_datetime(value) if isinstance(value, str) else None
                if parsed is None:
                    return None
                values.append(parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, ZoneInfo("UTC")))
        return values
    except (ValueError, TypeError, KeyError, binascii.Error):
        return None


# --- filters -------------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    if value and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return None


@dataclass(frozen=True)
class InboxFilters:
    """What an inbox shows. Unknown or malformed parameters are ignored (the default applies)."""

    view: str = DEFAULT_VIEW
    status: str | None = None  # None: the view's own (open; every status for view=all)
    store: int | None = None
    team: int | None = None
    channel: str | None = None
    tag: str | None = None
    sort: str = DEFAULT_SORT

    PARAMS = ("view", "status", "store", "team", "channel", "tag", "sort")

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> InboxFilters:
        def get(name: str) -> str | None:
            value = params.get(name)
            return value.strip() if isinstance(value, str) and value.strip() else None

        view = get("view")
        sort = get("sort")
        status = get("status")
        channel = get("channel")
        tag = get("tag")
        return cls(
            view=view if view in VIEWS else DEFAULT_VIEW,
            status=status if status in Status.values else None,
            store=_int(get("store")),
            team=_int(get("team")),
            channel=channel if channel in Channel.values else None,
            tag=tag[:MAX_TAG_LENGTH] if tag else None,
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    def to_params(self) -> dict[str, str]:
        """The non-default parameters, in a stable order (also what a SavedView stores)."""
        defaults = InboxFilters()
        out: dict[str, str] = {}
        for name in self.PARAMS:
            value = getattr(self, name)
            if value is not None and value != getattr(defaults, name):
                out[name] = str(value)
        return out

    def querystring(self, **changes: Any) -> str:
        return urlencode((replace(self, **changes) if changes else self).to_params())

    @property
    def effective_status(self) -> str | None:
        if self.status is not None:
            return self.status
        return None if self.view == "all" else Status.OPEN

    @property
    def effective_sort(self) -> Sort:
        if self.view == "all" and self.status is None and self.sort not in ALL_VIEW_SORTS:
            return SORTS[ALL_VIEW_SORTS[0]]
        return SORTS[self.sort]

    @property
    def is_narrowed(self) -> bool:
        return any(getattr(self, name) is not None for name in ("status", "store", "team", "channel", "tag"))


def visible_store_ids(user: User, filters: InboxFilters) -> list[int]:
    store_ids = store_ids_for(user)
    if filters.store is not None:
        return [filters.store] if filters.store in store_ids else []
    return store_ids


def _filtered(user: User, filters: InboxFilters) -> tuple[QuerySet[Conversation], bool]:
    """Conversations matching `filters` (store not applied yet) and whether the index that serves
    them leads with the store (then a multi-store page is picked store by store)."""
    rows = Conversation.objects.all()
    leads_with_store = True
    if filters.view == "mine":
        rows = rows.filter(assignee=user)
        leads_with_store = False  # conv_assignee_idx: an agent's own list is short
    elif filters.view == "unassigned":
        rows = rows.filter(assignee__isnull=True)
    status = filters.effective_status
    if status is not None:
        rows = rows.filter(status=status)
    if status in (None, Status.RESOLVED):
        rows = rows.filter(merged_into__isnull=True)  # merged-away conversations live on in their survivor
    if filters.team is not None:
        rows = rows.filter(team_id=filters.team)
        leads_with_store = False  # conv_team_prio_idx / conv_team_idx
    if filters.channel is not None:
        rows = rows.filter(channel=filters.channel)
    if filters.tag is not None:
        rows = rows.filter(tags__name=filters.tag)
    return rows, leads_with_store


def _in_stores(rows: QuerySet[Conversation], store_ids: Sequence[int]) -> QuerySet[Conversation]:
    if len(store_ids) == 1:
        return rows.filter(store_id=store_ids[0])
    return rows.filter(store_id__in=store_ids)


def _ordered_page(
    rows: QuerySet[Conversation],
    store_ids: Sequence[int],
    leads_with_store: bool,
    sort: Sort,
    after: Sequence[Any] | None,
    limit: int,
) -> QuerySet[Conversation]:
    """Rows in `sort` order after `after` (take the first `limit`), as a query an index serves."""
    if sort.prepare is not None:
        rows = sort.prepare(rows)
    if after is not None:
        rows = rows.filter(sort.after(after))
    ordering = sort.ordering()
    # The page's ids are picked by a subquery over the conversations table alone, so the
    # index serves the filter and the order; the outer query only joins those few rows to
    # their customer, assignee and store. (Joined in one statement, SQLite with
    # ANALYZE statistics chose to loop over core_store first and sort every open row:
    # 3 s at 1M conversations instead of 15 ms.)
    if len(store_ids) > 1 and (leads_with_store or sort.store_path != "store_id"):
        picked = Q()
        for store_id in store_ids:
            per_store = rows.filter(**{"store_id": store_id, sort.store_path: store_id})
            picked |= Q(pk__in=per_store.order_by(*ordering).values("pk")[:limit])
    else:
        in_stores = _in_stores(rows, store_ids)
        if sort.store_path != "store_id":
            in_stores = in_stores.filter(**{f"{sort.store_path}__in": store_ids})
        picked = Q(pk__in=in_stores.order_by(*ordering).values("pk")[:limit])
    rows = Conversation.objects.filter(picked)
    if sort.prepare is not None:
        rows = sort.prepare(rows)
    return rows.order_by(*ordering)


@dataclass
class InboxPage:
    filters: InboxFilters
    sort: Sort
    rows: list[Conversation]
    next_cursor: str | None
    first_page: bool


# The columns a row shows (and the sort keys): reading fewer columns and building fewer
# objects is most of a page's cost once the index has found the rows.
ROW_FIELDS = (
    "id",
    "store_id",
    "customer_id",
    "channel",
    "status",
    "priority",
    "assignee_id",
    "team_id",
    "subject",
    "preview",
    "last_message_at",
    "last_customer_message_at",
    "last_agent_message_at",
    "customer__name",
    "assignee__email",
    "assignee__display_name",
    "assignee__first_name",
    "assignee__last_name",
    "store__name",
)


def _as_rows(query: QuerySet[Conversation]) -> QuerySet[Conversation]:
    query = query.select_related("customer", "assignee", "store").only(*ROW_FIELDS)
    for annotate in ROW_ANNOTATIONS:
        query = annotate(query)
    return query


@lru_cache(maxsize=8)
def _tags_sql(n: int) -> str:
    """The tags of n conversations, by name: one statement over the link table's
    (conversation, tag) unique index and the tag's primary key. Written once per page size
    rather than compiled by the ORM on every page (that compile cost more than the query)."""
    links = Conversation.tags.through._meta.db_table
    tags = Tag._meta.db_table
    marks = ", ".join(["%s"] * n)
    return (
        f"SELECT l.conversation_id, t.name, t.color FROM {links} l JOIN {tags} t ON t.id = l.tag_id"  # noqa: S608 - table names from the models
        f" WHERE l.conversation_id IN ({marks}) ORDER BY t.name, l.conversation_id"
    )


def _decorate(rows: list[Conversation], *, with_tags: bool) -> None:
    """Per row: `waiting_since` (when the customer's unanswered message came in, or None) and,
    with_tags, `tag_list` [(name, color)] — the tags of ALL rows in one query."""
    for row in rows:
        asked, answered = row.last_customer_message_at, row.last_agent_message_at
        row.waiting_since = asked if asked and (answered is None or answered < asked) else None  # type: ignore[attr-defined]
    if not with_tags or not rows:
        return
    by_row: dict[int, list[tuple[str, str]]] = {row.pk: [] for row in rows}
    with connection.cursor() as cursor:
        cursor.execute(_tags_sql(len(by_row)), list(by_row))
        for conversation_id, name, color in cursor.fetchall():
            by_row[conversation_id].append((name, color))
    for row in rows:
        row.tag_list = by_row[row.pk]  # type: ignore[attr-defined]


def inbox_page(
    user: User,
    filters: InboxFilters,
    *,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    with_tags: bool = True,
) -> InboxPage:
    """One page of the inbox: 1 query (+1 for the tags of all its rows)."""
    sort = filters.effective_sort
    store_ids = visible_store_ids(user, filters)
    after = decode_cursor(sort, cursor)
    if not store_ids:
        return InboxPage(filters, sort, [], None, after is None)
    rows, leads_with_store = _filtered(user, filters)
    query = _as_rows(_ordered_page(rows, store_ids, leads_with_store, sort, after, limit + 1))
    found = list(query[: limit + 1])
    next_cursor = encode_cursor(sort, found[limit - 1]) if len(found) > limit else None
    found = found[:limit]
    _decorate(found, with_tags=with_tags)
    return InboxPage(filters, sort, found, next_cursor, after is None)


def inbox_row(user: User, conversation_id: int, filters: InboxFilters) -> Conversation | None:
    """One conversation as an inbox row, if it is in the agent's stores and still matches
    `filters` (a live update re-renders a row, or drops it when it no longer belongs)."""
    store_ids = visible_store_ids(user, filters)
    if not store_ids:
        return None
    rows, _ = _filtered(user, filters)
    row = _as_rows(_in_stores(rows, store_ids).filter(pk=conversation_id)).first()
    if row is None:
        return None
    _decorate([row], with_tags=True)
    return row


# --- counts --------------------------------------------------------------------------------


def capped_counts(named: Mapping[str, QuerySet[Any]], cap: int | None = None) -> dict[str, int]:
    """COUNT(*) of each queryset, but never beyond cap+1 rows: `min(count, cap + 1)`.

    All in ONE statement: SELECT (SELECT COUNT(*) FROM (<q1> LIMIT cap+1)), (…), …
    Each subquery stops after cap+1 index entries, so the cost does not grow with the table.
    """
    cap = COUNT_CAP if cap is None else cap
    parts: list[str] = []
    params: list[Any] = []
    names: list[str] = []
    zero: dict[str, int] = {}
    for name, queryset in named.items():
        try:
            sql, sql_params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        except EmptyResultSet:  # e.g. store_id IN () for an agent without stores
            zero[name] = 0
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped_{len(parts)})")  # noqa: S608 - compiled SQL
        params.extend(sql_params)
        names.append(name)
    counts = dict(zero)
    if parts:
        with connection.cursor() as cursor:
            # Only Django-compiled SQL is joined here; every value travels as a parameter.
            cursor.execute("SELECT " + ", ".join(parts), params)  # noqa: S608
            row = cursor.fetchone()
        counts.update(zip(names, (int(value) for value in row), strict=True))
    return {name: counts[name] for name in named}


def view_querysets(user: User, filters: InboxFilters) -> dict[str, QuerySet[Conversation]]:
    """The view tabs' querysets (for capped_counts) under the current store/team/channel/tag.

    mine: conv_assignee_idx; unassigned: conv_unassigned_prio_idx (partial); open: conv_prio_idx.
    """
    store_ids = visible_store_ids(user, filters)
    out: dict[str, QuerySet[Conversation]] = {}
    for view in ("mine", "unassigned", "open"):
        rows, _ = _filtered(user, replace(filters, view=view, status=None))
        out[view] = _in_stores(rows, store_ids) if store_ids else Conversation.objects.none()
    return out


def view_counts(user: User, filters: InboxFilters, cap: int | None = None) -> dict[str, int]:
    return capped_counts(view_querysets(user, filters), cap)


COUNTS_TIMEOUT = 30  # seconds; a change in the stores replaces their stamp sooner


def cached_view_counts(user: User, filters: InboxFilters) -> dict[str, int]:
    """view_counts, reused until something changes in the stores they cover (their change
    stamps, core.changes) or COUNTS_TIMEOUT passes. Every inbox page and fragment shows the
    tab counts; an agent paging, sorting and filtering changes nothing, so the capped COUNT
    runs once per change rather than once per click."""
    store_ids = visible_store_ids(user, filters)
    if not store_ids:
        return dict.fromkeys(("mine", "unassigned", "open"), 0)
    scope = InboxFilters(store=filters.store, team=filters.team, channel=filters.channel, tag=filters.tag)
    digest = hashlib.sha1(  # noqa: S324 - a cache key, not a security boundary
        f"{user.pk}|{store_ids}|{scope.querystring()}|{COUNT_CAP}|{changes.stamps(store_ids)}".encode()
    ).hexdigest()
    key = f"inbox-counts:{digest}"
    counts = cache.get(key)
    if counts is None:
        counts = view_counts(user, filters)
        cache.set(key, counts, COUNTS_TIMEOUT)
    return counts


# --- saved views ---------------------------------------------------------------------------


def saved_views_for(user: User) -> list[SavedView]:
    """The agent's own views and the views shared in their stores, by name. Uses the
    (owner, store, name) unique index and savedview_shared_idx."""
    store_ids = store_ids_for(user)
    if not store_ids:
        return []
    return list(SavedView.objects.filter(Q(owner=user) | Q(shared=True), store_id__in=store_ids).order_by("name", "id"))


# --- dashboard -----------------------------------------------------------------------------


def local_midnight(store: Store, now: datetime) -> datetime:
    """Start of today in the store's timezone (UTC if its timezone is unknown)."""
    try:
        zone = ZoneInfo(store.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time.min, tzinfo=zone)


@dataclass
class Dashboard:
    counts: dict[str, int]  # mine, unassigned, open, today — each capped at cap+1
    cap: int
    oldest_waiting: Conversation | None
    my_work: list[Conversation] = field(default_factory=list)
    recent: list[Conversation] = field(default_factory=list)


MY_WORK_ROWS = 10
RECENT_ROWS = 25


def dashboard(user: User, stores: Sequence[Store], *, now: datetime | None = None, cap: int | None = None) -> Dashboard:
    """The agent home: capped counts (one query), the oldest waiting conversation (one), the
    agent's own open work (one) and the latest activity (one). No row is counted one by one."""
    cap = COUNT_CAP if cap is None else cap
    if not stores:
        return Dashboard(counts=dict.fromkeys(("mine", "unassigned", "open", "today"), 0), cap=cap, oldest_waiting=None)
    now = now or timezone.now()
    everything = InboxFilters()
    named = view_querysets(user, everything)
    today = Q()
    for store in stores:  # conv_store_created_idx, one range per store (each has its own midnight)
        today |= Q(store_id=store.pk, created_at__gte=local_midnight(store, now))
    named["today"] = Conversation.objects.filter(today)
    counts = capped_counts(named, cap)

    waiting = Q(last_customer_message_at__isnull=False) & (
        Q(last_agent_message_at__isnull=True) | Q(last_agent_message_at__lt=F("last_customer_message_at"))
    )
    rows, leads_with_store = _filtered(user, everything)
    store_ids = [store.pk for store in stores]
    oldest_query = _ordered_page(rows.filter(waiting), store_ids, leads_with_store, SORTS["waiting"], None, 1)
    oldest = list(_as_rows(oldest_query)[:1])
    my_work = inbox_page(user, InboxFilters(view="mine"), limit=MY_WORK_ROWS, with_tags=False).rows
    recent = inbox_page(user, InboxFilters(sort="activity"), limit=RECENT_ROWS, with_tags=False).rows
    _decorate(oldest, with_tags=False)
    return Dashboard(
        counts=counts, cap=cap, oldest_waiting=oldest[0] if oldest else None, my_work=my_work, recent=recent
    )
