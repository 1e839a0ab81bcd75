"""Slot fillers and wrappers for the training phrases (written for Storedesk)."""

from __future__ import annotations

ORDER_WORDS = ["order", "purchase", "order", "purchase", "parcel", "package", "delivery", "shipment"]

ITEMS = [
    "item", "product", "article", "jacket", "shoes", "t-shirt", "shirt", "dress", "backpack", "tent",
    "lamp", "phone case", "mug", "sofa", "headphones", "watch", "book", "blender", "rug", "hoodie",
    "sneakers", "coffee maker", "laptop stand", "bike helmet", "sleeping bag", "jeans", "scarf",
]  # fmt: skip

ACCOUNT_TYPES = [
    "", "", "free", "freemium", "premium", "platinum", "gold", "standard", "pro", "business",
    "basic", "personal", "family", "student", "user", "customer", "new",
]  # fmt: skip

RELATIVES = ["wife", "husband", "son", "daughter", "mom", "dad", "partner", "friend", "company", "brother"]

PAY_METHODS = [
    "paypal", "PayPal", "credit card", "debit card", "Visa", "Mastercard", "Amex", "Apple Pay", "Google Pay",
    "bank transfer", "cash on delivery", "gift card", "Klarna", "crypto", "bitcoin", "a cheque", "installments",
]  # fmt: skip

PLACES = [
    "Canada", "Paris", "Germany", "the UK", "Spain", "Madrid", "Mexico", "Australia", "Ireland", "Lisbon",
    "Toronto", "Chicago", "Japan", "Brazil", "Norway", "New Zealand", "my town", "Italy", "abroad", "Texas",
]  # fmt: skip

PEOPLE = ["Ms. Garcia", "Mr. Okafor", "Jane Miller", "Tom Becker", "my manager", "Lena Park", "Mr. Rossi", "my company"]

PERIODS = [
    "last month", "last year", "March", "two months ago", "2023", "January", "the last quarter",
    "last week", "six months ago", "this year", "October", "the past year",
]  # fmt: skip

CURRENCY = ["${n}", "{n} dollars", "{n} euros", "€{n}", "£{n}", "{n} usd", "{n}$", "{n} bucks"]

# Wrappers per phrase kind. `{x}` is the phrase.
DO_WRAPPERS = [
    "{x}", "{x}", "{x}", "I want to {x}", "I need to {x}", "I'd like to {x}", "I would like to {x}",
    "how do I {x}", "how can I {x}", "how to {x}", "can you help me {x}", "help me {x}", "help me to {x}",
    "I need help to {x}", "I need assistance to {x}", "I want assistance to {x}", "I want help to {x}",
    "where can I {x}", "I have to {x}", "I've got to {x}", "I have got to {x}", "wanna {x}", "want to {x}",
    "can I {x}", "could I {x}", "what do I need to do to {x}", "what do I have to do to {x}",
    "I don't know how to {x}", "I do not know how to {x}", "is it possible to {x}", "tell me how to {x}",
    "I'm trying to {x}", "I try to {x}", "I can't {x}", "I cannot {x}", "I need to know how to {x}",
    "could you help me {x}", "would you help me {x}", "can u help me {x}", "can ya help me {x}",
    "i need u to help me {x}", "what's the way to {x}", "show me how to {x}", "need help to {x}",
    "I wanna {x}", "where do I {x}", "let me {x}", "I'm looking to {x}", "can you tell me how to {x}",
]  # fmt: skip

DOING_WRAPPERS = [
    "{x}", "{x}", "help with {x}", "help me {x}", "I need help {x}", "I need assistance {x}",
    "I want help {x}", "I have a problem {x}", "I'm having trouble {x}", "I have trouble {x}",
    "I have issues {x}", "problem {x}", "problems {x}", "issues {x}", "assistance {x}", "help {x}",
    "I want assistance {x}", "can you help me with {x}", "I need a hand {x}", "need help {x}",
    "I'm interested in {x}", "info about {x}", "I need information about {x}", "question about {x}",
    "can you help me {x}", "can u help me {x}", "could you help me {x}", "support {x}",
]  # fmt: skip

ABOUT_WRAPPERS = [
    "{x}", "{x}", "{x}", "information about {x}", "info on {x}", "I have a question about {x}",
    "question about {x}", "help with {x}", "I need help with {x}", "where can I find information about {x}",
    "tell me about {x}", "I want to know about {x}", "I need information on {x}", "what about {x}",
    "I want information about {x}", "{x}?", "{x} please", "I'm asking about {x}", "can you tell me about {x}",
    "I'd like to know more about {x}", "help me with {x}", "any info on {x}", "where can I see {x}",
]  # fmt: skip

SAY_WRAPPERS = ["{x}", "{x}", "{x}", "{x}", "{x}?", "{x}!", "{x} please", "{x}, thanks", "{x}, can you help"]

PREFIXES = [
    "", "", "", "", "", "", "", "", "hi, ", "hello, ", "hey ", "hi there, ", "good morning, ", "excuse me, ",
    "please ", "ok so ", "quick question: ", "sorry, ", "hi team, ", "hello! ",
]  # fmt: skip

SUFFIXES = [
    "", "", "", "", "", "", "", "", "", " please", " pls", " thanks", " thank you", " asap", "?", " !",
    " urgently", ", can you help?", " right now", " today",
]  # fmt: skip

INTENSIFIERS = ["damn", "freaking", "bloody", "stupid", "goddamn"]
