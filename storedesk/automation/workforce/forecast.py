"""Contact forecasts per 30-minute interval: seasonal naive and Holt-Winters, with a backtest.
Pure functions on plain sequences (numpy inside); no ORM.

A series is the contacts of one channel per interval, oldest first, whole weeks of
`SEASON` (7 × 48) intervals in the store's local time (see `intervals.py`).

- **Seasonal naive**: each interval gets the value of the same interval one week earlier.
- **Holt-Winters** (additive seasonality, damped additive trend): level, trend and one
  seasonal index per interval of the week, smoothed with α, β, γ. The parameters are picked
  from a small grid by the smallest one-step-ahead squared error on the history, all grid
  points run at once as numpy vectors. Start: the first week's mean as level, the change of
  the weekly mean between the first two weeks as trend, the first week's deviations as the
  seasonal indices. It needs two weeks of history.
- **Backtest**: hold out the last week(s), fit on the rest, forecast the held-out weeks and
  measure MAE (contacts per interval) and sMAPE (%, an interval where both the forecast and
  the actual are 0 counts as 0 error). The model with the lower MAE is used for that channel.

Forecasts are never negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np

SEASON = 7 * 48  # 30-minute intervals in a week
PHI = 0.98  # trend damping: a trend fades over days instead of running away over weeks
ALPHAS = (0.02, 0.05, 0.1, 0.2, 0.4)
BETAS = (0.0, 0.01, 0.05)
GAMMAS = (0.02, 0.05, 0.1, 0.2, 0.4)
SEASONAL_NAIVE = "seasonal_naive"
HOLT_WINTERS = "holt_winters"
MODELS = (SEASONAL_NAIVE, HOLT_WINTERS)
LABELS = {SEASONAL_NAIVE: "Seasonal naive", HOLT_WINTERS: "Holt-Winters"}


def seasonal_naive(history: Sequence[float], horizon: int, season: int = SEASON) -> list[float]:
    """The same interval one season earlier, repeated for every season of the horizon.
    Shorter than a season: the history's mean, flat."""
    values = [float(v) for v in history]
    if not values:
        return [0.0] * horizon
    if len(values) < season:
        mean = sum(values) / len(values)
        return [mean] * horizon
    last = values[-season:]
    return [last[h % season] for h in range(horizon)]


@dataclass(frozen=True)
class HoltWinters:
    alpha: float
    beta: float
    gamma: float
    sse: float  # one-step-ahead squared error over the history (after the first season)
    forecast: list[float] = field(repr=False)


def holt_winters(
    history: Sequence[float],
    horizon: int,
    season: int = SEASON,
    grid: Sequence[tuple[float, float, float]] | None = None,
    phi: float = PHI,
) -> HoltWinters | None:
    """Fit on `history` (α, β, γ from `grid`, by the smallest one-step squared error) and
    forecast `horizon` intervals. None with less than two seasons of history."""
    y = np.asarray(history, dtype=float)
    n = len(y)
    if n < 2 * season:
        return None
    params = np.array(list(grid or product(ALPHAS, BETAS, GAMMAS)), dtype=float)
    alpha, beta, gamma = params[:, 0], params[:, 1], params[:, 2]
    k = len(params)
    first, second = y[:season].mean(), y[season : 2 * season].mean()
    level = np.full(k, first)
    trend = np.full(k, (second - first) / season)
    seasonal = np.tile(y[:season] - first, (k, 1))
    sse = np.zeros(k)
    for t in range(season, n):
        i = t % season
        s_old = seasonal[:, i]
        damped = phi * trend
        error = y[t] - (level + damped + s_old)
        sse += error * error
        new_level = alpha * (y[t] - s_old) + (1 - alpha) * (level + damped)
        trend = beta * (new_level - level) + (1 - beta) * damped
        seasonal[:, i] = gamma * (y[t] - new_level) + (1 - gamma) * s_old
        level = new_level
    best = int(np.argmin(sse))
    steps = np.arange(1, horizon + 1)
    damping = np.cumsum(phi**steps)  # φ + φ² + … + φʰ
    path = level[best] + damping * trend[best] + seasonal[best, (n + steps - 1) % season]
    return HoltWinters(
        alpha=float(alpha[best]),
        beta=float(beta[best]),
        gamma=float(gamma[best]),
        sse=float(sse[best]),
        forecast=[max(float(v), 0.0) for v in path],
    )


def mae(actual: Sequence[float], forecast: Sequence[float]) -> float:
    if not actual:
        return 0.0
    return sum(abs(f - a) for a, f in zip(actual, forecast, strict=True)) / len(actual)


def smape(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Symmetric MAPE in %, 0–200; an interval with actual = forecast = 0 counts as 0."""
    if not actual:
        return 0.0
    terms = [
        2 * abs(f - a) / (abs(a) + abs(f)) if abs(a) + abs(f) > 0 else 0.0
        for a, f in zip(actual, forecast, strict=True)
    ]
    return 100 * sum(terms) / len(terms)


def model_forecast(model: str, history: Sequence[float], horizon: int, season: int = SEASON) -> list[float] | None:
    if model == SEASONAL_NAIVE:
        return seasonal_naive(history, horizon, season)
    fit = holt_winters(history, horizon, season)
    return fit.forecast if fit else None


@dataclass(frozen=True)
class Score:
    model: str
    mae: float
    smape: float


@dataclass(frozen=True)
class Backtest:
    holdout: int  # intervals held out
    scores: list[Score]  # models that could be fitted on the shortened history
    best: str  # the model to use (seasonal naive without a backtest)


def backtest(history: Sequence[float], holdout_seasons: int = 1, season: int = SEASON) -> Backtest:
    """Fit every model on all but the last `holdout_seasons` seasons, score its forecast of
    them, and pick the lowest MAE (ties: the simpler model, seasonal naive)."""
    holdout = holdout_seasons * season
    values = [float(v) for v in history]
    train, test = values[:-holdout], values[-holdout:]
    scores = []
    if len(train) >= season:
        for model in MODELS:
            predicted = model_forecast(model, train, holdout, season)
            if predicted is not None:
                scores.append(Score(model, mae(test, predicted), smape(test, predicted)))
    best = min(scores, key=lambda s: (s.mae, MODELS.index(s.model))).model if scores else SEASONAL_NAIVE
    return Backtest(holdout=holdout if scores else 0, scores=scores, best=best)


@dataclass(frozen=True)
class ChannelForecast:
    channel: str
    model: str  # the one used for `values`
    values: list[float]  # contacts per interval over the horizon
    backtest: Backtest

    @property
    def model_label(self) -> str:
        return LABELS[self.model]


def forecast_channel(
    channel: str, history: Sequence[float], horizon: int, holdout_seasons: int = 1, season: int = SEASON
) -> ChannelForecast:
    """Backtest both models, then forecast with the better one fitted on the whole history
    (falling back to seasonal naive when the history is too short for Holt-Winters)."""
    result = backtest(history, holdout_seasons, season)
    values = model_forecast(result.best, history, horizon, season)
    model = result.best
    if values is None:
        model, values = SEASONAL_NAIVE, seasonal_naive(history, horizon, season)
    return ChannelForecast(channel=channel, model=model, values=values, backtest=result)
