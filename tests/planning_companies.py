"""Small companies for the planning tests, with their plans worked out by hand.

:func:`make_inputs` builds a typed :class:`~alignment.inputs.Inputs` bundle directly from rows
(ids as ``str``, money as ``float64``), so a test states only the rows that matter.
:data:`HAND` is a four-customer company whose targets, rollup and final quotas are worked out in
:func:`hand_expected`'s docstring; :func:`allocation_rows` builds the rows that
:func:`alignment.engine.allocation.allocate` takes, for the method-by-method known answers.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alignment.inputs import SPECS, Inputs
from alignment.money import to_cents
from alignment.params import AllocationParams, GrowthRule, Params, TargetParams


def frame(stem: str, rows: list[tuple] | list[dict]) -> pd.DataFrame:
    """A typed input table: the file's columns, text as ``str``, money as ``float64``."""
    if not len(rows):
        return _empty_frame(stem).copy()
    return _typed_frame(stem, rows)


@cache
def _empty_frame(stem: str) -> pd.DataFrame:
    """The input's table without rows, built once: every plan of the property tests asks for a dozen
    (an input a company leaves empty), and building one takes longer than copying it."""
    return _typed_frame(stem, [])


def _typed_frame(stem: str, rows: list[tuple] | list[dict]) -> pd.DataFrame:
    spec = SPECS[stem]
    cols = list(spec.columns) + list(spec.optional)
    if rows and not isinstance(rows[0], dict):  # tuples may leave out the optional columns
        df = pd.DataFrame(rows, columns=cols[: len(rows[0])])
    else:
        df = pd.DataFrame(rows)
    df = df.reindex(columns=cols)
    out = {}
    for c in cols:
        if c in spec.money:
            out[c] = to_cents(df[c].astype("float64").to_numpy()) / 100
        elif c == "share":
            out[c] = df[c].astype("float64")
        elif c == "importance":
            out[c] = df[c].astype("Int64")
        else:
            out[c] = df[c].astype("object").where(df[c].notna(), "").astype("str")
    return pd.DataFrame(out, columns=cols)


def make_inputs(
    *,
    customers: list[tuple],
    products: list[tuple],
    channel_strategy: list[tuple],
    actuals: list[tuple],
    sales_input: list[tuple],
    overrides: list[tuple] = (),
    people: list[tuple] | None = None,
) -> Inputs:
    """An Inputs bundle from rows; people default to every account owner (function sales)."""
    if people is None:
        owners = sorted({c[4] for c in customers})
        people = [(o, f"Rep {o}", "sales", "Sales") for o in owners]
    tables: dict[str, Any] = {stem: frame(stem, []) for stem in SPECS}
    tables.update(
        customers=frame("customers", customers),
        products=frame("products", products),
        people=frame("people", people),
        channel_strategy=frame("channel_strategy", channel_strategy),
        actuals=frame("actuals", actuals),
        sales_input=frame("sales_input", sales_input),
        overrides=frame("overrides", list(overrides)),
    )
    return Inputs(data_dir=Path("."), **tables)


def params(**changes: Any) -> Params:
    """FY2026 on the calendar year, with ``target`` / ``allocation`` given as keyword dicts."""
    target = dict(changes.pop("target", {}))
    allocation = dict(changes.pop("allocation", {}))
    rules = tuple(GrowthRule(**r) for r in target.pop("rules", ()))
    return Params(
        data_dir=Path("."),
        target=TargetParams(rules=rules, **target),
        allocation=AllocationParams(**allocation),
        **changes,
    )


# --------------------------------------------------------------------------- the hand-computed company

HAND: dict[str, list[tuple]] = {
    "customers": [
        ("C1", "Alpha", "G1", "North", "S1"),
        ("C2", "Beta", "G1", "South", "S2"),
        ("C3", "Gamma", "G2", "North", "S1"),
        ("C4", "Delta", "G2", "South", "S2"),
    ],
    "products": [("P1", "Widget", "L1"), ("P2", "Gadget", "L2")],
    "people": [
        ("S1", "Sam", "sales", "North"),
        ("S2", "Ana", "sales", "South"),
        ("S3", "New Rep", "sales", "South"),
        ("M1", "Lea", "marketing", "Marketing"),
    ],
    "channel_strategy": [("P1", "Direct", 0.6), ("P1", "Online", 0.4), ("P2", "Partner", 1.0)],
    "actuals": [
        ("2024-12", "C1", "P1", "Direct", 5000.0),  # before the prior year: ignored
        ("2025-01", "C1", "P1", "Direct", 600.0),
        ("2025-07", "C1", "P1", "Online", 400.0),
        ("2025-03", "C2", "P1", "Direct", 1000.0),
        ("2025-02", "C3", "P2", "Partner", 2000.0),
        ("2025-02", "C4", "P2", "Partner", -100.0),  # a credit
        ("2025-05", "C4", "P2", "Partner", 600.0),
        ("2026-01", "C3", "P2", "Partner", 700.0),  # the plan year: ignored
    ],
    "sales_input": [
        ("C1", "P1", 2000.0, 1500.0),
        ("C2", "P1", 1800.0, 1000.0),
        ("C2", "P2", 500.0, 0.0),
        ("C3", "P2", 3000.0, 1500.0),
        ("C4", "P2", 800.0, 900.0),  # committed above potential
    ],
}
HAND_TARGET = {
    "growth": 0.10,
    "rules": [{"customer_group": "G2", "growth": 0.20}, {"product_id": "P1", "growth": 0.5}],
}


def hand_inputs(**changes: list[tuple]) -> Inputs:
    """The hand-computed company, with tables replaced by ``changes``."""
    return make_inputs(**{**HAND, **changes})


def hand_expected() -> dict[str, Any]:
    """The hand-computed company's plan (FY2026, growth rules of :data:`HAND_TARGET`, rounding 100).

    Cells (prior year 2025 only): (G1, P1) = C1 1000 + C2 1000 = 2000, growth 0.5 (rule 2, P1)
    -> 3000; (G2, P2) = C3 2000 + C4 (600 - 100) = 2500, growth 0.2 (rule 1, G2) -> 3000;
    (G1, P2) only in sales_input, base 0 -> 0. T = 6000.

    Seasonal shares: L1 = Jan 600, Mar 1000, Jul 400 of 2000; L2 = Feb 1900, May 600 of 2500.
    (G1, P1) 3000 -> Direct 1800 (Jan 540, Mar 900, Jul 360), Online 1200 (Jan 360, Mar 600,
    Jul 240); (G2, P2) 3000 -> Partner (Feb 2280, May 720).

    Customer targets: (G1, P1) by prior revenue 1000:1000 -> C1 1500, C2 1500; (G2, P2) by 2000:500
    -> C3 2400, C4 600; C2 P2 0.

    Allocation (target_gap, headroom, cap potential, rounding 100): Q = 4900, G = 1100. Group gaps
    G1 3000 - 2500 = 500, G2 3000 - 2400 = 600. G1 rows by headroom 500 : 800 : 500 ->
    138.89, 222.22, 138.89; G2: C3 P2 (headroom 1500) takes 600, C4 P2 has none (weight 0).
    Rounded down: 100, 200, 100, 600 = 1000; the 100 left goes to the largest remainder, a tie
    between C1 P1 and C2 P2 (0.3889 each) won by C1 P1, which sorts first.
    """
    return {
        "T": 6000.0,
        "Q": 4900.0,
        "G": 1100.0,
        "cells": {("G1", "P1"): 3000.0, ("G1", "P2"): 0.0, ("G2", "P2"): 3000.0},
        "growth": {("G1", "P1"): 0.5, ("G1", "P2"): 0.1, ("G2", "P2"): 0.2},
        "targets": [
            ("G1", "P1", "Direct", "2026-01", 540.0),
            ("G1", "P1", "Direct", "2026-03", 900.0),
            ("G1", "P1", "Direct", "2026-07", 360.0),
            ("G1", "P1", "Online", "2026-01", 360.0),
            ("G1", "P1", "Online", "2026-03", 600.0),
            ("G1", "P1", "Online", "2026-07", 240.0),
            ("G2", "P2", "Partner", "2026-02", 2280.0),
            ("G2", "P2", "Partner", "2026-05", 720.0),
        ],
        "customer_targets": {
            ("C1", "P1"): 1500.0,
            ("C2", "P1"): 1500.0,
            ("C2", "P2"): 0.0,
            ("C3", "P2"): 2400.0,
            ("C4", "P2"): 600.0,
        },
        "rollup": [
            ("total", "total", 4900.0, 8100.0, 4500.0, 6000.0),
            ("customer_group", "G1", 2500.0, 4300.0, 2000.0, 3000.0),
            ("customer_group", "G2", 2400.0, 3800.0, 2500.0, 3000.0),
            ("region", "North", 3000.0, 5000.0, 3000.0, 3900.0),
            ("region", "South", 1900.0, 3100.0, 1500.0, 2100.0),
            ("account_owner", "S1", 3000.0, 5000.0, 3000.0, 3900.0),
            ("account_owner", "S2", 1900.0, 3100.0, 1500.0, 2100.0),
            ("account_owner", "S3", 0.0, 0.0, 0.0, 0.0),
        ],
        "allocated": {
            ("C1", "P1"): 200.0,
            ("C2", "P1"): 200.0,
            ("C2", "P2"): 100.0,
            ("C3", "P2"): 600.0,
            ("C4", "P2"): 0.0,
        },
        "weight": {
            ("C1", "P1"): 500.0,
            ("C2", "P1"): 800.0,
            ("C2", "P2"): 500.0,
            ("C3", "P2"): 1500.0,
            ("C4", "P2"): 0.0,
        },
    }


# --------------------------------------------------------------------------- allocation rows


def allocation_rows(rows: list[tuple]) -> pd.DataFrame:
    """Rows for :func:`alignment.engine.allocation.allocate` from (customer_id, product_id, group, potential,
    committed, prior_revenue, override or None), money in currency; sorted by customer_id, product_id."""
    df = pd.DataFrame(
        rows,
        columns=[
            "customer_id",
            "product_id",
            "customer_group",
            "potential",
            "committed",
            "prior_revenue",
            "override",
        ],
    )
    locked = df["override"].notna().to_numpy()
    out = pd.DataFrame(
        {
            "customer_id": df["customer_id"].astype("str"),
            "product_id": df["product_id"].astype("str"),
            "customer_group": df["customer_group"].astype("str"),
            "potential": to_cents(df["potential"].astype("float64").to_numpy()),
            "committed": to_cents(df["committed"].astype("float64").to_numpy()),
            "prior_revenue": to_cents(df["prior_revenue"].astype("float64").to_numpy()),
            "locked": locked,
            "override": np.where(locked, to_cents(df["override"].fillna(0).astype("float64").to_numpy()), 0),
        }
    )
    return out.sort_values(["customer_id", "product_id"], ignore_index=True)


def group_targets(targets: dict[str, float]) -> pd.Series:
    """T_g in cents from currency."""
    return pd.Series({g: int(to_cents(v)) for g, v in targets.items()}, dtype="int64")
