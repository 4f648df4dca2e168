"""The plan report in a real browser: headless Chromium loads it with no script
or console error and no request leaving the page, the DOM holds every section, and
a screenshot comes out. CI installs Debian's chromium (.ci/run); without it these
tests fail, they do not skip."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

from planning.report import write_report

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # nothing resolves: the browser's own background calls stay inside too
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--enable-logging=stderr",
    "--v=0",
]
WINDOW = (1280, 2200)
SECTIONS = [
    "run",
    "kpis",
    "late-demand",
    "exceptions",
    "schedule",
    "capacity",
    "inventory",
    "milestones",
]
AS_OF = date(2026, 11, 23)


def chromium() -> str:
    found = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if found is None:
        pytest.fail(
            f"{CHROMIUM} is missing: the report's browser tests need Debian's chromium "
            "(apt-get install -y chromium; .ci/run installs it when absent)",
            pytrace=False,
        )
    return found


@dataclass
class BrowserRun:
    stdout: str
    stderr: str
    netlog: Path

    def console_messages(self) -> list[str]:
        """What the page wrote to the console, uncaught errors included (Chromium
        logs both as CONSOLE lines, whatever the level)."""
        return [line for line in self.stderr.splitlines() if re.search(r"\bCONSOLE\b", line)]

    def page_requests(self) -> list[str]:
        """URLs the page itself asked for beyond its own file (the browser's
        background requests have another network isolation key)."""
        log = json.loads(self.netlog.read_text(encoding="utf-8"))
        start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        return [
            event["params"]["url"]
            for event in log["events"]
            if event["type"] == start
            and "file://" in event["params"].get("network_isolation_key", "")
            and not event["params"]["url"].startswith(("file:", "data:"))
        ]


def open_in_chromium(page: Path, work: Path, *args: str) -> BrowserRun:
    work.mkdir(parents=True, exist_ok=True)
    netlog = work / "netlog.json"
    command = [
        chromium(),
        *FLAGS,
        f"--user-data-dir={work / 'profile'}",
        f"--log-net-log={netlog}",
        *args,
        page.resolve().as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, f"chromium failed ({result.returncode}):\n{result.stderr}"
    return BrowserRun(result.stdout, result.stderr, netlog)


def plan_tables() -> dict[str, pl.DataFrame]:
    """A small plan with every optional table, a shortage, late demand and an
    overloaded week, and an id that needs escaping; and its sales order lines
    (SO1, which nothing is pegged to, is known as one from them only)."""

    def day(n: int) -> date:
        return AS_OF + timedelta(days=n)

    def at(n: int, hour: int) -> datetime:
        return datetime(2026, 11, 23 + n, hour)

    orders = pl.DataFrame(
        {"order_id": ["PWO-1", "PWO-2"], "item_id": ["FG1", "FG2"], "location_id": ["PL1"] * 2}
    )
    return {
        "work_orders": orders,
        "purchase_requests": orders.head(1).with_columns(order_id=pl.lit("PPR-1")),
        "transfer_orders": orders.head(0),
        "action_messages": pl.DataFrame({"action": ["expedite", "defer", "cancel"]}),
        "exceptions": pl.DataFrame(
            {
                "category": ["shortage", "late_demand", "lead_time_compressed"],
                "severity": ["high", "high", "medium"],
                "item_id": ["FG1", "FG<b>2</b>", "RM1"],
                "location_id": ["PL1"] * 3,
                "ref_id": [None, "SO1", "PPR-1"],
                "date": [day(3), day(2), day(0)],
                "qty": [6.0, 4.0, 20.0],
                "message": [
                    "projected on hand goes negative from 2026-11-26, down to -6.0",
                    "sales order SO1 due 2026-11-25: 4.0 not covered in the horizon",
                    "PPR-1 needs 2 more days of lead time",
                ],
            }
        ),
        "pegging": pl.DataFrame(
            {
                "supply_id": ["on_hand", "PWO-1"],
                "demand_id": ["SO2", "SO3"],
                "item_id": ["FG1", "FG1"],
                "location_id": ["PL1", "PL1"],
                "qty": [8.0, 4.0],
                "supply_type": ["on_hand", "planned_order"],
                "demand_type": ["sales_order", "sales_order"],
                "supply_date": [day(0), day(6)],
                "demand_date": [day(1), day(5)],
            }
        ),
        "sales_order_demand": pl.DataFrame(
            {
                "demand_id": ["SO1", "SO2", "SO3"],
                "item_id": ["FG<b>2</b>", "FG1", "FG1"],
                "location_id": ["PL1"] * 3,
                "demand_date": [day(2), day(1), day(5)],
                "qty": [4.0, 8.0, 4.0],
            }
        ),
        "projected_inventory": pl.DataFrame(
            {
                "item_id": ["FG1"] * 4 + ["RM1"] * 2,
                "location_id": ["PL1"] * 6,
                "date": [day(0), day(1), day(3), day(6), day(0), day(2)],
                "gross_requirements": [0.0, 8.0, 6.0, 0.0, 0.0, 20.0],
                "scheduled_receipts": [0.0] * 6,
                "planned_receipts": [0.0, 0.0, 0.0, 10.0, 0.0, 20.0],
                "projected_on_hand": [8.0, 0.0, -6.0, 4.0, 5.0, 5.0],
            }
        ),
        "schedule": pl.DataFrame(
            {
                "order_id": ["PWO-1", "PWO-1", "PWO-2"],
                "op_seq": [10, 20, 10],
                "work_center_id": ["WC1", "WC2", "WC1"],
                "unit": [1, 1, 2],
                "person_id": ["P1", None, "P2"],
                "start_at": [at(0, 6), at(0, 10), at(0, 7)],
                "end_at": [at(0, 10), at(0, 14), at(1, 9)],
            }
        ),
        "capacity_load": pl.DataFrame(
            {
                "work_center_id": ["WC1", "WC1", "WC2", "WC2"],
                "week_start": [day(0), day(7), day(0), day(7)],
                "required_hours": [30.0, 50.0, 10.0, 0.0],
                "available_hours": [40.0] * 4,
                "load_pct": [75.0, 125.0, 25.0, 0.0],
            }
        ),
        "milestone_status": pl.DataFrame(
            {
                "project_id": ["P1", "P1"],
                "milestone_id": ["M1", "M2"],
                "due_date": [day(10), day(20)],
                "projected_date": [day(8), day(24)],
                "status": ["on_track", "late"],
            }
        ),
    }


class Dom(HTMLParser):
    """Ids, element counts and classes of the DOM Chromium dumps."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: dict[str, int] = {}
        self.classes: dict[str, int] = {}
        self.kpis: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if "id" in attributes:
            self.ids.append(attributes["id"])
        for name in (attributes.get("class") or "").split():
            self.classes[name] = self.classes.get(name, 0) + 1
        if "data-kpi" in attributes:
            self.kpis.append(attributes["data-kpi"])

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    run = {
        "run_id": "20261125T020000Z-abc123",
        "as_of": AS_OF,
        "extract_id": "erp-2026-11-23",
        "horizon_days": 28,
        "step_seconds": {"validate extract": 1.2, "plan materials": 0.4},
    }
    write_report(path, run, plan_tables())
    return path


def test_the_dom_has_every_section_and_no_error(report, tmp_path):
    browser = open_in_chromium(report, tmp_path, "--dump-dom")
    assert browser.console_messages() == []
    assert browser.page_requests() == []
    dom = Dom()
    dom.feed(browser.stdout)
    assert [i for i in dom.ids if i in SECTIONS] == SECTIONS
    assert dom.kpis == [
        "planned-orders",
        "shortages",
        "late-demand",
        "fill-rate",
        "utilization",
        "action-messages",
    ]
    assert dom.tags["svg"] == 1 + 1 + 2  # Gantt, heat map, FG1 and RM1 inventory
    assert dom.classes["op"] == 3
    assert dom.classes["over"] == 1
    assert dom.classes["sev-high"] == 2
    text = " ".join(dom.text)
    assert "not planned in this run" not in text
    assert "FG<b>2</b>" in text and "b" not in dom.tags  # escaped in the file: text
    # 8 of SO2 on time, 4 of SO3 late, 4 of SO1 never: 8 of 16
    assert "50.0 %" in text


def test_a_screenshot_is_produced(report, tmp_path):
    shot = tmp_path / "report.png"
    width, height = WINDOW
    browser = open_in_chromium(
        report, tmp_path, f"--screenshot={shot}", f"--window-size={width},{height}"
    )
    assert browser.console_messages() == []
    assert shot.exists(), browser.stderr
    assert png_size(shot.read_bytes()) == WINDOW
    assert png_colours(shot.read_bytes()) > 50, "the screenshot is blank"


def test_the_harness_sees_script_errors_and_requests(tmp_path):
    """The checks above would catch a broken page: a canary with a console error,
    an uncaught exception and an image from the network."""
    canary = tmp_path / "canary.html"
    canary.write_text(
        "<!DOCTYPE html><html><head><link rel='icon' href='data:,'></head><body>"
        "<script>console.error('canary')</script><script>notDefined()</script>"
        "<img src='https://example.invalid/x.png'></body></html>",
        encoding="utf-8",
    )
    browser = open_in_chromium(canary, tmp_path / "canary", "--dump-dom")
    messages = " ".join(browser.console_messages())
    assert "canary" in messages and "Uncaught ReferenceError" in messages
    assert browser.page_requests() == ["https://example.invalid/x.png"]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_colours(data: bytes) -> int:
    """Distinct byte values in the decompressed image data: a blank page has a few."""
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    return len(set(zlib.decompress(b"".join(chunks))))
