"""Synthetic ERP extract: a manufacturing and distribution network of any size.

The network is built from product families. A family is a few finished goods
that share subassemblies and purchased parts over 3 to 5 BOM levels; it is made
at one plant (BOM lines carry that plant) or at two (BOM lines valid at every
plant), and its finished goods are stocked at some warehouses and DCs, which
are resupplied from a plant that makes them. Consumables (fasteners,
packaging) are shared by every family and bought at every plant.

Families come in fixed blocks of ``BLOCK_FAMILIES``, each drawn from its own
random stream, and are appended to the CSV files a chunk of blocks at a time:
the files for one ``(skus, seed, as_of)`` are byte-identical whatever
``chunk_skus`` is, and memory stays flat up to millions of SKUs.

The shop floor is written last: each block adds the load its demand puts
on the plants' work centres, and the work centres' units and shifts, and the
people on them, are then sized so most run at 60-90 % on average and a
plant's one or two busiest are its bottlenecks (``planning.extract.sites``).
Sites keep their country's public holidays (``planning.extract.holidays``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl

from planning.config import Settings
from planning.contract import (
    EXTRACT_FILES,
    EXTRACT_FILES_BY_NAME,
    LOT_POLICIES,
    MANIFEST_FILE,
    REPLENISHMENT_TYPES,
    STOCK_STATUSES,
    WHOLE_UNIT_UOMS,
    WORK_ORDER_STATUSES,
    Column,
    ExtractFile,
    Kind,
)
from planning.errors import PlannerError
from planning.extract.arrays import codes, rank_in_run, repeat_rank
from planning.extract.sites import (
    MAX_OPERATION_MINUTES,
    PROCESSES,
    SETUP_FAMILIES,
    SHIFT_HOURS,
    NetworkScale,
    Sites,
    build_sites,
    size_shop_floor,
)

SOURCE_SYSTEM = "planner-generate"
MIN_SKUS = 100  # below this a network with plants, DCs and 3-level BOMs does not fit
HORIZON_DAYS = Settings.horizon_days  # the planner's default horizon, covered by the forecast
HORIZON_WEEKS = HORIZON_DAYS / 7
BLOCK_FAMILIES = 400  # families per random stream
MAX_BOM_LEVELS = 5
DECIMALS = 4  # decimal places written for quantities, costs and rates

MAKE, BUY, TRANSFER = (REPLENISHMENT_TYPES.index(r) for r in ("make", "buy", "transfer"))
FIXED, EOQ, PERIOD, WAGNER_WHITIN = (
    LOT_POLICIES.index(p) for p in ("fixed", "eoq", "period", "wagner_whitin")
)
PLANNED, RELEASED, IN_PROGRESS = (
    WORK_ORDER_STATUSES.index(s) for s in ("planned", "released", "in_progress")
)
# Item kinds; the first three are numbered per family, consumables once for the network.
FINISHED_GOOD, SUBASSEMBLY, PURCHASED_PART, CONSUMABLE = range(4)
ITEM_PREFIXES = ("FG-", "SA-", "RM-", "CM-")
ITEM_GROUPS = ("finished_goods", "subassemblies", "purchased_parts", "consumables")

_SITES_STREAM, _FAMILIES_STREAM, _CONSUMABLES_STREAM, _BLOCK_STREAM, _SHOP_FLOOR_STREAM = range(5)


# --- vocabulary -------------------------------------------------------------------------------


# Run minutes per unit are capped so a week of a SKU's volume takes at most this long per
# operation: high-volume parts run on fast machines.
MAX_WEEKLY_RUN_MINUTES = 400
QUEUE_DAYS_PER_OPERATION = 1  # waiting before each operation, in the production lead time


@dataclass(frozen=True)
class Material:
    name: str
    uom: str
    median_cost: float  # per uom


MATERIALS = (
    Material("Steel sheet", "KG", 2.5),
    Material("Aluminium profile", "KG", 6.0),
    Material("Stainless bar", "KG", 8.0),
    Material("Polyamide granulate", "KG", 4.0),
    Material("Copper cable", "M", 1.8),
    Material("Hydraulic hose", "M", 7.5),
    Material("Paint", "L", 12.0),
    Material("Gear oil", "L", 9.0),
    Material("Bearing", "EA", 6.0),
    Material("Gasket", "EA", 0.9),
    Material("Sensor", "EA", 35.0),
    Material("Printed circuit board", "EA", 28.0),
    Material("Electric motor", "EA", 120.0),
    Material("Connector", "EA", 1.6),
    Material("Valve seat", "EA", 4.5),
    Material("Spring", "EA", 0.4),
)
CONSUMABLES = (
    Material("Hex bolt", "EA", 0.12),
    Material("Hex nut", "EA", 0.05),
    Material("Washer", "EA", 0.02),
    Material("Cable tie", "EA", 0.03),
    Material("Label", "EA", 0.04),
    Material("Carton box", "EA", 1.2),
    Material("Pallet", "EA", 9.0),
    Material("Stretch film", "M", 0.05),
    Material("Grease", "KG", 7.0),
    Material("Thread locker", "L", 45.0),
)
PRODUCT_LINES = (
    "Centrifugal pump", "Ball valve", "Gear motor", "Air compressor", "Heat exchanger",
    "Control cabinet", "Conveyor module", "Hydraulic cylinder", "Industrial fan", "Water heater",
    "Frequency drive", "Pressure sensor", "Filter unit", "Dosing pump", "Cooling unit", "Mixer",
)  # fmt: skip
SUBASSEMBLY_NAMES = (
    "housing", "panel", "frame", "shaft assembly", "control board", "wiring harness", "cover",
    "base plate", "module", "drive unit", "seal kit", "bracket",
)  # fmt: skip
MILESTONE_NAMES = (
    "Prototype delivery",
    "First article inspection",
    "Series delivery",
    "Final delivery",
)

# Shares of the LOT_POLICIES (lot_for_lot, fixed, eoq, period, wagner_whitin) per
# replenishment (make, buy, transfer)
LOT_POLICY_MIX = np.array(
    [
        [0.38, 0.25, 0.12, 0.18, 0.07],
        [0.25, 0.28, 0.22, 0.18, 0.07],
        [0.55, 0.20, 0.0, 0.25, 0.0],
    ]
)
PACK_SIZES = np.array([5.0, 10, 12, 24, 25, 50, 100])  # order multiples
MULTIPLE_SHARE = np.array([0.10, 0.35, 0.20])  # per replenishment
SAFETY_STOCK_SHARE = np.array([0.35, 0.10, 0.40, 0.40])  # per item kind, at plants
TRANSFER_SAFETY_STOCK_SHARE = 0.60
WORK_ORDER_STATUS_MIX = np.array([0.3, 0.4, 0.3])  # planned, released, in_progress
MAX_MAKE_LOT_WEEKS = 2  # longest economic production lot, in weeks of the SKU's volume
STOCK_STATUS_SHARE = {"available": 0.92, "qa_hold": 0.06, "blocked": 0.03}  # of SKUs holding some


# --- public API -------------------------------------------------------------------------------


class GenerateArgumentError(PlannerError, ValueError):
    """A size the generator cannot build a network for; the CLI prints it as an error."""


def generate_extract(
    out_dir: Path, *, skus: int, seed: int, as_of: date, chunk_skus: int = 50_000
) -> dict[str, int]:
    """Write a complete contract-conforming extract into out_dir; return row counts per file name.

    ``skus`` is the exact number of rows of ``skus.csv``; the other files scale
    with it. ``as_of`` is the planning date the open orders, downtime and
    forecast are placed around. Rows are appended about ``chunk_skus`` SKUs at
    a time, which bounds memory without changing a byte of the output.
    """
    if skus < MIN_SKUS:
        raise GenerateArgumentError(
            f"a synthetic extract needs at least {MIN_SKUS} SKUs, got {skus}"
        )
    if seed < 0:
        raise GenerateArgumentError(f"the seed must not be negative, got {seed}")
    if chunk_skus < 1:
        raise GenerateArgumentError(f"chunk_skus must be positive, got {chunk_skus}")
    network = _network(skus, seed, as_of)
    consumables = network.consumables
    families = _families(
        network.scale, skus - consumables.skus.height, _random(seed, _FAMILIES_STREAM)
    )
    numbering = _Numbering()
    out_dir.mkdir(parents=True, exist_ok=True)
    row_counts = dict.fromkeys(EXTRACT_FILES_BY_NAME, 0)
    weekly_minutes = np.zeros(len(network.sites.work_center_id))  # load per work centre
    with _extract_files(out_dir) as files:
        consumable_stock = _stock_and_supply(
            consumables.skus, _random(seed, _CONSUMABLES_STREAM, 1), numbering, as_of
        )
        network_tables = {"items": consumables.items, "skus": consumables.skus}
        _append(files, network.sites.tables | network_tables | consumable_stock, row_counts)
        for blocks in _chunks(families, chunk_skus):
            block_tables = []
            for b in blocks:
                block = _family_block(
                    families.block(b), network, _random(seed, _BLOCK_STREAM, b), numbering, as_of
                )
                block_tables.append(block.tables)
                weekly_minutes += block.weekly_minutes
            _append(files, _concat_tables(block_tables), row_counts)
        shop_floor = size_shop_floor(
            network.sites, weekly_minutes, _random(seed, _SHOP_FLOOR_STREAM)
        )
        _append(files, shop_floor, row_counts)
    _write_manifest(out_dir, skus=skus, seed=seed, as_of=as_of)
    return row_counts


# --- the network every family draws on -------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """Sizes, sites and shared consumables: what every block of families draws on."""

    scale: NetworkScale
    sites: Sites
    consumables: Consumables


def _network(skus: int, seed: int, as_of: date) -> Network:
    scale = NetworkScale.for_skus(skus)
    last = as_of + timedelta(days=HORIZON_DAYS - 1)
    sites = build_sites(scale, _random(seed, _SITES_STREAM), as_of, last)
    return Network(scale, sites, _consumables(scale, sites, _random(seed, _CONSUMABLES_STREAM)))


# --- product families -------------------------------------------------------------------------


@dataclass(frozen=True)
class Families:
    """The shape of every product family, one array entry per family."""

    number: np.ndarray  # 0-based family number; picks its product line and setup families
    depth: np.ndarray  # BOM levels from finished good to purchased part, 3..5
    level_sizes: np.ndarray  # (families, MAX_BOM_LEVELS) items per level; purchased at depth-1
    plant_count: np.ndarray  # plants making the family: 1 (plant BOM) or 2 (BOM for every plant)
    home_plant: np.ndarray
    second_plant: np.ndarray  # used when plant_count is 2
    breadth: np.ndarray  # warehouses and DCs stocking each finished good
    distribution_skus: np.ndarray  # transfer SKUs: breadth per finished good, fewer in a tail
    # (families, 3) first item number of the finished goods, subassemblies and purchased parts
    first_numbers: np.ndarray

    @property
    def skus(self) -> np.ndarray:
        return self.level_sizes.sum(axis=1) * self.plant_count + self.distribution_skus

    def block(self, index: int) -> Families:
        return self.take(slice(index * BLOCK_FAMILIES, (index + 1) * BLOCK_FAMILIES))

    def take(self, part: slice) -> Families:
        return Families(**{f.name: getattr(self, f.name)[part] for f in fields(self)})

    def then(self, other: Families) -> Families:
        return Families(
            **{
                f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])
                for f in fields(self)
            }
        )

    def numbered(self) -> Families:
        """Families numbered in order, their items numbered consecutively per kind."""
        rows = np.arange(len(self.depth))
        purchased = self.level_sizes[rows, self.depth - 1]
        finished = self.level_sizes[:, 0]
        per_kind = np.stack(
            [finished, self.level_sizes.sum(axis=1) - finished - purchased, purchased], axis=1
        )
        first_numbers = np.cumsum(per_kind, axis=0) - per_kind + 1
        return replace(self, number=rows, first_numbers=first_numbers)


def _families(scale: NetworkScale, skus: int, rng: np.random.Generator) -> Families:
    """Draw families until they hold ``skus`` SKUs; a tail family makes the count exact."""
    drawn = _draw_families(scale, skus // 4 + 2, rng)  # a family holds at least 4 SKUs
    whole = int(np.searchsorted(np.cumsum(drawn.skus), skus, side="right"))
    remainder = skus - int(drawn.skus[:whole].sum())
    if 0 < remainder < 3:  # too few for a family of its own: rebuild the last one bigger
        whole -= 1
        remainder += int(drawn.skus[whole])
    families = drawn.take(slice(0, whole))
    if remainder:
        families = families.then(_tail_family(scale, remainder, rng))
    return families.numbered()


def _draw_families(scale: NetworkScale, n: int, rng: np.random.Generator) -> Families:
    depth = rng.choice([3, 4, 5], n, p=[0.45, 0.35, 0.20])
    level_sizes = np.zeros((n, MAX_BOM_LEVELS), np.int64)
    level_sizes[:, 0] = rng.choice([1, 2, 3, 4, 5], n, p=[0.15, 0.30, 0.25, 0.18, 0.12])
    level_sizes[:, 1] = rng.integers(1, 5, n)
    level_sizes[:, 2] = np.where(depth > 3, rng.integers(1, 4, n), 0)
    level_sizes[:, 3] = np.where(depth > 4, rng.integers(1, 4, n), 0)
    level_sizes[np.arange(n), depth - 1] = rng.integers(2, 9, n)
    breadth_mix = np.r_[0.1, np.full(scale.max_breadth, 0.9 / scale.max_breadth)]
    breadth = rng.choice(scale.max_breadth + 1, n, p=breadth_mix)
    home_plant = rng.integers(0, scale.plants, n)
    return Families(
        number=np.arange(n),
        depth=depth,
        level_sizes=level_sizes,
        plant_count=np.where(rng.random(n) < 0.25, 2, 1),
        home_plant=home_plant,
        second_plant=(home_plant + rng.integers(1, scale.plants, n)) % scale.plants,
        breadth=breadth,
        distribution_skus=level_sizes[:, 0] * breadth,
        first_numbers=np.zeros((n, 3), np.int64),
    )


def _tail_family(scale: NetworkScale, skus: int, rng: np.random.Generator) -> Families:
    """A 3-level family made at one plant holding exactly ``skus`` (>= 3) SKUs."""
    finished = int(np.clip(skus // 8, 1, 5))
    subassemblies = int(np.clip(skus // 8, 1, 4))
    distribution = min(finished * scale.max_breadth, skus - finished - subassemblies - 1)
    level_sizes = np.zeros((1, MAX_BOM_LEVELS), np.int64)
    level_sizes[0, :3] = finished, subassemblies, skus - finished - subassemblies - distribution
    home_plant = rng.integers(0, scale.plants, 1)
    return Families(
        number=np.zeros(1, np.int64),
        depth=np.array([3]),
        level_sizes=level_sizes,
        plant_count=np.array([1]),
        home_plant=home_plant,
        second_plant=(home_plant + 1) % scale.plants,
        breadth=np.array([-(-distribution // finished)]),
        distribution_skus=np.array([distribution]),
        first_numbers=np.zeros((1, 3), np.int64),
    )


def _chunks(families: Families, chunk_skus: int) -> Iterator[list[int]]:
    """Consecutive blocks holding about ``chunk_skus`` SKUs together (at least one block)."""
    block_skus = np.add.reduceat(families.skus, np.arange(0, len(families.number), BLOCK_FAMILIES))
    chunk_of_block = (np.cumsum(block_skus) - block_skus) // chunk_skus
    for chunk in np.unique(chunk_of_block):
        yield np.flatnonzero(chunk_of_block == chunk).tolist()


# --- consumables: bought at every plant, used by every family ----------------------------------


@dataclass(frozen=True)
class Consumables:
    """Fasteners, packaging and the like: bought at every plant, used across families."""

    item_id: pl.Series
    unit_cost: np.ndarray  # per uom
    discrete: np.ndarray  # counted in whole units
    items: pl.DataFrame
    skus: pl.DataFrame  # with the planning columns _stock_and_supply reads


def _consumables(scale: NetworkScale, sites: Sites, rng: np.random.Generator) -> Consumables:
    n = scale.consumables
    material = np.arange(n) % len(CONSUMABLES)
    uom = pl.Series([m.uom for m in CONSUMABLES]).gather(material)
    discrete = uom.is_in(WHOLE_UNIT_UOMS).to_numpy()
    unit_cost = np.round(
        np.array([m.median_cost for m in CONSUMABLES])[material] * rng.lognormal(0, 0.3, n), 2
    )
    item_id = codes(ITEM_PREFIXES[CONSUMABLE], np.arange(1, n + 1), 4)
    names = pl.Series([m.name for m in CONSUMABLES]).gather(material)
    size = np.arange(n) // len(CONSUMABLES) + 1  # the n-th bolt, nut... is the n-th size
    items = pl.DataFrame(
        {
            "item_id": item_id,
            "uom": uom,
            "description": names + " size " + pl.Series(size).cast(pl.String),
            "unit_cost": np.maximum(unit_cost, 0.01),
            "item_group": ITEM_GROUPS[CONSUMABLE],
            "integer_qty": _booleans(discrete),
        }
    )
    item = np.repeat(np.arange(n), scale.plants)
    plant = np.tile(np.arange(scale.plants), n)
    supplier = rng.integers(0, scale.suppliers, n)[item]
    skus = _sku_frame(
        rng,
        item_id=item_id.gather(item),
        location_no=plant,
        location_id=sites.location_id,
        replenishment=np.full(len(item), BUY),
        kind=np.full(len(item), CONSUMABLE),
        lead_time_days=rng.integers(3, 15, len(item)),
        weekly_volume=rng.lognormal(np.log(400), 1.0, len(item)),
        unit_cost=unit_cost[item],
        discrete=discrete[item],
        family=np.full(len(item), -1),
        plant=plant,
        supplier=supplier,
        source_plant=np.full(len(item), -1),
        customer_demand=np.zeros(len(item)),
    )
    return Consumables(item_id, unit_cost, discrete, items, skus)


# --- one block of families --------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One block of families: its extract rows and the load its demand puts on the plants."""

    tables: dict[str, pl.DataFrame]
    weekly_minutes: np.ndarray  # per work centre: average minutes a week over the horizon


def _family_block(
    families: Families,
    network: Network,
    rng: np.random.Generator,
    numbering: _Numbering,
    as_of: date,
) -> Block:
    """Every extract row that belongs to one block of families."""
    scale, sites, consumables = network.scale, network.sites, network.consumables
    items = _family_items(families, rng)
    bom = _bill_of_materials(families, items, consumables, sites, rng, as_of)
    unit_cost, weekly_volume = _roll_up(items, bom, consumables, rng)
    skus = _family_skus(families, items, unit_cost, weekly_volume, sites, scale, rng)
    routing = _routings(skus, sites, rng)
    skus = _fit_to_routings(skus, routing, sites)
    sales_orders = _sales_orders(skus, rng, numbering, scale, as_of)
    projects = max(3, len(families.number) // 100)
    project_orders, milestones = _projects(skus, projects, rng, numbering, scale, as_of)
    sales_orders = pl.concat([sales_orders, project_orders], how="diagonal_relaxed")
    forecast = _forecast(skus, rng, as_of)
    demand = _independent_demand(skus, sales_orders, forecast)
    tables = {
        "items": items.frame.with_columns(unit_cost=np.round(np.maximum(unit_cost, 0.01), 2)),
        "bom": bom.frame,
        "skus": skus,
        "routings": routing.frame,
        "sales_orders": sales_orders,
        "forecast": forecast,
        "milestones": milestones,
    } | _stock_and_supply(skus, rng, numbering, as_of)
    on_hand = tables["on_hand"].filter(pl.col("status") == "available")
    available = np.bincount(on_hand["sku_row"], weights=on_hand["qty"], minlength=skus.height)
    return Block(tables, _work_center_load(skus, items, bom, routing, demand, available, sites))


@dataclass(frozen=True)
class BlockItems:
    """Items of a block of families: family-major, then BOM level, then number."""

    family: np.ndarray  # row of the item's family in the block
    level: np.ndarray  # BOM level, 0 = finished good
    kind: np.ndarray
    discrete: np.ndarray  # counted in whole units
    material: np.ndarray  # MATERIALS row of purchased parts, -1 for made items
    level_start: np.ndarray  # (families, MAX_BOM_LEVELS) row of a family's first item per level
    item_id: pl.Series
    frame: pl.DataFrame  # items.csv rows without unit_cost


def _family_items(families: Families, rng: np.random.Generator) -> BlockItems:
    sizes = families.level_sizes.ravel()
    family = np.repeat(np.repeat(np.arange(len(families.number)), MAX_BOM_LEVELS), sizes)
    level = np.repeat(np.tile(np.arange(MAX_BOM_LEVELS), len(families.number)), sizes)
    level_start = (np.cumsum(sizes) - sizes).reshape(families.level_sizes.shape)
    rows = np.arange(len(family))
    kind = np.select(
        [level == 0, level == families.depth[family] - 1],
        [FINISHED_GOOD, PURCHASED_PART],
        SUBASSEMBLY,
    )
    first_of_kind = np.choose(
        kind, [level_start[family, 0], level_start[family, 1], level_start[family, level]]
    )
    number = families.first_numbers[family, kind] + rows - first_of_kind
    purchased = kind == PURCHASED_PART
    material = np.where(purchased, rng.integers(0, len(MATERIALS), len(rows)), -1)
    uom = pl.Series(["EA"] + [m.uom for m in MATERIALS]).gather(material + 1)
    item_id = pl.Series(ITEM_PREFIXES).gather(kind) + pl.Series(number).cast(pl.String).str.zfill(7)
    description = pl.DataFrame(
        {
            "kind": kind,
            "line": pl.Series(PRODUCT_LINES).gather(families.number[family] % len(PRODUCT_LINES)),
            "part": pl.Series(SUBASSEMBLY_NAMES).gather(number % len(SUBASSEMBLY_NAMES)),
            "material": pl.Series(["", *(m.name for m in MATERIALS)]).gather(material + 1),
            "model": number % 900 + 100,
        }
    ).select(
        pl.when(pl.col("kind") == FINISHED_GOOD)
        .then(pl.format("{} model {}", "line", "model"))
        .when(pl.col("kind") == SUBASSEMBLY)
        .then(pl.format("{} {}", "line", "part"))
        .otherwise(pl.format("{} {}", "material", "model"))
    )
    discrete = uom.is_in(WHOLE_UNIT_UOMS).to_numpy()
    frame = pl.DataFrame(
        {
            "item_id": item_id,
            "uom": uom,
            "description": description.to_series(),
            "item_group": pl.Series(ITEM_GROUPS).gather(kind),
            "integer_qty": _booleans(discrete),
        }
    )
    return BlockItems(family, level, kind, discrete, material, level_start, item_id, frame)


@dataclass(frozen=True)
class BlockBom:
    """BOM lines of a block; components index block items, then consumables after them."""

    parent: np.ndarray
    component: np.ndarray
    quantity_per_parent: np.ndarray  # component units per parent unit, scrap included
    frame: pl.DataFrame


def _bill_of_materials(
    families: Families,
    items: BlockItems,
    consumables: Consumables,
    sites: Sites,
    rng: np.random.Generator,
    as_of: date,
) -> BlockBom:
    """Lines from each level to the next, plus shared parts skipping levels and consumables.

    Every item below a finished good gets a parent and every made item a
    component, so each family spans its full depth; further random lines make
    components shared by several parents. Only these further lines carry
    engineering-change dates, so no item loses its only parent or component.
    """
    made = np.flatnonzero(items.kind != PURCHASED_PART)
    used = np.flatnonzero(items.level > 0)
    extra = np.repeat(made, rng.choice(3, len(made), p=[0.4, 0.4, 0.2]))
    depth = families.depth[items.family]
    skipping = made[(items.level[made] <= depth[made] - 3) & (rng.random(len(made)) < 0.3)]
    consuming = made[rng.random(len(made)) < 0.35]

    def pick(family: np.ndarray, level: np.ndarray) -> np.ndarray:
        """A random item of a family's BOM level."""
        sizes = families.level_sizes[family, level]
        return items.level_start[family, level] + (rng.random(len(family)) * sizes).astype(np.int64)

    parent = np.concatenate(
        [
            pick(items.family[used], items.level[used] - 1),
            made,
            extra,
            skipping,
            consuming,
        ]
    )
    component = np.concatenate(
        [
            used,
            pick(items.family[made], items.level[made] + 1),
            pick(items.family[extra], items.level[extra] + 1),
            pick(items.family[skipping], depth[skipping] - 1),
            len(items.family) + rng.integers(0, len(consumables.item_id), len(consuming)),
        ]
    )
    structural = np.arange(len(parent)) < len(used) + len(made)
    first = np.sort(
        np.unique(
            parent * (len(items.family) + len(consumables.item_id)) + component, return_index=True
        )[1]
    )
    order = first[np.lexsort((component[first], parent[first]))]
    parent, component, structural = parent[order], component[order], structural[order]

    n = len(parent)
    discrete = np.r_[items.discrete, consumables.discrete][component]
    per_count = rng.choice([1, 2, 3, 4], n, p=[0.6, 0.2, 0.1, 0.1])
    per_count = np.where(component >= len(items.family), rng.choice([2, 4, 6, 8], n), per_count)
    qty_per = np.where(
        discrete, per_count, np.maximum(np.round(rng.lognormal(np.log(0.8), 0.7, n), 3), 0.01)
    )
    scrap_rate = np.where(rng.random(n) < 0.2, np.round(rng.uniform(0.005, 0.08, n), 3), np.nan)

    # Engineering changes: effective for a while already, phasing in soon, or phasing out.
    change = np.where(structural, 0, rng.choice(4, n, p=[0.91, 0.04, 0.02, 0.03]))
    valid_from = np.select(
        [change == 1, change == 2], [-rng.integers(30, 401, n), rng.integers(7, 91, n)], np.nan
    )
    valid_to = np.where(change == 3, rng.integers(20, 151, n), np.nan)

    family = items.family[parent]
    location = np.where(families.plant_count[family] == 1, families.home_plant[family], -1)
    all_ids = pl.concat([items.item_id, consumables.item_id])
    frame = pl.DataFrame(
        {
            "parent_item_id": all_ids.gather(parent),
            "component_item_id": all_ids.gather(component),
            "qty_per": qty_per.astype(np.float64),
            "location_id": _nullable_gather(sites.location_id, location),
            "scrap_rate": _nullable(scrap_rate),
            "valid_from": _dates(as_of, valid_from),
            "valid_to": _dates(as_of, valid_to),
        }
    )
    quantity_per_parent = qty_per / (1 - np.nan_to_num(scrap_rate))
    return BlockBom(parent, component, quantity_per_parent, frame)


def _roll_up(
    items: BlockItems, bom: BlockBom, consumables: Consumables, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Unit cost rolled up the BOM and weekly volume exploded down it, per block item.

    Purchased parts cost about their material's median; a made item costs its
    components plus a conversion cost. Finished goods sell a lognormal number
    of units a week; components inherit their parents' volume times qty_per.
    """
    n = len(items.family)
    purchased = items.kind == PURCHASED_PART
    material_cost = np.array([m.median_cost for m in MATERIALS])[items.material]
    cost = np.where(purchased, material_cost * rng.lognormal(0, 0.5, n), 0.0)
    conversion = rng.uniform(2, 30, n)
    for level in range(MAX_BOM_LEVELS - 2, -1, -1):  # components sit on deeper levels
        component_cost = np.r_[cost, consumables.unit_cost][bom.component]
        lines = items.level[bom.parent] == level
        parts = np.bincount(
            bom.parent[lines],
            weights=bom.quantity_per_parent[lines] * component_cost[lines],
            minlength=n,
        )
        costed = (items.level == level) & ~purchased
        cost[costed] = parts[costed] + conversion[costed]

    volume = np.where(items.kind == FINISHED_GOOD, rng.lognormal(np.log(40), 1.0, n), 0.0)
    component_level = np.r_[items.level, np.full(len(consumables.item_id), -1)][bom.component]
    for level in range(1, MAX_BOM_LEVELS):  # parents sit on shallower levels
        lines = component_level == level
        volume += np.bincount(
            bom.component[lines],
            weights=bom.quantity_per_parent[lines] * volume[bom.parent[lines]],
            minlength=n,
        )
    return cost, volume


def _family_skus(
    families: Families,
    items: BlockItems,
    unit_cost: np.ndarray,
    weekly_volume: np.ndarray,
    sites: Sites,
    scale: NetworkScale,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Make and buy SKUs at the families' plants, transfer SKUs of finished goods elsewhere."""
    family = items.family
    plant_count = families.plant_count[family]
    at_plant = np.repeat(np.arange(len(family)), plant_count)
    plant = np.where(
        repeat_rank(plant_count) == 0,
        families.home_plant[family[at_plant]],
        families.second_plant[family[at_plant]],
    )

    # Each finished good goes to `breadth` distinct warehouses/DCs, in its family's first
    # distribution_skus slots (the last family of the network may have fewer).
    finished = np.flatnonzero(items.kind == FINISHED_GOOD)
    breadth = families.breadth[family[finished]]
    owner, slot = np.repeat(np.arange(len(finished)), breadth), repeat_rank(breadth)
    stocked = finished[owner]
    position = (stocked - items.level_start[family[stocked], 0]) * breadth[owner] + slot
    keep = position < families.distribution_skus[family[stocked]]
    preference = np.argsort(rng.random((len(finished), scale.distribution_locations)), axis=1)
    destination = preference[owner, slot][keep]
    stocked_family = family[stocked[keep]]
    stocked = stocked[keep]
    second_source = (families.plant_count[stocked_family] == 2) & (rng.random(len(stocked)) < 0.5)
    source = np.where(
        second_source, families.second_plant[stocked_family], families.home_plant[stocked_family]
    )

    item = np.r_[at_plant, stocked]
    location_no = np.r_[plant, sites.plants + destination]
    order = np.lexsort((location_no, item))
    item, location_no = item[order], location_no[order]
    kind = items.kind[item]
    transfer = location_no >= sites.plants
    replenishment = np.select([transfer, kind == PURCHASED_PART], [TRANSFER, BUY], MAKE)
    plant = np.where(transfer, -1, location_no)
    source_plant = np.r_[np.full(len(at_plant), -1), source][order]
    transit = sites.transit_days[
        np.maximum(source_plant, 0), np.maximum(location_no - sites.plants, 0)
    ]

    n = len(item)
    lead_time_days = np.select(
        [replenishment == TRANSFER, replenishment == BUY, kind == FINISHED_GOOD],
        [
            transit,
            np.clip(np.round(rng.lognormal(np.log(10), 0.5, n)), 2, 30),
            rng.integers(1, 6, n),
        ],
        rng.integers(1, 11, n),
    )
    # A finished good's customers are split over its warehouses/DCs and its plant (direct sales).
    stocking = np.bincount(stocked, minlength=len(family))[item]
    direct_sales = (kind == FINISHED_GOOD) & ~transfer & ((stocking == 0) | (rng.random(n) < 0.3))
    share = rng.uniform(0.5, 1.5, n) / (stocking + 1)
    sku_volume = np.where(
        transfer, weekly_volume[item] * share, weekly_volume[item] / plant_count[item]
    )
    customer_demand = np.select(
        [transfer, direct_sales], [sku_volume, weekly_volume[item] * share / plant_count[item]], 0.0
    )
    frame = _sku_frame(
        rng,
        item_id=items.item_id.gather(item),
        location_no=location_no,
        location_id=sites.location_id,
        replenishment=replenishment,
        kind=kind,
        lead_time_days=lead_time_days,
        weekly_volume=sku_volume,
        unit_cost=unit_cost[item],
        discrete=items.discrete[item],
        family=families.number[family[item]],
        plant=plant,
        supplier=rng.integers(0, scale.suppliers, len(family))[item],
        source_plant=source_plant,
        customer_demand=customer_demand,
    )
    # where each SKU's item is in the block, and the plant whose production supplies it
    return frame.with_columns(
        item_row=item, supplying_plant=np.where(transfer, source_plant, plant)
    )


def _sku_frame(
    rng: np.random.Generator,
    *,
    item_id: pl.Series,
    location_no: np.ndarray,
    location_id: pl.Series,
    replenishment: np.ndarray,
    kind: np.ndarray,
    lead_time_days: np.ndarray,
    weekly_volume: np.ndarray,
    unit_cost: np.ndarray,
    discrete: np.ndarray,
    family: np.ndarray,
    plant: np.ndarray,
    supplier: np.ndarray,
    source_plant: np.ndarray,
    customer_demand: np.ndarray,
) -> pl.DataFrame:
    """skus.csv rows plus the planning columns the open orders and demand are drawn from.

    ``weekly_volume`` and ``customer_demand`` are units per week, ``unit_cost``
    per unit; ``plant`` is
    the location number of make and buy SKUs (-1 elsewhere), ``family`` -1 for
    consumables.
    """
    buy = replenishment == BUY
    # Planners: three per plant split by family, six buyers by supplier, three for distribution.
    planner_code = pl.DataFrame(
        {
            "replenishment": replenishment,
            "plant": plant,
            "family": family % 3,
            "supplier": supplier % 6,
            "location": location_no % 3,
        }
    ).select(
        pl.when(pl.col("replenishment") == MAKE)
        .then(pl.format("P{}{}", pl.col("plant") + 1, pl.col("family") + 1))
        .when(pl.col("replenishment") == BUY)
        .then(pl.format("B{}", pl.col("supplier") + 1))
        .otherwise(pl.format("D{}", pl.col("location") + 1))
    )
    return pl.DataFrame(
        {
            "item_id": item_id,
            "location_id": location_id.gather(location_no),
            "replenishment": pl.Series(REPLENISHMENT_TYPES).gather(replenishment),
            "lead_time_days": lead_time_days.astype(np.int64),
            "source_location_id": _nullable_gather(location_id, source_plant),
            "supplier_id": _nullable_codes("SUP-", np.where(buy, supplier + 1, -1), 4),
            **_replenishment_policies(rng, replenishment, kind, weekly_volume, unit_cost),
            "planner_code": planner_code.to_series(),
            "kind": kind,
            "family": family,
            "plant": plant,
            "location_no": location_no,
            "weekly_volume": weekly_volume,
            "customer_demand": customer_demand,
            "discrete": discrete,
            "operations": np.zeros(len(item_id), np.int64),  # routing steps, set for make SKUs
        }
    ).with_columns(typical_lot=_typical_lot())


def _replenishment_policies(
    rng: np.random.Generator,
    replenishment: np.ndarray,
    kind: np.ndarray,
    weekly_volume: np.ndarray,
    unit_cost: np.ndarray,
) -> dict[str, pl.Series]:
    """Lot sizing and buffer settings of SKUs, sized in weeks of their volume.

    A plant builds lots of a few days' to two weeks' demand: fixed lots of half a week
    to two weeks, periods of one or two weeks, and an economic lot (``eoq``,
    ``wagner_whitin``) only where its order cost and holding cost make one of at most
    MAX_MAKE_LOT_WEEKS; a make SKU whose setup cost would call for more (a cheap part
    with an expensive changeover) is planned in periods instead. One lot of months of
    a subassembly, split at its maximum into a dozen orders on one day, was a week at
    three times its work centre's hours.
    """
    n = len(replenishment)
    policy = _choose(rng, LOT_POLICY_MIX[replenishment])

    def weeks_of_volume(low: float, high: float) -> np.ndarray:
        return _round_nice(weekly_volume * rng.uniform(low, high, n))

    def where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
        return np.where(mask, values, np.nan)

    # production lots cover fewer weeks than purchases: shops build weekly or fortnightly
    make = replenishment == MAKE
    period_days = rng.choice([7, 14, 28], n, p=[0.5, 0.3, 0.2])
    lot_weeks = np.where(make, rng.uniform(0.5, 2, n), rng.uniform(2, 6, n))
    lot_size = where(policy == FIXED, _round_nice(weekly_volume * lot_weeks))
    min_qty = where(rng.random(n) < 0.15, weeks_of_volume(0.5, 2))
    multiple = where(rng.random(n) < MULTIPLE_SHARE[replenishment], rng.choice(PACK_SIZES, n))
    max_qty = np.fmax(np.fmax(weeks_of_volume(8, 20), min_qty), np.fmax(lot_size, multiple))
    max_qty = where(
        rng.random(n) < 0.08, np.ceil(max_qty / np.fmax(multiple, 1)) * np.fmax(multiple, 1)
    )
    safety_share = np.where(
        replenishment == TRANSFER, TRANSFER_SAFETY_STOCK_SHARE, SAFETY_STOCK_SHARE[kind]
    )
    eoq = (policy == EOQ) | (policy == WAGNER_WHITIN)  # both weigh order against holding cost
    setup_or_ordering_cost = np.where(make, rng.uniform(80, 400, n), rng.uniform(25, 150, n))
    holding_rate = rng.uniform(0.15, 0.30, n)
    # weeks of volume the economic order quantity covers: sqrt(2 D S / (c h)) / (D / 52)
    eoq_weeks = np.sqrt(
        104 * setup_or_ordering_cost / np.maximum(weekly_volume * unit_cost * holding_rate, 1e-9)
    )
    to_period = make & eoq & (eoq_weeks > MAX_MAKE_LOT_WEEKS)
    policy = np.where(to_period, PERIOD, policy)
    eoq &= ~to_period
    return {
        "safety_stock": _nullable(where(rng.random(n) < safety_share, weeks_of_volume(0.5, 2))),
        "lot_policy": pl.Series(LOT_POLICIES).gather(policy),
        "lot_size": _nullable(lot_size),
        "min_qty": _nullable(min_qty),
        "max_qty": _nullable(max_qty),
        "multiple": _nullable(multiple),
        "period_days": _nullable(
            where(policy == PERIOD, np.where(make, np.minimum(period_days, 14), period_days)),
            pl.Int64,
        ),
        "order_cost": _nullable(where(eoq, np.round(setup_or_ordering_cost))),
        "holding_rate": _nullable(where(eoq, np.round(holding_rate, 2))),
        "yield_rate": _nullable(
            where(
                (replenishment == MAKE) & (rng.random(n) < 0.25),
                np.round(rng.uniform(0.9, 0.995, n), 3),
            )
        ),
    }


@dataclass(frozen=True)
class BlockRoutings:
    """Routing rows of a block's make SKUs, as arrays per row and as routings.csv rows."""

    sku_row: np.ndarray
    center: np.ndarray  # work centre row of Sites
    run_minutes: np.ndarray  # per unit, as written
    setup_minutes: np.ndarray  # as written
    # the row of its operation whose work centre sorts first, the one capacity planning loads
    is_loaded: np.ndarray
    operations: np.ndarray  # per SKU of the block, 0 for all but make SKUs
    frame: pl.DataFrame


def _routings(skus: pl.DataFrame, sites: Sites, rng: np.random.Generator) -> BlockRoutings:
    """Operations of make SKUs in process order, some with an alternative work centre.

    Finished goods are assembled, maybe tested and packed; subassemblies take
    one to four of cutting, machining, welding, painting, assembly and
    testing. Run minutes per unit are the process's, capped so a week of the
    SKU's volume runs in MAX_WEEKLY_RUN_MINUTES.
    """
    kind = skus["kind"].to_numpy()
    make = np.flatnonzero((skus["replenishment"] == "make").to_numpy())
    finished = kind[make] == FINISHED_GOOD
    n = len(make)
    shares = np.array([p.finished_good_share for p in PROCESSES])
    weights = np.array([p.subassembly_weight for p in PROCESSES])
    # Weighted sampling without replacement: the largest u ** (1 / weight) win.
    keys = rng.random((n, len(PROCESSES))) ** (1 / np.maximum(weights, 1e-9))
    operations = rng.choice([1, 2, 3, 4], n, p=[0.3, 0.35, 0.25, 0.1])
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    selected = np.where(
        finished[:, None],
        rng.random((n, len(PROCESSES))) < shares,
        (rank < operations[:, None]) & (weights > 0),
    )
    row, process = np.nonzero(selected)
    op_seq = 10 * (rank_in_run(np.r_[True, row[1:] != row[:-1]]) + 1)

    plant = skus["plant"].to_numpy()[make][row]
    first = sites.work_center_first[plant, process]
    count = sites.work_center_count[plant, process]
    weekly_volume = skus["weekly_volume"].to_numpy()[make][row]
    run = np.array([p.run_minutes for p in PROCESSES])[process] * rng.lognormal(0, 0.5, len(row))
    run = np.minimum(run, MAX_WEEKLY_RUN_MINUTES / weekly_volume)
    setup = np.array([p.setup_minutes for p in PROCESSES])[process] * rng.lognormal(
        0, 0.4, len(row)
    )
    slower = rng.uniform(1.0, 1.3, len(row))  # alternatives are usually older or general machines
    primary = _balanced_work_centers(
        plant * len(PROCESSES) + process, count, weekly_volume * run + setup, rng
    )
    # an alternative sorts after its primary, which capacity planning loads
    has_alternative = (primary < count - 1) & (rng.random(len(row)) < 0.25)
    alternative = primary + 1 + (rng.random(len(row)) * (count - 1 - primary)).astype(np.int64)

    operation = np.r_[np.arange(len(row)), np.flatnonzero(has_alternative)]
    center = first[operation] + np.r_[primary, alternative[has_alternative]]
    run_minutes = np.r_[run, (run * slower)[has_alternative]]
    order = np.lexsort((np.arange(len(operation)), operation))
    operation, center, run_minutes = operation[order], center[order], run_minutes[order]

    sku_row = make[row[operation]]
    process = process[operation]
    # A product family's items share one setup family per process that changes over by family.
    family = skus["family"].to_numpy()[sku_row]
    setup_family = pl.Series([p.code for p in PROCESSES]).gather(process) + "-"
    setup_family += pl.Series(list(SETUP_FAMILIES)).gather(family % len(SETUP_FAMILIES))
    family_setups = np.array([p.family_setups for p in PROCESSES])[process]
    without_setup_family = np.flatnonzero(~family_setups)
    run_minutes = np.maximum(np.round(run_minutes, 2), 0.01)
    setup_minutes = np.maximum(5 * np.round(setup[operation] / 5), 5.0)
    first_of_operation = np.r_[True, operation[1:] != operation[:-1]]
    loaded_center = np.minimum.reduceat(center, np.flatnonzero(first_of_operation))
    frame = pl.DataFrame(
        {
            "item_id": skus["item_id"].gather(sku_row),
            "location_id": skus["location_id"].gather(sku_row),
            "op_seq": op_seq[operation].astype(np.int64),
            "work_center_id": sites.work_center_id.gather(center),
            "run_minutes_per_unit": run_minutes,
            "setup_minutes": setup_minutes,
            "skill": pl.Series([p.skill for p in PROCESSES]).gather(process),
            "setup_family": setup_family.scatter(without_setup_family, None),
        }
    )
    operations_per_sku = np.zeros(skus.height, np.int64)
    operations_per_sku[make] = selected.sum(axis=1)
    return BlockRoutings(
        sku_row=sku_row,
        center=center,
        run_minutes=run_minutes,
        setup_minutes=setup_minutes,
        is_loaded=center == loaded_center[np.cumsum(first_of_operation) - 1],
        operations=operations_per_sku,
        frame=frame,
    )


def _balanced_work_centers(
    group: np.ndarray, count: np.ndarray, weekly_minutes: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Which of its ``count`` work centres (0, 1, ...) each operation runs on, so that the
    work centres of one process at a plant (one ``group``) share its weekly minutes about
    equally: operations in random order, cut into ``count`` runs of equal minutes.

    Drawn at random, one machining centre of a small plant had a third of its twin's work.
    """
    order = np.lexsort((rng.random(len(group)), group))
    minutes = weekly_minutes[order]
    starts = np.r_[True, group[order][1:] != group[order][:-1]]
    run_start = np.flatnonzero(starts)
    cumulative = np.cumsum(minutes)
    before_run = np.repeat(
        cumulative[run_start] - minutes[run_start], np.diff(np.r_[run_start, len(minutes)])
    )
    run_total = np.add.reduceat(minutes, run_start)
    total = np.repeat(run_total, np.diff(np.r_[run_start, len(minutes)]))
    middle = (cumulative - before_run - minutes / 2) / np.maximum(total, 1e-9)
    center = np.empty(len(group), np.int64)
    center[order] = np.minimum((middle * count[order]).astype(np.int64), count[order] - 1)
    return center


def _fit_to_routings(skus: pl.DataFrame, routing: BlockRoutings, sites: Sites) -> pl.DataFrame:
    """Make SKUs' lots capped at what one shift runs, and lead times from their routing.

    ``max_qty`` is the largest lot every operation (alternatives included) runs
    within MAX_OPERATION_MINUTES, in whole multiples; lot sizes and minimums
    stay below it. The lead time is the routing's hours for a typical lot at
    one shift a day plus QUEUE_DAYS_PER_OPERATION, in calendar days. Sets the
    planning columns ``operations`` and ``typical_lot`` (after the caps).
    """
    efficiency = sites.efficiency[routing.center]
    fitting = (MAX_OPERATION_MINUTES * efficiency - routing.setup_minutes) / routing.run_minutes
    shift_lot = np.full(skus.height, np.inf)
    np.minimum.at(shift_lot, routing.sku_row, np.maximum(np.floor(fitting), 1))
    make = (skus["replenishment"] == "make").to_numpy()
    multiple = skus["multiple"].to_numpy()
    multiple = np.where(make & (multiple > shift_lot), np.nan, multiple)
    step = np.fmax(multiple, 1)
    max_qty = np.fmin(skus["max_qty"].to_numpy(), shift_lot)
    max_qty = np.where(make, np.floor(max_qty / step) * step, skus["max_qty"].to_numpy())

    def below_max(column: str) -> np.ndarray:
        values = skus[column].to_numpy()
        return np.where(make, np.minimum(values, max_qty), values)  # NaN stays NaN

    skus = skus.with_columns(
        lot_size=_nullable(below_max("lot_size")),
        min_qty=_nullable(below_max("min_qty")),
        max_qty=_nullable(max_qty),
        multiple=_nullable(multiple),
        operations=routing.operations,
    ).with_columns(typical_lot=_typical_lot())
    typical_lot = skus["typical_lot"].to_numpy()[routing.sku_row]
    work_minutes = (routing.setup_minutes + typical_lot * routing.run_minutes) / efficiency
    work_days = np.bincount(
        routing.sku_row[routing.is_loaded],
        weights=work_minutes[routing.is_loaded] / (SHIFT_HOURS * 60),
        minlength=skus.height,
    )
    working_days = work_days + QUEUE_DAYS_PER_OPERATION * routing.operations
    lead_time = np.ceil(working_days * 7 / 5).astype(np.int64)
    return skus.with_columns(
        lead_time_days=pl.Series(np.where(make, lead_time, skus["lead_time_days"].to_numpy()))
    )


def _typical_lot() -> pl.Expr:
    """Units a planned order of a SKU typically holds: what its lot policy covers of its
    weekly volume, at least its minimum and one, in its multiples, at most its maximum."""
    policy = pl.col("lot_policy")
    cover_weeks = (
        pl.when(policy == "period")
        .then(pl.col("period_days") / 7)
        .when(policy.is_in(["eoq", "wagner_whitin"]))
        .then(2.0)
        .otherwise(1.0)
    )
    lot = (
        pl.when(policy == "fixed").then("lot_size").otherwise(pl.col("weekly_volume") * cover_weeks)
    )
    lot = pl.max_horizontal(lot, "min_qty", 1.0)
    multiple = pl.col("multiple").fill_null(1.0)
    return pl.min_horizontal((lot / multiple).ceil() * multiple, "max_qty")


def _independent_demand(
    skus: pl.DataFrame, sales_orders: pl.DataFrame, forecast: pl.DataFrame
) -> np.ndarray:
    """Units each SKU of the block is to deliver over the horizon: its forecast, or its open
    orders where they exceed it (they consume the forecast)."""
    ordered = np.bincount(
        sales_orders["sku_row"], weights=sales_orders["qty_open"], minlength=skus.height
    )
    forecasted = np.bincount(forecast["sku_row"], weights=forecast["qty"], minlength=skus.height)
    return np.maximum(ordered, forecasted)


def _work_center_load(
    skus: pl.DataFrame,
    items: BlockItems,
    bom: BlockBom,
    routing: BlockRoutings,
    demand: np.ndarray,
    available: np.ndarray,
    sites: Sites,
) -> np.ndarray:
    """Average minutes a week each work centre needs for the block's independent demand
    (the unconstrained load): netted, level by level, against the available stock above
    safety stock at each SKU, and rolled down the BOM to the subassemblies of the plants
    that make it. Open orders are part of that production, so not counted apart."""
    item_row, plant = skus["item_row"].to_numpy(), skus["supplying_plant"].to_numpy()
    transfer = (skus["replenishment"] == "transfer").to_numpy()
    at_plant = ~transfer
    surplus = available - skus["safety_stock"].fill_null(0).to_numpy()  # < 0: to build up
    shape = (len(items.family), sites.plants)
    gross, plant_surplus = np.zeros(shape), np.zeros(shape)  # units per item and plant
    np.add.at(gross, (item_row[at_plant], plant[at_plant]), demand[at_plant])
    np.add.at(plant_surplus, (item_row[at_plant], plant[at_plant]), surplus[at_plant])
    shipped = np.maximum(demand[transfer] - surplus[transfer], 0)
    np.add.at(gross, (item_row[transfer], plant[transfer]), shipped)
    made = bom.component < len(items.family)  # consumables are bought
    parent, component = bom.parent[made], bom.component[made]
    per_parent = bom.quantity_per_parent[made]
    production = np.zeros(shape)
    for level in range(MAX_BOM_LEVELS):  # components sit on deeper levels
        on_level = items.level == level
        production[on_level] = np.maximum(gross[on_level] - plant_surplus[on_level], 0)
        lines = items.level[parent] == level
        np.add.at(gross, component[lines], per_parent[lines, None] * production[parent[lines]])
    rows = routing.sku_row[routing.is_loaded]
    weekly_qty = production[item_row[rows], plant[rows]] / HORIZON_WEEKS
    orders = weekly_qty / skus["typical_lot"].to_numpy()[rows]
    center = routing.center[routing.is_loaded]
    minutes = (
        weekly_qty * routing.run_minutes[routing.is_loaded]
        + orders * routing.setup_minutes[routing.is_loaded]
    ) / sites.efficiency[center]
    return np.bincount(center, weights=minutes, minlength=len(sites.work_center_id))


# --- stock and open supply --------------------------------------------------------------------


def _stock_and_supply(
    skus: pl.DataFrame, rng: np.random.Generator, numbering: _Numbering, as_of: date
) -> dict[str, pl.DataFrame]:
    return {
        "on_hand": _on_hand(skus, rng, numbering),
        "open_purchase_orders": _purchase_orders(skus, rng, numbering, as_of),
        "open_work_orders": _work_orders(skus, rng, numbering, as_of),
        "open_transfers": _transfers(skus, rng, numbering, as_of),
    }


def _on_hand(skus: pl.DataFrame, rng: np.random.Generator, numbering: _Numbering) -> pl.DataFrame:
    """Available stock at most SKUs, some lots on QA hold or blocked; held lots carry a lot id.

    Available stock is the safety stock plus the volume of the lead time and
    half a week to a week and a half more: what a running network holds, so the
    plan's first week is not a backlog of everything the horizon needs, nor its
    first month idle while every BOM level draws down weeks of extra stock in turn.
    Every SKU that keeps a safety stock, and every make or buy SKU at a plant,
    holds some: a plant out of stock of a part it runs every week would start
    the plan with a backlog that cascades down its BOM (one finished good's
    safety stock to build from zero made most of a sample's late orders).
    """
    n = skus.height
    volume = skus["weekly_volume"].to_numpy()
    safety_stock = skus["safety_stock"].fill_null(0).to_numpy()
    pipeline = volume * skus["lead_time_days"].to_numpy() / 7 + safety_stock
    stocked = (safety_stock > 0) | (skus["replenishment"] != "transfer").to_numpy()
    weeks = {"available": (0.5, 1.5), "qa_hold": (0.2, 1.0), "blocked": (0.05, 0.5)}
    sku, status, qty = [], [], []
    for code, name in enumerate(STOCK_STATUSES):
        holding = rng.random(n) < STOCK_STATUS_SHARE[name]
        holding = np.flatnonzero(holding | stocked if name == "available" else holding)
        sku.append(holding)
        status.append(np.full(len(holding), code))
        held = volume[holding] * rng.uniform(*weeks[name], len(holding))
        qty.append(held + (pipeline[holding] if name == "available" else 0))
    sku, status, qty = (np.concatenate(a) for a in (sku, status, qty))
    order = np.lexsort((status, sku))
    sku, status, qty = sku[order], status[order], qty[order]
    with_lot = (status > 0) | (rng.random(len(sku)) < 0.4)
    lot_number = numbering.take("lot", int(with_lot.sum())) + np.cumsum(with_lot) - 1
    return pl.DataFrame(
        {
            "item_id": skus["item_id"].gather(sku),
            "location_id": skus["location_id"].gather(sku),
            "sku_row": sku,  # planning column: the SKU row, not written
            "qty": _quantity(qty, skus["discrete"].to_numpy()[sku]),
            "status": pl.Series(STOCK_STATUSES).gather(status),
            "lot_id": _nullable_codes("LOT-", np.where(with_lot, lot_number, -1), 7),
        }
    )


def _purchase_orders(
    skus: pl.DataFrame, rng: np.random.Generator, numbering: _Numbering, as_of: date
) -> pl.DataFrame:
    """Open PO lines of buy SKUs, grouped into POs per supplier and plant; some past due."""
    buy = np.flatnonzero((skus["replenishment"] == "buy").to_numpy())
    sku = np.repeat(buy, rng.choice(4, len(buy), p=[0.35, 0.35, 0.2, 0.1]))
    lead_time = skus["lead_time_days"].to_numpy()[sku]
    due = rng.integers(-10, lead_time + 22)
    supplier_id, location_id = skus["supplier_id"].gather(sku), skus["location_id"].gather(sku)
    order = np.lexsort((due, location_id.to_numpy(), supplier_id.to_numpy()))
    sku, due = sku[order], due[order]
    supplier_id, location_id = supplier_id.gather(order), location_id.gather(order)
    same_group = (supplier_id == supplier_id.shift(1)) & (location_id == location_id.shift(1))
    new_po = ~same_group.fill_null(False).to_numpy() | (rng.random(len(sku)) < 0.4)
    po_number = numbering.take("purchase_order", int(new_po.sum())) + np.cumsum(new_po) - 1
    return pl.DataFrame(
        {
            "po_id": codes("PO-", po_number, 7),
            "po_line": pl.Series(rank_in_run(new_po) + 1).cast(pl.String),
            "item_id": skus["item_id"].gather(sku),
            "location_id": location_id,
            "qty_open": _order_quantity(skus, sku, _weeks_of_volume(skus, sku, rng)),
            "due_date": _dates(as_of, due),
            "supplier_id": supplier_id,
        }
    )


def _work_orders(
    skus: pl.DataFrame, rng: np.random.Generator, numbering: _Numbering, as_of: date
) -> pl.DataFrame:
    """Open production orders of make SKUs: planned ahead, released around today, some running."""
    make = np.flatnonzero((skus["replenishment"] == "make").to_numpy())
    sku = np.repeat(make, rng.choice(3, len(make), p=[0.6, 0.32, 0.08]))
    n = len(sku)
    status = rng.choice(len(WORK_ORDER_STATUSES), n, p=WORK_ORDER_STATUS_MIX)
    lead_time = np.maximum(skus["lead_time_days"].to_numpy()[sku], 1)
    start = np.select(
        [status == PLANNED, status == RELEASED],
        [rng.integers(0, 41, n), rng.integers(-3, 11, n)],
        -rng.integers(1, lead_time + 4),
    )
    operations = skus["operations"].to_numpy()[sku]
    ops_completed = (rng.random(n) * operations).astype(np.int64)
    return pl.DataFrame(
        {
            "wo_id": codes("WO-", numbering.take("work_order", n) + np.arange(n), 7),
            "item_id": skus["item_id"].gather(sku),
            "location_id": skus["location_id"].gather(sku),
            "qty_open": _order_quantity(
                skus, sku, skus["typical_lot"].to_numpy()[sku] * rng.uniform(0.6, 1.0, n)
            ),
            "start_date": _dates(as_of, start),
            "due_date": _dates(as_of, start + lead_time),
            "status": pl.Series(WORK_ORDER_STATUSES).gather(status),
            "ops_completed": _nullable(
                np.where(status == IN_PROGRESS, ops_completed, np.nan), pl.Int64
            ),
        }
    )


def _transfers(
    skus: pl.DataFrame, rng: np.random.Generator, numbering: _Numbering, as_of: date
) -> pl.DataFrame:
    """Open transfers to warehouses and DCs: half in transit, half shipping in the next weeks."""
    transfer = np.flatnonzero((skus["replenishment"] == "transfer").to_numpy())
    sku = np.repeat(transfer, rng.choice(3, len(transfer), p=[0.65, 0.30, 0.05]))
    n = len(sku)
    lead_time = skus["lead_time_days"].to_numpy()[sku]
    ship = np.where(rng.random(n) < 0.5, -rng.integers(1, lead_time + 3), rng.integers(0, 22, n))
    return pl.DataFrame(
        {
            "transfer_id": codes("TR-", numbering.take("transfer", n) + np.arange(n), 7),
            "item_id": skus["item_id"].gather(sku),
            "from_location_id": skus["source_location_id"].gather(sku),
            "to_location_id": skus["location_id"].gather(sku),
            "qty": _order_quantity(skus, sku, _weeks_of_volume(skus, sku, rng)),
            "ship_date": _dates(as_of, ship),
            "receipt_date": _dates(as_of, ship + lead_time),
        }
    )


def _weeks_of_volume(skus: pl.DataFrame, sku: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One to four weeks of each SKU's volume: what a purchase or a transfer orders."""
    return skus["weekly_volume"].to_numpy()[sku] * rng.uniform(1, 4, len(sku))


def _order_quantity(skus: pl.DataFrame, sku: np.ndarray, qty: np.ndarray) -> np.ndarray:
    """``qty`` in the SKU's units, rounded up to its lot size and order multiple, at most its
    maximum lot."""
    qty = _quantity(qty, skus["discrete"].to_numpy()[sku])
    for rounding in ("lot_size", "multiple"):
        step = skus[rounding].to_numpy()[sku]
        qty = np.where(np.isnan(step), qty, np.ceil(qty / step) * step)
    return np.fmin(qty, skus["max_qty"].to_numpy()[sku])


# --- demand -----------------------------------------------------------------------------------


def _sales_orders(
    skus: pl.DataFrame,
    rng: np.random.Generator,
    numbering: _Numbering,
    scale: NetworkScale,
    as_of: date,
) -> pl.DataFrame:
    """Open order lines where customers buy finished goods, grouped into orders per location.

    Most are due in the coming weeks; about one in twenty is up to two weeks past due.
    """
    demand = skus["customer_demand"].to_numpy()
    selling = np.flatnonzero(demand > 0)
    sku = np.repeat(selling, rng.poisson(1.3, len(selling)))
    sku = sku[np.lexsort((rng.random(len(sku)), skus["location_no"].to_numpy()[sku]))]
    n = len(sku)
    location = skus["location_no"].to_numpy()[sku]
    new_order = np.r_[True, location[1:] != location[:-1]] | (rng.random(n) < 0.45)
    order = np.cumsum(new_order) - 1
    orders = int(new_order.sum())
    due = np.where(
        rng.random(n) < 0.05,
        -rng.integers(1, 15, n),
        np.minimum(rng.exponential(18, n).astype(np.int64), 120),
    )
    return pl.DataFrame(
        {
            "so_id": codes("SO-", numbering.take("sales_order", orders) + order, 7),
            "so_line": pl.Series(rank_in_run(new_order) + 1).cast(pl.String),
            "item_id": skus["item_id"].gather(sku),
            "sku_row": sku,  # planning column: the block SKU, not written
            "location_id": skus["location_id"].gather(sku),
            "qty_open": np.maximum(np.ceil(demand[sku] * rng.lognormal(-0.7, 0.6, n)), 1.0),
            "due_date": _dates(as_of, due),
            "customer_id": codes("CUST-", rng.integers(1, scale.customers + 1, orders)[order], 5),
            "priority": rng.choice([1, 2, 3], orders, p=[0.15, 0.70, 0.15])[order],
        }
    )


def _projects(
    skus: pl.DataFrame,
    projects: int,
    rng: np.random.Generator,
    numbering: _Numbering,
    scale: NetworkScale,
    as_of: date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Customer projects delivered from one plant: 2-4 milestones, each closed by a sales order.

    Returns the projects' sales order lines (priority 1, project_id set) and
    their milestones.
    """
    made = np.flatnonzero(
        ((skus["kind"] == FINISHED_GOOD) & (skus["replenishment"] == "make")).to_numpy()
    )
    made = made[np.argsort(skus["plant"].to_numpy()[made], kind="stable")]
    plant_of = skus["plant"].to_numpy()[made]
    plant_first = np.searchsorted(plant_of, np.arange(scale.plants))
    plant_skus = np.bincount(plant_of, minlength=scale.plants)

    project_plant = plant_of[rng.integers(0, len(made), projects)]
    milestones = rng.integers(2, 5, projects)
    project = np.repeat(np.arange(projects), milestones)
    rank = repeat_rank(milestones)
    # The first milestone falls between ten days ago and a month out, the next 2-9 weeks apart.
    gap = np.where(
        rank == 0, rng.integers(-10, 31, len(project)), rng.integers(14, 61, len(project))
    )
    running = np.cumsum(gap)
    first = np.cumsum(milestones) - milestones
    due = running - np.repeat(running[first] - gap[first], milestones)
    milestone_name = len(MILESTONE_NAMES) - np.repeat(milestones, milestones) + rank  # last: Final
    so_number = numbering.take("sales_order", len(project)) + np.arange(len(project))
    project_number = numbering.take("project", projects) + np.arange(projects)

    lines = rng.integers(1, 4, len(project))
    milestone = np.repeat(np.arange(len(project)), lines)
    line_plant = project_plant[project[milestone]]
    sku = made[
        plant_first[line_plant]
        + (rng.random(len(milestone)) * plant_skus[line_plant]).astype(np.int64)
    ]
    customer = rng.integers(1, scale.customers + 1, projects)[project[milestone]]
    orders = pl.DataFrame(
        {
            "so_id": codes("SO-", so_number[milestone], 7),
            "so_line": pl.Series(repeat_rank(lines) + 1).cast(pl.String),
            "item_id": skus["item_id"].gather(sku),
            "sku_row": sku,  # planning column: the block SKU, not written
            "location_id": skus["location_id"].gather(sku),
            "qty_open": rng.integers(1, 6, len(milestone)).astype(np.float64),
            "due_date": _dates(as_of, due[milestone]),
            "customer_id": codes("CUST-", customer, 5),
            "priority": np.ones(len(milestone), np.int64),
            "project_id": codes("PRJ-", project_number[project[milestone]], 5),
        }
    )
    milestone_frame = pl.DataFrame(
        {
            "project_id": codes("PRJ-", project_number[project], 5),
            "milestone_id": "M" + pl.Series(rank + 1).cast(pl.String),
            "name": pl.Series(MILESTONE_NAMES).gather(milestone_name),
            "due_date": _dates(as_of, due),
            "so_id": codes("SO-", so_number, 7),
        }
    )
    return orders, milestone_frame


def _forecast(skus: pl.DataFrame, rng: np.random.Generator, as_of: date) -> pl.DataFrame:
    """Weekly forecast from the Monday of ``as_of`` over the horizon for most selling SKUs.

    Quantities are Poisson draws around the SKU's customer demand with a
    yearly season of up to +-30 %.
    """
    demand = skus["customer_demand"].to_numpy()
    share = np.where(skus["replenishment"].to_numpy() == "transfer", 0.75, 0.5)
    forecasted = np.flatnonzero((demand > 0) & (rng.random(skus.height) < share))
    weeks = (as_of.weekday() + HORIZON_DAYS - 1) // 7 + 1
    sku = np.repeat(forecasted, weeks)
    week = np.tile(np.arange(weeks), len(forecasted))
    period_start = 7 * week - as_of.weekday()
    amplitude = rng.uniform(0, 0.3, len(forecasted))
    phase = rng.uniform(0, 2 * np.pi, len(forecasted))
    day_of_year = (as_of.timetuple().tm_yday + period_start) / 365.25
    season = 1 + np.repeat(amplitude, weeks) * np.sin(
        2 * np.pi * day_of_year + np.repeat(phase, weeks)
    )
    return pl.DataFrame(
        {
            "item_id": skus["item_id"].gather(sku),
            "sku_row": sku,  # planning column: the block SKU, not written
            "location_id": skus["location_id"].gather(sku),
            "period_start": _dates(as_of, period_start),
            "qty": rng.poisson(demand[sku] * season).astype(np.int64),
            "period_days": np.full(len(sku), 7, np.int64),
        }
    )


# --- writing ----------------------------------------------------------------------------------


@contextmanager
def _extract_files(out_dir: Path) -> Iterator[dict[str, BinaryIO]]:
    """Every extract file, truncated and holding its header row."""
    with ExitStack() as stack:
        files = {}
        for spec in EXTRACT_FILES:
            files[spec.name] = stack.enter_context((out_dir / f"{spec.name}.csv").open("wb"))
            files[spec.name].write((",".join(spec.column_names) + "\n").encode())
        yield files


def _append(
    files: dict[str, BinaryIO], tables: dict[str, pl.DataFrame], row_counts: dict[str, int]
) -> None:
    for name, table in tables.items():
        if table.height == 0:
            continue
        _conform(table, EXTRACT_FILES_BY_NAME[name]).write_csv(
            files[name],
            include_header=False,
            date_format="%Y-%m-%d",
            datetime_format="%Y-%m-%dT%H:%M:%S",
            null_value="",
        )
        row_counts[name] += table.height


def _conform(table: pl.DataFrame, spec: ExtractFile) -> pl.DataFrame:
    """The contract's columns in its order; absent optional ones empty, decimals trimmed."""
    return table.select([_contract_column(table, column) for column in spec.columns])


def _contract_column(table: pl.DataFrame, column: Column) -> pl.Expr:
    if column.name not in table.columns:
        return pl.lit(None, dtype=pl.String).alias(column.name)
    if column.kind is Kind.DECIMAL and table.schema[column.name].is_float():
        value = pl.col(column.name).round(DECIMALS)
        whole = value.cast(pl.Int64).cast(pl.String)
        return (
            pl.when(value == value.floor())
            .then(whole)
            .otherwise(value.cast(pl.String))
            .alias(column.name)
        )
    return pl.col(column.name)


def _concat_tables(tables: list[dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    return {
        name: pl.concat([t[name] for t in tables], how="diagonal_relaxed") for name in tables[0]
    }


def _write_manifest(out_dir: Path, *, skus: int, seed: int, as_of: date) -> None:
    manifest = {
        "extract_id": f"synthetic-s{seed}-n{skus}-{as_of.isoformat()}",
        "created_at": f"{as_of.isoformat()}T02:00:00Z",
        "source_system": SOURCE_SYSTEM,
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


# --- small helpers ----------------------------------------------------------------------------


class _Numbering:
    """Hands out consecutive document numbers (orders, lots, projects) across blocks."""

    def __init__(self) -> None:
        self._next: defaultdict[str, int] = defaultdict(lambda: 1)

    def take(self, document: str, count: int) -> int:
        """Reserve ``count`` numbers of a document type; return the first."""
        first = self._next[document]
        self._next[document] += count
        return first


def _random(seed: int, stream: int, index: int = 0) -> np.random.Generator:
    """An independent random stream per part of the network, fixed by the seed."""
    return np.random.default_rng([seed, stream, index])


def _choose(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row of a (rows, categories) probability matrix."""
    bounds = np.cumsum(probabilities, axis=1)[:, :-1]
    return (rng.random(len(probabilities))[:, None] >= bounds).sum(axis=1)


def _round_nice(qty: np.ndarray) -> np.ndarray:
    """Round up to 1, 2 or 5 times a power of ten, at least 1: how planners set lot sizes."""
    qty = np.maximum(qty, 1.0)
    magnitude = 10.0 ** np.floor(np.log10(qty))
    steps = np.array([1.0, 2.0, 5.0, 10.0])
    return steps[np.searchsorted(steps, qty / magnitude - 1e-9)] * magnitude


def _quantity(qty: np.ndarray, discrete: np.ndarray) -> np.ndarray:
    """Whole units for counted items, tenths for weights, lengths and volumes; never zero."""
    return np.where(discrete, np.maximum(np.ceil(qty), 1.0), np.maximum(np.round(qty, 1), 0.1))


def _booleans(values: np.ndarray) -> pl.Series:
    """The contract's ``true``/``false`` text."""
    return pl.Series(np.where(values, "true", "false"))


def _dates(as_of: date, offset_days: np.ndarray) -> pl.Series:
    """Dates ``offset_days`` after as_of; NaN offsets give empty dates."""
    offsets = np.asarray(offset_days, np.float64)
    missing = np.isnan(offsets)
    days = np.datetime64(as_of, "D") + np.where(missing, 0, offsets).astype("timedelta64[D]")
    days[missing] = np.datetime64("NaT")
    return pl.Series(days)


def _nullable(values: np.ndarray, dtype: pl.DataType = pl.Float64) -> pl.Series:
    """NaN as empty."""
    return pl.Series(np.asarray(values, np.float64), nan_to_null=True).cast(dtype)


def _nullable_codes(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    """Codes where numbers are >= 0, empty elsewhere."""
    return codes(prefix, np.maximum(numbers, 0), width).scatter(np.flatnonzero(numbers < 0), None)


def _nullable_gather(values: pl.Series, rows: np.ndarray) -> pl.Series:
    """values[rows] where rows >= 0, empty elsewhere."""
    return values.gather(np.maximum(rows, 0)).scatter(np.flatnonzero(rows < 0), None)
