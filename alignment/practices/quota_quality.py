"""Quota quality: back-test last year's quotas and replay the proposed plan before publishing it.

Fewer than 40% of executives ever look at how quotas were distributed (Alexander Group); their
guideline is that 60-70% of reps reach 100% of quota, 90-95% reach the threshold and 5-10% excel.
Rules, where the contract is silent:

- **Back-test** (needs the optional ``prior_quotas``: customer_id, product_id, final_quota — last
  year's quota book). The quota of an account owner, customer group or customer is the sum of its
  customers' prior quotas; its actual is its customers' net revenue of the prior fiscal year, all
  products and channels, as the monthly review counts it. Customers belong to today's account
  owner and group (``customers``); the book has no history of ownership.
- attainment = actual / quota; a key without quota (0) has none and is left out of every share.
  Shares of the keys with a quota: ``at_quota`` (attainment >= 1), ``at_threshold`` (>=
  ``quota_quality.threshold``), ``at_excellence`` (>= ``quota_quality.excellence``).
- Quota error = mean |attainment - 1|, as in the monthly review. Gini coefficient of attainment
  (negative attainment counted as 0) = sum over all pairs (i, j) of |a_i - a_j| / (2 n^2 mean): 0 when
  every owner attains alike, towards 1 when a few take it all; empty when the mean is 0.
- Over-quota'd: attainment under the threshold (the quota was out of reach); under-quota'd:
  attainment at or above excellence (the quota was too easy).
- **Replay**: the proposed plan's final quotas per account owner against the same owner's
  customers' prior-year revenue: "had these been last year's quotas, X% of owners would have made
  them". ``growth_asked`` = quota / prior-year revenue - 1; ``revenue_growth`` = prior-year revenue /
  the revenue of the year before - 1 (empty when that was not positive). An owner is called out
  when the quota rises much faster than the customers' revenue: growth_asked exceeds
  revenue_growth by more than ``quota_quality.rise_margin``, or the owner has a quota but no
  prior-year revenue. Owners without a proposed quota are listed but not counted.
- Headline: ``share_at_quota_last_year`` (owners, back-test; null without ``prior_quotas``) and
  ``share_at_quota_replayed`` (owners, replay; null when no owner has a quota).

Money is summed in integer cents. Nothing here imports altair.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from alignment.fiscal import fiscal_months
from alignment.inputs import Inputs, sales_people
from alignment.money import from_cents, to_cents
from alignment.params import Params

LEVELS = ("account_owner", "customer_group", "customer_id")
#: The guideline bands (Alexander Group): share of owners at quota, at threshold, excelling.
GUIDELINE = {"at_quota": (0.60, 0.70), "at_threshold": (0.90, 0.95), "at_excellence": (0.05, 0.10)}


def revenue_by_customer(inputs: Inputs, months: list[str]) -> pd.Series:
    """Each customer's net revenue (cents) over ``months``, every customer listed (zeros included)."""
    act = inputs.actuals[inputs.actuals["month"].isin(months)]
    cents = pd.Series(to_cents(act["revenue"].to_numpy()), index=act.index, dtype="int64")
    sums = cents.groupby(act["customer_id"].to_numpy()).sum()
    return sums.reindex(inputs.customers["customer_id"].to_numpy(), fill_value=0).astype("int64")


def level_keys(inputs: Inputs, level: str) -> list[str]:
    """Every key of a level: all sales people (and other owners), groups or customers."""
    customers = inputs.customers
    if level == "account_owner":
        return sorted(set(sales_people(inputs)["person_id"]) | set(customers["account_owner"]))
    if level == "customer_group":
        return sorted(set(customers["customer_group"]))
    if level == "customer_id":
        return sorted(customers["customer_id"])
    raise ValueError(f"level {level!r}: expected one of {', '.join(LEVELS)}")


def attainment_by(
    inputs: Inputs, quota_cents: pd.Series, revenue_cents: pd.Series, level: str
) -> pd.DataFrame:
    """Quota, actual and attainment per key of a level.

    Parameters
    ----------
    inputs : Inputs
    quota_cents : Series
        Quota per customer_id (cents); customers not in it have none.
    revenue_cents : Series
        Net revenue per customer_id (cents).
    level : str
        ``account_owner``, ``customer_group`` or ``customer_id``.

    Returns
    -------
    DataFrame
        key, quota, actual (currency), attainment (empty where the quota is 0), every key of the
        level, sorted by key.
    """
    customers = inputs.customers.set_index("customer_id")
    ids = customers.index
    label = ids.to_series() if level == "customer_id" else customers[level]
    quota = quota_cents.reindex(ids, fill_value=0).to_numpy(dtype="int64")
    actual = revenue_cents.reindex(ids, fill_value=0).to_numpy(dtype="int64")
    keys = level_keys(inputs, level)
    index = pd.Index(keys, dtype="str")
    at = index.get_indexer(label.to_numpy())
    q, a = np.zeros(len(index), dtype="int64"), np.zeros(len(index), dtype="int64")
    np.add.at(q, at, quota)
    np.add.at(a, at, actual)
    with np.errstate(divide="ignore", invalid="ignore"):
        attainment = np.where(q > 0, a / np.where(q > 0, q, 1), np.nan)
    return pd.DataFrame(
        {
            "key": pd.Series(keys, dtype="str"),
            "quota": from_cents(q),
            "actual": from_cents(a),
            "attainment": attainment,
        }
    )


def gini(values: np.ndarray | pd.Series) -> float | None:
    """The Gini coefficient of non-negative values (negatives count 0); None without values or mean 0."""
    x = np.maximum(np.asarray(values, dtype="float64"), 0.0)
    x = x[~np.isnan(x)]
    if len(x) == 0 or x.mean() <= 0:
        return None
    x = np.sort(x)
    n = len(x)
    # sum over all ordered pairs of |x_i - x_j| = 2 * sum_i (2i - n - 1) x_(i), i = 1..n
    pairs = 2.0 * float(np.sum((2 * np.arange(1, n + 1) - n - 1) * x))
    return pairs / (2.0 * n * n * float(x.mean()))


def distribution(attainment: pd.Series | np.ndarray, threshold: float, excellence: float) -> dict[str, Any]:
    """How attainment is spread over the keys with a quota.

    Returns
    -------
    dict
        with_quota (keys with a quota), at_quota, at_threshold, at_excellence (shares of them),
        below_threshold (count), quota_error (mean |attainment - 1|), gini, median; shares and
        figures are None when no key has a quota.
    """
    att = np.asarray(attainment, dtype="float64")
    att = att[~np.isnan(att)]
    if len(att) == 0:
        return {
            "with_quota": 0,
            "at_quota": None,
            "at_threshold": None,
            "at_excellence": None,
            "below_threshold": 0,
            "quota_error": None,
            "gini": None,
            "median": None,
        }
    return {
        "with_quota": len(att),
        "at_quota": float(np.mean(att >= 1.0)),
        "at_threshold": float(np.mean(att >= threshold)),
        "at_excellence": float(np.mean(att >= excellence)),
        "below_threshold": int(np.sum(att < threshold)),
        "quota_error": float(np.mean(np.abs(att - 1.0))),
        "gini": gini(att),
        "median": float(np.median(att)),
    }


def prior_quota_by_customer(inputs: Inputs) -> pd.Series:
    """``prior_quotas`` summed per customer_id, in cents (empty without the file)."""
    pq = inputs.prior_quotas
    cents = pd.Series(to_cents(pq["final_quota"].to_numpy()), index=pq.index, dtype="int64")
    return cents.groupby(pq["customer_id"].to_numpy()).sum().astype("int64")


def back_test(inputs: Inputs, params: Params) -> dict[str, pd.DataFrame] | None:
    """Last year's attainment per account owner, customer group and customer; None without ``prior_quotas``."""
    if inputs.prior_quotas.empty:
        return None
    quota = prior_quota_by_customer(inputs)
    revenue = revenue_by_customer(inputs, params.prior_months)
    return {level: attainment_by(inputs, quota, revenue, level) for level in LEVELS}


def distribution_table(tables: dict[str, pd.DataFrame] | None, params: Params) -> pd.DataFrame:
    """The attainment distribution of each level as a table, one row per level (none without a back-test).

    Columns: level, with_quota, at_quota, at_threshold, at_excellence, below_threshold,
    quota_error, gini, median.
    """
    qq = params.quota_quality
    columns = ["level", *distribution([], 0.5, 1.5)]
    rows = [
        {"level": level, **distribution(table["attainment"], qq.threshold, qq.excellence)}
        for level, table in (tables or {}).items()
    ]
    return pd.DataFrame(rows, columns=columns)


def owner_figures(tables: dict[str, pd.DataFrame] | None, params: Params) -> dict[str, Any]:
    """The owners' attainment distribution (:func:`distribution`); every share None without a back-test."""
    qq = params.quota_quality
    att = tables["account_owner"]["attainment"] if tables is not None else []
    return distribution(att, qq.threshold, qq.excellence)


def level_view(tables: dict[str, pd.DataFrame] | None, level: str, inputs: Inputs) -> pd.DataFrame:
    """One level of the back-test with a ``name`` column (owner or customer names; the group itself).

    Empty (with its columns) without a back-test; keys without a quota are left out.
    """
    columns = ["key", "name", "quota", "actual", "attainment"]
    if tables is None:
        return pd.DataFrame(columns=columns)
    table = tables[level].dropna(subset=["attainment"])
    names = _names(inputs, level)
    out = table.assign(name=table["key"].map(names).fillna(table["key"]).astype("str"))
    return out[columns].reset_index(drop=True)


def _names(inputs: Inputs, level: str) -> pd.Series:
    if level == "account_owner":
        return inputs.people.set_index("person_id")["name"]
    if level == "customer_id":
        return inputs.customers.set_index("customer_id")["customer_name"]
    return pd.Series(dtype="str")


def guideline_table(figures: dict[str, Any], params: Params) -> pd.DataFrame:
    """The owners' shares against the guideline bands, with a verdict: below, within or above."""
    qq = params.quota_quality
    labels = {
        "at_quota": "at or above 100% of quota",
        "at_threshold": f"at or above the threshold ({qq.threshold:.0%})",
        "at_excellence": f"at or above excellence ({qq.excellence:.0%})",
    }
    rows = []
    for key, (low, high) in GUIDELINE.items():
        share = figures[key]
        verdict = (
            "no quotas"
            if share is None
            else "below the band"
            if share < low - 1e-12
            else "above the band"
            if share > high + 1e-12
            else "within the band"
        )
        rows.append(
            {
                "measure": labels[key],
                "share_of_owners": share,
                "guideline_low": low,
                "guideline_high": high,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows).astype({"measure": "str", "verdict": "str"})


def misquoted(view: pd.DataFrame, params: Params) -> pd.DataFrame:
    """The over-quota'd (under the threshold) and under-quota'd (at or above excellence) keys.

    ``view`` is a level of the back-test (:func:`level_view` or :func:`attainment_by`).

    Returns
    -------
    DataFrame
        The view's columns and ``finding`` (``over-quota'd`` / ``under-quota'd``), lowest attainment first.
    """
    qq = params.quota_quality
    att = view["attainment"].astype("float64")
    over = view[att < qq.threshold].assign(finding="over-quota'd")
    under = view[att >= qq.excellence].assign(finding="under-quota'd")
    out = pd.concat([over, under], ignore_index=True)
    out = out.sort_values(["attainment", "key"], ignore_index=True) if len(out) else out
    return out.astype({"finding": "str"})


def replay(final_quotas: pd.DataFrame, inputs: Inputs, params: Params) -> pd.DataFrame:
    """The proposed plan replayed against last year's actuals, per account owner.

    Parameters
    ----------
    final_quotas : DataFrame
        :attr:`alignment.engine.plan.Plan.final_quotas` (currency).

    Returns
    -------
    DataFrame
        account_owner, name, proposed_quota, prior_revenue, replayed_attainment, made_it,
        revenue_before (the year before the prior year), revenue_growth, growth_asked,
        last_year_quota (empty without ``prior_quotas``), quota_change (proposed / last year's quota -
        1), called_out; every sales person, by account_owner.
    """
    owners = level_keys(inputs, "account_owner")
    index = pd.Index(owners, dtype="str")
    fq = final_quotas
    proposed = np.zeros(len(index), dtype="int64")
    np.add.at(
        proposed, index.get_indexer(fq["account_owner"].to_numpy()), to_cents(fq["final_quota"].to_numpy())
    )
    before_months = fiscal_months(params.fiscal_year - 2, params.fiscal_year_start_month)
    prior = attainment_by(
        inputs, pd.Series(dtype="int64"), revenue_by_customer(inputs, params.prior_months), "account_owner"
    )
    before = attainment_by(
        inputs, pd.Series(dtype="int64"), revenue_by_customer(inputs, before_months), "account_owner"
    )
    prior_cents = to_cents(prior["actual"].to_numpy())
    before_cents = to_cents(before["actual"].to_numpy())
    has_quota = proposed > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        replayed = np.where(has_quota, prior_cents / np.where(has_quota, proposed, 1), np.nan)
        asked = np.where(
            has_quota & (prior_cents > 0), proposed / np.where(prior_cents > 0, prior_cents, 1) - 1, np.nan
        )
        growth = np.where(
            before_cents > 0, prior_cents / np.where(before_cents > 0, before_cents, 1) - 1, np.nan
        )
    if inputs.prior_quotas.empty:
        last_quota = np.full(len(index), np.nan)
        change = np.full(len(index), np.nan)
    else:
        last = attainment_by(
            inputs, prior_quota_by_customer(inputs), pd.Series(dtype="int64"), "account_owner"
        )
        last_quota = last["quota"].to_numpy(dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.where(last_quota > 0, from_cents(proposed) / last_quota - 1, np.nan)
    margin = params.quota_quality.rise_margin
    called = has_quota & (
        (prior_cents <= 0) | (~np.isnan(asked) & ~np.isnan(growth) & (asked - growth > margin + 1e-12))
    )
    names = inputs.people.set_index("person_id")["name"]
    return pd.DataFrame(
        {
            "account_owner": pd.Series(owners, dtype="str"),
            "name": pd.Series(owners, dtype="str")
            .map(names)
            .fillna(pd.Series(owners, dtype="str"))
            .astype("str"),
            "proposed_quota": from_cents(proposed),
            "prior_revenue": from_cents(prior_cents),
            "replayed_attainment": replayed,
            "made_it": has_quota & (prior_cents >= proposed),
            "revenue_before": from_cents(before_cents),
            "revenue_growth": growth,
            "growth_asked": asked,
            "last_year_quota": last_quota,
            "quota_change": change,
            "called_out": called,
        }
    )


def headline(back: dict[str, pd.DataFrame] | None, replayed: pd.DataFrame) -> dict[str, float | None]:
    """``share_at_quota_last_year`` and ``share_at_quota_replayed``: shares of owners with a quota."""
    last = None
    if back is not None:
        att = back["account_owner"]["attainment"].dropna()
        last = float(np.mean(att >= 1.0)) if len(att) else None
    counted = replayed.loc[replayed["proposed_quota"] > 0, "made_it"]
    return {
        "share_at_quota_last_year": last,
        "share_at_quota_replayed": float(counted.mean()) if len(counted) else None,
    }


def story(back: dict[str, pd.DataFrame] | None, replayed: pd.DataFrame, params: Params) -> str:
    """The findings in a few Markdown lines, for the top of the page."""
    qq = params.quota_quality
    figures = headline(back, replayed)
    lines = []
    if back is None:
        lines.append(
            "**No `prior_quotas` in the data folder:** last year's quotas cannot be back-tested. Add "
            "`prior_quotas.csv` (customer_id, product_id, final_quota) to see how they were distributed."
        )
    else:
        d = distribution(back["account_owner"]["attainment"], qq.threshold, qq.excellence)
        if d["with_quota"]:
            lines.append(
                f"**Last year (FY{params.fiscal_year - 1}):** {d['at_quota']:.0%} of {d['with_quota']} account "
                f"owners reached 100% of quota (the guideline is 60-70%), {d['at_threshold']:.0%} reached "
                f"{qq.threshold:.0%} (90-95%) and {d['at_excellence']:.0%} reached {qq.excellence:.0%} (5-10%). "
                f"Quota error {d['quota_error']:.1%}, Gini coefficient {d['gini'] or 0:.3f}."
            )
    counted = replayed[replayed["proposed_quota"] > 0]
    share = figures["share_at_quota_replayed"]
    if share is not None:
        lines.append(
            f"**Replay:** had the proposed FY{params.fiscal_year} quotas been last year's, {share:.0%} of "
            f"{len(counted)} account owners would have made them."
        )
        called = counted[counted["called_out"]]
        if len(called):
            lines.append(
                f"**Called out:** {', '.join(called['name'] + ' (' + called['account_owner'] + ')')} — quota rising "
                f"more than {qq.rise_margin:.0%} points faster than their customers' revenue grew."
            )
        else:
            lines.append(
                f"No owner's quota rises more than {qq.rise_margin:.0%} points faster than their customers' revenue."
            )
    return "\n\n".join(lines)
