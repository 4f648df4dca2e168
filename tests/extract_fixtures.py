"""A minimal valid extract, written file by file into a folder, for tests to vary."""

from __future__ import annotations

import json
import textwrap
from datetime import date, timedelta
from pathlib import Path

# holidays.csv for the tiny extract (tests/fixtures/tiny_extract), as of Monday
# 2026-11-23: P1 is closed on as-of and shut down the whole second week (Monday
# 11-30 to Friday 12-04); P2 is closed on Wednesday 11-25, DC1 on Thursday 11-26
TINY_SHUTDOWN = [date(2026, 11, 30) + timedelta(days=day) for day in range(5)]
TINY_HOLIDAYS = {
    "P1": [date(2026, 11, 23), *TINY_SHUTDOWN],
    "P2": [date(2026, 11, 25)],
    "DC1": [date(2026, 11, 26)],
}

MINIMAL_EXTRACT = {
    "locations.csv": """
        location_id,location_type,name
        P1,plant,Plant one
        D1,dc,Distribution centre
    """,
    "items.csv": """
        item_id,uom,unit_cost
        FG1,ea,50
        RM1,kg,2.5
    """,
    "skus.csv": """
        item_id,location_id,replenishment,lead_time_days,source_location_id,supplier_id,safety_stock,lot_policy,yield_rate
        FG1,P1,make,2,,,,,0.98
        FG1,D1,transfer,3,P1,,5,,
        RM1,P1,buy,10,,SUP1,,fixed,
    """,
    "bom.csv": """
        parent_item_id,component_item_id,location_id,qty_per,scrap_rate
        FG1,RM1,P1,2,0.1
    """,
    "on_hand.csv": """
        item_id,location_id,qty,status
        FG1,D1,20,available
        RM1,P1,100,available
        RM1,P1,7,qa_hold
    """,
    "sales_orders.csv": """
        so_id,so_line,item_id,location_id,qty_open,due_date
        SO1,10,FG1,D1,12,2026-11-30
    """,
}


def write_extract(folder: Path, files: dict[str, str], manifest: bool = True) -> Path:
    """Write ``files`` (name -> CSV text, dedented) and a manifest into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    if manifest:
        (folder / "manifest.json").write_text(
            json.dumps(
                {
                    "extract_id": "test-1",
                    "created_at": "2026-11-23T02:00:00Z",
                    "source_system": "test",
                }
            )
        )
    return folder
