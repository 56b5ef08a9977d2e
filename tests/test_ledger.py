"""Ledgers (alignment.ledger) and the overrides ledger as an input: history kept, only active rows count."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from planning_companies import hand_inputs, params
from tiny_company import write_company

from alignment.engine.plan import build_plan
from alignment.inputs import check_folder, load_inputs
from alignment.ledger import LEDGER_COLUMNS, active_mask, as_text, read_ledger, record, write_ledger

KEYS, VALUES = ["customer_id", "product_id"], ["final_quota"]


def ledger(rows: list[dict]) -> pd.DataFrame:
    cols = [*KEYS, *VALUES, *LEDGER_COLUMNS]
    return as_text(pd.DataFrame(rows), cols)


class TestActive:
    def test_old_files_are_all_active(self) -> None:
        old = pd.DataFrame(
            {"customer_id": ["C1", "C2"], "product_id": ["P1", "P1"], "final_quota": ["1", "2"]}
        )
        assert active_mask(old, "2026-01").tolist() == [True, True]

    def test_superseded_and_expired_rows_are_history(self) -> None:
        df = ledger(
            [
                {"customer_id": "C1", "product_id": "P1", "final_quota": "1", "superseded_on": "2026-02-01"},
                {"customer_id": "C1", "product_id": "P1", "final_quota": "2"},
                {"customer_id": "C2", "product_id": "P1", "final_quota": "3", "expires": "2025-12"},
                {"customer_id": "C3", "product_id": "P1", "final_quota": "4", "expires": "2026-01"},
            ]
        )
        assert active_mask(df, "2026-01").tolist() == [False, True, False, True]
        assert active_mask(df, "2025-01").tolist() == [False, True, True, True]
        assert active_mask(df).tolist() == [False, True, True, True]


class TestRecord:
    def test_a_row_edited_twice_keeps_both_edits(self) -> None:
        start = ledger([{"customer_id": "C0", "product_id": "P1", "final_quota": "10.00"}])
        first = record(
            start,
            ledger([{"customer_id": "C1", "product_id": "P1", "final_quota": "100.00", "reason": "deal"}]),
            KEYS,
            VALUES,
            on="2026-01-10",
        )
        assert (first.added, first.superseded, first.unchanged) == (1, 0, 0)
        second = record(
            first.ledger,
            ledger([{"customer_id": "C1", "product_id": "P1", "final_quota": "150.00", "reason": "bigger"}]),
            KEYS,
            VALUES,
            on="2026-02-03",
        )
        out = second.ledger
        assert (second.added, second.superseded) == (1, 1)
        assert out["final_quota"].tolist() == ["10.00", "100.00", "150.00"]
        assert out["superseded_on"].tolist() == ["", "2026-02-03", ""]
        assert out["changed_on"].tolist() == ["", "2026-01-10", "2026-02-03"]
        assert out["reason"].tolist() == ["", "deal", "bigger"]
        assert active_mask(out).tolist() == [True, False, True]

    def test_the_same_decision_again_changes_nothing(self) -> None:
        start = ledger([{"customer_id": "C1", "product_id": "P1", "final_quota": "100", "reason": "deal"}])
        again = record(
            start,
            ledger([{"customer_id": "C1", "product_id": "P1", "final_quota": "100.00", "reason": "deal"}]),
            KEYS,
            VALUES,
            on="2026-03-01",
        )
        assert (again.added, again.superseded, again.unchanged) == (0, 0, 1)
        assert again.ledger.equals(start)

    def test_user_columns_and_cells_are_kept(self) -> None:
        start = ledger([{"customer_id": "C1", "product_id": "P1", "final_quota": "7"}]).assign(note=["mine"])
        out = record(
            start,
            ledger([{"customer_id": "C2", "product_id": "P1", "final_quota": "8"}]),
            KEYS,
            VALUES,
            on="2026-03-01",
        ).ledger
        assert out["note"].tolist() == ["mine", ""]
        assert out.loc[0].tolist() == start.loc[0].tolist()

    def test_one_entry_per_key(self) -> None:
        twice = ledger([{"customer_id": "C1", "product_id": "P1"}] * 2)
        with pytest.raises(ValueError, match="one entry per key"):
            record(ledger([]), twice, KEYS, VALUES, on="2026-01-01")


class TestFiles:
    @pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
    def test_round_trip_keeps_text(self, tmp_path: Path, suffix: str) -> None:
        df = ledger(
            [{"customer_id": "007", "product_id": "P1", "final_quota": "1.50", "reason": '=HYPERLINK("x")'}]
        )
        path = write_ledger(df, tmp_path / f"overrides{suffix}")
        back = read_ledger(path, [*KEYS, *VALUES])
        assert back.loc[0, "customer_id"] == "007" and back.loc[0, "final_quota"] == "1.50"
        assert back.loc[0, "reason"] == '=HYPERLINK("x")'
        if suffix == ".xlsx":
            cell = openpyxl.load_workbook(path)["overrides"]["D2"]
            assert cell.data_type == "s" and cell.value == '=HYPERLINK("x")'

    def test_missing_file_is_an_empty_ledger(self, tmp_path: Path) -> None:
        assert read_ledger(tmp_path / "overrides.csv", [*KEYS, *VALUES]).empty

    def test_a_file_without_the_columns_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "o.csv").write_text("customer_id,final_quota\nC1,3\n", encoding="utf-8")
        with pytest.raises(ValueError, match="o.csv, row 1: expected a column named product_id"):
            read_ledger(tmp_path / "o.csv", [*KEYS, *VALUES])


LEDGER_HEAD = "customer_id,product_id,final_quota,reason,changed_by,changed_on,expires,superseded_on\n"


class TestOverridesInput:
    def test_old_overrides_file_loads_with_empty_history_columns(self, tmp_path: Path) -> None:
        inputs = load_inputs(write_company(tmp_path))
        for col in LEDGER_COLUMNS:
            assert inputs.overrides[col].tolist() == [""] * len(inputs.overrides)

    def test_history_rows_may_repeat_a_pair(self, tmp_path: Path) -> None:
        text = (
            LEDGER_HEAD
            + "C002,P02,5500,first go,S02,2026-01-05,,2026-01-20\n"
            + "C002,P02,6000,renewal signed,S02,2026-01-20,,\n"
            + "C001,P01,13000,old lock,S01,2025-01-10,2025-12,\n"
        )
        inputs, problems, _ = check_folder(write_company(tmp_path, overrides=text), fiscal_year=2026)
        assert problems == []
        assert inputs is not None and len(inputs.overrides) == 3

    def test_two_active_rows_for_a_pair_are_refused(self, tmp_path: Path) -> None:
        text = LEDGER_HEAD + "C002,P02,5500,,,,,\n" + "C002,P02,6000,,,,,\n"
        _, problems, _ = check_folder(write_company(tmp_path, overrides=text), fiscal_year=2026)
        assert [p.line() for p in problems] == [
            "overrides.csv, row 3, column customer_id, product_id: value 'C002/P02': expected each "
            "(customer_id, product_id) locked once among the rows in force (a later change supersedes the "
            "earlier row: fill its superseded_on) (already on row 2)"
        ]

    def test_bad_history_values(self, tmp_path: Path) -> None:
        text = LEDGER_HEAD + "C002,P02,6000,why,X99,2026-13-01,26-12,yesterday\n"
        _, problems, _ = check_folder(write_company(tmp_path, overrides=text), fiscal_year=2026)
        assert sorted(p.line() for p in problems) == [
            "overrides.csv, row 2, column changed_by: value 'X99': expected a person_id listed in people, or empty",
            "overrides.csv, row 2, column changed_on: value '2026-13-01': expected a date YYYY-MM-DD, or empty",
            "overrides.csv, row 2, column expires: value '26-12': expected the last month it applies, YYYY-MM, "
            "or empty",
            "overrides.csv, row 2, column superseded_on: value 'yesterday': expected a date YYYY-MM-DD, or empty",
        ]

    def test_history_of_a_pair_no_longer_planned_is_not_checked(self, tmp_path: Path) -> None:
        text = LEDGER_HEAD + "C003,P02,6000,,,,,2026-01-02\n"  # C003/P02 is not in sales_input
        _, problems, _ = check_folder(write_company(tmp_path, overrides=text), fiscal_year=2026)
        assert problems == []


def with_overrides(rows: list[tuple]) -> object:
    return hand_inputs(
        overrides=[{"customer_id": c, "product_id": p, "final_quota": q, **more} for c, p, q, more in rows]
    )


class TestEngineUsesActiveRowsOnly:
    def test_superseded_and_expired_rows_do_not_lock(self) -> None:
        current = build_plan(with_overrides([("C3", "P2", 2000.0, {})]), params())
        with_history = build_plan(
            with_overrides(
                [
                    ("C3", "P2", 1500.0, {"superseded_on": "2026-01-02"}),
                    ("C3", "P2", 2000.0, {}),
                    ("C1", "P1", 1400.0, {"expires": "2025-12"}),
                ]
            ),
            params(),
        )
        pd.testing.assert_frame_equal(current.final_quotas, with_history.final_quotas)
        locked = with_history.final_quotas.set_index(["customer_id", "product_id"])["locked"]
        assert locked[("C3", "P2")] and not locked[("C1", "P1")]

    def test_an_override_expiring_in_the_plan_year_applies(self) -> None:
        plan = build_plan(with_overrides([("C1", "P1", 1400.0, {"expires": "2026-06"})]), params())
        fq = plan.final_quotas.set_index(["customer_id", "product_id"])
        assert fq.loc[("C1", "P1"), "locked"] and fq.loc[("C1", "P1"), "final_quota"] == 1400.0
