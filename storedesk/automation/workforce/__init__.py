"""Workforce planning: contact forecasts, staffing per interval, shift coverage (docs/workforce.md)."""
