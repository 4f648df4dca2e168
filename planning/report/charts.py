"""The report's SVG charts as geometry: where each bar, cell, line and label of
the Gantt chart, the capacity heat map and the projected inventory lines goes,
in pixels. ``templates/charts.svg.j2`` draws them; here data becomes positions,
there positions become marks."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from planning.report.formats import compact, coord, pct, qty, short_date, stamp, text
from planning.report.kpis import OVERLOAD_PCT

HOUR, DAY = 3600, 86400
MAX_RECEIPT_DOTS = 200


@dataclass(frozen=True)
class Chart:
    """An SVG image: what it shows (its accessible label) and its size in pixels."""

    label: str
    width: int
    height: int


@dataclass(frozen=True)
class Lane:
    """A row of a chart: its name and the top of its band."""

    name: str
    y: int
    banded: bool = False


@dataclass(frozen=True)
class Tick:
    """A label on the time axis, centred on ``x``."""

    x: float
    label: str


@dataclass(frozen=True)
class Bar:
    """An operation on its lane: from ``x``, ``width`` pixels long; ``tip`` says what it is."""

    x: float
    y: int
    width: float
    colour: str
    tip: str


@dataclass(frozen=True)
class Gantt(Chart):
    label_width: int
    plot_width: int
    lane_height: int
    top: int
    lanes: list[Lane]
    ticks: list[Tick]
    bars: list[Bar]


@dataclass(frozen=True)
class Cell:
    """A work centre's week: load colour, and the load in percent as ``text``
    (None where the cell is too narrow or the load unknown) in ``ink``."""

    x: int
    y: int
    colour: str
    over: bool
    tip: str
    text: str | None
    ink: str


@dataclass(frozen=True)
class Heatmap(Chart):
    label_width: int
    top: int
    row_height: int
    cell_width: int
    weeks: list[Tick]
    rows: list[Lane]
    cells: list[Cell]


@dataclass(frozen=True)
class AxisLabel:
    x: float
    y: float
    text: str
    anchor: str


@dataclass(frozen=True)
class InventoryLine(Chart):
    """Projected on hand as a step line (``path``) over the plot from ``left``,
    ``plot_width`` wide; below the ``zero`` line shaded, receipts as dots."""

    left: int
    plot_width: int
    zero: float
    below_zero_height: float
    path: str
    receipts: list[tuple[float, float]]
    axis: list[AxisLabel]


def gantt_chart(operations: pl.DataFrame, lanes: list[str]) -> Gantt:
    """The Gantt chart of ``operations`` (``selection.gantt_operations``) on ``lanes``."""
    label_width, plot_width, lane_height, top = 150, 940, 18, 26
    start, end = operations["start"].min(), operations["end"].max()
    span = max(end - start, HOUR)
    row_of = {lane: i for i, lane in enumerate(lanes)}

    def x(seconds: float) -> float:
        return label_width + (seconds - start) / span * plot_width

    bars = []
    for op in operations.iter_rows(named=True):
        left = x(op["start"])
        who = f", {op['person_id']}" if op["person_id"] is not None else ""
        tip = (
            f"{op['order_id']} op {op['op_seq']} on {op['lane']}{who}: "
            f"{stamp(op['start'])} to {stamp(op['end'])}"
        )
        y = top + row_of[op["lane"]] * lane_height + 3
        bars.append(Bar(left, y, max(x(op["end"]) - left, 1.0), order_colour(op["order_id"]), tip))
    return Gantt(
        label="Gantt chart of the schedule",
        width=label_width + plot_width + 10,
        height=top + lane_height * len(lanes) + 8,
        label_width=label_width,
        plot_width=plot_width,
        lane_height=lane_height,
        top=top,
        lanes=[Lane(lane, top + i * lane_height, i % 2 == 0) for i, lane in enumerate(lanes)],
        ticks=[Tick(x(t), label) for t, label in time_ticks(start, start + span)],
        bars=bars,
    )


def time_ticks(start: int, end: int) -> list[tuple[int, str]]:
    """Ticks at whole hours or days, at most about a dozen (seconds since 1970, label)."""
    steps = [HOUR, 2 * HOUR, 4 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY]
    step = next((s for s in steps if (end - start) / s <= 12), 28 * DAY)
    first = -(-start // step) * step
    fmt = "%d %b %H:%M" if step < DAY else "%d %b"
    return [(t, stamp(t, fmt)) for t in range(first, end + 1, step)]


def order_colour(key: Any) -> str:
    """A stable colour per order (crc32, not hash(): the same on every run)."""
    hue = zlib.crc32(text(key).encode()) % 360
    return f"hsl({hue},55%,52%)"


def heatmap_chart(cells: pl.DataFrame, centers: list[str], weeks: list[Any]) -> Heatmap:
    """The capacity heat map of ``cells`` (``selection.capacity_cells``): a row
    per work centre of ``centers``, a column per week of ``weeks``."""
    label_width, top, row_height = 150, 34, 20
    cell_width = max(min(44, 940 // max(len(weeks), 1)), 14)
    row_of = {c: i for i, c in enumerate(centers)}
    column_of = {w: i for i, w in enumerate(weeks)}
    every = -(-44 // cell_width)  # a week label needs about 44 px
    drawn = []
    for cell in cells.iter_rows(named=True):
        load = cell["load_pct"]
        over = load is not None and load > OVERLOAD_PCT
        tip = (
            f"{cell['work_center_id']}, week of {cell['week_start']}: {pct(load)} "
            f"({qty(cell['required_hours'])} of {qty(cell['available_hours'])} hours)"
        )
        drawn.append(
            Cell(
                x=label_width + column_of[cell["week_start"]] * cell_width,
                y=top + row_of[cell["work_center_id"]] * row_height,
                colour=load_colour(load),
                over=over,
                tip=tip,
                text=f"{load:.0f}" if load is not None and cell_width >= 26 else None,
                ink="#fff" if over or (load is not None and load > 55) else "#1b2733",
            )
        )
    return Heatmap(
        label="Capacity load by work centre and week",
        width=label_width + cell_width * len(weeks) + 10,
        height=top + row_height * len(centers) + 6,
        label_width=label_width,
        top=top,
        row_height=row_height,
        cell_width=cell_width,
        weeks=[
            Tick(label_width + i * cell_width + cell_width / 2, short_date(week))
            for i, week in enumerate(weeks)
            if i % every == 0
        ],
        rows=[Lane(center, top + i * row_height) for center, i in row_of.items()],
        cells=drawn,
    )


def load_colour(load: float | None) -> str:
    """Light to full blue up to 100 %, red beyond, grey for an unknown load."""
    if load is None:
        return "#eeeeee"
    if load > OVERLOAD_PCT:
        return "#c62828"
    share = max(0.0, min(load / OVERLOAD_PCT, 1.0))
    low, high = (0xE3, 0xEE, 0xF9), (0x1F, 0x5F, 0x9E)
    return "#" + "".join(
        f"{round(a + (b - a) * share):02x}" for a, b in zip(low, high, strict=True)
    )


def inventory_line(label: str, line: pl.DataFrame, first: date, last: date) -> InventoryLine:
    """The projected on hand of one SKU (``line``: rows of projected_inventory in
    date order) from ``first`` to ``last``."""
    width, height, left, right, top, bottom = 330, 170, 52, 10, 10, 24
    days = max((last - first).days, 1)
    values = line["projected_on_hand"].to_list()
    low, high = min(0.0, *values), max(0.0, *values)
    if high == low:
        high = low + 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(day: date) -> float:
        return left + max(0, min((day - first).days, days)) / days * plot_w

    def y(on_hand: float) -> float:
        return top + (high - on_hand) / (high - low) * plot_h

    dates = line["date"].to_list()
    path = [f"M{coord(x(dates[0]))},{coord(y(values[0]))}"]
    for day, on_hand in zip(dates[1:], values[1:], strict=True):
        path.append(f"H{coord(x(day))}V{coord(y(on_hand))}")
    path.append(f"H{coord(x(last))}")
    zero = y(0.0)
    receipts = line.filter((pl.col("planned_receipts") + pl.col("scheduled_receipts")) > 0)
    axis = [
        AxisLabel(left - 4, top + 8, compact(high), "end"),
        AxisLabel(left - 4, zero + 3, "0", "end"),
    ]
    if low < 0:
        axis.append(AxisLabel(left - 4, top + plot_h, compact(low), "end"))
    axis += [
        AxisLabel(left, height - 6, short_date(first), "start"),
        AxisLabel(left + plot_w, height - 6, short_date(last), "end"),
    ]
    return InventoryLine(
        label=label,
        width=width,
        height=height,
        left=left,
        plot_width=plot_w,
        zero=zero,
        below_zero_height=max(top + plot_h - zero, 0),
        path="".join(path),
        receipts=[
            (x(r["date"]), y(r["projected_on_hand"]))
            for r in receipts.head(MAX_RECEIPT_DOTS).iter_rows(named=True)
        ],
        axis=axis,
    )
