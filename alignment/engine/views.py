"""Currency views of the plan: the tables the notebooks, the quota book and the explorer show.

The engine (:mod:`~alignment.engine.targets`, :mod:`~alignment.engine.rollup`,
:mod:`~alignment.engine.allocation`, :mod:`~alignment.engine.plan`) computes in integer cents; these
functions read a finished :class:`~alignment.engine.plan.Plan` (currency) and sum exactly through
:func:`alignment.money.sum_money`. Nothing here changes a figure of the plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from alignment.engine.plan import Plan
from alignment.engine.rollup import LEVELS
from alignment.money import from_cents, sum_money, to_cents


def target_by_group_line(cells: pd.DataFrame) -> pd.DataFrame:
    """Target against prior year by customer group and product line (currency cells in, currency out).

    Columns: customer_group, product_line, prior_revenue, target, change (target - prior revenue)
    and growth (target / prior revenue - 1, empty where the prior revenue is not positive).
    """
    out = sum_money(cells, ["customer_group", "product_line"], ["prior_revenue", "target"])
    out["change"] = (to_cents(out["target"].to_numpy()) - to_cents(out["prior_revenue"].to_numpy())) / 100
    prior = out["prior_revenue"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["growth"] = np.where(prior > 0, out["target"].to_numpy() / prior - 1, np.nan)
    return out


def channel_split(targets: pd.DataFrame) -> pd.DataFrame:
    """The target by product line and channel, with each channel's share of its line's target."""
    out = sum_money(targets, ["product_line", "channel"], ["target"])
    line_total = out.groupby("product_line")["target"].transform("sum").to_numpy()
    out["share_of_line"] = np.where(line_total > 0, out["target"].to_numpy() / line_total, np.nan)
    return out


def monthly_phasing(targets: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """The target by product line and month, beside the line's monthly share (the phasing used)."""
    out = sum_money(targets, ["product_line", "month"], ["target"])
    return shares.merge(out, on=["product_line", "month"], how="left").fillna({"target": 0.0})


def monthly_target_table(phasing: pd.DataFrame) -> pd.DataFrame:
    """The monthly target as a table: one row per month, one column per product line, and the total."""
    wide = phasing.pivot(index="month", columns="product_line", values="target").fillna(0.0)
    wide.columns = [str(c) for c in wide.columns]
    cents = pd.DataFrame({c: to_cents(wide[c].to_numpy()) for c in wide.columns}, index=wide.index)
    wide["total"] = cents.sum(axis=1).to_numpy() / 100
    return wide.reset_index()


def rollup_level(rollup: pd.DataFrame, level: str) -> pd.DataFrame:
    """The rollup's rows of one level, with the bottom-up shortfall against the target (``gap``)."""
    if level not in LEVELS:
        raise ValueError(f"level {level!r}: expected one of {', '.join(LEVELS)}")
    part = rollup.loc[rollup["level"] == level].drop(columns="level").reset_index(drop=True)
    part["gap"] = from_cents(to_cents(part["target"].to_numpy()) - to_cents(part["committed"].to_numpy()))
    return part


def committed_above_potential(final_quotas: pd.DataFrame) -> pd.DataFrame:
    """The sales_input rows whose committed quota exceeds the potential sales see (a warning to review)."""
    cols = [
        "customer_id",
        "customer_name",
        "customer_group",
        "region",
        "account_owner",
        "product_id",
        "potential",
        "committed",
    ]
    rows = final_quotas.loc[final_quotas["committed"] > final_quotas["potential"], cols]
    excess = to_cents(rows["committed"].to_numpy()) - to_cents(rows["potential"].to_numpy())
    rows = rows.assign(excess=from_cents(excess))
    return rows.sort_values(
        ["excess", "customer_id", "product_id"], ascending=[False, True, True], ignore_index=True
    )


GROUP_VIEW = [
    "customer_group",
    "target",
    "padded_target",
    "committed",
    "locked_adjustment",
    "group_gap",
    "weight",
    "first_share",
    "capacity",
    "placed",
    "fill_level",
    "allocated",
    "final_quota",
    "unlocked_rows",
    "capped_rows",
]


def allocation_by_group(groups: pd.DataFrame) -> pd.DataFrame:
    """How each customer group's share of the gap was set (weight, first share), placed and rounded.

    ``groups`` is :attr:`alignment.engine.plan.Plan.group_allocation` (currency). ``first_share`` is the
    group's share of G by weight before re-sharing; ``placed`` what it took after re-sharing what
    full groups could not place; ``allocated_from_gap`` the rounded sum its unlocked rows took;
    ``change_from_committed`` its final quota less its committed quota, locked rows included
    (``allocated_from_gap`` + ``locked_adjustment``); ``room`` its rows' room (cap less committed,
    summed; the engine calls it the group's capacity).
    """
    out = groups[GROUP_VIEW].rename(columns={"allocated": "allocated_from_gap", "capacity": "room"})
    at = out.columns.get_loc("allocated_from_gap") + 1
    out.insert(
        at,
        "change_from_committed",
        from_cents(to_cents(out["final_quota"].to_numpy()) - to_cents(out["committed"].to_numpy())),
    )
    out["coverage_after"] = np.where(
        out["padded_target"] > 0, out["final_quota"] / out["padded_target"], np.nan
    )
    return out


def top_takers(final_quotas: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The rows that took the most of the gap, with the figures that explain their allocation.

    ``weight_share`` is the row's part of its group's weights; before caps and rounding each row
    took ``fill_level`` x ``weight`` (its ``unrounded`` share), then ``allocated`` after rounding.
    ``share_of_gap`` is the row's part of everything allocated.
    """
    rows = final_quotas.loc[~final_quotas["locked"]]
    group_weight = rows.groupby("customer_group")["weight"].transform("sum").to_numpy()
    placed = rows["allocated"].sum()
    out = rows.assign(
        weight_share=np.where(group_weight > 0, rows["weight"].to_numpy() / group_weight, np.nan),
        share_of_gap=rows["allocated"].to_numpy() / placed if placed > 0 else np.nan,
    )
    out = out.sort_values(["allocated", "customer_id", "product_id"], ascending=[False, True, True])
    cols = [
        "customer_id",
        "customer_name",
        "customer_group",
        "account_owner",
        "product_id",
        "potential",
        "committed",
        "room",
        "weight",
        "weight_share",
        "fill_level",
        "unrounded",
        "allocated",
        "final_quota",
        "capped",
        "share_of_gap",
    ]
    return out.loc[out["allocated"] > 0, cols].head(n).reset_index(drop=True)


def capped_rows(final_quotas: pd.DataFrame) -> pd.DataFrame:
    """The rows whose share of the gap reached their room (final quota = max(potential, committed))."""
    cols = [
        "customer_id",
        "customer_name",
        "customer_group",
        "account_owner",
        "product_id",
        "potential",
        "committed",
        "room",
        "weight",
        "fill_level",
        "allocated",
        "final_quota",
    ]
    rows = final_quotas.loc[final_quotas["capped"], cols]
    return rows.sort_values(["customer_id", "product_id"], ignore_index=True)


def quota_to_potential_by_owner(
    final_quotas: pd.DataFrame, owners: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Each account owner's final quota against the potential sales see in their accounts.

    Parameters
    ----------
    final_quotas : DataFrame
        :attr:`alignment.engine.plan.Plan.final_quotas`.
    owners : DataFrame, optional
        key (person_id) and name of every account owner to show, zeros included (the rollup's
        ``account_owner`` rows).

    Returns
    -------
    DataFrame
        account_owner, name, rows, committed, change_from_committed (final quota - committed, locked
        rows included), final_quota, potential,
        quota_to_potential, rows_above_potential (rows whose final quota exceeds potential) and
        above_potential (the owner's total quota exceeds the total potential: the impossible).
    """

    money = sum_money(final_quotas, ["account_owner"], ["committed", "allocated", "final_quota", "potential"])
    money = money.rename(columns={"allocated": "change_from_committed"})
    above = final_quotas["final_quota"] > final_quotas["potential"]
    counts = final_quotas[["account_owner"]].assign(rows=1, rows_above_potential=above.astype("int64"))
    counts = counts.groupby("account_owner").sum().reset_index()
    out = money.merge(counts, on="account_owner", how="left")
    if owners is not None:
        keys = owners.rename(columns={"key": "account_owner"})[["account_owner", "name"]]
        out = keys.merge(out, on="account_owner", how="left")
        out = out.fillna(
            {
                c: 0
                for c in [
                    "committed",
                    "change_from_committed",
                    "final_quota",
                    "potential",
                    "rows",
                    "rows_above_potential",
                ]
            }
        )
    else:
        out.insert(1, "name", out["account_owner"])
    out["rows"] = out["rows"].astype("int64")
    out["rows_above_potential"] = out["rows_above_potential"].astype("int64")
    potential = out["potential"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["quota_to_potential"] = np.where(potential > 0, out["final_quota"].to_numpy() / potential, np.nan)
    out["above_potential"] = out["quota_to_potential"] > 1
    cols = [
        "account_owner",
        "name",
        "rows",
        "committed",
        "change_from_committed",
        "final_quota",
        "potential",
        "quota_to_potential",
        "rows_above_potential",
        "above_potential",
    ]
    return out[cols].sort_values("account_owner", ignore_index=True)


def gap_bridge(plan: Plan) -> pd.DataFrame:
    """The bridge from the bottom-up quota to the target, step by step (a waterfall's data).

    Steps: the bottom-up quota Q; the locked overrides' net change (when there are any); each
    customer group's allocated gap; then what is unallocated, or the surplus when G <= 0 (a step
    down); ending at T'. Each step's ``start`` and ``end`` are running totals, so the bars chain.

    Returns
    -------
    DataFrame
        order, step, kind (``total``, ``increase``, ``decrease``, ``unallocated``), amount, start, end.
    """
    fq = plan.final_quotas
    locked = fq["locked"].to_numpy()
    allocated = to_cents(fq["allocated"].to_numpy())
    by_group = (
        pd.Series(allocated[~locked]).groupby(fq["customer_group"].to_numpy()[~locked], sort=True).sum()
    )
    rows = bridge_steps(
        bottom_up=int(to_cents(plan.bottom_up_quota)),
        locked=int(allocated[locked].sum()) if locked.any() else None,
        by_group=by_group.items(),
        unallocated=int(to_cents(plan.unallocated)),
        gap=int(to_cents(plan.gap)),
        padded_target=int(to_cents(plan.padded_target)),
        top_down_target=int(to_cents(plan.top_down_target)),
    )
    out = pd.DataFrame(rows)
    for col in ("amount", "start", "end"):
        out[col] = from_cents(out[col].to_numpy())
    return out.astype({"step": "str", "kind": "str"})


def bridge_steps(
    *,
    bottom_up: int,
    locked: int | None,
    by_group: Iterable[tuple[str, int]],
    unallocated: int,
    gap: int,
    padded_target: int,
    top_down_target: int,
) -> list[dict[str, Any]]:
    """The bridge's steps in cents (see :func:`gap_bridge`), from the plan's totals.

    ``locked`` is the locked rows' net change (None without locked rows); ``by_group`` each
    customer group's allocation from the gap, in group order.
    """
    steps: list[tuple[str, str, int]] = [("Bottom-up quota (Q)", "total", bottom_up)]
    if locked is not None:
        steps.append(("Locked overrides", "increase" if locked >= 0 else "decrease", locked))
    for group, cents in by_group:
        if cents != 0:
            steps.append((f"Gap to {group}", "increase" if cents > 0 else "decrease", int(cents)))
    if unallocated:
        steps.append(("Unallocated", "unallocated", unallocated))
    if gap < 0:
        steps.append(("Surplus over target", "decrease", gap))
    end_label = (
        "Top-down target (T)" if padded_target == top_down_target else "Target with over-assignment (T')"
    )
    running = 0
    rows = []
    for order, (label, kind, cents) in enumerate(steps):
        start = 0 if kind == "total" else running
        running = cents if kind == "total" else running + cents
        rows.append(
            {"order": order, "step": label, "kind": kind, "amount": cents, "start": start, "end": running}
        )
    rows.append(
        {
            "order": len(steps),
            "step": end_label,
            "kind": "total",
            "amount": padded_target,
            "start": 0,
            "end": padded_target,
        }
    )
    return rows


def group_totals(plan: Plan) -> pd.DataFrame:
    """By customer group, in cents: allocated from the gap (unlocked rows), change from committed
    (every row's final quota - committed) and the final quota."""
    fq = plan.final_quotas
    unlocked = fq.loc[~fq["locked"].to_numpy(dtype=bool)]
    out = sum_money(fq, ["customer_group"], ["allocated", "final_quota"])
    gap = sum_money(unlocked, ["customer_group"], ["allocated"]).set_index("customer_group")["allocated"]
    out.insert(1, "allocated_from_gap", out["customer_group"].map(gap).fillna(0.0).to_numpy())
    return out.rename(columns={"allocated": "change_from_committed"})


def compare_with_base(base: Plan, scenario: Plan) -> pd.DataFrame:
    """Allocation by customer group in the base plan and the scenario, side by side, with the change."""
    b = group_totals(base).set_index("customer_group")
    s = group_totals(scenario).set_index("customer_group")
    out = pd.DataFrame(
        {
            "base_allocated_from_gap": b["allocated_from_gap"],
            "scenario_allocated_from_gap": s["allocated_from_gap"],
            "base_final_quota": b["final_quota"],
            "scenario_final_quota": s["final_quota"],
        }
    ).fillna(0.0)
    out["change"] = (out["scenario_final_quota"] - out["base_final_quota"]).round(2)
    return out.reset_index()


def allocation_totals(plan: Plan) -> dict[str, dict[str, float]]:
    """By customer group and in total (``Total``): allocated_from_gap, change_from_committed, final_quota.

    ``allocated_from_gap`` is what the unlocked rows took of the gap G; ``change_from_committed`` every
    row's final quota less its committed quota, locked rows included. Summed in cents. Notebook 03
    records this for the comparison of several scenarios, which therefore never reads a table back.
    """
    fq = plan.final_quotas
    allocated = to_cents(fq["allocated"].to_numpy())
    locked = fq["locked"].to_numpy(dtype=bool)
    cents = pd.DataFrame(
        {
            "customer_group": fq["customer_group"].to_numpy(),
            "allocated_from_gap": np.where(locked, 0, allocated),
            "change_from_committed": allocated,
            "final_quota": to_cents(fq["final_quota"].to_numpy()),
        }
    )
    figures = ["allocated_from_gap", "change_from_committed", "final_quota"]
    sums = cents.groupby("customer_group", sort=True)[figures].sum()
    out = {str(g): {f: float(from_cents(int(sums.at[g, f]))) for f in figures} for g in sums.index}
    out["Total"] = {f: float(from_cents(int(sums[f].sum()))) for f in figures}
    return out


def target_growth(plan: Plan) -> float | None:
    """The top-down target's growth over the prior year's net revenue (None when that revenue is not positive)."""
    prior = int(to_cents(plan.cell_targets["prior_revenue"].to_numpy()).sum())
    target = int(to_cents(plan.top_down_target))
    return target / prior - 1 if prior > 0 else None
