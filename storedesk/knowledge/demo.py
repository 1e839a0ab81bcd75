"""The demo store's help articles (called by the bot's demo set-up): what its bot may quote.
Idempotent: articles are saved by slug."""

from __future__ import annotations

from storedesk.core.models import Store
from storedesk.knowledge.actions import do_save_article

# (slug, title, body, keywords, intents)
ARTICLES: list[tuple[str, str, str, list[str], list[str]]] = [
    (
        "returns",
        "Returns and refunds",
        "You can return unworn items within 30 days of delivery. Returns within the UK are free: "
        "start one on our returns page and we'll email you a prepaid label. Refunds go back to your "
        "original payment method within 5 working days of your return reaching us.",
        ["return", "returns", "refund", "refunds", "send back", "send it back", "exchange"],
        ["check_refund_policy", "get_refund"],
    ),
    (
        "shipping",
        "Shipping times and options",
        "Standard UK delivery takes 2 to 4 working days and is free on orders over £75 (otherwise £4.95). "
        "Express next-day delivery with DPD costs £7.95 when you order by 2pm, Monday to Friday. "
        "We ship to the EU in 4 to 7 working days.",
        ["shipping", "delivery", "deliver", "next day", "express", "how long", "international", "postage"],
        ["delivery_options", "delivery_period"],
    ),
    (
        "payment",
        "Payment methods",
        "We accept Visa, Mastercard and American Express, PayPal, Apple Pay and Google Pay, or three "
        "interest-free instalments with Klarna. Your card is charged when you place the order.",
        ["pay", "payment", "paypal", "klarna", "apple pay", "google pay", "credit card", "debit card"],
        ["check_payment_methods"],
    ),
    (
        "sizing",
        "Sizing and fit",
        "Our clothes and shoes fit true to size. Between sizes? Take the larger size for jackets and "
        "your usual size for everything else. Each product page has a size chart in cm and inches.",
        [
            "size",
            "sizes",
            "sizing",
            "fit",
            "fits",
            "run small",
            "runs small",
            "run large",
            "true to size",
            "size chart",
        ],
        [],
    ),
    (
        "gift-cards",
        "Gift cards",
        "Gift cards from £10 to £250 are sent by email, never expire, and can be spent on anything in "
        "the shop, across several orders.",
        ["gift card", "gift cards", "gift voucher", "voucher"],
        [],
    ),
]


def load_demo_articles(store: Store) -> int:
    for slug, title, body, keywords, intents in ARTICLES:
        do_save_article(None, store, slug=slug, title=title, body=body, keywords=keywords, intents=intents)
    return len(ARTICLES)
