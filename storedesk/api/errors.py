"""Every refusal of the API is JSON: `{"error": {"code": ..., "message": ...}}` with a 4xx status.

ActionError subclasses carry their own status and code; ninja's input validation becomes a 422
that names each bad field; a missing route or object is a 404. Server bugs stay 500s.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from storedesk.core.errors import ActionError

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 429: "throttled"}


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"error": {"code": code, "message": message, **extra}}, status=status)


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja prefixes the parameter's own name ("payload") after the source ("body"): drop it.
    parts = [str(part) for part in loc]
    if len(parts) > 2 and parts[0] in {"body", "query"} and parts[1] in {"payload", "filters", "params"}:
        parts = [parts[0], *parts[2:]]
    return ".".join(parts)


def describe_validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """ninja/pydantic error dicts → [{"field": "body.status", "message": "Input should be ..."}]."""
    described = []
    for error in errors:
        field = _field_name(error.get("loc", ()))
        message = str(error.get("msg", "is invalid"))
        if error.get("type") == "missing":
            message = "This field is required."
        described.append({"field": field, "message": message})
    return described


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ActionError)
    def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        return error_response(api, request, exc.status_code, exc.code, exc.message)

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = describe_validation_errors(exc.errors)
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or "Invalid input."
        return error_response(api, request, 422, "invalid_input", summary, fields=fields)

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", "Not found.")

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        message = exc.message
        if isinstance(exc, AuthenticationError):
            message = "Authentication required: send 'Authorization: Bearer <token>' or log in."
        response = error_response(api, request, status, _CODES.get(status, "error"), message)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="storedesk"'
        return response


def json_method_not_allowed(api: NinjaAPI, view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja answers a known path with an unknown method by a plain-text 405: make it JSON."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",") if m.strip()))
        json_response = error_response(
            api, request, 405, "method_not_allowed", f"{request.method} is not allowed here; use {allowed}."
        )
        json_response["Allow"] = allowed
        return json_response

    return wrapper


def unknown_path(api: NinjaAPI) -> Callable[..., HttpResponse]:
    """The last URL pattern of the API: anything unmatched under /api/v1/ is a JSON 404."""

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return error_response(api, request, 404, "not_found", f"No API endpoint at {request.path}.")

    return view
