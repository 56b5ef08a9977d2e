"""The parameters file: defaults, unknown keys with suggestions, types and ranges."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml
from tiny_company import FILES, write_company

from alignment.params import GrowthRule, Params, check_against_inputs, load_params, parse_params
from alignment.paths import SAMPLE_PARAMS
from alignment.problems import ParamsError


def messages(raw: object, tmp_path: Path) -> list[str]:
    with pytest.raises(ParamsError) as info:
        parse_params(raw, tmp_path, source="p.yaml")
    return info.value.messages


class TestDefaults:
    def test_empty_file_takes_every_default(self, tmp_path: Path) -> None:
        p = parse_params({}, tmp_path)
        assert p.fiscal_year == 2026 and p.fiscal_year_start_month == 1
        assert p.target.growth == 0.10 and p.target.rules == () and p.target.phasing == "seasonal"
        assert p.allocation.group_method == "target_gap" and p.allocation.rounding == 1000.0
        assert p.review.month == "2026-10" and p.report_card.cycle == "2026-H1"
        assert p.data_dir == (tmp_path / "../data/sample").resolve()

    def test_sample_params(self) -> None:
        p = load_params(SAMPLE_PARAMS)
        assert p.data_dir == (SAMPLE_PARAMS.parent / "../data/sample").resolve()
        assert p.target.rules == (
            GrowthRule(growth=0.15, customer_group="Enterprise"),
            GrowthRule(growth=0.25, product_line="Cloud"),
        )
        assert p.source == SAMPLE_PARAMS.resolve()

    def test_round_trip_through_yaml(self, tmp_path: Path) -> None:
        p = load_params(SAMPLE_PARAMS)
        again = parse_params(yaml.safe_load(p.to_yaml()), tmp_path)
        assert again == Params(**{**p.__dict__, "source": None})

    def test_absolute_data_dir(self, tmp_path: Path) -> None:
        assert parse_params({"data_dir": str(tmp_path)}, Path("/elsewhere")).data_dir == tmp_path.resolve()

    def test_july_fiscal_year_months(self, tmp_path: Path) -> None:
        p = parse_params(
            {
                "fiscal_year_start_month": 7,
                "review": {"month": "2025-09"},
                "celebration": {"quarter": "2026-Q1"},
            },
            tmp_path,
        )
        assert p.months[0] == "2025-07" and p.prior_months[0] == "2024-07"


class TestRejected:
    def test_unknown_top_level_key_with_suggestion(self, tmp_path: Path) -> None:
        assert messages({"allocaton": {}}, tmp_path) == [
            "p.yaml: allocaton: unknown key — did you mean allocation?"
        ]

    def test_unknown_nested_key_with_suggestion(self, tmp_path: Path) -> None:
        assert messages({"allocation": {"roundng": 100}}, tmp_path) == [
            "p.yaml: allocation.roundng: unknown key — did you mean allocation.rounding?"
        ]

    def test_unknown_key_without_a_close_match(self, tmp_path: Path) -> None:
        assert messages({"review": {"zzz": 1}}, tmp_path) == [
            "p.yaml: review.zzz: unknown key (known keys: month, flag_below)"
        ]

    @pytest.mark.parametrize(
        ("raw", "line"),
        [
            ({"fiscal_year": "2026"}, "p.yaml: fiscal_year: value '2026': expected a year such as 2026"),
            (
                {"fiscal_year_start_month": 13},
                "p.yaml: fiscal_year_start_month: value 13: expected a whole month number from 1 to 12",
            ),
            (
                {"target": {"growth": "ten"}},
                "p.yaml: target.growth: value 'ten': expected a growth rate above -1 (0.10 means +10%)",
            ),
            (
                {"target": {"growth": True}},
                "p.yaml: target.growth: value True: expected a growth rate above -1 (0.10 means +10%)",
            ),
            (
                {"target": {"phasing": "flat"}},
                "p.yaml: target.phasing: value 'flat': expected one of seasonal, even",
            ),
            ({"target": {"total": 0}}, "p.yaml: target.total: value 0: expected null or an amount > 0"),
            (
                {"target": {"rules": [{"growth": 0.2}]}},
                "p.yaml: target.rules[1]: value {'growth': 0.2}: expected at least one of customer_group, product_line, "
                "product_id to match on",
            ),
            (
                {"allocation": {"group_method": "random"}},
                "p.yaml: allocation.group_method: value 'random': expected one of target_gap, headroom, potential, "
                "prior_revenue, equal, shares",
            ),
            (
                {"allocation": {"rounding": -5}},
                "p.yaml: allocation.rounding: value -5: expected an amount > 0 in whole cents (1000 rounds to thousands)",
            ),
            (
                {"allocation": {"rounding": 0.001}},
                "p.yaml: allocation.rounding: value 0.001: expected an amount in whole cents",
            ),
            (
                {"allocation": {"over_assignment": 2}},
                "p.yaml: allocation.over_assignment: value 2: expected a padding from 0 to 1 (0.05 means +5%)",
            ),
            (
                {"allocation": {"group_method": "shares", "group_shares": {"A": 0.5, "B": 0.4}}},
                "p.yaml: allocation.group_shares: value {'A': 0.5, 'B': 0.4}: expected shares that sum to 1 (within 1e-6)",
            ),
            (
                {"review": {"month": "2027-01"}},
                "p.yaml: review.month: value '2027-01': expected a month of fiscal year 2026 (2026-01 .. 2026-12)",
            ),
            ({"review": {"month": "Oct"}}, "p.yaml: review.month: value 'Oct': expected a month YYYY-MM"),
            (
                {"report_card": {"cycle": "2026-H3"}},
                "p.yaml: report_card.cycle: value '2026-H3': expected a half-year YYYY-H1 or YYYY-H2",
            ),
            (
                {"celebration": {"quarter": "2025-Q4"}},
                "p.yaml: celebration.quarter: value '2025-Q4': expected a quarter of fiscal year 2026 (2026-Q1 .. 2026-Q4)",
            ),
        ],
    )
    def test_wrong_values_name_the_key(self, tmp_path: Path, raw: dict, line: str) -> None:
        assert messages(raw, tmp_path) == [line]

    def test_every_problem_listed(self, tmp_path: Path) -> None:
        assert len(messages({"fiscal_year": "x", "targt": {}, "review": {"flag_below": -1}}, tmp_path)) == 3

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(ParamsError, match="no such params file"):
            load_params(tmp_path / "nope.yaml")

    def test_not_yaml(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.yaml"
        path.write_text("target: [1, 2\n")
        with pytest.raises(ParamsError, match=r"^bad.yaml: line \d+: not valid YAML"):
            load_params(path)


class TestAgainstInputs:
    def test_rule_value_that_exists_nowhere_is_an_error(self, tmp_path: Path) -> None:
        from alignment.inputs import load_inputs

        inputs = load_inputs(write_company(tmp_path / "d"))
        p = parse_params(
            {
                "target": {"rules": [{"customer_group": "Goverment", "growth": 0.3}]},
                "report_card": {"cycle": "2026-H1"},
            },
            tmp_path,
        )
        errors, warnings = check_against_inputs(p, inputs)
        assert errors == [
            "params: target.rules[1].customer_group: value 'Goverment': expected a customer_group that "
            "exists in customers (Enterprise, SMB)"
        ]
        assert warnings == []

    def test_no_ratings_at_all_is_no_report_card_yet(self, tmp_path: Path) -> None:
        """CONTRACT section 5: a company with no ratings at all keeps no report card yet; no error."""
        from alignment.inputs import load_inputs

        inputs = load_inputs(write_company(tmp_path / "d", report_card_ratings=None))
        assert check_against_inputs(parse_params({}, tmp_path), inputs) == ([], [])

    def test_a_default_out_of_the_year_says_it_is_the_default(self, tmp_path: Path) -> None:
        assert messages({"fiscal_year": 2025}, tmp_path) == [
            "p.yaml: review.month: value '2026-10': expected a month of fiscal year 2025 (2025-01 .. 2025-12); "
            "the value is the default: set review.month",
            "p.yaml: celebration.quarter: value '2026-Q3': expected a quarter of fiscal year 2025 (2025-Q1 .. "
            "2025-Q4); the value is the default: set celebration.quarter",
        ]

    def test_unknown_group_share_and_cycle_without_ratings_are_errors(self, tmp_path: Path) -> None:
        from alignment.inputs import load_inputs

        inputs = load_inputs(write_company(tmp_path / "d"))
        p = parse_params(
            {
                "allocation": {"group_method": "shares", "group_shares": {"SMB": 0.5, "Mid": 0.5}},
                "report_card": {"cycle": "2025-H1"},
            },
            tmp_path,
        )
        errors, _ = check_against_inputs(p, inputs)
        assert errors == [
            "params: allocation.group_shares.Mid: value 'Mid': expected an existing customer_group (Enterprise, SMB)",
            "params: report_card.cycle: value '2025-H1': expected a cycle with ratings (2026-H1)",
        ]


# --------------------------------------------------------------------------- typos in values (issue 14, item 4)


def _sample_with_rules(tmp_path: Path, rules: list[dict]) -> Path:
    raw = yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8"))
    raw["data_dir"] = str((SAMPLE_PARAMS.parent / raw["data_dir"]).resolve())
    raw["target"]["rules"] = rules
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


class TestRuleValueTypos:
    """A rule value that exists nowhere in the data is an error with the nearest existing value."""

    @pytest.mark.parametrize(
        ("rule", "line"),
        [
            (
                {"customer_group": "enterprise", "growth": 0.15},
                "params: target.rules[1].customer_group: value 'enterprise': expected a customer_group that "
                "exists in customers (Enterprise, SMB) — did you mean 'Enterprise'? (names match with their case)",
            ),
            (
                {"product_line": "Clod", "growth": 0.25},
                "params: target.rules[1].product_line: value 'Clod': expected a product_line that exists in "
                "products (Cloud, Hardware) — did you mean 'Cloud'?",
            ),
            (
                {"product_id": "p01", "growth": 0.25},
                "params: target.rules[1].product_id: value 'p01': expected a product_id that exists in "
                "products (P01, P02) — did you mean 'P01'? (names match with their case)",
            ),
        ],
    )
    def test_did_you_mean(self, tmp_path: Path, rule: dict, line: str) -> None:
        from alignment.inputs import load_inputs

        inputs = load_inputs(write_company(tmp_path / "d"))
        errors, _ = check_against_inputs(parse_params({"target": {"rules": [rule]}}, tmp_path), inputs)
        assert errors == [line]

    def test_every_bad_value_of_every_rule(self, tmp_path: Path) -> None:
        from alignment.inputs import load_inputs

        inputs = load_inputs(write_company(tmp_path / "d"))
        rules = [
            {"customer_group": "SMB", "product_line": "Hardwar", "growth": 0.1},
            {"customer_group": "Gov", "product_id": "P01", "growth": 0.2},
        ]
        errors, _ = check_against_inputs(parse_params({"target": {"rules": rules}}, tmp_path), inputs)
        assert [e.split(": value")[0] for e in errors] == [
            "params: target.rules[1].product_line",
            "params: target.rules[2].customer_group",
        ]
        assert "did you mean 'Hardware'?" in errors[0] and "did you mean" not in errors[1]

    def test_many_values_are_counted_not_listed(self, tmp_path: Path) -> None:
        from alignment.inputs import load_inputs
        from alignment.params import KNOWN_LISTED_UP_TO

        n = KNOWN_LISTED_UP_TO + 1
        products = "product_id,product_name,product_line\n" + "".join(
            f"P{i:02d},Product {i},{'Cloud' if i == 1 else 'Hardware'}\n" for i in range(1, n + 1)
        )
        strategy = "product_id,channel,share\n" + "".join(f"P{i:02d},Direct,1\n" for i in range(1, n + 1))
        inputs = load_inputs(write_company(tmp_path / "d", products=products, channel_strategy=strategy))
        p = parse_params({"target": {"rules": [{"product_id": "P01x", "growth": 0.1}]}}, tmp_path)
        errors, _ = check_against_inputs(p, inputs)
        assert errors == [
            f"params: target.rules[1].product_id: value 'P01x': expected a product_id that exists in products "
            f"({n} values in products) — did you mean 'P01'?"
        ]

    @pytest.mark.parametrize(
        ("rule", "key", "near"),
        [
            ({"product_line": "Clod", "growth": 0.25}, "product_line", "Cloud"),
            ({"customer_group": "enterprise", "growth": 0.15}, "customer_group", "Enterprise"),
        ],
    )
    def test_plan_command_stops_on_the_sample(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: dict, key: str, near: str
    ) -> None:
        from alignment.cli import main

        params = _sample_with_rules(tmp_path, [rule])
        out = tmp_path / "out"
        assert main(["plan", str(params), "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert (
            err == [line for line in err if line.startswith(f"typo.yaml: target.rules[1].{key}: value ")]
            and len(err) == 1
        )
        assert f"did you mean {near!r}?" in err[0]
        assert not out.exists()


class TestRulesWithoutCells:
    """A rule whose values exist but that matches no (customer_group, product_id) cell is a warning."""

    # P03 is sold to no one in the prior year but C003 (SMB) plans it in sales_input: a cell all the same
    # P05 only in FY2025 actuals (C001, Enterprise): a cell all the same; P04 sold in FY2026 only: none
    PRODUCTS = "product_id,product_name,product_line\nP01,Cloud Core,Cloud\nP02,Edge Box,Hardware\nP03,Vault,Storage\nP04,Spare,Storage\nP05,Setup,Services\n"
    STRATEGY = "product_id,channel,share\nP01,Direct,0.6\nP01,Online,0.4\nP02,Partner,1\nP03,Direct,1\nP04,Direct,1\nP05,Direct,1\n"
    ACTUALS = FILES["actuals"] + "2025-06,C001,P05,Direct,300.00\n2026-02,C002,P04,Direct,50.00\n"
    SALES = "customer_id,product_id,potential,committed\nC001,P01,20000,12000\nC002,P02,8000,5000\nC003,P01,3000,1000\nC003,P03,500,100\n"

    def _inputs(self, tmp_path: Path):
        from alignment.inputs import load_inputs

        return load_inputs(
            write_company(
                tmp_path / "d",
                products=self.PRODUCTS,
                channel_strategy=self.STRATEGY,
                sales_input=self.SALES,
                actuals=self.ACTUALS,
            ),
            fiscal_year=2026,
        )

    def test_warned_where_no_cell_with_prior_year_revenue_matches(self, tmp_path: Path) -> None:
        rules = [
            {"customer_group": "Enterprise", "growth": 0.15},  # C001 x P01
            {"customer_group": "Enterprise", "product_line": "Hardware", "growth": 0.3},  # none
            {"product_id": "P04", "growth": 0.2},  # exists, never sold nor planned
            {"customer_group": "SMB", "product_id": "P03", "growth": 0.1},  # sales_input only
            {"product_line": "Storage", "growth": 0.1},  # P03: sales_input only
            {"customer_group": "Enterprise", "product_id": "P05", "growth": 0.1},  # prior-year actuals only
            {"customer_group": "SMB", "product_line": "Services", "growth": 0.1},  # none
        ]
        p = parse_params({"target": {"rules": rules}}, tmp_path)
        errors, warnings = check_against_inputs(p, self._inputs(tmp_path))
        assert errors == []
        assert warnings == [
            "warning: params: target.rules[2]: {customer_group: Enterprise, product_line: Hardware} matches "
            "no (customer_group, product_id) cell with FY2025 actuals or a sales_input row; the rule "
            "changes no target",
            "warning: params: target.rules[3]: {product_id: P04} matches no (customer_group, product_id) "
            "cell with FY2025 actuals or a sales_input row; the rule changes no target",
            "warning: params: target.rules[4]: {customer_group: SMB, product_id: P03} matches sales_input rows "
            "but no (customer_group, product_id) cell with FY2025 actuals; a target grows from the prior "
            "year's revenue, so the rule changes no target (those cells' targets stay 0)",
            "warning: params: target.rules[5]: {product_line: Storage} matches sales_input rows but no "
            "(customer_group, product_id) cell with FY2025 actuals; a target grows from the prior year's "
            "revenue, so the rule changes no target (those cells' targets stay 0)",
            "warning: params: target.rules[7]: {customer_group: SMB, product_line: Services} matches no "
            "(customer_group, product_id) cell with FY2025 actuals or a sales_input row; the rule changes no "
            "target",
        ]

    def test_cells_are_the_engines_cells(self, tmp_path: Path) -> None:
        from alignment.engine.plan import build_plan
        from alignment.inputs import load_inputs
        from alignment.params import plan_cells

        for inputs, params in (
            (self._inputs(tmp_path), parse_params({}, tmp_path)),
            (
                load_inputs(SAMPLE_PARAMS.parent / "../data/sample", fiscal_year=2026),
                load_params(SAMPLE_PARAMS),
            ),
        ):
            engine = build_plan(inputs, params).cell_targets
            ours = plan_cells(params, inputs)
            assert sorted(
                zip(ours["customer_group"], ours["product_id"], ours["product_line"], strict=True)
            ) == (
                sorted(
                    zip(engine["customer_group"], engine["product_id"], engine["product_line"], strict=True)
                )
            )

    @pytest.mark.parametrize(
        "rule",
        [
            {"customer_group": "Enterprise", "product_line": "Hardware", "growth": 0.9},  # no cell
            {"customer_group": "SMB", "product_id": "P03", "growth": 0.9},  # a sales_input cell only
        ],
    )
    def test_a_warned_rule_changes_no_target(self, tmp_path: Path, rule) -> None:
        from alignment.engine.plan import build_plan

        inputs = self._inputs(tmp_path)
        with_rule = parse_params({"target": {"rules": [rule]}}, tmp_path)
        assert len(check_against_inputs(with_rule, inputs)[1]) == 1
        plain = build_plan(inputs, parse_params({}, tmp_path)).cell_targets["target"]
        assert build_plan(inputs, with_rule).cell_targets["target"].tolist() == plain.tolist()

    def test_load_checked_carries_the_warning(self, tmp_path: Path) -> None:
        from alignment.loading import load_checked

        data = write_company(
            tmp_path / "d", products=self.PRODUCTS, channel_strategy=self.STRATEGY, sales_input=self.SALES
        )
        path = tmp_path / "w.yaml"
        path.write_text(
            f"data_dir: {data}\ntarget:\n  rules:\n    - {{product_id: P04, growth: 0.2}}\n", encoding="utf-8"
        )
        warnings = load_checked(path).warnings
        assert [w for w in warnings if "target.rules" in w] == [
            "warning: w.yaml: target.rules[1]: {product_id: P04} matches no (customer_group, product_id) "
            "cell with FY2025 actuals or a sales_input row; the rule changes no target"
        ]


class TestNotebookOpenedByHand:
    """A notebook opened by hand makes the data-dependent checks, with the same message as ``alignment run``."""

    def test_unknown_group_share_stops_open_workbook_as_it_stops_run(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from alignment.cli import main
        from alignment.workbook import open_workbook

        data = write_company(tmp_path / "d")
        allocation = {"group_method": "shares", "group_shares": {"SMB": 0.5, "Mid-Market": 0.5}}
        path = tmp_path / "shares.yaml"
        path.write_text(yaml.safe_dump({"data_dir": str(data), "allocation": allocation}), encoding="utf-8")
        assert main(["run", str(path), "--out", str(tmp_path / "report")]) == 2
        from_run = capsys.readouterr().err.strip().splitlines()
        assert not (tmp_path / "report").exists()

        with pytest.raises(ParamsError) as info:
            open_workbook(data_dir=str(data), allocation=allocation)
        by_hand = info.value.messages
        expected = (
            "allocation.group_shares.Mid-Market: value 'Mid-Market': expected an existing customer_group "
            "(Enterprise, SMB)"
        )
        assert from_run == [f"shares.yaml: {expected}"]
        # the same line after the name of where the parameters came from
        assert [m.split(": ", 1)[1] for m in by_hand] == [expected]


class TestRulesWithoutCellsAgreeWithTheCells:
    def test_every_rule_of_the_company(self, tmp_path: Path) -> None:
        """Each possible rule is warned about exactly when no cell with prior-year actuals matches it."""
        import itertools

        from alignment.params import cells_of_pairs, plan_cells, rules_without_cells

        inputs = TestRulesWithoutCells()._inputs(tmp_path)
        params = parse_params({}, tmp_path)
        actuals = inputs.actuals
        prior = actuals.loc[actuals["month"].isin(params.prior_months), ["customer_id", "product_id"]]
        cells = cells_of_pairs(inputs.customers, inputs.products, prior)
        assert len(cells) < len(plan_cells(params, inputs))  # some cells come from sales_input alone
        values = {
            "customer_group": [None, *sorted(set(inputs.customers["customer_group"]))],
            "product_line": [None, *sorted(set(inputs.products["product_line"]))],
            "product_id": [None, *sorted(set(inputs.products["product_id"]))],
        }
        rules = [
            GrowthRule(growth=0.1, **dict(zip(values, combo, strict=True)))
            for combo in itertools.product(*values.values())
            if any(v is not None for v in combo)
        ]
        warned = rules_without_cells(
            params.with_changes(target=replace(params.target, rules=tuple(rules))), inputs
        )
        warned_rules = {int(w.split("target.rules[")[1].split("]")[0]) for w in warned}
        for i, rule in enumerate(rules, start=1):
            hit = pd.Series(True, index=cells.index)
            for key in values:
                if getattr(rule, key) is not None:
                    hit &= cells[key] == getattr(rule, key)
            assert (i in warned_rules) == (not hit.any()), rule
        assert 0 < len(warned_rules) < len(rules)
