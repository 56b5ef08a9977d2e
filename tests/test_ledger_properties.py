"""Properties of the overrides ledger and of the lock effects over random small companies (hypothesis).

Whatever the company and the parameters: rows that are superseded or expired before the plan year
change nothing in the plan; each lock's ``without_lock`` is the row's quota in a plan made without
that override, and the plan without overrides is the plan made from a file without any (both made
through :func:`build_plan`, not the shortcut the lock effects take).
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment.engine.lock_effects import lock_effects
from tests.planning_companies import make_inputs
from tests.test_plan_properties import c, companies, plan_of
from tests.test_plan_properties import settings as plan_settings

KEYS = ["customer_id", "product_id"]


def with_history(company: dict, history: list[tuple]) -> dict:
    rows = [{"customer_id": cid, "product_id": pid, "final_quota": q} for cid, pid, q in company["overrides"]]
    rows += [
        {"customer_id": cid, "product_id": pid, "final_quota": q, **more} for cid, pid, q, more in history
    ]
    return {**company, "overrides": rows}


@settings(max_examples=20)
@given(company=companies(), setting=plan_settings(), data=st.data())
def test_history_rows_change_nothing(company, setting, data) -> None:
    pairs = [(c_, p) for c_, p, *_ in company["sales_input"]]
    history = [
        (
            *data.draw(st.sampled_from(pairs)),
            data.draw(st.integers(0, 2_000_000)) / 100,
            data.draw(st.sampled_from([{"superseded_on": "2025-06-01"}, {"expires": "2023-12"}])),
        )
        for _ in range(data.draw(st.integers(1, 3)))
    ]
    plain = plan_of(company, setting)
    kept = plan_of(with_history(company, history), setting)
    pd.testing.assert_frame_equal(plain.final_quotas, kept.final_quotas)


@settings(max_examples=20)
@given(company=companies(), setting=plan_settings())
def test_lock_effects_match_plans_made_without_the_locks(company, setting) -> None:
    plan = plan_of(company, setting)
    inputs = make_inputs(**company)
    effects = lock_effects(plan, inputs)
    assert effects.active == len(company["overrides"])
    for lock in effects.overrides.itertuples(index=False):
        rest = [o for o in company["overrides"] if (o[0], o[1]) != (lock.customer_id, lock.product_id)]
        without = plan_of({**company, "overrides": rest}, setting).final_quotas.set_index(KEYS)
        assert c(lock.without_lock) == c(without.loc[(lock.customer_id, lock.product_id), "final_quota"])
    bare = plan_of({**company, "overrides": []}, setting).final_quotas
    by_owner = bare.assign(x=c(bare["final_quota"])).groupby("account_owner")["x"].sum()
    table = effects.without_overrides["account_owner"].set_index("key")
    for owner, cents in by_owner.items():
        assert c(table.loc[owner, "without_overrides"]) == cents
    total = c(plan.final_quotas["final_quota"]).sum() - c(bare["final_quota"]).sum()
    locked = plan.final_quotas["locked"].to_numpy()
    assert c(table["change"]).sum() == total
    assert c(effects.net_effect) == (
        c(plan.final_quotas["final_quota"])[locked].sum() - c(bare["final_quota"])[locked].sum()
    )
