"""Charts for the joint monthly review: the year's track, owners' attainment, where the miss is, quota quality."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from alignment.presentation.charts import MONEY_FORMAT, money_axis, money_title, percent_axis, titled

FLAG_COLORS = alt.Scale(domain=[True, False], range=["#d62728", "#1f77b4"])
SERIES = ["Objective", "Actual", "Forecast"]
SERIES_COLORS = alt.Scale(domain=SERIES, range=["#7f7f7f", "#1f77b4", "#ff7f0e"])


def cumulative_chart(track: pd.DataFrame, review_month: str) -> alt.LayerChart:
    """Cumulative actual against cumulative objective over the fiscal year, with the forecast path.

    ``track`` is :func:`alignment.practices.review.cumulative_track`.
    """
    long = pd.concat(
        [
            pd.DataFrame({"month": track["month"], "series": "Objective", "value": track["cum_objective"]}),
            pd.DataFrame({"month": track["month"], "series": "Actual", "value": track["cum_actual"]}),
            pd.DataFrame(
                {
                    "month": track["month"],
                    "series": "Forecast",
                    "value": track["cum_forecast"].where(track["month"] >= review_month),
                }
            ),
        ],
        ignore_index=True,
    ).dropna(subset=["value"])
    lines = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title="Month"),
            y=alt.Y("value:Q", axis=money_axis("Cumulative revenue")),
            color=alt.Color("series:N", scale=SERIES_COLORS, title="Series"),
            strokeDash=alt.StrokeDash(
                "series:N", scale=alt.Scale(domain=SERIES, range=[[4, 2], [1, 0], [6, 3]]), title="Series"
            ),
            tooltip=[
                alt.Tooltip("month:O", title="Month"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("value:Q", title=money_title("Cumulative"), format=",.2f"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"month": [review_month], "label": ["review month"]}))
        .mark_rule(color="#999999", strokeDash=[2, 2])
        .encode(x="month:O", tooltip=[alt.Tooltip("month:O", title="Review month")])
    )
    return titled(
        lines + rule,
        "Cumulative actual against objective, with the full-year forecast",
        "Forecast = actual to date + the later months' objective x attainment to date. "
        "The dotted rule marks the review month.",
        width=560,
        height=300,
    )


def owner_attainment_chart(owners: pd.DataFrame, flag_below: float) -> alt.LayerChart:
    """Attainment by account owner, ranked, with the flag line and the 100% line.

    ``owners`` is :func:`alignment.practices.review.owner_attainment`; owners without an objective are left out.
    """
    data = owners.dropna(subset=["attainment"])
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("attainment:Q", axis=percent_axis("Attainment")),
            y=alt.Y("label:N", sort="-x", title="Account owner"),
            color=alt.Color("flagged:N", scale=FLAG_COLORS, title="Flagged"),
            tooltip=[
                alt.Tooltip("label:N", title="Owner"),
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip("objective:Q", title=money_title("Objective"), format=",.2f"),
                alt.Tooltip("actual:Q", title=money_title("Actual"), format=",.2f"),
                alt.Tooltip("attainment:Q", title="Attainment", format=".1%"),
            ],
        )
    )
    lines = pd.DataFrame(
        {"at": [flag_below, 1.0], "line": [f"flag line {flag_below:.0%}", "100% of objective"]}
    )
    rules = (
        alt.Chart(lines)
        .mark_rule(strokeDash=[4, 3])
        .encode(x="at:Q", color=alt.value("#444444"), tooltip=[alt.Tooltip("line:N", title="Line")])
    )
    return titled(
        bars + rules,
        "Attainment by account owner, year to date",
        f"Red bars are under the flag line ({flag_below:.0%}); the dashed rules mark it and 100%.",
        width=460,
    )


def variance_heatmap(cells: pd.DataFrame) -> alt.LayerChart:
    """Variance by customer group x product line: which cells explain the total miss.

    ``cells`` is :func:`alignment.practices.review.variance_cells` (or ``group_line_cells``).
    """
    base = alt.Chart(cells).encode(
        x=alt.X("product_line:N", title="Product line", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("customer_group:N", title="Customer group"),
    )
    rect = base.mark_rect(stroke="#dddddd").encode(
        color=alt.Color(
            "variance:Q",
            scale=alt.Scale(scheme="redblue", domainMid=0),
            title=money_title("Variance"),
            legend=alt.Legend(format=MONEY_FORMAT),
        ),
        tooltip=[
            alt.Tooltip("customer_group:N", title="Customer group"),
            alt.Tooltip("product_line:N", title="Product line"),
            alt.Tooltip("objective:Q", title=money_title("Objective"), format=",.2f"),
            alt.Tooltip("actual:Q", title=money_title("Actual"), format=",.2f"),
            alt.Tooltip("variance:Q", title=money_title("Variance"), format=",.2f"),
            alt.Tooltip("attainment:Q", title="Attainment", format=".1%"),
            alt.Tooltip("share_of_variance:Q", title="Share of the total variance", format=".0%"),
        ],
    )
    top = cells["variance"].abs().max() if len(cells) else 0.0
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("variance:Q", format=MONEY_FORMAT),
        color=alt.condition(
            f"abs(datum.variance) > {0.6 * float(top or 0.0) or 1e-9}", alt.value("white"), alt.value("black")
        ),
    )
    return titled(
        rect + text,
        "Variance by customer group and product line",
        "Actual - objective. Red cells are behind and explain the miss; blue cells are ahead.",
        width=alt.Step(110),
        height=alt.Step(34),
    )


def variance_bars(review_rows: pd.DataFrame, title: str) -> alt.Chart:
    """Variance per key of one level of the review table, largest shortfall first."""
    chart = (
        alt.Chart(review_rows)
        .mark_bar()
        .encode(
            x=alt.X("variance:Q", axis=money_axis("Variance")),
            y=alt.Y("key:N", sort="x", title=None),
            color=alt.condition(alt.datum.variance < 0, alt.value("#d62728"), alt.value("#1f77b4")),
            tooltip=[
                alt.Tooltip("key:N", title="Key"),
                alt.Tooltip("objective:Q", title=money_title("Objective"), format=",.2f"),
                alt.Tooltip("actual:Q", title=money_title("Actual"), format=",.2f"),
                alt.Tooltip("variance:Q", title=money_title("Variance"), format=",.2f"),
                alt.Tooltip("attainment:Q", title="Attainment", format=".1%"),
            ],
        )
    )
    return titled(chart, title, "Actual - objective, year to date; red bars are behind.", width=360)


def attainment_distribution_chart(
    owners: pd.DataFrame, quality: dict[str, Any], flag_below: float
) -> alt.LayerChart:
    """How owners' attainment spreads around 100%: a histogram with the 100% and flag lines."""
    data = owners.dropna(subset=["attainment"])
    error = quality.get("quota_error")
    att = data["attainment"].to_numpy(dtype="float64")
    step = 0.05
    low = (np.floor(min(att.min(), flag_below) / step) - 1) * step if len(att) else 0.0
    high = (np.ceil(max(att.max(), 1.0) / step) + 1) * step if len(att) else 1.5
    bins = alt.Bin(step=step, extent=[float(low), float(high)])
    most = int(np.bincount(np.floor((att - low) / step).astype("int64")).max()) if len(att) else 1
    bars = (
        alt.Chart(data)
        .mark_bar(color="#1f77b4", opacity=0.85)
        .encode(
            x=alt.X(
                "attainment:Q",
                bin=bins,
                axis=percent_axis("Attainment"),
                scale=alt.Scale(domain=[float(low), float(high)]),
            ),
            y=alt.Y(
                "count():Q",
                title="Account owners (count)",
                axis=alt.Axis(values=list(range(most + 1)), format="d"),
            ),
            tooltip=[
                alt.Tooltip("attainment:Q", bin=bins, title="Attainment from", format=".0%"),
                alt.Tooltip("count():Q", title="Owners"),
            ],
        )
    )
    lines = pd.DataFrame(
        {"at": [flag_below, 1.0], "line": [f"flag line {flag_below:.0%}", "100% of objective"]}
    )
    rules = (
        alt.Chart(lines)
        .mark_rule(strokeDash=[4, 3], color="#d62728")
        .encode(x="at:Q", tooltip=[alt.Tooltip("line:N", title="Line")])
    )
    subtitle = (
        "No owner has an objective yet."
        if error is None
        else f"Quota error (mean |attainment - 100%|): {error:.1%}. Tight around 100% means fair, attainable quotas."
    )
    return titled(bars + rules, "Spread of owners' attainment, year to date", subtitle, width=460, height=220)
