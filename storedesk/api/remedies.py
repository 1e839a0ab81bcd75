"""/orders/…/remedies, /orders/approvals, /orders/remedies/budget, /orders/authority: issue
remedies within limits, decide approvals, see what was given, set who may give what.

Thin: parse, scope through `core.access`, call one action (commerce.remedies / authority)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema
from ninja import Status as WithStatus
from pydantic import ConfigDict, Field, field_validator

from storedesk.api.auth import caller
from storedesk.api.lookups import get_store
from storedesk.api.order_schemas import RemedyOut
from storedesk.api.orders import get_order
from storedesk.api.pagination import PageParams, paginate_params
from storedesk.api.schemas import Id, StoreRef
from storedesk.commerce import authority, reports
from storedesk.commerce.authority import Limits
from storedesk.commerce.lib.money import MoneyError, to_decimal_string, to_minor
from storedesk.commerce.models import ApprovalRequest, Order, Remedy
from storedesk.commerce.remedies import RemedyRequest, do_decide_approval, do_request_remedy
from storedesk.conversations.models import Conversation
from storedesk.core.access import access_object, has_permission, store_ids_for
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.models import Store, User

router = Router(tags=["remedies"])


class RemedyLineIn(Schema):
    line_id: Id = Field(description="the order line's id (lines[].id of the order)")
    quantity: int = Field(1, ge=1, le=100_000)


class RemedyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    type: Literal["refund", "cancel", "replacement", "discount_code", "store_credit", "address_change", "goodwill"]
    amount: str | None = Field(
        None,
        description='decimal string in the order\'s currency, e.g. "12.50"; computed for full, lines, shipping, cancel',
    )
    reason: str = Field("", max_length=2000)
    scope: Literal["full", "partial", "lines", "shipping"] | None = Field(
        None, description="refunds: full, partial (the amount), lines, or shipping; default lines if lines are given"
    )
    lines: list[RemedyLineIn] = Field(default_factory=list, max_length=200)
    address: dict[str, str] | None = Field(None, description="address_change: address1, city, zip, country_code, …")
    restock: bool = False
    conversation: Id | None = Field(None, description="the conversation to note it on")
    confirm_duplicate: bool = Field(False, description="issue it even if an identical remedy was just issued")
    situation: Literal["", "late_delivery", "missing_parcel", "damaged", "wrong_item"] = Field(
        "", description="the playbook situation it answers, for the consistency report"
    )

    @field_validator("amount", mode="before")
    @classmethod
    def _no_floats(cls, value: Any) -> Any:
        if isinstance(value, float):
            raise ValueError('amounts are decimal strings such as "12.50", not numbers')
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _remedy_request(order: Order, payload: RemedyIn) -> RemedyRequest:
    by_pk = {line.pk: line.external_id for line in order.lines.all()}
    lines = []
    for item in payload.lines:
        if item.line_id not in by_pk:
            raise ActionError(f"Line {item.line_id} is not on order {order.name}.", code="invalid_line")
        lines.append((by_pk[item.line_id], item.quantity))
    try:
        amount = to_minor(payload.amount, order.currency) if payload.amount not in (None, "") else None
    except MoneyError as exc:
        raise ActionError(str(exc), code="invalid_amount") from None
    return RemedyRequest(
        kind=payload.type,
        amount=amount,
        reason=payload.reason,
        scope=payload.scope or ("lines" if lines else "partial"),
        lines=tuple(lines),
        address=payload.address,
        restock=payload.restock,
        confirm_duplicate=payload.confirm_duplicate,
        situation=payload.situation,
    )


def remedy_rows() -> QuerySet[Remedy]:
    return Remedy.objects.select_related(
        "order",
        "order__customer",
        "requested_by",
        "authorized_by",
        "approval",
        "approval__requested_by",
        "approval__decided_by",
    )


@router.post(
    "/{int:order_id}/remedies",
    response={201: RemedyOut, 202: RemedyOut},
    summary="Issue a remedy: 201 done or under way, 202 awaiting a lead's approval, 403 not allowed, 409 conflicting",
    description=(
        "Send an `Idempotency-Key` header (any unique string, e.g. a UUID): the same key again returns the first "
        "result and never issues a second remedy; the same key with a different request is a 409."
    ),
)
def issue_remedy(
    request: HttpRequest,
    response: HttpResponse,
    order_id: Id,
    payload: RemedyIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> WithStatus[Remedy]:
    user = caller(request)
    order = get_order(user, order_id)
    conversation = None
    if payload.conversation is not None:
        conversation = access_object(user, Conversation.objects.all(), payload.conversation, "conversation.note")
    outcome = do_request_remedy(
        user, order, _remedy_request(order, payload), idempotency_key=idempotency_key, conversation=conversation
    )
    remedy = remedy_rows().get(pk=outcome.remedy.pk)
    if not outcome.created:
        response["Idempotent-Replayed"] = "true"
    # 202 when it went to a lead; a replay answers like the first request did.
    return WithStatus(202 if _approval_of(remedy) is not None else 201, remedy)


def _approval_of(remedy: Remedy) -> ApprovalRequest | None:
    try:
        return remedy.approval
    except ApprovalRequest.DoesNotExist:
        return None


@router.get("/remedies/{int:remedy_id}", response=RemedyOut, summary="One remedy: its state, outcome and approval")
def read_remedy(request: HttpRequest, remedy_id: Id) -> Remedy:
    return access_object(caller(request), remedy_rows(), remedy_id, "order.view")


class ApprovalFilters(PageParams):
    store: str | None = Field(None, description="store id or slug")
    state: Literal["pending", "approved", "denied", "expired"] | None = "pending"


class RemedyPage(Schema):
    items: list[RemedyOut]
    next_cursor: str | None


@router.get("/approvals", response=RemedyPage, summary="Remedies awaiting (or past) a lead's decision, newest first")
def list_approvals(request: HttpRequest, filters: Query[ApprovalFilters]) -> Any:
    user = caller(request)
    if filters.store:
        store_ids = [get_store(user, filters.store, "remedy.approve").pk]
    else:
        store_ids = [sid for sid in store_ids_for(user) if has_permission(user, sid, "remedy.approve")]
    rows = remedy_rows().filter(store_id__in=store_ids, approval__isnull=False)
    if filters.state:
        rows = rows.filter(approval__state=filters.state)
    return paginate_params(rows, ("-created_at", "-id"), filters)


class DecisionIn(Schema):
    reason: str = Field("", max_length=2000)


def _decide(request: HttpRequest, remedy_id: int, approve: bool, payload: DecisionIn) -> Remedy:
    user = caller(request)
    remedy = access_object(user, remedy_rows(), remedy_id, "remedy.approve")
    approval = _approval_of(remedy)
    if approval is None:
        raise NotFound("This remedy has no approval request.")
    do_decide_approval(user, approval, approve=approve, reason=payload.reason)
    return remedy_rows().get(pk=remedy.pk)


@router.post(
    "/remedies/{int:remedy_id}/approve", response=RemedyOut, summary="Approve a remedy (lead; within your own limits)"
)
def approve_remedy(request: HttpRequest, remedy_id: Id, payload: DecisionIn) -> Remedy:
    return _decide(request, remedy_id, True, payload)


@router.post("/remedies/{int:remedy_id}/deny", response=RemedyOut, summary="Deny a remedy, with a reason (lead)")
def deny_remedy(request: HttpRequest, remedy_id: Id, payload: DecisionIn) -> Remedy:
    return _decide(request, remedy_id, False, payload)


class BudgetFilters(Schema):
    store: str = Field(description="store id or slug")
    since: datetime | None = Field(None, description="default: the start of this month (store time)")
    until: datetime | None = Field(None, description="default: the start of next month")


class AgentTotalOut(Schema):
    agent_id: int | None
    name: str
    total: str
    count: int
    by_kind: dict[str, str]


class BudgetOut(Schema):
    since: datetime
    until: datetime
    currency: str
    total: str
    count: int
    by_kind: dict[str, str]
    by_agent: list[AgentTotalOut]
    budget: str | None
    used_percent: int | None
    other_currencies: dict[str, int]


@router.get(
    "/remedies/budget", response=BudgetOut, summary="What was given away, per kind and agent, against budget (lead)"
)
def remedy_budget(request: HttpRequest, filters: Query[BudgetFilters]) -> dict[str, Any]:
    store = get_store(caller(request), filters.store, "remedy.report")
    if (filters.since is None) != (filters.until is None):
        raise ActionError("Give both since and until, or neither.", code="invalid_period")
    report = reports.remedy_budget(store, filters.since, filters.until)
    cur = report.currency
    return {
        "since": report.since,
        "until": report.until,
        "currency": cur,
        "total": to_decimal_string(report.total, cur),
        "count": report.count,
        "by_kind": {k: to_decimal_string(v, cur) for k, v in report.by_kind.items()},
        "by_agent": [
            {
                "agent_id": a.agent_id,
                "name": a.name,
                "total": to_decimal_string(a.total, cur),
                "count": a.count,
                "by_kind": {k: to_decimal_string(v, cur) for k, v in a.by_kind.items()},
            }
            for a in report.by_agent
        ],
        "budget": to_decimal_string(report.budget, cur) if report.budget is not None else None,
        "used_percent": report.used_percent,
        "other_currencies": report.other_currencies,
    }


# --- the authority matrix ----------------------------------------------------------------------


class LimitsOut(Schema):
    allowed: bool
    max_per_action: str | None
    max_per_day: str | None
    source: str  # default, role or agent


class AgentRuleOut(Schema):
    agent_id: int
    email: str
    type: str
    limits: LimitsOut


class AuthorityOut(Schema):
    currency: str
    roles: dict[str, dict[str, LimitsOut]]
    agents: list[AgentRuleOut]


def _limits_out(limits: Limits) -> dict[str, Any]:
    def amount(value: int | None) -> str | None:
        return None if value is None else to_decimal_string(value, limits.currency)

    return {
        "allowed": limits.allowed,
        "max_per_action": amount(limits.max_per_action),
        "max_per_day": amount(limits.max_per_day),
        "source": limits.source,
    }


def _authority(store: Store) -> dict[str, Any]:
    table, agent_rules = authority.matrix(store)
    currency = authority.store_currency(store)
    return {
        "currency": currency,
        "roles": {role: {kind: _limits_out(lim) for kind, lim in kinds.items()} for role, kinds in table.items()},
        "agents": [
            {
                "agent_id": rule.user_id,
                "email": rule.user.email if rule.user else "",
                "type": rule.kind,
                "limits": _limits_out(Limits(rule.allowed, rule.max_per_action, rule.max_per_day, currency, "agent")),
            }
            for rule in agent_rules
        ],
    }


@router.get(
    "/authority", response=AuthorityOut, summary="The authority matrix in effect: per role and per agent (lead)"
)
def read_authority(request: HttpRequest, store: str = Query(..., description="store id or slug")) -> dict[str, Any]:
    return _authority(get_store(caller(request), store, "remedy.report"))


class AuthorityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: StoreRef
    type: Literal["refund", "cancel", "replacement", "discount_code", "store_credit", "address_change", "goodwill"]
    role: Literal["agent", "lead", "admin"] | None = None
    agent: Id | None = Field(None, description="an agent's user id: their own limits, overriding their role's")
    allowed: bool = True
    max_per_action: str | None = Field(None, description="decimal string in the store currency; null = no limit")
    max_per_day: str | None = Field(None, description="decimal string in the store currency; null = no limit")


@router.put(
    "/authority", response=AuthorityOut, summary="Set a role's or an agent's limits for one type of remedy (admin)"
)
def set_authority(request: HttpRequest, payload: AuthorityIn) -> dict[str, Any]:
    user = caller(request)
    store = get_store(user, payload.store, "authority.manage")
    agent = None
    if payload.agent is not None:
        agent = User.objects.filter(pk=payload.agent, memberships__store=store).first()
        if agent is None:
            raise NotFound(f"Agent {payload.agent} not found in this store.")
    currency = authority.store_currency(store)
    try:
        per_action = to_minor(payload.max_per_action, currency) if payload.max_per_action else None
        per_day = to_minor(payload.max_per_day, currency) if payload.max_per_day else None
    except MoneyError as exc:
        raise ActionError(str(exc), code="invalid_amount") from None
    authority.do_set_authority_rule(
        user,
        store,
        payload.type,
        role=payload.role or "",
        user=agent,
        allowed=payload.allowed,
        max_per_action=per_action,
        max_per_day=per_day,
    )
    return _authority(store)


class ReturnReasonsFilters(Schema):
    store: str = Field(description="store id or slug")
    since: datetime | None = Field(None, description="default: the start of this month (store time)")
    until: datetime | None = Field(None, description="default: the start of next month")


class ReturnReasonOut(Schema):
    title: str
    sku: str
    reason: str = Field(
        description="damaged, wrong_item, not_as_described, does_not_fit, arrived_late, changed_mind, other"
    )
    quantity: int
    returns: int


@router.get(
    "/returns/reasons",
    response=list[ReturnReasonOut],
    summary="Why products come back: items returned per product and reason (lead)",
)
def return_reasons(request: HttpRequest, filters: Query[ReturnReasonsFilters]) -> list[reports.ReasonRow]:
    store = get_store(caller(request), filters.store, "remedy.report")
    if (filters.since is None) != (filters.until is None):
        raise ActionError("Give both since and until, or neither.", code="invalid_period")
    return reports.return_reasons(store, filters.since, filters.until)


class ConsistencyRowOut(Schema):
    situation: str
    agent_id: int | None
    name: str
    kind: str
    currency: str
    count: int
    total: str


@router.get(
    "/remedies/consistency",
    response=list[ConsistencyRowOut],
    summary="For each playbook situation, which remedies each agent gave (lead)",
)
def remedy_consistency(request: HttpRequest, filters: Query[ReturnReasonsFilters]) -> list[dict[str, Any]]:
    store = get_store(caller(request), filters.store, "remedy.report")
    if (filters.since is None) != (filters.until is None):
        raise ActionError("Give both since and until, or neither.", code="invalid_period")
    return [
        {**row.__dict__, "total": to_decimal_string(row.total, row.currency)}
        for row in reports.remedy_consistency(store, filters.since, filters.until)
    ]
