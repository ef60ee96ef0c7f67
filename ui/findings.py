"""Data-quality findings and input errors in the page's language: a description per finding
code from the catalogue (``finding.<code>``), the file name (never a path of the server),
row, field and value as found; an error whose code the catalogue lacks keeps the reader's
own words (what was expected), so no message is ever vaguer than the reader's."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.services import SERVICE_TYPES
from i18n import has, t, type_name

__all__ = ["findings_table", "problem_text", "field_name", "layer_name", "input_error_text"]


def layer_name(layer: str, lang: str) -> str:
    """A data layer's display name (service types by their name)."""
    if layer in SERVICE_TYPES:
        return type_name(layer, lang)
    return t(f"layer.{layer}", lang) if has(f"layer.{layer}") else t("layer.other", lang)


def problem_text(code: str, expected: str, lang: str) -> str:
    """The problem a finding code names, in ``lang``; unknown codes: what was expected."""
    if has(f"finding.{code}"):
        return t(f"finding.{code}", lang)
    if lang == "en":
        return expected
    return t("finding.other", lang) + (f"（{expected}）" if expected else "")


def field_name(name, lang: str) -> str:
    """A field of the site table in ``lang`` (a file's own headers stay as they are)."""
    name = str(name or "")
    return t(f"field.{name}", lang) if has(f"field.{name}") else name


def findings_table(rows: list[dict], lang: str) -> pd.DataFrame:
    """Findings (dicts of geo.quality.Finding fields) for display: severity, layer, the
    problem in words, value, row, file name and field."""
    return pd.DataFrame({
        t("col_severity", lang): [t(f"severity_{r.get('severity', 'info')}", lang)
                                  for r in rows],
        t("col_layer", lang): [layer_name(r.get("layer", ""), lang) for r in rows],
        t("col_problem", lang): [problem_text(str(r.get("code") or ""),
                                              str(r.get("expected", "")), lang) for r in rows],
        t("col_value", lang): [str(r.get("value") if r.get("value") is not None else "")
                               for r in rows],
        t("col_row", lang): [r.get("row") for r in rows],
        t("col_file", lang): [Path(str(r.get("file") or "")).name for r in rows],
        t("col_field", lang): [field_name(r.get("field"), lang) for r in rows],
    })


def input_error_text(exc: Exception, lang: str) -> str:
    """A reader's error (:class:`geo.quality.InputError`, or any ValueError) as one
    message: the problem in words, then where (file name, row, field, value) and, when the
    catalogue has no words for it, what was expected."""
    code = str(getattr(exc, "code", "") or "")
    expected = str(getattr(exc, "expected", "") or "")
    if not hasattr(exc, "file"):
        return t("lib.input_error", lang, problem=_short(str(exc)))
    where = [t("lib.where_file", lang, file=Path(str(exc.file)).name)]
    if getattr(exc, "row", None) is not None:
        where.append(t("lib.where_row", lang, row=exc.row))
    if getattr(exc, "field", None):
        where.append(t("lib.where_field", lang, field=field_name(exc.field, lang)))
    if getattr(exc, "value", None) is not None:
        where.append(t("lib.where_value", lang, value=_short(str(exc.value), 60)))
    problem = t(f"finding.{code}", lang) if has(f"finding.{code}") else \
        t("lib.expected", lang, expected=_short(expected))
    text = problem + t("lib.where", lang, where=t("list_sep", lang).join(where))
    if getattr(exc, "problem", "") and lang == "en" and not has(f"finding.{code}"):
        text += f" — {exc.problem}"
    return t("lib.input_error", lang, problem=text)


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
