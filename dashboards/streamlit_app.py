"""Tiffin dashboards: `streamlit run dashboards/streamlit_app.py` (reads TIFFIN_WAREHOUSE_DIR)."""

import streamlit as st

st.set_page_config(page_title="Tiffin", page_icon=":material/lunch_dining:", layout="wide")

pages = {
    "Business": [
        st.Page(
            "app_pages/orders_by_city.py",
            title="Orders by city",
            icon=":material/location_city:",
            default=True,
        ),
    ],
}

st.navigation(pages).run()
