"""Page CSS: numbers and labels wrap instead of being cut (metric cards, tags, select
boxes), smaller type in the sidebar's select boxes (the sidebar is 420 px wide, set in
app.py), compact headings, and — on the zh-TW
screens — the file uploader's own English words replaced by the catalogue's (Streamlit does
not translate its widgets: the English text is hidden and ours drawn in its place)."""
from __future__ import annotations

import streamlit as st

__all__ = ["inject", "CSS"]

CSS = """
<style>
[data-testid="stMetricValue"] > div, [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
[data-testid="stMetricValue"] { font-size: 1.6rem !important; }
[data-testid="stMetric"] { min-width: 8.5rem; }
[data-testid="stSidebar"] [data-testid="stSelectbox"] input { font-size: 0.875rem !important; }
[role="option"], [role="option"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
.stMainBlockContainer, [data-testid="stMainBlockContainer"] {
  padding: 4rem 2rem 4rem 2rem !important; max-width: none !important;
}
h1 { font-size: 2rem !important; padding-top: 0 !important; }
h2 { font-size: 1.5rem !important; }
h3 { font-size: 1.2rem !important; }
</style>
"""


_UPLOADER = """
<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span {
  visibility: hidden; font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "%(button)s"; visibility: visible; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "%(limit)s"; visibility: visible; font-size: 0.875rem; }
</style>
"""


def _css_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def inject(lang: str = "zh-TW") -> None:
    """Add the page CSS (call once per run, right after set_page_config)."""
    from i18n import t
    css = CSS
    if lang != "en":
        css += _UPLOADER % {"button": _css_text(t("upload_button", lang)),
                            "limit": _css_text(t("upload_limit", lang))}
    st.html(css)
