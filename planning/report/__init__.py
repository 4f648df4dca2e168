"""The plan report: one self-contained HTML page a planner opens from the run folder.

``read_plan_tables(con, run_id)`` reads a run's plan tables (CONTRACT.md section
2) and its sales order lines from the warehouse, ``render_report(run, tables)``
makes the page of them and ``write_report`` writes it. The page needs no
network: CSS is inline, the charts are SVG, there is no script. Every text value
from the plan is HTML-escaped: ids come from ERP data.

- ``tables``: reading a run's tables
- ``kpis``: the headline figures (``plan_kpis(tables)``, ``run_kpis(con, run_id)``)
- ``selection``: what the page shows of each table, capped so it stays small
- ``charts``: the SVG charts' geometry
- ``formats``: how numbers, dates and ids are written
- ``page``: the page, from ``templates/`` (Jinja2) and ``static/report.css``
"""

from planning.report.kpis import (
    PlanKpis,
    late_sales_order_lines,
    plan_kpis,
    run_kpis,
    sales_order_lines,
    sales_order_service,
    value_counts,
)
from planning.report.page import NOT_PLANNED, environment, render_report, write_report
from planning.report.selection import (
    MAX_EXCEPTION_ROWS,
    capacity_cells,
    exceptions_shown,
    gantt_operations,
    inventory_skus,
)
from planning.report.tables import (
    OPTIONAL_TABLES,
    REQUIRED_TABLES,
    SALES_ORDER_DEMAND,
    read_plan_tables,
    read_sales_order_demand,
)

__all__ = [
    "MAX_EXCEPTION_ROWS",
    "NOT_PLANNED",
    "OPTIONAL_TABLES",
    "REQUIRED_TABLES",
    "SALES_ORDER_DEMAND",
    "PlanKpis",
    "capacity_cells",
    "environment",
    "exceptions_shown",
    "gantt_operations",
    "inventory_skus",
    "late_sales_order_lines",
    "plan_kpis",
    "read_plan_tables",
    "read_sales_order_demand",
    "render_report",
    "run_kpis",
    "sales_order_lines",
    "sales_order_service",
    "value_counts",
    "write_report",
]
