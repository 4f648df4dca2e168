"""Small plans for the report's tests (tests/unit/report), and checks of the page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import polars as pl

AS_OF = date(2026, 11, 23)
RUN = {
    "run_id": "20261125T020000Z-abc123",
    "as_of": AS_OF,
    "extract_id": "erp-2026-11-23",
    "horizon_days": 28,
    "step_seconds": {"validate extract": 1.25, "plan materials": 0.5},
}
EXCEPTIONS_SCHEMA = {
    "category": pl.String, "severity": pl.String, "item_id": pl.String,
    "location_id": pl.String, "ref_id": pl.String, "date": pl.Date, "qty": pl.Float64,
    "message": pl.String,
}  # fmt: skip
PEGGING_SCHEMA = {
    "supply_id": pl.String, "demand_id": pl.String, "item_id": pl.String,
    "location_id": pl.String, "qty": pl.Float64, "supply_type": pl.String,
    "demand_type": pl.String, "supply_date": pl.Date, "demand_date": pl.Date,
}  # fmt: skip
PROJECTED_SCHEMA = {
    "item_id": pl.String, "location_id": pl.String, "date": pl.Date,
    "gross_requirements": pl.Float64, "scheduled_receipts": pl.Float64,
    "planned_receipts": pl.Float64, "projected_on_hand": pl.Float64,
}  # fmt: skip
SCHEDULE_SCHEMA = {
    "order_id": pl.String, "op_seq": pl.Int64, "work_center_id": pl.String, "unit": pl.Int64,
    "person_id": pl.String, "start_at": pl.Datetime("us"), "end_at": pl.Datetime("us"),
}  # fmt: skip
CAPACITY_SCHEMA = {
    "work_center_id": pl.String, "week_start": pl.Date, "required_hours": pl.Float64,
    "available_hours": pl.Float64, "load_pct": pl.Float64,
}  # fmt: skip
DEMAND_SCHEMA = {
    "demand_id": pl.String, "item_id": pl.String, "location_id": pl.String,
    "demand_date": pl.Date, "qty": pl.Float64,
}  # fmt: skip
PROMISES_SCHEMA = {
    "demand_id": pl.String, "demand_type": pl.String, "item_id": pl.String,
    "location_id": pl.String, "qty": pl.Float64, "due_date": pl.Date,
    "promised_date": pl.Date, "days_late": pl.Int64, "cause": pl.String,
    "cause_ref": pl.String, "message": pl.String, "supply_id": pl.String,
}  # fmt: skip
PLANNED_CAPACITY_SCHEMA = CAPACITY_SCHEMA | {"planned_hours": pl.Float64}
MILESTONE_SCHEMA = {
    "project_id": pl.String, "milestone_id": pl.String, "due_date": pl.Date,
    "projected_date": pl.Date, "status": pl.String,
}  # fmt: skip


def day(n: int) -> date:
    return AS_OF + timedelta(days=n)


def at(n: int, hour: int) -> datetime:
    return datetime(2026, 11, 23 + n, hour)


def orders(prefix: str, count: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "order_id": [f"{prefix}{i}" for i in range(count)],
            "item_id": ["FG1"] * count,
            "location_id": ["PL1"] * count,
            "qty": [1.0] * count,
        },
        schema={
            "order_id": pl.String,
            "item_id": pl.String,
            "location_id": pl.String,
            "qty": pl.Float64,
        },
    )


def exception(category, severity, item, ref, on, qty, message, location="PL1"):
    return (category, severity, item, location, ref, day(on), qty, message)


def peg(demand_id, qty, supply_on, demand_on, demand_type="sales_order", item="FG1"):
    return ("S", demand_id, item, "PL1", qty, "planned_order", demand_type, day(supply_on),
            day(demand_on))  # fmt: skip


def base_tables(**overrides: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """A small plan: 2 work orders, 1 purchase request, no transfers;
    sales orders SO1 10 on time, SO2 6 on time and 4 late, SO3 2 late and 3
    not covered, SO4 5 not covered; a forecast 7 not covered (not a sales order)."""
    exceptions = [
        exception("shortage", "high", "FG1", None, 4, 8.0, "projected on hand goes negative"),
        exception("late_demand", "high", "FG1", "SO2", 3, 4.0,
                  "sales order SO2 due 2026-11-26: 4.0 covered late, by 2026-11-28 (2 days late)"),
        exception("late_demand", "high", "FG1", "SO3", 4, 5.0,
                  "sales order SO3 due 2026-11-27: 2.0 covered late, by 2026-11-29 (2 days late);"
                  " 3.0 not covered in the horizon"),
        exception("late_demand", "high", "FG2", "SO4", 5, 5.0,
                  "sales order SO4 due 2026-11-28: 5.0 not covered in the horizon"),
        exception("late_demand", "medium", "FG1", "FC1", 6, 7.0,
                  "forecast FC1 due 2026-11-29: 7.0 not covered in the horizon"),
        exception("lead_time_compressed", "medium", "RM1", "PPR-1", 0, 20.0, "needs 2 more days"),
        exception("excess_inventory", "low", "RM2", None, 0, 3.0, "3.0 units beyond"),
    ]  # fmt: skip
    pegging = [
        peg("SO1", 10.0, 1, 2),
        peg("SO2", 6.0, 3, 3),
        peg("SO2", 4.0, 5, 3),
        peg("SO3", 2.0, 6, 4),
        peg("FC1", 9.0, 9, 6, demand_type="forecast"),
        peg("WOC1", 50.0, 0, 9, demand_type="planned_work_order_component", item="RM1"),
    ]
    projected = [
        ("FG1", "PL1", day(0), 0.0, 0.0, 0.0, 5.0),
        ("FG1", "PL1", day(4), 13.0, 0.0, 0.0, -8.0),
        ("FG1", "PL1", day(9), 0.0, 0.0, 10.0, 2.0),
        ("RM1", "PL1", day(0), 0.0, 0.0, 0.0, 0.0),
        ("RM1", "PL1", day(2), 100.0, 0.0, 100.0, 0.0),
        ("RM2", "PL1", day(0), 1.0, 0.0, 0.0, 3.0),
    ]
    tables = {
        "work_orders": orders("PWO-", 2),
        "purchase_requests": orders("PPR-", 1),
        "transfer_orders": orders("PTO-", 0),
        "action_messages": pl.DataFrame({"action": ["expedite", "cancel", "expedite"]}),
        "exceptions": pl.DataFrame(exceptions, schema=EXCEPTIONS_SCHEMA, orient="row"),
        "pegging": pl.DataFrame(pegging, schema=PEGGING_SCHEMA, orient="row"),
        "projected_inventory": pl.DataFrame(projected, schema=PROJECTED_SCHEMA, orient="row"),
    }
    return tables | overrides


def schedule_frame(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEDULE_SCHEMA, orient="row")


def optional_tables() -> dict[str, pl.DataFrame]:
    return {
        "schedule": schedule_frame(
            [
                ("PWO-0", 10, "WC1", 1, "P1", at(0, 8), at(0, 10)),
                ("PWO-0", 20, "WC2", 1, None, at(0, 10), at(0, 12)),
                ("PWO-1", 10, "WC1", 2, "P2", at(0, 8), at(0, 11)),
            ]
        ),
        "capacity_load": pl.DataFrame(
            [
                ("WC1", day(0), 30.0, 40.0, 75.0),
                ("WC1", day(7), 50.0, 40.0, 125.0),
                ("WC2", day(0), 10.0, 20.0, 50.0),
            ],
            schema=CAPACITY_SCHEMA,
            orient="row",
        ),
        "milestone_status": pl.DataFrame(
            [
                ("P1", "M1", day(10), day(8), "on_track"),
                ("P1", "M2", day(20), day(23), "late"),
                ("P2", "M1", day(12), day(12), "at_risk"),
            ],
            schema=MILESTONE_SCHEMA,
            orient="row",
        ),
        # the run's sales order lines (the demand mart): SO4, which nothing is
        # pegged to, is known as a sales order from here only
        "sales_order_demand": pl.DataFrame(
            [
                ("SO1", "FG1", "PL1", day(2), 10.0),
                ("SO2", "FG1", "PL1", day(3), 10.0),
                ("SO3", "FG1", "PL1", day(4), 5.0),
                ("SO4", "FG2", "PL1", day(5), 5.0),
            ],
            schema=DEMAND_SCHEMA,
            orient="row",
        ),
    }


def promise(demand_id, qty, due_on, promised_on, cause, ref=None, message="on time",
            demand_type="sales_order", item="FG1"):  # fmt: skip
    promised = None if promised_on is None else day(promised_on)
    days_late = None if promised_on is None else max(promised_on - due_on, 0)
    return (demand_id, demand_type, item, "PL1", qty, day(due_on), promised, days_late, cause,
            ref, message, None)  # fmt: skip


def promise_frame(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=PROMISES_SCHEMA, orient="row")


def promised_tables() -> dict[str, pl.DataFrame]:
    """``optional_tables`` of a run that made promises, the story of
    ``base_tables`` told by them, and a capacity load with planned hours.

    Sales orders: SO1 10 due day 2, on time; SO2 10 due day 3: 6 on time, 4
    promised day 5 (2 days late, WC1 full); SO3 5 due day 4: 2 promised day 11
    (7 days late, waiting for RM1), 3 not promised in the horizon; SO4 5 due
    day 5, not promised. On time 16 of 30, 8 not promised; days late per unit
    promised (4 x 2 + 2 x 7) / 22 = 1.0; late lines SO2, SO3, SO4.
    Forecast: FC1 16 due day 6: 9 promised day 9 (3 days late), 7 not promised;
    FC2 8 due day 13, on time: 8 of 24 on time.

    Capacity: WC1 requires 30 + 50 hours of 40 + 40 (100 %), the constrained
    plan loads 40 + 36 (95 %); WC2 10 of 20 (50 %), planned 10."""
    promises = promise_frame(
        [
            promise("SO1", 10.0, 2, 2, "on_time"),
            promise("SO2", 6.0, 3, 3, "on_time"),
            promise("SO2", 4.0, 3, 5, "capacity", "WC1",
                    "promised 2026-11-28: WC1 is full until 2026-11-26 for PWO-1"),
            promise("SO3", 2.0, 4, 11, "material", "RM1@PL1",
                    "promised 2026-12-04: waits for RM1@PL1"),
            promise("SO3", 3.0, 4, None, "material", "FG1@PL1",
                    "not covered within the horizon: waits for FG1@PL1"),
            promise("SO4", 5.0, 5, None, "material", "FG2@PL1",
                    "not covered within the horizon: waits for FG2@PL1", item="FG2"),
            promise("FC1", 9.0, 6, 9, "capacity", "WC1",
                    "promised 2026-12-02: WC1 is full until 2026-11-30 for PWO-0",
                    demand_type="forecast"),
            promise("FC1", 7.0, 6, None, "material", "FG1@PL1",
                    "not covered within the horizon: waits for FG1@PL1", demand_type="forecast"),
            promise("FC2", 8.0, 13, 13, "on_time", demand_type="forecast"),
        ]
    )  # fmt: skip
    capacity = pl.DataFrame(
        [
            ("WC1", day(0), 30.0, 40.0, 75.0, 40.0),
            ("WC1", day(7), 50.0, 40.0, 125.0, 36.0),
            ("WC2", day(0), 10.0, 20.0, 50.0, 10.0),
        ],
        schema=PLANNED_CAPACITY_SCHEMA,
        orient="row",
    )
    return optional_tables() | {"demand_promises": promises, "capacity_load": capacity}


def many_exceptions(count: int) -> pl.DataFrame:
    severities = ["low", "medium", "high"]
    return pl.DataFrame(
        [
            exception("shortage", severities[i % 3], f"IT{i:05d}", None, i % 20, 1.0, f"m{i}")
            for i in range(count)
        ],
        schema=EXCEPTIONS_SCHEMA,
        orient="row",
    )


def section(page: str, section_id: str) -> str:
    match = re.search(rf"<section id='{section_id}'>(.*?)</section>", page, re.S)
    assert match, f"no section {section_id}"
    return match.group(1)


class TagBalance(HTMLParser):
    """Fails on a closing tag that does not close the innermost open element."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-3:]}"
        self.open.pop()


def assert_well_formed(page: str) -> None:
    checker = TagBalance()
    checker.feed(page)
    assert checker.open == []
    for svg in re.findall(r"<svg.*?</svg>", page, re.S):
        ET.fromstring(svg)  # every chart is well-formed XML
