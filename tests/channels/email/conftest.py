"""Email channel test helpers: a real SMTP server on loopback, raw-email builders, fixtures.

`smtp_server` is aiosmtpd on 127.0.0.1 (a free port) in its own thread. It records every
message it accepts (envelope and raw bytes) and answers from a script:
`smtp_server.answer("451 4.3.0 Try again later")` makes the next DATA get that answer;
afterwards (and by default) it answers 250.
"""

from __future__ import annotations

import email
import logging
import socket
import threading
from dataclasses import dataclass
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from huey.contrib.djhuey import HUEY

from storedesk.channels.email import actions
from storedesk.channels.email.models import InboundEmail

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "emails"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]

    def header(self, name: str) -> str | None:
        value = self.message[name]
        return None if value is None else str(value)


class SmtpServer:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self._script: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler:
            async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's naming
                with server._lock:
                    answer = server._script.pop(0) if server._script else "250 Message accepted"
                    if answer.startswith("250"):
                        server.received.append(
                            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
                        )
                return answer

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def answer(self, *answers: str) -> None:
        with self._lock:
            self._script.extend(answers)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
    ):
        yield server
    server.stop()


@pytest.fixture(autouse=True)
def empty_huey_schedule():
    """Send retries are scheduled into huey's in-memory schedule (immediate mode): start empty."""
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


def scheduled_sends() -> list[tuple[tuple[Any, ...], Any]]:
    return [(task.args, task.eta) for task in HUEY.scheduled() if task.name.endswith("send_email_message")]


def fixture_bytes(name: str, **values: str) -> bytes:
    """A fixture email from tests/fixtures/emails with {placeholders} filled in."""
    text = (FIXTURES / name).read_bytes()
    for key, value in values.items():
        text = text.replace(b"{" + key.encode() + b"}", value.encode())
    return text


def ingest(store, raw: bytes, source: str = "import") -> InboundEmail:
    """Accept and process one raw email the way every inbound path does."""
    row, _ = actions.do_accept_raw_email(store, raw, source, enqueue=False)
    result = actions.do_process_inbound(row.pk)
    assert result is not None
    return result


def simple_email(
    *,
    sender: str = "Carla Customer <carla@mail.test>",
    to: str = "support@acme.test",
    subject: str = "Where is my order #1001?",
    body: str = "Hi, my order #1001 has not arrived yet. Can you check?\n\nCarla",
    message_id: str | None = "<carla-1@mail.test>",
    headers: dict[str, str] | None = None,
) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", "Date: Mon, 2 Mar 2026 09:00:00 +0000"]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    lines += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: 8bit"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n").encode()
