"""Point the real `config.settings` at a bench database and start Django.

Shared by generate.py, run.py and peer.py. The bench never reads DATABASE_URL from the
environment: the database is `--database-url` or a SQLite file under the bench var dir, so a
bench run (which may wipe its database with --fresh) cannot touch a real install by accident.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DEFAULT_VAR_DIR = BENCH_DIR / "data"

if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))


@dataclass(frozen=True)
class Target:
    """Where one bench dataset lives: its database URL and the manifest describing it."""

    database_url: str
    var_dir: Path
    name: str  # "sqlite-n100000" or "pg-storedesk_bench_pg": names the manifest file

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        return Path("/" + urlsplit(self.database_url).path.lstrip("/"))

    @property
    def manifest_path(self) -> Path:
        return self.var_dir / f"{self.name}.json"


def target(conversations: int, database_url: str | None = None, var_dir: str | Path | None = None) -> Target:
    """SQLite: one file per dataset size (bench-n<N>.sqlite3), so a 1M and a 100k set can coexist.
    PostgreSQL: the database named in the URL (its manifest says which N it holds)."""
    directory = Path(var_dir) if var_dir else DEFAULT_VAR_DIR
    directory = directory.resolve()
    if database_url:
        if database_url.startswith("sqlite:"):
            return Target(database_url, directory, f"sqlite-{Path(urlsplit(database_url).path).stem}")
        dbname = urlsplit(database_url).path.lstrip("/") or "postgres"
        return Target(database_url, directory, f"pg-{dbname}")
    path = directory / f"bench-n{conversations}.sqlite3"
    return Target(f"sqlite:///{path}", directory, f"sqlite-n{conversations}")


def setup_django(t: Target) -> None:
    """Configure the environment for config.settings (DEBUG off, as deployed) and django.setup()."""
    t.var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = t.database_url
    os.environ["STOREDESK_VAR_DIR"] = str(t.var_dir)
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "b" * 40)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Jobs are not part of any workload; keep a bench run from leaving a queue file behind.
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    # Local-memory cache and channel layer, as the embedded install runs; no Redis in the loop.
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
