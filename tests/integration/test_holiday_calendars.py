"""Holidays through the warehouse to the capacity load and the schedule: the tiny
extract (tests/fixtures/tiny_extract) with a holidays.csv, validated, loaded, and
the shop-floor marts built by `dbt build`, then read as the scheduler reads them.

As of Monday 2026-11-23 with a 28-day horizon (four whole weeks). ASSY (P1, 2
units) works Monday to Friday 06:00-14:00 and is down Wednesday 11-25 06:00-10:00;
WELD (P1) works Mondays 06:00-22:00; LACE (P2) works 22:00-06:00 from Monday to
Thursday and 08:00-12:00 on Saturdays. P1 is closed on as_of and shut down the
whole second week (Monday 11-30 to Friday 12-04); P2 is closed on Wednesday 11-25.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from extract_fixtures import TINY_HOLIDAYS as HOLIDAYS

from planning.config import SolverSettings
from planning.scheduling.capacity import capacity_load
from planning.scheduling.plant_orders import ShopInputs, read_shop_inputs, schedule_plant
from planning.warehouse import connect, write_plan

AS_OF = date(2026, 11, 23)
HORIZON_DAYS = 28
WEEKS = [AS_OF + timedelta(weeks=week) for week in range(4)]
RUN_ID = "holidays"


# a dbt build of the shop-floor marts: 40-60 s on the shared 2-core machine
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop_inputs(
    tiny_holiday_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ShopInputs]:
    """The tiny extract with holidays, its shop-floor marts, and a run without
    planned orders (the open work orders are what is scheduled)."""
    warehouse = tmp_path_factory.mktemp("holiday_schedule") / "planner.duckdb"
    shutil.copyfile(tiny_holiday_warehouse, warehouse)
    with connect(warehouse) as con:
        no_orders = pl.DataFrame(
            schema={"order_id": pl.String, "item_id": pl.String, "location_id": pl.String,
                    "qty": pl.Float64, "start_date": pl.Date, "due_date": pl.Date}
        )  # fmt: skip
        no_pegs = pl.DataFrame(
            schema={"demand_id": pl.String, "demand_type": pl.String, "supply_date": pl.Date}
        )
        run = {"run_id": RUN_ID, "as_of": AS_OF, "started_at": datetime.now(UTC)}
        write_plan(con, run, {"work_orders": no_orders, "pegging": no_pegs})
        yield read_shop_inputs(con, RUN_ID)


def _available_hours(load: pl.DataFrame, center: str) -> list[float]:
    return load.filter(pl.col("work_center_id") == center)["available_hours"].to_list()


def test_holidays_take_their_days_out_of_the_weeks_available_hours(
    shop_inputs: ShopInputs,
) -> None:
    no_mps = pl.DataFrame(schema={"item_id": pl.String, "location_id": pl.String})
    load = capacity_load(shop_inputs, no_mps, AS_OF, HORIZON_DAYS)
    assert load["week_start"].unique().sort().to_list() == WEEKS
    # ASSY, 2 units x 5 x 8 h a week: week 1 loses Monday and Wednesday's 4 h
    # down, (4 x 8 - 4) x 2; the shutdown week has no hour
    assert _available_hours(load, "ASSY") == [56.0, 0.0, 80.0, 80.0]
    # WELD works Mondays only: both P1's Mondays are holidays
    assert _available_hours(load, "WELD") == [0.0, 0.0, 16.0, 16.0]
    # LACE, 36 h a week: P2's Wednesday holiday ends Tuesday's night shift at
    # midnight (2 h left of 8) and starts Wednesday's at midnight (6 h left)
    assert _available_hours(load, "LACE") == [36.0 - 6 - 2, 36.0, 36.0, 36.0]


def test_no_operation_is_scheduled_on_a_holiday_and_nobody_works_one(
    shop_inputs: ShopInputs,
) -> None:
    settings = SolverSettings(time_limit_seconds=5)
    schedules = {
        plant: schedule_plant(shop_inputs, plant, AS_OF, HORIZON_DAYS, settings)
        for plant in ("P1", "P2")
    }
    for plant, schedule in schedules.items():
        operations = schedule.outcome.schedule
        assert operations.height == 1, operations  # WO3 at P1, WO2 at P2
        start, end = operations.select("start_minute", "end_minute").row(0)
        for holiday in HOLIDAYS[plant]:
            midnight = (holiday - AS_OF).days * 1440
            assert end <= midnight or start >= midnight + 1440, (plant, holiday, start, end)
        assert schedule.unstaffed.height == 0
    # WO3 (5 x 45 min welding; Ana works 06:00-14:00) waits for WELD's first
    # Monday after the holidays, 12-07, and starts at 06:00
    weld = schedules["P1"].outcome.schedule
    assert weld.select("order_id", "start_minute", "end_minute").row(0) == (
        "WO3",
        14 * 1440 + 360,
        14 * 1440 + 360 + 225,
    )
