"""The fiscal calendar."""

from __future__ import annotations

import pandas as pd
import pytest

from alignment.fiscal import (
    add_months,
    cycle_months,
    fiscal_month_number,
    fiscal_months,
    fiscal_year_of,
    previous_cycle,
    quarter_months,
    quarter_of,
)


class TestFiscalMonths:
    def test_calendar_year(self) -> None:
        assert fiscal_months(2026, 1) == [f"2026-{m:02d}" for m in range(1, 13)]

    def test_july_start_is_named_by_the_year_it_ends(self) -> None:
        months = fiscal_months(2026, 7)
        assert months[0] == "2025-07" and months[-1] == "2026-06"

    def test_fiscal_year_and_number_of_months(self) -> None:
        months = pd.Series(["2025-06", "2025-07", "2026-06"])
        assert fiscal_year_of(months, 7).tolist() == [2025, 2026, 2026]
        assert fiscal_month_number(months, 7).tolist() == [12, 1, 12]
        assert fiscal_year_of(months, 1).tolist() == [2025, 2025, 2026]


def test_add_months_across_years() -> None:
    assert add_months("2025-11", 3) == "2026-02"
    assert add_months("2026-01", -1) == "2025-12"


def test_quarters() -> None:
    assert quarter_months("2026-Q3", 1) == ["2026-07", "2026-08", "2026-09"]
    assert quarter_months("2026-Q1", 7) == ["2025-07", "2025-08", "2025-09"]
    assert quarter_of("2025-08", 7) == "2026-Q1"


def test_cycles() -> None:
    assert cycle_months("2026-H2")[0] == "2026-07"
    assert previous_cycle("2026-H1") == "2025-H2"
    assert previous_cycle("2026-H2") == "2026-H1"
    with pytest.raises(ValueError):
        cycle_months("2026-H3")
