"""What each locked quota did to everyone else: the rows that moved because of an override.

Locking a row at a quota sales chose changes the gap the other rows share (CONTRACT 6.3), so
other rows move to keep the total at T'. This module makes that visible:

- for every override in force, the plan is made again with that one row unlocked; every row whose
  final quota differs is a row that moved because of the lock, and the difference (with the lock
  minus without it) is what it gained or gave up;
- the plan without any override, beside the plan with them, by account owner and customer group.

Moves are exact integer cents. When everything is placed both ways the moves of one lock sum to 0:
what the locked row gained the others gave up (``unallocated`` can absorb part of it when caps
bind). A lock also shifts which rows take the rounding units, so rows can move by a unit or two
without having room issues; those are moves too.

The plans are made with the engine's own allocation on the cached target stage, so each variant
costs one allocation, not a whole plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignment.engine.allocation import allocate
from alignment.engine.plan import Plan, target_stage
from alignment.inputs import Inputs
from alignment.ledger import LEDGER_COLUMNS, active_rows
from alignment.money import from_cents, to_cents
from alignment.params import Params

KEYS = ["customer_id", "product_id"]


@dataclass(frozen=True)
class LockEffects:
    """The effect of the overrides in force on a plan (money in currency, exact to the cent).

    Attributes
    ----------
    overrides : DataFrame
        One row per override in force: customer_id, product_id, customer_name, account_owner,
        customer_group, committed, final_quota (the lock), without_lock (the row's quota had it not
        been locked), change (final_quota - without_lock), rows_moved (other rows that moved),
        given_up (what the other rows gave up, >= 0 when they gave), reason, changed_by,
        changed_on, expires.
    moves : DataFrame
        Every row that moved because of a lock: lock_customer_id, lock_product_id, customer_id,
        product_id, customer_name, account_owner, customer_group, without_lock, with_lock, change.
    by_owner, by_group : DataFrame
        The moves summed per lock and account owner (or customer group), locked rows left out:
        lock_customer_id, lock_product_id, account_owner (customer_group), rows, change.
    without_overrides : dict of DataFrame
        ``account_owner`` and ``customer_group``: key, name (owners), without_overrides,
        with_overrides, change.
    net_effect : float
        What the locked rows together gained over the plan without any override (the others gave
        it up, or it went unallocated).
    """

    overrides: pd.DataFrame
    moves: pd.DataFrame
    by_owner: pd.DataFrame
    by_group: pd.DataFrame
    without_overrides: dict[str, pd.DataFrame]
    net_effect: float

    @property
    def active(self) -> int:
        """How many overrides are in force."""
        return len(self.overrides)

    def headline(self) -> dict[str, float | int]:
        """``overrides_active`` and ``overrides_net_effect`` for the index."""
        return {"overrides_active": self.active, "overrides_net_effect": self.net_effect}


def _final_cents(inputs: Inputs, params: Params, unlock: np.ndarray | None) -> np.ndarray:
    """Each row's final quota in cents (rows in key order), with the rows in ``unlock`` unlocked."""
    stage = target_stage(inputs, params)
    rows = stage.rows.copy(deep=False)
    if unlock is not None:
        rows["locked"] = rows["locked"].to_numpy() & ~unlock
        rows["override"] = np.where(rows["locked"].to_numpy(), rows["override"].to_numpy(), 0)
    group_targets = stage.cells.groupby("customer_group", sort=True)["target"].sum()
    result = allocate(
        rows,
        group_targets,
        stage.t_cents,
        params.allocation,
        groups=list(inputs.customers["customer_group"].unique()),
    )
    out = result.rows.set_index(KEYS)["final_quota"].reindex(pd.MultiIndex.from_frame(rows[KEYS]))
    return out.to_numpy(dtype="int64")


def lock_effects(plan: Plan, inputs: Inputs) -> LockEffects:
    """The effect of each override in force on ``plan`` (made from ``inputs`` and ``plan.params``)."""
    params = plan.params
    stage = target_stage(inputs, params)
    rows = stage.rows
    keys = pd.MultiIndex.from_frame(rows[KEYS])
    fq = plan.final_quotas.set_index(KEYS).reindex(keys)
    with_all = to_cents(fq["final_quota"].to_numpy())
    locked = rows["locked"].to_numpy(dtype=bool)
    info = active_rows(inputs.overrides, params.months[0])
    info = info.set_index(KEYS).reindex(columns=list(LEDGER_COLUMNS)).fillna("")

    lock_rows, moves = [], []
    for i in np.flatnonzero(locked):
        unlock = np.zeros(len(rows), dtype=bool)
        unlock[i] = True
        without = _final_cents(inputs, params, unlock)
        change = with_all - without
        moved = np.flatnonzero(change != 0)
        others = moved[moved != i]
        key = keys[i]
        extra = info.loc[key] if key in info.index else pd.Series("", index=list(LEDGER_COLUMNS))
        lock_rows.append(
            {
                "customer_id": key[0],
                "product_id": key[1],
                "customer_name": fq["customer_name"].iloc[i],
                "account_owner": fq["account_owner"].iloc[i],
                "customer_group": fq["customer_group"].iloc[i],
                "committed": int(to_cents(fq["committed"].iloc[i])),
                "final_quota": int(with_all[i]),
                "without_lock": int(without[i]),
                "change": int(change[i]),
                "rows_moved": len(others),
                "given_up": int(-change[others].sum()),
                **{c: str(extra.get(c, "")) for c in ("reason", "changed_by", "changed_on", "expires")},
            }
        )
        for j in moved:
            moves.append(
                {
                    "lock_customer_id": key[0],
                    "lock_product_id": key[1],
                    "customer_id": keys[j][0],
                    "product_id": keys[j][1],
                    "customer_name": fq["customer_name"].iloc[j],
                    "account_owner": fq["account_owner"].iloc[j],
                    "customer_group": fq["customer_group"].iloc[j],
                    "without_lock": int(without[j]),
                    "with_lock": int(with_all[j]),
                    "change": int(change[j]),
                    "is_lock": bool(j == i),
                }
            )
    overrides = pd.DataFrame(
        lock_rows,
        columns=[
            "customer_id",
            "product_id",
            "customer_name",
            "account_owner",
            "customer_group",
            "committed",
            "final_quota",
            "without_lock",
            "change",
            "rows_moved",
            "given_up",
            "reason",
            "changed_by",
            "changed_on",
            "expires",
        ],
    )
    move_cols = [
        "lock_customer_id",
        "lock_product_id",
        "customer_id",
        "product_id",
        "customer_name",
        "account_owner",
        "customer_group",
        "without_lock",
        "with_lock",
        "change",
        "is_lock",
    ]
    moves_df = pd.DataFrame(moves, columns=move_cols)
    others = moves_df.loc[~moves_df["is_lock"].astype(bool)]
    by = {}
    for level in ("account_owner", "customer_group"):
        grouped = others.groupby(["lock_customer_id", "lock_product_id", level], sort=True)
        by[level] = grouped.agg(rows=("change", "size"), change=("change", "sum")).reset_index()

    none_locked = _final_cents(inputs, params, locked.copy())
    names = inputs.people.set_index("person_id")["name"]
    compare = {}
    for level in ("account_owner", "customer_group"):
        table = pd.DataFrame(
            {"key": fq[level].to_numpy(), "without_overrides": none_locked, "with_overrides": with_all}
        )
        table = table.groupby("key", sort=True).sum().reset_index()
        table["change"] = table["with_overrides"] - table["without_overrides"]
        if level == "account_owner":
            table.insert(1, "name", table["key"].map(names).fillna("").astype("str"))
        compare[level] = _money(table, ["without_overrides", "with_overrides", "change"])

    net = int((with_all[locked] - none_locked[locked]).sum())
    return LockEffects(
        overrides=_money(overrides, ["committed", "final_quota", "without_lock", "change", "given_up"]),
        moves=_money(moves_df, ["without_lock", "with_lock", "change"]).drop(columns="is_lock"),
        by_owner=_money(by["account_owner"], ["change"]),
        by_group=_money(by["customer_group"], ["change"]),
        without_overrides=compare,
        net_effect=float(from_cents(net)),
    )


def _money(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return df.assign(**{c: from_cents(df[c].to_numpy(dtype="int64")) for c in columns})


__all__ = ["LockEffects", "lock_effects"]
