"""``--format parquet`` for the tables of ``alignment plan`` and ``alignment run``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from alignment.cli import main, run_command
from alignment.engine.plan import MONEY
from alignment.outputs import TABLE_SETTINGS, to_text_table
from alignment.paths import SAMPLE_PARAMS

PLAN_TABLES = ["final_quotas", "monthly_objectives", "rollup", "targets"]


def same_table_as_csv(parquet: Path, csv: Path) -> None:
    """The Parquet table, in the contract's text form, is the CSV table cell for cell."""
    money = MONEY.get(f"{parquet.stem}.csv", ())
    as_text = to_text_table(pd.read_parquet(parquet), money=money)
    expected = pd.read_csv(csv, dtype=str, keep_default_na=False)
    assert list(as_text.columns) == list(expected.columns)
    assert as_text.to_dict("list") == expected.to_dict("list")


@pytest.fixture(scope="module")
def sample_csv_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("csv") / "plan"
    assert main(["plan", str(SAMPLE_PARAMS), "--out", str(out)]) == 0
    return out


class TestPlan:
    def test_parquet_tables_hold_what_the_csv_tables_hold(
        self, sample_csv_tables: Path, tmp_path: Path
    ) -> None:
        out = tmp_path / "plan"
        assert main(["plan", str(SAMPLE_PARAMS), "--out", str(out), "--format", "parquet"]) == 0
        assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
            f"{t}.parquet" for t in PLAN_TABLES
        ]
        for table in PLAN_TABLES:
            same_table_as_csv(out / f"{table}.parquet", sample_csv_tables / f"{table}.csv")

    def test_csv_stays_the_default(self, sample_csv_tables: Path) -> None:
        assert sorted(p.name for p in sample_csv_tables.iterdir() if not p.name.startswith(".")) == [
            f"{t}.csv" for t in PLAN_TABLES
        ]

    def test_an_unknown_format_is_exit_2(self, tmp_path: Path, capsys) -> None:
        with pytest.raises(SystemExit) as exit_:
            main(["plan", str(SAMPLE_PARAMS), "--out", str(tmp_path / "out"), "--format", "xlsx"])
        assert exit_.value.code == 2
        assert "invalid choice: 'xlsx'" in capsys.readouterr().err
        assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.notebook
def test_run_writes_the_notebooks_tables_as_parquet(sample_csv_tables: Path, tmp_path: Path, capsys) -> None:
    report = tmp_path / "report"
    status = run_command([SAMPLE_PARAMS], out=report, only="03_gap_allocation", table_format="parquet")
    assert status == 0, capsys.readouterr().err
    tables = report / "tables"
    assert sorted(p.name for p in tables.iterdir()) == [
        TABLE_SETTINGS,
        "final_quotas.parquet",
        "final_quotas.xlsx",
        "monthly_objectives.parquet",
        "overrides_in_force.csv",  # the ledger's rows in force stay CSV, as the diff of two reports reads them
        "quota_books",
    ]
    for table in ("final_quotas", "monthly_objectives"):
        same_table_as_csv(tables / f"{table}.parquet", sample_csv_tables / f"{table}.csv")
    run = json.loads((report / "run.json").read_text(encoding="utf-8"))
    assert run["options"]["table_format"] == "parquet"
