"""What validate shows and writes: bounded lines per file and column, and the problems table."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from alignment.problem_table import HEADER, ProblemsOutError, is_problem_table, write_problem_table
from alignment.problems import Problem, bounded_lines, show_value


def amounts(n: int, file: str = "actuals.csv", column: str | None = "revenue") -> list[Problem]:
    return [Problem(file, i + 2, column, "12k", "an amount") for i in range(n)]


class TestBoundedLines:
    def test_the_first_20_then_one_count_line_per_file_and_column(self) -> None:
        problems = amounts(1_000_000)
        out = bounded_lines(problems)
        assert len(out) == 21
        assert out[0] == "actuals.csv, row 2, column revenue: value '12k': expected an amount"
        assert out[19].startswith("actuals.csv, row 21, ")
        assert out[20] == "actuals.csv, column revenue: 999,980 more like these"

    def test_all_prints_every_one(self) -> None:
        assert len(bounded_lines(amounts(1_000), limit=None)) == 1_000

    def test_each_file_and_column_is_counted_apart_and_after_its_file(self) -> None:
        problems = [
            *amounts(25),
            *[Problem("actuals.csv", 30 + i, "month", "x", "a month") for i in range(22)],
            *amounts(21, file="sales_input.csv", column="committed"),
            *[Problem("wins.csv", i + 2, None, "a,b", "5 fields") for i in range(23)],
        ]
        out = bounded_lines(problems)
        counts = [line for line in out if line.endswith("more like these")]
        assert counts == [
            "actuals.csv, column revenue: 5 more like these",
            "actuals.csv, column month: 2 more like these",
            "sales_input.csv, column committed: 1 more like these",
            "wins.csv: 3 more like these",
        ]
        assert out.index(counts[1]) < next(
            i for i, line in enumerate(out) if line.startswith("sales_input.csv")
        )
        assert len(out) == 20 + 20 + 20 + 20 + 4

    def test_warnings_are_counted_as_warnings(self) -> None:
        warnings = [
            Problem("sales_input.csv", i + 2, "committed", "9", "at most potential", "warning")
            for i in range(21)
        ]
        assert bounded_lines(warnings)[-1] == "warning: sales_input.csv, column committed: 1 more like these"

    def test_twenty_or_fewer_need_no_count(self) -> None:
        assert bounded_lines(amounts(20)) == [p.line() for p in amounts(20)]


class TestShowValue:
    def test_strings_are_cut(self) -> None:
        assert show_value("x" * 10_000_000) == "'" + "x" * 56 + "..."

    def test_small_lists_as_written(self) -> None:
        assert show_value([1, "a"]) == "[1, 'a']"

    def test_large_or_nested_containers_by_size(self) -> None:
        nested: list = [1]
        for _ in range(200):
            nested = [nested] * 9
        assert show_value(nested) == "a list of 9 items"
        assert show_value({"a": 1}) == "{'a': 1}"
        assert show_value(dict.fromkeys(range(9), 1)) == "a mapping of 9 keys"
        assert show_value([]) == "[]"


class TestProblemTable:
    PROBLEMS = [
        Problem("actuals.csv", 3, "revenue", "1,234", "an amount"),
        Problem("actuals.parquet", None, None, None, "one file for actuals"),
        Problem("roles.csv", 3, "marketing, sales", 'A / "AR"', "exactly one A", "warning"),
    ]

    def test_a_table_a_user_can_filter(self, tmp_path: Path) -> None:
        path = write_problem_table(self.PROBLEMS, tmp_path / "problems.csv")
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        assert rows == [
            {
                "severity": "error",
                "file": "actuals.csv",
                "row": "3",
                "column": "revenue",
                "value": "1,234",
                "expected": "an amount",
            },
            {
                "severity": "error",
                "file": "actuals.parquet",
                "row": "",
                "column": "",
                "value": "",
                "expected": "one file for actuals",
            },
            {
                "severity": "warning",
                "file": "roles.csv",
                "row": "3",
                "column": "marketing, sales",
                "value": 'A / "AR"',
                "expected": "exactly one A",
            },
        ]
        assert is_problem_table(path)

    def test_it_replaces_a_table_it_wrote_before(self, tmp_path: Path) -> None:
        path = write_problem_table(self.PROBLEMS, tmp_path / "problems.csv")
        write_problem_table(self.PROBLEMS[:1], path)
        assert path.read_text(encoding="utf-8").count("\n") == 2
        assert [p.name for p in tmp_path.iterdir()] == ["problems.csv"]

    def test_it_never_overwrites_a_file_it_did_not_write(self, tmp_path: Path) -> None:
        path = tmp_path / "problems.csv"
        path.write_bytes(b"my,own\nnotes,here\n")
        with pytest.raises(ProblemsOutError) as info:
            write_problem_table(self.PROBLEMS, path)
        assert str(info.value) == (
            f"{path}: a file that validate did not write, which it would overwrite: expected a new file name, or a "
            "problems table that validate --problems-out wrote before"
        )
        assert path.read_bytes() == b"my,own\nnotes,here\n"
        assert [p.name for p in tmp_path.iterdir()] == ["problems.csv"]

    def test_a_file_that_only_starts_like_the_header_is_not_one(self, tmp_path: Path) -> None:
        path = tmp_path / "problems.csv"
        path.write_text(HEADER + ",mine\n", encoding="utf-8")
        with pytest.raises(ProblemsOutError):
            write_problem_table(self.PROBLEMS, path)

    def test_a_folder_or_a_link_in_the_way(self, tmp_path: Path) -> None:
        (tmp_path / "dir.csv").mkdir()
        with pytest.raises(ProblemsOutError, match="not a regular file"):
            write_problem_table(self.PROBLEMS, tmp_path / "dir.csv")
        target = write_problem_table(self.PROBLEMS, tmp_path / "real.csv")
        os.symlink(target, tmp_path / "link.csv")
        with pytest.raises(ProblemsOutError, match="not a regular file"):
            write_problem_table(self.PROBLEMS, tmp_path / "link.csv")

    def test_never_into_the_data_folder(self, tmp_path: Path) -> None:
        data = tmp_path / "data"
        data.mkdir()
        with pytest.raises(ProblemsOutError) as info:
            write_problem_table(self.PROBLEMS, data / "wins.csv", data_dir=data)
        assert "in the data folder" in str(info.value)
        assert list(data.iterdir()) == []

    def test_a_crash_while_writing_leaves_nothing_behind(self, tmp_path: Path) -> None:
        class Exploding:
            def __iter__(self):
                yield self.PROBLEMS[0]
                raise RuntimeError("disk full")

            PROBLEMS = self.PROBLEMS

        path = write_problem_table(self.PROBLEMS, tmp_path / "problems.csv")
        before = path.read_bytes()
        with pytest.raises(RuntimeError):
            write_problem_table(Exploding(), path)
        assert path.read_bytes() == before
        assert [p.name for p in tmp_path.iterdir()] == ["problems.csv"]
