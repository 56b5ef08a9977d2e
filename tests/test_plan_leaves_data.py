"""``alignment plan`` never writes to the data folder (CONTRACT 3): every file keeps its bytes and its
modification time and none is added, whatever the files' format. (``alignment run`` is checked on the
shared report runs in ``test_runner.py``; ``validate`` in ``test_inputs.py``.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from browser_support import folder_snapshot, snapshot_changes

from alignment.paths import PROJECT_DIR, SAMPLE_DATA_DIR, SAMPLE_PARAMS


def plan(params: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alignment", "plan", str(params), "--out", str(out)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )


def params_for(folder: Path, data: Path) -> Path:
    """The sample's params file with ``data_dir`` pointing at ``data``."""
    text = SAMPLE_PARAMS.read_text(encoding="utf-8").replace("data_dir: ../data/sample", f"data_dir: {data}")
    assert f"data_dir: {data}" in text
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("form", ["csv", "parquet and xlsx"])
def test_plan_leaves_the_data_folder_byte_identical(tmp_path: Path, form: str) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, data)
    if form != "csv":  # the same company in the other formats the inputs may come in
        for stem in ("actuals", "sales_input"):
            pd.read_csv(data / f"{stem}.csv", dtype=str).to_parquet(data / f"{stem}.parquet")
            (data / f"{stem}.csv").unlink()
        pd.read_csv(data / "products.csv", dtype=str).to_excel(data / "products.xlsx", index=False)
        (data / "products.csv").unlink()
    before = folder_snapshot(data)
    done = plan(params_for(tmp_path, data), tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "final_quotas.csv").is_file()
    assert snapshot_changes(before, folder_snapshot(data)) == ()
