"""`storedesk import-orders FILE.csv|FILE.jsonl --store SLUG`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from storedesk.commerce.models import Order

pytestmark = pytest.mark.django_db

CSV = """number,email,customer_name,currency,placed_at,shipping,line_title,line_sku,line_quantity,line_unit_price,line_tax,carrier,tracking_number,tracking_url,shipped_at,delivered_at
1001,carla@mail.test,Carla Customer,USD,2026-10-01T10:00:00Z,5.00,Trail runner,TR-1,2,60.00,7.20,UPS,1Z1001,https://ups.test/1Z1001,2026-10-02T10:00:00Z,2026-10-04T10:00:00Z
1001,,,,,,Wool socks,WS-1,1,15.00,0.90,,,,,
1002,dan@mail.test,Dan Doe,USD,2026-10-03T10:00:00Z,0,Canvas tote,CT-1,1,20.00,0,,,,,
"""


def run(path, *extra) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    import sys

    real = sys.stderr
    sys.stderr = err
    try:
        call_command("import-orders", str(path), "--store", "acme", *extra, stdout=out)
    finally:
        sys.stderr = real
    return out.getvalue(), err.getvalue()


def test_it_imports_a_csv_with_one_row_per_line_item(acme, carla, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(CSV)

    out, err = run(path)

    assert out.splitlines()[0] == "Imported 2 orders into Acme Outfitters (2 new, 0 updated); 0 rejected."
    assert err.strip().endswith("[##############################] 2/2 orders")
    order = Order.objects.get(number="1001")
    assert (order.customer, order.total, order.provider) == (carla, 14810, "import")
    assert list(order.lines.values_list("title", "quantity", "total")) == [
        ("Trail runner", 2, 12720),
        ("Wool socks", 1, 1590),
    ]
    shipment = order.fulfillments.get()
    assert (shipment.status, shipment.tracking_number) == ("delivered", "1Z1001")


def test_it_imports_jsonl_and_reports_the_lines_it_rejects(acme, tmp_path):
    good = {
        "number": "2001",
        "email": "a@mail.test",
        "currency": "EUR",
        "placed_at": "2026-10-01T10:00:00Z",
        "lines": [{"title": "Mug", "unit_price": "12.00"}],
    }
    path = tmp_path / "orders.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{not json",
                json.dumps({**good, "number": "2002", "currency": "euro"}),
                json.dumps({**good, "number": "2003", "shipping": "1.005"}),
                "",
            ]
        )
    )

    out, _ = run(path, "--quiet")

    assert out.splitlines() == [
        "Imported 1 orders into Acme Outfitters (1 new, 0 updated); 3 rejected.",
        "  line 2: not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        "  line 3: currency: String should have at most 3 characters",
        "  line 4: 1.005 has more than 2 decimal places for EUR.",
    ]
    assert list(Order.objects.values_list("number", "total", "currency")) == [("2001", 1200, "EUR")]


def test_it_updates_what_changed_when_run_again(acme, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(CSV)
    run(path, "--quiet")

    out, _ = run(path, "--quiet")

    assert out.splitlines()[0] == "Imported 2 orders into Acme Outfitters (0 new, 2 updated); 0 rejected."
    assert Order.objects.count() == 2


def test_it_refuses_an_unknown_store_or_file_type(acme, tmp_path):
    path = tmp_path / "orders.xlsx"
    path.write_text("x")

    with pytest.raises(CommandError, match="must end in .csv or .jsonl"):
        call_command("import-orders", str(path), "--store", "acme")
    with pytest.raises(CommandError, match="No store 'nope'"):
        call_command("import-orders", str(path), "--store", "nope")


def test_it_connects_a_store_to_shopify_and_syncs_it(acme, shopify):
    from storedesk.commerce.models import StoreConnection
    from tests.commerce.conftest import fixture

    out = StringIO()
    call_command(
        "connect-store",
        "shopify",
        "--store",
        "acme",
        "--shop",
        "acme.myshopify.com",
        "--token",
        "shpat_x",
        "--webhook-secret",
        "s3cret",
        "--currency",
        "usd",
        stdout=out,
    )
    connection = StoreConnection.objects.get(store=acme)
    assert out.getvalue().splitlines() == [
        f"Connected Acme Outfitters to Shopify (connection {connection.pk}).",
        f"Register this webhook address on Shopify (orders/*, refunds/create, fulfillments/*): http://127.0.0.1:8000/api/v1/orders/webhooks/{connection.pk}",
    ]
    assert (connection.access_token, connection.webhook_secret, connection.config["currency"]) == (
        "shpat_x",
        "s3cret",
        "USD",
    )

    connection.config["base_url"] = shopify.base_url
    connection.save()
    shopify.route("GET", "/orders.json", {"orders": [fixture("order.json")["order"]]})
    out = StringIO()
    call_command("sync-orders", "--store", "acme", stdout=out)
    assert out.getvalue() == "Acme Outfitters · Shopify: 1 orders synced.\n"
    assert Order.objects.get().name == "#2041"
