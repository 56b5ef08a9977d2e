"""Ramp and capacity: productivity month by month, owners' capacity, and the allocation it weighs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from alignment.engine.capacity import capacity_and_quota, owner_capacity, productivity
from alignment.engine.plan import build_plan
from alignment.fiscal import fiscal_months
from alignment.money import to_cents
from tests.planning_companies import make_inputs, params

MONTHS = fiscal_months(2026)


class TestProductivity:
    def test_started_long_ago_is_full(self):
        assert productivity("", 3, MONTHS).tolist() == [1.0] * 12

    def test_a_start_in_april_with_a_two_month_ramp(self):
        share = productivity("2026-04", 2, MONTHS)
        assert share.tolist() == [0.0, 0.0, 0.0, 1 / 3, 2 / 3] + [1.0] * 7
        assert share.mean() == pytest.approx(8 / 12)  # a ratio, not money

    def test_a_ramp_begun_last_year_carries_over(self):
        share = productivity("2025-11", 4, MONTHS)  # Nov 1/5, Dec 2/5, Jan 3/5, Feb 4/5
        assert share[:3].tolist() == [0.6, 0.8, 1.0]

    def test_a_start_after_the_year_is_zero(self):
        assert productivity("2027-02", 0, MONTHS).sum() == 0.0


def company(start_month: str = "2026-07", ramp: str = "5"):
    return make_inputs(
        customers=[("C1", "One", "G1", "N", "S1"), ("C2", "Two", "G1", "N", "S2")],
        products=[("P1", "Widget", "L1")],
        channel_strategy=[("P1", "Direct", 1.0)],
        actuals=[("2025-02", "C1", "P1", "Direct", 1000.0), ("2025-02", "C2", "P1", "Direct", 1000.0)],
        sales_input=[("C1", "P1", 5000.0, 1000.0), ("C2", "P1", 5000.0, 1000.0)],
        people=[
            ("S1", "Sam", "sales", "N", "", ""),
            ("S2", "New", "sales", "N", start_month, ramp),
            ("S3", "Later", "sales", "N", "2027-01", "0"),
        ],
    )


def test_owner_capacity_by_hand():
    # S2 starts in July with a 5-month ramp: 1/6 .. 5/6 from July to November, then December: 3.5 / 12
    cap = owner_capacity(company(), params()).set_index("account_owner")
    assert cap.loc["S1", "capacity"] == 1.0
    assert cap.loc["S2", "capacity"] == pytest.approx(3.5 / 12)
    assert cap.loc["S2", "first_full_month"] == "2026-12"
    assert cap.loc["S3", "capacity"] == 0.0


class TestAllocationWeighsCapacity:
    def test_default_leaves_the_plan_as_it_was(self):
        inputs = company()
        base = build_plan(inputs, params(target={"total": 4000.0}, allocation={"rounding": 1.0}))
        # equal headroom: the gap of 2000 is shared evenly
        assert to_cents(base.final_quotas["allocated"]).tolist() == [100000, 100000]

    def test_a_new_hire_takes_a_capacity_share(self):
        inputs = company()
        p = params(target={"total": 4000.0}, allocation={"rounding": 1.0, "owner_capacity": True})
        plan = build_plan(inputs, p)
        # weights 4000 x 1 and 4000 x 3.5/12: 2000 x 12/15.5 = 1548.39 and 451.61
        assert to_cents(plan.final_quotas["allocated"]).tolist() == [154800, 45200]
        assert to_cents(plan.final_quota_total) == 400000
        assert plan.final_quotas["weight"].tolist() == pytest.approx([4000.0, 4000.0 * 3.5 / 12])

    def test_capacity_next_to_quota(self):
        inputs = company()
        p = params(target={"total": 4000.0}, allocation={"rounding": 1.0, "owner_capacity": True})
        plan = build_plan(inputs, p)
        table = capacity_and_quota(plan.final_quotas, owner_capacity(inputs, p)).set_index("account_owner")
        assert to_cents(table["final_quota"]).tolist() == [254800, 145200, 0]
        assert table.loc["S2", "quota_per_capacity"] == pytest.approx(1452 / (3.5 / 12))
        assert np.isnan(table.loc["S3", "quota_per_capacity"])
        assert table.loc["S1", "share_of_capacity"] == pytest.approx(1 / (1 + 3.5 / 12))

    def test_an_owner_without_capacity_takes_nothing(self):
        inputs = company(start_month="2027-03", ramp="0")
        p = params(target={"total": 4000.0}, allocation={"rounding": 1.0, "owner_capacity": True})
        plan = build_plan(inputs, p)
        assert to_cents(plan.final_quotas["allocated"]).tolist() == [200000, 0]

    def test_sample_people_carry_a_ramp(self):
        from alignment.inputs import load_inputs
        from alignment.paths import SAMPLE_DATA_DIR

        inputs = load_inputs(SAMPLE_DATA_DIR)
        cap = owner_capacity(inputs, params()).set_index("account_owner")
        assert cap.loc["S010", "capacity"] == pytest.approx((0.25 + 0.5 + 0.75 + 7) / 12)
        assert cap.loc["S008", "capacity"] == pytest.approx((0.6 + 0.8 + 10) / 12)
        assert (cap.drop(index=["S008", "S010"])["capacity"] == 1.0).all()
        people = replace(inputs, people=inputs.people.assign(ramp_months=pd.array([0] * len(inputs.people))))
        assert owner_capacity(people, params()).set_index("account_owner").loc["S008", "capacity"] == 1.0
