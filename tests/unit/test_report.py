"""The plan report: figures worked by hand on small plans, escaping of ERP ids,
sections of a run that planned less, and the caps that keep the page small."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import duckdb
import polars as pl
import pytest
from mrp_fixtures import demand, fenced_end_item_plan, plan, receipt, sku

from planning.report import (
    MAX_EXCEPTION_ROWS,
    NOT_PLANNED,
    capacity_cells,
    exceptions_shown,
    gantt_operations,
    inventory_skus,
    plan_kpis,
    read_plan_tables,
    render_report,
    write_report,
)

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
                  "sales order SO2 due 2026-11-26: 4.0 covered late, by 2026-11-28"),
        exception("late_demand", "high", "FG1", "SO3", 4, 5.0,
                  "sales order SO3 due 2026-11-27: 2.0 covered late, by 2026-11-29;"
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
    }


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


# --- figures ---------------------------------------------------------------------


def test_kpis_worked_by_hand():
    kpis = plan_kpis(base_tables() | optional_tables())
    assert kpis.planned_orders == {"work_orders": 2, "purchase_requests": 1, "transfer_orders": 0}
    assert kpis.shortages == 1
    assert (kpis.late_demand_lines, kpis.late_sales_order_lines) == (4, 3)
    # sales orders pegged 10 + 6 + 4 + 2 = 22, plus 3 (SO3) and 5 (SO4) not
    # covered = 30; on time: SO1 10 and SO2 6 = 16. The forecast does not count.
    assert kpis.sales_order_qty == 30.0
    assert kpis.sales_order_on_time_qty == 16.0
    assert kpis.sales_order_fill_rate == pytest.approx(16 / 30)
    # (30 + 50 + 10) / (40 + 40 + 20) hours; WC1's second week is over
    assert kpis.average_load_pct == pytest.approx(90.0)
    assert kpis.max_load_pct == 125.0
    assert kpis.overloaded_center_weeks == 1
    assert kpis.action_messages == {"cancel": 1, "expedite": 2}
    assert kpis.exceptions_by_severity == {"high": 4, "low": 1, "medium": 2}


def test_kpis_appear_on_the_page():
    page = render_report(RUN, base_tables() | optional_tables())
    kpis = section(page, "kpis")
    assert "3</div>" in kpis and "2 work orders, 1 purchase requests, 0 transfer orders" in kpis
    assert "53.3 %" in kpis and "16 of 30 units" in kpis
    assert "90.0 %" in kpis and "peak 125.0 %" in kpis
    assert "1 cancel, 2 expedite" in kpis
    assert "3 of them sales orders" in kpis


def test_fill_rate_from_a_real_plan():
    # the engine's own messages: SO1 8 due day 3 covered on time (5 on hand,
    # 3 of PO1 on day 1); SO2 10 due day 6: 4 of PO1 on time, 6 not covered;
    # the forecast's 4 not covered is not a sales order. 12 of 18 on time.
    result = fenced_end_item_plan()
    kpis = plan_kpis(result.tables())
    assert (kpis.sales_order_on_time_qty, kpis.sales_order_qty) == (12.0, 18.0)
    assert kpis.late_sales_order_lines == 1


def test_fill_rate_counts_what_is_late_and_what_is_not_covered():
    # SO1 10 due day 2; PO1 6 arrives day 12 (late), 4 never: 0 of 10 on time
    result = plan(
        [sku("E", is_mps_item=True)],
        demands=[demand("E@PL1", 2, 10, "SO1:1")],
        receipts=[receipt("E@PL1", 12, 6, "PO1:1")],
        mps_time_fence_days=30,
        reschedule_in_days=5,
    )
    kpis = plan_kpis(result.tables())
    assert (kpis.sales_order_on_time_qty, kpis.sales_order_qty) == (0.0, 10.0)
    assert kpis.sales_order_fill_rate == 0.0


def test_a_plan_without_sales_orders_has_no_fill_rate():
    tables = base_tables(
        pegging=pl.DataFrame(schema=PEGGING_SCHEMA),
        exceptions=pl.DataFrame(schema=EXCEPTIONS_SCHEMA),
        projected_inventory=pl.DataFrame(schema=PROJECTED_SCHEMA),
        action_messages=pl.DataFrame(schema={"action": pl.String}),
    )
    kpis = plan_kpis(tables)
    assert kpis.sales_order_fill_rate is None
    assert (kpis.shortages, kpis.late_demand_lines, kpis.action_messages) == (0, 0, {})
    page = render_report(RUN, tables)
    assert "n/a" in section(page, "kpis")
    assert "No exceptions in this run." in section(page, "exceptions")
    assert "No projected inventory in this run." in section(page, "inventory")
    assert_well_formed(page)


def test_short_skus_without_projected_inventory_still_render():
    tables = base_tables(projected_inventory=pl.DataFrame(schema=PROJECTED_SCHEMA))
    charts = section(render_report(RUN | {"as_of": None}, tables), "inventory")
    assert charts.count("no projected rows") == 2  # FG1 and FG2, late or short


# --- the page --------------------------------------------------------------------


def test_every_section_is_there_and_the_markup_is_well_formed():
    page = render_report(RUN, base_tables() | optional_tables())
    assert page.startswith("<!DOCTYPE html>")
    assert "<header id='run'>" in page and RUN["run_id"] in page and "erp-2026-11-23" in page
    assert "1.8 s in all" in page and "validate extract 1.2 s" in page
    for section_id in ("kpis", "exceptions", "schedule", "capacity", "inventory", "milestones"):
        assert NOT_PLANNED not in section(page, section_id)
    assert_well_formed(page)


def test_the_page_reaches_for_nothing_outside_itself():
    page = render_report(RUN, base_tables() | optional_tables())
    assert "<script" not in page
    assert not re.search(r"(src|href)=['\"](?!data:)", page)
    assert "@import" not in page and "url(" not in page


def test_sections_the_run_did_not_plan_say_so():
    page = render_report(RUN, base_tables())
    for section_id in ("schedule", "capacity", "milestones"):
        assert NOT_PLANNED in section(page, section_id)
    assert NOT_PLANNED in section(page, "kpis")  # the utilization card
    assert "<svg" not in section(page, "schedule")
    assert_well_formed(page)


def test_empty_optional_tables_are_planned_but_empty():
    empty = {
        "schedule": pl.DataFrame(schema=SCHEDULE_SCHEMA),
        "capacity_load": pl.DataFrame(schema=CAPACITY_SCHEMA),
        "milestone_status": pl.DataFrame(schema=MILESTONE_SCHEMA),
    }
    page = render_report(RUN, base_tables() | empty)
    assert NOT_PLANNED not in page
    assert "No operations scheduled." in section(page, "schedule")
    assert "No milestones." in section(page, "milestones")


def test_a_missing_required_table_is_an_error():
    tables = base_tables()
    del tables["pegging"]
    with pytest.raises(ValueError, match="pegging"):
        render_report(RUN, tables)


def test_every_value_from_the_erp_is_escaped():
    evil = "<script>alert('x')</script>&\""
    tables = base_tables()
    tables["exceptions"] = tables["exceptions"].with_columns(
        item_id=pl.lit(evil), ref_id=pl.lit(evil), message=pl.concat_str(pl.lit(evil), "message")
    )
    tables["projected_inventory"] = tables["projected_inventory"].with_columns(
        location_id=pl.lit(evil)
    )
    optional = optional_tables()
    optional["schedule"] = optional["schedule"].with_columns(
        order_id=pl.lit(evil), work_center_id=pl.lit(evil), person_id=pl.lit(evil)
    )
    optional["capacity_load"] = optional["capacity_load"].with_columns(
        work_center_id=pl.concat_str(pl.lit(evil), "work_center_id")
    )
    optional["milestone_status"] = optional["milestone_status"].with_columns(
        project_id=pl.lit(evil), status=pl.lit("late<b>")
    )
    run = RUN | {"run_id": evil, "extract_id": evil, "step_seconds": {evil: 1.0}}
    page = render_report(run, tables | optional)
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;&quot;" in page
    for section_id in ("exceptions", "schedule", "capacity", "inventory", "milestones"):
        assert "&lt;script&gt;" in section(page, section_id), section_id
    assert_well_formed(page)


def test_write_report_writes_the_page(tmp_path):
    path = tmp_path / "run" / "report.html"
    write_report(path, RUN, base_tables())
    assert path.read_text(encoding="utf-8") == render_report(RUN, base_tables())


# --- caps --------------------------------------------------------------------------


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


def test_exceptions_are_listed_most_severe_first_up_to_the_cap():
    exceptions = many_exceptions(MAX_EXCEPTION_ROWS + 100)
    shown = exceptions_shown(exceptions)
    assert shown.height == MAX_EXCEPTION_ROWS
    # 200 of each severity: all high, all medium, then 100 low
    assert shown["severity"].value_counts().sort("severity").rows() == [
        ("high", 200),
        ("low", 100),
        ("medium", 200),
    ]
    assert shown["severity"].to_list() == sorted(
        shown["severity"], key=["high", "medium", "low"].index
    )
    page = render_report(RUN, base_tables(exceptions=exceptions))
    table = section(page, "exceptions")
    assert table.count("<tr class='sev-") == MAX_EXCEPTION_ROWS
    assert "100 more exceptions not shown" in table


def test_the_gantt_chart_draws_the_busiest_machines_and_their_earliest_operations():
    rows = [
        (f"O{i}", 10, f"WC{i % 4}", 1, None, at(0, 6) + timedelta(hours=i), at(0, 7 + i))
        for i in range(12)
    ] + [("O99", 10, "WC9", None, None, at(0, 6), at(0, 6) + timedelta(minutes=10))]
    schedule = schedule_frame(rows)
    operations, lanes, total = gantt_operations(schedule, max_operations=5, max_lanes=2)
    assert total == 5
    # WC0..WC3 have 3 operations of 1 h each, WC9 one of 10 minutes: the two
    # busiest are WC0 and WC1 (ties by lane); their five earliest operations
    assert lanes == ["WC0 · 1", "WC1 · 1"]
    assert operations["order_id"].to_list() == ["O0", "O1", "O4", "O5", "O8"]
    page = render_report(RUN, base_tables(schedule=schedule))
    assert page.count("class='op'") == 13
    assert "WC9" in section(page, "schedule")


def test_the_gantt_chart_of_a_time_zone_aware_schedule_keeps_local_time():
    schedule = optional_tables()["schedule"].with_columns(
        pl.col("start_at", "end_at").dt.replace_time_zone("Europe/Berlin")
    )
    page = render_report(RUN, base_tables(schedule=schedule))
    assert "PWO-0 op 10 on WC1 · 1, P1: 2026-11-23 08:00 to 2026-11-23 10:00" in page


def test_the_capacity_chart_keeps_the_most_loaded_centres_and_first_weeks():
    load = pl.DataFrame(
        [(f"WC{c}", day(7 * w), 10.0 * c, 40.0, 25.0 * c) for c in range(1, 6) for w in range(4)],
        schema=CAPACITY_SCHEMA,
        orient="row",
    )
    cells, centers, weeks, total_centers, total_weeks = capacity_cells(
        load, max_centers=2, max_weeks=3
    )
    assert centers == ["WC4", "WC5"]
    assert weeks == [day(0), day(7), day(14)]
    assert (total_centers, total_weeks, cells.height) == (5, 4, 6)
    assert cells.select("work_center_id", "week_start").rows() == [
        (center, week) for center in centers for week in weeks
    ]
    page = render_report(RUN, base_tables(capacity_load=load))
    chart = section(page, "capacity")
    assert chart.count("class='cell over'") == 4  # WC5 is at 125 % every week
    assert chart.count("class='cell'") == 16


def test_inventory_lines_for_the_most_troubled_skus_then_the_busiest():
    tables = base_tables()
    chosen = inventory_skus(tables["exceptions"], tables["projected_inventory"], count=3)
    # FG1: shortage 8 + late 4 + 5 + 7 = 24; FG2: late 5; then RM1 requires 100
    assert chosen.rows() == [
        ("FG1", "PL1", "late or short", 24.0),
        ("FG2", "PL1", "late or short", 5.0),
        ("RM1", "PL1", "gross requirements", 100.0),
    ]
    page = render_report(RUN, tables)
    charts = section(page, "inventory")
    assert charts.count("<figure") == 4  # 6 wanted; FG1, FG2, RM1, RM2 exist
    assert "no projected rows" in charts  # FG2 is short but has no projection here


def test_milestones_late_first():
    page = render_report(RUN, base_tables() | optional_tables())
    table = section(page, "milestones")
    assert "3 milestones: 1 at_risk, 1 late, 1 on_track." in table
    rows = re.findall(r"<tr class='status-(\w+)'>", table)
    assert rows == ["late", "at_risk", "on_track"]
    assert "<td class='num'>3</td>" in table  # M2 projected 3 days after its due date


def test_a_large_plan_gives_a_page_of_bounded_size():
    count = 20_000
    start = at(0, 0)
    operations = [
        (f"O{i}", 10, f"WC{i % 300}", i % 3, None, start + timedelta(minutes=i), None)
        for i in range(count)
    ]
    schedule = schedule_frame(operations).with_columns(
        end_at=pl.col("start_at") + timedelta(hours=1)
    )
    page = render_report(RUN, base_tables(exceptions=many_exceptions(count), schedule=schedule))
    assert len(page) < 1_500_000
    assert "19,500 more exceptions not shown" in page
    assert page.count("class='op'") <= 1500


# --- reading a run back ------------------------------------------------------------


def test_read_plan_tables_takes_one_run_from_the_plan_schema():
    tables = base_tables() | {"milestone_status": optional_tables()["milestone_status"]}
    with duckdb.connect() as con:
        con.execute("create schema plan")
        for name, frame in tables.items():
            for run_id in (RUN["run_id"], "another-run"):
                con.register("rows", frame.with_columns(run_id=pl.lit(run_id)).to_arrow())
                con.execute(f"create table if not exists plan.{name} as select * from rows limit 0")
                con.execute(f"insert into plan.{name} by name select * from rows")
                con.unregister("rows")
        read = read_plan_tables(con, RUN["run_id"])
    assert set(read) == set(tables)
    for name, frame in tables.items():
        assert read[name].equals(frame), name
