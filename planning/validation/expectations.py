"""Great Expectations suites built from the contract's file specs.

Each file gets two suites. The *parse* suite runs on the text of the file: required
values present, numbers, integers, dates, times and timestamps well formed.
(Whether a well-formed date exists in the calendar, 2027-02-30 say, is checked
by the typed cast that follows: a per-row ``strptime`` in the suite costs seconds
per million rows.) The
*rules* suite runs on the typed rows that parsed: bounds, enumerations, unique
keys, references to known items, locations and work centres, ordered dates and
conditional requirements. Every expectation carries in its ``meta`` the field it
blames and the reason a planner reads in the quarantine report.
"""

from __future__ import annotations

from collections.abc import Iterable

import great_expectations as gx
import great_expectations.expectations as gxe

from planning.contract import Column, ExtractFile, Kind, Reference

DECIMAL_PATTERN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
INTEGER_PATTERN = r"^[+-]?\d+$"
TIME_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$"
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATE_FORMAT = "%Y-%m-%d"


def _meta(field: str, reason: str) -> dict[str, str]:
    return {"field": field, "reason": reason}


def parse_suite(spec: ExtractFile) -> gx.ExpectationSuite:
    """Expectations on the file's text: present where required, well formed."""
    suite = gx.ExpectationSuite(name=f"{spec.name}.parse")
    for column in spec.columns:
        for expectation in _parse_expectations(column):
            suite.add_expectation(expectation)
    return suite


def _parse_expectations(column: Column) -> Iterable[gxe.Expectation]:
    name = column.name
    if column.required:
        yield gxe.ExpectColumnValuesToNotBeNull(
            column=name, meta=_meta(name, "required value is empty")
        )
    if column.kind is Kind.DECIMAL:
        yield gxe.ExpectColumnValuesToMatchRegex(
            column=name, regex=DECIMAL_PATTERN, meta=_meta(name, "not a number")
        )
    elif column.kind is Kind.INTEGER:
        yield gxe.ExpectColumnValuesToMatchRegex(
            column=name, regex=INTEGER_PATTERN, meta=_meta(name, "not a whole number")
        )
    elif column.kind is Kind.DATE:
        yield gxe.ExpectColumnValuesToMatchRegex(
            column=name, regex=DATE_PATTERN, meta=_meta(name, "not a date in YYYY-MM-DD form")
        )
    elif column.kind is Kind.TIME:
        yield gxe.ExpectColumnValuesToMatchRegex(
            column=name, regex=TIME_PATTERN, meta=_meta(name, "not a time in HH:MM form")
        )
    elif column.kind is Kind.TIMESTAMP:
        yield gxe.ExpectColumnValuesToMatchRegex(
            column=name,
            regex=TIMESTAMP_PATTERN,
            meta=_meta(name, "not an ISO 8601 timestamp (YYYY-MM-DDTHH:MM[:SS])"),
        )


def reference_flag(reference: Reference) -> str:
    """Name of the column that says whether a row's reference resolves (see ``rules_suite``)."""
    return f"_known_{'_'.join(reference.columns)}"


def rules_suite(spec: ExtractFile) -> gx.ExpectationSuite:
    """Expectations on the typed rows.

    References are checked on a boolean column per reference (``reference_flag``),
    computed by a join before validation: a value set of a million item ids inside
    an expectation's configuration makes Great Expectations crawl.
    """
    suite = gx.ExpectationSuite(name=f"{spec.name}.rules")
    for column in spec.columns:
        for expectation in _value_expectations(column):
            suite.add_expectation(expectation)
    key = spec.key
    if len(key) == 1:
        suite.add_expectation(
            gxe.ExpectColumnValuesToBeUnique(
                column=key[0], meta=_meta(key[0], f"duplicate {key[0]}")
            )
        )
    elif key:
        suite.add_expectation(
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=list(key),
                ignore_row_if="never",
                meta=_meta(",".join(key), f"duplicate key ({', '.join(key)})"),
            )
        )
    for reference in spec.references:
        # every reference in the contract is to one column
        (column,) = reference.columns
        (target_column,) = reference.target_columns
        suite.add_expectation(
            gxe.ExpectColumnValuesToBeInSet(
                column=reference_flag(reference),
                value_set=[True],
                meta=_meta(column, f"unknown {target_column}: not in {reference.target}"),
            )
        )
    for order in spec.ordered:
        relation = "after" if order.strict else "on or after"
        suite.add_expectation(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=order.later,
                column_B=order.earlier,
                or_equal=not order.strict,
                ignore_row_if="either_value_is_missing",
                meta=_meta(order.later, f"{order.later} must be {relation} {order.earlier}"),
            )
        )
    for rule in spec.required_when:
        suite.add_expectation(
            gxe.ExpectColumnValuesToNotBeNull(
                column=rule.column,
                row_condition=f'{rule.when_column}=="{rule.when_value}"',
                condition_parser="pandas",
                meta=_meta(rule.column, f"required when {rule.when_column} is {rule.when_value}"),
            )
        )
    return suite


def _value_expectations(column: Column) -> Iterable[gxe.Expectation]:
    name = column.name
    if column.values is not None:
        yield gxe.ExpectColumnValuesToBeInSet(
            column=name,
            value_set=list(column.values),
            meta=_meta(name, f"not one of {', '.join(column.values)}"),
        )
    if column.minimum is not None or column.maximum is not None:
        yield gxe.ExpectColumnValuesToBeBetween(
            column=name,
            min_value=column.minimum,
            max_value=column.maximum,
            strict_min=column.minimum_exclusive,
            strict_max=column.maximum_exclusive,
            meta=_meta(name, f"outside the allowed range {_range_text(column)}"),
        )


def _range_text(column: Column) -> str:
    low = (
        ""
        if column.minimum is None
        else ("(" if column.minimum_exclusive else "[") + f"{column.minimum:g}"
    )
    high = (
        ""
        if column.maximum is None
        else f"{column.maximum:g}" + (")" if column.maximum_exclusive else "]")
    )
    if not high:
        return f"{'>' if column.minimum_exclusive else '>='} {column.minimum:g}"
    return f"{low}, {high}"
