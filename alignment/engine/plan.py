"""The planning engine: top-down target, bottom-up rollup and gap allocation in one pass.

:func:`build_plan` runs CONTRACT 6.1 (:mod:`alignment.engine.targets`), 6.2 (:mod:`alignment.engine.rollup`)
and 6.3 (:mod:`alignment.engine.allocation`) on a validated data folder and returns a :class:`Plan`
whose tables are the contract's outputs. The engine computes in integer cents and converts money
to currency (``float64``, exact to the cent) only at the end, so the figures add up exactly:
targets.csv sums to T, each cell's channel x month parts sum to the cell's target, the monthly
objectives of a quota sum to the quota, and the final quotas sum to T' when the gap could be placed.

:func:`write_plan_tables` writes the four tables of ``alignment plan``, each atomically, as CSV or
Parquet, into a folder that is new, empty, or one it wrote before (its marker, :data:`PLAN_MARKER`,
lists what it wrote); never into the data folder. Nothing here imports altair.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from alignment import __version__
from alignment.engine.allocation import allocate
from alignment.engine.capacity import owner_capacity, row_capacity
from alignment.engine.rollup import customer_target_cents, rollup_table
from alignment.engine.targets import (
    PriorYear,
    cell_targets,
    line_month_weights,
    phase_by_month,
    prior_revenue_of_pairs,
    prior_year,
    split_targets,
)
from alignment.inputs import Inputs, positions, sales_people
from alignment.ledger import active_rows
from alignment.money import from_cents, to_cents
from alignment.outputs import check_table_format, csv_writer, parquet_writer, write_table
from alignment.ownership import FolderInUse, check_owned, inside, write_owned
from alignment.params import Params

PLAN_COMMAND = "alignment plan"
PLAN_MARKER = ".alignment-plan.json"  # lists the tables ``alignment plan`` wrote into its folder
PLAN_TABLES = ("targets.csv", "rollup.csv", "final_quotas.csv", "monthly_objectives.csv")

TARGETS_COLUMNS = ["customer_group", "product_id", "channel", "month", "target"]
FINAL_QUOTAS_COLUMNS = [
    "customer_id",
    "customer_name",
    "customer_group",
    "region",
    "account_owner",
    "product_id",
    "potential",
    "committed",
    "weight",
    "allocated",
    "final_quota",
    "capped",
    "locked",
]
FINAL_QUOTAS_EXTRA = [
    "product_line",
    "prior_revenue",
    "target",
    "room",
    "fill_level",
    "unrounded",
    "quota_to_potential",
]
MONTHLY_COLUMNS = ["customer_id", "product_id", "month", "objective"]

#: The money columns of each table, written with two decimals.
MONEY = {
    "targets.csv": ("target",),
    "rollup.csv": ("committed", "potential", "prior_revenue", "target"),
    "final_quotas.csv": (
        "potential",
        "committed",
        "weight",
        "allocated",
        "final_quota",
        "prior_revenue",
        "target",
        "room",
        "unrounded",
    ),
    "monthly_objectives.csv": ("objective",),
}


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass(frozen=True)
class Plan:
    """A plan year's targets, rollup, final quotas and monthly objectives (money in currency).

    Attributes
    ----------
    params : Params
    cell_targets : DataFrame
        customer_group, product_id, product_line, prior_revenue, growth, target, then base (prior
        revenue clamped at 0), rule (``default`` or ``rules[i]``, the rule that set the growth) and
        unscaled_target (before ``target.total``).
    targets : DataFrame
        targets.csv: customer_group, product_id, channel, month, target (> 0 only), product_line.
    line_month_shares : DataFrame
        product_line, month, share: the monthly phasing of each product line (sums to 1).
    customer_targets : DataFrame
        customer_id, product_id, customer_group, region, account_owner, prior_revenue, target.
    rollup : DataFrame
        rollup.csv: level, key, committed, potential, prior_revenue, target, then name,
        committed_to_potential, committed_to_target.
    final_quotas : DataFrame
        final_quotas.csv: the contract's columns, then product_line, prior_revenue, target (the
        row's part of the top-down target), room, fill_level (the group's allocation per unit of
        weight before caps and rounding), unrounded (the share before rounding), quota_to_potential.
    monthly_objectives : DataFrame
        customer_id, product_id, month, objective.
    top_down_target, bottom_up_quota, padded_target, gap, placed, unallocated, final_quota_total : float
        T, Q, T', G (negative = surplus), the allocated amount, what nobody could take, and the sum
        of the final quotas.
    group_allocation : DataFrame
        One row per customer group: how its share of the gap was set, placed and rounded.
    """

    params: Params
    cell_targets: pd.DataFrame
    targets: pd.DataFrame
    line_month_shares: pd.DataFrame
    customer_targets: pd.DataFrame
    rollup: pd.DataFrame
    final_quotas: pd.DataFrame
    monthly_objectives: pd.DataFrame
    top_down_target: float
    bottom_up_quota: float
    padded_target: float
    gap: float
    placed: float
    unallocated: float
    final_quota_total: float
    group_allocation: pd.DataFrame = field(default_factory=_empty_frame)

    @property
    def surplus(self) -> float:
        """What the bottom-up quota (with the locked rows) exceeds T' by; 0 when there is a gap."""
        return max(-self.gap, 0.0)

    @property
    def locked_adjustment(self) -> float:
        """The locked rows' final quota minus their committed quota."""
        fq = self.final_quotas
        return float(from_cents(to_cents(fq["allocated"].to_numpy())[fq["locked"].to_numpy()].sum()))

    def headline(self) -> dict[str, float]:
        """The plan's headline figures (CONTRACT 7), plain floats exact to the cent."""
        return {
            "top_down_target": self.top_down_target,
            "bottom_up_quota": self.bottom_up_quota,
            "padded_target": self.padded_target,
            "gap": self.gap,
            "placed": self.placed,
            "unallocated": self.unallocated,
            "final_quota_total": self.final_quota_total,
        }

    def figures(self) -> dict[str, float]:
        """Every named figure of the plan (:data:`alignment.vocabulary.FIGURES`): the headline and its parts."""
        change = float(from_cents(to_cents(self.final_quota_total) - to_cents(self.bottom_up_quota)))
        return {
            **self.headline(),
            "locked_adjustment": self.locked_adjustment,
            "allocated_from_gap": self.placed,
            "change_from_committed": change,
        }


def _take(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values[at]`` as int64, with 0 where ``at`` is -1 (no match)."""
    out = np.zeros(len(at), dtype="int64")
    found = at >= 0
    out[found] = values[at[found]]
    return out


def _in_key_order(first: pd.Series, second: pd.Series) -> bool:
    """Whether the rows are already sorted by (first, second), as text: one pass, where sorting
    hundreds of thousands of ids costs many."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(first) < 2:
        return True
    a, b = pa.array(first.astype("str").array), pa.array(second.astype("str").array)
    if a.null_count or b.null_count:
        return False
    a0, a1, b0, b1 = a[:-1], a[1:], b[:-1], b[1:]
    ordered = pc.or_(pc.less(a0, a1), pc.and_(pc.equal(a0, a1), pc.less_equal(b0, b1)))
    return bool(pc.all(ordered).as_py())


def _plan_rows(inputs: Inputs, pairs: pd.DataFrame, first_month: str | None = None) -> pd.DataFrame:
    """sales_input joined to customers, products, prior-year revenue and overrides; money in cents.

    Only the overrides in force for the plan year that starts in ``first_month`` lock a row
    (:func:`alignment.ledger.active_rows`: not superseded, not expired before that month).

    ``pairs`` comes from :func:`~alignment.engine.targets.prior_revenue_of_pairs` with the positions of
    each pair among the customers and products, so the join is on integers.
    """
    si = inputs.sales_input[["customer_id", "product_id", "potential", "committed"]]
    if not _in_key_order(si["customer_id"], si["product_id"]):
        si = si.sort_values(["customer_id", "product_id"], ignore_index=True)
    else:
        si = si.reset_index(drop=True)
    customers = inputs.customers
    rows = pd.DataFrame({"customer_id": si["customer_id"], "product_id": si["product_id"]})
    at = positions(si["customer_id"], customers["customer_id"])
    if (at < 0).any():
        raise ValueError("sales_input names a customer_id that is not in customers")
    for col in ("customer_name", "customer_group", "region", "account_owner"):
        rows[col] = customers[col].array.take(at)
    product_ids = inputs.products["product_id"]
    product_at = positions(si["product_id"], product_ids)
    if (product_at < 0).any():
        raise ValueError("sales_input names a product_id that is not in products")
    rows["product_line"] = inputs.products["product_line"].array.take(product_at)
    rows["potential"] = to_cents(si["potential"].to_numpy())
    rows["committed"] = to_cents(si["committed"].to_numpy())
    width = max(len(product_ids), 1)
    pair_key = pd.Index(pairs["customer_pos"].to_numpy() * width + pairs["product_pos"].to_numpy())
    rows["prior_revenue"] = _take(
        pairs["prior_revenue"].to_numpy(), pair_key.get_indexer(at * width + product_at)
    )
    ov = active_rows(inputs.overrides, first_month)
    if len(ov):
        key = pd.MultiIndex.from_frame(si[["customer_id", "product_id"]])
        at = pd.MultiIndex.from_frame(ov[["customer_id", "product_id"]]).get_indexer(key)
        override = to_cents(ov["final_quota"].to_numpy())
    else:
        at, override = np.full(len(si), -1), np.zeros(1, dtype="int64")
    rows["locked"] = at >= 0
    rows["override"] = _take(override, at)
    return rows


def _in_currency(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return df.assign(**{c: from_cents(df[c].to_numpy()) for c in columns})


@dataclass(frozen=True)
class TargetStage:
    """What the plan computes before any allocation: it depends only on the data, the fiscal
    year and ``target``, so the scenario explorer re-uses it while only allocation settings move."""

    cells: pd.DataFrame
    weights: pd.DataFrame
    targets: pd.DataFrame
    t_cents: int
    rows: pd.DataFrame
    rollup: pd.DataFrame


_STAGES: dict[int, tuple[weakref.ref, tuple, TargetStage]] = {}
_STAGES_KEPT = 4


def prior_pairs(inputs: Inputs, params: Params) -> tuple[PriorYear, pd.DataFrame]:
    """The prior year's actuals (on integers, in cents) and its net revenue per (customer, product)
    pair, with each pair's positions among the customers and products: what every cell target
    starts from."""
    prior = prior_year(inputs, params.prior_months)
    customer_ids = pd.Index(inputs.customers["customer_id"])
    return prior, prior_revenue_of_pairs(prior, customer_ids, pd.Index(inputs.products["product_id"]))


def target_stage(inputs: Inputs, params: Params) -> TargetStage:
    """The top-down target and the rollup (6.1, 6.2) for ``inputs`` and ``params``, remembered.

    The last few results are kept per ``Inputs`` object (by identity, never past its life) and
    re-used when the fiscal year and the ``target`` parameters are the same. The frames are never
    modified afterwards: callers copy before they add a column.
    """
    key = (params.fiscal_year, params.fiscal_year_start_month, params.target)
    hit = _STAGES.get(id(inputs))
    if hit is not None and hit[0]() is inputs and hit[1] == key:
        return hit[2]
    months = params.months
    prior, pairs = prior_pairs(inputs, params)
    customer_ids = pd.Index(inputs.customers["customer_id"])
    cells = cell_targets(pairs, inputs.sales_input, inputs.customers, inputs.products, params)
    weights = line_month_weights(prior, inputs.products, params)
    targets = split_targets(cells, inputs.channel_strategy, weights, months)
    t_cents = int(cells["target"].sum())

    rows = _plan_rows(inputs, pairs, months[0])
    rows["target"] = customer_target_cents(rows, cells)
    prior_cents = np.zeros(len(customer_ids), dtype="int64")
    known = pairs["customer_pos"].to_numpy() >= 0
    np.add.at(prior_cents, pairs["customer_pos"].to_numpy()[known], pairs["prior_revenue"].to_numpy()[known])
    prior_by_customer = pd.Series(prior_cents, index=customer_ids)
    rollup = rollup_table(rows, cells, inputs.customers, prior_by_customer, sales_people(inputs), t_cents)

    stage = TargetStage(
        cells=cells, weights=weights, targets=targets, t_cents=t_cents, rows=rows, rollup=rollup
    )
    if len(_STAGES) >= _STAGES_KEPT:
        _STAGES.pop(next(iter(_STAGES)))
    _STAGES[id(inputs)] = (weakref.ref(inputs), key, stage)
    return stage


def build_plan(inputs: Inputs, params: Params) -> Plan:
    """Compute the plan year's targets, rollup, final quotas and monthly objectives.

    Parameters
    ----------
    inputs : Inputs
        A validated data folder.
    params : Params
        The run's parameters.

    Returns
    -------
    Plan

    Raises
    ------
    ParamsError
        With ``target.total`` when there is no prior-year revenue to scale.
    """
    months = params.months
    stage = target_stage(inputs, params)
    cells, weights, targets, t_cents = stage.cells, stage.weights, stage.targets, stage.t_cents
    rows, rollup = stage.rows.copy(deep=False), stage.rollup

    if params.allocation.owner_capacity:
        rows["capacity"] = row_capacity(rows, owner_capacity(inputs, params))
    group_targets = cells.groupby("customer_group", sort=True)["target"].sum()
    result = allocate(
        rows,
        group_targets,
        t_cents,
        params.allocation,
        groups=list(inputs.customers["customer_group"].unique()),
    )
    fq = result.rows
    row, month_pos, objective = phase_by_month(
        fq["final_quota"].to_numpy(), fq["product_line"], weights, months
    )
    monthly = pd.DataFrame(
        {
            "customer_id": fq["customer_id"].array.take(row),
            "product_id": fq["product_id"].array.take(row),
            "month": pd.array(months, dtype="str").take(month_pos),
            "objective": from_cents(objective),
        }
    )

    potential = fq["potential"].to_numpy()
    final_quotas = _in_currency(
        fq, ["potential", "committed", "allocated", "final_quota", "prior_revenue", "target"]
    )
    final_quotas["room"] = fq["room"].to_numpy() / 100
    final_quotas["fill_level"] = fq["fill_level"].to_numpy() / 100
    final_quotas["unrounded"] = np.round(fq["unrounded"].to_numpy() / 100, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        final_quotas["quota_to_potential"] = np.where(
            potential > 0, fq["final_quota"].to_numpy() / potential, np.nan
        )
    final_quotas = final_quotas[FINAL_QUOTAS_COLUMNS + FINAL_QUOTAS_EXTRA]

    customer_targets = _in_currency(
        rows[
            [
                "customer_id",
                "product_id",
                "customer_group",
                "region",
                "account_owner",
                "prior_revenue",
                "target",
            ]
        ],
        ["prior_revenue", "target"],
    )
    groups = result.groups.copy()
    for col in (
        "target",
        "padded_target",
        "committed",
        "locked_adjustment",
        "group_gap",
        "headroom",
        "potential",
        "prior_revenue",
        "allocated",
        "final_quota",
    ):
        groups[col] = from_cents(groups[col].to_numpy())
    for col in ("first_share", "capacity", "placed"):  # unrounded shares, shown to the cent
        groups[col] = np.round(groups[col].to_numpy() / 100, 2)
    groups["fill_level"] = groups["fill_level"].to_numpy() / 100

    q_cents = int(rows["committed"].sum())
    final_total = int(fq["final_quota"].sum())
    return Plan(
        params=params,
        cell_targets=_in_currency(cells, ["prior_revenue", "target", "base", "unscaled_target"]),
        targets=_in_currency(targets, ["target"]),
        line_month_shares=weights[["product_line", "month", "share"]],
        customer_targets=customer_targets,
        rollup=_in_currency(rollup, ["committed", "potential", "prior_revenue", "target"]),
        final_quotas=final_quotas,
        monthly_objectives=monthly,
        top_down_target=float(from_cents(t_cents)),
        bottom_up_quota=float(from_cents(q_cents)),
        padded_target=float(from_cents(result.padded_target)),
        gap=float(from_cents(result.gap)),
        placed=float(from_cents(result.placed)),
        unallocated=float(from_cents(result.unallocated)),
        final_quota_total=float(from_cents(final_total)),
        group_allocation=groups,
    )


def check_plan_folder(out_dir: str | Path, data_dir: str | Path) -> None:
    """Refuse a folder ``alignment plan`` may not write into (see :func:`write_plan_tables`).

    Raises
    ------
    FolderInUse
        One line naming the folder and what is in the way.
    """
    if inside(out_dir, data_dir):
        raise FolderInUse(
            f"{PLAN_COMMAND}: --out: {out_dir} is the data folder {data_dir} or inside it: expected a "
            "folder outside the data folder (the workbook never writes into it)"
        )
    check_owned(out_dir, PLAN_MARKER, PLAN_COMMAND, "--out")


def write_plan_tables(
    plan: Plan,
    out_dir: str | Path,
    extra: Mapping[str, Callable[[Path], object]] | None = None,
    table_format: str = "csv",
) -> list[Path]:
    """Write targets, rollup, final_quotas and monthly_objectives, each atomically, as CSV (the default)
    or Parquet (``table_format="parquet"``).

    ``extra`` adds tables (file name: writer of a temporary path) to the same folder and marker, as
    ``alignment plan --replan`` does with the re-plan's tables.

    The folder must be new, empty, or one that this function wrote before (recognised by its
    marker :data:`PLAN_MARKER`, which lists the tables with their sizes and SHA-256), and outside
    the data folder. Re-writing its own folder replaces the tables (and removes its own tables of the
    other format); anything else there is left alone and refused.

    Raises
    ------
    FolderInUse
        If the folder holds anything else, or is (inside) the data folder; nothing is written.
    """
    check_plan_folder(out_dir, plan.params.data_dir)
    fmt = check_table_format(table_format)
    frames = _plan_frames(plan)
    if fmt == "csv":
        writers = {name: csv_writer(frames[name], MONEY[name]) for name in PLAN_TABLES}
        others = [name.replace(".csv", ".parquet") for name in PLAN_TABLES]
    else:
        writers = {
            name.replace(".csv", ".parquet"): parquet_writer(frames[name], MONEY[name])
            for name in PLAN_TABLES
        }
        others = list(PLAN_TABLES)
    return write_owned(
        out_dir,
        PLAN_MARKER,
        PLAN_COMMAND,
        {**writers, **(extra or {})},
        remove=others,
        details={
            "package": {"name": "alignment-workbook", "version": __version__},
            "data_dir": str(plan.params.data_dir),
            "fiscal_year": plan.params.fiscal_year,
        },
    )


def _plan_frames(plan: Plan) -> dict[str, pd.DataFrame]:
    return {
        "targets.csv": plan.targets,
        "rollup.csv": plan.rollup,
        "final_quotas.csv": plan.final_quotas,
        "monthly_objectives.csv": plan.monthly_objectives,
    }


def write_plan_table(
    plan: Plan, name: str, report_dir: str | Path | None, table_format: str | None = None
) -> Path | None:
    """Write one of the plan's tables (``targets.csv``, ``rollup.csv``, ``final_quotas.csv``,
    ``monthly_objectives.csv``) into ``report_dir``; nothing when ``report_dir`` is None.

    The table is CSV unless ``table_format`` (or, without it, the folder's settings, see
    :func:`alignment.outputs.write_table`) asks for Parquet: then it is ``NAME.parquet``.
    """
    if report_dir is None:
        return None
    frames = _plan_frames(plan)
    if name not in frames:
        raise ValueError(f"table {name!r}: expected one of {', '.join(frames)}")
    return write_table(frames[name], Path(report_dir) / name, money=MONEY[name], table_format=table_format)
