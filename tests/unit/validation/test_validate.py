"""Validated ingestion: every kind of failure is caught, named, and quarantined or fatal."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from extract_fixtures import MINIMAL_EXTRACT, write_extract

from planning.errors import InvalidExtractError
from planning.extract.read import read_extract
from planning.validation.summary import write_validation_report
from planning.validation.validate import validate_extract


def _validate(tmp_path: Path, **changes: str | None):
    files = {name: text for name, text in (MINIMAL_EXTRACT | changes).items() if text is not None}
    return validate_extract(read_extract(write_extract(tmp_path / "extract", files)))


def _quarantined(validated, file: str) -> list[tuple[int, str, str | None, str]]:
    return [
        (row["row_number"], row["field"], row["value"], row["reason"])
        for row in validated.quarantine.filter(pl.col("file") == file).iter_rows(named=True)
    ]


def test_a_valid_extract_loads_every_row_typed_with_defaults(tmp_path):
    validated = _validate(tmp_path)
    assert validated.quarantine.height == 0
    skus = validated.tables["skus"].sort("item_id", "location_id")
    assert skus.schema["lead_time_days"] == pl.Int64
    assert skus.get_column("safety_stock").to_list() == [5.0, 0.0, 0.0]
    assert skus.get_column("lot_policy").to_list() == ["lot_for_lot", "lot_for_lot", "fixed"]
    assert skus.get_column("yield_rate").to_list() == [1.0, 0.98, 1.0]
    assert validated.tables["sales_orders"].schema["due_date"] == pl.Date
    # an absent optional file is an empty table with every contract column
    assert validated.tables["routings"].height == 0
    assert "setup_family" in validated.tables["routings"].columns


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [
        (
            "items.csv",
            "item_id,uom,unit_cost\nFG1,ea,50\nRM1,kg,abc",
            [(2, "unit_cost", "abc", "not a number")],
        ),
        (
            "sales_orders.csv",
            "so_id,so_line,item_id,location_id,qty_open,due_date\nSO1,10,FG1,D1,12,2027-02-30",
            [(1, "due_date", "2027-02-30", "not a valid date: no such day in the calendar")],
        ),
        (
            "on_hand.csv",
            "item_id,location_id,qty,status\nFG1,D1,-3,available\nRM1,P1,4,available",
            [(1, "qty", "-3", "outside the allowed range >= 0")],
        ),
        (
            "on_hand.csv",
            "item_id,location_id,qty,status\nFG1,D1,3,lost",
            [(1, "status", "lost", "not one of available, qa_hold, blocked")],
        ),
        (
            "sales_orders.csv",
            "so_id,so_line,item_id,location_id,qty_open,due_date\nSO1,10,NOPE,D1,1,2026-12-01",
            [(1, "item_id", "NOPE", "unknown item_id: not in items")],
        ),
        (
            "sales_orders.csv",
            "so_id,so_line,item_id,location_id,qty_open,due_date\nSO1,10,FG1,D1,,2026-12-01",
            [(1, "qty_open", None, "required value is empty")],
        ),
        (
            "bom.csv",
            "parent_item_id,component_item_id,location_id,qty_per,scrap_rate\nFG1,RM1,P1,2,1.0",
            [(1, "scrap_rate", "1.0", "outside the allowed range [0, 1)")],
        ),
        (
            "open_transfers.csv",
            "transfer_id,item_id,from_location_id,to_location_id,qty,ship_date,receipt_date\n"
            "T1,FG1,P1,D1,5,2026-11-25,2026-11-20",
            [(1, "receipt_date", "2026-11-20", "receipt_date must be on or after ship_date")],
        ),
        (
            "shifts.csv",
            "work_center_id,weekday,start_time,end_time\nWC1,7,25:00,14:00",
            [
                (1, "start_time", "25:00", "not a time in HH:MM form"),
                (1, "weekday", "7", "outside the allowed range [0, 6]"),
                (1, "work_center_id", "WC1", "unknown work_center_id: not in work_centers"),
            ],
        ),
    ],
)
def test_each_kind_of_bad_value_is_quarantined_with_file_row_field_and_reason(
    tmp_path, file, text, expected
):
    validated = _validate(tmp_path, **{file: text})
    assert sorted(_quarantined(validated, file)) == sorted(expected)
    name = file.removesuffix(".csv")
    bad_rows = {row for row, *_ in expected}
    assert not set(validated.tables[name].get_column("_source_row").to_list()) & bad_rows


def test_holidays_with_a_bad_date_or_an_unknown_location_are_quarantined(tmp_path):
    validated = _validate(
        tmp_path,
        **{
            "holidays.csv": "location_id,date,name\n"
            "P1,2026-12-25,Christmas\n"
            "P1,2026-12-32,\n"
            "XX,2027-01-01,New Year\n"
            "D1,26.12.2026,Boxing Day\n"
            "P1,2026-12-25,Christmas again"
        },
    )
    assert sorted(_quarantined(validated, "holidays.csv")) == [
        (1, "location_id,date", "P1,2026-12-25", "duplicate key (location_id, date)"),
        (2, "date", "2026-12-32", "not a valid date: no such day in the calendar"),
        (3, "location_id", "XX", "unknown location_id: not in locations"),
        (4, "date", "26.12.2026", "not a date in YYYY-MM-DD form"),
        (5, "location_id,date", "P1,2026-12-25", "duplicate key (location_id, date)"),
    ]
    assert validated.tables["holidays"].height == 0


def test_integer_qty_is_read_in_any_case_and_defaults_from_the_unit_of_measure(tmp_path):
    validated = _validate(
        tmp_path,
        **{
            "items.csv": "item_id,uom,integer_qty\n"
            "FG1,ea,\n"
            "RM1,kg,\n"
            "RM2,Pair,\n"
            "RM3,kg,TRUE\n"
            "RM4,EA,False\n"
            "RM5,ea,yes"
        },
    )
    assert _quarantined(validated, "items.csv") == [
        (6, "integer_qty", "yes", "not one of true, false")
    ]
    assert validated.tables["items"].select("item_id", "integer_qty").rows() == [
        ("FG1", "true"),
        ("RM1", "false"),
        ("RM2", "true"),
        ("RM3", "true"),
        ("RM4", "false"),
    ]


def test_duplicate_keys_quarantine_every_row_of_the_key(tmp_path):
    validated = _validate(
        tmp_path,
        **{
            "on_hand.csv": "item_id,location_id,qty,status\n"
            "RM1,P1,1,available\nRM1,P1,2,available\nFG1,D1,3,available"
        },
    )
    assert _quarantined(validated, "on_hand.csv") == [
        (
            1,
            "item_id,location_id,status",
            "RM1,P1,available",
            "duplicate key (item_id, location_id, status)",
        ),
        (
            2,
            "item_id,location_id,status",
            "RM1,P1,available",
            "duplicate key (item_id, location_id, status)",
        ),
    ]
    assert validated.tables["on_hand"].get_column("item_id").to_list() == ["FG1"]


def test_a_quarantined_item_takes_the_rows_that_reference_it_along(tmp_path):
    validated = _validate(
        tmp_path, **{"items.csv": "item_id,uom,unit_cost\nFG1,ea,-50\nRM1,kg,2.5"}
    )
    assert _quarantined(validated, "items.csv") == [
        (1, "unit_cost", "-50", "outside the allowed range >= 0")
    ]
    assert {row[1] for row in _quarantined(validated, "skus.csv")} == {"item_id"}
    assert validated.tables["skus"].get_column("item_id").to_list() == ["RM1"]
    assert validated.tables["sales_orders"].height == 0
    # nothing is lost: the quarantine keeps the whole record as written
    record = validated.quarantine.filter(pl.col("file") == "items.csv").get_column("record")[0]
    assert (
        record == '{"item_id":"FG1","uom":"ea","description":null,"unit_cost":"-50",'
        '"item_group":null,"integer_qty":null}'
    )


def test_a_transfer_sku_needs_a_known_source_location(tmp_path):
    skus = MINIMAL_EXTRACT["skus.csv"].replace("FG1,D1,transfer,3,P1", "FG1,D1,transfer,3,")
    validated = _validate(tmp_path, **{"skus.csv": skus})
    assert _quarantined(validated, "skus.csv") == [
        (2, "source_location_id", None, "required when replenishment is transfer")
    ]
    skus = MINIMAL_EXTRACT["skus.csv"].replace("FG1,D1,transfer,3,P1", "FG1,D1,transfer,3,P9")
    validated = _validate(tmp_path / "again", **{"skus.csv": skus})
    assert _quarantined(validated, "skus.csv") == [
        (2, "source_location_id", "P9", "unknown location_id: not in locations")
    ]


def test_yield_of_one_is_valid_but_zero_is_not(tmp_path):
    skus = (
        MINIMAL_EXTRACT["skus.csv"]
        .replace(",0.98", ",1")
        .replace("RM1,P1,buy,10,,SUP1,,fixed,", "RM1,P1,buy,10,,SUP1,,fixed,0")
    )
    validated = _validate(tmp_path, **{"skus.csv": skus})
    assert _quarantined(validated, "skus.csv") == [
        (3, "yield_rate", "0", "outside the allowed range (0, 1]")
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"skus.csv": None}, "skus.csv: required file is missing"),
        (
            {"items.csv": "item_id,description\nFG1,finished good"},
            "items.csv: required column uom is missing",
        ),
        ({"bom.csv": ""}, "bom.csv: file is empty (not even a header row)"),
        ({"items.csv": "item_id,uom"}, "items.csv: has a header but no rows"),
        (
            {"items.csv": "item_id;uom;unit_cost\nFG1;ea;50"},
            "the header looks like it uses another delimiter",
        ),
    ],
)
def test_fatal_problems_name_the_file_and_column(tmp_path, changes, message):
    with pytest.raises(InvalidExtractError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _validate(tmp_path, **changes)


def test_non_utf8_bytes_are_fatal_and_point_at_the_line(tmp_path):
    folder = write_extract(tmp_path / "extract", MINIMAL_EXTRACT)
    (folder / "items.csv").write_bytes(b"item_id,uom\nFG1,ea\nRM1,k\xe9g\n")
    with pytest.raises(InvalidExtractError, match=r"items.csv: not valid UTF-8 \(line 3"):
        read_extract(folder)


def test_parquet_files_are_accepted_instead_of_csv(tmp_path):
    folder = write_extract(tmp_path / "extract", MINIMAL_EXTRACT)
    items = pl.read_csv(folder / "items.csv")
    (folder / "items.csv").unlink()
    items.write_parquet(folder / "items.parquet")
    validated = validate_extract(read_extract(folder))
    assert validated.quarantine.height == 0
    assert validated.tables["items"].get_column("unit_cost").to_list() == [50.0, 2.5]


def test_columns_outside_the_contract_are_ignored_and_reported(tmp_path):
    validated = _validate(tmp_path, **{"items.csv": "item_id,uom,colour\nFG1,ea,red\nRM1,kg,"})
    report = next(r for r in validated.reports if r.file == "items.csv")
    assert report.ignored_columns == ("colour",)
    assert validated.quarantine.height == 0


def test_without_a_manifest_the_extract_id_comes_from_the_content(tmp_path):
    first = read_extract(write_extract(tmp_path / "a", MINIMAL_EXTRACT, manifest=False))
    second = read_extract(write_extract(tmp_path / "b", MINIMAL_EXTRACT, manifest=False))
    assert first.manifest["extract_id"] == second.manifest["extract_id"]
    assert first.manifest["extract_id"].startswith("content-")


def test_validation_report_records_every_expectation(tmp_path):
    validated = _validate(tmp_path, **{"items.csv": "item_id,uom,unit_cost\nFG1,ea,50\nRM1,kg,abc"})
    items = next(r for r in validated.reports if r.file == "items.csv")
    failed = [o for o in items.outcomes if not o.success]
    assert [(o.suite, o.expectation, o.field, o.unexpected_sample) for o in failed] == [
        ("items.parse", "expect_column_values_to_match_regex", "unit_cost", ["abc"])
    ]
    assert {o.suite for o in items.outcomes} == {"items.parse", "items.rules"}


def test_validation_json_samples_keys_by_column_and_date_pairs_in_iso_form(tmp_path):
    validated = _validate(
        tmp_path,
        **{
            "on_hand.csv": "item_id,location_id,qty,status\nRM1,P1,1,available\nRM1,P1,2,available",
            "open_transfers.csv": "transfer_id,item_id,from_location_id,to_location_id,qty,"
            "ship_date,receipt_date\nT1,FG1,P1,D1,5,2026-11-25,2026-11-20",
        },
    )
    write_validation_report(tmp_path / "report", validated)
    report = json.loads((tmp_path / "report" / "validation.json").read_text(encoding="utf-8"))
    samples = {
        (file["file"], expectation["field"]): expectation["unexpected_sample"]
        for file in report["files"]
        for expectation in file["expectations"]
        if not expectation["success"]
    }
    key = {"item_id": "RM1", "location_id": "P1", "status": "available"}
    assert samples == {
        ("on_hand.csv", "item_id,location_id,status"): [key, key],
        ("open_transfers.csv", "receipt_date"): [["2026-11-20", "2026-11-25"]],
    }


def test_files_without_a_key_and_with_a_reason_column_are_quarantined_cleanly(tmp_path):
    validated = _validate(
        tmp_path,
        **{
            "work_centers.csv": "work_center_id,location_id,capacity_units\nWC1,P1,2",
            "downtime.csv": "work_center_id,start_at,end_at,reason\n"
            "WC1,2026-11-24T06:00,2026-11-24T10:00,maintenance\n"
            "WC1,2026-11-25T10:00,2026-11-25T06:00,breakdown",
        },
    )
    assert _quarantined(validated, "downtime.csv") == [
        (2, "end_at", "2026-11-25T06:00", "end_at must be after start_at")
    ]
    assert validated.tables["downtime"].get_column("reason").to_list() == ["maintenance"]


def test_dates_and_timestamps_must_be_well_formed_and_exist(tmp_path):
    validated = _validate(
        tmp_path,
        **{
            "work_centers.csv": "work_center_id,location_id,capacity_units\nWC1,P1,2",
            "downtime.csv": "work_center_id,start_at,end_at\n"
            "WC1,24/11/2026 06:00,2026-11-24T10:00\n"
            "WC1,2026-02-29T06:00,2026-03-01T06:00\n"
            "WC1,2026-11-24 06:00,2026-11-24T10:00:00",
            "sales_orders.csv": "so_id,so_line,item_id,location_id,qty_open,due_date\n"
            "SO1,10,FG1,D1,1,30.11.2026",
        },
    )
    assert _quarantined(validated, "downtime.csv") == [
        (1, "start_at", "24/11/2026 06:00", "not an ISO 8601 timestamp (YYYY-MM-DDTHH:MM[:SS])"),
        (
            2,
            "start_at",
            "2026-02-29T06:00",
            "not a valid timestamp: no such day or time in the calendar",
        ),
    ]
    assert _quarantined(validated, "sales_orders.csv") == [
        (1, "due_date", "30.11.2026", "not a date in YYYY-MM-DD form")
    ]
    assert validated.tables["downtime"].get_column("start_at").dt.hour().to_list() == [6]


def test_blank_lines_are_no_rows_and_the_rows_after_them_keep_their_numbers(tmp_path):
    folder = write_extract(tmp_path / "extract", MINIMAL_EXTRACT)
    (folder / "sales_orders.csv").write_text(
        "so_id,so_line,item_id,location_id,qty_open,due_date\n"
        "SO1,10,FG1,D1,12,2026-11-30\n"
        "\n"
        ",,,,,\n"
        "SO2,10,FG1,D1,,2026-11-30\n"
        "\n\n",
        encoding="utf-8",
    )
    validated = validate_extract(read_extract(folder))
    assert _quarantined(validated, "sales_orders.csv") == [
        (4, "qty_open", None, "required value is empty")
    ]
    assert validated.tables["sales_orders"]["_source_row"].to_list() == [1]


def test_a_master_of_blank_lines_only_is_empty(tmp_path):
    folder = write_extract(tmp_path / "extract", MINIMAL_EXTRACT)
    (folder / "items.csv").write_text(
        MINIMAL_EXTRACT["items.csv"].strip().splitlines()[0].strip() + "\n\n\n", encoding="utf-8"
    )
    with pytest.raises(InvalidExtractError, match=r"items\.csv: has a header but no rows"):
        read_extract(folder)
