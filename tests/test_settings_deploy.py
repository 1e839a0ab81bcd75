"""Production settings: `check --deploy` is clean, and an unsafe start is refused.

Each case runs manage.py in a fresh interpreter with a production-like environment, the
way a deployment starts it (the test settings are never involved).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Nothing from the developer's or the test run's environment leaks in.
SCRUBBED = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "HUEY_IMMEDIATE",
    "STOREDESK_VAR_DIR",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "BEHIND_TLS_PROXY",
}

pytestmark = pytest.mark.slow


def manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", "STOREDESK_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def production_env() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "support.example.com",
        "SITE_URL": "https://support.example.com",
    }


def test_it_passes_the_deploy_check_with_production_settings(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_fails_the_deploy_check_with_a_weak_secret_key(tmp_path):
    result = manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", **{**production_env(), "SECRET_KEY": "short"}
    )

    assert result.returncode == 1
    assert "security.W009" in result.stderr


def test_it_fails_the_deploy_check_without_https(tmp_path):
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **{**production_env(), "SITE_URL": "http://support.example.com"},
    )

    assert result.returncode == 1
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    env = production_env()
    del env["SECRET_KEY"]

    result = manage(tmp_path, "check", **env)

    assert result.returncode == 1
    assert "RuntimeError: SECRET_KEY must be set (or DEBUG=1 for local development)." in result.stderr
    assert "System check identified" not in result.stdout


def test_it_refuses_to_start_with_an_empty_secret_key_and_debug_explicitly_off(tmp_path):
    result = manage(tmp_path, "check", **{**production_env(), "SECRET_KEY": "", "DEBUG": "0"})

    assert result.returncode == 1
    assert "RuntimeError: SECRET_KEY must be set" in result.stderr


def test_it_starts_without_a_secret_key_in_debug(tmp_path):
    result = manage(tmp_path, "check", DEBUG="1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
