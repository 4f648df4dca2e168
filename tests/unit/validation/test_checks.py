"""The Polars checks against Great Expectations as the oracle: the same suites, built
as real GX suites from the same rules and run by GX's pandas engine, flag the same
(row, field, reason) failures with the same counts and samples."""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from extract_fixtures import MINIMAL_EXTRACT, write_extract
from hostile_cases import CASES_BY_ID, SAMPLE

import planning.validation.validate as validate
from planning.extract.read import SOURCE_ROW, read_extract
from planning.validation import expectations as gx_terms
from planning.validation.checks import SAMPLE_SIZE, evaluate_suite
from planning.validation.expectations import Rule, Suite, to_gx_suite

# hostile cases the slow oracle runs: one or more of each kind of bad value they hold
ORACLE_CASES = (
    "text-in-quantity",
    "impossible-date",
    "decimal-in-integer-column",
    "negative-quantity",
    "duplicate-compound-key",
    "duplicate-item-id",
    "unknown-item",
    "unknown-work-center",
    "transfer-source-location-unknown",
    "transfer-without-source",
    "scrap-rate-one",
    "yield-rate-zero",
    "integer-beyond-64-bits",
    "quantity-overflowing-to-infinity",
)


@pytest.fixture(scope="module")
def gx_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _gx_validate(context: Any, suite: Suite, rows: pl.DataFrame) -> tuple[dict, set]:
    """Outcomes by (type, field, reason) and failures as Great Expectations finds them,
    run as validation ran before the Polars checks: a pandas dataframe asset,
    result_format COMPLETE, failing rows from unexpected_index_list."""
    frame = rows.to_pandas(use_pyarrow_extension_array=False)
    source = context.data_sources.add_or_update_pandas("extract")
    name = suite.name.replace(".", "_")
    asset = next((a for a in source.assets if a.name == name), None)
    asset = asset or source.add_dataframe_asset(name=name)
    definition = next(iter(asset.batch_definitions), None)
    definition = definition or asset.add_batch_definition_whole_dataframe("whole_file")
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(to_gx_suite(suite), result_format="COMPLETE")
    source_rows = frame[SOURCE_ROW].to_list()
    outcomes, failures = {}, set()
    for outcome in result.results:
        config = outcome.expectation_config
        assert not (outcome.exception_info or {}).get("raised_exception"), outcome.exception_info
        key = (config.type, config.meta["field"], config.meta["reason"])
        assert key not in outcomes
        indexes = [
            i["index"] if isinstance(i, dict) else i
            for i in outcome.result.get("unexpected_index_list") or []
        ]
        outcomes[key] = (
            bool(outcome.success),
            outcome.result["element_count"],
            len(indexes),
            _comparable((outcome.result.get("unexpected_list") or [])[:SAMPLE_SIZE]),
        )
        failures |= {(source_rows[i], *key[1:]) for i in indexes}
    return outcomes, failures


def _polars_validate(suite: Suite, rows: pl.DataFrame) -> tuple[dict, set]:
    outcomes, failures = evaluate_suite(suite, rows)
    return (
        {
            (o.expectation, o.field, o.reason): (
                o.success,
                o.element_count,
                o.unexpected_count,
                _comparable(o.unexpected_sample),
            )
            for o in outcomes
        },
        set(failures.iter_rows()),
    )


def _comparable(value: Any) -> Any:
    """Values of both engines on one footing: NaN and NaT are None, dates are Timestamps."""
    import pandas as pd

    if isinstance(value, dict):
        return {key: _comparable(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_comparable(v) for v in value]
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (dt.date, pd.Timestamp)) or type(value).__name__ == "datetime64":
        return pd.Timestamp(value)
    return value


@pytest.fixture
def compared(gx_context, monkeypatch) -> list[tuple[str, Any, Any]]:
    """Every suite validation runs is also run by Great Expectations; the list gets
    (suite, Great Expectations' result, the Polars checks' result) of each."""
    runs = []

    def both(suite: Suite, rows: pl.DataFrame):
        if rows.height:
            runs.append(
                (suite.name, _gx_validate(gx_context, suite, rows), _polars_validate(suite, rows))
            )
        return evaluate_suite(suite, rows)

    monkeypatch.setattr(validate, "evaluate_suite", both)
    return runs


def _assert_same(runs: list[tuple[str, Any, Any]]) -> None:
    assert runs
    for name, expected, actual in runs:
        assert actual == expected, name


def _between(column: str, low: float | None, high: float | None, strict_min=False) -> Rule:
    bounds = {"min_value": low, "max_value": high, "strict_min": strict_min, "strict_max": False}
    return Rule(gx_terms.BETWEEN, {"column": column, **bounds}, column, f"{low} to {high}")


def test_tricky_values_fail_as_in_great_expectations(gx_context):
    rows = (
        pl.DataFrame(
            {
                "code": ["12", "١٢", "12\n", "x12", None, "12", "7"],
                "part": ["a", None, None, None, "a", "a", None],
                "qty": [1.0, float("nan"), 0.0, 1.0, 2.0, None, -0.5],
                "days": [0, 6, 7, None, -1, 3, 6],
                "kind": ["buy", "transfer", "transfer", None, "make", "transfer", "BUY"],
                "source": [None, "P1", None, None, None, None, None],
                "known": [True, False, True, True, False, True, True],
                "start": [dt.date(2026, 1, d) for d in (1, 2, 3, 4, 5, 6, 7)],
                "end": [dt.date(2026, 1, d) if d else None for d in (2, 2, 0, 1, 5, 9, 7)],
            }
        )
        .with_row_index(SOURCE_ROW, offset=1)
        .cast({SOURCE_ROW: pl.Int64})
    )
    rules = (
        Rule(gx_terms.NOT_NULL, {"column": "code"}, "code", "required"),
        Rule(gx_terms.MATCH_REGEX, {"column": "code", "regex": r"^\d+$"}, "code", "digits"),
        Rule(
            gx_terms.IN_SET,
            {"column": "kind", "value_set": ["buy", "make", "transfer"]},
            "kind",
            "kind",
        ),
        Rule(gx_terms.IN_SET, {"column": "known", "value_set": [True]}, "part", "unknown"),
        _between("qty", 0, 1, strict_min=True),
        _between("days", 0, 6),
        _between("days", 1, None),
        Rule(gx_terms.UNIQUE, {"column": "part"}, "part", "duplicate part"),
        Rule(
            gx_terms.COMPOUND_UNIQUE,
            {"column_list": ["part", "kind"], "ignore_row_if": "never"},
            "part,kind",
            "duplicate key",
        ),
        Rule(
            gx_terms.A_GREATER_THAN_B,
            {
                "column_A": "end",
                "column_B": "start",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            "end",
            "on or after",
        ),
        Rule(
            gx_terms.A_GREATER_THAN_B,
            {
                "column_A": "end",
                "column_B": "start",
                "or_equal": False,
                "ignore_row_if": "either_value_is_missing",
            },
            "end",
            "after",
        ),
        Rule(
            gx_terms.NOT_NULL,
            {"column": "source", "row_condition": 'kind=="transfer"', "condition_parser": "pandas"},
            "source",
            "required when transfer",
        ),
        Rule(
            gx_terms.NOT_NULL,
            {"column": "source", "row_condition": 'kind=="none"', "condition_parser": "pandas"},
            "source",
            "required when none",
        ),
    )
    suite = Suite("tricky.rules", rules)
    expected = _gx_validate(gx_context, suite, rows)
    assert _polars_validate(suite, rows) == expected
    # the oracle itself sees what the checks must: nulls skipped, NaN missing, keys with nulls
    outcomes, failures = expected
    assert outcomes[(gx_terms.MATCH_REGEX, "code", "digits")][3] == ["x12"]
    assert outcomes[(gx_terms.UNIQUE, "part", "duplicate part")][2] == 3
    assert {(2, "part,kind", "duplicate key"), (3, "part,kind", "duplicate key")} <= failures
    assert outcomes[(gx_terms.NOT_NULL, "source", "required when none")][:3] == (True, 0, 0)


def test_an_extract_fails_as_in_great_expectations(tmp_path, compared):
    files = MINIMAL_EXTRACT | {
        "items.csv": "item_id,uom,unit_cost,integer_qty\nFG1,ea,50,\nRM1,kg,abc,maybe\nRM1,kg,-1,",
        "skus.csv": MINIMAL_EXTRACT["skus.csv"].replace(
            "FG1,D1,transfer,3,P1", "FG1,D1,transfer,3,"
        ),
        "holidays.csv": "location_id,date,name\nP1,2026-12-32,\nP1,2026-12-32,\nXX,2027-01-01,",
        "open_transfers.csv": "transfer_id,item_id,from_location_id,to_location_id,qty,ship_date,"
        "receipt_date\nT1,FG1,P1,D1,5,2026-11-25,2026-11-20\nT1,FG1,P1,D1,1e400,2026-11-25,",
        "shifts.csv": "work_center_id,weekday,start_time,end_time\nWC1,7,25:00,14:00",
        "downtime.csv": "work_center_id,start_at,end_at\nWC1,2026-11-25T10:00,2026-11-25T06:00",
    }
    validate.validate_extract(read_extract(write_extract(tmp_path / "extract", files)))
    _assert_same(compared)
    failing = {name for name, (_, gx_failures), _ in compared if gx_failures}
    assert {"items.parse", "items.rules", "holidays.rules", "open_transfers.rules"} <= failing


@pytest.mark.slow
def test_the_sample_passes_as_in_great_expectations(compared):
    validated = validate.validate_extract(read_extract(SAMPLE))
    assert validated.quarantine.height == 0
    _assert_same(compared)


@pytest.mark.slow
@pytest.mark.parametrize("case_id", ORACLE_CASES)
def test_hostile_extracts_fail_as_in_great_expectations(case_id, tmp_path, compared):
    validate.validate_extract(read_extract(CASES_BY_ID[case_id].build(tmp_path / "extract")))
    _assert_same(compared)


def test_validation_imports_neither_great_expectations_nor_pandas():
    script = (
        "import sys\n"
        "from planning.validation.summary import read_and_validate\n"
        f"read_and_validate({str(SAMPLE)!r}, report=lambda line: None)\n"
        "print(sorted(m for m in ('great_expectations', 'pandas') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
    )
    assert done.stdout.strip() == "[]"
