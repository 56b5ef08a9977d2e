"""The parameters file: one YAML file drives a whole run.

Every key has a default (the sample company's values), unknown keys are errors with a suggestion
(a typo must not pass silently), and wrong types or out-of-range values are refused with a message
naming the key. ``data_dir`` is resolved against the params file's folder.

The checks that need the data (a growth-rule value that exists nowhere in the data, a rule that
matches no cell, ``group_shares`` naming a group that does not exist, a report-card cycle without
ratings) live in :func:`check_against_inputs`.

A params file is bounded before it is read: at most 1 MB, YAML aliases (``*name``) that repeat at
most 10,000 values in all (an "alias bomb" of a few lines can stand for billions), at most 10,000
growth rules; a value shown in a message is cut to one short line.
"""

from __future__ import annotations

import codecs
import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from alignment.fiscal import CYCLE_RE, MONTH_RE, QUARTER_RE, fiscal_months
from alignment.paths import NOTEBOOKS_DIR, PROJECT_DIR
from alignment.problems import ParamsError, show_value
from alignment.sources.spec import Source, parse_sources

GROUP_METHODS = ("target_gap", "headroom", "potential", "prior_revenue", "equal", "shares")
CUSTOMER_METHODS = ("headroom", "potential", "prior_revenue", "equal")
CAPS = ("potential", "none")
PHASINGS = ("seasonal", "even")
RULE_KEYS = ("customer_group", "product_line", "product_id")
MONEY_SCALES = ("units", "thousands", "millions")
MAX_CURRENCY_CHARS = 5

#: A params file is refused above these sizes, before any other check.
MAX_PARAMS_BYTES = 1_000_000
MAX_ALIAS_VALUES = 10_000
MAX_RULES = 10_000
#: At most this many scenarios in ``explorer.grid`` (each is a plan the run computes).
MAX_GRID_SCENARIOS = 1_000


@dataclass(frozen=True)
class GrowthRule:
    """A growth rate for the cells whose given keys all match; the last matching rule wins."""

    growth: float
    customer_group: str | None = None
    product_line: str | None = None
    product_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in RULE_KEYS if getattr(self, k) is not None}
        out["growth"] = self.growth
        return out


@dataclass(frozen=True)
class TargetParams:
    """Marketing's top-down target: growth over prior-year revenue, optional exact total, phasing."""

    growth: float = 0.10
    rules: tuple[GrowthRule, ...] = ()
    total: float | None = None
    phasing: str = "seasonal"


@dataclass(frozen=True)
class AllocationParams:
    """How the shortfall between target and committed quota is allocated."""

    group_method: str = "target_gap"
    group_shares: dict[str, float] = field(default_factory=dict)
    customer_method: str = "headroom"
    cap: str = "potential"
    rounding: float = 1000.0
    over_assignment: float = 0.0
    owner_capacity: bool = False


@dataclass(frozen=True)
class ReviewParams:
    """The joint monthly review: the month under review and the attainment flag line."""

    month: str = "2026-10"
    flag_below: float = 0.90


@dataclass(frozen=True)
class ReportCardParams:
    """The half-year whose report cards are analysed."""

    cycle: str = "2026-H1"


@dataclass(frozen=True)
class CelebrationParams:
    """The fiscal quarter being celebrated."""

    quarter: str = "2026-Q3"


@dataclass(frozen=True)
class QuotaQualityParams:
    """The quota back-test: the attainment lines owners are measured against.

    ``threshold`` is the attainment most owners should reach (the guideline: 90-95% of them),
    ``excellence`` the one a few should pass (5-10%); ``rise_margin`` is how much faster than its
    customers' revenue grew an owner's quota may rise before it is called out.
    """

    threshold: float = 0.5
    excellence: float = 1.5
    rise_margin: float = 0.10


@dataclass(frozen=True)
class ReplanParams:
    """The mid-year re-plan: the year's total it re-plans to (None keeps the original T')."""

    target: float | None = None


@dataclass(frozen=True)
class DisplayParams:
    """How shown tables and summary lines write money (display only: CSVs and the quota book keep cents).

    ``money_scale`` writes money in units, thousands or millions; ``currency`` is a symbol such as
    ``€`` or ``$`` put before skimmable amounts and in the labels of money columns (None: no symbol).
    """

    money_scale: str = "units"
    currency: str | None = None


@dataclass(frozen=True)
class ScenarioGrid:
    """The scenarios ``alignment run`` plans ahead for page 07's exported explorer.

    The grid spans ``target.growth`` from ``growth_min`` to ``growth_max`` in steps of
    ``growth_step``, each ``allocation.over_assignment`` of ``over_assignments`` and each
    ``allocation.group_method`` of ``group_methods`` (empty: every method the file can run); every
    other parameter is the file's.
    """

    growth_min: float = -0.05
    growth_max: float = 0.25
    growth_step: float = 0.025
    over_assignments: tuple[float, ...] = (0.0, 0.05, 0.10)
    group_methods: tuple[str, ...] = ()

    @property
    def growths(self) -> tuple[float, ...]:
        """The growth rates of the grid, from min to max (rounded to 10 decimals)."""
        n = round((self.growth_max - self.growth_min) / self.growth_step)
        return tuple(round(self.growth_min + k * self.growth_step, 10) for k in range(n + 1))

    def to_dict(self) -> dict[str, Any]:
        return {
            "growth": {"min": self.growth_min, "max": self.growth_max, "step": self.growth_step},
            "over_assignment": list(self.over_assignments),
            "group_method": list(self.group_methods) or None,
        }


@dataclass(frozen=True)
class ExplorerParams:
    """Page 07's exported explorer: the grid of scenarios it offers (None: the base scenario only)."""

    grid: ScenarioGrid | None = field(default_factory=ScenarioGrid)


@dataclass(frozen=True)
class Params:
    """All parameters of a run, typed and checked."""

    data_dir: Path
    fiscal_year: int = 2026
    fiscal_year_start_month: int = 1
    target: TargetParams = field(default_factory=TargetParams)
    allocation: AllocationParams = field(default_factory=AllocationParams)
    review: ReviewParams = field(default_factory=ReviewParams)
    report_card: ReportCardParams = field(default_factory=ReportCardParams)
    celebration: CelebrationParams = field(default_factory=CelebrationParams)
    quota_quality: QuotaQualityParams = field(default_factory=QuotaQualityParams)
    replan: ReplanParams = field(default_factory=ReplanParams)
    display: DisplayParams = field(default_factory=DisplayParams)
    explorer: ExplorerParams = field(default_factory=ExplorerParams)
    encoding: dict[str, str] = field(default_factory=dict)
    source: Path | None = None
    sources: dict[str, Source] = field(default_factory=dict)

    @property
    def months(self) -> list[str]:
        """The 12 months of the fiscal year."""
        return fiscal_months(self.fiscal_year, self.fiscal_year_start_month)

    @property
    def prior_months(self) -> list[str]:
        """The 12 months of the prior fiscal year."""
        return fiscal_months(self.fiscal_year - 1, self.fiscal_year_start_month)

    def to_dict(self) -> dict[str, Any]:
        """The parameters as the YAML structure (``data_dir`` as an absolute path).

        ``encoding`` appears only when an input has one, and ``display`` only when it differs from
        the defaults: a file that sets neither stays as plain as it was (and a notebook run with it
        gets no ``display`` variable, which would hide IPython's ``display`` function).
        """
        values = {
            "data_dir": str(self.data_dir),
            "fiscal_year": self.fiscal_year,
            "fiscal_year_start_month": self.fiscal_year_start_month,
            "target": {
                "growth": self.target.growth,
                "rules": [r.to_dict() for r in self.target.rules],
                "total": self.target.total,
                "phasing": self.target.phasing,
            },
            "allocation": {**asdict(self.allocation), "group_shares": dict(self.allocation.group_shares)},
            "review": asdict(self.review),
            "report_card": asdict(self.report_card),
            "celebration": asdict(self.celebration),
            "quota_quality": asdict(self.quota_quality),
            "replan": asdict(self.replan),
            "explorer": {"grid": self.explorer.grid.to_dict() if self.explorer.grid else False},
            **({"sources": {k: v.to_dict() for k, v in self.sources.items()}} if self.sources else {}),
        }
        if self.display != DisplayParams():
            values["display"] = asdict(self.display)
        if self.encoding:
            values["encoding"] = dict(self.encoding)
        return values

    def to_yaml(self) -> str:
        """A params file that reproduces these parameters exactly."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def with_changes(self, **changes: Any) -> Params:
        """A copy with top-level fields replaced."""
        return replace(self, **changes)


# --------------------------------------------------------------------------- schema

_SCHEMA: dict[str, Any] = {
    "data_dir": None,
    "fiscal_year": None,
    "fiscal_year_start_month": None,
    "target": {"growth": None, "rules": None, "total": None, "phasing": None},
    "allocation": {
        "group_method": None,
        "group_shares": None,
        "customer_method": None,
        "cap": None,
        "rounding": None,
        "over_assignment": None,
        "owner_capacity": None,
    },
    "review": {"month": None, "flag_below": None},
    "report_card": {"cycle": None},
    "celebration": {"quarter": None},
    "quota_quality": {"threshold": None, "excellence": None, "rise_margin": None},
    "replan": {"target": None},
    "display": {"money_scale": None, "currency": None},
    "explorer": {"grid": None},
    "sources": None,  # checked by alignment.sources.spec.parse_sources
    "encoding": None,
}


class _Checker:
    def __init__(self, source: str):
        self.source = source
        self.messages: list[str] = []

    def fail(self, key: str, value: Any, expected: str) -> None:
        self.messages.append(f"{self.source}: {key}: value {_show(value)}: expected {expected}")

    def unknown(self, key: str, allowed: list[str], parent: str) -> None:
        name = key.rsplit(".", 1)[-1]
        close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
        hint = f" — did you mean {parent}{close[0]}?" if close else f" (known keys: {', '.join(allowed)})"
        self.messages.append(f"{self.source}: {key}: unknown key{hint}")

    def number(
        self,
        key: str,
        value: Any,
        *,
        lo: float | None = None,
        hi: float | None = None,
        lo_open: bool = False,
        what: str = "a number",
    ) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(key, value, what)
            return None
        if lo is not None and (value < lo or (lo_open and value == lo)):
            self.fail(key, value, what)
            return None
        if hi is not None and value > hi:
            self.fail(key, value, what)
            return None
        return float(value)

    def choice(self, key: str, value: Any, options: tuple[str, ...]) -> str | None:
        if value not in options:
            self.fail(key, value, "one of " + ", ".join(options))
            return None
        return value

    def pattern(self, key: str, value: Any, regex: re.Pattern[str], expected: str) -> str | None:
        if not isinstance(value, str) or not regex.match(value):
            self.fail(key, value, expected)
            return None
        return value


def _show(value: Any) -> str:
    return show_value(value)


def encoding_expected(stem: Any, codec: Any) -> str | None:
    """What is wrong with one entry of ``encoding`` (input stem -> text encoding), or None.

    The answer is the "expected ..." part of a message: the stem must name an input file
    (``actuals``), the encoding one that Python knows (``cp1252``, ``latin-1``, ``utf-16``).
    """
    from alignment.inputs import SPECS

    if not isinstance(stem, str) or stem not in SPECS:
        close = difflib.get_close_matches(str(stem), list(SPECS), n=1, cutoff=0.6)
        hint = f" — did you mean {close[0]}?" if close else ""
        return f"the name of an input file without its extension ({', '.join(SPECS)}){hint}"
    if not isinstance(codec, str) or not _known_codec(codec):
        return "a text encoding such as cp1252, latin-1 or utf-8"
    return None


def _known_codec(name: str) -> bool:
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    return info._is_text_encoding  # rot13 and the bytes-to-bytes codecs are not encodings of a file


def _check_keys(raw: Any, schema: dict[str, Any], prefix: str, chk: _Checker) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        chk.fail(prefix.rstrip(".") or "(top level)", raw, "a mapping of keys to values")
        return {}
    allowed = list(schema)
    out = {}
    for key, value in raw.items():
        if key not in schema:
            chk.unknown(f"{prefix}{key}", allowed, prefix)
            continue
        out[key] = value
    return out


def parse_params(raw: Any, base_dir: Path, source: str = "params") -> Params:
    """Check a parsed params mapping and build :class:`Params`.

    Parameters
    ----------
    raw : mapping
        The YAML document, as parsed.
    base_dir : Path
        The folder a relative ``data_dir`` is resolved against.
    source : str
        The file name used in messages.

    Raises
    ------
    ParamsError
        With one message per problem, each naming the key.
    """
    chk = _Checker(source)
    top = _check_keys(raw, _SCHEMA, "", chk)
    defaults = Params(data_dir=Path("../data/sample"))

    data_dir_raw = top.get("data_dir", "../data/sample")
    if not isinstance(data_dir_raw, str) or not data_dir_raw.strip():
        chk.fail("data_dir", data_dir_raw, "a folder path")
        data_dir = base_dir
    else:
        data_dir = Path(data_dir_raw).expanduser()
        data_dir = (data_dir if data_dir.is_absolute() else (base_dir / data_dir)).resolve()

    fy = top.get("fiscal_year", defaults.fiscal_year)
    if isinstance(fy, bool) or not isinstance(fy, int) or not 1900 <= fy <= 2200:
        chk.fail("fiscal_year", fy, "a year such as 2026")
        fy = defaults.fiscal_year
    start = top.get("fiscal_year_start_month", 1)
    if isinstance(start, bool) or not isinstance(start, int) or not 1 <= start <= 12:
        chk.fail("fiscal_year_start_month", start, "a whole month number from 1 to 12")
        start = 1
    months = fiscal_months(fy, start)

    # target
    t = _check_keys(top.get("target"), _SCHEMA["target"], "target.", chk)
    td = TargetParams()
    growth = chk.number(
        "target.growth",
        t.get("growth", td.growth),
        lo=-1.0,
        lo_open=True,
        what="a growth rate above -1 (0.10 means +10%)",
    )
    rules: list[GrowthRule] = []
    raw_rules = t.get("rules", []) or []
    if not isinstance(raw_rules, list):
        chk.fail(
            "target.rules", raw_rules, "a list of rules such as {customer_group: Enterprise, growth: 0.15}"
        )
        raw_rules = []
    elif len(raw_rules) > MAX_RULES:
        chk.fail("target.rules", raw_rules, f"at most {MAX_RULES:,} rules")
        raw_rules = []
    for i, rule in enumerate(raw_rules, start=1):
        key = f"target.rules[{i}]"
        if not isinstance(rule, dict):
            chk.fail(key, rule, "a rule such as {customer_group: Enterprise, growth: 0.15}")
            continue
        ok = True
        for k in rule:
            if k not in (*RULE_KEYS, "growth"):
                chk.unknown(f"{key}.{k}", [*RULE_KEYS, "growth"], f"{key}.")
                ok = False
        if "growth" not in rule:
            chk.fail(f"{key}.growth", None, "a growth rate for the rule")
            ok = False
        g = (
            chk.number(
                f"{key}.growth", rule.get("growth", 0.0), lo=-1.0, lo_open=True, what="a growth rate above -1"
            )
            if "growth" in rule
            else None
        )
        matchers = {k: rule[k] for k in RULE_KEYS if k in rule}
        if not matchers:
            chk.fail(key, rule, "at least one of customer_group, product_line, product_id to match on")
            ok = False
        for k, v in matchers.items():
            if isinstance(v, bool) or not isinstance(v, str | int) or str(v) == "":
                chk.fail(f"{key}.{k}", v, "a name to match")
                ok = False
        if ok and g is not None:
            rules.append(GrowthRule(growth=g, **{k: str(v) for k, v in matchers.items()}))
    total = t.get("total", None)
    if total is not None:
        total = chk.number("target.total", total, lo=0.0, lo_open=True, what="null or an amount > 0")
    phasing = chk.choice("target.phasing", t.get("phasing", td.phasing), PHASINGS) or td.phasing
    target = TargetParams(
        growth=growth if growth is not None else td.growth, rules=tuple(rules), total=total, phasing=phasing
    )

    # allocation
    a = _check_keys(top.get("allocation"), _SCHEMA["allocation"], "allocation.", chk)
    ad = AllocationParams()
    group_method = (
        chk.choice("allocation.group_method", a.get("group_method", ad.group_method), GROUP_METHODS)
        or ad.group_method
    )
    shares_raw = a.get("group_shares", {}) or {}
    shares: dict[str, float] = {}
    if not isinstance(shares_raw, dict):
        chk.fail("allocation.group_shares", shares_raw, "a mapping customer_group -> share")
    else:
        for g, v in shares_raw.items():
            s = chk.number(f"allocation.group_shares.{g}", v, lo=0.0, hi=1.0, what="a share from 0 to 1")
            if s is not None:
                shares[str(g)] = s
        if group_method == "shares" and abs(sum(shares.values()) - 1.0) > 1e-6:
            chk.fail("allocation.group_shares", shares_raw, "shares that sum to 1 (within 1e-6)")
    if group_method != "shares" and shares:
        chk.fail("allocation.group_shares", shares_raw, "no shares unless group_method is shares")
    customer_method = (
        chk.choice(
            "allocation.customer_method", a.get("customer_method", ad.customer_method), CUSTOMER_METHODS
        )
        or ad.customer_method
    )
    cap = chk.choice("allocation.cap", a.get("cap", ad.cap), CAPS) or ad.cap
    rounding = chk.number(
        "allocation.rounding",
        a.get("rounding", ad.rounding),
        lo=0.0,
        lo_open=True,
        what="an amount > 0 in whole cents (1000 rounds to thousands)",
    )
    if rounding is not None and abs(round(rounding * 100) - rounding * 100) > 1e-6:
        chk.fail("allocation.rounding", rounding, "an amount in whole cents")
        rounding = None
    over = chk.number(
        "allocation.over_assignment",
        a.get("over_assignment", ad.over_assignment),
        lo=0.0,
        hi=1.0,
        what="a padding from 0 to 1 (0.05 means +5%)",
    )
    owner_capacity = a.get("owner_capacity", ad.owner_capacity)
    if not isinstance(owner_capacity, bool):
        chk.fail("allocation.owner_capacity", owner_capacity, "true or false")
        owner_capacity = ad.owner_capacity
    allocation = AllocationParams(
        group_method=group_method,
        group_shares=shares,
        customer_method=customer_method,
        cap=cap,
        rounding=rounding if rounding is not None else ad.rounding,
        over_assignment=over if over is not None else ad.over_assignment,
        owner_capacity=owner_capacity,
    )

    # review
    r = _check_keys(top.get("review"), _SCHEMA["review"], "review.", chk)
    rd = ReviewParams()
    month = chk.pattern(
        "review.month",
        str(r.get("month", rd.month)) if r.get("month", rd.month) is not None else None,
        MONTH_RE,
        "a month YYYY-MM",
    )
    if month is not None and month not in months:
        chk.fail(
            "review.month",
            month,
            f"a month of fiscal year {fy} ({months[0]} .. {months[-1]})"
            + ("; the value is the default: set review.month" if "month" not in r else ""),
        )
        month = None
    flag = chk.number(
        "review.flag_below",
        r.get("flag_below", rd.flag_below),
        lo=0.0,
        hi=2.0,
        what="an attainment from 0 to 2 (0.90 flags under 90%)",
    )
    review = ReviewParams(month=month or rd.month, flag_below=flag if flag is not None else rd.flag_below)

    # report card
    c = _check_keys(top.get("report_card"), _SCHEMA["report_card"], "report_card.", chk)
    cycle = chk.pattern(
        "report_card.cycle",
        c.get("cycle", ReportCardParams().cycle),
        CYCLE_RE,
        "a half-year YYYY-H1 or YYYY-H2",
    )
    # celebration
    q = _check_keys(top.get("celebration"), _SCHEMA["celebration"], "celebration.", chk)
    quarter = chk.pattern(
        "celebration.quarter",
        q.get("quarter", CelebrationParams().quarter),
        QUARTER_RE,
        "a fiscal quarter YYYY-Qn",
    )
    if quarter is not None and int(quarter[:4]) != fy:
        chk.fail(
            "celebration.quarter",
            quarter,
            f"a quarter of fiscal year {fy} ({fy}-Q1 .. {fy}-Q4)"
            + ("; the value is the default: set celebration.quarter" if "quarter" not in q else ""),
        )
        quarter = None

    quota_quality = _quota_quality(top.get("quota_quality"), chk)
    replan = _replan(top.get("replan"), chk)
    display = _display(top.get("display"), chk)
    explorer = _explorer(top.get("explorer"), chk, allocation)
    sources = parse_sources(top.get("sources"), data_dir, chk.fail, chk.unknown)
    # encoding: how to read CSV inputs that are not UTF-8
    enc_raw = top.get("encoding", {}) or {}
    encoding: dict[str, str] = {}
    if not isinstance(enc_raw, dict):
        chk.fail("encoding", enc_raw, "a mapping of input names to encodings, such as {actuals: cp1252}")
    else:
        for stem, codec in enc_raw.items():
            wrong = encoding_expected(stem, codec)
            if wrong is not None:
                chk.fail(f"encoding.{stem}", codec if isinstance(stem, str) else stem, wrong)
            else:
                encoding[stem] = codec

    if chk.messages:
        raise ParamsError(chk.messages)
    return Params(
        data_dir=data_dir,
        fiscal_year=fy,
        fiscal_year_start_month=start,
        target=target,
        allocation=allocation,
        review=review,
        report_card=ReportCardParams(cycle=cycle or ReportCardParams().cycle),
        celebration=CelebrationParams(quarter=quarter or CelebrationParams().quarter),
        quota_quality=quota_quality,
        replan=replan,
        display=display,
        explorer=explorer,
        sources=sources,
        encoding=encoding,
    )


def _quota_quality(raw: Any, chk: _Checker) -> QuotaQualityParams:
    """The ``quota_quality`` section: 0 < threshold < 1 < excellence, rise_margin >= 0."""
    q = _check_keys(raw, _SCHEMA["quota_quality"], "quota_quality.", chk)
    qd = QuotaQualityParams()
    threshold = chk.number(
        "quota_quality.threshold",
        q.get("threshold", qd.threshold),
        lo=0.0,
        hi=1.0,
        lo_open=True,
        what="an attainment above 0 and at most 1 (0.5 means 50% of quota)",
    )
    excellence = chk.number(
        "quota_quality.excellence",
        q.get("excellence", qd.excellence),
        lo=1.0,
        lo_open=True,
        what="an attainment above 1 (1.5 means 150% of quota)",
    )
    margin = chk.number(
        "quota_quality.rise_margin",
        q.get("rise_margin", qd.rise_margin),
        lo=0.0,
        what="a growth margin >= 0 (0.10 means 10 points faster than revenue)",
    )
    return QuotaQualityParams(
        threshold=threshold if threshold is not None else qd.threshold,
        excellence=excellence if excellence is not None else qd.excellence,
        rise_margin=margin if margin is not None else qd.rise_margin,
    )


def _replan(raw: Any, chk: _Checker) -> ReplanParams:
    """The ``replan`` section: an optional year's total > 0 (null keeps the original T')."""
    r = _check_keys(raw, _SCHEMA["replan"], "replan.", chk)
    target = r.get("target", None)
    if target is not None:
        target = chk.number("replan.target", target, lo=0.0, lo_open=True, what="null or an amount > 0")
    return ReplanParams(target=target)


def _display(raw: Any, chk: _Checker) -> DisplayParams:
    """The ``display`` section: a money scale and an optional currency symbol of a few characters."""
    d = _check_keys(raw, _SCHEMA["display"], "display.", chk)
    dd = DisplayParams()
    scale = chk.choice("display.money_scale", d.get("money_scale", dd.money_scale), MONEY_SCALES)
    currency = d.get("currency", dd.currency)
    if currency is not None and (
        not isinstance(currency, str)
        or not 0 < len(currency.strip()) <= MAX_CURRENCY_CHARS
        or not currency.isprintable()
    ):
        chk.fail(
            "display.currency",
            currency,
            f"null or a currency symbol of at most {MAX_CURRENCY_CHARS} characters, such as € or $",
        )
        currency = None
    return DisplayParams(
        money_scale=scale or dd.money_scale, currency=currency.strip() if currency is not None else None
    )


_GRID_SCHEMA: dict[str, Any] = {"growth": None, "over_assignment": None, "group_method": None}
_GROWTH_RANGE_SCHEMA: dict[str, Any] = {"min": None, "max": None, "step": None}


def _explorer(raw: Any, chk: _Checker, allocation: AllocationParams) -> ExplorerParams:
    """The ``explorer`` section: ``grid`` is a mapping (missing keys take the defaults) or false."""
    e = _check_keys(raw, _SCHEMA["explorer"], "explorer.", chk)
    grid_raw = e.get("grid")
    if grid_raw is False:
        return ExplorerParams(grid=None)
    if grid_raw is True:
        grid_raw = None
    g = _check_keys(grid_raw, _GRID_SCHEMA, "explorer.grid.", chk)
    d = ScenarioGrid()
    r = _check_keys(g.get("growth"), _GROWTH_RANGE_SCHEMA, "explorer.grid.growth.", chk)
    growth_what = "a growth rate above -1 (0.10 means +10%)"
    lo = chk.number(
        "explorer.grid.growth.min", r.get("min", d.growth_min), lo=-1.0, lo_open=True, what=growth_what
    )
    hi = chk.number(
        "explorer.grid.growth.max", r.get("max", d.growth_max), lo=-1.0, lo_open=True, what=growth_what
    )
    step = chk.number(
        "explorer.grid.growth.step",
        r.get("step", d.growth_step),
        lo=0.0,
        lo_open=True,
        what="a step > 0 (0.025 means 2.5 points)",
    )
    growths = 1
    if lo is not None and hi is not None and hi < lo:
        chk.fail("explorer.grid.growth.max", hi, f"a growth at least growth.min ({lo})")
    elif lo is not None and hi is not None and step is not None:
        steps = (hi - lo) / step
        if abs(steps - round(steps)) > 1e-6:
            chk.fail("explorer.grid.growth.step", step, f"a step that divides max - min ({hi} - {lo})")
        growths = round(steps) + 1
    overs_raw = g.get("over_assignment", list(d.over_assignments))
    overs: list[float] = []
    if not isinstance(overs_raw, list) or not overs_raw or len(overs_raw) > MAX_GRID_SCENARIOS:
        chk.fail("explorer.grid.over_assignment", overs_raw, "a list of paddings such as [0, 0.05, 0.10]")
    else:
        for i, v in enumerate(overs_raw, start=1):
            o = chk.number(
                f"explorer.grid.over_assignment[{i}]", v, lo=0.0, hi=1.0, what="a padding from 0 to 1"
            )
            if o is not None and o not in overs:
                overs.append(o)
    methods_raw = g.get("group_method")
    methods: list[str] = []
    if methods_raw is not None:
        if not isinstance(methods_raw, list) or not methods_raw:
            chk.fail(
                "explorer.grid.group_method", methods_raw, "null (every method) or a list of group methods"
            )
        else:
            for i, m in enumerate(methods_raw, start=1):
                key = f"explorer.grid.group_method[{i}]"
                if chk.choice(key, m, GROUP_METHODS) is None or m in methods:
                    continue
                if m == "shares" and not allocation.group_shares:
                    chk.fail(key, m, "a method other than shares (shares needs allocation.group_shares)")
                    continue
                methods.append(m)
    every_method = len(GROUP_METHODS) - (0 if allocation.group_shares else 1)  # shares needs group_shares
    count = growths * max(len(overs), 1) * (len(methods) or every_method)
    if count > MAX_GRID_SCENARIOS:
        chk.fail(
            "explorer.grid",
            grid_raw,
            f"at most {MAX_GRID_SCENARIOS:,} scenarios (growths x paddings x methods; this grid has {count:,})",
        )
    return ExplorerParams(
        grid=ScenarioGrid(
            growth_min=lo if lo is not None else d.growth_min,
            growth_max=hi if hi is not None else d.growth_max,
            growth_step=step if step is not None else d.growth_step,
            over_assignments=tuple(sorted(overs)) or d.over_assignments,
            group_methods=tuple(methods),
        )
    )


def with_sections(params: Params, values: Mapping[str, Any]) -> Params:
    """``params`` with the ``quota_quality``, ``replan`` and ``explorer`` sections found in ``values``, checked.

    A notebook's shared ``parameters`` cell has no variables for these sections; ``alignment run``
    and ``papermill -f`` inject them as variables when the params file has them. A notebook passes
    its namespace here; a section that is missing keeps its default.

    Raises
    ------
    ParamsError
        For an unknown key or a bad value, naming the key.
    """
    chk = _Checker("notebook parameters")
    quota_quality = _quota_quality(values.get("quota_quality"), chk)
    replan = _replan(values.get("replan"), chk)
    explorer = _explorer(values.get("explorer"), chk, params.allocation)
    if chk.messages:
        raise ParamsError(chk.messages)
    return replace(params, quota_quality=quota_quality, replan=replan, explorer=explorer)


def load_params(path: str | Path) -> Params:
    """Read and check a params YAML file.

    Raises
    ------
    ParamsError
        If the file is missing, is not YAML, or holds a wrong key or value.
    """
    path = Path(path)
    if not path.is_file():
        raise ParamsError([f"{path}: no such params file"])
    raw = read_yaml(path)
    params = parse_params(raw if raw is not None else {}, path.resolve().parent, source=path.name)
    return replace(params, source=path.resolve())


def read_yaml(path: Path) -> Any:
    """Parse a params file with its size bounded; raises ParamsError naming the limit.

    The file is refused when it is over :data:`MAX_PARAMS_BYTES`, or when its aliases (``*name``)
    would repeat more than :data:`MAX_ALIAS_VALUES` values: the check counts the document's
    nodes as written and as expanded, before anything is built from them.
    """
    with open(path, "rb") as fh:
        data = fh.read(MAX_PARAMS_BYTES + 1)
    if len(data) > MAX_PARAMS_BYTES:
        raise ParamsError(
            [f"{path.name}: over {MAX_PARAMS_BYTES:,} bytes: expected a params file of at most 1 MB"]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParamsError(
            [f"{path.name}: line {line}: byte 0x{data[exc.start]:02x}: expected UTF-8 text"]
        ) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        repeated = _alias_repeats(node, MAX_ALIAS_VALUES)
        if repeated > MAX_ALIAS_VALUES:
            raise ParamsError(
                [
                    f"{path.name}: aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values: expected a "
                    f"params file whose aliases repeat at most {MAX_ALIAS_VALUES:,} values in all"
                ]
            )
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ParamsError([f"{path.name}:{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    except RecursionError:
        raise ParamsError([f"{path.name}: values nested too deeply: expected a params file"]) from None
    except ValueError as exc:  # a number of thousands of digits
        reason = str(exc).split(";")[0]
        raise ParamsError([f"{path.name}: a value that cannot be read ({reason})"]) from None
    finally:
        loader.dispose()


def _alias_repeats(root: yaml.Node, limit: int) -> int:
    """How many values the document's aliases repeat: its size expanded minus its size as written.

    Each alias is the node of its anchor again, so sizes are memoised per node and the count
    stops once it passes ``limit``: a few lines of nested aliases never get walked out. An alias
    inside its own anchor repeats without end.
    """
    written: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) not in written:
            written.add(id(node))
            stack.extend(_children(node))
    cap = len(written) + limit + 1
    size: dict[int, int] = {}
    open_: set[int] = set()

    def expanded(node: yaml.Node) -> int:
        key = id(node)
        if key in size:
            return size[key]
        if key in open_:
            return cap
        open_.add(key)
        total = 1
        for child in _children(node):
            total = min(cap, total + expanded(child))
            if total >= cap:
                break
        open_.discard(key)
        size[key] = total
        return total

    return expanded(root) - len(written)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def notebook_params(**values: Any) -> Params:
    """Build :class:`Params` inside a notebook from its ``parameters`` cell.

    A relative ``data_dir`` resolves against the notebooks' folder, which for files in
    ``params/`` is the same as the params file's folder, so ``papermill -f params/x.yaml``
    works by hand. ``report_dir`` is not a params key and is ignored here.
    """
    values.pop("report_dir", None)
    return parse_params(values, NOTEBOOKS_DIR, source="notebook parameters")


def notebook_params_file(value: str | Path) -> Params:
    """The params file a notebook's ``params_file`` names, read and checked like ``alignment run`` reads it.

    A relative path resolves against the repository root (where ``make lab`` opens JupyterLab, so
    ``"params/yours.yaml"`` names the file it shows); an absolute one is taken as it is. The file's own
    ``data_dir`` resolves against the file's folder, as everywhere else.

    Raises
    ------
    ParamsError
        When the file is missing (naming ``params_file`` and where it was looked for) or holds a wrong
        key or value.
    """
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = PROJECT_DIR / path
    if not path.is_file():
        raise ParamsError(
            [
                f"params_file: value {str(value)!r}: no such file {path}: expected a params file, "
                "relative to the repository root or absolute"
            ]
        )
    return load_params(path)


def notebook_parameters(params: Params, report_dir: Path | None) -> dict[str, Any]:
    """The values ``alignment run`` injects into each notebook's ``parameters`` cell.

    ``params_file`` is set to None: the run's own values win over a file named in the notebook.
    """
    values = params.to_dict()
    values["report_dir"] = str(report_dir) if report_dir is not None else None
    values["params_file"] = None
    return values


def check_against_inputs(params: Params, inputs: Any) -> tuple[list[str], list[str]]:
    """The parameter checks that need the data: (errors, warnings), each naming the key.

    Errors: ``group_shares`` naming a customer group that does not exist; a ``target.rules`` value
    (customer_group, product_line, product_id) that exists nowhere in the data, with the nearest
    existing value (a typo must not change the plan silently); a ``report_card.cycle`` with no
    ratings where the data holds ratings of other cycles (a company with no ratings at all keeps no
    report card yet, CONTRACT section 5). Warnings: a growth rule whose values all exist but that
    matches no (customer group, product) cell of the plan.
    """
    source = params.source.name if params.source else "params"
    errors: list[str] = []
    warnings: list[str] = []
    groups = set(inputs.customers["customer_group"].unique())
    for g in params.allocation.group_shares:
        if g not in groups:
            errors.append(
                f"{source}: allocation.group_shares.{g}: value {g!r}: expected an existing customer_group"
                f" ({', '.join(sorted(groups))})"
            )
    errors += rule_value_errors(params, inputs)
    if params.target.rules and not errors:
        warnings += rules_without_cells(params, inputs)
    ratings = inputs.report_card_ratings
    # a company without any ratings keeps no report card yet: every command runs (CONTRACT section 5)
    if len(ratings) and not (ratings["cycle"] == params.report_card.cycle).any():
        cycles = ", ".join(sorted(set(ratings["cycle"])))
        errors.append(
            f"{source}: report_card.cycle: value {params.report_card.cycle!r}: expected a cycle with "
            f"ratings ({cycles})"
        )
    return errors, warnings


# where each value a growth rule matches on must exist: (input file, column)
RULE_SOURCES: dict[str, tuple[str, str]] = {
    "customer_group": ("customers", "customer_group"),
    "product_line": ("products", "product_line"),
    "product_id": ("products", "product_id"),
}
KNOWN_LISTED_UP_TO = 12


def nearest_value(value: str, known: Any) -> str | None:
    """The existing value closest to ``value``: the same up to case first, else the nearest spelling.

    ``enterprise`` -> ``Enterprise``; ``Clod`` -> ``Cloud``; None when nothing is close.
    """
    by_lower: dict[str, str] = {}
    for k in sorted(str(k) for k in known):
        by_lower.setdefault(k.lower(), k)
    if value.lower() in by_lower:
        return by_lower[value.lower()]
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def rule_value_errors(params: Params, inputs: Any) -> list[str]:
    """One error per ``target.rules`` value that exists nowhere in the data, with a "did you mean".

    A rule with a misspelt value would match no cell and leave those cells on the default growth:
    a different plan, not a typo to warn about.
    """
    source = params.source.name if params.source else "params"
    known: dict[str, set[str]] = {}
    errors = []
    for i, rule in enumerate(params.target.rules, start=1):
        for key, (stem, column) in RULE_SOURCES.items():
            value = getattr(rule, key)
            if value is None:
                continue
            if key not in known:
                known[key] = set(getattr(inputs, stem)[column].unique())
            if value in known[key]:
                continue
            near = nearest_value(value, known[key])
            if near is not None:
                hint = f" — did you mean {near!r}?"
                if near.lower() == value.lower():
                    hint += " (names match with their case)"
            else:
                hint = ""
            listed = sorted(known[key])
            choices = (
                f" ({', '.join(listed)})"
                if len(listed) <= KNOWN_LISTED_UP_TO
                else f" ({len(listed)} values in {stem})"
            )
            errors.append(
                f"{source}: target.rules[{i}].{key}: value {value!r}: expected a {column} that exists in "
                f"{stem}{choices}{hint}"
            )
    return errors


def cells_of_pairs(customers: Any, products: Any, pairs: Any) -> Any:
    """The distinct (customer_group, product_id) cells of some (customer_id, product_id) pairs.

    Returns customer_group, product_id and product_line, in no particular order. Works on
    positions, not text, so that many pairs cost one lookup each; ids that are not listed (refused
    when the inputs are loaded) are skipped.
    """
    from alignment.inputs import positions

    return cells_at(
        customers,
        products,
        positions(pairs["customer_id"], customers["customer_id"]),
        positions(pairs["product_id"], products["product_id"]),
    )


def cells_at(customers: Any, products: Any, customer_pos: Any, product_pos: Any) -> Any:
    """The distinct cells of pairs given as positions in ``customers`` and ``products`` (-1: skipped)."""
    import numpy as np
    import pandas as pd

    known = (customer_pos >= 0) & (product_pos >= 0)
    group_code, group_names = pd.factorize(customers["customer_group"])
    width = max(len(products), 1)
    seen = np.zeros(max(len(group_names), 1) * width, dtype=bool)
    seen[group_code[customer_pos[known]].astype("int64") * width + product_pos[known]] = True
    cells = np.flatnonzero(seen)
    return pd.DataFrame(
        {
            "customer_group": pd.array(group_names, dtype="str").take(cells // width),
            "product_id": products["product_id"].array.take(cells % width),
            "product_line": products["product_line"].array.take(cells % width),
        }
    )


def plan_cells(params: Params, inputs: Any) -> Any:
    """The plan's (customer_group, product_id) cells with their product_line, as the engine makes them.

    A cell exists where a customer of the group has prior-year actuals of the product or a row of it
    in ``sales_input`` (CONTRACT 6.1; :func:`alignment.engine.targets.cell_targets`).
    """
    import pandas as pd

    actuals = inputs.actuals
    prior = actuals.loc[actuals["month"].isin(params.prior_months), ["customer_id", "product_id"]]
    pairs = pd.concat([inputs.sales_input[["customer_id", "product_id"]], prior], ignore_index=True)
    return cells_of_pairs(inputs.customers, inputs.products, pairs)


def _matches_a_cell(rule: GrowthRule, cells: Any) -> bool:
    match = None
    for key in RULE_KEYS:
        value = getattr(rule, key)
        if value is not None:
            hit = cells[key] == value
            match = hit if match is None else match & hit
    return bool(match is not None and match.any())


def rules_without_cells(params: Params, inputs: Any) -> list[str]:
    """Warnings for growth rules whose values exist but that change no target.

    A target grows from the prior year's revenue of its (customer group, product) cell: a rule that
    matches no cell with prior-year actuals changes nothing, whether it matches a ``sales_input`` row
    (a product new this year: its target stays 0) or no cell at all.
    """
    import pandas as pd

    source = params.source.name if params.source else "params"
    rules = list(enumerate(params.target.rules, start=1))
    products = inputs.products
    could = pd.Series(False, index=products.index)
    for _, rule in rules:
        ok = pd.Series(True, index=products.index)
        if rule.product_id is not None:
            ok &= products["product_id"] == rule.product_id
        if rule.product_line is not None:
            ok &= products["product_line"] == rule.product_line
        could |= ok
    # the integer keys made when the folder was checked: millions of actuals rows are not read as text
    import numpy as np

    from alignment.inputs import actuals_keys

    keys = actuals_keys(inputs)
    product_could = np.append(could.to_numpy(dtype=bool), False)  # position -1 (not listed): False
    rows = product_could[keys.product_pos] & keys.months_in(params.prior_months)
    sold = cells_at(inputs.customers, products, keys.customer_pos[rows], keys.product_pos[rows])
    open_rules = [(i, r) for i, r in rules if not _matches_a_cell(r, sold)]
    planned = cells_of_pairs(inputs.customers, products, inputs.sales_input) if open_rules else None
    lines = []
    prior = f"FY{params.fiscal_year - 1}"
    for i, rule in open_rules:
        given = ", ".join(f"{k}: {getattr(rule, k)}" for k in RULE_KEYS if getattr(rule, k) is not None)
        if _matches_a_cell(rule, planned):
            lines.append(
                f"warning: {source}: target.rules[{i}]: {{{given}}} matches sales_input rows but no "
                f"(customer_group, product_id) cell with {prior} actuals; a target grows from the prior "
                "year's revenue, so the rule changes no target (those cells' targets stay 0)"
            )
        else:
            lines.append(
                f"warning: {source}: target.rules[{i}]: {{{given}}} matches no (customer_group, product_id) "
                f"cell with {prior} actuals or a sales_input row; the rule changes no target"
            )
    return lines
