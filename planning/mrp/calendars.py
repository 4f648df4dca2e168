"""Working calendars: the days of the horizon on which a location works, ships
and receives, as small arrays of calendar x day that a gather or the netting
kernel reads per SKU (never a join of SKUs with days).

Calendar ``ALWAYS`` has every day: purchase orders are placed on office days,
and a location without calendar rows is open every day. Each location has two
more: its open days (no holiday: it ships and receives) and its working days
(open, with shift hours: a plant makes things). Days count from as-of (day 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from planning.mrp.buckets import day_of

ALWAYS = 0  # the calendar with every day of the horizon
# what the material plan reads of marts.fct_location_calendar
LOCATION_CALENDAR = {
    "location_id": pl.String,
    "calendar_date": pl.Date,
    "is_open_day": pl.Boolean,
    "is_working_day": pl.Boolean,
}


@dataclass(frozen=True)
class Calendars:
    """Per calendar and day of the horizon, the nearest day of the calendar on
    either side. Location i has calendars ``1 + 2i`` (open days) and ``2 + 2i``
    (working days)."""

    locations: pl.Series  # location_id, in calendar order
    last_day: np.ndarray  # [calendar, day]: the last day <= day on the calendar, -1 if none
    first_day: np.ndarray  # [calendar, day]: the first day >= day on it, horizon_days if none

    @property
    def horizon_days(self) -> int:
        return self.last_day.shape[1]

    def of(self, location: pl.Expr, working: pl.Expr) -> pl.Expr:
        """The calendar of a location: its working days where ``working``,
        else its open days; ``ALWAYS`` for a location without calendar rows."""
        # (cast: on an empty mapping polars keeps the location's type)
        number = location.replace_strict(
            self.locations, pl.int_range(self.locations.len(), eager=True), default=None
        ).cast(pl.Int64)
        calendar = 1 + 2 * number + working.cast(pl.Int64)
        return calendar.fill_null(ALWAYS).alias("calendar")

    def last_on_or_before(self, calendar: pl.Expr, day: pl.Expr) -> pl.Expr:
        """The last day <= ``day`` on ``calendar``; -1 if there is none from as-of."""
        on_calendar = self._gather(self.last_day, calendar, day)
        return pl.when(day < 0).then(-1).otherwise(on_calendar)

    def first_on_or_after(self, calendar: pl.Expr, day: pl.Expr) -> pl.Expr:
        """The first day >= ``day`` on ``calendar``; ``horizon_days`` if there is
        none in the horizon, ``day`` itself from the horizon's end on."""
        on_calendar = self._gather(self.first_day, calendar, day.clip(lower_bound=0))
        return pl.when(day >= self.horizon_days).then(day).otherwise(on_calendar)

    def _gather(self, days: np.ndarray, calendar: pl.Expr, day: pl.Expr) -> pl.Expr:
        flat = pl.Series(days.ravel())
        return pl.lit(flat).gather(
            calendar * self.horizon_days + day.clip(0, self.horizon_days - 1)
        )


def location_calendars(calendar: pl.DataFrame, as_of: date, horizon_days: int) -> Calendars:
    """``Calendars`` from calendar rows (``LOCATION_CALENDAR``, one per location
    and day); a day without a row is open and working."""
    rows = calendar.filter(
        pl.col("calendar_date").is_between(as_of, as_of + timedelta(days=horizon_days - 1))
    )
    locations = rows["location_id"].unique().sort()
    open_row = 1 + 2 * locations.search_sorted(rows["location_id"]).to_numpy()
    day = rows.select(day_of("calendar_date", as_of))["calendar_date"].to_numpy()
    on_calendar = np.ones((1 + 2 * locations.len(), horizon_days), np.bool_)
    on_calendar[open_row, day] = rows["is_open_day"].to_numpy()
    on_calendar[open_row + 1, day] = rows["is_working_day"].to_numpy()
    days = np.arange(horizon_days, dtype=np.int64)
    last_day = np.maximum.accumulate(np.where(on_calendar, days, -1), axis=1)
    # the same, backwards from the horizon's end
    backwards = np.where(on_calendar, days, horizon_days)[:, ::-1]
    first_day = np.minimum.accumulate(backwards, axis=1)[:, ::-1]
    return Calendars(locations, last_day, np.ascontiguousarray(first_day))
