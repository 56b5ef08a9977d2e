"""The mid-year re-plan: a small company worked out by hand, and properties over random companies.

The hand company (FY2026 on the calendar year, even phasing, review month 2026-06, rounding 1):

=====  =====  =========  =========  ======  ========  ===========================
row    owner  committed  potential  locked  booked    note
=====  =====  =========  =========  ======  ========  ===========================
C1 P1  S1     12,000     20,000     no      7,500     owner S1 ahead (125%)
C2 P1  S2     24,000     30,000     no      6,000     owner S2 behind (2/3)
C3 P1  S2     12,000     14,000     yes     6,000     locked at 12,000
C4 P1  S1      6,000      6,000     no      3,750     at its cap: potential left 2,250
=====  =====  =========  =========  ======  ========  ===========================

``target.total`` = 54,000 = Q, so the original plan allocates nothing: final quotas = committed,
objectives 1/12 a month. Past objectives (Jan-Jun): 6,000, 12,000, 6,000, 3,000 (27,000); the rest
must bring 54,000 - 27,000 = 27,000. S1's attainment to date is 11,250 / 9,000 = 1.25, S2's
12,000 / 18,000 = 2/3. Forecast rests: C1 6,000 x 1.25 = 7,500, C2 12,000 x 2/3 = 8,000, C4 3,000
x 1.25 = 3,750; C3 keeps 6,000. Bases sum to 25,250: the gap is 1,750. Rest potentials: C1 12,500,
C2 24,000, C4 2,250 (below its base 3,750: no room). Headroom weights 5,000 and 16,000: C1 takes
1,750 x 5/21 = 416.67, C2 1,333.33; rounded to whole units C1 417 (larger remainder), C2 1,333.
Re-planned quotas: C1 6,000 + 7,917 = 13,917; C2 12,000 + 9,333 = 21,333; C3 12,000; C4 3,000 +
3,750 = 6,750; sum 54,000.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alignment.engine.plan import build_plan
from alignment.engine.replan import (
    REPLAN_OBJECTIVES_COLUMNS,
    REPLAN_QUOTAS_COLUMNS,
    build_replan,
    replan_by_owner,
    replan_writers,
)
from alignment.money import to_cents
from alignment.params import ReplanParams, ReviewParams
from tests.planning_companies import make_inputs, params

ROWS = [
    # customer, owner, committed, potential, booked Jan-Jun (6 equal months)
    ("C1", "S1", 12000.0, 20000.0, 7500.0),
    ("C2", "S2", 24000.0, 30000.0, 6000.0),
    ("C3", "S2", 12000.0, 14000.0, 6000.0),
    ("C4", "S1", 6000.0, 6000.0, 3750.0),
]


def hand_company():
    actuals = [("2025-03", "C1", "P1", "Direct", 10000.0)]
    for customer, _owner, _c, _p, booked in ROWS:
        actuals += [(f"2026-{m:02d}", customer, "P1", "Direct", booked / 6) for m in range(1, 7)]
    actuals.append(("2026-07", "C2", "P1", "Direct", 99999.0))  # after the review month: not booked yet
    inputs = make_inputs(
        customers=[(c, f"Customer {c}", "G1", "North", o) for c, o, *_ in ROWS],
        products=[("P1", "Widget", "L1")],
        channel_strategy=[("P1", "Direct", 1.0)],
        actuals=actuals,
        sales_input=[(c, "P1", p, com) for c, _o, com, p, _b in ROWS],
        overrides=[("C3", "P1", 12000.0)],
        people=[("S1", "Sam", "sales", "North"), ("S2", "Ana", "sales", "South")],
    )
    p = params(
        target={"total": 54000.0, "phasing": "even"},
        allocation={"rounding": 1.0},
        review=ReviewParams(month="2026-06"),
    )
    return inputs, p


@pytest.fixture(scope="module")
def hand():
    inputs, p = hand_company()
    plan = build_plan(inputs, p)
    return inputs, p, plan, build_replan(plan, inputs, p)


def by_customer(replan) -> pd.DataFrame:
    return replan.quotas.set_index("customer_id")


class TestHandCompany:
    def test_the_original_plan_is_committed(self, hand):
        _, _, plan, _ = hand
        assert plan.gap == 0.0
        assert list(plan.final_quotas["final_quota"]) == [12000.0, 24000.0, 12000.0, 6000.0]

    def test_attainment_forecast_and_base(self, hand):
        q = by_customer(hand[3])
        assert q.loc["C1", "attainment"] == 1.25 and q.loc["C4", "attainment"] == 1.25
        assert q.loc["C2", "attainment"] == pytest.approx(2 / 3)  # a ratio, not money
        assert to_cents(q["booked"]).tolist() == [750000, 600000, 600000, 375000]
        assert to_cents(q["past_objective"]).tolist() == [600000, 1200000, 600000, 300000]
        assert to_cents(q["forecast_rest"]).tolist()[:2] == [750000, 800000]
        assert to_cents(q["rest_base"]).tolist() == [750000, 800000, 600000, 375000]
        assert to_cents(q["rest_potential"]).tolist() == [1250000, 2400000, 800000, 225000]

    def test_the_shortfall_is_reallocated_by_headroom(self, hand):
        r = hand[3]
        assert to_cents(r.gap) == 175000 and to_cents(r.placed) == 175000 and r.unallocated == 0.0
        q = by_customer(r)
        assert to_cents(q["weight"]).tolist() == [500000, 1600000, 0, 0]
        assert to_cents(q["allocated"]).tolist() == [41700, 133300, 0, 0]
        assert to_cents(q["rest_quota"]).tolist() == [791700, 933300, 600000, 375000]

    def test_replanned_quotas(self, hand):
        r = hand[3]
        q = by_customer(r)
        assert to_cents(q["final_quota"]).tolist() == [1391700, 2133300, 1200000, 675000]
        assert to_cents(q["original_quota"]).tolist() == [1200000, 2400000, 1200000, 600000]
        assert to_cents(q["change"]).tolist() == [191700, -266700, 0, 75000]
        assert to_cents(r.replanned_total) == to_cents(r.target) == 5400000
        assert q["locked"].tolist() == [False, False, True, False]

    def test_objectives_keep_the_past_and_phase_the_rest(self, hand):
        r = hand[3]
        obj = r.objectives
        assert list(obj.columns) == REPLAN_OBJECTIVES_COLUMNS
        c1 = obj[obj["customer_id"] == "C1"]
        assert to_cents(c1["objective"]).tolist() == [100000] * 6 + [131950] * 6
        assert to_cents(c1["original_quota"]).tolist() == [100000] * 12
        assert to_cents(obj[obj["customer_id"] == "C2"]["objective"]).tolist() == [200000] * 6 + [155550] * 6
        assert to_cents(obj[obj["customer_id"] == "C3"]["objective"]).tolist() == [100000] * 12
        assert to_cents(obj[obj["customer_id"] == "C4"]["objective"]).tolist() == [50000] * 6 + [62500] * 6

    def test_owners_side_by_side(self, hand):
        inputs, _, _, r = hand
        owners = replan_by_owner(r, inputs.people).set_index("account_owner")
        assert to_cents(owners["original_quota"]).tolist() == [1800000, 3600000]
        assert to_cents(owners["final_quota"]).tolist() == [2066700, 3333300]
        assert to_cents(owners["change"]).tolist() == [266700, -266700]
        assert owners.loc["S1", "name"] == "Sam"

    def test_a_replan_target(self, hand):
        inputs, p, plan, _ = hand
        r = build_replan(plan, inputs, replace(p, replan=ReplanParams(target=55000.0)))
        q = by_customer(r)
        assert to_cents(r.gap) == 275000
        assert to_cents(q["allocated"]).tolist() == [65500, 209500, 0, 0]
        assert to_cents(r.replanned_total) == 5500000

    def test_a_target_the_forecasts_already_beat_is_a_surplus(self, hand):
        inputs, p, plan, _ = hand
        r = build_replan(plan, inputs, replace(p, replan=ReplanParams(target=50000.0)))
        assert to_cents(r.gap) == 50000 * 100 - 2700000 - 2525000
        assert r.surplus > 0 and r.placed == 0.0
        assert to_cents(r.replanned_total) == 2700000 + 2525000

    def test_the_last_month_leaves_nothing_to_replan(self, hand):
        inputs, p, plan, _ = hand
        r = build_replan(plan, inputs, replace(p, review=ReviewParams(month="2026-12")))
        assert r.rest_months == []
        assert to_cents(r.quotas["final_quota"]).tolist() == to_cents(r.quotas["original_quota"]).tolist()

    def test_owner_capacity_weighs_the_reallocation(self, hand):
        inputs, p, plan, _ = hand
        people = inputs.people.assign(
            start_month=["2026-01", ""], ramp_months=pd.array([3, 0], dtype="int64")
        )  # S1 ramps through March: capacity (1/4 + 2/4 + 3/4 + 9) / 12
        capped = replace(inputs, people=people)
        p2 = replace(p, allocation=replace(p.allocation, owner_capacity=True))
        r = build_replan(plan, capped, p2)
        q = by_customer(r)
        assert q.loc["C1", "weight"] == pytest.approx(5000 * 10.5 / 12)  # weights are not money
        assert to_cents(r.replanned_total) == 5400000

    def test_tables_are_written_with_the_contract_columns(self, hand, tmp_path):
        writers = replan_writers(hand[3])
        assert list(writers) == ["replan_quotas.csv", "replan_objectives.csv"]
        paths = []
        for name, write in writers.items():
            write(tmp_path / name)
            paths.append(tmp_path / name)
        quotas = pd.read_csv(paths[0], dtype=str)
        assert list(quotas.columns)[: len(REPLAN_QUOTAS_COLUMNS)] == REPLAN_QUOTAS_COLUMNS
        assert quotas["final_quota"].tolist() == ["13917.00", "21333.00", "12000.00", "6750.00"]


# --------------------------------------------------------------------------- properties

money = st.integers(min_value=0, max_value=500_000)


@st.composite
def replan_cases(draw):
    n = draw(st.integers(1, 6))
    rows = []
    for i in range(1, n + 1):
        committed = draw(money)
        potential = draw(money)
        rows.append(
            (
                f"C{i}",
                draw(st.sampled_from(["S1", "S2"])),
                draw(st.sampled_from(["G1", "G2"])),
                committed,
                potential,
            )
        )
    locked = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=min(2, n - 1)))
    booked = [[draw(st.integers(-2_000, 200_000)) for _ in range(3)] for _ in rows]
    month = draw(st.sampled_from(["2026-03", "2026-06", "2026-09", "2026-11"]))
    target = draw(st.one_of(st.none(), st.integers(100_000, 5_000_000)))
    rounding = draw(st.sampled_from([0.01, 1.0, 100.0, 1000.0]))
    method = draw(st.sampled_from(["headroom", "potential", "prior_revenue", "equal"]))
    group_method = draw(st.sampled_from(["target_gap", "headroom", "equal"]))
    return rows, locked, booked, month, target, rounding, method, group_method


@given(replan_cases())
def test_replan_sums_exactly_and_never_lowers_a_row_below_what_it_booked(case):
    rows, locked, booked, month, target, rounding, method, group_method = case
    actuals = [("2025-05", c, "P1", "Direct", max(com, 1) / 100) for c, _o, _g, com, _p in rows]
    for (c, *_), amounts in zip(rows, booked, strict=True):
        actuals += [
            (m, c, "P1", "Direct", a / 100)
            for m, a in zip(["2026-01", "2026-02", "2026-03"], amounts, strict=True)
        ]
    inputs = make_inputs(
        customers=[(c, c, g, "N", o) for c, o, g, _com, _p in rows],
        products=[("P1", "Widget", "L1")],
        channel_strategy=[("P1", "Direct", 1.0)],
        actuals=actuals,
        sales_input=[(c, "P1", p / 100, com / 100) for c, _o, _g, com, p in rows],
        overrides=[(rows[i][0], "P1", rows[i][3] / 100) for i in locked],
        people=[("S1", "Sam", "sales", "N"), ("S2", "Ana", "sales", "S")],
    )
    p = params(
        target={"growth": 0.2},
        allocation={"rounding": rounding, "customer_method": method, "group_method": group_method},
        review=ReviewParams(month=month),
        replan=ReplanParams(target=None if target is None else target / 100),
    )
    plan = build_plan(inputs, p)
    r = build_replan(plan, inputs, p)
    q = r.quotas
    final = to_cents(q["final_quota"])
    original = to_cents(q["original_quota"])
    booked_cents = to_cents(q["booked"])
    past = to_cents(q["past_objective"])

    # the year: the target, less what nobody could take, or more by a surplus
    expected = to_cents(r.target) - to_cents(r.unallocated) + (to_cents(r.surplus) if r.gap < 0 else 0)
    assert int(final.sum()) == expected == to_cents(r.replanned_total)
    if r.gap >= 0 and r.unallocated == 0:
        assert int(final.sum()) == to_cents(r.target)
    # never below what a row booked, unless its quota was already there (locked or below booked)
    assert np.all((final >= np.minimum(booked_cents, original)) | q["locked"].to_numpy())
    assert np.all(final[q["locked"].to_numpy()] == original[q["locked"].to_numpy()])
    assert np.all(final >= past)
    # every row's objectives sum to its quota; the past months keep theirs
    obj = r.objectives.assign(cents=to_cents(r.objectives["objective"]))
    sums = obj.groupby("customer_id")["cents"].sum().reindex(q["customer_id"]).to_numpy()
    assert np.array_equal(sums, final)
    kept = obj[obj["month"] <= month]
    assert np.array_equal(kept["cents"].to_numpy(), to_cents(kept["original_quota"]))
    assert (obj["cents"] >= 0).all()
