"""The quarterly celebration: results, wins, heroes and mixed teams on the tiny company."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from practice_companies import tiny_inputs, tiny_objectives, tiny_params

from alignment.inputs import Inputs
from alignment.money import to_cents
from alignment.params import parse_params
from alignment.practices import celebration as cb


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    return tiny_inputs(tmp_path_factory.mktemp("tiny"))


class TestQuarterResults:
    def test_known_answers(self, tiny: Inputs) -> None:
        results = cb.quarter_results(tiny_objectives(), tiny, tiny_params(tiny.data_dir, quarter="2026-Q1"))
        total = results[results["level"] == "total"].iloc[0]
        assert (total["quarter"], total["objective"], total["actual"], total["variance"]) == (
            "2026-Q1",
            4500.00,
            2700.00,
            -1800.00,
        )
        assert total["attainment"] == pytest.approx(0.6)
        groups = results[results["level"] == "customer_group"].set_index("key")
        assert groups.loc["Enterprise", "actual"] == 1900.00 and groups.loc["SMB", "actual"] == 800.00
        lines = results[results["level"] == "product_line"]
        assert to_cents(lines["actual"]).sum() == to_cents(total["actual"])
        assert to_cents(groups["objective"]).sum() == to_cents(total["objective"])

    def test_the_whole_quarter_counts_whatever_the_review_month(self, tiny: Inputs) -> None:
        params = tiny_params(tiny.data_dir, month="2026-01", quarter="2026-Q2")
        results = cb.quarter_results(tiny_objectives(), tiny, params)
        total = results[results["level"] == "total"].iloc[0]
        assert (total["objective"], total["actual"]) == (4500.00, 9999.00)  # 2026-04 is in Q2

    def test_fiscal_quarter_of_a_july_year(self, tiny: Inputs, tmp_path: Path) -> None:
        params = parse_params(
            {
                "data_dir": str(tiny.data_dir),
                "fiscal_year": 2026,
                "fiscal_year_start_month": 7,
                "review": {"month": "2026-03"},
                "celebration": {"quarter": "2026-Q3"},
            },
            tmp_path,
        )
        results = cb.quarter_results(tiny_objectives(), tiny, params)  # FY2026 Q3 = 2026-01 .. 2026-03
        assert results.loc[results["level"] == "total", "actual"].iloc[0] == 2700.00

    def test_cells(self, tiny: Inputs) -> None:
        cells = cb.quarter_cells(tiny_objectives(), tiny, tiny_params(tiny.data_dir, quarter="2026-Q1"))
        assert to_cents(cells["variance"]).sum() == -180000


class TestWins:
    def test_known_answers(self, tiny: Inputs) -> None:
        wins = cb.quarter_wins(tiny, "2026-Q1")
        assert list(wins["title"]) == ["Joint launch", "Solo campaign", "Lost renewal"]  # successes first
        assert list(wins["members"]) == ["Mia;Sam", "Max", "Sue"]
        assert list(wins["functions"]) == ["marketing;sales", "marketing", "sales"]
        assert list(wins["mixed_team"]) == [True, False, False]
        assert list(wins["revenue_impact"]) == [5000.0, 1000.0, -2000.0]
        assert list(wins["lesson"])[0] == "Plan launches together"

    def test_celebration_table_columns(self, tiny: Inputs) -> None:
        table = cb.celebration_table(cb.quarter_wins(tiny, "2026-Q1"))
        assert list(table.columns) == [
            "quarter",
            "kind",
            "title",
            "members",
            "functions",
            "mixed_team",
            "revenue_impact",
            "lesson",
        ]
        assert set(table["quarter"]) == {"2026-Q1"}

    def test_quarter_without_wins(self, tiny: Inputs) -> None:
        wins = cb.quarter_wins(tiny, "2026-Q2")
        assert wins.empty and list(cb.celebration_table(wins).columns)[0] == "quarter"
        assert cb.heroes(tiny, "2026-Q2", 1).empty
        mix = cb.team_mix(wins)
        assert mix == {
            "successes": 0,
            "mixed": 0,
            "single_function": 0,
            "mixed_share": None,
            "flagged": False,
        }
        assert cb.heroes_by_function(cb.heroes(tiny, "2026-Q2", 1))["people"].tolist() == [0, 0]
        assert cb.impact_summary(wins)["count"].tolist() == [0, 0]
        assert "No successes or shortcomings" in cb.wins_note(wins, "2026-Q2")
        assert "No successes were recognised" in cb.team_mix_note(mix)

    def test_member_order_kept_and_blank_members(self, tiny: Inputs) -> None:
        extra = pd.DataFrame(
            {
                "quarter": ["2026-Q4", "2026-Q4"],
                "kind": ["success", "success"],
                "title": ["Reversed", "Nobody"],
                "member_ids": ["S2; M2 ;S1", ""],
                "revenue_impact": [10.0, 0.0],
                "lesson": ["", ""],
            }
        )
        inputs = replace(tiny, wins=pd.concat([tiny.wins, extra], ignore_index=True))
        wins = cb.quarter_wins(inputs, "2026-Q4")
        assert list(wins["members"]) == ["Sue;Max;Sam", ""]
        assert list(wins["functions"]) == ["marketing;sales", ""]
        assert list(wins["mixed_team"]) == [True, False]
        assert list(wins["n_members"]) == [3, 0]


class TestHeroes:
    def test_known_answers(self, tiny: Inputs) -> None:
        heroes = cb.heroes(tiny, "2026-Q1", 1).set_index("person_id")
        assert sorted(heroes.index) == ["M1", "M2", "S1"]  # S2 only in a shortcoming
        # the team's impact is the team's: nobody is credited with it, each is recognised for what they did
        assert "revenue_impact" not in heroes.columns
        assert heroes.loc["M1", "recognised_for"] == heroes.loc["S1", "recognised_for"] != ""
        assert heroes.loc["M2", "mixed_successes"] == 0 and heroes.loc["M1", "mixed_successes"] == 1
        by_function = cb.heroes_by_function(heroes.reset_index()).set_index("function")
        assert by_function.loc["marketing", "people"] == 2 and by_function.loc["sales", "people"] == 1
        assert by_function.loc["marketing", "share"] == pytest.approx(2 / 3)

    def test_a_sales_hero_is_shown_with_what_their_accounts_booked(self, tiny: Inputs) -> None:
        heroes = cb.heroes(tiny, "2026-Q1", 1).set_index("person_id")
        # S1 owns C1, which booked 700 + 300 in January and 500 + 400 in February; April is another quarter
        assert (heroes.loc["S1", "accounts"], to_cents(heroes.loc["S1", "accounts_booked"])) == (1, 190_000)
        assert heroes.loc[["M1", "M2"], ["accounts", "accounts_booked"]].isna().all().all()
        # on a fiscal year from July, 2026-Q1 is July-September 2025, when C1 booked nothing
        assert cb.heroes(tiny, "2026-Q1", 7).set_index("person_id").loc["S1", "accounts_booked"] == 0.0
        sellers = cb.seller_figures(tiny, "2026-Q1", 1).set_index("person_id")
        assert sellers["accounts"].to_dict() == {"S1": 1, "S2": 1, "S3": 0}  # S3 owns nobody
        assert to_cents(sellers["accounts_booked"]).tolist() == [190_000, 80_000, 0]

    def test_person_in_several_successes(self, tiny: Inputs) -> None:
        heroes = cb.heroes(tiny, "2026-Q3", 1).set_index("person_id")
        assert heroes.loc["S1", "successes"] == 1 and heroes.loc["S2", "successes"] >= 1


class TestTeamMix:
    def test_half_mixed_is_not_flagged(self, tiny: Inputs) -> None:
        mix = cb.team_mix(cb.quarter_wins(tiny, "2026-Q1"))
        assert mix == {"successes": 2, "mixed": 1, "single_function": 1, "mixed_share": 0.5, "flagged": False}

    def test_most_recognition_to_single_function_teams_is_flagged(self, tiny: Inputs) -> None:
        mix = cb.team_mix(cb.quarter_wins(tiny, "2026-Q3"))
        assert mix["mixed_share"] == 0.0 and mix["flagged"]
        assert cb.team_mix_note(mix).startswith("**Flag")

    def test_impact_summary(self, tiny: Inputs) -> None:
        summary = cb.impact_summary(cb.quarter_wins(tiny, "2026-Q1")).set_index("kind")
        assert summary.loc["success", "revenue_impact"] == 6000.0
        assert summary.loc["shortcoming", "count"] == 1


def test_write_celebration_csv(tiny: Inputs, tmp_path: Path) -> None:
    wins = cb.quarter_wins(tiny, "2026-Q1")
    assert cb.write_celebration_table(wins, None) is None
    path = cb.write_celebration_table(wins, tmp_path)
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(text.columns) == [
        "quarter",
        "kind",
        "title",
        "members",
        "functions",
        "mixed_team",
        "revenue_impact",
        "lesson",
    ]
    assert text.iloc[0].to_dict() == {
        "quarter": "2026-Q1",
        "kind": "success",
        "title": "Joint launch",
        "members": "Mia;Sam",
        "functions": "marketing;sales",
        "mixed_team": "true",
        "revenue_impact": "5000.00",
        "lesson": "Plan launches together",
    }
    assert list(text["mixed_team"]) == ["true", "false", "false"]
    assert text["revenue_impact"].iloc[2] == "-2000.00"
    empty = cb.write_celebration_table(cb.quarter_wins(tiny, "2026-Q2"), tmp_path / "q2")
    assert empty.read_text(encoding="utf-8").strip() == (
        "quarter,kind,title,members,functions,mixed_team,revenue_impact,lesson"
    )
