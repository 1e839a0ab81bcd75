"""W6: 1,000 concurrent chat widgets on one `storedesk serve` process.

Opens `sockets` widget WebSockets (ws/chat/<store>/) to a real server process started on the
bench database, plus one agent socket (ws/agent/). Then, paced so that it measures delivery
rather than a burst queue:
- visitor → agent: each of `messages` widgets sends one message; latency = send → the agent's
  socket receives its `message.created` event;
- agent → visitor: the agent replies over HTTP (POST /c/<id>/reply) to `replies` of those
  conversations; latency = POST sent → the widget receives the reply.
Memory per connection = the server's RSS growth while the sockets were opened, divided by
their number. The chats live in a store of their own (`w6-chat`), so the bench store's
inbox figures are untouched.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STORE_SLUG = "w6-chat"
AGENT_EMAIL = "w6-agent@bench.test"
AGENT_PASSWORD = "w6-password"  # noqa: S105 - a throwaway bench login
PACE_S = 0.05  # one message every 50 ms (20/s): below what one SQLite writer sustains, so this measures delivery, not a queue


def _setup() -> None:
    from storedesk.automation.actions.agents import do_set_agent_status
    from storedesk.core import actions as core
    from storedesk.core.models import Role, Store

    store = Store.objects.filter(slug=STORE_SLUG).first() or core.do_create_store(slug=STORE_SLUG, name="W6 Chat")
    user = core.do_add_agent(None, store, email=AGENT_EMAIL, role=Role.AGENT, password=AGENT_PASSWORD)
    do_set_agent_status(None, store, user, "online")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _start_server() -> tuple[subprocess.Popen[str], int]:
    port = _free_port()
    log = (Path(os.environ.get("STOREDESK_VAR_DIR", ".")) / "w6-server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "storedesk", "serve", "--port", str(port), "--no-worker"],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log.close()  # the child has its own copy of the descriptor
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, port
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"storedesk serve exited with {process.returncode}") from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("storedesk serve did not start")


async def _scenario(port: int, pid: int, sockets: int, messages: int, replies: int) -> dict[str, Any]:
    import httpx
    from websockets.asyncio.client import connect

    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        await http.get("/login/")
        login = await http.post(
            "/login/",
            data={
                "username": AGENT_EMAIL,
                "password": AGENT_PASSWORD,
                "csrfmiddlewaretoken": http.cookies["csrftoken"],
            },
            headers={"Referer": f"{base}/login/"},
        )
        if login.status_code != 302:
            raise RuntimeError(f"agent login failed: {login.status_code}")
        agent = await connect(
            f"ws://127.0.0.1:{port}/ws/agent/",
            additional_headers={"Cookie": f"sessionid={http.cookies['sessionid']}"},
            origin=base,
        )
        await agent.recv()  # hello
        rss_before = _rss_kb(pid)
        widgets = []
        opened = time.perf_counter()
        for n in range(sockets):
            ws = await connect(f"ws://127.0.0.1:{port}/ws/chat/{STORE_SLUG}/", origin="https://shop.w6.test")
            await ws.send(json.dumps({"type": "hello", "page": {"url": f"https://shop.w6.test/p/{n}"}}))
            await ws.recv()  # welcome
            widgets.append(ws)
        open_s = time.perf_counter() - opened
        await asyncio.sleep(1)
        rss_after = _rss_kb(pid)

        # Visitor → agent.
        sent_at: dict[str, float] = {}
        to_agent: list[float] = []
        conversation_of: dict[int, int] = {}

        async def agent_reader(expected: int) -> None:
            while len(to_agent) < expected:
                frame = json.loads(await agent.recv())
                event = frame.get("event") or {}
                if event.get("type") != "message.created" or event["message"]["direction"] != "inbound":
                    continue
                text = event["message"]["body_text"]
                if text in sent_at:
                    to_agent.append((time.perf_counter() - sent_at.pop(text)) * 1000)
                    conversation_of[int(text.split()[-1])] = event["conversation"]["id"]

        reader = asyncio.create_task(agent_reader(messages))
        for n in range(messages):
            text = f"W6 question {n}"
            sent_at[text] = time.perf_counter()
            await widgets[n].send(json.dumps({"type": "message", "cid": f"w6-{time.time_ns()}-{n}", "text": text}))
            await asyncio.sleep(PACE_S)
        await asyncio.wait_for(reader, 60 + 3 * messages)

        # Agent → visitor.
        to_visitor: list[float] = []

        async def reply_to(n: int) -> None:
            started = time.perf_counter()
            response = await http.post(
                f"/c/{conversation_of[n]}/reply",
                data={"body": f"W6 answer {n}", "force": "1"},
                headers={"X-CSRFToken": http.cookies["csrftoken"], "Referer": f"{base}/"},
            )
            if response.status_code not in (200, 303):
                raise RuntimeError(f"reply failed: {response.status_code}")
            while True:
                frame = json.loads(await asyncio.wait_for(widgets[n].recv(), 30))
                if frame.get("type") == "message" and frame.get("text") == f"W6 answer {n}":
                    to_visitor.append((time.perf_counter() - started) * 1000)
                    return

        tasks = []
        for n in range(replies):
            tasks.append(asyncio.create_task(reply_to(n)))
            await asyncio.sleep(PACE_S)
        await asyncio.gather(*tasks)

        for ws in widgets:
            await ws.close()
        await agent.close()
    return {
        "sockets": sockets,
        "open_s": round(open_s, 2),
        "visitor_to_agent": {
            "n": len(to_agent),
            "p50_ms": round(_percentile(to_agent, 0.5), 2),
            "p99_ms": round(_percentile(to_agent, 0.99), 2),
        },
        "agent_to_visitor": {
            "n": len(to_visitor),
            "p50_ms": round(_percentile(to_visitor, 0.5), 2),
            "p99_ms": round(_percentile(to_visitor, 0.99), 2),
        },
        "rss_mb": round(rss_after / 1024, 1),
        "kb_per_connection": round((rss_after - rss_before) / sockets, 1),
        "p99_ms": round(max(_percentile(to_agent, 0.99), _percentile(to_visitor, 0.99)), 2),
        "target_p99_ms": 100,
    }


def run(sockets: int = 1000, messages: int = 100, replies: int = 50) -> dict[str, Any]:
    _setup()
    process, port = _start_server()
    try:
        return asyncio.run(_scenario(port, process.pid, sockets, messages, min(replies, messages)))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
