"""Notebook hygiene: committed without outputs, one parameters cell, no logic defined in notebooks."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

from alignment.paths import NOTEBOOKS_DIR, PROJECT_DIR


def _code(text: str) -> str:
    """Code without the layout a formatter may change (spaces, line breaks, a trailing comma)."""
    return "".join(text.split()).replace(",)", ")")


NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
PARAMETERS = """\
# fmt: off
# Parameters: the sample run's values. `alignment run` (or papermill -f params/<file>.yaml) replaces them.
data_dir: str = "../data/sample"  # data folder, relative to the notebooks folder, or absolute
fiscal_year: int = 2026  # named by the calendar year in which it ends
fiscal_year_start_month: int = 1  # 1 is the calendar year; 7 runs July..June
target: dict = {"growth": 0.10, "rules": [{"customer_group": "Enterprise", "growth": 0.15}, {"product_line": "Cloud", "growth": 0.25}], "total": None, "phasing": "seasonal"}  # marketing's top-down target
allocation: dict = {"group_method": "target_gap", "group_shares": {}, "customer_method": "headroom", "cap": "potential", "rounding": 1000, "over_assignment": 0.0}  # how the gap is allocated
review: dict = {"month": "2026-10", "flag_below": 0.90}  # the joint monthly review
report_card: dict = {"cycle": "2026-H1"}  # the report-card half-year analysed
celebration: dict = {"quarter": "2026-Q3"}  # the quarter celebrated
encoding: dict = {}  # text encoding of CSV inputs that are not UTF-8, e.g. {"actuals": "cp1252"}
report_dir = None  # folder the tables go to; None writes no tables
params_file = None  # or "params/yours.yaml": a params file read instead of the values above (relative to the repository root, or absolute)"""
OPEN = (
    "wb = open_workbook(report_dir=report_dir, data_dir=data_dir, fiscal_year=fiscal_year, "
    "fiscal_year_start_month=fiscal_year_start_month, target=target, allocation=allocation, review=review, "
    "report_card=report_card, celebration=celebration, encoding=encoding)"
)
EXPECTED = [
    "00_roles_and_channels",
    "01_target_setting",
    "02_quota_rollup",
    "03_gap_allocation",
    "04_report_card",
    "05_monthly_review",
    "06_quarterly_celebration",
    "07_scenario_explorer",
    "08_quota_quality",
]


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
            dirty = [
                i
                for i, c in enumerate(version["cells"])
                if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count") is not None)
            ]
            assert not dirty, f"cells {dirty} carry outputs: strip them (nbstripout)"

    def test_one_parameters_cell_first_then_the_workbook_opens(self, path: Path) -> None:
        code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        tagged = [i for i, c in enumerate(code) if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert tagged == [0]
        assert "".join(code[0]["source"]) == PARAMETERS, "every notebook takes the same parameters"
        assert _code(OPEN) in _code("".join(code[1]["source"]))

    def test_valid_notebook_for_python3(self, path: Path) -> None:
        import nbformat

        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata["kernelspec"]["name"] == "python3"

    def test_no_logic_defined_in_the_notebook(self, path: Path) -> None:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            tree = ast.parse("".join(cell["source"]))
            defined = [
                type(n).__name__
                for n in ast.walk(tree)
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
            ]
            assert not defined, f"{defined} in a notebook cell: move it into the alignment package"

    def test_tells_a_story(self, path: Path) -> None:
        cells = json.loads(path.read_text())["cells"]
        assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# ")
        assert sum(c["cell_type"] == "markdown" for c in cells) >= 4


def test_ruff_finds_nothing_in_the_package_tests_benchmarks_and_notebooks() -> None:
    import sys

    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "check", "--no-cache", "alignment", "tests", "benchmarks", "notebooks"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_leaves_every_file_as_it_is() -> None:
    import sys

    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "format", "--check", "--no-cache", "alignment", "tests", "benchmarks", "notebooks"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, "run `ruff format`:\n" + done.stdout + done.stderr


def test_the_package_has_no_import_cycle() -> None:
    """The package reads as floors: a module imports only from its own floor or below, never in a circle."""
    import ast

    modules = {}
    for path in (PROJECT_DIR / "alignment").rglob("*.py"):
        name = ".".join(path.relative_to(PROJECT_DIR).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module in modules:
                graph[name].add(node.module)
                graph[name].update(
                    f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules
                )
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in trail:
                cycles.append(trail[trail.index(nxt) :] + [nxt])
            elif nxt not in done:
                visit(nxt, [*trail, nxt])
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
