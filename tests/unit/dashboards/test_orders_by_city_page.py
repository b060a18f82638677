from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import data

DASHBOARDS = Path(data.__file__).parent
PAGE = str(DASHBOARDS / "app_pages" / "orders_by_city.py")
APP = str(DASHBOARDS / "streamlit_app.py")
# Streamlit's 3 s default includes the first run's imports (pandas, pyarrow), which a
# busy 2-core machine can exceed; a page that really hangs still fails.
RUN_TIMEOUT = 30


def write_mart(warehouse: Path, rows: list[dict]) -> Path:
    path = data.mart_path("city_daily_orders", warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = pa.schema(
        [
            ("city", pa.string()),
            ("order_date", pa.date32()),
            ("currency", pa.string()),
            ("order_count", pa.int64()),
            ("gmv_minor", pa.int64()),
            ("avg_order_value_minor", pa.int64()),
        ]
    )
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


def a_day(city, day, orders, gmv_minor, currency="INR"):
    return {
        "city": city,
        "order_date": day,
        "currency": currency,
        "order_count": orders,
        "gmv_minor": gmv_minor,
        "avg_order_value_minor": gmv_minor // orders,
    }


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("TIFFIN_WAREHOUSE_DIR", str(tmp_path))
    return tmp_path


def metrics_by_label(at):
    return {m.label: m.value for m in at.metric}


def test_the_page_shows_total_orders_gmv_and_average_order_value(warehouse):
    write_mart(
        warehouse,
        [a_day("Pune", date(2026, 1, 1), 2, 45050), a_day("Goa", date(2026, 1, 2), 1, 10000)],
    )

    at = AppTest.from_file(PAGE, default_timeout=RUN_TIMEOUT).run()

    assert not at.exception
    assert metrics_by_label(at) == {
        "Orders": "3",
        "GMV (INR)": "INR 550.50",
        "Average order value (INR)": "INR 183.50",
    }


def test_the_table_has_one_row_per_city_and_day_with_money_formatted(warehouse):
    write_mart(warehouse, [a_day("Pune", date(2026, 1, 1), 2, 45050)])

    at = AppTest.from_file(PAGE, default_timeout=RUN_TIMEOUT).run()

    table = at.dataframe[0].value
    assert table[["city", "order_count", "gmv", "avg_order_value"]].to_dict("records") == [
        {"city": "Pune", "order_count": 2, "gmv": "INR 450.50", "avg_order_value": "INR 225.25"}
    ]


def test_choosing_cities_narrows_the_totals(warehouse):
    write_mart(
        warehouse,
        [a_day("Pune", date(2026, 1, 1), 2, 45050), a_day("Goa", date(2026, 1, 2), 1, 10000)],
    )
    at = AppTest.from_file(PAGE, default_timeout=RUN_TIMEOUT).run()

    at.multiselect[0].set_value(["Goa"]).run()

    assert metrics_by_label(at)["Orders"] == "1"
    assert metrics_by_label(at)["GMV (INR)"] == "INR 100.00"


def test_without_a_mart_the_page_says_how_to_build_one(warehouse):
    at = AppTest.from_file(PAGE, default_timeout=RUN_TIMEOUT).run()

    assert not at.exception
    assert "No orders in the warehouse yet" in at.info[0].value
    assert not at.metric


def test_the_all_null_row_dbt_writes_for_an_empty_mart_counts_as_no_data(warehouse):
    write_mart(
        warehouse,
        [dict.fromkeys(("city", "order_date", "currency", "order_count", "gmv_minor", "avg_order_value_minor"))],
    )

    at = AppTest.from_file(PAGE, default_timeout=RUN_TIMEOUT).run()

    assert "No orders in the warehouse yet" in at.info[0].value


def test_the_app_opens_on_the_orders_by_city_page(warehouse):
    write_mart(warehouse, [a_day("Pune", date(2026, 1, 1), 2, 45050)])

    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()

    assert not at.exception
    assert at.title[0].value == "Orders by city"
    assert metrics_by_label(at)["Orders"] == "2"
