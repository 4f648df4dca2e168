"""Properties every material plan must have, on small random networks:
1 to 3 levels of make SKUs with BOM lines, bought components, and optionally a
DC resupplied by transfer from a plant SKU; random stock, safety stock, lead
times, lot policies with their parameters, items counted in whole units,
demand and open receipts (some in transit) in the 28-day horizon, and
calendars: holidays at the plant and the DC, days without shifts and a
shutdown at the plant.

Every expected quantity is computed here from the inputs and the plan's
published orders, independently of how the engine computes it."""

from __future__ import annotations

import math
from collections import defaultdict

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mrp_fixtures import AS_OF, HORIZON_DAYS, bom_line, calendar, day, demand, plan, receipt, sku
from polars.testing import assert_frame_equal

from planning.mrp.engine import PROJECTED_QUANTITIES

TOLERANCE = 1e-6
# the number of examples comes from the profile (tests/conftest.py)
PROPERTY_SETTINGS = settings(
    deadline=None,
    database=None,  # nothing written outside the test tree
    suppress_health_check=[HealthCheck.too_slow],
)
# for the properties that plan two or three times an example
FEWER_EXAMPLES = settings(
    PROPERTY_SETTINGS, max_examples=max(1, PROPERTY_SETTINGS.max_examples // 2)
)
KEY = ["item_id", "location_id"]
DEMAND_ROWS = {
    "item_id": pl.String,
    "location_id": pl.String,
    "demand_id": pl.String,
    "date": pl.Date,
    "qty": pl.Float64,
}
RECEIPT_ROWS = {
    "item_id": pl.String,
    "location_id": pl.String,
    "supply_id": pl.String,
    "date": pl.Date,
    "qty": pl.Float64,
}


# --- random networks ---------------------------------------------------------


@st.composite
def lot_parameters(draw) -> dict[str, object]:
    """A lot policy with the parameters it needs, and min / multiple / max
    consistent with each other (max a multiple of multiple, not below min)."""
    policy = draw(st.sampled_from(["lot_for_lot", "fixed", "eoq", "period", "wagner_whitin"]))
    fields: dict[str, object] = {"lot_policy": policy}
    if policy == "fixed":
        fields["lot_size"] = draw(st.sampled_from([5.0, 12.0, 25.0]))
    elif policy == "period":
        fields["period_days"] = draw(st.integers(1, 7))
    elif policy in ("eoq", "wagner_whitin"):
        fields["order_cost"] = draw(st.sampled_from([10.0, 50.0, 200.0]))
        fields["unit_cost"] = draw(st.sampled_from([1.0, 5.0, 36.5]))
        fields["holding_rate"] = draw(st.sampled_from([0.1, 0.25, 1.0]))
    min_qty = draw(st.sampled_from([None, 0.0, 5.0, 20.0]))
    multiple = draw(st.sampled_from([None, 1.0, 5.0, 10.0]))
    fields |= {"min_qty": min_qty, "multiple": multiple}
    if draw(st.booleans()):
        step = multiple or 1.0
        smallest = max(1, math.ceil((min_qty or 0.0) / step))
        fields["max_qty"] = step * draw(st.integers(smallest, smallest + 5))
    return fields


@st.composite
def closed_days(draw, plant: bool) -> dict[str, set[int]] | None:
    """A location's holidays and, at a plant, its days without shifts (days
    numbered from as-of): a few holidays, maybe a shutdown week, maybe idle
    weekends; None: no calendar rows, open and working every day."""
    if not draw(st.integers(0, 3)):
        return None
    holidays = set(draw(st.lists(st.integers(0, HORIZON_DAYS - 1), max_size=4)))
    idle: set[int] = set()
    if plant and draw(st.booleans()):
        idle = {n for n in range(HORIZON_DAYS) if day(n).weekday() >= 5}
    if plant and draw(st.booleans()):
        shutdown = draw(st.integers(0, HORIZON_DAYS - 7))
        holidays |= set(range(shutdown, shutdown + 7))
    return {"holidays": holidays, "idle": idle}


def items_of(sku_ids: list[str]) -> list[str]:
    return sorted({sku_id.split("@")[0] for sku_id in sku_ids})


def low_level_codes(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from a root to each node of an acyclic graph."""
    code = dict.fromkeys(nodes, 0)
    for _ in nodes:  # relax |nodes| times: enough for any path
        for parent, child in edges:
            code[child] = max(code[child], code[parent] + 1)
    return code


@st.composite
def networks(draw) -> dict[str, object]:
    """skus, bom, demands, receipts (fixture rows) and the planning rules."""
    tiers = [
        [f"M{t}{i}" for i in range(draw(st.integers(1, 2)))] for t in range(draw(st.integers(1, 3)))
    ]
    tiers.append([f"B{i}" for i in range(draw(st.integers(1, 3)))])
    edges: list[tuple[str, str]] = []
    bom = []
    for t, tier in enumerate(tiers[:-1]):
        deeper = [item for lower in tiers[t + 1 :] for item in lower]
        for parent in tier:
            components = draw(
                st.lists(st.sampled_from(deeper), min_size=1, max_size=2, unique=True)
            )
            for component in components:
                qty_per = draw(st.sampled_from([0.5, 1.0, 1.25, 2.0, 3.0]))
                bom.append(bom_line(parent, component, qty_per))
                edges.append((f"{parent}@PL1", f"{component}@PL1"))
    sku_ids = [f"{item}@PL1" for tier in tiers for item in tier]
    has_dc = draw(st.booleans())
    if has_dc:
        sku_ids.insert(0, "M00@DC1")
        edges.append(("M00@DC1", "M00@PL1"))
    codes = low_level_codes(sku_ids, edges)
    whole_items = {item for item in items_of(sku_ids) if draw(st.booleans())}

    skus = []
    for sku_id in sku_ids:
        item, location = sku_id.split("@")
        stock = [0.0, 0.0, 5.0, 17.0 if item in whole_items else 17.5, 40.0]
        fields = draw(lot_parameters()) | {
            "on_hand": draw(st.sampled_from(stock)),
            "integer_qty": item in whole_items,
            "safety_stock": draw(st.sampled_from([0.0, 0.0, 3.0, 10.0])),
            "lead_time_days": draw(st.integers(0, 5)),
            "low_level_code": codes[sku_id],
            "qa_hold": draw(st.sampled_from([0.0, 4.0])),
        }
        if location == "DC1":
            fields |= {"replenishment": "transfer", "source_location_id": "PL1"}
            fields["is_mps_item"] = True
        elif item.startswith("M"):
            fields["replenishment"] = "make"
            fields["yield_rate"] = draw(st.sampled_from([1.0, 1.0, 0.9, 0.8]))
            fields["is_mps_item"] = item.startswith("M0")
        skus.append(sku(item, location, **fields))

    n_demands = draw(st.integers(0, 8))
    demands = [
        demand(
            draw(st.sampled_from(sku_ids)),
            draw(st.integers(-2, HORIZON_DAYS - 1)),
            float(draw(st.integers(1, 40))),
            f"SO{n}:1",
            kind=draw(st.sampled_from(["sales_order", "forecast"])),
            priority=draw(st.sampled_from([None, 1, 2, 3])),
        )
        for n in range(n_demands)
    ]
    receipts = []
    for n in range(draw(st.integers(0, 4))):
        sku_id = draw(st.sampled_from(sku_ids))
        kind, status = "purchase_order", "open"
        if sku_id.endswith("@DC1"):
            kind, status = "transfer", draw(st.sampled_from(["in_transit", "not_shipped"]))
        elif sku_id.startswith("M"):
            kind, status = "work_order", "released"
        due = draw(st.integers(-2, HORIZON_DAYS - 1))
        qty = float(draw(st.integers(1, 30)))
        receipts.append(receipt(sku_id, due, qty, f"R{n}", kind=kind, status=status))

    rules = {
        "mps_time_fence_days": draw(st.sampled_from([0, 0, 0, 4, 9])),
        "reschedule_in_days": draw(st.integers(0, 14)),
        # every move gets a message, so the receipt days can be read back from them
        "action_tolerance_days": 0,
        "action_tolerance_pct": draw(st.sampled_from([0.0, 5.0])),
    }
    closed = {"PL1": draw(closed_days(plant=True)), "DC1": draw(closed_days(plant=False))}
    return {
        "skus": skus,
        "bom": bom,
        "demands": demands,
        "receipts": receipts,
        "rules": rules,
        "closed": closed,
    }


def plan_of(network: dict[str, object], publish=None):
    return plan(
        network["skus"],
        bom=network["bom"],
        demands=network["demands"],
        receipts=network["receipts"],
        publish=publish,
        calendars=[
            row
            for location, closed in network["closed"].items()
            if closed is not None
            for row in calendar(location, closed["holidays"], closed["idle"])
        ],
        **network["rules"],
    )


def days_on(network, location: str, working: bool) -> list[int]:
    """The days a location is open, or working, from its closed days."""
    closed = network["closed"][location] or {"holidays": set(), "idle": set()}
    shut = closed["holidays"] | (closed["idle"] if working else set())
    return [n for n in range(HORIZON_DAYS) if n not in shut]


def receiving_days(network, sku_row) -> list[int]:
    """The days a SKU receives on: its plant's working days when it makes the
    item, its location's open days otherwise."""
    return days_on(network, sku_row["location_id"], sku_row["replenishment"] == "make")


def first_planned_day(network, sku_row) -> int:
    """The first day a planned receipt can arrive: the first receiving day
    from the time fence (end items) or as-of."""
    fence = network["rules"]["mps_time_fence_days"] if sku_row["is_mps_item"] else 0
    return next((n for n in receiving_days(network, sku_row) if n >= fence), HORIZON_DAYS)


# --- what the plan should hold, from the inputs and its published orders -------


def sku_frame(network) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "item_id": s["item_id"],
                "location_id": s["location_id"],
                "on_hand": s["on_hand"],
                "safety_stock": s["safety_stock"],
                "is_mps_item": s["is_mps_item"],
                "lot_policy": s["lot_policy"],
                "min_qty": s["min_qty"] or 0.0,
                "multiple": s["multiple"] or 0.0,
                "max_qty": s["max_qty"],
                "order_cost": s["order_cost"],
                "unit_cost": s["unit_cost"],
                "holding_rate": s["holding_rate"],
                "integer_qty": s["integer_qty"],
                "first_planned_day": first_planned_day(network, s),
            }
            for s in network["skus"]
        ],
        schema_overrides=dict.fromkeys(
            ["max_qty", "order_cost", "unit_cost", "holding_rate"], pl.Float64
        ),
    )


def expected_demand(network, result) -> pl.DataFrame:
    """Every demand the plan must satisfy: the independent demand, the
    components of the planned work orders (order qty * qty_per on the start
    date) and the planned transfers at their source (on the ship date)."""
    rows = [
        {
            "item_id": d["sku_id"].split("@")[0],
            "location_id": d["sku_id"].split("@")[1],
            "demand_id": d["demand_id"],
            "date": max(d["demand_date"], AS_OF),
            "qty": d["qty"],
        }
        for d in network["demands"]
    ]
    whole = {s["item_id"] for s in network["skus"] if s["integer_qty"]}
    components = defaultdict(list)
    for line in network["bom"]:
        parent = line["parent_sku_id"].split("@")[0]
        components[parent].append((line["component_item_id"], line["component_qty_per_parent"]))
    for order in result.work_orders.iter_rows(named=True):
        for component, qty_per in components[order["item_id"]]:
            qty = order["qty"] * qty_per
            rows.append(
                {
                    "item_id": component,
                    "location_id": order["location_id"],
                    "demand_id": f"{order['order_id']}:{component}",
                    "date": order["start_date"],
                    # whole units of a whole-unit component, for each order
                    "qty": math.ceil(qty - TOLERANCE) if component in whole else qty,
                }
            )
    for order in result.transfer_orders.iter_rows(named=True):
        rows.append(
            {
                "item_id": order["item_id"],
                "location_id": order["from_location_id"],
                "demand_id": order["order_id"],
                "date": order["ship_date"],
                "qty": order["qty"],
            }
        )
    return pl.DataFrame(rows, schema=DEMAND_ROWS)


def expected_receipts(network, result) -> pl.DataFrame:
    """Open receipts on the day they arrive: the due date (as-of if past due),
    or the date an expedite message pulls them in to."""
    pulled_in = dict(
        result.action_messages.filter(pl.col("action") == "expedite")
        .select("supply_id", "suggested_date")
        .rows()
    )
    rows = [
        {
            "item_id": r["sku_id"].split("@")[0],
            "location_id": r["sku_id"].split("@")[1],
            "supply_id": r["supply_id"],
            "date": pulled_in.get(r["supply_id"], r["receipt_date"]),
            "qty": r["qty"],
        }
        for r in network["receipts"]
    ]
    return pl.DataFrame(rows, schema=RECEIPT_ROWS)


def planned_receipts(result) -> pl.DataFrame:
    """Every planned order's good quantity on the day it arrives."""
    return pl.concat(
        [
            result.work_orders.select(*KEY, order_id="order_id", date="due_date", qty="good_qty"),
            result.purchase_requests.select(
                *KEY, order_id="request_id", date="need_date", qty="qty"
            ),
            result.transfer_orders.select(
                "item_id",
                location_id="to_location_id",
                order_id="order_id",
                date="receipt_date",
                qty="qty",
            ),
        ]
    )


def by_day(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """The frame's qty summed per SKU and date, as column ``name``."""
    return frame.group_by(*KEY, "date").agg(pl.col("qty").sum().alias(name))


def expected_projection(network, result) -> pl.DataFrame:
    """Gross requirements, scheduled and planned receipts per SKU and day, and
    projected on hand = on hand + the running sum of receipts - requirements,
    on every day the plan reports and every day something happens."""
    quantities = ["gross_requirements", "scheduled_receipts", "planned_receipts"]
    days = pl.concat(
        [
            result.projected_inventory.select(*KEY, "date"),
            sku_frame(network).select(*KEY, date=pl.lit(AS_OF)),
        ]
    )
    parts = [
        by_day(expected_demand(network, result), "gross_requirements"),
        by_day(expected_receipts(network, result), "scheduled_receipts"),
        by_day(planned_receipts(result), "planned_receipts"),
    ]
    for part in parts:
        days = pl.concat([days, part.select(*KEY, "date")])
    frame = days.unique()
    for part in parts:
        frame = frame.join(part, on=[*KEY, "date"], how="left")
    return (
        frame.with_columns(pl.col(quantities).fill_null(0.0))
        .join(sku_frame(network).select(*KEY, "on_hand"), on=KEY)
        .sort(*KEY, "date")
        .with_columns(
            projected_on_hand=pl.col("on_hand")
            + (
                pl.col("scheduled_receipts")
                + pl.col("planned_receipts")
                - pl.col("gross_requirements")
            )
            .cum_sum()
            .over(KEY)
        )
        .select(*KEY, "date", *quantities, "projected_on_hand")
    )


# --- the properties --------------------------------------------------------------


def check_stock_balance(network, result) -> None:
    """(a) every row balances, and its quantities are the inputs' demand and
    receipts plus the requirements of the parents' planned orders."""
    expected = expected_projection(network, result)
    assert_frame_equal(
        result.projected_inventory.select(expected.columns).sort(*KEY, "date"),
        expected,
        check_exact=False,
        rtol=1e-9,
        atol=TOLERANCE,
    )


def with_sku(result, network) -> pl.DataFrame:
    """Projected inventory rows with their SKU's parameters, their day, and
    whether the row lies before the SKU's first planned day (inside the time
    fence of an MPS item, or before the first day it can receive on)."""
    return (
        result.projected_inventory.join(sku_frame(network), on=KEY)
        .with_columns(day=(pl.col("date") - pl.lit(AS_OF)).dt.total_days())
        .with_columns(fenced=pl.col("day") < pl.col("first_planned_day"))
    )


def check_safety_stock_kept(network, result) -> None:
    """(b) from its first planned day on, a SKU's projected on hand never falls
    below safety stock."""
    below = with_sku(result, network).filter(
        ~pl.col("fenced"), pl.col("projected_on_hand") < pl.col("safety_stock") - TOLERANCE
    )
    assert below.is_empty(), below


def check_no_order_without_net_requirement(network, result) -> None:
    """(c) planned receipts arrive only on days the SKU receives on, none
    before its first planned day, and only when its stock would otherwise fall
    below safety stock before the next day it receives on (what closed days
    need arrives on the last receiving day before them)."""
    rows = with_sku(result, network)
    for sku_row in network["skus"]:
        receiving = receiving_days(network, sku_row)
        own = rows.filter(
            pl.col("item_id") == sku_row["item_id"],
            pl.col("location_id") == sku_row["location_id"],
        )
        for row in own.filter(pl.col("planned_receipts") > TOLERANCE).iter_rows(named=True):
            assert row["day"] in receiving, row
            assert not row["fenced"], row
            until = next((n for n in receiving if n > row["day"]), HORIZON_DAYS)
            without = own.filter(pl.col("day").is_between(row["day"], until - 1)).select(
                pl.col("projected_on_hand").min() - row["planned_receipts"]
            )
            assert without.item() < row["safety_stock"] - TOLERANCE / 2, row


def check_demand_pegged_or_short(network, result) -> None:
    """(d) pegged + short = demand qty for every demand; without a fence
    nothing is late or short but demand before the first day its SKU can
    receive on, and safety stock is fully pegged; no supply is pegged beyond
    its quantity."""
    demands = expected_demand(network, result).group_by(*KEY, "demand_id").agg(pl.col("qty").sum())
    pegs = result.pegging
    pegged = pegs.group_by(*KEY, "demand_id").agg(
        pegged=pl.col("qty").sum(),
        pegged_late=pl.col("qty").filter(pl.col("supply_date") > pl.col("demand_date")).sum(),
    )
    late = result.exceptions.filter(pl.col("category") == "late_demand").select(
        *KEY, demand_id="ref_id", late_or_short="qty"
    )
    checked = (
        demands.join(pegged, on=[*KEY, "demand_id"], how="left")
        .join(late, on=[*KEY, "demand_id"], how="left")
        .with_columns(pl.col("pegged", "pegged_late", "late_or_short").fill_null(0.0))
        .with_columns(short=pl.col("late_or_short") - pl.col("pegged_late"))
    )
    unbalanced = checked.filter(
        ((pl.col("pegged") + pl.col("short") - pl.col("qty")).abs() > TOLERANCE)
        | (pl.col("short") < -TOLERANCE)
    )
    assert unbalanced.is_empty(), unbalanced
    # every pegged or reported demand is one we expect
    known = demands.select(*KEY, "demand_id")
    stray_pegs = pegs.filter(pl.col("demand_id") != "safety_stock").join(
        known, on=[*KEY, "demand_id"], how="anti"
    )
    assert stray_pegs.is_empty(), stray_pegs
    assert late.join(known, on=[*KEY, "demand_id"], how="anti").is_empty()

    buffers = (
        sku_frame(network)
        .join(
            pegs.filter(pl.col("demand_id") == "safety_stock")
            .group_by(*KEY)
            .agg(pegged=pl.col("qty").sum()),
            on=KEY,
            how="left",
        )
        .with_columns(pl.col("pegged").fill_null(0.0))
    )
    assert (buffers["pegged"] <= buffers["safety_stock"] + TOLERANCE).all()
    if network["rules"]["mps_time_fence_days"] == 0:
        receivable = (
            result.exceptions.filter(pl.col("category") == "late_demand")
            .join(sku_frame(network), on=KEY)
            .filter(pl.col("date") >= pl.lit(AS_OF) + pl.duration(days="first_planned_day"))
        )
        assert receivable.is_empty(), receivable
        assert ((buffers["pegged"] - buffers["safety_stock"]).abs() <= TOLERANCE).all(), buffers

    supply = pl.concat(
        [
            sku_frame(network).select(*KEY, supply_id=pl.lit("on_hand"), qty="on_hand"),
            expected_receipts(network, result).select(*KEY, "supply_id", "qty"),
            planned_receipts(result).select(*KEY, supply_id="order_id", qty="qty"),
        ]
    )
    overpegged = (
        pegs.group_by(*KEY, "supply_id")
        .agg(pegged=pl.col("qty").sum())
        .join(supply, on=[*KEY, "supply_id"], how="left")
        .filter(pl.col("qty").is_null() | (pl.col("pegged") > pl.col("qty") + TOLERANCE))
    )
    assert overpegged.is_empty(), overpegged


def check_order_quantities(network, result) -> None:
    """(e) each lot (a SKU's planned receipts of one day) is at least min_qty,
    at least the EOQ for eoq SKUs, and a multiple of multiple; each order is a
    multiple of multiple and at most max_qty."""
    orders = planned_receipts(result).join(sku_frame(network), on=KEY)
    for order in orders.iter_rows(named=True):
        if order["max_qty"] is not None:
            assert order["qty"] <= order["max_qty"] + TOLERANCE, order
        if order["multiple"] > 0:
            assert (
                abs(order["qty"] / order["multiple"] - round(order["qty"] / order["multiple"]))
                < 1e-6
            ), order
    gross = (
        expected_projection(network, result)
        .group_by(KEY)
        .agg(annual_demand=pl.col("gross_requirements").sum() * 365.0 / HORIZON_DAYS)
    )
    lots = (
        orders.group_by(*KEY, "date")
        .agg(pl.col("qty").sum(), pl.exclude("qty", "order_id").first())
        .join(gross, on=KEY)
    )
    for lot in lots.iter_rows(named=True):
        assert lot["qty"] >= lot["min_qty"] - TOLERANCE, lot
        if lot["multiple"] > 0:
            ratio = lot["qty"] / lot["multiple"]
            assert abs(ratio - round(ratio)) < 1e-6, lot
        if lot["lot_policy"] == "eoq":
            eoq = math.sqrt(
                2
                * lot["annual_demand"]
                * lot["order_cost"]
                / (lot["unit_cost"] * lot["holding_rate"])
            )
            assert lot["qty"] >= eoq - TOLERANCE, lot


def check_order_dates(network, result) -> None:
    """(g) every planned order is received on a day its SKU receives on (a
    working day of the plant for work orders, an open day otherwise) and
    starts on the last day of its start calendar (working days of the plant,
    open days of the transfer's source, any day for a purchase) on or before
    receipt - lead time; failing that, lead-time compressed, on the first such
    day from as-of."""
    skus = {(s["item_id"], s["location_id"]): s for s in network["skus"]}
    orders = pl.concat(
        [
            result.work_orders.select(*KEY, "start_date", "due_date", "is_lead_time_compressed"),
            result.purchase_requests.select(
                *KEY, "is_lead_time_compressed", start_date="order_date", due_date="need_date"
            ),
            result.transfer_orders.select(
                "item_id",
                "is_lead_time_compressed",
                location_id="to_location_id",
                start_date="ship_date",
                due_date="receipt_date",
            ),
        ],
        how="diagonal",
    )
    for order in orders.iter_rows(named=True):
        sku_row = skus[(order["item_id"], order["location_id"])]
        receipt = (order["due_date"] - AS_OF).days
        assert receipt in receiving_days(network, sku_row), order
        if sku_row["replenishment"] == "make":
            starts = days_on(network, "PL1", working=True)
        elif sku_row["replenishment"] == "transfer":
            starts = days_on(network, sku_row["source_location_id"], working=False)
        else:
            starts = list(range(HORIZON_DAYS))
        latest = receipt - sku_row["lead_time_days"]
        on_time = [n for n in starts if n <= latest]
        first = starts[0] if starts and starts[0] <= receipt else 0
        start = on_time[-1] if on_time else first
        assert order["start_date"] == day(start), order
        assert order["is_lead_time_compressed"] == (not on_time), order


def check_whole_units(network, result) -> None:
    """(h) every quantity of an item counted in whole units is whole: its
    orders, the requirements of its parents' orders, its projected inventory
    and its pegs (its stock, demand and receipts are whole)."""
    whole = [s["item_id"] for s in network["skus"] if s["integer_qty"]]
    quantities = {
        "work_orders": ["qty", "good_qty"],
        "purchase_requests": ["qty"],
        "transfer_orders": ["qty"],
        "projected_inventory": PROJECTED_QUANTITIES,
        "pegging": ["qty"],
    }
    for name, columns in quantities.items():
        table = result.table(name).filter(pl.col("item_id").is_in(whole))
        for column in columns:
            fractions = table.filter((pl.col(column) - pl.col(column).round()).abs() > TOLERANCE)
            assert fractions.is_empty(), (name, column, fractions)


@PROPERTY_SETTINGS
@given(networks())
def test_plan_invariants(network):
    result = plan_of(network)
    check_stock_balance(network, result)
    check_safety_stock_kept(network, result)
    check_no_order_without_net_requirement(network, result)
    check_demand_pegged_or_short(network, result)
    check_order_quantities(network, result)
    check_order_dates(network, result)
    check_whole_units(network, result)


@FEWER_EXAMPLES  # three plans an example
@given(networks())
def test_plan_is_deterministic(network):
    """(f) the same inputs give the same plan, order ids included; so do the
    same rows in another order, as an extract without an ORDER BY may give."""
    first, second = plan_of(network), plan_of(network)
    reordered = plan_of(
        network | {name: network[name][::-1] for name in ("skus", "bom", "demands", "receipts")}
    )
    for other in (second, reordered):
        assert_frame_equal(first.planned_orders, other.planned_orders, check_exact=True)
        for name, table in first.tables().items():
            assert table.equals(other.tables()[name]), name


@FEWER_EXAMPLES  # two plans an example
@given(networks())
def test_tables_published_while_planning_are_the_kept_ones(network):
    """A planner run hands pegging and projected inventory over level by level
    as it plans (and the rest once done): the same rows as a plan that keeps
    them, level by level named with the order ids known so far."""
    published: dict[str, list[pl.DataFrame]] = {}

    def collect(name, rows, named):
        published.setdefault(name, []).append(named(rows))

    kept = plan_of(network)
    streamed = plan_of(network, publish=collect)
    streamed.publish(collect)
    assert streamed.row_counts() == kept.row_counts()
    for name, table in kept.tables().items():
        assert_frame_equal(pl.concat(published[name]), table, check_exact=True)
    with pytest.raises(ValueError, match="published level by level"):
        streamed.table("pegging")


def test_properties_hold_on_a_network_with_every_feature():
    """The checks on one fixed network that has them all at once: a DC fed by
    transfer, three levels below it, yield, period and min / multiple / max
    lots, whole units, safety stock, an in-transit transfer, a receipt to
    reschedule, a time fence, holidays and weekends."""
    network = {
        "skus": [
            sku(
                "M00",
                "DC1",
                replenishment="transfer",
                source_location_id="PL1",
                lead_time_days=2,
                is_mps_item=True,
                integer_qty=True,
            ),
            sku(
                "M00",
                replenishment="make",
                low_level_code=1,
                lead_time_days=1,
                is_mps_item=True,
                yield_rate=0.8,
                integer_qty=True,
            ),
            sku(
                "M10",
                replenishment="make",
                low_level_code=2,
                lot_policy="period",
                period_days=3,
                integer_qty=True,
            ),
            sku("B0", low_level_code=3, min_qty=20.0, multiple=5.0, max_qty=25.0, safety_stock=3.0),
        ],
        "bom": [
            bom_line("M00", "M10", 1.5),
            bom_line("M10", "B0", 1.25),
            bom_line("M00", "B0", 0.5),
        ],
        "demands": [
            demand("M00@DC1", 3, 12, "SO0:1"),
            demand("M00@DC1", 9, 7, "SO1:1", kind="forecast"),
            demand("B0@PL1", 20, 4, "SO2:1", priority=1),
        ],
        "receipts": [
            receipt("M00@DC1", 5, 6, "R0", kind="transfer", status="in_transit"),
            receipt("B0@PL1", 12, 30, "R1"),
        ],
        "rules": {
            "mps_time_fence_days": 4,
            "reschedule_in_days": 7,
            "action_tolerance_days": 0,
            "action_tolerance_pct": 5.0,
        },
        # Thanksgiving at the plant, which works on weekdays; a holiday at the DC
        "closed": {
            "PL1": {"holidays": {3}, "idle": {n for n in range(HORIZON_DAYS) if n % 7 in (5, 6)}},
            "DC1": {"holidays": {10}, "idle": set()},
        },
    }
    result = plan_of(network)
    assert not result.transfer_orders.is_empty()
    assert not result.work_orders.is_empty()
    assert not result.purchase_requests.is_empty()
    check_stock_balance(network, result)
    check_safety_stock_kept(network, result)
    check_no_order_without_net_requirement(network, result)
    check_demand_pegged_or_short(network, result)
    check_order_quantities(network, result)
    check_order_dates(network, result)
    check_whole_units(network, result)
