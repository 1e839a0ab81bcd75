"""Written-for-Storedesk demo content: names, questions and answers of a small online shop.

Everything here is invented for the demo (no third-party data), so it can ship.
"""

from __future__ import annotations

from typing import Any

FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Ava", "Elijah", "Sophia", "Lucas",
    "Isabella", "Mateo", "Mia", "Leo", "Charlotte", "Hugo", "Chloé", "Jonas", "Sofia", "Arjun",
    "Priya", "Kenji", "Yuki", "Fatima", "Omar", "Lena", "Marta", "Pedro", "Aisha", "Tomás",
    "Ingrid", "Nils", "Zara", "Ravi", "Mei", "Diego", "Camille", "Luca", "Hannah", "Kwame",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "García", "Müller", "Rossi", "Dubois", "Kowalski", "Nguyen", "Patel", "Kim", "Silva",
    "Johansson", "O'Brien", "Tanaka", "Novak", "Haddad", "Jensen", "Costa", "Fischer", "Moreau", "Okafor",
    "Brown", "Lopez", "Schmidt", "Bianchi", "Martin", "Nowak", "Tran", "Shah", "Park", "Santos",
]  # fmt: skip
EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example", "post.example"]

PRODUCTS = [
    "linen shirt", "merino sweater", "rain jacket", "canvas sneakers", "leather belt", "wool scarf",
    "denim jacket", "running shorts", "cotton hoodie", "silk tie", "hiking boots", "beanie",
]  # fmt: skip

TAGS = [
    ("where-is-my-order", "#2563eb"),
    ("returns", "#16a34a"),
    ("damaged", "#dc2626"),
    ("sizing", "#9333ea"),
    ("discount", "#ca8a04"),
    ("payment", "#ea580c"),
    ("pre-sale", "#0891b2"),
    ("complaint", "#be123c"),
    ("vip", "#7c3aed"),
]

# (topic tag, channel weights, subject, opening message, agent reply or "", follow-up or "").
# `{order}`, `{product}` and `{first_name}` are filled in per conversation.
TOPICS = [
    (
        "where-is-my-order",
        "Where is my order #{order}?",
        "Hi, I ordered a {product} ten days ago (order #{order}) and the tracking page hasn't "
        "changed since Tuesday. Can you tell me where it is?",
        "Hi {first_name}, thanks for your patience. Order #{order} left our warehouse on Monday and "
        "the carrier shows it at the local depot; it should reach you within two working days.",
        "Thanks, that's good to know. I'll keep an eye on the tracking.",
    ),
    (
        "returns",
        "Returning a {product}",
        "Hello, the {product} from order #{order} doesn't fit the way I hoped. How do I send it back?",
        "Hi {first_name}, no problem at all: returns are free within 30 days. I've emailed you a "
        "prepaid label; drop the parcel at any post office and the refund follows within 3 days of "
        "it arriving.",
        "",
    ),
    (
        "damaged",
        "Item arrived damaged",
        "My {product} arrived today with a torn seam along the sleeve. Order #{order}. I'm really "
        "disappointed, it was a birthday present.",
        "",
        "",
    ),
    (
        "sizing",
        "Which size should I take?",
        "Hi! I'm usually a medium but your size chart puts me between M and L for the {product}. "
        "Which one would you suggest?",
        "Hi {first_name}, the {product} runs slightly large, so most customers between sizes are "
        "happiest with the M. If it doesn't fit, the exchange is free.",
        "Great, I'll go with the M then. Thanks!",
    ),
    (
        "discount",
        "Discount code not working",
        "The code WELCOME10 says it's invalid at checkout. I signed up for the newsletter yesterday.",
        "",
        "",
    ),
    (
        "payment",
        "Charged twice for order #{order}",
        "I was charged twice for order #{order}. Both payments show on my card statement. Please refund the duplicate.",
        "",
        "",
    ),
    (
        "pre-sale",
        "Is the {product} machine washable?",
        "Before I order: can the {product} go in the washing machine, and do you ship to Norway?",
        "Hi {first_name}, yes: 30 °C on a gentle cycle, and we ship to Norway in 3–5 working days.",
        "",
    ),
    (
        "complaint",
        "Still no answer about my refund",
        "This is the third time I'm writing. I returned the {product} two weeks ago and still have "
        "no refund for order #{order}. This is not acceptable.",
        "",
        "",
    ),
]

NOTES = [
    "Checked with the warehouse: the parcel was scanned at the depot this morning.",
    "Customer prefers a direct approach: keep replies short.",
    "Second order with a problem this month: consider a goodwill discount.",
    "@lead can you approve a replacement here?",
]

MACROS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "Where is my order",
        "Hi {{ customer.first_name }},\n\nthanks for getting in touch. Your order is on its way; "
        "you can follow it with the tracking link in your confirmation email.\n\n{{ agent.first_name }}",
        {"add_tags": ["where-is-my-order"]},
    ),
    (
        "Return instructions",
        "Hi {{ customer.first_name }},\n\nreturns are free within 30 days. I've sent you a prepaid "
        "label; once the parcel arrives we refund within 3 days.\n\n{{ agent.first_name }}, {{ store.name }}",
        {"add_tags": ["returns"], "status": "pending"},
    ),
    (
        "Sorry it arrived damaged",
        "Hi {{ customer.first_name }},\n\nI'm sorry your order arrived damaged. A replacement is on "
        "its way today at no cost, and there is no need to send the damaged item back.\n\n{{ agent.first_name }}",
        {"add_tags": ["damaged"], "priority": 2},
    ),
]
