"""Tables and figures for reading: one call shows a table, the vocabulary decides how it looks.

:func:`show` is the one way a notebook shows a table: columns get their human labels and their
number formats from :mod:`alignment.vocabulary` (money with thousands separators and two decimals,
percentages as percentages, scores to two decimals, trends with arrows, flags as ✔), the index is
hidden, and every cell is HTML-escaped (a customer named ``<script>`` shows as text in JupyterLab
and in the exports). :func:`format_figure` formats a named figure the same way on every page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from alignment.vocabulary import FIGURES, Kind, column, figure

MISSING = "—"
_TABLE_CSS = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 0.9em;"},
    {"selector": "th", "props": "background: #f2f2f2; text-align: left; padding: 4px 8px; border-bottom: 1px solid #999;"},
    {"selector": "td", "props": "padding: 3px 8px; border-bottom: 1px solid #e5e5e5;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold; padding: 4px 0;"},
]  # fmt: skip
_COMPACT_CSS = [{"selector": "th, td", "props": "font-size: 0.8em; padding: 2px 5px;"}]
_FLAGGED_ROW = "background-color: #fde0dd"


def _number(value: Any) -> float | None:
    if value is None or value is pd.NA or isinstance(value, bool | np.bool_):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def format_value(value: Any, kind: Kind, *, decimals: int = 2) -> str:
    """One value as a reader sees it: ``1234567.5`` money -> ``1,234,567.50``; missing -> ``—``."""
    if kind == "flag":
        return "✔" if value is True or (isinstance(value, np.bool_) and bool(value)) else ""
    if kind in ("text", "date"):
        return (
            MISSING
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
            else str(value)
        )
    x = _number(value)
    if x is None:
        return MISSING
    if kind == "money" or kind == "weight":
        return f"{x:,.{decimals}f}"
    if kind == "percent":
        return f"{x:.1%}"
    if kind == "ratio":
        return f"{x:,.4f}"
    if kind == "score":
        return f"{x:.2f}"
    if kind == "trend":
        return f"▲ +{x:.2f}" if x > 0 else (f"▼ −{abs(x):.2f}" if x < 0 else "= 0.00")
    if kind == "delta":
        return f"{x:+.2f}"
    if kind == "count":
        return f"{x:,.0f}"
    raise ValueError(f"kind {kind!r}: expected one of the vocabulary's kinds")


def format_figure(key: str, value: Any) -> str:
    """A named figure as every page shows it; a score per side reads ``marketing 2.50 / 4, sales 3.25 / 4``."""
    kind = figure(key).kind
    if value is None:
        return MISSING
    if isinstance(value, Mapping):  # one value per side
        return ", ".join(f"{side} {format_figure(key, v)}" for side, v in value.items())
    if kind == "score":
        x = _number(value)
        return MISSING if x is None else f"{x:.2f} / 4"
    return format_value(value, kind)


def figures_table(figures: Mapping[str, Any], keys: Iterable[str] | None = None) -> pd.DataFrame:
    """Named figures as a two-column table (figure label, formatted value).

    In the order asked; by default every registered figure of ``figures``, in the vocabulary's order.
    """
    keys = list(keys) if keys is not None else [f.key for f in FIGURES if f.key in figures]
    return pd.DataFrame(
        {
            "figure": pd.Series([figure(k).label for k in keys], dtype="str"),
            "value": pd.Series([format_figure(k, figures[k]) for k in keys], dtype="str"),
        }
    )


def show(
    df: pd.DataFrame,
    *,
    kinds: Mapping[str, Kind] | None = None,
    decimals: int = 2,
    compact: bool | None = None,
    caption: str | None = None,
    highlight: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Styler:
    """A table for reading, labelled and formatted by the vocabulary.

    Parameters
    ----------
    df : DataFrame
        The table (not modified). Its column names are the contract's; the reader sees their labels.
    kinds : mapping, optional
        Kinds for columns the vocabulary cannot know (one column per month or per product line).
    decimals : int
        Decimals of money (0 for wide tables of whole amounts).
    compact : bool, optional
        A smaller font and tighter cells; by default for tables of more than ten columns.
    caption : str, optional
        A caption above the table.
    highlight : str, optional
        A boolean column whose true rows are shaded (the review's flagged rows).
    labels : mapping, optional
        Labels for columns whose meaning depends on the table (a score column headed by its half-year).
    """
    df = df.reset_index(drop=True)  # a new frame: the caller's is not modified
    if compact is None:
        compact = len(df.columns) > 10
    kinds = dict(kinds or {})
    formats = {}
    numbers = []
    for name in df.columns:
        kind = kinds.get(name) or column(name).kind
        if kind == "text" and pd.api.types.is_bool_dtype(df[name]):
            kind = "flag"
        formats[name] = lambda v, k=kind: format_value(v, k, decimals=decimals)
        if kind not in ("text", "date", "flag"):
            numbers.append(name)
    styler = (
        df.style.format(formats, escape="html")
        .hide(axis="index")
        .relabel_index([(labels or {}).get(c) or column_label(c) for c in df.columns], axis="columns")
        .set_table_styles(_TABLE_CSS + (_COMPACT_CSS if compact else []))
        .set_properties(subset=numbers, **{"text-align": "right"})
    )
    if caption:
        styler = styler.set_caption(html.escape(caption))
    if highlight and highlight in df.columns and not df.empty:
        shade = df[highlight].fillna(False).astype(bool).to_numpy()
        styler = styler.apply(lambda row: [_FLAGGED_ROW if shade[row.name] else "" for _ in row], axis=1)
    return styler


def column_label(name: Any) -> str:
    """The label a shown table gives a column (its vocabulary label, or its own name if unregistered)."""
    return column(str(name)).label
