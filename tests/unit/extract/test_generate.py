"""The synthetic extract conforms to the contract and looks like a real network."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from pathlib import Path

import polars as pl
import pytest

from planning.contract import (
    EXTRACT_FILES,
    EXTRACT_FILES_BY_NAME,
    MANIFEST_FILE,
    MANIFEST_KEYS,
    ExtractFile,
    Kind,
    Reference,
)
from planning.extract.generate import HORIZON_DAYS, MIN_SKUS, generate_extract

AS_OF = date(2026, 11, 23)  # a Monday
SKUS = 400
SEED = 42

_PARSE = {
    Kind.DECIMAL: lambda c: c.cast(pl.Float64),
    Kind.INTEGER: lambda c: c.cast(pl.Int64),
    Kind.DATE: lambda c: c.str.to_date("%Y-%m-%d"),
    Kind.TIME: lambda c: c.str.to_time("%H:%M"),
    Kind.TIMESTAMP: lambda c: c.str.to_datetime("%Y-%m-%dT%H:%M:%S"),
}


def read(extract: Path, spec: ExtractFile) -> pl.DataFrame:
    """One extract file, every value parsed strictly as its contract kind.

    Strict parsing is the format check: ISO dates, ``YYYY-MM-DDTHH:MM:SS``
    timestamps, ``HH:MM`` times and plain numbers, or the fixture fails.
    """
    raw = pl.read_csv(extract / f"{spec.name}.csv", infer_schema=False)
    return raw.with_columns(
        _PARSE[c.kind](pl.col(c.name)).alias(c.name) for c in spec.columns if c.kind in _PARSE
    )


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("extract")
    generate_extract(out, skus=SKUS, seed=SEED, as_of=AS_OF)
    return out


@pytest.fixture(scope="module")
def tables(extract: Path) -> dict[str, pl.DataFrame]:
    return {spec.name: read(extract, spec) for spec in EXTRACT_FILES}


def _files(extract: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(extract.iterdir())}


# --- contract conformance ---------------------------------------------------------------------


def test_every_file_has_the_contract_header(extract: Path) -> None:
    for spec in EXTRACT_FILES:
        header = (extract / f"{spec.name}.csv").read_text(encoding="utf-8").split("\n", 1)[0]
        assert tuple(header.split(",")) == spec.column_names, spec.name


def test_every_file_has_rows(tables: dict[str, pl.DataFrame]) -> None:
    assert {name: t.height for name, t in tables.items() if t.height == 0} == {}


def test_manifest_is_deterministic(extract: Path) -> None:
    manifest = json.loads((extract / MANIFEST_FILE).read_text())
    assert tuple(manifest) == MANIFEST_KEYS
    assert manifest == {
        "extract_id": f"synthetic-s{SEED}-n{SKUS}-{AS_OF}",
        "created_at": f"{AS_OF}T02:00:00Z",
        "source_system": "planner-generate",
    }


@pytest.mark.parametrize("spec", EXTRACT_FILES, ids=lambda s: s.name)
def test_required_columns_are_filled(tables: dict[str, pl.DataFrame], spec: ExtractFile) -> None:
    nulls = tables[spec.name].select(spec.required_columns).null_count().row(0, named=True)
    assert {column: n for column, n in nulls.items() if n} == {}


@pytest.mark.parametrize("spec", EXTRACT_FILES, ids=lambda s: s.name)
def test_values_are_within_the_contract(tables: dict[str, pl.DataFrame], spec: ExtractFile) -> None:
    table = tables[spec.name]
    for column in spec.columns:
        values = table[column.name].drop_nulls()
        if column.values is not None:
            assert set(values) <= set(column.values), column.name
        if column.minimum is not None:
            below = (
                values <= column.minimum if column.minimum_exclusive else values < column.minimum
            )
            assert not below.any(), column.name
        if column.maximum is not None:
            above = (
                values >= column.maximum if column.maximum_exclusive else values > column.maximum
            )
            assert not above.any(), column.name


@pytest.mark.parametrize("spec", [s for s in EXTRACT_FILES if s.key], ids=lambda s: s.name)
def test_keys_are_unique(tables: dict[str, pl.DataFrame], spec: ExtractFile) -> None:
    keys = tables[spec.name].select(pl.col(spec.key).cast(pl.String).fill_null(""))
    assert keys.is_duplicated().sum() == 0


@pytest.mark.parametrize(
    ("spec", "reference"),
    [
        pytest.param(s, r, id=f"{s.name}.{'+'.join(r.columns)}")
        for s in EXTRACT_FILES
        for r in s.references
    ],
)
def test_references_resolve(
    tables: dict[str, pl.DataFrame], spec: ExtractFile, reference: Reference
) -> None:
    referring = tables[spec.name].select(reference.columns).drop_nulls()
    target = tables[reference.target].select(
        pl.col(t).alias(c) for t, c in zip(reference.target_columns, reference.columns, strict=True)
    )
    dangling = referring.join(target.unique(), on=list(reference.columns), how="anti")
    assert dangling.height == 0, dangling.head()


@pytest.mark.parametrize("spec", [s for s in EXTRACT_FILES if s.ordered], ids=lambda s: s.name)
def test_ordered_columns_are_in_order(tables: dict[str, pl.DataFrame], spec: ExtractFile) -> None:
    table = tables[spec.name]
    for rule in spec.ordered:
        earlier, later = pl.col(rule.earlier), pl.col(rule.later)
        wrong = later <= earlier if rule.strict else later < earlier
        assert table.filter(wrong).height == 0, (rule.earlier, rule.later)


@pytest.mark.parametrize(
    "spec", [s for s in EXTRACT_FILES if s.required_when], ids=lambda s: s.name
)
def test_conditionally_required_columns_are_filled(
    tables: dict[str, pl.DataFrame], spec: ExtractFile
) -> None:
    for rule in spec.required_when:
        rows = tables[spec.name].filter(pl.col(rule.when_column) == rule.when_value)
        assert rows[rule.column].null_count() == 0, rule.column


def test_whole_quantities_are_written_without_decimals(extract: Path) -> None:
    qty = pl.read_csv(extract / "on_hand.csv", infer_schema=False)["qty"]
    assert not qty.str.ends_with(".0").any()
    assert qty.str.contains(r"^\d+(\.\d+)?$").all()


# --- the network's shape ----------------------------------------------------------------------


@pytest.mark.parametrize("skus", [MIN_SKUS, MIN_SKUS + 1, 257, 1_234])
def test_exactly_the_requested_number_of_skus(tmp_path: Path, skus: int) -> None:
    counts = generate_extract(tmp_path, skus=skus, seed=7, as_of=AS_OF)
    assert counts["skus"] == skus
    assert pl.read_csv(tmp_path / "skus.csv").height == skus


def test_too_few_skus_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        generate_extract(tmp_path, skus=MIN_SKUS - 1, seed=7, as_of=AS_OF)


def test_location_types(tables: dict[str, pl.DataFrame]) -> None:
    types = tables["locations"].group_by("location_type").len()
    assert dict(types.iter_rows()) == {"plant": 2, "warehouse": 1, "dc": 3}


def _bom_heights(bom: pl.DataFrame) -> pl.DataFrame:
    """Levels from each item down to its deepest purchased part; raises on a cycle."""
    edges = bom.select(parent="parent_item_id", component="component_item_id").unique()
    items = pl.concat([edges["parent"], edges["component"]]).unique()
    height = pl.DataFrame({"item": items, "height": 1})
    for _ in range(12):
        deeper = (
            edges.join(height, left_on="component", right_on="item")
            .group_by("parent")
            .agg((pl.col("height").max() + 1).alias("below"))
        )
        updated = height.join(deeper, left_on="item", right_on="parent", how="left").select(
            "item", height=pl.max_horizontal("height", "below")
        )
        if updated.sort("item").equals(height.sort("item")):
            return height
        height = updated
    raise AssertionError("BOM heights do not converge: a cycle")


def test_bom_has_three_to_five_levels_and_no_cycle(tables: dict[str, pl.DataFrame]) -> None:
    bom = tables["bom"]
    heights = _bom_heights(bom)
    tops = heights.filter(~pl.col("item").is_in(bom["component_item_id"].implode()))
    assert tops["height"].min() >= 3
    assert tops["height"].max() == 5
    assert set(tops["height"]) == {3, 4, 5}
    assert tops["item"].str.starts_with("FG-").all()


def test_components_are_shared_by_several_parents(tables: dict[str, pl.DataFrame]) -> None:
    parents = tables["bom"].group_by("component_item_id").agg(pl.col("parent_item_id").n_unique())
    shared = parents.filter(pl.col("parent_item_id") > 1)["component_item_id"]
    assert shared.str.starts_with("SA-").any()
    assert shared.str.starts_with("RM-").any()
    assert shared.str.starts_with("CM-").any()


def test_bom_lines_at_a_plant_and_at_every_plant(tables: dict[str, pl.DataFrame]) -> None:
    bom = tables["bom"]
    assert bom["location_id"].null_count() > 0
    assert bom["location_id"].drop_nulls().str.starts_with("PL").all()
    assert bom["scrap_rate"].drop_nulls().is_between(0, 0.1).all()
    assert bom["valid_from"].drop_nulls().len() > 0
    assert bom["valid_to"].drop_nulls().len() > 0


def _bom_at_plants(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """BOM lines per plant they apply at: their own plant or, when empty, every plant."""
    plants = tables["locations"].filter(pl.col("location_type") == "plant").select("location_id")
    bom = tables["bom"]
    everywhere = (
        bom.filter(pl.col("location_id").is_null()).drop("location_id").join(plants, how="cross")
    )
    return pl.concat([bom.filter(pl.col("location_id").is_not_null()), everywhere], how="diagonal")


def test_make_skus_have_bom_and_routing_and_components_are_stocked(
    tables: dict[str, pl.DataFrame],
) -> None:
    skus = tables["skus"]
    make = skus.filter(pl.col("replenishment") == "make").select("item_id", "location_id")
    lines = _bom_at_plants(tables).rename({"parent_item_id": "item_id"})
    assert make.join(lines, on=["item_id", "location_id"], how="anti").height == 0
    assert make.join(tables["routings"], on=["item_id", "location_id"], how="anti").height == 0
    needed = make.join(lines, on=["item_id", "location_id"]).select(
        item_id="component_item_id", location_id="location_id"
    )
    assert needed.join(skus, on=["item_id", "location_id"], how="anti").height == 0


def test_sku_types_follow_the_item(tables: dict[str, pl.DataFrame]) -> None:
    skus = tables["skus"]
    kinds = skus.group_by("replenishment").agg(pl.col("item_id").str.slice(0, 2).unique().sort())
    assert dict(kinds.iter_rows()) == {
        "make": ["FG", "SA"],
        "buy": ["CM", "RM"],
        "transfer": ["FG"],
    }
    buy = skus.filter(pl.col("replenishment") == "buy")
    assert buy["supplier_id"].null_count() == 0
    assert (
        skus.filter(pl.col("replenishment") != "buy")["supplier_id"].null_count()
        == skus.height - buy.height
    )


def test_transfer_sources_make_or_buy_the_item(tables: dict[str, pl.DataFrame]) -> None:
    skus = tables["skus"]
    transfers = skus.filter(pl.col("replenishment") == "transfer")
    assert transfers["location_id"].str.contains("^(WH|DC)").all()
    sources = skus.filter(pl.col("replenishment").is_in(["make", "buy"])).select(
        "item_id", source_location_id="location_id"
    )
    assert transfers.join(sources, on=["item_id", "source_location_id"], how="anti").height == 0


def test_lot_policies_carry_their_parameters(tables: dict[str, pl.DataFrame]) -> None:
    skus = tables["skus"].join(tables["items"], on="item_id")
    assert set(skus["lot_policy"]) == {"lot_for_lot", "fixed", "eoq", "period", "wagner_whitin"}
    assert skus.filter((pl.col("lot_policy") == "fixed") & pl.col("lot_size").is_null()).height == 0
    assert (
        skus.filter((pl.col("lot_policy") == "period") & pl.col("period_days").is_null()).height
        == 0
    )
    costed = skus.filter(pl.col("lot_policy").is_in(["eoq", "wagner_whitin"]))
    assert (
        costed.select("order_cost", "holding_rate", "unit_cost")
        .null_count()
        .sum_horizontal()
        .item()
        == 0
    )
    for optional in ("min_qty", "max_qty", "multiple", "safety_stock", "yield_rate"):
        assert skus[optional].drop_nulls().len() > 0, optional
    assert skus["yield_rate"].drop_nulls().is_between(0.9, 1).all()
    assert skus.filter(pl.col("max_qty") < pl.col("min_qty")).height == 0
    assert skus["lead_time_days"].is_between(0, 30).all()


def test_routings_have_alternatives_on_the_same_plant(tables: dict[str, pl.DataFrame]) -> None:
    routings = tables["routings"].join(
        tables["work_centers"].select("work_center_id", plant="location_id"), on="work_center_id"
    )
    assert (routings["location_id"] == routings["plant"]).all()
    per_op = routings.group_by("item_id", "location_id", "op_seq").len()
    assert per_op["len"].max() == 2
    ops = routings.group_by("item_id", "location_id").agg(pl.col("op_seq").unique().sort())
    assert ops["op_seq"].list.len().is_between(1, 4).all()
    assert all(s == list(range(10, 10 * len(s) + 1, 10)) for s in ops["op_seq"].to_list())


def test_people_have_every_skill_routings_need_at_each_plant(
    tables: dict[str, pl.DataFrame],
) -> None:
    needed = tables["routings"].select("location_id", "skill").unique()
    available = tables["personnel"].select("location_id", "skill").unique()
    assert needed.join(available, on=["location_id", "skill"], how="anti").height == 0
    assert tables["personnel"]["person_id"].is_duplicated().any()  # multi-skilled people


def test_busy_work_centers_run_nights_ending_next_day(tmp_path: Path) -> None:
    generate_extract(tmp_path, skus=3_000, seed=7, as_of=AS_OF)
    shifts = read(tmp_path, EXTRACT_FILES_BY_NAME["shifts"])
    assert shifts.filter(pl.col("end_time") <= pl.col("start_time")).height > 0
    # weekdays only: one work centre's Saturday shift would make Saturday a working day
    # of its whole plant, and work orders start on it
    assert set(shifts["weekday"]) == {0, 1, 2, 3, 4}


def test_light_work_centers_run_part_of_the_week_on_one_unit(
    tables: dict[str, pl.DataFrame],
) -> None:
    days = tables["shifts"].group_by("work_center_id").agg(days=pl.col("weekday").n_unique())
    centers = tables["work_centers"].join(days, on="work_center_id")
    assert centers["days"].min() >= 3
    assert (centers.filter(pl.col("days") < 5)["capacity_units"] == 1).all()


def test_downtime_falls_in_the_first_weeks(tables: dict[str, pl.DataFrame]) -> None:
    start = tables["downtime"]["start_at"].dt.date()
    assert start.min() >= AS_OF
    assert start.max() < AS_OF + timedelta(weeks=4)


def test_stock_statuses(tables: dict[str, pl.DataFrame]) -> None:
    assert set(tables["on_hand"]["status"]) == {"available", "qa_hold", "blocked"}


def test_open_orders_straddle_as_of(tables: dict[str, pl.DataFrame]) -> None:
    pos = tables["open_purchase_orders"]["due_date"]
    assert (pos < AS_OF).any() and (pos >= AS_OF).any()
    transfers = tables["open_transfers"]["ship_date"]
    assert (transfers < AS_OF).any() and (transfers >= AS_OF).any()
    assert set(tables["open_work_orders"]["status"]) == {"planned", "released", "in_progress"}
    sales = tables["sales_orders"]
    assert (sales["due_date"] < AS_OF).any()
    assert sales["project_id"].drop_nulls().len() > 0


def test_supply_matches_replenishment(tables: dict[str, pl.DataFrame]) -> None:
    skus = tables["skus"]
    for orders, replenishment in [
        ("open_purchase_orders", "buy"),
        ("open_work_orders", "make"),
    ]:
        kinds = tables[orders].join(skus, on=["item_id", "location_id"])["replenishment"]
        assert set(kinds) == {replenishment}, orders
    transfers = tables["open_transfers"].join(
        skus,
        left_on=["item_id", "to_location_id", "from_location_id"],
        right_on=["item_id", "location_id", "source_location_id"],
    )
    assert transfers.height == tables["open_transfers"].height


def test_sales_and_forecast_are_for_finished_goods(tables: dict[str, pl.DataFrame]) -> None:
    for demand in ("sales_orders", "forecast"):
        assert tables[demand]["item_id"].str.starts_with("FG-").all(), demand
        sold_where = tables[demand].join(tables["skus"], on=["item_id", "location_id"], how="anti")
        assert sold_where.height == 0, demand


def test_forecast_is_weekly_from_the_monday_of_as_of(tables: dict[str, pl.DataFrame]) -> None:
    forecast = tables["forecast"]
    assert (forecast["period_start"].dt.weekday() == 1).all()  # polars: Monday is 1
    assert forecast["period_start"].min() == AS_OF - timedelta(days=AS_OF.weekday())
    assert forecast["period_start"].max() <= AS_OF + timedelta(days=HORIZON_DAYS - 1)
    weeks = forecast.group_by("item_id", "location_id").len()["len"]
    assert set(weeks) == {HORIZON_DAYS // 7}
    assert set(forecast["period_days"]) == {7}


def test_orders_group_lines_of_one_partner_and_location(tables: dict[str, pl.DataFrame]) -> None:
    for orders, partner in [
        ("sales_orders", "customer_id"),
        ("open_purchase_orders", "supplier_id"),
    ]:
        order_id = "so_id" if orders == "sales_orders" else "po_id"
        per_order = tables[orders].group_by(order_id).agg(pl.col(partner, "location_id").n_unique())
        assert per_order[partner].max() == 1 and per_order["location_id"].max() == 1, orders
        assert per_order.height < tables[orders].height, orders  # some orders have several lines


def test_milestones_are_closed_by_project_orders(tables: dict[str, pl.DataFrame]) -> None:
    project_orders = tables["sales_orders"].select("so_id", "project_id").unique()
    milestones = tables["milestones"].join(project_orders, on="so_id", how="left", suffix="_so")
    assert (milestones["project_id"] == milestones["project_id_so"]).all()
    assert milestones["project_id"].n_unique() >= 3


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_whatever_the_chunk_size(
    extract: Path, tmp_path: Path
) -> None:
    generate_extract(tmp_path, skus=SKUS, seed=SEED, as_of=AS_OF, chunk_skus=50)
    assert _files(tmp_path) == _files(extract)


def test_chunking_many_blocks_does_not_change_the_output(tmp_path: Path) -> None:
    whole, chunked = tmp_path / "whole", tmp_path / "chunked"
    generate_extract(whole, skus=30_000, seed=3, as_of=AS_OF)
    generate_extract(chunked, skus=30_000, seed=3, as_of=AS_OF, chunk_skus=5_000)
    assert _files(whole) == _files(chunked)


def test_another_seed_gives_another_network(extract: Path, tmp_path: Path) -> None:
    generate_extract(tmp_path, skus=SKUS, seed=SEED + 1, as_of=AS_OF)
    different = _files(tmp_path)
    assert different["locations.csv"] == _files(extract)["locations.csv"]
    assert different["skus.csv"] != _files(extract)["skus.csv"]
    assert different["bom.csv"] != _files(extract)["bom.csv"]


# --- working calendars and whole units --------------------------------------------------------


def test_every_site_keeps_its_countrys_holidays(tables: dict[str, pl.DataFrame]) -> None:
    holidays = tables["holidays"]
    assert set(holidays["location_id"]) == set(tables["locations"]["location_id"])
    assert holidays["date"].is_between(AS_OF, AS_OF + timedelta(days=HORIZON_DAYS - 1)).all()
    christmas = holidays.filter(pl.col("date") == date(2026, 12, 25))
    assert christmas.height == tables["locations"].height
    leeds = holidays.filter(pl.col("location_id") == "PL02")  # GB: Easter Monday, no Epiphany
    assert set(leeds["name"]) >= {"Boxing Day", "Good Friday", "Easter Monday"}
    assert date(2027, 1, 6) not in set(leeds["date"])


def test_one_plant_shutdown_week_between_christmas_and_new_year(
    tables: dict[str, pl.DataFrame],
) -> None:
    shutdown = tables["holidays"].filter(pl.col("name") == "Plant shutdown")
    assert set(shutdown["location_id"]) == {"PL01"}
    closed = tables["holidays"].filter(pl.col("location_id") == "PL01")["date"]
    week = [date(2026, 12, 28) + timedelta(days=d) for d in range(5)]
    assert set(week) <= set(closed)
    assert set(shutdown["date"]) <= set(week)


# every quantity column of an item: (file, item column, quantity columns)
ITEM_QUANTITIES = (
    ("on_hand", "item_id", ("qty",)),
    ("open_purchase_orders", "item_id", ("qty_open",)),
    ("open_work_orders", "item_id", ("qty_open",)),
    ("open_transfers", "item_id", ("qty",)),
    ("sales_orders", "item_id", ("qty_open",)),
    ("forecast", "item_id", ("qty",)),
    ("bom", "component_item_id", ("qty_per",)),
    ("skus", "item_id", ("safety_stock", "lot_size", "min_qty", "max_qty", "multiple")),
)


@pytest.mark.parametrize(("skus", "seed"), [(MIN_SKUS, 1), (SKUS, SEED), (3_000, 7)])
def test_quantities_of_integer_qty_items_are_whole_in_every_file(
    tmp_path: Path, skus: int, seed: int
) -> None:
    generate_extract(tmp_path, skus=skus, seed=seed, as_of=AS_OF)
    extract = {spec.name: read(tmp_path, spec) for spec in EXTRACT_FILES}
    items = extract["items"]
    assert set(items["integer_qty"]) == {"true", "false"}
    assert (items["integer_qty"] == "true").to_list() == items["uom"].is_in(["EA"]).to_list()
    whole_items = items.filter(pl.col("integer_qty") == "true").select("item_id")
    for name, item_column, quantities in ITEM_QUANTITIES:
        rows = extract[name].join(whole_items, left_on=item_column, right_on="item_id")
        assert rows.height > 0, name
        for qty in quantities:
            values = rows[qty].drop_nulls()
            assert (values == values.round(0)).all(), f"{name}.{qty}"


# --- plants sized to their load ---------------------------------------------------------------


@pytest.fixture(
    scope="module", params=[(SKUS, SEED), (1_500, 7), (6_000, 11)], ids=lambda n: f"{n[0]}-{n[1]}"
)
def network(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, pl.DataFrame]:
    """The tables of generated extracts of several sizes and seeds."""
    skus, seed = request.param
    out = tmp_path_factory.mktemp(f"network-{skus}-{seed}")
    generate_extract(out, skus=skus, seed=seed, as_of=AS_OF)
    return {spec.name: read(out, spec) for spec in EXTRACT_FILES}


def _operations(tables: dict[str, pl.DataFrame], orders: pl.DataFrame, qty: str) -> pl.DataFrame:
    """Minutes each routing row (alternatives included) of each order takes: (setup + qty x
    run) / efficiency, as the scheduler counts them."""
    return (
        orders.join(tables["routings"], on=["item_id", "location_id"])
        .join(tables["work_centers"], on="work_center_id", suffix="_center")
        .with_columns(
            minutes=(pl.col("setup_minutes") + pl.col(qty) * pl.col("run_minutes_per_unit"))
            / pl.col("efficiency")
        )
    )


def test_a_largest_lot_runs_each_operation_within_one_shift(
    network: dict[str, pl.DataFrame],
) -> None:
    make = network["skus"].filter(pl.col("replenishment") == "make")
    assert make["max_qty"].null_count() == 0
    assert make.filter(pl.col("lot_size") > pl.col("max_qty")).height == 0
    assert make.filter(pl.col("min_qty") > pl.col("max_qty")).height == 0
    assert _operations(network, make, "max_qty")["minutes"].max() <= 8 * 60
    open_orders = _operations(network, network["open_work_orders"], "qty_open")
    assert open_orders["minutes"].max() <= 8 * 60


def test_production_lead_times_cover_the_routing_at_one_shift_a_day(
    network: dict[str, pl.DataFrame],
) -> None:
    work = (
        _operations(network, network["open_work_orders"], "qty_open")
        .group_by("wo_id", "item_id", "location_id", "op_seq")
        .agg(pl.col("minutes").min())
        .group_by("wo_id", "item_id", "location_id")
        .agg(work_days=pl.col("minutes").sum() / (8 * 60), operations=pl.len())
        .join(network["skus"], on=["item_id", "location_id"])
    )
    working_days = pl.col("lead_time_days") * 5 / 7
    assert work.filter(working_days < pl.col("work_days") + pl.col("operations")).height == 0


def test_every_work_center_runs_the_early_shift_monday_to_friday(
    network: dict[str, pl.DataFrame],
) -> None:
    """No part-time work centre: on two to four days a week one lot is most of a week's hours."""
    early = (
        network["shifts"]
        .filter(pl.col("start_time") == time(6), pl.col("end_time") == time(14))
        .group_by("work_center_id")
        .agg(weekdays=pl.col("weekday").unique().sort())
    )
    centers = network["work_centers"].join(early, on="work_center_id", how="left")
    weekdays = centers["weekdays"].fill_null([]).to_list()
    assert all(set(days) >= {0, 1, 2, 3, 4} for days in weekdays), centers


def test_every_unit_on_a_shift_has_a_qualified_person_on_it(
    network: dict[str, pl.DataFrame],
) -> None:
    skill_of = {"CUT": "cutting", "MCH": "machining", "WLD": "welding", "PNT": "painting"}
    skill_of |= {"ASM": "assembly", "TST": "testing", "PCK": "packing"}
    running = (
        network["shifts"]
        .select("work_center_id", "start_time")
        .unique()
        .join(network["work_centers"], on="work_center_id")
        .with_columns(
            skill=pl.col("work_center_id").str.slice(5, 3).replace_strict(skill_of),
        )
        .group_by("location_id", "skill", "start_time")
        .agg(units=pl.col("capacity_units").sum())
    )
    crews = (
        network["personnel"]
        .group_by("location_id", "skill", start_time="shift_start")
        .agg(people=pl.len())
    )
    staffed = running.join(crews, on=["location_id", "skill", "start_time"], how="left")
    assert staffed.filter(pl.col("people").fill_null(0) < pl.col("units")).height == 0
