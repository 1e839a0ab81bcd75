"""Money as integers in the currency's minor unit (cents, pence, yen): never floats.

Pure helpers, no ORM. Amounts arrive as decimal strings ("12.50") from platforms and the
API; `to_minor` turns them into integers exactly (it refuses more decimals than the currency
has), `from_minor` and `format_money` turn them back for people.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor units for currencies that do not have two decimals; every other code has 2.
_EXPONENTS = {
    "BHD": 3,
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "PYG": 0,
    "RWF": 0,
    "TND": 3,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
}
_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "INR": "₹"}


class MoneyError(ValueError):
    """An amount that is not a valid amount of that currency."""


def normalize_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise MoneyError(f"{code!r} is not a three-letter currency code.")
    return code


def exponent(currency: str) -> int:
    return _EXPONENTS.get(normalize_currency(currency), 2)


def to_minor(amount: str | int | Decimal, currency: str, *, rounding: bool = False) -> int:
    """ "12.50" GBP → 1250. Ints are major units (3 → 300). Floats are refused.

    More decimals than the currency has is an error unless `rounding` (half up), which
    platforms that send "12.5000" or computed shares need.
    """
    if isinstance(amount, float):
        raise MoneyError("Amounts must be decimal strings, never floats.")
    if isinstance(amount, bool):
        raise MoneyError("Not an amount.")
    try:
        value = Decimal(str(amount).strip()) if not isinstance(amount, Decimal) else amount
    except InvalidOperation:
        raise MoneyError(f"{amount!r} is not an amount.") from None
    if not value.is_finite():
        raise MoneyError(f"{amount!r} is not an amount.")
    places = exponent(currency)
    scaled = value.scaleb(places)
    whole = scaled.to_integral_value(rounding=ROUND_HALF_UP)
    if whole != scaled and not rounding:
        raise MoneyError(f"{amount} has more than {places} decimal places for {normalize_currency(currency)}.")
    return int(whole)


def from_minor(minor: int, currency: str) -> Decimal:
    """1250 GBP → Decimal("12.50")."""
    places = exponent(currency)
    return Decimal(int(minor)).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def to_decimal_string(minor: int, currency: str) -> str:
    """1250 GBP → "12.50": the form the API and the platforms exchange."""
    return str(from_minor(minor, currency))


def format_money(minor: int, currency: str) -> str:
    """1250 GBP → "£12.50"; -500 USD → "-$5.00"; 1250 CHF → "12.50 CHF"."""
    code = normalize_currency(currency)
    value = from_minor(abs(int(minor)), code)
    text = f"{value:,}"
    sign = "-" if minor < 0 else ""
    symbol = _SYMBOLS.get(code)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {code}"


def split_evenly(total: int, parts: int) -> list[int]:
    """Split `total` minor units into `parts` integers that add up exactly (first ones get the rest)."""
    if parts <= 0:
        raise MoneyError("Cannot split into no parts.")
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]
