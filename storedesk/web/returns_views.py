"""The public returns page of a store: /returns/<store slug>/ (no sign-in; mobile-first).

1. The customer gives the order number and the email it was placed with.
2. They pick items, how many, and a reason for each; the return is opened
   (`commerce.returns.do_request_return`, actor None) and they land on its status page.
3. The status page (/returns/<slug>/r/<token>/) shows where the return is and, once made,
   the printable label (…/label.pdf).

The order and the return are named by signed tokens (`django.core.signing`), never by a bare
id, so nobody can read another customer's order by changing a number in the address.
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from storedesk.commerce import labels, returns
from storedesk.commerce.actions import normalize_email, normalize_number
from storedesk.commerce.models import Order, ReturnReason, ReturnRequest
from storedesk.core.errors import ActionError
from storedesk.core.models import Store

ORDER_SALT = "storedesk.returns.order"
RETURN_SALT = "storedesk.returns.status"
ORDER_TOKEN_AGE = 60 * 60  # an hour to pick the items
NOT_FOUND = "We could not find an order with that number and email address. Check both and try again."
# The most a returns form may weigh: its photos at their limit, plus a megabyte for the fields.
# Checked on Content-Length before the body is parsed, so an oversized upload is never read.
MAX_BODY_BYTES = returns.PHOTO_MAX_COUNT * returns.PHOTO_MAX_BYTES + 1024 * 1024


def _store(slug: str) -> Store:
    store = get_object_or_404(Store, slug=slug)
    if not store.settings.get("returns_enabled", True):
        raise Http404("Returns are not handled here.")
    return store


def _order_from(store: Store, token: str) -> Order:
    try:
        order_id = signing.loads(token, salt=ORDER_SALT, max_age=ORDER_TOKEN_AGE)["o"]
    except (signing.BadSignature, KeyError, TypeError):
        raise Http404("That link has expired.") from None
    return get_object_or_404(
        Order.objects.select_related("store").prefetch_related("lines", "fulfillments"), pk=order_id, store=store
    )


def _items_page(request: HttpRequest, store: Store, order: Order, error: str = "") -> HttpResponse:
    context = {
        "store": store,
        "order": order,
        "token": signing.dumps({"o": order.pk}, salt=ORDER_SALT),
        "lines": returns.returnable(order),
        "reasons": ReturnReason.choices,
        "error": error,
        "window_ends": returns.window_ends(order),
        "final_sale": returns.final_sale_lines(order),
        "photo_max_count": returns.PHOTO_MAX_COUNT,
    }
    return render(request, "web/returns/items.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    store = _store(slug)
    if request.method == "GET":
        return render(request, "web/returns/start.html", {"store": store})
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return HttpResponse("That is too much to upload: at most 4 photos of 5 MB each.", status=413)
    if request.POST.get("token"):
        return _submit(request, store)
    number = normalize_number(request.POST.get("number", ""))
    email = normalize_email(request.POST.get("email", ""))
    order = (
        Order.objects.filter(store=store, number=number, email=email).prefetch_related("lines", "fulfillments").first()
        if number and email
        else None
    )  # order_store_number_idx
    if order is None:
        context = {"store": store, "error": NOT_FOUND, "number": request.POST.get("number", "")}
        return render(request, "web/returns/start.html", context, status=400)
    return _items_page(request, store, order)


def _submit(request: HttpRequest, store: Store) -> HttpResponse:
    order = _order_from(store, request.POST["token"])
    items = []
    for returnable in returns.returnable(order):
        raw = request.POST.get(f"qty-{returnable.line.pk}", "0")
        quantity = int(raw) if raw.isdigit() else 0
        if quantity:
            reason = request.POST.get(f"reason-{returnable.line.pk}", "")
            items.append(returns.ReturnItem(returnable.line.pk, min(quantity, 1000), reason))
    try:
        photos = _photos(request)
        with transaction.atomic():
            ret = returns.do_request_return(
                None, order, items, comment=request.POST.get("comment", "")[:2000], photos=photos
            )
    except ActionError as exc:
        return _items_page(request, store, order, error=exc.message)
    token = signing.dumps({"r": ret.pk}, salt=RETURN_SALT)
    return redirect(reverse("returns_status", args=[store.slug, token]))


def _photos(request: HttpRequest) -> list[returns.PhotoUpload]:
    """The uploaded photos; count and size refused before reading a byte (types by returns)."""
    files = request.FILES.getlist("photos")
    if len(files) > returns.PHOTO_MAX_COUNT:
        raise ActionError(f"Send at most {returns.PHOTO_MAX_COUNT} photos.", code="too_many_photos")
    if any((upload.size or 0) > returns.PHOTO_MAX_BYTES for upload in files):
        raise ActionError("Each photo can be at most 5 MB.", code="photo_too_big")
    return [returns.PhotoUpload(upload.read(), upload.name or "") for upload in files]


def _return_from(store: Store, token: str) -> ReturnRequest:
    try:
        return_id = signing.loads(token, salt=RETURN_SALT)["r"]
    except (signing.BadSignature, KeyError, TypeError):
        raise Http404("Return not found.") from None
    return get_object_or_404(
        ReturnRequest.objects.select_related("order", "remedy").prefetch_related("lines__order_line"),
        pk=return_id,
        store=store,
    )


@require_GET
def status(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    store = _store(slug)
    ret = _return_from(store, token)
    context = {"store": store, "ret": ret, "token": token, "status": returns.status_of(ret)}
    return render(request, "web/returns/status.html", context)


@require_GET
def label(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    store = _store(slug)
    ret = _return_from(store, token)
    if not ret.label_reference or ret.state == ReturnRequest.State.REJECTED:
        raise Http404("The label is not ready yet.")
    address = store.settings.get("return_address") or [store.name]
    items = [f"{line.quantity} x {line.order_line.title}" for line in ret.lines.all()]
    pdf = labels.label_pdf(ret, items, [str(part) for part in address])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{ret.rma}.pdf"'
    return response
