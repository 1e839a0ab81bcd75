"""Intent and sentiment of customer messages, and the bot hand-off rules (docs/intent.md)."""
