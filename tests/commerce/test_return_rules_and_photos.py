"""Per-item return rules (final sale, own window), damage photos, and the label's barcode."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.commerce import labels, returns
from storedesk.commerce.lib import code128
from storedesk.commerce.models import ReturnPhoto, ReturnRequest
from storedesk.commerce.returns import PhotoUpload, ReturnItem
from storedesk.core.errors import ActionError
from tests.commerce.factories import FulfillmentFactory, OrderLineFactory, order_for

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def order(carla):
    order = order_for(carla, lines=0, name="#2041", number="2041", placed_at=timezone.now() - timedelta(days=25))
    OrderLineFactory(order=order, title="Trail runner", sku="TR-42")
    OrderLineFactory(order=order, title="Sale socks", sku="SALE-SOCK-1")
    OrderLineFactory(order=order, title="Swimsuit", sku="SW-1", product_id="778")
    FulfillmentFactory(order=order, status="delivered", delivered_at=timezone.now() - timedelta(days=20))
    return order


def titles(order) -> list[str]:
    return [r.line.title for r in returns.returnable(order)]


def set_rules(store, rules) -> None:
    store.settings["return_rules"] = rules
    store.save(update_fields=["settings"])


# --- rules -------------------------------------------------------------------------------------


def test_without_rules_every_item_can_be_returned(order):
    assert titles(order) == ["Trail runner", "Sale socks", "Swimsuit"]


def test_final_sale_items_by_sku_prefix_or_product_are_left_out(acme, order):
    set_rules(acme, [{"sku": "SALE-*", "final_sale": True}, {"product_id": "778", "final_sale": True}])

    assert titles(order) == ["Trail runner"]
    assert [line.title for line in returns.final_sale_lines(order)] == ["Sale socks", "Swimsuit"]


def test_an_item_with_its_own_shorter_window_closes_before_the_others(acme, order):
    set_rules(acme, [{"sku": "TR-42", "window_days": 14}])  # delivered 20 days ago

    assert titles(order) == ["Sale socks", "Swimsuit"]


def test_an_item_with_a_longer_window_stays_returnable_after_the_store_window(acme, order):
    acme.settings["return_window_days"] = 10
    set_rules(acme, [{"sku": "SW-1", "window_days": 60}])

    assert titles(order) == ["Swimsuit"]


def test_a_final_sale_item_is_refused_even_when_asked_for_directly(acme, ana, order):
    set_rules(acme, [{"sku": "SALE-*", "final_sale": True}])
    socks = order.lines.get(sku="SALE-SOCK-1")

    with pytest.raises(ActionError, match="That item cannot be returned any more."):
        returns.do_request_return(ana, order, [ReturnItem(socks.pk, 1, "changed_mind")])
    assert ReturnRequest.objects.count() == 0


# --- photos ------------------------------------------------------------------------------------


def test_it_keeps_damage_photos_with_the_return_typed_by_their_bytes(acme, order, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    line = order.lines.get(sku="TR-42")

    ret = returns.do_request_return(
        None,
        order,
        [ReturnItem(line.pk, 1, "damaged")],
        photos=[PhotoUpload(JPEG, "IMG_1.HEIC"), PhotoUpload(PNG, "x.exe")],
    )

    photos = list(ReturnPhoto.objects.filter(return_request=ret))
    assert [(p.content_type, p.size) for p in photos] == [("image/jpeg", len(JPEG)), ("image/png", len(PNG))]
    assert [p.file.name.rsplit("/", 1)[1] for p in photos] == ["R-2041-1-1.jpg", "R-2041-1-2.png"]
    assert photos[0].file.read() == JPEG


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        ([PhotoUpload(b"GIF89a" + b"\x00" * 10)], "Photos must be JPEG, PNG or WebP images."),
        ([PhotoUpload(b"<svg onload=alert(1)>")], "Photos must be JPEG, PNG or WebP images."),
        ([PhotoUpload(JPEG + b"\x00" * returns.PHOTO_MAX_BYTES)], "Each photo can be at most 5 MB."),
        ([PhotoUpload(JPEG)] * 5, "Send at most 4 photos."),
    ],
)
def test_it_refuses_photos_that_are_not_images_too_big_or_too_many(order, photos, message):
    line = order.lines.get(sku="TR-42")

    with pytest.raises(ActionError, match=re.escape(message)):
        returns.do_request_return(None, order, [ReturnItem(line.pk, 1, "damaged")], photos=photos)
    assert ReturnRequest.objects.count() == 0
    assert ReturnPhoto.objects.count() == 0


# --- the label's barcode -----------------------------------------------------------------------


def decode(widths: list[int]) -> str:
    """Read Code 128 set B widths back to text, checking start, checksum and stop."""
    symbols = ["".join(map(str, widths[i : i + 6])) for i in range(0, len(widths) - 7, 6)]
    assert "".join(map(str, widths[-7:])) == "2331112"
    values = [code128.PATTERNS.index(s) for s in symbols]
    assert values[0] == 104
    *data, checksum = values[1:]
    assert checksum == (104 + sum(i * v for i, v in enumerate(data, start=1))) % 103
    return "".join(chr(v + 32) for v in data)


def test_the_barcode_encodes_the_rma_with_its_checksum():
    assert code128.values("R-2041-1") == [104, 50, 13, 18, 16, 20, 17, 13, 17, 6, 106]
    assert decode(code128.widths("R-2041-1")) == "R-2041-1"
    assert sum(code128.widths("R-2041-1")) == 11 * 10 + 13


def test_the_label_pdf_draws_the_rma_as_a_barcode(order):
    ret = ReturnRequest(rma="R-2041-1", order=order)

    pdf = labels.label_pdf(ret, ["1 x Trail runner"], ["Acme Outfitters", "1 Mill Lane"])

    # The stream is not compressed: the bars are plain "x y w h re" operators.
    rects = [tuple(map(float, m)) for m in re.findall(rb"([\d.]+) 52\.0 ([\d.]+) 50\.0 re", pdf)]
    module = 1.2
    starts = [round((x - 28.0) / module) for x, _ in rects]
    bars = [round(w / module) for _, w in rects]
    widths = []
    for i, (start, width) in enumerate(zip(starts, bars, strict=True)):
        widths.append(width)
        if i + 1 < len(starts):
            widths.append(starts[i + 1] - start - width)
    assert decode(widths) == "R-2041-1"
    assert b"(R-2041-1) Tj" in pdf  # and in words under it
