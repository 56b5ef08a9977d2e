"""Charts and printable tables of the internal report card (notebook 04).

Scores are in grade points (A = 4, B = 3, C = 2, F = 0) on a fixed 0-4 axis, so charts of
different half-years read the same; the shortfall line (3.0, a B) is drawn wherever scores are.
Marketing is blue and sales orange throughout the workbook; grades run green (A) to red (F).
"""

from __future__ import annotations

import html

import altair as alt
import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from alignment.practices.report_card import (
    BLIND_SPOT_GAP,
    GRADES,
    HIGH_IMPORTANCE,
    NEEDS_TEMPLATE,
    POINTS,
    QUADRANTS,
    RATINGS_TEMPLATE,
    SHORTFALL_BELOW,
    StarterKit,
)
from alignment.presentation.charts import SIDE_SCALE, titled
from alignment.presentation.tables import Note, format_value, show
from alignment.rules import other_side

GRADE_COLORS = {"A": "#1a9850", "B": "#91cf60", "C": "#fdae61", "F": "#d73027"}
GRADE_SCALE = alt.Scale(domain=list(GRADES), range=[GRADE_COLORS[g] for g in GRADES])
# the letter bands: below 1.0 (F), 1.0-3.0 (C: a shortfall), 3.0-3.5 (B), from 3.5 (A)
SCORE_SCALE = alt.Scale(
    type="threshold", domain=[1.0, 3.0, 3.5], range=["#d73027", "#fc8d59", "#91cf60", "#1a9850"]
)
QUADRANT_COLORS = {
    "concentrate here": "#d73027",
    "keep up the good work": "#1a9850",
    "low priority": "#969696",
    "possible overkill": "#4575b4",
}
QUADRANT_SCALE = alt.Scale(domain=list(QUADRANTS), range=[QUADRANT_COLORS[q] for q in QUADRANTS])
VIEW_SCALE = alt.Scale(domain=["graded by the other side", "self-assessment"], range=["#444444", "#bbbbbb"])
SCORE_TITLE = "Score (grade points: A = 4, B = 3, C = 2, F = 0)"
SCORE_FORMAT = ".2f"
LABEL_LIMIT = 360


def _need_label(df: pd.DataFrame) -> pd.Series:
    """``S-N1 · Qualified leads ...``: the need as the axes show it."""
    return (df["need_id"] + " · " + df["description"]).astype("str")


def _two_decimals(values: pd.Series) -> pd.Series:
    """Numbers as text with two decimals (empty where missing)."""
    text = np.char.mod("%.2f", values.fillna(0).to_numpy(dtype="float64"))
    return pd.Series(text, index=values.index, dtype="str").where(values.notna(), "")


def _side_title(side: str) -> str:
    other = other_side(side)
    return f"{side.capitalize()}, graded by {other}"


def _score_axis(title: str = SCORE_TITLE) -> alt.Axis:
    return alt.Axis(title=title, values=[0, 1, 2, 3, 4], format=".0f")


def _shortfall_rule(orient: str = "x") -> alt.Chart:
    """The shortfall line at 3.0 (a B): scores left of (below) it fall short."""
    data = pd.DataFrame({"line": [SHORTFALL_BELOW], "label": ["B: under this line is a shortfall"]})
    enc = {
        orient: alt.X("line:Q") if orient == "x" else alt.Y("line:Q"),
        "tooltip": [alt.Tooltip("label:N", title="Line")],
    }
    return alt.Chart(data).mark_rule(strokeDash=[4, 3], color="#555555").encode(**enc)


# --------------------------------------------------------------------------- charts


def grade_heatmap(scores: pd.DataFrame, side: str) -> alt.Chart:
    """Needs x half-years for one side: each cell is the need's score as the other side graded it."""
    data = scores[scores["rated_side"] == side].assign(
        need=lambda d: _need_label(d),
        label=lambda d: (d["grade"] + " " + _two_decimals(d["score"])).where(d["score"].notna(), "–"),
        distribution=lambda d: (
            "A "
            + d["n_A"].astype("str")
            + " · B "
            + d["n_B"].astype("str")
            + " · C "
            + d["n_C"].astype("str")
            + " · F "
            + d["n_F"].astype("str")
        ),
    )
    order = sorted(data["need"].unique())
    x = alt.X("cycle:O", title="Half-year", axis=alt.Axis(labelAngle=0))
    y = alt.Y("need:N", title=None, sort=order, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    tooltip = [
        alt.Tooltip("need:N", title="Need"),
        alt.Tooltip("cycle:O", title="Half-year"),
        alt.Tooltip("grade:N", title="Grade"),
        alt.Tooltip("score:Q", title="Score", format=SCORE_FORMAT),
        alt.Tooltip("n_raters:Q", title="Raters"),
        alt.Tooltip("distribution:N", title="Grades given"),
        alt.Tooltip("previous_score:Q", title="Previous half-year", format=SCORE_FORMAT),
        alt.Tooltip("trend:Q", title="Trend", format="+.2f"),
    ]
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
    empty = base.mark_rect(color="#eeeeee", stroke="white")
    cells = (
        base.mark_rect(stroke="white")
        .encode(
            color=alt.Color(
                "score:Q",
                scale=SCORE_SCALE,
                title="Score (grade points)",
                legend=alt.Legend(values=[0, 1, 2, 3, 4]),
            )
        )
        .transform_filter("isValid(datum.score)")
    )
    text = base.mark_text(fontSize=11).encode(text="label:N")
    other = other_side(side)
    return titled(
        alt.layer(empty, cells, text),
        f"{_side_title(side)}: grades by need and half-year",
        f"Each cell: the mean grade of the {other} side's raters (A = 4 .. F = 0) and its letter; "
        "red is a shortfall, green on target, grey and '–' not graded that half-year.",
        width=alt.Step(70),
        height=alt.Step(26),
    )


def side_scores_chart(sides: pd.DataFrame) -> alt.LayerChart:
    """Each side's score over the half-years, with the shortfall line."""
    data = sides.assign(side=lambda d: d["rated_side"])
    base = (
        alt.Chart(data)
        .encode(
            x=alt.X("cycle:O", title="Half-year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "score:Q", title=SCORE_TITLE, scale=alt.Scale(domain=[0, 4]), axis=_score_axis(SCORE_TITLE)
            ),
            color=alt.Color("side:N", scale=SIDE_SCALE, title="Side graded"),
            tooltip=[
                alt.Tooltip("side:N", title="Side graded"),
                alt.Tooltip("graded_by:N", title="Graded by"),
                alt.Tooltip("cycle:O", title="Half-year"),
                alt.Tooltip("grade:N", title="Grade"),
                alt.Tooltip("score:Q", title="Score", format=SCORE_FORMAT),
                alt.Tooltip("self_score:Q", title="Self-assessment", format=SCORE_FORMAT),
                alt.Tooltip("trend:Q", title="Trend", format="+.2f"),
                alt.Tooltip("n_scored:Q", title="Needs graded"),
                alt.Tooltip("n_shortfalls:Q", title="Shortfalls"),
            ],
        )
        .transform_filter("isValid(datum.score)")
    )
    lines = base.mark_line(point=alt.OverlayMarkDef(size=70, filled=True))
    # marketing's labels above its points, sales' below, so that close scores stay readable
    labels = [
        base.mark_text(dy=dy, fontSize=11)
        .encode(text=alt.Text("score:Q", format=SCORE_FORMAT))
        .transform_filter(alt.datum.side == side)
        for side, dy in (("marketing", -12), ("sales", 16))
    ]
    return titled(
        alt.layer(_shortfall_rule("y"), lines, *labels),
        "The two sides' report-card scores over time",
        "A side's score is the mean of its needs' scores as the other side graded them; "
        "under the dashed line (3.0, a B) is a shortfall.",
        width=alt.Step(90),
        height=260,
    )


def self_vs_other_chart(scores: pd.DataFrame, cycle: str) -> alt.VConcatChart:
    """Dumbbells per need: the side's self-assessment beside the other side's grade, for one half-year."""
    now = scores[scores["cycle"] == cycle].assign(need=lambda d: _need_label(d))
    long = now.melt(
        id_vars=["need", "need_id", "rated_side", "perception_gap", "blind_spot"],
        value_vars=["score", "self_score"],
        var_name="view",
        value_name="points",
    )
    long = long.assign(
        view=long["view"].map({"score": "graded by the other side", "self_score": "self-assessment"})
    )
    flags = now[now["blind_spot"]].assign(
        flag="blind spot", at=lambda d: d[["score", "self_score"]].max(axis=1)
    )
    panels = []
    for side in sorted(now["rated_side"].unique()):
        order = sorted(now.loc[now["rated_side"] == side, "need"])
        y = alt.Y("need:N", title=None, sort=order, axis=alt.Axis(labelLimit=LABEL_LIMIT))
        x_scale = alt.Scale(domain=[0, 4.6])
        tip = [
            alt.Tooltip("need:N", title="Need"),
            alt.Tooltip("score:Q", title="Graded by the other side", format=SCORE_FORMAT),
            alt.Tooltip("self_score:Q", title="Self-assessment", format=SCORE_FORMAT),
            alt.Tooltip("perception_gap:Q", title="Gap (self − other)", format="+.2f"),
        ]
        bar = (
            alt.Chart(now[now["rated_side"] == side])
            .mark_rule(strokeWidth=3, color="#cccccc")
            .encode(
                y=y,
                x=alt.X("score:Q", scale=x_scale, axis=_score_axis()),
                x2="self_score:Q",
                tooltip=tip,
            )
            .transform_filter("isValid(datum.score) && isValid(datum.self_score)")
        )
        dots = (
            alt.Chart(long[long["rated_side"] == side])
            .mark_circle(size=110, opacity=1)
            .encode(
                y=y,
                x=alt.X("points:Q", scale=x_scale, axis=_score_axis()),
                color=alt.Color("view:N", scale=VIEW_SCALE, title="View"),
                tooltip=[
                    alt.Tooltip("need:N", title="Need"),
                    alt.Tooltip("view:N", title="View"),
                    alt.Tooltip("points:Q", title="Score", format=SCORE_FORMAT),
                    alt.Tooltip("perception_gap:Q", title="Gap (self − other)", format="+.2f"),
                ],
            )
            .transform_filter("isValid(datum.points)")
        )
        flag = (
            alt.Chart(flags[flags["rated_side"] == side])
            .mark_text(align="left", dx=10, color="#d73027", fontWeight="bold")
            .encode(
                y=y,
                x=alt.X("at:Q", scale=x_scale),
                text="flag:N",
                tooltip=[
                    alt.Tooltip("need:N", title="Need"),
                    alt.Tooltip("perception_gap:Q", title="Gap (self − other)", format="+.2f"),
                ],
            )
        )
        panels.append(
            alt.layer(_shortfall_rule("x"), bar, dots, flag).properties(
                title=_side_title(side), width=420, height=alt.Step(26)
            )
        )
    chart = alt.vconcat(*panels) if panels else alt.vconcat(alt.Chart(pd.DataFrame()).mark_text())
    return titled(
        chart,
        f"Self vs other, {cycle}: how each side grades itself and how the other side grades it",
        f"Dark dot: the other side's grade; light dot: the side's own view. A gap (self − other) above "
        f"{BLIND_SPOT_GAP:g} grade point is a blind spot.",
    )


def grade_distribution_chart(scores: pd.DataFrame, cycle: str) -> alt.VConcatChart:
    """How many of the other side's raters gave each grade, per need, for one half-year."""
    now = scores[scores["cycle"] == cycle].assign(need=lambda d: _need_label(d))
    long = now.melt(
        id_vars=["need", "rated_side", "n_raters", "score"],
        value_vars=[f"n_{g}" for g in GRADES],
        var_name="grade",
        value_name="raters",
    )
    long = long.assign(
        grade=long["grade"].str.removeprefix("n_"),
        rank=long["grade"].str.removeprefix("n_").map({g: i for i, g in enumerate(GRADES)}),
        share=(long["raters"] / long["n_raters"]).where(long["n_raters"] > 0),
    )
    long = long[long["raters"] > 0]
    panels = []
    for side in sorted(now["rated_side"].unique()):
        order = sorted(now.loc[now["rated_side"] == side, "need"])
        panels.append(
            alt.Chart(long[long["rated_side"] == side])
            .mark_bar()
            .encode(
                y=alt.Y("need:N", title=None, sort=order, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
                x=alt.X("raters:Q", title="Raters (count)", stack="zero", axis=alt.Axis(tickMinStep=1)),
                color=alt.Color("grade:N", scale=GRADE_SCALE, title="Grade"),
                order=alt.Order("rank:Q"),
                tooltip=[
                    alt.Tooltip("need:N", title="Need"),
                    alt.Tooltip("grade:N", title="Grade"),
                    alt.Tooltip("raters:Q", title="Raters"),
                    alt.Tooltip("share:Q", title="Share of raters", format=".0%"),
                    alt.Tooltip("score:Q", title="Score", format=SCORE_FORMAT),
                ],
            )
            .properties(title=_side_title(side), width=420, height=alt.Step(24))
        )
    chart = alt.vconcat(*panels) if panels else alt.vconcat(alt.Chart(pd.DataFrame()).mark_text())
    points = ", ".join(f"{g} = {p}" for g, p in POINTS.items())
    return titled(
        chart,
        f"Grade distribution, {cycle}: how many raters gave each grade",
        f"Bars stack the other side's raters by grade ({points}); a need with mixed colours is seen "
        "differently by different people.",
    )


def shortfall_chart(scores: pd.DataFrame, cycle: str) -> alt.LayerChart:
    """Every need's score in one half-year, shortfalls in red, against the 3.0 line."""
    now = scores[scores["cycle"] == cycle].assign(
        need=lambda d: _need_label(d),
        status=lambda d: np.select(
            [d["score"].isna(), d["shortfall"]], ["not graded", "shortfall"], default="B or better"
        ),
    )
    status_scale = alt.Scale(
        domain=["shortfall", "B or better", "not graded"], range=["#d73027", "#91cf60", "#bbbbbb"]
    )
    order = list(now.sort_values(["rated_side", "need_id"])["need"])
    bars = (
        alt.Chart(now)
        .mark_bar()
        .encode(
            y=alt.Y("need:N", title=None, sort=order, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            x=alt.X("score:Q", scale=alt.Scale(domain=[0, 4]), axis=_score_axis()),
            color=alt.Color("status:N", scale=status_scale, title="Status"),
            tooltip=[
                alt.Tooltip("need:N", title="Need"),
                alt.Tooltip("rated_side:N", title="Side that acts"),
                alt.Tooltip("grade:N", title="Grade"),
                alt.Tooltip("score:Q", title="Score", format=SCORE_FORMAT),
                alt.Tooltip("previous_score:Q", title="Previous half-year", format=SCORE_FORMAT),
                alt.Tooltip("trend:Q", title="Trend", format="+.2f"),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )
    return titled(
        alt.layer(bars, _shortfall_rule("x")),
        f"Shortfalls, {cycle}: needs scoring under B",
        "Red bars fall short of the dashed line at 3.0 (a B): the side that owns the need plans an action.",
        width=420,
        height=alt.Step(22),
    )


def importance_performance_chart(ipa: pd.DataFrame, cycle: str) -> alt.LayerChart:
    """Importance against score in four quadrants, for the needs that carry an importance."""
    # importance is a whole number: marketing's needs are drawn a little above it and sales' below, so
    # that two needs with the same importance and score stay apart (tooltips show the true values)
    data = ipa.assign(
        need=lambda d: _need_label(d),
        importance=lambda d: d["importance"].astype("float64"),
        at=lambda d: d["importance"] + np.where(d["rated_side"] == "marketing", 0.12, -0.12),
    )
    x_scale = alt.Scale(domain=[0, 4])
    y_scale = alt.Scale(domain=[0.5, 5.5])
    points = (
        alt.Chart(data)
        .mark_point(size=120, filled=True, opacity=0.9)
        .encode(
            x=alt.X("score:Q", scale=x_scale, axis=_score_axis()),
            y=alt.Y(
                "at:Q",
                scale=y_scale,
                title="Importance (1 = low, 5 = critical)",
                axis=alt.Axis(values=[1, 2, 3, 4, 5], format=".0f"),
            ),
            color=alt.Color("quadrant:N", scale=QUADRANT_SCALE, title="Quadrant"),
            shape=alt.Shape(
                "rated_side:N",
                title="Side graded",
                scale=alt.Scale(domain=["marketing", "sales"], range=["circle", "square"]),
            ),
            tooltip=[
                alt.Tooltip("need:N", title="Need"),
                alt.Tooltip("rated_side:N", title="Side graded"),
                alt.Tooltip("importance:Q", title="Importance", format=".0f"),
                alt.Tooltip("score:Q", title="Score", format=SCORE_FORMAT),
                alt.Tooltip("quadrant:N", title="Quadrant"),
            ],
        )
    )
    ids = (
        alt.Chart(data)
        .mark_text(dx=9, align="left", fontSize=10)
        .encode(x="score:Q", y="at:Q", text="need_id:N")
    )
    line = HIGH_IMPORTANCE - 0.5
    corners = pd.DataFrame(
        {
            "quadrant": list(QUADRANTS),
            "x": [0.1, 3.9, 0.1, 3.9],
            "y": [5.35, 5.35, 0.65, 0.65],
            "align": ["left", "right", "left", "right"],
        }
    )
    labels = [
        alt.Chart(corners[corners["align"] == a])
        .mark_text(align=a, fontStyle="italic", fontSize=12)
        .encode(
            x=alt.X("x:Q", scale=x_scale),
            y=alt.Y("y:Q", scale=y_scale),
            text="quadrant:N",
            color=alt.Color("quadrant:N", scale=QUADRANT_SCALE, legend=None),
        )
        for a in ("left", "right")
    ]
    hline = (
        alt.Chart(pd.DataFrame({"y": [line]}))
        .mark_rule(strokeDash=[4, 3], color="#555555")
        .encode(y=alt.Y("y:Q", scale=y_scale))
    )
    return titled(
        alt.layer(_shortfall_rule("x"), hline, *labels, points, ids),
        f"Importance vs performance, {cycle}",
        f"Right of the vertical line a need scores B or better; above the horizontal line its importance is "
        f"{HIGH_IMPORTANCE} or 5. Concentrate on the top left.",
        width=460,
        height=320,
    )


# --------------------------------------------------------------------------- tables


PLAN_VIEW = [
    "need_id",
    "rated_side",
    "description",
    "score",
    "previous_score",
    "trend",
    "shortfall",
    "action",
    "owner",
    "due",
    "status",
    "carried_over",
]
REVIEW_VIEW = [
    "need_id",
    "rated_side",
    "action",
    "owner",
    "due",
    "status",
    "done",
    "previous_score",
    "score",
    "trend",
    "moved",
]


def styled_action_plan(plan: pd.DataFrame, cycle: str) -> Styler | Note:
    """The action plan as the two sides read it: the need, who acts, the scores, and the action to fill in."""
    return styled_table(
        plan[PLAN_VIEW],
        caption=f"Action plan, {cycle}: the side that acts owns the need",
        headers={"rated_side": "Side that acts"},
        empty=f"No action plan for {cycle}: no need scores under B and no action of the half-year before is "
        "still unfinished.",
    )


def styled_action_review(review: pd.DataFrame, previous: str, cycle: str) -> Styler | Note:
    """Last half-year's actions beside their need's score then and now."""
    return styled_table(
        review[REVIEW_VIEW],
        caption=f"Actions planned in {previous}, scored in {cycle}",
        headers={"rated_side": "Side that acted", "previous_score": previous, "score": cycle},
        empty=f"No action was planned in {previous}: the action plan kept between cycles has none for it.",
    )


def styled_table(
    df: pd.DataFrame,
    caption: str | None = None,
    headers: dict[str, str] | None = None,
    empty: str | None = None,
) -> Styler | Note:
    """A report-card table for reading (:func:`alignment.presentation.tables.show`), grades coloured by band
    and shortfalls in red; ``headers`` relabels columns whose meaning depends on the table; an empty
    table is the sentence ``empty``."""
    styler = show(df, caption=caption, labels=headers, empty=empty)
    if isinstance(styler, Note):
        return styler
    if "grade" in df.columns:
        styler = styler.map(_grade_css, subset=["grade"])
    if "shortfall" in df.columns:
        styler = styler.apply(
            lambda s: ["color: #b2182b; font-weight: bold" if v else "" for v in s], subset=["shortfall"]
        )
    return styler


def _grade_css(letter: str) -> str:
    color = GRADE_COLORS.get(letter)
    return (
        f"background-color: {color}; color: {'white' if letter in ('A', 'F') else 'black'}; "
        "font-weight: bold; text-align: center"
        if color
        else ""
    )


def styled_report_card(card: pd.DataFrame, side: str, cycle: str) -> Styler:
    """The printable report card of one side, in the style of a school report.

    ``card`` is :meth:`alignment.practices.report_card.ReportCardAnalysis.report_card`; the last row
    (Overall) is set apart. The page's CSS travels inside the table, so the HTML export prints
    it as shown.
    """
    other = other_side(side)
    view = card.drop(columns="need_id").assign(
        need=(card["need_id"].where(card["need_id"] == "", card["need_id"] + "  ") + card["need"])
    )
    headers = {
        "need": "Need",
        "grade": "Grade",
        "score": "Score",
        "last_cycle": "Last cycle",
        "trend": "Trend",
        "comments": f"Comments from {other} (the grade each rater gave)",
    }
    last = len(view) - 1
    styler = (
        view.style.format(
            {"score": "{:.2f}", "last_cycle": "{:.2f}", "trend": lambda v: format_value(v, "trend")},
            na_rep="–",
            escape="html",
        )
        .hide(axis="index")
        .relabel_index([headers[c] for c in view.columns], axis="columns")
        .apply(
            lambda row: [
                "font-weight: bold; border-top: 2px solid #333; background: #fafafa"
                if row.name == last
                else ""
                for _ in row
            ],
            axis=1,
        )
        .map(_grade_css, subset=["grade"])
        .set_caption(html.escape(f"Report card · {side.capitalize()} · {cycle} · graded by {other}"))
        .set_table_styles(
            [
                {
                    "selector": "",
                    "props": "border-collapse: collapse; border: 2px solid #333; "
                    "font-family: Georgia, 'Times New Roman', serif; min-width: 640px;",
                },
                {
                    "selector": "caption",
                    "props": "caption-side: top; font-size: 1.25em; font-weight: bold; "
                    "text-align: left; padding: 6px 0;",
                },
                {
                    "selector": "th",
                    "props": "background: #333; color: white; text-align: left; padding: 6px 10px;",
                },
                {
                    "selector": "td",
                    "props": "padding: 5px 10px; border-bottom: 1px solid #ccc; "
                    "vertical-align: top; text-align: left;",
                },
                {
                    "selector": "td.col1, td.col2, td.col3, td.col4",
                    "props": "text-align: center; white-space: nowrap;",
                },
                {"selector": "td.col5", "props": "font-style: italic; color: #444; max-width: 360px;"},
            ]
        )
    )
    return styler


# --------------------------------------------------------------------------- no report card yet


class _Tables:
    """Several tables shown as one output (HTML in JupyterLab and the export, text elsewhere)."""

    def __init__(self, parts: list[str], text: str):
        self.parts, self.text = parts, text

    def _repr_html_(self) -> str:
        return "\n".join(self.parts)

    def __repr__(self) -> str:
        return self.text


def starter_kit_tables(kit: StarterKit | None) -> _Tables | None:
    """The templates of a company that keeps no report card yet: the needs to edit (when it has none)
    and the first raters' rows of the ratings sheet. Nothing when the company keeps a report card."""
    if kit is None:
        return None
    parts = []
    if kit.needs is not None:
        parts.append(
            _file_table(kit.needs, f"{NEEDS_TEMPLATE}: typical needs, 6 per side, to edit into your own")
        )
    first = kit.ratings.groupby("rater_side", sort=True)["rater_id"].min()
    shown = kit.ratings[kit.ratings["rater_id"].isin(first)]
    who = " and ".join(first)
    parts.append(
        _file_table(
            shown,
            f"{RATINGS_TEMPLATE}: the sheet to fill for {kit.cycle}, here the rows of {who}; "
            f"the file has all {len(kit.ratings)} rows, one per person and need",
        )
    )
    return _Tables(parts, f"<report card templates: {len(parts)} tables>")


def _file_table(df: pd.DataFrame, caption: str) -> str:
    """A table shown with the file's own column names, as it is to be filled in."""
    return styled_table(df, caption=caption, headers={c: c for c in df.columns}).to_html()
