"""Charts of the scenario explorer: the planning charts of the current scenario, and the comparison."""

from __future__ import annotations

import altair as alt
import pandas as pd

from alignment.engine.plan import Plan
from alignment.engine.views import (
    allocation_by_group,
    compare_with_base,
    gap_bridge,
    quota_to_potential_by_owner,
    rollup_level,
)
from alignment.presentation.charts import money_axis, titled
from alignment.presentation.charts.planning import (
    bridge_chart,
    group_allocation_chart,
    quota_to_potential_chart,
)


def comparison_chart(comparison: pd.DataFrame) -> alt.Chart:
    """Final quota by customer group: the base plan beside the scenario.

    ``comparison`` is :func:`alignment.presentation.explorer.compare_with_base`.
    """
    data = pd.concat(
        [
            comparison.assign(
                scenario="base",
                final_quota=comparison["base_final_quota"],
                allocated_from_gap=comparison["base_allocated_from_gap"],
            ),
            comparison.assign(
                scenario="this scenario",
                final_quota=comparison["scenario_final_quota"],
                allocated_from_gap=comparison["scenario_allocated_from_gap"],
            ),
        ],
        ignore_index=True,
    )[["customer_group", "scenario", "final_quota", "allocated_from_gap", "change"]]
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("customer_group:N", title="Customer group"),
            xOffset=alt.XOffset("scenario:N", sort=["base", "this scenario"]),
            y=alt.Y("final_quota:Q", axis=money_axis("Final quota")),
            color=alt.Color(
                "scenario:N",
                title=None,
                sort=["base", "this scenario"],
                scale=alt.Scale(range=["#bab0ac", "#4c78a8"]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("customer_group:N", title="Customer group"),
                alt.Tooltip("scenario:N", title="Plan"),
                alt.Tooltip("final_quota:Q", title="Final quota", format=",.2f"),
                alt.Tooltip("allocated_from_gap:Q", title="Allocated from the gap", format=",.2f"),
                alt.Tooltip("change:Q", title="Change vs base", format="+,.2f"),
            ],
        )
        .properties(width=max(90 * comparison["customer_group"].nunique(), 360), height=260)
    )
    return titled(
        chart,
        "Final quota by customer group: base vs this scenario",
        "Grey: the parameters file's plan. Blue: the scenario the controls describe.",
    )


def explorer_charts(plan: Plan, base: Plan | None = None) -> list[alt.TopLevelMixin]:
    """The explorer's charts for a scenario: the gap bridge, allocation by group (or the comparison
    with the base plan when ``base`` is given) and quota-to-potential by account owner.

    Separate charts rather than one concatenation: concatenating copies every chart deeply, which
    would cost the explorer a noticeable part of its update time.
    """

    owners = quota_to_potential_by_owner(plan.final_quotas, rollup_level(plan.rollup, "account_owner"))
    groups = (
        comparison_chart(compare_with_base(base, plan))
        if base is not None
        else group_allocation_chart(allocation_by_group(plan.group_allocation))
    )
    return [bridge_chart(gap_bridge(plan)), groups, quota_to_potential_chart(owners)]
