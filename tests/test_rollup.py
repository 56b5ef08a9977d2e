"""Bottom-up quota and rollup (CONTRACT 6.2), on the hand-computed company."""

from __future__ import annotations

import math

import pytest

from alignment.engine.plan import build_plan
from alignment.engine.rollup import ROLLUP_COLUMNS
from alignment.engine.views import committed_above_potential, rollup_level
from alignment.money import to_cents
from tests.planning_companies import HAND, HAND_TARGET, hand_expected, hand_inputs, params


def hand_params(**changes):
    return params(target={**HAND_TARGET, "rules": list(HAND_TARGET["rules"])}, **changes)


@pytest.fixture(scope="module")
def plan():
    return build_plan(hand_inputs(), hand_params())


class TestCustomerTargets:
    def test_hand_company(self, plan):
        ct = plan.customer_targets
        got = {(c, p): t for c, p, t in zip(ct["customer_id"], ct["product_id"], ct["target"], strict=True)}
        assert got == hand_expected()["customer_targets"]
        assert list(ct.columns) == [
            "customer_id",
            "product_id",
            "customer_group",
            "region",
            "account_owner",
            "prior_revenue",
            "target",
        ]
        assert ct.loc[ct["customer_id"] == "C4", "prior_revenue"].tolist() == [500.0]

    def test_even_share_when_no_customer_of_the_cell_had_revenue(self):
        # C5 (G1, not in sales_input) bought P2 for 300.10: cell (G1, P2) target 330.11 goes to its
        # sales_input customers C1 and C2 evenly; the odd cent goes to C1, which sorts first
        inputs = hand_inputs(
            customers=[*HAND["customers"], ("C5", "Epsilon", "G1", "North", "S1")],
            actuals=[*HAND["actuals"], ("2025-04", "C5", "P2", "Partner", 300.10)],
            sales_input=[*HAND["sales_input"], ("C1", "P2", 100.0, 0.0)],
        )
        plan = build_plan(inputs, hand_params())
        ct = plan.customer_targets.set_index(["customer_id", "product_id"])["target"]
        assert ct[("C1", "P2")] == 165.06 and ct[("C2", "P2")] == 165.05

    def test_a_cell_without_sales_input_customers_keeps_its_target_at_total_and_group_level(self):
        # C5 buys P1 in G2, a cell nobody in sales_input has: it counts in T and in G2, not in regions
        inputs = hand_inputs(
            customers=[*HAND["customers"], ("C5", "Epsilon", "G2", "North", "S1")],
            actuals=[*HAND["actuals"], ("2025-04", "C5", "P1", "Direct", 100.0)],
        )
        plan = build_plan(inputs, hand_params())
        assert plan.top_down_target == 6150.0  # + 100 x 1.5 (rule 2, P1)
        r = plan.rollup.set_index(["level", "key"])["target"]
        assert r[("customer_group", "G2")] == 3150.0
        assert r[("region", "North")] + r[("region", "South")] == 6000.0


class TestRollup:
    def test_hand_company(self, plan):
        rows = list(plan.rollup[ROLLUP_COLUMNS].itertuples(index=False, name=None))
        assert rows == hand_expected()["rollup"]

    def test_columns_and_ratios(self, plan):
        assert list(plan.rollup.columns[:6]) == ROLLUP_COLUMNS
        total = plan.rollup.iloc[0]
        assert total["committed_to_target"] == pytest.approx(4900 / 6000)
        assert total["committed_to_potential"] == pytest.approx(4900 / 8100)
        s3 = plan.rollup.set_index(["level", "key"]).loc[("account_owner", "S3")]
        assert math.isnan(s3["committed_to_target"]) and s3["name"] == "New Rep"

    def test_bottom_up_quota(self, plan):
        assert plan.bottom_up_quota == 4900.0

    def test_every_level_sums_to_the_total(self, plan):
        r = plan.rollup
        for level in ("customer_group", "region", "account_owner"):
            part = r.loc[r["level"] == level]
            for col in ("committed", "potential", "prior_revenue", "target"):
                assert to_cents(part[col].to_numpy()).sum() == to_cents(r.loc[0, col])

    def test_rollup_level_adds_the_gap(self, plan):
        groups = rollup_level(plan.rollup, "customer_group")
        assert groups["key"].tolist() == ["G1", "G2"]
        assert groups["gap"].tolist() == [500.0, 600.0]
        with pytest.raises(ValueError):
            rollup_level(plan.rollup, "planet")

    def test_committed_above_potential(self, plan):
        rows = committed_above_potential(plan.final_quotas)
        assert rows[["customer_id", "product_id", "excess"]].values.tolist() == [["C4", "P2", 100.0]]
