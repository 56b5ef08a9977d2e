"""Top-down target (CONTRACT 6.1): cells, growth rules, total, channel split and phasing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignment.engine.plan import build_plan
from alignment.engine.targets import (
    cell_targets,
    growth_assumptions,
    growth_by_cell,
    line_month_weights,
    prior_revenue_by_pair,
    prior_year_actuals,
    split_targets,
)
from alignment.engine.views import channel_split, monthly_target_table, target_by_group_line
from alignment.money import scale_cents, to_cents
from alignment.problems import ParamsError
from tests.planning_companies import HAND, HAND_TARGET, hand_expected, hand_inputs, params


def hand_params(**changes):
    return params(
        target={**HAND_TARGET, "rules": list(HAND_TARGET["rules"]), **changes.pop("target", {})}, **changes
    )


class TestScaleCents:
    def test_half_a_cent_rounds_away_from_zero(self):
        assert scale_cents(np.array([10, -10]), 1.15).tolist() == [12, -12]  # 11.5 cents

    def test_float_just_below_the_decimal_is_taken_as_the_decimal(self):
        assert scale_cents(np.array([10000]), 1.15).tolist() == [11500]
        assert scale_cents(np.array([30]), 1.05).tolist() == [32]  # 31.5 -> 32

    def test_factor_per_row(self):
        assert scale_cents(np.array([100, 100]), np.array([1.1, 1.25])).tolist() == [110, 125]


class TestGrowth:
    def test_last_matching_rule_wins(self):
        cells = pd.DataFrame(
            {
                "customer_group": ["Ent", "Ent", "SMB", "SMB"],
                "product_id": ["P1", "P2", "P1", "P2"],
                "product_line": ["Cloud", "HW", "Cloud", "HW"],
            }
        )
        p = params(
            target={
                "growth": 0.1,
                "rules": [
                    {"customer_group": "Ent", "growth": 0.15},
                    {"product_line": "Cloud", "growth": 0.25},
                    {"customer_group": "SMB", "product_id": "P2", "growth": -0.5},
                ],
            }
        )
        growth, rule = growth_by_cell(cells, p.target)
        assert growth.tolist() == [0.25, 0.15, 0.25, -0.5]
        assert rule.tolist() == [2, 1, 2, 3]

    def test_a_rule_needs_all_its_keys_to_match(self):
        cells = pd.DataFrame(
            {"customer_group": ["Ent", "SMB"], "product_id": ["P1", "P1"], "product_line": ["Cloud", "Cloud"]}
        )
        p = params(target={"rules": [{"customer_group": "Ent", "product_line": "HW", "growth": 0.9}]})
        growth, _ = growth_by_cell(cells, p.target)
        assert growth.tolist() == [0.1, 0.1]

    def test_growth_assumptions_table(self):
        table = growth_assumptions(hand_params().target)
        assert table["rule"].tolist() == ["default", "rules[1]", "rules[2]"]
        assert table["growth"].tolist() == [0.1, 0.2, 0.5]
        assert table.loc[2, "product_id"] == "P1" and table.loc[2, "customer_group"] == "(any)"


def hand_cells(**target):
    inputs = hand_inputs()
    p = hand_params(target=target)
    prior = prior_year_actuals(inputs.actuals, p.prior_months)
    pairs = prior_revenue_by_pair(prior)
    return cell_targets(pairs, inputs.sales_input, inputs.customers, inputs.products, p), prior, inputs, p


class TestCells:
    def test_hand_company(self):
        cells, *_ = hand_cells()
        exp = hand_expected()
        got = {
            (g, p): t / 100
            for g, p, t in zip(cells["customer_group"], cells["product_id"], cells["target"], strict=True)
        }
        assert got == exp["cells"]
        growth = {
            (g, p): x
            for g, p, x in zip(cells["customer_group"], cells["product_id"], cells["growth"], strict=True)
        }
        assert growth == exp["growth"]
        assert cells["rule"].tolist() == ["rules[2]", "default", "rules[1]"]
        assert cells["prior_revenue"].tolist() == [200000, 0, 250000]

    def test_negative_cell_is_clamped_at_zero(self):
        inputs = hand_inputs(actuals=[*HAND["actuals"], ("2025-09", "C2", "P2", "Partner", -50.0)])
        p = hand_params()
        prior = prior_year_actuals(inputs.actuals, p.prior_months)
        cells = cell_targets(
            prior_revenue_by_pair(prior), inputs.sales_input, inputs.customers, inputs.products, p
        )
        row = cells.set_index(["customer_group", "product_id"]).loc[("G1", "P2")]
        assert row["prior_revenue"] == -5000 and row["base"] == 0 and row["target"] == 0

    def test_total_is_split_among_cells_exactly(self):
        cells, *_ = hand_cells(total=10000.01)
        # 3000 : 0 : 3000 -> 5000.005 each; the tie goes to the first cell (G1, P1)
        assert cells["target"].tolist() == [500001, 0, 500000]
        assert cells["unscaled_target"].tolist() == [300000, 0, 300000]

    def test_total_without_prior_revenue_is_an_error_naming_the_key(self):
        inputs = hand_inputs(actuals=[("2026-01", "C1", "P1", "Direct", 10.0)])
        with pytest.raises(ParamsError, match=r"target\.total"):
            build_plan(inputs, hand_params(target={"total": 1000.0}))


class TestPhasing:
    def test_seasonal_shares_of_the_prior_year(self):
        _, prior, inputs, p = hand_cells()
        w = line_month_weights(prior, inputs.products, p).set_index(["product_line", "month"])["share"]
        assert w[("L1", "2026-01")] == pytest.approx(0.3)
        assert w[("L1", "2026-03")] == pytest.approx(0.5)
        assert w[("L1", "2026-07")] == pytest.approx(0.2)
        assert w[("L2", "2026-02")] == pytest.approx(0.76)  # 2000 - 100 of 2500
        assert w[("L1", "2026-02")] == 0.0
        assert w.groupby(level=0).sum().tolist() == pytest.approx([1.0, 1.0])

    def test_a_negative_month_counts_as_zero(self):
        inputs = hand_inputs(
            actuals=[("2025-01", "C1", "P1", "Direct", 100.0), ("2025-02", "C1", "P1", "Direct", -300.0)]
        )
        p = hand_params()
        prior = prior_year_actuals(inputs.actuals, p.prior_months)
        w = line_month_weights(prior, inputs.products, p).set_index(["product_line", "month"])["share"]
        assert w[("L1", "2026-01")] == 1.0 and w[("L1", "2026-02")] == 0.0
        assert w[("L2", "2026-05")] == pytest.approx(1 / 12)  # no revenue at all: even

    def test_even(self):
        _, prior, inputs, _ = hand_cells()
        p = hand_params(target={"phasing": "even"})
        w = line_month_weights(prior, inputs.products, p)
        assert np.allclose(w["share"], 1 / 12)

    def test_fiscal_year_starting_in_july(self):
        # FY2026 runs 2025-07 .. 2026-06; its prior year 2024-07 .. 2025-06
        p = hand_params(fiscal_year_start_month=7)
        inputs = hand_inputs()
        prior = prior_year_actuals(inputs.actuals, p.prior_months)
        assert sorted(prior["month"].unique()) == ["2024-12", "2025-01", "2025-02", "2025-03", "2025-05"]
        w = line_month_weights(prior, inputs.products, p).set_index(["product_line", "month"])["share"]
        # L1: 2024-12 5000 (fiscal month 6 -> plan month 2025-12), 2025-01 600, 2025-03 1000
        assert w[("L1", "2025-12")] == pytest.approx(5000 / 6600)
        assert w[("L1", "2026-01")] == pytest.approx(600 / 6600)
        assert list(w.loc["L1"].index) == p.months


class TestSplit:
    def test_hand_company_targets(self):
        plan = build_plan(hand_inputs(), hand_params())
        rows = list(
            plan.targets[["customer_group", "product_id", "channel", "month", "target"]].itertuples(
                index=False, name=None
            )
        )
        assert rows == hand_expected()["targets"]
        assert plan.top_down_target == 6000.0

    def test_ties_go_to_the_part_that_sorts_first(self):
        cells = pd.DataFrame(
            {"customer_group": ["G"], "product_id": ["P"], "product_line": ["L"], "target": [10]}
        )
        strategy = pd.DataFrame(
            {"product_id": ["P", "P"], "channel": ["Online", "Direct"], "share": [0.5, 0.5]}
        )
        months = [f"2026-{m:02d}" for m in range(1, 13)]
        weights = pd.DataFrame(
            {"product_line": ["L"] * 12, "month": months, "weight": [1.0] * 12, "share": [1 / 12] * 12}
        )
        out = split_targets(cells, strategy, weights, months)
        # 10 cents: 5 per channel, then one cent to each of the first five months
        assert out["channel"].tolist() == ["Direct"] * 5 + ["Online"] * 5
        assert out["month"].tolist() == months[:5] * 2
        assert out["target"].tolist() == [1] * 10

    def test_parts_of_every_cell_sum_to_the_cell(self):
        inputs = hand_inputs(
            actuals=[
                *HAND["actuals"],
                ("2025-11", "C2", "P1", "Online", 333.33),
                ("2025-06", "C3", "P2", "Partner", 0.07),
            ]
        )
        plan = build_plan(inputs, hand_params())
        t = plan.targets.assign(c=to_cents(plan.targets["target"].to_numpy()))
        by_cell = t.groupby(["customer_group", "product_id"])["c"].sum()
        cells = plan.cell_targets.set_index(["customer_group", "product_id"])["target"]
        for key, cents in by_cell.items():
            assert cents == to_cents(cells[key])
        assert t["c"].sum() == to_cents(plan.top_down_target)
        assert (plan.targets["target"] > 0).all()

    def test_missing_channel_strategy_is_refused(self):
        cells = pd.DataFrame(
            {"customer_group": ["G"], "product_id": ["P"], "product_line": ["L"], "target": [10]}
        )
        strategy = pd.DataFrame({"product_id": ["Q"], "channel": ["Direct"], "share": [1.0]})
        with pytest.raises(ValueError, match="no channel strategy"):
            split_targets(cells, strategy, pd.DataFrame(), [])


class TestViews:
    def test_target_by_group_line(self):
        plan = build_plan(hand_inputs(), hand_params())
        table = target_by_group_line(plan.cell_targets).set_index(["customer_group", "product_line"])
        assert table.loc[("G1", "L1"), "target"] == 3000.0
        assert table.loc[("G1", "L1"), "change"] == 1000.0
        assert table.loc[("G1", "L1"), "growth"] == pytest.approx(0.5)
        assert np.isnan(table.loc[("G1", "L2"), "growth"])

    def test_channel_split_and_monthly_table(self):
        plan = build_plan(hand_inputs(), hand_params())
        split = channel_split(plan.targets).set_index(["product_line", "channel"])
        assert split.loc[("L1", "Direct"), "target"] == 1800.0
        assert split.loc[("L1", "Online"), "share_of_line"] == pytest.approx(0.4)
        from alignment.engine.views import monthly_phasing

        table = monthly_target_table(monthly_phasing(plan.targets, plan.line_month_shares)).set_index("month")
        assert table.loc["2026-01", "L1"] == 900.0 and table.loc["2026-02", "total"] == 2280.0
        assert to_cents(table["total"].to_numpy()).sum() == 600000
