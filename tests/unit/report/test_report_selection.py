"""What the report shows of each table, and the caps that keep the page small."""

from __future__ import annotations

import re
from datetime import timedelta

import polars as pl
from report_fixtures import (
    CAPACITY_SCHEMA,
    PROJECTED_SCHEMA,
    RUN,
    at,
    base_tables,
    day,
    many_exceptions,
    optional_tables,
    schedule_frame,
    section,
)

from planning.report.page import render_report
from planning.report.selection import (
    MAX_EXCEPTION_ROWS,
    capacity_cells,
    exceptions_shown,
    gantt_operations,
    inventory_skus,
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


def test_short_skus_without_projected_inventory_still_render():
    tables = base_tables(projected_inventory=pl.DataFrame(schema=PROJECTED_SCHEMA))
    charts = section(render_report(RUN | {"as_of": None}, tables), "inventory")
    assert charts.count("no projected rows") == 2  # FG1 and FG2, late or short


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
