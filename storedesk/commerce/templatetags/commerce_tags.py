"""Template helpers for orders: `{{ order.total|money:order.currency }}`."""

from __future__ import annotations

from django import template

from storedesk.commerce.lib.money import MoneyError, format_money, to_decimal_string

register = template.Library()


@register.filter
def money(minor: int | None, currency: str) -> str:
    if minor is None:
        return ""
    try:
        return format_money(int(minor), currency)
    except (MoneyError, ValueError, TypeError):
        return str(minor)


@register.filter
def decimal_amount(minor: int | None, currency: str) -> str:
    """1250, "GBP" → "12.50": a form field's initial value."""
    if minor is None:
        return ""
    try:
        return to_decimal_string(int(minor), currency)
    except (MoneyError, ValueError, TypeError):
        return ""


@register.filter
def status_label(value: str | None) -> str:
    """ "partially_refunded" → "Partially refunded"."""
    text = (value or "unknown").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@register.filter
def upto(count: int) -> range:
    """0, 1, … count: the choices of a quantity select."""
    return range(0, int(count) + 1)


@register.filter
def get_item(mapping: dict[str, str], key: str) -> str:
    """ "damaged" through {"damaged": "Arrived damaged"} → "Arrived damaged" (the key itself if absent)."""
    return str(mapping.get(key, key))
