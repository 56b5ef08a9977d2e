"""Load a data folder into one validated, typed bundle of DataFrames.

Each input file (CONTRACT section 4) may be CSV, Parquet or XLSX with the same stem. Everything is
read as text first, so ids keep their leading zeros and a bad value can be shown exactly as the
user typed it. Column rules are pandera schemas whose check messages are the "expected ..." part
of the one-line problem; rules across rows and files (sums, pairs, references) are checked here
with the same one-line form. Nothing in the data folder is ever written.

In the returned :class:`Inputs`, ids and text are ``str``, money is ``float64`` exact to the cent,
``share`` is ``float64``, ``importance`` is nullable ``Int64``; grades are upper case and
``people.function`` lower case. Optional files that are absent are empty frames with their columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from alignment.fiscal import CYCLE_RE, MONTH_RE, QUARTER_RE, fiscal_months, fiscal_year_of
from alignment.money import from_cents, to_cents
from alignment.problems import InputError, Problem

FORMATS = (".csv", ".parquet", ".xlsx")
FUNCTIONS = ("marketing", "sales")
GRADES = ("A", "B", "C", "F")
STATUSES = ("open", "in_progress", "done", "dropped")
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
        FileSpec("people", True, ("person_id", "name", "function", "team")),
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
        FileSpec("overrides", False, ("customer_id", "product_id", "final_quota"), money=("final_quota",)),
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
    files: dict[str, Path] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()


# --------------------------------------------------------------------------- reading


def find_files(data_dir: Path) -> tuple[dict[str, Path], list[Problem]]:
    """Find each input file's path by stem; two formats for one stem, or a missing required file, is a problem."""
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for stem, spec in SPECS.items():
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


def read_table(path: Path, numeric: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read one input file as text: every cell a ``str``, missing cells as ``""``, whitespace trimmed.

    The one exception: a Parquet column named in ``numeric`` that is stored as numbers stays
    ``float64`` (missing as NaN), so a large file's money is not turned into text and back.
    """
    if path.suffix == ".csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    elif path.suffix == ".parquet":
        df = _read_parquet(path, numeric)
    else:
        df = pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
    df.columns = [str(c).strip() for c in df.columns]
    for col in df.columns:
        if not pd.api.types.is_float_dtype(df[col]):
            df[col] = df[col].astype("str").str.strip()
    return df.reset_index(drop=True)


def _read_parquet(path: Path, numeric: tuple[str, ...]) -> pd.DataFrame:
    """A Parquet file with every column as text (cast by Arrow), except numeric columns named in ``numeric``."""
    import pyarrow as pa_arrow
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if str(name) in numeric and (
            pa_arrow.types.is_floating(kind)
            or pa_arrow.types.is_integer(kind)
            or pa_arrow.types.is_decimal(kind)
        ):
            columns[str(name)] = pc.cast(column, pa_arrow.float64())
        else:
            text = column if pa_arrow.types.is_string(kind) else pc.cast(column, pa_arrow.string())
            columns[str(name)] = pc.fill_null(text, "")
    return pa_arrow.table(columns).to_pandas(
        types_mapper=lambda t: (
            pd.StringDtype("pyarrow", na_value=float("nan")) if pa_arrow.types.is_string(t) else None
        )
    )


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_float_dtype(s)


# --------------------------------------------------------------------------- column checks


def _nonempty(what: str) -> pa.Check:
    return pa.Check(lambda s: s.ne(""), error=what)


def _unique(what: str) -> pa.Check:
    return pa.Check(lambda s: ~s.duplicated(keep="first") | s.eq(""), error=what)


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


def _in(values: set[str] | None, what: str) -> list[pa.Check]:
    """Values must be among ``values``; None means the referenced file is itself missing: no check."""
    if values is None:
        return []
    allowed = _arrow_strings(values)

    def listed(s: pd.Series) -> pd.Series:
        return _isin(s, allowed) | s.eq("")

    return [pa.Check(listed, error=what)]


def _arrow_strings(values: set[str]) -> object:
    import pyarrow as pa_arrow

    return pa_arrow.array(sorted(values), type=pa_arrow.string())


def _isin(s: pd.Series, allowed: object) -> pd.Series:
    """``s.isin(allowed)`` through Arrow's hash lookup: an order of magnitude faster on millions of ids."""
    import pyarrow as pa_arrow
    import pyarrow.compute as pc

    found = pc.is_in(pa_arrow.array(s.astype("str").array), value_set=allowed)
    return pd.Series(pc.fill_null(found, False).to_numpy(zero_copy_only=False), index=s.index)


def _one_of(
    values: tuple[str, ...], what: str, *, transform: Callable[[pd.Series], pd.Series] | None = None
) -> pa.Check:
    def one_of(s: pd.Series) -> pd.Series:
        return (transform(s) if transform else s).isin(values)

    return pa.Check(_per_distinct(one_of), error=what)


def _matches(regex: re.Pattern[str], what: str, *, allow_empty: bool = False) -> pa.Check:
    def matches(s: pd.Series) -> pd.Series:
        ok = s.str.match(regex.pattern)
        return ok | s.eq("") if allow_empty else ok

    return pa.Check(_per_distinct(matches), error=what)


def _money(*, nonnegative: bool = False) -> list[pa.Check]:
    def money_format(s: pd.Series) -> pd.Series:
        if _numeric(s):
            return pd.Series(np.isfinite(s.to_numpy(dtype="float64")), index=s.index)
        return s.str.replace(" ", "", regex=False).str.fullmatch(MONEY_PATTERN)

    def money_nonnegative(s: pd.Series) -> pd.Series:
        return ~(_as_number(s) < 0)

    checks = [pa.Check(money_format, error="an amount such as 1234.50 (no thousands separators, no units)")]
    if nonnegative:
        checks.append(pa.Check(money_nonnegative, error="an amount >= 0"))
    return checks


def _share() -> list[pa.Check]:
    def share_in_range(s: pd.Series) -> pd.Series:
        x = pd.to_numeric(s, errors="coerce")
        return x.isna() | ((x > 0) & (x <= 1))

    return [
        pa.Check(lambda s: pd.to_numeric(s, errors="coerce").notna(), error="a share such as 0.25"),
        pa.Check(share_in_range, error="a share above 0 and at most 1"),
    ]


def _importance() -> pa.Check:
    return pa.Check(
        lambda s: s.isin(["", "1", "2", "3", "4", "5"]), error="an importance from 1 to 5, or empty"
    )


def _raci() -> list[pa.Check]:
    def letters_once(s: pd.Series) -> pd.Series:
        letters = s.str.upper().str.replace(r"[\s/,;]", "", regex=True)
        return letters.map(lambda v: len(set(v)) == len(v))

    return [
        pa.Check(
            lambda s: s.str.upper().str.match(RACI_RE.pattern) | s.eq(""),
            error="RACI letters R, A, C, I (such as A, AR or A/R), or empty",
        ),
        pa.Check(letters_once, error="each RACI letter at most once"),
    ]


def _members(people: set[str] | None) -> list[pa.Check]:
    if people is None:
        return []

    def members_known(s: pd.Series) -> pd.Series:
        return s.map(lambda v: all(m.strip() in people for m in v.split(";") if m.strip()))

    return [pa.Check(members_known, error="person_ids listed in people, separated by ;")]


def _schema(columns: dict[str, list[pa.Check]], optional: tuple[str, ...] = ()) -> pa.DataFrameSchema:
    """Text columns with their checks; ``optional`` columns are checked only when present."""
    return pa.DataFrameSchema(
        {
            name: pa.Column(None, checks, nullable=True, required=name not in optional)
            for name, checks in columns.items()
        },
        strict=False,
        coerce=False,
    )


def _schemas(refs: dict[str, set[str] | None]) -> dict[str, pa.DataFrameSchema]:
    """The column rules of every file; ``refs`` holds the ids other files may point at."""
    person = _in(refs["people"], "a person_id listed in people")
    customer = _in(refs["customers"], "a customer_id listed in customers")
    product = _in(refs["products"], "a product_id listed in products")
    need = _in(refs["needs"], "a need_id listed in report_card_needs")
    side = _one_of(FUNCTIONS, "marketing or sales", transform=lambda s: s.str.lower())
    return {
        "customers": _schema(
            {
                "customer_id": [_nonempty("a non-empty customer_id"), _unique("a unique customer_id")],
                "customer_name": [],
                "customer_group": [_nonempty("a customer group")],
                "region": [_nonempty("a region")],
                "account_owner": [
                    _nonempty("a person_id of function sales"),
                    *_in(refs["people_sales"], "a person_id of function sales"),
                ],
            }
        ),
        "products": _schema(
            {
                "product_id": [_nonempty("a non-empty product_id"), _unique("a unique product_id")],
                "product_name": [],
                "product_line": [_nonempty("a product line")],
            }
        ),
        "people": _schema(
            {
                "person_id": [_nonempty("a non-empty person_id"), _unique("a unique person_id")],
                "name": [],
                "function": [side],
                "team": [],
            }
        ),
        "channel_strategy": _schema(
            {
                "product_id": [_nonempty("a product_id"), *product],
                "channel": [_nonempty("a channel name")],
                "share": _share(),
            }
        ),
        "actuals": _schema(
            {
                "month": [_matches(MONTH_RE, "a month YYYY-MM")],
                "customer_id": [_nonempty("a customer_id"), *customer],
                "product_id": [_nonempty("a product_id"), *product],
                "channel": [_nonempty("a channel name")],
                "revenue": _money(),
            }
        ),
        "sales_input": _schema(
            {
                "customer_id": [_nonempty("a customer_id"), *customer],
                "product_id": [_nonempty("a product_id"), *product],
                "potential": _money(nonnegative=True),
                "committed": _money(nonnegative=True),
            }
        ),
        "roles": _schema(
            {
                "activity": [_nonempty("an activity name"), _unique("a unique activity")],
                "marketing": _raci(),
                "sales": _raci(),
            }
        ),
        "overrides": _schema(
            {
                "customer_id": [_nonempty("a customer_id"), *customer],
                "product_id": [_nonempty("a product_id"), *product],
                "final_quota": _money(nonnegative=True),
            }
        ),
        "report_card_needs": _schema(
            {
                "need_id": [_nonempty("a non-empty need_id"), _unique("a unique need_id")],
                "needed_by": [side],
                "rated_side": [side],
                "description": [],
                "importance": [_importance()],
            },
            optional=("importance",),
        ),
        "report_card_ratings": _schema(
            {
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
            }
        ),
        "action_items": _schema(
            {
                "cycle": [_matches(CYCLE_RE, "a half-year YYYY-H1 or YYYY-H2")],
                "need_id": [_nonempty("a need_id"), *need],
                "action": [],
                "owner": [],
                "due": [_matches(DATE_RE, "a date YYYY-MM-DD, or empty", allow_empty=True)],
                "status": [
                    _one_of(STATUSES, "one of " + ", ".join(STATUSES), transform=lambda s: s.str.lower())
                ],
            }
        ),
        "wins": _schema(
            {
                "quarter": [_matches(QUARTER_RE, "a fiscal quarter YYYY-Qn")],
                "kind": [_one_of(KINDS, "success or shortcoming", transform=lambda s: s.str.lower())],
                "title": [],
                "member_ids": _members(refs["people"]),
                "revenue_impact": _money(),
                "lesson": [],
            }
        ),
    }


def _column_problems(name: str, df: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Problem]:
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        out = []
        for case in cases.itertuples(index=False):
            if case.index is None or pd.isna(case.index):
                # missing columns are reported before validation, so this is a check that crashed
                raise RuntimeError(
                    f"{name}: check {case.check!r} on {case.column} failed: {case.failure_case}"
                ) from exc
            out.append(
                Problem(name, int(case.index) + 2, str(case.column), str(case.failure_case), str(case.check))
            )
        return out
    return []


# --------------------------------------------------------------------------- rules across rows and files


def _duplicate_pairs(name: str, df: pd.DataFrame, cols: list[str], what: str) -> list[Problem]:
    dup = df.duplicated(cols, keep="first")
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
    tables: dict[str, pd.DataFrame], names: dict[str, str], plan_year: int | None, start_month: int
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
            sold.append(
                (
                    names["actuals"],
                    act.loc[act["month"].isin(prior), "product_id"],
                    f"in FY{plan_year - 1} actuals",
                )
            )
        for file, products_sold, where in sold:
            first = products_sold[~products_sold.duplicated(keep="first")]
            for i, p in zip(first.index, first, strict=True):
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
        ov, si = tables["overrides"], tables["sales_input"]
        problems += _duplicate_pairs(
            names["overrides"],
            ov,
            ["customer_id", "product_id"],
            "each (customer_id, product_id) locked once",
        )
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

    if "roles" in tables:
        roles = tables["roles"]
        for i, act, m, s in zip(
            roles.index, roles["activity"], roles["marketing"], roles["sales"], strict=True
        ):
            n_a = m.upper().count("A") + s.upper().count("A")
            if n_a != 1 and RACI_RE.match(m.upper() or "A") and RACI_RE.match(s.upper() or "A"):
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
            if n != 6:
                warnings.append(
                    Problem(
                        names["report_card_needs"],
                        None,
                        "rated_side",
                        side,
                        f"6 critical needs rated on the {side} side (the practice), found {n}",
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
) -> tuple[Inputs | None, list[Problem], list[Problem]]:
    """Read and check every input file of a data folder.

    Parameters
    ----------
    data_dir : path
        The data folder.
    fiscal_year, fiscal_year_start_month : int
        The plan year, for the rule that every product sold in the prior year has a channel
        strategy. Without it, the plan year is the fiscal year of the latest month in ``actuals``.

    Returns
    -------
    (Inputs or None, problems, warnings)
        The typed bundle when there are no problems.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return None, [Problem(str(data_dir), None, None, None, "a data folder that exists")], []
    files, problems = find_files(data_dir)
    raw: dict[str, pd.DataFrame] = {}
    names = {stem: path.name for stem, path in files.items()}
    for stem, path in files.items():
        try:
            df = read_table(path, numeric=SPECS[stem].money + ("share",))
        except Exception as exc:  # unreadable file: one line, the reader's own reason
            problems.append(
                Problem(path.name, None, None, None, f"a readable {path.suffix[1:]} file ({exc})")
            )
            continue
        spec = SPECS[stem]
        missing = [c for c in spec.columns if c not in df.columns]
        for col in missing:
            problems.append(Problem(path.name, 1, col, None, f"a column named {col} in the header"))
        if missing:
            continue
        raw[stem] = df

    def ids(stem: str, col: str) -> set[str] | None:
        return set(raw[stem][col]) - {""} if stem in raw else None

    people = raw.get("people")
    refs = {
        "people": ids("people", "person_id"),
        "people_sales": set(people.loc[people["function"].str.lower() == "sales", "person_id"])
        if people is not None
        else None,
        "customers": ids("customers", "customer_id"),
        "products": ids("products", "product_id"),
        # ratings or actions without a needs file point at needs that do not exist
        "needs": ids("report_card_needs", "need_id") or set(),
    }
    schemas = _schemas(refs)
    for stem, df in raw.items():
        problems += _column_problems(names[stem], df, schemas[stem])
    plan_year = fiscal_year or _infer_plan_year(raw.get("actuals"), fiscal_year_start_month)
    more, warnings = _cross_checks(raw, names, plan_year, fiscal_year_start_month)
    problems += more
    warnings += [w for stem, df in raw.items() for w in formula_text_warnings(names[stem], df)]
    order = list(SPECS)
    stem_of = {v: k for k, v in names.items()}

    def key(p: Problem) -> tuple:
        stem = stem_of.get(p.file, p.file.rsplit(".", 1)[0])
        return (order.index(stem) if stem in order else -1, p.row or 0, p.column or "", p.expected)

    problems = sorted(set(problems), key=key)
    warnings = sorted(set(warnings), key=key)
    if problems:
        return None, problems, warnings
    tables = {stem: _typed(stem, raw[stem]) if stem in raw else _empty(stem) for stem in SPECS}
    return (
        Inputs(
            data_dir=data_dir.resolve(),
            files={k: v.resolve() for k, v in files.items()},
            warnings=tuple(warnings),
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
        first = np.zeros(len(chunk), dtype="uint8")
        if data is not None and nonempty.any():
            first[nonempty] = np.frombuffer(data, dtype="uint8")[starts[nonempty]]
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
    data_dir: str | Path, *, fiscal_year: int | None = None, fiscal_year_start_month: int = 1
) -> Inputs:
    """Load a data folder, raising :class:`InputError` with every problem if any input is bad."""
    inputs, problems, _ = check_folder(
        data_dir, fiscal_year=fiscal_year, fiscal_year_start_month=fiscal_year_start_month
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
    "read_table",
    "sales_people",
]
