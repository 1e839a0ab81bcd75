"""Business hours, SLA policies and each conversation's SLA clocks.

Every index names the query it serves. Rows are written only by `automation.actions`.
Why the clocks live in their own table rather than on Conversation: docs/decisions/ (SLA ADR).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone

from storedesk.conversations.models import Channel, Conversation, Status
from storedesk.core.lib.business_hours import Schedule
from storedesk.core.models import Store, Team


class BusinessHours(models.Model):
    """Opening hours of a store (team = None: the store's default) or of one team.

    `week` and `holidays` are the JSON form read by `core.lib.business_hours.Schedule`:
    {"mon": [["09:00", "17:00"]], …} and [{"date": "2026-12-24", "open": [["09:00", "13:00"]]}, …].
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100, default="Business hours")
    timezone = models.CharField(max_length=64, blank=True)  # empty: the store's time zone
    week = models.JSONField(default=dict, blank=True)
    holidays = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            # Serves: the store's default hours (one per store).
            models.UniqueConstraint(fields=["store"], condition=Q(team__isnull=True), name="hours_store_default_uniq"),
            # Serves: a team's hours when an SLA or the expected wait runs on the team's clock.
            models.UniqueConstraint(fields=["store", "team"], condition=Q(team__isnull=False), name="hours_team_uniq"),
        ]

    def __str__(self) -> str:
        return self.name

    def schedule(self, default_tz: str = "UTC") -> Schedule:
        return Schedule.from_json(
            {"timezone": self.timezone or default_tz, "week": self.week, "holidays": self.holidays}, default_tz
        )


class TimeBasis(models.TextChoices):
    BUSINESS = "business", "Business hours"
    CALENDAR = "calendar", "Calendar time (24/7)"


class CustomerTier(models.TextChoices):
    ANY = "any", "Any customer"
    VIP = "vip", "VIP customers"
    STANDARD = "standard", "Non-VIP customers"


class SlaPolicy(models.Model):
    """Targets for the conversations it matches. The first active policy (by position) whose
    conditions all hold applies; an empty condition matches anything."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=100)  # lower is tried first
    is_active = models.BooleanField(default=True)
    # Conditions.
    channels = models.JSONField(default=list, blank=True)  # e.g. ["email"]; [] = any channel
    priorities = models.JSONField(default=list, blank=True)  # e.g. [2, 3]; [] = any priority
    customer_tier = models.CharField(max_length=16, choices=CustomerTier.choices, default=CustomerTier.ANY)
    tags = models.JSONField(default=list, blank=True)  # tag names; matches if the conversation has any
    # Targets in seconds (None: no target of that kind).
    first_response_s = models.PositiveIntegerField(null=True, blank=True)
    next_response_s = models.PositiveIntegerField(null=True, blank=True)
    resolution_s = models.PositiveIntegerField(null=True, blank=True)
    time_basis = models.CharField(max_length=16, choices=TimeBasis.choices, default=TimeBasis.BUSINESS)
    # Business hours to count in; None: the conversation's team hours, else the store's default hours.
    business_hours = models.ForeignKey(
        BusinessHours, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Statuses during which no clock runs (resolved always stops them).
    pause_statuses = models.JSONField(default=list, blank=True)
    warn_before_pct = models.PositiveSmallIntegerField(default=20)  # warn when this share of a target is left
    # Escalation when a target is breached.
    escalate_priority = models.SmallIntegerField(null=True, blank=True)  # raise to at least this
    escalate_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalate_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notify_leads = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            # Serves: matching a conversation: store_id = ? AND is_active ORDER BY position, id.
            models.Index(fields=["store", "position", "id"], name="slapolicy_match_idx", condition=Q(is_active=True)),
        ]

    def __str__(self) -> str:
        return self.name


DEFAULT_PAUSE_STATUSES = [Status.PENDING.value, Status.SNOOZED.value]


class DefaultPolicy:
    """What applies to an email no store policy matches: first response within 24 hours of
    calendar time. Other channels get no SLA until the store defines one."""

    pk = None
    name = "Default: email first response within 24 h"
    channels = [Channel.EMAIL.value]
    first_response_s: int | None = 24 * 3600
    next_response_s: int | None = None
    resolution_s: int | None = None
    time_basis = TimeBasis.CALENDAR.value
    business_hours = None
    business_hours_id = None
    pause_statuses = DEFAULT_PAUSE_STATUSES
    warn_before_pct = 20
    escalate_priority = None
    escalate_team = None
    escalate_team_id = None
    escalate_agent = None
    escalate_agent_id = None
    notify_leads = False


class SlaKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class ConversationSla(models.Model):
    """One conversation's SLA clocks. Created when the customer first writes and a policy (or
    the email default) applies. Everything but the event bits (`started_at`,
    `next_response_started_at`, `pauses`, the counters and the sticky flags) is derived and
    recomputed by `automation.sla.refresh` on every relevant change."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="sla")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    policy_name = models.CharField(max_length=120, blank=True)  # as applied (also for the built-in default)
    started_at = models.DateTimeField()  # the customer's first message (a chat the bot held: its hand-off)
    # First response: due from started_at; achieved by the first agent reply.
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_warned = models.BooleanField(default=False)
    first_response_breached = models.BooleanField(default=False)
    # Next response: a clock per customer message that follows an agent reply.
    next_response_started_at = models.DateTimeField(null=True, blank=True)  # None: no customer waiting
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_warned = models.BooleanField(default=False)
    next_response_breached = models.BooleanField(default=False)  # the running clock's
    next_response_met = models.PositiveIntegerField(default=0)
    next_response_missed = models.PositiveIntegerField(default=0)
    # Resolution: due from started_at; achieved when resolved (a reopen resumes it).
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_warned = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    # Pauses: while the status is one of the policy's pause statuses (or resolved) no clock runs.
    paused_at = models.DateTimeField(null=True, blank=True)  # the open pause, if any
    paused_total_s = models.PositiveIntegerField(default=0)  # closed pauses, calendar seconds
    pauses = models.JSONField(default=list, blank=True)  # closed pauses: [[start ISO, end ISO], …]
    # The soonest unmet due time (None while paused or when nothing is due): the inbox sort key.
    due_at = models.DateTimeField(null=True, blank=True)
    due_kind = models.CharField(max_length=16, choices=SlaKind.choices, blank=True)
    # When the periodic check must look at this row next (a warning or a breach), else None.
    next_check_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [
            # Serves: the inbox sorted by SLA due, soonest (most overdue) first:
            #   store_id = ? AND due_at IS NOT NULL ORDER BY due_at, conversation_id LIMIT 51
            models.Index(
                fields=["store", "due_at", "conversation"], name="sla_due_idx", condition=Q(due_at__isnull=False)
            ),
            # Serves: the periodic check: next_check_at <= now ORDER BY next_check_at LIMIT 500.
            models.Index(fields=["next_check_at"], name="sla_check_idx", condition=Q(next_check_at__isnull=False)),
            # Serves: achievement reports: store_id IN (…) AND started_at >= ? AND started_at < ?.
            models.Index(fields=["store", "started_at"], name="sla_store_started_idx"),
        ]

    def __str__(self) -> str:
        return f"SLA of conversation {self.conversation_id}"


class AgentStatus(models.TextChoices):
    ONLINE = "online", "Online"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


# Open conversations an agent may hold per channel unless their profile says otherwise.
DEFAULT_CAPACITY: dict[str, int] = {"chat": 3, "phone": 1, "email": 25, "social": 10, "sms": 10, "api": 25}


class AgentProfile(models.Model):
    """An agent's availability and routing attributes in one store."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    # CASCADE: agents are deactivated, never deleted; a deleted agent's profile goes with them.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=AgentStatus.choices, default=AgentStatus.OFFLINE)
    status_changed_at = models.DateTimeField(default=dj_timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)  # activity: auto-away after idling
    capacity = models.JSONField(default=dict, blank=True)  # channel → max open conversations
    skills = models.JSONField(default=list, blank=True)  # e.g. ["fr", "vip", "social", "bikes"]
    last_assigned_at = models.DateTimeField(null=True, blank=True)  # round robin: longest idle first
    auto_away = models.BooleanField(default=False)  # set away by the idle check: activity brings them back

    class Meta:
        constraints = [
            # Serves: one agent's profile in a store (status changes, routing explanations).
            models.UniqueConstraint(fields=["store", "user"], name="agentprofile_store_user_uniq"),
        ]
        indexes = [
            # Serves: the agents online in a store (routing candidates, expected wait).
            models.Index(fields=["store", "status"], name="agentprofile_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.store_id}: {self.status}"

    def capacity_for(self, channel: str) -> int:
        return int(self.capacity.get(channel, DEFAULT_CAPACITY.get(channel, 10)))


class WaitPromise(models.Model):
    """What a customer was told to expect when they first wrote (the store's published
    estimate at that moment), and how long the first reply then took."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="wait_promise")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    promised_at = models.DateTimeField()
    promised_wait_s = models.PositiveIntegerField()
    method = models.CharField(max_length=16)  # erlang_c, queue, backlog
    answered_at = models.DateTimeField(null=True, blank=True)
    actual_wait_s = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            # Serves: the promised-vs-actual report: store_id IN (…) AND promised_at in a period.
            models.Index(fields=["store", "promised_at"], name="waitpromise_store_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.promised_wait_s}s promised on {self.conversation_id}"


class RoutingRule(models.Model):
    """Where new conversations go: the first active rule (by position) whose conditions all
    hold sends the conversation to its team and asks for its skills. Empty conditions match."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    channels = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    customer_tier = models.CharField(max_length=16, choices=CustomerTier.choices, default=CustomerTier.ANY)
    languages = models.JSONField(default=list, blank=True)  # the customer's language, e.g. ["fr", "de"]
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    required_skills = models.JSONField(default=list, blank=True)  # every one of these, e.g. ["social"]
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            # Serves: routing a new conversation: store_id = ? AND is_active ORDER BY position, id.
            models.Index(fields=["store", "position", "id"], name="routingrule_match_idx", condition=Q(is_active=True)),
        ]

    def __str__(self) -> str:
        return self.name


class CallbackSource(models.TextChoices):
    WIDGET = "widget", "Requested in the chat widget"
    IVR = "ivr", "Requested on the phone menu"
    AGENT = "agent", "Booked by an agent"
    MISSED_CALL = "missed_call", "Missed call"


class CallbackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", "Reached"
    VOICEMAIL = "voicemail", "Left a voicemail"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"


class CallbackTask(models.Model):
    """A customer to call back. `due_at` is its SLA: the time the customer was promised (the
    estimated callback time, or the start of their preferred slot), moved to the retry time
    after a failed attempt. Written only by automation.actions.callbacks."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "conversations.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    phone = models.CharField(max_length=40)
    name = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=16, choices=CallbackSource.choices)
    status = models.CharField(max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.QUEUED)
    preferred_slots = models.JSONField(default=list, blank=True)  # [[start ISO, end ISO], …]
    promised_at = models.DateTimeField()  # the estimated callback time told to the customer
    due_at = models.DateTimeField()  # when the next attempt is due
    attempts = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=CallbackOutcome.choices, blank=True)  # the last one
    log = models.JSONField(default=list, blank=True)  # [{"at", "outcome", "agent_id", "notes", "retry_at"}, …]
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Serves: the callback queue: store_id IN (…) AND status = 'queued' ORDER BY due_at, id.
            models.Index(fields=["store", "due_at", "id"], name="callback_queue_idx", condition=Q(status="queued")),
            # Serves: one customer's open callbacks (a repeat request or missed call joins it): store_id = ? AND phone = ?.
            models.Index(fields=["store", "phone"], name="callback_phone_idx", condition=Q(status="queued")),
        ]

    def __str__(self) -> str:
        return f"Call back {self.phone} by {self.due_at:%Y-%m-%d %H:%M}"


class VoiceEvent(models.Model):
    """A voice provider's webhook, stored as received before it is processed (replays of the
    same call status are ignored)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    call_sid = models.CharField(max_length=64)
    call_status = models.CharField(max_length=32)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=dj_timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Serves: idempotent intake: one row per (store, call, status).
            models.UniqueConstraint(fields=["store", "call_sid", "call_status"], name="voiceevent_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.call_sid} {self.call_status}"


class Shift(models.Model):
    """One agent's dated shift in a store (workforce planning: the schedule the coverage view
    compares with the required agents). Written only by automation.actions.shifts."""

    # At most this long: the actions refuse longer ones, and reads find the shifts overlapping a
    # window by their start within MAX_LENGTH before it (the starts_at index serves that).
    MAX_LENGTH = timedelta(hours=16)

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    # CASCADE: agents are deactivated, never deleted; a deleted agent's shifts go with them.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [
            # Serves: a store's shifts in a week (schedule, coverage):
            #   store_id = ? AND starts_at >= <week start − longest shift> AND starts_at < <week end>.
            models.Index(fields=["store", "starts_at"], name="shift_store_start_idx"),
            # Serves: an agent's overlapping shifts when one is saved: store_id = ? AND user_id = ? AND starts_at < ?.
            models.Index(fields=["store", "user", "starts_at"], name="shift_agent_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"Shift {self.user_id} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class ContactVolume(models.Model):
    """Contacts per channel and 30-minute interval imported from before the store used
    Storedesk (its previous helpdesk or phone system), so the workforce forecast has history
    from day one. Storedesk's own conversations are counted on top: import only periods before
    them. Written only by automation.actions.volumes."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    interval_start = models.DateTimeField()  # UTC, on a half hour
    contacts = models.PositiveIntegerField()
    source = models.CharField(max_length=64, blank=True)  # e.g. "zendesk export 2026-10"

    class Meta:
        constraints = [
            # Serves: idempotent import (one row per store, channel and interval) and the forecast's
            #   history: store_id = ? AND interval_start >= ? AND interval_start < ? GROUP BY channel, interval_start.
            models.UniqueConstraint(fields=["store", "interval_start", "channel"], name="contactvolume_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.interval_start:%Y-%m-%d %H:%M}: {self.contacts}"
