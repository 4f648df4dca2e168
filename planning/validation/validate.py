"""Validated ingestion: run the expectation suites, quarantine failing rows, type the rest.

Files are validated in contract order, so references are checked against the
rows of the referenced file that passed: an item that is quarantined makes the
rows pointing at it unknown references too, and they are quarantined with it.
The suites run as Polars expressions (``checks.py``); Great Expectations, which
gives them the same results, is not imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from planning.contract import BOOLEAN_VALUES, Column, ExtractFile, Kind
from planning.extract.read import SOURCE_ROW, Extract, ExtractTable
from planning.validation.checks import FAILURE_SCHEMA, ExpectationOutcome, evaluate_suite
from planning.validation.expectations import (
    DATE_FORMAT,
    Suite,
    parse_suite,
    reference_flag,
    rules_suite,
)

QUARANTINE_SCHEMA = {
    "file": pl.String,
    "row_number": pl.Int64,
    "field": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "record": pl.String,  # the whole row as JSON text, so nothing is lost
}
CAST_FAILURE_REASONS = {
    Kind.DECIMAL: "not a finite number (too large for a decimal)",
    Kind.DATE: "not a valid date: no such day in the calendar",
    Kind.TIMESTAMP: "not a valid timestamp: no such day or time in the calendar",
}


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
    """Validate every file of ``extract`` against its expectation suites."""
    tables: dict[str, pl.DataFrame] = {}
    quarantines: list[pl.DataFrame] = []
    reports: list[FileReport] = []
    for name, table in extract.tables.items():
        valid, quarantine, report = _validate_table(table, tables)
        tables[name] = valid
        quarantines.append(quarantine)
        reports.append(report)
    quarantine = pl.concat(quarantines).sort("file", "row_number", "field")
    return ValidatedExtract(extract.manifest, tables, quarantine, reports)


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
    parse_failures = _run_suite(parse_suite(spec), text_rows, report)
    typed = typed_rows(spec, text_rows)
    cast_failures = _cast_failures(spec, text_rows, typed).join(
        parse_failures, on=["row_number", "field"], how="anti"
    )
    flagged = _with_reference_flags(spec, typed, validated)
    rule_failures = _run_suite(rules_suite(spec), flagged, report)
    failed_rows = pl.concat([parse_failures, cast_failures, rule_failures]).get_column("row_number")
    valid = typed.filter(~pl.col(SOURCE_ROW).is_in(failed_rows.implode()))

    failures = pl.concat([parse_failures, cast_failures, rule_failures])
    quarantine = _quarantine_rows(table, failures)
    report.rows_loaded = valid.height
    report.rows_quarantined = text_rows.height - valid.height
    return valid, quarantine, report


def _run_suite(suite: Suite, rows: pl.DataFrame, report: FileReport) -> pl.DataFrame:
    """Evaluate ``suite`` on ``rows`` into ``report``; return one (row_number, field,
    reason) row per failure."""
    outcomes, failures = evaluate_suite(suite, rows)
    report.outcomes.extend(outcomes)
    return failures


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
