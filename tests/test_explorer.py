"""The scenario explorer, driven from plain Python: controls in, figures and charts out, scenarios saved."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from alignment.engine.plan import build_plan
from alignment.inputs import load_inputs
from alignment.money import to_cents
from alignment.params import load_params, parse_params
from alignment.paths import SAMPLE_PARAMS
from alignment.presentation.explorer import Explorer, group_growth, save_scenario, scenario_params


@pytest.fixture(scope="module")
def base():
    params = load_params(SAMPLE_PARAMS)
    return params, load_inputs(params.data_dir)


@pytest.fixture
def explorer(base, tmp_path: Path) -> Explorer:
    params, inputs = base
    return Explorer(inputs, params, save_dir=tmp_path)


def cents(x: float) -> int:
    return int(to_cents(x))


class TestControls:
    def test_starts_at_the_base_scenario(self, explorer: Explorer) -> None:
        assert explorer.current_params() == explorer.base
        assert explorer.figures()["final_quota_total"] == explorer.base_plan.final_quota_total
        assert len(explorer.chart_specs) == 3

    def test_padding_raises_every_quota_total_exactly(self, explorer: Explorer) -> None:
        explorer.controls["over_assignment"].value = 0.05
        f = explorer.figures()
        assert cents(f["padded_target"]) == round(cents(f["top_down_target"]) * 1.05)
        assert cents(f["final_quota_total"]) == cents(f["padded_target"])
        assert f["gap"] > explorer.base_plan.gap
        assert "+" in explorer.headline.value  # the change against the base is shown

    def test_a_group_growth_moves_only_that_groups_target(self, explorer: Explorer) -> None:
        before = explorer.plan.cell_targets.groupby("customer_group")["target"].sum()
        explorer.group_controls["Mid-Market"].value = 0.30
        after = explorer.plan.cell_targets.groupby("customer_group")["target"].sum()
        changed = sorted(g for g in before.index if cents(before[g]) != cents(after[g]))
        assert changed == ["Mid-Market"]
        assert after["Mid-Market"] > before["Mid-Market"]

    def test_default_growth_carries_groups_without_a_rule(self, explorer: Explorer) -> None:
        explorer.controls["growth"].value = 0.2
        values = {g: s.value for g, s in explorer.group_controls.items()}
        assert values["Enterprise"] == 0.15  # its own rule in the params file
        assert all(v == 0.2 for g, v in values.items() if g != "Enterprise")
        assert explorer.current_params().target.rules == explorer.base.target.rules

    def test_a_product_line_growth_moves_only_that_lines_cells(self, explorer: Explorer) -> None:
        cells = explorer.plan.cell_targets
        before = cells.set_index(["customer_group", "product_id"])["target"]
        explorer.line_controls["Services"].value = 0.40
        after = explorer.plan.cell_targets.set_index(["customer_group", "product_id"])["target"]
        line = cells.set_index(["customer_group", "product_id"])["product_line"]
        moved = {k for k in before.index if cents(before[k]) != cents(after[k])}
        assert moved and {line[k] for k in moved} == {"Services"}
        # a line set here wins over the group rule of the file (Enterprise 15%) where both match
        growth = explorer.plan.cell_targets.set_index(["customer_group", "product_line"])["growth"]
        assert set(growth.loc[("Enterprise", "Services")].tolist()) == {0.40}
        assert explorer.current_params().target.rules[1].to_dict() == {
            "product_line": "Services",
            "growth": 0.4,
        }

    def test_a_line_with_its_own_rule_edits_it_in_place(self, explorer: Explorer) -> None:
        assert explorer.line_controls["Cloud"].value == 0.25  # the params file's rule
        explorer.line_controls["Cloud"].value = 0.30
        rules = [r.to_dict() for r in explorer.current_params().target.rules]
        assert rules == [
            {"customer_group": "Enterprise", "growth": 0.15},
            {"product_line": "Cloud", "growth": 0.30},
        ]

    def test_default_growth_carries_lines_without_a_rule(self, explorer: Explorer) -> None:
        explorer.controls["growth"].value = 0.2
        values = {line: s.value for line, s in explorer.line_controls.items()}
        assert values == {"Cloud": 0.25, "Services": 0.2, "Software": 0.2}
        assert explorer.current_params().target.rules == explorer.base.target.rules

    def test_allocation_method_changes_the_split_not_the_total(self, explorer: Explorer) -> None:
        before = explorer.plan.final_quotas.set_index(["customer_id", "product_id"])["final_quota"]
        explorer.controls["group_method"].value = "equal"
        explorer.controls["customer_method"].value = "potential"
        after = explorer.plan.final_quotas.set_index(["customer_id", "product_id"])["final_quota"]
        assert cents(after.sum()) == cents(before.sum())
        assert (to_cents(after.to_numpy()) != to_cents(before.to_numpy())).any()

    def test_compare_with_base(self, explorer: Explorer) -> None:
        explorer.controls["over_assignment"].value = 0.10
        explorer.compare.value = True
        table = explorer.comparison()
        assert list(table["customer_group"]) == explorer.groups
        assert cents(table["change"].sum()) == cents(
            explorer.plan.final_quota_total - explorer.base_plan.final_quota_total
        )
        assert (
            explorer.chart_specs[1]["title"]["text"] == "Final quota by customer group: base vs this scenario"
        )

    def test_every_chart_is_titled(self, explorer: Explorer) -> None:
        titles = [spec["title"]["text"] for spec in explorer.chart_specs]
        assert titles == [
            "From bottom-up quota to the target",
            "Allocation of the gap by customer group",
            "Is anyone given the impossible?",
        ]

    def test_html_export_shows_figures_not_an_empty_widget(self, explorer: Explorer) -> None:
        bundle = explorer._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert f"{explorer.base_plan.final_quota_total:,.2f}" in bundle["text/html"]


class TestScenarioParams:
    def test_new_group_rules_come_first_so_other_rules_still_win(self, base) -> None:
        params, inputs = base
        groups = sorted(inputs.customers["customer_group"].unique())
        growths = {**group_growth(params, groups), "Healthcare": 0.5}
        p = scenario_params(
            params,
            growth=0.1,
            group_growths=growths,
            group_method="target_gap",
            customer_method="headroom",
            cap="potential",
            rounding=1000.0,
            over_assignment=0.0,
        )
        assert [r.to_dict() for r in p.target.rules] == [
            {"customer_group": "Healthcare", "growth": 0.5},
            {"customer_group": "Enterprise", "growth": 0.15},
            {"product_line": "Cloud", "growth": 0.25},
        ]

    def test_new_line_rules_come_after_the_group_rules(self, base) -> None:
        params, inputs = base
        groups = sorted(inputs.customers["customer_group"].unique())
        p = scenario_params(
            params,
            growth=0.1,
            group_growths={**group_growth(params, groups), "Healthcare": 0.5},
            line_growths={"Software": 0.3, "Services": 0.1, "Cloud": 0.25},
            group_method="target_gap",
            customer_method="headroom",
            cap="potential",
            rounding=1000.0,
            over_assignment=0.0,
        )
        assert [r.to_dict() for r in p.target.rules] == [
            {"customer_group": "Healthcare", "growth": 0.5},
            {"customer_group": "Enterprise", "growth": 0.15},
            {"product_line": "Software", "growth": 0.3},
            {"product_line": "Cloud", "growth": 0.25},
        ]


class TestSaveScenario:
    def test_saved_file_reproduces_the_scenario(self, explorer: Explorer, base, tmp_path: Path) -> None:
        explorer.controls["over_assignment"].value = 0.05
        explorer.controls["rounding"].value = 100.0
        explorer.group_controls["Healthcare"].value = 0.22
        explorer.line_controls["Software"].value = 0.18
        path = explorer.save("stretch plan")
        assert path == tmp_path / "stretch_plan.yaml"
        again = load_params(path)
        assert again.data_dir == explorer.base.data_dir
        replan = build_plan(base[1], again)
        assert replan.final_quotas.equals(explorer.plan.final_quotas)
        assert replan.headline() == explorer.plan.headline()

    def test_save_button_reports_the_path(self, explorer: Explorer, tmp_path: Path) -> None:
        explorer.save_name.value = "q4"
        explorer.save_button.click()
        assert (tmp_path / "q4.yaml").is_file()
        assert "alignment run" in explorer.save_status.value

    def test_saved_yaml_is_plain_params(self, explorer: Explorer, tmp_path: Path) -> None:
        path = save_scenario(explorer.current_params(), tmp_path / "s.yaml")
        raw = yaml.safe_load(path.read_text())
        assert set(raw) == {
            "data_dir",
            "fiscal_year",
            "fiscal_year_start_month",
            "target",
            "allocation",
            "review",
            "report_card",
            "celebration",
            "quota_quality",
            "replan",
            "explorer",
        }
        assert parse_params(raw, tmp_path) == replace(explorer.current_params(), source=None)


@pytest.mark.slow
def test_alignment_run_on_a_saved_scenario_gives_the_explorers_figures(
    explorer: Explorer, tmp_path: Path
) -> None:
    import json
    import subprocess
    import sys

    import pandas as pd

    explorer.controls["over_assignment"].value = 0.03
    explorer.controls["customer_method"].value = "potential"
    explorer.group_controls["Public Sector"].value = 0.2
    path = explorer.save("meeting")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "alignment",
            "run",
            str(path),
            "--only",
            "01_target_setting,02_quota_rollup,03_gap_allocation",
            "--out",
            str(tmp_path / "report"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    headline = json.loads((tmp_path / "report" / "headline.json").read_text())
    figures = explorer.figures()
    for key in ("top_down_target", "bottom_up_quota", "gap", "final_quota_total", "unallocated"):
        assert cents(headline[key]) == cents(figures[key]), key
    table = pd.read_csv(tmp_path / "report" / "tables" / "final_quotas.csv", dtype={"customer_id": str})
    assert (
        to_cents(table["final_quota"].to_numpy())
        == to_cents(explorer.plan.final_quotas["final_quota"].to_numpy())
    ).all()
