"""The planning cycle with sales, driven end to end on the sample as a sales manager would (openpyxl).

Fill the sales-input sheets, collect them, plan; edit the quota book, collect the edits into the
overrides ledger, plan again; edit the same row a second time; run again comparing with the first
report. The final quotas stay T' to the cent, locked rows hold their new quota, the ledger keeps
both edits of the row edited twice, and ``diff`` lists exactly the rows that moved. The same runs
check that "allocated from the gap" and "change from committed" agree on every page and file.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from alignment.cli import main
from alignment.money import to_cents
from alignment.paths import SAMPLE_DATA_DIR, SAMPLE_PARAMS

pytestmark = [pytest.mark.slow]

S003_SHEET_ROWS = 2  # the first data row of an owner sheet (row 1 is the header)


def cents(values) -> int:
    return int(to_cents(pd.to_numeric(pd.Series(values)).to_numpy()).sum())


def header_of(ws, row: int = 1) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value is not None}


def plan_tables(params: Path, out: Path) -> pd.DataFrame:
    assert main(["plan", str(params), "--out", str(out)]) == 0
    return pd.read_csv(out / "final_quotas.csv", dtype={"customer_id": str, "product_id": str})


def padded_target(out: Path) -> int:
    targets = pd.read_csv(out / "targets.csv")
    return cents(targets["target"])  # over_assignment is 0 in the sample


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cycle")
    shutil.copytree(SAMPLE_DATA_DIR, root / "data")
    text = SAMPLE_PARAMS.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^data_dir:.*$", "data_dir: data", text)
    (root / "cycle.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cycle(company: Path) -> dict:
    """The whole loop, once; each test checks one of its promises."""
    root, params, data = company, company / "cycle.yaml", company / "data"
    seen: dict = {}

    # 1. sales-input sheets out, filled by the owner S003, back in
    assert main(["template", "sales-input", str(params), "--out", str(root / "sheets")]) == 0
    book_path = root / "sheets" / "S003.xlsx"
    book = openpyxl.load_workbook(book_path)
    ws = book["Sales input"]
    col = header_of(ws, 2)
    first = ws.cell(row=3, column=col["committed"]).value
    ws.cell(row=3, column=col["committed"], value=first + 1000)
    customer = ws.cell(row=3, column=col["customer_id"]).value
    mine = {
        (ws.cell(row=r, column=col["customer_id"]).value, ws.cell(row=r, column=col["product_id"]).value)
        for r in range(3, ws.max_row + 1)
    }
    new_product = next(
        p for p in ("P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08") if (customer, p) not in mine
    )
    empty = next(
        r for r in range(3, ws.max_row + 1) if ws.cell(row=r, column=col["customer_id"]).value is None
    )
    ws.cell(row=empty, column=col["customer_id"], value=customer)
    ws.cell(row=empty, column=col["product_id"], value=new_product)
    ws.cell(row=empty, column=col["potential"], value=5000)
    ws.cell(row=empty, column=col["committed"], value=2000)
    ws.cell(row=empty, column=col["notes"], value="new product line in this account")
    book.save(book_path)
    assert main(["collect", "sales-input", str(root / "sheets"), "--out", str(root / "sales_input.csv")]) == 0
    collected = pd.read_csv(root / "sales_input.csv", dtype=str)
    seen["collected"] = collected
    seen["added_pair"] = (customer, new_product)
    shutil.copy(root / "sales_input.csv", data / "sales_input.csv")

    # 2. plan, then a full run of page 03 for the quota books
    seen["plan1"] = plan_tables(params, root / "plan1")
    seen["t1"] = padded_target(root / "plan1")
    assert main(["run", str(params), "--only", "03_gap_allocation", "--out", str(root / "report1")]) == 0

    # 3. S003 edits two quotas in their own quota book
    owner_book = root / "report1" / "tables" / "quota_books" / "S003.xlsx"
    book = openpyxl.load_workbook(owner_book)
    ws = book[book.sheetnames[0]]
    col = header_of(ws)
    rows = {}
    for r, amount, reason in ((2, 1000, "renewal brought forward"), (3, 2000, "new budget")):
        key = (
            ws.cell(row=r, column=col["customer_id"]).value,
            ws.cell(row=r, column=col["product_id"]).value,
        )
        quota = ws.cell(row=r, column=col["final_quota"]).value + amount
        ws.cell(row=r, column=col["new_quota"], value=quota)
        ws.cell(row=r, column=col["reason"], value=reason)
        rows[key] = quota
    book.save(owner_book)
    ledger = data / "overrides.csv"
    books = root / "report1" / "tables" / "quota_books"
    args = ["collect", "overrides", str(books), "--into", str(ledger)]
    assert main([*args, "--on", "2026-01-10"]) == 0
    assert main([*args, "--on", "2026-01-11"]) == 0  # the same book again changes nothing
    seen["ledger1"] = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    seen["plan2"] = plan_tables(params, root / "plan2")
    seen["t2"] = padded_target(root / "plan2")
    seen["edits1"] = rows

    # 4. the first row is edited a second time
    book = openpyxl.load_workbook(owner_book)
    ws = book[book.sheetnames[0]]
    twice = (ws.cell(row=2, column=col["customer_id"]).value, ws.cell(row=2, column=col["product_id"]).value)
    second = ws.cell(row=2, column=col["new_quota"]).value + 3000
    ws.cell(row=2, column=col["new_quota"], value=second)
    ws.cell(row=2, column=col["reason"], value="signed: even more")
    book.save(owner_book)
    assert main([*args, "--on", "2026-01-20"]) == 0
    seen["ledger2"] = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    seen["twice"], seen["second"] = twice, second
    seen["plan3"] = plan_tables(params, root / "plan3")
    seen["t3"] = padded_target(root / "plan3")

    # 5. run again, comparing with the first report; and diff the two reports
    assert (
        main(
            [
                "run",
                str(params),
                "--only",
                "03_gap_allocation",
                "--out",
                str(root / "report2"),
                "--compare-to",
                str(root / "report1"),
            ]
        )
        == 0
    )
    assert main(["diff", str(root / "report1"), str(root / "report2"), "--out", str(root / "diff.html")]) == 0
    seen["root"] = root
    return seen


class TestSalesInputBack:
    def test_the_owners_rows_come_back_with_the_added_product(self, cycle: dict) -> None:
        collected = cycle["collected"]
        original = pd.read_csv(SAMPLE_DATA_DIR / "sales_input.csv", dtype=str)
        assert len(collected) == len(original) + 1
        pairs = set(zip(collected["customer_id"], collected["product_id"], strict=True))
        assert cycle["added_pair"] in pairs
        assert cents(collected["committed"]) == cents(original["committed"]) + to_cents(3000.0)


class TestPlanAfterEachStep:
    @pytest.mark.parametrize("step", ["1", "2", "3"])
    def test_final_quotas_sum_to_t_prime(self, cycle: dict, step: str) -> None:
        plan = cycle[f"plan{step}"]
        assert cents(plan["final_quota"]) == cycle[f"t{step}"]

    def test_locked_rows_hold_their_new_quota(self, cycle: dict) -> None:
        fq = cycle["plan2"].set_index(["customer_id", "product_id"])
        for key, quota in cycle["edits1"].items():
            assert to_cents(fq.loc[key, "final_quota"]) == to_cents(quota)
            assert str(fq.loc[key, "locked"]).lower() == "true"
        fq3 = cycle["plan3"].set_index(["customer_id", "product_id"])
        assert to_cents(fq3.loc[cycle["twice"], "final_quota"]) == to_cents(cycle["second"])


class TestLedger:
    def test_first_collection_adds_one_row_per_edit_with_its_history_columns(self, cycle: dict) -> None:
        ledger = cycle["ledger1"]
        new = ledger.loc[ledger["changed_by"] == "S003"]
        assert len(new) == 2  # collecting the same book twice added nothing
        assert set(new["changed_on"]) == {"2026-01-10"}
        assert set(new["reason"]) == {"renewal brought forward", "new budget"}
        assert (new["superseded_on"] == "").all()
        assert len(ledger) == 3 + 2  # the sample's three locks are kept as they were

    def test_both_edits_of_a_row_edited_twice_are_kept(self, cycle: dict) -> None:
        ledger = cycle["ledger2"]
        customer, product = cycle["twice"]
        rows = ledger.loc[(ledger["customer_id"] == customer) & (ledger["product_id"] == product)]
        assert len(rows) == 2
        assert rows["changed_on"].tolist() == ["2026-01-10", "2026-01-20"]
        assert rows["superseded_on"].tolist() == ["2026-01-20", ""]
        assert to_cents(float(rows["final_quota"].iloc[1])) == to_cents(cycle["second"])


class TestWhatChanged:
    def test_diff_lists_exactly_the_rows_that_moved(self, cycle: dict) -> None:
        root = cycle["root"]
        a = pd.read_csv(root / "report1" / "tables" / "final_quotas.csv", dtype=str)
        b = pd.read_csv(root / "report2" / "tables" / "final_quotas.csv", dtype=str)
        both = a.merge(b, on=["customer_id", "product_id"], suffixes=("_a", "_b"))
        moved = both.loc[
            to_cents(both["final_quota_a"].astype(float).to_numpy())
            != to_cents(both["final_quota_b"].astype(float).to_numpy()),
            ["customer_id", "product_id"],
        ]
        expected = sorted(zip(moved["customer_id"], moved["product_id"], strict=True))
        assert expected  # the two locks moved rows
        for page in (root / "diff.html", root / "report2" / "changes.html"):
            text = page.read_text(encoding="utf-8")
            table = text.split('<table class="moved">', 1)[1].split("</table>", 1)[0]
            listed = sorted(
                (cells[0], cells[4])
                for cells in (
                    [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
                    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
                )
                if cells
            )
            assert listed == expected

    def test_new_overrides_are_listed(self, cycle: dict) -> None:
        text = (cycle["root"] / "diff.html").read_text(encoding="utf-8")
        table = text.split('<table class="overrides">', 1)[1].split("</table>", 1)[0]
        assert table.count("<td>new</td>") == 2
        assert "renewal brought forward" in html.unescape(table) or "signed: even more" in html.unescape(
            table
        )

    def test_index_links_the_changes(self, cycle: dict) -> None:
        index = (cycle["root"] / "report2" / "index.html").read_text(encoding="utf-8")
        assert 'href="changes.html"' in index


class TestOneMeaningOfAllocated:
    """Every page and file shows the same two figures under two different names."""

    def test_headline_index_page_and_book_agree(self, cycle: dict) -> None:
        report = cycle["root"] / "report2"
        fq = pd.read_csv(report / "tables" / "final_quotas.csv", dtype=str)
        locked = fq["locked"].str.lower() == "true"
        from_gap = cents(fq.loc[~locked, "allocated"])
        change = cents(fq["allocated"])
        assert from_gap != change  # the locks make the two figures differ
        headline = json.loads((report / "headline.json").read_text(encoding="utf-8"))
        assert to_cents(headline["allocated_from_gap"]) == from_gap
        assert to_cents(headline["change_from_committed"]) == change
        shown = {from_gap: f"{from_gap / 100:,.2f}", change: f"{change / 100:,.2f}"}

        index = html.unescape((report / "index.html").read_text(encoding="utf-8"))
        assert re.search(
            r"Allocated from the gap[^<]*</td><td class=\"num\">" + re.escape(shown[from_gap]), index
        )
        assert re.search(
            r"Change from committed[^<]*</td><td class=\"num\">" + re.escape(shown[change]), index
        )

        page = html.unescape((report / "html" / "03_gap_allocation.html").read_text(encoding="utf-8"))
        for label, value in (("Allocated from the gap", from_gap), ("Change from committed", change)):
            assert re.search(re.escape(label) + r"[^<]*</td>\s*<td[^>]*>" + re.escape(shown[value]), page), (
                label
            )

        book = openpyxl.load_workbook(report / "tables" / "final_quotas.xlsx", read_only=True)
        summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r and r[0]}
        assert to_cents(summary["Allocated from the gap"]) == from_gap
        assert to_cents(summary["Change from committed (final quotas - Q)"]) == change

    def test_no_page_or_file_names_a_total_just_allocated(self, cycle: dict) -> None:
        report = cycle["root"] / "report2"
        for page in ("index.html", "changes.html", "html/03_gap_allocation.html"):
            text = html.unescape((report / page).read_text(encoding="utf-8"))
            assert not re.search(r">\s*Allocated\s*<", text), page
        book = openpyxl.load_workbook(report / "tables" / "final_quotas.xlsx", read_only=True)
        labels = [r[0] for r in book["Summary"].iter_rows(values_only=True) if r]
        headers = [c for r in book["Summary"].iter_rows(values_only=True) for c in r if isinstance(c, str)]
        assert "Allocated" not in labels and "allocated" not in headers
