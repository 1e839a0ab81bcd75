"""Webhook delivery actions (filled in by the webhooks slice)."""

from __future__ import annotations


def attempt_delivery(delivery_id: str) -> None:
    raise NotImplementedError
