"""Input files as careless exports and hostile users make them: each gives one precise line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tiny_company import FILES, replace_line, write_company

from alignment.inputs import check_folder, load_inputs
from alignment.problems import InputError

HOW = "encoding: {{{stem}: cp1252}} in the params file, or alignment validate --encoding {stem}=cp1252"


def lines(folder: Path, **options: object) -> tuple[list[str], list[str]]:
    _, problems, warnings = check_folder(folder, **options)
    return [p.line() for p in problems], [w.line() for w in warnings if "critical needs" not in w.expected]


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


class TestDuplicatedColumns:
    def test_csv(self, tmp_path: Path) -> None:
        text = FILES["actuals"].replace("revenue\n", "revenue,revenue\n", 1)
        text = "\n".join(line + ",7" if i else line for i, line in enumerate(text.splitlines())) + "\n"
        folder = write_company(tmp_path, actuals=text)
        assert lines(folder)[0] == [
            "actuals.csv, row 1, column revenue: expected one column named revenue in the header, found 2 "
            "(columns 5, 6)"
        ]

    def test_an_extra_column_given_twice(self, tmp_path: Path) -> None:
        text = FILES["products"].replace("product_line\n", "product_line,note, note\n", 1)
        text = text.replace("Cloud\n", "Cloud,x,y\n").replace("Hardware\n", "Hardware,,\n")
        folder = write_company(tmp_path, products=text)
        assert lines(folder)[0] == [
            "products.csv, row 1, column note: expected one column named note in the header, found 2 (columns 4, 5)"
        ]

    def test_xlsx(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, customers=None)
        rows = [line.split(",") for line in FILES["customers"].splitlines()]
        frame = pd.DataFrame([r + [r[3]] for r in rows[1:]], columns=[*rows[0], "region"])
        frame.to_excel(folder / "customers.xlsx", index=False)
        assert lines(folder)[0] == [
            "customers.xlsx, row 1, column region: expected one column named region in the header, found 2 "
            "(columns 4, 6)"
        ]

    def test_parquet(self, tmp_path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        folder = write_company(tmp_path, products=None)
        table = pa.table(
            [["P01", "P02"], ["a", "b"], ["Cloud", "Hardware"], ["x", "y"]],
            names=["product_id", "product_name", "product_line", "product_id"],
        )
        pq.write_table(table, folder / "products.parquet")
        problems = lines(folder)[0]
        assert problems[0] == (
            "products.parquet, row 1, column product_id: expected one column named product_id in the header, "
            "found 2 (columns 1, 4)"
        )


class TestRequiredInputWithoutRows:
    def test_header_only_actuals_is_a_warning(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, actuals="month,customer_id,product_id,channel,revenue\n")
        problems, warnings = lines(folder, fiscal_year=2026)
        assert problems == []
        assert warnings == [
            "warning: actuals.csv: expected rows below the header (actuals.csv has no rows: every target is 0)"
        ]

    def test_the_warning_is_carried_with_the_inputs(self, tmp_path: Path) -> None:
        folder = write_company(
            tmp_path, sales_input="customer_id,product_id,potential,committed\n", overrides=None
        )
        inputs = load_inputs(folder)
        assert [w.line() for w in inputs.warnings if w.file == "sales_input.csv"] == [
            "warning: sales_input.csv: expected rows below the header (sales_input.csv has no rows: the bottom-up "
            "quota is 0 and no customer gets a quota)"
        ]

    def test_an_optional_input_without_rows_says_nothing(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, roles="activity,marketing,sales\n")
        assert lines(folder) == ([], [])

    def test_parquet_without_rows(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, actuals=None)
        pd.DataFrame(
            {c: pd.Series([], dtype="str") for c in FILES["actuals"].splitlines()[0].split(",")}
        ).to_parquet(folder / "actuals.parquet")
        assert lines(folder, fiscal_year=2026)[1] == [
            "warning: actuals.parquet: expected rows below the header (actuals.parquet has no rows: every target is 0)"
        ]


class TestSubCentAmounts:
    def test_one_warning_per_file_and_column_with_count_and_first_rows(self, tmp_path: Path) -> None:
        header = "customer_id,product_id,potential,committed"
        rows = [f"C{i:03d},P01,20000,{100 + i}.{'345' if i % 2 else '50'}" for i in range(1, 15)]
        customers = "customer_id,customer_name,customer_group,region,account_owner\n" + "".join(
            f"C{i:03d},n,SMB,North,S01\n" for i in range(1, 15)
        )
        folder = write_company(
            tmp_path, sales_input="\n".join([header, *rows]) + "\n", customers=customers, overrides=None
        )
        problems, warnings = lines(folder)
        assert problems == []
        assert warnings == [
            "warning: sales_input.csv, row 2, column committed: value '101.345': expected amounts in whole cents: "
            "7 amounts with fractions of a cent (rows 2, 4, 6, 8, 10, ...) are rounded to the cent "
            "(101.345 becomes 101.35)"
        ]

    def test_values_stay_accepted_and_are_rounded(self, tmp_path: Path) -> None:
        folder = write_company(
            tmp_path,
            sales_input=replace_line("sales_input", "C003,P01,3000,1000", "C003,P01,3000.004,1000.0"),
        )
        inputs = load_inputs(folder)
        assert inputs.sales_input["potential"].tolist() == [20000.0, 8000.0, 3000.0]
        assert [w.line() for w in inputs.warnings if w.file == "sales_input.csv"] == [
            "warning: sales_input.csv, row 4, column potential: value '3000.004': expected amounts in whole cents: "
            "1 amount with fractions of a cent (rows 4) is rounded to the cent (3000.004 becomes 3000.00)"
        ]

    def test_trailing_zeros_are_whole_cents(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, actuals=FILES["actuals"].replace("1000.00", "1000.000000"))
        assert lines(folder) == ([], [])

    def test_parquet_numbers(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, actuals=None)
        frame = pd.read_csv(pd.io.common.StringIO(FILES["actuals"]), dtype=str)
        frame["revenue"] = [1000.0, 500.505, -20.0, 1100.0]
        frame.to_parquet(folder / "actuals.parquet")
        assert lines(folder)[1] == [
            "warning: actuals.parquet, row 3, column revenue: value '500.505': expected amounts in whole cents: "
            "1 amount with fractions of a cent (rows 3) is rounded to the cent (500.505 becomes 500.51)"
        ]

    def test_an_empty_parquet_money_cell_is_an_error(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, actuals=None)
        frame = pd.read_csv(pd.io.common.StringIO(FILES["actuals"]), dtype=str)
        frame["revenue"] = [1000.0, np.nan, -20.0, 1100.0]
        frame.to_parquet(folder / "actuals.parquet")
        assert lines(folder)[0] == [
            "actuals.parquet, row 3, column revenue: value '': expected an amount such as 1234.50 (no thousands "
            "separators, no units)"
        ]


class TestSeparators:
    @pytest.mark.parametrize(("sep", "called"), [(";", "semicolons"), ("\t", "tabs")])
    def test_one_line_saying_how_the_file_is_separated(self, tmp_path: Path, sep: str, called: str) -> None:
        european = FILES["actuals"].replace(",", sep).replace("500.50", "500,50")
        folder = write_company(tmp_path, actuals=european)
        header = repr(sep.join(["month", "customer_id", "product_id", "channel", "revenue"]))
        assert lines(folder)[0] == [
            f"actuals.csv, row 1: value {header}: expected columns separated by commas; this file separates them "
            f'by {called}: save it again as "CSV UTF-8 (Comma delimited)", with a point as the decimal mark '
            "(1234.50)"
        ]

    def test_a_semicolon_inside_a_comma_separated_header_is_just_a_missing_column(
        self, tmp_path: Path
    ) -> None:
        text = FILES["products"].replace("product_name", "product;name", 1)
        folder = write_company(tmp_path, products=text)
        assert lines(folder)[0] == [
            "products.csv, row 1, column product_name: expected a column named product_name in the header"
        ]


class TestEncodings:
    def customers_cp1252(self, tmp_path: Path) -> Path:
        folder = write_company(tmp_path)
        text = FILES["customers"].replace("Brightline", "Müller GmbH")
        (folder / "customers.csv").write_bytes(text.encode("cp1252"))
        return folder

    def test_a_file_that_is_not_utf8_names_row_column_byte_and_how_to_read_it(self, tmp_path: Path) -> None:
        folder = self.customers_cp1252(tmp_path)
        assert lines(folder)[0] == [
            "customers.csv, row 3, column customer_name: value 'M\\\\xfcller GmbH': expected text in UTF-8 (byte "
            "0xfc is not UTF-8); if another program wrote the file (Excel, an older Windows tool), name its "
            "encoding: " + HOW.format(stem="customers")
        ]

    def test_read_with_its_encoding(self, tmp_path: Path) -> None:
        folder = self.customers_cp1252(tmp_path)
        inputs = load_inputs(folder, encoding={"customers": "cp1252"})
        assert inputs.customers["customer_name"].tolist() == ["Acme Ltd", "Müller GmbH", "Cobalt Works"]

    def test_a_bad_byte_in_the_header(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path)
        (folder / "wins.csv").write_bytes(FILES["wins"].replace("lesson", "leçon").encode("cp1252"))
        (problem,) = lines(folder)[0]
        assert problem.startswith("wins.csv, row 1: value 'le\\\\xe7on': expected text in UTF-8 (byte 0xe7")

    def test_a_utf8_file_with_a_byte_order_mark(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path)
        (folder / "actuals.csv").write_bytes(b"\xef\xbb\xbf" + FILES["actuals"].encode())
        assert lines(folder) == ([], [])
        assert load_inputs(folder).actuals["revenue"].sum() == pytest.approx(2580.5)


class TestRowsWithTooManyFields:
    EXPECTED = (
        "expected at most 5 fields, as many as the header has; found 6 (a value with a comma in it, such as "
        "1.234,50, must be in quotes, or written 1234.50)"
    )

    def test_a_later_row_is_reported_on_its_own_line(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, actuals=FILES["actuals"].replace("500.50", "1.234,50"))
        assert lines(folder)[0] == [
            f"actuals.csv, row 3: value '2025-02,C002,P02,Partner,1.234,50': {self.EXPECTED}"
        ]

    def test_the_first_row_does_not_shift_the_columns(self, tmp_path: Path) -> None:
        # pandas would read the first field as an index: every column of the file one to the left
        text = FILES["actuals"].replace("1000.00", "1.000,00").replace("2025-02,C002", "2025-13,C002")
        folder = write_company(tmp_path, actuals=text)
        assert lines(folder)[0] == [
            f"actuals.csv, row 2: value '2025-01,C001,P01,Direct,1.000,00': {self.EXPECTED}",
            "actuals.csv, row 3, column month: value '2025-13': expected a month YYYY-MM",
        ]

    def test_a_trailing_empty_field_is_not_a_problem(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path, actuals=FILES["actuals"].replace("500.50\n", "500.50,\n"))
        assert lines(folder) == ([], [])
        assert load_inputs(folder).actuals["revenue"].tolist() == [1000.0, 500.5, -20.0, 1100.0]

    def test_every_long_row_of_a_large_file(self, tmp_path: Path) -> None:
        rows = ["2025-01,C001,P01,Direct,10.00"] * 30_000
        rows[20_000] = "2025-01,C001,P01,Direct,1.234,50"
        rows[29_999] = "2025-01,C001,P01,Direct,7,00"
        text = "month,customer_id,product_id,channel,revenue\n" + "\n".join(rows) + "\n"
        folder = write_company(tmp_path, actuals=text)
        assert [line.split(":")[0] for line in lines(folder)[0]] == [
            "actuals.csv, row 20002",
            "actuals.csv, row 30001",
        ]


def test_nothing_in_the_data_folder_is_written(tmp_path: Path) -> None:
    folder = write_company(tmp_path, actuals=FILES["actuals"].replace(",", ";"))
    (folder / "customers.csv").write_bytes(
        FILES["customers"].replace("Brightline", "Müller").encode("cp1252")
    )
    before = snapshot(folder)
    check_folder(folder)
    with pytest.raises(InputError):
        load_inputs(folder)
    assert snapshot(folder) == before


def test_a_notebook_reads_an_input_with_its_encoding(tmp_path: Path) -> None:
    """Every notebook passes its ``encoding`` parameter to open_workbook (tests/test_hygiene.py checks the call)."""
    from alignment.workbook import open_workbook

    folder = write_company(tmp_path)
    text = FILES["customers"].replace("Brightline", "Müller GmbH")
    (folder / "customers.csv").write_bytes(text.encode("cp1252"))
    with pytest.raises(InputError):
        open_workbook(data_dir=str(folder))
    wb = open_workbook(data_dir=str(folder), encoding={"customers": "cp1252"})
    assert "Müller GmbH" in set(wb.inputs.customers["customer_name"])
    assert wb.params.encoding == {"customers": "cp1252"}
