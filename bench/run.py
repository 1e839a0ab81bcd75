#!/usr/bin/env python
"""Run the bench workloads in-process against a generated dataset; print figures and JSON.

    python bench/run.py [--conversations 20000] [--only W2,W3,W4,W5] [--json] [--requests 50]
                        [--dashboard-requests 20] [--warmup 3] [--reuse]
                        [--database-url URL] [--var-dir DIR]

Generates the dataset with bench/generate.py first (or, with --reuse, reuses one whose
manifest matches N, seed, messages-per and the current migrations). Requests go through
django.test.Client in this process — URL routing, middleware, session auth, view, ORM,
templates — with no HTTP server or socket, logged in (force_login) as the store's admin agent.
Settings are the real config.settings with DEBUG off (see bench/benchenv.py); static files are
collected into the var dir first, as a deployment would.

Output: one JSON object {"meta": {...}, "W2": {...}, ...}; each workload has p50_ms, p95_ms,
queries (SQL statements of one request) and sql_ms, or "error" ("not available" when its URL
does not exist yet, "request failed" on any non-200 answer).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import benchenv  # noqa: E402

DEFAULT_CONVERSATIONS = 20_000


def keyword_hits(store_id: int, words: Sequence[str]) -> dict[str, float]:
    """Share of the store's conversations whose subject or any message contains each word
    (case-insensitive substring): one scan for all words."""
    from django.db import connection

    like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    word_rows = " UNION ALL ".join("SELECT %s AS w" for _ in words)
    sql = f"""
        SELECT w, COUNT(*) FROM (
            SELECT DISTINCT c.id, k.w FROM conversations_conversation c
            JOIN conversations_message m ON m.conversation_id = c.id
            JOIN ({word_rows}) k ON c.subject {like} '%%' || k.w || '%%' OR m.body_text {like} '%%' || k.w || '%%'
            WHERE c.store_id = %s
        ) hits GROUP BY w
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM conversations_conversation WHERE store_id = %s", [store_id])
        total = cursor.fetchone()[0]
        cursor.execute(sql, [*words, store_id])
        found = dict(cursor.fetchall())
    return {w: round(found.get(w, 0) / total, 4) for w in words}


def collect_static() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def run(args: argparse.Namespace) -> dict[str, Any]:
    t = benchenv.target(args.conversations, args.database_url, args.var_dir)
    benchenv.setup_django(t)

    import logging

    import django
    from django.db import connection

    # A failing request is reported in the output ("request failed"), not as a logged traceback.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    from django.test import Client

    from bench import generate, workloads
    from storedesk.core.models import User

    manifest, reused = generate.ensure_dataset(
        t,
        args.conversations,
        messages_per=args.messages_per,
        seed=args.seed,
        fresh=not args.reuse,
        analyzed=not args.no_analyze,
    )
    if "keyword_hits" not in manifest:
        t0 = time.perf_counter()
        manifest["keyword_hits"] = keyword_hits(manifest["store_id"], workloads.W3_CANDIDATES)
        manifest["keyword_hits_s"] = round(time.perf_counter() - t0, 2)
        t.manifest_path.write_text(json.dumps(manifest, indent=2))
    print(f"W3 keyword hit fractions: {manifest['keyword_hits']}", file=sys.stderr)
    collect_static()

    client = Client()
    client.force_login(User.objects.get(pk=manifest["login_agent_id"]))
    ctx = workloads.Context(
        client=client,
        manifest=manifest,
        requests=args.requests,
        warmup=args.warmup,
        dashboard_requests=args.dashboard_requests,
        # W1 at 10,000 takes minutes: only when asked for (--only W1), else K=200.
        w1_ks=tuple(int(k) for k in (args.w1_k or ("200,10000" if args.only else "200")).split(",")),
    )
    only = [w.strip() for w in args.only.split(",") if w.strip()] if args.only else list(workloads.WORKLOADS)
    unknown = [w for w in only if w not in workloads.WORKLOADS]
    if unknown:
        raise SystemExit(f"unknown workload(s) {unknown}; known: {', '.join(workloads.WORKLOADS)}")

    out: dict[str, Any] = {
        "meta": {
            "system": "storedesk",
            "database": t.name,
            "engine": connection.vendor,
            "conversations": manifest["counts"]["conversations"],
            "messages": manifest["counts"]["messages"],
            "open": _count_open(manifest["store_id"]),
            "dataset_reused": reused,
            "generated_at": manifest["generated_at"],
            "load_s": manifest["load_s"],
            "search_index_s": manifest.get("search_index_s"),
            "analyzed": manifest.get("analyzed", True),
            "analyze_s": manifest.get("analyze_s"),
            "w4_conversation_id": manifest["w4_conversation_id"],
            "keyword_hits": manifest["keyword_hits"],
            "transport": "django.test.Client in-process (full Django stack, no HTTP server/socket), DEBUG off",
            "requests": args.requests,
            "dashboard_requests": args.dashboard_requests,
            "warmup": args.warmup,
            "versions": {
                "django": django.get_version(),
                "python": platform.python_version(),
                "sqlite": sqlite3.sqlite_version,
            },
            "host": {"cpus": os.cpu_count(), "platform": platform.platform()},
        }
    }
    for name in only:
        print(f"running {name} …", file=sys.stderr)
        out[name] = workloads.run_workload(name, ctx)
    return out


def _count_open(store_id: int) -> int:
    from storedesk.conversations.models import Conversation

    return Conversation.objects.filter(store_id=store_id, status="open").count()


def table(out: dict[str, Any]) -> str:
    meta = out["meta"]
    lines = [
        f"storedesk on {meta['engine']} ({meta['database']}): {meta['conversations']:,} conversations, "
        f"{meta['messages']:,} messages, {meta['open']:,} open",
        "",
        f"{'workload':<5} {'p50 ms':>9} {'p95 ms':>9} {'queries':>8} {'sql ms':>8}  what",
    ]
    for name, row in out.items():
        if name == "meta":
            continue
        if "error" in row:
            lines.append(f"{name:<5} {row['error'].upper():>37}  {row['title']} — {row.get('detail', '')}")
        else:
            lines.append(
                f"{name:<5} {row['p50_ms']:>9.1f} {row['p95_ms']:>9.1f} {row['queries']:>8} {row['sql_ms']:>8.1f}  {row['title']}"
            )
    return "\n".join(lines)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=DEFAULT_CONVERSATIONS)
    parser.add_argument("--only", help="comma-separated workloads (default: all registered)")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per workload (default 50)")
    parser.add_argument("--dashboard-requests", type=int, default=20, help="timed requests for W5 (default 20)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--w1-k", help="W1: emails per run, comma-separated (default 200,10000 with --only, else 200)")
    parser.add_argument("--reuse", action="store_true", help="reuse a matching dataset instead of regenerating")
    parser.add_argument("--no-analyze", action="store_true", help="a dataset without ANALYZE statistics")
    parser.add_argument("--messages-per", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", help="default: sqlite file bench-n<N>.sqlite3 in the var dir")
    parser.add_argument("--var-dir", help=f"default: {benchenv.DEFAULT_VAR_DIR}")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    out = run(args)
    errors = [name for name, row in out.items() if name != "meta" and "error" in row]
    if not args.json:
        print(table(out))
        print()
    print(json.dumps(out, indent=2))
    if any(out[name]["error"] != "not available" for name in errors):
        sys.exit(1)


if __name__ == "__main__":
    main()
