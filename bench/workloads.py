"""The bench workloads: a registry of functions, one per workload, each returning its figures.

Adding a workload (W1 email ingest, say) is one decorated function:

    @workload("W1", "email ingest: K raw emails through the email channel")
    def w1(ctx: Context) -> dict:
        ...  # time it, return {"p50_ms": …} or any figures; raise NotAvailable if it cannot run yet

Request workloads call `ctx.measure(urls)`, which warms up, times every request with
`time.perf_counter` around `client.get`, then counts SQL queries under
CaptureQueriesContext on one further request (so capture overhead never touches the timings);
that request's SQL is also timed statement by statement (`sql_ms`, `slowest_sql`).
p50/p95 use linear interpolation between the closest ranks, as the peer harness does.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

# Words from textgen's vocabulary; the ones that hit 2–15% of conversations are used. The first
# four are the peer's W3 keywords; "certificate" replaces the peer's "INV-4" (a substring of
# invoice numbers, not a word a full-text index would find) at a similar ~3% hit rate.
W3_CANDIDATES = ["vpn", "printer", "refund", "salesforce", "certificate"]


class NotAvailable(Exception):
    """The workload's URL does not exist yet (NoReverseMatch, or 404 on the first request)."""


class RequestFailed(Exception):
    """A request answered something other than 200 (or raised)."""


@dataclass
class Context:
    client: Client
    manifest: dict[str, Any]
    requests: int
    warmup: int
    dashboard_requests: int
    w1_ks: tuple[int, ...] = (200, 10_000)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def measure(self, urls: list[str], *, warmup: int | None = None) -> dict[str, Any]:
        """Time GETs of `urls` after warming up on the first few; then one query-counted request."""
        if not urls:
            raise ValueError("no requests")
        first = self._get(urls[0], first=True)
        for url in urls[: (self.warmup if warmup is None else warmup)]:
            self._get(url)
        times = []
        for url in urls:
            t = time.perf_counter()
            self._get(url)
            times.append((time.perf_counter() - t) * 1000.0)
        timer = _QueryTimer()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            self._get(urls[0])
        return {
            "url": urls[0],
            "n": len(times),
            "p50_ms": round(percentile(times, 0.50), 2),
            "p95_ms": round(percentile(times, 0.95), 2),
            "mean_ms": round(statistics.fmean(times), 2),
            "max_ms": round(max(times), 2),
            "queries": len(captured.captured_queries),
            "sql_ms": round(sum(ms for ms, _ in timer.queries), 2),
            "slowest_sql": [
                {"ms": round(ms, 2), "sql": _short(sql)} for ms, sql in sorted(timer.queries, reverse=True)[:3]
            ],
            "bytes": len(first.content),
        }

    def _get(self, url: str, *, first: bool = False) -> Any:
        try:
            response = self.client.get(url)
        except Exception as exc:
            raise RequestFailed(f"GET {url} raised {exc.__class__.__name__}: {exc}") from exc
        if first and response.status_code == 404:
            raise NotAvailable(f"GET {url} -> 404")
        if response.status_code != 200:
            location = response.get("Location", "")
            raise RequestFailed(f"GET {url} -> {response.status_code}{f' ({location})' if location else ''}")
        return response


class _QueryTimer:
    """execute_wrapper that times each statement with perf_counter (Django's captured "time"
    has millisecond resolution, which rounds a page of sub-millisecond queries to zero)."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - t) * 1000.0, sql))


def _short(sql: str) -> str:
    """The statement as `SELECT … FROM <table> … WHERE …`: the column list and joins elided,
    the filter and order (what explains the time) kept."""
    head = _FROM.search(sql)
    where = _WHERE.search(sql)
    if not sql.startswith("SELECT") or head is None:
        return sql[:400]
    rest = sql[where.start() :] if where else ""
    return f"SELECT … FROM {head.group(1)} …{rest}"[:500]


_FROM = re.compile(r" FROM (\S+)")
_WHERE = re.compile(r" WHERE ")


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


Workload = Callable[[Context], dict[str, Any]]
WORKLOADS: dict[str, tuple[str, Workload]] = {}


def workload(name: str, title: str) -> Callable[[Workload], Workload]:
    def register(fn: Workload) -> Workload:
        WORKLOADS[name] = (title, fn)
        return fn

    return register


def url_for(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch as exc:
        raise NotAvailable(f"no URL named {name!r}") from exc


def run_workload(name: str, ctx: Context) -> dict[str, Any]:
    """One workload's figures, or {"error": …}: a broken workload never hides behind a number."""
    title, fn = WORKLOADS[name]
    try:
        return {"title": title, **fn(ctx)}
    except NotAvailable as exc:
        return {"title": title, "error": "not available", "detail": str(exc)}
    except RequestFailed as exc:
        return {"title": title, "error": "request failed", "detail": str(exc)}


# --------------------------------------------------------------------------- the workloads


@workload("W2", "inbox list, open, by priority, first page")
def w2_inbox(ctx: Context) -> dict[str, Any]:
    return ctx.measure([url_for("inbox") + "?view=open&sort=priority"] * ctx.requests)


@workload("W2sla", "inbox list, open, by SLA due (most overdue first), first page")
def w2_inbox_sla(ctx: Context) -> dict[str, Any]:
    return ctx.measure([url_for("inbox") + "?view=open&sort=sla"] * ctx.requests)


@workload("W3", "search API, one keyword (round-robin), first page")
def w3_search(ctx: Context) -> dict[str, Any]:
    hits = ctx.manifest.get("keyword_hits", {})
    words = [w for w in W3_CANDIDATES if 0.02 <= hits.get(w, 0) <= 0.15] or W3_CANDIDATES
    urls = [f"/api/v1/search?q={words[i % len(words)]}" for i in range(ctx.requests)]
    result = ctx.measure(urls)
    return {"keywords": {w: hits.get(w) for w in words}, **result}


@workload("W4", "conversation page, the 50-message conversation")
def w4_conversation(ctx: Context) -> dict[str, Any]:
    return ctx.measure([url_for("conversation", ctx.manifest["w4_conversation_id"])] * ctx.requests)


@workload("W4r", "conversation page, random conversations (1-5 messages; the peer's W4)")
def w4r_random_conversation(ctx: Context) -> dict[str, Any]:
    first, last = ctx.manifest["first_conversation_id"], ctx.manifest["w4_conversation_id"]
    ids = [ctx.rng.randrange(first, last) for _ in range(ctx.requests)]  # ids are contiguous; W4's is last
    return ctx.measure([url_for("conversation", pk) for pk in ids])


@workload("W5", "agent dashboard (home)")
def w5_dashboard(ctx: Context) -> dict[str, Any]:
    return ctx.measure([url_for("home")] * ctx.dashboard_requests)


@workload("W1", "email ingest: K generated emails through ingest-email (ms = per message)")
def w1_email_ingest(ctx: Context) -> dict[str, Any]:
    from bench import w1

    return w1.w1(ctx, ctx.w1_ks)


@workload("W6", "live chat: 1,000 widget sockets on one server process, delivery latency both ways")
def w6_livechat(ctx: Context) -> dict[str, Any]:
    from bench import w6_livechat

    return w6_livechat.run()
