"""The ERP extract side of the data contract (``../shared/CONTRACT.md`` §1).

Every extract file is described once here; the generator, the validation
suites, the warehouse loader and the tests all read these specs, so a change to
the contract is a change to this module only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """Logical type of an extract column."""

    ID = "id"  # identifiers are strings, kept exactly as written
    TEXT = "text"
    DECIMAL = "decimal"
    INTEGER = "integer"
    DATE = "date"  # ISO YYYY-MM-DD
    TIME = "time"  # HH:MM or HH:MM:SS
    TIMESTAMP = "timestamp"  # ISO 8601

    @property
    def duckdb_type(self) -> str:
        return _DUCKDB_TYPES[self]


_DUCKDB_TYPES = {
    Kind.ID: "VARCHAR",
    Kind.TEXT: "VARCHAR",
    Kind.DECIMAL: "DOUBLE",
    Kind.INTEGER: "BIGINT",
    Kind.DATE: "DATE",
    Kind.TIME: "TIME",
    Kind.TIMESTAMP: "TIMESTAMP",
}


@dataclass(frozen=True)
class Column:
    """One column of an extract file.

    ``minimum``/``maximum`` bound numeric values (``maximum_exclusive`` makes
    the upper bound strict, ``minimum_exclusive`` the lower one); ``values``
    enumerates the allowed values of a text column; ``default`` fills an empty
    optional value when the row is loaded.
    """

    name: str
    kind: Kind
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    minimum_exclusive: bool = False
    maximum_exclusive: bool = False
    values: tuple[str, ...] | None = None
    default: object = None


@dataclass(frozen=True)
class Reference:
    """Values of ``columns`` must exist as ``target_columns`` of ``target``."""

    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class Ordered:
    """``later`` must not come before ``earlier`` (or strictly after when ``strict``)."""

    earlier: str
    later: str
    strict: bool = False


@dataclass(frozen=True)
class RequiredWhen:
    """``column`` must be filled on rows where ``when_column`` equals ``when_value``."""

    column: str
    when_column: str
    when_value: str


@dataclass(frozen=True)
class DefaultFromValues:
    """An empty ``column`` is ``"true"`` when ``source`` is one of ``values`` (any
    case), else ``"false"``: a default that depends on another column of the row."""

    column: str
    source: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ExtractFile:
    """One entity file of the extract: ``<name>.csv`` or ``<name>.parquet``."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    required_file: bool = False
    references: tuple[Reference, ...] = ()
    ordered: tuple[Ordered, ...] = ()
    required_when: tuple[RequiredWhen, ...] = ()
    defaults_from_values: tuple[DefaultFromValues, ...] = ()
    description: str = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _id(name: str, required: bool = True) -> Column:
    return Column(name, Kind.ID, required)


def _qty(name: str, required: bool = True, default: object = None) -> Column:
    return Column(name, Kind.DECIMAL, required, minimum=0, default=default)


def _fraction(name: str, *, upper_inclusive: bool, default: float) -> Column:
    """A rate in [0, 1) (scrap) or (0, 1] (yield)."""
    return Column(
        name,
        Kind.DECIMAL,
        minimum=0,
        maximum=1,
        minimum_exclusive=upper_inclusive,
        maximum_exclusive=not upper_inclusive,
        default=default,
    )


LOCATION_TYPES = ("plant", "warehouse", "dc")
REPLENISHMENT_TYPES = ("make", "buy", "transfer")
LOT_POLICIES = ("lot_for_lot", "fixed", "eoq", "period", "wagner_whitin")
STOCK_STATUSES = ("available", "qa_hold", "blocked")
WORK_ORDER_STATUSES = ("planned", "released", "in_progress")
BOOLEAN_VALUES = ("true", "false")  # read in any case (TRUE, True)
# units of measure counted in whole units when items.integer_qty is empty (any case)
WHOLE_UNIT_UOMS = ("EA", "PC", "PCS", "UNIT", "SET", "PAIR", "BOX")

_ITEM = Reference(("item_id",), "items", ("item_id",))
_LOCATION = Reference(("location_id",), "locations", ("location_id",))
_WORK_CENTER = Reference(("work_center_id",), "work_centers", ("work_center_id",))

EXTRACT_FILES: tuple[ExtractFile, ...] = (
    ExtractFile(
        "locations",
        key=("location_id",),
        required_file=True,
        columns=(
            _id("location_id"),
            Column("location_type", Kind.TEXT, True, values=LOCATION_TYPES),
            Column("name", Kind.TEXT),
        ),
        description="Plants, warehouses and distribution centres.",
    ),
    ExtractFile(
        "items",
        key=("item_id",),
        required_file=True,
        columns=(
            _id("item_id"),
            Column("uom", Kind.TEXT, True),
            Column("description", Kind.TEXT),
            _qty("unit_cost", required=False),
            Column("item_group", Kind.TEXT),
            Column("integer_qty", Kind.TEXT, values=BOOLEAN_VALUES),
        ),
        defaults_from_values=(DefaultFromValues("integer_qty", "uom", WHOLE_UNIT_UOMS),),
        description="Item master.",
    ),
    ExtractFile(
        "skus",
        key=("item_id", "location_id"),
        required_file=True,
        columns=(
            _id("item_id"),
            _id("location_id"),
            Column("replenishment", Kind.TEXT, True, values=REPLENISHMENT_TYPES),
            Column("lead_time_days", Kind.INTEGER, True, minimum=0),
            _id("source_location_id", required=False),
            _id("supplier_id", required=False),
            _qty("safety_stock", required=False, default=0.0),
            Column("lot_policy", Kind.TEXT, values=LOT_POLICIES, default="lot_for_lot"),
            Column("lot_size", Kind.DECIMAL, minimum=0, minimum_exclusive=True),
            _qty("min_qty", required=False),
            Column("max_qty", Kind.DECIMAL, minimum=0, minimum_exclusive=True),
            Column("multiple", Kind.DECIMAL, minimum=0, minimum_exclusive=True),
            Column("period_days", Kind.INTEGER, minimum=1),
            _qty("order_cost", required=False),
            _qty("holding_rate", required=False),
            _fraction("yield_rate", upper_inclusive=True, default=1.0),
            Column("planner_code", Kind.TEXT),
        ),
        references=(
            _ITEM,
            _LOCATION,
            Reference(("source_location_id",), "locations", ("location_id",)),
        ),
        required_when=(RequiredWhen("source_location_id", "replenishment", "transfer"),),
        description="Stock-keeping units: an item at a location and how it is resupplied.",
    ),
    ExtractFile(
        "bom",
        key=("parent_item_id", "component_item_id", "location_id"),
        columns=(
            _id("parent_item_id"),
            _id("component_item_id"),
            Column("qty_per", Kind.DECIMAL, True, minimum=0, minimum_exclusive=True),
            _id("location_id", required=False),
            _fraction("scrap_rate", upper_inclusive=False, default=0.0),
            Column("valid_from", Kind.DATE),
            Column("valid_to", Kind.DATE),
        ),
        references=(
            Reference(("parent_item_id",), "items", ("item_id",)),
            Reference(("component_item_id",), "items", ("item_id",)),
            _LOCATION,
        ),
        ordered=(Ordered("valid_from", "valid_to"),),
        description="Bills of material; an empty location_id applies at every plant.",
    ),
    ExtractFile(
        "work_centers",
        key=("work_center_id",),
        columns=(
            _id("work_center_id"),
            _id("location_id"),
            Column("capacity_units", Kind.INTEGER, True, minimum=1),
            Column("name", Kind.TEXT),
            Column("efficiency", Kind.DECIMAL, minimum=0, minimum_exclusive=True, default=1.0),
        ),
        references=(_LOCATION,),
        description="Work centres; capacity_units identical machines each.",
    ),
    ExtractFile(
        "routings",
        key=("item_id", "location_id", "op_seq", "work_center_id"),
        columns=(
            _id("item_id"),
            _id("location_id"),
            Column("op_seq", Kind.INTEGER, True, minimum=0),
            _id("work_center_id"),
            _qty("run_minutes_per_unit"),
            _qty("setup_minutes", required=False, default=0.0),
            Column("skill", Kind.TEXT),
            Column("setup_family", Kind.TEXT),
        ),
        references=(_ITEM, _LOCATION, _WORK_CENTER),
        description="Operations per make SKU; rows sharing an op_seq are alternatives.",
    ),
    ExtractFile(
        "shifts",
        key=("work_center_id", "weekday", "start_time"),
        columns=(
            _id("work_center_id"),
            Column("weekday", Kind.INTEGER, True, minimum=0, maximum=6),
            Column("start_time", Kind.TIME, True),
            Column("end_time", Kind.TIME, True),
        ),
        references=(_WORK_CENTER,),
        description="Weekly shift calendar; an end_time at or before start_time ends next day.",
    ),
    ExtractFile(
        "downtime",
        key=(),
        columns=(
            _id("work_center_id"),
            Column("start_at", Kind.TIMESTAMP, True),
            Column("end_at", Kind.TIMESTAMP, True),
            Column("reason", Kind.TEXT),
        ),
        references=(_WORK_CENTER,),
        ordered=(Ordered("start_at", "end_at", strict=True),),
        description="Planned maintenance and breakdowns.",
    ),
    ExtractFile(
        "personnel",
        key=("person_id", "skill"),
        columns=(
            _id("person_id"),
            _id("location_id"),
            Column("skill", Kind.TEXT, True),
            Column("name", Kind.TEXT),
            Column("shift_start", Kind.TIME),
            Column("shift_end", Kind.TIME),
        ),
        references=(_LOCATION,),
        description="People and their skills, one row per person and skill.",
    ),
    ExtractFile(
        "on_hand",
        key=("item_id", "location_id", "status"),
        columns=(
            _id("item_id"),
            _id("location_id"),
            _qty("qty"),
            Column("status", Kind.TEXT, True, values=STOCK_STATUSES),
            _id("lot_id", required=False),
        ),
        references=(_ITEM, _LOCATION),
        description="Stock on hand by status.",
    ),
    ExtractFile(
        "open_purchase_orders",
        key=("po_id", "po_line"),
        columns=(
            _id("po_id"),
            _id("po_line"),
            _id("item_id"),
            _id("location_id"),
            _qty("qty_open"),
            Column("due_date", Kind.DATE, True),
            _id("supplier_id", required=False),
        ),
        references=(_ITEM, _LOCATION),
        description="Open purchase order lines.",
    ),
    ExtractFile(
        "open_work_orders",
        key=("wo_id",),
        columns=(
            _id("wo_id"),
            _id("item_id"),
            _id("location_id"),
            _qty("qty_open"),
            Column("start_date", Kind.DATE, True),
            Column("due_date", Kind.DATE, True),
            Column("status", Kind.TEXT, True, values=WORK_ORDER_STATUSES),
            Column("ops_completed", Kind.INTEGER, minimum=0, default=0),
        ),
        references=(_ITEM, _LOCATION),
        ordered=(Ordered("start_date", "due_date"),),
        description="Open production orders.",
    ),
    ExtractFile(
        "open_transfers",
        key=("transfer_id",),
        columns=(
            _id("transfer_id"),
            _id("item_id"),
            _id("from_location_id"),
            _id("to_location_id"),
            _qty("qty"),
            Column("ship_date", Kind.DATE, True),
            Column("receipt_date", Kind.DATE, True),
        ),
        references=(
            _ITEM,
            Reference(("from_location_id",), "locations", ("location_id",)),
            Reference(("to_location_id",), "locations", ("location_id",)),
        ),
        ordered=(Ordered("ship_date", "receipt_date"),),
        description="Open stock transfers between locations.",
    ),
    ExtractFile(
        "sales_orders",
        key=("so_id", "so_line"),
        columns=(
            _id("so_id"),
            _id("so_line"),
            _id("item_id"),
            _id("location_id"),
            _qty("qty_open"),
            Column("due_date", Kind.DATE, True),
            _id("customer_id", required=False),
            Column("priority", Kind.INTEGER, minimum=0),
            _id("project_id", required=False),
        ),
        references=(_ITEM, _LOCATION),
        description="Open sales order lines.",
    ),
    ExtractFile(
        "forecast",
        key=("item_id", "location_id", "period_start"),
        columns=(
            _id("item_id"),
            _id("location_id"),
            Column("period_start", Kind.DATE, True),
            _qty("qty"),
            Column("period_days", Kind.INTEGER, minimum=1, default=7),
        ),
        references=(_ITEM, _LOCATION),
        description="Demand forecast per period (weekly by default).",
    ),
    ExtractFile(
        "milestones",
        key=("project_id", "milestone_id"),
        columns=(
            _id("project_id"),
            _id("milestone_id"),
            Column("name", Kind.TEXT, True),
            Column("due_date", Kind.DATE, True),
            _id("so_id", required=False),
        ),
        references=(Reference(("so_id",), "sales_orders", ("so_id",)),),
        description="Project milestones, each optionally marked done by a sales order.",
    ),
    ExtractFile(
        "holidays",
        key=("location_id", "date"),
        columns=(
            _id("location_id"),
            Column("date", Kind.DATE, True),
            Column("name", Kind.TEXT),
        ),
        references=(_LOCATION,),
        description="Days a location does not produce, ship or receive.",
    ),
)

EXTRACT_FILES_BY_NAME: dict[str, ExtractFile] = {f.name: f for f in EXTRACT_FILES}

MANIFEST_FILE = "manifest.json"
MANIFEST_KEYS = ("extract_id", "created_at", "source_system")
