"""Which channel adapters can send an agent's outbound message, and the hand-off to them.

An adapter registers a sender for its channel (`register_sender("email", enqueue_fn)`) from its
AppConfig.ready(). The actions layer calls `enqueue_outbound(message_id)` on commit for every
queued outbound message; the sender enqueues its own job (with retries) and records delivery
status on the message through its own actions.
"""

from __future__ import annotations

from collections.abc import Callable

_senders: dict[str, Callable[[int], None]] = {}


def register_sender(channel: str, enqueue: Callable[[int], None]) -> None:
    _senders[channel] = enqueue


def has_sender(channel: str) -> bool:
    return channel in _senders


def enqueue_outbound(channel: str, message_id: int) -> None:
    sender = _senders.get(channel)
    if sender is not None:
        sender(message_id)
