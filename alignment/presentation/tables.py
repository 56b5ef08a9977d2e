"""Tables and figures for reading: one call shows a table, the vocabulary decides how it looks.

:func:`show` is the one way a notebook shows a table: columns get their human labels and their
number formats from :mod:`alignment.vocabulary` (money with thousands separators, without decimals
in a column of whole amounts; percentages as percentages, scores to two decimals, trends with
arrows, flags as ✓ or blank, codes such as ``customer_group`` in words), ids of people, products
and customers carry their names (``Hannah Keller (S001)``), the index is hidden, and every cell is
HTML-escaped (a customer named ``<script>`` shows as text in JupyterLab and in the exports). An
empty table is one sentence saying what is empty and why. A wide table can show some of its
columns and link the report's table file that holds all of them.

How money reads is the run's :class:`Display` (the params file's ``display`` section: units,
thousands or millions, and a currency symbol), which :func:`alignment.workbook.open_workbook` sets
once per notebook. It changes what is shown only: CSVs, tables files and the quota book keep cents.
:func:`format_figure` formats a named figure the same way on every page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from alignment.money import SCALES, figure_text, scaled_text
from alignment.vocabulary import FIGURES, Kind, code_words, column, figure

MISSING = "—"
TICK = "✓"
#: Where a page's links find the report's tables: pages are in ``html/``, tables in ``tables/``.
TABLES_HREF = "../tables/"
_TABLE_CSS = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 0.9em; max-width: 100%;"},
    {"selector": "th", "props": "background: #f2f2f2; text-align: left; padding: 4px 8px; border-bottom: 1px solid #999; "
                                "white-space: normal; vertical-align: bottom; min-width: 4em; max-width: 12em;"},
    {"selector": "td", "props": "padding: 3px 8px; border-bottom: 1px solid #e5e5e5;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold; padding: 4px 0;"},
    {"selector": "caption a", "props": "font-weight: normal;"},
]  # fmt: skip
_COMPACT_CSS = [
    {"selector": "th, td", "props": "font-size: 0.78em; padding: 2px 4px;"},
    {"selector": "th", "props": "min-width: 3em; max-width: 6em; hyphens: auto;"},
]
_NUMBER_CSS = {"text-align": "right", "white-space": "nowrap"}
_FLAGGED_ROW = "background-color: #fde0dd"
#: Columns that already carry the name of an entity's id, so the id column keeps its bare id.
NAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("name", "owner_name"),
    "product": ("product_name",),
    "customer": ("customer_name",),
}


@dataclass(frozen=True)
class Display:
    """How the tables and figures of a run are shown.

    Attributes
    ----------
    money_scale : str
        ``units``, ``thousands`` or ``millions``.
    currency : str or None
        A symbol such as ``€``, put in money columns' labels and before money figures.
    names : mapping
        Per entity (``person``, ``product``, ``customer``), id -> name, written beside ids.
    tables_dir : Path or None
        The folder the run writes its tables to (None: no tables, so no links to them).
    """

    money_scale: str = "units"
    currency: str | None = None
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    tables_dir: Path | None = None

    def money_unit(self) -> str:
        """What a money column's label adds: ``€``, ``€ thousands``, ``millions`` or nothing."""
        word = SCALES[self.money_scale][2]
        return " ".join(part for part in (self.currency or "", word) if part)


_current = Display()


def set_display(display: Display) -> None:
    """Use ``display`` for every table and figure shown from now on (a notebook calls it once)."""
    global _current
    _current = display


def current_display() -> Display:
    """The display settings in use."""
    return _current


@contextmanager
def using(display: Display) -> Iterator[Display]:
    """Show with ``display`` inside the block, then go back to the settings before."""
    before = current_display()
    set_display(display)
    try:
        yield display
    finally:
        set_display(before)


def names_of(inputs: Any) -> dict[str, dict[str, str]]:
    """Id -> name of the people, products and customers of a data folder."""

    def lookup(df: pd.DataFrame, key: str, name: str) -> dict[str, str]:
        if df is None or key not in df.columns or name not in df.columns:
            return {}
        return dict(zip(df[key].astype(str), df[name].astype(str), strict=True))

    return {
        "person": lookup(inputs.people, "person_id", "name"),
        "product": lookup(inputs.products, "product_id", "product_name"),
        "customer": lookup(inputs.customers, "customer_id", "customer_name"),
    }


def display_for(settings: Any, inputs: Any = None, tables_dir: Path | None = None) -> Display:
    """The display of a run: its params' ``display`` section, the data's names, where its tables go."""
    return Display(
        money_scale=getattr(settings, "money_scale", "units"),
        currency=getattr(settings, "currency", None),
        names=names_of(inputs) if inputs is not None else {},
        tables_dir=tables_dir,
    )


# --------------------------------------------------------------------------- one value


def _number(value: Any) -> float | None:
    if value is None or value is pd.NA or isinstance(value, bool | np.bool_):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def money_text(
    x: float, display: Display | None = None, *, whole: bool = False, decimals: int = 2, signed: bool = False
) -> str:
    """An amount in the display's scale: ``1234567.5`` -> ``1,234,567.50`` (units), ``1,234.6`` (thousands).

    ``whole``: the amount's column holds whole amounts of the scale, written without decimals;
    ``signed``: a difference, ``+`` before an amount >= 0 (:func:`alignment.money.scaled_text`).
    """
    scale = (display or current_display()).money_scale
    return scaled_text(x, scale, whole=whole, decimals=decimals, signed=signed)


def _ratio_text(x: float) -> str:
    """A ratio with the decimals its size needs: ``0.1367``, ``12.35``, ``5,000``."""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}"
    return f"{x:.4f}"


def format_value(
    value: Any, kind: Kind, *, decimals: int = 2, display: Display | None = None, whole: bool = False
) -> str:
    """One value as a reader sees it: ``1234567.5`` money -> ``1,234,567.50``; missing -> ``—``.

    ``whole`` is for a value of a column of whole amounts (money and weights lose their decimals).
    """
    if kind == "flag":
        return TICK if value is True or (isinstance(value, np.bool_) and bool(value)) else ""
    if kind in ("text", "date", "code"):
        if _missing(value):
            return MISSING
        return code_words(str(value)) if kind == "code" else str(value)
    x = _number(value)
    if x is None:
        return MISSING
    if kind == "money":
        return money_text(x, display, whole=whole, decimals=decimals)
    if kind == "weight":
        return f"{x:,.0f}" if whole else f"{x:,.{decimals}f}"
    if kind == "percent":
        return f"{x:.1%}"
    if kind == "ratio":
        return _ratio_text(x)
    if kind == "score":
        return f"{x:.2f}"
    if kind == "trend":
        return f"▲ +{x:.2f}" if x > 0 else (f"▼ −{abs(x):.2f}" if x < 0 else "= 0.00")
    if kind == "delta":
        return f"{x:+.2f}"
    if kind == "count":
        return f"{x:,.0f}"
    raise ValueError(f"kind {kind!r}: expected one of the vocabulary's kinds")


def money_figure(value: Any, display: Display | None = None, *, signed: bool = False) -> str:
    """A money figure with its currency and scale: ``€66,499,208.54``, ``€66,499.2K``, ``66.50M``.

    The one way a figure or a sentence writes money (:func:`alignment.money.figure_text`); ``signed``
    puts ``+`` before an amount >= 0 (a variance, a change).
    """
    d = display or current_display()
    return figure_text(_number(value), d.money_scale, d.currency, signed=signed)


def format_figure(key: str, value: Any, display: Display | None = None) -> str:
    """A named figure as every page shows it; a score per side reads ``marketing 2.50 / 4, sales 3.25 / 4``."""
    kind = figure(key).kind
    if value is None:
        return MISSING
    if isinstance(value, Mapping):  # one value per side
        return ", ".join(f"{side} {format_figure(key, v, display)}" for side, v in value.items())
    if kind == "score":
        x = _number(value)
        return MISSING if x is None else f"{x:.2f} / 4"
    if kind == "money":
        return money_figure(value, display)
    return format_value(value, kind)


def figures_table(
    figures: Mapping[str, Any], keys: Iterable[str] | None = None, display: Display | None = None
) -> pd.DataFrame:
    """Named figures as a two-column table (figure label, formatted value).

    In the order asked; by default every registered figure of ``figures``, in the vocabulary's order.
    """
    keys = list(keys) if keys is not None else [f.key for f in FIGURES if f.key in figures]
    return pd.DataFrame(
        {
            "figure": pd.Series([figure(k).label for k in keys], dtype="str"),
            "value": pd.Series([format_figure(k, figures[k], display) for k in keys], dtype="str"),
        }
    )


# --------------------------------------------------------------------------- a table


@dataclass(frozen=True)
class Note:
    """One sentence shown where a table or chart would be: what is empty and why."""

    text: str

    def _repr_html_(self) -> str:
        return f'<p class="alignment-empty"><em>{html.escape(self.text)}</em></p>'

    def _repr_markdown_(self) -> str:
        return f"*{self.text}*"

    def __repr__(self) -> str:
        return self.text


def nothing_to_show(what: str, why: str | None = None) -> Note:
    """The sentence that replaces an empty table or chart: ``No row is capped: every share fitted.``"""
    return Note(f"{what}: {why}" if why else what)


def _whole(values: pd.Series, divisor: float) -> bool:
    """Whether every amount of a column is a whole number of the scale's unit (and there is one)."""
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    x = x[np.isfinite(x)]
    return bool(len(x)) and bool(np.all(np.abs(x / divisor - np.round(x / divisor)) < 1e-9))


def _named(ids: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """Ids with their names: ``Hannah Keller (S001)``; an id without a name (or free text) stays as it is."""
    return ids.map(lambda v: v if _missing(v) or str(v) not in names else f"{names[str(v)]} ({v})")


def with_names(df: pd.DataFrame, display: Display | None = None) -> pd.DataFrame:
    """``df`` with each id column of a person, product or customer written with its name.

    A column is left as it is where the table already has the name beside it (``customer_name``).
    """
    d = display or current_display()
    out = {}
    for name in df.columns:
        of = column(str(name)).of
        if of is None or not d.names.get(of) or any(c in df.columns for c in NAME_COLUMNS[of]):
            continue
        if of == "person" and name == "owner" and "owner_name" in df.columns:
            continue
        out[name] = _named(df[name], d.names[of])
    return df.assign(**out) if out else df


def table_link(file: str, display: Display | None = None) -> str | None:
    """A page's link to one of the run's table files (``../tables/final_quotas.csv``), None without one.

    The file's extension follows the format the run writes its tables in (CSV or Parquet).
    """
    d = display or current_display()
    if d.tables_dir is None:
        return None
    from alignment.outputs import folder_table_format

    stem, _, ext = file.rpartition(".")
    if ext in ("csv", "parquet"):
        file = f"{stem}.{folder_table_format(d.tables_dir)}"
    return TABLES_HREF + file


def show(
    df: pd.DataFrame,
    *,
    kinds: Mapping[str, Kind] | None = None,
    decimals: int = 2,
    compact: bool | None = None,
    caption: str | None = None,
    highlight: str | None = None,
    labels: Mapping[str, str] | None = None,
    columns: Iterable[str] | None = None,
    full_table: str | None = None,
    empty: str | None = None,
    uuid: str | None = None,
) -> Styler | Note:
    """A table for reading, labelled and formatted by the vocabulary.

    Parameters
    ----------
    df : DataFrame
        The table (not modified). Its column names are the contract's; the reader sees their labels.
    kinds : mapping, optional
        Kinds for columns the vocabulary cannot know (one column per month or per product line).
    decimals : int
        Decimals of money in units (0 for wide tables of whole amounts).
    compact : bool, optional
        A smaller font and tighter cells; by default for tables of more than ten columns.
    caption : str, optional
        A caption above the table.
    highlight : str, optional
        A boolean column whose true rows are shaded (the review's flagged rows).
    labels : mapping, optional
        Labels for columns whose meaning depends on the table (a score column headed by its half-year).
    columns : iterable, optional
        The columns to show of a wide table, in order; ``highlight`` may be left out of them.
    full_table : str, optional
        The report's table file holding the whole table (``final_quotas.csv``): linked from the caption
        when the run writes tables.
    empty : str, optional
        The sentence shown instead of an empty table, saying what is empty and why.
    uuid : str, optional
        The table's id in the page, so a link can point at its rows (``#T_flagged_row0_col0``).
    """
    if df.empty:
        return Note(empty or f"{caption or 'This table'}: no rows.")
    d = current_display()
    df = df.reset_index(drop=True)  # a new frame: the caller's is not modified
    shade = (
        df[highlight].fillna(False).astype(bool).to_numpy() if highlight and highlight in df.columns else None
    )
    if (
        "name" in df.columns
        and "key" in df.columns
        and df["name"].astype(str).eq(df["key"].astype(str)).all()
    ):
        df = df.drop(columns="name")  # a group's name is its key: said once
    total_columns = len(df.columns)
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    df = with_names(df, d)
    if compact is None:
        compact = len(df.columns) > 10
    kinds = dict(kinds or {})
    divisor = SCALES[d.money_scale][0]
    formats = {}
    numbers = []
    headers = []
    for name in df.columns:
        kind = kinds.get(name) or column(str(name)).kind
        if kind in ("text", "code") and pd.api.types.is_bool_dtype(df[name]):
            kind = "flag"
        whole = kind in ("money", "weight") and _whole(df[name], divisor if kind == "money" else 1.0)
        formats[name] = lambda v, k=kind, w=whole: format_value(v, k, decimals=decimals, display=d, whole=w)
        if kind not in ("text", "date", "flag", "code"):
            numbers.append(name)
        label = (labels or {}).get(name) or column_label(name)
        if kind == "money" and d.money_unit():
            label = f"{label} ({d.money_unit()})"
        headers.append(label)
    styler = (
        df.style.format(formats, escape="html")
        .hide(axis="index")
        .relabel_index(headers, axis="columns")
        .set_table_styles(_TABLE_CSS + (_COMPACT_CSS if compact else []))
        .set_properties(subset=numbers, **_NUMBER_CSS)
    )
    if uuid:
        styler = styler.set_uuid(uuid)
    text = html.escape(caption) if caption else ""
    notes = [f"{len(df.columns)} of {total_columns} columns shown"] if len(df.columns) < total_columns else []
    href = table_link(full_table, d) if full_table else None
    if href:
        notes.append(
            f'the full table: <a href="{html.escape(href)}">{html.escape(href.rsplit("/", 1)[-1])}</a>'
        )
    if notes:
        text = f"{text} <small>({'; '.join(notes)})</small>" if text else f"<small>{'; '.join(notes)}</small>"
    if text:
        styler = styler.set_caption(text)
    if shade is not None:
        styler = styler.apply(lambda row: [_FLAGGED_ROW if shade[row.name] else "" for _ in row], axis=1)
    return styler


def column_label(name: Any) -> str:
    """The label a shown table gives a column (its vocabulary label, or its own name if unregistered)."""
    return column(str(name)).label
