"""Input validation: one small bad-input fixture per rule, each asserting the exact line the user sees."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from tiny_company import FILES, replace_line, write_company

from alignment.inputs import check_folder, load_inputs
from alignment.problems import InputError

BASE_WARNINGS = {
    "warning: report_card_needs.csv, column rated_side: value 'marketing': expected 6 critical needs rated on the "
    "marketing side (the practice), found 1",
    "warning: report_card_needs.csv, column rated_side: value 'sales': expected 6 critical needs rated on the sales "
    "side (the practice), found 1",
}


def problems_of(folder: Path) -> list[str]:
    _, problems, _ = check_folder(folder)
    return [p.line() for p in problems]


def warnings_of(folder: Path) -> set[str]:
    _, _, warnings = check_folder(folder)
    return {w.line() for w in warnings}


class TestValidCompany:
    def test_loads_typed(self, tmp_path: Path) -> None:
        inputs = load_inputs(write_company(tmp_path))
        assert inputs.actuals["revenue"].dtype == "float64"
        assert inputs.actuals["revenue"].tolist() == [1000.0, 500.5, -20.0, 1100.0]
        assert inputs.customers["customer_id"].dtype == "str"
        assert inputs.report_card_ratings["grade"].tolist() == ["B", "C"]  # lower case accepted
        assert inputs.report_card_needs["importance"].tolist() == [5, 4]
        assert inputs.channel_strategy["share"].sum() == pytest.approx(2.0)

    def test_only_the_six_needs_warnings(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path)
        assert problems_of(folder) == []
        assert warnings_of(folder) == BASE_WARNINGS

    def test_leading_zeros_kept(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path)
        inputs = load_inputs(folder)
        assert "C001" in set(inputs.customers["customer_id"])

    def test_optional_files_may_be_absent(self, tmp_path: Path) -> None:
        folder = write_company(
            tmp_path,
            roles=None,
            overrides=None,
            report_card_needs=None,
            report_card_ratings=None,
            action_items=None,
            wins=None,
        )
        inputs = load_inputs(folder)
        assert inputs.roles.empty and list(inputs.roles.columns) == ["activity", "marketing", "sales"]
        assert "comment" in inputs.report_card_ratings.columns

    def test_extra_columns_kept(self, tmp_path: Path) -> None:
        text = FILES["products"].replace("product_line\n", "product_line,note\n", 1)
        text = text.replace("Cloud\n", "Cloud,x\n").replace("Hardware\n", "Hardware,y\n")
        inputs = load_inputs(write_company(tmp_path, products=text))
        assert inputs.products["note"].tolist() == ["x", "y"]

    def test_parquet_and_xlsx_read_the_same(self, tmp_path: Path) -> None:
        csv = load_inputs(write_company(tmp_path / "csv"))
        other = write_company(tmp_path / "mixed")
        pd.read_csv(other / "actuals.csv", dtype=str).to_parquet(other / "actuals.parquet")
        (other / "actuals.csv").unlink()
        pd.read_csv(other / "customers.csv", dtype=str).to_excel(other / "customers.xlsx", index=False)
        (other / "customers.csv").unlink()
        mixed = load_inputs(other)
        pd.testing.assert_frame_equal(csv.actuals, mixed.actuals)
        pd.testing.assert_frame_equal(csv.customers, mixed.customers)


# (file stem, old line, new line, the exact line expected)
CASES = [
    (
        "empty id",
        "customers",
        "C003,Cobalt Works,SMB,North,S01\n",
        "C003,Cobalt Works,SMB,North,S01\n,Dana Co,SMB,North,S01\n",
        "customers.csv, row 5, column customer_id: value '': expected a non-empty customer_id",
    ),
    (
        "duplicate id",
        "customers",
        "C003,Cobalt Works,SMB,North,S01\n",
        "C003,Cobalt Works,SMB,North,S01\nC001,Acme Again,SMB,North,S01\n",
        "customers.csv, row 5, column customer_id: value 'C001': expected a unique customer_id",
    ),
    (
        "owner is not sales",
        "customers",
        "C003,Cobalt Works,SMB,North,S01",
        "C003,Cobalt Works,SMB,North,M01",
        "customers.csv, row 4, column account_owner: value 'M01': expected a person_id of function sales",
    ),
    (
        "owner unknown",
        "customers",
        "C003,Cobalt Works,SMB,North,S01",
        "C003,Cobalt Works,SMB,North,S99",
        "customers.csv, row 4, column account_owner: value 'S99': expected a person_id of function sales",
    ),
    (
        "duplicate product",
        "products",
        "P02,Edge Box,Hardware\n",
        "P02,Edge Box,Hardware\nP01,Again,Cloud\n",
        "products.csv, row 4, column product_id: value 'P01': expected a unique product_id",
    ),
    (
        "wrong function",
        "people",
        "M01,Lea Park,marketing",
        "M01,Lea Park,finance",
        "people.csv, row 4, column function: value 'finance': expected marketing or sales",
    ),
    (
        "shares do not sum to 1",
        "channel_strategy",
        "P01,Online,0.4",
        "P01,Online,0.3",
        "channel_strategy.csv, row 2, column share: value '0.9': expected the shares of product P01 to sum to 1 "
        "(within 1e-6)",
    ),
    (
        "share out of range",
        "channel_strategy",
        "P02,Partner,1",
        "P02,Partner,1.5",
        "channel_strategy.csv, row 4, column share: value '1.5': expected a share above 0 and at most 1",
    ),
    (
        "strategy for unknown product",
        "channel_strategy",
        "P02,Partner,1\n",
        "P02,Partner,1\nP09,Direct,1\n",
        "channel_strategy.csv, row 5, column product_id: value 'P09': expected a product_id listed in products",
    ),
    (
        "id that points nowhere",
        "actuals",
        "2025-01,C001,P01",
        "2025-01,C999,P01",
        "actuals.csv, row 2, column customer_id: value 'C999': expected a customer_id listed in customers",
    ),
    (
        "bad month",
        "actuals",
        "2025-02,C002",
        "2025-13,C002",
        "actuals.csv, row 3, column month: value '2025-13': expected a month YYYY-MM",
    ),
    (
        "money with thousands separator",
        "actuals",
        "Direct,1000.00",
        'Direct,"1,000.00"',
        "actuals.csv, row 2, column revenue: value '1,000.00': expected an amount such as 1234.50 "
        "(no thousands separators, no units)",
    ),
    (
        "money with a unit",
        "actuals",
        "Partner,500.50",
        "Partner,12k",
        "actuals.csv, row 3, column revenue: value '12k': expected an amount such as 1234.50 "
        "(no thousands separators, no units)",
    ),
    (
        "empty money",
        "actuals",
        "Partner,500.50",
        "Partner,",
        "actuals.csv, row 3, column revenue: value '': expected an amount such as 1234.50 "
        "(no thousands separators, no units)",
    ),
    (
        "negative potential",
        "sales_input",
        "C003,P01,3000,1000",
        "C003,P01,-5,1000",
        "sales_input.csv, row 4, column potential: value '-5': expected an amount >= 0",
    ),
    (
        "committed without a customer",
        "sales_input",
        "C003,P01,3000,1000",
        "C999,P01,3000,1000",
        "sales_input.csv, row 4, column customer_id: value 'C999': expected a customer_id listed in customers",
    ),
    (
        "duplicate customer and product",
        "sales_input",
        "C003,P01,3000,1000\n",
        "C003,P01,3000,1000\nC001,P01,1,1\n",
        "sales_input.csv, row 5, column customer_id, product_id: value 'C001/P01': expected one row per "
        "(customer_id, product_id) (already on row 2)",
    ),
    (
        "RACI letter other than RACI",
        "roles",
        "Set account quotas,C,AR",
        "Set account quotas,X,AR",
        "roles.csv, row 3, column marketing: value 'X': expected RACI letters R, A, C, I (such as A, AR or A/R), "
        "or empty",
    ),
    (
        "RACI letter twice",
        "roles",
        "Set account quotas,C,AR",
        "Set account quotas,C,ARA",
        "roles.csv, row 3, column sales: value 'ARA': expected each RACI letter at most once",
    ),
    (
        "override of a pair not in sales input",
        "overrides",
        "C002,P02,6000",
        "C003,P02,6000",
        "overrides.csv, row 2, column customer_id, product_id: value 'C003/P02': expected a (customer_id, "
        "product_id) pair present in sales_input",
    ),
    (
        "importance out of range",
        "report_card_needs",
        "Qualified leads,5",
        "Qualified leads,7",
        "report_card_needs.csv, row 2, column importance: value '7': expected an importance from 1 to 5, or empty",
    ),
    (
        "bad cycle",
        "report_card_ratings",
        "2026-H1,S01",
        "2026-H3,S01",
        "report_card_ratings.csv, row 2, column cycle: value '2026-H3': expected a half-year YYYY-H1 or YYYY-H2",
    ),
    (
        "bad grade",
        "report_card_ratings",
        "S-N1,B,",
        "S-N1,D,",
        "report_card_ratings.csv, row 2, column grade: value 'D': expected one of A, B, C, F (the report card "
        "grades A, B, C, F)",
    ),
    (
        "rater not in people",
        "report_card_ratings",
        "2026-H1,S01,S-N1",
        "2026-H1,X77,S-N1",
        "report_card_ratings.csv, row 2, column rater_id: value 'X77': expected a person_id listed in people",
    ),
    (
        "need that does not exist",
        "report_card_ratings",
        "2026-H1,S01,S-N1",
        "2026-H1,S01,S-N9",
        "report_card_ratings.csv, row 2, column need_id: value 'S-N9': expected a need_id listed in "
        "report_card_needs",
    ),
    (
        "same rater grades a need twice",
        "report_card_ratings",
        "2026-H1,M01,M-N1,c,slow\n",
        "2026-H1,M01,M-N1,c,slow\n2026-H1,M01,M-N1,A,\n",
        "report_card_ratings.csv, row 4, column cycle, rater_id, need_id: value '2026-H1/M01/M-N1': expected one "
        "grade per (cycle, rater_id, need_id) (already on row 3)",
    ),
    (
        "bad status",
        "action_items",
        "2026-03-31,open",
        "2026-03-31,started",
        "action_items.csv, row 2, column status: value 'started': expected one of open, in_progress, done, dropped",
    ),
    (
        "bad quarter",
        "wins",
        "2026-Q1,success",
        "2026-Q5,success",
        "wins.csv, row 2, column quarter: value '2026-Q5': expected a fiscal quarter YYYY-Qn",
    ),
    (
        "bad kind",
        "wins",
        "2026-Q1,success",
        "2026-Q1,win",
        "wins.csv, row 2, column kind: value 'win': expected success or shortcoming",
    ),
    (
        "unknown team member",
        "wins",
        "S01;M01",
        "S01;Z01",
        "wins.csv, row 2, column member_ids: value 'S01;Z01': expected person_ids listed in people, separated by ;",
    ),
]


@pytest.mark.parametrize(
    ("stem", "old", "new", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_rule_gives_its_one_line(tmp_path: Path, stem: str, old: str, new: str, expected: str) -> None:
    folder = write_company(tmp_path, **{stem: replace_line(stem, old, new)})
    assert problems_of(folder) == [expected]


class TestFileLevelProblems:
    def test_missing_required_file(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, customers=None)
        lines = problems_of(folder)
        assert lines == [
            f"customers.csv: expected the required file customers.csv (or .parquet, .xlsx) in {folder}"
        ]

    def test_missing_column(self, tmp_path: Path) -> None:
        text = "\n".join(",".join(line.split(",")[:4]) for line in FILES["customers"].splitlines()) + "\n"
        folder = write_company(tmp_path, customers=text)
        assert problems_of(folder) == [
            "customers.csv, row 1, column account_owner: expected a column named account_owner in the header"
        ]

    def test_two_formats_for_one_stem(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path)
        pd.read_csv(folder / "wins.csv", dtype=str).to_parquet(folder / "wins.parquet")
        assert problems_of(folder) == [
            "wins.csv: value 'wins.csv, wins.parquet': expected one file for wins, not "
            "one in each of several formats"
        ]

    def test_product_sold_without_strategy(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, channel_strategy="product_id,channel,share\nP01,Direct,1\n")
        assert problems_of(folder) == [
            "sales_input.csv, row 3, column product_id: value 'P02': expected a product "
            "with at least one row in channel_strategy (it is sold in sales_input)"
        ]

    def test_every_problem_listed_not_just_the_first(self, tmp_path: Path) -> None:
        actuals = replace_line("actuals", "2025-02,C002", "2025-13,C002").replace(
            "Direct,1000.00", "Direct,12k"
        )
        folder = write_company(
            tmp_path,
            actuals=actuals,
            report_card_ratings=replace_line("report_card_ratings", "S-N1,B,", "S-N1,D,"),
        )
        assert len(problems_of(folder)) == 3

    def test_load_raises_with_every_problem(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, actuals=replace_line("actuals", "2025-02,C002", "2025-13,C002"))
        with pytest.raises(InputError) as info:
            load_inputs(folder)
        assert [p.line() for p in info.value.problems] == [
            "actuals.csv, row 3, column month: value '2025-13': expected a month YYYY-MM"
        ]


class TestWarnings:
    def test_two_accountables_is_a_finding_not_bad_input(self, tmp_path: Path) -> None:
        folder = write_company(
            tmp_path, roles=replace_line("roles", "Set account quotas,C,AR", "Set account quotas,A,AR")
        )
        assert problems_of(folder) == []
        assert warnings_of(folder) - BASE_WARNINGS == {
            "warning: roles.csv, row 3, column marketing, sales: value 'A / AR': expected exactly one Accountable "
            "(A) for 'Set account quotas': 2 found, escalate"
        }

    def test_no_accountable(self, tmp_path: Path) -> None:
        folder = write_company(
            tmp_path, roles=replace_line("roles", "Set account quotas,C,AR", "Set account quotas,C,R")
        )
        assert warnings_of(folder) - BASE_WARNINGS == {
            "warning: roles.csv, row 3, column marketing, sales: value 'C / R': expected exactly one Accountable "
            "(A) for 'Set account quotas': 0 found, escalate"
        }

    def test_committed_above_potential(self, tmp_path: Path) -> None:
        folder = write_company(
            tmp_path, sales_input=replace_line("sales_input", "C003,P01,3000,1000", "C003,P01,3000,4000")
        )
        assert problems_of(folder) == []
        assert warnings_of(folder) - BASE_WARNINGS == {
            "warning: sales_input.csv, row 4, column committed: value '4000': expected committed at most "
            "potential (3000)"
        }

    def test_override_below_committed(self, tmp_path: Path) -> None:
        folder = write_company(
            tmp_path, overrides=replace_line("overrides", "C002,P02,6000", "C002,P02,4000")
        )
        assert warnings_of(folder) - BASE_WARNINGS == {
            "warning: overrides.csv, row 2, column final_quota: value '4000': expected a final quota at least "
            "committed (5000.00)"
        }


def test_validation_never_writes_to_the_data_folder(tmp_path: Path) -> None:
    folder = write_company(tmp_path, actuals=replace_line("actuals", "2025-02,C002", "2025-13,C002"))

    def snapshot() -> dict[str, tuple[str, float]]:
        return {
            p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime) for p in folder.iterdir()
        }

    before = snapshot()
    check_folder(folder)
    with pytest.raises(InputError):
        load_inputs(folder)
    assert snapshot() == before
