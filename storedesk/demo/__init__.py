"""The demo store `make run` shows: agents, customers, conversations, tags and macros."""
