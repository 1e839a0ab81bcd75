"""`POST /api/v1/voice/<store_slug>/events`: a voice provider's call status webhook.

Form fields (Twilio's names): CallSid, From, To, CallStatus, Direction, CallDuration,
RecordingUrl. Verified with X-Twilio-Signature against the store's voice secret
(`store.settings["voice"]["secret"]`), stored as a VoiceEvent, then processed after commit of
the intake: a call on the customer's timeline, a missed call queued for a callback.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from storedesk.automation.actions.callbacks import do_receive_voice_event, do_store_voice_event
from storedesk.channels.phone.signature import verify
from storedesk.core.models import Store

logger = logging.getLogger(__name__)
FIELDS = ("CallSid", "From", "To", "CallStatus", "Direction", "CallDuration", "RecordingUrl")


def voice_secret(store: Store) -> str:
    return str((store.settings.get("voice") or {}).get("secret") or "")


@csrf_exempt
@require_POST
def voice_events(request: HttpRequest, store_slug: str) -> HttpResponse:
    store = Store.objects.filter(slug=store_slug).first()
    if store is None:
        return JsonResponse({"error": "not_found"}, status=404)
    params = {key: request.POST.get(key, "") for key in request.POST}
    if not verify(
        voice_secret(store), request.build_absolute_uri(), params, request.headers.get("X-Twilio-Signature", "")
    ):
        logger.warning("voice webhook: bad signature for store %s", store.pk)
        return JsonResponse({"error": "bad_signature"}, status=403)
    if not params.get("CallSid") or not params.get("CallStatus"):
        return JsonResponse({"error": "missing CallSid or CallStatus"}, status=400)
    payload = {key: params[key][:2000] for key in FIELDS if key in params}
    event, created = do_store_voice_event(store, payload)
    task = do_receive_voice_event(event)  # a replay of an event that failed to process retries it
    return JsonResponse({"ok": True, "duplicate": not created, "callback_id": task.pk if task else None})
