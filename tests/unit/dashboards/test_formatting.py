import pytest

from dashboards.formatting import format_money


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [
        (45050, "INR", "INR 450.50"),
        (5, "INR", "INR 0.05"),
        (123456789, "USD", "USD 1,234,567.89"),
        (1500, "JPY", "JPY 1,500"),
        (1234, "KWD", "KWD 1.234"),
    ],
)
def test_minor_units_are_shown_in_major_units_with_the_currency_exponent(minor, currency, shown):
    assert format_money(minor, currency) == shown
