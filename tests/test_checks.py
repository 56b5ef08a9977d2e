"""Column checks (alignment.checks): what passes, and how missing values are treated."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignment.checks import Check


def test_a_check_gives_one_bool_per_cell_from_a_series_or_an_array() -> None:
    s = pd.Series(["2026-01", "Jan", ""], dtype="str", index=[10, 11, 12])
    month = Check(lambda c: c.str.fullmatch(r"\d{4}-\d\d"), error="a month YYYY-MM")
    assert month.passed(s).tolist() == [True, False, False]
    nonempty = Check(lambda c: (c != "").to_numpy(), error="a value")
    assert nonempty.passed(s).tolist() == [True, True, False]


def test_missing_values_pass_unseen_unless_the_check_counts_them() -> None:
    seen: list[list[float]] = []

    def positive(c: pd.Series) -> pd.Series:
        seen.append(c.tolist())
        return c > 0

    s = pd.Series([1.0, np.nan, -2.0])
    assert Check(positive, error="an amount > 0").passed(s).tolist() == [True, True, False]
    assert seen == [[1.0, -2.0]]  # the test never sees the missing value
    assert Check(positive, error="an amount > 0", ignore_na=False).passed(s).tolist() == [True, False, False]


def test_a_test_that_gives_missing_results_fails_those_cells() -> None:
    s = pd.Series(["a", "b"], dtype="str")
    unsure = Check(lambda c: pd.Series([True, pd.NA], dtype="boolean", index=c.index), error="x")
    assert unsure.passed(s).tolist() == [True, False]
