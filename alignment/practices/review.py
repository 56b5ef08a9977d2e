"""The joint monthly review: actual against objective, variance, attainment, forecast, flags.

Marketing and sales meet each month over one table: for the month under review and the fiscal
year to date, the objective, the actual, the variance and the attainment at every level both
sides plan at (total, customer group, region, account owner, product line, channel). Rows under
``review.flag_below`` are flagged for joint action.

Rules (CONTRACT 6.5), and the ones decided here where it is silent:

* Objectives are the plan's monthly objectives per (customer, product, month). By channel, each is
  split by the product's ``channel_strategy.share`` with the largest-remainder method, so the
  channel parts add up to the objective exactly (ties to the channel that sorts first). A
  channel the strategy does not list has objective 0.
* Actuals are net booked revenue (credits included) of the fiscal year's months up to and
  including ``review.month``; later actuals are ignored.
* Periods: ``month`` = ``review.month``; ``ytd`` = the fiscal year's first month .. ``review.month``.
* attainment = actual / objective, empty (and never flagged) where the objective is 0;
  ``flagged`` = attainment < ``review.flag_below``. variance = actual - objective.
* Keys listed at every level: every customer group and region of ``customers``, every sales
  person (zeros included) plus any other account owner, every product line of ``products``, every
  channel of the strategy plus any channel with actuals in the year.
* Forecast for the year = actual to date + objective of the months after ``review.month`` x
  attainment to date (1 where the objective to date is 0), rounded half away from zero to the
  cent. It is computed for every ``ytd`` row on that row's own figures, so the forecasts of the
  groups need not add up to the total's.
* Off-strategy revenue = actual revenue in (product, channel) pairs the strategy does not list.
* Quota quality: quota error = mean of |attainment - 1| over the account owners with a year-to-date
  objective; 0 means every owner is exactly on quota.

All money is summed in integer cents: the total row equals the sum of the customer_group rows
(and of every other level's rows) exactly.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alignment.inputs import Inputs, sales_people
from alignment.money import apportion, figure_text, from_cents, round_cents, short_money, to_cents
from alignment.outputs import write_table
from alignment.params import Params
from alignment.practices.roles import on_strategy

LEVELS = ("total", "customer_group", "region", "account_owner", "product_line", "channel")
PERIODS = ("month", "ytd")
MONEY = ("objective", "actual", "variance", "forecast", "off_strategy", "year_objective")
ACTION_COLUMNS = ("action", "marketing_owner", "sales_owner", "due")
REVIEW_COLUMNS = (
    "period",
    "level",
    "key",
    "objective",
    "actual",
    "variance",
    "attainment",
    "flagged",
    *ACTION_COLUMNS,
    "forecast",
    "off_strategy",
    "year_objective",
)
FACT_KEYS = ["customer_id", "product_id", "channel", "month"]
NO_STRATEGY = "(no channel strategy)"


# --------------------------------------------------------------------------- facts


def channel_objectives(monthly_objectives: pd.DataFrame, strategy: pd.DataFrame) -> pd.DataFrame:
    """Each monthly objective split across its product's channels by strategy share, exactly.

    Returns
    -------
    DataFrame
        customer_id, product_id, channel, month, objective (integer cents); per (customer,
        product, month) the channel parts sum to the objective exactly. A product without a
        strategy keeps its objective whole under the channel ``(no channel strategy)``.
    """
    obj = monthly_objectives[["customer_id", "product_id", "month", "objective"]]
    split = obj.merge(strategy[["product_id", "channel", "share"]], on="product_id", how="left")
    split["channel"] = split["channel"].fillna(NO_STRATEGY).astype("str")
    split["share"] = split["share"].fillna(1.0).astype("float64")
    split = split.sort_values(FACT_KEYS[:2] + ["month", "channel"], ignore_index=True)
    group = split.groupby(["customer_id", "product_id", "month"], sort=False).ngroup().to_numpy()
    cents = apportion(to_cents(split["objective"]), split["share"].to_numpy(), group)
    return pd.DataFrame(
        {
            "customer_id": split["customer_id"],
            "product_id": split["product_id"],
            "channel": split["channel"],
            "month": split["month"],
            "objective": cents,
        }
    )


def review_facts(
    monthly_objectives: pd.DataFrame, inputs: Inputs, params: Params, through: str | None = None
) -> pd.DataFrame:
    """The review's grain: one row per (customer, product, channel, month) of the fiscal year.

    Parameters
    ----------
    monthly_objectives : DataFrame
        customer_id, product_id, month, objective (currency), as the planning engine makes them.
    through : str, optional
        The last month whose actuals count; default ``review.month``.

    Returns
    -------
    DataFrame
        customer_id, product_id, channel, month, objective and actual (integer cents),
        on_strategy, customer_group, region, account_owner, product_line. Objectives cover the
        whole year; actuals are 0 after ``through``.
    """
    through = through or params.review.month
    months = params.months
    obj = channel_objectives(
        monthly_objectives[monthly_objectives["month"].isin(months)], inputs.channel_strategy
    )
    act = inputs.actuals[inputs.actuals["month"].isin(months) & (inputs.actuals["month"] <= through)]
    both = pd.concat(
        [
            obj.assign(actual=np.zeros(len(obj), dtype="int64")),
            pd.DataFrame({k: act[k] for k in FACT_KEYS}).assign(
                objective=np.zeros(len(act), dtype="int64"), actual=to_cents(act["revenue"])
            ),
        ],
        ignore_index=True,
    )
    facts = both.groupby(FACT_KEYS, as_index=False)[["objective", "actual"]].sum()
    facts["on_strategy"] = on_strategy(facts, inputs.channel_strategy)
    facts = facts.merge(
        inputs.customers[["customer_id", "customer_group", "region", "account_owner"]],
        on="customer_id",
        how="left",
    )
    facts = facts.merge(inputs.products[["product_id", "product_line"]], on="product_id", how="left")
    return facts.sort_values(FACT_KEYS, ignore_index=True)


def period_months(params: Params) -> dict[str, list[str]]:
    """The months of each review period: ``month`` and ``ytd`` (and ``rest``, the months after)."""
    months = params.months
    k = months.index(params.review.month)
    return {"month": [params.review.month], "ytd": months[: k + 1], "rest": months[k + 1 :]}


def level_keys(inputs: Inputs, facts: pd.DataFrame) -> dict[str, list[str]]:
    """The keys shown at each level, zeros included (see the module's rules)."""
    owners = set(sales_people(inputs)["person_id"].unique()) | set(inputs.customers["account_owner"].unique())
    channels = set(inputs.channel_strategy["channel"].unique()) | set(facts["channel"].unique())
    return {
        "total": ["total"],
        "customer_group": sorted(inputs.customers["customer_group"].unique()),
        "region": sorted(inputs.customers["region"].unique()),
        "account_owner": sorted(owners),
        "product_line": sorted(inputs.products["product_line"].unique()),
        "channel": sorted(channels),
    }


# --------------------------------------------------------------------------- the review table


def level_sums(
    facts: pd.DataFrame, level: str, keys: list[str], months: list[str], rest: list[str] | None = None
) -> pd.DataFrame:
    """Objective, actual, off-strategy actual and ``rest`` objective (integer cents) per key of a level.

    ``months`` are the months summed; ``rest`` the months whose objective the forecast adds.
    Every key in ``keys`` gets a row, zeros included; a key of the facts missing from ``keys`` is
    added after them, so nothing is dropped from the sums.
    """
    month = facts["month"]
    in_period = month.isin(months).to_numpy()
    in_rest = month.isin(rest or []).to_numpy()
    objective = facts["objective"].to_numpy(dtype="int64")
    actual = facts["actual"].to_numpy(dtype="int64")
    off = ~facts["on_strategy"].to_numpy(dtype="bool")
    if level == "total":
        index, position = pd.Index(keys), np.zeros(len(facts), dtype="int64")
    else:
        labels = facts[level].fillna("").astype("str")
        index = pd.Index(keys).append(pd.Index(sorted(set(labels.unique()) - set(keys))))
        position = index.get_indexer(labels)
    sums = {}
    for name, values in (
        ("objective", np.where(in_period, objective, 0)),
        ("actual", np.where(in_period, actual, 0)),
        ("off_strategy", np.where(in_period & off, actual, 0)),
        ("rest", np.where(in_rest, objective, 0)),
    ):
        total = np.zeros(len(index), dtype="int64")
        np.add.at(total, position, values)
        sums[name] = total
    return pd.DataFrame({"key": pd.Series(index, dtype="str"), **sums})


def monthly_review(monthly_objectives: pd.DataFrame, inputs: Inputs, params: Params) -> pd.DataFrame:
    """The monthly review table (``monthly_review.csv``).

    Returns
    -------
    DataFrame
        period, level, key, objective, actual, variance, attainment, flagged, action,
        marketing_owner, sales_owner, due (empty strings, for the meeting), forecast (``ytd``
        rows only), off_strategy and year_objective (``ytd`` rows only: the full year's objective,
        to set beside the forecast). Money is currency exact to the cent; rows by period, level
        (in :data:`LEVELS` order) and key.
    """
    facts = review_facts(monthly_objectives, inputs, params)
    keys = level_keys(inputs, facts)
    months = period_months(params)
    parts = []
    for period in PERIODS:
        for level in LEVELS:
            sums = level_sums(facts, level, keys[level], months[period], months["rest"])
            sums.insert(0, "level", level)
            sums.insert(0, "period", period)
            parts.append(sums)
    table = pd.concat(parts, ignore_index=True)
    objective, actual = table["objective"].to_numpy(), table["actual"].to_numpy()
    has_objective = objective != 0
    attainment = np.divide(actual, objective, out=np.full(len(table), np.nan), where=has_objective)
    to_date = np.where(has_objective, attainment, 1.0)
    forecast = actual + round_cents(table["rest"].to_numpy() * to_date)
    is_ytd = (table["period"] == "ytd").to_numpy()
    out = pd.DataFrame(
        {
            "period": table["period"].astype("str"),
            "level": table["level"].astype("str"),
            "key": table["key"].astype("str"),
            "objective": from_cents(objective),
            "actual": from_cents(actual),
            "variance": from_cents(actual - objective),
            "attainment": attainment,
            "flagged": has_objective & (np.nan_to_num(attainment, nan=np.inf) < params.review.flag_below),
        }
    )
    for col in ACTION_COLUMNS:
        out[col] = pd.Series("", index=out.index, dtype="str")
    out["forecast"] = np.where(is_ytd, from_cents(forecast), np.nan)
    out["off_strategy"] = from_cents(table["off_strategy"].to_numpy())
    out["year_objective"] = np.where(is_ytd, from_cents(objective + table["rest"].to_numpy()), np.nan)
    return out[list(REVIEW_COLUMNS)]


def review_level(review: pd.DataFrame, level: str, period: str = "ytd") -> pd.DataFrame:
    """The rows of one level and period of the review table."""
    return review[(review["level"] == level) & (review["period"] == period)].reset_index(drop=True)


def review_agenda(review: pd.DataFrame, inputs: Inputs | None = None) -> pd.DataFrame:
    """The review table for the meeting: flagged rows first (lowest attainment first), then the rest.

    With ``inputs``, a ``name`` column after ``key`` names the account owners.
    """
    flagged = review[review["flagged"]].sort_values("attainment", kind="stable")
    agenda = pd.concat([flagged, review[~review["flagged"]]], ignore_index=True)
    return agenda if inputs is None else _with_names(agenda, inputs, agenda["level"] == "account_owner")


def flagged_rows(review: pd.DataFrame, inputs: Inputs | None = None) -> pd.DataFrame:
    """The rows the meeting must act on: flagged rows only, lowest attainment first.

    Each year-to-date row shows its full-year objective beside its forecast, and every row its
    off-strategy share (off-strategy revenue / actual: an owner flagged with a high share sells, but
    through channels the strategy does not list); with ``inputs`` a ``name`` column names the account
    owners. The full review is ``monthly_review.csv``.
    """
    cols = ["period", "level", "key", "objective", "actual", "variance", "attainment"]
    rows = review[review["flagged"]]
    rows = rows.sort_values(["attainment", "period", "level", "key"], kind="stable", ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        off_share = np.where(rows["actual"] > 0, rows["off_strategy"] / rows["actual"], np.nan)
    out = rows[[*cols, "year_objective", "forecast"]].assign(off_strategy_share=off_share)
    out = pd.concat([out, rows[list(ACTION_COLUMNS)]], axis=1)
    return out if inputs is None else _with_names(out, inputs, out["level"] == "account_owner")


def channel_shifts(monthly_objectives: pd.DataFrame, inputs: Inputs, params: Params) -> pd.DataFrame:
    """Revenue that moved between channels against the channel strategy, year to date.

    For every product, the channel furthest below its objective (the ``from_channel``) and the
    channel furthest above it (the ``to_channel``), kept where the from-channel is flagged at the
    channel level and the to-channel is above its objective there too: a channel's miss that another
    channel's excess explains is a question for the channel strategy, not a sales miss.

    Returns
    -------
    DataFrame
        product_id, product_name, from_channel, channel_shortfall (negative), to_channel, channel_excess,
        strategy_share (the from-channel's share in the strategy) and actual_share (its share of the
        product's revenue to date); the largest shortfall first.
    """
    facts = review_facts(monthly_objectives, inputs, params)
    ytd = facts[facts["month"].isin(period_months(params)["ytd"])]
    pairs = ytd.groupby(["product_id", "channel"], as_index=False)[["objective", "actual"]].sum()
    pairs["variance"] = pairs["actual"] - pairs["objective"]
    by_channel = pairs.groupby("channel")[["objective", "actual"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        attainment = by_channel["actual"] / by_channel["objective"].where(by_channel["objective"] != 0)
    flagged = set(attainment[attainment < params.review.flag_below].index)
    ahead = set(by_channel.index[by_channel["actual"] > by_channel["objective"]])
    rows = []
    for product, part in pairs.groupby("product_id", sort=True):
        low = part.sort_values(["variance", "channel"]).iloc[0]
        high = part.sort_values(["variance", "channel"], ascending=[False, True]).iloc[0]
        if (
            low["variance"] >= 0
            or high["variance"] <= 0
            or low["channel"] not in flagged
            or high["channel"] not in ahead
        ):
            continue
        total = int(part["actual"].clip(lower=0).sum())
        strategy = inputs.channel_strategy
        share = strategy.loc[
            (strategy["product_id"] == product) & (strategy["channel"] == low["channel"]), "share"
        ]
        rows.append(
            {
                "product_id": product,
                "from_channel": low["channel"],
                "channel_shortfall": float(from_cents(int(low["variance"]))),
                "to_channel": high["channel"],
                "channel_excess": float(from_cents(int(high["variance"]))),
                "strategy_share": float(share.iloc[0]) if len(share) else 0.0,
                "actual_share": max(int(low["actual"]), 0) / total if total > 0 else np.nan,
            }
        )
    cols = [
        "product_id",
        "from_channel",
        "channel_shortfall",
        "to_channel",
        "channel_excess",
        "strategy_share",
        "actual_share",
    ]
    out = pd.DataFrame(rows, columns=cols).astype(
        {"product_id": "str", "from_channel": "str", "to_channel": "str"}
    )
    names = inputs.products.set_index("product_id")["product_name"]
    out.insert(1, "product_name", out["product_id"].map(names).fillna("").astype("str"))
    return out.sort_values(["channel_shortfall", "product_id"], ignore_index=True)


def shifts_note(shifts: pd.DataFrame, currency: str = "") -> str:
    """The channel shifts in words (Markdown), linking to the channel strategy on page 00; amounts in
    K/M with the ``display`` section's currency symbol."""
    money = partial(short_money, currency=currency)
    if shifts.empty:
        return "No flagged channel's miss is matched by another channel selling the same products above objective."
    lines = [
        "**Revenue moved between channels against the channel strategy.** A flagged channel here is not a sales "
        "miss alone: the same products sold above objective through another channel. See the channel strategy "
        "against the mix sold on [page 00](00_roles_and_channels.html#Marketing's-channel-strategy-against-the-channel-mix-sold).",
        "",
    ]
    for r in shifts.itertuples(index=False):
        lines.append(
            f"- **{r.product_name or r.product_id}**: {r.from_channel} {money(r.channel_shortfall)} against "
            f"objective, {r.to_channel} {money(r.channel_excess)} above; {r.from_channel} brought "
            f"{'—' if pd.isna(r.actual_share) else f'{r.actual_share:.1%}'} of the product's revenue against a "
            f"{r.strategy_share:.1%} strategy share."
        )
    return "\n".join(lines)


#: who answers for a row of the review: marketing sets the channel strategy and the product plan,
#: sales executes by customer, region and account
ANSWERS_FOR = {
    "channel": "marketing",
    "product_line": "marketing",
    "customer_group": "sales",
    "region": "sales",
    "account_owner": "sales",
}


def top_risks(review: pd.DataFrame, inputs: Inputs, n: int = 3) -> list[dict[str, Any]]:
    """The ``n`` largest risks of the year to date: flagged rows with the largest shortfall against objective.

    Each risk names its row (level, key, and the owner's name for an account owner), its variance
    and attainment, and who answers for it (the account owner, else the side in :data:`ANSWERS_FOR`).
    """
    rows = review[(review["period"] == "ytd") & review["flagged"] & (review["level"] != "total")]
    rows = rows.sort_values(["variance", "level", "key"], kind="stable").head(n)
    names = inputs.people.set_index("person_id")["name"]
    out = []
    for row in rows.itertuples(index=False):
        owner = names.get(row.key, row.key) if row.level == "account_owner" else ANSWERS_FOR[row.level]
        out.append(
            {
                "level": row.level,
                "key": row.key,
                "variance": float(row.variance),
                "attainment": None if pd.isna(row.attainment) else float(row.attainment),
                "year_objective": float(row.year_objective),
                "forecast": float(row.forecast),
                "owner": str(owner),
            }
        )
    return out


def year_outlook(review: pd.DataFrame, padded_target: float, params: Params) -> dict[str, Any]:
    """Where the year is heading, against the plan's T' (the target the final quotas add up to).

    Returns
    -------
    dict
        ``forecast_gap`` (forecast - T', negative = a miss), ``required_run_rate`` (what the months after
        the review month must bring, T' - actual to date, as a share of their objective; None when no
        objective is left), and the parts: month, padded_target, forecast, ytd_actual,
        remaining_needed, remaining_objective, remaining_months; ``currency``, the symbol its
        summary lines put before money (``display.currency``, empty by default).
    """
    total = review_level(review, "total").iloc[0]
    t_cents = int(to_cents(padded_target))
    actual = int(to_cents(total["actual"]))
    forecast = int(to_cents(total["forecast"]))
    remaining_objective = int(to_cents(total["year_objective"])) - int(to_cents(total["objective"]))
    needed = t_cents - actual
    months = period_months(params)["rest"]
    return {
        "month": params.review.month,
        "padded_target": float(from_cents(t_cents)),
        "forecast": float(from_cents(forecast)),
        "ytd_actual": float(from_cents(actual)),
        "forecast_gap": float(from_cents(forecast - t_cents)),
        "remaining_needed": float(from_cents(needed)),
        "remaining_objective": float(from_cents(remaining_objective)),
        "remaining_months": list(months),
        "required_run_rate": needed / remaining_objective if remaining_objective > 0 else None,
        "currency": params.display.currency or "",
    }


def _with_names(table: pd.DataFrame, inputs: Inputs, is_owner: pd.Series | None = None) -> pd.DataFrame:
    """Insert a ``name`` column after ``key``: the person's name where the key is an account owner.

    ``is_owner`` marks the rows whose key is an account owner; None means every row.
    """
    names = inputs.people.set_index("person_id")["name"]
    name = table["key"].map(names)
    if is_owner is not None:
        name = name.where(is_owner, "")
    name = name.fillna("").astype("str")
    out = table.copy()
    out.insert(out.columns.get_loc("key") + 1, "name", name)
    return out


def headline(review: pd.DataFrame) -> dict[str, Any]:
    """The review's headline figures (CONTRACT 7): YTD objective, actual, attainment, forecast, off strategy."""
    total = review_level(review, "total").iloc[0]
    attainment = total["attainment"]
    return {
        "ytd_objective": float(total["objective"]),
        "ytd_actual": float(total["actual"]),
        "ytd_attainment": None if pd.isna(attainment) else float(attainment),
        "forecast": float(total["forecast"]),
        "off_strategy_ytd": float(total["off_strategy"]),
    }


def write_review_table(review: pd.DataFrame, report_dir: str | Path | None) -> Path | None:
    """Write ``monthly_review.csv`` into ``report_dir`` (nothing when it is None)."""
    if report_dir is None:
        return None
    return write_table(review, Path(report_dir) / "monthly_review.csv", money=MONEY)


# --------------------------------------------------------------------------- the review's views


def cumulative_track(monthly_objectives: pd.DataFrame, inputs: Inputs, params: Params) -> pd.DataFrame:
    """Cumulative actual against cumulative objective over the fiscal year, with the forecast path.

    Returns
    -------
    DataFrame
        month, objective, actual (empty after ``review.month``), cum_objective, cum_actual (empty
        after ``review.month``), cum_forecast (the actual up to ``review.month``, then the actual
        to date + the later objective x attainment to date; its last value is the forecast).
    """
    facts = review_facts(monthly_objectives, inputs, params)
    months = params.months
    by_month = facts.groupby("month")[["objective", "actual"]].sum().reindex(months, fill_value=0)
    objective = by_month["objective"].to_numpy()
    actual = by_month["actual"].to_numpy()
    k = months.index(params.review.month)
    cum_obj, cum_act = np.cumsum(objective), np.cumsum(actual)
    to_date = cum_act[k] / cum_obj[k] if cum_obj[k] != 0 else 1.0
    later = np.cumsum(np.where(np.arange(12) > k, objective, 0))
    cum_forecast = cum_act[k] + round_cents(later * to_date)
    past = np.arange(12) <= k
    return pd.DataFrame(
        {
            "month": months,
            "objective": from_cents(objective),
            "actual": np.where(past, from_cents(actual), np.nan),
            "cum_objective": from_cents(cum_obj),
            "cum_actual": np.where(past, from_cents(cum_act), np.nan),
            "cum_forecast": np.where(past, from_cents(cum_act), from_cents(cum_forecast)),
        }
    )


def owner_attainment(review: pd.DataFrame, inputs: Inputs, period: str = "ytd") -> pd.DataFrame:
    """Account owners' attainment, highest first (owners without an objective last), with their names."""
    owners = review_level(review, "account_owner", period)
    names = inputs.people[["person_id", "name", "team"]].rename(columns={"person_id": "key"})
    owners = owners.merge(names, on="key", how="left")
    owners["name"] = owners["name"].fillna(owners["key"]).astype("str")
    owners["label"] = owners["name"] + " (" + owners["key"] + ")"
    owners = owners.sort_values(
        ["attainment", "key"], ascending=[False, True], na_position="last", ignore_index=True
    )
    return owners[
        ["key", "name", "label", "team", "objective", "actual", "variance", "attainment", "flagged"]
    ]


def quota_quality(review: pd.DataFrame, flag_below: float, period: str = "ytd") -> dict[str, Any]:
    """How fair and attainable the quotas are: the spread of owners' attainment around 100%.

    Returns
    -------
    dict
        owners (with an objective), quota_error (mean |attainment - 1|), mean_attainment,
        median_attainment, spread (standard deviation of attainment), lowest, highest,
        within_10pct (share of owners within 90%..110%), flagged (owners under ``flag_below``).
        Figures are None when no owner has an objective.
    """
    att = review_level(review, "account_owner", period)["attainment"].dropna().to_numpy(dtype="float64")
    if len(att) == 0:
        return {
            "owners": 0,
            "quota_error": None,
            "mean_attainment": None,
            "median_attainment": None,
            "spread": None,
            "lowest": None,
            "highest": None,
            "within_10pct": None,
            "flagged": 0,
        }
    return {
        "owners": len(att),
        "quota_error": float(np.mean(np.abs(att - 1.0))),
        "mean_attainment": float(np.mean(att)),
        "median_attainment": float(np.median(att)),
        "spread": float(np.std(att)),
        "lowest": float(att.min()),
        "highest": float(att.max()),
        "within_10pct": float(np.mean(np.abs(att - 1.0) <= 0.10 + 1e-12)),
        "flagged": int(np.sum(att < flag_below)),
    }


def variance_cells(
    monthly_objectives: pd.DataFrame, inputs: Inputs, params: Params, period: str = "ytd"
) -> pd.DataFrame:
    """Variance by customer group x product line for a review period: which cells explain the total miss."""
    facts = review_facts(monthly_objectives, inputs, params)
    return group_line_cells(facts, inputs, period_months(params)[period])


def group_line_cells(facts: pd.DataFrame, inputs: Inputs, months: list[str]) -> pd.DataFrame:
    """Objective against actual by customer group x product line over ``months``.

    Returns
    -------
    DataFrame
        customer_group, product_line, objective, actual, variance, attainment, share_of_variance
        (the cell's variance over the total variance; empty when the total variance is 0), every
        (group, line) pair, largest shortfall first.
    """
    facts = facts[facts["month"].isin(months)]
    groups = sorted(set(inputs.customers["customer_group"]))
    lines = sorted(set(inputs.products["product_line"]))
    grid = pd.MultiIndex.from_product([groups, lines], names=["customer_group", "product_line"])
    sums = facts.groupby(["customer_group", "product_line"])[["objective", "actual"]].sum()
    sums = sums.reindex(grid, fill_value=0).astype("int64").reset_index()
    variance = sums["actual"] - sums["objective"]
    total = int(variance.sum())
    out = pd.DataFrame(
        {
            "customer_group": sums["customer_group"].astype("str"),
            "product_line": sums["product_line"].astype("str"),
            "objective": from_cents(sums["objective"]),
            "actual": from_cents(sums["actual"]),
            "variance": from_cents(variance),
            "attainment": (sums["actual"] / sums["objective"].where(sums["objective"] != 0)).astype(
                "float64"
            ),
            "share_of_variance": (variance / total + 0.0).astype("float64") if total != 0 else np.nan,
        }
    )
    return out.sort_values(["variance", "customer_group", "product_line"], ignore_index=True)


def months_without_actuals(inputs: Inputs, params: Params) -> list[str]:
    """The fiscal year's months up to ``review.month`` with no actuals booked at all."""
    ytd = period_months(params)["ytd"]
    booked = set(inputs.actuals["month"])
    return [m for m in ytd if m not in booked]


def side_by_side(review: pd.DataFrame, level: str, inputs: Inputs | None = None) -> pd.DataFrame:
    """One level of the review with the month and the year to date side by side, and the forecast.

    Returns
    -------
    DataFrame
        key, month_objective, month_actual, month_variance, month_attainment, ytd_objective,
        ytd_actual, ytd_variance, ytd_attainment, forecast, flagged (in either period); with
        ``inputs`` and the account-owner level, a ``name`` column after ``key``.
    """
    cols = ["key", "objective", "actual", "variance", "attainment", "flagged"]
    month = review_level(review, level, "month")[cols]
    ytd = review_level(review, level, "ytd")[[*cols, "forecast"]]
    out = month.merge(ytd, on="key", how="outer", suffixes=("_month", "_ytd"))
    flagged = out["flagged_month"].fillna(False).astype("bool") | out["flagged_ytd"].fillna(False).astype(
        "bool"
    )
    out = pd.DataFrame(
        {
            "key": out["key"],
            "month_objective": out["objective_month"],
            "month_actual": out["actual_month"],
            "month_variance": out["variance_month"],
            "month_attainment": out["attainment_month"],
            "ytd_objective": out["objective_ytd"],
            "ytd_actual": out["actual_ytd"],
            "ytd_variance": out["variance_ytd"],
            "ytd_attainment": out["attainment_ytd"],
            "forecast": out["forecast"],
            "flagged": flagged,
        }
    )
    if inputs is not None and level == "account_owner":
        out = _with_names(out, inputs)
    return out


def review_note(review: pd.DataFrame, track: pd.DataFrame, params: Params, missing: list[str]) -> str:
    """The review's headline in a few Markdown lines, for the top of the meeting.

    Money reads as the tables show it, in the params file's ``display`` scale and currency
    (:func:`alignment.money.figure_text`).
    """
    money = partial(figure_text, scale=params.display.money_scale, currency=params.display.currency)
    month = review_level(review, "total", "month").iloc[0]
    ytd = review_level(review, "total", "ytd").iloc[0]
    year_objective = float(track["cum_objective"].iloc[-1]) if len(track) else 0.0
    flagged = review[review["flagged"]]
    lines = [
        f"**Review month {params.review.month}** (fiscal year {params.fiscal_year}).",
        "",
        f"- **Year to date:** actual {money(ytd['actual'])} against objective {money(ytd['objective'])} "
        f"({_pct(ytd['attainment'])}), variance {money(ytd['variance'], signed=True)}.",
        f"- **{params.review.month}:** actual {money(month['actual'])} against objective "
        f"{money(month['objective'])} ({_pct(month['attainment'])}).",
        f"- **Forecast for the year:** {money(ytd['forecast'])} against the year's objective "
        f"{money(year_objective)}.",
        f"- **Off strategy, year to date:** {money(ytd['off_strategy'])} booked in (product, channel) pairs the "
        "channel strategy does not list.",
        f"- **Flagged:** {len(flagged)} of {len(review)} rows under {params.review.flag_below:.0%} attainment.",
    ]
    if missing:
        lines.append(
            f"- **No actuals booked** in {', '.join(missing)}: the attainment of "
            f"{'that month' if len(missing) == 1 else 'those months'} is 0 until revenue is booked."
        )
    return "\n".join(lines)


def quality_note(quality: dict[str, Any], flag_below: float) -> str:
    """Quota quality in words: the quota error and the spread of owners' attainment."""
    if quality["quota_error"] is None:
        return "No account owner has a year-to-date objective yet: quota quality cannot be judged."
    return (
        f"**Quota error {quality['quota_error']:.1%}** (the mean distance of owners' attainment from 100%) over "
        f"{quality['owners']} account owners with an objective. Attainment runs from {quality['lowest']:.0%} to "
        f"{quality['highest']:.0%} (median {quality['median_attainment']:.0%}); "
        f"{quality['within_10pct']:.0%} of owners are within 90%..110% of quota and {quality['flagged']} "
        f"under the flag line of {flag_below:.0%}. A small quota error with a median near 100% says the "
        "allocation gave fair, attainable quotas; a wide spread says some quotas were set too high or too low."
    )


def outlook_note(outlook: dict[str, Any]) -> str:
    """The year's outlook in two Markdown lines: the forecast against T', and what the rest of the year must bring."""
    money = partial(short_money, currency=outlook.get("currency") or "")
    t, forecast, gap = outlook["padded_target"], outlook["forecast"], outlook["forecast_gap"]
    share = f" ({gap / t:+.1%})" if t else ""
    verdict = "a miss of" if gap < 0 else "above it by"
    lines = [
        f"**The year is heading for {money(forecast)} against T' {money(t)}: "
        f"{verdict} {money(abs(gap))}{share}.** (Figures run to the end of {outlook['month']}; "
        "T' is the target the final quotas add up to.)",
    ]
    months = outlook["remaining_months"]
    rate = outlook["required_run_rate"]
    if months and rate is not None:
        span = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"
        lines.append(
            f"To reach T', {span} must bring {money(outlook['remaining_needed'])}: "
            f"{rate:.0%} of their objective of {money(outlook['remaining_objective'])}."
        )
    else:
        lines.append("No month of the year is left after the review month.")
    return "\n\n".join(lines)


def review_summary(review: pd.DataFrame, outlook: dict[str, Any], inputs: Inputs) -> dict[str, Any]:
    """What the report's executive summary needs from the review: the outlook, the top risks and the flags.

    Each risk carries ``row``, its position in :func:`flagged_rows`, so the summary can link to it.
    """
    flagged = flagged_rows(review)
    position = {(r.period, r.level, r.key): i for i, r in enumerate(flagged.itertuples(index=False))}
    risks = [{**r, "row": position.get(("ytd", r["level"], r["key"]))} for r in top_risks(review, inputs)]
    return {**outlook, "risks": risks, "flagged": len(flagged), "rows": len(review)}


def _pct(value: float) -> str:
    return "no objective" if pd.isna(value) else f"{value:.1%} attainment"


# --------------------------------------------------------------------------- display
