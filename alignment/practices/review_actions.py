"""The monthly review as a working meeting: the joint actions agreed, brought back and followed up.

At each monthly review the two sides agree joint actions on the flagged rows: one owner from
marketing, one from sales, a due date. The actions are kept in the ``review_actions`` ledger
(:mod:`alignment.ledger`: a status change is a new row that supersedes the old one, so the history
says when an action was done). This module reads them back against the figures:

* **Follow-up.** Each action of an earlier review with its row's attainment when it was agreed
  and now (the same period, level and key of the review), whether the row *recovered* (its
  attainment now at or above ``review.flag_below``) and how many days it is overdue.
* **Overdue** is judged by the report card's rule (:func:`alignment.practices.report_card.overdue_actions`):
  an open or in-progress action whose due date lies before the end of the review month.
* **Done on time**: the action's first row with status ``done`` was recorded (``changed_on``) on
  or before its due date; an action without a due date is on time when done.
* **Flagged without action**: a flagged row of the review month with no open or in-progress action
  and none agreed at this month's review.
* **Questions for the leader**: at most :data:`MAX_QUESTIONS`, from the rules in
  :func:`leader_questions`, each with the number that raised it and a link to its row.

Attainment by month is computed from the review's facts (:func:`alignment.practices.review.review_facts`)
in integer cents, for every month of the fiscal year up to the review month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignment.fiscal import quarter_months
from alignment.inputs import Inputs
from alignment.ledger import active_rows
from alignment.money import from_cents, short_money
from alignment.params import Params
from alignment.practices.report_card import UNFINISHED, due_dates, overdue_actions
from alignment.practices.review import LEVELS, flagged_rows, level_keys, review_facts
from alignment.vocabulary import column

#: An action's key in the ledger: the review that agreed it, its row, and what was agreed.
KEYS = ("month", "period", "level", "key", "action")
#: What a later row of the same action may change.
VALUES = ("marketing_owner", "sales_owner", "due", "status", "note")
SIDES = ("marketing", "sales")
CLOSED = ("done", "dropped")
#: A row flagged this many months running (period ``month``) is a question for the leader.
RUNNING = 3
#: An account owner at or above this year-to-date attainment is asked about (too easy a quota?).
FAR_ABOVE_QUOTA = 1.20
MAX_QUESTIONS = 8
#: Questions of one kind taken before the other kinds get their turn.
PER_KIND = 2
REVIEW_PAGE = "05_monthly_review.html"


# --------------------------------------------------------------------------- attainment by month


def row_history(monthly_objectives: pd.DataFrame, inputs: Inputs, params: Params) -> pd.DataFrame:
    """Every row of the review at every month of the fiscal year up to ``review.month``.

    Returns
    -------
    DataFrame
        month, period (``month``: that month alone; ``ytd``: the year up to it), level, key,
        objective, actual, off_strategy (currency, exact to the cent), attainment (empty where the
        objective is 0) and flagged (attainment under ``review.flag_below``). The rows of the
        review month equal :func:`alignment.practices.review.monthly_review`'s.
    """
    facts = review_facts(monthly_objectives, inputs, params)
    keys = level_keys(inputs, facts)
    months = params.months[: params.months.index(params.review.month) + 1]
    facts = facts[facts["month"].isin(months)]
    off = np.where(facts["on_strategy"].to_numpy(dtype="bool"), 0, facts["actual"].to_numpy(dtype="int64"))
    facts = facts.assign(off_strategy=off, total="total")
    parts = []
    for level in LEVELS:
        labels = facts[level].fillna("").astype("str")
        index = list(keys[level]) + sorted(set(labels.unique()) - set(keys[level]))
        sums = facts.groupby([labels.rename("key"), "month"])[["objective", "actual", "off_strategy"]].sum()
        grid = pd.MultiIndex.from_product([index, months], names=["key", "month"])
        sums = sums.reindex(grid, fill_value=0).astype("int64")
        ytd = sums.groupby(level="key", sort=False).cumsum()
        for period, table in (("month", sums), ("ytd", ytd)):
            parts.append(table.reset_index().assign(period=period, level=level))
    out = pd.concat(parts, ignore_index=True)
    objective, actual = out["objective"].to_numpy(), out["actual"].to_numpy()
    attainment = np.divide(actual, objective, out=np.full(len(out), np.nan), where=objective != 0)
    result = pd.DataFrame(
        {
            "month": out["month"].astype("str"),
            "period": out["period"].astype("str"),
            "level": out["level"].astype("str"),
            "key": out["key"].astype("str"),
            "objective": from_cents(objective),
            "actual": from_cents(actual),
            "off_strategy": from_cents(out["off_strategy"].to_numpy()),
            "attainment": attainment,
            "flagged": (objective != 0) & (np.nan_to_num(attainment, nan=np.inf) < params.review.flag_below),
        }
    )
    order = {level: i for i, level in enumerate(LEVELS)}
    result["_order"] = result["level"].map(order)
    result = result.sort_values(["month", "period", "_order"], kind="stable", ignore_index=True)
    return result.drop(columns="_order")


def attainment_at(history: pd.DataFrame, rows: pd.DataFrame, month: pd.Series | str) -> pd.Series:
    """The attainment of each of ``rows`` (period, level, key) at ``month`` (one month, or one per row)."""
    wanted = rows[["period", "level", "key"]].assign(month=month)
    found = wanted.merge(history[["month", "period", "level", "key", "attainment"]], how="left")
    return pd.Series(found["attainment"].to_numpy(dtype="float64"), index=rows.index)


# --------------------------------------------------------------------------- the actions


def actions_in_force(review_actions: pd.DataFrame, through: str) -> pd.DataFrame:
    """The actions as they stand: the ledger's rows not superseded, agreed at reviews up to ``through``.

    The status is lower case, empty read as ``open``; ``done_on`` is the day the action was first
    recorded as done (from the history, empty if unknown or not done). The file's row numbers are
    kept as the index.
    """
    ledger = review_actions.copy()
    ledger["status"] = ledger["status"].astype("str").str.strip().str.lower().replace("", "open")
    current = active_rows(ledger)
    current = current[current["month"] <= through].copy()
    done = ledger[ledger["status"] == "done"]
    stamps = done.loc[done["changed_on"].astype("str").ne("")]
    first = stamps.groupby(list(KEYS))["changed_on"].min().rename("done_on")
    current = _join(current, first)
    current["done_on"] = current["done_on"].where(current["status"] == "done").fillna("").astype("str")
    return current


def _join(rows: pd.DataFrame, by_key: pd.Series) -> pd.DataFrame:
    """``rows`` with the column ``by_key`` (indexed by :data:`KEYS`) beside them; empty where absent."""
    if rows.empty or by_key.empty:
        return rows.assign(**{str(by_key.name): pd.Series("", index=rows.index, dtype="str")})
    return rows.join(by_key, on=list(KEYS))


def _days_overdue(actions: pd.DataFrame, as_of: str) -> pd.Series:
    overdue = overdue_actions(actions.reset_index(names="_row"), as_of, by=["_row"])
    days = pd.Series(0, index=actions.index, dtype="int64")
    days.loc[overdue["_row"].to_numpy()] = overdue["days_overdue"].to_numpy(dtype="int64")
    return days


def _done_on_time(actions: pd.DataFrame) -> pd.Series:
    due = due_dates(actions["due"])
    done = pd.to_datetime(actions["done_on"].where(actions["done_on"] != ""), errors="coerce")
    on_time = done.notna() & (due.isna() | (done <= due))
    return (actions["status"].eq("done") & on_time).astype(bool)


def as_of(params: Params) -> str:
    """The day overdue is judged on: the last day of the review month (as on page 04)."""
    return pd.Period(params.review.month, "M").end_time.strftime("%Y-%m-%d")


def follow_up(review_actions: pd.DataFrame, history: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Each action of the reviews before ``review.month``, followed up against its row.

    Returns
    -------
    DataFrame
        month (of the review that agreed it), period, level, key, action, marketing_owner,
        sales_owner, due, status, agreed_attainment (the row's attainment that month),
        attainment (now, at the review month), recovered (now at or above the flag line),
        days_overdue (0 unless overdue), done_on, done_on_time; oldest review first, then by row.
    """
    current = actions_in_force(review_actions, params.review.month)
    earlier = current[current["month"] < params.review.month]
    out = earlier[[*KEYS[:4], "action", "marketing_owner", "sales_owner", "due", "status", "done_on"]].copy()
    out["agreed_attainment"] = attainment_at(history, earlier, earlier["month"])
    out["attainment"] = attainment_at(history, earlier, params.review.month)
    out["recovered"] = (out["attainment"] >= params.review.flag_below).fillna(False).astype(bool)
    out["days_overdue"] = _days_overdue(earlier, as_of(params))
    out["done_on_time"] = _done_on_time(earlier)
    out = out.sort_values(list(KEYS), kind="stable", ignore_index=True)
    return out[
        [
            *KEYS[:4],
            "action",
            "marketing_owner",
            "sales_owner",
            "due",
            "status",
            "agreed_attainment",
            "attainment",
            "recovered",
            "days_overdue",
            "done_on",
            "done_on_time",
        ]
    ]


def without_action(review: pd.DataFrame, review_actions: pd.DataFrame, params: Params) -> pd.DataFrame:
    """The flagged rows of the review with no open or in-progress action and none agreed at this review.

    The rows of :func:`alignment.practices.review.flagged_rows`, in its order (lowest attainment first).
    """
    current = actions_in_force(review_actions, params.review.month)
    live = current[current["status"].isin(UNFINISHED) | current["month"].eq(params.review.month)]
    covered = set(zip(live["period"], live["level"], live["key"], strict=True))
    flagged = flagged_rows(review)
    keep = [
        (p, lv, k) not in covered
        for p, lv, k in zip(flagged["period"], flagged["level"], flagged["key"], strict=True)
    ]
    return flagged[keep].reset_index(drop=True)


def by_side(review_actions: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Per side: actions owned, open (or in progress), done, done on time and overdue.

    Every action agreed at a review up to ``review.month`` counts for each side that owns part of it.
    """
    current = actions_in_force(review_actions, params.review.month)
    days = _days_overdue(current, as_of(params))
    on_time = _done_on_time(current)
    rows = []
    for side in SIDES:
        mine = current[f"{side}_owner"].astype("str").str.strip().ne("")
        rows.append(
            {
                "side": side,
                "actions_owned": int(mine.sum()),
                "actions_open": int((mine & current["status"].isin(UNFINISHED)).sum()),
                "actions_done": int((mine & current["status"].eq("done")).sum()),
                "actions_done_on_time": int((mine & on_time).sum()),
                "actions_overdue": int((mine & (days > 0)).sum()),
            }
        )
    return pd.DataFrame(rows).astype({"side": "str"})


def headline(review: pd.DataFrame, review_actions: pd.DataFrame, params: Params) -> dict[str, int]:
    """The headline keys: review actions open (or in progress), overdue, and flagged rows without one."""
    current = actions_in_force(review_actions, params.review.month)
    return {
        "review_actions_open": int(current["status"].isin(UNFINISHED).sum()),
        "review_actions_overdue": int((_days_overdue(current, as_of(params)) > 0).sum()),
        "flagged_without_action": len(without_action(review, review_actions, params)),
    }


# --------------------------------------------------------------------------- questions for the leader


def row_label(level: str, key: str, period: str | None = None, names: pd.Series | None = None) -> str:
    """``Customer group Small Business (month)``; an account owner by name where known."""
    what = key
    if level == "account_owner" and names is not None and key in names.index:
        what = f"{names[key]} ({key})"
    text = "Total" if level == "total" else f"{column(level).label} {what}"
    return f"{text}, {'year to date' if period == 'ytd' else 'month'}" if period else text


def _pct(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.0%}"


def leader_questions(
    review: pd.DataFrame,
    history: pd.DataFrame,
    review_actions: pd.DataFrame,
    inputs: Inputs,
    params: Params,
) -> pd.DataFrame:
    """At most :data:`MAX_QUESTIONS` questions for a leader dropping into the meeting.

    The rules, in this order of kinds (at most :data:`PER_KIND` of a kind first, then the rest in
    the same order until eight):

    1. ``overdue``: an action past its due date (the number: days overdue; most overdue first);
    2. ``not_recovered``: an action done whose row is still under the flag line (attainment now);
    3. ``running``: a row flagged at period ``month`` in each of the last :data:`RUNNING` months
       (its attainment this month; lowest first);
    4. ``no_action``: a flagged row without an action (:func:`without_action`; lowest first);
    5. ``off_strategy``: off-strategy revenue of the review month above the month before's (the rise);
    6. ``easy_quota``: an account owner at or above :data:`FAR_ABOVE_QUOTA` of quota year to date.

    Returns
    -------
    DataFrame
        kind, question (Markdown-free text), figure (the number, formatted), link (the page and the
        anchor of the row: the follow-up table ``followup``, the flagged table ``flagged``, or a section).
    """
    names = inputs.people.set_index("person_id")["name"]
    month = params.review.month
    follow = follow_up(review_actions, history, params)
    flagged = flagged_rows(review)
    flag_row = {(r.period, r.level, r.key): i for i, r in enumerate(flagged.itertuples(index=False))}
    found: dict[str, list[dict[str, str]]] = {}

    def add(kind: str, question: str, figure: str, anchor: str) -> None:
        found.setdefault(kind, []).append(
            {"kind": kind, "question": question, "figure": figure, "link": f"{REVIEW_PAGE}#{anchor}"}
        )

    def owners(r) -> str:
        people = [str(names.get(o, o)) for o in (r.marketing_owner, r.sales_owner) if str(o).strip()]
        return " and ".join(people) or "nobody"

    overdue = follow[follow["days_overdue"] > 0].sort_values(["days_overdue"], ascending=False, kind="stable")
    for i, r in overdue.iterrows():
        add(
            "overdue",
            f"“{r.action}” on {row_label(r.level, r.key, r.period, names)}, agreed in {r.month}, is "
            f"{r.days_overdue} days overdue ({owners(r)}): what is in the way?",
            f"{r.days_overdue} days",
            f"T_followup_row{i}_col0",
        )
    stuck = follow[follow["status"].eq("done") & ~follow["recovered"]]
    for i, r in stuck.iterrows():
        add(
            "not_recovered",
            f"“{r.action}” on {row_label(r.level, r.key, r.period, names)} is done, yet the row is at "
            f"{_pct(r.attainment)} (it was {_pct(r.agreed_attainment)} in {r.month}): what next?",
            _pct(r.attainment),
            f"T_followup_row{i}_col0",
        )
    months = params.months[: params.months.index(month) + 1][-RUNNING:]
    if len(months) == RUNNING:
        monthly = history[(history["period"] == "month") & history["month"].isin(months)]
        runs = monthly.groupby(["level", "key"], sort=False)["flagged"].sum()
        running = runs[runs == RUNNING].index
        now = review[(review["period"] == "month")].set_index(["level", "key"])["attainment"]
        ranked = sorted(running, key=lambda lk: (now.get(lk, np.nan), lk))
        for level, key in ranked:
            add(
                "running",
                f"{row_label(level, key, None, names)} has been flagged {RUNNING} months running "
                f"({', '.join(months)}; {_pct(now.get((level, key)))} in {month}): is the plan for it still right?",
                _pct(now.get((level, key))),
                f"T_flagged_row{flag_row.get(('month', level, key), 0)}_col0",
            )
    for r in without_action(review, review_actions, params).itertuples(index=False):
        add(
            "no_action",
            f"{row_label(r.level, r.key, r.period, names)} is flagged at {_pct(r.attainment)} and no joint "
            "action is open on it: who takes it?",
            _pct(r.attainment),
            f"T_flagged_row{flag_row[(r.period, r.level, r.key)]}_col0",
        )
    k = params.months.index(month)
    if k >= 1:
        total = history[(history["period"] == "month") & (history["level"] == "total")].set_index("month")
        before, now_off = (
            float(total.at[params.months[k - 1], "off_strategy"]),
            float(total.at[month, "off_strategy"]),
        )
        if now_off > before:
            add(
                "off_strategy",
                f"Off-strategy revenue rose from {short_money(before)} in {params.months[k - 1]} to "
                f"{short_money(now_off)} in {month}: is the channel strategy what the field sells?",
                f"+{short_money(now_off - before)}",
                "Off-strategy-revenue-this-year",
            )
    owners_ytd = review[(review["period"] == "ytd") & (review["level"] == "account_owner")]
    easy = owners_ytd[owners_ytd["attainment"] >= FAR_ABOVE_QUOTA].sort_values(
        ["attainment", "key"], ascending=[False, True]
    )
    for r in easy.itertuples(index=False):
        add(
            "easy_quota",
            f"{row_label(r.level, r.key, None, names)} is at {_pct(r.attainment)} of quota year to date: "
            "was the quota too easy?",
            _pct(r.attainment),
            "By-account-owner",
        )
    kinds = ("overdue", "not_recovered", "running", "no_action", "off_strategy", "easy_quota")
    first = [q for kind in kinds for q in found.get(kind, [])[:PER_KIND]]
    rest = [q for kind in kinds for q in found.get(kind, [])[PER_KIND:]]
    chosen = (first + rest)[:MAX_QUESTIONS]
    return pd.DataFrame(chosen, columns=["kind", "question", "figure", "link"]).astype("str")


def questions_note(questions: pd.DataFrame) -> str:
    """The questions as a numbered Markdown list, each with its number and a link to its row."""
    if questions.empty:
        return "No question for the leader this month: no overdue action, no flagged row left without one."
    lines = []
    for n, r in enumerate(questions.itertuples(index=False), start=1):
        anchor = r.link.split("#", 1)[1]
        lines.append(f"{n}. {_md(r.question)} **{_md(r.figure)}** · [the row](#{anchor})")
    return "\n".join(lines)


def _md(text: str) -> str:
    """Text from the inputs made safe for Markdown: no HTML, no link or emphasis syntax."""
    import html

    escaped = html.escape(str(text), quote=False)
    for ch in "\\`*_[]<>|#":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped


def follow_up_note(follow: pd.DataFrame, headline_figures: dict[str, int], params: Params) -> str:
    """The follow-up in a few Markdown lines: how many actions, recovered, overdue, flagged without one."""
    if follow.empty:
        return (
            "No action from an earlier review is recorded yet. Agree them at the meeting on the sheet of "
            "`alignment template review-actions`, and bring them back with `alignment collect review-actions`."
        )
    done = int(follow["status"].eq("done").sum())
    recovered = int(follow["recovered"].sum())
    return "\n".join(
        [
            f"- **{len(follow)} actions** from reviews before {params.review.month}: {done} done, "
            f"{headline_figures['review_actions_open']} open or in progress in all.",
            f"- **{recovered} of their rows recovered** (now at or above {params.review.flag_below:.0%}).",
            f"- **{headline_figures['review_actions_overdue']} overdue** at the end of {params.review.month}.",
            f"- **{headline_figures['flagged_without_action']} flagged rows without an action** (below).",
        ]
    )


# --------------------------------------------------------------------------- the quarter's lessons


def closed_in_quarter(
    review_actions: pd.DataFrame, history: pd.DataFrame, params: Params, quarter: str | None = None
) -> pd.DataFrame:
    """The review actions closed (done or dropped) in the celebrated quarter, with their effect.

    An action is closed on the day its closing row was recorded (``changed_on``), else on its due
    date. Its effect is its row's attainment when agreed against at the quarter's last month (or
    the review month, if earlier).

    Returns
    -------
    DataFrame
        month, period, level, key, action, marketing_owner, sales_owner, status, closed_on,
        agreed_attainment, attainment, recovered; by the day closed.
    """
    quarter = quarter or params.celebration.quarter
    months = quarter_months(quarter, params.fiscal_year_start_month)
    ledger = review_actions.copy()
    ledger["status"] = ledger["status"].astype("str").str.strip().str.lower().replace("", "open")
    current = active_rows(ledger)
    current = current[current["status"].isin(CLOSED)].copy()
    closing = ledger[ledger["status"].isin(CLOSED) & ledger["changed_on"].astype("str").ne("")]
    stamped = closing.groupby(list(KEYS))["changed_on"].min().rename("closed_on")
    current = _join(current, stamped)
    closed_on = current["closed_on"].fillna(current["due"]).fillna("").astype("str")
    current["closed_on"] = closed_on
    current = current[closed_on.str[:7].isin(months)]
    last = min(months[-1], params.review.month)
    out = current[[*KEYS[:4], "action", "marketing_owner", "sales_owner", "status", "closed_on"]].copy()
    out["agreed_attainment"] = attainment_at(history, current, current["month"])
    out["attainment"] = attainment_at(history, current, last)
    out["recovered"] = (out["attainment"] >= params.review.flag_below).fillna(False).astype(bool)
    return out.sort_values(["closed_on", *KEYS], kind="stable", ignore_index=True)


def lessons_note(closed: pd.DataFrame, quarter: str) -> str:
    """The quarter's closed review actions in words, for the lessons beside the shortcomings.

    Empty when none was closed: the table below says so, once.
    """
    if closed.empty:
        return ""
    done = closed[closed["status"] == "done"]
    recovered = int(done["recovered"].sum())
    return (
        f"**{len(closed)} review actions closed in {quarter}**: {len(done)} done, "
        f"{len(closed) - len(done)} dropped. Of the rows the done actions answered, {recovered} of {len(done)} "
        "recovered (back at or above the flag line): what was learned is in what was done, and whether it worked."
    )


def sheet_rows(
    review: pd.DataFrame, review_actions: pd.DataFrame, params: Params
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the meeting sheet holds: the review month's flagged rows, and the earlier actions still open.

    Returns
    -------
    (flagged, earlier)
        ``flagged``: the rows of :func:`flagged_rows` (period, level, key, objective, actual, variance,
        attainment). ``earlier``: the open or in-progress actions of earlier reviews (:data:`KEYS`,
        owners, due, status, note), oldest first.
    """
    flagged = flagged_rows(review)[
        ["period", "level", "key", "objective", "actual", "variance", "attainment"]
    ]
    current = actions_in_force(review_actions, params.review.month)
    earlier = current[(current["month"] < params.review.month) & current["status"].isin(UNFINISHED)]
    cols = [*KEYS, "marketing_owner", "sales_owner", "due", "status", "note"]
    earlier = earlier.reindex(columns=cols).fillna("").astype("str")
    return flagged.reset_index(drop=True), earlier.sort_values(list(KEYS), ignore_index=True)


__all__ = [
    "FAR_ABOVE_QUOTA",
    "KEYS",
    "MAX_QUESTIONS",
    "VALUES",
    "actions_in_force",
    "by_side",
    "closed_in_quarter",
    "follow_up",
    "follow_up_note",
    "headline",
    "leader_questions",
    "lessons_note",
    "questions_note",
    "row_history",
    "sheet_rows",
    "without_action",
]
