"""storedesk.commerce.lib.money: integer minor units, exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storedesk.commerce.lib.money import (
    MoneyError,
    format_money,
    from_minor,
    split_evenly,
    to_decimal_string,
    to_minor,
)


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("12.50", "GBP", 1250),
        ("12.5", "usd", 1250),
        ("0.01", "EUR", 1),
        (3, "USD", 300),
        (Decimal("199.00"), "USD", 19900),
        ("1500", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("-4.95", "GBP", -495),
    ],
)
def test_it_turns_decimal_amounts_into_minor_units(amount, currency, minor):
    assert to_minor(amount, currency) == minor


@pytest.mark.parametrize("amount", [12.5, "12.505", "abc", "NaN", "Infinity", True])
def test_it_refuses_floats_and_amounts_finer_than_the_currency(amount):
    with pytest.raises(MoneyError):
        to_minor(amount, "USD")


def test_it_rounds_half_up_only_when_asked():
    assert to_minor("12.505", "USD", rounding=True) == 1251
    assert to_minor("12.5049", "USD", rounding=True) == 1250


def test_it_refuses_a_currency_that_is_not_a_code():
    with pytest.raises(MoneyError):
        to_minor("1.00", "dollars")


def test_it_turns_minor_units_back_into_exact_decimals():
    assert from_minor(1250, "GBP") == Decimal("12.50")
    assert to_decimal_string(5, "USD") == "0.05"
    assert to_decimal_string(1500, "JPY") == "1500"
    assert to_decimal_string(1234, "KWD") == "1.234"


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (1250, "GBP", "£12.50"),
        (-500, "USD", "-$5.00"),
        (123456, "EUR", "€1,234.56"),
        (1250, "CHF", "12.50 CHF"),
        (1500, "JPY", "¥1,500"),
    ],
)
def test_it_formats_money_for_people(minor, currency, text):
    assert format_money(minor, currency) == text


def test_it_splits_an_amount_into_parts_that_add_up_exactly():
    assert split_evenly(1000, 3) == [334, 333, 333]
    assert sum(split_evenly(1, 4)) == 1
