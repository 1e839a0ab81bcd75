#!/usr/bin/env python
"""Storedesk and the peer (django-helpdesk) on the same workloads, in the same run, side by side.

    python bench/peer.py --conversations 100000 [--requests 30] [--dashboard-requests 10]
                         [--reuse] [--peer-reuse] [--json]

The peer harness lives in /work/shared/bench/peer_django_helpdesk (override with
PEER_HD_HARNESS): `setup.sh` (a venv with django-helpdesk and a minimal project, run only if
missing), `seed.py N` (N tickets, 1-5 follow-ups each; skipped with --peer-reuse when the peer
database already holds N tickets) and `bench.py --only W2,W3,W4,W5`. Its venv and data go
to PEER_HD_VENV / PEER_HD_DATA (default /tmp/peer_hd_venv, /tmp/peer_hd_data). Ours is
bench/run.py --json in a subprocess, with the same request counts and warm-up.

Rows compared (see bench/README.md for how the workloads differ):
  W2  our inbox (open, by priority)        vs  the peer's ticket-list JSON (open+reopened, by priority)
  W3  our search API                        vs  the peer's list endpoint with a keyword
  W4  our page of the 50-message conversation vs the peer's ticket page (random tickets, 1-5 follow-ups)
  W4r our page of random conversations (1-5 messages) vs the same peer figure — the like-for-like row
  W5  our home (agent dashboard)            vs  the peer's staff dashboard
  W1  our `ingest-email` of K generated mails vs the peer's `get_email` of K mails (same textgen mix);
      messages/s, one row per K (--w1-k, default 200,10000; --peer-w1-k to run the peer at fewer)

`--workloads W1` runs only the ingest comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
HARNESS = Path(os.environ.get("PEER_HD_HARNESS", "/work/shared/bench/peer_django_helpdesk"))
PEER_VENV = Path(os.environ.get("PEER_HD_VENV", "/tmp/peer_hd_venv"))
PEER_DATA = Path(os.environ.get("PEER_HD_DATA", "/tmp/peer_hd_data"))

# (our workload, the peer's workload key)
PAIRS = [
    ("W2", "W2_list_open_by_priority"),
    ("W3", "W3_search"),
    ("W4", "W4_ticket_detail"),
    ("W4r", "W4_ticket_detail"),
    ("W5", "W5_dashboard"),
]
REQUEST_WORKLOADS = ["W2", "W3", "W4", "W4r", "W5"]


def _env() -> dict[str, str]:
    env = dict(os.environ, PEER_HD_VENV=str(PEER_VENV), PEER_HD_DATA=str(PEER_DATA))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peer_tickets() -> int | None:
    db = PEER_DATA / "db.sqlite3"
    if not db.exists():
        return None
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT COUNT(*) FROM helpdesk_ticket").fetchone()[0]
    except sqlite3.Error:
        return None


def run_peer(args: argparse.Namespace) -> dict[str, Any]:
    if not HARNESS.is_dir():
        raise SystemExit(f"peer harness not found at {HARNESS} (set PEER_HD_HARNESS)")
    python = PEER_VENV / "bin" / "python"
    if not python.exists() or not (PEER_DATA / "hdproj" / "settings.py").exists():
        _log(f"peer: setup.sh (venv {PEER_VENV}, data {PEER_DATA}) …")
        subprocess.run(["bash", str(HARNESS / "setup.sh")], check=True, env=_env(), stdout=sys.stderr)
    if args.peer_reuse and peer_tickets() == args.conversations:
        _log(f"peer: reusing its {args.conversations:,} tickets")
    else:
        _log(f"peer: seed.py {args.conversations} …")
        t = time.perf_counter()
        subprocess.run(
            [str(python), str(HARNESS / "seed.py"), str(args.conversations)],
            check=True,
            env=_env(),
            stdout=sys.stderr,
            stderr=subprocess.DEVNULL,
        )
        _log(f"peer: seeded in {time.perf_counter() - t:.1f}s")
    out: dict[str, Any] = {"workloads": {}}
    peer_only = ",".join(w for w in ("W2", "W3", "W4", "W5") if w in args.workloads)
    if peer_only:
        _log(f"peer: bench.py --only {peer_only} …")
        cmd = [
            str(python), str(HARNESS / "bench.py"), "--only", peer_only,
            "--requests", str(args.requests), "--dashboard-requests", str(args.dashboard_requests),
            "--warmup", str(args.warmup),
        ]  # fmt: skip
        # stderr: helpdesk's own naive-datetime RuntimeWarnings (harmless, see the harness README).
        done = subprocess.run(cmd, check=True, env=_env(), capture_output=True, text=True)
        out = json.loads(done.stdout)
    if "W1" in args.workloads:
        out["w1_runs"] = []
        for k in _ks(args.peer_w1_k or args.w1_k):
            _log(f"peer: bench.py --only W1 --k {k} …")
            cmd = [str(python), str(HARNESS / "bench.py"), "--only", "W1", "--k", str(k)]
            done = subprocess.run(cmd, check=True, env=_env(), capture_output=True, text=True)
            peer_w1 = json.loads(done.stdout)
            out["w1_runs"].append(peer_w1["workloads"]["W1_ingest"])
            out.setdefault("db", peer_w1.get("db", {}))
            out.setdefault("versions", peer_w1.get("versions", {}))
    return out


def _ks(value: str) -> list[int]:
    return [int(k) for k in value.split(",") if k.strip()]


def run_ours(args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable, str(BENCH_DIR / "run.py"), "--json", "--conversations", str(args.conversations),
        "--only", ",".join(args.workloads), "--w1-k", args.w1_k, "--requests", str(args.requests),
        "--dashboard-requests", str(args.dashboard_requests), "--warmup", str(args.warmup),
    ]  # fmt: skip
    if args.reuse:
        cmd.append("--reuse")
    if args.no_analyze:
        cmd.append("--no-analyze")
    if args.database_url:
        cmd += ["--database-url", args.database_url]
    if args.var_dir:
        cmd += ["--var-dir", args.var_dir]
    _log("storedesk: " + " ".join(cmd[1:]))
    done = subprocess.run(
        cmd,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        stdout=subprocess.PIPE,
        text=True,
    )
    if not done.stdout.strip():
        raise SystemExit(f"bench/run.py failed (exit {done.returncode})")
    return json.loads(done.stdout)


def compare_w1(ours: dict[str, Any], peer: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per K: our messages/s, the bare baseline's, the peer's (when it ran at that K)."""
    theirs = {run["k_messages"]: run for run in peer.get("w1_runs", [])}
    rows = []
    for run in ours.get("W1", {}).get("runs", []):
        row: dict[str, Any] = {
            "k": run["k"],
            "ours_messages_per_s": run["messages_per_s"],
            "baseline_messages_per_s": run["baseline_messages_per_s"],
            "ours_of_baseline": run["of_baseline"],
        }
        if run["k"] in theirs:
            row["peer_messages_per_s"] = theirs[run["k"]]["messages_per_s"]
            row["ours_over_peer"] = round(run["messages_per_s"] / theirs[run["k"]]["messages_per_s"], 1)
        rows.append(row)
    return rows


def compare(ours: dict[str, Any], peer: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for mine, theirs in PAIRS:
        if mine not in ours:
            continue
        a, b = ours.get(mine, {}), peer.get("workloads", {}).get(theirs, {})
        row: dict[str, Any] = {"workload": mine, "peer_workload": theirs}
        if "error" in a:
            row["ours_error"] = f"{a['error']}: {a.get('detail', '')}"
        else:
            row.update(ours_p50_ms=a.get("p50_ms"), ours_p95_ms=a.get("p95_ms"), ours_queries=a.get("queries"))
        if b:
            row.update(
                peer_p50_ms=b.get("p50_ms"),
                peer_p95_ms=b.get("p95_ms"),
                peer_queries=b.get("queries_per_request_median"),
            )
        if row.get("ours_p50_ms") and row.get("peer_p50_ms"):
            row["peer_over_ours_p50"] = round(row["peer_p50_ms"] / row["ours_p50_ms"], 1)
        rows.append(row)
    return rows


def table_w1(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'W1 K':>7} {'ours msg/s':>11} {'baseline':>9} {'of base':>8} {'peer msg/s':>11} {'ours/peer':>10}"]
    for row in rows:
        peer = f"{row['peer_messages_per_s']:>11.1f}" if "peer_messages_per_s" in row else f"{'—':>11}"
        ratio = f"{row['ours_over_peer']:>9.1f}×" if "ours_over_peer" in row else f"{'—':>10}"
        lines.append(
            f"{row['k']:>7} {row['ours_messages_per_s']:>11.1f} {row['baseline_messages_per_s']:>9.1f} "
            f"{row['ours_of_baseline']:>8.2f} {peer} {ratio}"
        )
    return "\n".join(lines)


def table(rows: list[dict[str, Any]], ours: dict[str, Any], peer: dict[str, Any]) -> str:
    meta, pdb = ours["meta"], peer.get("db", {})
    lines = [
        f"storedesk: {meta['conversations']:,} conversations / {meta['messages']:,} messages ({meta['open']:,} open), {meta['engine']}",
        f"peer:      django-helpdesk {peer.get('versions', {}).get('django-helpdesk')}: {pdb.get('tickets', 0):,} tickets / "
        f"{pdb.get('followups', 0):,} follow-ups ({pdb.get('open_or_reopened', 0):,} open/reopened), sqlite",
        "",
        f"{'':<5} {'ours p50':>9} {'p95':>8} {'q':>4}   {'peer p50':>9} {'p95':>8} {'q':>5}   {'peer/ours':>9}",
    ]

    def num(value: Any, fmt: str) -> str:
        return format(value, fmt) if isinstance(value, int | float) else "—"

    for row in rows:
        if "ours_error" in row:
            mine = f"{row['ours_error'][:24]:>24}"
        else:
            mine = f"{num(row.get('ours_p50_ms'), '9.1f')} {num(row.get('ours_p95_ms'), '8.1f')} {num(row.get('ours_queries'), '4d')}"
        theirs = f"{num(row.get('peer_p50_ms'), '9.1f')} {num(row.get('peer_p95_ms'), '8.1f')} {num(row.get('peer_queries'), '5')}"
        ratio = f"{row['peer_over_ours_p50']:>8.1f}×" if "peer_over_ours_p50" in row else f"{'—':>9}"
        lines.append(f"{row['workload']:<5} {mine}   {theirs}   {ratio}")
    lines += ["", "peer/ours = peer p50 ÷ our p50 (above 1: Storedesk is faster). q = SQL queries per request."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, required=True)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--dashboard-requests", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="reuse our matching dataset")
    parser.add_argument("--no-analyze", action="store_true", help="our dataset without ANALYZE (the peer never has it)")
    parser.add_argument("--peer-reuse", action="store_true", help="skip peer seeding if it holds N tickets")
    parser.add_argument("--database-url", help="our database (default: SQLite under bench/data)")
    parser.add_argument("--var-dir")
    parser.add_argument("--json", action="store_true", help="print only the JSON")
    parser.add_argument("--workloads", default="W1,W2,W3,W4,W4r,W5", help="comma-separated (default: all)")
    parser.add_argument("--w1-k", default="200,10000", help="W1 mails per run (ours and the peer's)")
    parser.add_argument("--peer-w1-k", help="W1 K values for the peer only (default: --w1-k)")
    args = parser.parse_args()
    args.workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]

    ours = run_ours(args)
    peer = run_peer(args)
    rows = compare(ours, peer)
    w1_rows = compare_w1(ours, peer)
    out = {"comparison": rows, "w1": w1_rows, "ours": ours, "peer": peer}
    if not args.json:
        if rows:
            print(table(rows, ours, peer))
            print()
        if w1_rows:
            print(table_w1(w1_rows))
            print()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
