"""`dbt build` on the tiny hand-made extract (tests/fixtures/tiny_extract), with
the marts checked against values worked out by hand.

The build runs with as_of 2026-11-23 (a Monday) and a 28-day horizon, so the
daily buckets are 2026-11-23 .. 2026-12-20 (weeks of 11-23, 11-30, 12-07, 12-14).

The extract: plants P1 (bikes) and P2 (wheels), and DC1. BIKE = FRAME + 2 WHEEL
+ 4 BOLT (plant-wide lines); FRAME at P1 = 3 TUBE + 2 BOLT (its own lines, which
replace the plant-wide FRAME = 4 TUBE); WHEEL = 36 SPOKE at 10 % scrap + 1 TUBE.
An expired line TUBE -> FRAME would close a cycle but lies outside the horizon.
BIKE@DC1 and WHEEL@P1 are transfer SKUs (from P1 and P2).
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

AS_OF = date(2026, 11, 23)


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return con.sql(sql).pl()


def test_inventory_position(tiny_marts: duckdb.DuckDBPyConnection) -> None:
    actual = _frame(
        tiny_marts,
        """
        select sku_id, available, qa_hold, blocked, on_order, in_transit, allocated,
               net_available, horizon_demand
        from marts.fct_inventory_position
        order by sku_id
        """,
    )
    # (sku, available, qa_hold, blocked, on_order, in_transit, allocated, net, demand)
    # net = available + on_order + in_transit - allocated; demand known before planning
    rows = [
        # 7 + 0 + 6 (T1 shipped 11-20) - 24 (SO 3 past due + 4 + 2 + 15; SO4 is after the
        # horizon); demand 24 + forecast 4 + 12 = 40. T2 is not shipped.
        ("BIKE@DC1", 7, 0, 1, 0, 6, 24, -11, 40),
        # WO1 8 on order; SO5 2 allocated; demand SO5 2 + T2 ships 4 = 6
        ("BIKE@P1", 12, 3, 0, 8, 0, 2, 18, 6),
        # PO100/2 100 (past due still on order); WO3 needs 5 x 2 = 10
        ("BOLT@P1", 200, 0, 0, 100, 0, 0, 300, 10),
        # WO3 5 on order, no demand
        ("FRAME@P1", 0, 0, 0, 5, 0, 0, 5, 0),
        # SO6 5 (past due) + 25 forecast left of 30
        ("GADGET@DC1", 10, 0, 0, 0, 0, 5, 5, 30),
        # PO200 500 due after the horizon still counts on order; WO2 10 x 36 / 0.9 = 400
        ("SPOKE@P2", 1000, 100, 0, 500, 0, 0, 1500, 400),
        # PO100/1 50; WO3 needs 5 x 3 = 15 (P1's own FRAME BOM, not 4 per)
        ("TUBE@P1", 40, 0, 0, 50, 0, 0, 90, 15),
        # WO2 needs 10 x 1 = 10, nothing on hand
        ("TUBE@P2", 0, 0, 0, 0, 0, 0, 0, 10),
        # T3 ships on as_of, so it is not in transit yet
        ("WHEEL@P1", 4, 0, 0, 0, 0, 0, 4, 0),
        # WO2 10 on order; T3 draws 20 on as_of
        ("WHEEL@P2", 0, 0, 0, 10, 0, 0, 10, 20),
    ]
    expected = pl.DataFrame(
        rows,
        schema={
            "sku_id": pl.String,
            **dict.fromkeys(
                ["available", "qa_hold", "blocked", "on_order", "in_transit", "allocated"],
                pl.Float64,
            ),
            "net_available": pl.Float64,
            "horizon_demand": pl.Float64,
        },
        orient="row",
    )
    assert_frame_equal(actual, expected)


def test_forecast_is_consumed_by_sales_orders(tiny_marts: duckdb.DuckDBPyConnection) -> None:
    actual = _frame(
        tiny_marts,
        """
        select demand_type, demand_id, demand_date, week_start, qty, forecast_qty, consumed_qty
        from marts.fct_demand
        where sku_id in ('BIKE@DC1', 'GADGET@DC1')
        order by sku_id, demand_date, demand_type, demand_id
        """,
    )
    rows = [
        # BIKE@DC1. The 11-16 week is over: its forecast is history and SO1 (due 11-18)
        # lands on as_of as past due.
        ("forecast", "BIKE@DC1:2026-11-23", date(2026, 11, 23), date(2026, 11, 23), 4, 10, 6),
        ("sales_order", "SO1:1", date(2026, 11, 23), date(2026, 11, 23), 3, None, None),
        # SO2 lines of 4 and 2 fall in the 11-23 week: 10 - 6 = 4 forecast left
        ("sales_order", "SO2:1", date(2026, 11, 25), date(2026, 11, 23), 4, None, None),
        ("sales_order", "SO2:2", date(2026, 11, 29), date(2026, 11, 23), 2, None, None),
        # SO3 (15) eats the whole 11-30 forecast of 10: no forecast row that week
        ("sales_order", "SO3:1", date(2026, 12, 2), date(2026, 11, 30), 15, None, None),
        # the 14-day period from 12-07 has no orders; the 12-21 one is past the horizon,
        # and so is SO4 (2027-01-10)
        ("forecast", "BIKE@DC1:2026-12-07", date(2026, 12, 7), date(2026, 12, 7), 12, 12, 0),
        # GADGET@DC1: the 30-day period from 11-01 is current, so what SO6 (5, due
        # 11-10 inside it) leaves of 30 is due on as_of
        ("forecast", "GADGET@DC1:2026-11-01", AS_OF, AS_OF, 25, 30, 5),
        ("sales_order", "SO6:1", AS_OF, AS_OF, 5, None, None),
    ]
    expected = pl.DataFrame(
        rows,
        schema={
            "demand_type": pl.String,
            "demand_id": pl.String,
            "demand_date": pl.Date,
            "week_start": pl.Date,
            "qty": pl.Float64,
            "forecast_qty": pl.Float64,
            "consumed_qty": pl.Float64,
        },
        orient="row",
    )
    assert_frame_equal(actual, expected)


def test_dependent_demand_from_open_orders(tiny_marts: duckdb.DuckDBPyConnection) -> None:
    actual = _frame(
        tiny_marts,
        """
        select demand_type, demand_id, sku_id, demand_date, qty, is_past_due
        from marts.fct_demand
        where demand_type in ('transfer', 'work_order_component')
        order by demand_type, demand_id
        """,
    )
    rows = [
        # T2 and T3 have not shipped (T3 ships on as_of): demand at their source;
        # T1 shipped on 11-20 and is only a receipt at DC1
        ("transfer", "T2", "BIKE@P1", date(2026, 11, 26), 4, False),
        ("transfer", "T3", "WHEEL@P2", AS_OF, 20, False),
        # WO2 (released, 10 wheels, starts 11-25): 10 x 36 / (1 - 0.1) spokes, 10 x 1 tube
        ("work_order_component", "WO2:SPOKE", "SPOKE@P2", date(2026, 11, 25), 400, False),
        ("work_order_component", "WO2:TUBE", "TUBE@P2", date(2026, 11, 25), 10, False),
        # WO3 (planned, 5 frames, started 11-16): P1's FRAME BOM, on as_of; WO1 is in
        # progress and has drawn its components
        ("work_order_component", "WO3:BOLT", "BOLT@P1", AS_OF, 10, True),
        ("work_order_component", "WO3:TUBE", "TUBE@P1", AS_OF, 15, True),
    ]
    expected = pl.DataFrame(
        rows,
        schema={
            "demand_type": pl.String,
            "demand_id": pl.String,
            "sku_id": pl.String,
            "demand_date": pl.Date,
            "qty": pl.Float64,
            "is_past_due": pl.Boolean,
        },
        orient="row",
    )
    assert_frame_equal(actual, expected)


def test_weekly_demand_sums_daily(tiny_marts: duckdb.DuckDBPyConnection) -> None:
    actual = _frame(
        tiny_marts,
        """
        select week_start, demand_type, qty, demand_lines
        from marts.fct_demand_weekly
        where sku_id = 'BIKE@DC1'
        order by week_start, demand_type
        """,
    )
    expected = pl.DataFrame(
        [
            (date(2026, 11, 23), "forecast", 4.0, 1),
            (date(2026, 11, 23), "sales_order", 9.0, 3),  # 3 + 4 + 2
            (date(2026, 11, 30), "sales_order", 15.0, 1),
            (date(2026, 12, 7), "forecast", 12.0, 1),
        ],
        schema={
            "week_start": pl.Date,
            "demand_type": pl.String,
            "qty": pl.Float64,
            "demand_lines": pl.Int64,
        },
        orient="row",
    )
    assert_frame_equal(actual, expected)


def test_open_supply_lands_past_due_receipts_on_as_of(
    tiny_marts: duckdb.DuckDBPyConnection,
) -> None:
    actual = _frame(
        tiny_marts,
        """
        select supply_type, supply_id, sku_id, receipt_date, qty, supply_status,
               is_within_horizon
        from marts.fct_open_supply
        order by supply_type, supply_id
        """,
    )
    rows = [
        ("purchase_order", "PO100:1", "TUBE@P1", date(2026, 12, 1), 50, "open", True),
        ("purchase_order", "PO100:2", "BOLT@P1", AS_OF, 100, "open", True),  # due 11-10
        ("purchase_order", "PO200:1", "SPOKE@P2", date(2027, 2, 1), 500, "open", False),
        ("transfer", "T1", "BIKE@DC1", date(2026, 11, 24), 6, "in_transit", True),
        ("transfer", "T2", "BIKE@DC1", date(2026, 11, 29), 4, "not_shipped", True),
        ("transfer", "T3", "WHEEL@P1", date(2026, 11, 25), 20, "not_shipped", True),
        ("work_order", "WO1", "BIKE@P1", date(2026, 11, 24), 8, "in_progress", True),
        ("work_order", "WO2", "WHEEL@P2", date(2026, 11, 30), 10, "released", True),
        ("work_order", "WO3", "FRAME@P1", AS_OF, 5, "planned", True),  # due 11-21
    ]
    expected = pl.DataFrame(
        rows,
        schema={
            "supply_type": pl.String,
            "supply_id": pl.String,
            "sku_id": pl.String,
            "receipt_date": pl.Date,
            "qty": pl.Float64,
            "supply_status": pl.String,
            "is_within_horizon": pl.Boolean,
        },
        orient="row",
    )
    assert_frame_equal(actual, expected)


def test_item_low_level_codes(tiny_marts: duckdb.DuckDBPyConnection) -> None:
    actual = _frame(
        tiny_marts,
        "select item_id, low_level_code, is_on_bom_cycle from marts.dim_items order by item_id",
    )
    # BIKE 0; FRAME, WHEEL 1; BOLT is under BIKE (1) and FRAME (2): 2; TUBE, SPOKE 2.
    # The expired TUBE -> FRAME line is ignored, so there is no cycle.
    expected = pl.DataFrame(
        [
            ("BIKE", 0, False),
            ("BOLT", 2, False),
            ("FRAME", 1, False),
            ("GADGET", 0, False),
            ("SPOKE", 2, False),
            ("TUBE", 2, False),
            ("WHEEL", 1, False),
        ],
        schema={"item_id": pl.String, "low_level_code": pl.Int32, "is_on_bom_cycle": pl.Boolean},
        orient="row",
    )
    assert_frame_equal(actual, expected, check_dtypes=False)


def test_sku_low_level_codes_plan_dcs_before_plants(
    tiny_marts: duckdb.DuckDBPyConnection,
) -> None:
    actual = _frame(
        tiny_marts,
        """
        select sku_id, low_level_code, item_low_level_code, bom_line_count
        from marts.dim_skus
        order by low_level_code, sku_id
        """,
    )
    # BIKE@DC1 -> BIKE@P1 (transfer) -> FRAME@P1, WHEEL@P1, BOLT@P1 (BOM) ;
    # FRAME@P1 -> TUBE@P1, BOLT@P1 ; WHEEL@P1 -> WHEEL@P2 (transfer) -> SPOKE@P2, TUBE@P2
    expected = pl.DataFrame(
        [
            ("BIKE@DC1", 0, 0, 0),
            ("GADGET@DC1", 0, 0, 0),
            ("BIKE@P1", 1, 0, 3),
            ("FRAME@P1", 2, 1, 2),
            ("WHEEL@P1", 2, 1, 0),
            ("BOLT@P1", 3, 2, 0),  # 2 via BIKE@P1 directly, 3 via FRAME@P1
            ("TUBE@P1", 3, 2, 0),
            ("WHEEL@P2", 3, 1, 2),
            ("SPOKE@P2", 4, 2, 0),
            ("TUBE@P2", 4, 2, 0),
        ],
        schema={
            "sku_id": pl.String,
            "low_level_code": pl.Int32,
            "item_low_level_code": pl.Int32,
            "bom_line_count": pl.Int64,
        },
        orient="row",
    )
    assert_frame_equal(actual, expected, check_dtypes=False)


def test_bom_resolves_location_lines_over_plant_lines(
    tiny_marts: duckdb.DuckDBPyConnection,
) -> None:
    actual = _frame(
        tiny_marts,
        """
        select parent_sku_id, component_sku_id, component_qty_per_parent, bom_scope
        from marts.dim_bom
        order by parent_sku_id, component_sku_id
        """,
    )
    expected = pl.DataFrame(
        [
            ("BIKE@P1", "BOLT@P1", 4.0, "plant"),
            ("BIKE@P1", "FRAME@P1", 1.0, "plant"),
            ("BIKE@P1", "WHEEL@P1", 2.0, "plant"),
            ("FRAME@P1", "BOLT@P1", 2.0, "location"),
            ("FRAME@P1", "TUBE@P1", 3.0, "location"),  # not the plant-wide 4
            ("WHEEL@P2", "SPOKE@P2", 40.0, "plant"),  # 36 / (1 - 0.1)
            ("WHEEL@P2", "TUBE@P2", 1.0, "plant"),
        ],
        schema={
            "parent_sku_id": pl.String,
            "component_sku_id": pl.String,
            "component_qty_per_parent": pl.Float64,
            "bom_scope": pl.String,
        },
        orient="row",
    )
    assert_frame_equal(actual, expected)


def test_work_center_weekly_hours(tiny_marts: duckdb.DuckDBPyConnection) -> None:
    actual = _frame(
        tiny_marts,
        "select work_center_id, weekly_available_hours from marts.dim_work_centers order by 1",
    )
    expected = pl.DataFrame(
        [
            ("ASSY", 72.0),  # 5 x 8 h x 2 machines x 0.9
            ("LACE", 36.0),  # 4 night shifts 22:00-06:00 (8 h) + 4 h on Saturday
            ("WELD", 16.0),  # two 8 h shifts on Monday
        ],
        schema={"work_center_id": pl.String, "weekly_available_hours": pl.Float64},
        orient="row",
    )
    assert_frame_equal(actual, expected)
