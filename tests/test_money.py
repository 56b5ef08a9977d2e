"""Exact money: cents conversion, largest-remainder splits, CSV text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alignment.money import apportion, apportion_rows, from_cents, round_cents, to_cents
from alignment.outputs import to_text_table


class TestCents:
    def test_round_trip(self) -> None:
        values = np.array([0.1, 0.2, 1234.56, -20.05, 1e9 + 0.01])
        assert to_cents(values).tolist() == [10, 20, 123456, -2005, 100000000001]
        assert from_cents(to_cents(values)).tolist() == [0.1, 0.2, 1234.56, -20.05, 1e9 + 0.01]

    def test_half_cent_rounds_away_from_zero(self) -> None:
        assert to_cents(np.array([0.125, -0.125])).tolist() == [13, -13]

    def test_round_cents_is_half_away_from_zero_everywhere(self) -> None:
        values = np.array([0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, 1e15 + 0.5, -7.2])
        expected = np.sign(values) * np.floor(np.abs(values) + 0.5)
        assert round_cents(values).tolist() == expected.astype("int64").tolist()
        assert int(round_cents(-2.5)) == -3


class TestApportion:
    def test_even_split_ties_go_to_the_first_rows(self) -> None:
        # 100 cents over 3 equal parts: 34, 33, 33
        parts = apportion(np.array([100, 100, 100]), np.array([1.0, 1.0, 1.0]), np.array([0, 0, 0]))
        assert parts.tolist() == [34, 33, 33]

    def test_largest_remainder_wins(self) -> None:
        # 10 by weights 1, 2, 7 of 10 cents -> exact; 11 cents -> 1.1, 2.2, 7.7: the 0.7 remainder takes the cent
        parts = apportion(np.array([11, 11, 11]), np.array([1.0, 2.0, 7.0]), np.array([0, 0, 0]))
        assert parts.tolist() == [1, 2, 8]

    def test_zero_weights_split_evenly(self) -> None:
        parts = apportion(np.array([5, 5]), np.array([0.0, 0.0]), np.array([3, 3]))
        assert parts.tolist() == [3, 2]

    def test_groups_are_independent(self) -> None:
        parts = apportion(
            np.array([10, 10, 7, 7, 7]),
            np.array([1.0, 1.0, 1.0, 1.0, 5.0]),
            np.array(["a", "a", "b", "b", "b"]),
        )
        assert parts.tolist() == [5, 5, 1, 1, 5]

    def test_negative_total(self) -> None:
        parts = apportion(np.array([-100, -100, -100]), np.array([1.0, 1.0, 1.0]), np.array([0, 0, 0]))
        assert parts.tolist() == [-34, -33, -33]

    @given(
        st.lists(st.tuples(st.integers(0, 3), st.floats(0, 1e6, allow_nan=False)), min_size=1, max_size=40),
        st.integers(0, 10**11),
    )
    def test_parts_sum_exactly_and_stay_within_one_unit(
        self, rows: list[tuple[int, float]], whole: int
    ) -> None:
        groups = np.array(sorted(g for g, _ in rows))
        weights = np.array([w for _, w in rows])
        totals = np.full(len(rows), whole)
        parts = apportion(totals, weights, groups)
        for g in np.unique(groups):
            mask = groups == g
            assert int(parts[mask].sum()) == whole
            w = weights[mask]
            share = w / w.sum() if w.sum() > 0 else np.full(len(w), 1 / len(w))
            assert np.all(np.abs(parts[mask] - whole * share) < 1 + 1e-6 * whole)


def test_format_money() -> None:
    s = pd.Series([1234.5, -0.05, 0.0, None, 1e9 + 0.01])
    assert to_text_table(pd.DataFrame({"m": s}), money=["m"])["m"].tolist() == [
        "1234.50",
        "-0.05",
        "0.00",
        "",
        "1000000000.01",
    ]


@pytest.mark.parametrize("value", [0.07, 19.99, 123456789.12])
def test_cents_of_decimal_text_are_exact(value: float) -> None:
    assert to_cents(float(f"{value:.2f}")) == round(value * 100)


@given(
    st.lists(
        st.tuples(
            st.integers(-(10**10), 10**10),
            st.lists(
                st.sampled_from([0.0, 0.0, 1.0, 2.0, 0.5, 1e-9, 123456.0, 7.25]), min_size=3, max_size=3
            ),
        ),
        max_size=30,
    )
)
def test_apportion_rows_is_apportion_row_by_row(rows: list[tuple[int, list[float]]]) -> None:
    """The row-wise split (a quota into its months) gives exactly the parts of the general one."""
    totals = np.array([t for t, _ in rows], dtype="int64")
    weights = np.array([w for _, w in rows], dtype="float64").reshape(len(rows), 3)
    general = apportion(np.repeat(totals, 3), weights.ravel(), np.repeat(np.arange(len(rows)), 3))
    assert apportion_rows(totals, weights).tolist() == general.reshape(len(rows), 3).tolist()
