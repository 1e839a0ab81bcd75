"""What the demo stores sell: (title, variant, sku, price as a decimal string)."""

from __future__ import annotations

APPAREL = [
    ("Linen shirt", "White / M", "LS-WHT-M", "49.00"),
    ("Linen shirt", "Sky / L", "LS-SKY-L", "49.00"),
    ("Merino sweater", "Charcoal / M", "MS-CHA-M", "89.00"),
    ("Rain jacket", "Olive / L", "RJ-OLV-L", "129.00"),
    ("Canvas sneakers", "Navy / 42", "CS-NAV-42", "65.00"),
    ("Leather belt", "Brown / 90", "LB-BRN-90", "39.00"),
    ("Wool scarf", "Oat", "WS-OAT", "35.00"),
    ("Denim jacket", "Indigo / M", "DJ-IND-M", "110.00"),
    ("Running shorts", "Black / S", "RS-BLK-S", "29.00"),
    ("Cotton hoodie", "Grey / L", "CH-GRY-L", "59.00"),
    ("Silk tie", "Burgundy", "ST-BUR", "45.00"),
    ("Hiking boots", "Tan / 43", "HB-TAN-43", "149.00"),
    ("Beanie", "Mustard", "BN-MUS", "19.00"),
]

HOME = [
    ("Stoneware mug", "Sand", "SM-SND", "18.00"),
    ("Linen tablecloth", "Natural", "LT-NAT", "64.00"),
    ("Cast iron skillet", "10 inch", "CI-10", "45.00"),
    ("Wool throw", "Slate", "WT-SLT", "98.00"),
    ("Scented candle", "Fig", "SC-FIG", "24.00"),
    ("Bamboo towel set", "White", "BT-WHT", "52.00"),
    ("Ceramic planter", "Terracotta / M", "CP-TER-M", "36.00"),
]

# (carrier, tracking-number prefix, tracking URL with {n})
CARRIERS = {
    "GBP": [
        ("Royal Mail", "RM", "https://www.royalmail.com/track-your-item#/tracking-results/{n}"),
        ("DPD", "15501", "https://track.dpd.co.uk/parcels/{n}"),
        ("Evri", "H0", "https://www.evri.com/track/parcel/{n}"),
    ],
    "USD": [
        ("UPS", "1Z", "https://www.ups.com/track?tracknum={n}"),
        ("USPS", "9400", "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}"),
        ("FedEx", "7712", "https://www.fedex.com/fedextrack/?trknbr={n}"),
    ],
}
