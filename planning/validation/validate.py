"""Validated ingestion: run the expectation suites, quarantine failing rows, type the rest.

Files are validated in contract order, so references are checked against the
rows of the referenced file that passed: an item that is quarantined makes the
rows pointing at it unknown references too, and they are quarantined with it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import great_expectations as gx
import numpy as np
import pandas as pd
import polars as pl

from planning.contract import BOOLEAN_VALUES, Column, ExtractFile, Kind
from planning.extract.read import SOURCE_ROW, Extract, ExtractTable
from planning.validation.expectations import DATE_FORMAT, parse_suite, reference_flag, rules_suite

QUARANTINE_SCHEMA = {
    "file": pl.String,
    "row_number": pl.Int64,
    "field": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "record": pl.String,  # the whole row as JSON text, so nothing is lost
}
FAILURE_SCHEMA = {"row_number": pl.Int64, "field": pl.String, "reason": pl.String}
SAMPLE_SIZE = 20
CAST_FAILURE_REASONS = {
    Kind.DECIMAL: "not a finite number (too large for a decimal)",
    Kind.DATE: "not a valid date: no such day in the calendar",
    Kind.TIMESTAMP: "not a valid timestamp: no such day or time in the calendar",
}  # unexpected values kept per expectation in the validation report


@dataclass(frozen=True)
class ExpectationOutcome:
    """A compact record of one expectation's result for the run's validation report."""

    suite: str
    expectation: str
    field: str
    reason: str
    success: bool
    element_count: int
    unexpected_count: int
    unexpected_sample: list[Any]


@dataclass
class FileReport:
    file: str
    present: bool
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    ignored_columns: tuple[str, ...] = ()
    outcomes: list[ExpectationOutcome] = field(default_factory=list)


@dataclass(frozen=True)
class ValidatedExtract:
    """Typed rows that passed, the quarantine, and a report per file."""

    manifest: dict[str, str]
    tables: dict[str, pl.DataFrame]
    quarantine: pl.DataFrame
    reports: list[FileReport]

    @property
    def rows_quarantined(self) -> int:
        return sum(r.rows_quarantined for r in self.reports)


def validate_extract(extract: Extract) -> ValidatedExtract:
    """Validate every file of ``extract`` with Great Expectations."""
    context = _ephemeral_context()
    tables: dict[str, pl.DataFrame] = {}
    quarantines: list[pl.DataFrame] = []
    reports: list[FileReport] = []
    for name, table in extract.tables.items():
        valid, quarantine, report = _validate_table(context, table, tables)
        tables[name] = valid
        quarantines.append(quarantine)
        reports.append(report)
    quarantine = pl.concat(quarantines).sort("file", "row_number", "field")
    return ValidatedExtract(extract.manifest, tables, quarantine, reports)


def _ephemeral_context() -> gx.data_context.AbstractDataContext:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = gx.data_context.types.base.ProgressBarsConfig(globally=False)
    return context


def _with_reference_flags(
    spec: ExtractFile, typed: pl.DataFrame, validated: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """Add a boolean column per reference: true when empty or found among the valid
    rows of the referenced file."""
    for reference in spec.references:
        (column,) = reference.columns
        (target_column,) = reference.target_columns
        known = validated[reference.target].get_column(target_column).unique()
        typed = typed.with_columns(
            (pl.col(column).is_null() | pl.col(column).is_in(known.implode())).alias(
                reference_flag(reference)
            )
        )
    return typed


def _validate_table(
    context: gx.data_context.AbstractDataContext,
    table: ExtractTable,
    validated: dict[str, pl.DataFrame],
) -> tuple[pl.DataFrame, pl.DataFrame, FileReport]:
    spec, text_rows = table.spec, table.rows
    report = FileReport(
        table.file_name,
        table.path is not None,
        text_rows.height,
        ignored_columns=table.ignored_columns,
    )
    if text_rows.height == 0:
        return typed_rows(spec, text_rows), _no_quarantine(), report

    # every row goes through both suites, so one report shows all of a row's problems;
    # a value that does not parse is null in the typed rows and only its parse failure counts
    parse_failures = _run_suite(context, spec, parse_suite(spec), text_rows, report)
    typed = typed_rows(spec, text_rows)
    cast_failures = _cast_failures(spec, text_rows, typed).join(
        parse_failures, on=["row_number", "field"], how="anti"
    )
    flagged = _with_reference_flags(spec, typed, validated)
    rule_failures = _run_suite(context, spec, rules_suite(spec), flagged, report)
    failed_rows = pl.concat([parse_failures, cast_failures, rule_failures]).get_column("row_number")
    valid = typed.filter(~pl.col(SOURCE_ROW).is_in(failed_rows.implode()))

    failures = pl.concat([parse_failures, cast_failures, rule_failures])
    quarantine = _quarantine_rows(table, failures)
    report.rows_loaded = valid.height
    report.rows_quarantined = text_rows.height - valid.height
    return valid, quarantine, report


def _run_suite(
    context: gx.data_context.AbstractDataContext,
    spec: ExtractFile,
    suite: gx.ExpectationSuite,
    rows: pl.DataFrame,
    report: FileReport,
) -> pl.DataFrame:
    """Validate ``rows``; return one (row_number, field, reason) row per failure."""
    empty = pl.DataFrame(schema=FAILURE_SCHEMA)
    if rows.height == 0:
        return empty
    frame = rows.to_pandas(use_pyarrow_extension_array=False)
    source_rows = frame[SOURCE_ROW].to_numpy()
    batch = _batch(context, suite.name, frame)
    result = batch.validate(suite, result_format="COMPLETE")
    failures = []
    for outcome in result.results:
        meta = outcome.expectation_config.meta or {}
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"expectation {outcome.expectation_config.type} on {spec.name} raised: "
                f"{outcome.exception_info.get('exception_message')}"
            )
        indexes = outcome.result.get("unexpected_index_list") or []
        report.outcomes.append(
            ExpectationOutcome(
                suite=suite.name,
                expectation=outcome.expectation_config.type,
                field=meta.get("field", ""),
                reason=meta.get("reason", ""),
                success=bool(outcome.success),
                element_count=int(outcome.result.get("element_count") or len(frame)),
                unexpected_count=len(indexes),
                unexpected_sample=[
                    _plain(v) for v in (outcome.result.get("unexpected_list") or [])[:SAMPLE_SIZE]
                ],
            )
        )
        if not indexes:
            continue
        # the frame keeps pandas' default RangeIndex, so index values are positions
        positions = np.asarray(_index_values(indexes), dtype=np.int64)
        failures.append(
            pl.DataFrame(
                {
                    "row_number": source_rows[positions].astype("int64"),
                    "field": meta.get("field", ""),
                    "reason": meta.get("reason", outcome.expectation_config.type),
                }
            )
        )
    return pl.concat([empty, *failures])


def _batch(context: gx.data_context.AbstractDataContext, name: str, frame: pd.DataFrame) -> Any:
    source = context.data_sources.add_or_update_pandas("extract")
    asset_name = name.replace(".", "_")
    asset = next(
        (a for a in source.assets if a.name == asset_name), None
    ) or source.add_dataframe_asset(name=asset_name)
    definition = next(
        iter(asset.batch_definitions), None
    ) or asset.add_batch_definition_whole_dataframe("whole_file")
    return definition.get_batch(batch_parameters={"dataframe": frame})


def _index_values(indexes: list[Any]) -> list[Any]:
    """GX reports plain index values, or dicts of them for multi-column expectations."""
    return [i["index"] if isinstance(i, dict) and "index" in i else i for i in indexes]


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return None if isinstance(value, float) and value != value else value
    return str(value)


def typed_rows(spec: ExtractFile, text_rows: pl.DataFrame) -> pl.DataFrame:
    """Cast text rows to the contract's types and fill optional defaults, those
    that depend on another column of the row too."""
    return text_rows.select(
        pl.col(SOURCE_ROW),
        *[_typed(column) for column in spec.columns],
    ).with_columns(
        pl.col(default.column).fill_null(
            pl.when(
                pl.col(default.source)
                .str.to_uppercase()
                .is_in([value.upper() for value in default.values])
            )
            .then(pl.lit("true"))
            .otherwise(pl.lit("false"))
        )
        for default in spec.defaults_from_values
    )


def _typed(column: Column) -> pl.Expr:
    text = pl.col(column.name)
    match column.kind:
        case Kind.DECIMAL:  # 1e400 matches the number form but reads as infinity
            number = text.cast(pl.Float64, strict=False)
            value = pl.when(number.is_finite()).then(number)
        case Kind.INTEGER:
            value = text.cast(pl.Int64, strict=False)
        case Kind.DATE:
            value = text.str.to_date(DATE_FORMAT, strict=False)
        case Kind.TIME:
            value = pl.coalesce(
                text.str.to_time("%H:%M:%S", strict=False), text.str.to_time("%H:%M", strict=False)
            )
        case Kind.TIMESTAMP:
            iso = text.str.replace(" ", "T", literal=True)
            value = pl.coalesce(
                iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False),
                iso.str.to_datetime("%Y-%m-%dT%H:%M", time_unit="us", strict=False),
            )
        case Kind.TEXT if column.values == BOOLEAN_VALUES:
            value = text.str.to_lowercase()
        case _:
            value = text
    if column.default is not None:
        value = value.fill_null(pl.lit(column.default))
    return value.alias(column.name)


def _cast_failures(spec: ExtractFile, text_rows: pl.DataFrame, typed: pl.DataFrame) -> pl.DataFrame:
    lost = [
        text_rows.filter(pl.col(c.name).is_not_null() & typed.get_column(c.name).is_null()).select(
            pl.col(SOURCE_ROW).alias("row_number"),
            pl.lit(c.name).alias("field"),
            pl.lit(CAST_FAILURE_REASONS.get(c.kind, f"cannot be read as {c.kind.value}")).alias(
                "reason"
            ),
        )
        for c in spec.columns
        if c.kind not in (Kind.ID, Kind.TEXT)
    ]
    return pl.concat([pl.DataFrame(schema=FAILURE_SCHEMA), *lost])


def _quarantine_rows(table: ExtractTable, failures: pl.DataFrame) -> pl.DataFrame:
    """One row per failure with the offending value as written and the whole record."""
    columns, key = table.spec.column_names, table.spec.key
    blamed_value = [pl.when(pl.col("_field") == c).then(pl.col(c)) for c in columns]
    if len(key) > 1:  # a duplicate compound key blames all its columns at once
        blamed_value.append(
            pl.when(pl.col("_field") == ",".join(key)).then(
                pl.concat_str([pl.col(c).fill_null("") for c in key], separator=",")
            )
        )
    # failures' own columns are prefixed: a file may have a column named "reason" or "field"
    return (
        failures.unique(maintain_order=True)
        .rename({"row_number": SOURCE_ROW, "field": "_field", "reason": "_reason"})
        .join(table.rows, on=SOURCE_ROW, how="left")
        .select(
            pl.lit(table.file_name).alias("file"),
            pl.col(SOURCE_ROW).alias("row_number"),
            pl.col("_field").alias("field"),
            pl.coalesce(blamed_value).alias("value"),
            pl.col("_reason").alias("reason"),
            pl.struct(columns).struct.json_encode().alias("record"),
        )
        .cast(QUARANTINE_SCHEMA)
    )


def _no_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)
