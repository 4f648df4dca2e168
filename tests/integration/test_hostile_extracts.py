"""Hostile extracts (tests/hostile_cases.py): every case ends in a clear fatal error
(exit 2, naming the file and the column or line) or in the quarantine of exactly
the bad rows with the rest planned; never a traceback, and a failed run leaves the
last published plan as it was.

Every case is checked at the validation level (fast: what the run's first step
decides); a representative subset runs ``planner run`` end to end (slow).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hostile_cases import (
    AS_OF,
    AT_SUM,
    CASES,
    CASES_BY_ID,
    CM2_PL01,
    CMD,
    DUPLICATE_ITEM,
    HYPERLINK,
    HYPERLINK_SUPPLIER,
    MINUS_CMD,
    SAMPLE,
    SO_3_1,
    Case,
)

from planning.errors import InvalidExtractError
from planning.mrp.exceptions import EXCEPTION_ORDER
from planning.mrp.orders import MAX_PIECES_PER_LOT
from planning.publish import restore_text
from planning.validation.summary import read_and_validate, require_plannable
from planning.validation.validate import ValidatedExtract

ERP_FILES = (
    "work_orders.csv",
    "purchase_requests.csv",
    "transfer_orders.csv",
    "action_messages.csv",
    "exceptions.csv",
)
RUN_FILES = {"manifest.json", "quarantine.csv", "validation.json", "dbt.log", "dbt_plan.log"}
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
PLAIN_NUMBER = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def _param(case: Case):
    return pytest.param(case, id=case.id)


def _quiet(_line: str) -> None:
    pass


def _quarantine_rows(quarantine: pl.DataFrame, expected: frozenset) -> set[tuple]:
    """(file, row_number, field, reason) rows; reason None where the case accepts any."""
    any_reason = {row[:3] for row in expected if row[3] is None}
    rows = quarantine.select(
        "file", pl.col("row_number").cast(pl.Int64), "field", "reason"
    ).iter_rows()
    return {row if row[:3] not in any_reason else (*row[:3], None) for row in rows}


def _quarantined_per_file(expected: frozenset) -> dict[str, int]:
    rows = {(file, row) for file, row, _field, _reason in expected}
    return {file: sum(1 for f, _ in rows if f == file) for file, _ in rows}


# --- fast: the validation outcome of every case -------------------------------------------


def _validated_row(validated: ValidatedExtract, table: str, **where: str) -> dict:
    rows = validated.tables[table].filter(
        pl.all_horizontal(pl.col(c) == v for c, v in where.items())
    )
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def _check_empty_optional_file(validated: ValidatedExtract) -> None:
    report = next(r for r in validated.reports if r.file == "open_transfers.csv")
    assert report.present and report.rows_read == 0
    assert validated.tables["open_transfers"].height == 0


def _check_huge_quantity(validated: ValidatedExtract) -> None:
    assert _validated_row(validated, "sales_orders", **SO_3_1)["qty_open"] == 1e15


def _check_huge_lead_time(validated: ValidatedExtract) -> None:
    sku = _validated_row(validated, "skus", item_id="CM-0001", location_id="PL01")
    assert sku["lead_time_days"] == 10**15


def _bom_has_line(parent: str, component: str):
    def check(validated: ValidatedExtract) -> None:
        # validation cannot see cycles (they need the whole graph): the marts find them
        _validated_row(validated, "bom", parent_item_id=parent, component_item_id=component)

    return check


def _loaded_as_written(table: str, where: dict[str, str], **values: str):
    def check(validated: ValidatedExtract) -> None:
        row = _validated_row(validated, table, **where)
        # only the published CSVs guard against formulas; the warehouse keeps the text
        assert {column: row[column] for column in values} == values

    return check


VALIDATED_CHECKS = {
    "header-only-optional-file": _check_empty_optional_file,
    "huge-quantity-1e15": _check_huge_quantity,
    "huge-lead-time-1e15-days": _check_huge_lead_time,
    "bom-cycle": _bom_has_line("SA-0000001", "FG-0000001"),
    "bom-self-reference": _bom_has_line("SA-0000001", "SA-0000001"),
    "formula-in-text-fields": _loaded_as_written(
        "items", {"item_id": "CM-0001"}, description=HYPERLINK, item_group=AT_SUM
    ),
    "formula-as-supplier-id": _loaded_as_written(
        "skus",
        CM2_PL01,
        supplier_id=HYPERLINK_SUPPLIER,
        planner_code=CMD,
    ),
}


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_validation_outcome(case: Case, tmp_path: Path):
    extract = case.build(tmp_path / "extract")
    if case.fatal:
        with pytest.raises(InvalidExtractError) as raised:
            require_plannable(read_and_validate(extract, report=_quiet))
        message = str(raised.value)
        for fragment in case.fatal.message_fragments(extract):
            assert fragment in message, message
        assert message.startswith(f"{case.fatal.file}: "), message
        if case.fatal.column:
            assert raised.value.column == case.fatal.column
        return

    validated = read_and_validate(extract, report=_quiet)
    require_plannable(validated)
    assert _quarantine_rows(validated.quarantine, case.quarantined) == set(case.quarantined)
    # exactly the quarantined rows are held back; every other row flows on
    expected = _quarantined_per_file(case.quarantined)
    for report in validated.reports:
        assert report.rows_quarantined == expected.get(report.file, 0), report.file
        assert report.rows_loaded == report.rows_read - report.rows_quarantined, report.file
    if case.id in VALIDATED_CHECKS:
        VALIDATED_CHECKS[case.id](validated)


def test_there_are_enough_cases_of_each_kind():
    fatal = [case for case in CASES if case.fatal]
    quarantined = [case for case in CASES if not case.fatal and case.quarantined]
    planned = [case for case in CASES if not case.fatal and not case.quarantined]
    assert len(CASES) >= 20
    assert len(fatal) >= 10 and len(quarantined) >= 10 and len(planned) >= 5


# --- slow: `planner run` end to end -------------------------------------------------------


@dataclass(frozen=True)
class Run:
    case_id: str
    extract: Path
    result: subprocess.CompletedProcess[str]
    run_id: str
    latest_before: str
    published_before: dict[Path, bytes]  # every file of the folder latest pointed at
    runs_before: set[str]

    @property
    def output(self) -> str:
        return self.result.stdout + self.result.stderr


@dataclass
class Plans:
    root: Path
    out: Path
    warehouse: Path
    runs: dict[str, Run]


def _planner_run(extract: Path, plans: Plans, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "planning.cli", "run",
            "--extract", str(extract), "--as-of", AS_OF,
            "--out", str(plans.out), "--warehouse", str(plans.warehouse), *options,
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


def _files(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _published_runs(out: Path) -> set[str]:
    return {p.parent.name for p in out.glob("*/manifest.json") if not p.parent.is_symlink()}


def _run_id(stdout: str) -> str:
    found = re.search(r"^planner run (\S+):", stdout, re.MULTILINE)
    assert found, stdout
    return found.group(1)


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Plans:
    """The valid sample planned and published once: the plan hostile runs must not touch."""
    root = tmp_path_factory.mktemp("hostile")
    plans = Plans(root, root / "plans", root / "warehouse" / "planner.duckdb", {})
    extract = shutil.copytree(SAMPLE, root / "sample")
    result = _planner_run(extract, plans)
    assert result.returncode == 0, result.stdout + result.stderr
    latest = plans.out / "latest"
    assert os.readlink(latest) == _run_id(result.stdout)
    assert pl.read_csv(latest / "quarantine.csv").height == 0
    exceptions = pl.read_csv(latest / "exceptions.csv", infer_schema=False)
    assert "invalid_data" not in exceptions.get_column("category").to_list()
    # the material plan's (late demand) and the schedule's (work orders it
    # finishes late), in one order (ISO dates sort as text)
    assert "late_demand" in set(exceptions.get_column("category"))
    assert exceptions.filter(pl.col("message").str.contains("is scheduled to finish")).height
    assert exceptions.equals(exceptions.sort(EXCEPTION_ORDER, nulls_last=True))
    return plans


def _run(case_id: str, plans: Plans) -> Run:
    """Run the case once per module (the cases share the published plans and warehouse)."""
    if case_id not in plans.runs:
        case = CASES_BY_ID[case_id]
        extract = case.build(plans.root / "extracts" / case.id)
        latest_before = os.readlink(plans.out / "latest")
        published_before = _files(plans.out / latest_before)
        runs_before = _published_runs(plans.out)
        anyway = ("--publish-anyway",) if case_id in PUBLISHED_ANYWAY else ()
        result = _planner_run(extract, plans, *anyway)
        plans.runs[case_id] = Run(
            case_id,
            extract,
            result,
            _run_id(result.stdout),
            latest_before,
            published_before,
            runs_before,
        )
    return plans.runs[case_id]


def _text_cells(path: Path) -> pl.DataFrame:
    """A published CSV as a spreadsheet reads it: every cell as text, as written."""
    return pl.read_csv(path, infer_schema=False)


def _assert_no_cell_runs_as_a_formula(folder: Path) -> None:
    for name in (*ERP_FILES, "quarantine.csv"):
        for column in _text_cells(folder / name).iter_columns():
            for cell in column.drop_nulls():
                assert not (FORMULA_START.match(cell) and not PLAIN_NUMBER.match(cell)), (
                    f"{name} {column.name}: {cell!r}"
                )


def _assert_numbers_are_finite(folder: Path) -> None:
    for name in ERP_FILES:
        frame = pl.read_csv(folder / name, infer_schema_length=None)
        for column in frame.select(pl.selectors.numeric()).iter_columns():
            assert column.is_finite().all(), f"{name} {column.name}"


def _erp_rows(folder: Path, name: str, **where: str) -> pl.DataFrame:
    frame = _text_cells(folder / name)
    if not where:
        return frame
    return frame.filter(pl.all_horizontal(pl.col(c) == v for c, v in where.items()))


def _invalid_data_refs(folder: Path) -> set[str]:
    exceptions = _erp_rows(folder, "exceptions.csv", category="invalid_data")
    for message, ref_id in exceptions.select("message", "ref_id").iter_rows():
        assert message.startswith("SKUs on a cycle of BOM and transfer links: " + ref_id)
    return set(exceptions.get_column("ref_id").to_list())


def _check_bom_cycle(folder: Path) -> None:
    assert _invalid_data_refs(folder) == {
        "FG-0000001@PL01, SA-0000001@PL01",
        "FG-0000001@PL02, SA-0000001@PL02",
    }
    # the SKUs on the cycle are planned all the same
    assert _erp_rows(folder, "work_orders.csv", item_id="FG-0000001", location_id="PL01").height


def _check_bom_self_reference(folder: Path) -> None:
    # a one-SKU cycle: reported like any other, once per plant making the item
    assert _invalid_data_refs(folder) == {"SA-0000001@PL01", "SA-0000001@PL02"}
    assert _erp_rows(folder, "work_orders.csv", item_id="SA-0000001", location_id="PL01").height


def _check_supplier_formula(folder: Path) -> None:
    requests = _erp_rows(folder, "purchase_requests.csv", **CM2_PL01)
    assert requests.height >= 1
    assert set(requests.get_column("supplier_id")) == {"'" + HYPERLINK_SUPPLIER}
    assert set(restore_text(requests).get_column("supplier_id")) == {HYPERLINK_SUPPLIER}


def _check_unknown_item_formula(folder: Path) -> None:
    quarantine = _erp_rows(folder, "quarantine.csv", field="item_id")
    # the rejected value stays visible, behind the quote that keeps it from running
    assert quarantine.get_column("value").to_list() == ["'" + MINUS_CMD]
    record = json.loads(quarantine.get_column("record")[0])
    assert record["item_id"] == MINUS_CMD and record["so_id"] == SO_3_1["so_id"]


def _check_huge_order(folder: Path) -> None:
    orders = pl.read_csv(folder / "work_orders.csv", infer_schema_length=None).filter(
        (pl.col("item_id") == "FG-0000037") & (pl.col("location_id") == "PL01")
    )
    # planned in full, in at most MAX_PIECES_PER_LOT orders of max_qty for the lot
    assert orders.get_column("qty").sum() >= 1e15
    assert orders.filter(pl.col("qty") > 1e6).height == 1
    assert orders.height < 2 * MAX_PIECES_PER_LOT
    _assert_numbers_are_finite(folder)


def _check_duplicate_item(folder: Path) -> None:
    for name in ERP_FILES:
        assert DUPLICATE_ITEM not in (folder / name).read_text(encoding="utf-8"), name


def _check_unknown_transfer_source(folder: Path) -> None:
    # the SKU is quarantined, so nothing is shipped to it
    assert _erp_rows(
        folder, "transfer_orders.csv", item_id="FG-0000001", to_location_id="DC02"
    ).is_empty()


PLAN_CHECKS = {
    "bom-cycle": _check_bom_cycle,
    "bom-self-reference": _check_bom_self_reference,
    "formula-as-supplier-id": _check_supplier_formula,
    "formula-as-unknown-item": _check_unknown_item_formula,
    "huge-quantity-1e15": _check_huge_order,
    "duplicate-item-id": _check_duplicate_item,
    "transfer-source-location-unknown": _check_unknown_transfer_source,
}

# cases the publication gate refuses (a 1e15 order multiplies the open demand
# of the last published run): they run with --publish-anyway, so that what the
# plan makes of them is checked, and their manifest must record the refusal.
# They come last in END_TO_END: the plans share one warehouse, and after a
# published 1e15 order the next run's change check refuses, as it should
PUBLISHED_ANYWAY = {"huge-quantity-1e15": "open independent demand: "}

END_TO_END = (
    "missing-required-file",
    "semicolon-delimiter",
    "non-utf8-bytes",
    "stray-quote-opening-a-field",
    "wrong-types",
    "duplicate-item-id",
    "transfer-source-location-unknown",
    "bom-cycle",
    "bom-self-reference",
    "formula-as-supplier-id",
    "formula-as-unknown-item",
    "huge-quantity-1e15",
)


@pytest.mark.slow
@pytest.mark.parametrize("case", [_param(CASES_BY_ID[case_id]) for case_id in END_TO_END])
def test_planner_run(case: Case, plans: Plans):
    run = _run(case.id, plans)
    assert "Traceback" not in run.output
    out = plans.out
    if case.fatal:
        assert run.result.returncode == 2, run.output
        (error,) = [line for line in run.result.stdout.splitlines() if line.startswith("error: ")]
        message = error.removeprefix("error: ")
        assert message.startswith(f"{case.fatal.file}: "), message
        for fragment in case.fatal.message_fragments(run.extract):
            assert fragment in message, message
        # nothing published: latest and the plan it points at are as they were
        assert os.readlink(out / "latest") == run.latest_before
        assert _files(out / run.latest_before) == run.published_before
        assert _published_runs(out) == run.runs_before
        failed = json.loads((out / ".failed" / run.run_id / "manifest.json").read_text())
        assert (failed["status"], failed["error"]) == ("invalid_input", message)
        return

    assert run.result.returncode == 0, run.output
    folder = out / run.run_id
    # published, and latest moved to it; the plan published before is untouched
    assert os.readlink(out / "latest") == run.run_id
    assert _published_runs(out) == run.runs_before | {run.run_id}
    assert _files(out / run.latest_before) == run.published_before
    assert {*ERP_FILES, *RUN_FILES} <= {p.name for p in folder.iterdir()}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "succeeded"
    gate = manifest["publication_gate"]
    assert gate["published_anyway"] == (case.id in PUBLISHED_ANYWAY), gate
    if case.id in PUBLISHED_ANYWAY:
        (refusal,) = gate["refusals"]
        assert refusal.startswith(PUBLISHED_ANYWAY[case.id]), refusal
        assert "more than the 50 % limit (PLANNER_CHANGE_LIMIT_PCT)" in refusal
    quarantine = _text_cells(folder / "quarantine.csv")
    assert _quarantine_rows(quarantine, case.quarantined) == set(case.quarantined)
    quarantined = _quarantined_per_file(case.quarantined)
    for file, counts in manifest["counts"].items():
        assert counts["quarantined"] == quarantined.get(file, 0), file
    _assert_no_cell_runs_as_a_formula(folder)
    if case.id in PLAN_CHECKS:
        PLAN_CHECKS[case.id](folder)


@pytest.mark.slow
def test_demand_left_without_a_sku_by_the_quarantine_is_reported(plans: Plans):
    run = _run("transfer-source-location-unknown", plans)
    assert run.result.returncode == 0, run.output
    exceptions = _erp_rows(
        plans.out / run.run_id, "exceptions.csv", item_id="FG-0000001", location_id="DC02"
    )
    # its four sales order lines (SO-0000059/3, SO-0000064/2, SO-0000064/3,
    # SO-0000069/2) and its forecast are in marts.fct_demand, its open transfer
    # TR-0000001 in the supply; the plan says they cannot be planned
    rows = exceptions.select("category", "severity", "ref_id").sort("severity").rows()
    assert rows == [
        ("invalid_data", "high", "FG-0000001@DC02"),
        ("invalid_data", "medium", "FG-0000001@DC02"),
        ("invalid_data", "medium", "FG-0000001@DC02"),
    ]
    sales_orders = exceptions.filter(pl.col("severity") == "high")["message"].item()
    assert sales_orders.startswith("4 sales order demand line(s)"), sales_orders
