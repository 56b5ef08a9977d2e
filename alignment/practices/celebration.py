"""Celebrate together: the quarter's results, its wins and shortcomings, and the hero teams.

Once a quarter marketing and sales look back together: revenue against objective, the successes
(with the team behind each, its revenue impact and its lesson), the shortcomings and what they
taught, and the people recognised. The practice asks for heroes in *mixed* teams, marketing and
sales together; the share of recognised teams that mix both functions shows whether it happens.

Rules decided here, where the contract is silent:

* The quarter is a fiscal quarter (``celebration.quarter``). Its actuals are all revenue booked in
  its three months (the review month's cut-off does not apply: the quarter is looked back on
  whole); its objective is the plan's monthly objectives of those months.
* A win's team = its ``member_ids``, in the order given; ``functions`` = the distinct functions of
  its members, marketing before sales; a team is mixed when it has both.
* Recognised teams are the quarter's successes; recognised people are their members. A person
  in several successes is counted once per function. A team's revenue impact is the team's,
  shown once per win; no person is credited with it. A recognised sales person is shown with
  what their own accounts did in the quarter (accounts owned, net bookings), from the data.
* The quarter is flagged when most recognised teams are single-function (mixed share under one
  half). A quarter without successes is not flagged: there is nothing to recognise.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alignment.fiscal import quarter_months
from alignment.inputs import Inputs
from alignment.money import figure_text, from_cents, to_cents
from alignment.outputs import write_table
from alignment.params import DisplayParams, Params
from alignment.practices.review import group_line_cells, level_sums, review_facts

CELEBRATION_COLUMNS = (
    "quarter",
    "kind",
    "title",
    "members",
    "functions",
    "mixed_team",
    "revenue_impact",
    "lesson",
)
KIND_ORDER = {"success": 0, "shortcoming": 1}
LEVELS = ("total", "customer_group", "product_line")


# --------------------------------------------------------------------------- results


def quarter_facts(monthly_objectives: pd.DataFrame, inputs: Inputs, params: Params) -> pd.DataFrame:
    """The review's facts with every actual of the celebrated quarter counted."""
    months = quarter_months(params.celebration.quarter, params.fiscal_year_start_month)
    return review_facts(monthly_objectives, inputs, params, through=months[-1])


def quarter_results(monthly_objectives: pd.DataFrame, inputs: Inputs, params: Params) -> pd.DataFrame:
    """The quarter's revenue against objective: total, by customer group, by product line.

    Returns
    -------
    DataFrame
        quarter, level (``total``, ``customer_group``, ``product_line``), key, objective, actual,
        variance (currency, exact to the cent), attainment (empty where the objective is 0).
    """
    quarter = params.celebration.quarter
    months = quarter_months(quarter, params.fiscal_year_start_month)
    facts = quarter_facts(monthly_objectives, inputs, params)
    keys = {
        "total": ["total"],
        "customer_group": sorted(set(inputs.customers["customer_group"])),
        "product_line": sorted(set(inputs.products["product_line"])),
    }
    parts = [level_sums(facts, level, keys[level], months).assign(level=level) for level in LEVELS]
    sums = pd.concat(parts, ignore_index=True)
    objective, actual = sums["objective"].to_numpy(), sums["actual"].to_numpy()
    return pd.DataFrame(
        {
            "quarter": quarter,
            "level": sums["level"].astype("str"),
            "key": sums["key"].astype("str"),
            "objective": from_cents(objective),
            "actual": from_cents(actual),
            "variance": from_cents(actual - objective),
            "attainment": np.divide(actual, objective, out=np.full(len(sums), np.nan), where=objective != 0),
        }
    )


def quarter_cells(monthly_objectives: pd.DataFrame, inputs: Inputs, params: Params) -> pd.DataFrame:
    """The quarter's objective against actual by customer group x product line."""
    months = quarter_months(params.celebration.quarter, params.fiscal_year_start_month)
    return group_line_cells(quarter_facts(monthly_objectives, inputs, params), inputs, months)


# --------------------------------------------------------------------------- wins and teams


def _members(wins: pd.DataFrame, inputs: Inputs) -> pd.DataFrame:
    """One row per (win, member): win (the win's row position), position, person_id, name, function, team."""
    ids = wins["member_ids"].reset_index(drop=True).str.split(";")
    long = ids.explode().str.strip().rename("person_id").rename_axis("win").reset_index()
    long = long[long["person_id"].fillna("").str.len() > 0]
    long["position"] = long.groupby("win").cumcount()
    people = inputs.people[["person_id", "name", "function", "team"]]
    return long.merge(people, on="person_id", how="left").sort_values(["win", "position"], ignore_index=True)


def quarter_wins(inputs: Inputs, quarter: str) -> pd.DataFrame:
    """The quarter's successes and shortcomings, each with its team (``celebration.csv``).

    Returns
    -------
    DataFrame
        quarter, kind, title, members (names joined by ``;``), functions (distinct, joined by
        ``;``), mixed_team, revenue_impact, lesson, then member_ids and n_members. Successes
        first, each kind in the order of the wins file.
    """
    wins = inputs.wins[inputs.wins["quarter"] == quarter].reset_index(drop=True)
    members = _members(wins, inputs)
    members["name"] = members["name"].fillna(members["person_id"]).astype("str")
    grouped = members.groupby("win")
    names = grouped["name"].agg(";".join).reindex(wins.index, fill_value="")
    has_marketing = (members["function"] == "marketing").groupby(members["win"]).any()
    has_sales = (members["function"] == "sales").groupby(members["win"]).any()
    has_marketing = has_marketing.reindex(wins.index, fill_value=False).astype("bool")
    has_sales = has_sales.reindex(wins.index, fill_value=False).astype("bool")
    functions = np.select(
        [has_marketing & has_sales, has_marketing, has_sales],
        ["marketing;sales", "marketing", "sales"],
        default="",
    )
    out = pd.DataFrame(
        {
            "quarter": wins["quarter"].astype("str"),
            "kind": wins["kind"].astype("str"),
            "title": wins["title"].astype("str"),
            "members": names.astype("str"),
            "functions": pd.Series(functions, index=wins.index, dtype="str"),
            "mixed_team": (has_marketing & has_sales).astype("bool"),
            "revenue_impact": wins["revenue_impact"].astype("float64"),
            "lesson": wins["lesson"].astype("str"),
            "member_ids": wins["member_ids"].astype("str"),
            "n_members": grouped.size().reindex(wins.index, fill_value=0).astype("int64"),
        }
    )
    order = out["kind"].map(KIND_ORDER).fillna(len(KIND_ORDER))
    return (
        out.assign(_order=order)
        .sort_values("_order", kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def celebration_table(wins: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``celebration.csv`` (CONTRACT 7) from :func:`quarter_wins`."""
    return wins[list(CELEBRATION_COLUMNS)].reset_index(drop=True)


def write_celebration_table(wins: pd.DataFrame, report_dir: str | Path | None) -> Path | None:
    """Write ``celebration.csv`` into ``report_dir`` (nothing when it is None)."""
    if report_dir is None:
        return None
    return write_table(
        celebration_table(wins), Path(report_dir) / "celebration.csv", money=("revenue_impact",)
    )


def seller_figures(inputs: Inputs, quarter: str, fiscal_year_start_month: int) -> pd.DataFrame:
    """What each sales person's accounts did in the quarter: accounts owned, and their net bookings.

    Returns
    -------
    DataFrame
        person_id, accounts (customers whose account owner they are), accounts_booked (the net revenue those
        customers booked in the quarter's months, all channels, exact to the cent); one row per sales person.
    """
    months = quarter_months(quarter, fiscal_year_start_month)
    sellers = inputs.people.loc[inputs.people["function"] == "sales", "person_id"].astype("str")
    owner = inputs.customers.set_index("customer_id")["account_owner"]
    accounts = owner.value_counts().reindex(sellers, fill_value=0)
    booked = inputs.actuals[inputs.actuals["month"].isin(months)]
    cents = pd.Series(to_cents(booked["revenue"]), index=booked.index).groupby(
        booked["customer_id"].map(owner).to_numpy()
    )
    by_owner = cents.sum().reindex(sellers, fill_value=0).astype("int64")
    return pd.DataFrame(
        {
            "person_id": sellers.to_numpy(),
            "accounts": accounts.to_numpy().astype("float64"),
            "accounts_booked": from_cents(by_owner.to_numpy()),
        }
    )


def heroes(inputs: Inputs, quarter: str, fiscal_year_start_month: int) -> pd.DataFrame:
    """The people recognised in the quarter's successes, with what they did.

    Returns
    -------
    DataFrame
        person_id, name, function, team, successes (how many), recognised_for (the titles of their
        successes, what they did), mixed_successes (how many of them were mixed teams), then, for sales
        people, accounts and accounts_booked (:func:`seller_figures`: what their own accounts booked in the
        quarter, empty for marketing); most successes first, then by name. A team's revenue impact belongs
        to the team, shown once in :func:`celebration_table`: no person is credited with it, so no total
        counts it twice.
    """
    wins = quarter_wins(inputs, quarter)
    wins = wins[wins["kind"] == "success"].reset_index(drop=True)
    members = _members(wins, inputs)
    members = members.merge(
        pd.DataFrame({"win": wins.index, "title": wins["title"].astype("str"), "mixed": wins["mixed_team"]}),
        on="win",
        how="left",
    )
    members = members.drop_duplicates(["win", "person_id"])
    keys = ["person_id", "name", "function", "team"]
    out = (
        members.fillna({"name": "", "function": "", "team": ""})
        .groupby(keys, as_index=False)
        .agg(successes=("win", "size"), recognised_for=("title", "; ".join), mixed_successes=("mixed", "sum"))
    )
    out["mixed_successes"] = out["mixed_successes"].astype("int64")
    out = out.merge(seller_figures(inputs, quarter, fiscal_year_start_month), on="person_id", how="left")
    out = out.sort_values(
        ["successes", "name", "person_id"], ascending=[False, True, True], ignore_index=True
    )
    return out[[*keys, "successes", "recognised_for", "mixed_successes", "accounts", "accounts_booked"]]


def heroes_by_function(heroes_table: pd.DataFrame) -> pd.DataFrame:
    """People recognised per function (marketing, sales, both always listed), and their share."""
    counts = heroes_table.groupby("function")["person_id"].nunique()
    index = ["marketing", "sales", *sorted(set(counts.index) - {"marketing", "sales"})]
    counts = counts.reindex(index, fill_value=0).astype("int64")
    total = int(counts.sum())
    return pd.DataFrame(
        {
            "function": counts.index.astype("str"),
            "people": counts.to_numpy(),
            "share": counts.to_numpy() / total if total else np.nan,
        }
    )


def team_mix(wins: pd.DataFrame) -> dict[str, Any]:
    """How many recognised teams mix marketing and sales, and whether the quarter is flagged.

    Returns
    -------
    dict
        successes, mixed (teams with both functions), single_function, mixed_share (None
        without successes), flagged (True when most recognised teams are single-function).
    """
    successes = wins[wins["kind"] == "success"]
    n = len(successes)
    mixed = int(successes["mixed_team"].sum())
    share = mixed / n if n else None
    return {
        "successes": n,
        "mixed": mixed,
        "single_function": n - mixed,
        "mixed_share": share,
        "flagged": bool(share is not None and share < 0.5),
    }


def impact_summary(wins: pd.DataFrame) -> pd.DataFrame:
    """Revenue impact and count of the quarter's wins by kind (success, shortcoming; both always listed)."""
    cents = pd.Series(to_cents(wins["revenue_impact"]), index=wins.index)
    grouped = cents.groupby(wins["kind"])
    kinds = list(KIND_ORDER)
    return pd.DataFrame(
        {
            "kind": kinds,
            "count": grouped.size().reindex(kinds, fill_value=0).astype("int64").to_numpy(),
            "revenue_impact": from_cents(
                grouped.sum().reindex(kinds, fill_value=0).astype("int64").to_numpy()
            ),
        }
    )


# --------------------------------------------------------------------------- notes for the page


def results_note(results: pd.DataFrame, display: DisplayParams | None = None) -> str:
    """The quarter's total against objective in words (Markdown), money as the tables show it in the
    params file's ``display`` scale and currency (:func:`alignment.money.figure_text`)."""
    d = display or DisplayParams()
    money = partial(figure_text, scale=d.money_scale, currency=d.currency)
    total = results[results["level"] == "total"].iloc[0]
    att = "no objective" if pd.isna(total["attainment"]) else f"{total['attainment']:.1%} of objective"
    ahead = results[(results["level"] != "total") & (results["variance"] > 0)]
    return (
        f"**{total['quarter']}: {money(total['actual'])} booked against an objective of "
        f"{money(total['objective'])}** ({att}, variance {money(total['variance'], signed=True)}). {len(ahead)} customer groups and product lines finished "
        "ahead of their objective."
    )


def wins_note(wins: pd.DataFrame, quarter: str) -> str:
    """How many successes and shortcomings the quarter recorded (Markdown)."""
    if wins.empty:
        return (
            f"No successes or shortcomings are recorded for {quarter} in `wins`. Add them before the "
            "celebration: the team, its revenue impact and the lesson of each."
        )
    counts = wins["kind"].value_counts()
    return (
        f"{quarter} recorded **{int(counts.get('success', 0))} successes** and "
        f"**{int(counts.get('shortcoming', 0))} shortcomings**."
    )


def team_mix_note(mix: dict[str, Any]) -> str:
    """The mixed-team share in words, with the flag when most recognition went to single-function teams."""
    if mix["mixed_share"] is None:
        return "No successes were recognised this quarter, so there are no hero teams to look at."
    text = (
        f"{mix['mixed']} of {mix['successes']} recognised teams ({mix['mixed_share']:.0%}) mix marketing and "
        "sales."
    )
    if mix["flagged"]:
        return (
            f"**Flag: most recognition went to single-function teams.** {text} The practice asks for heroes in "
            "mixed teams: look for the joint work behind next quarter's successes."
        )
    return text


def practice_summary(results: pd.DataFrame, wins: pd.DataFrame) -> dict[str, Any]:
    """What the report's summary says of the quarter: attainment, successes, shortcomings, mixed teams."""
    total = results[results["level"] == "total"].iloc[0]
    mix = team_mix(wins)
    return {
        "quarter": str(total["quarter"]),
        "attainment": None if pd.isna(total["attainment"]) else float(total["attainment"]),
        "successes": int((wins["kind"] == "success").sum()),
        "shortcomings": int((wins["kind"] == "shortcoming").sum()),
        "mixed_share": mix["mixed_share"],
    }
