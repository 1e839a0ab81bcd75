"""/conversations: the inbox list, one conversation, proactive create, update, merge."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja import Status as WithStatus
from pydantic import AwareDatetime, Field, model_validator

from storedesk.api.auth import caller
from storedesk.api.lookups import MAX_ID, get_store
from storedesk.api.pagination import PageParams, paginate_params
from storedesk.api.schemas import ConversationOut, ConversationPage, Id, MergeIn, StoreRef
from storedesk.conversations import actions
from storedesk.conversations.models import Channel, Conversation, Customer, Priority, Status
from storedesk.core.access import access_object, scoped
from storedesk.core.errors import ActionError
from storedesk.core.models import Team, User

router = Router(tags=["conversations"])

# Newest activity first; the cursor is (last_message_at, id). Serves: conv_inbox_recent_idx.
ORDERING = ("-last_message_at", "-id")


def conversation_rows() -> QuerySet[Conversation]:
    """Conversations with everything a list row shows, in a constant number of queries."""
    return Conversation.objects.select_related("customer", "assignee", "team").prefetch_related("tags")


def get_conversation(user: User, conversation_id: int) -> Conversation:
    return access_object(user, conversation_rows(), conversation_id, "conversation.view")


class ConversationFilters(PageParams):
    store: str | None = Field(None, description="store id or slug")
    status: Status | None = None
    assignee: str | None = Field(None, description="a user id, `me`, or `none` (unassigned)")
    team: Id | None = None
    channel: Channel | None = None
    tag: str | None = Field(None, description="tag name")
    customer: Id | None = None


def _filtered(user: User, f: ConversationFilters) -> QuerySet[Conversation]:
    rows = conversation_rows()
    rows = rows.filter(store=get_store(user, f.store)) if f.store else scoped(user, rows)
    if f.assignee == "me":
        rows = rows.filter(assignee=user)
    elif f.assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif f.assignee is not None:
        if not f.assignee.isdigit() or int(f.assignee) > MAX_ID:
            raise ActionError("assignee must be a user id, `me` or `none`.", code="invalid_filter")
        rows = rows.filter(assignee_id=int(f.assignee))
    conditions: dict[str, Any] = {
        "status": f.status,
        "team_id": f.team,
        "channel": f.channel,
        "tags__name": f.tag,
        "customer_id": f.customer,
    }
    return rows.filter(**{k: v for k, v in conditions.items() if v is not None})


@router.get("", response=ConversationPage, summary="List conversations, newest activity first")
def list_conversations(request: HttpRequest, filters: Query[ConversationFilters]) -> Any:
    return paginate_params(_filtered(caller(request), filters), ORDERING, filters)


@router.get("/{int:conversation_id}", response=ConversationOut)
def read_conversation(request: HttpRequest, conversation_id: Id) -> Conversation:
    return get_conversation(caller(request), conversation_id)


class ConversationCreateIn(Schema):
    store: StoreRef
    customer_id: Id | None = None
    customer_email: str | None = Field(None, max_length=320, description="found or created by this email")
    customer_name: str = Field("", max_length=200, description="for a customer created by email")
    channel: Channel = Channel.EMAIL
    subject: str = Field("", max_length=500)
    body_text: str = ""
    body_html: str = ""
    priority: Priority = Priority.NORMAL

    @model_validator(mode="after")
    def one_customer(self) -> ConversationCreateIn:
        if (self.customer_id is None) == (self.customer_email is None):
            raise ValueError("give either customer_id or customer_email")
        if self.customer_email is not None and "@" not in self.customer_email.strip(" @"):
            raise ValueError("customer_email is not an email address")
        return self


@router.post("", response={201: ConversationOut}, summary="Start an outbound conversation with a customer")
def create_conversation(request: HttpRequest, payload: ConversationCreateIn) -> WithStatus[Conversation]:
    user = caller(request)
    store = get_store(user, payload.store, "conversation.create")
    with transaction.atomic():
        if payload.customer_id is not None:
            customer = access_object(user, Customer.objects.filter(store=store), payload.customer_id, "customer.view")
            if customer.merged_into_id is not None:
                raise ActionError(
                    f"Customer {customer.pk} was merged into {customer.merged_into_id}: use that one.",
                    code="customer_merged",
                )
        else:
            customer, _ = actions.resolve_customer(
                store, "email", payload.customer_email or "", name=payload.customer_name
            )
        conversation = actions.do_create_conversation(
            store=store,
            customer=customer,
            channel=payload.channel,
            subject=payload.subject,
            body_text=payload.body_text,
            body_html=payload.body_html,
            priority=payload.priority,
            actor=user,
        )
    return WithStatus(201, get_conversation(user, conversation.pk))


class ConversationPatchIn(Schema):
    status: Status | None = None
    snoozed_until: AwareDatetime | None = Field(None, description="snooze until then (status becomes snoozed)")
    priority: Priority | None = None
    assignee_id: Id | None = Field(None, description="null unassigns")
    team_id: Id | None = Field(None, description="null clears the team")
    subject: str | None = Field(None, max_length=500)
    add_tags: list[str] = Field(default_factory=list)
    remove_tags: list[str] = Field(default_factory=list)


def _member(conversation: Conversation, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, memberships__store_id=conversation.store_id).first()
    if user is None:
        raise ActionError(f"User {user_id} is not an agent of this store.", code="invalid_assignee")
    return user


def _team(conversation: Conversation, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id, store_id=conversation.store_id).first()
    if team is None:
        raise ActionError(f"Team {team_id} is not a team of this store.", code="invalid_team")
    return team


def _apply_patch(user: User, conversation: Conversation, p: ConversationPatchIn) -> None:
    given = p.model_fields_set
    if "assignee_id" in given or "team_id" in given:
        assignee = _member(conversation, p.assignee_id) if "assignee_id" in given else conversation.assignee
        team = _team(conversation, p.team_id) if "team_id" in given else ...
        actions.do_assign(user, conversation, assignee=assignee, team=team)
    if p.snoozed_until is not None:
        if p.status not in (None, Status.SNOOZED):
            raise ActionError("snoozed_until goes with status snoozed (or no status).", code="invalid_snooze")
        actions.do_snooze(user, conversation, p.snoozed_until)
    elif p.status is not None:
        actions.do_set_status(user, conversation, p.status)
    if p.priority is not None:
        actions.do_set_priority(user, conversation, p.priority)
    if p.subject is not None:
        actions.do_set_subject(user, conversation, p.subject)
    if p.add_tags or p.remove_tags:
        actions.do_tag(user, conversation, add=p.add_tags, remove=p.remove_tags)


@router.patch("/{int:conversation_id}", response=ConversationOut, summary="Change status, assignee, tags, …")
def update_conversation(request: HttpRequest, conversation_id: Id, payload: ConversationPatchIn) -> Conversation:
    user = caller(request)
    conversation = get_conversation(user, conversation_id)
    nullable = {"assignee_id", "team_id"}  # for these, an explicit null is a change
    if not {k for k in payload.model_fields_set if k in nullable or getattr(payload, k) not in (None, [])}:
        fields = ", ".join(ConversationPatchIn.model_fields)
        raise ActionError(f"Nothing to change: send any of {fields}.", code="empty_update")
    with transaction.atomic():  # all changes, or none
        _apply_patch(user, conversation, payload)
    return get_conversation(user, conversation_id)


@router.post("/{int:conversation_id}/merge", response=ConversationOut, summary="Merge into another conversation")
def merge_conversation(request: HttpRequest, conversation_id: Id, payload: MergeIn) -> Conversation:
    user = caller(request)
    source = get_conversation(user, conversation_id)
    target = get_conversation(user, payload.into)
    merged = actions.do_merge_conversations(user, source, target)
    return get_conversation(user, merged.pk)
