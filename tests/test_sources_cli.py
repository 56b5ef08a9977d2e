"""Sources end to end: the README's examples, `validate PARAMS.yaml`, `sources --out`, and a run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from source_data import (
    make_company,
    read,
    write_accounts_workbook,
    write_orders,
    write_sqlite_plan,
)

from alignment.paths import PARAMS_DIR, PROJECT_DIR

EXAMPLES = PARAMS_DIR / "examples"


def alignment(*args: str, cwd: Path = PROJECT_DIR) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alignment", *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )


def example(tmp_path: Path, name: str) -> tuple[Path, Path, Path]:
    """The example params file copied to tmp/params/examples/, its company in tmp/data/my_company.

    Returns the params file, the data folder (with the exports the example reads) and a folder with
    the same company's contract files, to compare with.
    """
    params = tmp_path / "params" / "examples" / name
    params.parent.mkdir(parents=True)
    shutil.copy(EXAMPLES / name, params)
    folder = make_company(tmp_path / "data" / "my_company", customers=20)
    original = make_company(tmp_path / "original", customers=20)
    if name == "order_lines.yaml":
        write_orders(folder)
    elif name == "spreadsheet.yaml":
        write_accounts_workbook(folder)
    else:
        write_orders(folder, "exports/orders.parquet")
        write_sqlite_plan(folder)
    return params, folder, original


def test_every_example_is_tested() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.yaml")) == [
        "database.yaml",
        "order_lines.yaml",
        "spreadsheet.yaml",
    ]


@pytest.mark.parametrize("name", ["order_lines.yaml", "spreadsheet.yaml", "database.yaml"])
def test_example_validates_and_writes_the_contract_files(tmp_path: Path, name: str) -> None:
    params, folder, original = example(tmp_path, name)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    done = alignment("validate", str(params))
    assert done.returncode == 0, done.stderr
    assert "0 problems" in done.stdout
    out = tmp_path / "mapped"
    done = alignment("sources", str(params), "--out", str(out))
    assert done.returncode == 0, done.stderr
    for stem in ("actuals", "customers", "sales_input"):
        key = {"actuals": ["month", "customer_id", "product_id", "channel"]}.get(stem, None)
        got, want = read(out, stem), read(original, stem)
        if key:
            got = got.sort_values(key, ignore_index=True)
            want = want.sort_values(key, ignore_index=True)
        else:
            got = got.sort_values(got.columns[0], ignore_index=True)
            want = want.sort_values(want.columns[0], ignore_index=True)
        pd.testing.assert_frame_equal(got, want, obj=stem)
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before, "the data folder was written to"


class TestSourcesCommand:
    def test_rewrites_its_own_folder_only(self, tmp_path: Path) -> None:
        params, folder, _ = example(tmp_path, "order_lines.yaml")
        out = tmp_path / "mapped"
        assert alignment("sources", str(params), "--out", str(out)).returncode == 0
        assert alignment("sources", str(params), "--out", str(out)).returncode == 0
        (out / "notes.txt").write_text("mine")
        done = alignment("sources", str(params), "--out", str(out))
        assert done.returncode == 2
        assert done.stderr.strip().splitlines() == [
            f"alignment sources: --out: {out}: notes.txt was not written by alignment sources: expected only its files"
        ]
        (out / "notes.txt").unlink()
        (out / "actuals.csv").write_text("month\n")
        done = alignment("sources", str(params), "--out", str(out))
        assert done.returncode == 2 and "actuals.csv changed since alignment sources wrote it" in done.stderr
        assert (out / "actuals.csv").read_text() == "month\n"

    def test_refuses_a_folder_of_other_files_and_the_data_folder(self, tmp_path: Path) -> None:
        params, folder, _ = example(tmp_path, "order_lines.yaml")
        other = tmp_path / "other"
        other.mkdir()
        (other / "keep.csv").write_text("x\n")
        done = alignment("sources", str(params), "--out", str(other))
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "keep.csv" in done.stderr and (other / "keep.csv").read_text() == "x\n"
        done = alignment("sources", str(params), "--out", str(folder / "mapped"))
        assert done.returncode == 2 and "is in the data folder" in done.stderr
        assert not (folder / "mapped").exists()

    def test_bad_source_exits_2_with_one_line(self, tmp_path: Path) -> None:
        params, folder, _ = example(tmp_path, "order_lines.yaml")
        params.write_text(params.read_text().replace("Order Date", "Order Dat"))
        for command in (["validate", str(params)], ["sources", str(params), "--out", str(tmp_path / "o")]):
            done = alignment(*command)
            assert done.returncode == 2
            assert "Traceback" not in done.stderr
            assert (
                "exports/orders.csv, row 1, column 'Order Dat' (month): expected a column 'Order Dat' in the "
                "source — did you mean 'Order Date'?"
            ) in done.stderr.splitlines()
        assert not (tmp_path / "o").exists()

    def test_unknown_key_with_a_suggestion(self, tmp_path: Path) -> None:
        params, _, _ = example(tmp_path, "order_lines.yaml")
        params.write_text(params.read_text().replace("    where:", "    wher:"))
        done = alignment("validate", str(params))
        assert done.returncode == 2
        assert (
            "order_lines.yaml: sources.actuals.wher: unknown key — did you mean sources.actuals.where?"
            in (done.stderr)
        )


@pytest.mark.parametrize("command", ["validate", "sources"])
def test_no_altair_import(tmp_path: Path, command: str) -> None:
    params, _, _ = example(tmp_path, "order_lines.yaml")
    args = [command, str(params)] + (["--out", str(tmp_path / "o")] if command == "sources" else [])
    code = (
        "import sys\nfrom alignment.cli import main\nstatus = main(sys.argv[1:])\n"
        "assert 'altair' not in sys.modules, 'altair imported'\nsys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.notebook
@pytest.mark.slow
def test_run_says_where_the_inputs_came_from_without_the_password(tmp_path: Path, monkeypatch) -> None:
    params, folder, _ = example(tmp_path, "database.yaml")
    vault = tmp_path / "vault-3141592"  # named only in the environment, never in what the run writes
    vault.mkdir()
    (folder / "warehouse" / "plan.db").rename(vault / "plan.db")
    params.write_text(params.read_text().replace("sqlite:///warehouse/plan.db", "sqlite:///${PLAN_DB}"))
    env_secret = "vault-3141592"
    out = tmp_path / "report"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "alignment",
            "run",
            str(params),
            "--only",
            "00_roles_and_channels",
            "--out",
            str(out),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PLAN_DB": str(vault / "plan.db")},
    )
    assert done.returncode == 0, done.stderr
    run = json.loads((out / "run.json").read_text())
    assert run["sources"]["sales_input"]["kind"] == "query"
    assert run["sources"]["sales_input"]["query"].startswith("SELECT account AS customer_id")
    assert len(run["sources"]["sales_input"]["rows_sha256"]) == 64
    assert run["sources"]["actuals"]["rows"] < run["sources"]["actuals"]["rows_read"]
    for path in out.rglob("*"):
        if path.is_file():
            assert env_secret.encode() not in path.read_bytes(), path
    index = (out / "index.html").read_text()
    assert "Where the inputs came from" in index and "sales_input" in index
    page = (out / "html" / "00_roles_and_channels.html").read_text()
    assert "Where the inputs came from" in page and "exports/orders.parquet" in page
    assert (out / "inputs" / "actuals.csv").is_file()
