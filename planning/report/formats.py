"""How the report writes numbers, dates and ids: the page's Jinja2 filters, and
what the charts use for their labels. Each returns plain text; the page escapes
it when it prints it."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

NO_VALUE = "n/a"


def text(value: Any) -> str:
    """A value as text, None as nothing."""
    return "" if value is None else str(value)


def integer(value: Any) -> str:
    """A count with thousands separators: 1,234."""
    return f"{int(value):,}"


def qty(value: Any) -> str:
    """A quantity: whole numbers as such, else at most two decimals (1,234.5)."""
    if value is None:
        return ""
    if not math.isfinite(float(value)):
        return str(value)
    if float(value) == int(value):
        return f"{int(value):,}"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")


def hours(value: Any) -> str:
    """Hours with one decimal and thousands separators (1,234.5)."""
    return "" if value is None else f"{float(value):,.1f}"


def compact(value: float) -> str:
    """An axis label: 1.2M, 13.7k, 250, 2.5."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.1f}M"
    if size >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}" if size >= 10 else qty(round(value, 1))


def pct(value: float | None) -> str:
    """A percentage with one decimal (12.5 %), ``NO_VALUE`` for None."""
    return NO_VALUE if value is None else f"{value:.1f} %"


def seconds(value: Any) -> str:
    """Seconds with one decimal."""
    return "" if value is None else f"{float(value):.1f}"


def coord(value: float) -> str:
    """A chart coordinate in pixels, one decimal."""
    return f"{value:.1f}"


def css_token(value: Any) -> str:
    """A value as a class-name suffix: letters, digits, dashes and underscores only."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text(value))


def shorten(value: str, length: int) -> str:
    """``value`` cut to ``length`` characters, an ellipsis marking the cut."""
    return value if len(value) <= length else value[: length - 1] + "…"


def as_date(value: Any) -> date | None:
    """A date, datetime or ISO text as a date."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    return date.fromisoformat(str(value)[:10])


def short_date(value: Any) -> str:
    """A date as day and month: 23 Nov."""
    return value.strftime("%d %b") if isinstance(value, date) else text(value)


def stamp(epoch_seconds: int, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Seconds since 1970 (wall-clock time) as text."""
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=epoch_seconds)).strftime(fmt)
