"""Notebooks 01-03 run with papermill on the sample data; their recorded figures match the engine's."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from alignment.engine.plan import build_plan, write_plan_table
from alignment.engine.views import allocation_totals, target_growth
from alignment.manifest import BY_NAME
from alignment.money import to_cents
from alignment.params import load_params
from alignment.paths import NOTEBOOKS_DIR, SAMPLE_DATA_DIR, SAMPLE_PARAMS
from alignment.workbook import open_workbook

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

NOTEBOOKS = {
    "01_target_setting": (["targets.csv"], ["top_down_target", "target_growth"]),
    "02_quota_rollup": (["rollup.csv"], ["bottom_up_quota"]),
    "03_gap_allocation": (
        ["final_quotas.csv", "monthly_objectives.csv", "final_quotas.xlsx"],
        [
            "gap",
            "final_quota_total",
            "unallocated",
            "allocated_from_gap",
            "change_from_committed",
            "overrides_active",
            "overrides_net_effect",
        ],
    ),
}


#: files a notebook writes beside the plan's tables (page 03's section on the locked quotas)
OTHER_FILES = {"03_gap_allocation": ["overrides_in_force.csv"]}


def run_notebook(name: str, tmp: Path, **changes) -> Path:
    import papermill

    tmp.mkdir(parents=True, exist_ok=True)
    report = tmp / "tables"
    parameters = {"data_dir": str(SAMPLE_DATA_DIR), "report_dir": str(report), **changes}
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / f"{name}.ipynb"),
        str(tmp / f"{name}.ipynb"),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
    )
    return report


def expected_plan(**changes):
    params = load_params(SAMPLE_PARAMS).to_dict()
    params.update(changes)
    wb = open_workbook(report_dir=None, **params)
    return build_plan(wb.inputs, wb.params)


def headline(report: Path, name: str) -> dict:
    return json.loads((report / ".headline" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.skipif(not (SAMPLE_DATA_DIR / "customers.csv").is_file(), reason="sample data not generated")
@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_sample_run(name, tmp_path):
    report = run_notebook(name, tmp_path)
    tables, keys = NOTEBOOKS[name]
    entry = BY_NAME[name]
    assert sorted(tables) == sorted(entry.tables) and sorted(keys) == sorted(entry.figures)
    more = OTHER_FILES.get(name, [])
    assert sorted(p.name for p in report.iterdir() if p.is_file()) == sorted(tables + more)
    plan = expected_plan()
    figures = headline(report, name)
    assert sorted(figures) == sorted([*keys, *entry.records])
    if entry.records:
        assert figures["group_totals"] == allocation_totals(plan)
    expected = {**plan.figures(), "target_growth": target_growth(plan)}
    for key in keys:
        if key in expected:  # the overrides' figures are the lock section's, tested with it
            assert to_cents(figures[key]) == to_cents(expected[key]), key
    for table in tables:
        if table.endswith(".csv"):
            written = write_plan_table(plan, table, tmp_path / "expected")
            assert (report / table).read_text(encoding="utf-8") == written.read_text(encoding="utf-8")
    if name == "01_target_setting":
        assert figures["top_down_target"] > 0
    if name == "03_gap_allocation":
        book = openpyxl.load_workbook(report / "final_quotas.xlsx", read_only=True)
        owners = plan.final_quotas["account_owner"].nunique()
        assert book.sheetnames[:2] == ["Summary", "All quotas"] and len(book.sheetnames) == 3 + owners
        assert sorted(p.name for p in (report / "quota_books").iterdir()) == sorted(
            f"{o}.xlsx" for o in plan.final_quotas["account_owner"].unique()
        )
        locks = headline(report, "03_gap_allocation")  # the lock section records with the notebook
        assert locks["overrides_active"] == int(plan.final_quotas["locked"].sum())
        assert to_cents(locks["change_from_committed"]) == to_cents(plan.final_quota_total) - to_cents(
            plan.bottom_up_quota
        )
        assert to_cents(figures["final_quota_total"]) == to_cents(figures["gap"]) + to_cents(
            plan.bottom_up_quota
        ) + to_cents(plan.locked_adjustment) - to_cents(figures["unallocated"])


@pytest.mark.skipif(not (SAMPLE_DATA_DIR / "customers.csv").is_file(), reason="sample data not generated")
def test_gap_allocation_with_other_methods_and_a_surplus(tmp_path):
    allocation = {
        "group_method": "shares",
        "group_shares": {"Enterprise": 0.5, "Small Business": 0.5},
        "customer_method": "potential",
        "cap": "potential",
        "rounding": 500,
        "over_assignment": 0.05,
    }
    report = run_notebook("03_gap_allocation", tmp_path / "shares", allocation=allocation)
    plan = expected_plan(allocation=allocation)
    figures = headline(report, "03_gap_allocation")
    assert to_cents(figures["unallocated"]) == to_cents(plan.unallocated)
    assert to_cents(figures["final_quota_total"]) == to_cents(plan.final_quota_total)

    target = {"growth": -0.2, "rules": [], "total": None, "phasing": "even"}
    report = run_notebook("03_gap_allocation", tmp_path / "surplus", target=target)
    figures = headline(report, "03_gap_allocation")
    assert figures["gap"] < 0 and figures["unallocated"] == 0.0
    assert to_cents(figures["gap"]) == to_cents(expected_plan(target=target).gap)
