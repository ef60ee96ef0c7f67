"""The site library on the data page: import a list into a layer (a name, the service type,
new or replacing a layer with the version it is based on), the layers (name, types, sites
located / not located, version in words, author, date) and, for the layer picked, its sites
with how each was located, its versions, roll back, download (CSV / GeoJSON / GeoPackage)
and delete (after a confirmation).

Every change goes to :mod:`store.layers` (through :mod:`ui.library_ops`), so it survives
reloads and restarts; a change refused because someone else changed the layer first is
said in words and the user's data is kept. User text is shown as text, never as HTML."""
from __future__ import annotations

import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.services import SERVICE_TYPES, STATUSES
from i18n import t, type_name
from store import (LayerError, delete_layer, export_layer, layer_history, list_layers,
                   load_layer, rollback_layer)
from ui import fmt, library_ops, state
from ui.controls import recall, remember, wkey
from ui.findings import findings_table, input_error_text
from ui.scenario_strings import md

__all__ = ["render", "layers_frame", "sites_frame", "version_words", "LAST_KEY",
           "PENDING_KEY", "NEW"]

UPLOAD_TYPES = ["csv", "xlsx", "geojson", "json"]
LAST_KEY, PENDING_KEY, LISTED_KEY = "lib_last", "lib_pending", "lib_listed"
NEW = ""  # the import target "a new layer"
EXPORTS = {"csv": "text/csv", "geojson": "application/geo+json",
           "gpkg": "application/geopackage+sqlite3"}


def version_words(info, lang: str) -> str:
    """'第 3 版' / 'version 3', with the version a rollback restored."""
    if info.based_on:
        return t("lib.version_rollback", lang, v=info.version, old=info.based_on)
    return t("lib.version_words", lang, v=info.version)


def _date(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return fmt.DASH


def layers_frame(infos, lang: str) -> pd.DataFrame:
    """One row per layer: name, service types, sites located / not located, version in
    words, author, date, source file (an unreadable layer says so)."""
    rows = []
    for i in infos:
        if i.error is not None:
            rows.append({t("lib.col_layer", lang): i.name or Path(str(i.path)).parent.name,
                         t("lib.col_version", lang): t("lib.unreadable", lang)})
            continue
        rows.append({
            t("lib.col_layer", lang): i.name,
            t("lib.col_types", lang): t("list_sep", lang).join(
                type_name(k, lang) if k in SERVICE_TYPES else k for k in i.types),
            t("lib.col_rows", lang): t("lib.rows_value", lang,
                                       located=fmt.num(i.n_sites - i.n_unlocated),
                                       unlocated=fmt.num(i.n_unlocated)),
            t("lib.col_version", lang): version_words(i, lang),
            t("lib.col_author", lang): i.author or fmt.DASH,
            t("lib.col_date", lang): _date(i.modified),
            t("lib.col_file", lang): i.source_file or fmt.DASH})
    return pd.DataFrame(rows)


def sites_frame(sites, lang: str) -> pd.DataFrame:
    """A layer's sites as read: name, type, district, address, status and how each was
    located (its precision in words)."""
    from ui.map_page import precision_text
    return pd.DataFrame({
        t("col_name", lang): sites["name"].astype(str).to_numpy(),
        t("col_type", lang): [type_name(k, lang) if k in SERVICE_TYPES else str(k)
                              for k in sites["type"]],
        t("col_district", lang): sites["district"].fillna("").astype(str).to_numpy(),
        t("col_address", lang): sites["address"].fillna("").astype(str).to_numpy(),
        t("col_status", lang): [t(s, lang) if s in STATUSES else str(s)
                                for s in sites["status"]],
        t("col_precision", lang): [precision_text(p, lang) for p in sites["precision"]]})


# --- import -----------------------------------------------------------------------------

def _import_form(lang: str, listed: dict[str, int]) -> None:
    with st.form("import_form", clear_on_submit=True):
        st.file_uploader(t("import_file", lang), type=UPLOAD_TYPES, key="upload",
                         help=t("help.import_file", lang))
        c1, c2 = st.columns(2)
        c1.selectbox(t("import_type", lang), ["", *SERVICE_TYPES], key=wkey("import_type", lang),
                     format_func=lambda k: fmt.DASH if not k else type_name(k, lang),
                     help=t("help.import_type", lang))
        c2.selectbox(t("lib.target", lang), [NEW, *listed], key=wkey("lib_target", lang),
                     format_func=lambda n: t("lib.new_layer", lang) if n == NEW else
                     t("lib.replace_layer", lang, name=n, v=listed[n]),
                     help=t("help.lib_target", lang))
        c3, c4 = st.columns(2)
        c3.text_input(t("lib.name", lang), key="lib_name", placeholder=t(
            "lib.name_placeholder", lang), help=t("help.lib_name", lang))
        c4.text_input(t("lib.author", lang), key="lib_author_in",
                      value=recall("lib_author", ""), help=t("help.lib_author", lang))
        st.form_submit_button(t("lib.import_button", lang), on_click=_do_import,
                              help=t("help.lib_import_button", lang))


def _do_import() -> None:
    """Form callback (runs before the page is drawn, so every table shows the result)."""
    ss = st.session_state
    upload = ss.get("upload")
    if upload is None:  # no file chosen, or its upload had not finished: say so
        ss[LAST_KEY] = {"no_file": True}
        return
    lang = ss.get("lang") or "zh-TW"
    author = remember("lib_author", ss.get("lib_author_in") or "")
    stype = ss.get(wkey("import_type", lang)) or None
    target = ss.get(wkey("lib_target", lang)) or NEW
    name = target or (ss.get("lib_name") or "").strip() or Path(upload.name).stem
    expected = ss.get(LISTED_KEY, {}).get(target, 0) if target else 0
    # reading, locating and storing a long list takes seconds: say so meanwhile
    with st.spinner(t("lib.importing", lang, file=md(Path(upload.name).name)), show_time=True):
        try:
            result = library_ops.read_upload(upload.name, upload.getvalue(), service_type=stype,
                                             villages=state.dataset().villages)
        except (ValueError, FileNotFoundError, KeyError) as exc:
            ss[LAST_KEY] = {"error": exc}
            return
        pending = {"result": result, "file": Path(upload.name).name, "type": stype,
                   "author": author, "name": name, "based": expected}
        _store(pending)


def _store(pending: dict) -> None:
    """Save a read list as a layer; on a refusal keep it (nothing is lost)."""
    ss, result = st.session_state, pending["result"]
    if not len(result.sites):
        ss[LAST_KEY] = {"result": result, "empty": True}
        ss.pop(PENDING_KEY, None)
        return
    try:
        info = library_ops.store_import(
            result, pending["name"], expected_version=pending["based"],
            service_type=pending["type"], author=pending["author"],
            source_file=pending["file"], default_sites=state.base_context(
                state.current_vintage()).sites)
    except (LayerError, ValueError, OSError) as exc:
        ss[PENDING_KEY] = pending
        ss[LAST_KEY] = {"result": result, "refused": (exc, pending["name"], pending["based"])}
        return
    ss.pop(PENDING_KEY, None)
    ss[LAST_KEY] = {"result": result, "info": info}


def _save_pending_as() -> None:
    pending = dict(st.session_state.get(PENDING_KEY) or {})
    name = (st.session_state.get("lib_pending_name") or "").strip()
    if pending and name:
        _store({**pending, "name": name, "based": 0})


def _replace_pending() -> None:
    pending = dict(st.session_state.get(PENDING_KEY) or {})
    if pending:
        current = {i.name: i.version for i in list_layers() if i.error is None}
        _store({**pending, "based": current.get(pending["name"], 0)})


def _feedback(lang: str) -> None:
    """The outcome of the import just made, in words; the rows not imported."""
    last = st.session_state.pop(LAST_KEY, None)
    if last is None:
        return
    if "no_file" in last:
        st.warning(t("lib.no_file", lang))
        return
    if "error" in last:
        st.error(md(input_error_text(last["error"], lang)))
        return
    result = last["result"]
    n_bad, rows = fmt.num(len(result.rejected)), fmt.num(result.rows_read)
    if last.get("empty"):
        st.error(md(t("lib.nothing_read", lang, rows=rows, bad=n_bad)))
    elif "refused" in last:
        exc, name, based = last["refused"]
        st.warning(md(library_ops.conflict_text(exc, name, based, lang)))
    else:
        info = last["info"]
        st.success(md(t("lib.stored", lang, name=info.name, v=info.version,
                        n=fmt.num(info.n_sites),
                        located=fmt.num(info.n_sites - info.n_unlocated),
                        unlocated=fmt.num(info.n_unlocated), rows=rows, bad=n_bad)))
    if result.findings:
        st.subheader(t("lib.findings", lang))
        st.dataframe(findings_table([asdict(f) for f in result.findings], lang),
                     hide_index=True, key=wkey("import_findings", lang))


def _pending(lang: str) -> None:
    """A list that was read but not stored (a conflict): store it under another name or
    replace the layer's current version."""
    pending = st.session_state.get(PENDING_KEY)
    if not pending:
        return
    with st.container(border=True, key="lib_pending_box"):
        st.markdown("**" + md(t("lib.pending", lang, file=pending["file"],
                                  n=len(pending["result"].sites))) + "**")
        c1, c2, c3 = st.columns([3, 2, 2], vertical_alignment="bottom")
        c1.text_input(t("lib.name", lang), key="lib_pending_name",
                      value=f"{pending['name']} (2)", help=t("help.lib_save_as", lang))
        c2.button(t("lib.save_as", lang), key="lib_save_as", on_click=_save_pending_as,
                  help=t("help.lib_save_as", lang))
        current = {i.name: i.version for i in list_layers() if i.error is None}
        if pending["name"] in current:
            c3.button(t("lib.replace_now", lang, name=md(pending["name"]),
                        v=current[pending["name"]]), key="lib_replace_now",
                      on_click=_replace_pending, help=t("help.lib_replace_now", lang))
        st.button(t("lib.discard", lang), key="lib_discard", help=t("help.lib_discard", lang),
                  on_click=lambda: st.session_state.pop(PENDING_KEY, None))


# --- the layers -------------------------------------------------------------------------

def _layer_actions(info, lang: str) -> None:
    """The picked layer: its sites, versions, roll back, download, delete."""
    layer = load_layer(info.name, version=info.version)
    st.caption(md(t("lib.rows_of", lang, name=info.name)))
    st.dataframe(sites_frame(layer.sites, lang), hide_index=True,
                 key=wkey("lib_rows", lang))
    history = [h for h in layer_history(info.name) if h.error is None]
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    older = [h.version for h in history if h.version != info.version]
    with c1:
        if older:
            to = st.selectbox(t("lib.rollback_to", lang), older[::-1], key=wkey("lib_to", lang),
                              format_func=lambda v: t("lib.version_words", lang, v=v),
                              help=t("help.lib_rollback_to", lang))
            st.button(t("lib.rollback", lang), key="lib_rollback", on_click=_rollback,
                      args=(info.name, to, info.version), help=t("help.lib_rollback", lang))
        else:
            st.caption(t("lib.no_older", lang))
    with c2:
        fmt_ = st.radio(t("lib.export_format", lang), list(EXPORTS), horizontal=True,
                        key="lib_fmt", format_func=lambda f: {"csv": "CSV", "geojson":
                                                              "GeoJSON", "gpkg": "GeoPackage"}[f],
                        help=t("help.lib_export_format", lang))
        st.download_button(t("lib.export", lang), lambda: _export(info.name, info.version, fmt_),
                           file_name=f"{Path(info.path).parent.name}.{fmt_}",
                           mime=EXPORTS[fmt_], key="lib_export", on_click="ignore",
                           help=t("help.lib_export", lang))
    with c3:
        sure = st.checkbox(t("lib.confirm_delete", lang, name=md(info.name)), value=False,
                           key=wkey(f"lib_sure:{info.name}", lang),
                           help=t("help.lib_confirm_delete", lang))
        st.button(t("lib.delete", lang), key="lib_delete", disabled=not sure, type="primary",
                  on_click=_delete, args=(info.name, info.version),
                  help=t("help.lib_delete", lang))
    st.caption(t("lib.history", lang) + t("sep", lang) + t("list_sep", lang).join(
        f"{version_words(h, lang)} · {_date(h.modified)}" for h in history))


def _export(name: str, version: int, fmt_: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = export_layer(name, Path(tmp) / f"layer.{fmt_}", version=version, fmt=fmt_)
        return Path(path).read_bytes()


def _rollback(name: str, to: int, based: int) -> None:
    lang = st.session_state.get("lang") or "zh-TW"
    try:
        info = rollback_layer(name, int(to), expected_version=based,
                              author=recall("lib_author", ""))
    except (LayerError, ValueError, OSError) as exc:
        st.session_state["lib_msg"] = ("warning", library_ops.conflict_text(exc, name, based,
                                                                            lang))
        return
    st.session_state["lib_msg"] = ("success", t("lib.rolled_back", lang, name=name,
                                                v=info.version, old=to))


def _delete(name: str, based: int) -> None:
    lang = st.session_state.get("lang") or "zh-TW"
    try:
        delete_layer(name, expected_version=based)
    except (LayerError, ValueError, OSError) as exc:
        st.session_state["lib_msg"] = ("warning", library_ops.conflict_text(exc, name, based,
                                                                            lang))
        return
    st.session_state["lib_msg"] = ("success", t("lib.deleted", lang, name=name))


def render(lang: str) -> None:
    """The import form and the site library."""
    infos = list_layers()
    good = [i for i in infos if i.error is None]
    listed = {i.name: i.version for i in good}
    st.session_state[LISTED_KEY] = listed  # what an import or an action is based on
    st.header(t("lib.import", lang))
    st.caption(t("lib.import_help", lang))
    _import_form(lang, listed)
    _feedback(lang)
    _pending(lang)
    st.header(t("lib.layers", lang))
    msg = st.session_state.pop("lib_msg", None)
    if msg:
        getattr(st, msg[0])(md(msg[1]))
    if not infos:
        st.caption(t("lib.no_layers", lang))
        return
    st.dataframe(layers_frame(infos, lang), hide_index=True, key=wkey("lib_layers", lang))
    if not good:
        return
    names = [i.name for i in good]
    pick = recall("lib_pick", names[0])
    name = remember("lib_pick", st.selectbox(
        t("lib.pick", lang), names, index=names.index(pick) if pick in names else 0,
        key=wkey("lib_pick", lang), help=t("help.lib_pick", lang)))
    with st.container(border=True, key="lib_layer_box"):
        _layer_actions(next(i for i in good if i.name == name), lang)
