"""Sales' bottom-up quota and its rollup beside the top-down target (CONTRACT 6.2).

The bottom-up quota Q is the sum of ``committed``. Each ``sales_input`` row (a customer and a
product) gets its part of the top-down target: the (customer_group, product) cell's target split
by largest remainder in proportion to the customers' prior-year revenue of that product, among the
cell's customers in ``sales_input``, evenly when none of them had any. That gives a target for every
region and account owner, so the committed quota can be read against it at every level.

Every amount here is integer cents. Planning rules where the contract is silent:

- A customer's weight in its cell is its net prior-year revenue of the product clamped at 0 (a
  customer whose credits exceed its bookings takes no part of the target).
- Ties in the split go to the customer that sorts first by customer_id.
- A cell whose customers are all absent from ``sales_input`` keeps its target at the total and
  customer-group rows of the rollup, but no region or account owner carries it; the region and
  owner rows then sum to less than T.
- Prior-year revenue at every level is the net actuals of all the level's customers, whether or
  not they appear in ``sales_input``.
- Ratios are empty where their denominator is 0: ``committed_to_potential`` = committed /
  potential and ``committed_to_target`` = committed / target (the coverage of the target).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignment.inputs import pair_positions, positions
from alignment.money import apportion

ROLLUP_COLUMNS = ["level", "key", "committed", "potential", "prior_revenue", "target"]
LEVELS = ("total", "customer_group", "region", "account_owner")


def customer_target_cents(rows: pd.DataFrame, cells: pd.DataFrame) -> np.ndarray:
    """Each sales_input row's part of its cell's target, in cents.

    Parameters
    ----------
    rows : DataFrame
        customer_group, product_id and prior_revenue (cents) per row, sorted by
        (customer_id, product_id).
    cells : DataFrame
        customer_group, product_id, target (cents), from :func:`alignment.engine.targets.cell_targets`.
    """
    position = pair_positions(
        (rows["customer_group"], rows["product_id"]), (cells["customer_group"], cells["product_id"])
    )
    cell_target = np.where(position >= 0, cells["target"].to_numpy()[np.maximum(position, 0)], 0)
    weight = np.maximum(rows["prior_revenue"].to_numpy(), 0).astype("float64")
    return apportion(cell_target, weight, position)


def sorted_keys(*columns: pd.Series) -> pd.Index:
    """The distinct values of the columns together, sorted (a level's keys, as strings)."""
    values = pd.concat([pd.Series(c.unique(), dtype="str") for c in columns], ignore_index=True)
    return pd.Index(values.unique(), dtype="str").sort_values()


def _sum_by(values: pd.DataFrame, by: pd.Series, keys: pd.Index) -> pd.DataFrame:
    """The integer columns of ``values`` summed by ``by``, one row per key (0 where none)."""
    code = positions(by, keys)
    known = code >= 0
    sums = {}
    for col in values.columns:
        total = np.zeros(len(keys), dtype="int64")
        np.add.at(total, code[known], values[col].to_numpy(dtype="int64")[known])
        sums[col] = total
    return pd.DataFrame(sums, index=keys)


def rollup_table(
    rows: pd.DataFrame,
    cells: pd.DataFrame,
    customers: pd.DataFrame,
    prior_by_customer: pd.Series,
    sales_people: pd.DataFrame,
    top_down_cents: int,
) -> pd.DataFrame:
    """Bottom-up committed and potential beside prior-year revenue and the top-down target.

    Parameters
    ----------
    rows : DataFrame
        sales_input rows with customer_group, region, account_owner, committed, potential and
        target (the row's part of the top-down target), all money in cents.
    cells : DataFrame
        The cell targets (cents); a customer group's target is the sum of its cells.
    customers : DataFrame
        The customers input (every group and region gets a row, zeros included).
    prior_by_customer : Series
        Net prior-year revenue in cents, indexed by customer_id.
    sales_people : DataFrame
        The people of function sales (every account owner gets a row, zeros included).
    top_down_cents : int
        T, the total row's target.

    Returns
    -------
    DataFrame
        level, key, committed, potential, prior_revenue, target (cents), then name (the owner's
        name), committed_to_potential, committed_to_target.
    """
    money = rows[["committed", "potential", "target"]]
    at = positions(customers["customer_id"], prior_by_customer.index)
    known = prior_by_customer.to_numpy().astype("int64")
    prior = np.where(at >= 0, known[np.maximum(at, 0)], 0) if len(known) else np.zeros(len(at), "int64")
    cust = customers.assign(prior_revenue=prior)
    parts = []
    total = pd.DataFrame(
        {
            "level": ["total"],
            "key": ["total"],
            "committed": [int(money["committed"].sum())],
            "potential": [int(money["potential"].sum())],
            "prior_revenue": [int(prior.sum())],
            "target": [int(top_down_cents)],
        }
    )
    parts.append(total)
    owners = sorted_keys(sales_people["person_id"], customers["account_owner"])
    names = sales_people.set_index("person_id")["name"]
    for level in ("customer_group", "region", "account_owner"):
        if level == "account_owner":
            keys = owners
        elif level == "customer_group":
            keys = sorted_keys(customers["customer_group"], cells["customer_group"])
        else:
            keys = sorted_keys(customers["region"])
        agg = _sum_by(money, rows[level], keys)
        if level == "customer_group":
            agg["target"] = cells.groupby("customer_group")["target"].sum().reindex(keys, fill_value=0)
        agg["prior_revenue"] = _sum_by(cust[["prior_revenue"]], cust[level], keys)["prior_revenue"]
        part = agg.rename_axis("key").reset_index()
        part.insert(0, "level", level)
        parts.append(part[ROLLUP_COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    for col in ("committed", "potential", "prior_revenue", "target"):
        out[col] = out[col].astype("int64")
    out["level"] = out["level"].astype("str")
    out["key"] = out["key"].astype("str")
    out["name"] = np.where(
        out["level"] == "account_owner", out["key"].map(names).fillna("").astype("str"), out["key"]
    )
    out["name"] = out["name"].astype("str")
    committed = out["committed"].to_numpy(dtype="float64")
    potential = out["potential"].to_numpy(dtype="float64")
    target = out["target"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["committed_to_potential"] = np.where(potential > 0, committed / potential, np.nan)
        out["committed_to_target"] = np.where(target > 0, committed / target, np.nan)
    return out
