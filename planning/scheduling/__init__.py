"""Finite-capacity scheduling of work orders with OR-Tools CP-SAT.

The planner calls ``schedule_operations`` with Polars frames (schemas in
``planning.scheduling.problem``; ``routing`` builds them from work orders, routings
and work centers, ``calendar`` turns shift calendars into unavailable windows) and
gets back the schedule, order completions and a report. The steps are also usable
one by one: ``build_problem``, ``best_dispatch``, ``build_model``, ``solve``,
``to_schedule_frame``.
"""

from planning.scheduling.calendar import UNAVAILABILITY_SCHEMA, unavailability_from_shifts
from planning.scheduling.dispatch import best_dispatch
from planning.scheduling.errors import InstanceFormatError, SchedulingInputError
from planning.scheduling.model import build_model
from planning.scheduling.problem import (
    OPERATIONS_SCHEMA,
    PERSONNEL_AVAILABILITY_SCHEMA,
    PERSONNEL_SCHEMA,
    RESOURCES_SCHEMA,
    SETUP_TIMES_SCHEMA,
    build_problem,
)
from planning.scheduling.routing import operations_from_work_orders, resources_from_work_centers
from planning.scheduling.schedule import (
    ORDER_COMPLETION_SCHEMA,
    SCHEDULE_SCHEMA,
    order_completion_frame,
    to_schedule_frame,
    with_timestamps,
)
from planning.scheduling.scheduler import ScheduleOutcome, ScheduleReport, schedule_operations
from planning.scheduling.solve import solve

__all__ = [
    "OPERATIONS_SCHEMA",
    "ORDER_COMPLETION_SCHEMA",
    "PERSONNEL_AVAILABILITY_SCHEMA",
    "PERSONNEL_SCHEMA",
    "RESOURCES_SCHEMA",
    "SCHEDULE_SCHEMA",
    "SETUP_TIMES_SCHEMA",
    "UNAVAILABILITY_SCHEMA",
    "InstanceFormatError",
    "ScheduleOutcome",
    "ScheduleReport",
    "SchedulingInputError",
    "best_dispatch",
    "build_model",
    "build_problem",
    "operations_from_work_orders",
    "order_completion_frame",
    "resources_from_work_centers",
    "schedule_operations",
    "solve",
    "to_schedule_frame",
    "unavailability_from_shifts",
    "with_timestamps",
]
