"""Streamlit user interface: pages, folium map building, formatting, done signals.

The UI only shows numbers computed by the analysis layer (:mod:`analysis`); it never
computes coverage itself. Text comes from the one catalogue (:mod:`i18n`)."""
