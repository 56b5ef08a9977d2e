"""Properties of the gap allocation against a reference written from CONTRACT 6.3 (hypothesis).

The engine finds each group's fill level directly; the reference here repeats the contract's
re-sharing ("what a group cannot place is re-shared by group weight among the groups that still
have room, repeating until all of G is placed or no row has room") and computes every weight from
the rows, so the properties below do not rest on the engine's own intermediate numbers:

- the weights are the contract's (rows and groups, with the all-zero fallbacks);
- locked rows equal their override; with G <= 0 nothing is allocated;
- the group totals before rounding follow the group weights up to the caps (the reference's), and
  so do the rows within a group;
- what is unallocated is exactly what the weighted rows have no room for, and when anything is
  unallocated every weighted row is at its room;
- ``capped`` is true exactly for the rows whose unrounded share reached their room;
- rounding keeps each group within one unit of its share (plus the part below one unit, which one
  group takes), keeps every row within its room and above committed, and sums to the placed amount.

The companies are drawn to have a positive gap in most examples, rows with little room in many, and,
in half of them, identical rows (whose equal remainders are what rounding once over all rows would
hand to one group by the unit).
Calling :func:`~alignment.engine.allocation.allocate` directly costs a few milliseconds, so this
property runs five times the profile's examples; ``--hypothesis-show-statistics`` shows how often a
gap, a cap and an unallocated remainder were reached.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from hypothesis import event, given, settings
from hypothesis import strategies as st

from alignment.engine.allocation import Allocation, allocate
from alignment.params import AllocationParams
from tests.planning_companies import allocation_rows, group_targets

GROUPS = ["A", "B", "C", "D"]
MORE_EXAMPLES = settings(max_examples=5 * settings.default.max_examples)


@st.composite
def cases(draw):
    """(rows, group targets in currency, allocation settings): most with a gap, many with caps."""
    n = draw(st.integers(1, 14))
    rows = []
    for i in range(1, n + 1):
        committed = draw(st.integers(0, 300_000))
        room = draw(st.one_of(st.just(0), st.integers(0, 100_000), st.integers(0, 5_000_000)))
        potential = committed + room if draw(st.integers(0, 7)) else max(committed - room, 0)
        prior = draw(st.one_of(st.just(0), st.integers(0, 1_000_000)))
        override = None
        if draw(st.integers(0, 6)) == 0:
            override = max(committed + draw(st.integers(-50_000, 200_000)), 0) / 100
        rows.append(
            (
                f"C{i:02d}",
                draw(st.sampled_from(["P1", "P2"])),
                draw(st.sampled_from(GROUPS[:3])),
                potential / 100,
                committed / 100,
                prior / 100,
                override,
            )
        )
    if draw(st.booleans()):  # identical rows share their remainders: rounding them once over all rows
        for k in range(draw(st.integers(2, 12))):  # would move their group by as many units
            twin = draw(st.sampled_from(rows))
            rows.append((f"T{k:02d}", *twin[1:]))
    frame = allocation_rows(rows)
    lock_adj = np.where(frame["locked"], frame["override"] - frame["committed"], 0)
    base = (frame["committed"] + lock_adj).groupby(frame["customer_group"]).sum()
    targets = {}
    for g in sorted(set(frame["customer_group"]) | set(draw(st.lists(st.sampled_from(GROUPS), max_size=1)))):
        gap = draw(st.one_of(st.integers(0, 3_000_000), st.integers(-300_000, 0)))
        targets[g] = max(int(base.get(g, 0)) + gap, 0) / 100
    group_method = draw(
        st.sampled_from(
            ["target_gap", "target_gap", "headroom", "potential", "prior_revenue", "equal", "shares"]
        )
    )
    shares = {}
    if group_method == "shares":
        raw = draw(st.lists(st.integers(0, 4), min_size=4, max_size=4).filter(lambda w: sum(w) > 0))
        shares = {g: w / sum(raw) for g, w in zip(GROUPS, raw, strict=True) if w > 0 and g in targets}
        if not shares or abs(sum(shares.values()) - 1.0) > 1e-9:
            shares = {next(iter(targets)): 1.0}
    alloc = {
        "group_method": group_method,
        "group_shares": shares,
        "customer_method": draw(st.sampled_from(["headroom", "potential", "prior_revenue", "equal"])),
        "cap": draw(st.sampled_from(["potential", "potential", "potential", "none"])),
        "rounding": draw(st.sampled_from([0.01, 1.0, 100.0, 250.0, 1000.0])),
        "over_assignment": draw(st.sampled_from([0.0, 0.0, 0.05, 0.1])),
    }
    return frame, targets, alloc


# --------------------------------------------------------------------------- the reference


def half_up(cents: int, factor: float) -> int:
    """cents x factor rounded to the cent, half away from zero, in decimal arithmetic."""
    value = Decimal(cents) * (Decimal(1) + Decimal(str(factor)))
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def refill(amount: float, weight: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Share ``amount`` by weight, none above its room, re-sharing what the full ones cannot take."""
    share = np.zeros(len(weight))
    open_ = (weight > 0) & (room > 0)
    left = float(amount)
    while left > 1e-9 * max(amount, 1.0) and open_.any():
        w = np.where(open_, weight, 0.0)
        offer = left * w / w.sum()
        free = room - share
        full = open_ & (offer >= free)
        if full.any():
            left -= float(free[full].sum())
            share[full] = room[full]
            open_ &= ~full
        else:
            share += offer
            left = 0.0
    return share


class Reference:
    """Weights, gap and unrounded shares computed from the rows as the contract states them."""

    def __init__(self, frame: pd.DataFrame, targets: dict[str, float], alloc: dict):
        self.names = sorted(set(targets) | set(frame["customer_group"]))
        code = pd.Index(self.names).get_indexer(frame["customer_group"])
        locked = frame["locked"].to_numpy()
        unlocked = ~locked
        pot = frame["potential"].to_numpy()
        com = frame["committed"].to_numpy()
        prior = frame["prior_revenue"].to_numpy()
        override = frame["override"].to_numpy()
        oa = alloc["over_assignment"]
        t_cents = {g: round(v * 100) for g, v in targets.items()}
        self.padded = half_up(sum(t_cents.values()), oa)
        lock_adj = np.where(locked, override - com, 0)
        self.gap = self.padded - int(com.sum()) - int(lock_adj.sum())

        raw = {
            "headroom": np.maximum(pot - com, 0),
            "potential": np.maximum(pot, 0),
            "prior_revenue": np.maximum(prior, 0),
            "equal": np.full(len(frame), 100),
        }[alloc["customer_method"]] / 100
        raw = np.where(unlocked, raw, 0.0)
        self.row_weight = raw.copy()
        for g in range(len(self.names)):
            mine = (code == g) & unlocked
            if mine.any() and raw[mine].sum() <= 0:
                self.row_weight[mine] = 1.0

        has_unlocked = np.array([((code == g) & unlocked).any() for g in range(len(self.names))])

        def unlocked_sum(values):
            return np.array([values[(code == g) & unlocked].sum() for g in range(len(self.names))]) / 100

        method = alloc["group_method"]
        if method == "target_gap":
            gaps = [
                half_up(t_cents.get(g, 0), oa) - com[code == i].sum() - lock_adj[code == i].sum()
                for i, g in enumerate(self.names)
            ]
            gw = np.maximum(np.array(gaps, dtype="float64") / 100, 0.0)
        elif method in ("headroom", "potential", "prior_revenue"):
            source = {"headroom": pot - com, "potential": pot, "prior_revenue": prior}[method]
            gw = unlocked_sum(np.maximum(source, 0))
        elif method == "equal":
            gw = np.ones(len(self.names))
        else:
            gw = np.array([alloc["group_shares"].get(g, 0.0) for g in self.names])
        if gw.sum() <= 0:
            gw = has_unlocked.astype("float64")
        self.group_weight = gw

        capped = alloc["cap"] == "potential"
        weighted_row = self.row_weight > 0
        self.row_room = np.where(unlocked, np.maximum(pot - com, 0) if capped else np.inf, 0.0)
        capacity = np.array(
            [
                self.row_room[(code == g) & weighted_row].sum() if ((code == g) & weighted_row).any() else 0.0
                for g in range(len(self.names))
            ]
        )
        self.capacity = capacity
        # the rows that take part: weight > 0 in a group of weight > 0
        self.takes_part = weighted_row & (gw[code] > 0)
        self.group_share = np.zeros(len(self.names))
        self.row_share = np.zeros(len(frame))
        self.code = code
        if self.gap > 0:
            self.group_share = refill(self.gap, gw, capacity)
            for g in range(len(self.names)):
                mine = code == g
                self.row_share[mine] = refill(self.group_share[g], self.row_weight[mine], self.row_room[mine])
        self.placed = round(self.group_share.sum()) if self.gap > 0 else 0


# --------------------------------------------------------------------------- the properties


def run(frame, targets, alloc) -> Allocation:
    t = sum(round(v * 100) for v in targets.values())
    return allocate(frame, group_targets(targets), t, AllocationParams(**alloc))


@MORE_EXAMPLES
@given(cases())
def test_allocation_follows_the_contract(case):
    frame, targets, alloc = case
    result = run(frame, targets, alloc)
    ref = Reference(frame, targets, alloc)
    rows = result.rows
    unit = round(alloc["rounding"] * 100)
    locked = rows["locked"].to_numpy()
    unlocked = ~locked
    committed = rows["committed"].to_numpy()
    potential = rows["potential"].to_numpy()
    allocated = rows["allocated"].to_numpy()
    final = rows["final_quota"].to_numpy()
    capped = rows["capped"].to_numpy()
    unrounded = rows["unrounded"].to_numpy()
    event("gap > 0" if ref.gap > 0 else "gap <= 0")
    event("a row capped" if capped.any() else "no row capped")
    event("unallocated > 0" if result.unallocated > 0 else "nothing unallocated")

    # the weights, T' and the gap are the contract's
    assert np.allclose(rows["weight"].to_numpy(), ref.row_weight, rtol=1e-9, atol=1e-9)
    groups = result.groups.set_index("customer_group").loc[ref.names]
    assert np.allclose(groups["weight"].to_numpy(), ref.group_weight, rtol=1e-9, atol=1e-9)
    assert result.padded_target == ref.padded and result.gap == ref.gap

    # locked rows equal their override
    assert (final[locked] == rows["override"].to_numpy()[locked]).all()
    assert (allocated[locked] == (rows["override"].to_numpy() - committed)[locked]).all()
    assert not capped[locked].any() and (rows["weight"].to_numpy()[locked] == 0).all()

    if ref.gap <= 0:
        assert (allocated[unlocked] == 0).all() and (final[unlocked] == committed[unlocked]).all()
        assert result.placed == 0 and result.unallocated == 0 and not capped.any()
        return

    # what nobody can take: exactly what the weighted rows have no room for
    room_total = ref.capacity[ref.group_weight > 0].sum()
    expected_unallocated = max(ref.gap - room_total, 0) if np.isfinite(room_total) else 0
    assert result.unallocated == expected_unallocated
    assert allocated[unlocked].sum() == ref.gap - expected_unallocated == result.placed
    if result.unallocated > 0:
        at_cap = final == np.maximum(potential, committed)
        assert at_cap[ref.takes_part].all()  # every weighted row is at its room

    # before rounding: groups follow their weights up to the caps, rows theirs within the group
    scale = max(float(ref.gap), 1.0)
    by_group = np.bincount(ref.code, weights=np.nan_to_num(unrounded), minlength=len(ref.names))
    assert np.allclose(by_group, ref.group_share, rtol=0, atol=1e-6 * scale)
    assert np.allclose(np.nan_to_num(unrounded[unlocked]), ref.row_share[unlocked], rtol=0, atol=1e-6 * scale)

    # capped <=> the unrounded share reached the room (rows that take part only)
    room = ref.row_room
    assert (capped == (ref.takes_part & np.isfinite(room) & (np.nan_to_num(unrounded) >= room))).all()
    near = np.abs(ref.row_share - room) <= 1e-6 * scale
    assert (ref.row_share[capped] >= room[capped] - 1e-6 * scale).all()
    assert ((ref.row_share < room) | near)[ref.takes_part & ~capped].all()

    # rounding: within the room, above committed; each group within one unit of its share, plus
    # the part below one unit that one group takes
    assert (final[unlocked] >= committed[unlocked]).all()
    if alloc["cap"] == "potential":
        assert (final[unlocked] <= np.maximum(potential, committed)[unlocked]).all()
    at_room = np.isfinite(room) & (allocated == room)
    off_unit = unlocked & (allocated % unit != 0) & ~at_room
    per_group = np.bincount(ref.code[off_unit], minlength=len(ref.names))
    assert np.maximum(per_group - 1, 0).sum() <= 1  # one row per group, plus the plan's part below a unit
    got = np.zeros(len(ref.names), dtype="int64")
    np.add.at(got, ref.code[unlocked], allocated[unlocked])
    miss = got - ref.group_share
    slack = 1e-6 * scale
    assert (miss > -unit - slack).all()
    assert np.maximum(miss - unit - slack, 0).sum() < unit


def test_the_reference_refills_what_a_full_group_cannot_take():
    # weights 3 : 1, rooms 30 and inf: the first is full at 30, the other takes the other 70
    assert refill(100.0, np.array([3.0, 1.0]), np.array([30.0, np.inf])).tolist() == [30.0, 70.0]
