"""Notebook hygiene: committed without outputs, one parameters cell, no logic defined in notebooks."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

from alignment.paths import NOTEBOOKS_DIR, PROJECT_DIR

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
EXPECTED = ["00_roles_and_channels", "01_target_setting", "02_quota_rollup", "03_gap_allocation",
            "04_report_card", "05_monthly_review", "06_quarterly_celebration", "07_scenario_explorer"]


def _committed(path: Path) -> dict:
    """The notebook as git holds it (the working copy when it is not committed yet)."""
    rel = path.relative_to(PROJECT_DIR).as_posix()
    shown = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=PROJECT_DIR, capture_output=True, text=True)
    return json.loads(shown.stdout if shown.returncode == 0 else path.read_text())


def test_the_workbook_has_its_notebooks() -> None:
    assert [p.stem for p in NOTEBOOKS] == [n for n in EXPECTED if (NOTEBOOKS_DIR / f"{n}.ipynb").exists()]
    assert NOTEBOOKS, "no notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
class TestNotebook:
    def test_no_outputs(self, path: Path) -> None:
        for version in (_committed(path), json.loads(path.read_text())):
            dirty = [i for i, c in enumerate(version["cells"]) if c["cell_type"] == "code"
                     and (c.get("outputs") or c.get("execution_count") is not None)]
            assert not dirty, f"cells {dirty} carry outputs: strip them (nbstripout)"

    def test_one_parameters_cell_first(self, path: Path) -> None:
        code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        tagged = [i for i, c in enumerate(code) if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert tagged == [0]

    def test_no_logic_defined_in_the_notebook(self, path: Path) -> None:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            tree = ast.parse("".join(cell["source"]))
            defined = [type(n).__name__ for n in ast.walk(tree)
                       if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)]
            assert not defined, f"{defined} in a notebook cell: move it into the alignment package"

    def test_tells_a_story(self, path: Path) -> None:
        cells = json.loads(path.read_text())["cells"]
        assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# ")
        assert sum(c["cell_type"] == "markdown" for c in cells) >= 4
