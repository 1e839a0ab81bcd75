"""The writer of the store settings commerce owns: the monthly goodwill budget and late-order
outreach. Other keys of `store.settings` are left as they are."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from storedesk.commerce.outreach import MODES
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError
from storedesk.core.models import Store, User

KEYS = ("remedy_budget_monthly", "late_outreach", "late_outreach_after_days", "late_outreach_sender")


def do_set_commerce_settings(actor: User | None, store: Store, **values: object) -> Store:
    """Set some of KEYS (admins only). The budget is a decimal string in the store currency
    ("" removes it); the outreach mode one of outreach.MODES; after_days a whole number ≥ 1."""
    if actor is not None:
        check_permission(actor, store.pk, "authority.manage")
    unknown = set(values) - set(KEYS)
    if unknown:
        raise ActionError(f"Unknown setting {sorted(unknown)[0]!r}.", code="invalid_setting")
    clean: dict[str, object] = {}
    if "remedy_budget_monthly" in values:
        raw = str(values["remedy_budget_monthly"] or "").strip()
        if raw:
            try:
                amount = Decimal(raw)
            except InvalidOperation:
                raise ActionError("The budget must be an amount such as 2500.00.", code="invalid_budget") from None
            if amount < 0 or amount != amount.quantize(Decimal("0.01")):
                raise ActionError("The budget must be an amount such as 2500.00.", code="invalid_budget")
            raw = str(amount)
        clean["remedy_budget_monthly"] = raw or None
    if "late_outreach" in values:
        if values["late_outreach"] not in MODES:
            raise ActionError("Late-order outreach is draft, send or off.", code="invalid_mode")
        clean["late_outreach"] = values["late_outreach"]
    if "late_outreach_after_days" in values:
        try:
            days = int(str(values["late_outreach_after_days"]))
        except ValueError:
            days = 0
        if not 1 <= days <= 60:
            raise ActionError("Days late must be between 1 and 60.", code="invalid_days")
        clean["late_outreach_after_days"] = days
    if "late_outreach_sender" in values:
        clean["late_outreach_sender"] = str(values["late_outreach_sender"] or "").strip().lower() or None
    with transaction.atomic():
        store = Store.objects.select_for_update().get(pk=store.pk)
        before = {key: store.settings.get(key) for key in clean}
        for key, value in clean.items():
            if value is None:
                store.settings.pop(key, None)
            else:
                store.settings[key] = value
        store.save(update_fields=["settings"])
        audit.record(
            store_id=store.pk, actor=actor, verb="store.commerce_settings", obj=store, before=before, after=clean
        )
    return store
