"""Carrier tracking webhooks for return parcels: POST /returns/<store slug>/carrier/<name>/webhook.

No session and no CSRF token: the carrier proves itself with the body signature, checked by
`commerce.carrier_webhooks.do_receive_carrier_webhook` (401 when it does not verify). The
event is stored before anything else and processed by a job; a replay answers duplicate.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from storedesk.commerce.carrier_webhooks import do_receive_carrier_webhook
from storedesk.core.errors import ActionError
from storedesk.core.models import Store


@csrf_exempt
@require_POST
def carrier_webhook(request: HttpRequest, slug: str, carrier: str) -> JsonResponse:
    store = get_object_or_404(Store, slug=slug)
    try:
        row, created = do_receive_carrier_webhook(store, carrier, request.body, dict(request.headers))
    except ActionError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=exc.status_code)
    return JsonResponse({"received": True, "duplicate": not created, "id": row.pk})
