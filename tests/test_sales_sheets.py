"""Sales-input workbooks and quota-book edits: what a sales manager can get wrong, each refused with its line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from planning_companies import hand_inputs
from planning_companies import params as hand_params
from tiny_company import write_company

from alignment.cli import main
from alignment.engine.lock_effects import lock_effects
from alignment.engine.plan import build_plan
from alignment.loading import load_checked
from alignment.presentation.quota_book import write_owner_books, write_quota_book
from alignment.written import MARKER

EVIL = '=HYPERLINK("http://example.invalid","x")'


@pytest.fixture
def company(tmp_path: Path) -> Path:
    customers = (
        "customer_id,customer_name,customer_group,region,account_owner\n"
        f'C001,"{EVIL.replace(chr(34), chr(34) * 2)}",Enterprise,North,S01\n'
        "C002,Brightline,SMB,South,S02\nC003,Cobalt Works,SMB,North,S01\n"
    )
    write_company(tmp_path / "data", customers=customers)
    (tmp_path / "p.yaml").write_text(
        "data_dir: data\nfiscal_year: 2026\nreview: {month: 2026-01}\nreport_card: {cycle: 2026-H1}\n"
        "celebration: {quarter: 2026-Q1}\n",
        encoding="utf-8",
    )
    return tmp_path


def template(company: Path, no_altair: bool = True) -> Path:
    assert main(["template", "sales-input", str(company / "p.yaml"), "--out", str(company / "sheets")]) == 0
    return company / "sheets"


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


class TestTemplate:
    def test_one_book_per_owner_prefilled_and_protected(self, company: Path, no_altair_import: None) -> None:
        sheets = template(company)
        assert sorted(p.name for p in sheets.glob("*.xlsx")) == ["S01.xlsx", "S02.xlsx"]
        ws = openpyxl.load_workbook(sheets / "S01.xlsx")["Sales input"]
        header = [c.value for c in ws[2]]
        assert header[:6] == [
            "customer_id",
            "customer_name",
            "customer_group",
            "region",
            "product_id",
            "product_name",
        ]
        rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3, max_row=4)]
        assert [r[0] for r in rows] == ["C001", "C003"]
        assert rows[0][header.index("potential")] == 20000 and rows[0][header.index("committed")] == 12000
        assert rows[0][header.index("prior_revenue")] == 1000  # FY2025 actuals of C001/P01
        assert ws["A1"].value == "Totals" and str(
            ws.cell(row=1, column=header.index("potential") + 1).value
        ).startswith("=SUM(")
        assert ws.protection.sheet
        assert ws.cell(row=3, column=header.index("committed") + 1).protection.locked is False
        assert ws.cell(row=3, column=1).protection.locked is True
        name = ws.cell(row=3, column=2)
        assert name.value == EVIL and name.data_type == "s"  # text from the inputs stays text
        kinds = {dv.type for dv in ws.data_validations.dataValidation}
        assert {"decimal", "list"} <= kinds

    def test_refuses_a_folder_of_other_files_and_a_filled_sheet(self, company: Path) -> None:
        (company / "mine").mkdir()
        (company / "mine" / "notes.txt").write_text("mine", encoding="utf-8")
        args = ["template", "sales-input", str(company / "p.yaml"), "--out"]
        assert main([*args, str(company / "mine")]) == 2
        assert (company / "mine" / "notes.txt").read_text(encoding="utf-8") == "mine"
        sheets = template(company)
        assert main([*args, str(sheets)]) == 0  # its own, unchanged: written again
        book = openpyxl.load_workbook(sheets / "S01.xlsx")
        book["Sales input"]["J3"] = 1
        book.save(sheets / "S01.xlsx")
        before = digest(sheets)
        assert main([*args, str(sheets)]) == 2  # a filled sheet is never replaced
        assert digest(sheets) == before


def fill(book_path: Path, edits: dict[tuple[int, str], object]) -> None:
    book = openpyxl.load_workbook(book_path)
    ws = book["Sales input"]
    header = [c.value for c in ws[2]]
    for (row, col), value in edits.items():
        ws.cell(row=row, column=header.index(col) + 1, value=value)
    book.save(book_path)


class TestCollectSalesInput:
    def test_a_new_product_for_a_customer_of_theirs_is_accepted(self, company: Path) -> None:
        sheets = template(company)
        fill(
            sheets / "S01.xlsx",
            {
                (5, "customer_id"): "C003",
                (5, "product_id"): "P02",
                (5, "potential"): 900,
                (5, "committed"): 400,
            },
        )
        out = company / "si.csv"
        assert main(["collect", "sales-input", str(sheets), "--out", str(out)]) == 0
        table = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert list(table.columns) == ["customer_id", "product_id", "potential", "committed", "notes"]
        assert table[["customer_id", "product_id", "potential", "committed"]].values.tolist() == [
            ["C001", "P01", "20000.00", "12000.00"],
            ["C002", "P02", "8000.00", "5000.00"],
            ["C003", "P01", "3000.00", "1000.00"],
            ["C003", "P02", "900.00", "400.00"],
        ]

    def test_every_problem_listed_and_nothing_written(
        self, company: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        sheets = template(company)
        fill(
            sheets / "S01.xlsx",
            {
                (3, "committed"): "lots",  # text in a number cell
                (5, "customer_id"): "C002",  # not S01's customer
                (5, "product_id"): "P01",
                (5, "potential"): 1,
                (5, "committed"): 1,
                (6, "customer_id"): "C003",  # a duplicate of row 4
                (6, "product_id"): "P01",
                (6, "potential"): 1,
                (6, "committed"): 1,
            },
        )
        book = openpyxl.load_workbook(sheets / "S01.xlsx")
        book["Sales input"].protection.sheet = False
        book["Sales input"]["E4"] = "P09"  # a changed id
        book.save(sheets / "S01.xlsx")
        fill(sheets / "S02.xlsx", {(3, "potential"): -5})
        capsys.readouterr()
        out = company / "si.csv"
        assert main(["collect", "sales-input", str(sheets), "--out", str(out)]) == 2
        err = capsys.readouterr().err.splitlines()
        assert err[:4] == [
            "S01.xlsx, sheet Sales input, row 3, column committed: value 'lots': expected an amount >= 0 typed as a "
            "number (the cell holds text)",
            "S01.xlsx, sheet Sales input, row 4, column customer_id, product_id: value 'C003/P09': expected the ids "
            "written in this row (C003/P01): ids are not to be changed; add a new row below instead",
            "S01.xlsx, sheet Sales input, row 5, column customer_id: value 'C002': expected a customer of S01 (this "
            "workbook's owner)",
            "S02.xlsx, sheet Sales input, row 3, column potential: value '-5': expected an amount >= 0",
        ]
        assert not out.exists()

    def test_duplicate_rows_are_refused(self, company: Path, capsys: pytest.CaptureFixture[str]) -> None:
        sheets = template(company)
        fill(
            sheets / "S01.xlsx",
            {(5, "customer_id"): "C003", (5, "product_id"): "P01", (5, "potential"): 1, (5, "committed"): 1},
        )
        assert main(["collect", "sales-input", str(sheets), "--out", str(company / "si.csv")]) == 2
        assert (
            "S01.xlsx, sheet Sales input, row 5, column customer_id, product_id: value 'C003/P01': expected one row "
            "per (customer_id, product_id) (already on S01.xlsx row 4)"
        ) in capsys.readouterr().err

    def test_out_never_replaces_a_file_it_did_not_write(self, company: Path) -> None:
        sheets = template(company)
        out = company / "si.csv"
        out.write_text("mine\n", encoding="utf-8")
        assert main(["collect", "sales-input", str(sheets), "--out", str(out)]) == 2
        assert out.read_text(encoding="utf-8") == "mine\n"
        out.unlink()
        assert main(["collect", "sales-input", str(sheets), "--out", str(out)]) == 0
        assert main(["collect", "sales-input", str(sheets), "--out", str(out)]) == 0  # its own file
        assert (company / MARKER).is_file()


@pytest.fixture
def books(company: Path) -> tuple[Path, object]:
    params, inputs, _ = load_checked(company / "p.yaml")
    plan = build_plan(inputs, params)
    write_quota_book(plan, company / "book" / "final_quotas.xlsx")
    write_owner_books(plan, company / "owners")
    return company, plan


def edit_book(path: Path, sheet_index: int, row: int, new_quota: object, reason: str = "why") -> None:
    book = openpyxl.load_workbook(path)
    ws = book[book.sheetnames[sheet_index]]
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index("new_quota") + 1, value=new_quota)
    ws.cell(row=row, column=header.index("reason") + 1, value=reason)
    book.save(path)


class TestCollectOverrides:
    def test_owner_books_keep_text_as_text(self, books) -> None:
        company, _ = books
        ws = openpyxl.load_workbook(company / "owners" / "S01.xlsx").worksheets[0]
        header = [c.value for c in ws[1]]
        assert header[13:15] == ["new_quota", "reason"]
        cell = ws.cell(row=2, column=header.index("customer_name") + 1)
        assert cell.value == EVIL and cell.data_type == "s"

    def test_an_edit_becomes_a_ledger_row_and_locks_the_row(self, books) -> None:
        company, _ = books
        edit_book(company / "owners" / "S01.xlsx", 0, 2, 15000, "multi-year deal")
        ledger = company / "data" / "overrides.csv"
        args = ["collect", "overrides", str(company / "owners"), "--into", str(ledger), "--on", "2026-02-01"]
        assert main([*args, "--expires", "2026-12"]) == 0
        rows = pd.read_csv(ledger, dtype=str, keep_default_na=False)
        assert rows.iloc[-1][
            ["customer_id", "product_id", "final_quota", "reason", "changed_by", "changed_on", "expires"]
        ].tolist() == ["C001", "P01", "15000.00", "multi-year deal", "S01", "2026-02-01", "2026-12"]
        params, inputs, _ = load_checked(company / "p.yaml")
        fq = build_plan(inputs, params).final_quotas.set_index(["customer_id", "product_id"])
        assert fq.loc[("C001", "P01"), "final_quota"] == 15000.0 and fq.loc[("C001", "P01"), "locked"]

    def test_problems_are_listed_and_the_ledger_left_alone(
        self, books, capsys: pytest.CaptureFixture[str]
    ) -> None:
        company, _ = books
        full = company / "book" / "final_quotas.xlsx"
        edit_book(full, 2, 2, "a lot")
        book = openpyxl.load_workbook(full)
        book.worksheets[2]["A3"] = "C999"  # a changed id
        book.save(full)
        edit_book(full, 2, 3, 100)
        ledger = company / "data" / "overrides.csv"
        before = ledger.read_bytes()
        assert main(["collect", "overrides", str(full), "--into", str(ledger)]) == 2
        err = capsys.readouterr().err
        assert (
            "final_quotas.xlsx, sheet Sam Reyes (S01), row 2, column new_quota: value 'a lot': expected an amount >= 0 typed as a number (the cell holds text)"
            in err
        )
        assert (
            "final_quotas.xlsx, sheet Sam Reyes (S01), row 3, column customer_id, product_id: value 'C999/P01': expected one of this sheet's rows"
            in err
        )
        assert ledger.read_bytes() == before


class TestLockEffects:
    def test_what_the_lock_gave_up_another_row_took(self) -> None:
        # the hand company (tests/planning_companies.py), rounding 100: G = 150, all of it placed.
        # Unlocked, C1/P1 would take 0 of the gap (1500 committed); locked at 1400 it gives up 100,
        # which the gap's only other taker, C3/P2, takes on top of its 1550.
        inputs = hand_inputs(overrides=[("C1", "P1", 1400.0)])
        effects = lock_effects(build_plan(inputs, hand_params(allocation={"rounding": 100})), inputs)
        lock = effects.overrides.iloc[0]
        assert (lock["without_lock"], lock["final_quota"], lock["change"]) == (1500.0, 1400.0, -100.0)
        assert (lock["rows_moved"], lock["given_up"]) == (1, -100.0)
        moved = effects.moves.set_index(["customer_id", "product_id"])["change"].to_dict()
        assert moved == {("C1", "P1"): -100.0, ("C3", "P2"): 100.0}
        assert effects.by_owner[["account_owner", "change"]].values.tolist() == [["S1", 100.0]]
        assert effects.net_effect == -100.0

    def test_the_plan_without_overrides_is_the_plan_made_without_them(self, books) -> None:
        company, _ = books
        params, inputs, _ = load_checked(company / "p.yaml")
        effects = lock_effects(build_plan(inputs, params), inputs)
        (company / "data" / "overrides.csv").unlink()
        params, bare, _ = load_checked(company / "p.yaml")
        without = build_plan(bare, params).final_quotas.groupby("account_owner")["final_quota"].sum()
        table = effects.without_overrides["account_owner"].set_index("key")
        for owner, quota in without.items():
            assert to_cents_sum([table.loc[owner, "without_overrides"]]) == to_cents_sum([quota])


def to_cents_sum(values) -> int:
    from alignment.money import to_cents

    return int(to_cents(pd.Series(values, dtype="float64").to_numpy()).sum())
