"""Agent web pages. Thin: check who is asking, run a scoped query, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from storedesk.conversations.queries import dashboard
from storedesk.core import health
from storedesk.core.models import User
from storedesk.web import queries
from storedesk.web.forms import LoginForm


def healthz(request: HttpRequest) -> JsonResponse:
    checks = health.run_checks()
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"ok": ok, "checks": checks}, status=200 if ok else 503)


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if settings.DEBUG:  # a hint for `make run`; never shown in production
            context["demo_logins"] = queries.demo_logins()
            context["demo_password"] = queries.DEMO_PASSWORD
        return context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The agent's dashboard: capped counts (one query), the oldest waiting conversation, their
    own open work and the latest activity — a fixed number of queries however big the store."""
    user: User = request.user  # type: ignore[assignment]
    stores = queries.stores_for(user)
    board = dashboard(user, stores)
    context = {"stores": stores, "board": board, "conversations": board.recent, "cap": board.cap}
    return render(request, "web/home.html", context)
