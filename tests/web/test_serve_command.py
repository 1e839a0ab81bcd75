"""`storedesk serve` — what `make run` ends with — started for real in a subprocess.

Against a fresh STOREDESK_VAR_DIR (migrated and loaded with the demo store, as `make run`
does) it serves the login page, its CSS and the API schema on 127.0.0.1, starts a job
worker as its child, and stops that worker when it is stopped itself.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
STARTUP_TIMEOUT_S = 20

pytestmark = pytest.mark.slow


def serve_env(var_dir: Path) -> dict[str, str]:
    """The environment `make run` gives the server, and nothing from this test run."""
    scrubbed = {"DATABASE_URL", "REDIS_URL", "HUEY_IMMEDIATE", "STOREDESK_SQLITE_TEST_NAME", "HOST", "PORT"}
    environ = {key: value for key, value in os.environ.items() if key not in scrubbed}
    environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "1",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "STOREDESK_VAR_DIR": str(var_dir),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environ


def storedesk(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storedesk", *args],
        cwd=ROOT,
        env=serve_env(var_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("var")
    for command in (["migrate", "--noinput"], ["demo"]):
        result = storedesk(path, *command)
        assert result.returncode == 0, f"storedesk {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


class Server:
    def __init__(self, var_dir: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "storedesk", "serve", "--port", str(self.port), *args],
            cwd=ROOT,
            env=serve_env(var_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if f"Storedesk is running at {self.url}" in self.output:
                return
            if self.process.poll() is not None:
                pytest.fail(f"storedesk serve exited with {self.process.returncode}:\n{self.output}")
            time.sleep(0.1)
        pytest.fail(f"storedesk serve did not start within {STARTUP_TIMEOUT_S}s:\n{self.output}")

    def worker_pid(self) -> int:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for child in children_of(self.process.pid):
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
                if b"worker" in cmdline:
                    return child
            time.sleep(0.1)
        pytest.fail(f"no worker child process:\n{self.output}")

    def stop(self, signum: int) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"storedesk serve did not stop on {signal.Signals(signum).name}:\n{self.output}")


@pytest.fixture
def started(var_dir):
    servers: list[Server] = []

    def start(*args: str) -> Server:
        server = Server(var_dir, *args)
        servers.append(server)
        server.wait_until_ready()
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


def test_it_serves_the_app_and_stops_its_worker_on_sigterm(started):
    server = started("--worker-mode", "process")
    worker = server.worker_pid()

    with httpx.Client(base_url=server.url, timeout=10) as http:
        login = http.get("/login/")
        css = http.get("/static/web/app.css")
        htmx = http.get("/static/vendor/htmx.min.js")
        schema = http.get("/api/v1/openapi.json")
        health = http.get("/healthz")

    assert login.status_code == 200
    assert "Sign in · Storedesk" in login.text
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert htmx.status_code == 200
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Storedesk API"
    assert health.status_code == 200
    assert health.json()["ok"] is True
    assert "  demo logins (password demo-password):" in server.lines
    assert "    agent@demo.test" in server.lines
    assert is_running(worker)

    assert server.stop(signal.SIGTERM) == 0
    assert not is_running(worker)


def test_it_stops_its_worker_on_ctrl_c(started):
    server = started("--worker-mode", "process")
    worker = server.worker_pid()
    assert is_running(worker)

    assert server.stop(signal.SIGINT) == 0
    assert not is_running(worker)


def test_it_starts_no_worker_with_no_worker(started):
    server = started("--no-worker")

    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.get("/login/").status_code == 200
    assert children_of(server.process.pid) == []
    assert "  job worker: not started (--no-worker)" in server.lines

    assert server.stop(signal.SIGTERM) == 0


def test_it_stops_when_its_worker_dies(started):
    server = started("--worker-mode", "process")
    worker = server.worker_pid()

    os.kill(worker, signal.SIGKILL)

    assert server.process.wait(timeout=20) == 1
    assert any(line.startswith("The job worker exited (code -9); stopping the server.") for line in server.lines)
    assert "CommandError: the job worker exited unexpectedly (exit code -9)" in server.output


def test_it_runs_the_worker_in_process_in_embedded_mode(started):
    """No REDIS_URL: the in-memory channel layer only reaches this process's sockets, so
    jobs run here, as threads, and no child process is started."""
    server = started()

    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.get("/login/").status_code == 200
    assert children_of(server.process.pid) == []
    assert "  job worker: running alongside" in server.lines
    deadline = time.monotonic() + 5
    while "Huey consumer started with 2 thread" not in server.output and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Huey consumer started with 2 thread" in server.output

    assert server.stop(signal.SIGTERM) == 0
