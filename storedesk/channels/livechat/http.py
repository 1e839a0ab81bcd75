"""Live chat over plain HTTP: what does not belong on the socket.

- `POST /chat/<store>/upload` (multipart: token, cid, file, text?): a visitor sends a file. The
  visitor token is the credential (no cookie, so no CSRF); the answer is the same `ack` the
  socket gives, with the stored message. CORS: the store's allowed origins (any by default).
- `GET /chat/files/<signed>/`: a file of the chat, for the link the visitor's widget was given.
- `POST /chat/read/<conversation>/` (agents, session + CSRF): the agent has read the visitor's
  messages up to `message_id`.
Uploads are limited to `files.MAX_UPLOADS` per visitor per `files.UPLOAD_WINDOW_S` (429).
"""

from __future__ import annotations

import json
import mimetypes
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from storedesk.channels.email.attachments import INLINE_IMAGES
from storedesk.channels.livechat import actions, files
from storedesk.channels.livechat.consumers import CLIENT_ID, origin_allowed
from storedesk.channels.livechat.identity import read_token
from storedesk.channels.livechat.models import Visitor
from storedesk.channels.livechat.sender import push_visitor_message
from storedesk.conversations.models import Attachment
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.models import Store


def _cors(request: HttpRequest, response: HttpResponse, store: Store | None) -> HttpResponse:
    origin = request.headers.get("Origin", "")
    if origin and store is not None and origin_allowed(store, origin):
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


def _error(request: HttpRequest, store: Store | None, code: str, message: str, status: int) -> HttpResponse:
    return _cors(request, JsonResponse({"type": "error", "error": code, "message": message}, status=status), store)


@csrf_exempt
@require_POST
def upload(request: HttpRequest, store_slug: str) -> HttpResponse:
    store = Store.objects.filter(slug=store_slug).first()
    if store is None or not origin_allowed(store, request.headers.get("Origin", "")):
        return _error(request, None, "unknown_store", "Unknown store.", 404)
    visitor_id = read_token(request.POST.get("token"), store.pk)
    visitor = Visitor.objects.filter(pk=visitor_id, store=store).first() if visitor_id else None
    if visitor is None:
        return _error(request, store, "bad_token", "Reconnect the chat and try again.", 403)
    cid = request.POST.get("cid", "")
    upload = request.FILES.get("file")
    if not CLIENT_ID.match(cid) or upload is None:
        return _error(request, store, "invalid_message", "A file and a client id are needed.", 400)
    if not files.upload_allowed(visitor.pk):
        return _error(request, store, "too_many_files", "Too many files; try again in a few minutes.", 429)
    if upload.size and upload.size > files.MAX_BYTES:  # refused before reading it
        return _error(request, store, "file_too_large", "The file is too large.", 413)
    try:
        attachment = files.prepare_upload(upload.name or "", upload.read(), upload.content_type or "")
        page = actions.Page(url=visitor.page_url, title=visitor.page_title)
        text = request.POST.get("text", "")[: actions.MAX_TEXT]
        message, created = actions.do_visitor_message(visitor, cid, text, page, [attachment])
    except ActionError as error:
        status = 413 if error.code == "file_too_large" else 400
        return _error(request, store, error.code, error.message, status)
    payload = actions.message_payload(message)
    if created:
        push_visitor_message(visitor.pk, message)
    body: dict[str, Any] = {"type": "ack", "cid": cid, "id": message.pk, "at": payload["at"], "message": payload}
    return _cors(request, JsonResponse(body, status=201 if created else 200), store)


@require_GET
def file(request: HttpRequest, token: str) -> FileResponse:
    link = files.read_link(token)
    found = Attachment.objects.filter(pk=link[1], message__store_id=link[0]).first() if link else None
    if found is None:
        raise Http404("File not found.")
    content_type = found.content_type or mimetypes.guess_type(found.filename)[0] or "application/octet-stream"
    inline = content_type in INLINE_IMAGES
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=not inline,
        filename=found.filename,
        content_type=content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # shown in the widget on the store's site
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def agent_read(request: HttpRequest, conversation_id: int) -> HttpResponse:
    try:
        message_id = int(json.loads(request.body or b"{}").get("message_id"))
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": "invalid_message"}, status=400)
    try:
        moved = actions.do_agent_read(request.user, conversation_id, message_id)  # type: ignore[arg-type]
    except NotFound:
        return JsonResponse({"error": "not_found"}, status=404)
    except PermissionDenied:
        return JsonResponse({"error": "forbidden"}, status=403)
    except ActionError as error:
        return JsonResponse({"error": error.code}, status=400)
    return JsonResponse({"moved": moved})
