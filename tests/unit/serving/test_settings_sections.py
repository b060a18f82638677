"""The root settings: flat variable names land in their service's section; the
development JWT secret is refused outside the local environment."""

import os

import pytest
from pydantic import ValidationError

from serving.kernel.settings import DEV_JWT_SECRET
from serving.settings import ServingSettings


def test_a_flat_name_lands_in_the_section_of_the_service_that_owns_it() -> None:
    settings = ServingSettings.of(
        order_tax_bp=700, cart_ttl_seconds=120, payments_gateway="razorpay", log_level="DEBUG"
    )
    assert settings.orders.order_tax_bp == 700
    assert settings.cart.cart_ttl_seconds == 120
    assert settings.payments.payments_gateway == "razorpay"
    assert settings.log_level == "DEBUG"


def test_an_environment_variable_sets_a_nested_setting_by_its_flat_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIFFIN_ORDER_TAX_BP", "1200")
    monkeypatch.setenv("TIFFIN_RESTAURANT_CACHE_TTL_SECONDS", "42")
    settings = ServingSettings()
    assert settings.orders.order_tax_bp == 1200
    assert settings.restaurants.restaurant_cache_ttl_seconds == 42


def test_changed_keeps_everything_else_and_validates_the_change() -> None:
    settings = ServingSettings.of(order_tax_bp=700, database_url="postgresql+psycopg://a@h/db")
    changed = settings.changed(rate_limit_enabled=False, delivery_base_fee_minor=1)
    assert (changed.rate_limit_enabled, changed.orders.delivery_base_fee_minor) == (False, 1)
    assert (changed.orders.order_tax_bp, changed.database_url) == (700, settings.database_url)
    with pytest.raises(ValidationError):
        settings.changed(order_tax_bp=-1)


@pytest.mark.parametrize("name", ["order_tax_bpp", "order_pricing"])  # a typo; a retired setting
def test_an_unknown_setting_is_refused_rather_than_ignored(name: str) -> None:
    with pytest.raises(ValidationError, match=name):
        ServingSettings.of(**{name: "client"})


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_the_development_secret_is_refused_outside_local(environment: str) -> None:
    with pytest.raises(ValidationError, match="development secret"):
        ServingSettings.of(environment=environment, jwt_secret=DEV_JWT_SECRET)
    assert ServingSettings.of(environment=environment, jwt_secret="s" * 40).environment == environment


def test_tiffin_env_is_the_environment_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIFFIN_ENV", "prod")
    monkeypatch.delenv("TIFFIN_JWT_SECRET", raising=False)  # the tests' conftest sets the test stack's
    with pytest.raises(ValidationError, match="development secret"):
        ServingSettings()
    monkeypatch.setenv("TIFFIN_JWT_SECRET", "p" * 48)
    assert ServingSettings().environment == "prod"


def test_as_environment_makes_another_process_read_the_same_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ServingSettings.of(
        environment="staging",
        jwt_secret="e" * 40,
        database_url="postgresql+psycopg://a:b@h:1/db",
        rate_limit_enabled=False,
        order_tax_bp=700,
        payments_retry_cap_seconds=0.005,
    )
    variables = settings.as_environment()
    assert variables["TIFFIN_ENV"] == "staging" and variables["TIFFIN_ORDER_TAX_BP"] == "700"
    assert "TIFFIN_LOG_LEVEL" not in variables  # defaults stay out
    for name in [name for name in os.environ if name.startswith("TIFFIN_")]:
        monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert ServingSettings() == settings
