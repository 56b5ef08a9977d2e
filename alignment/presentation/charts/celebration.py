"""Charts for the quarterly celebration: the quarter's results, its wins and shortcomings, the heroes."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from alignment.presentation.charts import SIDE_SCALE, money_axis, money_title, titled
from alignment.presentation.tables import Note, nothing_to_show

KIND_SCALE = alt.Scale(domain=["success", "shortcoming"], range=["#2ca02c", "#d62728"])
MIX_SCALE = alt.Scale(domain=["mixed marketing + sales", "single function"], range=["#9467bd", "#bcbd22"])


def quarter_results_chart(results: pd.DataFrame, level: str, label: str) -> alt.LayerChart:
    """The quarter's actual (bars) against objective (ticks) for one level of ``quarter_results``."""
    data = results[results["level"] == level]
    base = alt.Chart(data).encode(y=alt.Y("key:N", title=label))
    tooltip = [
        alt.Tooltip("key:N", title=label),
        alt.Tooltip("objective:Q", title=money_title("Objective"), format=",.2f"),
        alt.Tooltip("actual:Q", title=money_title("Actual"), format=",.2f"),
        alt.Tooltip("variance:Q", title=money_title("Variance"), format=",.2f"),
        alt.Tooltip("attainment:Q", title="Attainment", format=".1%"),
    ]
    values = pd.concat([data["actual"], data["objective"]])
    low = min(0.0, float(values.min())) if len(values) else 0.0
    high = max(0.0, float(values.max())) * 1.04 if len(values) else 1.0
    bars = base.mark_bar(color="#1f77b4").encode(
        x=alt.X("actual:Q", axis=money_axis("Revenue"), scale=alt.Scale(domain=[low, high or 1.0])),
        tooltip=tooltip,
    )
    ticks = base.mark_tick(color="#222222", thickness=3, size=22).encode(x="objective:Q", tooltip=tooltip)
    quarter = data["quarter"].iloc[0] if len(data) else ""
    return titled(
        bars + ticks,
        f"{quarter} revenue against objective by {label.lower()}",
        "Bars: actual revenue booked in the quarter. Black ticks: the quarter's objective.",
        width=420,
    )


def wins_chart(wins: pd.DataFrame) -> alt.Chart:
    """The quarter's successes and shortcomings with their revenue impact and team mix."""
    data = wins.assign(
        team=wins["mixed_team"].map({True: "mixed marketing + sales", False: "single function"})
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("revenue_impact:Q", axis=money_axis("Revenue impact")),
            y=alt.Y("title:N", sort="-x", title=None, axis=alt.Axis(labelLimit=360)),
            color=alt.Color("kind:N", scale=KIND_SCALE, title="Kind"),
            opacity=alt.Opacity(
                "team:N", scale=alt.Scale(domain=list(MIX_SCALE.domain), range=[1.0, 0.45]), title="Team"
            ),
            tooltip=[
                alt.Tooltip("title:N", title="Title"),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("members:N", title="Team"),
                alt.Tooltip("functions:N", title="Functions"),
                alt.Tooltip("revenue_impact:Q", title=money_title("Revenue impact"), format=",.2f"),
                alt.Tooltip("lesson:N", title="Lesson"),
            ],
        )
    )
    return titled(
        chart,
        "The quarter's successes and shortcomings",
        "Bar length: revenue impact. Solid bars are mixed marketing + sales teams, faded bars "
        "single-function teams.",
        empty="no success or shortcoming of this quarter is in the wins file.",
        width=460,
    )


def heroes_chart(by_function: pd.DataFrame) -> alt.Chart | Note:
    """People recognised in the quarter's successes, by function (one sentence when nobody is)."""
    if by_function.empty or not by_function["people"].sum():
        return nothing_to_show("Heroes by function", "nobody is named in a success of this quarter.")
    chart = (
        alt.Chart(by_function)
        .mark_bar()
        .encode(
            x=alt.X("people:Q", title="People recognised (count)", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("function:N", title="Function"),
            color=alt.Color("function:N", scale=SIDE_SCALE, legend=None),
            tooltip=[
                alt.Tooltip("function:N", title="Function"),
                alt.Tooltip("people:Q", title="People"),
                alt.Tooltip("share:Q", title="Share of heroes", format=".0%"),
            ],
        )
    )
    return titled(
        chart,
        "Heroes by function",
        "People named in the quarter's successes.",
        empty="nobody is named in a success of this quarter.",
        width=320,
    )


def team_mix_chart(mix: dict[str, Any]) -> alt.Chart | Note:
    """Recognised teams that mix marketing and sales against single-function teams."""
    data = pd.DataFrame(
        {
            "team": ["mixed marketing + sales", "single function"],
            "teams": [mix["mixed"], mix["single_function"]],
        }
    )
    share = mix["mixed_share"]
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("teams:Q", title="Recognised teams (count)", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("team:N", title=None, sort=list(MIX_SCALE.domain)),
            color=alt.Color("team:N", scale=MIX_SCALE, legend=None),
            tooltip=[alt.Tooltip("team:N", title="Team"), alt.Tooltip("teams:Q", title="Teams")],
        )
    )
    if share is None:
        return nothing_to_show(
            "Mixed teams", "no team is recognised this quarter, so there is no mix of teams to show."
        )
    if mix["flagged"]:
        subtitle = (
            f"Only {share:.0%} of recognised teams are mixed: most recognition went to single-function teams."
        )
    else:
        subtitle = f"{share:.0%} of recognised teams mix marketing and sales."
    return titled(chart, "Mixed marketing + sales teams among the recognised", subtitle, width=320)
