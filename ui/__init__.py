"""Streamlit user interface: pages, folium map building, zh-TW/English strings, formatting.

The UI only shows numbers computed by :mod:`coverage` and :mod:`geo`; it never computes
coverage itself."""
