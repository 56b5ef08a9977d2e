"""Roles charter, channel strategy, off-strategy sales and plan granularity, on companies worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from practice_companies import tiny_inputs, tiny_params

from alignment.inputs import Inputs
from alignment.practices import roles


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    return tiny_inputs(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def window(tiny: Inputs) -> list[str]:
    return roles.trailing_months(tiny_params(tiny.data_dir))


class TestRaciLetters:
    def test_canonical_order_and_separators(self) -> None:
        cells = pd.Series(["A/R", "ar", "R, A", "C", "", "i ; c", "RACI"], dtype="str")
        assert list(roles.raci_letters(cells)) == ["RA", "RA", "RA", "C", "", "CI", "RACI"]

    def test_keeps_index(self) -> None:
        cells = pd.Series(["A", "R"], index=[7, 9], dtype="str")
        assert list(roles.raci_letters(cells).index) == [7, 9]


class TestAccountabilityCheck:
    def test_known_answers(self, tiny: Inputs) -> None:
        check = roles.accountability_check(tiny.roles)
        assert list(check["activity"]) == [
            "Channel strategy",
            "Forecast",
            "Pricing",
            "Lead follow-up",
            "Events",
        ]
        assert list(check["n_accountable"]) == [1, 1, 2, 0, 0]
        assert list(check["accountable"]) == ["marketing", "sales", "", "", ""]
        assert list(check["escalate"]) == [False, False, True, True, True]
        assert list(check["finding"]) == [
            "",
            "",
            "both sides Accountable",
            "no Accountable",
            "no Accountable",
        ]
        assert list(check["marketing"]) == ["RA", "I", "A", "R", ""]

    def test_escalations_are_the_activities_without_exactly_one_a(self, tiny: Inputs) -> None:
        assert list(roles.escalations(tiny.roles)["activity"]) == ["Pricing", "Lead follow-up", "Events"]

    def test_a_counted_once_per_cell_across_both_sides(self) -> None:
        charter = pd.DataFrame(
            {"activity": ["x", "y", "z"], "marketing": ["A/R", "", "C"], "sales": ["I", "a", "r/a"]}
        )
        check = roles.accountability_check(charter)
        assert list(check["n_accountable"]) == [1, 1, 1]
        assert list(check["accountable"]) == ["marketing", "sales", "sales"]
        assert not check["escalate"].any()

    def test_no_charter(self, tiny: Inputs) -> None:
        empty = tiny.roles.iloc[:0]
        assert roles.accountability_check(empty).empty
        assert roles.raci_matrix(empty).empty
        assert "no roles charter" in roles.escalation_note(roles.accountability_check(empty))

    def test_matrix_long_form(self, tiny: Inputs) -> None:
        matrix = roles.raci_matrix(tiny.roles)
        assert len(matrix) == 2 * len(tiny.roles)
        row = matrix[(matrix["activity"] == "Channel strategy") & (matrix["side"] == "marketing")].iloc[0]
        assert (row["letters"], row["R"], row["A"], row["C"], row["I"]) == ("RA", True, True, False, False)

    def test_inputs_untouched(self, tiny: Inputs) -> None:
        before = tiny.roles.copy()
        roles.accountability_check(tiny.roles)
        roles.raci_matrix(tiny.roles)
        pd.testing.assert_frame_equal(tiny.roles, before)


class TestChannelMix:
    def test_window_ends_with_the_review_month(self, tiny: Inputs, window: list[str]) -> None:
        assert window[0] == "2025-04" and window[-1] == "2026-03" and len(window) == 12

    def test_known_answers(self, tiny: Inputs, window: list[str]) -> None:
        mix = roles.channel_mix(tiny, window).set_index(["product_id", "channel"])
        # P1: Direct 700 + 500 = 1200, Partner 300 + 400 = 700 (2025-03 is outside the window)
        assert mix.loc[("P1", "Direct"), "revenue"] == 1200.00
        assert mix.loc[("P1", "Direct"), "actual_share"] == pytest.approx(1200 / 1900)
        assert mix.loc[("P1", "Partner"), "share_gap"] == pytest.approx(700 / 1900 - 0.4)
        # P2: Direct 5000 + 400 + 300 = 5700, Online 100 off strategy with target 0
        assert mix.loc[("P2", "Online"), "target_share"] == 0.0
        assert not mix.loc[("P2", "Online"), "on_strategy"]
        assert mix.loc[("P2", "Online"), "actual_share"] == pytest.approx(100 / 5800)
        assert mix.loc[("P2", "Direct"), "on_strategy"]

    def test_product_without_sales_has_no_actual_share(self, tiny: Inputs) -> None:
        mix = roles.channel_mix(tiny, ["2020-01"])
        assert len(mix) == 3 and mix["actual_share"].isna().all() and (mix["revenue"] == 0).all()

    def test_credits_clamp_the_share_at_zero(self, tiny: Inputs) -> None:
        credit = pd.DataFrame(
            {
                "month": ["2026-01"],
                "customer_id": ["C1"],
                "product_id": ["P1"],
                "channel": ["Partner"],
                "revenue": [-1000.0],
            }
        )
        inputs = replace(tiny, actuals=pd.concat([tiny.actuals, credit], ignore_index=True))
        mix = roles.channel_mix(inputs, ["2026-01"]).set_index(["product_id", "channel"])
        assert mix.loc[("P1", "Partner"), "revenue"] == -700.00
        assert mix.loc[("P1", "Partner"), "actual_share"] == 0.0
        assert mix.loc[("P1", "Direct"), "actual_share"] == 1.0


class TestOffStrategy:
    def test_detail(self, tiny: Inputs, window: list[str]) -> None:
        detail = roles.off_strategy_sales(tiny, window)
        assert detail.to_dict("records") == [
            {
                "month": "2026-02",
                "product_id": "P2",
                "channel": "Online",
                "account_owner": "S2",
                "owner_name": "Sue",
                "revenue": 100.0,
            }
        ]

    def test_total_known_answer(self, tiny: Inputs, window: list[str]) -> None:
        assert roles.off_strategy_total(tiny, window) == 100.00
        assert roles.off_strategy_total(tiny, ["2026-01"]) == 0.0

    def test_cents_exact_and_credits_net(self, tiny: Inputs) -> None:
        extra = pd.DataFrame(
            {
                "month": ["2026-02"] * 3,
                "customer_id": ["C1", "C1", "C2"],
                "product_id": ["P1", "P1", "P2"],
                "channel": ["Web", "Web", "Online"],
                "revenue": [0.10, 0.20, -30.01],
            }
        )
        inputs = replace(tiny, actuals=pd.concat([tiny.actuals, extra], ignore_index=True))
        assert roles.off_strategy_total(inputs, ["2026-02"]) == 70.29
        detail = roles.off_strategy_sales(inputs, ["2026-02"]).set_index(["product_id", "channel"])
        assert detail.loc[("P1", "Web"), "revenue"] == 0.30
        assert detail.loc[("P2", "Online"), "revenue"] == 69.99

    def test_summary_by_owner_and_product(self, tiny: Inputs, window: list[str]) -> None:
        by_owner = roles.off_strategy_summary(tiny, window, "account_owner")
        assert by_owner.to_dict("records") == [
            {
                "account_owner": "S2",
                "owner_name": "Sue",
                "revenue": 5800.0,
                "off_strategy": 100.0,
                "off_strategy_share": pytest.approx(100 / 5800),
            }
        ]
        by_product = roles.off_strategy_summary(tiny, window, "product_id")
        assert list(by_product["product_id"]) == ["P2"]
        by_month = roles.off_strategy_summary(tiny, window, "month")
        assert list(by_month["month"]) == ["2026-02"] and by_month["revenue"].iloc[0] == 1300.00

    def test_matrix(self, tiny: Inputs, window: list[str]) -> None:
        matrix = roles.off_strategy_matrix(roles.off_strategy_sales(tiny, window))
        assert list(matrix.columns) == ["product_id", "channel", "owner", "2026-02", "total"]
        assert matrix["owner"].iloc[0] == "Sue (S2)" and matrix["total"].iloc[0] == 100.0

    def test_notes(self, tiny: Inputs, window: list[str]) -> None:
        assert "Off-strategy revenue, last 12 months: 100.00" in roles.off_strategy_note(tiny, window)
        assert roles.off_strategy_note(tiny, ["2026-01"]).startswith("No revenue")


class TestPlanGranularity:
    def test_known_answers(self, tiny: Inputs) -> None:
        targets = pd.DataFrame(
            {
                "customer_group": ["Enterprise", "Enterprise", "SMB", "SMB"],
                "product_id": ["P2", "P2", "P2", "P1"],
                "target": [2.50, 2.51, 7.0, 0.0],
            }
        )
        cells = roles.plan_granularity(tiny, targets).set_index(["customer_group", "product_id"])
        assert list(cells.index) == [("Enterprise", "P1"), ("Enterprise", "P2"), ("SMB", "P2")]
        assert cells.loc[("Enterprise", "P1"), "issue"] == "committed revenue without a marketing target"
        assert cells.loc[("Enterprise", "P1"), "committed"] == 12000.0
        assert cells.loc[("Enterprise", "P2"), "issue"] == "marketing target without sales commitment"
        assert cells.loc[("Enterprise", "P2"), "target"] == 5.01
        assert cells.loc[("SMB", "P2"), "passes"] and cells.loc[("SMB", "P2"), "issue"] == ""
        fails = roles.granularity_failures(cells.reset_index())
        assert list(fails["product_id"]) == ["P1", "P2"]
        assert "2 of 3 cells fail" in roles.granularity_note(cells.reset_index())

    def test_everything_covered(self, tiny: Inputs) -> None:
        targets = pd.DataFrame(
            {"customer_group": ["Enterprise", "SMB"], "product_id": ["P1", "P2"], "target": [1.0, 1.0]}
        )
        cells = roles.plan_granularity(tiny, targets)
        assert cells["passes"].all() and roles.granularity_failures(cells).empty


def test_on_strategy_matches_pairs_not_products(tiny: Inputs) -> None:
    frame = pd.DataFrame(
        {"product_id": ["P1", "P1", "P2", "P9"], "channel": ["Direct", "Online", "Partner", "Direct"]}
    )
    assert list(roles.on_strategy(frame, tiny.channel_strategy)) == [True, False, False, False]


def test_strategy_table(tiny: Inputs) -> None:
    table = roles.strategy_table(tiny)
    assert list(table["target_share"]) == [0.6, 0.4, 1.0]
    assert np.allclose(table.groupby("product_id")["target_share"].sum(), 1.0)


def test_window_for_a_july_year(tmp_path: Path) -> None:
    from alignment.params import parse_params

    params = parse_params(
        {
            "fiscal_year": 2026,
            "fiscal_year_start_month": 7,
            "review": {"month": "2025-08"},
            "celebration": {"quarter": "2026-Q1"},
        },
        tmp_path,
    )
    assert roles.trailing_months(params, 3) == ["2025-06", "2025-07", "2025-08"]
