"""Real orders over HTTP through every layer, checked where each layer keeps them.

The same Demo class runs `tiffin demo`; here it runs on the test stack with a short
burst of traffic. Every check compares a layer's own data with the orders placed.
"""

import io

import pytest
from rich.console import Console

from ops.demo import Demo
from ops.stack.config import StackConfig
from tests.utils.ports import free_port

pytestmark = [pytest.mark.stack, pytest.mark.flink]

LAYERS = {
    "API + PostgreSQL",
    "Kafka orders.v1",
    "Flink metrics.city_orders_1m.v1",
    "Dagster",
    "raw layer (Parquet)",
    "dbt mart city_daily_orders",
    "Streamlit dashboard",
}


def test_orders_placed_over_http_reach_kafka_flink_the_raw_layer_the_mart_and_the_page(
    stack: StackConfig,
) -> None:
    output = io.StringIO()
    demo = Demo(stack, rate=3, duration_s=8, api_port=free_port(), console=Console(file=output, width=200))

    passed = demo.run()

    transcript = output.getvalue()
    assert {check.layer for check in demo.checks} == LAYERS, transcript
    failed = [check for check in demo.checks if not check.ok]
    assert not failed and passed, transcript
    accepted = next(check for check in demo.checks if check.layer == "API + PostgreSQL")
    assert accepted.got == "24"  # 3/s for 8 s; later trickle orders only close Flink's window
    assert len(demo.ledger.orders) >= 24
