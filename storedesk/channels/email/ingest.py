"""Reading raw emails from files: single .eml files, directories (Maildir too) and mbox archives.
Pure file handling: yields (label, raw bytes); storing them is `actions`' job."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from pathlib import Path


def is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def files_under(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.parts))
    return [path]


def count(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        for file in files_under(path):
            total += len(mailbox.mbox(str(file), create=False)) if is_mbox(file) else 1
    return total


def read_all(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    for path in paths:
        for file in files_under(path):
            if is_mbox(file):
                box = mailbox.mbox(str(file), create=False)
                try:
                    for n, key in enumerate(box.iterkeys()):
                        yield f"{file}#{n + 1}", box.get_bytes(key)
                finally:
                    box.close()
            else:
                yield str(file), file.read_bytes()
