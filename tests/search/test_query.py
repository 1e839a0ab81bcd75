"""The search box's language: what a typed query becomes (no database)."""

from __future__ import annotations

from storedesk.search.query import MAX_TERMS, AnyOf, Phrase, Prefix, parse


def test_it_makes_each_word_a_term():
    assert parse("refund  damaged") == [Phrase("refund"), Phrase("damaged")]


def test_it_keeps_a_quoted_phrase_together():
    assert parse('"blue   jacket" refund') == [Phrase("blue jacket"), Phrase("refund")]


def test_it_reads_a_trailing_star_as_a_prefix():
    assert parse("refu*") == [Prefix("refu")]


def test_it_needs_two_letters_before_a_star():
    assert parse("r*") == [Phrase("r")]


def test_it_treats_the_last_word_as_a_prefix_when_typing():
    assert parse("blue refu", prefix_last=True) == [Phrase("blue"), Prefix("refu")]
    assert parse("blue refu ", prefix_last=True) == [Phrase("blue"), Phrase("refu")]


def test_it_keeps_an_email_address_whole():
    assert parse("carla@example.com") == [Phrase("carla@example.com")]


def test_it_reads_phone_numbers_in_any_spelling_by_their_last_ten_digits():
    assert parse("+44 7700 900123") == [AnyOf((Phrase("7700900123"), Phrase("+44 7700 900123")))]
    assert parse("07700 900123") == [AnyOf((Phrase("7700900123"), Phrase("07700 900123")))]
    assert parse("7700900123") == [Phrase("7700900123")]
    assert parse("(415) 555-0100 refund") == [AnyOf((Phrase("4155550100"), Phrase("(415) 555-0100"))), Phrase("refund")]


def test_it_leaves_short_numbers_as_words():
    assert parse("order 12345") == [Phrase("order"), Phrase("12345")]


def test_it_ignores_operators_and_punctuation():
    assert parse('AND( -x " * "" ** ) OR') == [Phrase("AND("), Phrase("-x"), Phrase("OR")]


def test_it_finds_nothing_to_search_in_punctuation():
    assert parse('" * - ( ) "" !!') == []


def test_it_drops_repeated_terms():
    assert parse("refund refund REFUND") == [Phrase("refund"), Phrase("REFUND")]


def test_it_caps_the_number_of_terms():
    assert len(parse(" ".join(f"word{i}" for i in range(40)))) == MAX_TERMS
