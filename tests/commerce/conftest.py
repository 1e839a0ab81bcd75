"""Commerce test helpers: a fake Shopify on loopback serving the documented Admin REST shapes
(tests/fixtures/shopify/), and connections to it and to the demo store.

`shopify.route("GET", "/orders/5550001001.json", "order.json")` answers that path with that
fixture (a dict, a fixture name or a `Reply`); several replies for one route are served in
order, the last one repeating. Every request is recorded with its parsed JSON body.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from huey.contrib.djhuey import HUEY

from storedesk.commerce.actions import do_connect_store
from tests.api.conftest import api_as  # noqa: F401 - the API client fixture, for API tests here

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "shopify"
WOO_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "woocommerce"
API_PREFIX = "/admin/api/2024-01"
WOO_PREFIX = "/wp-json/wc/v3"


def fixture(name: str, folder: Path = FIXTURES) -> Any:
    return json.loads((folder / name).read_text())


def fixture_bytes(name: str, folder: Path = FIXTURES) -> bytes:
    return (folder / name).read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=dict)  # dict → JSON; str → fixture name; bytes → as is
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class FakeShopify:
    """A fake platform REST API (Shopify by default; WooCommerce with its prefix and fixtures)."""

    def __init__(self, prefix: str = API_PREFIX, fixtures: Path = FIXTURES) -> None:
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self.released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length", "0") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                path = parts.path.removeprefix(prefix)
                reply = fake._record(
                    Seen(self.command, path, parts.query, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                if reply.delay_s:
                    fake.released.wait(reply.delay_s)
                payload = reply.body
                if isinstance(payload, str):
                    data = fixture_bytes(payload, fixtures)
                elif isinstance(payload, bytes):
                    data = payload
                else:
                    data = json.dumps(payload).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815 - http.server's naming

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, path: str, *replies: Reply | dict | str) -> None:
        with self._lock:
            self.routes[(method, path)] = [r if isinstance(r, Reply) else Reply(body=r) for r in replies]

    def _record(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            replies = self.routes.get((seen.method, seen.path))
            if not replies:
                return Reply(404, {"errors": "Not Found"})
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def seen(self, method: str, path: str) -> list[Seen]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def start(self) -> FakeShopify:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def shopify():
    server = FakeShopify().start()
    yield server
    server.stop()


@pytest.fixture
def woocommerce():
    server = FakeShopify(prefix=WOO_PREFIX, fixtures=WOO_FIXTURES).start()
    yield server
    server.stop()


@pytest.fixture
def woo_connection(acme, woocommerce):
    return do_connect_store(
        None,
        acme,
        "woocommerce",
        config={"base_url": woocommerce.base_url, "currency": "USD"},
        access_token="ck_test:cs_test",
        webhook_secret="woo-webhook-secret",
    )


@pytest.fixture
def shopify_connection(acme, shopify):
    return do_connect_store(
        None,
        acme,
        "shopify",
        config={
            "shop": "acme.myshopify.com",
            "api_version": "2024-01",
            "base_url": shopify.base_url,
            "currency": "USD",
        },
        access_token="shpat_test_token",
        webhook_secret="shopify-app-secret",
    )


@pytest.fixture
def demo_connection(acme):
    return do_connect_store(None, acme, "demo", config={"currency": "USD"})


@pytest.fixture(autouse=True)
def empty_huey_schedule():
    """Retries go to huey's in-memory schedule (immediate mode): start each test empty."""
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()
