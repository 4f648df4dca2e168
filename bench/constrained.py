"""Benchmark the constrained supply plan against the unconstrained one, in the same run.

For each size a generated extract's marts are built once (``bench/mrp.py``'s
``_prepare``: the pipeline's validate, load and marts' ``dbt build``, kept in
``--work``; the schedule is not built, no plan reads it). Then each plan runs
in a fresh Python process, alternately constrained (capacity, material and
lead time, with the free capacity and open work's finish ``plan_supply`` gives
it) and unconstrained (``plan_constraints="none"``): read the marts (and,
constrained, the shop marts), plan, keep every table in memory (nothing is
written). It prints the median wall time of 3 runs each, the peak resident
memory, and from ``demand_promises`` the late sales order lines and the
qty-weighted days late (days late x qty over the qty of all sales order lines;
an unpromised part counts as late to the horizon's end).

    .venv/bin/python bench/constrained.py [--sizes 10000 100000] [--repeat 3]
    .venv/bin/python bench/constrained.py --profile 100000   # cProfile, top entries
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

from mrp import AS_OF, HORIZON_DAYS, _peak_rss_mib, _prepare

DEFAULT_SIZES = (10_000, 100_000)
MODES = ("none", "capacity,material,lead_time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=Path("/tmp/planner-bench-constrained"))
    parser.add_argument("--profile", type=int, help="profile the constrained plan at this size")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # warehouse, constraints
    args = parser.parse_args()
    if args.child:
        _plan_once(Path(args.child[0]), args.child[1])
        return
    if args.profile:
        _profile(_prepare(args.work / str(args.profile), args.profile, args.seed))
        return
    print(
        f"{'skus':>10} {'plan':>12} {'runs':>4} {'wall s':>8} {'plan s':>8} {'peak MiB':>9}"
        f" {'orders':>9} {'SO lines':>8} {'late':>6} {'qty-wtd days late':>18}"
    )
    for skus in args.sizes:
        warehouse = _prepare(args.work / str(skus), skus, args.seed)
        runs: dict[str, list[dict]] = {mode: [] for mode in MODES}
        for _ in range(args.repeat):
            for mode in MODES:  # alternately, so both see the machine alike
                runs[mode].append(_measure(warehouse, mode))
        for mode in MODES:
            done = runs[mode]
            first = done[0]
            print(
                f"{skus:>10,} {'constrained' if mode != 'none' else 'unconstrained':>12}"
                f" {len(done):>4} {statistics.median(r['wall'] for r in done):>8.2f}"
                f" {statistics.median(r['plan'] for r in done):>8.2f}"
                f" {max(r['peak_mib'] for r in done):>9.0f} {first['orders']:>9,}"
                f" {first['lines']:>8,} {first['late_lines']:>6,}"
                f" {first['weighted_days_late']:>18.3f}",
                flush=True,
            )


def _measure(warehouse: Path, constraints: str) -> dict:
    command = [sys.executable, __file__, "--child", str(warehouse), constraints]
    started = time.perf_counter()
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    figures = json.loads(result.stdout.splitlines()[-1])
    return figures | {"process": time.perf_counter() - started}


def _plan(warehouse: Path, constraints: str):
    """Read the marts (and, as ``plan_supply`` does, what the shop floor gives
    the constraints that are on: free capacity, open work's finish), plan."""
    from planning.config import PlanningRules
    from planning.mrp import plan_materials, read_planning_inputs
    from planning.pipeline import shop_constraints
    from planning.warehouse import connect

    rules = PlanningRules(plan_constraints=constraints)
    with connect(warehouse) as con:
        inputs = read_planning_inputs(con)
        capacity, open_work = shop_constraints(con, AS_OF, HORIZON_DAYS, rules.constraints)
    read_done = time.perf_counter()
    plan = plan_materials(
        inputs, AS_OF, HORIZON_DAYS, rules, capacity=capacity, open_work=open_work
    )
    return plan, read_done


def _plan_once(warehouse: Path, constraints: str) -> None:
    """One plan; its seconds, memory and lateness as JSON."""
    import polars as pl

    import planning.mrp
    import planning.pipeline
    import planning.warehouse  # noqa: F401  imported before the clock starts

    idle_mib = _peak_rss_mib()
    started = time.perf_counter()
    plan, read_done = _plan(warehouse, constraints)
    finished = time.perf_counter()
    sales = plan.table("demand_promises").filter(pl.col("demand_type") == "sales_order")
    late_to = (AS_OF.toordinal() + HORIZON_DAYS) - pl.col("due_date").dt.epoch("d")
    days_late = pl.col("days_late").fill_null(late_to - 719163).clip(lower_bound=0)
    late = sales.filter(pl.col("promised_date").is_null() | (pl.col("days_late") > 0))
    total_qty = sales["qty"].sum()
    weighted = (
        sales.select((days_late * pl.col("qty")).sum()).item() / total_qty if total_qty else 0
    )
    print(
        json.dumps(
            {
                "wall": finished - started,
                "read": read_done - started,
                "plan": finished - read_done,
                "peak_mib": _peak_rss_mib(),
                "idle_mib": idle_mib,
                "orders": plan.planned_orders.height,
                "lines": sales["demand_id"].n_unique(),
                "late_lines": late["demand_id"].n_unique(),
                "weighted_days_late": weighted,
            }
        )
    )


def _profile(warehouse: Path) -> None:
    """cProfile of one constrained plan: the 25 entries with most cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    _plan(warehouse, MODES[1])
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue())


if __name__ == "__main__":
    main()
