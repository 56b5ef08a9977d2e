"""The internal report card: each side grades the other's critical needs every half-year.

Each side names its 6 critical needs of the other; every six months each side's people grade the
other side A, B, C or F on each need, and rate their own side too (a self-assessment). The
analysis turns the grades into scores both sides can read, sets the self-assessment beside the
other side's view, and prepares the action plan (CONTRACT section 6.4).

Rules
-----
- Points: A = 4, B = 3, C = 2, F = 0. A rater's side is their ``people.function``; the rated side
  is the need's ``rated_side``. A rater of the rated side is a self-assessment.
- An item's score is the mean of the other side's raters in the cycle; ``n_raters`` counts them and
  ``n_A`` .. ``n_F`` give the grade distribution. An item nobody on the other side rated has no
  score, is left out of its side's mean and is not a shortfall.
- Self score = the mean of the rated side's own raters; perception gap = self score - score. A gap
  above 1.0 grade point is a blind spot. A shortfall is a score under 3.0 (below B). Both are
  decided exactly, in whole grade points (sum of points against count x threshold), so a mean
  such as 7/3 never lands on the wrong side of a line by floating-point error.
- A side's score is the mean of its scored items; its self score the mean of its items' self
  scores; its perception gap is its self score - its score.
- Previous score = the item's (or side's) score in the preceding half-year
  (:func:`alignment.fiscal.previous_cycle`), null if it was not scored then; trend = score -
  previous score.
- The cycles analysed are those with any rating up to and including the report cycle; every need
  appears in each of them, scored or not. Ratings after the report cycle are ignored.
- The letter shown for a mean score: A from 3.5, B from 3.0, C from 1.0, F below. B starts at the
  shortfall line, so a need shown C or F is always a shortfall and one shown A or B never is.
- Importance-performance (needs that carry an importance 1-5): importance 4-5 is high, a score of
  3.0 or more performs. High importance and under 3.0: *concentrate here*; high and 3.0 or more:
  *keep up the good work*; low and under 3.0: *low priority*; low and 3.0 or more: *possible
  overkill*.
- Action review: the preceding cycle's action items, joined to this cycle's scores: whether each
  action was done (status ``done``) and whether its need's score moved (up, down, unchanged, or
  not scored in one of the two cycles).
- Action plan: one row per need of the report cycle that is a shortfall or carries an unfinished
  (``open``, ``in_progress``) action from the preceding cycle; such an action is pre-filled (action,
  owner, due and status carried). A need with several unfinished actions gets one row with the
  actions, owners, dues and statuses joined by ``; ``. Other rows leave action, owner, due and
  status empty, to be filled in.
- Warnings, never errors: a side with other than 6 needs, a need nobody on the other side graded in
  the report cycle, a side that received no grades at all in it. The analysis goes on without them.
- Raters: a side's score in the report cycle rests on the people of the other side who graded it
  (``report_card_raters`` beside the headline score); fewer than :data:`FEW_RATERS` is marked.
- No report card yet (CONTRACT section 5): a company whose data holds no ratings at all gets empty
  scores and action plan (the tables keep their headers), a null headline score, and a starter kit:
  a needs template of typical needs, 6 per side (only when it has named no needs), and the ratings
  sheet of the report cycle to fill, one row per person and need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alignment.fiscal import CYCLE_RE, previous_cycle
from alignment.inputs import Inputs
from alignment.outputs import write_csv, write_table
from alignment.problems import ParamsError
from alignment.rules import NEEDS_PER_SIDE, other_side

POINTS: dict[str, int] = {"A": 4, "B": 3, "C": 2, "F": 0}
GRADES: tuple[str, ...] = ("A", "B", "C", "F")
SIDES: tuple[str, ...] = ("marketing", "sales")
SHORTFALL_BELOW = 3.0
BLIND_SPOT_GAP = 1.0
HIGH_IMPORTANCE = 4
UNFINISHED: tuple[str, ...] = ("open", "in_progress")
QUADRANTS: tuple[str, ...] = (
    "concentrate here",
    "keep up the good work",
    "low priority",
    "possible overkill",
)
LETTER_FROM: tuple[tuple[str, float], ...] = (("A", 3.5), ("B", 3.0), ("C", 1.0), ("F", -np.inf))
FEW_RATERS = 3  # a side's score given by fewer people of the other side is marked as resting on few raters

SCORE_COLUMNS = [
    "cycle",
    "need_id",
    "rated_side",
    "score",
    "n_raters",
    "self_score",
    "perception_gap",
    "previous_score",
    "trend",
    "shortfall",
]
SCORE_EXTRA = [
    "needed_by",
    "description",
    "importance",
    "grade",
    "n_A",
    "n_B",
    "n_C",
    "n_F",
    "n_self_raters",
    "blind_spot",
]
PLAN_COLUMNS = [
    "cycle",
    "need_id",
    "rated_side",
    "score",
    "previous_score",
    "action",
    "owner",
    "due",
    "status",
]
PLAN_EXTRA = ["shortfall", "carried_over", "needed_by", "description", "trend"]
SIDE_COLUMNS = [
    "cycle",
    "rated_side",
    "graded_by",
    "score",
    "grade",
    "self_score",
    "perception_gap",
    "previous_score",
    "trend",
    "n_needs",
    "n_scored",
    "n_shortfalls",
    "n_blind_spots",
]


def grade_letter(score: pd.Series) -> pd.Series:
    """The letter shown for a mean score: A from 3.5, B from 3.0, C from 1.0, F below; empty if unscored."""
    s = score.astype("float64")
    letters = np.select([s >= t for _, t in LETTER_FROM], [g for g, _ in LETTER_FROM], default="")
    return pd.Series(np.where(s.isna(), "", letters), index=score.index, dtype="str")


def graded_ratings(needs: pd.DataFrame, ratings: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """The ratings with their points, the rater's side and the need's sides.

    Returns columns cycle, rater_id, rater_side, need_id, rated_side, needed_by, grade, points,
    self_assessment (bool) and comment ("" when none).
    """
    r = ratings[["cycle", "rater_id", "need_id", "grade"]].copy()
    r["grade"] = r["grade"].str.upper()
    r["comment"] = ratings["comment"].fillna("") if "comment" in ratings.columns else ""
    r = r.merge(
        people[["person_id", "function"]].rename(columns={"person_id": "rater_id", "function": "rater_side"}),
        on="rater_id",
        how="inner",
    )
    r = r.merge(needs[["need_id", "rated_side", "needed_by"]], on="need_id", how="inner")
    r["points"] = r["grade"].map(POINTS).astype("int64")
    r["self_assessment"] = (r["rater_side"] == r["rated_side"]).astype("bool")
    cols = [
        "cycle",
        "rater_id",
        "rater_side",
        "need_id",
        "rated_side",
        "needed_by",
        "grade",
        "points",
        "self_assessment",
        "comment",
    ]
    return r[cols].sort_values(["cycle", "need_id", "rater_id"], ignore_index=True)


def cycles_analysed(ratings: pd.DataFrame, cycle: str) -> list[str]:
    """The half-years with any rating, up to and including ``cycle``, in time order."""
    cycles = pd.Series(ratings["cycle"].unique(), dtype="str")
    return sorted(c for c in cycles if c <= cycle)


def _previous(frame: pd.DataFrame, keys: list[str], value: str = "score") -> pd.Series:
    """Each row's ``value`` in the preceding half-year, matched on ``keys`` (null where absent)."""
    cycles = frame["cycle"].unique()
    prev_of = {c: previous_cycle(c) for c in cycles}
    lookup = frame[["cycle", *keys, value]].rename(columns={"cycle": "_prev", value: "_value"})
    probe = frame[keys].assign(_prev=frame["cycle"].map(prev_of))
    return probe.merge(lookup, on=["_prev", *keys], how="left")["_value"].set_axis(frame.index)


def item_scores(graded: pd.DataFrame, needs: pd.DataFrame, cycles: list[str]) -> pd.DataFrame:
    """One row per (cycle, need) for the given cycles: score, raters, grade distribution, self view, trend.

    Columns: :data:`SCORE_COLUMNS` then :data:`SCORE_EXTRA`, sorted by cycle, rated side, need_id.
    """
    need_cols = ["need_id", "rated_side", "needed_by", "description", "importance"]
    grid = pd.DataFrame({"cycle": pd.Series(cycles, dtype="str")}).merge(needs[need_cols], how="cross")
    g = graded[graded["cycle"].isin(cycles)]
    other = g[~g["self_assessment"]].assign(**{f"n_{x}": (g["grade"] == x).astype("int64") for x in GRADES})
    other_agg = other.groupby(["cycle", "need_id"], as_index=False).agg(
        points=("points", "sum"), n_raters=("points", "size"), **{f"n_{x}": (f"n_{x}", "sum") for x in GRADES}
    )
    own = g[g["self_assessment"]]
    own_agg = own.groupby(["cycle", "need_id"], as_index=False).agg(
        self_points=("points", "sum"), n_self_raters=("points", "size")
    )
    s = grid.merge(other_agg, on=["cycle", "need_id"], how="left").merge(
        own_agg, on=["cycle", "need_id"], how="left"
    )
    count_cols = ["n_raters", "n_self_raters", *(f"n_{x}" for x in GRADES)]
    s[count_cols] = s[count_cols].fillna(0).astype("int64")
    points = s["points"].fillna(0).astype("int64")
    self_points = s["self_points"].fillna(0).astype("int64")
    n, n_self = s["n_raters"], s["n_self_raters"]
    s["score"] = (points / n).where(n > 0).astype("float64")
    s["self_score"] = (self_points / n_self).where(n_self > 0).astype("float64")
    s["perception_gap"] = s["self_score"] - s["score"]
    # exact, in whole points: self/n_self - points/n > gap  <=>  self*n - points*n_self > gap*n*n_self
    s["blind_spot"] = (
        (n > 0) & (n_self > 0) & (self_points * n - points * n_self > BLIND_SPOT_GAP * n * n_self)
    ).astype("bool")
    s["shortfall"] = ((n > 0) & (points < SHORTFALL_BELOW * n)).astype("bool")
    s["grade"] = grade_letter(s["score"])
    s = s.sort_values(["cycle", "rated_side", "need_id"], ignore_index=True)
    s["previous_score"] = _previous(s, ["need_id"]).astype("float64")
    s["trend"] = s["score"] - s["previous_score"]
    return s[SCORE_COLUMNS + SCORE_EXTRA]


def side_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per (cycle, rated side): the side's score, self score, perception gap, trend and counts.

    Both sides appear in every cycle; a side with no scored need has no score.
    """
    cycles = pd.Series(scores["cycle"].unique(), dtype="str")
    grid = pd.DataFrame({"cycle": cycles}).merge(
        pd.DataFrame({"rated_side": pd.Series(SIDES, dtype="str")}), how="cross"
    )
    agg = scores.groupby(["cycle", "rated_side"], as_index=False).agg(
        score=("score", "mean"),
        self_score=("self_score", "mean"),
        n_needs=("need_id", "size"),
        n_scored=("score", "count"),
        n_shortfalls=("shortfall", "sum"),
        n_blind_spots=("blind_spot", "sum"),
    )
    s = grid.merge(agg, on=["cycle", "rated_side"], how="left")
    for col in ("n_needs", "n_scored", "n_shortfalls", "n_blind_spots"):
        s[col] = s[col].fillna(0).astype("int64")
    for col in ("score", "self_score"):
        s[col] = s[col].astype("float64")
    s["graded_by"] = other_side(s["rated_side"]).astype("str")
    s["grade"] = grade_letter(s["score"])
    s["perception_gap"] = s["self_score"] - s["score"]
    s = s.sort_values(["cycle", "rated_side"], ignore_index=True)
    s["previous_score"] = _previous(s, ["rated_side"]).astype("float64")
    s["trend"] = s["score"] - s["previous_score"]
    return s[SIDE_COLUMNS]


def _moved(trend: pd.Series) -> pd.Series:
    """up / down / unchanged, or "not scored" where either cycle has no score."""
    word = np.select([trend > 0, trend < 0, trend == 0], ["up", "down", "unchanged"], default="not scored")
    return pd.Series(word, index=trend.index, dtype="str")


def action_review(scores: pd.DataFrame, action_items: pd.DataFrame, cycle: str) -> pd.DataFrame:
    """Did the actions work: the preceding cycle's actions beside their need's score then and now.

    One row per action item of the preceding cycle, with ``done`` (status is done) and ``moved``
    (up, down, unchanged, not scored), in rated side and need order.
    """
    prev = previous_cycle(cycle)
    acts = action_items.loc[
        action_items["cycle"] == prev, ["cycle", "need_id", "action", "owner", "due", "status"]
    ]
    now = scores.loc[
        scores["cycle"] == cycle, ["need_id", "rated_side", "description", "previous_score", "score", "trend"]
    ]
    out = acts.rename(columns={"cycle": "action_cycle"}).merge(now, on="need_id", how="left")
    out["done"] = (out["status"] == "done").astype("bool")
    out["moved"] = _moved(out["trend"])
    out["improved"] = (out["moved"] == "up").astype("bool")
    cols = [
        "action_cycle",
        "need_id",
        "rated_side",
        "description",
        "action",
        "owner",
        "due",
        "status",
        "done",
        "previous_score",
        "score",
        "trend",
        "moved",
        "improved",
    ]
    return out[cols].sort_values(["rated_side", "need_id"], kind="stable", ignore_index=True)


def action_plan(scores: pd.DataFrame, action_items: pd.DataFrame, cycle: str) -> pd.DataFrame:
    """The report cycle's action plan: shortfalls and unfinished actions carried from the preceding cycle.

    Columns: :data:`PLAN_COLUMNS` then :data:`PLAN_EXTRA`; the side that must act is ``rated_side``.
    Rows are in rated side order, lowest score first (unscored last), then need_id.
    """
    prev = previous_cycle(cycle)
    open_acts = action_items[(action_items["cycle"] == prev) & action_items["status"].isin(UNFINISHED)]
    carried = open_acts.groupby("need_id", as_index=False, sort=True).agg(
        action=("action", "; ".join),
        owner=("owner", "; ".join),
        due=("due", "; ".join),
        status=("status", "; ".join),
    )
    now = scores[scores["cycle"] == cycle]
    rows = now[now["shortfall"] | now["need_id"].isin(carried["need_id"])]
    plan = rows.merge(carried, on="need_id", how="left")
    plan["carried_over"] = plan["need_id"].isin(carried["need_id"]).astype("bool")
    for col in ("action", "owner", "due", "status"):
        plan[col] = plan[col].fillna("").astype("str")
    plan = plan.sort_values(["rated_side", "score", "need_id"], na_position="last", ignore_index=True)
    return plan[PLAN_COLUMNS + PLAN_EXTRA]


def importance_performance(scores: pd.DataFrame, cycle: str) -> pd.DataFrame:
    """The report cycle's scored needs that carry an importance, placed in the four quadrants."""
    now = scores[(scores["cycle"] == cycle) & scores["importance"].notna() & scores["score"].notna()]
    high = now["importance"].astype("float64") >= HIGH_IMPORTANCE
    good = now["score"] >= SHORTFALL_BELOW
    quadrant = np.select(
        [high & ~good, high & good, ~high & ~good], list(QUADRANTS[:3]), default=QUADRANTS[3]
    )
    out = now[["need_id", "rated_side", "needed_by", "description", "importance", "score", "grade"]].copy()
    out["quadrant"] = pd.Series(quadrant, index=now.index, dtype="str")
    return out.reset_index(drop=True)


def coverage_warnings(
    scores: pd.DataFrame, sides: pd.DataFrame, needs: pd.DataFrame, cycle: str
) -> list[str]:
    """Warnings about what the report cycle cannot score; the analysis goes on without those needs."""
    lines = []
    counts = needs["rated_side"].value_counts()
    for side in SIDES:
        n = int(counts.get(side, 0))
        if n != NEEDS_PER_SIDE:
            lines.append(
                f"warning: report_card_needs: the {side} side is graded on {n} need{'s' * (n != 1)}, the "
                f"practice names {NEEDS_PER_SIDE}; the analysis goes on with {n}"
            )
    now = scores[scores["cycle"] == cycle]
    unscored_sides = set(
        sides.loc[(sides["cycle"] == cycle) & (sides["n_needs"] > 0) & sides["score"].isna(), "rated_side"]
    )
    for side in sorted(unscored_sides):
        lines.append(
            f"warning: report_card_ratings: {cycle}: the {side} side received no grades from the "
            f"{other_side(side)} side; it has no score this cycle"
        )
    missing = now[now["score"].isna() & ~now["rated_side"].isin(unscored_sides)]
    lines += [
        f"warning: report_card_ratings: {cycle}: need {n} ({d}) has no grade from the {b} side; "
        f"it is left out of the {r} side's score"
        for n, d, b, r in zip(
            missing["need_id"],
            missing["description"],
            missing["needed_by"],
            missing["rated_side"],
            strict=True,
        )
    ]
    return lines


@dataclass(frozen=True)
class ReportCardAnalysis:
    """The report card of one half-year, with the history it is compared against."""

    cycle: str
    previous_cycle: str
    needs: pd.DataFrame
    ratings: pd.DataFrame
    scores: pd.DataFrame
    sides: pd.DataFrame
    action_review: pd.DataFrame
    action_plan: pd.DataFrame
    importance: pd.DataFrame
    warnings: tuple[str, ...]

    def current(self) -> pd.DataFrame:
        """The report cycle's item scores."""
        return self.scores[self.scores["cycle"] == self.cycle].reset_index(drop=True)

    def side_summary(self) -> pd.DataFrame:
        """The report cycle's score of each side."""
        return self.sides[self.sides["cycle"] == self.cycle].reset_index(drop=True)

    def shortfalls(self) -> pd.DataFrame:
        """The report cycle's needs scoring under B."""
        now = self.current()
        return now[now["shortfall"]].sort_values(["rated_side", "score", "need_id"], ignore_index=True)

    def blind_spots(self) -> pd.DataFrame:
        """The report cycle's needs where a side grades itself more than one grade point above the other's view."""
        now = self.current()
        cols = [
            "need_id",
            "rated_side",
            "description",
            "self_score",
            "score",
            "perception_gap",
            "n_self_raters",
            "n_raters",
        ]
        return now.loc[now["blind_spot"], cols].sort_values(
            "perception_gap", ascending=False, ignore_index=True
        )

    def scores_table(self) -> pd.DataFrame:
        """``report_card_scores.csv``: one row per (cycle, need) up to the report cycle."""
        return self.scores[SCORE_COLUMNS + SCORE_EXTRA]

    def raters(self) -> dict[str, int]:
        """How many people of the other side graded each side in the report cycle (self-assessments apart).

        Recorded beside the headline score as ``report_card_raters``, so that the index can mark a
        score that rests on few raters.
        """
        r = self.ratings
        now = r[(r["cycle"] == self.cycle) & ~r["self_assessment"]]
        counts = now.groupby("rated_side")["rater_id"].nunique()
        return {side: int(counts.get(side, 0)) for side in SIDES}

    def headline(self) -> dict[str, Any]:
        """The headline figure: the score each side received from the other in the report cycle."""
        now = self.side_summary().set_index("rated_side")["score"]
        return {
            "report_card_score": {
                side: (None if pd.isna(now.get(side, np.nan)) else float(now[side])) for side in SIDES
            }
        }

    def report_card(self, side: str) -> pd.DataFrame:
        """The printable report card of one side: need, grade, score, last cycle, trend, comments.

        The last row, ``Overall``, is the side's score. ``comments`` (the other side's raters' remarks,
        each in quotes with the grade its rater gave, a remark made with the same grade by several
        raters once with its count) is present only where the ratings carry comments: a need's mean
        may be a C while one rater wrote an A's praise, and the rater's grade shows whose view it is.
        """
        now = self.current()
        now = now[now["rated_side"] == side]
        r = self.ratings
        remarks = r[
            (r["cycle"] == self.cycle)
            & (r["rated_side"] == side)
            & ~r["self_assessment"]
            & (r["comment"].str.len() > 0)
        ]
        said = remarks.groupby(["need_id", "grade", "comment"], as_index=False, sort=True).size()
        times = (" \u00d7" + said["size"].astype("str")).where(said["size"] > 1, "")
        quoted = (
            ("\u201c" + said["comment"] + "\u201d (" + said["grade"] + times + ")")
            .groupby(said["need_id"])
            .agg(" ".join)
        )
        card = pd.DataFrame(
            {
                "need_id": now["need_id"],
                "need": now["description"],
                "grade": now["grade"],
                "score": now["score"],
                "last_cycle": now["previous_score"],
                "trend": now["trend"],
                "comments": quoted.astype("str").reindex(now["need_id"], fill_value="").to_numpy(),
            }
        )
        total = self.side_summary().set_index("rated_side").reindex([side])
        overall = pd.DataFrame(
            {
                "need_id": [""],
                "need": ["Overall"],
                "grade": total["grade"].fillna("").to_numpy(),
                "score": total["score"].to_numpy(),
                "last_cycle": total["previous_score"].to_numpy(),
                "trend": total["trend"].to_numpy(),
                "comments": [""],
            }
        )
        card = pd.concat([card, overall], ignore_index=True)
        if not (card["comments"].str.len() > 0).any():
            card = card.drop(columns="comments")
        return card


def check_cycle(ratings: pd.DataFrame, cycle: str, source: str = "notebook parameters") -> None:
    """Refuse a report cycle without ratings when the data holds ratings at all.

    Raises
    ------
    ParamsError
        Naming ``report_card.cycle``, as :func:`alignment.params.check_against_inputs` does.
    """
    if not CYCLE_RE.match(cycle):
        raise ParamsError(
            [f"{source}: report_card.cycle: value {cycle!r}: expected a half-year YYYY-H1 or YYYY-H2"]
        )
    if not ratings.empty and not (ratings["cycle"] == cycle).any():
        cycles = ", ".join(sorted(set(ratings["cycle"])))
        raise ParamsError(
            [f"{source}: report_card.cycle: value {cycle!r}: expected a cycle with ratings ({cycles})"]
        )


def analyse(inputs: Inputs, cycle: str) -> ReportCardAnalysis:
    """Score the report card of ``cycle`` and every earlier half-year with ratings.

    Raises
    ------
    ParamsError
        If ``cycle`` has no ratings while other half-years have some.
    """
    check_cycle(inputs.report_card_ratings, cycle)
    needs = inputs.report_card_needs.sort_values(["rated_side", "need_id"], ignore_index=True)
    graded = graded_ratings(needs, inputs.report_card_ratings, inputs.people)
    graded = graded[graded["cycle"] <= cycle].reset_index(drop=True)
    scores = item_scores(graded, needs, cycles_analysed(graded, cycle))
    sides = side_scores(scores)
    return ReportCardAnalysis(
        cycle=cycle,
        previous_cycle=previous_cycle(cycle),
        needs=needs,
        ratings=graded,
        scores=scores,
        sides=sides,
        action_review=action_review(scores, inputs.action_items, cycle),
        action_plan=action_plan(scores, inputs.action_items, cycle),
        importance=importance_performance(scores, cycle),
        warnings=tuple(coverage_warnings(scores, sides, needs, cycle)),
    )


def warnings_markdown(analysis: ReportCardAnalysis) -> str:
    """The analysis' warnings as a Markdown list, or a line saying there are none."""
    if analysis.ratings.empty:
        head = "No grades yet, so nothing to score; see above how to start a report card."
        if analysis.needs.empty or not analysis.warnings:
            return head
        return head + "\n\n" + "\n".join(f"- {w.removeprefix('warning: ')}" for w in analysis.warnings)
    if not analysis.warnings:
        return (
            f"No warnings: each side names {NEEDS_PER_SIDE} needs and every need was graded by the other "
            f"side in {analysis.cycle}."
        )
    return "\n".join(f"- {w.removeprefix('warning: ')}" for w in analysis.warnings)


def write_tables(analysis: ReportCardAnalysis, report_dir: str | Path | None) -> list[Path]:
    """Write ``report_card_scores.csv`` and ``action_plan.csv`` into ``report_dir``; None writes nothing."""
    if report_dir is None:
        return []
    tables = Path(report_dir)
    return [
        write_table(analysis.scores_table(), tables / "report_card_scores.csv"),
        write_table(analysis.action_plan, tables / "action_plan.csv"),
    ]


UNFINISHED = ("open", "in_progress")


def due_dates(due: pd.Series) -> pd.Series:
    """Due dates as timestamps (NaT where empty or unreadable); a month ``YYYY-MM`` falls due at its end."""
    text = due.astype("str")
    dates = pd.to_datetime(text, format="mixed", errors="coerce")
    month_only = text.str.fullmatch(r"\d{4}-\d{2}")
    return dates.where(~month_only, dates + pd.offsets.MonthEnd(0))


def overdue_actions(action_items: pd.DataFrame, as_of: str, by: Sequence[str] = ("need_id",)) -> pd.DataFrame:
    """Unfinished actions (open, in progress) whose due date is before ``as_of`` (``YYYY-MM-DD``).

    Returns the action items with ``days_overdue``, the most overdue first, then by the columns
    ``by``. A due date that is a month (``YYYY-MM``) falls due at the month's end. The report card's
    action items and the monthly review's actions are both judged here.
    """
    items = action_items[action_items["status"].str.lower().isin(UNFINISHED)].copy()
    items["days_overdue"] = (pd.Timestamp(as_of) - due_dates(items["due"])).dt.days
    items = items[items["days_overdue"] > 0]
    return items.sort_values(["days_overdue", *by], ascending=[False, *([True] * len(by))], ignore_index=True)


def overdue_table(action_items: pd.DataFrame, review_month: str) -> pd.DataFrame:
    """The overdue actions as page 04 shows them, as of the end of the review month.

    Columns: cycle, need_id, action, owner (the person id: a shown table writes it ``Name (id)``,
    :func:`alignment.presentation.tables.with_names`), due, status, days_overdue.
    """
    as_of = pd.Period(review_month, "M").end_time.strftime("%Y-%m-%d")
    items = overdue_actions(action_items, as_of)
    return items[["cycle", "need_id", "action", "owner", "due", "status", "days_overdue"]]


def practice_summary(
    card: ReportCardAnalysis, action_items: pd.DataFrame, review_month: str
) -> dict[str, Any]:
    """What the report's summary says of the report card: shortfalls, unfinished and overdue actions.

    Overdue is counted as of the end of ``review_month``, the month the report's figures run to.
    """
    as_of = pd.Period(review_month, "M").end_time.strftime("%Y-%m-%d")
    unfinished = action_items["status"].str.lower().isin(UNFINISHED)
    current = card.current()
    return {
        "cycle": card.cycle,
        "shortfalls": int(current["shortfall"].fillna(False).astype(bool).sum()),
        "open_actions": int(unfinished.sum()),
        "overdue_actions": len(overdue_actions(action_items, as_of)),
        "as_of": as_of,
    }


# --------------------------------------------------------------------------- few raters


def few_raters(headline: dict[str, Any]) -> dict[str, int]:
    """The sides whose report-card score rests on fewer than :data:`FEW_RATERS` raters, with their count.

    Read from a run's headline figures (``report_card_score`` and ``report_card_raters``); a side
    without a score is not listed.
    """
    scores = headline.get("report_card_score") or {}
    raters = headline.get("report_card_raters") or {}
    return {
        side: int(raters[side])
        for side in SIDES
        if scores.get(side) is not None and raters.get(side) is not None and raters[side] < FEW_RATERS
    }


def few_raters_note(headline: dict[str, Any]) -> str | None:
    """One sentence naming each side whose score rests on few raters, or None."""
    thin = few_raters(headline)
    if not thin:
        return None
    parts = [f"{side} was graded by {n} {other_side(side)} rater{'s' * (n != 1)}" for side, n in thin.items()]
    return (
        f"The score rests on fewer than {FEW_RATERS} raters per side: {' and '.join(parts)}; "
        "one person's view weighs heavily, so read it with care."
    )


# --------------------------------------------------------------------------- no report card yet

STARTER_NEEDS: tuple[tuple[str, str, str], ...] = (  # need_id, needed_by, description
    ("S-N1", "sales", "Qualified leads handed over within an agreed time"),
    ("S-N2", "sales", "Current competitive battle cards for every product line"),
    ("S-N3", "sales", "Product training before each launch"),
    ("S-N4", "sales", "Price list and promotion calendar a quarter ahead"),
    ("S-N5", "sales", "Customer references and case studies for each customer group"),
    ("S-N6", "sales", "Campaigns planned with the field for each customer group"),
    ("M-N1", "marketing", "Follow-up of every qualified lead, logged in the CRM"),
    ("M-N2", "marketing", "Win/loss reason recorded for every closed deal"),
    ("M-N3", "marketing", "Field feedback on pricing and competitors every month"),
    ("M-N4", "marketing", "A forecast by customer group updated every month"),
    ("M-N5", "marketing", "Introductions to customers for case studies"),
    ("M-N6", "marketing", "Attendance at launch trainings and campaign briefings"),
)
NEEDS_TEMPLATE = "report_card_needs_template.csv"
RATINGS_TEMPLATE = "report_card_ratings_template.csv"
RATINGS_SHEET_COLUMNS = [
    "cycle",
    "rater_id",
    "need_id",
    "grade",
    "comment",
    "rater_name",
    "rater_side",
    "rated_side",
    "view",
    "description",
]


@dataclass(frozen=True)
class StarterKit:
    """How a company without any ratings starts its report card.

    ``needs`` is a ``report_card_needs`` file to edit (typical needs, 6 per side), or None when
    the company has named its needs already; ``ratings`` is the sheet to fill for ``cycle``: one
    row per person and need, ``grade`` and ``comment`` empty. Its columns after ``comment`` help
    the rater and are ignored when the sheet is read back as ``report_card_ratings``.
    """

    cycle: str
    needs: pd.DataFrame | None
    ratings: pd.DataFrame


def needs_template() -> pd.DataFrame:
    """A ``report_card_needs`` file of typical needs, 6 per side, for a company to edit into its own."""
    need_id, needed_by, description = (list(c) for c in zip(*STARTER_NEEDS, strict=True))
    needed = pd.Series(needed_by, dtype="str")
    return pd.DataFrame(
        {
            "need_id": pd.Series(need_id, dtype="str"),
            "needed_by": needed,
            "rated_side": other_side(needed).astype("str"),
            "description": pd.Series(description, dtype="str"),
            "importance": pd.Series([""] * len(need_id), dtype="str"),
        }
    )


def ratings_template(needs: pd.DataFrame, people: pd.DataFrame, cycle: str) -> pd.DataFrame:
    """The ratings sheet of ``cycle`` to fill: every person grades every need, the other side's and
    their own side's (a self-assessment); rows by person, then the other side's needs first."""
    raters = people[["person_id", "name", "function"]].rename(
        columns={"person_id": "rater_id", "name": "rater_name", "function": "rater_side"}
    )
    sheet = raters.merge(needs[["need_id", "rated_side", "description"]], how="cross")
    own = sheet["rater_side"].str.lower() == sheet["rated_side"].str.lower()
    sheet["view"] = pd.Series(
        np.where(own, "self-assessment", "grade the other side"), index=sheet.index, dtype="str"
    )
    sheet = (
        sheet.assign(_own=own)
        .sort_values(["rater_id", "_own", "need_id"], kind="stable", ignore_index=True)
        .drop(columns="_own")
    )
    sheet["cycle"] = cycle
    sheet["grade"] = ""
    sheet["comment"] = ""
    return sheet[RATINGS_SHEET_COLUMNS].astype("str")


def starter_kit(inputs: Inputs, cycle: str) -> StarterKit | None:
    """The starter kit of a company with no ratings at all; None when it keeps a report card."""
    if len(inputs.report_card_ratings):
        return None
    has_needs = len(inputs.report_card_needs) > 0
    needs = inputs.report_card_needs if has_needs else needs_template()
    people = inputs.people.sort_values("person_id", ignore_index=True)
    return StarterKit(
        cycle=cycle, needs=None if has_needs else needs, ratings=ratings_template(needs, people, cycle)
    )


def write_starter_kit(kit: StarterKit | None, report_dir: str | Path | None) -> list[Path]:
    """Write the needs template (when the company has no needs) and the ratings sheet into ``report_dir``."""
    if kit is None or report_dir is None:
        return []
    tables = Path(report_dir)
    paths = [] if kit.needs is None else [write_csv(kit.needs, tables / NEEDS_TEMPLATE)]
    return [*paths, write_csv(kit.ratings, tables / RATINGS_TEMPLATE)]


def status_markdown(analysis: ReportCardAnalysis, kit: StarterKit | None) -> str:
    """Where the report card stands: who graded whom this half-year, or, with no ratings, how to start."""
    if kit is None:
        raters = analysis.raters()
        lines = [
            f"In **{analysis.cycle}**, {raters['marketing']} sales "
            f"{'person' if raters['marketing'] == 1 else 'people'} graded marketing and "
            f"{raters['sales']} marketing {'person' if raters['sales'] == 1 else 'people'} graded sales."
        ]
        note = few_raters_note(analysis.headline() | {"report_card_raters": raters})
        if note:
            lines.append(f"**Few raters.** {note}")
        return "\n\n".join(lines)
    needs_step = (
        f"1. **Name the needs.** Each side names its {NEEDS_PER_SIDE} critical needs of the other in "
        "`report_card_needs.csv` (need_id, needed_by, rated_side, description, optional importance 1-5). "
        f"Below is a template of typical needs to edit into your own (`{NEEDS_TEMPLATE}` in the report's "
        "tables)."
        if kit.needs is not None
        else "1. **The needs are named**: `report_card_needs` lists them (next section)."
    )
    return "\n".join(
        [
            "**No report card is kept yet**: the data holds no report-card ratings "
            "(`report_card_ratings` is missing or has no rows), so there are no scores, the headline "
            "score is empty and the tables `report_card_scores.csv` and `action_plan.csv` hold only "
            "their headers. How to start one:",
            "",
            needs_step,
            f"2. **Grade.** Every half-year, each person grades every need A, B, C or F: the other side's "
            f"needs, and their own side's as a self-assessment. The sheet to fill for {kit.cycle} is "
            f"below (`{RATINGS_TEMPLATE}`: one row per person and need; fill `grade`, add a "
            "`comment` if you like, delete the rows left ungraded).",
            "3. **Save it** as `report_card_ratings.csv` in the data folder, check it with "
            "`alignment validate`, and run the workbook again: this page then scores the report card.",
        ]
    )
