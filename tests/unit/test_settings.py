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
        ({"PORTAL_VERIFICATION_RETRY_SECONDS": "60,soon"}, "PORTAL_VERIFICATION_RETRY_SECONDS"),
        ({"PORTAL_VERIFICATION_RETRY_SECONDS": "60,-1"}, "PORTAL_VERIFICATION_RETRY_SECONDS"),
        ({"PORTAL_VERIFICATION_TIMEOUT_SECONDS": "0"}, "PORTAL_VERIFICATION_TIMEOUT_SECONDS"),
        ({"PORTAL_VIES_URL": "ftp://vies"}, "PORTAL_VIES_URL"),
        ({"PORTAL_VIES_REQUESTER_VAT": "123456"}, "PORTAL_VIES_REQUESTER_VAT"),
        ({"PORTAL_JOB_LEASE_SECONDS": "0"}, "PORTAL_JOB_LEASE_SECONDS"),
        ({"PORTAL_JOBS_IN_SERVER": "sometimes"}, "PORTAL_JOBS_IN_SERVER"),
    ],
)
def test_bad_values_are_refused_by_name(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)


def test_verification_settings_are_read_in_their_canonical_form() -> None:
    settings = Settings.from_env(
        {
            "PORTAL_VERIFICATION_RETRY_SECONDS": " 5, 30 ,600",
            "PORTAL_VIES_REQUESTER_VAT": "nl 0064.86.253.b01",
            "PORTAL_VIES_URL": "http://127.0.0.1:8099/vies/",
        }
    )
    assert settings.verification_retry_seconds == (5.0, 30.0, 600.0)
    assert settings.vies_requester_vat == "NL006486253B01"
    assert settings.vies_url == "http://127.0.0.1:8099/vies"
    defaults = Settings.from_env({})
    assert defaults.tax_id_verification and not defaults.approval_requires_verified_tax_id
    assert defaults.verification_retry_seconds == (60, 300, 1800, 7200, 21600, 86400)
    assert defaults.vies_url == "https://ec.europa.eu/taxation_customs/vies/rest-api"
