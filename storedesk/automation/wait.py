"""Honest expected wait, per store and channel, from what is happening now.

- Live channels (chat, phone): a queue of servers. Servers are the online agents times their
  concurrent capacity on the channel. With customers already waiting, a newcomer waits for
  the ones ahead to be taken: (waiting + 1) × AHT / servers. With nobody waiting, the Erlang C
  average speed of answer for the current arrival rate (core.lib.erlang_c). Closed or nobody
  online: no estimate (the widget offers email or a callback instead).
- Email and other asynchronous channels: the backlog of unanswered conversations divided by
  the first replies the store actually sent per open hour over the past week (or, without
  history, what the online agents can do at the channel's AHT), laid over the opening hours —
  so an email on Friday evening is promised Monday, not "2 hours".

Estimates are cached per store and channel for a minute (the public endpoint, the widget and
every new conversation read the same number). The number a customer was shown is recorded on
their conversation (`WaitPromise`) and compared later with the first reply.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from storedesk.automation.bot.hold import bot_enabled, handed_off
from storedesk.automation.models import AgentProfile, AgentStatus, BusinessHours
from storedesk.conversations.models import Channel, Conversation, Status
from storedesk.core.lib.business_hours import Schedule
from storedesk.core.lib.erlang_c import average_speed_of_answer, wait_probability
from storedesk.core.models import Store

LIVE_CHANNELS = {Channel.CHAT.value, Channel.PHONE.value}
DEFAULT_AHT_S = {"chat": 360, "phone": 300, "email": 600, "social": 420, "sms": 420, "api": 600}
DEFAULT_PUBLIC_CHANNELS = ["email", "chat"]
ARRIVAL_WINDOW = timedelta(hours=1)
THROUGHPUT_WINDOW = timedelta(days=7)
CACHE_SECONDS = 60
CACHE_TTL = timedelta(seconds=CACHE_SECONDS)


@dataclass(frozen=True)
class WaitInputs:
    channel: str
    now: datetime
    schedule: Schedule
    backlog: int  # open conversations on the channel with no reply yet
    arrivals_per_hour: float  # new conversations on the channel over the past hour
    aht_s: float  # average handling time per contact
    servers: int  # live channels: online agents × capacity; async: online agents
    replies_per_open_hour: float | None = None  # async: first replies per open hour, past week


@dataclass(frozen=True)
class Estimate:
    channel: str
    open_now: bool
    expected_wait_s: int | None  # None: no estimate (closed live channel, nobody online)
    reply_by: datetime | None
    next_open_at: datetime | None
    method: str  # erlang_c, queue, backlog, closed, no_agents
    waiting_probability: float | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("reply_by", "next_open_at"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        if data["waiting_probability"] is not None:
            data["waiting_probability"] = round(data["waiting_probability"], 3)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Estimate:
        values = dict(data)
        for key in ("reply_by", "next_open_at"):
            values[key] = datetime.fromisoformat(values[key]) if values[key] else None
        return cls(**values)


def _minutes(seconds: float) -> int:
    """Round up to whole minutes: promise a little more rather than a little less."""
    return int(math.ceil(max(seconds, 0) / 60) * 60)


def estimate(inputs: WaitInputs) -> Estimate:
    """The pure computation; `load_inputs` gathers the numbers."""
    now, schedule, channel = inputs.now, inputs.schedule, inputs.channel
    open_now = schedule.is_open(now)
    next_open = None if open_now else schedule.next_open(now)
    if channel in LIVE_CHANNELS:
        if not open_now:
            return Estimate(channel, False, None, None, next_open, "closed")
        if inputs.servers <= 0:
            return Estimate(channel, True, None, None, None, "no_agents")
        load = inputs.arrivals_per_hour * inputs.aht_s / 3600
        if inputs.backlog > 0 or inputs.servers <= load:
            wait = _minutes((inputs.backlog + 1) * inputs.aht_s / inputs.servers)
            return Estimate(channel, True, wait, now + timedelta(seconds=wait), None, "queue")
        wait = _minutes(average_speed_of_answer(inputs.servers, load, inputs.aht_s))
        return Estimate(
            channel,
            True,
            wait,
            now + timedelta(seconds=wait),
            None,
            "erlang_c",
            waiting_probability=wait_probability(inputs.servers, load),
        )
    rate = inputs.replies_per_open_hour or max(inputs.servers, 1) * 3600 / inputs.aht_s
    open_time_needed = timedelta(hours=(inputs.backlog + 1) / rate)
    reply_by = schedule.add_business_time(now, open_time_needed)
    wait = _minutes((reply_by - now).total_seconds())
    return Estimate(channel, open_now, wait, now + timedelta(seconds=wait), next_open, "backlog")


def store_schedule(store: Store) -> Schedule:
    hours = BusinessHours.objects.filter(store=store, team__isnull=True).first()
    return hours.schedule(store.timezone) if hours else Schedule.always_open(store.timezone)


def aht_for(store: Store, channel: str) -> float:
    configured = (store.settings.get("expected_wait") or {}).get("aht_s") or {}
    return float(configured.get(channel) or DEFAULT_AHT_S.get(channel, 600))


def public_channels(store: Store) -> list[str]:
    configured = (store.settings.get("expected_wait") or {}).get("channels")
    return [c for c in (configured or DEFAULT_PUBLIC_CHANNELS) if c in Channel.values]


def load_inputs(
    store: Store, channel: str, now: datetime, schedule: Schedule | None = None, exclude_id: int | None = None
) -> WaitInputs:
    """A few small counts, each on an indexed store filter. `exclude_id`: a conversation that
    is being opened right now and must not count as waiting ahead of itself."""
    schedule = schedule or store_schedule(store)
    conversations = Conversation.objects.filter(store=store, channel=channel)
    if exclude_id is not None:
        conversations = conversations.exclude(pk=exclude_id)
    waiting = conversations.filter(status=Status.OPEN, first_response_at__isnull=True)
    if channel == Channel.CHAT and bot_enabled(store):
        # Chats the bot still holds (unassigned, no hand-off yet) wait for nobody (ADR 0027).
        waiting = waiting.filter(Q(assignee__isnull=False) | handed_off())
    backlog = waiting.count()
    arrivals = conversations.filter(created_at__gte=now - ARRIVAL_WINDOW, created_at__lte=now).count()
    online = AgentProfile.objects.filter(store=store, status=AgentStatus.ONLINE, user__is_active=True)
    if channel in LIVE_CHANNELS:
        servers = sum(profile.capacity_for(channel) for profile in online)
        rate = None
    else:
        servers = online.count()
        replies = conversations.filter(
            first_response_at__gte=now - THROUGHPUT_WINDOW, first_response_at__lt=now
        ).count()
        open_hours = schedule.business_time_between(now - THROUGHPUT_WINDOW, now).total_seconds() / 3600
        rate = replies / open_hours if replies and open_hours else None
    return WaitInputs(
        channel=channel,
        now=now,
        schedule=schedule,
        backlog=backlog,
        arrivals_per_hour=arrivals * 3600 / ARRIVAL_WINDOW.total_seconds(),
        aht_s=aht_for(store, channel),
        servers=servers,
        replies_per_open_hour=rate,
    )


def _cache_key(store_id: int, channel: str) -> str:
    return f"storedesk:wait:{store_id}:{channel}"


def current_estimate(
    store: Store, channel: str, now: datetime | None = None, exclude_id: int | None = None
) -> Estimate:
    """The store's published estimate for a channel, at most a minute old. The entry carries
    the time it was computed for, so freshness is judged on our clock, not the cache's."""
    now = now or timezone.now()
    key = _cache_key(store.pk, channel)
    cached = cache.get(key)
    if cached is not None and timedelta(0) <= now - datetime.fromisoformat(cached["at"]) < CACHE_TTL:
        return Estimate.from_json(cached["estimate"])
    result = estimate(load_inputs(store, channel, now, exclude_id=exclude_id))
    cache.set(key, {"at": now.isoformat(), "estimate": result.as_json()}, CACHE_SECONDS)
    return result


def public_expected_wait(store: Store, now: datetime | None = None) -> dict[str, Any]:
    """What the store's contact page, widget and auto-acknowledgements may show: estimates
    and opening state only, never counts of conversations or agents."""
    now = now or timezone.now()
    channels = {}
    for channel in public_channels(store):
        result = current_estimate(store, channel, now)
        channels[channel] = {
            "open_now": result.open_now,
            "expected_wait_s": result.expected_wait_s,
            "reply_by": result.reply_by.isoformat() if result.reply_by else None,
            "next_open_at": result.next_open_at.isoformat() if result.next_open_at else None,
            "method": result.method,
        }
    return {"store": store.slug, "channels": channels}
