"""The demo store's workforce planning: eight weeks of contact history "imported from the
previous helpdesk" (so the forecast has weeks to learn from; the demo's own conversations
cover only the last day or two) and shifts for the demo agents this week and next, so the
coverage page shows a chart for next week with a few short evenings and a suggestion.

Called from `automation.demo.load_demo_responsiveness`; everything goes through the actions.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Min
from django.utils import timezone

from storedesk.automation.actions.shifts import do_save_shift, do_save_staffing_targets
from storedesk.automation.actions.volumes import do_import_contact_volume
from storedesk.automation.workforce import intervals
from storedesk.conversations.models import Conversation
from storedesk.core.models import Membership, Role, Store, User

SEED = 20261123
HISTORY_WEEKS = 8
# Contacts per day, Monday first; a few percent more each week.
DAILY = {
    "email": (40, 34, 30, 30, 28, 14, 12),
    "chat": (18, 16, 15, 15, 17, 8, 0),
    "phone": (6, 5, 5, 5, 5, 2, 0),
    "social": (4, 3, 3, 3, 4, 5, 4),
}
GROWTH = 0.02
# (from, to, weight) in local hours: where in the day contacts arrive.
EMAIL_DAY = ((0, 7, 0.2), (7, 12, 1.6), (12, 14, 1.2), (14, 18, 1.3), (18, 23, 0.8), (23, 24, 0.3))
LIVE_DAY = ((8, 10, 0.8), (10, 13, 1.6), (13, 16, 1.0), (16, 18, 1.2), (18, 20, 1.5))
SATURDAY_LIVE = ((10, 16, 1.0),)


def _weights(spans: tuple[tuple[int, int, float], ...]) -> np.ndarray:
    weights = np.zeros(intervals.SLOTS_PER_DAY)
    for start, end, weight in spans:
        weights[start * 2 : end * 2] = weight
    return weights / weights.sum()


def history_rows(store: Store, this_monday: date, until: datetime) -> list[tuple[str, datetime, int]]:
    """Poisson draws around the shape above for the `HISTORY_WEEKS` weeks before `this_monday`,
    stopping at `until` (the store's first real conversation)."""
    zone = ZoneInfo(store.timezone)
    rng = np.random.default_rng(SEED)
    start = this_monday - timedelta(weeks=HISTORY_WEEKS)
    rows = []
    for day in range(HISTORY_WEEKS * 7):
        weekday, week = day % 7, day // 7
        for channel, per_day in DAILY.items():
            shape = EMAIL_DAY if channel in ("email", "social") else (SATURDAY_LIVE if weekday == 5 else LIVE_DAY)
            rates = per_day[weekday] * (1 + GROWTH) ** week * _weights(shape)
            for slot, n in enumerate(rng.poisson(rates)):
                moment = intervals.slot_start(start, day * intervals.SLOTS_PER_DAY + slot, zone)
                if n and moment < until:
                    rows.append((channel, moment, int(n)))
    return rows


# Weekday shifts (local hours) per demo person: the owner, the lead, then the agents in order.
WEEKDAY_SHIFTS = [(8, 16.5), (9, 17.5), (8, 16.5), (11.5, 20), (11.5, 20)]
SATURDAY_SHIFTS = {3: (10, 16), 4: (10, 16)}


def _at(day: date, hour: float, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(int(hour), int(hour % 1 * 60)), tzinfo=zone)


def load_demo_workforce(store: Store, *, lead: User, agents: list[User]) -> dict[str, int]:
    zone = ZoneInfo(store.timezone)
    now = timezone.now()
    this_monday = intervals.week_start(now.astimezone(zone).date())
    first = Conversation.objects.filter(store=store).aggregate(first=Min("created_at"))["first"] or now
    do_save_staffing_targets(None, store, service_level=0.8, target_s=120, max_occupancy=0.85, shrinkage=0.15)
    imported = do_import_contact_volume(None, store, history_rows(store, this_monday, first), source="demo history")
    owner = Membership.objects.filter(store=store, role=Role.ADMIN, user__is_active=True).order_by("id").first()
    people = [*([owner.user] if owner else []), lead, *agents]
    shifts = 0
    for week in (0, 1):
        monday = this_monday + timedelta(weeks=week)
        for weekday in range(6):
            day = monday + timedelta(days=weekday)
            plan = dict(enumerate(WEEKDAY_SHIFTS)) if weekday < 5 else SATURDAY_SHIFTS
            for n, (start, end) in plan.items():
                if n < len(people):
                    do_save_shift(
                        None, store, user=people[n], starts_at=_at(day, start, zone), ends_at=_at(day, end, zone)
                    )
                    shifts += 1
    return {"imported_intervals": imported, "shifts": shifts}
