"""Gap allocation (CONTRACT 6.3): every method, caps, overrides, rounding, worked out by hand.

Most cases use one five-row company (amounts in currency units, rounding 0.01 so that only the
methods matter):

=====  =====  =========  =========  =====  ========
row    group  potential  committed  prior  headroom
=====  =====  =========  =========  =====  ========
A1 P1  A      1000       400        300    600
A2 P1  A      700        400        100    300
B1 P1  B      2000       1000       1000   1000
B2 P1  B      1000       1000       0      0
C1 P1  C      500        500        0      0
=====  =====  =========  =========  =====  ========

Group targets A 1800, B 2400, C 500: T = 4700, Q = 3300, G = 1400; group gaps A 1000, B 400, C 0.
"""

from __future__ import annotations

import numpy as np
import pytest

from alignment.engine.allocation import (
    allocate,
    padded_target,
    round_allocations,
    round_in_two_steps,
    row_weights,
    water_fill,
)
from alignment.money import to_cents
from alignment.params import AllocationParams
from tests.planning_companies import allocation_rows, group_targets

FIVE = [
    ("A1", "P1", "A", 1000, 400, 300, None),
    ("A2", "P1", "A", 700, 400, 100, None),
    ("B1", "P1", "B", 2000, 1000, 1000, None),
    ("B2", "P1", "B", 1000, 1000, 0, None),
    ("C1", "P1", "C", 500, 500, 0, None),
]
FIVE_TARGETS = {"A": 1800, "B": 2400, "C": 500}


def run(rows=FIVE, targets=FIVE_TARGETS, **alloc):
    settings = {"rounding": 0.01, **alloc}
    frame = allocation_rows(rows)
    t = int(to_cents(sum(targets.values())))
    return allocate(frame, group_targets(targets), t, AllocationParams(**settings))


def allocated(result) -> dict[str, float]:
    rows = result.rows
    return dict(zip(rows["customer_id"], rows["allocated"].to_numpy() / 100, strict=True))


def capped(result) -> set[str]:
    rows = result.rows
    return set(rows.loc[rows["capped"], "customer_id"])


class TestGroupMethods:
    def test_target_gap_fills_a_then_reshares_its_excess_to_b(self):
        # A's share 1000 exceeds its room 900: A full (both rows capped), its 100 goes to B (C weighs 0)
        result = run(group_method="target_gap")
        assert allocated(result) == {"A1": 600.0, "A2": 300.0, "B1": 500.0, "B2": 0.0, "C1": 0.0}
        assert capped(result) == {"A1", "A2"}
        assert result.gap == 140000 and result.placed == 140000 and result.unallocated == 0
        groups = result.groups.set_index("customer_group")
        assert groups.loc["A", "weight"] == 1000.0 and groups.loc["B", "weight"] == 400.0
        assert groups.loc["C", "weight"] == 0.0
        assert round(groups.loc["A", "first_share"]) == 100000  # 1000 / 1400 of the gap, to the cent
        assert groups["allocated"].to_dict() == {"A": 90000, "B": 50000, "C": 0}

    def test_headroom_shares_by_room_and_rounds_the_last_cent_to_the_largest_remainder(self):
        # A 900 : B 1000 of 1400 -> A1 442.105.., A2 221.052.., B1 736.842..; 1 cent left -> A1 (.526)
        result = run(group_method="headroom")
        assert allocated(result) == {"A1": 442.11, "A2": 221.05, "B1": 736.84, "B2": 0.0, "C1": 0.0}
        assert capped(result) == set()

    def test_potential_re_shares_the_group_without_room(self):
        # A 1700 : B 3000 : C 500; C has no room, so A and B share 1400 as 1700 : 3000
        # A 506.38.. -> A1 337.588.., A2 168.794..; B1 893.617..; 2 cents left -> A1 (.865), B1 (.702)
        result = run(group_method="potential")
        assert allocated(result) == {"A1": 337.59, "A2": 168.79, "B1": 893.62, "B2": 0.0, "C1": 0.0}

    def test_prior_revenue_fills_b_exactly(self):
        # A 400 : B 1000 -> B takes its whole room 1000 (capped); A1 266.666.., A2 133.333..
        result = run(group_method="prior_revenue")
        assert allocated(result) == {"A1": 266.67, "A2": 133.33, "B1": 1000.0, "B2": 0.0, "C1": 0.0}
        assert capped(result) == {"B1"}

    def test_equal_gives_each_group_with_room_the_same(self):
        # 1 : 1 : 1, C without room -> A 700, B 700; A1 466.666.., A2 233.333..
        result = run(group_method="equal")
        assert allocated(result) == {"A1": 466.67, "A2": 233.33, "B1": 700.0, "B2": 0.0, "C1": 0.0}

    def test_shares(self):
        # A 0.8, B 0.2: A's 1120 exceeds its room 900, B takes the rest (500)
        result = run(group_method="shares", group_shares={"A": 0.8, "B": 0.2})
        assert allocated(result) == {"A1": 600.0, "A2": 300.0, "B1": 500.0, "B2": 0.0, "C1": 0.0}
        assert capped(result) == {"A1", "A2"}

    def test_shares_leaving_a_group_out_gives_it_nothing(self):
        result = run(group_method="shares", group_shares={"B": 1.0}, cap="none")
        assert allocated(result) == {"A1": 0.0, "A2": 0.0, "B1": 1400.0, "B2": 0.0, "C1": 0.0}


class TestEveryGroupZero:
    def test_equal_split_among_groups_with_unlocked_rows(self):
        rows = [
            ("A1", "P1", "A", 1000, 400, 0, None),
            ("B1", "P1", "B", 1000, 400, 0, None),
            ("L1", "P1", "L", 1000, 400, 0, 500),  # group L has only a locked row
        ]
        # T 2100, Q 1200, locked +100 -> G 800; nobody had prior revenue, so every group weighs 0
        # and the groups with unlocked rows (A, B) weigh 1 each
        result = run(rows=rows, targets={"A": 1000, "B": 600, "L": 500}, group_method="prior_revenue")
        assert result.gap == 80000
        groups = result.groups.set_index("customer_group")
        assert groups["weight"].to_dict() == {"A": 1.0, "B": 1.0, "L": 0.0}
        assert allocated(result) == {"A1": 400.0, "B1": 400.0, "L1": 100.0}


class TestCustomerMethods:
    def test_potential_with_cap_none(self):
        # A 700 by 1000 : 700 -> 411.764.., 288.235..; B 700 by 2000 : 1000 -> 466.666.., 233.333..
        result = run(
            group_method="shares", group_shares={"A": 0.5, "B": 0.5}, customer_method="potential", cap="none"
        )
        assert allocated(result) == {"A1": 411.76, "A2": 288.24, "B1": 466.67, "B2": 233.33, "C1": 0.0}
        weights = dict(zip(result.rows["customer_id"], result.rows["weight"], strict=True))
        assert weights == {"A1": 1000.0, "A2": 700.0, "B1": 2000.0, "B2": 1000.0, "C1": 500.0}

    def test_potential_with_cap_potential_caps_the_row_without_room(self):
        # B2 (room 0) is capped at once; B1 takes B's 700; A as above, 1 cent left -> A2 (.53)
        result = run(group_method="shares", group_shares={"A": 0.5, "B": 0.5}, customer_method="potential")
        assert allocated(result) == {"A1": 411.76, "A2": 288.24, "B1": 700.0, "B2": 0.0, "C1": 0.0}
        assert capped(result) == {"B2"}

    def test_prior_revenue(self):
        # A 700 by 300 : 100 -> 525, 175; B 700 all to B1 (B2 had no prior revenue)
        result = run(
            group_method="shares", group_shares={"A": 0.5, "B": 0.5}, customer_method="prior_revenue"
        )
        assert allocated(result) == {"A1": 525.0, "A2": 175.0, "B1": 700.0, "B2": 0.0, "C1": 0.0}

    def test_equal(self):
        result = run(
            group_method="shares", group_shares={"A": 0.5, "B": 0.5}, customer_method="equal", cap="none"
        )
        assert allocated(result) == {"A1": 350.0, "A2": 350.0, "B1": 350.0, "B2": 350.0, "C1": 0.0}

    def test_a_group_whose_rows_all_weigh_zero_spreads_equally(self):
        # C1's headroom is 0, so its weight becomes 1 (the weight actually used)
        result = run(group_method="shares", group_shares={"C": 1.0}, cap="none")
        rows = result.rows.set_index("customer_id")
        assert rows.loc["C1", "weight"] == 1.0
        assert rows.loc["C1", "allocated"] == 140000
        assert rows.loc["B2", "weight"] == 0.0  # B has a row with headroom, so B2 keeps 0


class TestOverridesOverAssignmentAndRounding:
    ROWS = [
        ("D1", "P1", "D", 1000, 500, 0, None),  # room 500
        ("D2", "P1", "D", 1250, 500, 0, None),  # room 750
        ("D3", "P1", "D", 900, 600, 0, 800),  # locked at 800: +200
        ("E1", "P1", "E", 400, 100, 0, None),  # room 300
    ]
    TARGETS = {"D": 2500, "E": 500}

    def result(self, rounding):
        # T 3000, T' 3300, Q 1700, locked +200 -> G 1400; gaps D 2750 - 1600 - 200 = 950, E 550 - 100 = 450.
        # E's 450 exceeds its room 300: E full, its 150 goes to D -> D 1100 over 500 : 750 -> 440, 660.
        return run(rows=self.ROWS, targets=self.TARGETS, over_assignment=0.1, rounding=rounding)

    def test_locked_row_keeps_its_quota_and_weighs_nothing(self):
        result = self.result(100)
        rows = result.rows.set_index("customer_id")
        assert result.padded_target == 330000 and result.gap == 140000
        assert rows.loc["D3", "final_quota"] == 80000 and rows.loc["D3", "allocated"] == 20000
        assert rows.loc["D3", "weight"] == 0.0 and not rows.loc["D3", "capped"] and rows.loc["D3", "locked"]
        groups = result.groups.set_index("customer_group")
        assert groups.loc["D", "padded_target"] == 275000 and groups.loc["D", "locked_adjustment"] == 20000
        assert groups.loc["D", "weight"] == 950.0 and groups.loc["E", "weight"] == 450.0

    def test_rounding_100(self):
        # 440, 660, 300 -> down 400, 600, 300 (1300); 100 left -> D2 (remainder .6)
        result = self.result(100)
        assert allocated(result) == {"D1": 400.0, "D2": 700.0, "D3": 200.0, "E1": 300.0}
        assert capped(result) == {"E1"}
        assert result.rows["final_quota"].sum() == 330000

    def test_rounding_250_gives_the_sub_unit_part_to_the_largest_allocation_with_room(self):
        # units of 250: 440 -> 250 (.76), 660 -> 500 (.64), 300 -> 250 (.2); 400 left.
        # D1 steps to 500 (250 <= 400); D2's step (250) does not fit the 150 left.
        # The 150 goes to the largest rounded allocation with room for it: D1 and D2 tie at 500,
        # D1 is full, so D2 -> 650.
        result = self.result(250)
        assert allocated(result) == {"D1": 500.0, "D2": 650.0, "D3": 200.0, "E1": 250.0}
        assert result.rows["final_quota"].sum() == 330000

    def test_rounding_200_rounds_the_groups_first_then_lets_a_row_take_its_room_exactly(self):
        # units of 200. Groups first: D 1100 -> 1000 (.5), E 300 -> 200 (.5), 200 left; the tie goes
        # to D, which sorts first: D 1200, E 200 (its step of 100, to its room, no longer fits).
        # Rows of D to 1200: 440 -> 400 (.2), 660 -> 600 (.3), 200 left. D2 first: its step is its
        # room, 150 (to 750); D1's step 100 does not fit the 50 left, which goes to the largest
        # rounded allocation with room: D2 is full, so D1 400 -> 450.
        result = self.result(200)
        assert allocated(result) == {"D1": 450.0, "D2": 750.0, "D3": 200.0, "E1": 200.0}
        groups = result.groups.set_index("customer_group")
        assert groups["allocated"].to_dict() == {"D": 120000, "E": 20000}


class TestSurplusAndUnallocated:
    def test_surplus_allocates_nothing(self):
        result = run(targets={"A": 500, "B": 1000, "C": 500})  # T 2000 < Q 3300
        assert result.gap == -130000 and result.placed == 0 and result.unallocated == 0
        assert set(allocated(result).values()) == {0.0}
        assert (result.rows["final_quota"] == result.rows["committed"]).all()
        assert not result.rows["capped"].any()

    def test_what_nobody_can_take_is_unallocated(self):
        rows = [("F1", "P1", "F", 600, 500, 0, None), ("F2", "P1", "F", 300, 200, 0, None)]
        result = run(rows=rows, targets={"F": 1500}, rounding=100)
        assert result.gap == 80000 and result.placed == 20000 and result.unallocated == 60000
        assert allocated(result) == {"F1": 100.0, "F2": 100.0}
        assert capped(result) == {"F1", "F2"}

    def test_a_group_of_weight_zero_takes_nothing_even_with_room(self):
        # H's committed covers its target (weight 0); F is full: the rest is unallocated
        rows = [("F1", "P1", "F", 600, 500, 0, None), ("H1", "P1", "H", 5000, 1000, 0, None)]
        result = run(rows=rows, targets={"F": 1000, "H": 1000}, rounding=100)
        assert result.gap == 50000
        assert allocated(result) == {"F1": 100.0, "H1": 0.0}
        assert result.unallocated == 40000

    def test_cap_none_places_everything(self):
        rows = [("F1", "P1", "F", 600, 500, 0, None), ("F2", "P1", "F", 300, 200, 0, None)]
        result = run(rows=rows, targets={"F": 1500}, rounding=100, cap="none")
        assert result.unallocated == 0 and result.rows["allocated"].sum() == 80000
        assert allocated(result) == {"F1": 400.0, "F2": 400.0}
        assert result.rows["room"].isna().all()


class TestTwoStepRounding:
    """Groups are rounded first, then the rows within each group (CONTRACT 6.3)."""

    # group A: five rows of 60 (A places 300), group B: five rows of 40 (B places 200); rounding 100.
    # Rounding once over all rows would give A's five rows (remainder .6) every unit: A 500, B 0.
    ROWS = [(f"A{i}", "P1", "A", 0, 0, 0, None) for i in range(1, 6)] + [
        (f"B{i}", "P1", "B", 0, 0, 0, None) for i in range(1, 6)
    ]

    def result(self):
        return run(
            rows=self.ROWS,
            targets={"A": 300, "B": 200},
            group_method="shares",
            group_shares={"A": 0.6, "B": 0.4},
            customer_method="equal",
            cap="none",
            rounding=100,
        )

    def test_each_group_keeps_its_share_then_its_rows_are_rounded(self):
        # A 300 -> its rows 60 each, all remainders .6: the first three (by customer_id) take 100.
        # B 200 -> rows 40 each: the first two take 100.
        result = self.result()
        assert result.gap == 50000
        assert result.groups.set_index("customer_group")["allocated"].to_dict() == {"A": 30000, "B": 20000}
        assert allocated(result) == {
            "A1": 100.0,
            "A2": 100.0,
            "A3": 100.0,
            "A4": 0.0,
            "A5": 0.0,
            "B1": 100.0,
            "B2": 100.0,
            "B3": 0.0,
            "B4": 0.0,
            "B5": 0.0,
        }

    def test_unrounded_shares_are_kept(self):
        rows = self.result().rows.set_index("customer_id")
        assert (rows.loc[["A1", "A5"], "unrounded"] == 6000.0).all()
        assert (rows.loc[["B1", "B5"], "unrounded"] == 4000.0).all()

    def test_a_group_rounded_by_largest_remainder_across_groups(self):
        # groups 1250 (.25), 1480 (.8), 1270 (.7) of 4000, unit 100: 1200, 1400, 1200 down, 200 due:
        # one unit each to the remainders .8 and .7
        out, groups = round_in_two_steps(
            np.array([125000.0, 148000.0, 127000.0]),
            np.full(3, np.inf),
            np.array([0, 1, 2]),
            np.array([125000.0, 148000.0, 127000.0]),
            np.full(3, np.inf),
            400000,
            10000,
        )
        assert groups.tolist() == [120000, 150000, 130000]
        assert out.tolist() == [120000, 150000, 130000]

    def test_a_group_never_takes_more_than_its_rows_can_and_passes_the_rest_on(self):
        # units of 100: A places 250 and can take 250 (down 200, .5: its step is 50, to its room);
        # B 130 (down 100, .3), C 120 (down 100, .2). One unit is due: A takes 50 of it and the
        # other 50 goes to B, the next largest remainder.
        out, groups = round_in_two_steps(
            np.array([250.0, 130.0, 120.0]),
            np.array([250.0, np.inf, np.inf]),
            np.array([0, 1, 2]),
            np.array([250.0, 130.0, 120.0]),
            np.array([250.0, np.inf, np.inf]),
            500,
            100,
        )
        assert groups.tolist() == [250, 150, 100]
        assert out.tolist() == [250, 150, 100]

    def test_the_part_below_one_unit_goes_to_the_largest_rounded_allocation_with_room(self):
        # groups A (rows 400, 225.50) and B (row 425) of 1050.50, unit 100: A 625.50 -> 600 (.255),
        # B 425 -> 400 (.25); 50.50 is due, less than a unit. A's rows 400, 200; B's row 400.
        # The 50.50 goes to the largest rounded allocation: A1 and B1 tie at 400, A1 sorts first.
        out, groups = round_in_two_steps(
            np.array([40000.0, 22550.0, 42500.0]),
            np.full(3, np.inf),
            np.array([0, 0, 1]),
            np.array([62550.0, 42500.0]),
            np.full(2, np.inf),
            105050,
            10000,
        )
        assert groups.tolist() == [60000, 40000]
        assert out.tolist() == [45050, 20000, 40000]

    def test_the_part_below_one_unit_skips_a_row_without_room(self):
        # as above, with A1 at its room (400): the part goes to B1, the next largest allocation
        out, _ = round_in_two_steps(
            np.array([40000.0, 22550.0, 42500.0]),
            np.array([40000.0, np.inf, np.inf]),
            np.array([0, 0, 1]),
            np.array([62550.0, 42500.0]),
            np.array([np.inf, np.inf]),
            105050,
            10000,
        )
        assert out.tolist() == [40000, 20000, 45050]

    def test_a_row_without_a_share_takes_no_part(self):
        # 50 below one unit of 100: both rounded allocations are 0 and the first row sorts first,
        # but it had no share (weight 0), so the second row takes the part
        out = round_allocations(np.array([0.0, 50.0]), np.full(2, np.inf), 50, 100)
        assert out.tolist() == [0, 50]


class TestPieces:
    def test_padded_target_rounds_half_a_cent_up(self):
        assert padded_target(100005, 0.05) == 105005  # 1050.0525 -> 1050.05
        assert padded_target(10, 0.05) == 11  # 10.5 cents -> 11
        assert padded_target(123456, 0.0) == 123456

    def test_water_fill_levels(self):
        share, level = water_fill(
            np.array([1400.0]),
            np.array([1000.0, 400.0, 0.0]),
            np.array([900.0, 1000.0, 0.0]),
            np.zeros(3, dtype="int64"),
            1,
        )
        assert share.tolist() == [900.0, 500.0, 0.0]
        assert level[0] == pytest.approx(1.25)

    def test_water_fill_full_group_level_is_where_every_item_is_full(self):
        share, level = water_fill(
            np.array([50.0, 10.0]),
            np.array([1.0, 1.0, 2.0]),
            np.array([10.0, 20.0, 30.0]),
            np.array([0, 0, 1]),
            2,
        )
        assert share.tolist() == [10.0, 20.0, 10.0]
        assert level.tolist() == [20.0, 5.0]

    def test_round_allocations_sum_exactly(self):
        out = round_allocations(np.array([33.3, 33.3, 33.4]), np.array([np.inf] * 3), 100, 10)
        assert out.tolist() == [30, 30, 40]  # 30 30 30, 10 left -> the largest remainder (.34)

    def test_round_allocations_tie_goes_to_the_earlier_row(self):
        out = round_allocations(np.array([15.0, 15.0]), np.array([np.inf, np.inf]), 30, 10)
        assert out.tolist() == [20, 10]

    def test_row_weights_locked_rows_weigh_zero(self):
        frame = allocation_rows([("A1", "P1", "A", 100, 0, 0, 50), ("A2", "P1", "A", 100, 0, 0, None)])
        w = row_weights(frame, "headroom", np.zeros(2, dtype="int64"), 1)
        assert w.tolist() == [0.0, 100.0]

    def test_unknown_method(self):
        frame = allocation_rows([("A1", "P1", "A", 100, 0, 0, None)])
        with pytest.raises(ValueError, match="customer_method"):
            row_weights(frame, "guess", np.zeros(1, dtype="int64"), 1)
