"""Properties of the pure workforce code over generated inputs: suggested moves never make
coverage worse, each move stays within its day and keeps the shift's length; forecasts are
never negative and as long as asked; staffing never needs fewer agents for more contacts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from storedesk.automation.workforce.coverage import Span, missing, scheduled_counts, suggest_moves
from storedesk.automation.workforce.forecast import holt_winters, seasonal_naive
from storedesk.automation.workforce.staffing import Targets, interval_need

DAY = 48


@st.composite
def days(draw):
    n_days = draw(st.integers(1, 3))
    required = draw(st.lists(st.integers(0, 4), min_size=n_days * DAY, max_size=n_days * DAY))
    spans = []
    for key in range(draw(st.integers(0, 6))):
        day = draw(st.integers(0, n_days - 1))
        length = draw(st.integers(1, 20))
        first = draw(st.integers(day * DAY, day * DAY + DAY - length))
        spans.append(Span(key, first, first + length))
    return required, spans


@settings(max_examples=150, deadline=None)
@given(days())
def test_moves_never_make_coverage_worse_and_stay_in_their_day(case):
    required, spans = case
    moves = suggest_moves(required, spans)
    by_key = {s.key: s for s in spans}
    moved = {m.key: Span(m.key, m.first, m.end) for m in moves}
    assert len(moved) == len(moves)  # each shift at most once
    for move in moves:
        original = by_key[move.key]
        assert move.end - move.first == original.end - original.first
        assert move.first // DAY == original.first // DAY and (move.end - 1) // DAY == original.first // DAY
        assert move.fixed > 0
    before = missing(required, scheduled_counts(spans, len(required)))
    after = missing(required, scheduled_counts([moved.get(s.key, s) for s in spans], len(required)))
    assert after == before - sum(m.fixed for m in moves)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=8, max_size=24), st.integers(1, 12))
def test_forecasts_are_never_negative_and_as_long_as_asked(values, horizon):
    history = [float(v) for v in values]
    assert len(seasonal_naive(history, horizon, season=4)) == horizon
    fit = holt_winters(history, horizon, season=4)
    assert fit is not None and len(fit.forecast) == horizon and min(fit.forecast) >= 0


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 60), st.floats(0, 60), st.floats(0, 30))
def test_more_contacts_never_need_fewer_agents(chat, extra, email):
    aht = {"chat": 360.0, "email": 600.0}
    targets = Targets()
    less = interval_need({"chat": chat, "email": email}, aht, {"chat"}, targets)
    more = interval_need({"chat": chat + extra, "email": email}, aht, {"chat"}, targets)
    assert more.required >= less.required
