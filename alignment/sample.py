"""A fictional company's input files, for demonstrations, tests and benchmarks.

:func:`write_sample` writes the thirteen input files of a made-up company (contract, section 4) that sells eight
products in three product lines (``Cloud``, ``Software``, ``Services``) through four channels to customers in
five customer groups and four regions. Its numbers are built for ``params/sample.yaml`` (fiscal year 2026 on the
calendar year, 10 % growth, 15 % for ``Enterprise``, 25 % for the ``Cloud`` line, review month 2026-10):

- monthly actuals for 2024-01 .. 2026-10 with a seasonal shape per product line, growth, a few credits
  (negative revenue) and some bookings through a channel that the channel strategy does not list;
- sales' bottom-up input whose committed total falls 5-10 % short of the top-down target the plan derives from
  the 2025 actuals, a few rows committed above potential, and a few quotas locked by hand;
- plan-year actuals that run near the objectives, with some customer groups and account owners under 90 %;
- a roles charter with one activity that has two Accountables, four half-years of report cards that improve
  after action planning (each comment from a fixed set that matches its rater's grade), an action plan, and four
  quarters of wins and shortcomings that tell the same story as the rest of the data: a sales member of a win owns
  accounts with quota and bookings in its quarter, a customer's win names a customer that bought the product then
  and is worth what it booked, the celebrated quarter credits a report-card action that is done and names one
  that is overdue;
- one sales rep, hired in 2026, who owns no customers yet, and one who started late in 2025 and is still ramping
  (``people``'s optional ``start_month`` and ``ramp_months``);
- last year's quota book (``prior_quotas``): the 2025 revenue that could be expected of each relationship, stretched
  per rep (some over-quota'd, some under-quota'd) and drawn around that.

Determinism
-----------
The same ``customers`` and ``seed`` give the same bytes on every machine. All randomness comes from uniform
draws ``numpy.random.Generator(numpy.random.PCG64([seed, part])).random(size)``, one stream per part of the
company: PCG64 and its seeding are fixed algorithms, and ``random`` maps 53 bits of each output to a double in
[0, 1). Nothing else of numpy's random module is used (no ``integers``, ``choice``, ``normal``, ``permutation``,
whose algorithms may change between releases). Every other distribution is derived here from the uniforms by
thresholds, ``floor(u * n)``, stable sorts and inverse CDFs that use only ``+ - * /`` and ``floor``, which
IEEE 754 rounds identically everywhere (no ``log``, ``exp`` or power, whose last bit may differ between math
libraries). Money is carried as integer cents and written by formatting those integers, never through a
float's repr; totals are summed exactly (integer cents, :func:`math.fsum`) or in a fixed order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from alignment.inputs import SPECS
from alignment.ownership import check_owned, write_owned

__all__ = ["FORMATS", "SAMPLE_MARKER", "STEMS", "write_sample"]

#: The input files, in the order of the contract (:data:`alignment.inputs.SPECS`).
STEMS = tuple(SPECS)
FORMATS = ("csv", "parquet")
_SUFFIXES = (".csv", ".parquet", ".xlsx")
SAMPLE_COMMAND = "alignment sample"
SAMPLE_MARKER = ".alignment-sample.json"  # lists the files ``sample`` wrote into its folder
_FORCE_HINT = " (--force writes over them)"

# --- calendar ---------------------------------------------------------------------------------------------------
_FIRST_YEAR = 2024
_N_MONTHS = 34  # 2024-01 .. 2026-10 (the review month)
_PRIOR = range(12, 24)  # 2025, the year before the plan year
_PLAN_START = 24  # 2026-01
_MONTHS = tuple(f"{_FIRST_YEAR + t // 12}-{t % 12 + 1:02d}" for t in range(_N_MONTHS))

# --- market -----------------------------------------------------------------------------------------------------
_GROUPS = ("Enterprise", "Mid-Market", "Small Business", "Public Sector", "Healthcare")
_GROUP_MIX = (0.12, 0.25, 0.33, 0.15, 0.15)
_GROUP_SPEND = np.array([90_000.0, 30_000.0, 7_000.0, 25_000.0, 20_000.0])  # typical yearly spend per product
# Plan-year revenue relative to the target's run rate: how well each group is worked in 2026.
_GROUP_EXECUTION = np.array([0.97, 1.04, 0.85, 0.95, 1.03])
_NAME_STYLE = (0, 0, 0, 1, 2)  # business names, public bodies, care providers
_REGIONS = ("North", "South", "East", "West")
_REGION_MIX = (0.30, 0.25, 0.25, 0.20)
_CHANNELS = ("Direct", "Partner", "Online", "Distributor")
_LINES = ("Cloud", "Software", "Services")

_PRODUCTS = (  # product_id, product_name, line index, price level
    ("P01", "Cloud Storage", 0, 0.8),
    ("P02", "Cloud Compute", 0, 1.3),
    ("P03", "Cloud Backup", 0, 0.5),
    ("P04", "Analytics Suite", 1, 1.2),
    ("P05", "Security Suite", 1, 1.0),
    ("P06", "Collaboration Suite", 1, 0.7),
    ("P07", "Implementation Services", 2, 0.9),
    ("P08", "Premium Support", 2, 0.4),
)
_PRODUCT_LINE = np.array([p[2] for p in _PRODUCTS])
_PRICE = np.array([p[3] for p in _PRODUCTS])

# How much each customer group favours each product (rows: groups, columns: P01 .. P08).
_AFFINITY = np.array(
    [
        [1.0, 1.6, 0.8, 1.5, 1.3, 0.9, 1.4, 1.2],
        [1.3, 1.2, 1.0, 1.2, 1.1, 1.2, 0.8, 0.8],
        [1.6, 0.6, 1.4, 0.6, 0.9, 1.5, 0.3, 0.6],
        [1.0, 0.9, 1.1, 1.0, 1.5, 1.0, 1.1, 0.9],
        [1.2, 0.8, 1.4, 1.1, 1.5, 0.8, 0.9, 1.0],
    ]
)

# Marketing's channel strategy: product -> (channel index, share in 1/10,000); the shares of a product sum to 10,000.
_STRATEGY = (
    ((2, 6000), (1, 4000)),
    ((0, 5000), (1, 3000), (2, 2000)),
    ((2, 10000),),
    ((0, 5500), (1, 4500)),
    ((0, 3334), (1, 3333), (3, 3333)),
    ((2, 5000), (3, 3000), (1, 2000)),
    ((0, 7000), (1, 3000)),
    ((0, 10000),),
)

_STRATEGY_UNITS = np.zeros((len(_PRODUCTS), len(_CHANNELS)), dtype=np.int64)  # product x channel
for _p, _rows in enumerate(_STRATEGY):
    for _c, _units in _rows:
        _STRATEGY_UNITS[_p, _c] = _units

# Monthly shape per product line (January .. December), normalised to a mean of 1 below.
_SEASON_RAW = np.array(
    [
        [0.92, 0.93, 0.96, 0.97, 0.98, 0.99, 0.99, 0.98, 1.02, 1.05, 1.07, 1.14],
        [0.70, 0.75, 0.95, 0.85, 0.90, 1.05, 0.80, 0.75, 1.05, 1.05, 1.20, 1.95],
        [0.95, 1.00, 1.05, 1.05, 1.05, 1.00, 0.85, 0.70, 1.05, 1.10, 1.10, 1.10],
    ]
)
_SEASON = _SEASON_RAW / (_SEASON_RAW.sum(axis=1, keepdims=True) / 12.0)
_BUY_CHANCE = np.array([0.90, 0.30, 0.45])  # chance that a customer books a product of the line in a month
_LINE_TREND = np.array([0.06, 0.0, -0.02])  # extra yearly growth of the line in 2024-2025

_CREDIT_CHANCE = 0.003
_OFF_STRATEGY_CHANCE = 0.04  # a relationship books through a customer channel the strategy does not list
_SECOND_CHANNEL_CHANCE = 0.30  # a customer uses a second channel although one would do
_BOTH_CHANNELS_CHANCE = 0.30  # a relationship whose product both customer channels sell uses both
_SECOND_CHANNEL_USE = 0.35  # share of such a relationship's bookings through the other channel
_NEW_BUSINESS_CHANCE = 0.12
_LOCKED_ROWS = 3  # quotas locked by hand in overrides
_ABOVE_POTENTIAL_ROWS = 3  # sales_input rows committed above potential


def _plan_growth(group: int, product: int) -> float:
    """Growth of ``params/sample.yaml`` for a (customer_group, product) cell; the last matching rule wins."""
    growth = 0.10
    if _GROUPS[group] == "Enterprise":
        growth = 0.15
    if _LINES[_PRODUCT_LINE[product]] == "Cloud":
        growth = 0.25
    return growth


_GROWTH = np.array([[_plan_growth(g, p) for p in range(len(_PRODUCTS))] for g in range(len(_GROUPS))])

# --- organisation -----------------------------------------------------------------------------------------------
_PEOPLE = (  # person_id, name, function, team
    ("M001", "Clara Dubois", "marketing", "Product Marketing"),
    ("M002", "Ravi Menon", "marketing", "Product Marketing"),
    ("M003", "Elena Petrova", "marketing", "Channel Marketing"),
    ("M004", "Samuel Osei", "marketing", "Channel Marketing"),
    ("M005", "Julia Santos", "marketing", "Demand Generation"),
    ("M006", "Noah Fischer", "marketing", "Demand Generation"),
    ("S001", "Hannah Keller", "sales", "Key Accounts"),
    ("S002", "Marco Bianchi", "sales", "Key Accounts"),
    ("S003", "Aisha Okafor", "sales", "Sales North"),
    ("S004", "Lars Eriksen", "sales", "Sales North"),
    ("S005", "Sofia Marques", "sales", "Sales South"),
    ("S006", "Daniel Novak", "sales", "Sales South"),
    ("S007", "Mei Lin Chen", "sales", "Sales East"),
    ("S008", "Tomás Herrera", "sales", "Sales East"),
    ("S009", "Grace Mwangi", "sales", "Sales West"),
    ("S010", "Jonas Weber", "sales", "Sales West"),  # joined in 2026, owns no customers yet
)
_MARKETERS = tuple(p[0] for p in _PEOPLE if p[2] == "marketing")
_REPS = tuple(p[0] for p in _PEOPLE if p[2] == "sales")
_NEW_REP = "S010"
# When a rep started selling and how many months they ramp (people's optional columns); the others started long ago.
_STARTS = {"S008": ("2025-11", 4), "S010": ("2026-03", 3)}
# Last year's quota-setting per rep (S001 .. S010): a rep's quotas were this many times the revenue that could be
# expected of their accounts (some reps were given too much, some too little).
_PRIOR_QUOTA_STRETCH = np.array([0.98, 1.08, 0.95, 1.15, 0.97, 1.00, 0.92, 1.05, 0.99, 1.00])
# Plan-year revenue relative to the target's run rate, by rep (S001 .. S010): how well each works the year.
_OWNER_EXECUTION = np.array([0.98, 0.92, 0.90, 1.05, 0.97, 1.02, 1.00, 0.92, 1.04, 1.00])
# Enterprise accounts belong to Key Accounts (S001 North/East, S002 South/West); the rest to the regional reps.
_KEY_ACCOUNT_OWNER = (0, 1, 0, 1)  # by region, index into _REPS
_REGION_REPS = ((2, 3), (4, 5), (6, 7), (8,))  # by region, index into _REPS

# --- names ------------------------------------------------------------------------------------------------------
_NAME_FIRST = (
    "Northwind", "Bluepeak", "Silverline", "Redwood", "Brightwater", "Ironbridge", "Clearfield", "Stonegate",
    "Oakridge", "Harborview", "Summit", "Falcon", "Evergreen", "Granite", "Lakeshore", "Meridian", "Pinecrest",
    "Riverside", "Sunfield", "Westbrook", "Amberley", "Cobalt", "Crescent", "Juniper", "Keystone", "Maplewood",
    "Orion", "Polaris", "Quarrystone", "Sterling", "Aldergrove", "Beacon", "Copperfield", "Driftwood",
    "Eastgate", "Foxhollow", "Glenmore", "Highland", "Kingsbridge", "Larkspur",
)  # fmt: skip
_NAME_TRADE = (
    "Analytics", "Logistics", "Foods", "Energy", "Textiles", "Robotics", "Media", "Engineering", "Retail",
    "Finance", "Motors", "Labs", "Systems", "Freight", "Construction", "Software", "Insurance", "Hospitality",
    "Agritech", "Metals", "Printing", "Packaging", "Chemicals", "Telecom", "Furniture",
)  # fmt: skip
_NAME_LEGAL = ("Ltd", "GmbH", "Inc", "AG", "SA", "BV", "Group", "Holdings", "& Co", "LLC")
_NAME_TOWN = (
    "Ashford", "Bramley", "Carrow", "Dunmore", "Elmstead", "Fairhaven", "Greyport", "Hollis", "Irvington",
    "Kestrel Bay", "Lowmoor", "Millbrook", "Newhaven", "Oldcastle", "Portree", "Redhill", "Southmere",
    "Thornbury", "Upton", "Wexley",
)  # fmt: skip
_NAME_BODY = (
    "City Council", "County Council", "Water Authority", "Transit Authority", "School District",
    "Housing Agency", "Library Service",
)  # fmt: skip
_NAME_CARE = (
    "Hospital",
    "Clinic",
    "Medical Center",
    "Care Group",
    "Health Partners",
    "Diagnostics",
    "Dental Care",
)

# --- roles charter ----------------------------------------------------------------------------------------------
_ROLES = (  # activity, marketing, sales
    ("Set channel strategy", "A/R", "C"),
    ("Define target by customer group", "A/R", "C"),
    ("Estimate customer potential", "C", "A/R"),
    ("Commit bottom-up quota", "I", "AR"),
    ("Allocate the gap among customer groups", "A/R", "C"),
    ("Set account quotas", "A", "A/R"),  # two Accountables: to escalate
    ("Plan campaigns and promotions", "A/R", "C"),
    ("Qualify and hand over leads", "R", "A"),
    ("Maintain product messaging", "AR", ""),
    ("Price deals and discounts", "C", "A/R"),
    ("Run the joint monthly review", "R", "A/R"),
    ("Run the report card cycle", "A/R", "R"),
)

# --- report card ------------------------------------------------------------------------------------------------
_CYCLES = ("2024-H2", "2025-H1", "2025-H2", "2026-H1")
_NEEDS = (  # need_id, needed_by, rated_side, description, importance, mean points per cycle, actions
    ("S-N1", "sales", "marketing", "Qualified leads handed over within 24 hours", 5, (1.6, 2.2, 2.9, 3.3),
     ("Agree a 24-hour hand-over rule and report lead age weekly",
      "Route web leads straight to the owning rep")),
    ("S-N2", "sales", "marketing", "Current competitive battle cards for every product line", 4,
     (2.4, 2.6, 3.1, 3.4),
     ("Refresh battle cards every quarter with input from the field",
      "Publish battle cards in the CRM next to each opportunity")),
    ("S-N3", "sales", "marketing", "Product training before each launch", 4, (2.0, 2.5, 2.7, 2.6),
     ("Hold a launch training four weeks before each release",
      "Record trainings for reps who cannot attend")),
    ("S-N4", "sales", "marketing", "Price list and promotion calendar a quarter ahead", 3, (2.8, 3.0, 3.2, 3.5),
     ("Publish the price list and promotion calendar by the end of each quarter",
      "Give sales a two-week review window before price changes")),
    ("S-N5", "sales", "marketing", "Customer references and case studies for each customer group", 3,
     (1.8, 2.0, 2.4, 2.7),
     ("Build two case studies per customer group",
      "Set up a reference customer program with incentives")),
    ("S-N6", "sales", "marketing", "Partner and distributor enablement material", 2, (2.2, 2.8, 3.0, 3.2),
     ("Create a partner starter kit per product line", "Run quarterly partner webinars")),
    ("M-N1", "marketing", "sales", "Follow-up of every qualified lead logged in the CRM within 48 hours", 5,
     (1.5, 2.1, 2.6, 3.1),
     ("Make lead follow-up status mandatory in the CRM",
      "Review untouched leads in the weekly sales meeting")),
    ("M-N2", "marketing", "sales", "Win/loss reason recorded for every closed deal", 4, (1.9, 2.3, 2.5, 2.7),
     ("Add a required win/loss reason field to closed deals",
      "Hold a monthly win/loss review with marketing")),
    ("M-N3", "marketing", "sales", "Monthly field feedback on pricing and competitors", 3, (2.6, 2.9, 3.2, 3.4),
     ("Collect field feedback in a monthly five-question survey", "Invite two reps to each pricing review")),
    ("M-N4", "marketing", "sales", "Forecast by customer group updated every month", 4, (2.3, 2.5, 3.0, 3.2),
     ("Update the forecast by customer group before each monthly review",
      "Align forecast categories with the plan's customer groups")),
    ("M-N5", "marketing", "sales", "Introductions to customers for case studies", 2, (2.7, 2.6, 2.4, 2.2),
     ("Each rep names two reference candidates per half-year",
      "Add case-study consent to the renewal checklist")),
    ("M-N6", "marketing", "sales", "Attendance at launch trainings and campaign briefings", 3,
     (2.1, 2.7, 3.1, 3.3),
     ("Make launch trainings part of the onboarding plan",
      "Schedule campaign briefings in the regional team meetings")),
)  # fmt: skip
_SELF_RATERS = ("M001", "M003", "S001", "S003")
_SELF_KINDNESS = 0.8
_BLIND_SPOT = ("S-N5", 1.4)  # marketing thinks far better of its references than sales does
_SKIP_CHANCE = 0.04  # a sales rater leaves a need ungraded
_LOWER_CASE_CHANCE = 0.03
_COMMENT_CHANCE = 0.15
_COMMENT_NEAR = 1.0  # a rater comments when their grade is within a grade point of the need's level that half
_COMMENTS = {
    "A": ("Excellent, keep it up", "Big improvement this half", "Exactly what we need"),
    "B": ("Good, a few gaps", "Mostly on time", "Better than last half"),
    "C": ("Often late", "Hard to find the latest version", "Needs a clear owner"),
    "F": ("Not happening at all", "Raised twice with no change"),
}
_STATUS_PATTERN = {
    "2024-H2": ("done", "done", "dropped", "done"),
    "2025-H1": ("done", "done", "done", "dropped"),
    "2025-H2": ("in_progress", "done", "open", "done", "in_progress"),
    "2026-H1": ("open", "open", "in_progress"),
}
_MONTH_END = {2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}

# --- celebration ------------------------------------------------------------------------------------------------
# Each win's team is drawn from the data, so that the story holds at any size and seed: marketing members are named;
# a sales member is a pick, resolved among the reps who own accounts with committed quota and net bookings in the
# win's quarter (see _Picker). ``@group:G`` and ``@product:P`` take the rep who booked most in that group or of that
# product in the quarter, ``@team:T`` the top rep of that sales team (else the top rep), ``@top`` the top rep,
# ``@rep:S`` that rep,
# ``@customer`` the owner of the win's customer, which ``customer`` names: the customer that booked most of the
# product in the quarter (within the group if one did). A win whose named scope sold nothing that quarter, or whose
# team would lose all its sales members, is left out. Impacts are in whole currency units at 400 customers and scale
# with the company; a customer's win is worth what the customer booked of the product in the quarter.
# The two ``action`` wins come from the report card's action plan: a success credits the latest action that is
# done and was due by the quarter's end, a shortcoming names the most overdue action still open or in progress.
_WINS = (  # quarter, kind, title, members, revenue impact, lesson, customer (product, group)
    ("2025-Q4", "success", "Year-end Cloud Compute upgrade campaign", "M001;M005;@group:Enterprise;@team:Sales North",
     412_000, "A joint target list agreed in September let reps call the right accounts first.", None),
    ("2025-Q4", "success", "Partner enablement kit for Security Suite", "M003;@team:Sales South;@team:Sales South",
     138_500, "Partners sold more once the battle cards matched the price list.", None),
    ("2025-Q4", "shortcoming", "Missed Healthcare renewals in December", "@group:Healthcare;@group:Healthcare;M002",
     -96_000, "Renewal dates were not in the shared review; they are now on the monthly agenda.", None),
    ("2026-Q1", "success", "Analytics Suite rollout at {customer}", "@customer;M002;M006", None,
     "Bringing product marketing into the second meeting shortened the sales cycle.", ("P04", "Enterprise")),
    ("2026-Q1", "success", "Online Cloud Backup bundle for small businesses", "M004;M005;@group:Small Business",
     74_200, "A bundle designed with the reps' objections in mind needed no discount.", None),
    ("2026-Q1", "shortcoming", "Lead hand-over backlog after the January webinar", "M005;@team:Sales North;@team:Sales South",
     0, "Leads of a webinar three times the usual size waited a week; peaks now get callers from both teams.", None),
    ("2026-Q2", "success", "Public Sector framework agreement", "@group:Public Sector;@group:Public Sector;M003",
     318_000, "Channel marketing's partner brought the tender team we lacked.", None),
    ("2026-Q2", "success", "Win/loss interviews fed the new messaging", "M002;@team:Sales North;@team:Sales East", 55_000,
     "Twelve interviews changed the first slide of every pitch.", None),
    ("2026-Q2", "success", "Distributor launch of Collaboration Suite", "M003;M004", 88_600,
     "The launch reached distributors on time but the field heard about it late.", None),
    ("2026-Q2", "shortcoming", "Implementation Services under-staffed", "@product:P07;@product:P07;M001", -120_000,
     "Selling services needs a capacity check with delivery before the quote goes out.", None),
    ("2026-Q3", "success", "Joint account plans for the top Enterprise customers",
     "@group:Enterprise;@group:Enterprise;M001;M002", 540_000,
     "Account plans written together were used; the ones written alone were not.", None),
    ("2026-Q3", "success", "Cloud Storage migration offer at {customer}", "@customer;M004", None,
     "A migration offer with a fixed end date created urgency without a price cut.", ("P01", None)),
    ("2026-Q3", "success", "action", "", 0, "", None),
    ("2026-Q3", "success", "First full quarter of the new East rep", "@rep:S008;@team:Sales East;M005", 47_800,
     "A shared lead list and a buddy rep got a new hire selling on their own after the ramp.", None),
    ("2026-Q3", "success", "Small Business reactivation calls", "@group:Small Business;@group:Small Business",
     43_500, "Calling lapsed customers works best right after a product update.", None),
    ("2026-Q3", "shortcoming", "Small Business pipeline below objective",
     "@group:Small Business;@group:Small Business;M005", -210_000,
     "The segment needed more marketing-sourced leads than planned; the lead target is now joint.", None),
    ("2026-Q3", "shortcoming", "action", "", 0, "", None),
)  # fmt: skip


# --- public API -------------------------------------------------------------------------------------------------
def write_sample(
    out_dir: str | Path, customers: int = 400, seed: int = 7, fmt: str = "csv", force: bool = False
) -> list[Path]:
    """Write the input files of a fictional company into out_dir (created if needed); returns the paths written.

    Parameters
    ----------
    out_dir : str or Path
        Folder for the files: new, empty, or one that ``sample`` wrote before (its marker
        :data:`SAMPLE_MARKER` lists the files it wrote, with their sizes and SHA-256). Each file is written
        to a temporary name in that folder and renamed into place. Files of the same stems in the other
        formats (``.csv``, ``.parquet``, ``.xlsx``) that ``sample`` wrote are removed, so that the folder holds
        exactly one file per stem.
    customers : int, default 400
        Number of customers; rows of ``actuals`` grow with it (about 60 per customer).
    seed : int, default 7
        Seed of the random streams. The same ``customers`` and ``seed`` give the same bytes.
    fmt : {"csv", "parquet"}, default "csv"
        File format. CSV is UTF-8 with a header row and ``\\n`` line endings, money with two decimals; Parquet
        holds ids as strings and money as float64 (whole cents).

    force : bool, default False
        Write even into a folder holding files that ``sample`` did not write: files of the same names are
        replaced, and other formats of the same stems removed.

    Returns
    -------
    list of Path
        The thirteen files, in the order of :data:`STEMS`.

    Raises
    ------
    ValueError
        If ``customers`` is below 1, ``seed`` is negative, or ``fmt`` is not one of :data:`FORMATS`.
    FolderInUse
        If ``out_dir`` holds files that ``sample`` did not write (or changed since), and not ``force``;
        nothing is written.
    """
    if isinstance(customers, bool) or not isinstance(customers, int | np.integer) or customers < 1:
        raise ValueError(f"customers must be a whole number of at least 1, got {customers!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a whole number of at least 0, got {seed!r}")
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, got {fmt!r}")
    out = Path(out_dir)
    if not force:  # before the work: a folder of real input files is refused at once
        check_owned(out, SAMPLE_MARKER, SAMPLE_COMMAND, "--out", _FORCE_HINT)
    tables = _build(int(customers), int(seed))
    writers: dict[str, Callable[[Path], object]] = {}
    for stem in STEMS:
        table = tables[stem]
        if fmt == "csv":
            frame = _csv_frame(table)
            writers[f"{stem}.{fmt}"] = lambda tmp, frame=frame: frame.to_csv(
                tmp, index=False, lineterminator="\n", encoding="utf-8"
            )
        else:
            arrow = _arrow_table(table)
            writers[f"{stem}.{fmt}"] = lambda tmp, arrow=arrow: pq.write_table(arrow, tmp)
    others = [f"{stem}{suffix}" for stem in STEMS for suffix in _SUFFIXES if suffix != f".{fmt}"]
    return write_owned(
        out,
        SAMPLE_MARKER,
        SAMPLE_COMMAND,
        writers,
        remove=others,
        details={"customers": int(customers), "seed": int(seed), "format": fmt},
        force=force,
        hint=_FORCE_HINT,
    )


# --- columns and writing ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Column:
    """One output column: ``text`` (strings, None for empty), ``coded`` (codes into ``labels``), ``money``
    (integer cents), ``int`` or ``share`` (integer 1/10,000ths)."""

    kind: str
    values: object
    labels: tuple[str, ...] = ()


_Table = dict[str, _Column]


def _text(values: Sequence[str | None]) -> _Column:
    return _Column("text", list(values))


def _coded(codes: np.ndarray, labels: Sequence[str]) -> _Column:
    return _Column("coded", np.asarray(codes, dtype=np.int64), tuple(labels))


def _money(cents: Sequence[int] | np.ndarray) -> _Column:
    return _Column("money", np.asarray(cents, dtype=np.int64))


def _int(values: Sequence[int]) -> _Column:
    return _Column("int", np.asarray(values, dtype=np.int64))


def _share(units: Sequence[int]) -> _Column:
    return _Column("share", np.asarray(units, dtype=np.int64))


def _money_text(cents: np.ndarray) -> np.ndarray:
    """Integer cents as decimal text with two decimals: 123450 -> '1234.50', -5 -> '-0.05'."""
    cents = np.asarray(cents, dtype=np.int64)
    if cents.size == 0:
        return np.array([], dtype=str)
    whole = np.abs(cents)
    text = np.strings.add(
        np.strings.add((whole // 100).astype(str), "."), np.strings.zfill((whole % 100).astype(str), 2)
    )
    return np.where(cents < 0, np.strings.add("-", text), text)


def _share_text(units: int) -> str:
    """1/10,000ths as the shortest decimal with at least one decimal: 6000 -> '0.6', 10000 -> '1.0'."""
    whole, frac = divmod(int(units), 10_000)
    return f"{whole}.{(f'{frac:04d}'.rstrip('0') or '0')}"


def _csv_frame(table: _Table) -> pd.DataFrame:
    data = {}
    for name, col in table.items():
        if col.kind == "text":
            data[name] = pd.Series(col.values, dtype="str")
        elif col.kind == "coded":
            data[name] = pd.Series(np.asarray(col.labels, dtype=str)[col.values], dtype="str")
        elif col.kind == "money":
            data[name] = pd.Series(_money_text(col.values), dtype="str")
        elif col.kind == "share":
            data[name] = pd.Series([_share_text(v) for v in col.values], dtype="str")
        else:
            data[name] = pd.Series(col.values, dtype="int64")
    return pd.DataFrame(data)


def _arrow_table(table: _Table) -> pa.Table:
    arrays = {}
    for name, col in table.items():
        if col.kind == "text":
            arrays[name] = pa.array(col.values, type=pa.string())
        elif col.kind == "coded":
            labels = pa.array(list(col.labels), type=pa.string())
            arrays[name] = pc.take(labels, pa.array(col.values, type=pa.int64()))
        elif col.kind == "money":
            arrays[name] = pa.array(col.values / 100.0, type=pa.float64())
        elif col.kind == "share":
            arrays[name] = pa.array(col.values / 10_000.0, type=pa.float64())
        else:
            arrays[name] = pa.array(col.values, type=pa.int64())
    return pa.table(arrays)


# --- random streams ---------------------------------------------------------------------------------------------
def _stream(seed: int, part: int) -> np.random.Generator:
    """The uniform stream of one part of the company; parts do not disturb each other's draws."""
    return np.random.Generator(np.random.PCG64([seed, part]))


def _pick(u: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Inverse CDF of a discrete distribution: index i with probability weights[i] / sum(weights)."""
    cum = np.cumsum(np.asarray(weights, dtype=float))
    edges = cum[:-1] / cum[-1]
    return (u[..., None] >= edges).sum(axis=-1)


def _floor_index(u: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.floor(u * n).astype(np.int64), n - 1)


def _round_to(amount: np.ndarray, unit_cents: int) -> np.ndarray:
    """Currency amounts rounded half up to a multiple of unit_cents, as integer cents."""
    return (np.floor(np.asarray(amount) * (100.0 / unit_cents) + 0.5) * unit_cents).astype(np.int64)


# --- the company ------------------------------------------------------------------------------------------------
def _build(n: int, seed: int) -> dict[str, _Table]:
    cust = _customers(n, _stream(seed, 1))
    pairs = _pairs(cust, _stream(seed, 2))
    actuals, prior = _actuals(cust, pairs, _stream(seed, 3))
    quota = _sales_input(cust, pairs, prior, _stream(seed, 4))
    ratings, actions = _report_card(_stream(seed, 5))
    tables = {
        "customers": {
            "customer_id": _coded(np.arange(n), cust["ids"]),
            "customer_name": _text(cust["names"].tolist()),
            "customer_group": _coded(cust["group"], _GROUPS),
            "region": _coded(cust["region"], _REGIONS),
            "account_owner": _coded(cust["owner"], _REPS),
        },
        "products": {
            "product_id": _text([p[0] for p in _PRODUCTS]),
            "product_name": _text([p[1] for p in _PRODUCTS]),
            "product_line": _text([_LINES[p[2]] for p in _PRODUCTS]),
        },
        "people": {
            **{
                column: _text([p[i] for p in _PEOPLE])
                for i, column in enumerate(("person_id", "name", "function", "team"))
            },
            "start_month": _text([_STARTS.get(p[0], (None, 0))[0] for p in _PEOPLE]),
            "ramp_months": _text([str(_STARTS[p[0]][1]) if p[0] in _STARTS else None for p in _PEOPLE]),
        },
        "channel_strategy": {
            "product_id": _text([_PRODUCTS[p][0] for p, rows in enumerate(_STRATEGY) for _ in rows]),
            "channel": _text([_CHANNELS[c] for rows in _STRATEGY for c, _ in rows]),
            "share": _share([s for rows in _STRATEGY for _, s in rows]),
        },
        "actuals": actuals,
        "sales_input": quota["sales_input"],
        "roles": {
            "activity": _text([r[0] for r in _ROLES]),
            "marketing": _text([r[1] or None for r in _ROLES]),
            "sales": _text([r[2] or None for r in _ROLES]),
        },
        "overrides": quota["overrides"],
        "report_card_needs": {
            "need_id": _text([d[0] for d in _NEEDS]),
            "needed_by": _text([d[1] for d in _NEEDS]),
            "rated_side": _text([d[2] for d in _NEEDS]),
            "description": _text([d[3] for d in _NEEDS]),
            "importance": _int([d[4] for d in _NEEDS]),
        },
        "report_card_ratings": ratings,
        "action_items": actions,
        "wins": _wins(cust, actuals, quota["committed_by_customer"], actions),
        "prior_quotas": _prior_quotas(cust, pairs, _stream(seed, 6)),
        "review_actions": _review_actions(cust),
    }
    return tables


def _customers(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    u = rng.random((n, 5))
    group = _pick(u[:, 0], _GROUP_MIX)
    region = _pick(u[:, 1], _REGION_MIX)
    owner = np.empty(n, dtype=np.int64)
    key = group == _GROUPS.index("Enterprise")
    owner[key] = np.asarray(_KEY_ACCOUNT_OWNER)[region[key]]
    for r, reps in enumerate(_REGION_REPS):
        mine = ~key & (region == r)
        owner[mine] = np.asarray(reps)[_floor_index(u[mine, 2], len(reps))]
    size = 1.0 / (1.0 - 0.8 * u[:, 3])  # Pareto tail: most customers small, a few five times the typical size
    width = max(5, len(str(n)))
    ids = np.strings.add("C", np.strings.zfill(np.arange(1, n + 1).astype(str), width))
    return {
        "ids": ids,
        "names": _customer_names(group, u[:, 4], rng),
        "group": group,
        "region": region,
        "owner": owner,
        "size": size,
    }


def _customer_names(group: np.ndarray, u_legal: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fictional names from word lists: firms, public bodies and care providers, unique while the lists last."""
    first = np.asarray(_NAME_FIRST)
    styles = (
        np.strings.add(
            np.strings.add(np.repeat(first, len(_NAME_TRADE)), " "), np.tile(_NAME_TRADE, len(first))
        ),
        np.strings.add(
            np.strings.add(np.repeat(_NAME_TOWN, len(_NAME_BODY)), " "), np.tile(_NAME_BODY, len(_NAME_TOWN))
        ),
        np.strings.add(
            np.strings.add(np.repeat(first, len(_NAME_CARE)), " "), np.tile(_NAME_CARE, len(first))
        ),
    )
    style_of = np.asarray(_NAME_STYLE)[group]
    names = np.empty(len(group), dtype=object)
    for s, combos in enumerate(styles):
        order = np.argsort(rng.random(len(combos)), kind="stable")
        mine = np.flatnonzero(style_of == s)
        picked = combos[order[np.arange(len(mine)) % len(combos)]]
        if s == 0:
            legal = np.asarray(_NAME_LEGAL)[_floor_index(u_legal[mine], len(_NAME_LEGAL))]
            picked = np.strings.add(np.strings.add(picked, " "), legal)
        names[mine] = picked
    return names.astype(str)


def _pairs(cust: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The (customer, product) relationships: 2-4 products per customer, bought through 1-2 channels."""
    n, n_products = len(cust["group"]), len(_PRODUCTS)
    u = rng.random((n, n_products + 4))
    count = 2 + _floor_index(u[:, n_products], 3)
    key = u[:, :n_products] * _AFFINITY[cust["group"]]
    rank = np.argsort(np.argsort(-key, axis=1, kind="stable"), axis=1, kind="stable")
    chosen = rank < count[:, None]
    first, second = _customer_channels(chosen, u[:, n_products + 1 :])

    customer, product = np.nonzero(chosen)
    m = len(customer)
    v = rng.random((m, 10))
    line = _PRODUCT_LINE[product]
    group = cust["group"][customer]
    channel, other = _relationship_channels(product, first[customer], second[customer], v[:, :3])
    start = np.where(v[:, 4] < _NEW_BUSINESS_CHANCE, 3 + _floor_index(v[:, 5], _N_MONTHS - 4), 0)
    return {
        "customer": customer,
        "product": product,
        "line": line,
        "group": group,
        "owner": cust["owner"][customer],
        "channel": channel,
        "second": other,
        "start": start,
        "rate": _GROUP_SPEND[group] * _PRICE[product] * cust["size"][customer] * (0.7 + 0.6 * v[:, 6]),
        "trend": -0.04 + 0.20 * v[:, 7] + _LINE_TREND[line],
        "chance": np.minimum(_BUY_CHANCE[line] * (0.75 + 0.35 * v[:, 8]), 1.0),
        "execution": 0.8 + 0.4 * v[:, 9],
    }


def _weighted_pick(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per row, column k with probability weights[k] / sum(weights) (integer weights; zero never picked)."""
    cum = np.cumsum(weights, axis=1)
    return (u[:, None] * cum[:, -1:] >= cum[:, :-1]).sum(axis=1)


def _customer_channels(chosen: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's one or two channels, drawn by the strategy's shares of the products it buys.

    The first channel is drawn by the summed shares of all its products, the second by those of the products
    the first does not sell; a customer whose products the first channel covers takes a second one now and then.
    """
    units = _STRATEGY_UNITS[None, :, :]
    cover = np.where(chosen[:, :, None], units, 0).sum(axis=1)
    first = _weighted_pick(u[:, 0], cover)
    left = chosen & (_STRATEGY_UNITS[:, first].T == 0)
    cover_left = np.where(left[:, :, None], units, 0).sum(axis=1)
    cover_rest = np.where(np.arange(len(_CHANNELS)) == first[:, None], 0, cover)
    need = cover_left.sum(axis=1) > 0
    want = ~need & (u[:, 1] < _SECOND_CHANNEL_CHANCE) & (cover_rest.sum(axis=1) > 0)
    second = np.where(
        need, _weighted_pick(u[:, 2], cover_left), np.where(want, _weighted_pick(u[:, 2], cover_rest), -1)
    )
    return first, second


def _relationship_channels(
    product: np.ndarray, first: np.ndarray, second: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The channel of each relationship and, for some, a second one it also books through (-1 if none).

    A relationship uses those of its customer's channels that the strategy lists for the product; where it lists
    neither, or now and then by choice, it books through a customer channel that is off strategy.
    """
    has_second = second >= 0
    units_first = _STRATEGY_UNITS[product, first]
    units_second = np.where(has_second, _STRATEGY_UNITS[product, np.maximum(second, 0)], 0)
    on_first, on_second = units_first > 0, units_second > 0
    both = on_first & on_second
    share_first = units_first / np.maximum(units_first + units_second, 1)
    lead_first = np.where(both, v[:, 0] < share_first, on_first | ~on_second)
    channel = np.where(lead_first, first, second)
    other = np.where(both & (v[:, 1] < _BOTH_CHANNELS_CHANCE), np.where(lead_first, second, first), -1)
    off_channel = np.where(~on_first, first, np.where(has_second & ~on_second, second, -1))
    off = (v[:, 2] < _OFF_STRATEGY_CHANCE) & (off_channel >= 0)
    return np.where(off, off_channel, channel), np.where(off, -1, other)


def _cells(pairs: dict[str, np.ndarray]) -> np.ndarray:
    return pairs["group"] * len(_PRODUCTS) + pairs["product"]


def _actuals(
    cust: dict[str, np.ndarray], pairs: dict[str, np.ndarray], rng: np.random.Generator
) -> tuple[_Table, dict[str, np.ndarray]]:
    """Monthly bookings, one loop step per month over all relationships at once.

    2024-2025 follow each relationship's own trend. The plan year is calibrated on the realised 2025 revenue of
    each (customer_group, product) cell, grown by the plan's growth and by how well the group and the account
    owner execute, so that the plan year runs near its objectives with some groups and owners behind.
    """
    m = len(pairs["customer"])
    season = _SEASON[pairs["line"]]
    base = pairs["rate"] / 12.0
    realised_2025 = np.zeros(m, dtype=np.int64)
    plan_rate = None
    chunks = []
    for t in range(_N_MONTHS):
        u = rng.random((5, m))
        active = pairs["start"] <= t
        if t < _PLAN_START:
            expected = base * (1.0 + pairs["trend"] * (t / 12.0)) * season[:, t % 12]
        else:
            expected = plan_rate * season[:, t % 12]
        amount = expected / pairs["chance"] * (0.75 + 0.5 * u[1])
        credit = u[3] < _CREDIT_CHANCE
        amount = np.where(credit, -amount * (0.1 + 0.4 * u[4]), amount)
        cents = np.floor(amount * 100.0 + 0.5).astype(np.int64)
        booked = active & (u[0] < pairs["chance"]) & (cents != 0)
        channel = np.where(
            (pairs["second"] >= 0) & (u[2] < _SECOND_CHANNEL_USE), pairs["second"], pairs["channel"]
        )
        rows = np.flatnonzero(booked)
        chunks.append((np.full(len(rows), t), rows, channel[rows], cents[rows]))
        if t in _PRIOR:
            realised_2025 += np.where(booked, cents, 0)
        if t == _PRIOR[-1]:
            plan_rate = _plan_rate(cust, pairs, realised_2025)
    month = np.concatenate([c[0] for c in chunks])
    row = np.concatenate([c[1] for c in chunks])
    table = {
        "month": _coded(month, _MONTHS),
        "customer_id": _coded(pairs["customer"][row], cust["ids"]),
        "product_id": _coded(pairs["product"][row], [p[0] for p in _PRODUCTS]),
        "channel": _coded(np.concatenate([c[2] for c in chunks]), _CHANNELS),
        "revenue": _money(np.concatenate([c[3] for c in chunks])),
    }
    return table, {"realised_2025": realised_2025, "plan_rate": plan_rate}


def _plan_months(pairs: dict[str, np.ndarray]) -> np.ndarray:
    """Share of the plan year in which each relationship is active."""
    return np.clip(_PLAN_START + 12 - np.maximum(pairs["start"], _PLAN_START), 0, 12) / 12.0


def _cell_sums(pairs: dict[str, np.ndarray], values: np.ndarray) -> np.ndarray:
    return np.bincount(_cells(pairs), weights=values, minlength=len(_GROUPS) * len(_PRODUCTS))


def _plan_rate(
    cust: dict[str, np.ndarray], pairs: dict[str, np.ndarray], realised_cents: np.ndarray
) -> np.ndarray:
    """Expected monthly plan-year revenue of each relationship before seasonality.

    Each relationship's 2025 run rate is scaled so that a cell's plan-year revenue (new relationships included)
    equals its realised 2025 revenue, before the plan's growth and the execution factors.
    """
    run_rate = pairs["rate"] * (1.0 + pairs["trend"] * (17.5 / 12.0)) / 12.0  # average month of 2025
    plan_year = run_rate * 12.0 * _plan_months(pairs)
    expected_cell = _cell_sums(pairs, plan_year)
    realised_cell = _cell_sums(pairs, realised_cents.astype(float)) / 100.0
    ratio = np.divide(realised_cell, expected_cell, out=np.ones_like(expected_cell), where=expected_cell > 0)
    calibration = np.clip(ratio, 0.5, 1.5)[_cells(pairs)]
    growth = 1.0 + _GROWTH[pairs["group"], pairs["product"]]
    execution = _GROUP_EXECUTION[pairs["group"]] * _OWNER_EXECUTION[pairs["owner"]] * pairs["execution"]
    return run_rate * calibration * growth * execution


def _top_down_target(pairs_group: np.ndarray, pairs_product: np.ndarray, realised_cents: np.ndarray) -> float:
    """The plan's top-down total: 2025 revenue per (customer_group, product) cell, clamped at 0, grown."""
    cells = pairs_group * len(_PRODUCTS) + pairs_product
    n_cells = len(_GROUPS) * len(_PRODUCTS)
    cell_cents = np.zeros(n_cells, dtype=np.int64)
    np.add.at(cell_cents, cells, realised_cents)
    growth = _GROWTH.reshape(-1)
    return math.fsum(max(int(c), 0) / 100.0 * (1.0 + g) for c, g in zip(cell_cents, growth, strict=True))


def _sales_input(
    cust: dict[str, np.ndarray], pairs: dict[str, np.ndarray], prior: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> dict[str, object]:  # fmt: skip
    """Sales' committed and potential per relationship, a few hand-locked quotas.

    Committed follows each relationship's expected plan-year revenue with some caution, scaled so that its
    total falls short of the top-down target by a shortfall drawn between 6 % and 9 %.
    """
    m = len(pairs["customer"])
    u = rng.random((m, 4))
    shortfall = 0.06 + 0.03 * rng.random(1)[0]
    target = _top_down_target(pairs["group"], pairs["product"], prior["realised_2025"])
    caution = 0.80 + 0.25 * u[:, 0]
    execution = _GROUP_EXECUTION[pairs["group"]] * _OWNER_EXECUTION[pairs["owner"]] * pairs["execution"]
    outlook = prior["plan_rate"] / execution * 12.0  # what the plan year would bring if worked as planned
    raw = outlook * caution * _plan_months(pairs)
    committed = _round_to(raw * ((1.0 - shortfall) * target / math.fsum(raw)), 10_000)
    potential = _round_to(committed / 100.0 * (1.1 + 0.5 * u[:, 1]), 10_000)

    # A few rows committed above potential (a warning by design) and a few quotas locked by hand.
    order = np.argsort(u[:, 2], kind="stable")
    locked, above, locked_groups = [], [], set()
    n_groups = len(np.unique(pairs["group"]))
    for i in order:
        sizeable = committed[i] >= 2_000_000 and potential[i] - committed[i] >= 1_000_000
        other_group = int(pairs["group"][i]) not in locked_groups or len(locked_groups) == n_groups
        if len(locked) < _LOCKED_ROWS and sizeable and other_group:
            locked.append(i)
            locked_groups.add(int(pairs["group"][i]))
        elif len(above) < _ABOVE_POTENTIAL_ROWS and committed[i] >= 500_000:
            above.append(i)
        if len(locked) == _LOCKED_ROWS and len(above) == _ABOVE_POTENTIAL_ROWS:
            break
    above_idx = np.asarray(above, dtype=np.int64)
    potential[above_idx] = _round_to(committed[above_idx] / 100.0 * (0.85 + 0.1 * u[above_idx, 3]), 10_000)
    locked_idx = np.sort(np.asarray(locked, dtype=np.int64))
    room = potential[locked_idx] - committed[locked_idx]
    final = (
        committed[locked_idx]
        + np.floor(room * (0.3 + 0.5 * u[locked_idx, 3]) / 100_000).astype(np.int64) * 100_000
    )

    product_ids = [p[0] for p in _PRODUCTS]
    committed_by_customer = np.bincount(
        pairs["customer"], weights=committed.astype(float), minlength=len(cust["ids"])
    )
    return {
        "sales_input": {
            "customer_id": _coded(pairs["customer"], cust["ids"]),
            "product_id": _coded(pairs["product"], product_ids),
            "potential": _money(potential),
            "committed": _money(committed),
        },
        "overrides": {
            "customer_id": _coded(pairs["customer"][locked_idx], cust["ids"]),
            "product_id": _coded(pairs["product"][locked_idx], product_ids),
            "final_quota": _money(final),
        },
        "committed_by_customer": committed_by_customer,
    }


def _prior_quotas(
    cust: dict[str, np.ndarray], pairs: dict[str, np.ndarray], rng: np.random.Generator
) -> _Table:
    """Last year's (2025) quota per relationship, rounded to hundreds.

    The expected 2025 revenue of each relationship active in 2025 (its rate, trend and seasons, as the actuals are
    drawn), times its rep's stretch and a draw between 0.80 and 1.15: most reps end near their quota, a few well
    above or below it. Relationships that start in the plan year have no quota last year.
    """
    m = len(pairs["customer"])
    u = rng.random(m)
    base = pairs["rate"] / 12.0
    season = _SEASON[pairs["line"]]
    expected = np.zeros(m)
    for t in _PRIOR:
        month = base * (1.0 + pairs["trend"] * (t / 12.0)) * season[:, t % 12]
        expected = expected + np.where(pairs["start"] <= t, month, 0.0)
    quota = _round_to(expected * _PRIOR_QUOTA_STRETCH[pairs["owner"]] * (0.80 + 0.35 * u), 10_000)
    keep = np.flatnonzero(quota > 0)
    order = keep[np.lexsort((pairs["product"][keep], pairs["customer"][keep]))]
    return {
        "customer_id": _coded(pairs["customer"][order], cust["ids"]),
        "product_id": _coded(pairs["product"][order], [p[0] for p in _PRODUCTS]),
        "final_quota": _money(quota[order]),
    }


def _report_card(rng: np.random.Generator) -> tuple[_Table, _Table]:
    """Half-yearly grades of each side's needs by the other side, self-assessments, and the action plan."""
    grade_points = {"A": 4, "B": 3, "C": 2, "F": 0}
    ratings = {"cycle": [], "rater_id": [], "need_id": [], "grade": [], "comment": []}
    points: dict[tuple[str, str], list[int]] = {}
    for c, cycle in enumerate(_CYCLES):
        for person, _name, function, _team in _PEOPLE:
            if person == _NEW_REP and c < len(_CYCLES) - 1:
                continue
            for need_id, _by, rated_side, _desc, _imp, means, _actions in _NEEDS:
                u = rng.random(5)
                own_side = rated_side == function
                if own_side and person not in _SELF_RATERS:
                    continue
                if not own_side and function == "sales" and u[4] < _SKIP_CHANCE:
                    continue
                mean = means[c]
                if own_side:
                    mean = min(mean + (_BLIND_SPOT[1] if need_id == _BLIND_SPOT[0] else _SELF_KINDNESS), 3.9)
                x = mean + (u[0] - 0.5) * 2.0
                grade = "A" if x >= 3.5 else "B" if x >= 2.5 else "C" if x >= 1.0 else "F"
                if not own_side:
                    points.setdefault((cycle, need_id), []).append(grade_points[grade])
                comment = None
                if u[2] < _COMMENT_CHANCE and abs(grade_points[grade] - mean) <= _COMMENT_NEAR:
                    options = _COMMENTS[grade]
                    comment = options[int(_floor_index(np.array([u[3]]), len(options))[0])]
                ratings["cycle"].append(cycle)
                ratings["rater_id"].append(person)
                ratings["need_id"].append(need_id)
                ratings["grade"].append(grade.lower() if u[1] < _LOWER_CASE_CHANCE else grade)
                ratings["comment"].append(comment)

    actions = {"cycle": [], "need_id": [], "action": [], "owner": [], "due": [], "status": []}
    for c, cycle in enumerate(_CYCLES):
        year, half = int(cycle[:4]), cycle[-2:]
        shortfalls = [
            d for d in _NEEDS
            if (cycle, d[0]) in points and sum(points[cycle, d[0]]) < 3.0 * len(points[cycle, d[0]])
        ]  # fmt: skip
        pattern = _STATUS_PATTERN[cycle]
        for k, (need_id, _by, rated_side, _desc, _imp, _means, texts) in enumerate(shortfalls):
            side = _MARKETERS if rated_side == "marketing" else tuple(r for r in _REPS if r != _NEW_REP)
            due_year, due_months = (year, (9, 10, 11, 12)) if half == "H1" else (year + 1, (2, 3, 4, 5, 6))
            due_month = due_months[k % len(due_months)]
            actions["cycle"].append(cycle)
            actions["need_id"].append(need_id)
            actions["action"].append(texts[c % len(texts)])
            actions["owner"].append(side[(int(need_id[-1]) + c) % len(side)])
            actions["due"].append(f"{due_year}-{due_month:02d}-{_MONTH_END[due_month]}")
            actions["status"].append(pattern[k % len(pattern)])
    return ({k: _text(v) for k, v in ratings.items()}, {k: _text(v) for k, v in actions.items()})


class _Picker:
    """The reps a win of one quarter can credit, from the quarter's bookings of the accounts each rep owns.

    A rep can be credited with sales in a quarter when the accounts they own carry committed quota and booked net
    revenue in that quarter; among them, a pick takes the rep who booked most in the pick's scope.
    """

    def __init__(
        self, cust: dict[str, np.ndarray], actuals: _Table, committed_by_customer: np.ndarray, quarter: str
    ) -> None:
        year, q = int(quarter[:4]), int(quarter[-1])
        first = (year - _FIRST_YEAR) * 12 + 3 * (q - 1)
        month, customer = actuals["month"].values, actuals["customer_id"].values
        rows = (month >= first) & (month < first + 3)
        self.customer = customer[rows]
        self.product = actuals["product_id"].values[rows]
        self.cents = actuals["revenue"].values[rows]
        self.cust = cust
        self.owner = cust["owner"][self.customer]
        n_reps = len(_REPS)
        quota = np.bincount(cust["owner"], weights=committed_by_customer, minlength=n_reps)
        booked = np.bincount(self.owner, weights=self.cents, minlength=n_reps)  # whole cents: exact sums
        self.eligible = (quota > 0) & (booked > 0)

    def _top(self, scope: np.ndarray | None, team: list[str]) -> str | None:
        """The eligible rep not yet in the team who booked most within scope (rows of the quarter), if any."""
        weights = self.cents if scope is None else np.where(scope, self.cents, 0)
        sums = np.bincount(self.owner, weights=weights, minlength=len(_REPS))
        free = self.eligible & (sums > 0) & ~np.isin(np.asarray(_REPS), team)
        if not free.any():
            return None
        return _REPS[int(np.argmax(np.where(free, sums, -np.inf)))]

    def customer_of(self, product: str, group: str | None) -> int | None:
        """The customer that booked most of the product in the quarter, within the group if one did."""
        of_product = self.product == _product_index(product)
        scopes = [of_product]
        if group is not None and group in _GROUPS:
            scopes.insert(0, of_product & (self.cust["group"][self.customer] == _GROUPS.index(group)))
        for scope in scopes:
            sums = np.bincount(
                self.customer, weights=np.where(scope, self.cents, 0), minlength=len(self.cust["ids"])
            )
            if sums.max(initial=0) > 0:
                return int(np.argmax(sums))
        return None

    def customer_booked(self, customer: int, product: str) -> int:
        """Cents the customer booked of the product in the quarter."""
        mine = (self.customer == customer) & (self.product == _product_index(product))
        return int(self.cents[mine].sum())

    def pick(self, spec: str, team: list[str], customer: int | None) -> str | None:
        """Resolve one ``@`` member of a win; None when no rep fits (see the win table's comment)."""
        kind, _, value = spec[1:].partition(":")
        if kind == "customer":
            rep = _REPS[int(self.cust["owner"][customer])]
            return rep if self.eligible[_REPS.index(rep)] and rep not in team else None
        if kind == "rep":
            return value if self.eligible[_REPS.index(value)] and value not in team else None
        if kind == "group":
            return self._top(self.cust["group"][self.customer] == _GROUPS.index(value), team)
        if kind == "product":
            return self._top(self.product == _product_index(value), team)
        if kind == "team":
            members = [i for i, p in enumerate(_PEOPLE) if p[3] == value]
            in_team = self._top(np.isin(self.owner, [_REPS.index(_PEOPLE[i][0]) for i in members]), team)
            return in_team or self._top(None, team)
        return self._top(None, team)


def _product_index(product_id: str) -> int:
    return [p[0] for p in _PRODUCTS].index(product_id)


def _quarter_end(quarter: str) -> str:
    month = 3 * int(quarter[-1])
    return f"{quarter[:4]}-{month:02d}-{_MONTH_END[month]}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _action_win(
    kind: str, quarter: str, actions: _Table, used: set[int], picker: _Picker
) -> tuple[str, list[str], str] | None:
    """A win told from the action plan: a promise kept (success) or an overdue one (shortcoming).

    The success credits the latest action that is done and was due by the quarter's end; the shortcoming names
    the most overdue action still open or in progress at the quarter's end. The team is the action's owner and
    one person of the side that asked for it. Returns (title, members, lesson), or None when no action fits.
    """
    end = _quarter_end(quarter)
    rows = range(len(actions["status"].values))
    cycle, need = actions["cycle"].values, actions["need_id"].values
    status, due, text = actions["status"].values, actions["due"].values, actions["action"].values
    if kind == "success":
        fits = [i for i in rows if i not in used and status[i] == "done" and due[i] <= end]
        fits.sort(key=lambda i: (cycle[i], due[i]), reverse=True)
    else:
        fits = [i for i in rows if i not in used and status[i] in ("open", "in_progress") and due[i] < end]
        fits.sort(key=lambda i: (due[i], cycle[i]))
    if not fits:
        return None
    i = fits[0]
    used.add(i)
    owner = actions["owner"].values[i]
    needs = {d[0]: d for d in _NEEDS}
    description, needed_by = needs[need[i]][3], needs[need[i]][1]
    members = [owner]
    if needed_by == "marketing":
        members.append(_MARKETERS[int(need[i][-1]) % len(_MARKETERS)])
    else:
        rep = picker.pick("@top", members, None)
        members += [rep] if rep else []
    if kind == "success":
        title = f"Report-card promise kept: {_lower_first(description)}"
        lesson = f"The {cycle[i]} action \u201c{text[i]}\u201d is done: a promise made on the report card and kept."
    else:
        title = f"Report-card action overdue: {_lower_first(description)}"
        lesson = (
            f"The {cycle[i]} action \u201c{text[i]}\u201d was due {due[i]} and is still "
            f"{status[i].replace('_', ' ')}; its owner now reports on it at every monthly review."
        )
    return title, members, lesson


def _wins(
    cust: dict[str, np.ndarray], actuals: _Table, committed_by_customer: np.ndarray, actions: _Table
) -> _Table:
    """Four quarters of successes and shortcomings whose teams, customers and actions come from the data.

    Most teams mix marketing and sales; see the comment of ``_WINS`` for how each member is chosen.
    """
    rows: dict[str, list] = {
        k: [] for k in ("quarter", "kind", "title", "member_ids", "revenue_impact", "lesson")
    }
    used: set[int] = set()
    pickers: dict[str, _Picker] = {}
    for quarter, kind, title, members, impact, lesson, bought in _WINS:
        team: list[str] = []
        if quarter not in pickers:
            pickers[quarter] = _Picker(cust, actuals, committed_by_customer, quarter)
        picker = pickers[quarter]
        if title == "action":
            told = _action_win(kind, quarter, actions, used, picker)
            if told is None:
                continue
            title, team, lesson = told
            cents = 0
        else:
            customer = picker.customer_of(*bought) if bought else None
            if bought and customer is None:
                continue
            picks = [m for m in members.split(";") if m.startswith("@")]
            for member in members.split(";"):
                rep = picker.pick(member, team, customer) if member.startswith("@") else member
                if rep is None and member.split(":")[0] in ("@customer", "@rep"):
                    team = []
                    break
                team += [rep] if rep else []
            if not team or (picks and not set(team) & set(_REPS)):
                continue
            if customer is not None:
                title = title.format(customer=cust["names"][customer])
                cents = picker.customer_booked(customer, bought[0]) // 10_000 * 10_000
            else:
                cents = (
                    (impact * len(cust["ids"]) + 20_000) // 40_000 * 10_000
                )  # x n / 400, to hundreds, half up
        rows["quarter"].append(quarter)
        rows["kind"].append(kind)
        rows["title"].append(title)
        rows["member_ids"].append(";".join(team))
        rows["revenue_impact"].append(cents)
        rows["lesson"].append(lesson)
    return {k: (_money(v) if k == "revenue_impact" else _text(v)) for k, v in rows.items()}


# (review month, period, level, key, action, marketing owner, sales owner, due, note,
#  then the status history: (status, changed_by, changed_on), oldest first)
_REVIEW_ACTIONS = (
    ("2026-07", "month", "customer_group", "Small Business",
     "Joint reactivation campaign for lapsed Small Business customers", "M005", "S003", "2026-08-31",
     "Calls right after the product update", (("open", "S003", "2026-07-08"), ("done", "S003", "2026-08-28"))),
    ("2026-07", "month", "region", "East", "Shared lead list for the East reps from the July webinar",
     "M003", "S007", "2026-08-31", "", (("open", "S007", "2026-07-08"), ("done", "M003", "2026-08-20"))),
    ("2026-07", "month", "product_line", "Services", "Capacity check with delivery before each services quote",
     "M001", "S002", "2026-08-15", "Replaced by the delivery team's own rule",
     (("open", "S002", "2026-07-08"), ("dropped", "S002", "2026-08-10"))),
    ("2026-07", "ytd", "account_owner", "S002", "Account plans for the two largest Key Accounts customers",
     "M001", "S002", "2026-09-30", "", (("open", "S002", "2026-07-08"), ("in_progress", "S002", "2026-09-02"))),
    ("2026-08", "month", "account_owner", "S008", "Ramp plan review with a buddy rep", "M004", "S008",
     "2026-09-30", "", (("open", "S008", "2026-08-06"), ("done", "S008", "2026-09-25"))),
    ("2026-08", "month", "channel", "Distributor", "Distributor enablement kit for Security Suite",
     "M003", "S005", "2026-10-15", "", (("open", "M003", "2026-08-06"),)),
    ("2026-09", "ytd", "product_line", "Software", "Q4 Software promotion brief to the field", "M002", "S001",
     "2026-11-15", "", (("open", "M002", "2026-09-09"),)),
)  # fmt: skip


def _review_actions(cust: dict[str, np.ndarray]) -> _Table:
    """Joint actions of the monthly reviews of 2026-07 .. 2026-09, with their status history (a ledger).

    Done and recovered, done and not recovered, overdue, dropped, still open; an action on a customer
    group or region the company does not have (a small sample) is left out.
    """
    present = {
        "customer_group": {_GROUPS[g] for g in np.unique(cust["group"])},
        "region": {_REGIONS[r] for r in np.unique(cust["region"])},
    }
    columns = ("month", "period", "level", "key", "action", "marketing_owner", "sales_owner", "due", "status",
               "note", "changed_by", "changed_on", "superseded_on")  # fmt: skip
    out: dict[str, list[str | None]] = {c: [] for c in columns}
    for month, period, level, key, action, marketer, rep, due, note, steps in _REVIEW_ACTIONS:
        if key not in present.get(level, {key}):
            continue
        for k, (status, by, on) in enumerate(steps):
            later = steps[k + 1][2] if k + 1 < len(steps) else None
            row = (month, period, level, key, action, marketer, rep, due, status, note or None, by, on, later)
            for c, value in zip(columns, row, strict=True):
                out[c].append(value)
    return {c: _text(v) for c, v in out.items()}
