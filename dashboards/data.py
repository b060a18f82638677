"""Reads the marts' Parquet files through an in-memory DuckDB (never the warehouse's DuckDB file).

dbt writes each mart atomically (temp file + rename), so a page never sees half a file;
the dashboard never takes the DuckDB writer lock (docs/adr/0003-duckdb-single-writer.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

DEFAULT_WAREHOUSE_DIR = Path(__file__).resolve().parent.parent / ".stack" / "warehouse"
CACHE_TTL_S = 60

CITY_DAILY_ORDERS_SQL = """
    select city, order_date, currency, order_count, gmv_minor, avg_order_value_minor
    from read_parquet(?)
    where city is not null  -- dbt-duckdb writes one all-null row when a mart is empty
    order by order_date desc, gmv_minor desc, city
"""


def warehouse_dir() -> Path:
    return Path(os.environ.get("TIFFIN_WAREHOUSE_DIR", DEFAULT_WAREHOUSE_DIR))


def mart_path(name: str, warehouse: Path | None = None) -> Path:
    return (warehouse or warehouse_dir()) / "marts" / f"{name}.parquet"


def query_parquet(sql: str, path: Path) -> pd.DataFrame:
    with duckdb.connect(":memory:") as con:
        return con.execute(sql, [str(path)]).df()


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _cached_query(sql: str, path: str, modified_ns: int) -> pd.DataFrame:  # noqa: ARG001
    # modified_ns is part of the cache key: a rebuilt mart is read again at once.
    return query_parquet(sql, Path(path))


def city_daily_orders(warehouse: Path | None = None) -> pd.DataFrame | None:
    """One row per city per UTC day, or None when dbt has not built the mart yet."""
    path = mart_path("city_daily_orders", warehouse)
    if not path.exists():
        return None
    return _cached_query(CITY_DAILY_ORDERS_SQL, str(path), path.stat().st_mtime_ns)
