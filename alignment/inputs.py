"""Load a data folder into one validated, typed bundle of DataFrames.

Each input file (CONTRACT section 4) may be CSV, Parquet or XLSX with the same stem. Everything is
read as text first, so ids keep their leading zeros and a bad value can be shown exactly as the
user typed it. Column rules are checks (:mod:`alignment.checks`) whose messages are the
"expected ..." part of the one-line problem; rules across rows and files (sums, pairs,
references) are checked here with the same one-line form. Nothing in the data folder is ever written.

In the returned :class:`Inputs`, ids and text are ``str``, money is ``float64`` exact to the cent,
``share`` is ``float64``, ``importance`` is nullable ``Int64``; grades are upper case and
``people.function`` lower case. Optional files that are absent are empty frames with their columns.

``overrides`` is a ledger (:mod:`alignment.ledger`): it holds every row of the file, history
included, with the optional columns reason, changed_by, changed_on, expires and superseded_on
("" where the file has none). Only the rows in force for the plan year are checked against
``sales_input`` and must name each pair once; the engine uses only those rows.

``review_actions`` is a ledger too: the joint actions agreed at the monthly reviews, each on a row
of ``monthly_review.csv`` (``period``, ``level``, ``key``). Its level and key must exist in the data
(a misspelt key names the nearest one), its ``marketing_owner`` must be a person of function
marketing and its ``sales_owner`` one of function sales (a person_id or a name); an action with an
owner on one side only is a warning (not joint). An empty ``status`` means open.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from alignment.checks import Check, Schema
from alignment.fiscal import CYCLE_RE, MONTH_RE, QUARTER_RE, fiscal_months, fiscal_year_of
from alignment.ledger import LEDGER_COLUMNS, active_rows
from alignment.money import from_cents, to_cents
from alignment.problems import InputError, Problem
from alignment.reading import read_input
from alignment.rules import NEEDS_PER_SIDE, SIDES, must_escalate, n_accountable

FORMATS = (".csv", ".parquet", ".xlsx")
FUNCTIONS = SIDES
GRADES = ("A", "B", "C", "F")
STATUSES = ("open", "in_progress", "done", "dropped")
#: The rows of the monthly review a review action may answer (CONTRACT 6.5 and 7).
REVIEW_PERIODS = ("month", "ytd")
REVIEW_LEVELS = ("total", "customer_group", "region", "account_owner", "product_line", "channel")
NO_CHANNEL_STRATEGY = "(no channel strategy)"
KINDS = ("success", "shortcoming")

MONEY_PATTERN = r"[+-]?(\d+(\.\d*)?|\.\d+)"
MONEY_RE = re.compile(f"^{MONEY_PATTERN}$")
RACI_RE = re.compile(r"^[RACI](\s*[/,;]?\s*[RACI])*$")
DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")


@dataclass(frozen=True)
class FileSpec:
    """An input file: its stem, whether it is required, its columns and its money columns."""

    stem: str
    required: bool
    columns: tuple[str, ...]
    optional: tuple[str, ...] = ()
    money: tuple[str, ...] = ()


SPECS: dict[str, FileSpec] = {
    s.stem: s
    for s in (
        FileSpec(
            "customers", True, ("customer_id", "customer_name", "customer_group", "region", "account_owner")
        ),
        FileSpec("products", True, ("product_id", "product_name", "product_line")),
        FileSpec(
            "people", True, ("person_id", "name", "function", "team"), optional=("start_month", "ramp_months")
        ),
        FileSpec("channel_strategy", True, ("product_id", "channel", "share")),
        FileSpec(
            "actuals", True, ("month", "customer_id", "product_id", "channel", "revenue"), money=("revenue",)
        ),
        FileSpec(
            "sales_input",
            True,
            ("customer_id", "product_id", "potential", "committed"),
            money=("potential", "committed"),
        ),
        FileSpec("roles", False, ("activity", "marketing", "sales")),
        FileSpec(
            "overrides",
            False,
            ("customer_id", "product_id", "final_quota"),
            optional=LEDGER_COLUMNS,
            money=("final_quota",),
        ),
        FileSpec(
            "report_card_needs",
            False,
            ("need_id", "needed_by", "rated_side", "description"),
            optional=("importance",),
        ),
        FileSpec(
            "report_card_ratings", False, ("cycle", "rater_id", "need_id", "grade"), optional=("comment",)
        ),
        FileSpec("action_items", False, ("cycle", "need_id", "action", "owner", "due", "status")),
        FileSpec(
            "wins",
            False,
            ("quarter", "kind", "title", "member_ids", "revenue_impact", "lesson"),
            money=("revenue_impact",),
        ),
        FileSpec("prior_quotas", False, ("customer_id", "product_id", "final_quota"), money=("final_quota",)),
        FileSpec(
            "review_actions",
            False,
            (
                "month",
                "period",
                "level",
                "key",
                "action",
                "marketing_owner",
                "sales_owner",
                "due",
                "status",
            ),
            optional=("note", *LEDGER_COLUMNS),
        ),
    )
}


@dataclass(frozen=True)
class Inputs:
    """A validated data folder: one typed DataFrame per input file, plus the warnings found."""

    data_dir: Path
    customers: pd.DataFrame
    products: pd.DataFrame
    people: pd.DataFrame
    channel_strategy: pd.DataFrame
    actuals: pd.DataFrame
    sales_input: pd.DataFrame
    roles: pd.DataFrame
    overrides: pd.DataFrame
    report_card_needs: pd.DataFrame
    report_card_ratings: pd.DataFrame
    action_items: pd.DataFrame
    wins: pd.DataFrame
    prior_quotas: pd.DataFrame = field(default_factory=lambda: _empty("prior_quotas"))
    review_actions: pd.DataFrame = field(default_factory=lambda: _empty("review_actions"))
    files: dict[str, Path] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()
    # inputs read from params ``sources:`` (stem -> where it came from); see alignment.sources
    origins: dict[str, dict] = field(default_factory=dict)
    # the actuals' rows as positions, made while checking them (see actuals_keys)
    keys: ActualsKeys | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, eq=False)
class ActualsKeys:
    """Each ``actuals`` row as integers: its customer's and product's positions in ``customers`` and
    ``products`` (-1 where not listed) and its month as a code into ``months``.

    Millions of actuals rows name their ids as text; hashing that text once, when the folder is
    checked, lets the checks and the plan join on integers. The frames they describe are kept, so
    that keys are never used for other frames (an ``Inputs`` with a replaced table makes new keys).
    """

    actuals: pd.DataFrame
    customers: pd.DataFrame
    products: pd.DataFrame
    customer_pos: np.ndarray
    product_pos: np.ndarray
    month_code: np.ndarray
    months: pd.Index

    def describe(self, actuals: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame) -> bool:
        """Whether these keys were made for exactly these frames."""
        return self.actuals is actuals and self.customers is customers and self.products is products

    def months_in(self, months: Collection[str]) -> np.ndarray:
        """Which rows fall in one of ``months``."""
        return np.asarray(self.months.isin(list(months)), dtype=bool)[self.month_code]

    def made_for(self, actuals: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame) -> ActualsKeys:
        """The same keys, recorded as describing other frames with the same rows (the typed tables)."""
        return ActualsKeys(
            actuals, customers, products, self.customer_pos, self.product_pos, self.month_code, self.months
        )


def make_actuals_keys(actuals: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame) -> ActualsKeys:
    """Hash the actuals' customer, product and month text once (see :class:`ActualsKeys`).

    On millions of rows this is most of the time that checking the folder adds to reading it, so
    the work is split into pieces hashed side by side in threads (Arrow's kernels release the GIL).
    """
    from concurrent.futures import ThreadPoolExecutor

    n = len(actuals)
    halves = [slice(0, n // 2), slice(n // 2, n)] if n >= _ROWS_WORTH_THREADS else [slice(0, n)]
    customer_ids, known_customers = actuals["customer_id"], customers["customer_id"]
    workers = min(4, os.cpu_count() or 1) if len(halves) > 1 else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        customer_parts = [pool.submit(positions, customer_ids.iloc[h], known_customers) for h in halves]
        product_pos = pool.submit(positions, actuals["product_id"], products["product_id"])
        month_factors = pool.submit(pd.factorize, actuals["month"], use_na_sentinel=False)
        month_code, months = month_factors.result()
        return ActualsKeys(
            actuals=actuals,
            customers=customers,
            products=products,
            customer_pos=np.concatenate([part.result() for part in customer_parts]),
            product_pos=product_pos.result(),
            month_code=np.asarray(month_code, dtype="int64"),
            months=pd.Index(months, dtype="str"),
        )


#: From how many actuals rows hashing in threads pays for starting them.
_ROWS_WORTH_THREADS = 200_000


def actuals_keys(inputs: Inputs) -> ActualsKeys:
    """The keys of ``inputs.actuals``: those made when the folder was checked, or new ones."""
    keys = inputs.keys
    if keys is not None and keys.describe(inputs.actuals, inputs.customers, inputs.products):
        return keys
    return make_actuals_keys(inputs.actuals, inputs.customers, inputs.products)


def pair_positions(values: tuple[pd.Series, pd.Series], among: tuple[pd.Series, pd.Series]) -> np.ndarray:
    """Each (a, b) pair's position among the pairs of ``among`` (its first), -1 where absent."""
    a_names, a_among = pd.factorize(among[0], use_na_sentinel=False)
    b_names, b_among = pd.factorize(among[1], use_na_sentinel=False)
    width = max(len(b_among), 1)
    a, b = positions(values[0], pd.Index(a_among)), positions(values[1], pd.Index(b_among))
    wanted = np.where((a >= 0) & (b >= 0), a * width + b, -1)
    listed, first = np.unique(a_names.astype("int64") * width + b_names, return_index=True)
    at = np.minimum(np.searchsorted(listed, wanted), max(len(listed) - 1, 0))
    found = (wanted >= 0) & (listed[at] == wanted) if len(listed) else np.zeros(len(wanted), dtype=bool)
    return np.where(found, first[at] if len(listed) else -1, -1)


def positions(values: pd.Series, among: pd.Series | pd.Index) -> np.ndarray:
    """Each value's position in ``among`` (its first, if listed twice), -1 where absent.

    By Arrow's hash lookup on the text as pandas keeps it: a pandas ``Index`` of ``str`` looks text
    up through Python objects, an order of magnitude slower on hundreds of thousands of ids.
    """
    import pyarrow as pa_arrow
    import pyarrow.compute as pc

    known = _arrow_text(among)
    if isinstance(known, pa_arrow.ChunkedArray):
        known = known.combine_chunks() if known.num_chunks else pa_arrow.array([], type=known.type)
    found = pc.index_in(_arrow_text(values), value_set=known)
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype="int64")


# --------------------------------------------------------------------------- reading


def find_files(data_dir: Path, skip: Collection[str] = ()) -> tuple[dict[str, Path], list[Problem]]:
    """Find each input file's path by stem; two formats for one stem, or a missing required file, is a problem.

    Stems in ``skip`` (read from a source instead) are not looked for.
    """
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for stem, spec in SPECS.items():
        if stem in skip:
            continue
        paths = [data_dir / f"{stem}{ext}" for ext in FORMATS if (data_dir / f"{stem}{ext}").is_file()]
        if len(paths) > 1:
            problems.append(
                Problem(
                    paths[0].name,
                    None,
                    None,
                    ", ".join(p.name for p in paths),
                    f"one file for {stem}, not one in each of several formats",
                )
            )
        elif paths:
            found[stem] = paths[0]
        elif spec.required:
            problems.append(
                Problem(
                    f"{stem}.csv",
                    None,
                    None,
                    None,
                    f"the required file {stem}.csv (or .parquet, .xlsx) in {data_dir}",
                )
            )
    return found, problems


def read_table(path: Path, numeric: tuple[str, ...] = (), encoding: str | None = None) -> pd.DataFrame:
    """Read one input file as text: every cell a ``str``, missing cells as ``""``, whitespace trimmed.

    The one exception: a Parquet column named in ``numeric`` that is stored as numbers stays
    ``float64`` (missing as NaN), so a large file's money is not turned into text and back.

    Raises
    ------
    InputError
        When the file cannot be read as a table (see :func:`alignment.reading.read_input`).
    """
    df, problems = read_input(path, numeric=numeric, encoding=encoding)
    if df is None:
        raise InputError(problems)
    return df


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_float_dtype(s)


# --------------------------------------------------------------------------- column checks


def _nonempty(what: str) -> Check:
    return Check(lambda s: s.ne(""), error=what)


def _unique(what: str) -> Check:
    return Check(lambda s: ~s.duplicated(keep="first") | s.eq(""), error=what)


def _per_distinct(check: Callable[[pd.Series], pd.Series]) -> Callable[[pd.Series], pd.Series]:
    """Run a check once per distinct value: months, channels, grades repeat millions of times in big files."""

    def run(s: pd.Series) -> pd.Series:
        if len(s) < 10_000:
            return check(s)
        codes, distinct = pd.factorize(s, use_na_sentinel=False)
        ok = np.asarray(check(pd.Series(distinct, dtype=s.dtype)), dtype=bool)
        return pd.Series(ok[codes], index=s.index)

    run.__name__ = check.__name__
    return run


def _in(values: object | None, what: str) -> list[Check]:
    """Values must be among ``values`` (an Arrow array of the ids, see :func:`_distinct_ids`); None means
    the referenced file is itself missing: no check."""
    if values is None:
        return []

    def listed(s: pd.Series) -> pd.Series:
        return _isin(s, values) | s.eq("")

    return [Check(listed, error=what)]


def _distinct_ids(s: pd.Series) -> object:
    """The distinct non-empty values of a column as an Arrow string array, without a Python object
    per value (a customers file holds hundreds of thousands of ids)."""
    import pyarrow as pa_arrow
    import pyarrow.compute as pc

    values = pc.unique(_arrow_text(s))
    values = values.filter(pc.not_equal(values, ""))
    return values.cast(pa_arrow.string())


def _no_ids() -> object:
    import pyarrow as pa_arrow

    return pa_arrow.array([], type=pa_arrow.string())


def _arrow_text(s: pd.Series) -> object:
    """A text column as an Arrow (chunked) array, its own buffers where pandas keeps it in Arrow."""
    import pyarrow as pa_arrow

    return pa_arrow.array(s.astype("str").array)


def _isin(s: pd.Series, allowed: object) -> pd.Series:
    """``s.isin(allowed)`` through Arrow's hash lookup: an order of magnitude faster on millions of ids."""
    import pyarrow.compute as pc

    found = pc.is_in(_arrow_text(s), value_set=allowed)
    return pd.Series(pc.fill_null(found, False).to_numpy(zero_copy_only=False), index=s.index)


def _listed_at(positions: np.ndarray, what: str) -> list[Check]:
    """Like :func:`_in`, for a column whose values were already looked up: listed where the position is
    not -1 (or the cell is empty, which its own check reports)."""
    listed = positions >= 0

    def listed_at(s: pd.Series) -> pd.Series:
        return pd.Series(listed, index=s.index) | s.eq("")

    return [Check(listed_at, error=what)]


def _per_code(codes: np.ndarray, distinct: pd.Index, check: Check, what: str) -> Check:
    """``check`` run once per distinct value of a column already factorized into ``codes``."""
    ok = check.passed(pd.Series(distinct, dtype="str"))

    def per_code(s: pd.Series) -> pd.Series:
        return pd.Series(ok[codes], index=s.index)

    per_code.__name__ = "per_code"
    return Check(per_code, error=what)


def _one_of(
    values: tuple[str, ...], what: str, *, transform: Callable[[pd.Series], pd.Series] | None = None
) -> Check:
    def one_of(s: pd.Series) -> pd.Series:
        return (transform(s) if transform else s).isin(values)

    return Check(_per_distinct(one_of), error=what)


def _matches(regex: re.Pattern[str], what: str, *, allow_empty: bool = False) -> Check:
    def matches(s: pd.Series) -> pd.Series:
        ok = s.str.match(regex.pattern)
        return ok | s.eq("") if allow_empty else ok

    return Check(_per_distinct(matches), error=what)


def _money(*, nonnegative: bool = False) -> list[Check]:
    def money_format(s: pd.Series) -> pd.Series:
        if _numeric(s):
            return pd.Series(np.isfinite(s.to_numpy(dtype="float64")), index=s.index)
        return s.str.replace(" ", "", regex=False).str.fullmatch(MONEY_PATTERN)

    def money_nonnegative(s: pd.Series) -> pd.Series:
        return ~(_as_number(s) < 0)

    # ignore_na=False: an empty cell of a Parquet money column (NaN) is an error like an empty CSV cell
    checks = [
        Check(
            money_format,
            error="an amount such as 1234.50 (no thousands separators, no units)",
            ignore_na=False,
        )
    ]
    if nonnegative:
        checks.append(Check(money_nonnegative, error="an amount >= 0"))
    return checks


def _share() -> list[Check]:
    def share_in_range(s: pd.Series) -> pd.Series:
        x = pd.to_numeric(s, errors="coerce")
        return x.isna() | ((x > 0) & (x <= 1))

    return [
        Check(lambda s: pd.to_numeric(s, errors="coerce").notna(), error="a share such as 0.25"),
        Check(share_in_range, error="a share above 0 and at most 1"),
    ]


def _importance() -> Check:
    return Check(lambda s: s.isin(["", "1", "2", "3", "4", "5"]), error="an importance from 1 to 5, or empty")


def _ramp_months() -> Check:
    return Check(
        lambda s: s.str.fullmatch(r"\d{1,3}") | s.eq(""),
        error="a whole number of months from 0 to 999, or empty",
    )


def _raci() -> list[Check]:
    def letters_once(s: pd.Series) -> pd.Series:
        letters = s.str.upper().str.replace(r"[\s/,;]", "", regex=True)
        return letters.map(lambda v: len(set(v)) == len(v))

    return [
        Check(
            lambda s: s.str.upper().str.match(RACI_RE.pattern) | s.eq(""),
            error="RACI letters R, A, C, I (such as A, AR or A/R), or empty",
        ),
        Check(letters_once, error="each RACI letter at most once"),
    ]


def _members(ids: object | None) -> list[Check]:
    if ids is None:
        return []
    people = set(ids.to_pylist())

    def members_known(s: pd.Series) -> pd.Series:
        return s.map(lambda v: all(m.strip() in people for m in v.split(";") if m.strip()))

    return [Check(members_known, error="person_ids listed in people, separated by ;")]


def _schemas(refs: dict[str, object | None], keys: ActualsKeys | None = None) -> dict[str, Schema]:
    """The column rules of every file (a column that :class:`FileSpec` calls optional is checked when
    present); ``refs`` holds the ids other files may point at, ``keys`` the actuals' ids already
    looked up (their checks then read the positions instead of hashing again)."""
    person = _in(refs["people"], "a person_id listed in people")
    customer = _in(refs["customers"], "a customer_id listed in customers")
    product = _in(refs["products"], "a product_id listed in products")
    actuals_month = _matches(MONTH_RE, "a month YYYY-MM")
    actuals_customer, actuals_product = customer, product
    if keys is not None:
        actuals_month = _per_code(keys.month_code, keys.months, actuals_month, "a month YYYY-MM")
        actuals_customer = _listed_at(keys.customer_pos, "a customer_id listed in customers")
        actuals_product = _listed_at(keys.product_pos, "a product_id listed in products")
    need = _in(refs["needs"], "a need_id listed in report_card_needs")
    side = _one_of(FUNCTIONS, "marketing or sales", transform=lambda s: s.str.lower())
    return {
        "customers": {
            "customer_id": [_nonempty("a non-empty customer_id"), _unique("a unique customer_id")],
            "customer_name": [],
            "customer_group": [_nonempty("a customer group")],
            "region": [_nonempty("a region")],
            "account_owner": [
                _nonempty("a person_id of function sales"),
                *_in(refs["people_sales"], "a person_id of function sales"),
            ],
        },
        "products": {
            "product_id": [_nonempty("a non-empty product_id"), _unique("a unique product_id")],
            "product_name": [],
            "product_line": [_nonempty("a product line")],
        },
        "people": {
            "person_id": [_nonempty("a non-empty person_id"), _unique("a unique person_id")],
            "name": [],
            "function": [side],
            "team": [],
            "start_month": [_matches(MONTH_RE, "a month YYYY-MM, or empty", allow_empty=True)],
            "ramp_months": [_ramp_months()],
        },
        "channel_strategy": {
            "product_id": [_nonempty("a product_id"), *product],
            "channel": [_nonempty("a channel name")],
            "share": _share(),
        },
        "actuals": {
            "month": [actuals_month],
            "customer_id": [_nonempty("a customer_id"), *actuals_customer],
            "product_id": [_nonempty("a product_id"), *actuals_product],
            "channel": [_nonempty("a channel name")],
            "revenue": _money(),
        },
        "sales_input": {
            "customer_id": [_nonempty("a customer_id"), *customer],
            "product_id": [_nonempty("a product_id"), *product],
            "potential": _money(nonnegative=True),
            "committed": _money(nonnegative=True),
        },
        "roles": {
            "activity": [_nonempty("an activity name"), _unique("a unique activity")],
            "marketing": _raci(),
            "sales": _raci(),
        },
        "overrides": {
            "customer_id": [_nonempty("a customer_id"), *customer],
            "product_id": [_nonempty("a product_id"), *product],
            "final_quota": _money(nonnegative=True),
            **_ledger_checks(refs["people"]),
        },
        "prior_quotas": {
            "customer_id": [_nonempty("a customer_id"), *customer],
            "product_id": [_nonempty("a product_id"), *product],
            "final_quota": _money(nonnegative=True),
        },
        "report_card_needs": {
            "need_id": [_nonempty("a non-empty need_id"), _unique("a unique need_id")],
            "needed_by": [side],
            "rated_side": [side],
            "description": [],
            "importance": [_importance()],
        },
        "report_card_ratings": {
            "cycle": [_matches(CYCLE_RE, "a half-year YYYY-H1 or YYYY-H2")],
            "rater_id": [_nonempty("a person_id"), *person],
            "need_id": [_nonempty("a need_id"), *need],
            "grade": [
                _one_of(
                    GRADES,
                    "one of A, B, C, F (the report card grades A, B, C, F)",
                    transform=lambda s: s.str.upper(),
                )
            ],
        },
        "action_items": {
            "cycle": [_matches(CYCLE_RE, "a half-year YYYY-H1 or YYYY-H2")],
            "need_id": [_nonempty("a need_id"), *need],
            "action": [],
            "owner": [],
            "due": [_matches(DATE_RE, "a date YYYY-MM-DD, or empty", allow_empty=True)],
            "status": [_one_of(STATUSES, "one of " + ", ".join(STATUSES), transform=lambda s: s.str.lower())],
        },
        "review_actions": {
            "month": [_matches(MONTH_RE, "the month of the review that agreed it, YYYY-MM")],
            "period": [_one_of(REVIEW_PERIODS, "month or ytd (the period of the review's row)")],
            "level": [_one_of(REVIEW_LEVELS, "a level of the monthly review: " + ", ".join(REVIEW_LEVELS))],
            "key": [_nonempty("the key of the review's row (a customer group, region, person, ...)")],
            "action": [_nonempty("the action agreed")],
            "marketing_owner": [],
            "sales_owner": [],
            "due": [_matches(DATE_RE, "a date YYYY-MM-DD, or empty", allow_empty=True)],
            "status": [
                _one_of(
                    ("", *STATUSES),
                    "one of " + ", ".join(STATUSES) + ", or empty (open)",
                    transform=lambda s: s.str.lower(),
                )
            ],
            "note": [],
            **_ledger_checks(refs["people"]),
        },
        "wins": {
            "quarter": [_matches(QUARTER_RE, "a fiscal quarter YYYY-Qn")],
            "kind": [_one_of(KINDS, "success or shortcoming", transform=lambda s: s.str.lower())],
            "title": [],
            "member_ids": _members(refs["people"]),
            "revenue_impact": _money(),
            "lesson": [],
        },
    }


def _ledger_checks(people: object | None) -> dict[str, list[Check]]:
    """The optional history columns of a ledger (see :mod:`alignment.ledger`); each may be empty."""
    return {
        "reason": [],
        "changed_by": _in(people, "a person_id listed in people, or empty"),
        "changed_on": [_matches(DATE_RE, "a date YYYY-MM-DD, or empty", allow_empty=True)],
        "expires": [_matches(MONTH_RE, "the last month it applies, YYYY-MM, or empty", allow_empty=True)],
        "superseded_on": [_matches(DATE_RE, "a date YYYY-MM-DD, or empty", allow_empty=True)],
    }


def _column_problems(name: str, df: pd.DataFrame, schema: Schema) -> list[Problem]:
    """One problem per cell that fails a column check of ``schema``.

    The values shown are shared between problems: a million copies of ``12k`` are one string.
    """
    out: list[Problem] = []
    for col, checks in schema.items():
        if col not in df.columns:  # an optional column that is absent; missing ones are reported before
            continue
        s = df[col]
        for check in checks:
            bad = np.flatnonzero(~check.passed(s))
            if not bad.size:
                continue
            codes, distinct = pd.factorize(s.iloc[bad], use_na_sentinel=False)
            shown = ["" if isinstance(v, float) and np.isnan(v) else str(v) for v in distinct]
            expected = str(check.error)
            out += [
                Problem(name, r, col, shown[c], expected)
                for r, c in zip((bad + 2).tolist(), codes.tolist(), strict=True)
            ]
    return out


# --------------------------------------------------------------------------- warnings of one file

#: What a required input without rows means for the plan.
_NO_ROWS = {
    "customers": "there is no customer to plan for",
    "products": "there is no product to plan",
    "people": "there is no account owner",
    "channel_strategy": "no product has a channel to sell through",
    "actuals": "every target is 0",
    "sales_input": "the bottom-up quota is 0 and no customer gets a quota",
}
#: An amount with a non-zero digit after the cents (12.345, 0.001, 7.0050 but not 7.500).
SUB_CENT_RE = re.compile(r"^[+-]?\d*\.\d\d\d*[1-9]\d*$")
#: How many rows a sub-cent warning names.
_FIRST_ROWS = 5


def _no_rows(name: str, spec: FileSpec, df: pd.DataFrame) -> list[Problem]:
    """A warning for a required input that has a header and no rows."""
    if not spec.required or len(df):
        return []
    what = _NO_ROWS.get(spec.stem, "it adds nothing to the plan")
    return [Problem(name, None, None, None, f"rows below the header ({name} has no rows: {what})", "warning")]


def _sub_cent(name: str, spec: FileSpec, df: pd.DataFrame) -> list[Problem]:
    """One warning per money column holding amounts with fractions of a cent, which are rounded.

    The warning gives the count, the first rows and what the first amount becomes; the values
    stay accepted.
    """
    out = []
    for col in spec.money:
        s = df[col]
        if _numeric(s):
            cents = s.to_numpy(dtype="float64") * 100
            with np.errstate(invalid="ignore"):  # NaN and infinities give NaN here, which is not > 1e-6
                off = np.round(cents)
                np.subtract(cents, off, out=off)
                mask = np.abs(off, out=off) > 1e-6
        else:
            mask = s.str.replace(" ", "", regex=False).str.match(SUB_CENT_RE.pattern).to_numpy(dtype=bool)
        n = int(mask.sum())
        if not n:
            continue
        where = np.flatnonzero(mask)
        first = where[:_FIRST_ROWS] + 2
        value = s.iloc[int(where[0])]
        shown = value if isinstance(value, str) else repr(float(value))
        rounded = from_cents(to_cents(_as_number(s.iloc[where[:1]]).to_numpy(dtype="float64")))[0]
        rows = ", ".join(str(r) for r in first) + (", ..." if n > _FIRST_ROWS else "")
        out.append(
            Problem(
                name,
                int(first[0]),
                col,
                shown,
                f"amounts in whole cents: {n:,} amount{'s' * (n != 1)} with fractions of a cent "
                f"(rows {rows}) {'are' if n != 1 else 'is'} rounded to the cent ({shown.strip()} "
                f"becomes {rounded:.2f})",
                "warning",
            )
        )
    return out


# --------------------------------------------------------------------------- rules across rows and files


def _duplicate_pairs(name: str, df: pd.DataFrame, cols: list[str], what: str) -> list[Problem]:
    dup = df.duplicated(cols, keep="first")
    if not dup.any():
        return []
    first_row = df.reset_index().groupby(cols, sort=False)["index"].transform("min") + 2
    return [
        Problem(
            name,
            int(i) + 2,
            ", ".join(cols),
            "/".join(df.loc[i, c] for c in cols),
            f"{what} (already on row {int(first_row[i])})",
        )
        for i in df.index[dup]
    ]


def _as_number(s: pd.Series) -> pd.Series:
    """Money as float64; NaN where the cell is not an amount (reported by the column checks)."""
    if _numeric(s):
        return s.astype("float64")
    clean = s.str.replace(" ", "", regex=False)
    return clean.where(clean.str.fullmatch(MONEY_PATTERN)).astype("float64")


def _cross_checks(
    tables: dict[str, pd.DataFrame],
    names: dict[str, str],
    plan_year: int | None,
    start_month: int,
    keys: ActualsKeys | None = None,
) -> tuple[list[Problem], list[Problem]]:
    problems: list[Problem] = []
    warnings: list[Problem] = []

    if "sales_input" in tables:
        si = tables["sales_input"]
        problems += _duplicate_pairs(
            names["sales_input"], si, ["customer_id", "product_id"], "one row per (customer_id, product_id)"
        )
        pot, com = _as_number(si["potential"]), _as_number(si["committed"])
        for i in si.index[(com > pot).fillna(False)]:
            warnings.append(
                Problem(
                    names["sales_input"],
                    int(i) + 2,
                    "committed",
                    si.loc[i, "committed"],
                    f"committed at most potential ({si.loc[i, 'potential']})",
                    "warning",
                )
            )

    if "channel_strategy" in tables:
        cs = tables["channel_strategy"]
        problems += _duplicate_pairs(
            names["channel_strategy"], cs, ["product_id", "channel"], "one row per (product_id, channel)"
        )
        share = pd.to_numeric(cs["share"], errors="coerce")
        valid = share.gt(0) & share.le(1)
        # a product with a share that is itself wrong is reported for that share, not for the sum
        whole = valid.groupby(cs["product_id"], sort=False).transform("all")
        if whole.any():
            sums = share[whole].groupby(cs["product_id"][whole], sort=False).sum()
            first = cs.reset_index().groupby("product_id", sort=False)["index"].min()
            for product, total in sums.items():
                if abs(total - 1.0) > 1e-6:
                    problems.append(
                        Problem(
                            names["channel_strategy"],
                            int(first[product]) + 2,
                            "share",
                            f"{total:.6g}",
                            f"the shares of product {product} to sum to 1 (within 1e-6)",
                        )
                    )
        listed = set(cs["product_id"])
        need_strategy: dict[str, tuple[str, int, str]] = {}
        sold: list[tuple[str, pd.Series, str]] = []
        if "sales_input" in tables:
            sold.append((names["sales_input"], tables["sales_input"]["product_id"], "in sales_input"))
        if "actuals" in tables and plan_year is not None:
            act = tables["actuals"]
            prior = fiscal_months(plan_year - 1, start_month)
            in_prior = keys.months_in(prior) if keys is not None else act["month"].isin(prior).to_numpy()
            sold.append((names["actuals"], act["product_id"][in_prior], f"in FY{plan_year - 1} actuals"))
        for file, products_sold, where in sold:
            # codes number the products in order of first appearance: each first row is where
            # the running maximum of the codes steps up
            codes, distinct = pd.factorize(products_sold, use_na_sentinel=False)
            first = np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)
            for i, p in zip(products_sold.index[first], distinct, strict=True):
                need_strategy.setdefault(p, (file, int(i) + 2, where))
        products = set(tables["products"]["product_id"]) if "products" in tables else set()
        for product, (file, row, where) in need_strategy.items():
            if product not in listed and (not products or product in products):
                problems.append(
                    Problem(
                        file,
                        row,
                        "product_id",
                        product,
                        f"a product with at least one row in channel_strategy (it is sold {where})",
                    )
                )

    if "overrides" in tables and "sales_input" in tables:
        # a ledger's history (superseded or expired rows) is kept, not checked against today's data
        first_month = fiscal_months(plan_year, start_month)[0] if plan_year is not None else None
        ov, si = active_rows(tables["overrides"], first_month), tables["sales_input"]
        problems += _duplicate_pairs(
            names["overrides"],
            ov,
            ["customer_id", "product_id"],
            "each (customer_id, product_id) locked once among the rows in force "
            "(a later change supersedes the earlier row: fill its superseded_on)",
        )
        # only the sales_input rows of the locked customers can match: a few rows, not the whole file
        si = si[_isin(si["customer_id"], _distinct_ids(ov["customer_id"]))]
        keys = pd.MultiIndex.from_frame(si[["customer_id", "product_id"]])
        pairs = pd.MultiIndex.from_frame(ov[["customer_id", "product_id"]])
        missing = ~pairs.isin(keys)
        for i in ov.index[missing]:
            problems.append(
                Problem(
                    names["overrides"],
                    int(i) + 2,
                    "customer_id, product_id",
                    f"{ov.loc[i, 'customer_id']}/{ov.loc[i, 'product_id']}",
                    "a (customer_id, product_id) pair present in sales_input",
                )
            )
        merged = ov.reset_index().merge(
            si.drop_duplicates(["customer_id", "product_id"]), on=["customer_id", "product_id"], how="inner"
        )
        fq = _as_number(merged["final_quota"])
        for r, f, c, p in zip(
            merged["index"], fq, _as_number(merged["committed"]), _as_number(merged["potential"]), strict=True
        ):
            if pd.notna(f) and pd.notna(c) and f < c:
                warnings.append(
                    Problem(
                        names["overrides"],
                        int(r) + 2,
                        "final_quota",
                        ov.loc[r, "final_quota"],
                        f"a final quota at least committed ({c:.2f})",
                        "warning",
                    )
                )
            elif pd.notna(f) and pd.notna(p) and f > p:
                warnings.append(
                    Problem(
                        names["overrides"],
                        int(r) + 2,
                        "final_quota",
                        ov.loc[r, "final_quota"],
                        f"a final quota at most potential ({p:.2f})",
                        "warning",
                    )
                )

    if "prior_quotas" in tables:
        problems += _duplicate_pairs(
            names["prior_quotas"],
            tables["prior_quotas"],
            ["customer_id", "product_id"],
            "one quota per (customer_id, product_id)",
        )

    if "roles" in tables:
        roles = tables["roles"]
        for i, act, m, s in zip(
            roles.index, roles["activity"], roles["marketing"], roles["sales"], strict=True
        ):
            n_a = n_accountable(m, s)
            if must_escalate(n_a) and RACI_RE.match(m.upper() or "A") and RACI_RE.match(s.upper() or "A"):
                warnings.append(
                    Problem(
                        names["roles"],
                        int(i) + 2,
                        "marketing, sales",
                        f"{m or '-'} / {s or '-'}",
                        f"exactly one Accountable (A) for {act!r}: {n_a} found, escalate",
                        "warning",
                    )
                )

    if "report_card_needs" in tables:
        needs = tables["report_card_needs"]
        same = needs["needed_by"].str.lower() == needs["rated_side"].str.lower()
        for i in needs.index[same & needs["needed_by"].str.lower().isin(FUNCTIONS)]:
            problems.append(
                Problem(
                    names["report_card_needs"],
                    int(i) + 2,
                    "rated_side",
                    needs.loc[i, "rated_side"],
                    "the side other than needed_by",
                )
            )
        counts = needs["rated_side"].str.lower().value_counts()
        for side in FUNCTIONS:
            n = int(counts.get(side, 0))
            if n != NEEDS_PER_SIDE:
                warnings.append(
                    Problem(
                        names["report_card_needs"],
                        None,
                        "rated_side",
                        side,
                        f"{NEEDS_PER_SIDE} critical needs rated on the {side} side (the practice), found {n}",
                        "warning",
                    )
                )

    if "report_card_ratings" in tables:
        rt = tables["report_card_ratings"]
        problems += _duplicate_pairs(
            names["report_card_ratings"],
            rt,
            ["cycle", "rater_id", "need_id"],
            "one grade per (cycle, rater_id, need_id)",
        )

    if "review_actions" in tables:
        more, found = _review_action_checks(tables, names)
        problems += more
        warnings += found

    if "customers" in tables and "people" in tables:
        people = tables["people"]
        sales_ids = set(people.loc[people["function"].str.lower() == "sales", "person_id"])
        if not sales_ids:
            warnings.append(
                Problem(
                    names["people"],
                    None,
                    "function",
                    None,
                    "at least one person of function sales",
                    "warning",
                )
            )
    return problems, warnings


def review_row_keys(tables: Mapping[str, pd.DataFrame]) -> dict[str, set[str]]:
    """The keys each level of the monthly review lists, from the input tables (as text).

    The same keys as :func:`alignment.practices.review.level_keys`: customer groups and regions of
    ``customers``, sales people and account owners, product lines, channels of the strategy or the
    actuals. A level whose file is missing has no known keys.
    """

    def values(stem: str, col: str) -> set[str]:
        # unique first: the actuals' channel column has millions of rows and a few values
        return set(tables[stem][col].astype("str").unique()) - {""} if stem in tables else set()

    people = tables.get("people")
    sales = (
        set(people.loc[people["function"].str.lower() == "sales", "person_id"])
        if people is not None
        else set()
    )
    return {
        "total": {"total"},
        "customer_group": values("customers", "customer_group"),
        "region": values("customers", "region"),
        "account_owner": sales | values("customers", "account_owner"),
        "product_line": values("products", "product_line"),
        "channel": values("channel_strategy", "channel")
        | values("actuals", "channel")
        | {NO_CHANNEL_STRATEGY},
    }


def person_lookup(people: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """person_id and name (either may be typed for an owner) -> (person_id, function)."""
    out: dict[str, tuple[str, str]] = {}
    for pid, name, function in zip(people["person_id"], people["name"], people["function"], strict=True):
        out.setdefault(str(name).strip(), (str(pid), str(function).lower()))
    for pid, function in zip(people["person_id"], people["function"], strict=True):
        out[str(pid)] = (str(pid), str(function).lower())
    out.pop("", None)
    return out


def owner_problem(value: str, side: str, lookup: Mapping[str, tuple[str, str]]) -> str | None:
    """What is wrong with ``value`` as the ``side`` owner of a joint action (None: nothing, or empty)."""
    value = value.strip()
    if not value:
        return None
    found = lookup.get(value)
    if found is None:
        return f"a person_id or name of function {side} listed in people"
    if found[1] != side:
        return (
            f"a person of function {side} ({value} is {found[1]}: each side owns its part of a joint action)"
        )
    return None


def _review_action_checks(
    tables: dict[str, pd.DataFrame], names: dict[str, str]
) -> tuple[list[Problem], list[Problem]]:
    """Rows of ``review_actions``: a level/key that exists, owners of the right side, both sides named."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    ra, name = tables["review_actions"], names["review_actions"]
    known = review_row_keys(tables)
    for i, level, key in zip(ra.index, ra["level"], ra["key"], strict=True):
        if level not in known or not key:
            continue  # a wrong level or empty key is reported by the column checks
        keys = known[level]
        if key not in keys and keys:
            problems.append(
                Problem(
                    name,
                    int(i) + 2,
                    "key",
                    key,
                    f"a {level} of the monthly review (did you mean {nearest_name(key, keys)!r}?)",
                )
            )
    if "people" not in tables:
        return problems, warnings
    lookup = person_lookup(tables["people"])
    for i, mo, so in zip(ra.index, ra["marketing_owner"], ra["sales_owner"], strict=True):
        for col, value, side in (("marketing_owner", mo, "marketing"), ("sales_owner", so, "sales")):
            wrong = owner_problem(value, side, lookup)
            if wrong:
                problems.append(Problem(name, int(i) + 2, col, value, wrong))
        missing = [c for c, v in (("marketing_owner", mo), ("sales_owner", so)) if not v.strip()]
        if missing:
            sides = " and no ".join(c.split("_")[0] for c in missing)
            warnings.append(
                Problem(
                    name,
                    int(i) + 2,
                    ", ".join(missing),
                    None,
                    f"an owner on each side (the action is not joint: no {sides} owner)",
                    "warning",
                )
            )
    return problems, warnings


def nearest_name(value: str, known: set[str]) -> str:
    """The name in ``known`` nearest to ``value``: the same up to case first, else the closest spelling."""
    by_lower: dict[str, str] = {}
    for k in sorted(known):
        by_lower.setdefault(k.lower(), k)
    if value.lower() in by_lower:
        return by_lower[value.lower()]
    return by_lower[difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.0)[0]]


def unlisted_channels(tables: dict[str, pd.DataFrame], names: dict[str, str]) -> list[Problem]:
    """Warnings for channels in ``actuals`` that no ``channel_strategy`` row lists for any product.

    Such a channel is usually a spelling of a known one (``Direct`` for ``Direct Sales``); its revenue
    would all count as off strategy. One warning per channel, on the first row that has it, naming
    the nearest known channel and how many rows carry it.
    """
    if "actuals" not in tables or "channel_strategy" not in tables:
        return []
    known = set(tables["channel_strategy"]["channel"].unique()) - {""}
    channels = tables["actuals"]["channel"]
    unlisted = sorted(set(channels.unique()) - known - {""})
    if not known or not unlisted:
        return []
    out = []
    for channel in unlisted:
        rows = np.flatnonzero((channels == channel).to_numpy(dtype=bool))
        out.append(
            Problem(
                names["actuals"],
                int(rows[0]) + 2,
                "channel",
                channel,
                f"a channel listed in channel_strategy (nearest: {nearest_name(channel, known)!r}); "
                f"{len(rows)} row{'s' * (len(rows) != 1)} with it count as off-strategy revenue",
                "warning",
            )
        )
    return out


# --------------------------------------------------------------------------- typing


def _typed(stem: str, df: pd.DataFrame) -> pd.DataFrame:
    spec = SPECS[stem]
    out = df.copy()
    for col in spec.optional:
        if col not in out.columns:
            out[col] = ""
    for col in spec.money:
        out[col] = from_cents(to_cents(_as_number(out[col]).to_numpy(dtype="float64")))
    if stem == "channel_strategy":
        out["share"] = pd.to_numeric(out["share"]).astype("float64")
    if stem == "people":
        out["function"] = out["function"].str.lower()
        out["ramp_months"] = pd.to_numeric(out["ramp_months"].replace("", "0")).astype("int64")
    if stem == "report_card_needs":
        out["needed_by"] = out["needed_by"].str.lower()
        out["rated_side"] = out["rated_side"].str.lower()
        out["importance"] = pd.to_numeric(out["importance"].replace("", None), errors="coerce").astype(
            "Int64"
        )
    if stem == "report_card_ratings":
        out["grade"] = out["grade"].str.upper()
    if stem == "action_items":
        out["status"] = out["status"].str.lower()
    if stem == "review_actions":
        out["status"] = out["status"].str.lower().replace("", "open")
    if stem == "wins":
        out["kind"] = out["kind"].str.lower()
    return out


def _empty(stem: str) -> pd.DataFrame:
    spec = SPECS[stem]
    return _typed(stem, pd.DataFrame({c: pd.Series([], dtype="str") for c in spec.columns + spec.optional}))


def _infer_plan_year(actuals: pd.DataFrame | None, start_month: int) -> int | None:
    if actuals is None or actuals.empty:
        return None
    months = pd.Series(actuals["month"].unique(), dtype="str")
    months = months[months.str.match(MONTH_RE.pattern)]
    if months.empty:
        return None
    return int(fiscal_year_of(pd.Series([months.max()]), start_month).iloc[0])


def check_folder(
    data_dir: str | Path,
    *,
    fiscal_year: int | None = None,
    fiscal_year_start_month: int = 1,
    mapped: dict[str, tuple[str, pd.DataFrame]] | None = None,
    encoding: Mapping[str, str] | None = None,
) -> tuple[Inputs | None, list[Problem], list[Problem]]:
    """Read and check every input file of a data folder.

    Parameters
    ----------
    data_dir : path
        The data folder.
    fiscal_year, fiscal_year_start_month : int
        The plan year, for the rule that every product sold in the prior year has a channel
        strategy. Without it, the plan year is the fiscal year of the latest month in ``actuals``.
    mapped : dict, optional
        Inputs already read from a source (stem -> (name used in problems, contract columns as
        text, money as float)); their files in the data folder are not read.
    encoding : mapping, optional
        The text encoding of CSV inputs that are not UTF-8, by stem (``{"actuals": "cp1252"}``).

    Returns
    -------
    (Inputs or None, problems, warnings)
        The typed bundle when there are no problems.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return None, [Problem(str(data_dir), None, None, None, "a data folder that exists")], []
    mapped = mapped or {}
    files, problems = find_files(data_dir, skip=mapped)
    raw: dict[str, pd.DataFrame] = {stem: df for stem, (_, df) in mapped.items()}
    names = {stem: path.name for stem, path in files.items()} | {s: n for s, (n, _) in mapped.items()}
    warnings: list[Problem] = []
    encoding = dict(encoding or {})
    for stem, path in files.items():
        spec = SPECS[stem]
        try:
            df, unread = read_input(
                path,
                numeric=spec.money + ("share",),
                encoding=encoding.get(stem),
                expected_columns=spec.columns,
            )
        except Exception as exc:  # unreadable file: one line, the reader's own reason
            problems.append(
                Problem(path.name, None, None, None, f"a readable {path.suffix[1:]} file ({exc})")
            )
            continue
        problems += unread
        if df is None:
            continue
        missing = [c for c in spec.columns if c not in df.columns]
        for col in missing:
            problems.append(Problem(path.name, 1, col, None, f"a column named {col} in the header"))
        if missing:
            continue
        raw[stem] = df
        warnings += _no_rows(path.name, spec, df) + _sub_cent(path.name, spec, df)

    def ids(stem: str, col: str) -> object | None:
        return _distinct_ids(raw[stem][col]) if stem in raw else None

    people = raw.get("people")
    refs = {
        "people": ids("people", "person_id"),
        "people_sales": _distinct_ids(people.loc[people["function"].str.lower() == "sales", "person_id"])
        if people is not None
        else None,
        "customers": ids("customers", "customer_id"),
        "products": ids("products", "product_id"),
        # ratings or actions without a needs file point at needs that do not exist
        "needs": ids("report_card_needs", "need_id") if "report_card_needs" in raw else _no_ids(),
    }
    keys = None
    if {"actuals", "customers", "products"} <= raw.keys():
        keys = make_actuals_keys(raw["actuals"], raw["customers"], raw["products"])
    schemas = _schemas(refs, keys)
    for stem, df in raw.items():
        problems += _column_problems(names[stem], df, schemas[stem])
    plan_year = fiscal_year or _infer_plan_year(raw.get("actuals"), fiscal_year_start_month)
    more, found = _cross_checks(raw, names, plan_year, fiscal_year_start_month, keys)
    problems += more
    warnings += found
    warnings += unlisted_channels(raw, names)
    warnings += [w for stem, df in raw.items() for w in formula_text_warnings(names[stem], df)]
    order = list(SPECS)
    rank = {names.get(stem, f"{stem}.csv"): i for i, stem in enumerate(order)}

    def key(p: Problem) -> tuple:
        return (rank.get(p.file, -1), p.row or 0, p.column or "", p.expected)

    problems = sorted(dict.fromkeys(problems), key=key)
    warnings = sorted(dict.fromkeys(warnings), key=key)
    if problems:
        return None, problems, warnings
    tables = {stem: _typed(stem, raw[stem]) if stem in raw else _empty(stem) for stem in SPECS}
    if keys is not None:
        keys = keys.made_for(tables["actuals"], tables["customers"], tables["products"])
    return (
        Inputs(
            data_dir=data_dir.resolve(),
            files={k: v.resolve() for k, v in files.items()},
            warnings=tuple(warnings),
            keys=keys,
            **tables,
        ),
        problems,
        warnings,
    )


# --------------------------------------------------------------------------- text a spreadsheet would run

#: First characters that make a spreadsheet run a cell as a formula (the usual CSV-injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_ROWS_SHOWN = 5


def _starts_like_formula(text: pd.Series) -> np.ndarray:
    """Which cells start with one of :data:`FORMULA_STARTS`: the first byte of each Arrow string,
    looked up in a table (one pass over millions of cells, no regular expression)."""
    import pyarrow as pa_arrow

    values = pa_arrow.array(text, from_pandas=True)
    chunks = values.chunks if isinstance(values, pa_arrow.ChunkedArray) else [values]
    if not all(pa_arrow.types.is_string(c.type) or pa_arrow.types.is_large_string(c.type) for c in chunks):
        return text.str.match(_FORMULA_START).fillna(False).to_numpy(dtype=bool)
    lookup = np.zeros(256, dtype=bool)
    lookup[[ord(c) for c in FORMULA_STARTS]] = True
    parts = []
    for chunk in chunks:
        _, offsets, data = chunk.buffers()
        width = "int64" if pa_arrow.types.is_large_string(chunk.type) else "int32"
        at = np.frombuffer(offsets, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        starts = at[:-1]
        nonempty = at[1:] > starts
        chars = np.frombuffer(data, dtype="uint8") if data is not None else np.zeros(0, dtype="uint8")
        if not len(chars):
            parts.append(np.zeros(len(chunk), dtype=bool))
            continue
        # an empty cell's start may be the end of the characters: read any byte there, then drop it
        first = chars[np.minimum(starts, len(chars) - 1)]
        parts.append(lookup[first] & nonempty)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def formula_text_warnings(file: str, df: pd.DataFrame) -> list[Problem]:
    """Warnings for text cells that a spreadsheet would run as a formula, one per column.

    A cell warns when its text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    (:data:`FORMULA_STARTS`) and it is not a plain number (``-12.5`` in a money column is a number,
    not a formula). Each column with such cells gives one warning naming its first row and value,
    the count of cells and their first rows (1-based, header = row 1). The workbook itself writes
    these cells as text in its xlsx files and as they are in its CSV tables.

    Parameters
    ----------
    file : str
        The file's name, as the warning shows it.
    df : pandas.DataFrame
        The file as read (:func:`read_table`): text columns, numbers where Parquet stores numbers.
    """
    warnings = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue  # stored as numbers: no text to run
        text = s.astype("str")
        starts = _starts_like_formula(text)
        if not starts.any():
            continue
        hits = text[starts]
        hits = hits[~hits.str.match(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool)]
        if hits.empty:
            continue
        rows = [int(i) + 2 for i in hits.index[:_ROWS_SHOWN]]
        more = len(hits) - len(rows)
        shown = ", ".join(map(str, rows)) + (f" and {more} more" if more else "")
        count = f"{len(hits)} cell{'s' * (len(hits) != 1)}"
        warnings.append(
            Problem(
                file,
                rows[0],
                str(col),
                str(hits.iloc[0]),
                "text that does not start with =, +, -, @, a tab or a carriage return, which a spreadsheet "
                f"would run as a formula ({count} in this column: row{'s' * (len(hits) != 1)} {shown}); "
                "the workbook's xlsx files keep it as text",
                severity="warning",
            )
        )
    return warnings


def load_inputs(
    data_dir: str | Path,
    *,
    fiscal_year: int | None = None,
    fiscal_year_start_month: int = 1,
    encoding: Mapping[str, str] | None = None,
) -> Inputs:
    """Load a data folder, raising :class:`InputError` with every problem if any input is bad."""
    inputs, problems, _ = check_folder(
        data_dir,
        fiscal_year=fiscal_year,
        fiscal_year_start_month=fiscal_year_start_month,
        encoding=encoding,
    )
    if problems or inputs is None:
        raise InputError(problems)
    return inputs


def sales_people(inputs: Inputs) -> pd.DataFrame:
    """The people of function ``sales``, in person_id order."""
    return inputs.people[inputs.people["function"] == "sales"].sort_values("person_id", ignore_index=True)


__all__ = [
    "SPECS",
    "FileSpec",
    "Inputs",
    "check_folder",
    "formula_text_warnings",
    "load_inputs",
    "pair_positions",
    "positions",
    "read_table",
    "sales_people",
]
