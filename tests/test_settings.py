import os
import secrets
import subprocess
import sys

import pytest


def _run_check(tmp_path, **environment):
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests allow async-unsafe calls in this process; production never does.
        if key
        not in {"DEBUG", "SECRET_KEY", "SITE_URL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(MEDMENTOR_DATA_DIR=str(tmp_path), **environment)
    return subprocess.run(
        [sys.executable, "-m", "medmentor", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow  # a new Python process
def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _run_check(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(64),
        SITE_URL="https://mentor.lakeside.example",
        DATABASE_URL="postgres://medmentor:secret@db.internal:5432/medmentor",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow  # a new Python process
def test_zero_variables_run_with_a_private_generated_key(tmp_path):
    result = _run_check(tmp_path)
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert len(key_file.read_text()) >= 50
    # Plain http is for a laptop demo only: the deploy check says so.
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr + result.stdout


def test_debug_is_off_unless_asked_for():
    from django.conf import settings

    assert settings.DEBUG is False
