"""Settings refuse values the server could not run with, naming the variable."""

from __future__ import annotations

import pytest

from settings import DEFAULT_CURRENCIES, Settings, SettingsError


def test_defaults_from_an_empty_environment() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite://portal.sqlite3"
    assert settings.currencies == DEFAULT_CURRENCIES
    assert settings.graphiql and settings.introspection and not settings.four_eyes


def test_production_switches_the_explorer_off() -> None:
    settings = Settings.from_env({"PORTAL_ENV": "production"})
    assert not settings.graphiql and not settings.introspection


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"PORTAL_IDEMPOTENCY_TTL_SECONDS": "0"}, "PORTAL_IDEMPOTENCY_TTL_SECONDS"),
        ({"PORTAL_TOKEN_TTL_SECONDS": "-5"}, "PORTAL_TOKEN_TTL_SECONDS"),
        ({"PORTAL_DB_POOL_MAX": "0"}, "PORTAL_DB_POOL_MAX"),
        ({"PORTAL_DB_POOL_MIN": "6", "PORTAL_DB_POOL_MAX": "5"}, "PORTAL_DB_POOL_MIN"),
        ({"PORTAL_FOUR_EYES": "maybe"}, "PORTAL_FOUR_EYES"),
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV"),
        ({"PORTAL_JWT_KEY": "short"}, "PORTAL_JWT_KEY"),
        ({"PORTAL_JWT_ALGORITHM": "RS256"}, "PORTAL_JWT_KEY"),
        ({"PORTAL_CURRENCIES": " , "}, "PORTAL_CURRENCIES"),
    ],
)
def test_bad_values_are_refused_by_name(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)
