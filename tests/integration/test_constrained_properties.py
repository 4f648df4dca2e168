"""Properties of the constrained supply plan (CONTRACT.md section 3,
"Constrained supply plan"; ``planning.mrp.constrained`` and ``promises``), on
random small networks with random work-center capacity (fast) and on
generated plants planned end to end by ``planner run`` (slow; the run of
test_generated_plants.py, then planned again in this process with the
capacity ``plan_supply`` gives it):

- no work center day holds more planned minutes than it has free, and no week
  of ``capacity_load`` more planned hours than available hours, except weeks
  the open orders alone fill;
- every independent demand line (sales order or forecast, valid SKU or not)
  has promises summing to its qty, the unpromised rest without a date;
- days late = promised - due, never negative; a late or unpromised part names
  its cause and what;
- no planned order starts before as-of or is received sooner than its lead
  time after its start; no order starts before its pegged components arrive;
- ``plan_constraints="none"`` is the MRP's plan: every order on its requested
  date, the same orders the constrained plan moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mrp_fixtures import AS_OF, HORIZON_DAYS, bom_line, day, demand, plan, planning_inputs, sku
from polars.testing import assert_frame_equal
from test_generated_plants import planned  # noqa: F401  the fixture: `planner run` of NETWORKS
from unit.mrp.test_properties import FEWER_EXAMPLES, calendar, networks

from planning.config import PlanningRules, Settings
from planning.mrp import MaterialPlan, PlanningInputs, plan_materials, read_planning_inputs
from planning.mrp.constrained import Capacity
from planning.mrp.pegging import COMPONENT, TRANSFER
from planning.scheduling.capacity import free_capacity
from planning.scheduling.plant_orders import read_shop_inputs

TOLERANCE = 1e-6
ALL = "capacity,material,lead_time"
ORDER_KEY = ["order_id", "sku_idx", "replenishment", "order_qty"]


@dataclass(frozen=True)
class Plans:
    """One network planned constrained and unconstrained."""

    inputs: PlanningInputs
    capacity: Capacity
    constrained: MaterialPlan
    unconstrained: MaterialPlan
    as_of: date


def plans_of(inputs: PlanningInputs, capacity: Capacity, as_of: date, horizon: int, **rules):
    def planned_with(constraints: str) -> MaterialPlan:
        rules_ = PlanningRules(plan_constraints=constraints, **rules)
        return plan_materials(inputs, as_of, horizon, rules_, capacity=capacity)

    return Plans(inputs, capacity, planned_with(ALL), planned_with("none"), as_of)


# --- the properties ----------------------------------------------------------


def check_capacity_days(plans: Plans) -> None:
    """Planned minutes only where a day has free minutes, never more than it has."""
    loaded = plans.constrained.loaded_minutes
    assert loaded is not None and loaded.shape == plans.capacity.free_minutes.shape
    over = loaded - np.clip(plans.capacity.free_minutes, 0, None)
    center, day = np.nonzero(over > TOLERANCE)
    assert center.size == 0, [
        (plans.capacity.work_centers[c], d, loaded[c, d], plans.capacity.free_minutes[c, d])
        for c, d in zip(center[:10], day[:10], strict=True)
    ]
    assert (loaded >= 0).all()


def check_promises_cover_demand(plans: Plans) -> None:
    """Every sales order line and forecast element, with or without a valid SKU,
    has promises summing to its qty (a part without promised date is the rest)."""
    demand = (
        plans.inputs.demand.filter(pl.col("demand_type").is_in(["sales_order", "forecast"]))
        .group_by("demand_type", "demand_id")
        .agg(pl.col("qty").sum())
    )
    promises = plans.constrained.table("demand_promises")
    promised = promises.group_by("demand_type", "demand_id").agg(promised_qty=pl.col("qty").sum())
    both = demand.join(promised, on=["demand_type", "demand_id"], how="full", coalesce=True)
    wrong = both.filter(
        pl.col("qty").is_null()
        | pl.col("promised_qty").is_null()
        | ((pl.col("qty") - pl.col("promised_qty")).abs() > TOLERANCE)
    )
    assert wrong.is_empty(), wrong
    assert (promises["qty"] > 0).all(), promises.filter(pl.col("qty") <= 0)


def check_days_late(plans: Plans) -> None:
    """days_late = promised - due, never negative; none without a promised date."""
    promises = plans.constrained.table("demand_promises")
    dated = promises.filter(pl.col("promised_date").is_not_null())
    wrong = dated.filter(
        (pl.col("days_late") != (pl.col("promised_date") - pl.col("due_date")).dt.total_days())
        | (pl.col("days_late") < 0)
    )
    assert wrong.is_empty(), wrong.select("demand_id", "due_date", "promised_date", "days_late")
    undated = promises.filter(pl.col("promised_date").is_null())
    assert undated["days_late"].is_null().all(), undated


def check_late_parts_name_a_cause(plans: Plans) -> None:
    promises = plans.constrained.table("demand_promises")
    late = promises.filter(pl.col("promised_date").is_null() | (pl.col("days_late") > 0))
    wrong = late.filter((pl.col("cause") == "on_time") | pl.col("cause_ref").is_null())
    assert wrong.is_empty(), wrong
    on_time = promises.filter(pl.col("days_late") == 0)
    assert (on_time["cause"] == "on_time").all(), on_time.filter(pl.col("cause") != "on_time")


def check_order_dates(plans: Plans) -> None:
    """No order starts before as-of; none is received sooner than its lead time
    after its start (the lead time constraint is on). (It may be received
    before its requested day: the backward pass makes work early where the
    days before it are full.)"""
    orders = plans.constrained.planned_orders.with_columns(
        lead_time_days=pl.lit(plans.constrained.skus["lead_time_days"]).gather(pl.col("sku_idx"))
    )
    wrong = orders.filter(
        (pl.col("start_day") < 0)
        | (pl.col("receipt_day") < pl.col("start_day") + pl.col("lead_time_days"))
    )
    assert wrong.is_empty(), wrong.select(
        "order_id", "start_day", "receipt_day", "requested_day", "lead_time_days"
    )


def check_components_arrive_before_start(plans: Plans) -> None:
    """Material: a planned order's pegged components and source supply arrive
    (planned on their constrained receipt, open supply on its day) no later
    than it starts."""
    pegs = plans.constrained._unnamed("pegging")  # by reference: with the kinds of demand
    dependent = pegs.filter(pl.col("demand_kind").is_in([COMPONENT, TRANSFER]))
    wrong = dependent.filter(pl.col("supply_day") > pl.col("demand_day"))
    assert wrong.is_empty(), wrong


def check_unconstrained_is_the_mrp(plans: Plans) -> None:
    """With no constraint every order is on its requested date, and the
    constrained plan moves exactly these orders, asking for the same dates."""
    before = plans.unconstrained.planned_orders
    assert (before["receipt_day"] == before["requested_day"]).all()
    assert plans.unconstrained.loaded_minutes is None
    after = plans.constrained.planned_orders
    assert_frame_equal(
        before.select(*ORDER_KEY, "receipt_day").sort("order_id"),
        after.select(*ORDER_KEY, receipt_day="requested_day").sort("order_id"),
    )
    on_time = plans.unconstrained.table("demand_promises").filter(pl.col("cause") == "on_time")
    assert (on_time["days_late"] == 0).all()


PROPERTIES = [
    check_capacity_days,
    check_promises_cover_demand,
    check_days_late,
    check_late_parts_name_a_cause,
    check_order_dates,
    check_components_arrive_before_start,
    check_unconstrained_is_the_mrp,
]


# --- random networks, random capacity (fast) ---------------------------------


@st.composite
def capacities(draw, make_items: list[str]) -> Capacity:
    """One or two work centers at PL1 with 0, 240 or 480 free minutes a day
    (now and then below 0: open orders overload it); each make item runs one or
    two operations on them."""
    centers = [f"WC{n}" for n in range(draw(st.integers(1, 2)))]
    choices = st.sampled_from([0.0, 240.0, 480.0, 480.0, -120.0])
    free = np.array(
        [[draw(choices) for _ in range(HORIZON_DAYS)] for _ in centers], dtype=np.float64
    )
    routings = [
        {
            "item_id": item,
            "location_id": "PL1",
            "op_seq": 10 * (op + 1),
            "work_center_id": draw(st.sampled_from(centers)),
            "setup_minutes": draw(st.sampled_from([0.0, 30.0])),
            "run_minutes_per_unit": draw(st.sampled_from([2.0, 10.0, 45.0])),
            "efficiency": 1.0,
        }
        for item in make_items
        for op in range(draw(st.integers(1, 2)))
    ]
    schema = {
        "item_id": pl.String, "location_id": pl.String, "op_seq": pl.Int64,
        "work_center_id": pl.String, "setup_minutes": pl.Float64,
        "run_minutes_per_unit": pl.Float64, "efficiency": pl.Float64,
    }  # fmt: skip
    return Capacity(
        pl.Series("work_center_id", centers), free, pl.DataFrame(routings, schema=schema)
    )


def plans_of_network(network: dict[str, object], capacity: Capacity) -> Plans:
    calendars = [
        row
        for location, closed in network["closed"].items()  # type: ignore[union-attr]
        if closed is not None
        for row in calendar(location, closed["holidays"], closed["idle"])
    ]
    inputs = planning_inputs(
        network["skus"], network["bom"], network["demands"], network["receipts"], calendars
    )
    return plans_of(inputs, capacity, AS_OF, HORIZON_DAYS, **network["rules"])  # type: ignore[arg-type]


@st.composite
def networks_with_capacity(draw) -> tuple[dict[str, object], Capacity]:
    network = draw(networks())
    makes = {s["item_id"] for s in network["skus"] if s["replenishment"] == "make"}  # type: ignore[index]
    return network, draw(capacities(sorted(makes)))


@FEWER_EXAMPLES
@given(case=networks_with_capacity())
def test_constrained_plan_properties_on_random_networks(case) -> None:
    plans = plans_of_network(*case)
    for check in PROPERTIES:
        check(plans)


# --- minimal cases the properties found ---------------------------------------


def test_a_plan_without_independent_demand_is_constrained():
    # safety stock alone makes P's order and B's: no demand to take a priority
    # from (order_priorities indexed an empty array; fixed in ba79786)
    skus = [sku("P", replenishment="make", safety_stock=5.0), sku("B", low_level_code=1)]
    constrained = plan(skus, bom=[bom_line("P", "B", 1.0)], plan_constraints=ALL)
    assert constrained.planned_orders.height == 2


def test_a_purchase_held_by_holidays_names_its_cause():
    # B is bought with a 4-day lead time for SO1 on day 1; PL1 is closed on
    # days 2-8, so the purchase ordered today arrives on day 9. The delay is
    # the lead time's (and the calendar's), not a work center's, and the
    # promise names the purchase.
    constrained = plan(
        [sku("B", lead_time_days=4)],
        demands=[demand("B@PL1", 1, 10, "SO1:1")],
        calendars=calendar("PL1", holidays=set(range(2, 9))),
        plan_constraints=ALL,
    )
    (promise,) = constrained.table("demand_promises").rows(named=True)
    assert (promise["promised_date"], promise["days_late"]) == (day(9), 8)
    assert promise["cause"] == "lead_time"
    assert promise["cause_ref"] == promise["supply_id"]


# --- generated plants (slow) -------------------------------------------------


@pytest.fixture(scope="module")
def generated(planned: Path) -> tuple[Plans, duckdb.DuckDBPyConnection]:  # noqa: F811
    """The generated plant's marts planned again as ``plan_supply`` does, and a
    connection to the warehouse the run published into."""
    settings = Settings.from_env(warehouse=planned / "planner.duckdb")
    con = duckdb.connect(str(planned / "planner.duckdb"), read_only=True)
    as_of = con.sql("select as_of from plan.runs").fetchall()[0][0]
    capacity = free_capacity(read_shop_inputs(con, None), as_of, settings.horizon_days)
    return plans_of(read_planning_inputs(con), capacity, as_of, settings.horizon_days), con


@pytest.mark.slow
@pytest.mark.parametrize("check", PROPERTIES, ids=lambda check: check.__name__)
def test_constrained_plan_properties_on_generated_plants(generated, check) -> None:
    check(generated[0])


@pytest.mark.slow
def test_generated_plants_have_late_lines_to_explain(generated) -> None:
    # a plan with nothing to constrain tests nothing
    promises = generated[0].constrained.table("demand_promises")
    sales = promises.filter(pl.col("demand_type") == "sales_order")
    assert (sales["days_late"] > 0).any()
    assert (sales["cause"] == "on_time").mean() > 0.5, sales["cause"].value_counts()


@pytest.mark.slow
def test_no_capacity_load_week_is_above_its_hours_but_for_open_orders(
    generated,
    planned: Path,  # noqa: F811
) -> None:
    """capacity_load.planned_hours (open orders where they are, and the
    constrained plan's load) is at most available_hours, apart from weeks the
    open orders alone fill."""
    plans, con = generated
    load = con.sql("select * from plan.capacity_load").pl()
    planned_load = pl.read_parquet(planned / "plans" / "latest" / "planned_load.parquet")
    of_planned = planned_load.group_by(
        "work_center_id", week_start=pl.col("load_date").dt.truncate("1w")
    ).agg(planned_order_hours=pl.col("minutes").sum() / 60)
    weeks = load.join(of_planned, on=["work_center_id", "week_start"], how="left").with_columns(
        open_order_hours=pl.col("planned_hours") - pl.col("planned_order_hours").fill_null(0.0)
    )
    assert weeks["planned_hours"].is_not_null().all()
    over = weeks.filter(
        (pl.col("planned_hours") > pl.col("available_hours").fill_null(0.0) + TOLERANCE)
        & (pl.col("open_order_hours") <= pl.col("available_hours").fill_null(0.0) + TOLERANCE)
    )
    assert over.is_empty(), over.select(
        "work_center_id", "week_start", "available_hours", "planned_hours", "open_order_hours"
    )
    # the run's planned load is this process's plan of the same marts
    again = plans.constrained.loaded_minutes
    assert again is not None
    assert abs(planned_load["minutes"].sum() - again.sum()) < 1e-3
