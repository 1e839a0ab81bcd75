"""Responsiveness: business hours, SLA clocks, expected wait and routing (docs/sla.md)."""
