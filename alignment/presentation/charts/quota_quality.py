"""Charts for quota quality and the mid-year re-plan: attainment spread, the replay, plan vs working version."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from alignment.presentation.charts import MONEY_FORMAT, money_axis, percent_axis, titled
from alignment.presentation.tables import Note, nothing_to_show

VERSION_COLORS = alt.Scale(domain=["Original plan", "Re-planned"], range=["#7f7f7f", "#1f77b4"])


def attainment_histogram(
    table: pd.DataFrame, threshold: float, excellence: float, what: str
) -> alt.LayerChart | Note:
    """Last year's attainment of the keys with a quota: a histogram with the threshold, 100% and excellence lines.

    ``table`` is one level of :func:`alignment.practices.quota_quality.back_test` (key, quota,
    actual, attainment); ``what`` names the keys (``account owners``, ``customers``).
    """
    data = table.dropna(subset=["attainment"])
    if data.empty:
        return nothing_to_show(
            f"Last year's attainment, {what}",
            f"no {what[:-1] if what.endswith('s') else what} had a quota and an attainment last year "
            "(the data folder has no prior_quotas, or none of its rows has revenue to compare).",
        )
    att = data["attainment"].to_numpy(dtype="float64")
    step = 0.1
    low = float(min(np.floor(att.min() / step) * step, 0.0)) if len(att) else 0.0
    high = float(max(np.ceil(att.max() / step) * step + step, excellence + step)) if len(att) else 2.0
    bins = alt.Bin(step=step, extent=[low, high])
    bars = (
        alt.Chart(data)
        .mark_bar(color="#1f77b4", opacity=0.85)
        .encode(
            x=alt.X(
                "attainment:Q",
                bin=bins,
                axis=percent_axis("Attainment last year"),
                scale=alt.Scale(domain=[low, high]),
            ),
            y=alt.Y("count():Q", title=f"{what.capitalize()} (count)"),
            tooltip=[
                alt.Tooltip("attainment:Q", bin=bins, title="Attainment from", format=".0%"),
                alt.Tooltip("count():Q", title=what.capitalize()),
            ],
        )
    )
    lines = pd.DataFrame(
        {
            "at": [threshold, 1.0, excellence],
            "line": [f"threshold {threshold:.0%}", "100% of quota", f"excellence {excellence:.0%}"],
        }
    )
    rules = (
        alt.Chart(lines)
        .mark_rule(strokeDash=[4, 3], color="#d62728")
        .encode(x="at:Q", tooltip=[alt.Tooltip("line:N", title="Line")])
    )
    return titled(
        alt.layer(bars, rules),
        f"Last year's attainment, {what}",
        "Dashed lines: the threshold, 100% and excellence. The guideline: 60-70% at 100%, 90-95% at the threshold, "
        "5-10% excelling.",
        width=560,
        height=240,
    )


def replay_chart(replayed: pd.DataFrame) -> alt.LayerChart:
    """Each owner's proposed quota against last year's revenue of their customers; called-out owners in red.

    ``replayed`` is :func:`alignment.practices.quota_quality.replay`.
    """
    data = replayed[replayed["proposed_quota"] > 0].assign(
        label=lambda d: d["name"] + " (" + d["account_owner"] + ")",
        status=lambda d: np.where(d["called_out"], "called out", "in line"),
    )
    base = alt.Chart(data).encode(y=alt.Y("label:N", title="Account owner", sort="-x"))
    quota = base.mark_bar(opacity=0.85).encode(
        x=alt.X("proposed_quota:Q", axis=money_axis("Proposed quota")),
        color=alt.Color(
            "status:N",
            title="Quota rise",
            scale=alt.Scale(domain=["in line", "called out"], range=["#1f77b4", "#d62728"]),
        ),
        tooltip=[
            alt.Tooltip("label:N", title="Owner"),
            alt.Tooltip("proposed_quota:Q", title="Proposed quota", format=MONEY_FORMAT),
            alt.Tooltip("prior_revenue:Q", title="Revenue last year", format=MONEY_FORMAT),
            alt.Tooltip("replayed_attainment:Q", title="Replayed attainment", format=".0%"),
            alt.Tooltip("growth_asked:Q", title="Growth asked", format=".1%"),
            alt.Tooltip("revenue_growth:Q", title="Revenue growth last year", format=".1%"),
        ],
    )
    revenue = base.mark_tick(color="black", thickness=3, size=18).encode(
        x="prior_revenue:Q",
        tooltip=[alt.Tooltip("prior_revenue:Q", title="Revenue last year", format=MONEY_FORMAT)],
    )
    return titled(
        alt.layer(quota, revenue),
        "The proposed quotas replayed against last year",
        "Bar: the proposed quota; black tick: the owner's customers' revenue last year. A tick past the bar would "
        "have made quota.",
        width=560,
    )


def replan_chart(by_owner: pd.DataFrame) -> alt.Chart:
    """Original and re-planned quota per account owner, side by side.

    ``by_owner`` is :func:`alignment.engine.replan.replan_by_owner`.
    """
    label = by_owner["name"] + " (" + by_owner["account_owner"] + ")"
    long = pd.concat(
        [
            pd.DataFrame({"owner": label, "version": "Original plan", "quota": by_owner["original_quota"]}),
            pd.DataFrame({"owner": label, "version": "Re-planned", "quota": by_owner["final_quota"]}),
        ],
        ignore_index=True,
    )
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("owner:N", title="Account owner"),
            yOffset=alt.YOffset("version:N"),
            x=alt.X("quota:Q", axis=money_axis("Quota for the year")),
            color=alt.Color("version:N", title="Version", scale=VERSION_COLORS),
            tooltip=[
                alt.Tooltip("owner:N", title="Owner"),
                alt.Tooltip("version:N", title="Version"),
                alt.Tooltip("quota:Q", title="Quota", format=MONEY_FORMAT),
            ],
        )
    )
    return titled(
        chart,
        "The plan version and the working version, per owner",
        "Grey: the quota as planned; blue: re-planned from the review month (past months keep their objectives).",
        width=560,
    )
