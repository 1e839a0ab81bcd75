"""The store's knowledge articles, which the chat bot quotes (storedesk/knowledge; docs/livechat.md, "Bot").

- GET  /knowledge/articles/?store=             the list (agents read, leads and admins write)
- GET/POST /knowledge/articles/new?store=      a new article
- GET/POST /knowledge/articles/<id>/?store=    edit one
- POST /knowledge/articles/<id>/published      publish / unpublish (HTMX: returns the row)

The actions check `article.manage`; these views only parse and render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from storedesk.automation.intent.training.phrases import PHRASES
from storedesk.core.access import has_permission
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.models import Store, User
from storedesk.knowledge.actions import do_save_article, do_set_article_published
from storedesk.knowledge.models import Article
from storedesk.knowledge.queries import store_articles
from storedesk.web.queries import page_store, store_from_request

VIEW = "article.view"
EDIT = "article.manage"


def _agent(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


REFUSED = "Your role may not see the articles."


def _page_store(request: HttpRequest, permission: str = VIEW) -> Store:
    return page_store(request, permission, REFUSED)


def _store(request: HttpRequest, permission: str = VIEW) -> Store:
    return store_from_request(request, permission, REFUSED)


def _article(store: Store, article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id, store=store).first()  # scoped: no IDOR
    if article is None:
        raise Http404("Article not found.")
    return article


def _list_url(store: Store) -> str:
    return f"{reverse('knowledge_articles')}?store={store.slug}"


def _words(raw: str) -> list[str]:
    return [word.strip() for word in raw.replace("\n", ",").split(",") if word.strip()]


@login_required
@require_GET
def articles(request: HttpRequest) -> HttpResponse:
    store = _page_store(request)
    context = {
        "store": store,
        "articles": store_articles(store.pk),
        "can_edit": has_permission(_agent(request), store.pk, EDIT),
    }
    return render(request, "web/knowledge/articles.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    store = _page_store(request, EDIT)
    article = _article(store, article_id) if article_id is not None else None
    shown: Any = article
    error = ""
    if request.method == "POST":
        values: dict[str, Any] = {
            "title": request.POST.get("title", ""),
            "body": request.POST.get("body", ""),
            "keywords": _words(request.POST.get("keywords", "")),
            "intents": [i for i in request.POST.getlist("intents") if i in PHRASES],
            "published": request.POST.get("published") == "on",
        }
        try:
            saved = do_save_article(
                _agent(request),
                store,
                slug=article.slug if article is not None else "",
                new=article is None,
                **values,
            )
        except PermissionDenied as exc:
            return HttpResponseForbidden(exc.message)
        except ActionError as exc:
            error = exc.message
            shown = Article(pk=article.pk if article else None, store=store, **values)
        else:
            messages.success(request, f"Article “{saved.title}” saved.")
            return HttpResponseRedirect(_list_url(store))
    context = {"store": store, "article": shown, "error": error, "intents": sorted(PHRASES)}
    return render(request, "web/knowledge/article.html", context, status=400 if error else 200)


@login_required
@require_POST
def article_published(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        store = _store(request, EDIT)
        article = do_set_article_published(
            _agent(request), _article(store, article_id), published=request.POST.get("published") == "1"
        )
    except NotFound as exc:
        raise Http404(exc.message) from None
    except PermissionDenied as exc:
        return HttpResponseForbidden(exc.message)
    if request.headers.get("HX-Request"):
        context = {"store": store, "article": article, "can_edit": True}
        return render(request, "web/knowledge/_article_row.html", context)
    return HttpResponseRedirect(_list_url(store))
