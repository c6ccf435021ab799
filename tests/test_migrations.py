"""The tables come from the migrations in production and in CI's PostgreSQL run; the
quick SQLite suite builds them from the models (`--nomigrations` in pyproject.toml),
which is only the same while the migrations describe the models exactly."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.mark.django_db
def test_the_migrations_describe_the_models_exactly():
    out = io.StringIO()
    try:
        # The app's own migrations, even when pytest-django was told to skip them.
        with override_settings(MIGRATION_MODULES={}):
            call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as missing:
        raise AssertionError(f"models changed without a migration:\n{out.getvalue()}") from missing
