"""The synthetic company: determinism, the shipped sample, and the shape the workbook relies on."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import pytest

from alignment.sample import SAMPLE_MARKER, STEMS, write_sample

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
MONEY = re.compile(r"-?\d+\.\d{2}")
MONEY_COLUMNS = {
    "actuals": ["revenue"],
    "sales_input": ["potential", "committed"],
    "overrides": ["final_quota"],
    "wins": ["revenue_impact"],
    "prior_quotas": ["final_quota"],
}


@pytest.fixture(scope="module")
def default_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(out)
    return out


@pytest.fixture(scope="module")
def tables(default_dir: Path) -> dict[str, pd.DataFrame]:
    """The default sample read as text, so ids and money are seen as written."""
    return {
        stem: pd.read_csv(default_dir / f"{stem}.csv", dtype=str, keep_default_na=False) for stem in STEMS
    }


def money(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype(float)


def plan_growth(group: str, line: str) -> float:
    """The growth rules of params/sample.yaml; the last matching rule wins."""
    growth = 0.10
    if group == "Enterprise":
        growth = 0.15
    if line == "Cloud":
        growth = 0.25
    return growth


class TestWriteSample:
    def test_shipped_sample_is_the_default_output(self, default_dir: Path) -> None:
        shipped = sorted(p.name for p in SAMPLE_DIR.iterdir())
        assert shipped == sorted(f"{stem}.csv" for stem in STEMS)
        for name in shipped:
            assert (default_dir / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name

    def test_returns_the_twelve_paths_in_order(self, tmp_path: Path) -> None:
        paths = write_sample(tmp_path / "new" / "folder", customers=30)
        assert [p.name for p in paths] == [f"{stem}.csv" for stem in STEMS]
        assert all(p.is_file() for p in paths)
        assert sorted(p.name for p in paths[0].parent.iterdir()) == sorted(
            [SAMPLE_MARKER, *(p.name for p in paths)]
        )

    def test_same_seed_same_bytes_other_seed_other_bytes(self, tmp_path: Path) -> None:
        a = write_sample(tmp_path / "a", customers=60, seed=3)
        b = write_sample(tmp_path / "b", customers=60, seed=3)
        c = write_sample(tmp_path / "c", customers=60, seed=4)
        assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
        by_name = {p.name: p.read_bytes() for p in c}
        for p in a:
            if p.stem in ("customers", "actuals", "sales_input", "report_card_ratings"):
                assert p.read_bytes() != by_name[p.name], p.name

    def test_parquet_at_small_size(self, tmp_path: Path) -> None:
        paths = write_sample(tmp_path, customers=25, fmt="parquet")
        assert [p.name for p in paths] == [f"{stem}.parquet" for stem in STEMS]
        again = write_sample(tmp_path / "again", customers=25, fmt="parquet")
        assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]
        actuals = pd.read_parquet(tmp_path / "actuals.parquet")
        customers = pd.read_parquet(tmp_path / "customers.parquet")
        assert list(actuals.columns) == ["month", "customer_id", "product_id", "channel", "revenue"]
        assert actuals["customer_id"].str.fullmatch(r"C\d{5}").all()
        assert pd.api.types.is_float_dtype(actuals["revenue"])
        assert (actuals["revenue"] * 100).round(6).mod(1).eq(0).all()
        assert set(actuals["customer_id"]) <= set(customers["customer_id"])

    def test_switching_format_leaves_one_file_per_stem(self, tmp_path: Path) -> None:
        write_sample(tmp_path, customers=20)
        write_sample(tmp_path, customers=20, fmt="parquet")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [SAMPLE_MARKER, *(f"{stem}.parquet" for stem in STEMS)]
        )

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"customers": 0}, "customers"),
            ({"customers": 2.5}, "customers"),
            ({"seed": -1}, "seed"),
            ({"fmt": "xlsx"}, "fmt"),
        ],
    )
    def test_rejects_bad_arguments(self, tmp_path: Path, kwargs: dict, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            write_sample(tmp_path, **kwargs)
        assert not any(tmp_path.iterdir())

    @pytest.mark.slow
    def test_hundred_thousand_customers_in_parquet(self, tmp_path: Path) -> None:
        started = time.perf_counter()
        write_sample(tmp_path, customers=100_000, fmt="parquet")
        elapsed = time.perf_counter() - started
        customers = pd.read_parquet(tmp_path / "customers.parquet", columns=["customer_id"])
        assert customers["customer_id"].is_unique and len(customers) == 100_000
        assert elapsed < 60, f"took {elapsed:.1f} s"


class TestShape:
    def test_columns_follow_the_contract(self, tables: dict[str, pd.DataFrame]) -> None:
        expected = {
            "customers": ["customer_id", "customer_name", "customer_group", "region", "account_owner"],
            "products": ["product_id", "product_name", "product_line"],
            "people": ["person_id", "name", "function", "team", "start_month", "ramp_months"],
            "channel_strategy": ["product_id", "channel", "share"],
            "actuals": ["month", "customer_id", "product_id", "channel", "revenue"],
            "sales_input": ["customer_id", "product_id", "potential", "committed"],
            "roles": ["activity", "marketing", "sales"],
            "overrides": ["customer_id", "product_id", "final_quota"],
            "report_card_needs": ["need_id", "needed_by", "rated_side", "description", "importance"],
            "report_card_ratings": ["cycle", "rater_id", "need_id", "grade", "comment"],
            "action_items": ["cycle", "need_id", "action", "owner", "due", "status"],
            "wins": ["quarter", "kind", "title", "member_ids", "revenue_impact", "lesson"],
            "prior_quotas": ["customer_id", "product_id", "final_quota"],
            "review_actions": [
                "month",
                "period",
                "level",
                "key",
                "action",
                "marketing_owner",
                "sales_owner",
                "due",
                "status",
                "note",
                "changed_by",
                "changed_on",
                "superseded_on",
            ],
        }
        assert {stem: list(frame.columns) for stem, frame in tables.items()} == expected

    def test_csv_is_plain_utf8_with_unix_line_endings(self, default_dir: Path) -> None:
        for stem in STEMS:
            raw = (default_dir / f"{stem}.csv").read_bytes()
            raw.decode("utf-8")
            assert b"\r" not in raw and raw.endswith(b"\n"), stem

    def test_money_has_two_decimals(self, tables: dict[str, pd.DataFrame]) -> None:
        for stem, columns in MONEY_COLUMNS.items():
            for column in columns:
                assert tables[stem][column].str.fullmatch(MONEY).all(), (stem, column)

    def test_counts(self, tables: dict[str, pd.DataFrame]) -> None:
        customers, people, products = tables["customers"], tables["people"], tables["products"]
        assert len(customers) == 400 and customers["customer_id"].is_unique
        assert customers["customer_id"].str.fullmatch(r"C\d{5}").all()
        assert customers["customer_name"].is_unique
        assert customers["customer_group"].nunique() >= 5 and "Enterprise" in set(customers["customer_group"])
        assert customers["region"].nunique() == 4
        functions = people["function"].value_counts()
        assert set(functions.index) == {"marketing", "sales"}
        assert 9 <= functions["sales"] <= 11 and 5 <= functions["marketing"] <= 7
        assert people["person_id"].is_unique and people["team"].ne("").all()
        assert len(products) == 8 and products["product_id"].is_unique
        assert products["product_line"].nunique() == 3 and "Cloud" in set(products["product_line"])
        assert tables["channel_strategy"]["channel"].nunique() == 4
        assert set(tables["actuals"]["channel"]) <= set(tables["channel_strategy"]["channel"])

    def test_account_owners_are_sales_and_one_rep_owns_nobody(self, tables: dict[str, pd.DataFrame]) -> None:
        people = tables["people"]
        reps = set(people.loc[people["function"] == "sales", "person_id"])
        owners = set(tables["customers"]["account_owner"])
        assert owners <= reps
        assert len(reps - owners) == 1


class TestChannels:
    def test_shares_sum_to_one_per_product(self, tables: dict[str, pd.DataFrame]) -> None:
        strategy = tables["channel_strategy"]
        assert strategy["share"].str.fullmatch(r"[01]\.\d{1,4}").all()
        share = strategy["share"].astype(float)
        assert share.gt(0).all() and share.le(1).all()
        assert (share.groupby(strategy["product_id"]).sum() - 1).abs().max() < 1e-9
        per_product = strategy.groupby("product_id").size()
        assert set(per_product.index) == set(tables["products"]["product_id"])
        assert per_product.between(1, 3).all()
        assert not strategy.duplicated(["product_id", "channel"]).any()

    def test_each_customer_uses_one_or_two_channels(self, tables: dict[str, pd.DataFrame]) -> None:
        actuals = tables["actuals"]
        assert actuals.groupby("customer_id")["channel"].nunique().between(1, 2).all()

    def test_some_revenue_is_off_strategy(self, tables: dict[str, pd.DataFrame]) -> None:
        actuals, strategy = tables["actuals"], tables["channel_strategy"]
        listed = set(zip(strategy["product_id"], strategy["channel"], strict=True))
        off = [pair not in listed for pair in zip(actuals["product_id"], actuals["channel"], strict=True)]
        off_revenue = money(actuals, "revenue")[off].sum()
        assert 0.005 < off_revenue / money(actuals, "revenue").sum() < 0.10
        assert actuals.loc[off, "month"].str.startswith("2026").any()


class TestActuals:
    def test_every_id_exists(self, tables: dict[str, pd.DataFrame]) -> None:
        customers = set(tables["customers"]["customer_id"])
        products = set(tables["products"]["product_id"])
        for stem in ("actuals", "sales_input", "overrides"):
            assert set(tables[stem]["customer_id"]) <= customers, stem
            assert set(tables[stem]["product_id"]) <= products, stem

    def test_months_run_from_2024_to_the_review_month(self, tables: dict[str, pd.DataFrame]) -> None:
        months = tables["actuals"]["month"]
        assert months.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").all()
        expected = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)][:34]
        assert sorted(set(months)) == expected

    def test_credits_growth_and_a_q4_peak(self, tables: dict[str, pd.DataFrame]) -> None:
        actuals = tables["actuals"]
        revenue = money(actuals, "revenue")
        assert 5 <= revenue.lt(0).sum() <= 0.01 * len(actuals)
        yearly = revenue.groupby(actuals["month"].str[:4]).sum()
        assert yearly["2025"] > 1.05 * yearly["2024"]
        quarter = (actuals["month"].str[5:].astype(int) - 1) // 3
        prior = actuals["month"].str.startswith("2025")
        by_quarter = revenue[prior].groupby(quarter[prior]).sum()
        assert by_quarter.idxmax() == 3

    def test_customers_buy_two_to_four_products(self, tables: dict[str, pd.DataFrame]) -> None:
        actuals, sales_input = tables["actuals"], tables["sales_input"]
        assert sales_input.groupby("customer_id").size().between(2, 4).all()
        booked = set(zip(actuals["customer_id"], actuals["product_id"], strict=True))
        planned = set(zip(sales_input["customer_id"], sales_input["product_id"], strict=True))
        assert booked <= planned
        months_booked = actuals.groupby(["customer_id", "product_id"])["month"].nunique()
        assert months_booked.median() < 34


class TestSalesInput:
    def test_one_row_per_pair_and_non_negative(self, tables: dict[str, pd.DataFrame]) -> None:
        sales_input = tables["sales_input"]
        assert not sales_input.duplicated(["customer_id", "product_id"]).any()
        assert money(sales_input, "potential").ge(0).all() and money(sales_input, "committed").ge(0).all()

    def test_committed_falls_five_to_ten_percent_short_of_the_target(
        self, tables: dict[str, pd.DataFrame]
    ) -> None:
        actuals = (
            tables["actuals"]
            .merge(tables["customers"], on="customer_id")
            .merge(tables["products"], on="product_id")
        )
        prior = actuals[actuals["month"].str.startswith("2025")].assign(revenue=lambda f: money(f, "revenue"))
        keys = ["customer_group", "product_line", "product_id"]
        cells = prior.groupby(keys, as_index=False)["revenue"].sum()
        growth = cells.apply(lambda c: plan_growth(c["customer_group"], c["product_line"]), axis=1)
        target = (cells["revenue"].clip(lower=0) * (1 + growth)).sum()
        committed = money(tables["sales_input"], "committed").sum()
        assert 0.05 <= 1 - committed / target <= 0.10

    def test_a_few_rows_committed_above_potential(self, tables: dict[str, pd.DataFrame]) -> None:
        sales_input = tables["sales_input"]
        above = money(sales_input, "committed") > money(sales_input, "potential")
        assert 2 <= above.sum() <= 3
        ratio = money(sales_input, "potential")[~above].sum() / money(sales_input, "committed")[~above].sum()
        assert 1.1 <= ratio <= 1.6

    def test_overrides_lock_existing_pairs_between_committed_and_potential(
        self, tables: dict[str, pd.DataFrame]
    ) -> None:
        overrides = tables["overrides"].merge(tables["sales_input"], on=["customer_id", "product_id"])
        assert 2 <= len(overrides) == len(tables["overrides"]) <= 4
        final = money(overrides, "final_quota")
        assert final.between(money(overrides, "committed"), money(overrides, "potential")).all()


class TestRolesAndReportCard:
    def test_one_activity_has_two_accountables(self, tables: dict[str, pd.DataFrame]) -> None:
        roles = tables["roles"]
        cells = pd.concat([roles["marketing"], roles["sales"]])
        assert cells.isin(["", "A", "R", "C", "I", "AR", "A/R"]).all()
        accountables = roles["marketing"].str.count("A") + roles["sales"].str.count("A")
        assert 10 <= len(roles) <= 14
        assert accountables.tolist().count(2) == 1 and accountables.isin([1, 2]).all()

    def test_six_needs_per_side(self, tables: dict[str, pd.DataFrame]) -> None:
        needs = tables["report_card_needs"]
        assert needs["need_id"].is_unique
        assert needs.groupby("needed_by").size().to_dict() == {"marketing": 6, "sales": 6}
        assert (needs["needed_by"] != needs["rated_side"]).all()
        assert needs["need_id"].str.fullmatch(r"[SM]-N[1-6]").all()
        assert needs["importance"].astype(int).between(1, 5).all()

    def test_ratings_cover_four_cycles_once_per_rater_and_need(self, tables: dict[str, pd.DataFrame]) -> None:
        ratings = tables["report_card_ratings"]
        assert sorted(set(ratings["cycle"])) == ["2024-H2", "2025-H1", "2025-H2", "2026-H1"]
        assert not ratings.duplicated(["cycle", "rater_id", "need_id"]).any()
        assert ratings["grade"].str.upper().isin(list("ABCF")).all()
        assert ratings["grade"].str.islower().any()
        assert set(ratings["rater_id"]) <= set(tables["people"]["person_id"])
        assert set(ratings["need_id"]) <= set(tables["report_card_needs"]["need_id"])
        assert ratings["comment"].ne("").any()

    def test_grades_improve_and_self_assessments_are_kinder(self, tables: dict[str, pd.DataFrame]) -> None:
        ratings = (
            tables["report_card_ratings"]
            .merge(tables["people"], left_on="rater_id", right_on="person_id")
            .merge(tables["report_card_needs"], on="need_id")
        )
        points = ratings["grade"].str.upper().map({"A": 4, "B": 3, "C": 2, "F": 0})
        own = ratings["function"] == ratings["rated_side"]
        by_cycle = points[~own].groupby(ratings["cycle"][~own]).mean()
        assert by_cycle["2024-H2"] < 2.5 < by_cycle["2026-H1"]
        assert own.any() and points[own].mean() > points[~own].mean()

    def test_action_items(self, tables: dict[str, pd.DataFrame]) -> None:
        actions = tables["action_items"]
        assert actions["status"].isin(["open", "in_progress", "done", "dropped"]).all()
        assert set(actions["owner"]) <= set(tables["people"]["person_id"])
        assert set(actions["need_id"]) <= set(tables["report_card_needs"]["need_id"])
        assert pd.to_datetime(actions["due"], format="%Y-%m-%d").notna().all()
        unfinished = actions["status"].isin(["open", "in_progress"]) & (actions["cycle"] == "2025-H2")
        assert unfinished.sum() >= 2


class TestWins:
    def test_four_quarters_and_mostly_mixed_teams(self, tables: dict[str, pd.DataFrame]) -> None:
        wins = tables["wins"]
        assert sorted(set(wins["quarter"])) == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
        assert set(wins["kind"]) == {"success", "shortcoming"}
        function = dict(zip(tables["people"]["person_id"], tables["people"]["function"], strict=True))
        teams = wins["member_ids"].str.split(";")
        assert all(member in function for team in teams for member in team)
        mixed = [len({function[m] for m in team}) == 2 for team in teams]
        assert sum(mixed) > 0.7 * len(mixed) and not all(mixed)
