"""Specs for the contact forecasts: seasonal naive, Holt-Winters and the backtest, on synthetic
series whose answers are known."""

from __future__ import annotations

import math

import pytest

from storedesk.automation.workforce.forecast import (
    HOLT_WINTERS,
    SEASON,
    SEASONAL_NAIVE,
    backtest,
    forecast_channel,
    holt_winters,
    mae,
    seasonal_naive,
    smape,
)

# A week-shaped pattern: quiet nights, a morning and an afternoon peak (exact in binary).
PATTERN = [float((i % 48 > 16) * 2 + (i % 48 in range(20, 26)) * 4 + (i // 48 < 5)) for i in range(SEASON)]


def test_it_repeats_last_week_for_seasonal_naive():
    history = [0.0] * SEASON + PATTERN
    assert seasonal_naive(history, 2 * SEASON) == PATTERN + PATTERN
    assert seasonal_naive([1.0, 2.0, 3.0, 4.0], 3, season=2) == [3.0, 4.0, 3.0]


def test_it_uses_the_mean_when_history_is_shorter_than_a_season():
    assert seasonal_naive([1.0, 2.0, 6.0], 2, season=4) == [3.0, 3.0]
    assert seasonal_naive([], 2) == [0.0, 0.0]


def test_holt_winters_needs_two_seasons():
    assert holt_winters(PATTERN, 10) is None


def test_holt_winters_reproduces_a_purely_seasonal_series():
    fit = holt_winters(PATTERN * 3, SEASON)
    assert fit is not None
    assert fit.sse == pytest.approx(0, abs=1e-18)
    assert fit.forecast == pytest.approx(PATTERN, abs=1e-12)


def test_holt_winters_forecasts_a_constant_series_as_that_constant():
    fit = holt_winters([5.0] * 12, 5, season=4, grid=[(0.3, 0.1, 0.2)])
    assert fit is not None
    assert fit.forecast == [5.0] * 5
    assert (fit.alpha, fit.beta, fit.gamma, fit.sse) == (0.3, 0.1, 0.2, 0.0)


def test_holt_winters_follows_a_level_shift_by_its_smoothing():
    # Season 2, values 0 then one step to 10 at t = 4 with α = 0.5, β = γ = 0 and no damping:
    # level 0 → 5 after the jump, flat seasonal indices, so every later forecast is 5.
    fit = holt_winters([0.0, 0.0, 0.0, 0.0, 10.0], 3, season=2, grid=[(0.5, 0.0, 0.0)], phi=1.0)
    assert fit is not None
    assert fit.forecast == [5.0, 5.0, 5.0]
    assert fit.sse == 100.0


def test_holt_winters_never_forecasts_below_zero():
    falling = [10.0 - t for t in range(8)]  # 10 … 3, one less per interval
    fit = holt_winters(falling, 12, season=2, grid=[(0.9, 0.9, 0.0)], phi=1.0)
    assert fit is not None
    assert fit.forecast[-1] == 0.0
    assert min(fit.forecast) == 0.0


def test_it_scores_mae_and_smape():
    assert mae([1.0, 2.0, 3.0], [2.0, 2.0, 1.0]) == 1.0
    # |f−a| × 2 ÷ (|a|+|f|): 2/3, 0, 1, and 0 for the interval where both are 0.
    assert smape([1.0, 2.0, 3.0, 0.0], [2.0, 2.0, 1.0, 0.0]) == pytest.approx(100 * (2 / 3 + 0 + 1 + 0) / 4)
    assert smape([0.0], [4.0]) == 200.0


def test_backtest_holds_out_the_last_week():
    # Week 2 = week 1 + 1 everywhere: seasonal naive misses the held-out week by exactly 1.
    history = PATTERN * 2 + [v + 1 for v in PATTERN]
    result = backtest(history)
    assert result.holdout == SEASON
    scores = {s.model: s for s in result.scores}
    assert set(scores) == {SEASONAL_NAIVE, HOLT_WINTERS}
    assert scores[SEASONAL_NAIVE].mae == 1.0
    expected_smape = 100 * sum(2 / (2 * v + 1) for v in PATTERN) / SEASON
    assert scores[SEASONAL_NAIVE].smape == pytest.approx(expected_smape)
    # Holt-Winters fitted on two identical weeks forecasts the pattern too: the same error.
    assert scores[HOLT_WINTERS].mae == pytest.approx(1.0)


def test_backtest_prefers_seasonal_naive_on_a_tie_and_without_holt_winters():
    result = backtest(PATTERN * 3)
    assert result.best == SEASONAL_NAIVE
    assert [s.mae for s in result.scores] == pytest.approx([0.0, 0.0], abs=1e-12)
    short = backtest(PATTERN * 2)  # one week left to fit: no Holt-Winters
    assert [s.model for s in short.scores] == [SEASONAL_NAIVE]
    assert backtest(PATTERN).scores == []


def test_backtest_picks_holt_winters_when_it_is_closer():
    # A noisy week before the held-out one: naive copies the noise, Holt-Winters smooths it.
    noisy = [v + (3.0 if i % 2 else -3.0) for i, v in enumerate(PATTERN)]
    history = [v + 3 for v in PATTERN] * 3 + [v + 3 for v in noisy] + [v + 3 for v in PATTERN]
    result = backtest(history)
    scores = {s.model: s.mae for s in result.scores}
    assert scores[SEASONAL_NAIVE] == 3.0
    assert scores[HOLT_WINTERS] < 3.0
    assert result.best == HOLT_WINTERS


def test_forecast_channel_uses_the_better_model_on_the_whole_history():
    result = forecast_channel("chat", PATTERN * 3, 2 * SEASON)
    assert result.model == SEASONAL_NAIVE
    assert result.values == PATTERN + PATTERN
    assert len(result.backtest.scores) == 2
    assert all(not math.isnan(v) for v in result.values)
