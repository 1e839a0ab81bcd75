"""Settings for the test suite: the real settings with test-only defaults.

DATABASE_URL and REDIS_URL still come from the environment, so the same suite runs on
SQLite and on PostgreSQL + Redis (see .ci/run).
"""

import os
import tempfile

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "t" * 40)
os.environ.setdefault("HUEY_IMMEDIATE", "1")
os.environ.setdefault("INTENT_WARM_AT_START", "0")  # servers started by tests: no model training
os.environ.setdefault("STOREDESK_VAR_DIR", tempfile.mkdtemp(prefix="storedesk-test-"))

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns on every request otherwise

# SQLite tests use a file database (in the run's temp dir), not Django's in-memory default:
# an in-memory test database is one shared-cache connection set with table-level locks and
# no busy timeout, so threaded tests (the ASGI live server, chat sockets, IMAP IDLE) failed
# now and then with "database table is locked". A file in WAL mode with busy_timeout is what
# production runs, and measured as fast (1,451 tests: 147 s vs 140-154 s).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not os.environ.get(  # noqa: F405
    "STOREDESK_SQLITE_TEST_NAME"
):
    DATABASES["default"]["TEST"]["NAME"] = str(VAR_DIR / "test.sqlite3")  # noqa: F405

# Cached reads (the inbox counts, keyed on store ids and change stamps) must never meet an
# earlier run's keys in a shared Redis: each run gets its own key prefix. tests/conftest.py
# also empties the in-memory cache before each test (SQLite reuses ids after a rollback).
CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}-{os.urandom(3).hex()}"  # noqa: F405
