"""The parameters file: defaults, unknown keys with suggestions, types and ranges."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tiny_company import write_company

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
    def test_rule_matching_nothing_is_a_warning(self, tmp_path: Path) -> None:
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
        assert errors == []
        assert warnings == [
            "warning: params: target.rules[1]: matches nothing (no customer_group 'Goverment' in the data)"
        ]

    def test_a_company_without_any_ratings_keeps_no_report_card_and_passes(self, tmp_path: Path) -> None:
        """CONTRACT section 5: with no ratings at all every command runs (the cycle is not checked)."""
        from alignment.inputs import load_inputs

        inputs = load_inputs(write_company(tmp_path / "d", report_card_ratings=None))
        errors, _ = check_against_inputs(parse_params({}, tmp_path), inputs)
        assert errors == []

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
