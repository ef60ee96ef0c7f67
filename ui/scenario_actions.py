"""Session state and button callbacks of the scenario page.

State lives in ``st.session_state`` under ``scn_*`` keys: the edit history
(:class:`coverage.scenario.EditHistory`), the baseline site table, the loaded scenario's
name/version, the map click, the last suggestion and pending messages. Every button but
"suggest" acts through an ``on_click`` callback, so the page drawn after a click already
shows its result; errors become messages shown above the map. "Suggest" is computed
where its button is drawn (:func:`run_suggestion`, under a named spinner).
"""
from __future__ import annotations

import streamlit as st

from coverage.places import village_point
from coverage.scenario import (AddSite, CloseSite, EditHistory, MoveSite, Scenario,
                               SetCapacity, SetStatus, apply_edits)
from store import (ScenarioConflict, ScenarioError, delete_scenario, duplicate_scenario,
                   load_scenario, save_scenario, store_dir)
from ui import fmt, scenario_calc, state
from ui.controls import Settings, wkey
from ui.scenario_strings import t

HIST, BASE, META, CLICK, SUGGEST, MSGS = ("scn_history", "scn_baseline", "scn_meta",
                                          "scn_click", "scn_suggestion", "scn_messages")
REV = "scn_revision"  # bumped by every change of the edits (see revision())
LAYERS = "scn_layer_versions"  # {site-library layer: version} the baseline was taken from


def _ss():
    return st.session_state


def history() -> EditHistory:
    """The edit history of the scenario being edited."""
    return _ss().setdefault(HIST, EditHistory())


def baseline():
    """The scenario's baseline site table: a snapshot of the app's sites taken when the
    scenario started (or the baseline stored with a loaded scenario)."""
    if _ss().get(BASE) is None:
        _ss()[BASE] = state.current_sites()[0]
        _ss()[LAYERS] = library_versions()
    return _ss()[BASE]


def library_versions() -> dict[str, int]:
    """{layer: version} of the site library now (what a baseline taken now is made of)."""
    from store import LayerError, layer_versions
    try:
        return layer_versions()
    except (LayerError, OSError):
        return {}


def places():
    """Village points and districts of the app's data set (coverage.places), for edits;
    built once per process (:func:`ui.state.places`)."""
    return state.places()


def say(level: str, text: str) -> None:
    _ss().setdefault(MSGS, []).append((level, text))


def _lang() -> str:
    return _ss().get("scn_lang") or "zh-TW"


def key(name: str) -> str:
    """The session key of scenario widget ``name`` in the page's language (each language
    has its own widget: :func:`ui.controls.wkey`)."""
    return wkey(name, _lang())


def get(name: str, default=None):
    """The value of scenario widget ``name`` (in the page's language)."""
    return _ss().get(key(name), default)


def put(name: str, value) -> None:
    """Set scenario widget ``name`` (in the page's language) before it is drawn."""
    _ss()[key(name)] = value


def target_point() -> dict | None:
    """The target point from the widgets: {"lon", "lat", "village"} (village only when a
    village was chosen), or None."""
    where = get("scn_where", "map")
    if where == "map":
        click = _ss().get(CLICK)
        return None if click is None else {"lon": click[0], "lat": click[1], "village": None}
    if where == "coords":
        lon, lat = get("scn_lon"), get("scn_lat")
        return None if lon is None or lat is None else {"lon": lon, "lat": lat, "village": None}
    code = get("scn_village")
    if not code:
        return None
    lon, lat = village_point(places(), code)
    return {"lon": lon, "lat": lat, "village": code}


def push(edit) -> bool:
    """Add an edit after checking that it applies; a failure becomes an error message."""
    hist = history()
    try:
        apply_edits(baseline(), hist.active + (edit,), places=places())
    except ValueError as exc:
        say("error", t("edit_error", _lang(), err=fmt.error_text(exc, _lang())))
        return False
    _ss()[HIST] = hist.push(edit)
    bump()
    if isinstance(edit, AddSite):
        put("scn_map_type", edit.type)  # show the type just edited on the map
    else:
        sites = baseline()
        hit = sites.loc[sites["site_id"] == edit.site_id, "type"]
        if len(hit):
            put("scn_map_type", hit.iloc[0])
    return True


def revision() -> int:
    """A number that changes with every change of the edits (the map fragment redraws the
    whole page when it differs from the one the page was drawn with)."""
    return int(_ss().get(REV, 0))


def bump() -> None:
    _ss()[REV] = revision() + 1


# --- callbacks ----------------------------------------------------------------------------

def on_add() -> None:
    lang, target = _lang(), target_point()
    name = (get("scn_add_name") or "").strip()
    if target is None:
        return say("error", t("no_target", lang))
    if not name:
        return say("error", t("need_name", lang))
    cap = get("scn_add_cap")
    kw = dict(type=get("scn_add_type"), name=name, status=get("scn_add_status", "open"),
              capacity=None if cap is None else float(cap))
    if target["village"] is not None:
        push(AddSite(village=target["village"], **kw))
    else:
        push(AddSite(lon=float(target["lon"]), lat=float(target["lat"]), **kw))


def on_move() -> None:
    target = target_point()
    if target is None:
        return say("error", t("no_target", _lang()))
    push(MoveSite(get("scn_site"), float(target["lon"]), float(target["lat"])))


def on_close() -> None:
    push(CloseSite(get("scn_site")))


def on_capacity() -> None:
    cap = get("scn_cap")
    push(SetCapacity(get("scn_site"), None if cap is None else float(cap)))


def on_status() -> None:
    push(SetStatus(get("scn_site"), get("scn_status")))


def on_undo() -> None:
    _ss()[HIST] = history().undo()
    bump()


def on_redo() -> None:
    _ss()[HIST] = history().redo()
    bump()


def on_reset() -> None:
    for key in (HIST, BASE, META, SUGGEST, LAYERS):
        _ss().pop(key, None)
    put("scn_name", "")
    bump()


def suggestion_distance(settings: Settings) -> tuple[str, str]:
    """(mode, weight) of a suggestion: the sidebar's distance (straight line, road km or
    road minutes); straight line when the data set has no road network."""
    if settings.mode == "network" and state.roads_available():
        return "network", settings.weight
    return "straight", "length"


def suggestion_radius(settings: Settings) -> float:
    """The suggestion radius from its widget in the analysis's unit: seconds (the minutes
    widget) with road travel time, else metres (the km widget)."""
    mode, weight = suggestion_distance(settings)
    if mode == "network" and weight == "travel_time":
        return float(get("scn_sug_minutes")) * 60.0
    return float(get("scn_sug_radius")) * 1000.0


def run_suggestion(settings: Settings) -> str | None:
    """MCLP for the suggestion widgets' choices over the scenario's sites, with the
    sidebar's distance; kept in the session. The error in words, or None."""
    ss, lang = _ss(), _lang()
    mode, weight = suggestion_distance(settings)
    try:
        after = apply_edits(baseline(), history().active, places=places())
        ss[SUGGEST] = scenario_calc.suggest(
            state.dataset(), after, get("scn_sug_type"), k=int(get("scn_sug_k")),
            radius=suggestion_radius(settings), mode=mode, weight=weight,
            demand=None if get("scn_sug_demand", "target") == "target"
            else get("scn_sug_demand"),
            include_planned=bool(ss.get("scn_include_planned", False)))
    except ValueError as exc:
        return t("edit_error", lang, err=fmt.error_text(exc, lang))
    return None


def on_suggest_type(settings: Settings) -> None:
    """A new suggestion type starts from that type's radius (km and minutes)."""
    tid = get("scn_sug_type")
    put("scn_sug_radius", settings.radius_m(tid) / 1000.0)
    put("scn_sug_minutes", settings_minutes(settings, tid))


def settings_minutes(settings: Settings, type_id: str) -> float:
    """The sidebar's road minutes of a type (its default when not set)."""
    from ui.controls import default_minutes
    return float(settings.minutes.get(type_id) or default_minutes()[type_id])


def on_apply_suggestion() -> None:
    sug = _ss().get(SUGGEST)
    if sug is None:
        return
    for edit in scenario_calc.suggestion_edits(sug, name_prefix=t("suggest_prefix", _lang())):
        if not push(edit):
            return
    _ss().pop(SUGGEST, None)


def store() -> str:
    """The scenario store's folder (``scn_store_dir`` in the session, else the default;
    never shown: it is a path of the server)."""
    return _ss().get("scn_store_dir") or str(store_dir())


def on_save() -> None:
    ss, lang = _ss(), _lang()
    name = get("scn_name") or ""
    meta = ss.get(META) or {}
    same = meta.get("name") == name
    scn = Scenario(name=name, baseline=baseline(), edits=history().active,
                   author=get("scn_author") or "", notes=get("scn_notes") or "",
                   created=meta.get("created", "") if same else "",
                   version=meta.get("version", 0) if same else 0)
    try:
        saved = save_scenario(scn, places=places(), store=store(),
                              layer_versions=ss.get(LAYERS) or {})
    except ScenarioConflict as exc:
        return say("error", t("conflict", lang, err=fmt.error_text(exc, lang)))
    except (ScenarioError, ValueError, OSError) as exc:
        return say("error", t("store_error", lang, err=fmt.error_text(exc, lang)))
    ss[META] = {"name": saved.name, "version": saved.version, "created": saved.created}
    say("success", t("saved", lang, name=saved.name, v=saved.version))


def on_load() -> None:
    ss, lang = _ss(), _lang()
    try:
        scn = load_scenario(get("scn_pick"), store=store())
    except (ScenarioError, ValueError) as exc:
        return say("error", t("store_error", lang, err=fmt.error_text(exc, lang)))
    ss[BASE] = scn.baseline
    ss[LAYERS] = dict(scn.layer_versions)
    ss[HIST] = EditHistory.of(scn.edits)
    ss[META] = {"name": scn.name, "version": scn.version, "created": scn.created}
    put("scn_name", scn.name)
    put("scn_author", scn.author)
    put("scn_notes", scn.notes)
    ss.pop(SUGGEST, None)
    bump()
    say("success", t("loaded", lang, name=scn.name, v=scn.version))


def on_delete() -> None:
    """Delete the picked scenario if it is still the version the list showed."""
    ss, lang = _ss(), _lang()
    name = get("scn_pick")
    try:
        delete_scenario(name, store=store(),
                        expected_version=ss.get("scn_listed", {}).get(name))
    except ScenarioConflict as exc:
        return say("error", t("conflict", lang, err=fmt.error_text(exc, lang)))
    except (ScenarioError, ValueError) as exc:
        return say("error", t("store_error", lang, err=fmt.error_text(exc, lang)))
    if (ss.get(META) or {}).get("name") == name:
        ss[META] = {**ss[META], "version": 0, "created": ""}
    say("success", t("deleted", lang, name=name))


def on_duplicate() -> None:
    lang = _lang()
    try:
        saved = duplicate_scenario(get("scn_pick"), get("scn_dup_name") or "",
                                   places=places(), store=store())
    except ScenarioConflict as exc:
        return say("error", t("conflict", lang, err=fmt.error_text(exc, lang)))
    except (ScenarioError, ValueError) as exc:
        return say("error", t("store_error", lang, err=fmt.error_text(exc, lang)))
    say("success", t("duplicated", lang, name=saved.name))
