"""Charts and styled tables of the planning notebooks: target setting, quota rollup, gap allocation.

Each function takes a table computed by :mod:`alignment.engine.targets`, :mod:`alignment.engine.rollup`,
:mod:`alignment.engine.allocation` or :mod:`alignment.engine.plan` and returns an altair chart (titled, money
axes in currency units, tooltips on every mark) or a pandas Styler with money formatted.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from alignment.presentation.charts import MONEY_FORMAT, PERCENT_FORMAT, money_axis, percent_axis, titled

MEASURE_LABELS = {
    "prior_revenue": "Prior year (actual)",
    "target": "Target (top-down)",
    "committed": "Committed (bottom-up)",
    "potential": "Potential (sales' view)",
    "first_share": "Share of the gap by weight",
    "allocated_from_gap": "Allocated from the gap (after caps and rounding)",
}
BRIDGE_COLORS = alt.Scale(
    domain=["total", "increase", "decrease", "unallocated"],
    range=["#4c78a8", "#54a24b", "#e45756", "#bab0ac"],
)


def _long(df: pd.DataFrame, keys: list[str], measures: list[str]) -> pd.DataFrame:
    out = df.melt(id_vars=keys, value_vars=measures, var_name="measure", value_name="amount")
    out["measure"] = out["measure"].map(MEASURE_LABELS).fillna(out["measure"]).astype("str")
    return out


def target_vs_prior_chart(table: pd.DataFrame) -> alt.FacetChart:
    """Target against prior-year revenue by customer group, one panel per product line.

    ``table`` is :func:`alignment.engine.targets.target_by_group_line`.
    """
    data = _long(table, ["customer_group", "product_line", "growth"], ["prior_revenue", "target"])
    base = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("customer_group:N", title="Customer group"),
            xOffset=alt.XOffset("measure:N"),
            y=alt.Y("amount:Q", axis=money_axis("Revenue")),
            color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("product_line:N", title="Product line"),
                alt.Tooltip("customer_group:N", title="Customer group"),
                alt.Tooltip("measure:N", title="Figure"),
                alt.Tooltip("amount:Q", title="Amount", format=",.2f"),
                alt.Tooltip("growth:Q", title="Target vs prior year", format="+.1%"),
            ],
        )
        .properties(width=190, height=240)
    )
    chart = base.facet(column=alt.Column("product_line:N", title="Product line"))
    return titled(
        chart,
        "Top-down target against prior-year revenue",
        "Each pair of bars: last year's net actuals and this year's target for a customer group.",
    )


def channel_split_chart(table: pd.DataFrame) -> alt.Chart:
    """The target of each product line split by channel (``table``: :func:`alignment.engine.targets.channel_split`)."""
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            y=alt.Y("product_line:N", title="Product line"),
            x=alt.X("target:Q", axis=money_axis("Target"), stack="zero"),
            color=alt.Color("channel:N", title="Channel"),
            tooltip=[
                alt.Tooltip("product_line:N", title="Product line"),
                alt.Tooltip("channel:N", title="Channel"),
                alt.Tooltip("target:Q", title="Target", format=",.2f"),
                alt.Tooltip("share_of_line:Q", title="Share of the line", format=".1%"),
            ],
        )
        .properties(width=560, height=150)
    )
    return titled(
        chart,
        "Target by channel",
        "Marketing's channel strategy splits each product's target across the channels that sell it.",
    )


def monthly_phasing_chart(table: pd.DataFrame) -> alt.Chart:
    """The monthly target of each product line (``table``: :func:`alignment.engine.targets.monthly_phasing`)."""
    base = alt.Chart(table).encode(
        x=alt.X("month:O", title="Month"),
        y=alt.Y("target:Q", axis=money_axis("Target")),
        color=alt.Color("product_line:N", title="Product line"),
        tooltip=[
            alt.Tooltip("product_line:N", title="Product line"),
            alt.Tooltip("month:O", title="Month"),
            alt.Tooltip("target:Q", title="Target", format=",.2f"),
            alt.Tooltip("share:Q", title="Share of the line's year", format=".2%"),
        ],
    )
    chart = (base.mark_line() + base.mark_point(filled=True)).properties(width=560, height=260)
    return titled(
        chart,
        "Monthly phasing of the target",
        "Each line follows its product line's prior-year monthly shape (or an even split).",
    )


def rollup_chart(table: pd.DataFrame, level_title: str) -> alt.Chart:
    """Committed, target and potential side by side for each key of a rollup level.

    ``table`` is :func:`alignment.engine.rollup.rollup_level`; ``level_title`` names the level's keys.
    """
    data = _long(table, ["key", "name", "committed_to_target"], ["committed", "target", "potential"])
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("name:N", title=level_title),
            xOffset=alt.XOffset(
                "measure:N", sort=[MEASURE_LABELS[m] for m in ("committed", "target", "potential")]
            ),
            y=alt.Y("amount:Q", axis=money_axis("Plan-year revenue")),
            color=alt.Color(
                "measure:N",
                title=None,
                legend=alt.Legend(orient="top"),
                sort=[MEASURE_LABELS[m] for m in ("committed", "target", "potential")],
            ),
            tooltip=[
                alt.Tooltip("name:N", title=level_title),
                alt.Tooltip("measure:N", title="Figure"),
                alt.Tooltip("amount:Q", title="Amount", format=",.2f"),
                alt.Tooltip("committed_to_target:Q", title="Committed / target", format=".1%"),
            ],
        )
        .properties(width=max(60 * table["key"].nunique(), 320), height=260)
    )
    return titled(
        chart,
        f"Bottom-up against top-down by {level_title.lower()}",
        "Committed quota (sales) beside the target (marketing) and the potential sales see.",
    )


def coverage_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Committed / target for each account owner, with the 100 % line (``table``: rollup owners)."""
    data = table.loc[table["committed_to_target"].notna()]
    data = data.assign(covered=data["committed_to_target"] >= 1)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("name:N", title="Account owner", sort="-x"),
            x=alt.X("committed_to_target:Q", axis=percent_axis("Committed / target")),
            color=alt.Color(
                "covered:N",
                title="Target covered",
                scale=alt.Scale(domain=[True, False], range=["#54a24b", "#f58518"]),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Account owner"),
                alt.Tooltip("key:N", title="Person"),
                alt.Tooltip("committed:Q", title="Committed", format=",.2f"),
                alt.Tooltip("target:Q", title="Target", format=",.2f"),
                alt.Tooltip("committed_to_target:Q", title="Committed / target", format=".1%"),
                alt.Tooltip("committed_to_potential:Q", title="Committed / potential", format=".1%"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"x": [1.0]}))
        .mark_rule(strokeDash=[4, 3])
        .encode(x="x:Q", tooltip=[alt.Tooltip("x:Q", title="Target fully covered", format=".0%")])
    )
    chart = (bars + rule).properties(width=520, height=max(22 * len(data), 120))
    return titled(
        chart,
        "Coverage of the target by account owner",
        "How much of each owner's share of the top-down target their committed quota covers; "
        "the dashed line is 100 %.",
    )


def bridge_chart(bridge: pd.DataFrame) -> alt.LayerChart:
    """The waterfall from the bottom-up quota through each group's gap to the target.

    ``bridge`` is :func:`alignment.engine.plan.gap_bridge`.
    """
    order = list(bridge.sort_values("order")["step"])
    chart = bridge_layers(alt.Chart(bridge), order, bridge_scale(bridge))
    return titled(chart.properties(width=max(70 * len(bridge), 420), height=300), *BRIDGE_TITLE)


BRIDGE_TITLE = (
    "From bottom-up quota to the target",
    "Blue: totals (axis not from zero). Green: the gap a group took on. Grey: unallocated. Red: surplus.",
)


def bridge_scale(bridge: pd.DataFrame) -> alt.Scale:
    """The bridge's money scale: not from zero, so that the steps between the totals show."""
    steps = bridge.loc[bridge["kind"] != "total"]
    low = float(min(bridge["end"].min(), steps["start"].min() if len(steps) else bridge["end"].min()))
    top = float(max(bridge["end"].max(), bridge["start"].max()))
    span = max(top - low, 1.0)
    return alt.Scale(domain=[max(low - 0.5 * span, 0.0), top + 0.1 * span], clamp=True)


def bridge_layers(
    base: alt.Chart, order: list[str] | alt.EncodingSortField, scale: alt.Scale
) -> alt.LayerChart:
    """The bridge's bars and amount labels on ``base`` (rows: step, kind, amount, start, end)."""
    base = base.encode(x=alt.X("step:N", title=None, sort=order, axis=alt.Axis(labelAngle=-30)))
    bars = base.mark_bar(clip=True).encode(
        y=alt.Y("start:Q", axis=money_axis("Quota"), scale=scale),
        y2="end:Q",
        color=alt.Color("kind:N", scale=BRIDGE_COLORS, title="Step"),
        tooltip=[
            alt.Tooltip("step:N", title="Step"),
            alt.Tooltip("amount:Q", title="Amount", format=",.2f"),
            alt.Tooltip("end:Q", title="Running total", format=",.2f"),
        ],
    )
    labels = base.mark_text(dy=-6, fontSize=10).encode(
        y=alt.Y("end:Q", scale=scale), text=alt.Text("amount:Q", format=",.0f")
    )
    return bars + labels


def group_allocation_chart(groups: pd.DataFrame) -> alt.Chart:
    """Each group's share of the gap by weight beside what it was allocated (after caps and rounding).

    ``groups`` is :func:`alignment.engine.allocation.allocation_by_group`.
    """
    data = _long(groups, ["customer_group", "weight", "room"], ["first_share", "allocated_from_gap"])
    order = [MEASURE_LABELS["first_share"], MEASURE_LABELS["allocated_from_gap"]]
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("customer_group:N", title="Customer group"),
            xOffset=alt.XOffset("measure:N", sort=order),
            y=alt.Y("amount:Q", axis=money_axis("Gap")),
            color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="top"), sort=order),
            tooltip=[
                alt.Tooltip("customer_group:N", title="Customer group"),
                alt.Tooltip("measure:N", title="Figure"),
                alt.Tooltip("amount:Q", title="Amount", format=",.2f"),
                alt.Tooltip("weight:Q", title="Group weight", format=",.2f"),
                alt.Tooltip("room:Q", title="Room of its rows", format=",.2f"),
            ],
        )
        .properties(width=max(90 * len(groups), 360), height=260)
    )
    return titled(
        chart,
        "Allocation of the gap by customer group",
        "The share each group's weight gives it, and what it took after caps, re-sharing and rounding.",
    )


def quota_to_potential_chart(owners: pd.DataFrame) -> alt.LayerChart:
    """Final quota / potential for each account owner; above 100 % asks for more than sales see.

    ``owners`` is :func:`alignment.engine.allocation.quota_to_potential_by_owner`.
    """
    data = owners.loc[owners["quota_to_potential"].notna()]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("name:N", title="Account owner", sort="-x"),
            x=alt.X("quota_to_potential:Q", axis=percent_axis("Final quota / potential")),
            color=alt.Color(
                "above_potential:N",
                title="Above potential",
                scale=alt.Scale(domain=[False, True], range=["#4c78a8", "#e45756"]),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Account owner"),
                alt.Tooltip("account_owner:N", title="Person"),
                alt.Tooltip("final_quota:Q", title="Final quota", format=",.2f"),
                alt.Tooltip("potential:Q", title="Potential", format=",.2f"),
                alt.Tooltip("quota_to_potential:Q", title="Quota / potential", format=".1%"),
                alt.Tooltip("rows_above_potential:Q", title="Rows above potential"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"x": [1.0]}))
        .mark_rule(color="#e45756", strokeDash=[4, 3])
        .encode(x="x:Q", tooltip=[alt.Tooltip("x:Q", title="Quota equals potential", format=".0%")])
    )
    chart = (bars + rule).properties(width=520, height=max(22 * len(data), 120))
    return titled(
        chart,
        "Is anyone given the impossible?",
        "Each owner's final quota as a share of the potential in their accounts; past the red line "
        "the quota asks for more than sales believe is there.",
    )


__all__ = [
    "MONEY_FORMAT",
    "PERCENT_FORMAT",
    "bridge_chart",
    "bridge_layers",
    "bridge_scale",
    "channel_split_chart",
    "coverage_chart",
    "group_allocation_chart",
    "monthly_phasing_chart",
    "quota_to_potential_chart",
    "rollup_chart",
    "target_vs_prior_chart",
]
