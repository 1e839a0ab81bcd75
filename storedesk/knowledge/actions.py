"""Article writers: the only code that creates or changes knowledge articles (leads and
admins: `article.manage`). Audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError
from storedesk.core.models import Store, User
from storedesk.knowledge.models import Article

MAX_WORDS = 50


def _clean_words(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        word = " ".join(str(value).lower().split())[:100]
        if word and word not in out:
            out.append(word)
    return out[:MAX_WORDS]


def do_save_article(
    actor: User | None,
    store: Store,
    *,
    title: str,
    body: str,
    slug: str = "",
    keywords: Iterable[str] = (),
    intents: Iterable[str] = (),
    published: bool = True,
    new: bool = False,
) -> Article:
    """Create the article with this slug (from the title when none is given) or update it.
    `new`: only create — an article with that slug already there is an error, not overwritten."""
    if actor is not None:
        check_permission(actor, store.pk, "article.manage")
    title, body = title.strip()[:200], body.strip()
    if not title or not body:
        raise ActionError("An article needs a title and a body.", code="invalid_article")
    slug = slugify(slug or title)[:200]
    if not slug:
        raise ActionError("An article's title needs a letter or a digit.", code="invalid_article")
    values = {
        "title": title,
        "body": body,
        "keywords": _clean_words(keywords),
        "intents": _clean_words(intents),
        "published": bool(published),
        "updated_at": timezone.now(),
    }
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(store=store, slug=slug).first()
        before = None
        if article is not None and new:
            raise ActionError(f"An article with the address “{slug}” exists already.", code="slug_taken")
        if article is None:
            article = Article.objects.create(store=store, slug=slug, **values)
        else:
            before = {"title": article.title, "published": article.published}
            for field, value in values.items():
                setattr(article, field, value)
            article.save(update_fields=list(values))
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="article.saved",
            obj=article,
            before=before,
            after={"title": article.title, "published": article.published},
        )
    return article


def do_set_article_published(actor: User | None, article: Article, *, published: bool) -> Article:
    """Publish an article (the bot may quote it) or unpublish it (it stays, the bot stops)."""
    if actor is not None:
        check_permission(actor, article.store_id, "article.manage")
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        before = locked.published
        if before != bool(published):
            locked.published = bool(published)
            locked.updated_at = timezone.now()
            locked.save(update_fields=["published", "updated_at"])
            audit.record(
                store_id=locked.store_id,
                actor=actor,
                verb="article.published" if published else "article.unpublished",
                obj=locked,
                before={"published": before},
                after={"published": locked.published},
            )
    return locked
