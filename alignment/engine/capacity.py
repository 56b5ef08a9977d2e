"""Ramp and capacity: how much of a full year's selling each account owner can do in the plan year.

``people`` may carry two optional columns: ``start_month`` (``YYYY-MM``, the month a person starts
selling; empty = before the plan year) and ``ramp_months`` (how many months a new starter sells
below full productivity; empty = 0). Rules:

- In the i-th month after the start (the start month is i = 1), productivity is
  i / (ramp_months + 1) while i <= ramp_months, then 1; before the start month it is 0. Months
  before the plan year count towards the ramp, so a person who started last year may still be
  ramping in the plan year's first months.
- An owner's capacity is the mean productivity over the plan year's 12 months (0 .. 1): a rep who
  starts in April 2026 with a 2-month ramp has (1/3 + 2/3 + 7) / 12 = 2/3 of a year.
- With ``allocation.owner_capacity: true`` each row's allocation weight is multiplied by its
  account owner's capacity (after the contract's all-zero fallback), so a new hire takes a
  smaller part of the gap; a row whose owner has capacity 0 takes none. Without it (the
  default) capacity is shown but weighs nothing, and every figure is as before.

Nothing here imports altair.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignment.fiscal import add_months
from alignment.inputs import Inputs
from alignment.money import sum_money
from alignment.params import Params


def month_index(month: str) -> int:
    """Months since year 0 of a ``YYYY-MM`` month (for counting months between two months)."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def productivity(start_month: str, ramp_months: int, months: list[str]) -> np.ndarray:
    """Each month's productivity (0 .. 1) of a person who starts in ``start_month`` ("" = long ago)."""
    if not start_month:
        return np.ones(len(months))
    i = np.array([month_index(m) for m in months]) - month_index(start_month) + 1
    ramp = max(int(ramp_months), 0)
    return np.where(i < 1, 0.0, np.where(i <= ramp, i / (ramp + 1), 1.0))


def owner_capacity(inputs: Inputs, params: Params) -> pd.DataFrame:
    """Each sales person's (and any other account owner's) capacity in the plan year.

    Returns
    -------
    DataFrame
        account_owner, name, start_month, ramp_months, capacity (0 .. 1), first_full_month (the
        first month at full productivity, ``YYYY-MM``; empty when that is before the plan year),
        sorted by account_owner. Account owners missing from ``people`` have capacity 1.
    """
    months = params.months
    people = inputs.people.set_index("person_id")
    owners = sorted(
        set(inputs.people.loc[inputs.people["function"] == "sales", "person_id"])
        | set(inputs.customers["account_owner"])
    )
    rows = []
    for owner in owners:
        known = owner in people.index
        start = str(people.at[owner, "start_month"]) if known else ""
        ramp = int(pd.to_numeric(str(people.at[owner, "ramp_months"]) or "0")) if known else 0
        share = productivity(start, ramp, months)
        full = add_months(start, ramp) if start else ""
        rows.append(
            {
                "account_owner": owner,
                "name": str(people.at[owner, "name"]) if known else owner,
                "start_month": start,
                "ramp_months": ramp,
                "capacity": float(share.mean()),
                "first_full_month": full if full and full > months[0] else "",
            }
        )
    out = pd.DataFrame(
        rows, columns=["account_owner", "name", "start_month", "ramp_months", "capacity", "first_full_month"]
    )
    return out.astype(
        {"account_owner": "str", "name": "str", "start_month": "str", "first_full_month": "str"}
    ).astype({"ramp_months": "int64", "capacity": "float64"})


def row_capacity(rows: pd.DataFrame, capacity: pd.DataFrame) -> np.ndarray:
    """The capacity of each plan row's account owner (1 for an owner without a capacity row)."""
    by_owner = capacity.set_index("account_owner")["capacity"]
    return rows["account_owner"].map(by_owner).fillna(1.0).to_numpy(dtype="float64")


def capacity_and_quota(final_quotas: pd.DataFrame, capacity: pd.DataFrame) -> pd.DataFrame:
    """Capacity next to quota per account owner: is a new hire given a full quota?

    Parameters
    ----------
    final_quotas : DataFrame
        :attr:`alignment.engine.plan.Plan.final_quotas` (currency).
    capacity : DataFrame
        From :func:`owner_capacity`.

    Returns
    -------
    DataFrame
        account_owner, name, start_month, ramp_months, capacity, committed, allocated,
        final_quota, share_of_quota (the owner's part of all final quotas), share_of_capacity (the
        owner's part of the capacity of the owners with quota rows) and quota_per_capacity (final
        quota / capacity; empty at capacity 0). Money is summed in cents.
    """
    sums = sum_money(final_quotas, ["account_owner"], ["committed", "allocated", "final_quota"])
    out = capacity.merge(sums, on="account_owner", how="left")
    out = out.fillna({"committed": 0.0, "allocated": 0.0, "final_quota": 0.0})
    total = out["final_quota"].sum()
    with_rows = out["account_owner"].isin(set(final_quotas["account_owner"]))
    capacity_total = out.loc[with_rows, "capacity"].sum()
    out["share_of_quota"] = out["final_quota"] / total if total else np.nan
    out["share_of_capacity"] = np.where(
        with_rows & (capacity_total > 0), out["capacity"] / capacity_total if capacity_total else 0.0, np.nan
    )
    cap = out["capacity"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["quota_per_capacity"] = np.where(cap > 0, out["final_quota"].to_numpy() / cap, np.nan)
    return out.drop(columns="first_full_month")
