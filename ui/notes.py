"""What the analysis layer wants a reader to know (:class:`analysis.notes.Note`), in the
app's language: the road-network caution is a prominent warning, the others a caption."""
from __future__ import annotations

import streamlit as st

from i18n import t
from ui import state

__all__ = ["show", "note_text", "road_caption", "road_label", "place_names"]

PROMINENT = ("note.road_partial",)


def place_names(text: str, lang: str) -> str:
    """District names of the data (e.g. a road graph's coverage "桃園區") in ``lang``."""
    if lang != "en" or not isinstance(text, str):
        return text
    districts = state.dataset().districts
    names = dict(zip(districts["district"], districts["district_en"]))
    return names.get(text, text)


def note_text(note, lang: str) -> str:
    """The note's text with place names in the page's language."""
    values = {k: place_names(v, lang) for k, v in note.values.items()}
    if "type" in values:
        from i18n import type_name
        values["type"] = type_name(values["type"], lang)
    return t(note.key, lang, **values)


def show(notes, lang: str, *, skip: tuple[str, ...] = ()) -> None:
    """Road-network cautions as warnings (with icon), other notes as captions."""
    for note in notes:
        if note.key in skip:
            continue
        if note.key in PROMINENT:
            st.warning(note_text(note, lang), icon="⚠️")
        else:
            st.caption(note_text(note, lang))


def road_label(source, lang: str) -> str:
    """The road network's name and vintage in ``lang``: the city's configured sources
    (geo/cities/*.toml ``files.roads``) by the catalogue's ``roads.<name>``, any other
    source by its own label (``RoadSource.label``, e.g. a file the user named)."""
    from geo.city import city
    from i18n import has
    from ui import fmt
    roads = city().files.get("roads", {})
    for name, conf in roads.items():
        if isinstance(conf, dict) and conf.get("name") and source.label.startswith(
                str(conf["name"])) and has(f"roads.{name}"):
            return t(f"roads.{name}", lang, v=fmt.version(source.vintage or conf.get(
                "vintage", "")))
    return source.label


def road_caption(source, lang: str) -> str:
    """The caption naming the road network in use (and what it covers when partial)."""
    key = "road_source_partial" if source.partial else "road_source"
    return t(key, lang, source=road_label(source, lang),
             covers=place_names(source.covers, lang))
