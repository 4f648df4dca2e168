"""Daily buckets: day 0 is the as-of date; past-due dates land on day 0."""

from __future__ import annotations

from datetime import date

import polars as pl


def day_of(column: str, as_of: date) -> pl.Expr:
    """Days from ``as_of`` to the date in ``column``, past dates on day 0."""
    return (pl.col(column) - pl.lit(as_of)).dt.total_days().clip(lower_bound=0).cast(pl.Int64)


def date_of(day: pl.Expr, as_of: date) -> pl.Expr:
    """The calendar date of a day number."""
    return pl.lit(as_of) + pl.duration(days=day)
