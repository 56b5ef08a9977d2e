"""Marketing's top-down target (CONTRACT 6.1): cells, growth, channel split and monthly phasing.

A cell is a (customer_group, product_id) pair. Its base is its prior-year revenue (net actuals of
the fiscal year before the plan year, all channels) clamped at 0; its target is base x (1 + growth),
where growth is ``target.growth`` replaced by the last rule of ``target.rules`` whose given keys all
match. Each cell target is split across the product's channels by ``channel_strategy.share`` and
each channel part across the fiscal year's 12 months, by largest remainder, so the parts add up to
the cell exactly.

Every amount here is integer cents (``int64``); :mod:`alignment.engine.plan` converts to currency at the
end. Planning rules where the contract is silent:

- The cells are the (customer_group, product_id) pairs that have prior-year actuals or a row in
  ``sales_input``; a cell with neither has no base and no target and is left out.
- base x (1 + growth) is rounded to the cent, half a cent away from zero (the product is first
  rounded to 6 decimals of a cent, so that 0.10 x 1.15 is taken as 11.5 cents, not as the float
  just below it).
- With ``target.total`` the total is itself split among the cells by largest remainder in
  proportion to their cent-rounded unscaled targets, so T equals the total exactly; cells tie in
  (customer_group, product_id) order.
- Seasonal phasing weights fiscal month k of the plan year by the product line's net prior-year
  revenue in fiscal month k of the prior year (negative months count 0). A line with no positive
  month, and every line with ``phasing: even``, is split evenly.
- Ties in a split go to the part that sorts first by (customer_group, product_id, channel, month).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignment.inputs import Inputs, actuals_keys, positions
from alignment.money import apportion, apportion_rows, scale_cents, to_cents
from alignment.params import Params, TargetParams
from alignment.problems import ParamsError

CELL_KEYS = ["customer_group", "product_id"]
TARGET_KEYS = ["customer_group", "product_id", "channel", "month"]


@dataclass(frozen=True)
class PriorYear:
    """The prior fiscal year's actuals as integers, one entry per row: the customer's and product's
    positions in ``customers`` and ``products``, the fiscal month (0-11) and the revenue in cents.

    Rows whose customer or product is not listed (refused when a folder is loaded) are left out.
    """

    customer_pos: np.ndarray
    product_pos: np.ndarray
    month: np.ndarray
    cents: np.ndarray


def prior_year(inputs: Inputs, prior_months: list[str]) -> PriorYear:
    """The actuals of the prior fiscal year (``prior_months``, in fiscal order), joined on integers
    through the keys made when the folder was loaded (:func:`alignment.inputs.actuals_keys`)."""
    keys = actuals_keys(inputs)
    month_of_code = pd.Index(prior_months, dtype="str").get_indexer(keys.months)
    month = month_of_code[keys.month_code] if len(keys.month_code) else np.zeros(0, dtype="int64")
    rows = np.flatnonzero((month >= 0) & (keys.customer_pos >= 0) & (keys.product_pos >= 0))
    return PriorYear(
        customer_pos=keys.customer_pos[rows],
        product_pos=keys.product_pos[rows],
        month=month[rows],
        cents=to_cents(inputs.actuals["revenue"].to_numpy(dtype="float64")[rows]),
    )


def _prior_year_of(prior: pd.DataFrame, products: pd.DataFrame, months: list[str]) -> PriorYear:
    """A :class:`PriorYear` from a frame of prior-year actuals (:func:`prior_year_actuals`)."""
    product_pos = pd.Index(products["product_id"]).get_indexer(prior["product_id"])
    month = pd.Index(months, dtype="str").get_indexer(prior["month"])
    rows = np.flatnonzero((product_pos >= 0) & (month >= 0))
    return PriorYear(
        customer_pos=np.zeros(len(rows), dtype="int64"),
        product_pos=product_pos[rows],
        month=month[rows],
        cents=prior["cents"].to_numpy()[rows],
    )


def prior_year_actuals(actuals: pd.DataFrame, prior_months: list[str]) -> pd.DataFrame:
    """The actuals of the prior fiscal year, with revenue in integer cents (column ``cents``)."""
    prior = actuals.loc[
        actuals["month"].isin(prior_months), ["month", "customer_id", "product_id", "revenue"]
    ]
    return prior.assign(cents=to_cents(prior["revenue"].to_numpy()))


def prior_revenue_by_pair(
    prior: pd.DataFrame, customer_ids: pd.Index | None = None, product_ids: pd.Index | None = None
) -> pd.DataFrame:
    """Net prior-year revenue per (customer_id, product_id), in cents (column ``prior_revenue``).

    One row per pair with prior-year actuals, in no particular order. Given the customers' and
    products' ids, each pair also gets its positions among them (``customer_pos``, ``product_pos``),
    so that later joins can use integers rather than text.
    """
    customer_code, customers = pd.factorize(prior["customer_id"])
    product_code, products = pd.factorize(prior["product_id"])
    out = _pairs(customer_code, product_code, prior["cents"].to_numpy(), customers, products)
    if customer_ids is not None and product_ids is not None:
        out["customer_pos"] = customer_ids.get_indexer(pd.Index(customers, dtype="str"))[out.pop("_customer")]
        out["product_pos"] = product_ids.get_indexer(pd.Index(products, dtype="str"))[out.pop("_product")]
    return out.drop(columns=["_customer", "_product"], errors="ignore")


def prior_revenue_of_pairs(prior: PriorYear, customer_ids: pd.Index, product_ids: pd.Index) -> pd.DataFrame:
    """:func:`prior_revenue_by_pair` from the integer prior year: the same table, with the positions."""
    out = _pairs(prior.customer_pos, prior.product_pos, prior.cents, customer_ids, product_ids)
    return out.rename(columns={"_customer": "customer_pos", "_product": "product_pos"})


def _pairs(
    customer_code: np.ndarray,
    product_code: np.ndarray,
    cents: np.ndarray,
    customers: object,
    products: object,
) -> pd.DataFrame:
    """Cents summed per (customer code, product code) present; the ids taken from ``customers`` and
    ``products`` by code, the codes kept as ``_customer`` and ``_product``."""
    width = max(len(products), 1)
    key = np.asarray(customer_code, dtype="int64") * width + product_code
    if len(customers) * width <= max(4 * len(key), 1 << 20):  # few possible pairs: count into a table
        rows = np.bincount(key, minlength=len(customers) * width)
        pair = np.flatnonzero(rows)
        table = np.zeros(len(rows), dtype="int64")
        np.add.at(table, key, np.asarray(cents, dtype="int64"))
        sums = table[pair]
    else:
        by_pair = pd.Series(np.asarray(cents, dtype="int64")).groupby(key, sort=True).sum()
        pair, sums = by_pair.index.to_numpy(), by_pair.to_numpy()
    customers, products = pd.array(customers, dtype="str"), pd.array(products, dtype="str")
    return pd.DataFrame(
        {
            "customer_id": customers.take(pair // width),
            "product_id": products.take(pair % width),
            "prior_revenue": sums.astype("int64"),
            "_customer": pair // width,
            "_product": pair % width,
        }
    )


def _group_of_pairs(pairs: pd.DataFrame, customers: pd.DataFrame) -> pd.Series:
    """The customer_group of each pair's customer."""
    pos = pairs["customer_pos"].to_numpy() if "customer_pos" in pairs.columns else None
    if pos is not None and len(customers) and (pos >= 0).all():
        return pd.Series(customers["customer_group"].array.take(pos), index=pairs.index)
    at = positions(pairs["customer_id"], customers["customer_id"])
    return pd.Series(customers["customer_group"].array.take(at, allow_fill=True), index=pairs.index)


def growth_by_cell(cells: pd.DataFrame, target: TargetParams) -> tuple[np.ndarray, np.ndarray]:
    """The growth rate of each cell and the rule that set it (0 = ``target.growth``, i = ``rules[i]``).

    ``cells`` has customer_group, product_id and product_line. Rules are applied in order, so the
    last rule whose given keys all match wins.
    """
    growth = np.full(len(cells), float(target.growth))
    rule_no = np.zeros(len(cells), dtype="int64")
    for i, rule in enumerate(target.rules, start=1):
        match = np.ones(len(cells), dtype=bool)
        for key in ("customer_group", "product_line", "product_id"):
            value = getattr(rule, key)
            if value is not None:
                match &= (cells[key] == value).to_numpy()
        growth[match] = rule.growth
        rule_no[match] = i
    return growth, rule_no


def growth_assumptions(target: TargetParams) -> pd.DataFrame:
    """The growth assumptions as a table: the default first, then each rule (the last match wins)."""
    rows = [
        {
            "rule": "default",
            "customer_group": "(any)",
            "product_line": "(any)",
            "product_id": "(any)",
            "growth": float(target.growth),
        }
    ]
    for i, rule in enumerate(target.rules, start=1):
        rows.append(
            {
                "rule": f"rules[{i}]",
                "customer_group": rule.customer_group or "(any)",
                "product_line": rule.product_line or "(any)",
                "product_id": rule.product_id or "(any)",
                "growth": float(rule.growth),
            }
        )
    return pd.DataFrame(rows)


def cell_targets(
    prior_pairs: pd.DataFrame,
    sales_pairs: pd.DataFrame,
    customers: pd.DataFrame,
    products: pd.DataFrame,
    params: Params,
) -> pd.DataFrame:
    """Each (customer_group, product_id) cell's base, growth and target, in cents.

    Parameters
    ----------
    prior_pairs : DataFrame
        customer_id, product_id, prior_revenue (cents), from :func:`prior_revenue_by_pair`.
    sales_pairs : DataFrame
        customer_id, product_id of ``sales_input`` (cells with no prior revenue still appear).
    customers, products : DataFrame
        The input tables (for customer_group and product_line).
    params : Params
        ``target.growth``, ``target.rules``, ``target.total``.

    Returns
    -------
    DataFrame
        customer_group, product_id, product_line, prior_revenue, growth, target, base, rule,
        unscaled_target; sorted by (customer_group, product_id).

    Raises
    ------
    ParamsError
        With ``target.total`` when every cell's target is 0 (nothing to scale).
    """
    line_of = products.set_index("product_id")["product_line"]
    by_pair = prior_pairs.assign(customer_group=_group_of_pairs(prior_pairs, customers))
    prior = by_pair.groupby(CELL_KEYS, sort=False)["prior_revenue"].sum()
    group_of_sold = customers["customer_group"].array.take(
        positions(sales_pairs["customer_id"], customers["customer_id"]), allow_fill=True
    )
    sold = pd.MultiIndex.from_arrays([group_of_sold, sales_pairs["product_id"]], names=CELL_KEYS).unique()
    index = prior.index.union(sold).sort_values()
    cells = pd.DataFrame(index=index).reset_index()
    cells["product_line"] = cells["product_id"].map(line_of).astype("str")
    cells["prior_revenue"] = prior.reindex(index, fill_value=0).to_numpy().astype("int64")
    base = np.maximum(cells["prior_revenue"].to_numpy(), 0)
    growth, rule_no = growth_by_cell(cells, params.target)
    unscaled = scale_cents(base, 1.0 + growth)
    if params.target.total is None:
        target = unscaled
    else:
        if unscaled.sum() <= 0:
            source = params.source.name if params.source else "params"
            raise ParamsError(
                [
                    f"{source}: target.total: value {params.target.total!r}: expected a plan with "
                    f"prior-year revenue to scale (every cell's target is 0)"
                ]
            )
        total = to_cents(params.target.total)
        target = apportion(
            np.full(len(cells), total), unscaled.astype("float64"), np.zeros(len(cells), "int64")
        )
    cells["growth"] = growth
    cells["target"] = target
    cells["base"] = base
    cells["rule"] = np.where(rule_no == 0, "default", "rules[" + rule_no.astype(str) + "]")
    cells["unscaled_target"] = unscaled
    return cells[
        [
            "customer_group",
            "product_id",
            "product_line",
            "prior_revenue",
            "growth",
            "target",
            "base",
            "rule",
            "unscaled_target",
        ]
    ]


def line_month_weights(
    prior: pd.DataFrame | PriorYear, products: pd.DataFrame, params: Params
) -> pd.DataFrame:
    """Each product line's phasing weight and share for each month of the plan year.

    ``prior`` is the prior year's actuals, as a frame (:func:`prior_year_actuals`) or as integers
    (:func:`prior_year`).

    Returns
    -------
    DataFrame
        product_line, month (plan-year ``YYYY-MM``), weight (cents of prior-year revenue, clamped at
        0, or 1 for an even split), share (weight / the line's total; each line sums to 1).
        Sorted by (product_line, month).
    """
    lines = np.sort(products["product_line"].unique())
    months = params.months
    weight = np.ones((len(lines), 12))
    if isinstance(prior, pd.DataFrame):
        prior = _prior_year_of(prior, products, params.prior_months)
    if params.target.phasing == "seasonal" and len(prior.cents):
        line_of_product = pd.Index(lines).get_indexer(products["product_line"])
        cents = np.zeros((len(lines), 12), dtype="int64")
        np.add.at(cents, (line_of_product[prior.product_pos], prior.month), prior.cents)
        cents = np.maximum(cents, 0)
        has = cents.sum(axis=1) > 0
        weight[has] = cents[has]
    share = weight / weight.sum(axis=1, keepdims=True)
    return pd.DataFrame(
        {
            "product_line": np.repeat(lines, 12).astype(object),
            "month": np.tile(np.asarray(months, dtype=object), len(lines)),
            "weight": weight.ravel(),
            "share": share.ravel(),
        }
    ).astype({"product_line": "str", "month": "str"})


def phase_by_month(
    amounts: np.ndarray, lines: pd.Series, weights: pd.DataFrame, months: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split each amount into the 12 months by its product line's weights, exactly.

    Parameters
    ----------
    amounts : array of int
        Cents, one per row; rows must already be in the table's key order.
    lines : Series
        Each row's product line.
    weights : DataFrame
        From :func:`line_month_weights`.
    months : list of str
        The plan year's 12 months, in order.

    Returns
    -------
    (row, month position, cents)
        For each of the ``12 x len(amounts)`` parts: the row it belongs to, the month's position
        (0-11) and its amount. The 12 parts of a row sum to the row's amount.
    """
    n = len(amounts)
    line_names = np.sort(weights["product_line"].unique())
    table = weights.pivot(index="product_line", columns="month", values="weight").loc[line_names, months]
    code = pd.Index(line_names).get_indexer(lines)
    if (code < 0).any():
        raise ValueError("a product line without monthly phasing weights")
    amounts = np.asarray(amounts, dtype="int64")
    # the split depends only on (line, amount): split each distinct pair once, then hand it out
    key = amounts * len(line_names) + code
    distinct, inverse = np.unique(key, return_inverse=True)
    d_code, d_amount = distinct % len(line_names), distinct // len(line_names)
    parts = apportion_rows(d_amount, table.to_numpy()[d_code])
    row = np.repeat(np.arange(n), 12)
    month_pos = np.tile(np.arange(12), n)
    return row, month_pos, parts[inverse].ravel()


def split_targets(
    cells: pd.DataFrame, channel_strategy: pd.DataFrame, weights: pd.DataFrame, months: list[str]
) -> pd.DataFrame:
    """The cells' targets by channel and month (targets.csv), in cents; only parts above 0.

    Each cell target is split over its product's channels by strategy share, then each channel
    part over the months; both splits are exact (largest remainder).

    Raises
    ------
    ValueError
        If a cell with a target has no channel in the strategy.
    """
    live = cells.loc[cells["target"] > 0, ["customer_group", "product_id", "product_line", "target"]]
    strategy = channel_strategy[["product_id", "channel", "share"]]
    missing = set(live["product_id"].unique()) - set(strategy["product_id"].unique())
    if missing:
        raise ValueError(
            f"no channel strategy for product(s) {', '.join(sorted(missing))}, which have a target"
        )
    by_channel = live.merge(strategy, on="product_id", how="inner").sort_values(
        ["customer_group", "product_id", "channel"], ignore_index=True
    )
    cell_code = by_channel.groupby(CELL_KEYS, sort=False).ngroup().to_numpy()
    by_channel["target"] = apportion(
        by_channel["target"].to_numpy(), by_channel["share"].to_numpy(), cell_code
    )
    row, month_pos, cents = phase_by_month(
        by_channel["target"].to_numpy(), by_channel["product_line"], weights, months
    )
    out = by_channel.iloc[row][["customer_group", "product_id", "channel", "product_line"]].reset_index(
        drop=True
    )
    out.insert(3, "month", np.asarray(months, dtype=object)[month_pos])
    out["month"] = out["month"].astype("str")
    out.insert(4, "target", cents)
    return out.loc[out["target"] > 0].reset_index(drop=True)
