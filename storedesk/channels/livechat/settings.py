"""The widget's look and words, from the store's settings (`Store.settings["livechat"]`)."""

from __future__ import annotations

import re
from typing import Any

from storedesk.automation.wait import store_schedule
from storedesk.core.models import Store

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOR = "#2f5bea"
STRING_KEYS = {
    "title", "greeting", "placeholder", "send", "offline", "email", "name", "typing", "sent", "wait",
    "attach", "read", "transcript", "callback", "phone", "hours", "closed", "back",
}  # fmt: skip
ALWAYS = [["00:00", "24:00"]]


def widget_settings(store: Store) -> dict[str, Any]:
    """Only what the widget needs, validated: a colour, a greeting, a locale, string overrides."""
    config = store.settings.get("livechat") or {}
    color = config.get("color") if isinstance(config.get("color"), str) and COLOR.match(config["color"]) else None
    strings = config.get("strings")
    if not isinstance(strings, dict):
        strings = {}
    return {
        "store": store.name,
        "color": color or DEFAULT_COLOR,
        "greeting": str(config.get("greeting") or "")[:300],
        "locale": str(config.get("locale") or "")[:16],
        "prechat": bool(config.get("prechat", False)),
        "strings": {k: str(v)[:300] for k, v in strings.items() if k in STRING_KEYS},
    }


def opening_hours(store: Store) -> dict[str, Any] | None:
    """The store's weekly opening hours for the widget ({"timezone", "week": {"mon": [["09:00",
    "17:00"]], …}}); None when it is always open (no business hours set)."""
    week = store_schedule(store).to_json()
    if all(week["week"].get(day) == ALWAYS for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")):
        return None
    return {"timezone": week["timezone"], "week": week["week"]}
