"""The joint monthly review: known answers on the tiny company, exact sums on random ones."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from practice_companies import TINY, tiny_inputs, tiny_objectives, tiny_params, write_company

from alignment.fiscal import fiscal_months
from alignment.inputs import Inputs, load_inputs
from alignment.money import to_cents
from alignment.params import Params
from alignment.practices import review as rv


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    return tiny_inputs(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def params(tiny: Inputs) -> Params:
    return tiny_params(tiny.data_dir)


@pytest.fixture(scope="module")
def table(tiny: Inputs, params: Params) -> pd.DataFrame:
    return rv.monthly_review(tiny_objectives(), tiny, params)


def row(table: pd.DataFrame, period: str, level: str, key: str) -> pd.Series:
    hit = table[(table["period"] == period) & (table["level"] == level) & (table["key"] == key)]
    assert len(hit) == 1, (period, level, key)
    return hit.iloc[0]


class TestChannelObjectives:
    def test_split_by_strategy_share(self, tiny: Inputs) -> None:
        split = rv.channel_objectives(tiny_objectives(), tiny.channel_strategy)
        jan = split[(split["month"] == "2026-01")].set_index(["customer_id", "channel"])["objective"]
        assert jan.to_dict() == {("C1", "Direct"): 60000, ("C1", "Partner"): 40000, ("C2", "Direct"): 50000}

    def test_parts_sum_exactly_and_ties_go_to_the_first_channel(self, tiny: Inputs) -> None:
        strategy = pd.DataFrame(
            {
                "product_id": ["P1", "P1", "P1"],
                "channel": ["Web", "Direct", "Partner"],
                "share": [0.3333, 0.3334, 0.3333],
            }
        )
        objectives = pd.DataFrame(
            {
                "customer_id": ["C1", "C1"],
                "product_id": ["P1", "P1"],
                "month": ["2026-01", "2026-02"],
                "objective": [100.00, 0.02],
            }
        )
        split = rv.channel_objectives(objectives, strategy)
        jan = split[split["month"] == "2026-01"].set_index("channel")["objective"]
        assert jan.to_dict() == {"Direct": 3334, "Partner": 3333, "Web": 3333}
        feb = split[split["month"] == "2026-02"].set_index("channel")["objective"]
        # 2 cents over three near-equal shares: Direct has the largest remainder, then the tie goes to Partner
        assert feb.to_dict() == {"Direct": 1, "Partner": 1, "Web": 0}
        halves = rv.channel_objectives(
            objectives.iloc[:1].assign(objective=100.01),
            pd.DataFrame({"product_id": ["P1", "P1"], "channel": ["Partner", "Direct"], "share": [0.5, 0.5]}),
        )
        assert halves.set_index("channel")["objective"].to_dict() == {"Direct": 5001, "Partner": 5000}

    def test_product_without_strategy_keeps_its_objective(self, tiny: Inputs) -> None:
        objectives = pd.DataFrame(
            {"customer_id": ["C1"], "product_id": ["P9"], "month": ["2026-01"], "objective": [12.34]}
        )
        split = rv.channel_objectives(objectives, tiny.channel_strategy)
        assert split["channel"].tolist() == [rv.NO_STRATEGY] and split["objective"].tolist() == [1234]


class TestMonthlyReview:
    def test_columns(self, table: pd.DataFrame) -> None:
        assert list(table.columns)[:12] == [
            "period",
            "level",
            "key",
            "objective",
            "actual",
            "variance",
            "attainment",
            "flagged",
            "action",
            "marketing_owner",
            "sales_owner",
            "due",
        ]
        for col in ("action", "marketing_owner", "sales_owner", "due"):
            assert (table[col] == "").all()

    def test_ytd_total_known_answer(self, table: pd.DataFrame) -> None:
        total = row(table, "ytd", "total", "total")
        assert (total["objective"], total["actual"], total["variance"]) == (4500.00, 2700.00, -1800.00)
        assert total["attainment"] == pytest.approx(0.6)
        assert total["forecast"] == 10800.00  # 2700 + 9 x 1500 x 0.6
        assert total["off_strategy"] == 100.00
        assert total["flagged"]

    def test_month_without_actuals(self, table: pd.DataFrame) -> None:
        march = row(table, "month", "total", "total")
        assert (march["objective"], march["actual"], march["attainment"]) == (1500.00, 0.0, 0.0)
        assert march["flagged"] and pd.isna(march["forecast"])

    def test_actuals_after_the_review_month_are_ignored(self, table: pd.DataFrame) -> None:
        assert row(table, "ytd", "account_owner", "S1")["actual"] == 1900.00  # not + 9999 of 2026-04

    def test_owner_attainment_and_owner_without_customers(self, table: pd.DataFrame) -> None:
        s1, s2 = row(table, "ytd", "account_owner", "S1"), row(table, "ytd", "account_owner", "S2")
        assert (s1["objective"], s1["actual"]) == (3000.00, 1900.00)
        assert s1["attainment"] == pytest.approx(1900 / 3000)
        assert s2["attainment"] == pytest.approx(800 / 1500)
        assert s1["forecast"] == 7600.00  # 1900 + 9 x 1000 x 19/30
        s3 = row(table, "ytd", "account_owner", "S3")
        assert (s3["objective"], s3["actual"], s3["forecast"]) == (0.0, 0.0, 0.0)
        assert pd.isna(s3["attainment"]) and not s3["flagged"]

    def test_channel_level(self, table: pd.DataFrame) -> None:
        direct, partner = row(table, "ytd", "channel", "Direct"), row(table, "ytd", "channel", "Partner")
        assert (direct["objective"], direct["actual"]) == (3300.00, 1900.00)
        assert (partner["objective"], partner["actual"]) == (1200.00, 700.00)
        online = row(table, "ytd", "channel", "Online")
        assert (online["objective"], online["actual"], online["off_strategy"]) == (0.0, 100.00, 100.00)
        assert pd.isna(online["attainment"]) and not online["flagged"]
        assert online["forecast"] == 100.00  # objective to date 0: attainment taken as 1

    def test_every_key_listed(self, table: pd.DataFrame) -> None:
        ytd = table[table["period"] == "ytd"]
        keys = ytd.groupby("level", sort=False)["key"].apply(list).to_dict()
        assert keys == {
            "total": ["total"],
            "customer_group": ["Enterprise", "SMB"],
            "region": ["North", "South"],
            "account_owner": ["S1", "S2", "S3"],
            "product_line": ["Cloud", "Services"],
            "channel": ["Direct", "Online", "Partner"],
        }
        assert len(table) == 2 * len(ytd)

    def test_flag_line(self, tiny: Inputs) -> None:
        table = rv.monthly_review(
            tiny_objectives(), tiny, tiny_params(tiny.data_dir, month="2026-02", flag_below=0.9)
        )
        jan_feb = row(table, "month", "account_owner", "S1")  # Feb: 900 of 1000 = 0.9 exactly: not under
        assert jan_feb["attainment"] == pytest.approx(0.9) and not jan_feb["flagged"]
        table = rv.monthly_review(
            tiny_objectives(), tiny, tiny_params(tiny.data_dir, month="2026-02", flag_below=0.91)
        )
        assert row(table, "month", "account_owner", "S1")["flagged"]

    def test_inputs_untouched(self, tiny: Inputs, params: Params) -> None:
        objectives = tiny_objectives()
        before_obj, before_act = objectives.copy(), tiny.actuals.copy()
        rv.monthly_review(objectives, tiny, params)
        pd.testing.assert_frame_equal(objectives, before_obj)
        pd.testing.assert_frame_equal(tiny.actuals, before_act)

    def test_headline(self, table: pd.DataFrame) -> None:
        assert rv.headline(table) == {
            "ytd_objective": 4500.0,
            "ytd_actual": 2700.0,
            "ytd_attainment": 0.6,
            "forecast": 10800.0,
            "off_strategy_ytd": 100.0,
        }
        for value in rv.headline(table).values():
            assert type(value) is float

    def test_headline_without_objective(self, tiny: Inputs, params: Params) -> None:
        table = rv.monthly_review(tiny_objectives().assign(objective=0.0), tiny, params)
        figures = rv.headline(table)
        assert figures["ytd_attainment"] is None
        assert figures["forecast"] == figures["ytd_actual"] == 2700.00
        assert not table["flagged"].any()


class TestForecast:
    def test_forecast_rounds_to_the_cent(self, tiny: Inputs, params: Params) -> None:
        objectives = tiny_objectives()
        objectives["objective"] = np.where(objectives["customer_id"] == "C1", 1000.0, 0.0)
        objectives.loc[objectives["month"] == "2026-12", "objective"] = 333.33
        total = row(rv.monthly_review(objectives, tiny, params), "ytd", "total", "total")
        # to date 2700 of 3000 = 0.9; the rest (8 x 1000 + 2 x 333.33) x 0.9 = 7799.994 -> 7799.99
        assert (total["objective"], total["actual"]) == (3000.00, 2700.00)
        assert total["forecast"] == 10499.99

    def test_no_objective_to_date_but_a_later_one_takes_attainment_as_one(
        self, tiny: Inputs, params: Params
    ) -> None:
        objectives = tiny_objectives()
        first_quarter = objectives["month"].isin(["2026-01", "2026-02", "2026-03"])
        objectives.loc[first_quarter & (objectives["customer_id"] == "C2"), "objective"] = 0.0
        table = rv.monthly_review(objectives, tiny, params)
        smb = row(table, "ytd", "customer_group", "SMB")
        # C2 has no objective to date, 800 booked, and 9 x 500 to come: 800 + 4500 x 1
        assert (smb["objective"], smb["actual"]) == (0.0, 800.00)
        assert pd.isna(smb["attainment"]) and not smb["flagged"]
        assert smb["forecast"] == 5300.00
        assert row(table, "ytd", "account_owner", "S2")["forecast"] == 5300.00
        # the total keeps its own attainment: 2700 of 3000 = 0.9; 2700 + (9000 + 4500) x 0.9
        assert row(table, "ytd", "total", "total")["forecast"] == 14850.00

    @staticmethod
    def _half_cent_objectives() -> pd.DataFrame:
        """C1 3800.00 and C2 400.00 in January, 0.05 each in April, nothing else."""
        objectives = tiny_objectives().assign(objective=0.0)
        jan, apr = objectives["month"] == "2026-01", objectives["month"] == "2026-04"
        objectives.loc[jan, "objective"] = np.where(objectives.loc[jan, "customer_id"] == "C1", 3800.0, 400.0)
        objectives.loc[apr, "objective"] = 0.05
        return objectives

    def test_forecast_rounds_half_a_cent_away_from_zero(self, tiny: Inputs, params: Params) -> None:
        table = rv.monthly_review(self._half_cent_objectives(), tiny, params)
        enterprise = row(table, "ytd", "customer_group", "Enterprise")
        # 1900 of 3800 = 0.5 to date; 5 cents to come x 0.5 = 2.5 cents -> 3 (not 2, as truncation or
        # rounding half to even would give)
        assert (enterprise["actual"], enterprise["attainment"]) == (1900.00, 0.5)
        assert enterprise["forecast"] == 1900.03

    def test_a_negative_forecast_rounds_half_a_cent_away_from_zero(
        self, tmp_path: Path, params: Params
    ) -> None:
        credit = TINY["actuals"] + "2026-02,C2,P2,Direct,-1000\n"
        inputs = load_inputs(write_company(tmp_path, {**TINY, "actuals": credit}), fiscal_year=2026)
        table = rv.monthly_review(self._half_cent_objectives(), inputs, params)
        smb = row(table, "ytd", "customer_group", "SMB")
        # 400 + 300 + 100 - 1000 = -200 of 400 = -0.5 to date; 5 cents x -0.5 = -2.5 cents -> -3 (not
        # -2, as truncation or rounding half up would give)
        assert (smb["actual"], smb["attainment"]) == (-200.00, -0.5)
        assert smb["forecast"] == -200.03

    def test_cumulative_track_ends_at_the_forecast(
        self, tiny: Inputs, params: Params, table: pd.DataFrame
    ) -> None:
        track = rv.cumulative_track(tiny_objectives(), tiny, params)
        assert list(track["month"]) == fiscal_months(2026)
        assert track["cum_forecast"].iloc[-1] == row(table, "ytd", "total", "total")["forecast"]
        assert track["cum_actual"].iloc[2] == 2700.00 and track["cum_actual"].iloc[3:].isna().all()
        assert track["cum_objective"].iloc[-1] == 18000.00
        assert list(track["actual"].iloc[:3]) == [1400.00, 1300.00, 0.0]


class TestViews:
    def test_agenda_lists_flagged_rows_first(self, table: pd.DataFrame, tiny: Inputs) -> None:
        agenda = rv.review_agenda(table, tiny)
        n = int(table["flagged"].sum())
        assert agenda["flagged"].iloc[:n].all() and not agenda["flagged"].iloc[n:].any()
        assert agenda["attainment"].iloc[:n].is_monotonic_increasing
        assert len(agenda) == len(table)
        assert agenda.loc[agenda["key"] == "S1", "name"].iloc[0] == "Sam"
        assert (agenda.loc[agenda["level"] != "account_owner", "name"] == "").all()

    def test_side_by_side(self, table: pd.DataFrame, tiny: Inputs) -> None:
        owners = rv.side_by_side(table, "account_owner", tiny).set_index("key")
        assert owners.loc["S1", "month_objective"] == 1000.00 and owners.loc["S1", "ytd_actual"] == 1900.00
        assert owners.loc["S3", "name"] == "Sid" and not owners.loc["S3", "flagged"]

    def test_quota_quality_known_answer(self, table: pd.DataFrame) -> None:
        quality = rv.quota_quality(table, 0.9)
        assert quality["owners"] == 2
        assert quality["quota_error"] == pytest.approx((1 - 19 / 30 + 1 - 8 / 15) / 2)
        assert quality["flagged"] == 2 and quality["within_10pct"] == 0.0
        assert quality["lowest"] == pytest.approx(8 / 15) and quality["highest"] == pytest.approx(19 / 30)

    def test_quota_quality_without_objectives(self, tiny: Inputs, params: Params) -> None:
        table = rv.monthly_review(tiny_objectives().assign(objective=0.0), tiny, params)
        quality = rv.quota_quality(table, 0.9)
        assert quality["owners"] == 0 and quality["quota_error"] is None
        assert "cannot be judged" in rv.quality_note(quality, 0.9)

    def test_owner_attainment(self, table: pd.DataFrame, tiny: Inputs) -> None:
        owners = rv.owner_attainment(table, tiny)
        assert list(owners["key"]) == ["S1", "S2", "S3"]
        assert list(owners["label"]) == ["Sam (S1)", "Sue (S2)", "Sid (S3)"]

    def test_variance_cells(self, tiny: Inputs, params: Params) -> None:
        cells = rv.variance_cells(tiny_objectives(), tiny, params)
        assert len(cells) == 4
        first = cells.iloc[0]
        assert (first["customer_group"], first["product_line"], first["variance"]) == (
            "Enterprise",
            "Cloud",
            -1100.0,
        )
        assert first["share_of_variance"] == pytest.approx(1100 / 1800)
        assert to_cents(cells["variance"]).sum() == -180000

    def test_months_without_actuals(self, tiny: Inputs, params: Params) -> None:
        assert rv.months_without_actuals(tiny, params) == ["2026-03"]

    def test_review_note(self, table: pd.DataFrame, tiny: Inputs, params: Params) -> None:
        track = rv.cumulative_track(tiny_objectives(), tiny, params)
        note = rv.review_note(table, track, params, ["2026-03"])
        assert "10,800.00" in note and "No actuals booked" in note


class TestWrite:
    def test_csv(self, table: pd.DataFrame, tmp_path: Path) -> None:
        assert rv.write_review_table(table, None) is None
        path = rv.write_review_table(table, tmp_path)
        text = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(text.columns)[:12] == [
            "period",
            "level",
            "key",
            "objective",
            "actual",
            "variance",
            "attainment",
            "flagged",
            "action",
            "marketing_owner",
            "sales_owner",
            "due",
        ]
        total = text[(text["period"] == "ytd") & (text["level"] == "total")].iloc[0]
        assert (total["objective"], total["actual"], total["variance"], total["forecast"]) == (
            "4500.00",
            "2700.00",
            "-1800.00",
            "10800.00",
        )
        assert total["attainment"] == "0.6" and total["flagged"] == "true"
        s3 = text[(text["period"] == "ytd") & (text["key"] == "S3")].iloc[0]
        assert (s3["attainment"], s3["flagged"]) == ("", "false")
        assert set(text["flagged"]) == {"true", "false"}
        for col in ("action", "marketing_owner", "sales_owner", "due"):
            assert (text[col] == "").all()
        assert (text.loc[text["period"] == "month", "forecast"] == "").all()


# --------------------------------------------------------------------------- exact sums on random companies

CHANNELS = ["Direct", "Partner", "Online", "Web"]


@st.composite
def company(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    months = fiscal_months(2026)
    cents = st.integers(min_value=0, max_value=5_000_000)
    objectives = pd.DataFrame(
        [
            {"customer_id": c, "product_id": p, "month": m, "objective": draw(cents) / 100}
            for c, p in (("C1", "P1"), ("C2", "P2"), ("C1", "P2"))
            for m in months
        ]
    )
    n = draw(st.integers(min_value=0, max_value=25))
    actuals = pd.DataFrame(
        {
            "month": [draw(st.sampled_from(months)) for _ in range(n)],
            "customer_id": [draw(st.sampled_from(["C1", "C2"])) for _ in range(n)],
            "product_id": [draw(st.sampled_from(["P1", "P2"])) for _ in range(n)],
            "channel": [draw(st.sampled_from(CHANNELS)) for _ in range(n)],
            "revenue": [draw(st.integers(min_value=-100_000, max_value=3_000_000)) / 100 for _ in range(n)],
        },
        columns=["month", "customer_id", "product_id", "channel", "revenue"],
    ).astype(
        {"month": "str", "customer_id": "str", "product_id": "str", "channel": "str", "revenue": "float64"}
    )
    return objectives, actuals, draw(st.sampled_from(months))


@settings(max_examples=25)
@given(case=company())
def test_every_level_sums_to_the_total_exactly(
    tiny: Inputs, params: Params, case: tuple[pd.DataFrame, pd.DataFrame, str]
) -> None:
    objectives, actuals, month = case
    strategy = pd.DataFrame(
        {
            "product_id": ["P1", "P1", "P1", "P2"],
            "channel": ["Direct", "Partner", "Web", "Direct"],
            "share": [0.3334, 0.3333, 0.3333, 1.0],
        }
    )
    inputs = replace(tiny, actuals=actuals, channel_strategy=strategy)
    params = replace(params, review=replace(params.review, month=month))
    table = rv.monthly_review(objectives, inputs, params)
    for period in rv.PERIODS:
        part = table[table["period"] == period]
        total = part[part["level"] == "total"].iloc[0]
        for level in rv.LEVELS[1:]:
            rows = part[part["level"] == level]
            for col in ("objective", "actual", "variance", "off_strategy"):
                assert to_cents(rows[col]).sum() == to_cents(total[col]), (period, level, col)
    ytd_months = rv.period_months(params)["ytd"]
    figures = rv.headline(table)
    assert (
        to_cents(figures["ytd_objective"])
        == to_cents(objectives.loc[objectives["month"].isin(ytd_months), "objective"]).sum()
    )
    booked = actuals[actuals["month"] <= month]
    assert to_cents(figures["ytd_actual"]) == to_cents(booked["revenue"]).sum()
    off = booked[
        (booked["channel"] == "Online") | ((booked["product_id"] == "P2") & (booked["channel"] != "Direct"))
    ]
    assert to_cents(figures["off_strategy_ytd"]) == to_cents(off["revenue"]).sum()
    track = rv.cumulative_track(objectives, inputs, params)
    assert track["cum_forecast"].iloc[-1] == figures["forecast"]


def test_july_fiscal_year(tiny: Inputs, tmp_path: Path) -> None:
    from alignment.params import parse_params

    params = parse_params(
        {
            "data_dir": str(tiny.data_dir),
            "fiscal_year": 2026,
            "fiscal_year_start_month": 7,
            "review": {"month": "2026-02"},
            "celebration": {"quarter": "2026-Q3"},
        },
        tmp_path,
    )
    months = rv.period_months(params)
    assert (
        months["ytd"][0] == "2025-07"
        and months["ytd"][-1] == "2026-02"
        and months["rest"] == ["2026-03", "2026-04", "2026-05", "2026-06"]
    )
    objectives = pd.DataFrame(
        {"customer_id": "C1", "product_id": "P1", "month": fiscal_months(2026, 7), "objective": 100.0}
    )
    table = rv.monthly_review(objectives, tiny, params)
    total = row(table, "ytd", "total", "total")
    # FY2026 (Jul..Jun) to February: 8 months of 100; actuals Jan 1000+400, Feb 900+400
    assert (total["objective"], total["actual"]) == (800.00, 2700.00)
    assert total["forecast"] == 4050.00  # 2700 + 4 x 100 x 2700 / 800
