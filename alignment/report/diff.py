"""What changed between two reports, read from their files: nothing is run again.

:func:`compare_reports` reads two report folders written by ``alignment run`` (``run.json``,
``headline.json`` and the tables that exist) and returns a :class:`ReportDiff`:

- the parameters that differ (dotted keys, e.g. ``allocation.rounding``) and the input files whose
  content changed, appeared or disappeared (by SHA-256, from ``run.json``);
- the headline figures side by side with the difference (B - A);
- final quotas by customer group, region and account owner, with differences;
- the rows whose final quota moved (exactly the rows whose quota differs to the cent, plus rows in
  one report only);
- overrides that are new, ended or changed (from ``tables/overrides_in_force.csv``, or the
  ``locked`` column of final_quotas.csv for reports written before that table existed);
- the review figures of each report's review month, month on month, and the report-card scores.

A table that one of the reports lacks (a run with ``--only``) is left out with a note. Money is
compared in integer cents. :func:`scenario_comparison` gives ``comparison.html`` the same
difference columns for the scenarios of one run. Nothing here imports altair.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alignment.money import SCALES, from_cents, to_cents
from alignment.presentation.tables import Display

LEVELS = ("customer_group", "region", "account_owner")
KEYS = ["customer_id", "product_id"]


class DiffError(Exception):
    """A folder that is not a report (exit 2, one line)."""


@dataclass(frozen=True)
class Report:
    """One report folder as :func:`compare_reports` reads it."""

    folder: Path
    run: dict[str, Any]
    headline: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.run.get("scenario") or self.folder.name)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.run.get('started', '?')})"

    @property
    def parameters(self) -> dict[str, Any]:
        return self.run.get("parameters") or {}

    def table(self, name: str) -> pd.DataFrame | None:
        path = self.folder / "tables" / name
        if not path.is_file():
            return None
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def read_report(folder: str | Path, which: str = "report") -> Report:
    """A report folder's run.json and headline.json; :class:`DiffError` when it is not a report."""
    folder = Path(folder)
    run, headline = folder / "run.json", folder / "headline.json"
    if not run.is_file() or not headline.is_file():
        raise DiffError(
            f"alignment diff: {which}: {folder} holds no run.json and headline.json: expected a report "
            "folder written by alignment run"
        )
    try:
        return Report(
            folder=folder,
            run=json.loads(run.read_text(encoding="utf-8")),
            headline=json.loads(headline.read_text(encoding="utf-8")),
        )
    except ValueError as exc:
        raise DiffError(f"alignment diff: {which}: {run}: expected JSON ({exc})") from exc


def report_display(report: Report) -> Display:
    """How money read in a report: its params file's ``display`` section, as run.json records it
    (units without a currency when the section was not set)."""
    section = report.parameters.get("display") or {}
    scale = section.get("money_scale") if isinstance(section, dict) else None
    currency = section.get("currency") if isinstance(section, dict) else None
    return Display(
        money_scale=scale if scale in SCALES else "units",
        currency=currency if isinstance(currency, str) and currency else None,
    )


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested parameters as dotted keys; lists and other leaves as they are."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def changed_parameters(params: list[dict[str, Any]]) -> pd.DataFrame:
    """The dotted keys whose values differ among the parameter sets: key, then one column per set (v0, v1 ...)."""
    flat = [flatten(p) for p in params]
    keys = sorted(set().union(*flat)) if flat else []
    rows = []
    for k in keys:
        values = [f.get(k) for f in flat]
        if len({_shown(v) for v in values}) > 1:
            rows.append({"key": k, **{f"v{i}": _shown(v) for i, v in enumerate(values)}})
    return pd.DataFrame(rows, columns=["key", *[f"v{i}" for i in range(len(params))]])


def changed_inputs(a: Report, b: Report) -> pd.DataFrame:
    """Input files whose content differs: file (stem), change (changed, added, removed), sha_a, sha_b."""
    ia, ib = a.run.get("inputs") or {}, b.run.get("inputs") or {}
    rows = []
    for stem in sorted(set(ia) | set(ib)):
        ha = (ia.get(stem) or {}).get("sha256")
        hb = (ib.get(stem) or {}).get("sha256")
        if ha == hb:
            continue
        change = "added" if ha is None else "removed" if hb is None else "changed"
        rows.append({"file": stem, "change": change, "sha_a": (ha or "")[:12], "sha_b": (hb or "")[:12]})
    return pd.DataFrame(rows, columns=["file", "change", "sha_a", "sha_b"])


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _difference(a: float | None, b: float | None, money: bool) -> float | None:
    if a is None or b is None:
        return None
    if money:
        return float(from_cents(int(to_cents(b)) - int(to_cents(a))))
    return b - a


def headline_difference(headlines: list[dict[str, Any]], labels: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """key, label, kind, then per report v0, v1 ... and d1, d2 ... (each minus the first)."""
    keys = [k for k in labels] + sorted({k for h in headlines for k in h} - set(labels))
    rows = []
    for key in keys:
        label, kind = labels.get(key, (key, "number"))
        values = [h.get(key) for h in headlines]
        if any(isinstance(v, dict) for v in values):
            sides = sorted({s for v in values if isinstance(v, dict) for s in v})
            for side in sides:
                vs = [_number(v.get(side)) if isinstance(v, dict) else None for v in values]
                rows.append(_headline_row(f"{key}.{side}", f"{label}: {side}", "score", vs))
            continue
        rows.append(_headline_row(key, label, kind, [_number(v) for v in values]))
    return pd.DataFrame(rows)


def _headline_row(key: str, label: str, kind: str, values: list[float | None]) -> dict[str, Any]:
    row: dict[str, Any] = {"key": key, "label": label, "kind": kind}
    for i, v in enumerate(values):
        row[f"v{i}"] = v
        if i:
            row[f"d{i}"] = _difference(values[0], v, kind == "money")
    return row


def _cents(table: pd.DataFrame, col: str) -> np.ndarray:
    values = pd.to_numeric(table[col].replace("", np.nan), errors="coerce").fillna(0.0)
    return to_cents(values.to_numpy(dtype="float64"))


def quotas_by(tables: list[pd.DataFrame | None], level: str) -> pd.DataFrame | None:
    """Final quota per key of ``level`` in each table (v0, v1 ...) and differences (d1 ...), in currency."""
    if any(t is None or level not in t.columns for t in tables):
        return None
    sums = []
    for t in tables:
        assert t is not None
        s = pd.Series(_cents(t, "final_quota"), index=t[level].to_numpy()).groupby(level=0).sum()
        sums.append(s)
    keys = sorted(set().union(*[set(s.index) for s in sums]))
    out = pd.DataFrame({"key": keys})
    for i, s in enumerate(sums):
        out[f"v{i}"] = s.reindex(keys).fillna(0).astype("int64").to_numpy()
    for i in range(1, len(sums)):
        out[f"d{i}"] = out[f"v{i}"] - out["v0"]
    total = {"key": "Total", **{c: int(out[c].sum()) for c in out.columns if c != "key"}}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    for c in out.columns[1:]:
        out[c] = from_cents(out[c].to_numpy(dtype="int64"))
    return out


def moved_rows(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The (customer, product) rows whose final quota differs, or that are in one table only."""
    cols = ["customer_id", "product_id", "customer_name", "customer_group", "account_owner"]
    left = a.reindex(columns=cols).assign(quota_a=_cents(a, "final_quota"), locked_a=a.get("locked", ""))
    right = b.reindex(columns=cols).assign(quota_b=_cents(b, "final_quota"), locked_b=b.get("locked", ""))
    both = left.merge(right, on=KEYS, how="outer", suffixes=("", "_b"), indicator=True)
    for c in cols[2:]:
        both[c] = both[c].where(both[c].notna(), both[f"{c}_b"]).fillna("")
    only_a, only_b = both["_merge"].eq("left_only"), both["_merge"].eq("right_only")
    qa = both["quota_a"].fillna(0).astype("int64").to_numpy()
    qb = both["quota_b"].fillna(0).astype("int64").to_numpy()
    moved = (qa != qb) | only_a.to_numpy() | only_b.to_numpy()
    out = both.loc[moved, cols].copy()
    out["final_quota_a"] = np.where(only_b[moved], np.nan, from_cents(qa[moved]))
    out["final_quota_b"] = np.where(only_a[moved], np.nan, from_cents(qb[moved]))
    out["difference"] = from_cents(qb[moved] - qa[moved])
    out["note"] = np.where(only_a[moved], "only in A", np.where(only_b[moved], "only in B", ""))
    out["locked_a"] = both.loc[moved, "locked_a"].fillna("").astype("str").to_numpy()
    out["locked_b"] = both.loc[moved, "locked_b"].fillna("").astype("str").to_numpy()
    return out.sort_values(KEYS, ignore_index=True)


def _overrides_of(report: Report) -> pd.DataFrame | None:
    table = report.table("overrides_in_force.csv")
    if table is not None:
        return table.reindex(columns=[*KEYS, "final_quota", "reason", "changed_by"]).fillna("")
    fq = report.table("final_quotas.csv")
    if fq is None or "locked" not in fq.columns:
        return None
    locked = fq.loc[fq["locked"].str.lower().eq("true"), [*KEYS, "final_quota"]]
    return locked.assign(reason="", changed_by="")


def override_changes(a: Report, b: Report) -> pd.DataFrame | None:
    """Overrides new in B, ended since A, or changed: customer_id, product_id, change, a, b, reason, changed_by."""
    oa, ob = _overrides_of(a), _overrides_of(b)
    if oa is None or ob is None:
        return None
    both = oa.merge(ob, on=KEYS, how="outer", suffixes=("_a", "_b"), indicator=True)
    qa = _cents(both.fillna({"final_quota_a": ""}), "final_quota_a")
    qb = _cents(both.fillna({"final_quota_b": ""}), "final_quota_b")
    change = np.select(
        [both["_merge"].eq("right_only"), both["_merge"].eq("left_only"), qa != qb],
        ["new", "ended", "changed"],
        "",
    )
    out = pd.DataFrame(
        {
            "customer_id": both["customer_id"],
            "product_id": both["product_id"],
            "change": change,
            "final_quota_a": np.where(both["_merge"].eq("right_only"), np.nan, from_cents(qa)),
            "final_quota_b": np.where(both["_merge"].eq("left_only"), np.nan, from_cents(qb)),
            "reason": both["reason_b"].fillna("").where(both["_merge"].ne("left_only"), both["reason_a"]),
            "changed_by": both["changed_by_b"]
            .fillna("")
            .where(both["_merge"].ne("left_only"), both["changed_by_a"]),
        }
    )
    return out.loc[out["change"] != ""].sort_values(KEYS, ignore_index=True)


def review_changes(a: Report, b: Report) -> pd.DataFrame | None:
    """Each report's review (its own month): period, level, key, objective, actual, attainment, A and B."""
    ra, rb = a.table("monthly_review.csv"), b.table("monthly_review.csv")
    if ra is None or rb is None:
        return None
    cols = ["period", "level", "key", "objective", "actual", "attainment"]
    both = ra.reindex(columns=cols).merge(
        rb.reindex(columns=cols), on=["period", "level", "key"], how="outer", suffixes=("_a", "_b")
    )
    for c in ("objective", "actual", "attainment"):
        for s in ("_a", "_b"):
            both[c + s] = pd.to_numeric(both[c + s].replace("", np.nan), errors="coerce")
    both["actual_change"] = from_cents(
        to_cents(both["actual_b"].fillna(0).to_numpy()) - to_cents(both["actual_a"].fillna(0).to_numpy())
    )
    both["attainment_change"] = both["attainment_b"] - both["attainment_a"]
    order = {"month": 0, "ytd": 1}
    both["_p"] = both["period"].map(order).fillna(2)
    return both.sort_values(["_p", "level", "key"], ignore_index=True).drop(columns="_p")


def report_card_changes(a: Report, b: Report) -> pd.DataFrame | None:
    """Each report's report-card cycle: need_id, rated_side, score A and B, difference."""
    sa, sb = a.table("report_card_scores.csv"), b.table("report_card_scores.csv")
    if sa is None or sb is None:
        return None
    ca = (a.parameters.get("report_card") or {}).get("cycle")
    cb = (b.parameters.get("report_card") or {}).get("cycle")
    sa = sa.loc[sa["cycle"] == ca] if ca else sa
    sb = sb.loc[sb["cycle"] == cb] if cb else sb
    cols = ["need_id", "rated_side", "score"]
    both = sa.reindex(columns=cols).merge(
        sb.reindex(columns=cols), on=["need_id", "rated_side"], how="outer", suffixes=("_a", "_b")
    )
    for s in ("_a", "_b"):
        both["score" + s] = pd.to_numeric(both["score" + s].replace("", np.nan), errors="coerce")
    both["difference"] = both["score_b"] - both["score_a"]
    return both.sort_values(["rated_side", "need_id"], ignore_index=True)


@dataclass(frozen=True)
class ReportDiff:
    """Two reports compared (see the module notes); every table's A is the first report."""

    a: Report
    b: Report
    parameters: pd.DataFrame
    inputs: pd.DataFrame
    headline: pd.DataFrame
    quotas: dict[str, pd.DataFrame | None]
    moved: pd.DataFrame | None
    overrides: pd.DataFrame | None
    review: pd.DataFrame | None
    review_months: tuple[str | None, str | None]
    report_card: pd.DataFrame | None
    cycles: tuple[str | None, str | None]
    notes: list[str] = field(default_factory=list)
    display: Display = field(default_factory=Display)  # how money reads: B's display section

    def summary_lines(self) -> list[str]:
        """A few lines for the command line."""
        lines = [
            f"A: {self.a.folder}  B: {self.b.folder}",
            f"{len(self.parameters)} parameters changed, {len(self.inputs)} input files changed",
        ]
        if self.moved is not None:
            lines.append(f"{len(self.moved)} rows whose final quota moved")
        if self.overrides is not None:
            counts = self.overrides["change"].value_counts()
            lines.append(
                f"overrides: {int(counts.get('new', 0))} new, {int(counts.get('ended', 0))} ended, "
                f"{int(counts.get('changed', 0))} changed"
            )
        return lines + self.notes


def compare_reports(
    folder_a: str | Path, folder_b: str | Path, labels: dict[str, tuple[str, str]]
) -> ReportDiff:
    """Compare two report folders (A the earlier, B the later); ``labels`` names the headline keys."""
    a, b = read_report(folder_a, "REPORT_A"), read_report(folder_b, "REPORT_B")
    notes = []
    fa, fb = a.table("final_quotas.csv"), b.table("final_quotas.csv")
    if fa is None or fb is None:
        notes.append("final quotas: not in both reports (tables/final_quotas.csv), not compared")
    quotas = {
        level: quotas_by([fa, fb], level) if fa is not None and fb is not None else None for level in LEVELS
    }
    moved = moved_rows(fa, fb) if fa is not None and fb is not None else None
    months = (
        (a.parameters.get("review") or {}).get("month"),
        (b.parameters.get("review") or {}).get("month"),
    )
    review = review_changes(a, b)
    if review is None:
        notes.append("review: not in both reports (tables/monthly_review.csv), not compared")
    cycles = (
        (a.parameters.get("report_card") or {}).get("cycle"),
        (b.parameters.get("report_card") or {}).get("cycle"),
    )
    card = report_card_changes(a, b)
    if card is None:
        notes.append("report card: not in both reports (tables/report_card_scores.csv), not compared")
    overrides = override_changes(a, b)
    if overrides is None:
        notes.append("overrides: not in both reports, not compared")
    return ReportDiff(
        a=a,
        b=b,
        parameters=changed_parameters([a.parameters, b.parameters]),
        inputs=changed_inputs(a, b),
        headline=headline_difference([a.headline, b.headline], labels),
        quotas=quotas,
        moved=moved,
        overrides=overrides,
        review=review,
        review_months=months,
        report_card=card,
        cycles=cycles,
        notes=notes,
        display=report_display(b),
    )


def write_diff(folder_a: str | Path, folder_b: str | Path, out: str | Path) -> tuple[Path, list[str]]:
    """``alignment diff``: compare the reports and write the page (a new file, or one it wrote before)."""
    from alignment.report.export import HEADLINE_LABELS, diff_html
    from alignment.written import check_file, write_ours

    out = Path(out)
    check_file(out, "alignment diff: --out")
    diff = compare_reports(folder_a, folder_b, HEADLINE_LABELS)
    path = write_ours(out, diff_html(diff).encode("utf-8"))
    return path, diff.summary_lines()


@dataclass(frozen=True)
class ScenarioComparison:
    """What comparison.html adds for the scenarios of one run: differences against the first."""

    headline: pd.DataFrame
    parameters: pd.DataFrame
    owners: pd.DataFrame | None
    groups: pd.DataFrame | None
    review_months: list[str | None]


def scenario_comparison(folders: list[Path], labels: dict[str, tuple[str, str]]) -> ScenarioComparison:
    """The scenarios' reports compared with the first: headline, parameters, owners, groups, review months."""
    reports = [read_report(f) for f in folders]
    tables = [r.table("final_quotas.csv") for r in reports]
    have = all(t is not None for t in tables)
    return ScenarioComparison(
        headline=headline_difference([r.headline for r in reports], labels),
        parameters=changed_parameters([r.parameters for r in reports]),
        owners=quotas_by(tables, "account_owner") if have else None,
        groups=quotas_by(tables, "customer_group") if have else None,
        review_months=[(r.parameters.get("review") or {}).get("month") for r in reports],
    )


__all__ = [
    "DiffError",
    "ReportDiff",
    "ScenarioComparison",
    "compare_reports",
    "read_report",
    "report_display",
    "scenario_comparison",
    "write_diff",
]
