"""A tiny valid company as CSV text, for tests that break one rule at a time."""

from __future__ import annotations

from pathlib import Path

FILES: dict[str, str] = {
    "customers": """customer_id,customer_name,customer_group,region,account_owner
C001,Acme Ltd,Enterprise,North,S01
C002,Brightline,SMB,South,S02
C003,Cobalt Works,SMB,North,S01
""",
    "products": """product_id,product_name,product_line
P01,Cloud Core,Cloud
P02,Edge Box,Hardware
""",
    "people": """person_id,name,function,team
S01,Sam Reyes,sales,North Sales
S02,Ana Kim,sales,South Sales
M01,Lea Park,marketing,Product Marketing
""",
    "channel_strategy": """product_id,channel,share
P01,Direct,0.6
P01,Online,0.4
P02,Partner,1
""",
    "actuals": """month,customer_id,product_id,channel,revenue
2025-01,C001,P01,Direct,1000.00
2025-02,C002,P02,Partner,500.50
2025-03,C003,P01,Online,-20.00
2026-01,C001,P01,Direct,1100.00
""",
    "sales_input": """customer_id,product_id,potential,committed
C001,P01,20000,12000
C002,P02,8000,5000
C003,P01,3000,1000
""",
    "roles": """activity,marketing,sales
Set channel strategy,A/R,C
Set account quotas,C,AR
""",
    "overrides": """customer_id,product_id,final_quota
C002,P02,6000
""",
    "report_card_needs": """need_id,needed_by,rated_side,description,importance
S-N1,sales,marketing,Qualified leads,5
M-N1,marketing,sales,Timely feedback,4
""",
    "report_card_ratings": """cycle,rater_id,need_id,grade,comment
2026-H1,S01,S-N1,B,
2026-H1,M01,M-N1,c,slow
""",
    "action_items": """cycle,need_id,action,owner,due,status
2025-H2,M-N1,Weekly pipeline call,S01,2026-03-31,open
""",
    "wins": """quarter,kind,title,member_ids,revenue_impact,lesson
2026-Q1,success,Won Acme renewal,S01;M01,12000.00,Plan together
""",
}


def write_company(folder: Path, **changes: str | None) -> Path:
    """Write the tiny company into ``folder``; ``changes`` replaces (or, with None, removes) files."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {**FILES, **changes}
    for stem, text in files.items():
        if text is not None:
            (folder / f"{stem}.csv").write_text(text, encoding="utf-8")
    return folder


def replace_line(stem: str, old: str, new: str) -> str:
    """The file's text with one line replaced (the old line must exist)."""
    text = FILES[stem]
    assert old in text, old
    return text.replace(old, new, 1)
