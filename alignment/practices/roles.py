"""Clarify roles: the RACI charter, marketing's channel strategy and the sales booked off it.

Four questions, each answered from the data rather than argued:

* **Who decides?** The roles charter as a matrix of activities x side (marketing, sales), each cell
  holding RACI letters. Every activity needs exactly one Accountable, counting both sides' cells;
  an activity with none, or with both sides Accountable, is a finding to escalate.
* **Where should each product sell?** Marketing's channel strategy (a target share per product
  and channel) next to the actual channel mix, and the gap between them.
* **What is sold off strategy?** Revenue booked in a (product, channel) pair the strategy does not
  list, by product, channel, account owner and month.
* **Is the plan granular enough for sales to plan from?** Every (customer group, product) cell
  where sales committed revenue has a marketing target, and every cell with a target has sales
  commitment behind it.

Rules decided here, where the contract is silent:

* The actual channel mix is taken over the twelve months ending with ``review.month`` (the
  workbook's "now"). A channel's actual share of a product = its net revenue, clamped at 0, over
  the product's clamped total; a product with no revenue in the window has no actual shares.
  Gap = actual share - target share, where an off-strategy channel's target share is 0.
* Sales coverage of a (customer group, product) cell = sales committed more than 0 in it
  (``sales_input.committed`` summed over the cell's customers). A cell with a target but no
  commitment, or with commitment but no target, fails the granularity check.
* Money is summed in integer cents, so every total here equals the sum of its parts exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignment.fiscal import add_months
from alignment.inputs import Inputs
from alignment.money import from_cents, to_cents
from alignment.params import Params
from alignment.rules import ACCOUNTABLE, must_escalate, n_accountable

SIDES = ("marketing", "sales")
RACI = ("R", "A", "C", "I")
RACI_MEANING = {
    "R": "Responsible: does the work",
    "A": "Accountable: owns the outcome, exactly one per activity",
    "C": "Consulted: asked before",
    "I": "Informed: told after",
}


# --------------------------------------------------------------------------- roles charter


def raci_letters(cells: pd.Series) -> pd.Series:
    """The RACI letters of each cell in canonical order R, A, C, I (``"A/r"`` -> ``"RA"``)."""
    upper = cells.fillna("").astype("str").str.upper().str.replace(r"[^RACI]", "", regex=True)
    out = pd.Series("", index=cells.index, dtype="str")
    for letter in RACI:
        out = out + upper.str.contains(letter, regex=False).map({True: letter, False: ""}).astype("str")
    return out


def raci_matrix(roles: pd.DataFrame) -> pd.DataFrame:
    """The roles charter in long form: one row per (activity, side).

    Returns
    -------
    DataFrame
        activity, side, letters (canonical ``RACI`` order, ``""`` when empty), and one boolean
        column per letter R, A, C, I. Activities keep the charter's order.
    """
    long = (
        roles.reset_index(drop=True)
        .reset_index(names="order")
        .melt(id_vars=["order", "activity"], value_vars=list(SIDES), var_name="side", value_name="cell")
    )
    long["letters"] = raci_letters(long["cell"])
    for letter in RACI:
        long[letter] = long["letters"].str.contains(letter, regex=False)
    long = long.sort_values(["order", "side"], kind="stable", ignore_index=True)
    return long[["activity", "side", "letters", *RACI]]


def accountability_check(roles: pd.DataFrame) -> pd.DataFrame:
    """The one-Accountable rule, per activity: who is Accountable and what to escalate.

    Returns
    -------
    DataFrame
        activity, marketing, sales (canonical letters), n_accountable (0, 1 or 2, counting both
        sides' cells), accountable (the side holding the single A, else ``""``), escalate
        (True where n_accountable != 1) and finding (``"no Accountable"``,
        ``"both sides Accountable"`` or ``""``). Activities keep the charter's order.
    """
    marketing = raci_letters(roles["marketing"]).reset_index(drop=True)
    sales = raci_letters(roles["sales"]).reset_index(drop=True)
    m_a = marketing.str.contains(ACCOUNTABLE, regex=False)
    n = n_accountable(marketing, sales)
    accountable = np.where(n == 1, np.where(m_a, "marketing", "sales"), "")
    finding = np.select([n == 0, n > 1], ["no Accountable", "both sides Accountable"], default="")
    return pd.DataFrame(
        {
            "activity": roles["activity"].reset_index(drop=True).astype("str"),
            "marketing": marketing,
            "sales": sales,
            "n_accountable": n,
            "accountable": pd.Series(accountable, dtype="str"),
            "escalate": must_escalate(n),
            "finding": pd.Series(finding, dtype="str"),
        }
    )


def escalations(roles: pd.DataFrame) -> pd.DataFrame:
    """The activities that break the one-Accountable rule: the items to escalate."""
    check = accountability_check(roles)
    return check[check["escalate"]].reset_index(drop=True)


# --------------------------------------------------------------------------- channel strategy


def trailing_months(params: Params, n: int = 12) -> list[str]:
    """The ``n`` months ending with ``review.month``, oldest first."""
    return [add_months(params.review.month, k) for k in range(1 - n, 1)]


def on_strategy(frame: pd.DataFrame, strategy: pd.DataFrame) -> pd.Series:
    """True where a row's (product_id, channel) pair is listed in the channel strategy."""
    listed = pd.MultiIndex.from_frame(strategy[["product_id", "channel"]])
    pairs = pd.MultiIndex.from_frame(frame[["product_id", "channel"]])
    return pd.Series(pairs.isin(listed), index=frame.index)


def strategy_table(inputs: Inputs) -> pd.DataFrame:
    """Marketing's channel strategy: product_id, product_name, product_line, channel, target_share."""
    products = inputs.products[["product_id", "product_name", "product_line"]]
    out = inputs.channel_strategy[["product_id", "channel", "share"]].rename(
        columns={"share": "target_share"}
    )
    out = out.merge(products, on="product_id", how="left")
    out = out.sort_values(["product_id", "channel"], ignore_index=True)
    return out[["product_id", "product_name", "product_line", "channel", "target_share"]]


def channel_mix(inputs: Inputs, months: list[str]) -> pd.DataFrame:
    """Target channel shares next to the actual channel mix of ``months``, and the gap.

    Returns
    -------
    DataFrame
        One row per (product, channel) pair that the strategy lists or that booked revenue in the
        window: product_id, product_name, channel, on_strategy, target_share (0 off strategy),
        revenue (net, currency), actual_share (of the product's revenue, each channel's net
        revenue clamped at 0; empty when the product sold nothing), gap = actual - target.
    """
    act = inputs.actuals[inputs.actuals["month"].isin(months)]
    revenue = (
        pd.DataFrame(
            {"product_id": act["product_id"], "channel": act["channel"], "cents": to_cents(act["revenue"])}
        )
        .groupby(["product_id", "channel"], as_index=False)["cents"]
        .sum()
    )
    strategy = inputs.channel_strategy[["product_id", "channel", "share"]]
    mix = strategy.merge(revenue, on=["product_id", "channel"], how="outer")
    mix["target_share"] = mix["share"].fillna(0.0).astype("float64")
    mix["cents"] = mix["cents"].fillna(0).astype("int64")
    mix["on_strategy"] = on_strategy(mix, strategy)
    positive = mix["cents"].clip(lower=0)
    total = positive.groupby(mix["product_id"]).transform("sum")
    mix["actual_share"] = (positive / total.where(total > 0)).astype("float64")
    mix["share_gap"] = mix["actual_share"] - mix["target_share"]
    mix["revenue"] = from_cents(mix["cents"])
    names = inputs.products[["product_id", "product_name"]]
    mix = mix.merge(names, on="product_id", how="left").sort_values(
        ["product_id", "channel"], ignore_index=True
    )
    return mix[
        [
            "product_id",
            "product_name",
            "channel",
            "on_strategy",
            "target_share",
            "revenue",
            "actual_share",
            "share_gap",
        ]
    ]


# --------------------------------------------------------------------------- off-strategy sales


def off_strategy_sales(inputs: Inputs, months: list[str]) -> pd.DataFrame:
    """Revenue booked off strategy in ``months``, by month, product, channel and account owner.

    Returns
    -------
    DataFrame
        month, product_id, channel, account_owner, owner_name, revenue (net, currency, exact to
        the cent); rows only where revenue was booked, sorted by month, product, channel, owner.
    """
    act = inputs.actuals[inputs.actuals["month"].isin(months)]
    act = act[~on_strategy(act, inputs.channel_strategy)]
    owners = inputs.customers[["customer_id", "account_owner"]]
    act = act.merge(owners, on="customer_id", how="left")
    keys = ["month", "product_id", "channel", "account_owner"]
    out = (
        act.assign(cents=to_cents(act["revenue"]))
        .groupby(keys, as_index=False)["cents"]
        .sum()
        .sort_values(keys, ignore_index=True)
    )
    out["revenue"] = from_cents(out["cents"])
    out = out.merge(_owner_names(inputs), on="account_owner", how="left")
    return out[["month", "product_id", "channel", "account_owner", "owner_name", "revenue"]]


def off_strategy_matrix(detail: pd.DataFrame) -> pd.DataFrame:
    """Off-strategy revenue with one row per (product, channel, account owner) and one column per month.

    ``detail`` is :func:`off_strategy_sales`. Returns product_id, channel, owner (``name (id)``), one
    column per month with bookings (0 where that row booked nothing), total; largest total first.
    """
    keys = ["product_id", "channel", "owner"]
    owner = detail["owner_name"].fillna(detail["account_owner"]) + " (" + detail["account_owner"] + ")"
    cents = detail.assign(cents=to_cents(detail["revenue"]), owner=owner.astype("str"))
    wide = cents.pivot_table(index=keys, columns="month", values="cents", aggfunc="sum", fill_value=0)
    wide = wide.astype("int64")
    wide["total"] = wide.sum(axis=1)
    wide = wide.sort_values("total", ascending=False, kind="stable")
    out = wide.reset_index()
    out.columns = [str(c) for c in out.columns]
    money = [c for c in out.columns if c not in keys]
    return out.assign(**{c: from_cents(out[c]) for c in money})


def off_strategy_summary(inputs: Inputs, months: list[str], by: str) -> pd.DataFrame:
    """Off-strategy revenue against all revenue of ``months``, by one of the off-strategy keys.

    Parameters
    ----------
    by : {"product_id", "channel", "account_owner", "month"}
        The key to total by.

    Returns
    -------
    DataFrame
        ``by``, revenue (all channels), off_strategy (revenue booked off strategy),
        off_strategy_share (of revenue; empty where revenue is not positive); keys with any
        off-strategy revenue only, largest off-strategy revenue first.
    """
    act = inputs.actuals[inputs.actuals["month"].isin(months)]
    act = act.merge(inputs.customers[["customer_id", "account_owner"]], on="customer_id", how="left")
    cents = pd.Series(to_cents(act["revenue"]), index=act.index)
    off = cents.where(~on_strategy(act, inputs.channel_strategy), 0)
    out = (
        pd.DataFrame({by: act[by], "all": cents, "off": off})
        .groupby(by, as_index=False)[["all", "off"]]
        .sum()
    )
    out = out[out["off"] != 0].sort_values(["off", by], ascending=[False, True], ignore_index=True)
    result = pd.DataFrame(
        {by: out[by], "revenue": from_cents(out["all"]), "off_strategy": from_cents(out["off"])}
    )
    result["off_strategy_share"] = result["off_strategy"] / result["revenue"].where(result["revenue"] > 0)
    if by == "account_owner":
        result = result.merge(_owner_names(inputs), on="account_owner", how="left")
        result = result[["account_owner", "owner_name", "revenue", "off_strategy", "off_strategy_share"]]
    return result


def off_strategy_total(inputs: Inputs, months: list[str]) -> float:
    """Net revenue booked off strategy in ``months`` (currency, exact to the cent)."""
    act = inputs.actuals[inputs.actuals["month"].isin(months)]
    off = act[~on_strategy(act, inputs.channel_strategy)]
    return float(from_cents(to_cents(off["revenue"]).sum()))


def _owner_names(inputs: Inputs) -> pd.DataFrame:
    return inputs.people[["person_id", "name"]].rename(
        columns={"person_id": "account_owner", "name": "owner_name"}
    )


# --------------------------------------------------------------------------- plan granularity


def plan_granularity(inputs: Inputs, targets: pd.DataFrame) -> pd.DataFrame:
    """Check that the marketing plan and sales' commitments meet cell by cell.

    Parameters
    ----------
    targets : DataFrame
        Marketing's targets with customer_group, product_id and target (``targets.csv`` or the
        plan's cell targets; rows are summed per cell).

    Returns
    -------
    DataFrame
        One row per (customer_group, product_id) cell with a target or with sales input:
        product_line, target, committed, customers (in ``sales_input``), has_target,
        has_coverage, passes, and issue (``"committed revenue without a marketing target"``,
        ``"marketing target without sales commitment"`` or ``""``).
    """
    keys = ["customer_group", "product_id"]
    t = (
        targets.assign(cents=to_cents(targets["target"]))
        .groupby(keys, as_index=False)["cents"]
        .sum()
        .rename(columns={"cents": "target_cents"})
    )
    si = inputs.sales_input.merge(
        inputs.customers[["customer_id", "customer_group"]], on="customer_id", how="left"
    )
    c = (
        si.assign(cents=to_cents(si["committed"]))
        .groupby(keys, as_index=False)
        .agg(committed_cents=("cents", "sum"), customers=("customer_id", "nunique"))
    )
    cells = t.merge(c, on=keys, how="outer")
    cells["target_cents"] = cells["target_cents"].fillna(0).astype("int64")
    cells["committed_cents"] = cells["committed_cents"].fillna(0).astype("int64")
    cells["customers"] = cells["customers"].fillna(0).astype("int64")
    cells = cells.merge(inputs.products[["product_id", "product_line"]], on="product_id", how="left")
    has_target = cells["target_cents"] > 0
    has_coverage = cells["committed_cents"] > 0
    issue = np.select(
        [has_coverage & ~has_target, has_target & ~has_coverage],
        ["committed revenue without a marketing target", "marketing target without sales commitment"],
        default="",
    )
    out = pd.DataFrame(
        {
            "customer_group": cells["customer_group"],
            "product_id": cells["product_id"],
            "product_line": cells["product_line"],
            "target": from_cents(cells["target_cents"]),
            "committed": from_cents(cells["committed_cents"]),
            "customers": cells["customers"],
            "has_target": has_target,
            "has_coverage": has_coverage,
            "passes": has_target == has_coverage,
            "issue": pd.Series(issue, index=cells.index, dtype="str"),
        }
    )
    out = out[has_target | has_coverage]
    return out.sort_values(keys, ignore_index=True)


def granularity_failures(cells: pd.DataFrame) -> pd.DataFrame:
    """The cells of :func:`plan_granularity` that fail, the issue first."""
    return cells[~cells["passes"]].sort_values(["issue", "customer_group", "product_id"], ignore_index=True)


# --------------------------------------------------------------------------- notes for the page


def escalation_note(check: pd.DataFrame) -> str:
    """The one-Accountable check in words (Markdown)."""
    if check.empty:
        return "There is no roles charter (`roles.csv`) in the data folder: nothing to check yet."
    bad = check[check["escalate"]]
    if bad.empty:
        return f"All {len(check)} activities have exactly one Accountable. Nothing to escalate."
    items = "\n".join(
        f"- **{a}**: {f} (marketing `{m or '-'}`, sales `{s or '-'}`)"
        for a, f, m, s in zip(bad["activity"], bad["finding"], bad["marketing"], bad["sales"], strict=True)
    )
    return (
        f"**{len(bad)} of {len(check)} activities break the one-Accountable rule** and go to the leaders of "
        f"both functions to settle:\n\n{items}"
    )


def off_strategy_note(inputs: Inputs, months: list[str]) -> str:
    """Off-strategy revenue of ``months`` in words (Markdown)."""
    act = inputs.actuals[inputs.actuals["month"].isin(months)]
    total = float(from_cents(to_cents(act["revenue"]).sum()))
    off = off_strategy_total(inputs, months)
    if off == 0:
        return f"No revenue was booked off strategy in {months[0]} .. {months[-1]}."
    share = f" ({off / total:.1%} of all revenue)" if total > 0 else ""
    pairs = act[~on_strategy(act, inputs.channel_strategy)][["product_id", "channel"]].drop_duplicates()
    return (
        f"**Off-strategy revenue, last 12 months: {off:,.2f}** ({months[0]} .. {months[-1]}{share}), in "
        f"{len(pairs)} (product, channel) pairs the channel strategy does not list. This is not the index's "
        "*off-strategy revenue, year to date*, which counts the fiscal year's months up to the review month only."
    )


def granularity_note(cells: pd.DataFrame) -> str:
    """The plan-granularity check in words (Markdown)."""
    fails = cells[~cells["passes"]]
    if fails.empty:
        return (
            f"All {len(cells)} (customer group, product) cells pass: every cell where sales committed revenue has a "
            "marketing target, and every target has sales commitment behind it."
        )
    no_target = int((fails["issue"] == "committed revenue without a marketing target").sum())
    no_cover = len(fails) - no_target
    return (
        f"**{len(fails)} of {len(cells)} cells fail:** {no_target} with sales commitment but no marketing target, "
        f"{no_cover} with a marketing target but no sales commitment."
    )


def practice_summary(check: pd.DataFrame, cells: pd.DataFrame) -> dict[str, int]:
    """What the report's summary says of the roles: activities to escalate, plan cells that fail.

    ``check`` is :func:`accountability_check`, ``cells`` :func:`plan_granularity`.
    """
    return {
        "activities": len(check),
        "escalations": int(check["escalate"].sum()),
        "plan_cells": len(cells),
        "uncovered_cells": int((~cells["passes"]).sum()),
    }
