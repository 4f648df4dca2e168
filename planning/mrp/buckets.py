"""Daily buckets: day 0 is the as-of date; past-due dates land on day 0."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl


def day_of(column: str, as_of: date) -> pl.Expr:
    """Days from ``as_of`` to the date in ``column``, past dates on day 0."""
    return (pl.col(column) - pl.lit(as_of)).dt.total_days().clip(lower_bound=0).cast(pl.Int64)


def date_of(day: pl.Expr, as_of: date) -> pl.Expr:
    """The calendar date of a day number."""
    return pl.lit(as_of) + pl.duration(days=day)


def day_stamp(day: pl.Expr, as_of: date, days: int) -> pl.Expr:
    """The ``yyyymmdd`` text of day numbers below ``days``: looked up in a
    list of those days, which is six times faster than formatting every row."""
    last = as_of + timedelta(days=max(days - 1, 0))
    stamps = pl.date_range(as_of, last, eager=True).dt.strftime("%Y%m%d")
    return pl.lit(stamps).gather(day)
