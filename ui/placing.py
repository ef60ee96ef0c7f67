"""Placing the library's unlocated sites, one row at a time (the data page's to-do list):
(a) at the village its address names (the village's demand point, precision "village"),
(b) by a click on the map (precision "hand") or a village picked from the list ("village"),
(c) optionally by the online geocoder — off by default; the page says when an address would
be sent over the internet, and that a result came from it (precision "geocoder").

Each placement saves a new version of the site's layer (:func:`ui.library_ops.place_site`),
based on the version listed, so it survives reloads and another session's change is
reported, never overwritten. The map is the landing page's cached base map with every
village in one light colour; a click anywhere on it (villages included) gives the point.
"""
from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from geo.geocode import find_village, geocode_sites, geocoder_name, village_points
from i18n import district_name, t, type_name, village_name
from store import LayerError, home_dir, load_layer
from ui import done, fmt, library_ops, mapview, state
from ui.controls import is_new, recall, remember, wkey
from ui.scenario_strings import md

__all__ = ["render", "todo", "GEOCODER_KEY", "MAP_KEY"]

GEOCODER_KEY = "place_geocoder"  # a geocoder object to use instead of Nominatim (tests)
MAP_KEY = "place_map"
POINT_KEY, INDEX_KEY, MSG_KEY = "place_point", "place_index", "place_msg"
FILL = "#eef2f5"
NOMINATIM = "OpenStreetMap Nominatim"


@st.cache_data(show_spinner=False, max_entries=8)
def todo(fingerprint: str) -> pd.DataFrame:
    """The library's listed-not-located sites (cached by the library's fingerprint)."""
    return library_ops.unlocated_rows()


@st.cache_data(show_spinner=False, max_entries=4)
def _points(vintage: str) -> pd.DataFrame:
    """Each village's demand point (lon / lat) of the vintage in use."""
    return village_points(state.base_context(vintage).villages)


def _village_label(code: str, lang: str) -> str:
    row = state.dataset().villages.loc[code]
    return f"{district_name(row, lang)} {village_name(row, lang)}"


def _place(row: dict, lon: float, lat: float, precision: str, how: str) -> None:
    """Button callback: save the row at lon / lat as a new version of its layer."""
    lang = st.session_state.get("lang") or "zh-TW"
    try:
        info = library_ops.place_site(row["layer"], row["site_id"], lon=lon, lat=lat,
                                      precision=precision, expected_version=int(row["version"]),
                                      author=recall("lib_author", ""),
                                      districts=state.dataset().districts)
    except (LayerError, ValueError, OSError) as exc:
        text = library_ops.conflict_text(exc, row["layer"], int(row["version"]), lang)
        st.session_state[MSG_KEY] = ("warning", text)
        return
    st.session_state.pop(POINT_KEY, None)
    st.session_state[MSG_KEY] = ("success", t("place.placed", lang, name=row["name"], how=how,
                                              layer=info.name, v=info.version))


def _place_at_picked(row: dict, key: str, how: str) -> None:
    """Button callback: the village picked in the select box ``key`` (read now, so a pick
    made just before the click counts)."""
    code = st.session_state.get(key)
    points = _points(state.current_vintage())
    if code in points.index:
        p = points.loc[code]
        _place(row, float(p["lon"]), float(p["lat"]), "village", how)


def _place_at_click(row: dict, how: str) -> None:
    """Button callback: the point last clicked on the map for this row."""
    point = st.session_state.get(POINT_KEY)
    if point and point[0] == (row["layer"], row["site_id"]):
        _place(row, point[1], point[2], "hand", how)


def _geocode(row: dict) -> None:
    """Button callback: look the row's address up with the geocoder (the user switched it
    on); a found point is saved with precision "geocoder"."""
    from geo.geocode import nominatim
    lang = st.session_state.get("lang") or "zh-TW"
    geocoder = st.session_state.get(GEOCODER_KEY) or nominatim()
    service = geocoder_name(geocoder)
    sites = load_layer(row["layer"], version=int(row["version"])).sites
    one = sites[sites["site_id"].astype(str) == row["site_id"]]
    placed, findings = geocode_sites(one, geocoder=geocoder, cache_path=home_dir()
                                     / "geocode.json")
    if len(placed) and placed.geometry.iloc[0] is not None and not placed.geometry.iloc[0].is_empty:
        g = placed.geometry.iloc[0]
        _place(row, g.x, g.y, "geocoder", t("precision.geocoder", lang))
        if st.session_state.get(MSG_KEY, ("",))[0] == "success":
            st.session_state[MSG_KEY] = ("success", t("place.geocoded", lang, name=row["name"],
                                                      service=service))
        return
    from ui.findings import problem_text
    problem = "; ".join(problem_text(f.code, f.expected, lang) for f in findings) or fmt.DASH
    st.session_state[MSG_KEY] = ("warning", t("place.geocode_failed", lang, name=row["name"],
                                              problem=problem))


def _skip(n: int) -> None:
    st.session_state[INDEX_KEY] = (st.session_state.get(INDEX_KEY, 0) + 1) % max(n, 1)
    st.session_state.pop(POINT_KEY, None)


def _clicked(row: dict) -> tuple[float, float] | None:
    """The point the user last clicked for this row (lon, lat), or None."""
    value = st.session_state.get(MAP_KEY)
    click = value.get("last_clicked") if isinstance(value, dict) else None
    here = (row["layer"], row["site_id"])
    if click and is_new("place_click", (click.get("lat"), click.get("lng"))):
        st.session_state[POINT_KEY] = (here, float(click["lng"]), float(click["lat"]))
    point = st.session_state.get(POINT_KEY)
    return point[1:] if point and point[0] == here else None


def _map(row: dict, point, lang: str, token: str) -> None:
    from ui.folium_component import show_map
    from ui.map_page import MAP_HEIGHT, _base_map, city_view
    villages = state.dataset().villages
    colors = pd.Series(FILL, index=villages.index)
    groups = [mapview.village_style_group(colors, pd.Series("", index=villages.index),
                                          legend_html=f"<b>{t('place.legend', lang)}</b>",
                                          token=token)]
    fg = folium.FeatureGroup(name="point", control=False)
    if point is not None:
        marker = folium.CircleMarker([point[1], point[0]], radius=9, color="#000000",
                                     weight=3, fill=True, fill_color="#ffcc00", fill_opacity=0.9)
        marker.options["interactive"] = False
        marker.add_to(fg)
    groups.append(fg)
    center, zoom = city_view()
    tiles = recall("tiles", "none")
    show_map(state.base_key(tiles, lang), lambda: _base_map(tiles, lang), groups,
             overlays=[], key=MAP_KEY, height=MAP_HEIGHT, center=center, zoom=zoom,
             returned_objects=["last_clicked"])


def _by_village(row: dict, lang: str) -> None:
    """(a) the village the address names, and the village picker."""
    points = _points(state.current_vintage())
    codes, _ = find_village(row["address"], points, district=row["district"] or None)
    if len(codes) == 1:
        p = points.loc[codes[0]]
        st.button(t("place.by_village", lang, village=md(_village_label(codes[0], lang))),
                  key="place_by_village", on_click=_place,
                  args=(row, float(p["lon"]), float(p["lat"]), "village",
                        t("precision.village", lang)), help=t("help.place_by_village", lang))
    villages = state.dataset().villages.sort_values(["TOWNCODE", "village"])
    options = list(villages.index)
    default = codes[0] if len(codes) == 1 else options[0]
    key = wkey(f"place_village:{row['layer']}:{row['site_id']}", lang)
    st.selectbox(t("place.pick_village", lang), options, index=options.index(default), key=key,
                 format_func=lambda c: _village_label(c, lang),
                 help=t("help.place_pick_village", lang))
    st.button(t("place.at_village", lang), key="place_at_village", on_click=_place_at_picked,
              args=(row, key, t("precision.village", lang)),
              help=t("help.place_at_village", lang))


def _by_geocoder(row: dict, lang: str) -> None:
    """(c) the online geocoder: off until switched on; says what leaves the machine."""
    on = remember("place_geo", st.toggle(t("place.geocoder", lang),
                                         value=bool(recall("place_geo", False)),
                                         key=wkey("place_geo", lang),
                                         help=t("help.place_geocoder", lang)))
    if not on:
        st.caption(t("place.geocoder_off", lang))
        return
    fake = st.session_state.get(GEOCODER_KEY)
    service = geocoder_name(fake) if fake is not None else NOMINATIM
    st.warning(md(t("place.geocoder_on", lang, service=service)))
    st.button(t("place.geocode", lang), key="place_geocode", on_click=_geocode, args=(row,),
              disabled=not row["address"], help=t("help.place_geocode", lang))


def render(lang: str) -> None:
    """The to-do list of unlocated sites: one row, the ways to place it, the map."""
    rows = todo(state.library_fingerprint())
    st.header(t("place.header", lang, n=fmt.num(len(rows))))
    msg = st.session_state.pop(MSG_KEY, None)
    if msg:
        getattr(st, msg[0])(md(msg[1]))
    if not len(rows):
        st.caption(t("place.none", lang))
        return
    i = st.session_state.get(INDEX_KEY, 0) % len(rows)
    row = rows.iloc[i].to_dict()
    token = done.next_token("place")
    with st.container(border=True, key="place_row"):
        st.markdown(md(t("place.current", lang, i=i + 1, n=len(rows))) + f" **{md(row['name'])}**")
        st.caption(md(" · ".join(x for x in (
            f"{t('place.layer', lang)}{t('sep', lang)}{row['layer']}",
            type_name(row["type"], lang) if row["type"] else "", row["district"],
            row["address"]) if x)))
        point = _clicked(row)
        left, right = st.columns([3, 2], gap="medium")
        with right:
            _by_village(row, lang)
            st.caption(t("place.map_hint", lang))
            if point is not None:
                st.caption(t("place.clicked", lang, lat=f"{point[1]:.5f}", lon=f"{point[0]:.5f}"))
            st.button(t("place.at_click", lang), key="place_at_click", on_click=_place_at_click,
                      args=(row, t("precision.hand", lang)), disabled=point is None,
                      help=t("help.place_at_click", lang))
            _by_geocoder(row, lang)
            st.button(t("place.skip", lang), key="place_skip", on_click=_skip, args=(len(rows),),
                      disabled=len(rows) < 2, help=t("help.place_skip", lang))
        with left:
            _map(row, point, lang, token)
    done.mark("place", token)
