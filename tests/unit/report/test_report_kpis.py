"""The report's headline figures, worked by hand on small plans."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from mrp_fixtures import demand, fenced_end_item_plan, plan, receipt, sku
from polars.testing import assert_frame_equal
from report_fixtures import (
    EXCEPTIONS_SCHEMA,
    PEGGING_SCHEMA,
    PROJECTED_SCHEMA,
    RUN,
    assert_well_formed,
    base_tables,
    exception,
    optional_tables,
    peg,
    promise,
    promise_frame,
    promised_tables,
    section,
)

from planning.report.kpis import late_sales_order_lines, plan_kpis, sales_order_lines
from planning.report.page import render_report


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


def test_a_past_due_line_is_late_from_its_original_due_date():
    # SO1 5 was due 3 days before as-of: 5 on hand cover it on as-of, 3 days
    # late, though its demand is on as-of. SO2 4 due day 2 gets a planned
    # order that day: on time. 4 of 9 on time.
    result = plan(
        [sku("E", on_hand=5.0)],
        demands=[demand("E@PL1", 0, 5, "SO1:1", due=-3), demand("E@PL1", 2, 4, "SO2:1")],
    )
    late = result.exceptions.filter(pl.col("category") == "late_demand")
    assert late.select("ref_id", "date", "qty", "message").rows() == [
        (
            "SO1:1",
            date(2026, 11, 20),
            5.0,
            "sales order SO1:1 due 2026-11-20: 5.0 covered late, by 2026-11-23 (3 days late)",
        )
    ]
    kpis = plan_kpis(result.tables())
    assert (kpis.sales_order_on_time_qty, kpis.sales_order_qty) == (4.0, 9.0)
    assert kpis.late_sales_order_lines == 1


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


# --- sales orders, from pegging and the demand mart --------------------------------


def test_sales_order_lines_are_those_pegged_and_those_of_the_demand_mart():
    tables = base_tables() | optional_tables()
    assert sorted(sales_order_lines(tables["pegging"])["demand_id"]) == ["SO1", "SO2", "SO3"]
    lines = sales_order_lines(tables["pegging"], tables["sales_order_demand"])
    assert sorted(lines.rows()) == [
        ("SO1", "FG1", "PL1"),
        ("SO2", "FG1", "PL1"),
        ("SO3", "FG1", "PL1"),
        ("SO4", "FG2", "PL1"),
    ]


def test_what_no_supply_covers_is_the_late_qty_less_what_is_pegged_late():
    tables = base_tables() | optional_tables()
    late = late_sales_order_lines(
        tables["exceptions"], tables["pegging"], tables["sales_order_demand"]
    )
    # SO2 4 late, all of them pegged to supply of day 5 for day 3; SO3 5 late, 2 of
    # them pegged late; SO4 5, nothing pegged. The forecast FC1 is no sales order.
    expected = pl.DataFrame(
        {"ref_id": ["SO2", "SO3", "SO4"], "qty": [4.0, 5.0, 5.0], "uncovered_qty": [0.0, 3.0, 5.0]}
    )
    assert_frame_equal(late.select("ref_id", "qty", "uncovered_qty").sort("ref_id"), expected)
    # without the demand mart SO4 is not known as a sales order
    without = late_sales_order_lines(tables["exceptions"], tables["pegging"])
    assert sorted(without["ref_id"]) == ["SO2", "SO3"]


def test_the_uncovered_qty_carries_no_float_noise():
    # 0.7 late, 0.1 and 0.2 of it pegged late: 0.4 not covered, not 0.39999999999999997
    pegging = pl.DataFrame(
        [peg("SO9", 0.1, 5, 3), peg("SO9", 0.2, 6, 3)], schema=PEGGING_SCHEMA, orient="row"
    )
    exceptions = pl.DataFrame(
        [exception("late_demand", "high", "FG1", "SO9", 3, 0.7, "")],
        schema=EXCEPTIONS_SCHEMA,
        orient="row",
    )
    assert late_sales_order_lines(exceptions, pegging)["uncovered_qty"].to_list() == [0.4]


def test_the_sales_order_figures_do_not_read_the_messages():
    # Messages the figures once were read from: a forecast's and a late work
    # order's that read like a sales order's with quantities not covered, and a
    # sales order line's that names no quantity. Only the columns count: SO3 is
    # late by 5, 2 of them pegged late, so 3 are not covered.
    exceptions = pl.DataFrame(
        [
            exception("late_demand", "medium", "FG1", "FC1", 6, 9.0,
                      "sales order FC1 due 2026-11-29: 9.0 not covered in the horizon"),
            exception("late_demand", "medium", "FG1", "PWO-0", 3, 2.0,
                      "sales order PWO-0: 2.0 not covered in the horizon"),
            exception("late_demand", "high", "FG1", "SO3", 4, 5.0, "late"),
        ],
        schema=EXCEPTIONS_SCHEMA,
        orient="row",
    )  # fmt: skip
    kpis = plan_kpis(base_tables(exceptions=exceptions) | optional_tables())
    assert (kpis.late_demand_lines, kpis.late_sales_order_lines) == (3, 1)
    # pegged to sales orders 10 + 6 + 4 + 2 = 22, 16 of them on time; and 3 of SO3
    assert (kpis.sales_order_on_time_qty, kpis.sales_order_qty) == (16.0, 25.0)


# --- demand service from the promises ------------------------------------------------


def test_kpis_come_from_the_promises_when_the_run_made_them():
    # promised_tables' story: SO1 10 and 6 of SO2 on time of 30; SO2's 4 two
    # days late, SO3's 2 seven days late; SO3's 3 and SO4's 5 not promised
    kpis = plan_kpis(base_tables() | promised_tables())
    assert kpis.service_source == "demand_promises"
    assert (kpis.sales_order_on_time_qty, kpis.sales_order_qty) == (16.0, 30.0)
    assert kpis.sales_order_fill_rate == pytest.approx(16 / 30)
    assert kpis.sales_order_unpromised_qty == 8.0
    assert kpis.late_sales_order_lines == 3
    # (4 x 2 + 2 x 7) / (10 + 6 + 4 + 2) units promised
    assert kpis.sales_order_days_late == pytest.approx(1.0)
    # FC2's 8 on time of FC1 16 + FC2 8
    assert (kpis.forecast_on_time_qty, kpis.forecast_qty) == (8.0, 24.0)
    assert kpis.forecast_on_time_share == pytest.approx(1 / 3)


def test_the_promises_win_over_pegging_and_the_exceptions():
    # pegging says SO1 is on time; its promise (the finite schedule's word) is
    # 3 days late: the promises count, the exceptions and pegging do not
    promises = promise_frame(
        [
            promise("SO1", 10.0, 2, 5, "capacity", "WC1", "late"),
            promise("FC1", 4.0, 6, 6, "on_time", demand_type="forecast"),
        ]
    )
    kpis = plan_kpis(base_tables() | {"demand_promises": promises})
    assert (kpis.sales_order_on_time_qty, kpis.sales_order_qty) == (0.0, 10.0)
    assert (kpis.late_sales_order_lines, kpis.sales_order_unpromised_qty) == (1, 0.0)
    assert kpis.sales_order_days_late == 3.0
    assert kpis.forecast_on_time_share == 1.0
    assert kpis.late_demand_lines == 4  # still the exceptions'


def test_a_line_late_in_several_parts_is_one_late_line():
    promises = promise_frame(
        [
            promise("SO1", 1.0, 2, 4, "capacity", "WC1"),
            promise("SO1", 2.0, 2, None, "material", "RM1@PL1"),
            promise("SO1", 3.0, 2, 2, "on_time"),
        ]
    )
    kpis = plan_kpis(base_tables() | {"demand_promises": promises})
    assert kpis.late_sales_order_lines == 1
    assert (kpis.sales_order_on_time_qty, kpis.sales_order_qty) == (3.0, 6.0)
    # 1 unit 2 days late of 4 promised; the 2 not promised apart
    assert (kpis.sales_order_days_late, kpis.sales_order_unpromised_qty) == (0.5, 2.0)
    assert (kpis.forecast_qty, kpis.forecast_on_time_share) == (0.0, None)


def test_a_run_without_promises_keeps_the_pegging_figures():
    kpis = plan_kpis(base_tables() | optional_tables())
    assert kpis.service_source == "pegging"
    assert kpis.sales_order_unpromised_qty == 8.0  # SO3 3 and SO4 5 not covered
    assert (kpis.sales_order_days_late, kpis.forecast_on_time_share) == (None, None)
    page = section(render_report(RUN, base_tables() | optional_tables()), "kpis")
    assert "data-kpi='days-late'" not in page and "data-kpi='forecast-on-time'" not in page


def test_promised_kpis_appear_on_the_page():
    kpis = section(render_report(RUN, base_tables() | promised_tables()), "kpis")
    assert "late sales order lines</div><div class='card-value'>3</div>" in kpis
    assert "16 of 30 units promised by their due date; 8 not promised in the horizon" in kpis
    assert "days late, sales orders</div><div class='card-value'>1.0</div>" in kpis
    assert "on time, forecast</div><div class='card-value'>33.3 %</div>" in kpis
    assert "8 of 24 forecast units" in kpis
