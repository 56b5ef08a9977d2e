"""The command line, end to end: exit status, one-line messages, no traceback, nothing drawn needlessly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
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


def many_bad_amounts(folder: Path, n: int) -> Path:
    rows = "".join("2025-01,C001,P01,Direct,12k\n" for _ in range(n))
    return write_company(folder, actuals="month,customer_id,product_id,channel,revenue\n" + rows)


class TestValidateBounded:
    def test_the_first_20_of_each_column_then_the_count(self, tmp_path: Path) -> None:
        done = alignment("validate", str(many_bad_amounts(tmp_path / "d", 5_000)))
        assert done.returncode == 2
        lines = done.stderr.splitlines()
        assert lines[19].startswith("actuals.csv, row 21, column revenue: value '12k'")
        assert lines[20] == "actuals.csv, column revenue: 4,980 more like these"
        assert len(lines) == 21 + 2  # and the two warnings of the tiny company
        assert "5000 problems" in done.stdout

    def test_all_lists_every_one(self, tmp_path: Path) -> None:
        done = alignment("validate", str(many_bad_amounts(tmp_path / "d", 5_000)), "--all")
        assert done.returncode == 2
        assert len(done.stderr.splitlines()) == 5_000 + 2
        assert "more like these" not in done.stderr

    def test_problems_out_writes_them_all_as_a_table(self, tmp_path: Path) -> None:
        out = tmp_path / "problems.csv"
        done = alignment("validate", str(many_bad_amounts(tmp_path / "d", 5_000)), "--problems-out", str(out))
        assert done.returncode == 2
        assert len(done.stderr.splitlines()) == 21 + 2
        table = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert list(table.columns) == ["severity", "file", "row", "column", "value", "expected"]
        assert len(table) == 5_002 and table["row"].iloc[:3].tolist() == ["2", "3", "4"]
        assert f"wrote 5,002 problems and warnings to {out}" in done.stdout
        again = alignment("validate", str(write_company(tmp_path / "clean")), "--problems-out", str(out))
        assert again.returncode == 0
        assert len(pd.read_csv(out, dtype=str)) == 2  # its own table is replaced

    def test_problems_out_refuses_a_file_it_did_not_write(self, tmp_path: Path) -> None:
        out = tmp_path / "mine.csv"
        out.write_bytes(b"customer,notes\nC001,call back\n")
        done = alignment("validate", str(many_bad_amounts(tmp_path / "d", 30)), "--problems-out", str(out))
        assert done.returncode == 2
        assert done.stderr.strip() == (
            f"alignment validate: --problems-out: {out}: a file that validate did not write, which it would "
            "overwrite: expected a new file name, or a problems table that validate --problems-out wrote before"
        )
        assert out.read_bytes() == b"customer,notes\nC001,call back\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "mine.csv"]

    def test_problems_out_with_a_params_file_holds_the_datas_and_the_params_files_findings(
        self, tmp_path: Path
    ) -> None:
        many_bad_amounts(tmp_path / "d", 30)
        write_company(tmp_path / "clean")
        params = tmp_path / "p.yaml"
        params.write_text("data_dir: d\nreport_card: {cycle: 2026-H1}\n")
        out = tmp_path / "problems.csv"
        done = alignment("validate", str(params), "--problems-out", str(out))
        assert done.returncode == 2
        table = pd.read_csv(out, dtype=str, keep_default_na=False)
        bad_amounts = table[(table["file"] == "actuals.csv") & (table["column"] == "revenue")]
        assert len(bad_amounts) == 30 and set(bad_amounts["severity"]) == {"error"}
        assert f"wrote {len(table):,} problems and warnings to {out}" in done.stdout
        # a rule naming a customer group that exists nowhere: the params file's own finding, one row
        params.write_text(
            "data_dir: clean\nreport_card: {cycle: 2026-H1}\n"
            "target: {growth: 0.1, rules: [{customer_group: Enterprize, growth: 0.2}]}\n"
        )
        done = alignment("validate", str(params), "--problems-out", str(out))
        assert done.returncode == 2
        table = pd.read_csv(out, dtype=str, keep_default_na=False)
        rule = table[table["file"] == "p.yaml"]
        assert len(rule) == 1 and rule["severity"].iloc[0] == "error"
        assert "Enterprize" in rule["expected"].iloc[0] and not rule["expected"].iloc[0].startswith("p.yaml")
        mine = tmp_path / "mine.csv"
        mine.write_bytes(b"a,b\n")
        refused = alignment("validate", str(params), "--problems-out", str(mine))
        assert refused.returncode == 2 and "a file that validate did not write" in refused.stderr
        assert mine.read_bytes() == b"a,b\n"

    def test_problems_out_never_writes_into_the_data_folder(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path / "d", wins=None)
        done = alignment("validate", str(folder), "--problems-out", str(folder / "wins.csv"))
        assert done.returncode == 2
        assert "in the data folder" in done.stderr and not (folder / "wins.csv").exists()


class TestEncodingOption:
    def cp1252_company(self, folder: Path) -> Path:
        folder = write_company(folder)
        text = (folder / "customers.csv").read_text(encoding="utf-8").replace("Brightline", "Müller GmbH")
        (folder / "customers.csv").write_bytes(text.encode("cp1252"))
        return folder

    def test_validate_names_the_option_and_reads_with_it(self, tmp_path: Path) -> None:
        folder = self.cp1252_company(tmp_path / "d")
        done = alignment("validate", str(folder))
        assert done.returncode == 2
        assert done.stderr.splitlines()[0].endswith(
            "encoding: {customers: cp1252} in the params file, or alignment validate --encoding customers=cp1252"
        )
        done = alignment("validate", str(folder), "--encoding", "customers=cp1252")
        assert done.returncode == 0, done.stderr

    def test_a_wrong_encoding_option_exits_2(self, tmp_path: Path) -> None:
        folder = write_company(tmp_path / "d")
        done = alignment("validate", str(folder), "--encoding", "customer=cp1252", "--encoding", "actuals")
        assert done.returncode == 2
        assert done.stderr.splitlines() == [
            "alignment validate: --encoding: value 'customer=cp1252': expected the name of an input file without "
            "its extension (customers, products, people, channel_strategy, actuals, sales_input, roles, overrides, "
            "report_card_needs, report_card_ratings, action_items, wins, prior_quotas, review_actions) — did you mean "
            "customers?",
            "alignment validate: --encoding: value 'actuals': expected STEM=ENCODING, such as actuals=cp1252",
        ]

    def test_plan_reads_with_the_params_key(self, tmp_path: Path) -> None:
        self.cp1252_company(tmp_path / "d")
        params = tmp_path / "p.yaml"
        params.write_text("data_dir: d\nencoding: {customers: cp1252}\n")
        done = alignment("plan", str(params), "--out", str(tmp_path / "out"))
        assert done.returncode == 0, done.stderr
        quotas = pd.read_csv(tmp_path / "out" / "final_quotas.csv", dtype=str)
        assert "Müller GmbH" in set(quotas["customer_name"])


def test_an_alias_bomb_exits_2_at_once(tmp_path: Path) -> None:
    lines = ["anchors:", '  a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"  a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    params = tmp_path / "bomb.yaml"
    params.write_text("\n".join([*lines, "fiscal_year: *a8"]) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "alignment", "plan", str(params), "--out", str(tmp_path / "o")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "bomb.yaml: aliases (*name) repeat more than 10,000 values: expected a params file whose aliases repeat at "
        "most 10,000 values in all"
    )


class TestCollectClosingLines:
    """Every collect command closes the same way (alignment.cli._collect_outcome)."""

    def test_problems_then_nothing_written_exit_2(self, capsys) -> None:
        from alignment.cli import _collect_outcome
        from alignment.problems import Problem

        problem = Problem("book.xlsx", 3, "new_quota", "x", "an amount")
        assert _collect_outcome([problem], [], Path("o.csv"), None) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.splitlines() == [problem.line(), "1 problems: nothing written to o.csv"]

    def test_what_was_recorded_exit_0(self, capsys) -> None:
        from alignment.cli import _collect_outcome, _recorded
        from alignment.ledger import Recorded

        done = Recorded(ledger=pd.DataFrame(), added=2, superseded=1, unchanged=3)
        assert (
            _collect_outcome(
                [], [], Path("r.csv"), f"4 actions on the sheet: {_recorded(done, Path('r.csv'))}"
            )
            == 0
        )
        assert capsys.readouterr().out == (
            "4 actions on the sheet: 2 added to r.csv, 1 earlier rows superseded, 3 already recorded\n"
        )
