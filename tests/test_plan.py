"""The planning engine end to end: Plan, the four tables, ``alignment plan`` and final_quotas.xlsx."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from alignment.cli import main, plan_summary
from alignment.engine.plan import (
    FINAL_QUOTAS_COLUMNS,
    FINAL_QUOTAS_EXTRA,
    MONTHLY_COLUMNS,
    PLAN_MARKER,
    TARGETS_COLUMNS,
    build_plan,
    write_plan_table,
    write_plan_tables,
)
from alignment.engine.rollup import ROLLUP_COLUMNS
from alignment.engine.views import allocation_totals, gap_bridge
from alignment.money import to_cents
from alignment.presentation.quota_book import sheet_names, write_quota_book
from alignment.presentation.tables import figures_table
from tests.planning_companies import HAND, HAND_TARGET, hand_expected, hand_inputs, params
from tests.tiny_company import write_company


def hand_params(**alloc):
    return params(
        target={**HAND_TARGET, "rules": list(HAND_TARGET["rules"])}, allocation={"rounding": 100.0, **alloc}
    )


@pytest.fixture(scope="module")
def plan():
    return build_plan(hand_inputs(), hand_params())


class TestPlan:
    def test_headline_figures(self, plan):
        exp = hand_expected()
        assert plan.headline() == {
            "top_down_target": 6000.0,
            "bottom_up_quota": 4900.0,
            "padded_target": 6000.0,
            "gap": 1100.0,
            "placed": 1100.0,
            "unallocated": 0.0,
            "final_quota_total": 6000.0,
        }
        assert (plan.top_down_target, plan.bottom_up_quota, plan.gap) == (exp["T"], exp["Q"], exp["G"])

    def test_final_quotas_by_hand(self, plan):
        fq = plan.final_quotas.set_index(["customer_id", "product_id"])
        exp = hand_expected()
        assert fq["allocated"].to_dict() == exp["allocated"]
        assert fq["weight"].to_dict() == exp["weight"]
        assert fq["final_quota"].to_dict() == {
            ("C1", "P1"): 1700.0,
            ("C2", "P1"): 1200.0,
            ("C2", "P2"): 100.0,
            ("C3", "P2"): 2100.0,
            ("C4", "P2"): 900.0,
        }
        assert not fq["capped"].any() and not fq["locked"].any()
        assert fq.loc[("C2", "P1"), "fill_level"] == pytest.approx(500 / 1800)
        assert fq.loc[("C2", "P1"), "unrounded"] == 222.22

    def test_columns(self, plan):
        assert list(plan.targets.columns[:5]) == TARGETS_COLUMNS
        assert list(plan.final_quotas.columns[:13]) == FINAL_QUOTAS_COLUMNS
        assert list(plan.monthly_objectives.columns) == MONTHLY_COLUMNS
        assert list(plan.cell_targets.columns[:6]) == [
            "customer_group",
            "product_id",
            "product_line",
            "prior_revenue",
            "growth",
            "target",
        ]
        assert list(plan.line_month_shares.columns) == ["product_line", "month", "share"]

    def test_monthly_objectives_sum_to_each_quota(self, plan):
        mo = plan.monthly_objectives
        sums = (
            mo.assign(c=to_cents(mo["objective"].to_numpy()))
            .groupby(["customer_id", "product_id"])["c"]
            .sum()
        )
        fq = plan.final_quotas.set_index(["customer_id", "product_id"])["final_quota"]
        assert {k: v / 100 for k, v in sums.items()} == fq.to_dict()
        c1 = mo.loc[(mo["customer_id"] == "C1") & (mo["objective"] != 0)]
        assert c1[["month", "objective"]].values.tolist() == [
            ["2026-01", 510.0],
            ["2026-03", 850.0],
            ["2026-07", 340.0],
        ]
        assert len(mo) == 12 * len(plan.final_quotas)

    def test_overrides_and_over_assignment(self):
        inputs = hand_inputs(overrides=[("C3", "P2", 2000.0)])
        plan = build_plan(inputs, hand_params(over_assignment=0.05))
        # T' = 6300; locked C3 P2 +500; G = 6300 - 4900 - 500 = 900
        assert plan.padded_target == 6300.0 and plan.gap == 900.0
        fq = plan.final_quotas.set_index(["customer_id", "product_id"])
        assert fq.loc[("C3", "P2"), "final_quota"] == 2000.0 and fq.loc[("C3", "P2"), "locked"]
        assert to_cents(fq["final_quota"].to_numpy()).sum() == 630000
        assert plan.locked_adjustment == 500.0

    def test_surplus(self):
        plan = build_plan(hand_inputs(), params(target={"growth": -0.5}))
        assert plan.gap < 0 and plan.surplus == -plan.gap and plan.placed == 0.0 and plan.unallocated == 0.0
        assert plan.final_quota_total == plan.bottom_up_quota
        assert any("surplus" in line for line in plan_summary(plan))

    def test_order_of_input_rows_does_not_matter(self, plan):
        shuffled = build_plan(
            hand_inputs(
                customers=HAND["customers"][::-1],
                actuals=HAND["actuals"][::-1],
                sales_input=HAND["sales_input"][::-1],
                channel_strategy=HAND["channel_strategy"][::-1],
            ),
            hand_params(),
        )
        for name in (
            "targets",
            "rollup",
            "final_quotas",
            "monthly_objectives",
            "customer_targets",
            "cell_targets",
        ):
            assert getattr(shuffled, name).equals(getattr(plan, name)), name

    def test_headline_table_and_summary(self, plan):
        table = figures_table(plan.figures(), ["top_down_target", "gap"])
        assert table["value"].tolist() == ["6,000.00", "1,100.00"]
        lines = plan_summary(plan)
        assert lines[0].startswith("top-down target T:") and "6,000.00" in lines[0]

    def test_allocation_totals_sum_by_group_exactly_in_cents(self, plan):
        totals = allocation_totals(plan)
        fq = plan.final_quotas
        for group, part in fq.groupby("customer_group"):
            assert to_cents(totals[group]["final_quota"]) == to_cents(part["final_quota"]).sum()
            assert to_cents(totals[group]["change_from_committed"]) == to_cents(part["allocated"]).sum()
            unlocked = part[~part["locked"]]
            assert to_cents(totals[group]["allocated_from_gap"]) == to_cents(unlocked["allocated"]).sum()
        assert to_cents(totals["Total"]["final_quota"]) == to_cents(plan.final_quota_total)
        assert to_cents(totals["Total"]["allocated_from_gap"]) == to_cents(plan.placed)
        assert set(totals) == {*fq["customer_group"], "Total"}

    def test_gap_bridge(self, plan):
        bridge = gap_bridge(plan)
        assert bridge["step"].tolist() == [
            "Bottom-up quota (Q)",
            "Gap to G1",
            "Gap to G2",
            "Top-down target (T)",
        ]
        assert bridge["amount"].tolist() == [4900.0, 500.0, 600.0, 6000.0]
        assert bridge["end"].tolist() == [4900.0, 5400.0, 6000.0, 6000.0]

    def test_gap_bridge_with_locked_rows_and_unallocated(self):
        inputs = hand_inputs(overrides=[("C1", "P1", 1400.0)])
        plan = build_plan(inputs, params(target={"growth": 2.0}, allocation={"rounding": 100.0}))
        bridge = gap_bridge(plan)
        assert bridge.loc[1, "step"] == "Locked overrides" and bridge.loc[1, "kind"] == "decrease"
        assert bridge.iloc[-2]["kind"] == "unallocated" and bridge.iloc[-2]["amount"] == plan.unallocated
        assert bridge.iloc[-2]["end"] == plan.padded_target


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class TestTables:
    def test_write_plan_tables(self, plan, tmp_path):
        paths = write_plan_tables(plan, tmp_path / "out")
        assert [p.name for p in paths] == [
            "targets.csv",
            "rollup.csv",
            "final_quotas.csv",
            "monthly_objectives.csv",
        ]
        targets = read_csv(tmp_path / "out" / "targets.csv")
        assert list(targets[0])[:5] == TARGETS_COLUMNS
        assert targets[0]["target"] == "540.00"
        assert sum(to_cents(float(r["target"])) for r in targets) == 600000
        fq = read_csv(tmp_path / "out" / "final_quotas.csv")
        assert list(fq[0])[:13] == FINAL_QUOTAS_COLUMNS
        assert fq[0]["capped"] == "false" and fq[0]["locked"] == "false"
        assert fq[0]["final_quota"] == "1700.00" and fq[0]["committed"] == "1500.00"
        rollup = read_csv(tmp_path / "out" / "rollup.csv")
        assert list(rollup[0])[:6] == ROLLUP_COLUMNS and rollup[0]["key"] == "total"
        assert [r["key"] for r in rollup if r["level"] == "account_owner"] == ["S1", "S2", "S3"]
        mo = read_csv(tmp_path / "out" / "monthly_objectives.csv")
        assert list(mo[0]) == MONTHLY_COLUMNS and len(mo) == 60

    def test_write_plan_table_without_a_folder_writes_nothing(self, plan):
        assert write_plan_table(plan, "targets.csv", None) is None
        with pytest.raises(ValueError):
            write_plan_table(plan, "nope.csv", ".")


class TestCommand:
    def params_file(self, tmp_path: Path, extra: str = "") -> Path:
        data = write_company(tmp_path / "data")
        path = tmp_path / "plan.yaml"
        path.write_text(f"data_dir: {data}\nfiscal_year: 2026\n{extra}", encoding="utf-8")
        return path

    def test_plan_writes_the_four_tables(self, tmp_path, capsys, no_altair_import):
        out = tmp_path / "out"
        assert main(["plan", str(self.params_file(tmp_path)), "--out", str(out)]) == 0
        assert sorted(p.name for p in out.iterdir()) == [
            PLAN_MARKER,  # what plan wrote, so that it may write there again
            "final_quotas.csv",
            "monthly_objectives.csv",
            "rollup.csv",
            "targets.csv",
        ]
        printed = capsys.readouterr().out
        assert "top-down target T:" in printed and "wrote 4 tables" in printed
        fq = read_csv(out / "final_quotas.csv")
        locked = [r for r in fq if r["locked"] == "true"]
        assert [(r["customer_id"], r["final_quota"]) for r in locked] == [("C002", "6000.00")]

    def test_total_without_revenue_exits_2_naming_the_key(self, tmp_path, capsys):
        path = self.params_file(tmp_path, "target: {total: 1000}\n")
        actuals = tmp_path / "data" / "actuals.csv"
        actuals.write_text(
            "month,customer_id,product_id,channel,revenue\n2026-01,C001,P01,Direct,10.00\n", encoding="utf-8"
        )
        assert main(["plan", str(path), "--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert any("target.total" in line for line in err)
        assert not (tmp_path / "out").exists()


class TestQuotaBook:
    def test_workbook(self, plan, tmp_path):
        path = write_quota_book(plan, tmp_path / "final_quotas.xlsx")
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["Summary", "All quotas", "Sam (S1)", "Ana (S2)", "_quota_rows"]
        assert book["_quota_rows"].sheet_state == "hidden"
        summary = book["Summary"]
        assert summary["A1"].value.startswith("Final quotas")
        assert summary["B4"].value == 6000.0 and summary["B4"].number_format == "#,##0.00"
        assert summary.freeze_panes == "A2"
        everything = book["All quotas"]
        assert [c.value for c in everything[1]] == FINAL_QUOTAS_COLUMNS + FINAL_QUOTAS_EXTRA
        assert everything.max_row == len(plan.final_quotas) + 1
        sheet = book["Sam (S1)"]
        header = [c.value for c in sheet[1]]
        assert header[: len(FINAL_QUOTAS_COLUMNS)] == FINAL_QUOTAS_COLUMNS
        assert header[-12:] == [f"2026-{m:02d}" for m in range(1, 13)]
        assert sheet.freeze_panes == "C2"
        assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}3"
        col = header.index("final_quota") + 1
        assert [sheet.cell(row=r, column=col).value for r in (2, 3)] == [1700.0, 2100.0]
        assert sheet.cell(row=2, column=col).number_format == "#,##0.00"
        assert sheet.cell(row=2, column=header.index("quota_to_potential") + 1).number_format == "0.0%"
        assert sheet.column_dimensions["B"].width > 5

    def test_no_path_writes_nothing(self, plan):
        assert write_quota_book(plan, None) is None

    def test_sheet_names(self):
        names = sheet_names(
            [
                "A very long account owner name indeed (S0001)",
                "a/b:c*d?[e]",
                "Summary",
                "A very long account owner name indeed (S0002)",
                "X",
                "x",
            ],
            taken={"Summary"},
        )
        assert all(len(n) <= 31 for n in names)
        assert len({n.lower() for n in names}) == len(names)
        assert names[1] == "a-b-c-d--e-"
        assert names[2] == "Summary ~2" and names[5] == "x ~2"
