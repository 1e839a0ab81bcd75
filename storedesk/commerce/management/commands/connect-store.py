"""`storedesk connect-store shopify --store SLUG --shop acme.myshopify.com --token … --webhook-secret …`
`storedesk connect-store woocommerce --store SLUG --url https://shop.example.com --token ck_…:cs_… --webhook-secret …`

Connects a store to its platform (or reconfigures it) and prints the webhook address to
register on the platform. `storedesk sync-orders --store SLUG` then pulls the orders.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from storedesk.commerce.actions import do_connect_store
from storedesk.commerce.models import StoreConnection
from storedesk.core.models import Store


class Command(BaseCommand):
    help = "Connect a store to Shopify or WooCommerce (or the demo store) and print its webhook address."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("provider", choices=["shopify", "woocommerce", "demo"])
        parser.add_argument("--store", required=True, help="store slug or id")
        parser.add_argument("--shop", default="", help="Shopify: the shop's myshopify.com domain")
        parser.add_argument("--api-version", default="2024-01")
        parser.add_argument("--url", default="", help="WooCommerce: the shop's address, https://…")
        parser.add_argument("--token", default="", help="Shopify: the Admin API access token; WooCommerce: ck_…:cs_…")
        parser.add_argument("--webhook-secret", default="", help="the secret that signs the platform's webhooks")
        parser.add_argument("--currency", default="", help="the store's currency, e.g. GBP (limits are kept in it)")

    def handle(self, *args: Any, **options: Any) -> None:
        ref = options["store"]
        store = Store.objects.filter(**({"pk": int(ref)} if ref.isdigit() else {"slug": ref})).first()
        if store is None:
            raise CommandError(f"No store {ref!r}.")
        provider = options["provider"]
        config: dict[str, Any] = {}
        if options["currency"]:
            config["currency"] = options["currency"].upper()
        if provider == StoreConnection.Provider.SHOPIFY:
            if not options["shop"] or not options["token"]:
                raise CommandError("Shopify needs --shop and --token.")
            config.update({"shop": options["shop"], "api_version": options["api_version"]})
        if provider == StoreConnection.Provider.WOOCOMMERCE:
            if not options["url"] or ":" not in options["token"]:
                raise CommandError("WooCommerce needs --url and --token ck_…:cs_….")
            config["base_url"] = options["url"]
        connection = do_connect_store(
            None,
            store,
            provider,
            config=config,
            access_token=options["token"],
            webhook_secret=options["webhook_secret"],
        )
        self.stdout.write(
            f"Connected {store.name} to {connection.get_provider_display()} (connection {connection.pk})."
        )
        if provider == StoreConnection.Provider.SHOPIFY:
            url = f"{settings.SITE_URL.rstrip('/')}/api/v1/orders/webhooks/{connection.pk}"
            self.stdout.write(
                f"Register this webhook address on Shopify (orders/*, refunds/create, fulfillments/*): {url}"
            )
