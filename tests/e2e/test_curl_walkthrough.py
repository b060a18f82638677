"""The documented curl walkthrough (ops/walkthrough.sh, docs/walkthrough.md) runs as
written against a real API on the test stack: register → menu → search → cart →
checkout → card payment → accept → ... → delivered → rated."""

import subprocess
import sys
from collections.abc import Callable

import pytest

from ops.stack.config import StackConfig

pytestmark = pytest.mark.stack


def test_the_documented_walkthrough_takes_one_order_from_register_to_delivered_and_rated(
    stack: StackConfig, make_database: Callable[[], str]
) -> None:
    database_url = make_database()
    code = (
        "import sys; from ops.stack.config import StackConfig; from ops.walkthrough import run_walkthrough;"
        f"sys.exit(run_walkthrough(StackConfig.from_env(), {{'TIFFIN_DATABASE_URL': {database_url!r}}}))"
    )
    # A child process, as a newcomer runs it, with the test stack's settings in its env.
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)

    transcript = done.stdout + done.stderr
    assert done.returncode == 0, transcript
    assert "status=DELIVERED" in transcript
    # The documented price: 90000 of food, 10 % off, 5 % tax on the rest, the base delivery fee.
    assert "discount_minor=9000, tax_minor=4050, packaging_minor=0, delivery_fee_minor=2000, total_minor=87050" in (
        transcript
    )
    assert "status=SUCCEEDED, amount_minor=87050" in transcript  # the card payment
    assert "rating_avg=5.0, rating_count=1" in transcript
    search_answer = transcript.split("GET /search/restaurants?q=biriyani")[1].split("GET /restaurants/")[0]
    assert "-> Meghana Foods" in search_answer  # the typo still finds the biryani place
