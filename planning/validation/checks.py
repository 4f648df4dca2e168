"""Expectation suites evaluated in Polars: one vectorised expression per rule over the
whole file, with the semantics of Great Expectations' pandas engine.

What a rule flags is what Great Expectations flags on the same rows (the
validation tests hold the two to it): a missing value (null, or NaN in a float
column) is never unexpected except to ``not_null``; a regex is searched for
(``re.search``, so ``$`` also matches before a final newline); a unique column
flags every row of a duplicated value; a compound key, with ``ignore_row_if``
never, counts missing values as equal; a column pair skips rows where either
value is missing; ``row_condition`` narrows the rows a rule sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from planning.extract.read import SOURCE_ROW
from planning.validation.expectations import (
    A_GREATER_THAN_B,
    BETWEEN,
    COMPOUND_UNIQUE,
    IN_SET,
    MATCH_REGEX,
    NOT_NULL,
    UNIQUE,
    Rule,
    Suite,
)

FAILURE_SCHEMA = {"row_number": pl.Int64, "field": pl.String, "reason": pl.String}
SAMPLE_SIZE = 20  # unexpected values kept per expectation in the validation report
ROW_CONDITION = re.compile(r'^(\w+)=="([^"]*)"$')  # the one form rules_suite writes


@dataclass(frozen=True)
class ExpectationOutcome:
    """A compact record of one expectation's result for the run's validation report."""

    suite: str
    expectation: str
    field: str
    reason: str
    success: bool
    element_count: int  # the rows the rule looked at (its row_condition's, if any)
    unexpected_count: int
    unexpected_sample: list[Any]


def evaluate_suite(
    suite: Suite, rows: pl.DataFrame
) -> tuple[list[ExpectationOutcome], pl.DataFrame]:
    """Each rule's outcome on ``rows`` and one (row_number, field, reason) row per
    failure; ``rows`` carries the file's row numbers in ``_source_row``."""
    failures = [pl.DataFrame(schema=FAILURE_SCHEMA)]
    if rows.height == 0:
        return [], failures[0]
    rows = rows.with_columns(pl.col(pl.Float32, pl.Float64).fill_nan(None))  # NaN is missing
    names = [f"_rule_{i}" for i in range(len(suite.rules))]
    masks = rows.select(
        _unexpected(rule).fill_null(False).alias(name)
        for rule, name in zip(suite.rules, names, strict=True)
    )
    seen = rows.select(
        _seen(rule).alias(name) for rule, name in zip(suite.rules, names, strict=True)
    ).row(0)
    outcomes = []
    for rule, mask, element_count in zip(suite.rules, masks, seen, strict=True):
        failed = rows.filter(mask)
        outcomes.append(
            ExpectationOutcome(
                suite=suite.name,
                expectation=rule.type,
                field=rule.field,
                reason=rule.reason,
                success=failed.height == 0,
                element_count=element_count,
                unexpected_count=failed.height,
                unexpected_sample=_sample(rule, failed),
            )
        )
        failures.append(
            failed.select(
                pl.col(SOURCE_ROW).alias("row_number"),
                pl.lit(rule.field).alias("field"),
                pl.lit(rule.reason).alias("reason"),
            )
        )
    return outcomes, pl.concat(failures)


def _unexpected(rule: Rule) -> pl.Expr:
    """True on the rows ``rule`` fails."""
    if rule.type not in UNEXPECTED:
        raise ValueError(f"no Polars evaluation for {rule.type}")
    return UNEXPECTED[rule.type](rule.kwargs)


def _missing(kwargs: dict[str, Any]) -> pl.Expr:
    missing = pl.col(kwargs["column"]).is_null()
    if "row_condition" in kwargs:
        return missing & _row_condition(kwargs["row_condition"])
    return missing


def _not_matching(kwargs: dict[str, Any]) -> pl.Expr:
    value = pl.col(kwargs["column"]).cast(pl.String)
    return value.is_not_null() & ~value.str.contains(_search_pattern(kwargs["regex"]))


def _not_in_set(kwargs: dict[str, Any]) -> pl.Expr:
    value = pl.col(kwargs["column"])
    return value.is_not_null() & ~value.is_in(kwargs["value_set"])


def _outside(kwargs: dict[str, Any]) -> pl.Expr:
    value = pl.col(kwargs["column"])
    return value.is_not_null() & ~_between(value, kwargs)


def _duplicated(kwargs: dict[str, Any]) -> pl.Expr:
    value = pl.col(kwargs["column"])
    return value.is_not_null() & value.is_duplicated()


def _duplicated_key(kwargs: dict[str, Any]) -> pl.Expr:
    _require(kwargs, "ignore_row_if", "never")
    return pl.struct(kwargs["column_list"]).is_duplicated()


def _not_greater(kwargs: dict[str, Any]) -> pl.Expr:
    _require(kwargs, "ignore_row_if", "either_value_is_missing")
    a, b = pl.col(kwargs["column_A"]), pl.col(kwargs["column_B"])
    ordered = a >= b if kwargs["or_equal"] else a > b
    return a.is_not_null() & b.is_not_null() & ~ordered


UNEXPECTED = {
    NOT_NULL: _missing,
    MATCH_REGEX: _not_matching,
    IN_SET: _not_in_set,
    BETWEEN: _outside,
    UNIQUE: _duplicated,
    COMPOUND_UNIQUE: _duplicated_key,
    A_GREATER_THAN_B: _not_greater,
}


def _require(kwargs: dict[str, Any], name: str, value: str) -> None:
    if kwargs.get(name) != value:
        raise ValueError(f"no Polars evaluation with {name}={kwargs.get(name)!r}")


def _between(value: pl.Expr, kwargs: dict[str, Any]) -> pl.Expr:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    inside = pl.lit(True)
    if low is not None:
        inside &= value > low if kwargs.get("strict_min") else value >= low
    if high is not None:
        inside &= value < high if kwargs.get("strict_max") else value <= high
    return inside


def _row_condition(condition: str) -> pl.Expr:
    match = ROW_CONDITION.match(condition)
    if match is None:
        raise ValueError(f"unsupported row_condition {condition!r}")
    column, value = match.groups()
    return (pl.col(column) == value).fill_null(False)


def _seen(rule: Rule) -> pl.Expr:
    """How many rows the rule looks at: its row condition's, else all."""
    if "row_condition" in rule.kwargs:
        return _row_condition(rule.kwargs["row_condition"]).sum()
    return pl.len()


def _search_pattern(pattern: str) -> str:
    """``pattern`` for Polars' (Rust) regex with Python's meaning: there a final ``$``
    also matches before a trailing newline."""
    if pattern.endswith("$") and not pattern.endswith(r"\$"):
        return pattern[:-1] + r"\n?\z"
    return pattern


def _sample(rule: Rule, failed: pl.DataFrame) -> list[Any]:
    """The first unexpected values, as Great Expectations lists them: a column's
    value, a compound key's values by column, a pair's (A, B). Dates stay dates:
    the report's JSON writes them in ISO form."""
    failed = failed.head(SAMPLE_SIZE)
    kwargs = rule.kwargs
    if rule.type == COMPOUND_UNIQUE:
        return list(failed.select(kwargs["column_list"]).iter_rows(named=True))
    if rule.type == A_GREATER_THAN_B:
        return [list(pair) for pair in failed.select(kwargs["column_A"], kwargs["column_B"]).rows()]
    return failed.get_column(kwargs["column"]).to_list()
