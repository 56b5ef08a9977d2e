"""Small companies with figures worked out by hand, for the roles, review and celebration tests.

``tiny`` (FY2026, calendar year; review month 2026-03):

* people: marketing M1 Mia, M2 Max; sales S1 Sam, S2 Sue, S3 Sid (S3 owns no customers).
* customers: C1 (Enterprise, North, S1), C2 (SMB, South, S2).
* products: P1 (Cloud), P2 (Services). Strategy: P1 Direct 0.6 / Partner 0.4; P2 Direct 1.0.
* objectives (:func:`tiny_objectives`): C1/P1 1000.00 a month, C2/P2 500.00 a month.
* FY2026 actuals: 2026-01 C1/P1 Direct 700, Partner 300, C2/P2 Direct 400; 2026-02 C1/P1 Direct
  500, Partner 400, C2/P2 Direct 300 and Online 100 (off strategy); 2026-03 nothing booked;
  2026-04 C1/P1 Direct 9999 (after the review month: ignored).
* YTD (Jan..Mar): objective 4500, actual 2700, attainment 0.6, forecast 2700 + 9 x 1500 x 0.6
  = 10800, off strategy 100. March: objective 1500, actual 0, attainment 0, flagged.
* Owners YTD: S1 3000 / 1900 (0.6333), S2 1500 / 800 (0.5333), S3 0 / 0 (no attainment);
  quota error = (0.36667 + 0.46667) / 2 = 0.41667.
* Roles: "Channel strategy" A/R + C (ok), "Forecast" I + AR (ok), "Pricing" A + A (both),
  "Lead follow-up" R + R (none), "Events" empty + empty (none).
* Wins: 2026-Q1 a mixed success (M1;S1, 5000), a marketing-only success (M2, 1000) and a sales
  shortcoming (S2, -2000); 2026-Q2 none; 2026-Q3 two single-function successes (flagged).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from alignment.fiscal import fiscal_months
from alignment.inputs import Inputs, load_inputs
from alignment.params import Params, parse_params

TINY: dict[str, str] = {
    "people": """person_id,name,function,team
M1,Mia,marketing,Brand
M2,Max,marketing,Demand
S1,Sam,sales,North
S2,Sue,sales,South
S3,Sid,sales,South
""",
    "customers": """customer_id,customer_name,customer_group,region,account_owner
C1,Acme,Enterprise,North,S1
C2,Bolt,SMB,South,S2
""",
    "products": """product_id,product_name,product_line
P1,Cloud Suite,Cloud
P2,Consulting,Services
""",
    "channel_strategy": """product_id,channel,share
P1,Direct,0.6
P1,Partner,0.4
P2,Direct,1.0
""",
    "sales_input": """customer_id,product_id,potential,committed
C1,P1,20000,12000
C2,P2,8000,6000
""",
    "actuals": """month,customer_id,product_id,channel,revenue
2025-03,C1,P1,Direct,6000
2025-03,C1,P1,Partner,4000
2025-06,C2,P2,Direct,5000
2026-01,C1,P1,Direct,700
2026-01,C1,P1,Partner,300
2026-01,C2,P2,Direct,400
2026-02,C1,P1,Direct,500
2026-02,C1,P1,Partner,400
2026-02,C2,P2,Direct,300
2026-02,C2,P2,Online,100
2026-04,C1,P1,Direct,9999
""",
    "roles": """activity,marketing,sales
Channel strategy,A/R,C
Forecast,I,AR
Pricing,A,A
Lead follow-up,R,R
Events,,
""",
    "wins": """quarter,kind,title,member_ids,revenue_impact,lesson
2026-Q1,success,Joint launch,M1;S1,5000,Plan launches together
2026-Q1,shortcoming,Lost renewal,S2,-2000,Call the customer before the renewal month
2026-Q1,success,Solo campaign,M2,1000,Bring sales in earlier
2026-Q3,success,Big deal,S1;S2,3000,Ask marketing for references
2026-Q3,success,Webinar,M1,500,Invite the account owners
""",
}


def write_company(folder: Path, files: dict[str, str]) -> Path:
    """Write a company's input files as CSV into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, text in files.items():
        (folder / f"{stem}.csv").write_text(text, encoding="utf-8")
    return folder


def tiny_inputs(folder: Path) -> Inputs:
    """The tiny company, written to ``folder`` and loaded with every input check."""
    return load_inputs(write_company(folder, TINY), fiscal_year=2026)


def tiny_params(
    data_dir: Path, month: str = "2026-03", quarter: str = "2026-Q1", flag_below: float = 0.90
) -> Params:
    """Parameters for the tiny company: FY2026, calendar year."""
    return parse_params(
        {
            "data_dir": str(data_dir),
            "fiscal_year": 2026,
            "review": {"month": month, "flag_below": flag_below},
            "celebration": {"quarter": quarter},
        },
        data_dir,
    )


def tiny_objectives() -> pd.DataFrame:
    """Monthly objectives: C1/P1 1000.00 and C2/P2 500.00 in each month of FY2026."""
    months = fiscal_months(2026)
    return pd.DataFrame(
        {
            "customer_id": ["C1"] * 12 + ["C2"] * 12,
            "product_id": ["P1"] * 12 + ["P2"] * 12,
            "month": months * 2,
            "objective": [1000.0] * 12 + [500.0] * 12,
        }
    )
