"""Sidebar controls: language, page and the analysis settings (service type, radius,
distance, demand, planned sites). Map-only choices (metric, layers, tiles, circles,
district) are drawn next to the map (:mod:`ui.overview`) so that changing them reruns the
map alone; their last values travel in :class:`Settings` for the other pages.

Every widget has a stable key (tests set them by key) and a ``help=`` text; option values
are ids, display text comes from the catalogue (:mod:`i18n`), so switching language keeps
the choices.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from geo.services import SERVICE_TYPES
from i18n import DEFAULT_LANG, LANGS, t, type_name

__all__ = ["Settings", "sidebar", "recall", "remember", "wkey", "default_radii_m",
           "default_minutes", "demand_label", "demand_options", "is_new", "pick", "PAGES",
           "DISTANCES", "MAP_METRICS", "TILE_CHOICES", "DEFAULT_TYPE", "DEFAULT_TYPES",
           "vintage_label"]

PAGES = ("overview", "tables", "scenario", "hotspots", "data")
PAGE_ALIASES = {"map": "overview"}  # old bookmarks
# distance choices: (analysis mode, weight); radii in km, or in minutes for road time
DISTANCES = {"straight": ("straight", "length"), "network": ("network", "length"),
             "network_time": ("network", "travel_time")}
MAP_METRICS = ("gap", "covered", "nearest_m", "access", "demand", "population", "density")
TILE_CHOICES = ("none", "osm", "carto")
DEFAULT_TYPE = "family_service_centre"
TARGET = "target"  # demand choice: each type's target population (CoverageQuery demand=None)
DEFAULT_TYPES = (DEFAULT_TYPE,)


@dataclass
class Settings:
    """The user's choices. ``type_id``: the service type analysed; ``layers``: further
    types drawn on the map; ``radii``: metres per type, ``minutes``: road minutes per type
    (used with ``weight="travel_time"``); ``mode``: straight or network; ``demand``: a
    demand group of analysis/defaults.toml, or None for each type's target population;
    ``vintage``: the population vintage in use."""

    lang: str = DEFAULT_LANG
    page: str = "overview"
    type_id: str = DEFAULT_TYPE
    radii: dict[str, float] = field(default_factory=dict)
    mode: str = "straight"
    weight: str = "length"
    minutes: dict[str, float] = field(default_factory=dict)
    vintage: str = ""
    demand: str | None = None
    include_planned: bool = False
    layers: list[str] = field(default_factory=list)
    metric: str = "gap"
    district: str | None = None  # TOWNCODE the map is zoomed to
    tiles: str = "none"
    circles: bool = False

    @property
    def types(self) -> list[str]:
        """The analysed type first, then the other types drawn on the map."""
        return [self.type_id, *[k for k in self.layers if k != self.type_id]]

    @property
    def metric_type(self) -> str:
        """The type the map metric and the rankings are about."""
        return self.type_id

    @property
    def timed(self) -> bool:
        """Road travel time: radii and distances in minutes."""
        return self.mode == "network" and self.weight == "travel_time"

    @property
    def distance(self) -> str:
        """The distance choice: straight, network (road km) or network_time (road min)."""
        return "network_time" if self.timed else self.mode

    def radius_m(self, type_id: str) -> float:
        """The distance radius of ``type_id`` in metres (its default when not set)."""
        return float(self.radii.get(type_id) or default_radii_m()[type_id])

    def radius(self, type_id: str) -> float:
        """The radius of ``type_id`` in the analysis's unit: seconds with road travel time,
        else metres (its default when not set)."""
        if self.timed:
            return 60.0 * float(self.minutes.get(type_id) or default_minutes()[type_id])
        return self.radius_m(type_id)

    def radius_text(self, type_id: str, lang: str | None = None) -> str:
        """The radius as read: "5.0 公里" / "5.0 km", or "10 分鐘" / "10 min"."""
        from ui import fmt
        lang = lang or self.lang
        if self.timed:
            return t("min_value", lang, r=fmt.num(self.radius(type_id) / 60.0))
        return t("km_value", lang, r=fmt.num(self.radius_m(type_id) / 1000.0, 1))


@st.cache_resource(show_spinner=False)
def default_radii_m() -> dict[str, float]:
    """Default radius per type (analysis/defaults.toml), metres."""
    from analysis.config import config

    return {k: config().type(k).radius_m for k in SERVICE_TYPES}


@st.cache_resource(show_spinner=False)
def default_minutes() -> dict[str, float]:
    """Default road travel-time radius per type (analysis/defaults.toml), minutes."""
    from analysis.config import config

    return {k: config().type(k).radius_s / 60.0 for k in SERVICE_TYPES}


def language() -> str:
    """The language switch (first in the sidebar so every later label follows it)."""
    return st.sidebar.segmented_control(
        "Language / 語言", list(LANGS), format_func=LANGS.get, key="lang",
        default=DEFAULT_LANG, selection_mode="single",
        help="介面語言 / Language of the screens") or DEFAULT_LANG


def wkey(name: str, lang: str) -> str:
    """Widget key: ``name`` in zh-TW, ``name@en`` in English. A widget whose labels change
    is a new widget to Streamlit, so each language has its own; the value carries over
    through :func:`remember` / :func:`recall`."""
    return name if lang == DEFAULT_LANG else f"{name}@{lang}"


def recall(name: str, default):
    """The last value the user chose for control ``name`` (in either language)."""
    return st.session_state.get(f"_value_{name}", default)


def remember(name: str, value):
    """Keep ``value`` as the last choice of control ``name``; returns it."""
    st.session_state[f"_value_{name}"] = value
    return value


def is_new(name: str, value) -> bool:
    """Whether ``value`` differs from the last one acted upon under ``name`` (a map click,
    a list row, a search pick), remembering it: an event is acted upon once."""
    handled = st.session_state.setdefault("_handled_events", {})
    if name in handled and handled[name] == value:
        return False
    handled[name] = value
    return True


def pick(widget, name: str, label: str, options: list, default, lang: str, *,
         variant: str = "", **kw):
    """A radio/selectbox over ``options`` that keeps its choice across reruns and
    language switches. ``variant``: what the option texts depend on besides the language
    (e.g. the service type): a new variant is a new widget, since Streamlit keeps showing
    a selected option's old text when only ``format_func`` changes."""
    value = recall(name, default)
    index = options.index(value) if value in options else 0
    key = wkey(name, lang) + (f":{variant}" if variant else "")
    return remember(name, widget(label, options, index=index, key=key, **kw))


@st.cache_data(show_spinner=False)
def demand_options(_villages, villages_key: str) -> list[str]:
    """Demand groups of analysis/defaults.toml that have values in this data set, with
    :data:`TARGET` (each type's target population) first."""
    from analysis.config import config
    from analysis.demand import group_column
    out = [TARGET]
    for name in config().demand_groups:
        try:
            group_column(_villages, name, config())
        except ValueError:
            continue
        out.append(name)
    return out


def demand_label(demand: str | None, lang: str, type_id: str | None = None) -> str:
    """Display name of a demand choice; None (or :data:`TARGET`) names the type's target
    group."""
    if demand in (None, TARGET):
        if type_id is None:
            return t("demand_target", lang)
        from analysis.config import config
        return t("demand_target_of", lang,
                 group=t(f"demand_{config().type(type_id).target}", lang))
    return t(f"demand_{demand}", lang)


def _target_help(type_id: str, lang: str) -> str:
    """Why the type's target group is what it is (the config's rationale; zh-TW from the
    catalogue)."""
    from analysis.config import config
    defaults = config().type(type_id)
    why = (t(f"why_target.{type_id}", lang) if lang != "en" else defaults.target_rationale)
    return t("help.demand", lang, type=type_name(type_id, lang),
             group=t(f"demand_{defaults.target}", lang), why=why)


def _radius(sb, type_id: str, lang: str) -> float:
    """The radius input in km; metres."""
    default_km = default_radii_m()[type_id] / 1000.0
    name = f"radius_{type_id}"
    km = sb.number_input(t("radius_km", lang), min_value=0.5, max_value=50.0,
                         value=float(recall(name, default_km)), step=0.5, key=wkey(name, lang),
                         help=t("help.radius", lang, type=type_name(type_id, lang),
                                km=f"{default_km:g}"))
    return 1000.0 * remember(name, km)


def _minutes(sb, type_id: str, lang: str) -> float:
    """The road travel-time radius input; minutes."""
    default = default_minutes()[type_id]
    name = f"minutes_{type_id}"
    value = sb.number_input(t("radius_min", lang), min_value=1.0, max_value=120.0,
                            value=float(recall(name, default)), step=1.0, key=wkey(name, lang),
                            help=t("help.radius_min", lang, type=type_name(type_id, lang),
                                   m=f"{default:g}"))
    return remember(name, value)


def vintage_label(vintage: str, lang: str) -> str:
    """A vintage as offered in the picker: month, villages and boundary set."""
    from geo.population import POPULATION_VINTAGES
    meta = POPULATION_VINTAGES[vintage]
    return t("vintage_option", lang, v=vintage, n=meta.get("villages", ""),
             b=meta.get("boundaries", ""))


def _map_choices() -> dict:
    """The map-only choices as last made next to the map (defaults before)."""
    return {"layers": [k for k in recall("layers", []) if k in SERVICE_TYPES],
            "metric": recall("metric", "gap"), "district": recall("district", None),
            "tiles": recall("tiles", "none"), "circles": bool(recall("circles", False))}


def sidebar(load, *, network_available) -> Settings:
    """Draw the sidebar and return the settings. The vintage picker (drawn at the bottom)
    is read first; ``load()`` then loads that vintage's context (villages for the demand
    choices); ``network_available()``: whether road distances can be offered."""
    from ui.state import DEFAULT_VINTAGE, VINTAGES
    lang = language()
    sb = st.sidebar
    asked = st.query_params.get("page")
    asked = PAGE_ALIASES.get(asked, asked)
    page = pick(sb.radio, "page", t("page", lang), list(PAGES),
                asked if asked in PAGES else "overview", lang,
                format_func=lambda p: t(f"page_{p}", lang), help=t("help.page", lang))
    st.query_params["page"] = page  # the address bar names the page (bookmarkable)
    box = sb.container()
    vintage = pick(sb.selectbox, "vintage", t("vintage", lang), list(VINTAGES),
                   DEFAULT_VINTAGE, lang, format_func=lambda v: vintage_label(v, lang),
                   help=t("help.vintage", lang))
    ctx = load()
    box.header(t("controls", lang))
    type_id = pick(box.selectbox, "type", t("type", lang), list(SERVICE_TYPES), DEFAULT_TYPE,
                   lang, format_func=lambda k: type_name(k, lang), help=t("help.type", lang))
    distance = pick(box.radio, "mode", t("mode", lang), list(DISTANCES), "straight", lang,
                    format_func=lambda m: t(f"mode_{m}", lang), help=t("help.mode", lang))
    mode, weight = DISTANCES[distance]
    radii = {k: float(recall(f"radius_{k}", v / 1000.0)) * 1000.0
             for k, v in default_radii_m().items()}
    minutes = {k: float(recall(f"minutes_{k}", v)) for k, v in default_minutes().items()}
    if weight == "travel_time":
        minutes[type_id] = _minutes(box, type_id, lang)
    else:
        radii[type_id] = _radius(box, type_id, lang)
    if mode == "network" and not network_available():
        box.caption(t("mode_network_missing", lang))
    demands = demand_options(ctx.villages, vintage)
    demand = pick(box.selectbox, "demand", t("demand", lang), demands, TARGET, lang,
                  variant=type_id, format_func=lambda d: demand_label(d, lang, type_id),
                  help=_target_help(type_id, lang))
    planned = remember("planned", box.checkbox(t("include_planned", lang),
                                               value=recall("planned", False),
                                               key=wkey("planned", lang),
                                               help=t("help.planned", lang)))
    return Settings(lang=lang, page=page, type_id=type_id, radii=radii, mode=mode,
                    weight=weight, minutes=minutes, vintage=vintage,
                    demand=None if demand == TARGET else demand, include_planned=planned,
                    **_map_choices())
