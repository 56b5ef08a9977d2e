"""A params file is bounded before it is read: size, alias expansion, rule count, values in messages."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from alignment.params import (
    MAX_ALIAS_VALUES,
    MAX_PARAMS_BYTES,
    MAX_RULES,
    load_params,
    parse_params,
)
from alignment.paths import PROJECT_DIR, SAMPLE_DATA_DIR
from alignment.problems import ParamsError


def alias_bomb(levels: int) -> str:
    """Anchors of 9 items, each level 9 aliases of the one before: 9**levels values under fiscal_year."""
    lines = ["anchors:", '  a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for level in range(1, levels):
        lines.append(f"  a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]")
    lines.append(f"fiscal_year: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def load_messages(path: Path) -> list[str]:
    with pytest.raises(ParamsError) as info:
        load_params(path)
    return info.value.messages


ALIASES = (
    f"p.yaml: aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values: expected a params file whose "
    f"aliases repeat at most {MAX_ALIAS_VALUES:,} values in all"
)


class TestAliases:
    def test_a_small_bomb_is_refused_by_its_expansion_not_its_type(self, tmp_path: Path) -> None:
        # 9**6 = 531,441 values: today's loader builds them and shows the expanded list in the message
        path = tmp_path / "p.yaml"
        path.write_text(alias_bomb(6))
        assert load_messages(path) == [ALIASES]

    def test_the_nine_level_bomb_is_refused_at_once(self, tmp_path: Path) -> None:
        # 9**9 values: 40 s and gigabytes before the limit; refused in a fraction of a second now
        path = tmp_path / "p.yaml"
        path.write_text(alias_bomb(9))
        code = (
            "import sys, time\nfrom alignment.params import load_params\nfrom alignment.problems import "
            "ParamsError\nt = time.perf_counter()\ntry:\n    load_params(sys.argv[1])\nexcept ParamsError as e:\n"
            "    print(e)\nprint(time.perf_counter() - t)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=30,
        )
        message, seconds = done.stdout.splitlines()
        assert message == ALIASES
        assert float(seconds) < 1.0

    def test_an_alias_inside_its_own_anchor_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "p.yaml"
        path.write_text("target:\n  rules: &r [*r]\n")
        assert load_messages(path) == [ALIASES]

    def test_a_few_aliases_are_fine(self, tmp_path: Path) -> None:
        path = tmp_path / "p.yaml"
        path.write_text(
            f"data_dir: {SAMPLE_DATA_DIR}\ntarget:\n  growth: &g 0.15\n  rules:\n"
            "    - {customer_group: Enterprise, growth: *g}\n    - {product_line: Cloud, growth: *g}\n"
        )
        params = load_params(path)
        assert [r.growth for r in params.target.rules] == [0.15, 0.15]

    def test_aliases_just_under_the_limit_pass_the_check(self, tmp_path: Path) -> None:
        # 100 aliases of a 99-item list repeat 100 x 100 = 10,000 values: at the limit, not over it
        items = ",".join(["1"] * 99)
        path = tmp_path / "p.yaml"
        path.write_text(f"anchors: &l [{items}]\nmore: [" + ",".join(["*l"] * 100) + "]\n")
        assert load_messages(path) == [
            "p.yaml: anchors: unknown key (known keys: data_dir, fiscal_year, fiscal_year_start_month, target, "
            "allocation, review, report_card, celebration, quota_quality, replan, display, explorer, sources, "
            "encoding)",
            "p.yaml: more: unknown key (known keys: data_dir, fiscal_year, fiscal_year_start_month, target, "
            "allocation, review, report_card, celebration, quota_quality, replan, display, explorer, sources, "
            "encoding)",
        ]
        path.write_text(f"anchors: &l [{items}]\nmore: [" + ",".join(["*l"] * 101) + "]\n")
        assert load_messages(path) == [ALIASES]


class TestSizes:
    def test_a_file_over_1_mb_is_refused_naming_the_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "p.yaml"
        path.write_text("# padding\n" * (MAX_PARAMS_BYTES // 10 + 1))
        assert load_messages(path) == [
            f"p.yaml: over {MAX_PARAMS_BYTES:,} bytes: expected a params file of at most 1 MB"
        ]

    def test_more_than_10000_rules_are_refused_naming_the_limit(self, tmp_path: Path) -> None:
        rules = [{"customer_group": f"G{i}", "growth": 0.1} for i in range(MAX_RULES + 1)]
        with pytest.raises(ParamsError) as info:
            parse_params({"target": {"rules": rules}}, tmp_path, source="p.yaml")
        assert info.value.messages == [
            "p.yaml: target.rules: value a list of 10,001 items: expected at most 10,000 rules"
        ]

    def test_10000_rules_are_accepted(self, tmp_path: Path) -> None:
        rules = [{"customer_group": f"G{i}", "growth": 0.1} for i in range(MAX_RULES)]
        assert len(parse_params({"target": {"rules": rules}}, tmp_path).target.rules) == MAX_RULES

    def test_a_file_that_is_not_utf8_names_the_line(self, tmp_path: Path) -> None:
        path = tmp_path / "p.yaml"
        path.write_bytes("fiscal_year: 2026\n# Müller\n".encode("cp1252"))
        assert load_messages(path) == ["p.yaml: line 2: byte 0xfc: expected UTF-8 text"]

    def test_values_nested_too_deeply(self, tmp_path: Path) -> None:
        path = tmp_path / "p.yaml"
        path.write_text("fiscal_year: " + "[" * 5000 + "]" * 5000 + "\n")
        assert load_messages(path) == ["p.yaml: values nested too deeply: expected a params file"]

    def test_a_number_of_thousands_of_digits(self, tmp_path: Path) -> None:
        path = tmp_path / "p.yaml"
        path.write_text("fiscal_year: " + "9" * 5000 + "\n")
        (message,) = load_messages(path)
        assert message.startswith("p.yaml: a value that cannot be read (Exceeds the limit")
        assert len(message) < 200


class TestValuesInMessages:
    @pytest.mark.parametrize(
        ("value", "shown"),
        [
            (list(range(100)), "a list of 100 items"),
            ([[1, 2], [3]], "a list of 2 items"),
            ({f"k{i}": i for i in range(20)}, "a mapping of 20 keys"),
            ([1, 2], "[1, 2]"),
            ("x" * 1000, "'" + "x" * 56 + "..."),
        ],
    )
    def test_a_value_is_shown_in_one_short_line(self, tmp_path: Path, value: object, shown: str) -> None:
        with pytest.raises(ParamsError) as info:
            parse_params({"fiscal_year": value}, tmp_path, source="p.yaml")
        assert info.value.messages == [f"p.yaml: fiscal_year: value {shown}: expected a year such as 2026"]

    def test_a_shared_list_is_never_walked(self, tmp_path: Path) -> None:
        inner: list = ["x"] * 9
        for _ in range(6):  # 9**7 values if written out
            inner = [inner] * 9
        start = time.perf_counter()
        with pytest.raises(ParamsError) as info:
            parse_params({"fiscal_year": inner}, tmp_path, source="p.yaml")
        assert time.perf_counter() - start < 1.0
        assert info.value.messages == [
            "p.yaml: fiscal_year: value a list of 9 items: expected a year such as 2026"
        ]


class TestEncoding:
    def test_per_input_encoding(self, tmp_path: Path) -> None:
        p = parse_params({"encoding": {"actuals": "cp1252", "customers": "latin-1"}}, tmp_path)
        assert p.encoding == {"actuals": "cp1252", "customers": "latin-1"}
        assert p.to_dict()["encoding"] == {"actuals": "cp1252", "customers": "latin-1"}

    def test_default_is_utf8_for_every_input(self, tmp_path: Path) -> None:
        p = parse_params({}, tmp_path)
        assert p.encoding == {}
        assert "encoding" not in p.to_dict()  # a params file written back stays as plain as it was

    def test_round_trip_through_yaml(self, tmp_path: Path) -> None:
        p = parse_params({"encoding": {"actuals": "cp1252"}}, tmp_path)
        assert parse_params(yaml.safe_load(p.to_yaml()), tmp_path) == p

    def test_unknown_input_and_unknown_encoding(self, tmp_path: Path) -> None:
        with pytest.raises(ParamsError) as info:
            parse_params(
                {"encoding": {"actual": "cp1252", "sales_input": "cp9999", "people": "rot13"}},
                tmp_path,
                "p.yaml",
            )
        stems = (
            "customers, products, people, channel_strategy, actuals, sales_input, roles, overrides, "
            "report_card_needs, report_card_ratings, action_items, wins, prior_quotas, review_actions"
        )
        assert info.value.messages == [
            f"p.yaml: encoding.actual: value 'cp1252': expected the name of an input file without its extension "
            f"({stems}) — did you mean actuals?",
            "p.yaml: encoding.sales_input: value 'cp9999': expected a text encoding such as cp1252, latin-1 or utf-8",
            "p.yaml: encoding.people: value 'rot13': expected a text encoding such as cp1252, latin-1 or utf-8",
        ]

    def test_not_a_mapping(self, tmp_path: Path) -> None:
        with pytest.raises(ParamsError) as info:
            parse_params({"encoding": "cp1252"}, tmp_path, "p.yaml")
        assert info.value.messages == [
            "p.yaml: encoding: value 'cp1252': expected a mapping of input names to encodings, such as "
            "{actuals: cp1252}"
        ]
