"""The sample company tells one story: its celebration, report card and action plan agree with each other.

Each rule is a plain function over the input tables (read as text) that returns what breaks it, so that a
failing test names the win, person or rating. The rules hold on the shipped sample and on ``alignment sample``
at any size and seed.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment.fiscal import quarter_months
from alignment.practices.report_card import cycles_analysed, graded_ratings, item_scores
from alignment.sample import STEMS, write_sample

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
FUNCTIONS = ("marketing", "sales")
# A cycle's action named in a win's text: "the 2025-H2 action “Make lead follow-up status mandatory”".
ACTION_REF = re.compile(r"(\d{4}-H[12]) action \u201c([^\u201d]+)\u201d")
SAYS_DONE = re.compile(r"\b(is|was) (done|completed)\b", re.IGNORECASE)
SAYS_JOINT = re.compile(r"\b(joint|together|both)\b", re.IGNORECASE)
# Words whose tone a grade must not contradict: praise never with a C or F, complaint never with an A.
PRAISE = ("excellent", "exactly what we need", "big improvement", "keep it up", "great")
COMPLAINT = ("poor", "not happening", "no change", "late", "hard to find", "missing", "never")


def read(folder: Path) -> dict[str, pd.DataFrame]:
    return {stem: pd.read_csv(folder / f"{stem}.csv", dtype=str, keep_default_na=False) for stem in STEMS}


def members(win: pd.Series) -> list[str]:
    return [m.strip() for m in win["member_ids"].split(";") if m.strip()]


def cents(text: str) -> int:
    whole, _, frac = text.lstrip("-").partition(".")
    value = int(whole) * 100 + int((frac + "00")[:2])
    return -value if text.startswith("-") else value


# --------------------------------------------------------------------------- the rules


def people_without_a_role(t: dict[str, pd.DataFrame]) -> list[str]:
    """Win members who are not a person of ``people`` with the function marketing or sales."""
    function = dict(zip(t["people"]["person_id"], t["people"]["function"], strict=True))
    return [
        f"{win['title']}: {m}"
        for _, win in t["wins"].iterrows()
        for m in members(win)
        if function.get(m) not in FUNCTIONS
    ]


def sellers_without_sales(t: dict[str, pd.DataFrame]) -> list[str]:
    """Sales people credited in a win with a revenue impact who own no account with quota and sales that quarter.

    A rep is credited for sales when a win they are on moved revenue; they must own accounts whose committed quota
    is above zero and whose net bookings in the win's quarter are above zero.
    """
    people, customers = t["people"], t["customers"]
    reps = set(people.loc[people["function"] == "sales", "person_id"])
    owner = dict(zip(customers["customer_id"], customers["account_owner"], strict=True))
    sales_input = t["sales_input"]
    quota = (
        pd.Series([cents(c) for c in sales_input["committed"]])
        .groupby(sales_input["customer_id"].map(owner).to_numpy())
        .sum()
    )
    actuals = t["actuals"]
    revenue = pd.Series([cents(r) for r in actuals["revenue"]])
    out = []
    for _, win in t["wins"].iterrows():
        if cents(win["revenue_impact"]) == 0:
            continue
        in_quarter = actuals["month"].isin(quarter_months(win["quarter"], 1)).to_numpy()
        booked = (
            revenue[in_quarter].groupby(actuals.loc[in_quarter, "customer_id"].map(owner).to_numpy()).sum()
        )
        for m in members(win):
            if m in reps and not (quota.get(m, 0) > 0 and booked.get(m, 0) > 0):
                out.append(f"{win['quarter']} {win['title']}: {m}")
    return out


def named_actions(win: pd.Series, actions: pd.DataFrame) -> pd.DataFrame:
    """The action-plan rows a win names: the cycle's action it cites, else the latest row of an action it quotes.

    A win names an action when its title or lesson holds the action's text; "the 2025-H2 action “...”" names that
    cycle's row, otherwise the latest cycle that had begun by the quarter's end is meant.
    """
    text = f"{win['title']} {win['lesson']}"
    cited = {(cycle, action) for cycle, action in ACTION_REF.findall(text)}
    quarter_end = quarter_months(win["quarter"], 1)[-1]
    rows = []
    for action in sorted(set(actions["action"])):
        if action.casefold() not in text.casefold():
            continue
        same = actions[actions["action"] == action]
        explicit = same[[(c, action) in cited for c in same["cycle"]]]
        if len(explicit):
            rows.append(explicit)
            continue
        started = same[same["cycle"].map(cycle_start) <= quarter_end]
        rows.append(started[started["cycle"] == started["cycle"].max()])
    return pd.concat(rows) if rows else actions.iloc[:0]


def cycle_start(cycle: str) -> str:
    return f"{cycle[:4]}-{'01' if cycle.endswith('H1') else '07'}"


def promises_claimed_but_open(t: dict[str, pd.DataFrame]) -> list[str]:
    """Wins that credit an action as completed (a success naming it, or "is done") whose status is not done."""
    out = []
    for _, win in t["wins"].iterrows():
        claims = win["kind"] == "success" or SAYS_DONE.search(f"{win['title']} {win['lesson']}")
        if not claims:
            continue
        named = named_actions(win, t["action_items"])
        out += [
            f"{win['title']}: {r.cycle} {r.action} is {r.status}"
            for r in named.itertuples()
            if r.status != "done"
        ]
    return out


def need_grades(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each need's letter grade per cycle, as page 04 shows it (cycle, need_id, grade)."""
    ratings, needs = t["report_card_ratings"], t["report_card_needs"]
    if ratings.empty:
        return pd.DataFrame({"cycle": [], "need_id": [], "grade": []}, dtype="str")
    graded = graded_ratings(needs, ratings, t["people"])
    scores = item_scores(graded, needs, cycles_analysed(ratings, max(ratings["cycle"])))
    return scores[["cycle", "need_id", "grade"]]


def shortcomings_on_kept_promises(t: dict[str, pd.DataFrame]) -> list[str]:
    """Shortcomings that name an action which is done and whose need the other side now grades A.

    "Now" is the latest half-year with ratings that had begun by the end of the shortcoming's quarter.
    """
    grades = need_grades(t)
    out = []
    for _, win in t["wins"][t["wins"]["kind"] == "shortcoming"].iterrows():
        quarter_end = quarter_months(win["quarter"], 1)[-1]
        graded = grades[grades["cycle"].map(cycle_start) <= quarter_end]
        now = graded[graded["cycle"] == graded["cycle"].max()].set_index("need_id")["grade"]
        for r in named_actions(win, t["action_items"]).itertuples():
            if r.status == "done" and now.get(r.need_id) == "A":
                out.append(f"{win['title']}: {r.cycle} {r.action} is done and graded A")
    return out


def comments_against_their_grade(t: dict[str, pd.DataFrame]) -> list[str]:
    """Ratings whose comment praises a C or F, or complains of an A."""
    out = []
    for r in t["report_card_ratings"].itertuples():
        grade, comment = r.grade.upper(), r.comment.casefold()
        if (grade in ("C", "F") and any(w in comment for w in PRAISE)) or (
            grade == "A" and any(w in comment for w in COMPLAINT)
        ):
            out.append(f"{r.cycle} {r.rater_id} {r.need_id}: {r.grade} with {r.comment!r}")
    return out


def joint_wins_of_one_function(t: dict[str, pd.DataFrame]) -> list[str]:
    """Wins told as joint work ("joint", "together", "both") whose team lacks marketing or sales."""
    function = dict(zip(t["people"]["person_id"], t["people"]["function"], strict=True))
    return [
        f"{win['quarter']} {win['title']}"
        for _, win in t["wins"].iterrows()
        if SAYS_JOINT.search(f"{win['title']} {win['lesson']}")
        and {function.get(m) for m in members(win)} != set(FUNCTIONS)
    ]


RULES = (
    people_without_a_role,
    sellers_without_sales,
    promises_claimed_but_open,
    shortcomings_on_kept_promises,
    comments_against_their_grade,
    joint_wins_of_one_function,
)


def broken(t: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    found = {rule.__name__: rule(t) for rule in RULES}
    return {name: items for name, items in found.items() if items}


# --------------------------------------------------------------------------- on the shipped sample


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return read(SAMPLE_DIR)


def test_the_shipped_sample_keeps_every_rule(sample: dict[str, pd.DataFrame]) -> None:
    assert broken(sample) == {}


def test_the_celebrated_quarter_credits_a_kept_promise_and_names_an_overdue_one(
    sample: dict[str, pd.DataFrame],
) -> None:
    wins, actions = sample["wins"], sample["action_items"]
    q3 = wins[wins["quarter"] == "2026-Q3"]
    named = {
        kind: pd.concat([named_actions(w, actions) for _, w in q3[q3["kind"] == kind].iterrows()])
        for kind in ("success", "shortcoming")
    }
    assert set(named["success"]["status"]) == {"done"}
    assert len(named["shortcoming"]) >= 1 and set(named["shortcoming"]["status"]) <= {"open", "in_progress"}


def test_no_sales_hero_is_a_rep_without_accounts(sample: dict[str, pd.DataFrame]) -> None:
    owners = set(sample["customers"]["account_owner"])
    credited = {
        m for _, w in sample["wins"].iterrows() if cents(w["revenue_impact"]) != 0 for m in members(w)
    }
    reps = set(sample["people"].loc[sample["people"]["function"] == "sales", "person_id"])
    assert (
        credited & reps <= owners and reps - owners
    )  # the rep who owns nobody yet exists, and is not credited


# --------------------------------------------------------------------------- each rule can fail


def test_each_rule_finds_what_breaks_it(sample: dict[str, pd.DataFrame]) -> None:
    t = {stem: frame.copy() for stem, frame in sample.items()}
    wins = t["wins"]
    first = wins.index[0]
    wins.loc[first, "member_ids"] = wins.loc[first, "member_ids"] + ";S010"  # owns no account
    wins.loc[wins.index[1], "member_ids"] = "M003;M004"
    wins.loc[wins.index[1], "lesson"] = "Both teams together."  # told as joint, one function
    actions = t["action_items"]
    grades = need_grades(t)
    now = grades[grades["cycle"] == "2026-H1"].set_index("need_id")["grade"]
    open_row = actions[actions["status"] == "open"].iloc[0]
    done_a = actions[(actions["status"] == "done") & actions["need_id"].map(now).eq("A")].iloc[-1]
    extra = pd.DataFrame(
        [
            {
                "quarter": "2026-Q3", "kind": "success", "title": "Claimed", "member_ids": "M001",
                "revenue_impact": "0.00", "lesson": f"The {open_row.cycle} action \u201c{open_row.action}\u201d is done.",
            },
            {
                "quarter": "2026-Q3", "kind": "shortcoming", "title": "Blamed", "member_ids": "M001",
                "revenue_impact": "0.00", "lesson": f"The {done_a.cycle} action \u201c{done_a.action}\u201d failed.",
            },
            {
                "quarter": "2026-Q3", "kind": "success", "title": "Ghost", "member_ids": "X999",
                "revenue_impact": "0.00", "lesson": "",
            },
        ]
    )  # fmt: skip
    t["wins"] = pd.concat([wins, extra], ignore_index=True)
    ratings = t["report_card_ratings"]
    ratings.loc[ratings.index[0], ["grade", "comment"]] = ["C", "Excellent, keep it up"]
    found = {name: len(items) for name, items in broken(t).items()}
    assert found == {
        "people_without_a_role": 1,
        "sellers_without_sales": 1,
        "promises_claimed_but_open": 1,
        "shortcomings_on_kept_promises": 1,
        "comments_against_their_grade": 1,
        "joint_wins_of_one_function": 1,
    }


# --------------------------------------------------------------------------- at any size and seed


@settings(max_examples=20)
@given(customers=st.integers(min_value=1, max_value=60), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_alignment_sample_keeps_the_rules_at_any_size_and_seed(customers: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write_sample(folder, customers=customers, seed=seed)
        t = read(Path(folder))
    assert broken(t) == {}
