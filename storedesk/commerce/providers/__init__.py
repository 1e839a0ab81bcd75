"""Store platform providers: one folder each behind `base.Provider`.

`provider_for(connection)` builds the provider for a store connection. Adding a platform is
a new folder and one line in `_REGISTRY`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from storedesk.commerce.providers.base import Provider, ProviderError

if TYPE_CHECKING:
    from storedesk.commerce.models import StoreConnection

# provider name → "module:Class"
_REGISTRY = {
    "demo": "storedesk.commerce.providers.demo.provider:DemoProvider",
    "shopify": "storedesk.commerce.providers.shopify.provider:ShopifyProvider",
    "woocommerce": "storedesk.commerce.providers.woocommerce.provider:WooCommerceProvider",
    "import": "storedesk.commerce.providers.imported:ImportedProvider",
}


def provider_for(connection: StoreConnection) -> Provider:
    path = _REGISTRY.get(connection.provider)
    if path is None:
        raise ProviderError(f"Unknown store platform {connection.provider!r}.", permanent=True)
    module, cls = path.split(":")
    provider_cls = getattr(import_module(module), cls)
    return provider_cls(connection)  # type: ignore[no-any-return]


__all__ = ["Provider", "ProviderError", "provider_for"]
