"""Item 5: a widget connected to one web process reaches an agent connected to another, and
the agent's reply comes back, through the Redis channel layer — two real `storedesk serve
--no-worker` processes sharing PostgreSQL and Redis. Skipped unless REDIS_URL is set and the
database is PostgreSQL (an SQLite test database is not shared across processes)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from storedesk.web.queries import DEMO_PASSWORD
from tests.web.test_serve_command import ROOT, Server, free_port, serve_env

pytestmark = pytest.mark.slow

SCALE_DB_SUFFIX = "_livechat_scale"


def _urls() -> tuple[str, str]:
    database, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not redis_url or not database.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs REDIS_URL and a PostgreSQL DATABASE_URL")
    return database, redis_url


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="module")
def scale_env(tmp_path_factory):
    """A database of its own (migrated, demo store loaded) for the two servers."""
    import psycopg

    database, redis_url = _urls()
    name = (urlsplit(database).path.lstrip("/") or "storedesk") + SCALE_DB_SUFFIX
    admin = _with_db(database, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    var_dir = tmp_path_factory.mktemp("scale-var")
    extra = {"DATABASE_URL": _with_db(database, name), "REDIS_URL": redis_url}
    for command in (["migrate", "--noinput"], ["demo", "--customers", "5", "--conversations", "3"]):
        result = _storedesk(var_dir, extra, *command)
        assert result.returncode == 0, f"storedesk {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    yield var_dir, extra
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _storedesk(var_dir: Path, extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storedesk", *args],
        cwd=ROOT,
        env={**serve_env(var_dir), **extra},
        capture_output=True,
        text=True,
        timeout=180,
    )


class ScaledServer(Server):
    """`storedesk serve --no-worker` on the shared PostgreSQL database and Redis."""

    def __init__(self, var_dir: Path, extra: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "storedesk", "serve", "--port", str(self.port), "--no-worker"],
            cwd=ROOT,
            env={**serve_env(var_dir), **extra},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines = []
        threading.Thread(target=self._read, daemon=True).start()


def _login(server: Server) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=10)
    client.get("/login/")
    response = client.post(
        "/login/",
        data={
            "username": "agent@demo.test",
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
        headers={"Referer": f"{server.url}/login/"},
    )
    assert response.status_code == 302, response.text[:500]
    return client


async def _frames_until(socket, predicate, timeout: float = 10) -> dict:
    async def wait() -> dict:
        while True:
            frame = json.loads(await socket.recv())
            if predicate(frame):
                return frame

    return await asyncio.wait_for(wait(), timeout)


def test_it_carries_a_chat_between_two_server_processes(scale_env):
    from websockets.asyncio.client import connect

    var_dir, extra = scale_env
    widget_server, agent_server = ScaledServer(var_dir, extra), ScaledServer(var_dir, extra)
    try:
        widget_server.wait_until_ready()
        agent_server.wait_until_ready()
        shop = httpx.get(f"{widget_server.url}/demo-shop/demo/", timeout=10)
        assert shop.status_code == 200 and 'data-store="demo"' in shop.text
        assert httpx.get(f"{widget_server.url}/static/livechat/widget.js", timeout=10).status_code == 200
        agent = _login(agent_server)
        cookie = f"sessionid={agent.cookies['sessionid']}"

        async def scenario() -> None:
            ws_agent = f"ws://127.0.0.1:{agent_server.port}/ws/agent/"
            ws_widget = f"ws://127.0.0.1:{widget_server.port}/ws/chat/demo/"
            async with (
                connect(ws_agent, additional_headers={"Cookie": cookie}, origin=agent_server.url) as agent_socket,
                connect(ws_widget, origin="https://shop.demo.test") as widget,
            ):
                assert json.loads(await agent_socket.recv())["type"] == "hello"
                await widget.send(json.dumps({"type": "hello", "page": {"url": "https://shop.demo.test/p/1"}}))
                assert json.loads(await widget.recv())["type"] == "welcome"

                await widget.send(json.dumps({"type": "message", "cid": "scale-cid-0001", "text": "Across processes?"}))
                ack = await _frames_until(widget, lambda f: f["type"] == "ack")
                event = await _frames_until(
                    agent_socket,
                    lambda f: f.get("type") == "event" and f["event"]["type"] == "message.created",
                )
                assert event["event"]["message"]["id"] == ack["id"]
                conversation_id = event["event"]["conversation"]["id"]

                reply = await asyncio.to_thread(
                    agent.post,
                    f"/c/{conversation_id}/reply",
                    data={"body": "Yes, through Redis.", "force": "1"},
                    headers={"X-CSRFToken": agent.cookies["csrftoken"], "Referer": agent_server.url + "/"},
                )
                assert reply.status_code == 303, reply.text[:500]  # replied; back to the page
                pushed = await _frames_until(widget, lambda f: f["type"] == "message")
                assert (pushed["from"], pushed["text"]) == ("agent", "Yes, through Redis.")

        asyncio.run(scenario())
    finally:
        for server in (widget_server, agent_server):
            server.stop(signal.SIGTERM)
        assert not re.search(r"Traceback", widget_server.output + agent_server.output), (
            widget_server.output + agent_server.output
        )
