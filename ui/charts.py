"""The access chart (Altair, :func:`st.altair_chart`): share of the target population whose
nearest site is within 0 … N km, from :func:`analysis.coverage.access_profile` — the baseline
and, while a scenario is being edited, the scenario on the same chart, the radius in use
marked by a dashed rule."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from i18n import t, type_name
from ui import fmt, state
from ui.controls import Settings, demand_label

__all__ = ["access_frame", "access_chart", "access_section", "scenario_sites", "STEPS"]

STEPS = 45  # thresholds 0 … 3 x radius: the radius itself is the 15th, read off exactly


def access_frame(profiles: dict[str, object], lang: str, unit: str = "m") -> pd.DataFrame:
    """Long table for the chart: km (minutes when ``unit`` is "s"), share (0..1), series
    label, per profile (``{series id: access_profile DataFrame}``, thresholds in metres or
    seconds)."""
    scale = 60.0 if unit == "s" else 1000.0
    parts = []
    for series, prof in profiles.items():
        parts.append(pd.DataFrame({"km": prof["threshold"].to_numpy(float) / scale,
                                   "share": prof["share"].to_numpy(float),
                                   "series": t(f"series_{series}", lang)}))
    return pd.concat(parts, ignore_index=True)


def access_chart(frame: pd.DataFrame, radius_km: float, lang: str, demand: str,
                 unit: str = "m"):
    """Step lines of the share within each distance, and the radius as a dashed rule
    (an Altair layer chart; Altair is imported here, after the map has been sent).
    ``unit`` "s": the x axis and the radius are minutes of road travel time."""
    import altair as alt
    x_title = t("chart_x_min" if unit == "s" else "chart_x", lang)
    x = alt.X("km:Q", title=x_title, scale=alt.Scale(nice=False))
    y = alt.Y("share:Q", title=t("chart_y", lang),
              axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]))
    series = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"),
                       scale=alt.Scale(range=["#2c7fb8", "#d95f0e"]))
    lines = alt.Chart(frame).mark_line(interpolate="step-after", strokeWidth=2.5).encode(
        x=x, y=y, color=series,
        tooltip=[alt.Tooltip("series:N", title=t("chart_series", lang)),
                 alt.Tooltip("km:Q", title=x_title, format=".1f"),
                 alt.Tooltip("share:Q", title=t("chart_y", lang),
                             format=".1%")])
    marker = pd.DataFrame({"km": [radius_km],
                           "label": [t("chart_radius_min" if unit == "s" else "chart_radius",
                                       lang, r=fmt.num(radius_km, 1))]})
    rule = alt.Chart(marker).mark_rule(strokeDash=[6, 4], color="#444").encode(x="km:Q")
    text = alt.Chart(marker).mark_text(align="left", dx=4, dy=-6, color="#444").encode(
        x="km:Q", y=alt.value(10), text="label:N")
    return (lines + rule + text).properties(height=300)


def scenario_sites():
    """The site table of the scenario being edited on the scenario page (its baseline with
    the active edits), or None without active edits."""
    from coverage.scenario import apply_edits
    from ui import scenario_actions as act
    hist = st.session_state.get(act.HIST)
    if hist is None or not hist.active:
        return None
    try:
        return apply_edits(act.baseline(), hist.active, places=state.places())
    except ValueError:
        return None


def access_section(settings: Settings, result) -> None:
    """The chart of the analysed type on the landing page."""
    from analysis.coverage import access_profile
    lang = settings.lang
    demand = demand_label(settings.demand, lang, settings.type_id)
    profiles = {"baseline": access_profile(result, steps=STEPS)}
    after = scenario_sites()
    if after is not None:
        scn, _ = state.coverage_of(settings, settings.type_id, after)
        if scn is not None and state.sites_fingerprint(scn.sites) != \
                state.sites_fingerprint(result.sites):
            profiles["scenario"] = access_profile(scn, upper=3.0 * result.query.radius,
                                                  steps=STEPS)
    st.subheader(t("chart_title", lang, type=type_name(settings.type_id, lang), demand=demand),
                 help=t("help.chart", lang))
    unit = result.query.unit
    scale = 60.0 if unit == "s" else 1000.0
    chart = access_chart(access_frame(profiles, lang, unit), result.query.radius / scale, lang,
                         demand, unit)
    st.altair_chart(chart, key="access_chart")
