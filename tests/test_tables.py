"""Outputs: atomic writes, the contract's text form, headline parts."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from alignment.outputs import (
    atomic_write_text,
    read_headline_parts,
    to_text_table,
    write_csv,
    write_headline_part,
)


def test_text_form_of_a_table() -> None:
    df = pd.DataFrame(
        {
            "key": ["a", "b"],
            "money": [1234.5, -0.1],
            "ratio": [0.123456789, None],
            "flag": [True, False],
            "n": [1, 2],
            "members": [["S01", "M01"], ["S02"]],
        }
    )
    text = to_text_table(df, money=["money"])
    assert text.to_dict("list") == {
        "key": ["a", "b"],
        "money": ["1234.50", "-0.10"],
        "ratio": ["0.123457", ""],
        "flag": ["true", "false"],
        "n": ["1", "2"],
        "members": ["S01;M01", "S02"],
    }


def test_write_csv_is_atomic_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = write_csv(pd.DataFrame({"a": [1.0]}), tmp_path / "t.csv", money=["a"])
    assert path.read_text() == "a\n1.00\n"
    assert os.listdir(tmp_path) == ["t.csv"]


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = atomic_write_text(tmp_path / "t.csv", "old\n")

    def boom(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(path, "new\n")
    assert path.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["t.csv"]


def test_headline_parts_merge(tmp_path: Path) -> None:
    write_headline_part(tmp_path, "01_target_setting", {"top_down_target": 10.5})
    write_headline_part(tmp_path, "02_quota_rollup", {"bottom_up_quota": 9.0})
    assert read_headline_parts(tmp_path) == {"top_down_target": 10.5, "bottom_up_quota": 9.0}
    assert write_headline_part(None, "x", {"a": 1}) is None
