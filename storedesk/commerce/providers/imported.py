"""Orders that came from a file or the push API: there is no platform to sync from or act on.

Remedies on them are recorded (and audited) but performed by people outside Storedesk, so
every platform action says it is not supported — the agent sees that plainly.
"""

from __future__ import annotations

from typing import Any

from storedesk.commerce.providers.base import Provider


class ImportedProvider(Provider):
    name = "import"
    label = "An imported store"

    def __init__(self, connection: Any) -> None:
        self.connection = connection
