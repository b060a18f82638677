"""Orders and GMV per city per UTC day, from the city_daily_orders mart."""

import streamlit as st

from dashboards import data
from dashboards.formatting import format_money

st.title("Orders by city")
st.caption("One row per city per UTC day, from the city_daily_orders mart.")

daily = data.city_daily_orders()
if daily is None or daily.empty:
    st.info(
        "No orders in the warehouse yet. Place some orders, then run the warehouse job "
        "(`dagster dev -m orchestration.definitions`, job `warehouse_job`) to build the mart "
        f"at {data.mart_path('city_daily_orders')}."
    )
    st.stop()

cities = sorted(daily["city"].unique())
chosen = st.multiselect("Cities", cities, default=cities)
daily = daily[daily["city"].isin(chosen)]

totals = daily.groupby("currency", as_index=False)[["order_count", "gmv_minor"]].sum()
columns = st.columns(1 + 2 * len(totals))
columns[0].metric("Orders", f"{int(daily['order_count'].sum()):,}")
for i, row in enumerate(totals.itertuples()):
    average = (2 * int(row.gmv_minor) + int(row.order_count)) // (2 * int(row.order_count))
    columns[1 + 2 * i].metric(f"GMV ({row.currency})", format_money(int(row.gmv_minor), row.currency))
    columns[2 + 2 * i].metric(f"Average order value ({row.currency})", format_money(average, row.currency))

st.subheader("Orders per day")
st.bar_chart(daily, x="order_date", y="order_count", color="city")

st.subheader("By city and day")
table = daily.assign(
    gmv=[format_money(m, c) for m, c in zip(daily["gmv_minor"], daily["currency"], strict=True)],
    avg_order_value=[
        format_money(m, c) for m, c in zip(daily["avg_order_value_minor"], daily["currency"], strict=True)
    ],
)[["city", "order_date", "order_count", "gmv", "avg_order_value", "gmv_minor"]]
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "city": "City",
        "order_date": st.column_config.DateColumn("Day (UTC)"),
        "order_count": st.column_config.NumberColumn("Orders"),
        "gmv": "GMV",
        "avg_order_value": "Average order value",
        "gmv_minor": st.column_config.NumberColumn("GMV (minor units)"),
    },
)
