"""Charts for clarifying roles: the RACI charter, the channel strategy against the actual mix, off-strategy sales."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from alignment.presentation.charts import MONEY_FORMAT, PERCENT_FORMAT, money_axis, money_title, titled

LETTER_COLORS = alt.Scale(
    domain=["A", "R", "C", "I", "none"], range=["#08519c", "#6baed6", "#c6dbef", "#eff3ff", "#ffffff"]
)
FINDING_COLORS = alt.Scale(
    domain=["one Accountable", "no Accountable", "both sides Accountable"],
    range=["#2ca02c", "#d62728", "#d62728"],
)


def raci_chart(matrix: pd.DataFrame, check: pd.DataFrame) -> alt.HConcatChart:
    """The roles charter as a grid (activity x side) with the one-Accountable check beside it.

    ``matrix`` is :func:`alignment.practices.roles.raci_matrix`, ``check`` :func:`alignment.practices.roles.accountability_check`.
    """
    order = list(check["activity"])
    strongest = np.select(
        [matrix["A"], matrix["R"], matrix["C"], matrix["I"]], ["A", "R", "C", "I"], default="none"
    )
    cells = matrix.assign(
        strongest=strongest,
        shown=matrix["letters"].where(matrix["letters"] != "", "–"),
    )
    y = alt.Y("activity:N", sort=order, title="Activity")
    base = alt.Chart(cells).encode(
        x=alt.X("side:N", title="Side", axis=alt.Axis(orient="top", labelAngle=0)), y=y
    )
    grid = base.mark_rect(stroke="#999999").encode(
        color=alt.Color(
            "strongest:N",
            scale=LETTER_COLORS,
            title="Strongest role",
            legend=alt.Legend(
                labelExpr="datum.label == 'A' ? 'A: Accountable' : "
                "datum.label == 'R' ? 'R: Responsible' : "
                "datum.label == 'C' ? 'C: Consulted' : "
                "datum.label == 'I' ? 'I: Informed' : 'no role'"
            ),
        ),
        tooltip=[
            alt.Tooltip("activity:N", title="Activity"),
            alt.Tooltip("side:N", title="Side"),
            alt.Tooltip("letters:N", title="RACI letters"),
        ],
    )
    text = base.mark_text(fontSize=13).encode(
        text="shown:N",
        color=alt.condition(alt.datum.strongest == "A", alt.value("white"), alt.value("black")),
    )
    findings = check.assign(status=check["finding"].where(check["finding"] != "", "one Accountable"))
    verdict = (
        alt.Chart(findings)
        .mark_text(align="left", fontSize=12)
        .encode(
            x=alt.value(4),
            y=alt.Y("activity:N", sort=order, axis=None),
            text="status:N",
            color=alt.Color("status:N", scale=FINDING_COLORS, legend=None),
            tooltip=[
                alt.Tooltip("activity:N", title="Activity"),
                alt.Tooltip("n_accountable:Q", title="Accountables"),
                alt.Tooltip("status:N", title="Check"),
            ],
        )
        .properties(width=170, title=alt.TitleParams("One-Accountable check", anchor="start", fontSize=12))
    )
    chart = alt.hconcat((grid + text).properties(width=160), verdict, spacing=4).resolve_scale(
        color="independent"
    )
    subtitle = (
        "No roles charter (roles.csv) in the data folder."
        if check.empty
        else "Each activity needs exactly one Accountable (A) across both sides; red rows are escalated."
    )
    return titled(chart, "Roles charter: who is Responsible, Accountable, Consulted, Informed", subtitle)


def _share_heatmap(
    mix: pd.DataFrame, field: str, title: str, scale: alt.Scale, legend_title: str
) -> alt.LayerChart:
    size = mix[field].abs()
    top = size.max() if size.notna().any() else 0.0
    off = ~mix["on_strategy"].astype("bool")
    mix = mix.assign(
        dark=(size > 0.6 * max(top, 1e-9)) if field == "share_gap" else (size > 0.6),
        label=((mix[field] * 100).round() + 0.0).map("{:.0f}%".format, na_action="ignore").fillna(""),
    )
    if field == "target_share":
        mix = mix.assign(label=mix["label"].where(~off, "off"))
    base = alt.Chart(mix).encode(
        x=alt.X("channel:N", title="Channel", axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("product:N", title="Product"),
    )
    color = alt.Color(f"{field}:Q", scale=scale, title=legend_title, legend=alt.Legend(format=PERCENT_FORMAT))
    if field == "target_share":
        color = alt.condition(alt.datum.on_strategy, color, alt.value("#eeeeee"))
    rect = base.mark_rect(stroke="#dddddd").encode(
        color=color,
        tooltip=[
            alt.Tooltip("product:N", title="Product"),
            alt.Tooltip("channel:N", title="Channel"),
            alt.Tooltip("target_share:Q", title="Target share", format=".1%"),
            alt.Tooltip("actual_share:Q", title="Actual share", format=".1%"),
            alt.Tooltip("share_gap:Q", title="Share gap (actual - strategy)", format="+.1%"),
            alt.Tooltip("revenue:Q", title=money_title("Revenue"), format=MONEY_FORMAT),
            alt.Tooltip("on_strategy:N", title="On strategy"),
        ],
    )
    text = base.mark_text(fontSize=10).encode(
        text="label:N", color=alt.condition(alt.datum.dark, alt.value("white"), alt.value("black"))
    )
    return (rect + text).properties(title=title, width=alt.Step(46), height=alt.Step(22))


def channel_strategy_chart(mix: pd.DataFrame) -> alt.HConcatChart:
    """Marketing's target channel shares, the actual mix and the gap, as three product x channel heatmaps.

    ``mix`` is :func:`alignment.practices.roles.channel_mix`.
    """
    data = mix.assign(product=mix["product_id"] + " " + mix["product_name"].fillna(""))
    target = _share_heatmap(
        data, "target_share", "Target share (strategy)", alt.Scale(scheme="blues", domain=[0, 1]), "Share (%)"
    )
    actual = _share_heatmap(
        data,
        "actual_share",
        "Actual share (last 12 months)",
        alt.Scale(scheme="blues", domain=[0, 1]),
        "Share (%)",
    )
    gap = _share_heatmap(
        data,
        "share_gap",
        "Share gap: actual - strategy",
        alt.Scale(scheme="redblue", domainMid=0),
        "Share gap (% points)",
    )
    chart = alt.hconcat(target, actual, gap).resolve_scale(color="independent")
    return titled(
        chart,
        "Channel strategy against the actual channel mix",
        "Share of each product's revenue by channel. Grey 'off' cells are channels the strategy does not list. "
        "Share gap: red = the channel sells less than the strategy asks, blue = more.",
    )


OFF_STRATEGY_EMPTY = (
    "no off-strategy revenue: every sale of these months went through a channel the strategy lists."
)


def off_strategy_bar_chart(summary: pd.DataFrame, by: str, label: str) -> alt.Chart:
    """Off-strategy revenue by one key, largest first (``summary`` from ``off_strategy_summary``)."""
    data = summary.assign(
        who=summary["owner_name"].fillna("") + " (" + summary[by] + ")"
        if "owner_name" in summary.columns
        else summary[by]
    )
    chart = (
        alt.Chart(data)
        .mark_bar(color="#d62728")
        .encode(
            x=alt.X("off_strategy:Q", axis=money_axis("Off-strategy revenue")),
            y=alt.Y("who:N", sort="-x", title=label),
            tooltip=[
                alt.Tooltip("who:N", title=label),
                alt.Tooltip("off_strategy:Q", title="Off-strategy revenue", format=",.2f"),
                alt.Tooltip("revenue:Q", title="All revenue", format=",.2f"),
                alt.Tooltip("off_strategy_share:Q", title="Off-strategy share", format=".1%"),
            ],
        )
    )
    return titled(
        chart,
        f"Off-strategy revenue by {label.lower()}",
        "Revenue booked in a (product, channel) pair the channel strategy does not list.",
        empty=OFF_STRATEGY_EMPTY,
        width=420,
    )


def off_strategy_month_chart(detail: pd.DataFrame) -> alt.Chart:
    """Off-strategy revenue per month, stacked by product and channel (``detail`` from ``off_strategy_sales``)."""
    data = detail.assign(pair=detail["product_id"] + " via " + detail["channel"])
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("month:O", title="Month"),
            y=alt.Y("sum(revenue):Q", axis=money_axis("Off-strategy revenue")),
            color=alt.Color("pair:N", title="Product via channel"),
            tooltip=[
                alt.Tooltip("month:O", title="Month"),
                alt.Tooltip("pair:N", title="Product via channel"),
                alt.Tooltip("owner_name:N", title="Account owner"),
                alt.Tooltip("sum(revenue):Q", title=money_title("Revenue"), format=",.2f"),
            ],
        )
    )
    return titled(
        chart,
        "Off-strategy revenue by month",
        "Each bar stacks the (product, channel) pairs outside the strategy booked that month.",
        empty=OFF_STRATEGY_EMPTY,
        width=520,
    )


def granularity_chart(cells: pd.DataFrame) -> alt.Chart:
    """Marketing target against sales commitment per (customer group, product) cell, failing cells in red."""
    data = cells.assign(status=cells["issue"].where(cells["issue"] != "", "target and commitment"))
    chart = (
        alt.Chart(data)
        .mark_circle(size=90, opacity=0.8)
        .encode(
            x=alt.X("target:Q", axis=money_axis("Marketing target")),
            y=alt.Y("committed:Q", axis=money_axis("Sales committed")),
            color=alt.Color(
                "status:N",
                title="Cell",
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0),
                scale=alt.Scale(
                    domain=[
                        "target and commitment",
                        "committed revenue without a marketing target",
                        "marketing target without sales commitment",
                    ],
                    range=["#1f77b4", "#d62728", "#ff7f0e"],
                ),
            ),
            tooltip=[
                alt.Tooltip("customer_group:N", title="Customer group"),
                alt.Tooltip("product_id:N", title="Product"),
                alt.Tooltip("product_line:N", title="Product line"),
                alt.Tooltip("target:Q", title=money_title("Target"), format=",.2f"),
                alt.Tooltip("committed:Q", title=money_title("Committed"), format=",.2f"),
                alt.Tooltip("status:N", title="Check"),
            ],
        )
    )
    return titled(
        chart,
        "Plan granularity: marketing target and sales commitment per cell",
        "One dot per (customer group, product). Dots on an axis fail: one side planned the cell, "
        "the other did not.",
        width=420,
        height=300,
    )
