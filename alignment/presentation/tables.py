"""Tables for reading: the one place that decides how money, percentages and ratios look.

Every styled table in the workbook goes through :func:`format_table`, so money has thousands
separators and two decimals everywhere, and every cell is HTML-escaped (a customer named
``<script>`` shows as text in JupyterLab and in the exports).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from pandas.io.formats.style import Styler

#: Figures that are money wherever they appear, so a table shows them as money even when the
#: caller's list predates them (the two figures once both called "allocated").
ALWAYS_MONEY = ("allocated_from_gap", "change_from_committed")


def format_table(
    df: pd.DataFrame,
    money: Iterable[str] = (),
    percent: Iterable[str] = (),
    ratio: Iterable[str] = (),
    *,
    decimals: int = 2,
    compact: bool = False,
) -> Styler:
    """A table for display: money with separators, percentages, ratios to 4 decimals, no index.

    ``compact`` uses a smaller font and tighter cells, for wide tables such as one column per month.
    """
    money = [*money, *(c for c in ALWAYS_MONEY if c not in money)]
    formats = {c: f"{{:,.{decimals}f}}" for c in money if c in df.columns}
    formats.update({c: "{:.1%}" for c in percent if c in df.columns})
    formats.update({c: "{:,.4f}" for c in ratio if c in df.columns})
    styler = df.style.format(formats, na_rep="", escape="html").hide(axis="index")
    if compact:
        styler = styler.set_table_styles(
            [{"selector": "th, td", "props": "font-size: 0.8em; padding: 2px 5px;"}]
        )
    return styler
