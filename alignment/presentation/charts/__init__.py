"""Altair charts for the workbook's notebooks, one module per practice.

Every chart is titled and its axes name their units, so a reader of the offline HTML export
understands it without the code. Money axes and tooltips are in the data's currency units, named by
the display's currency when the params file sets one (:func:`money_title`).
"""

from __future__ import annotations

from typing import Any

import altair as alt

from alignment.presentation.tables import current_display

MARKETING_COLOR = "#1f77b4"
SALES_COLOR = "#ff7f0e"
SIDE_SCALE = alt.Scale(domain=["marketing", "sales"], range=[MARKETING_COLOR, SALES_COLOR])
MONEY_FORMAT = ",.0f"
PERCENT_FORMAT = ".0%"


def money_title(title: str) -> str:
    """A money axis's or tooltip's title with its unit: ``Objective (€)``, or ``Objective (currency units)``
    without a ``display.currency``. Charts draw amounts unscaled, so the title names no scale."""
    return f"{title} ({current_display().currency or 'currency units'})"


def money_axis(title: str) -> alt.Axis:
    """An axis for money, with thousands separators and the unit in the title (:func:`money_title`)."""
    return alt.Axis(title=money_title(title), format=MONEY_FORMAT)


def percent_axis(title: str) -> alt.Axis:
    """An axis for ratios shown as percentages."""
    return alt.Axis(title=f"{title} (%)", format=PERCENT_FORMAT)


def titled(
    chart: alt.TopLevelMixin,
    title: str,
    subtitle: str | None = None,
    *,
    empty: str | None = None,
    **props: Any,
) -> Any:
    """Give a chart its title (and an optional subtitle line explaining how to read it).

    ``empty`` says why the chart would have no data; a chart with no rows is not drawn and the page
    shows its title and this sentence instead (:func:`alignment.presentation.display.empty_chart_note`).
    """
    t = alt.TitleParams(text=title, subtitle=subtitle or "", anchor="start")
    if empty:
        props["usermeta"] = {**(props.get("usermeta") or {}), "empty": empty}
    return chart.properties(title=t, **props)
