"""How many decimals each kind of number is written with: in the plan tables
of the warehouse, the published files and the exceptions' messages. Planning
itself runs at full precision; numbers are rounded only where they leave it.

- quantities: 4 decimals, as the extract writes them
- hours: 2 decimals (columns ending in ``_hours``)
- percentages: 1 decimal (columns ending in ``_pct``)
- money: 2 decimals (columns ending in ``value``)
"""

from __future__ import annotations

import polars as pl

QTY_DECIMALS = 4
HOURS_DECIMALS = 2
PCT_DECIMALS = 1
MONEY_DECIMALS = 2


def decimals_of(column: str) -> int:
    """The decimals a float column is written with, by what its name says it holds."""
    if column.endswith("_hours"):
        return HOURS_DECIMALS
    if column.endswith("_pct"):
        return PCT_DECIMALS
    if column.endswith("value"):
        return MONEY_DECIMALS
    return QTY_DECIMALS


def rounded(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every float column rounded to ``decimals_of`` its name."""
    return frame.with_columns(
        round_to(pl.col(name), decimals_of(name)).alias(name)
        for name, dtype in frame.schema.items()
        if dtype.is_float()
    )


def round_to(value: pl.Expr, decimals: int) -> pl.Expr:
    """``value`` rounded to ``decimals`` places; a tiny negative rounds to 0, not -0."""
    value = value.round(decimals)
    return pl.when(value == 0).then(0.0).otherwise(value)


def as_text(value: pl.Expr, decimals: int = QTY_DECIMALS) -> pl.Expr:
    """A number in a message: rounded to ``decimals`` places, as text."""
    return round_to(value, decimals).cast(pl.String)
