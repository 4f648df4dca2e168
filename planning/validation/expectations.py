"""Expectation suites built from the contract's file specs, in Great Expectations' terms.

Each file gets two suites. The *parse* suite runs on the text of the file: required
values present, numbers, integers, dates, times and timestamps well formed.
(Whether a well-formed date exists in the calendar, 2027-02-30 say, is checked
by the typed cast that follows: a per-row ``strptime`` in the suite costs seconds
per million rows.) The
*rules* suite runs on the typed rows that parsed: bounds, enumerations, unique
keys, references to known items, locations and work centres, ordered dates and
conditional requirements. Every expectation carries in its ``meta`` the field it
blames and the reason a planner reads in the quarantine report.

A suite is plain data: each ``Rule`` is a Great Expectations expectation type with
its kwargs, so nothing here imports Great Expectations. ``checks.py`` evaluates the
rules as Polars expressions; ``to_gx_suite`` makes the real suite of the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planning.contract import Column, ExtractFile, Kind, Reference

DECIMAL_PATTERN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
INTEGER_PATTERN = r"^[+-]?\d+$"
TIME_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$"
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATE_FORMAT = "%Y-%m-%d"

# the expectation types the suites use
NOT_NULL = "expect_column_values_to_not_be_null"
MATCH_REGEX = "expect_column_values_to_match_regex"
IN_SET = "expect_column_values_to_be_in_set"
BETWEEN = "expect_column_values_to_be_between"
UNIQUE = "expect_column_values_to_be_unique"
COMPOUND_UNIQUE = "expect_compound_columns_to_be_unique"
A_GREATER_THAN_B = "expect_column_pair_values_a_to_be_greater_than_b"

if TYPE_CHECKING:
    import great_expectations as gx


@dataclass(frozen=True)
class Rule:
    """One expectation: its Great Expectations type name (``expect_...``), its kwargs,
    and the field it blames with the reason the quarantine gives."""

    type: str
    kwargs: dict[str, Any]
    field: str
    reason: str

    @property
    def meta(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class Suite:
    """The rules one file's rows are checked against; ``name`` is ``<file>.parse|rules``."""

    name: str
    rules: tuple[Rule, ...]


def to_gx_suite(suite: Suite) -> gx.ExpectationSuite:
    """The Great Expectations suite of ``suite``'s rules, meta included."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    return gx.ExpectationSuite(
        name=suite.name,
        expectations=[
            ExpectationConfiguration(type=r.type, kwargs=r.kwargs, meta=r.meta).to_domain_obj()
            for r in suite.rules
        ],
    )


def parse_suite(spec: ExtractFile) -> Suite:
    """Expectations on the file's text: present where required, well formed."""
    rules = [rule for column in spec.columns for rule in _parse_expectations(column)]
    return Suite(f"{spec.name}.parse", tuple(rules))


def _parse_expectations(column: Column) -> Iterable[Rule]:
    name = column.name
    if column.required:
        yield Rule(NOT_NULL, {"column": name}, name, "required value is empty")
    if column.kind is Kind.DECIMAL:
        yield _match(name, DECIMAL_PATTERN, "not a number")
    elif column.kind is Kind.INTEGER:
        yield _match(name, INTEGER_PATTERN, "not a whole number")
    elif column.kind is Kind.DATE:
        yield _match(name, DATE_PATTERN, "not a date in YYYY-MM-DD form")
    elif column.kind is Kind.TIME:
        yield _match(name, TIME_PATTERN, "not a time in HH:MM form")
    elif column.kind is Kind.TIMESTAMP:
        yield _match(name, TIMESTAMP_PATTERN, "not an ISO 8601 timestamp (YYYY-MM-DDTHH:MM[:SS])")


def _match(column: str, pattern: str, reason: str) -> Rule:
    return Rule(MATCH_REGEX, {"column": column, "regex": pattern}, column, reason)


def reference_flag(reference: Reference) -> str:
    """Name of the column that says whether a row's reference resolves (see ``rules_suite``)."""
    return f"_known_{'_'.join(reference.columns)}"


def rules_suite(spec: ExtractFile) -> Suite:
    """Expectations on the typed rows.

    References are checked on a boolean column per reference (``reference_flag``),
    computed by a join before validation: a value set of a million item ids inside
    an expectation's configuration makes Great Expectations crawl.
    """
    rules = [rule for column in spec.columns for rule in _value_expectations(column)]
    key = spec.key
    if len(key) == 1:
        rules.append(Rule(UNIQUE, {"column": key[0]}, key[0], f"duplicate {key[0]}"))
    elif key:
        rules.append(
            Rule(
                COMPOUND_UNIQUE,
                {"column_list": list(key), "ignore_row_if": "never"},
                ",".join(key),
                f"duplicate key ({', '.join(key)})",
            )
        )
    for reference in spec.references:
        # every reference in the contract is to one column
        (column,) = reference.columns
        (target_column,) = reference.target_columns
        rules.append(
            Rule(
                IN_SET,
                {"column": reference_flag(reference), "value_set": [True]},
                column,
                f"unknown {target_column}: not in {reference.target}",
            )
        )
    for order in spec.ordered:
        relation = "after" if order.strict else "on or after"
        rules.append(
            Rule(
                A_GREATER_THAN_B,
                {
                    "column_A": order.later,
                    "column_B": order.earlier,
                    "or_equal": not order.strict,
                    "ignore_row_if": "either_value_is_missing",
                },
                order.later,
                f"{order.later} must be {relation} {order.earlier}",
            )
        )
    for required in spec.required_when:
        rules.append(
            Rule(
                NOT_NULL,
                {
                    "column": required.column,
                    "row_condition": f'{required.when_column}=="{required.when_value}"',
                    "condition_parser": "pandas",
                },
                required.column,
                f"required when {required.when_column} is {required.when_value}",
            )
        )
    return Suite(f"{spec.name}.rules", tuple(rules))


def _value_expectations(column: Column) -> Iterable[Rule]:
    name = column.name
    if column.values is not None:
        yield Rule(
            IN_SET,
            {"column": name, "value_set": list(column.values)},
            name,
            f"not one of {', '.join(column.values)}",
        )
    if column.minimum is not None or column.maximum is not None:
        yield Rule(
            BETWEEN,
            {
                "column": name,
                "min_value": column.minimum,
                "max_value": column.maximum,
                "strict_min": column.minimum_exclusive,
                "strict_max": column.maximum_exclusive,
            },
            name,
            f"outside the allowed range {_range_text(column)}",
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
