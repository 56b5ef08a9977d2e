"""The workbook's vocabulary and manifest: one name one figure, every shown column labelled, records owned."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from alignment.engine.plan import build_plan
from alignment.engine.views import (
    allocation_by_group,
    capped_rows,
    channel_split,
    committed_above_potential,
    gap_bridge,
    monthly_phasing,
    quota_to_potential_by_owner,
    rollup_level,
    target_by_group_line,
    top_takers,
)
from alignment.loading import load_checked
from alignment.manifest import MANIFEST, RECORDS, owner_of
from alignment.paths import PROJECT_DIR, SAMPLE_PARAMS
from alignment.practices import celebration as cb
from alignment.practices import review as rv
from alignment.practices import roles
from alignment.presentation.tables import figures_table, format_figure, format_value, show
from alignment.report.notebooks import find_notebooks
from alignment.vocabulary import COLUMNS, FIGURES, HEADLINE_KEYS, column, figure
from alignment.workbook import Workbook

CONTRACT = PROJECT_DIR.parent / "shared" / "CONTRACT.md"


@pytest.fixture(scope="module")
def sample():
    params, inputs, _ = load_checked(SAMPLE_PARAMS)
    return params, inputs, build_plan(inputs, params)


class TestOneNameOneFigure:
    def test_every_figure_label_and_column_label_is_used_once(self) -> None:
        labels = Counter(f.label for f in FIGURES)
        assert [k for k, n in labels.items() if n > 1] == []
        columns = Counter(c.label for c in COLUMNS.values())
        assert [k for k, n in columns.items() if n > 1] == []

    def test_headline_keys_are_the_contracts_then_the_newer_ones(self) -> None:
        assert HEADLINE_KEYS[:11] == (
            "top_down_target",
            "bottom_up_quota",
            "gap",
            "final_quota_total",
            "unallocated",
            "report_card_score",
            "ytd_objective",
            "ytd_actual",
            "ytd_attainment",
            "forecast",
            "off_strategy_ytd",
        )
        assert HEADLINE_KEYS[11:] == (
            "target_growth",
            "forecast_gap",
            "allocated_from_gap",
            "change_from_committed",
            "overrides_active",
            "overrides_net_effect",
            "required_run_rate",
            "share_at_quota_last_year",
            "share_at_quota_replayed",
            "report_card_raters",
            "review_actions_open",
            "review_actions_overdue",
            "flagged_without_action",
        )
        if CONTRACT.is_file():  # the contract's own table, where the product's owners keep it beside the code
            table = CONTRACT.read_text(encoding="utf-8").split("`headline.json`")[-1]
            named = set(re.findall(r"`([a-z_]+)`", table.split("Inputs are never written to")[0]))
            assert set(HEADLINE_KEYS[:11]) <= named

    def test_unknown_figure_is_refused_naming_the_known_ones(self) -> None:
        with pytest.raises(KeyError, match="expected one of top_down_target"):
            figure("gross_margin")


class TestManifest:
    def test_names_every_notebook_of_the_workbook(self) -> None:
        assert [e.name for e in MANIFEST] == [p.stem for p in find_notebooks()]

    def test_every_headline_key_has_one_owner_among_the_notebooks(self) -> None:
        owners = {k: [e.name for e in MANIFEST if k in e.figures] for k in HEADLINE_KEYS}
        assert all(len(v) == 1 for v in owners.values()), owners
        assert {e.name for e in MANIFEST} >= set(RECORDS.values())

    def test_owner_of_keys(self) -> None:
        assert owner_of(["gap", "unallocated", "group_totals"]).name == "03_gap_allocation"
        with pytest.raises(KeyError, match="no notebook records it"):
            owner_of(["gross_margin"])
        with pytest.raises(KeyError, match="keys of different notebooks"):
            owner_of(["gap", "forecast"])

    def test_record_writes_the_owners_part_and_nothing_without_a_report(self, sample, tmp_path: Path) -> None:
        params, inputs, plan = sample
        wb = Workbook(params=params, inputs=inputs, report_dir=tmp_path)
        path = wb.record(top_down_target=plan.top_down_target)
        assert path == tmp_path / ".headline" / "01_target_setting.json"
        assert Workbook(params=params, inputs=inputs, report_dir=None).record(forecast=1.0) is None


class TestShownTablesAreLabelled:
    def test_every_column_of_every_view_on_the_sample_is_in_the_vocabulary(self, sample) -> None:
        params, inputs, plan = sample
        review = rv.monthly_review(plan.monthly_objectives, inputs, params)
        ytd = rv.period_months(params)["ytd"]
        views = {
            "target_by_group_line": target_by_group_line(plan.cell_targets),
            "channel_split": channel_split(plan.targets),
            "rollup": rollup_level(plan.rollup, "account_owner"),
            "committed_above_potential": committed_above_potential(plan.final_quotas),
            "bridge": gap_bridge(plan),
            "groups": allocation_by_group(plan.group_allocation),
            "owners": quota_to_potential_by_owner(
                plan.final_quotas, rollup_level(plan.rollup, "account_owner")
            ),
            "top_takers": top_takers(plan.final_quotas),
            "capped": capped_rows(plan.final_quotas),
            "agenda": rv.review_agenda(review, inputs),
            "side_by_side": rv.side_by_side(review, "account_owner", inputs),
            "mix": roles.channel_mix(inputs, params.prior_months),
            "off_strategy": roles.off_strategy_summary(inputs, ytd, "account_owner"),
            "escalations": roles.escalations(inputs.roles),
            "wins": cb.celebration_table(cb.quarter_wins(inputs, params.celebration.quarter)),
            "phasing": monthly_phasing(plan.targets, plan.line_month_shares),
        }
        missing = {name: [c for c in df.columns if c not in COLUMNS] for name, df in views.items()}
        assert {k: v for k, v in missing.items() if v} == {}


class TestShow:
    def test_labels_formats_and_escapes(self) -> None:
        df = pd.DataFrame(
            {
                "customer_name": ["<script>x</script>"],
                "final_quota": [1234567.5],
                "attainment": [0.9234],
                "capped": [True],
                "trend": [-0.25],
            }
        )
        html = show(df).to_html()
        for text in (
            "Customer name",
            "Final quota",
            "1,234,567.50",
            "92.3%",
            "✓",
            "▼ −0.25",
            "&lt;script&gt;",
        ):
            assert text in html, text
        assert "<script>x" not in html
        assert "final_quota" not in html  # the contract's name stays in the CSV, the reader sees the label

    def test_flagged_rows_are_shaded_and_the_input_is_not_modified(self) -> None:
        df = pd.DataFrame({"key": ["a", "b"], "flagged": [False, True]}, index=[7, 3])
        html = show(df, highlight="flagged").to_html()
        shaded = next(rule for rule in html.split("}") if "#fde0dd" in rule)
        assert "row1_col0" in shaded and "row1_col1" in shaded and "row0" not in shaded
        assert list(df.index) == [7, 3]

    def test_values_and_figures(self) -> None:
        assert format_value(None, "money") == "—"
        assert format_value(1_000, "count") == "1,000"
        assert format_value(0.5, "delta") == "+0.50"
        assert format_figure("ytd_attainment", 0.981) == "98.1%"
        assert format_figure("report_card_score", {"marketing": 3.2}) == "marketing 3.20 / 4"
        table = figures_table({"gap": 10.0, "top_down_target": 100.0})
        assert table["figure"].tolist() == ["Top-down target (T)", "Gap to allocate (G; negative = surplus)"]
        assert table["value"].tolist() == ["100.00", "10.00"]

    def test_an_unregistered_column_is_labelled_from_its_words(self) -> None:
        assert column("cloud_security").label == "Cloud security"
