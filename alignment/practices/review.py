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

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alignment.inputs import Inputs, sales_people
from alignment.money import apportion, from_cents, round_cents, to_cents
from alignment.outputs import write_table
from alignment.params import Params
from alignment.practices.roles import on_strategy

LEVELS = ("total", "customer_group", "region", "account_owner", "product_line", "channel")
PERIODS = ("month", "ytd")
MONEY = ("objective", "actual", "variance", "forecast", "off_strategy")
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
        rows only) and off_strategy. Money is currency exact to the cent; rows by period, level
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


def headline_table(figures: dict[str, Any]) -> pd.DataFrame:
    """The headline figures as a one-row table, for display beside the review."""
    return pd.DataFrame([figures])


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
    """The review's headline in a few Markdown lines, for the top of the meeting."""
    month = review_level(review, "total", "month").iloc[0]
    ytd = review_level(review, "total", "ytd").iloc[0]
    year_objective = float(track["cum_objective"].iloc[-1]) if len(track) else 0.0
    flagged = review[review["flagged"]]
    lines = [
        f"**Review month {params.review.month}** (fiscal year {params.fiscal_year}).",
        "",
        f"- **Year to date:** actual {_money(ytd['actual'])} against objective {_money(ytd['objective'])} "
        f"({_pct(ytd['attainment'])}), variance {_money(ytd['variance'], sign=True)}.",
        f"- **{params.review.month}:** actual {_money(month['actual'])} against objective "
        f"{_money(month['objective'])} ({_pct(month['attainment'])}).",
        f"- **Forecast for the year:** {_money(ytd['forecast'])} against the year's objective "
        f"{_money(year_objective)}.",
        f"- **Off strategy, year to date:** {_money(ytd['off_strategy'])} booked in (product, channel) pairs the "
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


def _money(value: float, sign: bool = False) -> str:
    return f"{value:+,.2f}" if sign else f"{value:,.2f}"


def _pct(value: float) -> str:
    return "no objective" if pd.isna(value) else f"{value:.1%} attainment"


# --------------------------------------------------------------------------- display


def styled(
    df: pd.DataFrame,
    money: tuple[str, ...] | list[str] = MONEY,
    ratios: tuple[str, ...] = (),
    decimals: int = 2,
    compact: bool = False,
) -> Any:
    """A pandas Styler showing money with thousands separators and ratios as percentages.

    ``compact`` uses a smaller font and tighter cells, for wide tables such as one column per month.
    """
    from alignment.presentation.tables import format_table

    return format_table(df, money=money, percent=ratios, decimals=decimals, compact=compact)


def styled_review(review: pd.DataFrame) -> Any:
    """A review table styled for the meeting: money with separators, attainment in %, flagged rows shaded.

    Works on the review table and on its views (:func:`review_agenda`, :func:`side_by_side`): money
    columns are those named after objective, actual, variance, forecast or off_strategy.
    """
    money = tuple(
        c
        for c in review.columns
        if c.endswith(("objective", "actual", "variance", "forecast", "off_strategy"))
    )
    ratios = tuple(c for c in review.columns if c.endswith("attainment"))
    styler = styled(review, money=money, ratios=ratios, compact=len(review.columns) > 10)
    if not review.empty:
        styler = styler.apply(
            lambda row: ["background-color: #fde0dd" if row["flagged"] else "" for _ in row], axis=1
        )
    return styler
