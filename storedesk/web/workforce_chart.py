"""The coverage chart: required vs scheduled agents per 30-minute interval of a week, drawn as
inline SVG on the server (no chart library, no script). Understaffed intervals are red from the
scheduled height up to the required one; the required agents are a step line over the
scheduled bars. Each interval with anything in it carries a <title> tooltip."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from storedesk.automation.workforce.intervals import DAYS, SLOTS_PER_DAY, slot_label

STEP = 3  # px per interval
LEFT, TOP, BOTTOM = 28, 8, 22
HEIGHT = 180


def _ticks(top: int) -> list[int]:
    step = 1 if top <= 8 else 2 if top <= 16 else 5
    return list(range(0, top + 1, step))


def coverage_svg(
    monday: date, required: Sequence[int], scheduled: Sequence[int], contacts: Sequence[float]
) -> SafeString:
    size = len(required)
    width = LEFT + size * STEP + 4
    top = max([*required, *scheduled, 1])
    scale = HEIGHT / top

    def y(value: float) -> float:
        return round(TOP + HEIGHT - value * scale, 1)

    parts = [
        f'<svg class="coverage-chart" viewBox="0 0 {width} {TOP + HEIGHT + BOTTOM}" role="img" '
        f'aria-labelledby="coverage-title" data-testid="coverage-chart" preserveAspectRatio="none">',
        f'<title id="coverage-title">Required and scheduled agents per half hour, week of {monday:%d %b %Y}</title>',
    ]
    for tick in _ticks(top):
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{width - 4}" y1="{y(tick)}" y2="{y(tick)}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 4}" y="{y(tick) + 3}" text-anchor="end">{tick}</text>')
    for day in range(size // SLOTS_PER_DAY):
        x = LEFT + day * SLOTS_PER_DAY * STEP
        label = f"{DAYS[day % 7]} {monday + timedelta(days=day):%d %b}"
        parts.append(f'<line class="day" x1="{x}" x2="{x}" y1="{TOP}" y2="{TOP + HEIGHT}"/>')
        parts.append(
            f'<text class="axis" x="{x + SLOTS_PER_DAY * STEP / 2}" y="{TOP + HEIGHT + 15}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for i, (need, have) in enumerate(zip(required, scheduled, strict=True)):
        if not need and not have:
            continue
        x = LEFT + i * STEP
        tip = escape(f"{slot_label(i)}: {need} required, {have} scheduled, {contacts[i]:.1f} contacts forecast")
        bars = []
        if have:
            bars.append(f'<rect class="sched" x="{x}" y="{y(have)}" width="{STEP}" height="{round(have * scale, 1)}"/>')
        if need > have:
            bars.append(
                f'<rect class="short" x="{x}" y="{y(need)}" width="{STEP}" height="{round((need - have) * scale, 1)}"/>'
            )
        parts.append(f'<g data-slot="{i}"><title>{tip}</title>{"".join(bars)}</g>')
    path = [f"M{LEFT},{y(required[0] if size else 0)}"]
    for i, need in enumerate(required):
        path.append(f"V{y(need)}H{LEFT + (i + 1) * STEP}")
    parts.append(f'<path class="req" d="{"".join(path)}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped labels only
