"""Work split into threads on large tables gives what the same work gives in one piece."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alignment import inputs, outputs
from alignment.inputs import make_actuals_keys, positions
from alignment.outputs import write_csv


def _actuals(rows: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    customers = pd.DataFrame({"customer_id": pd.Series([f"C{i:04d}" for i in range(500)], dtype="str")})
    products = pd.DataFrame({"product_id": pd.Series(["P1", "P2", "P3"], dtype="str")})
    ids = np.array([f"C{i:04d}" for i in range(520)])  # 20 ids that customers does not list
    actuals = pd.DataFrame(
        {
            "month": pd.Series(rng.choice(["2025-01", "2025-02", "2026-01"], rows), dtype="str"),
            "customer_id": pd.Series(rng.choice(ids, rows), dtype="str"),
            "product_id": pd.Series(rng.choice(["P1", "P2", "P3", "P9"], rows), dtype="str"),
        }
    )
    return actuals, customers, products


@pytest.mark.parametrize("threads_from", [10, 10**9])
def test_actuals_keys_are_the_same_made_in_threads_or_not(threads_from: int, monkeypatch) -> None:
    actuals, customers, products = _actuals(1001)
    monkeypatch.setattr(inputs, "_ROWS_WORTH_THREADS", threads_from)
    keys = make_actuals_keys(actuals, customers, products)
    expected_customer = [
        customers["customer_id"].tolist().index(c) if c < "C0500" else -1 for c in actuals["customer_id"]
    ]
    assert keys.customer_pos.tolist() == expected_customer
    assert keys.product_pos.tolist() == positions(actuals["product_id"], products["product_id"]).tolist()
    assert (keys.product_pos == -1).sum() == (actuals["product_id"] == "P9").sum() > 0
    assert [keys.months[c] for c in keys.month_code] == actuals["month"].tolist()


def test_a_table_formatted_in_threads_is_written_byte_for_byte_the_same(tmp_path: Path, monkeypatch) -> None:
    actuals, _, _ = _actuals(3000)
    df = actuals.assign(
        amount=np.arange(3000) / 8 - 100, share=np.arange(3000) / 7, flag=np.arange(3000) % 3 == 0
    )
    monkeypatch.setattr(outputs, "_CELLS_WORTH_THREADS", 10**12)
    alone = write_csv(df, tmp_path / "alone.csv", money=["amount"]).read_bytes()
    monkeypatch.setattr(outputs, "_CELLS_WORTH_THREADS", 1)
    assert write_csv(df, tmp_path / "threads.csv", money=["amount"]).read_bytes() == alone
    assert alone.count(b"\n") == 3001
