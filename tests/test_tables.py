"""Outputs: atomic writes, the contract's text form, headline parts."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alignment import outputs
from alignment.money import to_cents
from alignment.outputs import (
    atomic_write_text,
    folder_table_format,
    read_headline_parts,
    to_text_table,
    write_csv,
    write_headline_part,
    write_parquet,
    write_table,
    write_table_settings,
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


# --------------------------------------------------------------------------- the text form, cell by cell
#
# The text form is built with Arrow kernels over whole columns; these references build it one cell at
# a time with plain Python, and the file with pandas' CSV writer (the dialect the outputs keep).


def _reference_cell(v: object) -> str:
    if isinstance(v, list | tuple):
        return ";".join(map(str, v))
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    return str(v)


def _reference_decimal(v: float) -> str:
    if math.isnan(v):
        return ""
    return f"{float(np.round(v, 6)):.6f}".rstrip("0").rstrip(".") if v != 0 else "0"


def _reference_money(v: float) -> str:
    if math.isnan(v):
        return ""
    cents = int(to_cents(v))
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _reference_csv(df: pd.DataFrame, money: list[str]) -> bytes:
    text = {}
    for col in df.columns:
        s = df[col]
        if col in money:
            text[col] = [_reference_money(v) for v in s.astype("float64")]
        elif pd.api.types.is_float_dtype(s):
            text[col] = [_reference_decimal(v) for v in s]
        else:
            text[col] = [_reference_cell(v) for v in s.astype(object)]
    return pd.DataFrame(text, dtype=object).to_csv(index=False, lineterminator="\n").encode()


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
texts = st.text(alphabet=st.sampled_from(list("ab Z09-=+@;é\"',\n\t")), max_size=8)


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[str]]:
    n = draw(st.integers(min_value=0, max_value=12))
    rows = st.lists
    money = draw(
        rows(
            st.one_of(finite, st.just(float("nan")), st.sampled_from([0.005, -0.005, 2.675])),
            min_size=n,
            max_size=n,
        )
    )
    ratio = draw(
        rows(
            st.one_of(
                finite,
                st.floats(min_value=-1e-5, max_value=1e-5),
                st.sampled_from([float("nan"), float("inf"), -0.0, 0.1234565, 1e9 - 0.0000005, 2.5e-7]),
            ),
            min_size=n,
            max_size=n,
        )
    )
    df = pd.DataFrame(
        {
            "key": pd.Series(draw(rows(st.one_of(texts, st.none()), min_size=n, max_size=n)), dtype="str"),
            "amount": pd.Series(money, dtype="float64"),
            "ratio": pd.Series(ratio, dtype="float64"),
            "flag": pd.Series(draw(rows(st.booleans(), min_size=n, max_size=n)), dtype="bool"),
            "n": pd.Series(draw(rows(st.integers(-(2**62), 2**62), min_size=n, max_size=n)), dtype="int64"),
            "members": pd.Series(
                draw(rows(st.one_of(st.lists(texts, max_size=3), st.none()), min_size=n, max_size=n)),
                dtype=object,
            ),
            "note": pd.Series(
                draw(rows(st.one_of(texts, st.none(), st.booleans()), min_size=n, max_size=n)), dtype=object
            ),
        }
    )
    columns = draw(st.lists(st.sampled_from(list(df.columns)), min_size=1, max_size=7, unique=True))
    return df[columns], ["amount"]


@given(tables())
def test_csv_is_the_text_form_cell_by_cell(table: tuple[pd.DataFrame, list[str]]) -> None:
    df, money = table
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(df, Path(folder) / "t.csv", money=money)
        assert path.read_bytes() == _reference_csv(df, money)


def test_text_form_of_six_decimals_matches_rounding_to_six_places() -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [
            rng.uniform(-1e6, 1e6, 20_000),
            rng.uniform(-1, 1, 20_000),
            np.round(rng.uniform(-1000, 1000, 20_000), 7),
            np.arange(-2000, 2000) / 2e6,  # halfway millionths
            [0.0, -0.0, 1e-7, -1e-7, 999_999_999.9999995, 5e-7, -5e-7],
        ]
    )
    text = to_text_table(pd.DataFrame({"x": values}))["x"].tolist()
    assert text == [_reference_decimal(v) for v in values]


def test_money_text_rounds_half_a_cent_away_from_zero() -> None:
    df = pd.DataFrame({"m": [0.005, -0.005, 0.015, 1e13 + 0.25, -0.001, None]})
    assert to_text_table(df, money=["m"])["m"].tolist() == [
        "0.01",
        "-0.01",
        "0.02",
        "10000000000000.25",
        "0.00",
        "",
    ]


def test_fields_are_quoted_only_where_csv_needs_it(tmp_path: Path) -> None:
    df = pd.DataFrame({"a,b": ["x,y", 'say "hi"', "two\nlines", "cr\rhere", "=1+2", ""], "n": range(6)})
    text = write_csv(df, tmp_path / "t.csv").read_bytes().decode()
    assert text == ('"a,b",n\n"x,y",0\n"say ""hi""",1\n"two\nlines",2\n"cr\rhere",3\n=1+2,4\n,5\n')
    assert pd.read_csv(tmp_path / "t.csv", keep_default_na=False)["a,b"].tolist() == df["a,b"].tolist()


def test_a_one_column_table_keeps_its_empty_rows(tmp_path: Path) -> None:
    path = write_csv(pd.DataFrame({"a": ["", "x", None]}), tmp_path / "t.csv")
    assert path.read_text() == 'a\n""\nx\n""\n'


def test_a_large_table_is_written_in_blocks_without_changing_a_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    df = pd.DataFrame({"id": [f"C{i:05d}" for i in range(1000)], "amount": np.arange(1000) / 8})
    whole = write_csv(df, tmp_path / "whole.csv", money=["amount"]).read_bytes()
    monkeypatch.setattr(outputs, "_ROWS_PER_CHUNK", 7)
    assert write_csv(df, tmp_path / "blocks.csv", money=["amount"]).read_bytes() == whole
    assert whole == _reference_csv(df, ["amount"])


def test_other_column_types_are_written_as_their_text(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "when": pd.to_datetime(["2026-01-31", None]),
            "group": pd.Categorical(["b", None]),
            "count": pd.array([3, None], dtype="Int64"),
            "ok": pd.array([True, None], dtype="boolean"),
            "mixed": pd.Series([1.5, "x"], dtype=object),
        }
    )
    assert write_csv(df, tmp_path / "t.csv").read_text() == (
        "when,group,count,ok,mixed\n2026-01-31 00:00:00,b,3,true,1.5\nNaT,,,,x\n"
    )


# --------------------------------------------------------------------------- Parquet and the folder's format


def test_parquet_holds_the_same_table_typed(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "key": pd.Series(["007", None], dtype="str"),
            "amount": [1234.567, None],
            "flag": [True, False],
            "members": [["S01", "M01"], []],
        }
    )
    path = write_parquet(df, tmp_path / "t.parquet", money=["amount"])
    back = pq.read_table(path)
    assert back.column_names == ["key", "amount", "flag", "members"]
    assert back.to_pydict() == {
        "key": ["007", None],
        "amount": [1234.57, None],
        "flag": [True, False],
        "members": [["S01", "M01"], []],
    }
    assert os.listdir(tmp_path) == ["t.parquet"]


def test_write_table_follows_the_format_asked_for_or_the_folders_settings(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1.0]})
    assert write_table(df, tmp_path / "t.csv", money=["a"]).name == "t.csv"
    assert write_table(df, tmp_path / "t.csv", money=["a"], table_format="parquet").name == "t.parquet"
    parquet_folder = tmp_path / "tables"
    write_table_settings(parquet_folder, table_format="parquet")
    assert folder_table_format(parquet_folder) == "parquet"
    path = write_table(df, parquet_folder / "t.csv", money=["a"])
    assert path == parquet_folder / "t.parquet"
    assert pq.read_table(path).to_pydict() == {"a": [1.0]}
    assert folder_table_format(tmp_path) == "csv"
    with pytest.raises(ValueError, match="expected one of csv, parquet"):
        write_table(df, tmp_path / "t.csv", table_format="xlsx")
