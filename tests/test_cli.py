"""The command line, end to end: exit status, one-line messages, no traceback, nothing drawn needlessly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tiny_company import replace_line, write_company

from alignment.paths import PROJECT_DIR, SAMPLE_DATA_DIR, SAMPLE_PARAMS


def alignment(*args: str, cwd: Path = PROJECT_DIR) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alignment", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


class TestValidate:
    def test_clean_folder_with_warnings_exits_0(self, tmp_path: Path) -> None:
        done = alignment("validate", str(write_company(tmp_path)))
        assert done.returncode == 0, done.stderr
        assert done.stderr.count("warning: ") == 2
        assert "0 problems, 2 warnings" in done.stdout

    def test_bad_folder_exits_2_with_one_line_per_problem_then_warnings(self, tmp_path: Path) -> None:
        actuals = replace_line("actuals", "2025-02,C002", "2025-13,C002").replace(
            "Direct,1000.00", "Direct,12k"
        )
        done = alignment("validate", str(write_company(tmp_path, actuals=actuals)))
        assert done.returncode == 2
        lines = done.stderr.splitlines()
        assert lines[:2] == [
            "actuals.csv, row 2, column revenue: value '12k': expected an amount such as 1234.50 (no thousands "
            "separators, no units)",
            "actuals.csv, row 3, column month: value '2025-13': expected a month YYYY-MM",
        ]
        assert all(line.startswith("warning: ") for line in lines[2:]) and len(lines) == 4
        assert "Traceback" not in done.stderr

    def test_missing_folder(self, tmp_path: Path) -> None:
        done = alignment("validate", str(tmp_path / "nope"))
        assert done.returncode == 2
        assert done.stderr.strip() == f"{tmp_path / 'nope'}: expected a data folder that exists"

    def test_sample_data_is_clean(self) -> None:
        done = alignment("validate", str(SAMPLE_DATA_DIR))
        assert done.returncode == 0, done.stderr
        assert "0 problems" in done.stdout


class TestArguments:
    def test_unknown_command_exits_2(self) -> None:
        assert alignment("frobnicate").returncode == 2

    def test_bad_params_exit_2_naming_the_key(self, tmp_path: Path) -> None:
        params = tmp_path / "p.yaml"
        params.write_text(f"data_dir: {SAMPLE_DATA_DIR}\nallocaton: {{}}\n")
        done = alignment("plan", str(params), "--out", str(tmp_path / "out"))
        assert done.returncode == 2
        assert done.stderr.strip() == "p.yaml: allocaton: unknown key — did you mean allocation?"
        assert not (tmp_path / "out").exists()

    def test_bad_inputs_exit_2_without_traceback(self, tmp_path: Path) -> None:
        data = write_company(tmp_path / "d", actuals=replace_line("actuals", "2025-02,C002", "2025-13,C002"))
        params = tmp_path / "p.yaml"
        params.write_text("data_dir: d\nreport_card: {cycle: 2026-H1}\n")
        done = alignment("plan", str(params), "--out", str(tmp_path / "out"))
        assert done.returncode == 2
        assert (
            done.stderr.strip()
            == "actuals.csv, row 3, column month: value '2025-13': expected a month YYYY-MM"
        )
        assert data.exists()

    def test_an_output_path_that_cannot_be_written_exits_2(self, tmp_path: Path) -> None:
        (tmp_path / "afile").write_text("x")
        done = alignment("plan", str(SAMPLE_PARAMS), "--out", str(tmp_path / "afile" / "sub"))
        assert done.returncode == 2
        assert done.stderr.splitlines()[-1].startswith("alignment plan: error: NotADirectoryError")
        assert "Traceback" not in done.stderr

    def test_debug_shows_the_traceback(self, tmp_path: Path) -> None:
        params = tmp_path / "p.yaml"
        params.write_text("fiscal_year: x\n")
        done = alignment("--debug", "plan", str(params), "--out", str(tmp_path / "o"))
        assert done.returncode != 0 and "Traceback" in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["validate", str(SAMPLE_DATA_DIR)],
        ["sample", "--out", "{tmp}/s", "--customers", "20"],
        ["plan", str(SAMPLE_PARAMS), "--out", "{tmp}/plan"],
    ],
)
def test_commands_that_draw_nothing_do_not_import_altair(tmp_path: Path, command: list[str]) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    code = (
        "import sys\nfrom alignment.cli import main\nstatus = main(sys.argv[1:])\n"
        "assert 'altair' not in sys.modules, 'altair imported'\nsys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "alignment"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("alignment ")


class TestReplan:
    def test_plan_replan_writes_the_two_tables_exact_to_the_cent(self, tmp_path: Path) -> None:
        import pandas as pd

        out = tmp_path / "out"
        done = alignment("plan", str(SAMPLE_PARAMS), "--out", str(out), "--replan")
        assert done.returncode == 0, done.stderr
        assert "wrote 6 tables" in done.stdout and "re-plan from 2026-10" in done.stdout
        quotas = pd.read_csv(out / "replan_quotas.csv", dtype=str)
        original = pd.read_csv(out / "final_quotas.csv", dtype=str)
        cents = quotas["final_quota"].str.replace(".", "", regex=False).astype("int64")
        assert cents.sum() == original["final_quota"].str.replace(".", "", regex=False).astype("int64").sum()
        assert (quotas["original_quota"] == original["final_quota"]).all()
        objectives = pd.read_csv(out / "replan_objectives.csv", dtype=str)
        by_row = objectives["objective"].str.replace(".", "", regex=False).astype("int64")
        sums = by_row.groupby([objectives["customer_id"], objectives["product_id"]]).sum()
        assert sums.tolist() == cents.tolist()
        past = objectives["month"] <= "2026-10"
        assert (objectives.loc[past, "change"] == "0.00").all()
