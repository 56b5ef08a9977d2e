"""The mid-year re-plan: re-allocate the rest of the year with the plan's own rules.

From ``review.month`` the months of the fiscal year split into the past (up to and including the
review month) and the rest. The past keeps its objectives: nobody's history is rewritten. The rest
of the year is planned again, as a second run of CONTRACT 6.3 (:func:`alignment.engine.allocation.allocate`,
with the same methods, cap and rounding) on these figures, in integer cents, per (customer,
product) row of the plan:

- ``booked``: the row's net actuals of the fiscal year up to ``review.month`` (all channels);
  ``past_objective``: its objectives of those months; ``rest_objective``: the original quota less
  ``past_objective``.
- ``attainment`` (to date): the account owner's actual / objective of the year to date, as in the
  monthly review (all of the owner's customers' revenue; 1 where the owner has no objective to
  date; never below 0). ``forecast_rest`` = rest_objective x attainment, rounded to the cent: what
  the row is on course to bring in the rest of the year.
- The rest's base (the re-plan's "committed") is max(forecast_rest, booked - past_objective, 0): a
  row is never given a quota below what it already booked. The rest's "potential" is
  max(potential - booked, 0): the potential less what the row already booked, so with
  ``cap: potential`` a row's rest quota stays within max(potential - booked, base).
- Locked rows (``overrides``) keep their quota and their objectives, month by month.
- The year's re-planned total is ``replan.target`` when set, else the original T'. What the rest
  must bring is that total less every row's past objectives; the gap between it and the bases
  (the forecast shortfall of the rest of the year) is allocated by ``group_method`` and
  ``customer_method`` as in 6.3. For ``target_gap`` a group's part of the rest is the rest split
  among the groups by largest remainder in proportion to their original rest objectives.
- A row's re-planned quota = past_objective + its rest quota (base + allocated); the rest quota is
  phased over the remaining months by the product line's monthly shares of those months (evenly
  where they sum to 0), by largest remainder. So every row's objectives sum to its quota, the
  quotas sum to the re-planned total exactly, unless the bases already exceed it (a surplus: nothing
  is allocated and it is reported) or some of it has no room (reported as unallocated), as in 6.3.
- With ``review.month`` the last month of the year there is nothing left to re-plan: the quotas
  stay, and a ``replan.target`` other than T' is reported as unallocated.

``allocated`` in ``replan_quotas.csv`` is the row's share of the re-planned gap, ``committed`` is
still sales' committed quota, ``original_quota`` the plan's final quota and ``change`` = final_quota -
original_quota. In ``replan_objectives.csv`` ``original_quota`` is the month's original objective.
Nothing here imports altair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from alignment.engine.allocation import allocate
from alignment.engine.capacity import owner_capacity, row_capacity
from alignment.engine.plan import FINAL_QUOTAS_COLUMNS, Plan
from alignment.inputs import Inputs
from alignment.money import apportion, from_cents, round_cents, sum_money, to_cents
from alignment.outputs import to_text_table
from alignment.params import Params

ROW_KEYS = ["customer_id", "product_id"]
REPLAN_QUOTAS_COLUMNS = [*FINAL_QUOTAS_COLUMNS, "original_quota", "change"]
REPLAN_QUOTAS_EXTRA = [
    "product_line",
    "booked",
    "past_objective",
    "rest_objective",
    "attainment",
    "forecast_rest",
    "rest_base",
    "rest_potential",
    "unrounded",
    "rest_quota",
]
REPLAN_OBJECTIVES_COLUMNS = ["customer_id", "product_id", "month", "objective", "original_quota", "change"]
MONEY = {
    "replan_quotas.csv": (
        "potential",
        "committed",
        "weight",
        "allocated",
        "final_quota",
        "original_quota",
        "change",
        "booked",
        "past_objective",
        "rest_objective",
        "forecast_rest",
        "rest_base",
        "rest_potential",
        "unrounded",
        "rest_quota",
    ),
    "replan_objectives.csv": ("objective", "original_quota", "change"),
}


@dataclass(frozen=True)
class Replan:
    """The re-planned year (money in currency, exact to the cent).

    Attributes
    ----------
    review_month : str
        The last month whose objectives are kept.
    rest_months : list of str
        The months re-planned.
    quotas : DataFrame
        replan_quotas.csv: the final_quotas columns, original_quota, change, then product_line,
        booked, past_objective, rest_objective, attainment, forecast_rest, rest_base,
        rest_potential, unrounded, rest_quota.
    objectives : DataFrame
        replan_objectives.csv: customer_id, product_id, month, objective, original_quota, change.
    original_total, target, past_objective, booked, forecast, rest_target, gap, placed,
    unallocated, replanned_total : float
        T', the re-planned year's total (``replan.target`` or T'), the past months' objectives,
        the actuals booked on the plan's rows to date, booked + the rows' forecast for the rest,
        what the rest must bring, the gap re-allocated (negative = surplus), the part placed, the
        part nobody had room for, and the sum of the re-planned quotas.
    """

    review_month: str
    rest_months: list[str]
    quotas: pd.DataFrame
    objectives: pd.DataFrame
    original_total: float
    target: float
    past_objective: float
    booked: float
    forecast: float
    rest_target: float
    gap: float
    placed: float
    unallocated: float
    replanned_total: float

    @property
    def surplus(self) -> float:
        """How far the rows' bases for the rest exceed what the rest must bring (0 with a gap)."""
        return max(-self.gap, 0.0)

    def figures(self) -> dict[str, float]:
        """The re-plan's totals, plain floats exact to the cent."""
        return {
            "replan_original_total": self.original_total,
            "replan_target": self.target,
            "replan_past_objective": self.past_objective,
            "replan_booked": self.booked,
            "replan_forecast": self.forecast,
            "replan_rest_target": self.rest_target,
            "replan_gap": self.gap,
            "replan_placed": self.placed,
            "replan_unallocated": self.unallocated,
            "replan_replanned_total": self.replanned_total,
        }

    def summary_lines(self) -> list[str]:
        """A few lines for the command line."""
        rest = f"{self.rest_months[0]} .. {self.rest_months[-1]}" if self.rest_months else "no months left"
        lines = [
            f"re-plan from {self.review_month}: {rest}",
            f"re-planned year's total:  {self.target:>18,.2f}",
            f"booked to date:           {self.booked:>18,.2f}",
            f"forecast for the year:    {self.forecast:>18,.2f}",
        ]
        if self.gap >= 0:
            lines.append(f"re-allocated shortfall:   {self.gap:>18,.2f}")
        else:
            lines.append(f"surplus:                  {self.surplus:>18,.2f}  (nothing re-allocated)")
        lines.append(f"re-planned quotas:        {self.replanned_total:>18,.2f}")
        lines.append(f"unallocated:              {self.unallocated:>18,.2f}")
        return lines


def _by_row(keys: pd.DataFrame, values: pd.DataFrame, column: str) -> np.ndarray:
    """``values[column]`` (cents) summed per (customer_id, product_id) and aligned to ``keys``' rows."""
    out = np.zeros(len(keys), dtype="int64")
    if len(values) == 0:
        return out
    sums = values.groupby(ROW_KEYS, sort=False)[column].sum()
    at = pd.MultiIndex.from_frame(keys[ROW_KEYS]).get_indexer(sums.index)
    found = at >= 0
    np.add.at(out, at[found], sums.to_numpy()[found].astype("int64"))
    return out


def owner_attainment_to_date(
    final_quotas: pd.DataFrame, past_objective: np.ndarray, inputs: Inputs, booked_months: list[str]
) -> pd.Series:
    """Each account owner's attainment to date: actual / objective of ``booked_months``.

    Actual is all net revenue of the owner's customers in those months (as the monthly review
    counts it); 1 where the owner's objective to date is 0; never below 0. Indexed by account_owner.
    """
    objective = (
        pd.Series(past_objective, dtype="int64").groupby(final_quotas["account_owner"].to_numpy()).sum()
    )
    act = inputs.actuals[inputs.actuals["month"].isin(booked_months)]
    owner = act["customer_id"].map(inputs.customers.set_index("customer_id")["account_owner"])
    actual = pd.Series(to_cents(act["revenue"].to_numpy()), index=act.index).groupby(owner.to_numpy()).sum()
    actual = actual.reindex(objective.index, fill_value=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(objective.to_numpy() != 0, actual.to_numpy() / objective.to_numpy(), 1.0)
    return pd.Series(np.maximum(ratio, 0.0), index=objective.index, dtype="float64")


def build_replan(plan: Plan, inputs: Inputs, params: Params) -> Replan:
    """Re-plan the months after ``review.month`` (see the module's rules).

    Parameters
    ----------
    plan : Plan
        The original plan (:func:`alignment.engine.plan.build_plan` on the same inputs and params).
    inputs : Inputs
    params : Params
        ``review.month`` and ``replan.target``; the ``allocation`` settings are re-used (with no
        over-assignment: the re-planned total is already the padded one).

    Returns
    -------
    Replan
    """
    months = params.months
    k = months.index(params.review.month)
    past_months, rest_months = months[: k + 1], months[k + 1 :]
    fq = plan.final_quotas.sort_values(ROW_KEYS, ignore_index=True)
    n = len(fq)

    mo = plan.monthly_objectives.assign(cents=to_cents(plan.monthly_objectives["objective"].to_numpy()))
    quota = to_cents(fq["final_quota"].to_numpy())
    past = _by_row(fq, mo[mo["month"].isin(past_months)], "cents")
    act = inputs.actuals[inputs.actuals["month"].isin(past_months)]
    booked = _by_row(fq, act[ROW_KEYS].assign(cents=to_cents(act["revenue"].to_numpy())), "cents")
    rest_orig = quota - past
    attainment = owner_attainment_to_date(fq, past, inputs, past_months)
    row_att = fq["account_owner"].map(attainment).fillna(1.0).to_numpy(dtype="float64")
    forecast_rest = np.maximum(round_cents(rest_orig * row_att), 0)
    locked = fq["locked"].to_numpy(dtype=bool)
    floor = np.maximum(np.minimum(booked, quota) - past, 0)
    base = np.where(locked, rest_orig, np.maximum(forecast_rest, floor))
    potential = to_cents(fq["potential"].to_numpy())
    rest_potential = np.maximum(potential - booked, 0)

    original_total = int(to_cents(plan.padded_target))
    target = original_total if params.replan.target is None else int(to_cents(params.replan.target))
    rest_target = target - int(past.sum())

    groups = sorted(set(inputs.customers["customer_group"]) | set(fq["customer_group"]))
    rest_by_group = (
        pd.Series(rest_orig).groupby(fq["customer_group"].to_numpy()).sum().reindex(groups, fill_value=0)
    )
    group_rest = apportion(
        np.full(len(groups), rest_target, dtype="int64"),
        np.maximum(rest_by_group.to_numpy(dtype="float64"), 0.0),
        np.zeros(len(groups), dtype="int64"),
    )
    rows = pd.DataFrame(
        {
            "customer_id": fq["customer_id"],
            "product_id": fq["product_id"],
            "customer_group": fq["customer_group"],
            "account_owner": fq["account_owner"],
            "potential": rest_potential,
            "committed": base,
            "prior_revenue": to_cents(fq["prior_revenue"].to_numpy()),
            "locked": locked,
            "override": np.where(locked, rest_orig, 0),
        }
    )
    if params.allocation.owner_capacity:
        rows["capacity"] = row_capacity(rows, owner_capacity(inputs, params))

    if rest_months:
        result = allocate(
            rows,
            pd.Series(group_rest, index=pd.Index(groups, dtype="str")),
            rest_target,
            replace(params.allocation, over_assignment=0.0),
            groups=groups,
        )
        out = result.rows
        rest_quota = out["final_quota"].to_numpy().astype("int64")
        allocated = np.where(locked, 0, out["allocated"].to_numpy().astype("int64"))
        weight, capped = out["weight"].to_numpy(), out["capped"].to_numpy(dtype=bool)
        unrounded = out["unrounded"].to_numpy()
        gap, placed, unallocated = result.gap, result.placed, result.unallocated
    else:  # nothing left to re-plan: the quotas stay
        rest_quota = rest_orig
        allocated = np.zeros(n, dtype="int64")
        weight, capped, unrounded = np.zeros(n), np.zeros(n, dtype=bool), np.full(n, np.nan)
        gap = rest_target - int(rest_orig.sum())
        placed, unallocated = 0, max(gap, 0)
    new_quota = past + rest_quota

    quotas = fq[FINAL_QUOTAS_COLUMNS].copy()
    quotas["weight"] = weight
    quotas["allocated"] = from_cents(allocated)
    quotas["final_quota"] = from_cents(new_quota)
    quotas["capped"] = capped
    quotas["original_quota"] = from_cents(quota)
    quotas["change"] = from_cents(new_quota - quota)
    quotas["product_line"] = fq["product_line"]
    quotas["booked"] = from_cents(booked)
    quotas["past_objective"] = from_cents(past)
    quotas["rest_objective"] = from_cents(rest_orig)
    quotas["attainment"] = row_att
    quotas["forecast_rest"] = from_cents(forecast_rest)
    quotas["rest_base"] = from_cents(base)
    quotas["rest_potential"] = from_cents(rest_potential)
    quotas["unrounded"] = np.round(np.asarray(unrounded, dtype="float64") / 100, 2)
    quotas["rest_quota"] = from_cents(rest_quota)

    objectives = _replan_objectives(fq, mo, rest_quota, locked, plan.line_month_shares, rest_months)
    forecast = int(booked.sum()) + int(forecast_rest.sum())
    return Replan(
        review_month=params.review.month,
        rest_months=rest_months,
        quotas=quotas[REPLAN_QUOTAS_COLUMNS + REPLAN_QUOTAS_EXTRA],
        objectives=objectives,
        original_total=float(from_cents(original_total)),
        target=float(from_cents(target)),
        past_objective=float(from_cents(int(past.sum()))),
        booked=float(from_cents(int(booked.sum()))),
        forecast=float(from_cents(forecast)),
        rest_target=float(from_cents(rest_target)),
        gap=float(from_cents(gap)),
        placed=float(from_cents(placed)),
        unallocated=float(from_cents(unallocated)),
        replanned_total=float(from_cents(int(new_quota.sum()))),
    )


def _replan_objectives(
    fq: pd.DataFrame,
    mo: pd.DataFrame,
    rest_quota: np.ndarray,
    locked: np.ndarray,
    shares: pd.DataFrame,
    rest_months: list[str],
) -> pd.DataFrame:
    """Past months as they were; each unlocked row's rest quota phased over the rest months."""
    table = mo[[*ROW_KEYS, "month", "cents"]].sort_values([*ROW_KEYS, "month"], ignore_index=True)
    row = pd.MultiIndex.from_frame(fq[ROW_KEYS]).get_indexer(pd.MultiIndex.from_frame(table[ROW_KEYS]))
    new = table["cents"].to_numpy().astype("int64").copy()
    is_rest = table["month"].isin(rest_months).to_numpy() & (row >= 0)
    replanned = is_rest & ~locked[np.maximum(row, 0)]
    if replanned.any():
        share = shares.set_index(["product_line", "month"])["share"]
        lines = fq["product_line"].to_numpy()[row[replanned]]
        key = pd.MultiIndex.from_arrays([lines, table["month"].to_numpy()[replanned]])
        weight = share.reindex(key).fillna(0.0).to_numpy(dtype="float64")
        new[replanned] = apportion(rest_quota[row[replanned]], weight, row[replanned])
    original = table["cents"].to_numpy().astype("int64")
    return pd.DataFrame(
        {
            "customer_id": table["customer_id"],
            "product_id": table["product_id"],
            "month": table["month"],
            "objective": from_cents(new),
            "original_quota": from_cents(original),
            "change": from_cents(new - original),
        }
    )


def replan_by_owner(replan: Replan, people: pd.DataFrame | None = None) -> pd.DataFrame:
    """The plan version and the working version side by side, per account owner.

    Returns
    -------
    DataFrame
        account_owner, name, original_quota, booked, past_objective, attainment (to date),
        rest_objective (original), forecast_rest, rest_quota (re-planned), final_quota
        (re-planned), change; money summed in cents.
    """
    money = [
        "original_quota",
        "booked",
        "past_objective",
        "rest_objective",
        "forecast_rest",
        "rest_quota",
        "final_quota",
        "change",
    ]
    out = sum_money(replan.quotas, ["account_owner"], money)
    att = replan.quotas.groupby("account_owner")["attainment"].first()
    out.insert(1, "attainment", out["account_owner"].map(att).to_numpy())
    names = {} if people is None else dict(zip(people["person_id"], people["name"], strict=True))
    out.insert(1, "name", out["account_owner"].map(lambda o: names.get(o, o)).astype("str"))
    return out[["account_owner", "name", *money[:3], "attainment", *money[3:]]]


def replan_writers(replan: Replan) -> dict[str, Callable[[Path], object]]:
    """replan_quotas.csv and replan_objectives.csv as writers of a temporary path, for ``write_plan_tables``."""
    texts = {
        name: to_text_table(frame, MONEY[name]).to_csv(index=False, lineterminator="\n")
        for name, frame in (
            ("replan_quotas.csv", replan.quotas),
            ("replan_objectives.csv", replan.objectives),
        )
    }
    return {
        name: (lambda tmp, text=text: tmp.write_bytes(text.encode("utf-8"))) for name, text in texts.items()
    }
