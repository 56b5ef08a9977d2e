"""The scenario grid: the plan of every scenario ``explorer.grid`` spans, computed ahead of time.

Page 07's exported explorer lets a reader without Python move a growth slider and pick a quota
padding and a group method; each position shows a scenario planned here, with the real engine, so its
figures are those ``alignment plan`` gives for the same parameters, to the cent
(:func:`scenario_params` writes them).

The grid is planned in one pass over the loaded inputs. What does not depend on a scenario is
computed once: the prior year's revenue per (customer, product), the rows to allocate (committed,
potential, overrides) and the owners. For each growth rate only the cell targets are recomputed
(:func:`~alignment.engine.targets.cell_targets`); for each padding and method only the allocation
(:func:`~alignment.engine.allocation.allocate`). The channel and month splits, which no figure of the
grid needs, are not computed. Amounts are integer cents until :class:`GridPlans` converts them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from alignment.engine.allocation import allocate
from alignment.engine.capacity import owner_capacity, row_capacity
from alignment.engine.plan import build_plan, prior_pairs, target_stage
from alignment.engine.targets import cell_targets
from alignment.engine.views import bridge_steps
from alignment.inputs import Inputs
from alignment.money import from_cents
from alignment.params import GROUP_METHODS, Params, ScenarioGrid

#: The figures of each scenario, as :meth:`alignment.engine.plan.Plan.figures` names them.
GRID_FIGURES = (
    "top_down_target",
    "padded_target",
    "bottom_up_quota",
    "gap",
    "allocated_from_gap",
    "locked_adjustment",
    "change_from_committed",
    "final_quota_total",
    "unallocated",
)
SCENARIO_KEYS = ["growth", "over_assignment", "group_method"]


def grid_methods(grid: ScenarioGrid, params: Params) -> tuple[str, ...]:
    """The group methods of the grid: those it names, else every method the params file can run
    (``shares`` only when it has ``group_shares``)."""
    if grid.group_methods:
        return grid.group_methods
    return tuple(m for m in GROUP_METHODS if m != "shares" or params.allocation.group_shares)


def scenario_params(base: Params, growth: float, over_assignment: float, group_method: str) -> Params:
    """The parameters of one grid scenario: the base file with growth, padding and group method set.

    ``group_shares`` stays only with the ``shares`` method (another method refuses them).
    """
    shares = base.allocation.group_shares if group_method == "shares" else {}
    return replace(
        base,
        target=replace(base.target, growth=growth),
        allocation=replace(
            base.allocation,
            over_assignment=over_assignment,
            group_method=group_method,
            group_shares=shares,
        ),
    )


@dataclass(frozen=True)
class GridPlans:
    """The planned grid, money in currency (``float64``, exact to the cent).

    Attributes
    ----------
    grid : ScenarioGrid
        What the grid spans.
    growths, over_assignments, group_methods : tuple
        The grid's values of each parameter, in order.
    figures : DataFrame
        One row per scenario: growth, over_assignment, group_method, then :data:`GRID_FIGURES`.
    bridge : DataFrame
        Per scenario, the steps of :func:`alignment.engine.views.gap_bridge`: order, step, kind,
        amount, start, end.
    groups : DataFrame
        Per scenario and customer group: first_share (the group's share of the gap by weight),
        allocated_from_gap, change_from_committed, final_quota.
    owners : DataFrame
        Per scenario and account owner (every sales person): account_owner, name, committed,
        change_from_committed, final_quota, potential.
    base : dict
        The params file's own plan figures (:data:`GRID_FIGURES`), for the changes against it.
    """

    grid: ScenarioGrid
    growths: tuple[float, ...]
    over_assignments: tuple[float, ...]
    group_methods: tuple[str, ...]
    figures: pd.DataFrame
    bridge: pd.DataFrame
    groups: pd.DataFrame
    owners: pd.DataFrame
    base: dict[str, float]

    @property
    def scenarios(self) -> int:
        """How many scenarios the grid holds."""
        return len(self.figures)


def plan_grid(inputs: Inputs, params: Params, grid: ScenarioGrid | None = None) -> GridPlans:
    """Plan every scenario of ``grid`` (default ``params.explorer.grid``) on the loaded inputs.

    Raises
    ------
    ValueError
        When the params file has no grid (``explorer.grid: false``) and none is given.
    ParamsError
        With ``target.total`` when there is no prior-year revenue to scale.
    """
    grid = grid or params.explorer.grid
    if grid is None:
        raise ValueError("explorer.grid is false: no scenarios to plan")
    methods = grid_methods(grid, params)
    stage = target_stage(inputs, params)
    _, pairs = prior_pairs(inputs, params)
    rows = stage.rows.copy(deep=False)
    if params.allocation.owner_capacity:
        rows["capacity"] = row_capacity(rows, owner_capacity(inputs, params))
    groups_of_data = list(inputs.customers["customer_group"].unique())
    rollup = stage.rollup  # in cents
    owners = rollup.loc[rollup["level"] == "account_owner", ["key", "name", "potential"]]
    owner_ids = pd.Index(owners["key"])
    owner_code = owner_ids.get_indexer(rows["account_owner"])
    committed = rows["committed"].to_numpy().astype("int64")
    locked = rows["locked"].to_numpy(dtype=bool)
    q_cents = int(committed.sum())
    owner_committed = _sum_int(owner_code, committed, len(owner_ids))

    figures, bridge, groups, by_owner = [], [], [], []
    for growth in grid.growths:
        with_growth = replace(params, target=replace(params.target, growth=growth))
        cells = cell_targets(pairs, inputs.sales_input, inputs.customers, inputs.products, with_growth)
        t_cents = int(cells["target"].sum())
        group_targets = cells.groupby("customer_group", sort=True)["target"].sum()
        for over in grid.over_assignments:
            for method in methods:
                alloc = scenario_params(params, growth, over, method).allocation
                result = allocate(rows, group_targets, t_cents, alloc, groups=groups_of_data)
                allocated = result.rows["allocated"].to_numpy().astype("int64")
                final = result.rows["final_quota"].to_numpy().astype("int64")
                locked_cents = int(allocated[locked].sum())
                final_total = int(final.sum())
                key = {"growth": growth, "over_assignment": over, "group_method": method}
                figures.append(
                    {
                        **key,
                        "top_down_target": t_cents,
                        "padded_target": result.padded_target,
                        "bottom_up_quota": q_cents,
                        "gap": result.gap,
                        "allocated_from_gap": result.placed,
                        "locked_adjustment": locked_cents,
                        "change_from_committed": final_total - q_cents,
                        "final_quota_total": final_total,
                        "unallocated": result.unallocated,
                    }
                )
                g = result.groups
                g_allocated = g["allocated"].to_numpy()
                g_change = g["final_quota"].to_numpy() - g["committed"].to_numpy()
                for i, name in enumerate(g["customer_group"]):
                    groups.append(
                        {
                            **key,
                            "customer_group": name,
                            "first_share": float(g["first_share"].iat[i]),
                            "allocated_from_gap": int(g_allocated[i]),
                            "change_from_committed": int(g_change[i]),
                            "final_quota": int(g["final_quota"].iat[i]),
                        }
                    )
                steps = bridge_steps(
                    bottom_up=q_cents,
                    locked=locked_cents if locked.any() else None,
                    by_group=zip(g["customer_group"], g_allocated, strict=True),
                    unallocated=result.unallocated,
                    gap=result.gap,
                    padded_target=result.padded_target,
                    top_down_target=t_cents,
                )
                bridge.extend({**key, **step} for step in steps)
                owner_final = _sum_int(owner_code, final, len(owner_ids))
                by_owner.append((key, owner_final))

    return GridPlans(
        grid=grid,
        growths=grid.growths,
        over_assignments=grid.over_assignments,
        group_methods=methods,
        figures=_money(pd.DataFrame(figures), GRID_FIGURES),
        bridge=_money(pd.DataFrame(bridge), ("amount", "start", "end")),
        groups=_group_frame(groups),
        owners=_owner_frame(by_owner, owners, owner_committed),
        base=_base_figures(inputs, params),
    )


def _sum_int(code: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, dtype="int64")
    found = code >= 0
    np.add.at(out, code[found], values[found])
    return out


def _money(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    return df.assign(**{c: from_cents(df[c].to_numpy()) for c in columns})


def _group_frame(groups: list[dict[str, Any]]) -> pd.DataFrame:
    out = _money(pd.DataFrame(groups), ("allocated_from_gap", "change_from_committed", "final_quota"))
    out["first_share"] = np.round(out["first_share"].to_numpy() / 100, 2)  # as the plan shows it
    return out.astype({"customer_group": "str"})


def _owner_frame(
    by_owner: list[tuple[dict[str, Any], np.ndarray]], owners: pd.DataFrame, committed: np.ndarray
) -> pd.DataFrame:
    n = len(owners)
    keys = pd.DataFrame([k for k, _ in by_owner]).loc[lambda d: d.index.repeat(n)].reset_index(drop=True)
    final = np.concatenate([f for _, f in by_owner]) if by_owner else np.zeros(0, dtype="int64")
    reps = len(by_owner)
    out = keys.assign(
        account_owner=np.tile(owners["key"].to_numpy(dtype=object), reps),
        name=np.tile(owners["name"].to_numpy(dtype=object), reps),
        committed=from_cents(np.tile(committed, reps)),
        change_from_committed=from_cents(final - np.tile(committed, reps)),
        final_quota=from_cents(final),
        potential=from_cents(np.tile(owners["potential"].to_numpy().astype("int64"), reps)),
    )
    return out.astype({"account_owner": "str", "name": "str"})


def _base_figures(inputs: Inputs, params: Params) -> dict[str, float]:
    figures = build_plan(inputs, params).figures()
    return {k: figures[k] for k in GRID_FIGURES}
