"""The scenario grid: ``explorer.grid`` checked, every scenario planned as ``alignment plan`` plans it, and
the exported explorer's one dataset."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml
from tiny_company import write_company

from alignment.engine.grid import GRID_FIGURES, grid_methods, plan_grid, scenario_params
from alignment.engine.plan import build_plan
from alignment.engine.views import allocation_by_group, allocation_totals, gap_bridge
from alignment.inputs import load_inputs
from alignment.money import to_cents
from alignment.params import MAX_GRID_SCENARIOS, ScenarioGrid, load_params, parse_params
from alignment.paths import PROJECT_DIR, SAMPLE_PARAMS
from alignment.presentation.charts.explorer import (
    GROWTH_PARAM,
    METHOD_PARAM,
    PADDING_PARAM,
    grid_chart,
    grid_data,
)
from alignment.presentation.explorer import grid_note, plan_scenarios
from alignment.problems import ParamsError

KEYS = ["growth", "over_assignment", "group_method"]


def cents(values) -> list[int]:
    return [int(c) for c in to_cents(pd.Series(values, dtype="float64").to_numpy())]


@pytest.fixture(scope="module")
def sample():
    params = load_params(SAMPLE_PARAMS)
    return params, load_inputs(params.data_dir)


@pytest.fixture(scope="module")
def grid(sample):
    params, inputs = sample
    return plan_grid(inputs, params)


def parse(grid: object, tmp_path: Path, **allocation: object):
    raw = {"explorer": {"grid": grid}}
    if allocation:
        raw["allocation"] = allocation
    return parse_params(raw, tmp_path, source="p.yaml")


class TestGridParams:
    def test_the_default_grid_spans_growth_padding_and_every_method(self, sample) -> None:
        params, _ = sample
        grid = params.explorer.grid
        assert grid.growths == tuple(round(-0.05 + 0.025 * k, 10) for k in range(13))
        assert grid.growths[0] == -0.05 and grid.growths[-1] == 0.25
        assert grid.over_assignments == (0.0, 0.05, 0.10)
        assert grid_methods(grid, params) == ("target_gap", "headroom", "potential", "prior_revenue", "equal")

    def test_shares_joins_the_methods_when_the_file_gives_shares(self, tmp_path: Path) -> None:
        p = parse(None, tmp_path, group_method="shares", group_shares={"A": 0.4, "B": 0.6})
        assert grid_methods(p.explorer.grid, p)[-1] == "shares"

    def test_a_grid_of_its_own(self, tmp_path: Path) -> None:
        p = parse(
            {
                "growth": {"min": 0.0, "max": 0.3, "step": 0.1},
                "over_assignment": [0.1, 0],
                "group_method": ["equal"],
            },
            tmp_path,
        )
        grid = p.explorer.grid
        assert grid.growths == (0.0, 0.1, 0.2, 0.3)
        assert grid.over_assignments == (0.0, 0.1)
        assert grid_methods(grid, p) == ("equal",)

    def test_false_plans_no_scenarios(self, tmp_path: Path, sample) -> None:
        p = parse(False, tmp_path)
        assert p.explorer.grid is None
        _, inputs = sample
        assert plan_scenarios(inputs, replace(p, data_dir=sample[0].data_dir)) is None
        assert "explorer.grid: false" in grid_note(None, p)

    def test_the_grid_survives_a_round_trip_through_yaml(self, tmp_path: Path) -> None:
        p = parse(
            {"growth": {"min": -0.1, "max": 0.1, "step": 0.05}, "group_method": ["headroom", "equal"]},
            tmp_path,
        )
        again = parse_params(yaml.safe_load(p.to_yaml()), tmp_path, source="p.yaml")
        assert again.explorer == p.explorer
        off = parse(False, tmp_path)
        assert parse_params(yaml.safe_load(off.to_yaml()), tmp_path).explorer.grid is None

    @pytest.mark.parametrize(
        ("grid", "message"),
        [
            (
                {"growth": {"min": 0.0, "max": 0.25, "step": 0.1}},
                "p.yaml: explorer.grid.growth.step: value 0.1: expected a step that divides max - min (0.25 - 0.0)",
            ),
            (
                {"growth": {"min": 0.2, "max": 0.1}},
                "p.yaml: explorer.grid.growth.max: value 0.1: expected a growth at least growth.min (0.2)",
            ),
            (
                {"growth": {"min": -1.5}},
                "p.yaml: explorer.grid.growth.min: value -1.5: expected a growth rate above -1 (0.10 means +10%)",
            ),
            (
                {"over_assignment": [0, 2]},
                "p.yaml: explorer.grid.over_assignment[2]: value 2: expected a padding from 0 to 1",
            ),
            (
                {"over_assignment": []},
                "p.yaml: explorer.grid.over_assignment: value []: expected a list of paddings such as [0, 0.05, 0.10]",
            ),
            (
                {"group_method": ["headroom", "shares"]},
                "p.yaml: explorer.grid.group_method[2]: value 'shares': expected a method other than shares "
                "(shares needs allocation.group_shares)",
            ),
            (
                {"group_method": ["hedroom"]},
                "p.yaml: explorer.grid.group_method[1]: value 'hedroom': expected one of target_gap, headroom, "
                "potential, prior_revenue, equal, shares",
            ),
            (
                {"grwoth": {"min": 0}},
                "p.yaml: explorer.grid.grwoth: unknown key — did you mean explorer.grid.growth?",
            ),
        ],
    )
    def test_a_bad_grid_is_refused_naming_the_key(self, tmp_path: Path, grid: dict, message: str) -> None:
        with pytest.raises(ParamsError) as err:
            parse(grid, tmp_path)
        assert message in err.value.messages

    def test_a_grid_too_large_to_plan_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ParamsError) as err:
            parse({"growth": {"min": -0.5, "max": 0.5, "step": 0.001}}, tmp_path)
        assert any(
            m.startswith("p.yaml: explorer.grid: ")
            and f"expected at most {MAX_GRID_SCENARIOS:,} scenarios" in m
            and "this grid has 15,015" in m
            for m in err.value.messages
        ), err.value.messages

    def test_a_notebook_takes_the_section_papermill_injects(self, sample) -> None:
        from alignment.params import with_sections

        params, _ = sample
        changed = with_sections(params, {"explorer": {"grid": {"over_assignment": [0.2]}}})
        assert changed.explorer.grid.over_assignments == (0.2,)
        assert with_sections(params, {}).explorer == params.explorer


class TestPlannedGrid:
    def test_one_row_per_scenario_in_grid_order(self, grid) -> None:
        assert grid.scenarios == 13 * 3 * 5 == len(grid.figures)
        first = grid.figures.iloc[0]
        assert (first["growth"], first["over_assignment"], first["group_method"]) == (
            -0.05,
            0.0,
            "target_gap",
        )
        assert grid.figures[KEYS].drop_duplicates().shape[0] == grid.scenarios

    @pytest.mark.parametrize(
        ("growth", "over", "method"),
        [
            (-0.05, 0.0, "target_gap"),
            (0.10, 0.0, "target_gap"),  # the params file's own scenario
            (0.025, 0.05, "headroom"),
            (0.175, 0.10, "potential"),
            (0.25, 0.10, "prior_revenue"),
            (0.0, 0.05, "equal"),
        ],
    )
    def test_a_scenario_is_the_engines_plan_to_the_cent(self, sample, grid, growth, over, method) -> None:
        params, inputs = sample
        plan = build_plan(inputs, scenario_params(params, growth, over, method))
        at = (grid.figures["growth"] == growth) & (grid.figures["over_assignment"] == over)
        row = grid.figures.loc[at & (grid.figures["group_method"] == method)]
        assert len(row) == 1
        figures = plan.figures()
        assert cents([row[k].iat[0] for k in GRID_FIGURES]) == cents([figures[k] for k in GRID_FIGURES])

        def of(table: pd.DataFrame) -> pd.DataFrame:
            sel = (
                (table["growth"] == growth)
                & (table["over_assignment"] == over)
                & (table["group_method"] == method)
            )
            return table.loc[sel].drop(columns=KEYS).reset_index(drop=True)

        bridge = of(grid.bridge)
        expected = gap_bridge(plan)
        assert list(bridge["step"]) == list(expected["step"])
        for col in ("amount", "start", "end"):
            assert cents(bridge[col]) == cents(expected[col])
        groups = of(grid.groups).set_index("customer_group")
        totals = allocation_totals(plan)
        by_weight = allocation_by_group(plan.group_allocation).set_index("customer_group")
        for g, row_g in groups.iterrows():
            for col in ("allocated_from_gap", "change_from_committed", "final_quota"):
                assert cents([row_g[col]]) == cents([totals[g][col]]), (g, col)
            assert cents([row_g["first_share"]]) == cents([by_weight.loc[g, "first_share"]])
        owners = of(grid.owners).set_index("account_owner")
        fq = plan.final_quotas.assign(fq=to_cents(plan.final_quotas["final_quota"].to_numpy()))
        by_owner = fq.groupby("account_owner")["fq"].sum()
        for owner, row_o in owners.iterrows():
            assert cents([row_o["final_quota"]]) == [int(by_owner.get(owner, 0))], owner

    def test_the_base_figures_are_the_params_files_plan(self, sample, grid) -> None:
        params, inputs = sample
        figures = build_plan(inputs, params).figures()
        assert cents([grid.base[k] for k in GRID_FIGURES]) == cents([figures[k] for k in GRID_FIGURES])


class TestAgainstAlignmentPlan:
    """``alignment plan`` on a params file with a grid point's three values gives the grid's figures."""

    def test_a_surplus_and_a_gap_on_the_tiny_company(self, tmp_path: Path) -> None:
        data = write_company(tmp_path / "data")
        params_path = tmp_path / "tiny.yaml"
        params_path.write_text(
            "data_dir: data\nexplorer:\n  grid:\n    growth: {min: 0, max: 20, step: 10}\n"
            "    over_assignment: [0, 0.1]\n",
            encoding="utf-8",
        )
        params = load_params(params_path)
        grid = plan_grid(load_inputs(data), params)
        assert (grid.figures["gap"] < 0).any() and (grid.figures["gap"] > 0).any()
        assert "Surplus over target" in set(grid.bridge["step"])
        # the tiny company's prior year is 1,500.50 against 18,000 committed: a surplus until growth is large
        for growth, over, method in [(0.0, 0.0, "equal"), (20.0, 0.1, "headroom")]:
            _check_with_alignment_plan(grid, params, growth, over, method, tmp_path)

    @pytest.mark.slow
    def test_sample_points_of_the_sample_grid(self, sample, grid, tmp_path: Path) -> None:
        params, _ = sample
        for growth, over, method in [(0.225, 0.05, "equal"), (-0.025, 0.1, "target_gap")]:
            _check_with_alignment_plan(grid, params, growth, over, method, tmp_path)


def _check_with_alignment_plan(grid, params, growth, over, method, tmp_path: Path) -> None:
    """Write the grid point's params file, run ``alignment plan`` and compare its tables with the grid."""
    name = f"g{growth}-o{over}-{method}"
    path = tmp_path / f"{name}.yaml"
    values = scenario_params(params, growth, over, method).to_dict()
    path.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    out = tmp_path / f"out-{name}"
    done = subprocess.run(
        [sys.executable, "-m", "alignment", "plan", str(path), "--out", str(out)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    fq = pd.read_csv(out / "final_quotas.csv", dtype={"customer_id": "str", "product_id": "str"})
    targets = pd.read_csv(out / "targets.csv")
    sel = (
        (grid.figures["growth"] == growth)
        & (grid.figures["over_assignment"] == over)
        & (grid.figures["group_method"] == method)
    )
    row = grid.figures.loc[sel].iloc[0]
    fq_cents = to_cents(fq["final_quota"].to_numpy())
    assert int(to_cents(targets["target"].to_numpy()).sum()) == cents([row["top_down_target"]])[0]
    assert int(fq_cents.sum()) == cents([row["final_quota_total"]])[0]
    assert int(to_cents(fq["committed"].to_numpy()).sum()) == cents([row["bottom_up_quota"]])[0]
    owners = grid.owners.loc[
        (grid.owners["growth"] == growth)
        & (grid.owners["over_assignment"] == over)
        & (grid.owners["group_method"] == method)
    ].set_index("account_owner")
    by_owner = pd.Series(fq_cents).groupby(fq["account_owner"].to_numpy()).sum()
    for owner, final in owners["final_quota"].items():
        assert cents([final]) == [int(by_owner.get(owner, 0))], (name, owner)
    groups = grid.groups.loc[
        (grid.groups["growth"] == growth)
        & (grid.groups["over_assignment"] == over)
        & (grid.groups["group_method"] == method)
    ].set_index("customer_group")
    by_group = pd.Series(fq_cents).groupby(fq["customer_group"].to_numpy()).sum()
    for group, final in groups["final_quota"].items():
        assert cents([final]) == [int(by_group.get(group, 0))], (name, group)


class TestExportedData:
    def test_one_dataset_holds_every_scenario_once(self, sample, grid) -> None:
        params, _ = sample
        spec = grid_chart(grid, params).to_dict()
        assert len(spec["datasets"]) == 1
        (rows,) = spec["datasets"].values()
        assert all(v is not None for r in rows for v in r.values())  # empty fields left out
        parts = pd.Series([r["part"] for r in rows]).value_counts()
        assert parts["figure"] == grid.scenarios * 8  # locked overrides shown: the sample has some
        assert parts["owner"] == len(grid.owners) and parts["group"] == len(grid.groups)
        assert parts["bridge"] == len(grid.bridge)
        assert all("data" not in view for view in spec["vconcat"])  # every view reads the one dataset

    def test_the_controls_are_bound_to_the_grids_values(self, sample, grid) -> None:
        params, _ = sample
        spec = grid_chart(grid, params).to_dict()
        bound = {p["name"]: p for p in spec["params"]}
        slider = bound[GROWTH_PARAM]["bind"]
        assert (slider["input"], slider["min"], slider["max"], slider["step"]) == ("range", -5.0, 25.0, 2.5)
        assert bound[GROWTH_PARAM]["value"] == 10.0  # the params file's growth
        assert bound[PADDING_PARAM]["bind"]["options"] == [0.0, 5.0, 10.0]
        assert bound[PADDING_PARAM]["bind"]["labels"] == ["0%", "5%", "10%"]
        assert bound[METHOD_PARAM]["bind"]["options"] == list(grid.group_methods)
        assert bound[METHOD_PARAM]["value"] == "target_gap"
        assert "195 scenarios" in spec["title"]["subtitle"]

    def test_the_data_carries_the_grids_figures_and_the_change_from_the_file(self, grid) -> None:
        data = grid_data(grid)
        figs = data.loc[data["part"] == "figure"]
        gap = figs.loc[(figs["label"].str.startswith("Gap to allocate")) & (figs["growth"] == 20.0)]
        gap = gap.loc[(gap["padding"] == 5.0) & (gap["method"] == "headroom")]
        row = grid.figures.loc[
            (grid.figures["growth"] == 0.2)
            & (grid.figures["over_assignment"] == 0.05)
            & (grid.figures["group_method"] == "headroom")
        ]
        assert cents(gap["amount"]) == cents(row["gap"])
        assert cents(gap["change"]) == [cents(row["gap"])[0] - cents([grid.base["gap"]])[0]]

    def test_the_note_names_what_the_grid_spans(self, sample, grid) -> None:
        params, _ = sample
        note = grid_note(grid, params)
        assert "**195 scenarios**" in note
        assert "(`target.growth`): -5% to 25% in steps of 2.5 points (13 values)" in note
        assert "(`allocation.over_assignment`): 0%, 5%, 10%" in note
        assert "target gap, headroom, potential, prior revenue, equal" in note
        assert "customer_group Enterprise: +15%; product_line Cloud: +25%" in note


def page_spec(html: str) -> dict:
    """The exported explorer's spec, read back from the page (the chart whose params drive it)."""
    for payload in re.findall(r'<script[^>]*class="alignment-chart-spec"[^>]*>(.*?)</script>', html, re.S):
        spec = json.loads(payload)["spec"]
        if any(p.get("name") == GROWTH_PARAM for p in spec.get("params", [])):
            return spec
    raise AssertionError("no exported explorer on the page")


@pytest.mark.notebook
@pytest.mark.slow
def test_the_default_grids_page_is_small_and_holds_the_grid_once(tmp_path_factory, grid) -> None:
    from browser_support import sample_ready, sample_report, shared_base

    if reason := sample_ready():
        pytest.skip(reason)
    run = sample_report(shared_base(tmp_path_factory))
    page = run.out / "html" / "07_scenario_explorer.html"
    size = page.stat().st_size
    assert size < 5_000_000, f"{page.name}: {size:,} bytes"
    html = page.read_text(encoding="utf-8")
    spec = page_spec(html)
    (rows,) = spec["datasets"].values()
    # the page's figures are the grid's: spot-check every scenario's final quota total
    shown = {
        (r["growth"], r["padding"], r["method"]): r["amount"]
        for r in rows
        if r["part"] == "figure" and r["label"].startswith("Final quotas")
    }
    assert len(shown) == grid.scenarios
    for r in grid.figures.itertuples():
        key = (round(r.growth * 100, 6), round(r.over_assignment * 100, 6), r.group_method)
        assert cents([shown[key]]) == cents([r.final_quota_total])
    assert "195 scenarios" in html and "Scenarios on this page" in html


def test_scenario_grid_dataclass_defaults_match_the_documented_defaults() -> None:
    assert ScenarioGrid().to_dict() == {
        "growth": {"min": -0.05, "max": 0.25, "step": 0.025},
        "over_assignment": [0.0, 0.05, 0.10],
        "group_method": None,
    }
