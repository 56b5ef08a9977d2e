"""Allocating the gap between the top-down target and the bottom-up quota (CONTRACT 6.3).

T' = T x (1 + over_assignment), rounded to the cent. Rows in ``overrides`` are locked at their
final quota. The gap G = T' - Q - (the locked rows' final_quota - committed) is shared among the
customer groups by ``group_method``, then within each group among its unlocked (customer, product)
rows by ``customer_method``. With ``cap: potential`` no row takes more than its room
(max(potential, committed) - committed): a water-filling gives each group's rows
min(room, fill_level x weight), and what a group cannot place is re-shared by group weight among the
groups that still have room. The placed amount is then rounded in two steps, so that the split
among the groups holds: first each group's amount, to multiples of ``rounding`` by largest
remainder across the groups, then the rows within each group, so that they sum to their group's
rounded amount exactly.

Every amount here is integer cents (weights and the unrounded shares are floats). Planning rules
where the contract is silent:

- The groups are every customer group of the customers, of the cells and of ``sales_input``. A
  group without unlocked rows (or whose rows have no room) places nothing: its share is re-shared.
- Weights are clamped at 0 row by row before a group's weights are summed (``headroom``,
  ``potential``, ``prior_revenue``); ``target_gap`` clamps the group's own gap.
- A row or group of weight 0 takes nothing, even when the groups or rows with weight are full:
  re-sharing "by weight" gives it nothing, and what the weighted ones cannot take is reported as
  unallocated. The exceptions are the contract's: if every group weighs 0 the groups with unlocked
  rows weigh 1 each, and a group whose rows all weigh 0 gives each of its rows weight 1.
- The repeated re-sharing converges to one fill level per group, found directly: the groups' placed
  amounts are min(capacity_g, mu x weight_g) with a single mu, and within a group the rows' shares
  are min(room, fill_level x weight). A group (or row) is full when its capacity (room) is reached.
- ``capped`` is true for a row whose unrounded share reached its room, when the row and its group
  both have weight > 0 (so it was meant to take part of the gap) and a gap was allocated (G > 0).
  A row already at its potential in a group that was to take part of the gap is capped (its part
  went to others); one in a group of weight 0 is not.
- Rounding, step 1 (groups): each group that took part of the gap first takes its placed amount
  rounded down to a multiple of ``rounding``, never above its capacity (its weighted rows' room,
  rounded down to a multiple of the unit). The whole units still due then go one each to the groups
  with the largest remainders (ties to the group that sorts first). A group whose capacity is less
  than a unit away takes its capacity exactly, and what it cannot take of its unit goes to the group
  with the next largest remainder.
- Rounding, step 2 (rows): within each group, the rows that took part take their unrounded shares
  rounded down to a multiple of the unit (never above their room), then one more step each in
  order of their remainders (ties to the row that sorts first by customer_id, product_id) as long as
  the steps fit in the group's rounded amount. A step is one unit, or less where the row's room is
  not a multiple of the unit (the row then takes its room exactly). What is left below one unit in
  the group goes whole to its row with the largest rounded allocation that still has room for it
  (ties as above), so that the rows sum to the group's rounded amount exactly.
- The part of the placed amount below one unit, which step 1 leaves, goes whole to the row with the
  largest rounded allocation over all groups that still has room for it (ties as above); where no
  single row has room for it, it is split over the rows in that order. Each group's allocated total
  is thus within one unit of its placed amount, plus that part for the one group that receives it.
  Rows and groups of weight 0 take nothing in either step.
- With G <= 0 nothing is allocated: every unlocked row's final quota is its committed quota, and
  the surplus -G is reported. The weights shown are still those the method would use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignment.engine.rollup import sorted_keys
from alignment.inputs import positions
from alignment.money import scale_cents
from alignment.params import AllocationParams

ROW_KEYS = ["customer_id", "product_id"]


@dataclass(frozen=True)
class Allocation:
    """The allocation's outcome, in cents.

    Attributes
    ----------
    rows : DataFrame
        The input rows plus weight, room, fill_level, unrounded, allocated, final_quota, capped.
    groups : DataFrame
        One row per customer group: target, padded_target, committed, locked_adjustment, group_gap,
        weight, first_share, capacity, placed, fill_level, allocated, final_quota, rows,
        unlocked_rows, capped_rows.
    padded_target, gap, placed, unallocated : int
        T', G, the placed amount and what nobody could take.
    """

    rows: pd.DataFrame
    groups: pd.DataFrame
    padded_target: int
    gap: int
    placed: int
    unallocated: int


def padded_target(top_down_cents: int, over_assignment: float) -> int:
    """T' = T x (1 + over_assignment), rounded to the cent."""
    return int(scale_cents(np.array([top_down_cents]), 1.0 + over_assignment)[0])


def row_weights(rows: pd.DataFrame, method: str, group_code: np.ndarray, n_groups: int) -> np.ndarray:
    """Each row's weight within its group (0 for locked rows), with the all-zero fallback to 1.

    ``rows`` has potential, committed, prior_revenue (cents) and locked. Money weights are returned
    in currency units, so the fallback weight 1 reads as one currency unit or one row alike.
    """
    unlocked = ~rows["locked"].to_numpy()
    potential = rows["potential"].to_numpy().astype("float64") / 100
    committed = rows["committed"].to_numpy().astype("float64") / 100
    if method == "headroom":
        raw = np.maximum(potential - committed, 0.0)
    elif method == "potential":
        raw = np.maximum(potential, 0.0)
    elif method == "prior_revenue":
        raw = np.maximum(rows["prior_revenue"].to_numpy().astype("float64") / 100, 0.0)
    elif method == "equal":
        raw = np.ones(len(rows))
    else:
        raise ValueError(f"customer_method {method!r}: expected headroom, potential, prior_revenue or equal")
    raw = np.where(unlocked, raw, 0.0)
    group_sum = np.bincount(group_code, weights=raw, minlength=n_groups)
    return np.where(unlocked & (group_sum[group_code] <= 0), 1.0, raw)


def group_weights(groups: pd.DataFrame, method: str, shares: dict[str, float]) -> np.ndarray:
    """Each customer group's weight for sharing the gap (before the all-zero fallback).

    ``groups`` has customer_group, group_gap and the unlocked rows' sums headroom, potential,
    prior_revenue (cents). Money weights are returned in currency units.
    """
    if method == "target_gap":
        return np.maximum(groups["group_gap"].to_numpy().astype("float64") / 100, 0.0)
    if method in ("headroom", "potential", "prior_revenue"):
        return groups[method].to_numpy().astype("float64") / 100
    if method == "equal":
        return np.ones(len(groups))
    if method == "shares":
        return groups["customer_group"].map(shares).fillna(0.0).to_numpy(dtype="float64")
    raise ValueError(
        f"group_method {method!r}: expected one of target_gap, headroom, potential, "
        "prior_revenue, equal, shares"
    )


def water_fill(
    amount: np.ndarray, weight: np.ndarray, room: np.ndarray, group: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Fill each group's amount into its items in proportion to weight, none above its room.

    Item i of group g takes min(room_i, level_g x weight_i), where level_g is the one fill level at
    which the group's items take exactly its amount (or, when the amount is at least the group's
    capacity, the level at which every item is full). Items of weight 0 take nothing.

    Parameters
    ----------
    amount : array of float, one per group
    weight, room : arrays of float, one per item (room may be ``inf``)
    group : array of int, one per item, codes 0 .. n_groups - 1
    n_groups : int

    Returns
    -------
    (share, level)
        Each item's share (exactly its room where it is full) and each group's fill level (NaN for
        a group without items of weight > 0).
    """
    amount = np.asarray(amount, dtype="float64")
    weight = np.asarray(weight, dtype="float64")
    room = np.asarray(room, dtype="float64")
    group = np.asarray(group, dtype="int64")
    share = np.zeros(len(weight))
    level = np.full(n_groups, np.nan)
    idx = np.flatnonzero(weight > 0)
    if len(idx) == 0:
        return share, level
    g, w, r = group[idx], weight[idx], room[idx]
    ratio = r / w
    order = np.lexsort((idx, ratio, g))
    g, w, r, ratio, idx = g[order], w[order], r[order], ratio[order], idx[order]
    finite_r = np.where(np.isinf(r), 0.0, r)
    w_before = pd.Series(w).groupby(g, sort=False).cumsum().to_numpy() - w
    r_before = pd.Series(finite_r).groupby(g, sort=False).cumsum().to_numpy() - finite_r
    w_total = np.bincount(g, weights=w, minlength=n_groups)
    w_rest = w_total[g] - w_before
    has_items = np.bincount(g, minlength=n_groups) > 0
    capacity = np.bincount(g, weights=r, minlength=n_groups)  # inf where any room is inf
    full = has_items & (amount >= capacity)
    with np.errstate(invalid="ignore"):
        placed_at = r_before + ratio * w_rest
    reach = placed_at >= amount[g]
    position = np.arange(len(g))
    first = np.full(n_groups, len(g))
    np.minimum.at(first, g[reach], position[reach])
    open_groups = has_items & ~full & (first < len(g))
    j = first[open_groups]
    level[open_groups] = (amount[open_groups] - r_before[j]) / w_rest[j]
    max_ratio = np.full(n_groups, -np.inf)
    np.maximum.at(max_ratio, g, ratio)
    level[full] = max_ratio[full]
    lv = level[g]
    at_room = np.isfinite(r) & (ratio <= lv)
    share[idx] = np.where(at_room, r, np.minimum(r, lv * w))
    return share, level


def _round_down_and_step(
    x: np.ndarray, room: np.ndarray, total: int, unit: int, takes_part: np.ndarray, pass_on: bool
) -> tuple[np.ndarray, int]:
    """Largest remainder: round down to multiples of ``unit`` within the room, then one step each.

    Items must be in key order (ties go to the earlier item). The items then take one more step in
    order of their remainders (largest first); a step is one unit, or the item's room where that is
    less than a unit away. With ``pass_on`` the whole units still due are handed out so, and what an
    item cannot take of its unit goes on to the item with the next largest remainder; without it,
    the steps are taken as long as they fit in what is left. Returns each item's rounded amount and
    what is left of ``total`` (below one unit where the items' rooms allow).
    """
    n = len(x)
    finite = np.isfinite(room)
    room_int = np.where(finite, room, 0.0).astype("int64")
    lower = (np.floor(x / unit).astype("int64") * unit).clip(min=0)
    lower = np.where(finite, np.minimum(lower, (room_int // unit) * unit), lower)
    lower = np.where(takes_part, lower, 0)
    remainder = np.round(x / unit - lower / unit, 9)
    step = np.where(finite, np.minimum(unit, room_int - lower), unit)
    step = np.where(takes_part, step, 0)
    due = int(total - lower.sum())
    if due < 0:
        raise ArithmeticError(f"rounding: the rounded-down shares exceed the amount by {-due} cents")
    order = np.lexsort((np.arange(n), -remainder))
    ordered_step = step[order]
    after = np.cumsum(ordered_step)
    bump = np.zeros(n, dtype="int64")
    if pass_on:
        bump[order] = np.clip((due // unit) * unit - (after - ordered_step), 0, ordered_step)
    else:
        bump[order] = np.where(after <= due, ordered_step, 0)
    return lower + bump, due - int(bump.sum())


def _give_rest(out: np.ndarray, room: np.ndarray, left: int, takes_part: np.ndarray) -> np.ndarray:
    """Give ``left`` cents to the largest rounded allocation that still has room for it.

    Ties go to the earlier row. Only rows that take part are considered, other rows only when
    those have no room; where no single row has room for all of it, it is split over the rows in
    that order (largest allocation first).
    """
    out = out.copy()
    free = room - out
    for pool in (takes_part, np.ones(len(out), dtype=bool)):
        whole = np.flatnonzero(pool & (free >= left))
        if len(whole):
            out[whole[np.lexsort((whole, -out[whole]))[0]]] += left
            return out
        some = np.flatnonzero(pool & (free > 0))
        for i in some[np.lexsort((some, -out[some]))]:
            take = int(min(left, free[i]))
            out[i] += take
            left -= take
            if left == 0:
                return out
    raise ArithmeticError(f"rounding: {left} cents left that no row has room for")


def round_allocations(unrounded: np.ndarray, room: np.ndarray, placed: int, unit: int) -> np.ndarray:
    """Round shares to multiples of ``unit`` so that they sum to ``placed`` exactly (one set of rows).

    Largest remainder over the rows, which must be in key order (ties go to the earlier row); a
    step never takes a row above its room, and the part below one unit goes to the largest rounded
    allocation that took part and still has room for it (see the module notes). Rows with a share
    of 0 take no step.

    Parameters
    ----------
    unrounded : array of float
        Each row's share in cents, 0 <= share <= room.
    room : array of float
        Each row's room in cents (``inf`` without a cap).
    placed : int
        The amount to hand out, in cents; at most the sum of the rooms of the rows with a share.
    unit : int
        The rounding unit in cents (> 0).
    """
    n = len(unrounded)
    if n == 0 or placed <= 0:
        return np.zeros(n, dtype="int64")
    x = np.asarray(unrounded, dtype="float64")
    room = np.asarray(room, dtype="float64")
    takes_part = x > 0
    out, left = _round_down_and_step(x, room, placed, unit, takes_part, pass_on=False)
    return _give_rest(out, room, left, takes_part) if left > 0 else out


def round_in_two_steps(
    unrounded: np.ndarray,
    room: np.ndarray,
    group: np.ndarray,
    group_placed: np.ndarray,
    group_capacity: np.ndarray,
    placed: int,
    unit: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Round the placed amount among the groups first, then among each group's rows (CONTRACT 6.3).

    Parameters
    ----------
    unrounded : array of float
        Each row's share in cents (rows in key order: customer_id, product_id).
    room : array of float
        Each row's room in cents (``inf`` without a cap; 0 for locked rows).
    group : array of int
        Each row's group code, 0 .. n_groups - 1 (groups in key order).
    group_placed : array of float
        Each group's unrounded amount in cents (the sum of its rows' shares).
    group_capacity : array of float
        What each group's rows can take in cents (``inf`` without a cap).
    placed : int
        The amount to hand out, in cents.
    unit : int
        The rounding unit in cents (> 0).

    Returns
    -------
    (allocated, group_rounded)
        Each row's rounded allocation (summing to ``placed``) and each group's rounded amount
        before the part below one unit was given to a row.
    """
    n_groups = len(group_placed)
    allocated = np.zeros(len(unrounded), dtype="int64")
    if placed <= 0 or len(unrounded) == 0:
        return allocated, np.zeros(n_groups, dtype="int64")
    x = np.asarray(unrounded, dtype="float64")
    room = np.asarray(room, dtype="float64")
    group = np.asarray(group, dtype="int64")
    g_placed = np.asarray(group_placed, dtype="float64")
    g_room = np.asarray(group_capacity, dtype="float64")
    g_room = np.where(np.isfinite(g_room), np.floor(g_room + 1e-6), g_room)
    g_rounded, left = _round_down_and_step(g_placed, g_room, placed, unit, g_placed > 0, pass_on=True)
    by_group = np.argsort(group, kind="stable")  # each group's rows, still in key order
    rows_of = np.split(by_group, np.searchsorted(group[by_group], np.arange(1, n_groups)))
    for g in np.flatnonzero(g_rounded > 0):
        idx = rows_of[g]
        allocated[idx] = round_allocations(x[idx], room[idx], int(g_rounded[g]), unit)
    if left > 0:
        allocated = _give_rest(allocated, room, left, x > 0)
    return allocated, g_rounded


def allocate(
    rows: pd.DataFrame,
    group_targets: pd.Series,
    top_down_cents: int,
    alloc: AllocationParams,
    groups: list[str] | None = None,
) -> Allocation:
    """Allocate the gap among customer groups and their customers' products.

    Parameters
    ----------
    rows : DataFrame
        One row per (customer_id, product_id) of ``sales_input``, sorted by customer_id, product_id,
        with customer_group, potential, committed, prior_revenue (cents), locked (bool) and
        override (cents; the locked final quota, 0 where not locked); optionally capacity (the
        account owner's capacity, 0 .. 1, which multiplies the row's weight).
    group_targets : Series
        T_g in cents, indexed by customer_group (the sum of the group's cell targets).
    top_down_cents : int
        T.
    alloc : AllocationParams
        The ``allocation`` parameters.
    groups : list of str, optional
        Customer groups to show even without rows (all customer groups of the data).

    Returns
    -------
    Allocation
    """
    names = list(
        sorted_keys(
            pd.Series(list(groups or ()), dtype="str"),
            group_targets.index.to_series(),
            rows["customer_group"],
        )
    )
    n_groups = len(names)
    code = positions(rows["customer_group"], pd.Index(names, dtype="str"))
    locked = rows["locked"].to_numpy(dtype=bool)
    unlocked = ~locked
    potential = rows["potential"].to_numpy().astype("int64")
    committed = rows["committed"].to_numpy().astype("int64")
    prior = rows["prior_revenue"].to_numpy().astype("int64")
    override = rows["override"].to_numpy().astype("int64")
    lock_adj = np.where(locked, override - committed, 0)

    t_padded = padded_target(top_down_cents, alloc.over_assignment)
    q = int(committed.sum())
    gap = t_padded - q - int(lock_adj.sum())

    def by_group(values: np.ndarray) -> np.ndarray:
        return np.bincount(code, weights=values, minlength=n_groups)

    def int_by_group(values: np.ndarray) -> np.ndarray:
        out = np.zeros(n_groups, dtype="int64")
        np.add.at(out, code, values.astype("int64"))
        return out

    t_g = group_targets.reindex(names, fill_value=0).to_numpy().astype("int64")
    t_g_padded = scale_cents(t_g, 1.0 + alloc.over_assignment)
    q_g = int_by_group(committed)
    l_g = int_by_group(lock_adj)
    headroom = np.maximum(potential - committed, 0)
    group_columns = {
        "customer_group": pd.Series(names, dtype="str"),
        "target": t_g,
        "padded_target": t_g_padded,
        "committed": q_g,
        "locked_adjustment": l_g,
        "group_gap": t_g_padded - q_g - l_g,
        "headroom": int_by_group(np.where(unlocked, headroom, 0)),
        "potential": int_by_group(np.where(unlocked, np.maximum(potential, 0), 0)),
        "prior_revenue": int_by_group(np.where(unlocked, np.maximum(prior, 0), 0)),
        "rows": np.bincount(code, minlength=n_groups),
        "unlocked_rows": np.bincount(code, weights=unlocked, minlength=n_groups).astype("int64"),
    }
    table = pd.DataFrame(group_columns)

    weight = row_weights(rows, alloc.customer_method, code, n_groups)
    if "capacity" in rows.columns:  # allocation.owner_capacity: the owner's capacity scales the weight
        weight = weight * rows["capacity"].to_numpy(dtype="float64")
    capped_by_potential = alloc.cap == "potential"
    room_int = np.maximum(np.maximum(potential, committed) - committed, 0)
    room = np.where(unlocked, room_int.astype("float64") if capped_by_potential else np.inf, 0.0)
    active = weight > 0
    capacity = np.where(
        capped_by_potential,
        by_group(np.where(active, room, 0.0)),
        np.where(by_group(active.astype("float64")) > 0, np.inf, 0.0),
    )
    g_weight = group_weights(table, alloc.group_method, alloc.group_shares)
    if g_weight.sum() <= 0:
        g_weight = (table["unlocked_rows"].to_numpy() > 0).astype("float64")

    unrounded = np.zeros(len(rows))
    level = np.full(n_groups, np.nan)
    g_placed = np.zeros(n_groups)
    placed = 0
    if gap > 0:
        g_placed, _ = water_fill(np.array([float(gap)]), g_weight, capacity, np.zeros(n_groups, "int64"), 1)
        unrounded, level = water_fill(g_placed, weight, room, code, n_groups)
        weighted = g_weight > 0
        if capped_by_potential:
            cap_int = int_by_group(np.where(active, room_int, 0))
            placed = int(min(gap, int(cap_int[weighted].sum())))
        else:
            placed = gap if np.isinf(capacity[weighted]).any() else 0
    unit = round(alloc.rounding * 100)
    allocated, _ = round_in_two_steps(unrounded, room, code, g_placed, capacity, placed, unit)
    allocated = np.where(locked, lock_adj, allocated)
    final_quota = np.where(locked, override, committed + allocated)
    capped = active & (g_weight[code] > 0) & np.isfinite(room) & (unrounded >= room) & (gap > 0)

    added = {
        "weight": weight,
        "room": room_int if capped_by_potential else np.full(len(rows), np.nan),
        "fill_level": np.where(unlocked & (gap > 0), level[code], np.nan),
        "unrounded": np.where(locked, np.nan, unrounded),
        "allocated": allocated.astype("int64"),
        "final_quota": final_quota.astype("int64"),
        "capped": capped,
        "locked": locked,
    }
    # one new frame rather than a column at a time: the explorer's grid allocates hundreds of times
    columns = [*rows.columns, *(c for c in added if c not in rows.columns)]
    out = pd.DataFrame({**{c: rows[c] for c in rows.columns}, **added}, index=rows.index, columns=columns)

    w_total = g_weight.sum()
    table = pd.DataFrame(
        {
            **group_columns,
            "weight": g_weight,
            "first_share": g_weight / w_total * gap if gap > 0 and w_total > 0 else np.zeros(n_groups),
            "capacity": capacity,
            "placed": g_placed,
            "fill_level": level if gap > 0 else np.full(n_groups, np.nan),
            "allocated": int_by_group(np.where(unlocked, allocated, 0)),
            "final_quota": int_by_group(final_quota),
            "capped_rows": np.bincount(code, weights=capped, minlength=n_groups).astype("int64"),
        }
    )
    return Allocation(
        rows=out,
        groups=table,
        padded_target=t_padded,
        gap=gap,
        placed=placed,
        unallocated=gap - placed if gap > 0 else 0,
    )
