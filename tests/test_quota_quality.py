"""Quota quality: the back-test's shares, Gini and quota error by hand, the replay, and the new inputs and keys.

The hand company (FY2026; the prior year is 2025, the year before it 2024), one customer per owner:

=====  =====  ======  ===========  ===========  ==========  ================
owner  group  quota   actual 2025  attainment   2024        proposed quota
=====  =====  ======  ===========  ===========  ==========  ================
S1     G1     1,000   1,200        1.2          1,000       1,100 (made it)
S2     G1     1,000     800        0.8            800       1,000
S3     G2     1,000     400        0.4            400       none
S4     G2     1,000   1,600        1.6          1,600       2,000
=====  =====  ======  ===========  ===========  ==========  ================

At quota 2 of 4 = 50%; at the threshold (50%) 3 of 4; at excellence (150%) 1 of 4. Quota error =
(0.2 + 0.2 + 0.6 + 0.6) / 4 = 0.4. Gini: the six pairs differ by 0.4, 0.8, 1.2, 0.4, 0.8, 0.4 = 4.0,
so 2 x 4.0 / (2 x 4^2 x mean 1.0) = 0.25. The groups attain 100% each. Replayed: S1 makes 1,100 with
1,200; S2 and S4 do not; S3 has no quota and is not counted: 1 of 3. Growth asked: S2 1000/800 - 1 =
25% against revenue growth 0% (called out with the 10-point margin), S4 2000/1600 - 1 = 25% against
0% (called out); S1 is asked -8.3% against +20%.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tiny_company import write_company

from alignment.inputs import check_folder, load_inputs
from alignment.money import to_cents
from alignment.params import QuotaQualityParams, parse_params, with_sections
from alignment.practices import quota_quality as qq
from alignment.problems import ParamsError
from tests.planning_companies import frame, make_inputs, params

OWNERS = [
    ("S1", "G1", 1200.0, 1000.0),
    ("S2", "G1", 800.0, 800.0),
    ("S3", "G2", 400.0, 400.0),
    ("S4", "G2", 1600.0, 1600.0),
]


def hand_inputs(with_prior_quotas: bool = True):
    customers = [(f"C{o[1:]}", f"Customer {o}", g, "N", o) for o, g, _a, _b in OWNERS]
    actuals = []
    for (_o, _g, a2025, a2024), c in zip(OWNERS, customers, strict=True):
        actuals += [
            ("2025-04", c[0], "P1", "Direct", a2025 / 2),
            ("2025-09", c[0], "P1", "Direct", a2025 / 2),
        ]
        actuals.append(("2024-06", c[0], "P1", "Direct", a2024))
    inputs = make_inputs(
        customers=customers,
        products=[("P1", "Widget", "L1")],
        channel_strategy=[("P1", "Direct", 1.0)],
        actuals=actuals,
        sales_input=[(c[0], "P1", 5000.0, 1000.0) for c in customers],
        people=[(o, f"Rep {o}", "sales", "N") for o, *_ in OWNERS],
    )
    if with_prior_quotas:
        inputs = replace(
            inputs, prior_quotas=frame("prior_quotas", [(c[0], "P1", 1000.0) for c in customers])
        )
    return inputs


PROPOSED = pd.DataFrame(
    {"account_owner": ["S1", "S2", "S4", "S4"], "final_quota": [1100.0, 1000.0, 1500.0, 500.0]}
)


def test_gini_by_hand():
    assert qq.gini([0.4, 0.8, 1.2, 1.6]) == pytest.approx(0.25)  # a ratio, not money
    assert qq.gini([1.0, 1.0, 1.0]) == 0.0
    assert qq.gini([0.0, 0.0, 3.0]) == pytest.approx(2 / 3)
    assert qq.gini([]) is None and qq.gini([0.0, -1.0]) is None


class TestBackTest:
    def test_owner_attainment_and_shares(self):
        back = qq.back_test(hand_inputs(), params())
        owners = back["account_owner"].set_index("key")
        assert to_cents(owners["quota"]).tolist() == [100000] * 4
        assert to_cents(owners["actual"]).tolist() == [120000, 80000, 40000, 160000]
        assert owners["attainment"].tolist() == pytest.approx([1.2, 0.8, 0.4, 1.6])
        d = qq.owner_figures(back, params())
        assert (d["with_quota"], d["at_quota"], d["at_threshold"], d["at_excellence"]) == (4, 0.5, 0.75, 0.25)
        assert d["quota_error"] == pytest.approx(0.4) and d["gini"] == pytest.approx(0.25)

    def test_groups_and_customers(self):
        back = qq.back_test(hand_inputs(), params())
        groups = back["customer_group"].set_index("key")
        assert to_cents(groups["quota"]).tolist() == [200000, 200000]
        assert groups["attainment"].tolist() == [1.0, 1.0]
        table = qq.distribution_table(back, params()).set_index("level")
        assert table.loc["customer_group", "at_quota"] == 1.0
        assert table.loc["customer_id", "at_quota"] == 0.5

    def test_threshold_and_excellence_are_parameters(self):
        back = qq.back_test(hand_inputs(), params())
        p = params(quota_quality=QuotaQualityParams(threshold=0.9, excellence=1.2))
        d = qq.owner_figures(back, p)
        assert (d["at_threshold"], d["at_excellence"]) == (0.5, 0.5)

    def test_over_and_under_quotad(self):
        inputs = hand_inputs()
        owners = qq.level_view(qq.back_test(inputs, params()), "account_owner", inputs)
        found = qq.misquoted(owners, params())
        assert found[["key", "finding"]].values.tolist() == [["S3", "over-quota'd"], ["S4", "under-quota'd"]]
        assert found["name"].tolist() == ["Rep S3", "Rep S4"]

    def test_guideline_verdicts(self):
        d = qq.owner_figures(qq.back_test(hand_inputs(), params()), params())
        table = qq.guideline_table(d, params())
        assert table["verdict"].tolist() == ["below the band", "below the band", "above the band"]

    def test_without_prior_quotas_only_the_replay_runs(self):
        inputs = hand_inputs(with_prior_quotas=False)
        assert qq.back_test(inputs, params()) is None
        assert qq.distribution_table(None, params()).empty
        assert qq.level_view(None, "account_owner", inputs).empty
        replayed = qq.replay(PROPOSED, inputs, params())
        assert qq.headline(None, replayed) == {
            "share_at_quota_last_year": None,
            "share_at_quota_replayed": 1 / 3,
        }
        assert replayed["last_year_quota"].isna().all()


class TestReplay:
    def test_by_hand(self):
        inputs = hand_inputs()
        r = qq.replay(PROPOSED, inputs, params()).set_index("account_owner")
        assert to_cents(r["proposed_quota"]).tolist() == [110000, 100000, 0, 200000]
        assert to_cents(r["prior_revenue"]).tolist() == [120000, 80000, 40000, 160000]
        assert r["made_it"].tolist() == [True, False, False, False]
        assert r["revenue_growth"].tolist() == pytest.approx([0.2, 0.0, 0.0, 0.0])
        assert r.loc["S2", "growth_asked"] == pytest.approx(0.25)
        assert r["called_out"].tolist() == [False, True, False, True]
        assert r.loc["S4", "quota_change"] == pytest.approx(1.0)
        assert np.isnan(r.loc["S3", "replayed_attainment"])
        back = qq.back_test(inputs, params())
        assert qq.headline(back, r.reset_index()) == {
            "share_at_quota_last_year": 0.5,
            "share_at_quota_replayed": 1 / 3,
        }

    def test_a_wider_margin_calls_out_nobody(self):
        p = params(quota_quality=QuotaQualityParams(rise_margin=0.3))
        assert not qq.replay(PROPOSED, hand_inputs(), p)["called_out"].any()

    def test_a_quota_without_revenue_last_year_is_called_out(self):
        proposed = pd.DataFrame({"account_owner": ["S3"], "final_quota": [100.0]})
        inputs = hand_inputs()
        inputs = replace(inputs, actuals=inputs.actuals[inputs.actuals["customer_id"] != "C3"])
        assert qq.replay(proposed, inputs, params()).set_index("account_owner").loc["S3", "called_out"]

    def test_story_names_the_called_out(self):
        inputs = hand_inputs()
        text = qq.story(qq.back_test(inputs, params()), qq.replay(PROPOSED, inputs, params()), params())
        assert "Rep S2 (S2), Rep S4 (S4)" in text and "50% of 4 account owners" in text


class TestParamsAndInputs:
    def test_defaults_and_round_trip(self, tmp_path: Path):
        p = parse_params({}, tmp_path)
        assert (p.quota_quality.threshold, p.quota_quality.excellence, p.quota_quality.rise_margin) == (
            0.5,
            1.5,
            0.1,
        )
        assert p.replan.target is None and p.allocation.owner_capacity is False
        raw = {
            "quota_quality": {"threshold": 0.6},
            "replan": {"target": 1000.5},
            "allocation": {"owner_capacity": True},
        }
        p = parse_params(raw, tmp_path)
        again = parse_params(p.to_dict(), tmp_path)
        assert again == p and again.replan.target == 1000.5 and again.allocation.owner_capacity

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            (
                {"quota_quality": {"threshold": 1.2}},
                "params: quota_quality.threshold: value 1.2: expected an attainment above 0 and at most 1 (0.5 means 50% of quota)",
            ),
            (
                {"quota_quality": {"excellence": 1}},
                "params: quota_quality.excellence: value 1: expected an attainment above 1 (1.5 means 150% of quota)",
            ),
            (
                {"quota_quality": {"treshold": 0.5}},
                "params: quota_quality.treshold: unknown key — did you mean quota_quality.threshold?",
            ),
            ({"replan": {"target": 0}}, "params: replan.target: value 0: expected null or an amount > 0"),
            (
                {"allocation": {"owner_capacity": "yes"}},
                "params: allocation.owner_capacity: value 'yes': expected true or false",
            ),
        ],
    )
    def test_bad_values_name_the_key(self, tmp_path: Path, raw, message):
        with pytest.raises(ParamsError) as err:
            parse_params(raw, tmp_path)
        assert str(err.value) == message

    def test_sections_from_a_notebook_namespace(self, tmp_path: Path):
        p = parse_params({}, tmp_path)
        got = with_sections(p, {"quota_quality": {"excellence": 2.0}, "replan": {"target": 5.0}, "other": 1})
        assert got.quota_quality.excellence == 2.0 and got.replan.target == 5.0
        assert with_sections(p, {}) == p
        with pytest.raises(ParamsError, match="quota_quality.threshold"):
            with_sections(p, {"quota_quality": {"threshold": -1}})

    def test_prior_quotas_are_checked_like_the_others(self, tmp_path: Path):
        bad = "customer_id,product_id,final_quota\nC001,P01,100.00\nC999,P01,5\nC001,P01,-3\n"
        _, problems, _ = check_folder(write_company(tmp_path, prior_quotas=bad))
        lines = [p.line() for p in problems]
        assert (
            "prior_quotas.csv, row 3, column customer_id: value 'C999': expected a customer_id listed in customers"
            in lines
        )
        assert "prior_quotas.csv, row 4, column final_quota: value '-3': expected an amount >= 0" in lines
        assert any(
            line.startswith("prior_quotas.csv, row 4, column customer_id, product_id") for line in lines
        )

    def test_people_start_and_ramp(self, tmp_path: Path):
        people = (
            "person_id,name,function,team,start_month,ramp_months\n"
            "S01,Sam Reyes,sales,North Sales,2026-13,\n"
            "S02,Ana Kim,sales,South Sales,,x\n"
            "M01,Lea Park,marketing,Product Marketing,,\n"
        )
        _, problems, _ = check_folder(write_company(tmp_path / "bad", people=people))
        assert [p.line() for p in problems] == [
            "people.csv, row 2, column start_month: value '2026-13': expected a month YYYY-MM, or empty",
            "people.csv, row 3, column ramp_months: value 'x': expected a whole number of months from 0 to 999, or empty",
        ]
        good = people.replace("2026-13", "2026-04").replace(",x", ",2")
        inputs = load_inputs(write_company(tmp_path / "good", people=good))
        assert inputs.people["start_month"].tolist() == ["2026-04", "", ""]
        assert inputs.people["ramp_months"].tolist() == [0, 2, 0]
        assert load_inputs(write_company(tmp_path / "plain")).people["ramp_months"].tolist() == [0, 0, 0]
