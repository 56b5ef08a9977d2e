"""Charts of the scenario explorer: the planning charts of the current scenario, the comparison, and
the exported explorer over the scenario grid (:func:`grid_chart`)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from alignment.engine.grid import GridPlans
from alignment.engine.plan import Plan
from alignment.engine.views import (
    allocation_by_group,
    compare_with_base,
    gap_bridge,
    quota_to_potential_by_owner,
    rollup_level,
)
from alignment.params import Params
from alignment.presentation.charts import money_axis, titled
from alignment.presentation.charts.planning import (
    BRIDGE_TITLE,
    MEASURE_LABELS,
    bridge_chart,
    bridge_layers,
    bridge_scale,
    group_allocation_chart,
    quota_to_potential_chart,
)
from alignment.vocabulary import figure


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


# --------------------------------------------------------------------------- the exported explorer

#: The figures the exported explorer shows for a scenario (locked overrides only when there are any).
GRID_SHOWN = (
    "top_down_target",
    "padded_target",
    "bottom_up_quota",
    "gap",
    "locked_adjustment",
    "allocated_from_gap",
    "final_quota_total",
    "unallocated",
)
#: The names of the exported explorer's parameters (Vega-Lite signals), which tests drive.
GROWTH_PARAM, PADDING_PARAM, METHOD_PARAM = "grid_growth", "grid_padding", "grid_method"
#: The view of the headline figures: its text marks are ``g.grid_figures_marks`` in the page's SVG, each
#: labelled (aria-label) "<column>, <figure>: <value>".
FIGURES_VIEW = "grid_figures"
#: The view of the allocation by customer group: each bar labelled "<group>, <figure>: <value>".
GROUPS_VIEW = "grid_groups"
SCENARIO_COLUMNS = ["growth", "over_assignment", "group_method"]
OWNER_MEASURES = {"committed": "Committed (bottom-up)", "change_from_committed": "Change from committed"}


def method_label(method: str) -> str:
    """A group method as a reader sees it (``prior_revenue`` -> ``prior revenue``)."""
    return method.replace("_", " ")


def percent_points(value: float) -> float:
    """A rate as the explorer's controls show it, in percent (0.025 -> 2.5)."""
    return round(value * 100, 6)


def grid_data(plans: GridPlans) -> pd.DataFrame:
    """The exported explorer's one dataset: every scenario's figures, bridge, groups and owners.

    One row per figure, bridge step, customer group or account owner of a scenario; ``part`` says
    which. ``growth`` and ``padding`` are in percent (what the controls show), ``method`` the group
    method. Money is in currency, exact to the cent.
    """
    locked = (plans.figures["locked_adjustment"] != 0).any()
    shown = [k for k in GRID_SHOWN if k != "locked_adjustment" or locked]
    figs = plans.figures.melt(id_vars=SCENARIO_COLUMNS, value_vars=shown, var_name="key", value_name="amount")
    base = pd.Series({k: plans.base[k] for k in shown})
    figs = figs.assign(
        part="figure",
        label=figs["key"].map(lambda k: figure(k).label),
        order=figs["key"].map({k: i for i, k in enumerate(shown)}),
        change=np.round(figs["amount"].to_numpy() - figs["key"].map(base).to_numpy(), 2),
    ).drop(columns="key")
    bridge = plans.bridge.assign(part="bridge")
    groups = plans.groups.rename(columns={"customer_group": "label"}).assign(part="group")
    groups = groups.drop(columns="change_from_committed")
    owners = plans.owners.rename(columns={"name": "label"}).assign(part="owner")
    owners["label"] = owners["label"].where(owners["label"] != "", owners["account_owner"])
    out = pd.concat([figs, bridge, groups, owners], ignore_index=True)
    out["growth"] = [percent_points(v) for v in out["growth"]]
    out["padding"] = [percent_points(v) for v in out.pop("over_assignment")]
    out = out.rename(columns={"group_method": "method"})
    first = ["growth", "padding", "method", "part", "label", "order"]
    return out[first + [c for c in out.columns if c not in first]]


def grid_records(data: pd.DataFrame) -> list[dict[str, object]]:
    """The rows of :func:`grid_data` as the page embeds them: empty fields left out, so each row
    carries only what its part uses (the page stays small)."""
    columns = list(data.columns)
    out = []
    for row in data.itertuples(index=False, name=None):
        record = {}
        for col, value in zip(columns, row, strict=True):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            record[col] = int(value) if col == "order" else value
        out.append(record)
    return out


def _nearest(values: tuple[float, ...], value: float) -> float:
    return min(values, key=lambda v: (abs(v - value), v))


def grid_chart(plans: GridPlans, base: Params) -> alt.VConcatChart:
    """The exported explorer: a growth slider and two drop-downs over the precomputed scenarios.

    One Vega-Lite spec holding the grid's data once (:func:`grid_data`), with the headline figures,
    the bridge, the allocation by customer group and by account owner of the chosen scenario. The
    controls start at the params file's scenario (or the nearest one on the grid). It needs no
    kernel: the browser filters the embedded data.
    """
    growths = [percent_points(g) for g in plans.growths]
    paddings = [percent_points(o) for o in plans.over_assignments]
    methods = list(plans.group_methods)
    step = percent_points(plans.grid.growth_step)
    growth = alt.param(
        name=GROWTH_PARAM,
        value=_nearest(tuple(growths), percent_points(base.target.growth)),
        bind=alt.binding_range(
            min=growths[0], max=growths[-1], step=step, name="Default growth, target.growth (%) "
        ),
    )
    padding = alt.param(
        name=PADDING_PARAM,
        value=_nearest(tuple(paddings), percent_points(base.allocation.over_assignment)),
        bind=alt.binding_select(
            options=paddings,
            labels=[f"{p:g}%" for p in paddings],
            name="Quota padding, allocation.over_assignment ",
        ),
    )
    method = alt.param(
        name=METHOD_PARAM,
        value=base.allocation.group_method if base.allocation.group_method in methods else methods[0],
        bind=alt.binding_select(
            options=methods,
            labels=[method_label(m) for m in methods],
            name="Gap to groups by, allocation.group_method ",
        ),
    )
    chosen = (
        f"abs(datum.growth - {GROWTH_PARAM}) < 1e-6 && abs(datum.padding - {PADDING_PARAM}) < 1e-6 "
        f"&& datum.method == {METHOD_PARAM}"
    )
    data = grid_data(plans)

    def part(name: str) -> alt.Chart:
        return alt.Chart().transform_filter(f"datum.part == '{name}' && {chosen}")

    rows = int(data.loc[data["part"] == "figure", "order"].max()) + 1
    figures = (
        part("figure")
        .transform_fold(["amount", "change"], as_=["column", "value"])
        .transform_calculate(
            text="datum.column == 'amount' ? format(datum.value, ',.2f') : "
            "(abs(datum.value) < 0.005 ? '' : format(datum.value, '+,.2f'))",
            heading="datum.column == 'amount' ? 'This scenario' : 'Change vs the params file'",
            description="datum.heading + ', ' + datum.label + ': ' + datum.text",
        )
        .mark_text(align="right", dx=60, fontSize=13)
        .encode(
            y=alt.Y(
                "label:N", title=None, sort=alt.EncodingSortField("order"), axis=alt.Axis(labelLimit=320)
            ),
            x=alt.X(
                "heading:N",
                title=None,
                sort=["This scenario", "Change vs the params file"],
                axis=alt.Axis(orient="top", labelAngle=0, ticks=False, domain=False),
            ),
            text="text:N",
            description="description:N",
        )
        .properties(name=FIGURES_VIEW, width=380, height=24 * rows)
    )
    figures = titled(
        figures,
        "Headline figures of the chosen scenario",
        "Move the slider or pick from the lists above; every figure is the engine's, to the cent.",
    )

    bridge_rows = plans.bridge
    steps = int(bridge_rows.groupby(SCENARIO_COLUMNS).size().max())
    bridge = bridge_layers(part("bridge"), alt.EncodingSortField("order"), bridge_scale(bridge_rows))
    bridge = titled(bridge.properties(width=max(70 * steps, 420), height=300), *BRIDGE_TITLE)

    order = [MEASURE_LABELS["first_share"], MEASURE_LABELS["allocated_from_gap"]]
    n_groups = plans.groups["customer_group"].nunique()
    groups = (
        part("group")
        .transform_fold(["first_share", "allocated_from_gap"], as_=["measure", "value"])
        .transform_calculate(
            measure=f"datum.measure == 'first_share' ? '{order[0]}' : '{order[1]}'",
        )
        .transform_calculate(
            description="datum.label + ', ' + datum.measure + ': ' + format(datum.value, ',.2f')"
        )
        .mark_bar()
        .encode(
            x=alt.X("label:N", title="Customer group"),
            xOffset=alt.XOffset("measure:N", sort=order),
            y=alt.Y("value:Q", axis=money_axis("Gap")),
            color=alt.Color(
                "measure:N", title=None, legend=alt.Legend(orient="top", labelLimit=400), sort=order
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Customer group"),
                alt.Tooltip("measure:N", title="Figure"),
                alt.Tooltip("value:Q", title="Amount", format=",.2f"),
                alt.Tooltip("final_quota:Q", title="Final quota", format=",.2f"),
            ],
            description="description:N",
        )
        .properties(name=GROUPS_VIEW, width=max(90 * n_groups, 360), height=260)
    )
    groups = titled(
        groups,
        "Allocation of the gap by customer group",
        "The share each group's weight gives it, and what it took after caps, re-sharing and rounding.",
    )

    n_owners = plans.owners["account_owner"].nunique()
    owner_order = list(OWNER_MEASURES.values())
    owner_base = part("owner").transform_calculate(
        quota_to_potential="datum.potential > 0 ? datum.final_quota / datum.potential : null"
    )
    owner_tooltip = [
        alt.Tooltip("label:N", title="Account owner"),
        alt.Tooltip("account_owner:N", title="Person"),
        alt.Tooltip("committed:Q", title="Committed", format=",.2f"),
        alt.Tooltip("change_from_committed:Q", title="Change from committed", format="+,.2f"),
        alt.Tooltip("final_quota:Q", title="Final quota", format=",.2f"),
        alt.Tooltip("potential:Q", title="Potential", format=",.2f"),
        alt.Tooltip("quota_to_potential:Q", title="Quota / potential", format=".1%"),
    ]
    owner_y = alt.Y("label:N", title="Account owner", sort=alt.EncodingSortField("account_owner"))
    owner_bars = (
        owner_base.transform_fold(list(OWNER_MEASURES), as_=["measure", "value"])
        .transform_calculate(
            measure=f"datum.measure == 'committed' ? '{owner_order[0]}' : '{owner_order[1]}'",
            stack_order="datum.measure == 'committed' ? 0 : 1",
        )
        .mark_bar()
        .encode(
            y=owner_y,
            x=alt.X("value:Q", axis=money_axis("Final quota"), stack="zero"),
            color=alt.Color(
                "measure:N",
                title=None,
                sort=owner_order,
                scale=alt.Scale(domain=owner_order, range=["#4c78a8", "#54a24b"]),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("stack_order:Q"),
            tooltip=owner_tooltip,
        )
    )
    owner_ticks = owner_base.mark_tick(color="#e45756", thickness=2, size=18).encode(
        y=owner_y, x=alt.X("potential:Q"), tooltip=owner_tooltip
    )
    owners = titled(
        (owner_bars + owner_ticks).properties(width=520, height=max(24 * n_owners, 120)),
        "Final quota by account owner",
        "Committed quota plus what the scenario adds (or, for locked rows, takes away); the red tick is "
        "the potential sales see in the owner's accounts.",
    )

    chart = (
        alt.vconcat(figures, bridge, groups, owners, data={"values": grid_records(data)})
        .add_params(growth, padding, method)
        .resolve_scale(color="independent")
        .resolve_legend(color="independent")
    )
    return chart.properties(
        title=alt.TitleParams(
            text="Explore the scenarios",
            subtitle=grid_span(plans),
            anchor="start",
            fontSize=16,
        )
    )


def grid_span(plans: GridPlans) -> str:
    """What the grid spans, in one line (the exported page says it under its controls)."""
    g = plans.grid
    paddings = ", ".join(f"{percent_points(o):g}%" for o in plans.over_assignments)
    methods = ", ".join(method_label(m) for m in plans.group_methods)
    return (
        f"{plans.scenarios} scenarios: default growth {percent_points(g.growth_min):g}% to "
        f"{percent_points(g.growth_max):g}% in steps of {percent_points(g.growth_step):g} points x quota "
        f"padding {paddings} x gap to groups by {methods}."
    )
