"""The report card (CONTRACT 6.4): known answers scored by hand, the two tables, bad input and bad parameters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tiny_company import FILES, write_company

from alignment.inputs import check_folder, load_inputs
from alignment.outputs import read_headline_parts, write_headline_part
from alignment.params import check_against_inputs, parse_params
from alignment.practices import report_card as rc
from alignment.problems import ParamsError

# --------------------------------------------------------------------------- a small report card scored by hand

PEOPLE = """person_id,name,function,team
S01,Sam Reyes,sales,North Sales
S02,Ana Kim,sales,South Sales
M01,Lea Park,marketing,Product Marketing
M02,Tom Berg,marketing,Field Marketing
"""

NEEDS = """need_id,needed_by,rated_side,description,importance
S-N1,sales,marketing,Qualified leads within 24 hours,5
S-N2,sales,marketing,Current battle cards,2
S-N3,sales,marketing,Launch training,4
M-N1,marketing,sales,Lead follow-up in the CRM,4
M-N2,marketing,sales,Win/loss reasons,
"""

# points: A = 4, B = 3, C = 2, F = 0
RATINGS = """cycle,rater_id,need_id,grade,comment
2024-H2,S01,S-N1,B,
2025-H2,S01,S-N1,C,
2025-H2,S02,S-N1,F,
2025-H2,M01,S-N1,B,
2025-H2,S01,S-N2,B,
2025-H2,S02,S-N2,B,
2025-H2,M01,M-N1,C,
2025-H2,M02,M-N1,C,
2025-H2,M01,M-N2,B,
2026-H1,S01,S-N1,A,Much faster
2026-H1,S02,S-N1,A,Much faster
2026-H1,S01,S-N2,C,
2026-H1,S02,S-N2,b,
2026-H1,M01,S-N2,A,We did it
2026-H1,M02,S-N2,A,
2026-H1,S01,S-N3,F,Not happening
2026-H1,S02,S-N3,C,
2026-H1,M01,M-N1,A,
2026-H1,M02,M-N1,C,
2026-H1,S02,M-N1,A,
2026-H1,S01,M-N2,A,
2026-H2,S01,S-N1,F,
"""

ACTIONS = """cycle,need_id,action,owner,due,status
2024-H2,S-N1,Old action,M01,2025-01-31,open
2025-H2,S-N1,Weekly lead review,M01,2026-03-31,done
2025-H2,S-N2,Battle card refresh,M02,2026-04-30,in_progress
2025-H2,M-N1,CRM follow-up field,S01,2026-05-31,open
2025-H2,M-N1,Pipeline call,S02,2026-06-30,in_progress
2025-H2,M-N2,Win/loss review,S02,2026-02-28,dropped
"""

# The same scores, worked out by hand (cycle, need) -> (score, n_raters, self score, previous score)
HAND = {
    ("2024-H2", "S-N1"): (3.0, 1, None, None),
    ("2025-H2", "S-N1"): ((2 + 0) / 2, 2, 3.0, None),  # 2025-H1 has no ratings: no previous score
    ("2025-H2", "S-N2"): (3.0, 2, None, None),
    ("2025-H2", "S-N3"): (None, 0, None, None),
    ("2025-H2", "M-N1"): (2.0, 2, None, None),
    ("2025-H2", "M-N2"): (3.0, 1, None, None),
    ("2026-H1", "S-N1"): (4.0, 2, None, 1.0),
    ("2026-H1", "S-N2"): ((2 + 3) / 2, 2, 4.0, 3.0),
    ("2026-H1", "S-N3"): ((0 + 2) / 2, 2, None, None),
    ("2026-H1", "M-N1"): ((4 + 2) / 2, 2, 4.0, 2.0),  # exactly on the B line: not a shortfall
    ("2026-H1", "M-N2"): (None, 0, 4.0, 3.0),  # only a self-assessment: no score
}


def hand_company(folder: Path, **changes: str | None) -> Path:
    files = {
        "people": PEOPLE,
        "report_card_needs": NEEDS,
        "report_card_ratings": RATINGS,
        "action_items": ACTIONS,
        **changes,
    }
    return write_company(folder, **files)


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> rc.ReportCardAnalysis:
    inputs = load_inputs(hand_company(tmp_path_factory.mktemp("hand")), fiscal_year=2026)
    return rc.analyse(inputs, "2026-H1")


def _value(frame: pd.DataFrame, cycle: str, need: str, column: str):
    row = frame[(frame["cycle"] == cycle) & (frame["need_id"] == need)]
    assert len(row) == 1
    value = row[column].iloc[0]
    return None if pd.isna(value) else value


class TestItemScores:
    def test_one_row_per_cycle_and_need_up_to_the_cycle(self, card: rc.ReportCardAnalysis) -> None:
        table = card.scores_table()
        assert list(table.columns[:10]) == [
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
        assert sorted(set(table["cycle"])) == ["2024-H2", "2025-H2", "2026-H1"]  # 2026-H2 comes after
        assert len(table) == 3 * 5
        assert table.duplicated(["cycle", "need_id"]).sum() == 0

    @pytest.mark.parametrize(("key", "expected"), list(HAND.items()), ids=[f"{c}-{n}" for c, n in HAND])
    def test_known_answers(self, card: rc.ReportCardAnalysis, key: tuple[str, str], expected: tuple) -> None:
        cycle, need = key
        score, n_raters, self_score, previous = expected
        s = card.scores
        assert _value(s, cycle, need, "score") == (pytest.approx(score) if score is not None else None)
        assert _value(s, cycle, need, "n_raters") == n_raters
        assert _value(s, cycle, need, "self_score") == (
            pytest.approx(self_score) if self_score is not None else None
        )
        assert _value(s, cycle, need, "previous_score") == (
            pytest.approx(previous) if previous is not None else None
        )
        if score is not None and previous is not None:
            assert _value(s, cycle, need, "trend") == pytest.approx(score - previous)
        else:
            assert _value(s, cycle, need, "trend") is None
        if score is not None and self_score is not None:
            assert _value(s, cycle, need, "perception_gap") == pytest.approx(self_score - score)
        else:
            assert _value(s, cycle, need, "perception_gap") is None

    def test_shortfalls_are_under_b_and_never_unscored(self, card: rc.ReportCardAnalysis) -> None:
        now = card.current().set_index("need_id")
        assert now["shortfall"].to_dict() == {
            "S-N1": False,
            "S-N2": True,
            "S-N3": True,
            "M-N1": False,
            "M-N2": False,
        }
        assert now["shortfall"].dtype == bool

    def test_blind_spots_gap_above_one(self, card: rc.ReportCardAnalysis) -> None:
        s = card.scores
        assert _value(s, "2025-H2", "S-N1", "blind_spot")  # self 3.0 vs 1.0
        assert _value(s, "2026-H1", "S-N2", "blind_spot")  # self 4.0 vs 2.5
        assert not _value(s, "2026-H1", "M-N1", "blind_spot")  # gap exactly 1.0
        assert not _value(s, "2026-H1", "M-N2", "blind_spot")  # no score to compare with
        assert card.blind_spots()["need_id"].tolist() == ["S-N2"]

    def test_grade_distribution_and_letters(self, card: rc.ReportCardAnalysis) -> None:
        now = card.current().set_index("need_id")
        assert now.loc["S-N2", ["n_A", "n_B", "n_C", "n_F"]].tolist() == [
            0,
            1,
            1,
            0,
        ]  # self grades not counted
        assert now.loc["S-N3", ["n_A", "n_B", "n_C", "n_F"]].tolist() == [0, 0, 1, 1]
        assert now["grade"].to_dict() == {"S-N1": "A", "S-N2": "C", "S-N3": "C", "M-N1": "B", "M-N2": ""}
        assert now["n_self_raters"].to_dict() == {"S-N1": 0, "S-N2": 2, "S-N3": 0, "M-N1": 1, "M-N2": 1}

    def test_ratings_after_the_cycle_are_ignored(self, card: rc.ReportCardAnalysis) -> None:
        assert card.ratings["cycle"].max() == "2026-H1"


class TestSideScores:
    def test_side_scores_and_trend(self, card: rc.ReportCardAnalysis) -> None:
        sides = card.sides.set_index(["cycle", "rated_side"])
        # marketing 2026-H1: (4.0 + 2.5 + 1.0) / 3; sales: M-N1 only (M-N2 unscored is left out)
        assert sides.loc[("2026-H1", "marketing"), "score"] == pytest.approx(2.5)
        assert sides.loc[("2026-H1", "sales"), "score"] == pytest.approx(3.0)
        assert sides.loc[("2025-H2", "marketing"), "score"] == pytest.approx((1.0 + 3.0) / 2)
        assert sides.loc[("2025-H2", "sales"), "score"] == pytest.approx((2.0 + 3.0) / 2)
        assert sides.loc[("2026-H1", "marketing"), "trend"] == pytest.approx(0.5)
        assert sides.loc[("2026-H1", "sales"), "trend"] == pytest.approx(0.5)
        assert sides.loc[("2026-H1", "marketing"), "self_score"] == pytest.approx(4.0)
        assert sides.loc[("2026-H1", "marketing"), "perception_gap"] == pytest.approx(1.5)
        assert sides.loc[("2026-H1", "sales"), "n_scored"] == 1
        assert sides.loc[("2026-H1", "marketing"), "n_shortfalls"] == 2
        assert pd.isna(sides.loc[("2024-H2", "sales"), "score"])  # nobody graded sales in 2024-H2

    def test_headline(self, card: rc.ReportCardAnalysis, tmp_path: Path) -> None:
        headline = card.headline()
        assert headline == {
            "report_card_score": {"marketing": pytest.approx(2.5), "sales": pytest.approx(3.0)}
        }
        assert all(type(v) is float for v in headline["report_card_score"].values())
        write_headline_part(tmp_path, "04_report_card", headline)
        assert read_headline_parts(tmp_path)["report_card_score"]["marketing"] == pytest.approx(2.5)


class TestActions:
    def test_action_plan_rows(self, card: rc.ReportCardAnalysis) -> None:
        plan = card.action_plan
        assert list(plan.columns[:9]) == [
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
        assert plan["need_id"].tolist() == ["S-N3", "S-N2", "M-N1"]  # by side, lowest score first
        assert set(plan["cycle"]) == {"2026-H1"}
        rows = plan.set_index("need_id")
        # a shortfall without an action from last cycle: empty, to be filled in
        assert rows.loc["S-N3", ["action", "owner", "due", "status"]].tolist() == ["", "", "", ""]
        assert not rows.loc["S-N3", "carried_over"] and rows.loc["S-N3", "shortfall"]
        # a shortfall carrying an unfinished action
        assert rows.loc["S-N2", ["action", "owner", "due", "status"]].tolist() == [
            "Battle card refresh",
            "M02",
            "2026-04-30",
            "in_progress",
        ]
        # not a shortfall (exactly B), but two unfinished actions carry over: one row, joined
        assert rows.loc["M-N1", ["action", "owner", "due", "status"]].tolist() == [
            "CRM follow-up field; Pipeline call",
            "S01; S02",
            "2026-05-31; 2026-06-30",
            "open; in_progress",
        ]
        assert not rows.loc["M-N1", "shortfall"] and rows.loc["M-N1", "carried_over"]
        assert rows.loc["M-N1", "score"] == pytest.approx(3.0)
        assert rows.loc["M-N1", "previous_score"] == pytest.approx(2.0)
        assert pd.isna(rows.loc["S-N3", "previous_score"])

    def test_done_dropped_and_older_actions_do_not_carry(self, card: rc.ReportCardAnalysis) -> None:
        plan = card.action_plan
        assert "S-N1" not in set(plan["need_id"])  # done, and no longer a shortfall
        assert "M-N2" not in set(plan["need_id"])  # dropped, and unscored
        assert "Old action" not in set(plan["action"])

    def test_did_the_actions_work(self, card: rc.ReportCardAnalysis) -> None:
        review = card.action_review
        assert review["action"].tolist() == [
            "Weekly lead review",
            "Battle card refresh",
            "CRM follow-up field",
            "Pipeline call",
            "Win/loss review",
        ]
        assert review["done"].tolist() == [True, False, False, False, False]
        assert review["moved"].tolist() == ["up", "down", "up", "up", "not scored"]
        assert review["trend"].iloc[0] == pytest.approx(3.0)
        assert set(review["action_cycle"]) == {"2025-H2"}


class TestImportancePerformance:
    def test_quadrants(self, card: rc.ReportCardAnalysis) -> None:
        ipa = card.importance.set_index("need_id")["quadrant"].to_dict()
        # M-N2 has neither importance nor score
        assert ipa == {
            "S-N1": "keep up the good work",
            "S-N2": "low priority",
            "S-N3": "concentrate here",
            "M-N1": "keep up the good work",
        }

    def test_possible_overkill(self) -> None:
        scores = pd.DataFrame(
            {
                "cycle": ["2026-H1"] * 4,
                "need_id": ["a", "b", "c", "d"],
                "rated_side": ["sales"] * 4,
                "needed_by": ["marketing"] * 4,
                "description": ["x"] * 4,
                "importance": pd.array([3, 4, 3, 5], dtype="Int64"),
                "score": [3.0, 2.9, 2.0, 3.5],
                "grade": ["B", "C", "C", "A"],
            }
        )
        out = rc.importance_performance(scores, "2026-H1")
        assert out["quadrant"].tolist() == [
            "possible overkill",
            "concentrate here",
            "low priority",
            "keep up the good work",
        ]


class TestWarnings:
    def test_side_counts_and_ungraded_need(self, card: rc.ReportCardAnalysis) -> None:
        assert list(card.warnings) == [
            "warning: report_card_needs: the marketing side is graded on 3 needs, the practice names 6; the "
            "analysis goes on with 3",
            "warning: report_card_needs: the sales side is graded on 2 needs, the practice names 6; the analysis "
            "goes on with 2",
            "warning: report_card_ratings: 2026-H1: need M-N2 (Win/loss reasons) has no grade from the marketing "
            "side; it is left out of the sales side's score",
        ]
        assert rc.warnings_markdown(card).startswith("- report_card_needs: the marketing side")

    def test_a_side_without_grades(self, tmp_path: Path) -> None:
        keep = [line for line in RATINGS.splitlines() if not (line.startswith("2026-H1") and ",M-N" in line)]
        inputs = load_inputs(
            hand_company(tmp_path, report_card_ratings="\n".join(keep) + "\n"), fiscal_year=2026
        )
        card = rc.analyse(inputs, "2026-H1")
        assert card.headline() == {"report_card_score": {"marketing": pytest.approx(2.5), "sales": None}}
        assert (
            "warning: report_card_ratings: 2026-H1: the sales side received no grades from the marketing "
            "side; it has no score this cycle"
        ) in card.warnings
        assert not any("need M-N" in w for w in card.warnings)  # the side's warning covers its needs
        # the unfinished M-N1 actions still carry over, unscored
        plan = card.action_plan.set_index("need_id")
        assert plan.loc["M-N1", "carried_over"] and pd.isna(plan.loc["M-N1", "score"])
        assert not plan.loc["M-N1", "shortfall"]


class TestSideScoreIsTheMeanOfItsItems:
    """Three items per side with unequal scores and unequal numbers of raters: a side's score is the
    mean of its items' scores (not their median or maximum, nor the mean of all its grades), and so
    is its self score; the headline carries the side scores."""

    PEOPLE = """person_id,name,function,team
S01,Sam Reyes,sales,North Sales
S02,Ana Kim,sales,South Sales
S03,Raj Das,sales,South Sales
M01,Lea Park,marketing,Product Marketing
M02,Tom Berg,marketing,Field Marketing
M03,Eva Lund,marketing,Field Marketing
"""
    NEEDS = """need_id,needed_by,rated_side,description
S-A,sales,marketing,Qualified leads
S-B,sales,marketing,Battle cards
S-C,sales,marketing,Launch training
M-A,marketing,sales,CRM follow-up
M-B,marketing,sales,Win/loss reasons
M-C,marketing,sales,Pipeline forecast
"""
    # marketing, graded by sales: S-A 4 (1 rater), S-B (3 + 3) / 2 = 3, S-C (0 + 0 + 2) / 3 = 2/3
    #   score (4 + 3 + 2/3) / 3 = 23/9; median 3, maximum 4, mean of the six grades 2
    # marketing, graded by itself: S-A 2, S-B 4, S-C (3 + 4 + 4) / 3 = 11/3
    #   self score (2 + 4 + 11/3) / 3 = 29/9; median 11/3, maximum 4, mean of the grades 3.5
    # sales, graded by marketing: M-A (4 + 2) / 2 = 3, M-B 0, M-C (3 + 3 + 4) / 3 = 10/3
    #   score (3 + 0 + 10/3) / 3 = 19/9; median 3, maximum 10/3, mean of the grades 8/3
    # sales, graded by itself: M-A 3, M-B (4 + 3) / 2 = 3.5, M-C (2 + 0) / 2 = 1
    #   self score 7.5 / 3 = 2.5; median 3, maximum 3.5, mean of the grades 2.4
    RATINGS = """cycle,rater_id,need_id,grade
2026-H1,S01,S-A,A
2026-H1,S01,S-B,B
2026-H1,S02,S-B,B
2026-H1,S01,S-C,F
2026-H1,S02,S-C,F
2026-H1,S03,S-C,C
2026-H1,M01,S-A,C
2026-H1,M01,S-B,A
2026-H1,M02,S-B,A
2026-H1,M01,S-C,B
2026-H1,M02,S-C,A
2026-H1,M03,S-C,A
2026-H1,M01,M-A,A
2026-H1,M02,M-A,C
2026-H1,M01,M-B,F
2026-H1,M01,M-C,B
2026-H1,M02,M-C,B
2026-H1,M03,M-C,A
2026-H1,S01,M-A,B
2026-H1,S01,M-B,A
2026-H1,S02,M-B,B
2026-H1,S01,M-C,C
2026-H1,S02,M-C,F
"""

    @pytest.fixture(scope="class")
    @classmethod
    def unequal(cls, tmp_path_factory: pytest.TempPathFactory) -> rc.ReportCardAnalysis:
        folder = hand_company(
            tmp_path_factory.mktemp("unequal"),
            people=cls.PEOPLE,
            report_card_needs=cls.NEEDS,
            report_card_ratings=cls.RATINGS,
            action_items=None,
        )
        return rc.analyse(load_inputs(folder, fiscal_year=2026), "2026-H1")

    def test_item_scores(self, unequal: rc.ReportCardAnalysis) -> None:
        now = unequal.current().set_index("need_id")
        assert now["score"].to_dict() == pytest.approx(
            {"S-A": 4.0, "S-B": 3.0, "S-C": 2 / 3, "M-A": 3.0, "M-B": 0.0, "M-C": 10 / 3}
        )
        assert now["n_raters"].to_dict() == {"S-A": 1, "S-B": 2, "S-C": 3, "M-A": 2, "M-B": 1, "M-C": 3}

    def test_side_score_and_self_score_are_means_of_the_items(self, unequal: rc.ReportCardAnalysis) -> None:
        sides = unequal.side_summary().set_index("rated_side")
        assert sides.loc["marketing", "score"] == pytest.approx(23 / 9)
        assert sides.loc["sales", "score"] == pytest.approx(19 / 9)
        assert sides.loc["marketing", "self_score"] == pytest.approx(29 / 9)
        assert sides.loc["sales", "self_score"] == pytest.approx(2.5)
        assert sides.loc["marketing", "perception_gap"] == pytest.approx(29 / 9 - 23 / 9)

    def test_headline(self, unequal: rc.ReportCardAnalysis) -> None:
        assert unequal.headline() == {
            "report_card_score": {"marketing": pytest.approx(23 / 9), "sales": pytest.approx(19 / 9)}
        }


class TestExactLines:
    """Shortfall and blind spot are decided in whole grade points, never by floating-point noise."""

    @staticmethod
    def _graded(other: list[str], own: list[str]) -> pd.DataFrame:
        grades = other + own
        return pd.DataFrame(
            {
                "cycle": "2026-H1",
                "rater_id": [f"R{i}" for i in range(len(grades))],
                "rater_side": ["marketing"] * len(other) + ["sales"] * len(own),
                "need_id": "M-N1",
                "rated_side": "sales",
                "needed_by": "marketing",
                "grade": grades,
                "points": [rc.POINTS[g] for g in grades],
                "self_assessment": [False] * len(other) + [True] * len(own),
                "comment": "",
            }
        )

    NEEDS = pd.DataFrame(
        {
            "need_id": ["M-N1"],
            "rated_side": ["sales"],
            "needed_by": ["marketing"],
            "description": ["x"],
            "importance": pd.array([None], dtype="Int64"),
        }
    )

    def test_gap_of_exactly_one_in_thirds_is_not_a_blind_spot(self) -> None:
        # self (2+2+3)/3 = 7/3, other (2+2+0)/3 = 4/3: in floats 7/3 - 4/3 = 1.0000000000000002
        assert 7 / 3 - 4 / 3 > 1.0
        s = rc.item_scores(self._graded(["C", "C", "F"], ["C", "C", "B"]), self.NEEDS, ["2026-H1"])
        assert not s["blind_spot"].iloc[0]
        s = rc.item_scores(self._graded(["C", "C", "F"], ["C", "B", "B"]), self.NEEDS, ["2026-H1"])
        assert s["blind_spot"].iloc[0]  # 8/3 - 4/3 = 4/3

    def test_shortfall_line(self) -> None:
        s = rc.item_scores(self._graded(["A", "C"], []), self.NEEDS, ["2026-H1"])
        assert s["score"].iloc[0] == 3.0 and not s["shortfall"].iloc[0]
        s = rc.item_scores(self._graded(["A", "B", "C", "F", "A", "B", "B"], []), self.NEEDS, ["2026-H1"])
        assert s["score"].iloc[0] == pytest.approx(19 / 7) and s["shortfall"].iloc[0]

    def test_letters(self) -> None:
        scores = pd.Series([4.0, 3.5, 3.49, 3.0, 2.99, 1.0, 0.99, 0.0, np.nan])
        assert rc.grade_letter(scores).tolist() == ["A", "A", "B", "B", "C", "C", "F", "F", ""]


class TestReportCard:
    def test_marketing_card(self, card: rc.ReportCardAnalysis) -> None:
        table = card.report_card("marketing")
        assert list(table.columns) == ["need_id", "need", "grade", "score", "last_cycle", "trend", "comments"]
        assert table["need"].tolist() == [
            "Qualified leads within 24 hours",
            "Current battle cards",
            "Launch training",
            "Overall",
        ]
        assert table["grade"].tolist() == ["A", "C", "C", "C"]
        assert table["score"].tolist() == pytest.approx([4.0, 2.5, 1.0, 2.5])
        # the other side's remarks only, each with its rater's grade (the need's mean may differ); a remark
        # several raters made with the same grade is shown once with its count
        assert table["comments"].tolist() == [
            "\u201cMuch faster\u201d (A \u00d72)",
            "",
            "\u201cNot happening\u201d (F)",
            "",
        ]

    def test_card_without_comments_has_no_comment_column(self, card: rc.ReportCardAnalysis) -> None:
        table = card.report_card("sales")
        assert "comments" not in table.columns
        assert table["need"].tolist()[-1] == "Overall"
        assert table["trend"].iloc[-1] == pytest.approx(0.5)


class TestTables:
    def test_written_text(self, card: rc.ReportCardAnalysis, tmp_path: Path) -> None:
        paths = rc.write_tables(card, tmp_path)
        assert [p.name for p in paths] == ["report_card_scores.csv", "action_plan.csv"]
        scores = pd.read_csv(tmp_path / "report_card_scores.csv", dtype=str, keep_default_na=False)
        assert list(scores.columns[:10]) == rc.SCORE_COLUMNS
        row = scores[(scores["cycle"] == "2026-H1") & (scores["need_id"] == "M-N2")].iloc[0]
        assert row[
            ["score", "n_raters", "self_score", "perception_gap", "previous_score", "trend", "shortfall"]
        ].tolist() == ["", "0", "4", "", "3", "", "false"]
        row = scores[(scores["cycle"] == "2026-H1") & (scores["need_id"] == "S-N2")].iloc[0]
        assert row[
            ["score", "self_score", "perception_gap", "trend", "shortfall", "blind_spot"]
        ].tolist() == ["2.5", "4", "1.5", "-0.5", "true", "true"]
        plan = pd.read_csv(tmp_path / "action_plan.csv", dtype=str, keep_default_na=False)
        assert list(plan.columns[:9]) == rc.PLAN_COLUMNS
        assert plan["shortfall"].tolist() == ["true", "true", "false"]
        assert plan["carried_over"].tolist() == ["false", "true", "true"]
        assert plan.loc[0, "previous_score"] == ""

    def test_no_report_dir_writes_nothing(self, card: rc.ReportCardAnalysis) -> None:
        assert rc.write_tables(card, None) == []

    def test_headline_part_json(self, card: rc.ReportCardAnalysis, tmp_path: Path) -> None:
        path = write_headline_part(tmp_path, "04_report_card", card.headline())
        assert json.loads(path.read_text()) == {"report_card_score": {"marketing": 2.5, "sales": 3.0}}

    def test_no_altair_in_the_engine(self, no_altair_import: None, tmp_path: Path) -> None:
        inputs = load_inputs(hand_company(tmp_path), fiscal_year=2026)
        rc.write_tables(rc.analyse(inputs, "2026-H1"), tmp_path)


class TestWithoutReportCardFiles:
    def test_no_ratings_at_all(self, tmp_path: Path) -> None:
        inputs = load_inputs(
            write_company(tmp_path, report_card_ratings=None, action_items=None), fiscal_year=2026
        )
        card = rc.analyse(inputs, "2026-H1")
        assert card.scores.empty and card.action_plan.empty and card.action_review.empty
        assert card.headline() == {"report_card_score": {"marketing": None, "sales": None}}


class TestDisplay:
    """Charts and printable cards build (and serialise) on full, partial and empty report cards."""

    def test_charts_and_cards(self, card: rc.ReportCardAnalysis, tmp_path: Path) -> None:
        from alignment.presentation.charts import report_card as charts

        inputs = load_inputs(
            write_company(tmp_path, report_card_ratings=None, action_items=None), fiscal_year=2026
        )
        empty = rc.analyse(inputs, "2026-H1")
        for a in (card, empty):
            for chart in (
                charts.grade_heatmap(a.scores, "marketing"),
                charts.side_scores_chart(a.sides),
                charts.self_vs_other_chart(a.scores, a.cycle),
                charts.grade_distribution_chart(a.scores, a.cycle),
                charts.shortfall_chart(a.scores, a.cycle),
                charts.importance_performance_chart(a.importance, a.cycle),
            ):
                spec = chart.to_dict()
                assert spec["title"]["text"]
            for table in (a.side_summary(), a.blind_spots(), a.action_review, a.action_plan, a.importance):
                shown = charts.styled_table(table, empty="Nothing to grade yet.")
                if table.empty:  # one sentence, no empty table
                    assert (
                        shown._repr_html_() == '<p class="alignment-empty"><em>Nothing to grade yet.</em></p>'
                    )
                else:
                    assert "<table" in shown.to_html()
            plan_html = charts.styled_action_plan(a.action_plan, a.cycle)._repr_html_()
            review_html = charts.styled_action_review(a.action_review, "2025-H2", a.cycle)._repr_html_()
            if a is card:
                assert "Side that acts" in plan_html and "Side that acted" in review_html
            else:
                assert "No action plan for 2026-H1" in plan_html and "<table" not in plan_html
                assert "No action was planned in 2025-H2" in review_html
        page = charts.styled_report_card(card.report_card("marketing"), "marketing", "2026-H1").to_html()
        assert "<style" in page and "Report card · Marketing · 2026-H1 · graded by sales" in page
        assert "▲ +3.00" in page and "“Much faster” (A ×2)" in page


# --------------------------------------------------------------------------- bad input: one line each


def _lines(folder: Path) -> list[str]:
    _, problems, _ = check_folder(folder)
    return [p.line() for p in problems]


class TestBadInput:
    def test_grade_d_refused(self, tmp_path: Path) -> None:
        ratings = FILES["report_card_ratings"].replace("2026-H1,S01,S-N1,B,", "2026-H1,S01,S-N1,D,")
        assert _lines(write_company(tmp_path, report_card_ratings=ratings)) == [
            "report_card_ratings.csv, row 2, column grade: value 'D': expected one of A, B, C, F (the report card "
            "grades A, B, C, F)"
        ]

    @pytest.mark.parametrize("grade", ["A+", "E", "1", ""])
    def test_other_grades_refused(self, tmp_path: Path, grade: str) -> None:
        ratings = FILES["report_card_ratings"].replace("2026-H1,S01,S-N1,B,", f"2026-H1,S01,S-N1,{grade},")
        assert _lines(write_company(tmp_path, report_card_ratings=ratings)) == [
            f"report_card_ratings.csv, row 2, column grade: value {grade!r}: expected one of A, B, C, F (the "
            "report card grades A, B, C, F)"
        ]

    def test_lower_case_accepted(self, tmp_path: Path) -> None:
        ratings = FILES["report_card_ratings"].replace("2026-H1,S01,S-N1,B,", "2026-H1,S01,S-N1,f,")
        folder = write_company(tmp_path, report_card_ratings=ratings)
        assert _lines(folder) == []
        assert load_inputs(folder).report_card_ratings["grade"].tolist() == ["F", "C"]

    def test_need_that_does_not_exist(self, tmp_path: Path) -> None:
        ratings = FILES["report_card_ratings"] + "2026-H1,S02,S-N7,A,\n"
        assert _lines(write_company(tmp_path, report_card_ratings=ratings)) == [
            "report_card_ratings.csv, row 4, column need_id: value 'S-N7': expected a need_id listed in "
            "report_card_needs"
        ]

    def test_same_rater_same_need_twice(self, tmp_path: Path) -> None:
        ratings = FILES["report_card_ratings"] + "2026-H1,S01,S-N1,A,\n"
        assert _lines(write_company(tmp_path, report_card_ratings=ratings)) == [
            "report_card_ratings.csv, row 4, column cycle, rater_id, need_id: value '2026-H1/S01/S-N1': expected "
            "one grade per (cycle, rater_id, need_id) (already on row 2)"
        ]

    def test_same_rater_other_cycle_is_fine(self, tmp_path: Path) -> None:
        ratings = FILES["report_card_ratings"] + "2025-H2,S01,S-N1,A,\n"
        assert _lines(write_company(tmp_path, report_card_ratings=ratings)) == []

    def test_rater_absent_from_people(self, tmp_path: Path) -> None:
        ratings = FILES["report_card_ratings"].replace("2026-H1,M01,M-N1", "2026-H1,M99,M-N1")
        assert _lines(write_company(tmp_path, report_card_ratings=ratings)) == [
            "report_card_ratings.csv, row 3, column rater_id: value 'M99': expected a person_id listed in people"
        ]


class TestCycleWithoutRatings:
    def _params(self, tmp_path: Path, cycle: str):
        return parse_params({"data_dir": str(tmp_path), "report_card": {"cycle": cycle}}, tmp_path)

    def test_check_against_inputs_names_the_key(self, tmp_path: Path) -> None:
        inputs = load_inputs(hand_company(tmp_path), fiscal_year=2026)
        errors, _ = check_against_inputs(self._params(tmp_path, "2025-H1"), inputs)
        assert errors == [
            "params: report_card.cycle: value '2025-H1': expected a cycle with ratings "
            "(2024-H2, 2025-H2, 2026-H1, 2026-H2)"
        ]
        errors, _ = check_against_inputs(self._params(tmp_path, "2026-H1"), inputs)
        assert errors == []

    def test_load_checked_stops_the_run(self, tmp_path: Path) -> None:
        from alignment.loading import load_checked

        data = hand_company(tmp_path / "data")
        params = tmp_path / "bad.yaml"
        params.write_text(f"data_dir: {data}\nreport_card:\n  cycle: 2025-H1\n", encoding="utf-8")
        with pytest.raises(ParamsError) as exc:
            load_checked(params)
        assert exc.value.messages == [
            "bad.yaml: report_card.cycle: value '2025-H1': expected a cycle with "
            "ratings (2024-H2, 2025-H2, 2026-H1, 2026-H2)"
        ]

    def test_plan_command_exits_2(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        pytest.importorskip("alignment.engine.plan")
        from alignment.cli import main

        data = hand_company(tmp_path / "data")
        params = tmp_path / "bad.yaml"
        params.write_text(f"data_dir: {data}\nreport_card:\n  cycle: 2025-H1\n", encoding="utf-8")
        assert main(["plan", str(params), "--out", str(tmp_path / "out")]) == 2
        assert "report_card.cycle: value '2025-H1'" in capsys.readouterr().err

    def test_analyse_refuses_it_too(self, tmp_path: Path) -> None:
        inputs = load_inputs(hand_company(tmp_path), fiscal_year=2026)
        with pytest.raises(
            ParamsError, match=r"report_card\.cycle: value '2025-H1': expected a cycle with ratings"
        ):
            rc.analyse(inputs, "2025-H1")

    # CONTRACT section 5 (changed): a company with no ratings at all keeps no report card yet, and every
    # command runs; only where the data holds ratings must report_card.cycle have some.
    @pytest.mark.parametrize(
        "ratings", [None, "cycle,rater_id,need_id,grade,comment\n"], ids=["missing", "empty"]
    )
    def test_no_ratings_at_all_is_no_error(self, tmp_path: Path, ratings: str | None) -> None:
        from alignment.loading import load_checked

        data = hand_company(tmp_path / "data", report_card_ratings=ratings)
        inputs = load_inputs(data, fiscal_year=2026)
        assert check_against_inputs(self._params(tmp_path, "2025-H1"), inputs) == ([], [])
        params = tmp_path / "none.yaml"
        params.write_text(f"data_dir: {data}\nreport_card:\n  cycle: 2025-H1\n", encoding="utf-8")
        assert load_checked(params).inputs.report_card_ratings.empty
        card = rc.analyse(inputs, "2025-H1")
        assert card.headline() == {"report_card_score": {"marketing": None, "sales": None}}

    @pytest.mark.parametrize(
        "ratings", [None, "cycle,rater_id,need_id,grade,comment\n"], ids=["missing", "empty"]
    )
    def test_plan_and_validate_run_without_ratings(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], ratings: str | None
    ) -> None:
        from alignment.cli import main

        data = hand_company(tmp_path / "data", report_card_ratings=ratings)
        params = tmp_path / "none.yaml"
        params.write_text(f"data_dir: {data}\n", encoding="utf-8")
        assert main(["plan", str(params), "--out", str(tmp_path / "out")]) == 0
        assert sorted(p.name for p in (tmp_path / "out").glob("*.csv")) == [
            "final_quotas.csv",
            "monthly_objectives.csv",
            "rollup.csv",
            "targets.csv",
        ]
        assert main(["validate", str(data)]) == 0
        assert "report_card_ratings" not in capsys.readouterr().err


# --------------------------------------------------------------------------- no report card yet


def _no_ratings_company(folder: Path, with_needs: bool) -> Path:
    return hand_company(
        folder,
        report_card_ratings=None,
        action_items=None,
        **({} if with_needs else {"report_card_needs": None}),
    )


class TestStarterKit:
    def test_none_for_a_company_that_keeps_a_report_card(self, tmp_path: Path) -> None:
        assert rc.starter_kit(load_inputs(hand_company(tmp_path), fiscal_year=2026), "2026-H1") is None

    def test_needs_template_is_a_valid_needs_file(self, tmp_path: Path) -> None:
        needs = rc.needs_template()
        assert list(needs.columns) == ["need_id", "needed_by", "rated_side", "description", "importance"]
        assert needs["need_id"].is_unique
        assert needs.groupby("rated_side").size().to_dict() == {"marketing": 6, "sales": 6}
        assert (needs["needed_by"] != needs["rated_side"]).all()
        folder = _no_ratings_company(tmp_path, with_needs=False)
        rc.write_starter_kit(rc.starter_kit(load_inputs(folder, fiscal_year=2026), "2026-H1"), tmp_path / "t")
        (folder / "report_card_needs.csv").write_bytes((tmp_path / "t" / rc.NEEDS_TEMPLATE).read_bytes())
        _, problems, warnings = check_folder(folder)
        assert problems == []
        assert [w for w in warnings if w.file.startswith("report_card")] == []  # 6 needs per side

    def test_the_filled_ratings_sheet_reads_back_and_scores(self, tmp_path: Path) -> None:
        """Fill the sheet (A for the other side, B for one's own), save it as the ratings file: it scores."""
        folder = _no_ratings_company(tmp_path, with_needs=False)
        inputs = load_inputs(folder, fiscal_year=2026)
        kit = rc.starter_kit(inputs, "2026-H1")
        assert kit is not None and kit.needs is not None
        sheet = kit.ratings
        assert len(sheet) == len(inputs.people) * len(kit.needs)
        assert (sheet["cycle"] == "2026-H1").all() and (sheet["grade"] == "").all()
        write_tables = tmp_path / "tables"
        rc.write_starter_kit(kit, write_tables)
        (folder / "report_card_needs.csv").write_bytes((write_tables / rc.NEEDS_TEMPLATE).read_bytes())
        filled = pd.read_csv(write_tables / rc.RATINGS_TEMPLATE, dtype=str, keep_default_na=False)
        filled["grade"] = np.where(filled["view"] == "self-assessment", "B", "A")
        filled.to_csv(folder / "report_card_ratings.csv", index=False)

        card = rc.analyse(load_inputs(folder, fiscal_year=2026), "2026-H1")
        now = card.current()
        assert len(now) == 12 and (now["score"] == 4.0).all() and (now["self_score"] == 3.0).all()
        people = inputs.people["function"].value_counts()
        assert (now.loc[now["rated_side"] == "marketing", "n_raters"] == people["sales"]).all()
        assert card.raters() == {"marketing": int(people["sales"]), "sales": int(people["marketing"])}
        assert card.headline() == {"report_card_score": {"marketing": 4.0, "sales": 4.0}}

    def test_a_company_with_needs_gets_its_own_needs_in_the_sheet(self, tmp_path: Path) -> None:
        inputs = load_inputs(_no_ratings_company(tmp_path, with_needs=True), fiscal_year=2026)
        kit = rc.starter_kit(inputs, "2026-H2")
        assert kit is not None and kit.needs is None
        first = kit.ratings[kit.ratings["rater_id"] == "S01"]
        # the other side's needs first, then the self-assessment
        assert first["need_id"].tolist() == ["S-N1", "S-N2", "S-N3", "M-N1", "M-N2"]
        assert first["view"].tolist() == ["grade the other side"] * 3 + ["self-assessment"] * 2
        assert set(kit.ratings["cycle"]) == {"2026-H2"}
        assert rc.write_starter_kit(kit, tmp_path / "t") == [tmp_path / "t" / rc.RATINGS_TEMPLATE]
        assert rc.write_starter_kit(kit, None) == []

    def test_status_says_how_to_start(self, tmp_path: Path) -> None:
        inputs = load_inputs(_no_ratings_company(tmp_path, with_needs=False), fiscal_year=2026)
        card = rc.analyse(inputs, "2026-H1")
        text = rc.status_markdown(card, rc.starter_kit(inputs, "2026-H1"))
        assert text.startswith("**No report card is kept yet**")
        assert rc.NEEDS_TEMPLATE in text and rc.RATINGS_TEMPLATE in text and "2026-H1" in text
        assert rc.warnings_markdown(card).startswith("No grades yet")
        written = rc.write_tables(card, tmp_path / "t")
        assert [p.read_text(encoding="utf-8") for p in written] == [
            ",".join(rc.SCORE_COLUMNS + rc.SCORE_EXTRA) + "\n",
            ",".join(rc.PLAN_COLUMNS + rc.PLAN_EXTRA) + "\n",
        ]

    def test_templates_display(self, tmp_path: Path) -> None:
        from alignment.presentation.charts import report_card as charts

        inputs = load_inputs(_no_ratings_company(tmp_path, with_needs=False), fiscal_year=2026)
        shown = charts.starter_kit_tables(rc.starter_kit(inputs, "2026-H1"))
        assert shown is not None
        page = shown._repr_html_()
        assert page.count("<table") == 2 and rc.NEEDS_TEMPLATE in page and rc.RATINGS_TEMPLATE in page
        assert "the rows of M01 and S01" in page
        assert charts.starter_kit_tables(None) is None


class TestFewRaters:
    def test_raters_count_people_of_the_other_side_in_the_cycle(self, card: rc.ReportCardAnalysis) -> None:
        # 2026-H1: marketing graded by S01, S02 (M01, M02 graded S-N2 as a self-assessment); sales by M01, M02
        assert card.raters() == {"marketing": 2, "sales": 2}

    @pytest.mark.parametrize(
        ("scores", "raters", "few"),
        [
            ({"marketing": 3.1, "sales": 2.5}, {"marketing": 2, "sales": 3}, {"marketing": 2}),
            ({"marketing": 3.1, "sales": None}, {"marketing": 3, "sales": 0}, {}),
            ({"marketing": 3.1, "sales": 2.5}, {"marketing": 1, "sales": 2}, {"marketing": 1, "sales": 2}),
            ({"marketing": None, "sales": None}, None, {}),
        ],
    )
    def test_few_raters(self, scores: dict, raters: dict | None, few: dict) -> None:
        headline = {"report_card_score": scores, "report_card_raters": raters}
        assert rc.few_raters(headline) == few
        assert (rc.few_raters_note(headline) is None) == (few == {})

    def test_the_index_marks_the_score(self, card: rc.ReportCardAnalysis) -> None:
        from alignment.report.assembly import index_marks
        from alignment.report.export import HEADLINE_KEYS, IndexPage, index_html

        headline = dict.fromkeys(HEADLINE_KEYS) | card.headline() | {"report_card_raters": card.raters()}
        marks = index_marks(headline)
        note = (
            "The score rests on fewer than 3 raters per side: marketing was graded by 2 sales raters and "
            "sales was graded by 2 marketing raters; one person's view weighs heavily, so read it with care."
        )
        assert marks == {"Report-card score received": note}
        page = dict(
            scenario="s",
            params_file="/p/s.yaml",
            data_dir="/d",
            started="now",
            duration="1.0 s",
            status="ok",
            notebooks=[],
            version="0",
        )
        html = index_html(IndexPage(headline=headline, marks=marks, **page))
        assert 'Report-card score received <span class="mark"' in html and "few raters" in html
        assert "sales was graded by 2 marketing raters" in html
        enough = headline | {"report_card_raters": {"marketing": 3, "sales": 12}}
        assert index_marks(enough) == {}
        assert "few raters" not in index_html(IndexPage(headline=enough, marks=index_marks(enough), **page))
