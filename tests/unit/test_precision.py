"""Numbers leave the planner with their kind's decimals (``planning.precision``):
in the warehouse's plan tables, the published files and the exceptions' messages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
from mrp_fixtures import plan, sku
from polars.testing import assert_frame_equal

from planning.precision import HOURS_DECIMALS, PCT_DECIMALS, QTY_DECIMALS, decimals_of
from planning.publish import write_csv
from planning.warehouse import connect, write_plan

# float noise of every kind, as planning leaves it
NOISY = pl.DataFrame(
    {
        "qty": [1627.5166666666664, -0.00001],
        "required_hours": [10 / 3, 5656.254],
        "load_pct": [100 / 3, 3535.04999],
        "order_value": [0.1 + 0.2, 12.3456],
        "op_seq": [10, 20],
    }
)
ROUNDED = pl.DataFrame(
    {
        "qty": [1627.5167, 0.0],
        "required_hours": [3.33, 5656.25],
        "load_pct": [33.3, 3535.0],
        "order_value": [0.3, 12.35],
        "op_seq": [10, 20],
    }
)


def decimals(text: str) -> int:
    return len(text.partition(".")[2])


def test_each_kind_has_its_decimals():
    assert decimals_of("qty") == decimals_of("good_qty") == QTY_DECIMALS == 4
    assert decimals_of("available_hours") == HOURS_DECIMALS == 2
    assert decimals_of("load_pct") == PCT_DECIMALS == 1


def test_published_files_write_no_more_decimals_than_their_kind(tmp_path):
    write_csv(tmp_path / "table.csv", NOISY)
    text = (tmp_path / "table.csv").read_text()
    assert text.splitlines()[1:] == ["1627.5167,3.33,33.3,0.3,10", "0,5656.25,3535,12.35,20"]
    for line in text.splitlines()[1:]:
        qty, hours, pct, value, _ = line.split(",")
        assert decimals(qty) <= 4 and decimals(hours) <= 2 and decimals(pct) <= 1
        assert decimals(value) <= 2


def test_plan_tables_are_stored_with_their_kinds_decimals(tmp_path):
    run = {"run_id": "run-1", "as_of": date(2026, 11, 23), "status": "publishing",
           "started_at": datetime(2026, 11, 23, 1, tzinfo=UTC)}  # fmt: skip
    with connect(tmp_path / "w.duckdb") as con:
        write_plan(con, run, {"capacity_load": NOISY})
        stored = con.sql("select * exclude (run_id) from plan.capacity_load").pl()
    assert_frame_equal(stored, ROUNDED)


def test_exception_messages_write_quantities_with_four_decimals():
    # 1627.5166666666664 on hand that nothing needs: excess, as the message says it
    result = plan([sku("E", on_hand=1627.5166666666664)])
    (message,) = result.exceptions.filter(pl.col("category") == "excess_inventory")["message"]
    assert message.startswith("1627.5167 units on hand beyond safety stock")
