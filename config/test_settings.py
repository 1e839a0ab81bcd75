"""Settings for the test suite: the real settings with test-only defaults.

DATABASE_URL and REDIS_URL still come from the environment, so the same suite runs on
SQLite and on PostgreSQL + Redis (see .ci/run).
"""

import os
import tempfile

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "t" * 40)
os.environ.setdefault("HUEY_IMMEDIATE", "1")
os.environ.setdefault("STOREDESK_VAR_DIR", tempfile.mkdtemp(prefix="storedesk-test-"))

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns on every request otherwise
